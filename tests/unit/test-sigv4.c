/*
 * The official AWS SigV4 test suite (tests/data/sigv4/, from aws-c-auth),
 * stage by stage, for header and query signing; then S3's rules, key
 * encoding, URLs, presigned URLs and the signing-key cache.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "file.h"
#include "s3url.h"
#include "sigv4.h"
#include "../tap.h"

static char *slurp(const char *dir, const char *name)
{
	struct jd_buf b = JD_BUF_INIT(1 << 20);
	struct jd_error err;
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (jd_read_file(path, 1 << 20, &b, &err) < 0) {
		diag("cannot read %s: %s", path, err.msg);
		jd_buf_release(&b);
		return NULL;
	}
	return jd_buf_detach(&b, NULL);
}

/* A request.txt parsed: header values may span lines. */
struct rawreq {
	char *method, *target, *path, *query;
	char *head; /* request line and header lines, each ending in '\n' */
	char *body;
	struct jd_sigv4_header h[32];
	char *names[32], *values[32];
	size_t nh;
};

static void rawreq_free(struct rawreq *r)
{
	free(r->method);
	free(r->target);
	free(r->path);
	free(r->query);
	free(r->head);
	free(r->body);
	for (size_t i = 0; i < r->nh; i++) {
		free(r->names[i]);
		free(r->values[i]);
	}
}

static int parse_request(const char *text, struct rawreq *r)
{
	const char *eol = strchr(text, '\n'), *sp, *last, *p, *end;
	size_t headlen;
	const char *blank = strstr(text, "\n\n");

	memset(r, 0, sizeof(*r));
	if (!eol)
		return -1;
	sp = strchr(text, ' ');
	last = NULL;
	for (p = text; p < eol; p++)
		if (*p == ' ')
			last = p;
	if (!sp || !last || last <= sp)
		return -1;
	r->method = strndup(text, (size_t)(sp - text));
	r->target = strndup(sp + 1, (size_t)(last - sp - 1));
	p = strchr(r->target, '?');
	r->path = p ? strndup(r->target, (size_t)(p - r->target)) : strdup(r->target);
	r->query = p ? strdup(p + 1) : NULL;
	headlen = blank ? (size_t)(blank - text) + 1 : strlen(text);
	r->head = strndup(text, headlen);
	if (headlen && r->head[headlen - 1] != '\n') {
		char *h = malloc(headlen + 2);
		memcpy(h, r->head, headlen);
		h[headlen] = '\n';
		h[headlen + 1] = '\0';
		free(r->head);
		r->head = h;
	}
	r->body = strdup(blank ? blank + 2 : "");
	p = eol + 1;
	end = text + headlen;
	while (p < end) {
		const char *le = memchr(p, '\n', (size_t)(end - p));
		size_t len = le ? (size_t)(le - p) : (size_t)(end - p);

		if (len && (*p == ' ' || *p == '\t') && r->nh) {
			size_t old = strlen(r->values[r->nh - 1]);
			char *v = realloc(r->values[r->nh - 1], old + len + 2);
			v[old] = '\n';
			memcpy(v + old + 1, p, len);
			v[old + 1 + len] = '\0';
			r->values[r->nh - 1] = v;
		} else if (len) {
			const char *colon = memchr(p, ':', len);
			if (!colon || r->nh == 32)
				return -1;
			r->names[r->nh] = strndup(p, (size_t)(colon - p));
			r->values[r->nh] = strndup(colon + 1, len - (size_t)(colon - p) - 1);
			r->nh++;
		}
		p += len + 1;
	}
	for (size_t i = 0; i < r->nh; i++)
		r->h[i] = (struct jd_sigv4_header){ r->names[i], r->values[i] };
	return 0;
}

