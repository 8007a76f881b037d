/*
 * libFuzzer target: compile arbitrary JSON as a JSON Schema (both dialects,
 * with and without the meta-schema check), then validate a few instances
 * with what compiled, through both the boolean and the reporting path.
 * Seeds: tests/fuzz/corpus/schema-compile/ (schemas of the test suite).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "schema.h"

static int count(void *ctx, const struct jd_finding *f)
{
	(void)f;
	(*(unsigned *)ctx)++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct jd_schema_registry *reg;
	static const char *const inst[] = {
		"null", "1", "1.5", "\"abc\"", "[1,\"a\",[],{}]", "{\"a\":1,\"b\":[true],\"c\":{}}",
	};
	struct jd_schema_options o;
	struct jd_error err;
	struct jd_schema *s;
	json_error_t je;
	json_t *schema;
	size_t i;

	if (!reg && !(reg = jd_schema_registry_new(&err)))
		abort();
	if (size < 1)
		return 0;
	schema = json_loadb((const char *)data + 1, size - 1, JSON_ALLOW_NUL | JSON_DECODE_ANY, &je);
	if (!schema)
		return 0;
	memset(&o, 0, sizeof(o));
	o.draft = data[0] & 1 ? JD_DRAFT_7 : JD_DRAFT_2020_12;
	o.no_metaschema = (data[0] >> 1) & 1;
	o.format_assert = (data[0] >> 2) & 1;
	o.regex_match_limit = 20000;
	s = jd_schema_compile(reg, schema, &o, &err);
	if (s) {
		for (i = 0; i < sizeof(inst) / sizeof(inst[0]) + 1; i++) {
			json_t *x = i < sizeof(inst) / sizeof(inst[0])
			                ? json_loads(inst[i], JSON_DECODE_ANY, NULL)
			                : json_incref(schema);
			struct jd_schema_report rep;
			unsigned n = 0;
			int a, b;

			memset(&rep, 0, sizeof(rep));
			rep.fn = count;
			rep.ctx = &n;
			a = jd_schema_check(s, x, &err);
			b = jd_schema_validate(s, x, &rep, &err);
			if (a >= 0 && b >= 0 && (a != b || (b == 1) != (n > 0)))
				abort(); /* the two paths must agree */
			json_decref(x);
		}
		jd_schema_free(s);
	}
	json_decref(schema);
	return 0;
}
