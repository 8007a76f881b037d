/*
 * libFuzzer target: input is a schema, a NUL byte, and an instance (both
 * JSON). The schema is compiled (without the meta-schema check, so that
 * odd schemas get through), the instance validated through the boolean and
 * the reporting path, which must agree.
 * Seeds: tests/fuzz/corpus/schema-validate/ (cases of the test suite).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "schema.h"

static int count(void *ctx, const struct jd_finding *f)
{
	if (!f->message || !f->pointer || !f->keyword)
		abort();
	(*(unsigned *)ctx)++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct jd_schema_registry *reg;
	const uint8_t *nul = memchr(data, 0, size);
	struct jd_schema_options o;
	struct jd_schema_report rep;
	struct jd_error err;
	struct jd_schema *s = NULL;
	json_t *schema = NULL, *x = NULL;
	unsigned n = 0;
	int a, b;

	if (!reg && !(reg = jd_schema_registry_new(&err)))
		abort();
	if (!nul)
		return 0;
	schema = json_loadb((const char *)data, (size_t)(nul - data), JSON_DECODE_ANY, NULL);
	x = json_loadb((const char *)nul + 1, size - (size_t)(nul - data) - 1,
	               JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	if (!schema || !x)
		goto out;
	memset(&o, 0, sizeof(o));
	o.no_metaschema = 1;
	o.format_assert = 1;
	o.regex_match_limit = 20000;
	o.draft = size & 1 ? JD_DRAFT_7 : JD_DRAFT_2020_12;
	s = jd_schema_compile(reg, schema, &o, &err);
	if (!s)
		goto out;
	memset(&rep, 0, sizeof(rep));
	rep.fn = count;
	rep.ctx = &n;
	rep.pointer_prefix = "/doc";
	a = jd_schema_check(s, x, &err);
	b = jd_schema_validate(s, x, &rep, &err);
	if (a >= 0 && b >= 0 && (a != b || (b == 1) != (n > 0)))
		abort();
out:
	jd_schema_free(s);
	json_decref(schema);
	json_decref(x);
	return 0;
}
