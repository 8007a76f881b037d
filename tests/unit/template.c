/* The templater's API (lib/template.h): values, rendering, regressions found by fuzzing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "template.h"
#include "../tap.h"

static int nwarn;
static int count(void *ctx, const struct jd_finding *f)
{
	(void)ctx;
	(void)f;
	nwarn++;
	return 0;
}

/* Renders text; returns the output (static) or the error message prefixed "ERR ". */
static const char *render(struct jd_params *p, const char *text, int flags)
{
	static char buf[4096];
	struct jd_error err;
	struct jd_render *r = NULL;
	struct jd_buf out = JD_BUF_INIT(4096);

	jd_error_clear(&err);
	if (jd_render_text("t", text, strlen(text), p, flags, count, NULL, &r, &err) < 0 ||
	    jd_render_output(r, 0, &out, &err) < 0)
		snprintf(buf, sizeof(buf), "ERR %u:%u %s", err.line, err.col, err.msg);
	else
		snprintf(buf, sizeof(buf), "%s", out.data ? out.data : "");
	jd_render_free(r);
	jd_buf_release(&out);
	return buf;
}

/*
 * The name table: names that fit in a slot (up to 23 bytes), and longer ones
 * (to the 128 of a parameter name), differing in their last bytes only.
 */
static void name_of(char *name, size_t len, size_t i)
{
	memset(name, 'n', len - 4);
	snprintf(name + len - 4, 5, "%04zu", i);
}

static void test_names(void)
{
	static const size_t lens[] = {5, 22, 23, 24, 25, 64, 128};
	const size_t nlens = sizeof(lens) / sizeof(lens[0]);
	struct jd_params *p = jd_params_new();
	struct jd_error err;
	char arg[200], name[160];
	const char *names[4];
	long idx[4];
	size_t i, k;
	int all = 1;

	for (k = 0; k < nlens; k++)
		for (i = 0; i < 400; i++) {
			name_of(name, lens[k], i);
			snprintf(arg, sizeof(arg), "%s:=%zu", name, k * 1000 + i);
			all &= jd_params_add_arg(p, arg, &err) == 0;
		}
	all &= jd_params_add_arg(p, "a=1", &err) == 0;
	ok(all, "2,801 names of 1 to 128 bytes go in");
	for (k = 0, all = 1; k < nlens; k++)
		for (i = 0; i < 400; i++) {
			const json_t *v;
			name_of(name, lens[k], i);
			v = jd_params_index(p, name) >= 0 ? jd_params_get(p, name, NULL) : NULL;
			all &= v && json_integer_value(v) == (json_int_t)(k * 1000 + i);
		}
	ok(all, "each is found, with its value");
	ok(jd_params_index(p, "a") >= 0, "a name of one byte");
	names[0] = "nnnnnnnnnnnnnnnnnnn0007";  /* 23: in its slot */
	names[1] = "nnnnnnnnnnnnnnnnnnnn0007"; /* 24: past it */
	names[2] = "nnnnnnnnnnnnnnnnnnn0007x"; /* 24, a 23 in the table as its prefix */
	names[3] = "nnnnnnnnnnnnnnnnnnnn000";  /* 23, a prefix of a 24 */
	jd_params_lookup(p, names, 4, idx);
	ok(idx[0] >= 0 && idx[1] >= 0 && idx[0] != idx[1], "a batch: 23 and 24 bytes, both found");
	ok(idx[2] == -1 && idx[3] == -1, "a batch: near misses are not found");
	ok(jd_params_index(p, "") == -1 && jd_params_index(p, "zz") == -1, "absent names");
	jd_params_free(p);
}

int main(void)
{
	struct jd_params *p = jd_params_new();
	struct jd_error err;
	const char *origin = NULL;
	const json_t *v;

	jd_error_clear(&err);
	ok(p != NULL, "jd_params_new");
	ok(jd_params_add_arg(p, "v=one", &err) == 0, "-p v=one");
	ok(jd_params_add_arg(p, "n:=42", &err) == 0, "-p n:=42");
	ok(jd_params_add_arg(p, "v=two", &err) == 0, "-p v=two (the later -p wins)");
	v = jd_params_get(p, "v", &origin);
	is_str(json_string_value(v), "two", "value of v");
	is_str(origin, "-p v", "origin of v");
	ok(json_is_integer(jd_params_get(p, "n", NULL)), "n is typed");
	ok(jd_params_add_arg(p, "bad", &err) < 0 && err.code == JD_EUSAGE, "-p without '='");
	ok(jd_params_add_arg(p, "x:=[", &err) < 0 && err.code == JD_EUSAGE, "-p with bad JSON");
	ok(jd_params_add_arg(p, "=1", &err) < 0, "-p with no name");
	is_int(jd_params_count(p), 2, "two values");
	ok(jd_params_option(p, "device-budget", "2k", NULL, &err) == 0, "--device-budget 2k");
	ok(jd_params_option(p, "url-size", "0", NULL, &err) < 0, "--url-size 0 refused");
	ok(jd_params_option(p, "region", "eu-west-1", NULL, &err) == 0, "--region");

	is_str(render(p, "{\"a\":\"${aws:iot:parameter:n}\",\"b\":\"n=${aws:iot:parameter:n}\"}",
		      0),
	       "{\"a\":42,\"b\":\"n=42\"}", "text: whole string typed, spliced as text");
	is_str(render(p, "{\"a\":${aws:iot:parameter:v}}", 0),
	       "ERR 1:6 after substitution the document is not JSON: invalid token near 'two'",
	       "text: an unquoted string value is put as it is");
	is_str(render(p, "{\"a\":\"${aws:iot:parameter:v}\"}", JD_RENDER_KEEP),
	       "{\"a\":\"${aws:iot:parameter:v}\"}", "keep: as written");
	is_str(render(p, "{\"a\":\"${aws:iot:parameter:zz}\"}", JD_RENDER_KEEP),
	       "{\"a\":\"${aws:iot:parameter:zz}\"}", "keep: no value needed");
	/* fuzz regression: a text with no placeholder at all (memcpy from NULL) */
	ok(strncmp(render(p, "c", 0), "ERR", 3) == 0, "fuzz: plain text, no placeholders");
	is_str(render(p, "{}", 0), "{}", "fuzz: an empty object");
	ok(strncmp(render(p, "", 0), "ERR", 3) == 0, "empty text");
	nwarn = 0;
	is_str(render(p, "{\"a\":\"${HOME}\"}", 0), "{\"a\":\"${HOME}\"}", "other ${...} kept");
	ok(nwarn >= 1, "  with a warning");
	{
		/* fuzz regression: --list after a nested parameter was expanded */
		static const char t[] = "{\"u\": \"${aws:iot:s3-presigned-url:https://s3.eu-west-1."
					"amazonaws.com/bkt-1/fw-${aws:iot:parameter:n}.bin}\"}";
		struct jd_render *r = NULL;
		json_t *l;
		int f;
		for (f = 0; f <= JD_RENDER_KEEP; f += JD_RENDER_KEEP) {
			jd_error_clear(&err);
			ok(jd_render_text("t", t, strlen(t), p, f, count, NULL, &r, &err) == 0,
			   f ? "nested, keep" : "nested, rendered");
			l = r ? jd_render_list(r, &err) : NULL;
			ok(l != NULL, "  then listed");
			json_decref(l);
			jd_render_free(r);
			r = NULL;
		}
	}
	jd_params_free(p);
	test_names();
	return tap_done();
}
