/*
 * Fuzz target: a -P file read by jd_params_add_file() (the fast reader of
 * flat JSON files, or the loader) gives what the loader and
 * jd_params_add_doc() give: the same names, values and places, or an error
 * in both; and the name table finds every name (jd_params_index() and
 * jd_params_lookup() agree). Seeds: tests/fuzz/corpus/params/.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "load.h"
#include "template.h"

static char path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jd_params *a = jd_params_new(), *b = jd_params_new();
	struct jd_error ea, eb;
	struct jd_doc doc;
	FILE *f;
	int ra, rb = -1;
	size_t i;

	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/fuzz-params-%ld.json", (long)getpid());
	f = fopen(path, "wb");
	if (!a || !b || !f || fwrite(data, 1, size, f) != size) {
		if (f)
			fclose(f);
		jd_params_free(a);
		jd_params_free(b);
		return 0;
	}
	fclose(f);
	jd_error_clear(&ea);
	jd_error_clear(&eb);
	ra = jd_params_add_file(a, path, NULL, &ea);
	if (jd_load_one(path, NULL, &doc, &eb) == 0) {
		rb = jd_params_add_doc(b, &doc, &eb);
		jd_doc_release(&doc);
	}
	if ((ra < 0) != (rb < 0))
		abort();
	if (ra < 0 && (ea.code != eb.code || ea.line != eb.line || ea.col != eb.col ||
		       strcmp(ea.msg, eb.msg)))
		abort();
	if (jd_params_count(a) != jd_params_count(b))
		abort();
	for (i = 0; ra == 0 && i < jd_params_count(a); i++) {
		const json_t *va, *vb;
		const char *oa, *ob;
		const char *na = jd_params_entry(a, i, &va, &oa);
		const char *nb = jd_params_entry(b, i, &vb, &ob);
		/* compared as JSON text: json_equal() misses keys holding a NUL */
		char *ta = jd_json_dumps(va, NULL), *tb = jd_json_dumps(vb, NULL);
		if (strcmp(na, nb) || strcmp(oa, ob) || !ta || !tb || strcmp(ta, tb))
			abort();
		free(ta);
		free(tb);
		/* the name table finds each name, by itself and in a batch */
		{
			char other[200];
			const char *names[2] = {na, other};
			long idx[2];
			snprintf(other, sizeof(other), "%.150s-x", na);
			jd_params_lookup(a, names, 2, idx);
			if (jd_params_index(a, na) != (long)i || idx[0] != (long)i ||
			    idx[1] != jd_params_index(a, other) ||
			    (idx[1] >= 0 &&
			     strcmp(jd_params_entry(a, (size_t)idx[1], NULL, NULL), other)))
				abort();
		}
	}
	jd_params_free(a);
	jd_params_free(b);
	return 0;
}
