/* The loader and the spec compiler on arbitrary input: no crash, no leak. */
#include <stdint.h>
#include <stdlib.h>

#include "json.h"
#include "load.h"
#include "spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jd_error err;
	struct jd_doc *docs = NULL;
	size_t n = 0, i;

	jd_error_clear(&err);
	if (jd_load("fuzz.yaml", (const char *)data, size, NULL, &docs, &n, &err) < 0)
		return 0;
	for (i = 0; i < n; i++) {
		struct jd_spec spec;
		struct jd_compile_opts opts = {0};

		opts.no_validate = 1;
		if (jd_spec_compile(&docs[i], &opts, &spec, &err) == 0)
			free(jd_json_dumps(spec.request, &err));
		jd_spec_release(&spec);
	}
	jd_docs_free(docs, n);
	return 0;
}
