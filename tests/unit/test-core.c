/* Unit tests of the core pieces: buffer caps, source map, canonical JSON,
 * closest-key suggestions, spec compile, and clean failure when Jansson's
 * allocations fail one by one. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "buf.h"
#include "internal.h"
#include "json.h"
#include "load.h"
#include "spec.h"
#include "srcmap.h"

static void test_buf(void)
{
	struct jd_buf b = JD_BUF_INIT(8);
	struct jd_error err;

	jd_error_clear(&err);
	ok(jd_buf_adds(&b, "12345678", &err) == 0, "buf: fills to its cap");
	ok(jd_buf_addc(&b, '9', &err) < 0 && err.code == JD_EINPUT, "buf: one past the cap fails");
	ok(strstr(err.msg, "too big") != NULL, "buf: says too big");
	is_int(b.len, 8, "buf: length unchanged after failure");
	jd_buf_release(&b);
	ok(b.data == NULL && b.len == 0, "buf: release empties");
}

static void test_srcmap(void)
{
	struct jd_srcmap *m = jd_srcmap_new();
	struct jd_pos p = {3, 5, 3, 1}, got;
	char key[32];
	int i, all = 1;

	jd_srcmap_add(m, "/a", 2, &p);
	p.line = 4;
	jd_srcmap_add(m, "/a/b~1c", 7, &p);
	is_int(jd_srcmap_find(m, "/a/b~1c", &got), 0, "srcmap: exact hit");
	is_int(got.line, 4, "srcmap: exact line");
	is_int(jd_srcmap_find(m, "/a/x/y", &got), 1, "srcmap: ancestor hit");
	ok(got.line == 3 && got.kline == 0, "srcmap: ancestor position, no key");
	is_int(jd_srcmap_find(m, "/zzz", &got), -1, "srcmap: nothing known");
	for (i = 0; i < 5000; i++) {
		struct jd_pos q = {(unsigned)i + 1, 1, 0, 0};
		snprintf(key, sizeof(key), "/k%d", i);
		jd_srcmap_add(m, key, strlen(key), &q);
	}
	for (i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "/k%d", i);
		all &= jd_srcmap_find(m, key, &got) == 0 && got.line == (unsigned)i + 1;
	}
	ok(all, "srcmap: 5000 entries survive rehashing");
	jd_srcmap_free(m);
}

/*
 * The loader's way: appends with no lookup between them (the index is made
 * on the first lookup), more appends after a lookup, and a first lookup from
 * several threads at once.
 */
#define LAZY_N 3000
static struct jd_srcmap *lazy_map;

static void *lazy_reader(void *arg)
{
	char key[32];
	struct jd_pos got;
	int i;
	long bad = 0;

	(void)arg;
	for (i = LAZY_N; i-- > 0;) {
		snprintf(key, sizeof(key), "/doc/%d", i);
		bad += jd_srcmap_find(lazy_map, key, &got) != 0 || got.line != (unsigned)i + 1;
	}
	return (void *)bad;
}

static void test_srcmap_lazy(void)
{
	struct jd_srcmap *m = jd_srcmap_new();
	struct jd_pos got;
	pthread_t th[4];
	char key[32];
	long bad = 0;
	int i, all = 1;

	for (i = 0; i < 100; i++) {
		struct jd_pos q = {(unsigned)i + 1, 2, 0, 0};
		snprintf(key, sizeof(key), "/a/%d", i);
		jd_srcmap_append(m, key, strlen(key), &q);
	}
	is_int(jd_srcmap_find(m, "/a/57", &got), 0, "srcmap: appended, then found");
	is_int(got.line, 58, "srcmap: appended entry's line");
	for (i = 100; i < 2000; i++) {
		struct jd_pos q = {(unsigned)i + 1, 2, 0, 0};
		snprintf(key, sizeof(key), "/a/%d", i);
		jd_srcmap_append(m, key, strlen(key), &q);
	}
	for (i = 0; i < 2000; i++) {
		snprintf(key, sizeof(key), "/a/%d", i);
		all &= jd_srcmap_find(m, key, &got) == 0 && got.line == (unsigned)i + 1;
	}
	ok(all, "srcmap: appends after a lookup are found (the index grows)");
	is_int(jd_srcmap_find(m, "/a/2000/x", &got), -1, "srcmap: no ancestor, nothing");
	jd_srcmap_free(m);

	lazy_map = jd_srcmap_new();
	for (i = 0; i < LAZY_N; i++) {
		struct jd_pos q = {(unsigned)i + 1, 1, 0, 0};
		snprintf(key, sizeof(key), "/doc/%d", i);
		jd_srcmap_append(lazy_map, key, strlen(key), &q);
	}
	for (i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, lazy_reader, NULL);
	for (i = 0; i < 4; i++) {
		void *r;
		pthread_join(th[i], &r);
		bad += (long)r;
	}
	is_int(bad, 0, "srcmap: a first lookup from four threads at once");
	jd_srcmap_free(lazy_map);
}

