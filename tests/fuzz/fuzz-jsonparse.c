/*
 * Differential fuzzing of the JSON parser: under every combination of the
 * flags it handles, jd_json_parse_fast must accept exactly what json_loadb
 * accepts and build the same tree (types, integers, reals bit for bit,
 * strings byte for byte, members in order); jd_json_parse must give
 * json_loadb's tree or, on failure, its very error. Any difference aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonparse.h"
#include "../json-same.h"

static const size_t fuzz_flags[] = {
	0,
	JSON_DECODE_ANY,
	JSON_REJECT_DUPLICATES,
	JSON_ALLOW_NUL,
	JSON_DECODE_ANY | JSON_REJECT_DUPLICATES,
	JSON_DECODE_ANY | JSON_ALLOW_NUL,
	JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL,
	JSON_DECODE_ANY | JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL,
};

static void differ(const char *what, size_t flags, const json_t *a, const json_t *b)
{
	char *sa = a ? json_dumps(a, JSON_ENCODE_ANY) : NULL;
	char *sb = b ? json_dumps(b, JSON_ENCODE_ANY) : NULL;

	fprintf(stderr, "jsonparse: %s (flags 0x%zx)\njson_loadb: %s\nours:       %s\n", what, flags,
		sa ? sa : "(failed)", sb ? sb : "(failed)");
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	size_t i;

	for (i = 0; i < sizeof(fuzz_flags) / sizeof(fuzz_flags[0]); i++) {
		size_t f = fuzz_flags[i];
		json_error_t ea, eb;
		json_t *a = json_loadb(text, size, f, &ea);
		json_t *b = jd_json_parse_fast(text, size, f);
		json_t *c = jd_json_parse(text, size, f, &eb);

		if (!a != !b || !json_same(a, b))
			differ("the parser", f, a, b);
		if (!json_same(a, c))
			differ("jd_json_parse", f, a, c);
		if (ea.line != eb.line || ea.column != eb.column || ea.position != eb.position ||
		    strcmp(ea.source, eb.source) || (!a && strcmp(ea.text, eb.text)))
			differ("the error", f, a, c);
		json_decref(a);
		json_decref(b);
		json_decref(c);
	}
	return 0;
}
