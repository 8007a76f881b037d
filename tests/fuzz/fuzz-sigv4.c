/*
 * libFuzzer target for the URL/SigV4 canonicaliser: the input is split on
 * '\n' into flags, method, path, query, then "Name:value" headers; it is
 * signed both ways and under both rule sets, and fed to the URL parsers.
 * Invariants checked (abort on violation):
 *   - canonical queries hold only unreserved characters, '%XX', '=' and '&';
 *   - S3 canonical URIs are idempotent (canonicalising one gives itself);
 *   - an encoded S3 key canonicalises to itself under S3 rules;
 *   - the secret never appears in any output (unless the input holds it);
 *   - the presigner's URLs equal jd_s3_presign_url's.
 * Seeds: tests/fuzz/corpus/sigv4/ (made from the official suite's requests).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "s3url.h"
#include "sigv4.h"

#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_query(const char *q)
{
	for (const char *p = q; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~' || c == '=' || c == '&')
			continue;
		if (c == '%' && p[1] && p[2]) {
			p += 2;
			continue;
		}
		abort();
	}
}

static int input_has_secret;

static void no_secret(const char *s)
{
	if (!input_has_secret && s && strstr(s, SECRET))
		abort();
}

/* Presigns bucket/key both ways; the URLs must be equal. */
static void presign_both(const char *bucket, const char *key, const char *content_type)
{
	struct jd_sigv4_creds cr = { "AKIDEXAMPLE", SECRET, "tok/en" };
	struct jd_s3_presign p;
	struct jd_s3_presigner *ps = NULL;
	struct jd_buf got = JD_BUF_INIT(1 << 17);
	struct jd_error err;
	char *want = NULL;
	int r1, r2;

	memset(&p, 0, sizeof(p));
	p.creds = &cr;
	p.region = "us-east-1";
	p.method = content_type ? "PUT" : "GET";
	p.content_type = content_type;
	p.expires = 600;
	jd_sigv4_time_parse("20260101T000000Z", &p.time, &err);
	if (jd_s3_presigner_new(&p, &ps, &err) < 0)
		return;
	r1 = jd_s3_presign_url(&p, bucket, key, NULL, &want, &err);
	r2 = jd_s3_presigner_url(ps, bucket, key, &got, &err);
	if (r1 != r2 || (r1 == 0 && strcmp(want, got.data)))
		abort();
	if (r1 == 0)
		no_secret(want);
	free(want);
	jd_buf_release(&got);
	jd_s3_presigner_free(ps);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *fields[40];
	size_t nf = 0;
	struct jd_sigv4_header hdr[32];
	size_t nh = 0;
	struct jd_sigv4_creds cr = { "AKIDEXAMPLE", SECRET, NULL };
	struct jd_sigv4_params p;
	struct jd_sigv4_request req;
	struct jd_sigv4_signed s;
	struct jd_sigv4_cache cache = JD_SIGV4_CACHE_INIT;
	struct jd_error err;
	char *out = NULL, *again = NULL;

	if (size > 8192)
		return 0;
	buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	input_has_secret = 0;
	for (size_t i = 0; i + strlen(SECRET) <= size; i++)
		if (!memcmp(buf + i, SECRET, strlen(SECRET)))
			input_has_secret = 1;
	fields[nf++] = buf;
	for (char *c = buf; *c && nf < 40; c++)
		if (*c == '\n') {
			*c = '\0';
			fields[nf++] = c + 1;
		}
	for (size_t i = 4; i < nf && nh < 32; i++) {
		char *colon = strchr(fields[i], ':');
		if (!colon)
			continue;
		*colon = '\0';
		hdr[nh++] = (struct jd_sigv4_header){ fields[i], colon + 1 };
	}

	memset(&p, 0, sizeof(p));
	p.creds = &cr;
	p.region = "us-east-1";
	p.service = "service";
	p.expires = 3600;
	p.flags = nf > 0 && fields[0][0] ? (unsigned)fields[0][0] & 15u : 0;
	if (nf > 1 && fields[1][0] == 'T')
		cr.session_token = fields[1];
	jd_sigv4_time_parse(nf > 1 ? fields[1] : "", &p.time, &err);
	jd_sigv4_time_parse("20150830T123600Z", &p.time, &err);
	memset(&req, 0, sizeof(req));
	req.method = nf > 1 ? fields[1] : "GET";
	req.path = nf > 2 ? fields[2] : "/";
	req.query = nf > 3 ? fields[3] : NULL;
	req.headers = hdr;
	req.nheaders = nh;
	jd_sigv4_signed_init(&s);
	if (jd_sigv4_sign_headers(&p, &req, &cache, &s, &err) == 0) {
		no_secret(s.canonical_request);
		no_secret(s.authorization);
	}
	if (jd_sigv4_sign_query(&p, &req, &cache, &s, &err) == 0) {
		no_secret(s.canonical_request);
		no_secret(s.query);
		check_query(s.query);
	}
	jd_sigv4_signed_release(&s);

	if (nf > 3 && jd_sigv4_canonical_query(fields[3], &out, &err) == 0)
		check_query(out);
	free(out);
	out = NULL;
	if (nf > 2 && jd_sigv4_canonical_uri(fields[2], JD_SIGV4_S3, &out, &err) == 0) {
		if (jd_sigv4_canonical_uri(out, JD_SIGV4_S3, &again, &err) == 0 && strcmp(out, again))
			abort();
		free(again);
		again = NULL;
	}
	free(out);
	out = NULL;
	if (nf > 2) {
		struct jd_buf b = JD_BUF_INIT(1 << 16);
		if (jd_s3_encode_key(&b, fields[2], &err) == 0 && b.data && b.data[0] == '/') {
			if (jd_sigv4_canonical_uri(b.data, JD_SIGV4_S3, &out, &err) == 0 &&
			    strcmp(out, b.data))
				abort();
			free(out);
			out = NULL;
		}
		jd_buf_release(&b);
	}

	/* URL helpers */
	{
		struct jd_url u;
		struct jd_s3_location loc;
		struct jd_s3_target t;

		if (nf > 2 && jd_url_parse(fields[2], &u, &err) == 0 &&
		    jd_s3_target(&u, "us-east-1", "bucket", nf > 3 ? fields[3] : "k",
		                 JD_S3_STYLE_AUTO, &t, &err) == 0)
			jd_s3_target_release(&t);
		if (jd_s3_uri_parse(buf, &loc, &err) == 0) {
			if (jd_s3_target(NULL, "us-east-1", loc.bucket, loc.key, JD_S3_STYLE_AUTO, &t,
			                 &err) == 0)
				jd_s3_target_release(&t);
			presign_both(loc.bucket, loc.key, NULL);
			jd_s3_location_release(&loc);
		}
		if (nf > 3)
			presign_both("bucket", fields[2], fields[3]);
	}
	jd_sigv4_cache_clear(&cache);
	free(buf);
	return 0;
}
