/*
 * libFuzzer target: input is a YAML or JSON file handed to what
 * jobdoc-validate does with it: recognised (spec, request, document),
 * compiled when a spec, validated against the built-in schemas and the AWS
 * rules. Every finding must be well formed; nothing may crash or leak.
 * Seeds: tests/fuzz/corpus/jobdoc-validate/ (samples, real documents and the
 * golden broken variants).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"
#include "rules.h"
#include "validate.h"

static int check(void *ctx, const struct jd_finding *f)
{
	if (!f->message || !f->rule || !f->input || strchr(f->message, '\n'))
		abort();
	(*(unsigned *)ctx)++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct jd_validator *v;
	struct jd_validate_opts o = {JD_DRAFT_DEFAULT, 0, 1793491200LL /* 2026-11-01 */};
	struct jd_load_opts lo = {1 << 20, 100000, 64};
	struct jd_error err;
	struct jd_doc *docs = NULL;
	size_t n = 0, i;
	unsigned found = 0;
	struct jd_rules_opts ro = {1793491200LL};

	if (!v && !(v = jd_validator_new(&o, &err)))
		abort();
	jd_error_clear(&err);
	if (jd_load("fuzz.yaml", (const char *)data, size, &lo, &docs, &n, &err) < 0)
		return 0;
	for (i = 0; i < n; i++) {
		jd_error_clear(&err);
		/* documentFile must not reach the file system */
		if (json_object_get(docs[i].root, "documentFile") ||
		    json_object_get(docs[i].root, "documentSchema"))
			continue;
		jd_validate_file_doc(v, &docs[i], NULL, &lo, check, &found, &err);
		jd_error_clear(&err);
		jd_rules_check(docs[i].root, NULL, &ro,
			       check, &found, &err);
	}
	jd_docs_free(docs, n);
	return 0;
}
