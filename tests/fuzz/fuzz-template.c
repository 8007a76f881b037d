/*
 * Fuzz target: the placeholder scanner and checks (lib/placeholder.h) and the
 * renderer (lib/template.h) on text documents and, when the input loads, on
 * the loaded tree. Seeds: tests/fuzz/corpus/template/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "placeholder.h"
#include "template.h"

static struct jd_params *params;

static int on_ph(void *ctx, const char *s, const struct jd_ph *ph)
{
	struct jd_ph_problem p;
	const char *region = ctx;

	jd_ph_check(s, ph, region, ph->start == 0, &p);
	return 0;
}

static int ignore(void *ctx, const struct jd_finding *f)
{
	(void)ctx;
	(void)f;
	return 0;
}

static void setup(void)
{
	static const char *const args[] = {
		"a=x\"y\\z",
		"n:=42",
		"r:=1.5",
		"b:=true",
		"o:={\"k\":[1,2]}",
		"e=",
		"u=${aws:iot:s3-presigned-url-v2:https://s3.eu-west-1.amazonaws.com/bkt/k}",
		"version=1.4.2",
	};
	struct jd_error err;
	size_t i;

	params = jd_params_new();
	for (i = 0; params && i < sizeof(args) / sizeof(args[0]); i++)
		jd_params_add_arg(params, args[i], &err);
	if (params) {
		jd_params_set_budget(params, 4096, 0);
		jd_params_set_region(params, "eu-west-1", &err);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jd_ph_problem p;
	struct jd_error err;
	struct jd_render *r = NULL;
	struct jd_doc *docs = NULL;
	struct jd_buf out = JD_BUF_INIT((size_t)1 << 20);
	size_t n = 0;
	int keep;

	if (!params)
		setup();
	if (size > 65536 || !size)
		return 0;
	keep = data[0] & 1;
	jd_ph_scan((const char *)data, size, on_ph, (void *)"eu-west-1", &p);
	jd_error_clear(&err);
	if (jd_render_text("fuzz", (const char *)data, size, params, keep ? JD_RENDER_KEEP : 0,
			   ignore, NULL, &r, &err) == 0) {
		jd_render_output(r, 0, &out, &err);
		jd_render_output(r, 1, &out, &err);
		json_decref(jd_render_list(r, &err));
	}
	jd_render_free(r);
	r = NULL;
	jd_error_clear(&err);
	if (jd_load("fuzz", (const char *)data, size, NULL, &docs, &n, &err) == 0 && n >= 1 &&
	    jd_render_doc(&docs[0], params, keep ? JD_RENDER_KEEP : 0, ignore, NULL, &r, &err) ==
		    0) {
		jd_buf_reset(&out);
		jd_render_output(r, 0, &out, &err);
		json_decref(jd_render_list(r, &err));
	}
	jd_render_free(r);
	jd_docs_free(docs, n);
	jd_buf_release(&out);
	return 0;
}