static char *dirname_of_data(void)
{
	const char *top = getenv("JD_TOP");
	char *d = malloc(4096);

	snprintf(d, 4096, "%s/tests/data/sigv4", top && *top ? top : ".");
	return d;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_case(const char *base, const char *name, struct jd_sigv4_cache *cache)
{
	char dir[2048], label[256], hash[65];
	char *ctxtext = NULL, *reqtext = NULL;
	json_t *ctx = NULL;
	struct rawreq r;
	struct jd_sigv4_creds cr;
	struct jd_sigv4_params p;
	struct jd_sigv4_request req;
	struct jd_sigv4_signed s;
	struct jd_error err;
	int sign_body, normalize, omit;

	snprintf(dir, sizeof(dir), "%s/%s", base, name);
	memset(&r, 0, sizeof(r));
	jd_sigv4_signed_init(&s);
	ctxtext = slurp(dir, "context.json");
	reqtext = slurp(dir, "request.txt");
	ctx = ctxtext ? json_loads(ctxtext, 0, NULL) : NULL;
	snprintf(label, sizeof(label), "%s: inputs read", name);
	if (!ok(ctx && reqtext && parse_request(reqtext, &r) == 0, label))
		goto out;
	cr.access_key_id = json_string_value(json_object_get(json_object_get(ctx, "credentials"),
	                                                     "access_key_id"));
	cr.secret_access_key = json_string_value(
	        json_object_get(json_object_get(ctx, "credentials"), "secret_access_key"));
	cr.session_token =
	        json_string_value(json_object_get(json_object_get(ctx, "credentials"), "token"));
	sign_body = json_is_true(json_object_get(ctx, "sign_body"));
	normalize = json_is_true(json_object_get(ctx, "normalize"));
	omit = json_is_true(json_object_get(ctx, "omit_session_token"));
	memset(&p, 0, sizeof(p));
	p.creds = &cr;
	p.region = json_string_value(json_object_get(ctx, "region"));
	p.service = json_string_value(json_object_get(ctx, "service"));
	p.expires = (unsigned)json_integer_value(json_object_get(ctx, "expiration_in_seconds"));
	p.flags = (sign_body ? JD_SIGV4_SIGN_BODY : 0) | (normalize ? 0 : JD_SIGV4_NO_NORMALIZE) |
	          (omit ? JD_SIGV4_OMIT_TOKEN : 0);
	if (jd_sigv4_time_parse(json_string_value(json_object_get(ctx, "timestamp")), &p.time,
	                        &err) < 0) {
		ok(0, "timestamp parses");
		goto out;
	}
	jd_sigv4_sha256_hex(r.body, strlen(r.body), hash);
	memset(&req, 0, sizeof(req));
	req.method = r.method;
	req.path = r.path;
	req.query = r.query;
	req.headers = r.h;
	req.nheaders = r.nh;
	req.payload_hash = hash;

	for (int mode = 0; mode < 2; mode++) {
		const char *m = mode ? "query" : "header";
		char fname[64];
		char *want;
		struct jd_buf got = JD_BUF_INIT(1 << 20);
		int rc;

		rc = mode ? jd_sigv4_sign_query(&p, &req, cache, &s, &err)
		          : jd_sigv4_sign_headers(&p, &req, cache, &s, &err);
		snprintf(label, sizeof(label), "%s: %s signing succeeds", name, m);
		if (!ok(rc == 0, label)) {
			diag("%s", err.msg);
			continue;
		}
		snprintf(fname, sizeof(fname), "%s-canonical-request.txt", m);
		want = slurp(dir, fname);
		snprintf(label, sizeof(label), "%s: %s canonical request", name, m);
		is_str(s.canonical_request, want, label);
		free(want);
		snprintf(fname, sizeof(fname), "%s-string-to-sign.txt", m);
		want = slurp(dir, fname);
		snprintf(label, sizeof(label), "%s: %s string to sign", name, m);
		is_str(s.string_to_sign, want, label);
		free(want);
		snprintf(fname, sizeof(fname), "%s-signature.txt", m);
		want = slurp(dir, fname);
		snprintf(label, sizeof(label), "%s: %s signature", name, m);
		is_str(s.signature, want, label);
		free(want);

		/* The signed request, rebuilt the way the suite writes it. */
		if (mode == 0) {
			jd_buf_adds(&got, r.head, &err);
			for (size_t i = 0; i < s.nheaders; i++)
				jd_buf_addf(&got, &err, "%s:%s\n", s.headers[i].name,
				            s.headers[i].value);
		} else {
			const char *nl = strchr(r.head, '\n');
			jd_buf_addf(&got, &err, "%s %s%s%s HTTP/1.1\n", r.method, r.target,
			            r.query ? "&" : "?", s.query);
			jd_buf_adds(&got, nl + 1, &err);
		}
		jd_buf_addf(&got, &err, "\n%s", r.body);
		snprintf(fname, sizeof(fname), "%s-signed-request.txt", m);
		want = slurp(dir, fname);
		snprintf(label, sizeof(label), "%s: %s signed request", name, m);
		is_str(got.data, want, label);
		free(want);
		jd_buf_release(&got);
	}
out:
	jd_sigv4_signed_release(&s);
	rawreq_free(&r);
	json_decref(ctx);
	free(ctxtext);
	free(reqtext);
}

static void suite(void)
{
	char *base = dirname_of_data();
	DIR *d = opendir(base);
	char *names[128];
	size_t n = 0;
	struct dirent *e;
	struct jd_sigv4_cache cache = JD_SIGV4_CACHE_INIT;

	if (!ok(d != NULL, "the vendored suite is there")) {
		diag("%s", base);
		free(base);
		return;
	}
	while ((e = readdir(d)) && n < 128) {
		char p[4096];
		FILE *f;

		snprintf(p, sizeof(p), "%s/%s/context.json", base, e->d_name);
		f = fopen(p, "r");
		if (f) {
			fclose(f);
			names[n++] = strdup(e->d_name);
		}
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_names);
	is_int(n, 38, "38 cases in the suite");
	for (size_t i = 0; i < n; i++) {
		/* Every other case through the cache, the rest without. */
		run_case(base, names[i], i % 2 ? &cache : NULL);
		free(names[i]);
	}
	jd_sigv4_cache_clear(&cache);
	free(base);
}

static void canonical_uris(void)
{
	static const struct {
		const char *path;
		unsigned flags;
		const char *want;
	} t[] = {
		{ "", 0, "/" },
		{ "/a/./b/../c", 0, "/a/c" },
		{ "/a/b/..", 0, "/a/" },
		{ "/a%20b", 0, "/a%2520b" },                    /* generic: double */
		{ "/a%20b", JD_SIGV4_S3, "/a%20b" },            /* S3: single */
		{ "/a b", JD_SIGV4_S3, "/a%20b" },              /* raw space */
		{ "/a/./b/../c", JD_SIGV4_S3, "/a/./b/../c" },  /* no normalisation */
		{ "//x//", JD_SIGV4_S3, "//x//" },
		{ "/%7Efoo%2fbar", JD_SIGV4_S3, "/~foo/bar" },  /* decoded, re-encoded */
		{ "/k+=&$()~", JD_SIGV4_S3, "/k%2B%3D%26%24%28%29~" },
		{ "/%E1%88%B4", JD_SIGV4_S3, "/%E1%88%B4" },
		{ "/%zz%", JD_SIGV4_S3, "/%25zz%25" },
		{ "/a//b", JD_SIGV4_NO_NORMALIZE, "/a//b" },
		{ "relative", 0, "/relative" },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct jd_error err;
		char *got = NULL;
		char label[160];

		snprintf(label, sizeof(label), "canonical uri '%s' flags %u", t[i].path, t[i].flags);
		if (jd_sigv4_canonical_uri(t[i].path, t[i].flags, &got, &err) < 0)
			ok(0, label);
		else
			is_str(got, t[i].want, label);
		free(got);
	}
}

static void canonical_queries(void)
{
	static const struct {
		const char *q, *want;
	} t[] = {
		{ "", "" },
		{ "b=2&a=1", "a=1&b=2" },
		{ "a=2&a=1", "a=1&a=2" },
		{ "flag", "flag=" },
		{ "a=1&&b", "a=1&b=" },
		{ "k=a+b c", "k=a%2Bb%20c" },
		{ "k=%2f%7E", "k=%2F~" },
		{ "uploads", "uploads=" },
		{ "partNumber=2&uploadId=x%2Fy", "partNumber=2&uploadId=x%2Fy" },
		{ "x=%", "x=%25" },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct jd_error err;
		char *got = NULL;
		char label[160];

		snprintf(label, sizeof(label), "canonical query '%s'", t[i].q);
		if (jd_sigv4_canonical_query(t[i].q, &got, &err) < 0)
			ok(0, label);
		else
			is_str(got, t[i].want, label);
		free(got);
	}
}

static void key_encoding(void)
{
	static const struct {
		const char *key, *want;
	} t[] = {
		{ "a b", "a%20b" },
		{ "dir/sub/file.bin", "dir/sub/file.bin" },
		{ "\xc3\xa9t\xc3\xa9/\xe2\x9c\x93", "%C3%A9t%C3%A9/%E2%9C%93" },
		{ "+=&~$()", "%2B%3D%26~%24%28%29" },
		{ "-._~", "-._~" },
		{ "a%b?c#d", "a%25b%3Fc%23d" },
		{ "", "" },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct jd_buf b = JD_BUF_INIT(4096);
		struct jd_error err;
		char label[160];

		snprintf(label, sizeof(label), "s3 key '%s' encoded", t[i].key);
		if (jd_s3_encode_key(&b, t[i].key, &err) < 0 || !b.data)
			jd_buf_adds(&b, "", &err);
		is_str(b.data, t[i].want, label);
		jd_buf_release(&b);
	}
}

static void times(void)
{
	struct jd_sigv4_time t;
	struct jd_error err;

	ok(jd_sigv4_time_parse("2026-01-01T00:00:00Z", &t, &err) == 0, "extended date parses");
	is_str(t.datetime, "20260101T000000Z", "datetime");
	is_str(t.date, "20260101", "date");
	ok(jd_sigv4_time_parse("20150830T123600Z", &t, &err) == 0, "basic date parses");
	is_str(t.datetime, "20150830T123600Z", "basic datetime");
	ok(jd_sigv4_time_parse("2024-02-29T23:59:59.5+00:00", &t, &err) == 0, "fraction, +00:00");
	is_str(t.datetime, "20240229T235959Z", "fraction dropped");
	ok(jd_sigv4_time_parse("2023-02-29T00:00:00Z", &t, &err) < 0, "no 29 Feb 2023");
	is_int(err.code, JD_EUSAGE, "bad date is a usage error");
	ok(strstr(err.msg, "'2023-02-29T00:00:00Z'") != NULL, "value quoted");
	ok(jd_sigv4_time_parse("2026-01-01T00:00:00+01:00", &t, &err) < 0, "non-UTC refused");
	ok(jd_sigv4_time_parse("2026-01-01", &t, &err) < 0, "date only refused");
	ok(jd_sigv4_time_parse("", &t, &err) < 0, "empty refused");
	ok(jd_sigv4_time_from_epoch(1440938160, &t, &err) == 0, "from epoch");
	is_str(t.datetime, "20150830T123600Z", "epoch datetime");
}

static const struct jd_sigv4_creds test_creds = { "AKIDEXAMPLE",
	                                          "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", NULL };

static void s3_header_signing(void)
{
	/*
	 * AWS's documented S3 example (GET /test.txt with Range, in
	 * "Signature Calculations for the Authorization Header"), whose
	 * signature is published: f0e8bdb8...
	 */
	struct jd_sigv4_creds cr = { "AKIAIOSFODNN7EXAMPLE",
		                     "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", NULL };
	struct jd_sigv4_header h[] = { { "Host", "examplebucket.s3.amazonaws.com" },
		                       { "Range", "bytes=0-9" } };
	struct jd_sigv4_request req = { "GET", "/test.txt", NULL, h, 2, JD_SIGV4_EMPTY_SHA256 };
	struct jd_sigv4_params p;
	struct jd_sigv4_signed s;
	struct jd_error err;

	memset(&p, 0, sizeof(p));
	p.creds = &cr;
	p.region = "us-east-1";
	p.service = "s3";
	p.flags = JD_SIGV4_S3;
	jd_sigv4_time_parse("20130524T000000Z", &p.time, &err);
	jd_sigv4_signed_init(&s);
	ok(jd_sigv4_sign_headers(&p, &req, NULL, &s, &err) == 0, "s3 header signing");
	is_str(s.signed_headers, "host;range;x-amz-content-sha256;x-amz-date", "s3 signed headers");
	is_str(s.signature, "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
	       "AWS's documented S3 GET signature");
	is_int(s.nheaders, 3, "x-amz-date, x-amz-content-sha256, Authorization");
	jd_sigv4_signed_release(&s);

	/* AWS's documented presigned URL example: signature aeeed9bb... */
	{
		struct jd_sigv4_header h2[] = { { "Host", "examplebucket.s3.amazonaws.com" } };
		struct jd_sigv4_request r2 = { "GET", "/test.txt", NULL, h2, 1, NULL };
		p.expires = 86400;
		ok(jd_sigv4_sign_query(&p, &r2, NULL, &s, &err) == 0, "s3 query signing");
		is_str(s.signature,
		       "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
		       "AWS's documented presigned URL signature");
		ok(strstr(s.canonical_request, "\nUNSIGNED-PAYLOAD") != NULL, "unsigned payload");
		jd_sigv4_signed_release(&s);
	}
}

static void errors(void)
{
	struct jd_sigv4_header h[] = { { "Host", "h" } };
	struct jd_sigv4_header hd[] = { { "Host", "h" }, { "X-Amz-Date", "x" } };
	struct jd_sigv4_request req = { "GET", "/", NULL, h, 1, NULL };
	struct jd_sigv4_creds nocr = { "", "", NULL };
	struct jd_sigv4_params p;
	struct jd_sigv4_signed s;
	struct jd_error err;

	memset(&p, 0, sizeof(p));
	p.creds = &test_creds;
	p.region = "us-east-1";
	p.service = "s3";
	p.flags = JD_SIGV4_S3;
	p.expires = 604801;
	jd_sigv4_time_parse("20150830T123600Z", &p.time, &err);
	jd_sigv4_signed_init(&s);
	ok(jd_sigv4_sign_query(&p, &req, NULL, &s, &err) < 0, "expiry 604801 refused");
	is_int(err.code, JD_EUSAGE, "as a usage error");
	p.expires = 0;
	ok(jd_sigv4_sign_query(&p, &req, NULL, &s, &err) < 0, "expiry 0 refused");
	p.expires = 604800;
	ok(jd_sigv4_sign_query(&p, &req, NULL, &s, &err) == 0, "expiry 604800 accepted");
	ok(strstr(s.query, "X-Amz-Expires=604800&") != NULL, "expires in the URL");
	ok(strstr(s.query, test_creds.secret_access_key) == NULL &&
	           strstr(s.canonical_request, "wJalr") == NULL,
	   "no secret in the output");
	p.region = "us-east-1/x";
	ok(jd_sigv4_sign_query(&p, &req, NULL, &s, &err) < 0, "region with '/' refused");
	p.region = "us-east-1";
	req.headers = hd;
	req.nheaders = 2;
	ok(jd_sigv4_sign_headers(&p, &req, NULL, &s, &err) < 0, "X-Amz-Date given refused");
	ok(strstr(err.msg, "set by the signer") != NULL, "says why");
	req.headers = h + 1;
	req.nheaders = 0;
	ok(jd_sigv4_sign_headers(&p, &req, NULL, &s, &err) < 0, "no Host refused");
	req.headers = h;
	req.nheaders = 1;
	p.creds = &nocr;
	ok(jd_sigv4_sign_headers(&p, &req, NULL, &s, &err) < 0, "empty credentials refused");
	p.creds = &test_creds;
	req.payload_hash = "XYZ";
	ok(jd_sigv4_sign_headers(&p, &req, NULL, &s, &err) < 0, "bad payload hash refused");
	jd_sigv4_signed_release(&s);
}

static void cache_behaviour(void)
{
	struct jd_sigv4_cache c = JD_SIGV4_CACHE_INIT;
	struct jd_sigv4_creds other = { "AKIDEXAMPLE", "another-secret", NULL };
	struct jd_sigv4_header h[] = { { "Host", "example.amazonaws.com" } };
	struct jd_sigv4_request req = { "GET", "/", NULL, h, 1, NULL };
	struct jd_sigv4_params p;
	struct jd_sigv4_signed s1, s2;
	struct jd_error err;
	unsigned char zero[32] = { 0 };

	memset(&p, 0, sizeof(p));
	p.creds = &test_creds;
	p.region = "us-east-1";
	p.service = "service";
	jd_sigv4_time_parse("20150830T123600Z", &p.time, &err);
	jd_sigv4_signed_init(&s1);
	jd_sigv4_signed_init(&s2);
	jd_sigv4_sign_headers(&p, &req, &c, &s1, &err);
	ok(c.valid, "cache filled");
	is_str(s1.signature, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
	       "get-vanilla through the cache");
	p.creds = &other;
	jd_sigv4_sign_headers(&p, &req, &c, &s2, &err);
	ok(strcmp(s1.signature, s2.signature) != 0, "another secret: another key, not the cached one");
	p.creds = &test_creds;
	p.region = "eu-west-1";
	jd_sigv4_sign_headers(&p, &req, &c, &s2, &err);
	is_str(c.region, "eu-west-1", "cache follows the region");
	jd_sigv4_cache_clear(&c);
	ok(!c.valid && !memcmp(c.key, zero, 32), "clear wipes the key");
	jd_sigv4_signed_release(&s1);
	jd_sigv4_signed_release(&s2);
}

static void urls(void)
{
	struct jd_s3_location loc;
	struct jd_url u;
	struct jd_s3_target t;
	struct jd_error err;

	ok(jd_s3_uri_parse("s3://my-bucket/dir/a b+c.bin", &loc, &err) == 0, "s3 uri parses");
	is_str(loc.bucket, "my-bucket", "bucket");
	is_str(loc.key, "dir/a b+c.bin", "key verbatim");
	jd_s3_location_release(&loc);
	ok(jd_s3_uri_parse("s3://bucket", &loc, &err) == 0, "bucket only");
	is_str(loc.key, "", "empty key");
	jd_s3_location_release(&loc);
	ok(jd_s3_uri_parse("https://bucket/key", &loc, &err) < 0, "not s3:// refused");
	ok(strstr(err.msg, "'https://bucket/key'") != NULL, "uri quoted");
	ok(jd_s3_uri_parse("s3://b/k", &loc, &err) < 0, "bucket too short refused");
	ok(jd_s3_uri_parse("s3://bad bucket/k", &loc, &err) < 0, "bucket with space refused");
	ok(jd_s3_uri_parse("s3://bucket/\xff", &loc, &err) < 0, "key not UTF-8 refused");

	ok(jd_url_parse("http://127.0.0.1:8000/", &u, &err) == 0, "endpoint parses");
	is_str(u.host, "127.0.0.1", "host");
	is_int(u.port, 8000, "port");
	is_str(u.path, "", "no base path");
	ok(jd_url_parse("https://S3.Example.com:443/base/", &u, &err) == 0, "with base path");
	is_str(u.host, "s3.example.com", "host lowercased");
	is_int(u.port, 0, "default port dropped");
	is_str(u.path, "/base", "base path");
	ok(jd_url_parse("http://[::1]:9000", &u, &err) == 0, "IPv6");
	is_str(u.host, "[::1]", "IPv6 host");
	ok(jd_url_parse("ftp://x", &u, &err) < 0, "ftp refused");
	ok(jd_url_parse("http://u:p@host/", &u, &err) < 0, "userinfo refused");
	ok(jd_url_parse("http://host:99999/", &u, &err) < 0, "bad port refused");
	ok(jd_url_parse("http://host/?q", &u, &err) < 0, "query refused");

	ok(jd_s3_target(NULL, "eu-west-1", "my-bucket", "a b/c", JD_S3_STYLE_AUTO, &t, &err) == 0,
	   "AWS target");
	is_str(t.origin, "https://my-bucket.s3.eu-west-1.amazonaws.com", "virtual-hosted origin");
	is_str(t.host, "my-bucket.s3.eu-west-1.amazonaws.com", "virtual-hosted host");
	is_str(t.path, "/a%20b/c", "key path");
	jd_s3_target_release(&t);
	ok(jd_s3_target(NULL, "eu-west-1", "my.bucket", "k", JD_S3_STYLE_AUTO, &t, &err) == 0,
	   "dotted bucket");
	is_str(t.origin, "https://s3.eu-west-1.amazonaws.com", "dotted bucket: path style");
	is_str(t.path, "/my.bucket/k", "dotted bucket path");
	jd_s3_target_release(&t);
	ok(jd_s3_target(NULL, "eu-west-1", "my-bucket", "k", JD_S3_STYLE_PATH, &t, &err) == 0,
	   "path style asked");
	is_str(t.path, "/my-bucket/k", "path style on AWS");
	jd_s3_target_release(&t);
	ok(jd_s3_target(NULL, "cn-north-1", "bkt", "k", JD_S3_STYLE_AUTO, &t, &err) == 0, "china");
	is_str(t.host, "bkt.s3.cn-north-1.amazonaws.com.cn", "china host");
	jd_s3_target_release(&t);
	jd_url_parse("http://127.0.0.1:8000/base", &u, &err);
	ok(jd_s3_target(&u, "", "bkt", "x/y z", JD_S3_STYLE_AUTO, &t, &err) == 0, "custom target");
	is_str(t.origin, "http://127.0.0.1:8000", "custom origin");
	is_str(t.host, "127.0.0.1:8000", "custom host with port");
	is_str(t.path, "/base/bkt/x/y%20z", "custom: path style under base");
	jd_s3_target_release(&t);
	jd_url_parse("http://s3.localhost:8000", &u, &err);
	ok(jd_s3_target(&u, "", "bkt", "k", JD_S3_STYLE_VIRTUAL, &t, &err) == 0, "virtual asked");
	is_str(t.host, "bkt.s3.localhost:8000", "virtual on custom endpoint");
	jd_s3_target_release(&t);
	ok(jd_s3_target(NULL, NULL, "bkt", "k", JD_S3_STYLE_AUTO, &t, &err) < 0, "AWS needs a region");
}

static void presign(void)
{
	struct jd_s3_presign p;
	struct jd_error err;
	struct jd_url u;
	char *url = NULL;
	struct jd_sigv4_creds tok = { "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
		                      "tok/en+=" };

	memset(&p, 0, sizeof(p));
	p.creds = &test_creds;
	p.region = "us-east-1";
	p.method = "GET";
	p.expires = 3600;
	jd_sigv4_time_parse("2026-01-01T00:00:00Z", &p.time, &err);
	ok(jd_s3_presign_url(&p, "examplebucket", "dir/a b+=&~$().txt", NULL, &url, &err) == 0,
	   "presign GET");
	is_str(url,
	       "https://examplebucket.s3.us-east-1.amazonaws.com/dir/a%20b%2B%3D%26~%24%28%29.txt"
	       "?X-Amz-Algorithm=AWS4-HMAC-SHA256"
	       "&X-Amz-Credential=AKIDEXAMPLE%2F20260101%2Fus-east-1%2Fs3%2Faws4_request"
	       "&X-Amz-Date=20260101T000000Z&X-Amz-SignedHeaders=host&X-Amz-Expires=3600"
	       "&X-Amz-Signature=634ca3c57d03ade864fba6f0b506dd9ff35395776252d33da6f44b58fd767bed",
	       "presigned GET URL for a fixed date (botocore agrees)");
	free(url);

	p.method = "PUT";
	p.content_type = "application/octet-stream";
	p.creds = &tok;
	jd_url_parse("http://127.0.0.1:7480", &u, &err);
	p.endpoint = &u;
	ok(jd_s3_presign_url(&p, "bkt", "k", NULL, &url, &err) == 0, "presign PUT");
	ok(url && !strncmp(url, "http://127.0.0.1:7480/bkt/k?", 28), "custom endpoint, path style");
	ok(url && strstr(url, "X-Amz-SignedHeaders=content-type%3Bhost&") != NULL,
	   "content type signed");
	ok(url && strstr(url, "X-Amz-Security-Token=tok%2Fen%2B%3D&") != NULL, "token encoded");
	ok(url && strstr(url, "&X-Amz-Signature=69267761ed774c2199977725ca1f6fd871b899b8aec64f2b17e2164abb9dffa1") != NULL,
	   "PUT signature with content type and token (botocore agrees)");
	ok(url && !strstr(url, "wJalr"), "no secret in the URL");
	free(url);
}

/* The presigner and jd_s3_presign_url agree byte for byte. */
static void presigner_matches(void)
{
	static const char *const keys[] = { "k", "dir/a b+=&~$().txt", "\xc3\xa9t\xc3\xa9/\xe2\x9c\x93",
		                            "//x/../y/./z", "%41%zz", "-._~" };
	static const char *const buckets[] = { "bkt", "my.bucket", "Legacy_Bucket" };
	struct jd_sigv4_creds tok = { "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
		                      "tok/en+=" };
	struct jd_url u;
	struct jd_error err;
	int same = 1, count = 0;

	jd_url_parse("http://127.0.0.1:7480/base", &u, &err);
	for (int variant = 0; variant < 6; variant++) {
		struct jd_s3_presign p;
		struct jd_s3_presigner *ps = NULL;

		memset(&p, 0, sizeof(p));
		p.creds = variant & 1 ? &tok : &test_creds;
		p.region = variant == 2 ? "" : "eu-west-1";
		p.endpoint = variant >= 2 ? &u : NULL;
		p.style = variant == 3 ? JD_S3_STYLE_VIRTUAL : variant == 4 ? JD_S3_STYLE_PATH
		                                                            : JD_S3_STYLE_AUTO;
		p.method = variant & 1 ? "PUT" : "GET";
		p.content_type = variant == 5 ? "text/plain;  charset=utf-8 " : NULL;
		p.expires = 60 + (unsigned)variant;
		jd_sigv4_time_parse("2026-01-01T00:00:00Z", &p.time, &err);
		if (jd_s3_presigner_new(&p, &ps, &err) < 0) {
			diag("variant %d: %s", variant, err.msg);
			same = 0;
			continue;
		}
		for (size_t b = 0; b < sizeof(buckets) / sizeof(buckets[0]); b++)
			for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
				struct jd_buf got = JD_BUF_INIT(1 << 16);
				char *want = NULL;
				int r1 = jd_s3_presign_url(&p, buckets[b], keys[k], NULL, &want, &err);
				int r2 = jd_s3_presigner_url(ps, buckets[b], keys[k], &got, &err);

				count++;
				if (r1 != r2 || (r1 == 0 && strcmp(want, got.data))) {
					same = 0;
					diag("variant %d %s/%s:\n#  %s\n#  %s", variant, buckets[b],
					     keys[k], want ? want : "(error)", got.data ? got.data : "(error)");
				}
				free(want);
				jd_buf_release(&got);
			}
		jd_s3_presigner_free(ps);
	}
	ok(same, "presigner URLs equal jd_s3_presign_url's");
	is_int(count, 108, "108 combinations compared");
}

int main(void)
{
	suite();
	canonical_uris();
	canonical_queries();
	key_encoding();
	times();
	s3_header_signing();
	errors();
	cache_behaviour();
	urls();
	presign();
	presigner_matches();
	return tap_done();
}