static void test_json(void)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{"[1.0, 0.1, 1e16, 1.5e-5, 100, -0.0]", "[1.0,0.1,1e+16,1.5e-05,100,-0.0]"},
		{"{\"b\": 1, \"a\": [true, false, null]}", "{\"b\":1,\"a\":[true,false,null]}"},
		{"[\"q\\\"\\\\\\n\\u0001/\\u00e9\"]", "[\"q\\\"\\\\\\n\\u0001/\xc3\xa9\"]"},
	};
	size_t i;

	for (i = 0; i < JD_ARRAY_SIZE(cases); i++) {
		json_t *v = json_loads(cases[i].in, 0, NULL);
		char *s = jd_json_dumps(v, NULL);
		is_str(s, cases[i].want, cases[i].in);
		free(s);
		json_decref(v);
	}
}

static void test_closest(void)
{
	static const char *const names[] = {"jobId", "targets", "documentSource", "document",
	                                    "timeoutConfig", "abortConfig"};
	is_str(jd_closest("jobid", names, 6), "jobId", "closest: case");
	is_str(jd_closest("target", names, 6), "targets", "closest: missing letter");
	is_str(jd_closest("timeout", names, 6), "timeoutConfig", "closest: prefix");
	ok(jd_closest("zzzzzz", names, 6) == NULL, "closest: nothing close");
}

static const char spec_text[] =
	"jobId: j1\n"
	"targets: [arn:aws:iot:us-east-1:123456789012:thing/a]\n"
	"document:\n"
	"  afr_ota: {protocols: [MQTT], streamname: s, files: [{fileid: 0, filesize: 10}]}\n"
	"timeoutConfig: {inProgressTimeoutInMinutes: 10}\n"
	"tags: [{Key: k, Value: v}]\n";

static int compile_once(char **out)
{
	struct jd_error err;
	struct jd_doc *docs = NULL;
	struct jd_spec spec;
	size_t n = 0;
	int ret = -1;

	*out = NULL;
	jd_error_clear(&err);
	if (jd_load("spec.yaml", spec_text, strlen(spec_text), NULL, &docs, &n, &err) < 0)
		return -1;
	/* validation has its own allocation-failure test (tests/unit/validate-oom.c) */
	struct jd_compile_opts opts = {0};
	opts.no_validate = 1;
	if (jd_spec_compile(&docs[0], &opts, &spec, &err) == 0) {
		*out = jd_json_dumps(spec.request, &err);
		ret = *out ? 0 : -1;
	}
	jd_spec_release(&spec);
	jd_docs_free(docs, n);
	return ret;
}

/* Jansson allocations fail from the n-th on: every path must clean up. */
static long fail_after;
static void *failing_malloc(size_t n)
{
	if (fail_after >= 0 && fail_after-- == 0)
		return NULL;
	return malloc(n);
}

static void test_alloc_failures(void)
{
	char *want, *got;
	long n;
	int clean = 1, succeeded = 0;

	ok(compile_once(&want) == 0, "compile: succeeds");
	for (n = 0; n < 400; n++) {
		fail_after = n;
		json_set_alloc_funcs(failing_malloc, free);
		if (compile_once(&got) == 0) {
			clean &= !strcmp(got, want);
			succeeded++;
			free(got);
		}
		json_set_alloc_funcs(malloc, free);
	}
	fail_after = -1;
	ok(clean, "allocation failures: every run either fails or gives the same bytes");
	ok(succeeded > 0, "allocation failures: late failures are not reached");
	free(want);
}

int main(void)
{
	test_buf();
	test_srcmap();
	test_srcmap_lazy();
	test_json();
	test_closest();
	test_alloc_failures();
	return tap_done();
}
