/*
 * Fuzz target: the placeholder scanner and checks (lib/placeholder.h) and the
 * renderer (lib/template.h) on text documents and, when the input loads, on
 * the loaded tree, and as a spec: compiled with the copy-on-change render
 * and then rendered in place, which must give the same request or the same
 * error. Seeds: tests/fuzz/corpus/template/.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "placeholder.h"
#include "spec.h"
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

/* The request as text, or the error as text: what a run would show. */
static char *compile_once(const struct jd_doc *doc, int in_place)
{
	struct jd_compile_opts opts;
	struct jd_spec spec;
	struct jd_error err;
	char *text = NULL;

	memset(&opts, 0, sizeof(opts));
	opts.params = params;
	opts.no_validate = 1;
	opts.render_in_place = in_place;
	opts.on_finding = ignore;
	jd_error_clear(&err);
	if (jd_spec_compile(doc, &opts, &spec, &err) == 0)
		text = jd_json_dumps(spec.request, &err);
	if (!text) {
		size_t len = strlen(err.msg) + 32;
		text = malloc(len);
		if (text)
			snprintf(text, len, "%d %u:%u %s", err.code, err.line, err.col, err.msg);
	}
	jd_spec_release(&spec);
	return text;
}

/* Copy-on-change first (the tree stays as written), then in place. */
static void compile_both(const struct jd_doc *doc)
{
	char *copy = compile_once(doc, 0);
	char *in_place = compile_once(doc, 1);

	if (copy && in_place && strcmp(copy, in_place))
		abort();
	free(copy);
	free(in_place);
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
	if (n >= 1 && json_is_object(docs[0].root))
		compile_both(&docs[0]);
	jd_docs_free(docs, n);
	jd_buf_release(&out);
	return 0;
}
