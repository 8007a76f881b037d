/* lib/s3 and lib/http without a network: part sizes, object URLs and
 * placeholders, what is retried, redaction, error messages. */
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "s3.h"
#include "../tap.h"

#define MiB ((uint64_t)1 << 20)

static void url_case(const char *endpoint, const char *region, const char *bucket, const char *key,
		     const char *want, const char *name)
{
	struct jd_url u;
	struct jd_error err;
	char *url = NULL;

	jd_error_clear(&err);
	if (endpoint && jd_url_parse(endpoint, &u, &err) < 0) {
		ok(0, name);
		return;
	}
	if (jd_s3_object_url(endpoint ? &u : NULL, region, bucket, key, &url, &err) < 0) {
		ok(0, name);
		diag("%s", err.msg);
		return;
	}
	is_str(url, want, name);
	free(url);
}

int main(void)
{
	struct jd_error err;
	char *s = NULL, red[600];

	/* part sizes: at least 5 MiB, whole MiB, at most 10,000 parts */
	is_int(jd_s3_part_size(100 * MiB, 0), 32 * MiB, "default 32 MiB");
	is_int(jd_s3_part_size(100 * MiB, 1 * MiB), 5 * MiB, "raised to 5 MiB");
	is_int(jd_s3_part_size(80000 * MiB, 8 * MiB), 8 * MiB, "80,000 MiB: 10,000 parts of 8 MiB");
	is_int(jd_s3_part_size(80000 * MiB + 1, 8 * MiB), 9 * MiB, "one byte more: 9 MiB parts");
	is_int(jd_s3_part_size((uint64_t)5 << 40, 0), 525 * MiB, "5 TiB: 525 MiB parts");
	ok((((uint64_t)5 << 40) + jd_s3_part_size((uint64_t)5 << 40, 0) - 1) /
			   jd_s3_part_size((uint64_t)5 << 40, 0) <=
		   10000,
	   "5 TiB fits 10,000 parts");

	/* object URLs for documentSource and placeholders */
	url_case(NULL, "eu-west-1", "my-bucket", "fw/a b+c.bin",
		 "https://s3.eu-west-1.amazonaws.com/my-bucket/fw/a%20b%2Bc.bin",
		 "AWS: path style, encoded");
	url_case(NULL, "cn-north-1", "b-1", "k", "https://s3.cn-north-1.amazonaws.com.cn/b-1/k",
		 "AWS China");
	url_case("http://127.0.0.1:7480", "", "bkt", "ü/☃ (1)&=$~.bin",
		 "http://127.0.0.1:7480/bkt/%C3%BC/%E2%98%83%20%281%29%26%3D%24~.bin",
		 "custom endpoint, unicode");

	jd_error_clear(&err);
	ok(jd_s3_placeholder("https://s3.eu-west-1.amazonaws.com/b/k%20x", NULL, &s, &err) == 0,
	   "placeholder");
	is_str(s, "${aws:iot:s3-presigned-url-v2:https://s3.eu-west-1.amazonaws.com/b/k%20x}",
	       "unversioned");
	free(s);
	ok(jd_s3_placeholder("https://s3.eu-west-1.amazonaws.com/b/k", "3/L4kqtJl.40Nr+", &s,
			     &err) == 0,
	   "versioned placeholder");
	is_str(s,
	       "${aws:iot:s3-presigned-url-v2:https://s3.eu-west-1.amazonaws.com/b/"
	       "k%3FversionId%3D3%2FL4kqtJl.40Nr%2B}",
	       "versionId encoded after %3FversionId%3D");
	free(s);

	/* what is retried */
	ok(jd_http_retryable(500, ""), "500");
	ok(jd_http_retryable(503, "SlowDown"), "503 SlowDown");
	ok(!jd_http_retryable(501, ""), "not 501");
	ok(jd_http_retryable(429, ""), "429");
	ok(jd_http_retryable(400, "RequestTimeout"), "400 RequestTimeout");
	ok(jd_http_retryable(400, "ThrottlingException"), "400 ThrottlingException");
	ok(!jd_http_retryable(400, "BadDigest"), "not 400 BadDigest");
	ok(!jd_http_retryable(403, "SignatureDoesNotMatch"), "not 403");
	ok(!jd_http_retryable(404, ""), "not 404");

	/* redaction */
	jd_http_redact_url("https://b.s3.localhost/"
			   "k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F2026"
			   "&X-Amz-Security-Token=tok%2B&x-amz-signature=abcdef0123&y=1",
			   red, sizeof(red));
	is_str(red,
	       "https://b.s3.localhost/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=REDACTED"
	       "&X-Amz-Security-Token=REDACTED&x-amz-signature=REDACTED&y=1",
	       "presigned URL redacted");
	jd_http_redact_url("http://h/k", red, 5);
	is_str(red, "http", "truncated");

	/* error messages */
	{
		struct jd_http_response r;
		jd_http_response_init(&r);
		r.status = 403;
		jd_buf_adds(&r.body,
			    "<Error><Code>AccessDenied</Code><Message></Message>"
			    "<RequestId>tx1</RequestId></Error>",
			    &err);
		jd_http_error_from_response(&err, "PUT s3://b/k", &r);
		is_str(err.msg, "PUT s3://b/k: HTTP 403 AccessDenied (RequestId tx1)",
		       "S3 XML error");
		is_int(err.code, JD_EREMOTE, "remote");
		jd_http_response_release(&r);
		r.status = 502;
		jd_http_error_from_response(&err, "GET x", &r);
		is_str(err.msg, "GET x: HTTP 502", "no body");
		jd_http_response_release(&r);
		jd_buf_release(&r.body);
	}
	return tap_done();
}
