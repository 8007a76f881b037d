/*
 * Replays the fuzz targets' regression inputs (tests/fuzz/regressions/NAME/)
 * and a sample of their seed corpora through the very same entry points,
 * under the sanitizers of make check.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tap.h"

#define LLVMFuzzerTestOneInput fuzz_schema_compile
#define count count_compile
#include "../fuzz/fuzz-schema-compile.c"
#undef LLVMFuzzerTestOneInput
#undef count
#define LLVMFuzzerTestOneInput fuzz_schema_validate
#define count count_validate
#include "../fuzz/fuzz-schema-validate.c"
#undef LLVMFuzzerTestOneInput
#undef count
#define LLVMFuzzerTestOneInput fuzz_jsonparse
#include "../fuzz/fuzz-jsonparse.c"
#undef LLVMFuzzerTestOneInput

static void replay(const char *top, const char *dir, int (*fn)(const uint8_t *, size_t),
                   unsigned every)
{
	char path[4096];
	DIR *d;
	struct dirent *de;
	unsigned n = 0, i = 0;

	snprintf(path, sizeof(path), "%s/%s", top, dir);
	d = opendir(path);
	if (!d) {
		ok(0, dir);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		FILE *f;
		static uint8_t buf[1 << 20];
		size_t len;
		if (de->d_name[0] == '.' || i++ % every)
			continue;
		snprintf(path, sizeof(path), "%s/%s/%s", top, dir, de->d_name);
		f = fopen(path, "rb");
		if (!f)
			continue;
		len = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		fn(buf, len); /* aborts, or the sanitizers do, on a bug */
		n++;
	}
	closedir(d);
	printf("# %s: %u inputs\n", dir, n);
	ok(n > 0, dir);
}

int main(void)
{
	const char *top = getenv("JD_TOP");

	if (!top)
		top = ".";
	replay(top, "tests/fuzz/regressions/schema-compile", fuzz_schema_compile, 1);
	replay(top, "tests/fuzz/corpus/schema-compile", fuzz_schema_compile, 10);
	replay(top, "tests/fuzz/corpus/schema-validate", fuzz_schema_validate, 10);
	replay(top, "tests/fuzz/regressions/jsonparse", fuzz_jsonparse, 1);
	replay(top, "tests/fuzz/corpus/jsonparse", fuzz_jsonparse, 1);
	return tap_done();
}
