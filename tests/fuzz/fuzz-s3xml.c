/*
 * libFuzzer target for the S3 XML answer parser and the HTTP error and
 * redaction helpers: the input is taken as an S3 answer body (error,
 * CompleteMultipartUpload, ListMultipartUploads) and as a URL.
 * Invariants checked (abort on violation):
 *   - every output is NUL-terminated inside its buffer;
 *   - a formatted error holds no control character;
 *   - redacting a URL removes the signature value that followed
 *     "X-Amz-Signature=" (it occurs fewer times after than before);
 *   - element contents found lie inside the input.
 * Seeds: tests/fuzz/corpus/s3xml/ (RGW and S3 answers).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "s3xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_terminated(const char *s, size_t size)
{
	if (!memchr(s, '\0', size))
		abort();
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data, *end = in + size, *p, *c;
	static const char *const tags[] = { "Code", "Message", "RequestId", "ETag", "UploadId",
		                            "Key", "IsTruncated", "Error", "Upload" };
	struct jd_s3xml_error e;
	char out[300], tiny[3];
	size_t n;

	if (jd_s3xml_error_parse(in, size, &e)) {
		if (!e.code[0])
			abort();
		jd_s3xml_error_format(&e, out, sizeof(out));
		check_terminated(out, sizeof(out));
		for (const char *q = out; *q; q++)
			if ((unsigned char)*q < 0x20 || *q == 0x7f)
				abort();
	}
	for (size_t t = 0; t < sizeof(tags) / sizeof(tags[0]); t++) {
		jd_xml_text(in, size, tags[t], out, sizeof(out));
		check_terminated(out, sizeof(out));
		jd_xml_text(in, size, tags[t], tiny, sizeof(tiny));
		check_terminated(tiny, sizeof(tiny));
	}
	p = in;
	while ((p = jd_xml_next(p, end, "Upload", &c, &n))) {
		if (c < in || c + n > end || p > end)
			abort();
	}
	jd_xml_decode(in, size, tiny, sizeof(tiny));
	check_terminated(tiny, sizeof(tiny));

	/* the input as an answer body, for the error message */
	{
		struct jd_http_response r;
		struct jd_error err;

		jd_http_response_init(&r);
		r.status = 400;
		if (jd_buf_add(&r.body, in, size, &err) == 0) {
			jd_http_error_from_response(&err, "PUT s3://b/k", &r);
			check_terminated(err.msg, sizeof(err.msg));
		}
		jd_http_response_release(&r);
		jd_buf_release(&r.body);
	}
	/* the input as a URL: a signature value never survives redaction */
	{
		char *url = malloc(size + 1), red[700];
		const char *sig;

		if (!url)
			return 0;
		memcpy(url, in, size);
		url[size] = '\0';
		jd_http_redact_url(url, red, sizeof(red));
		check_terminated(red, sizeof(red));
		sig = strstr(url, "X-Amz-Signature=");
		if (sig && strlen(url) < 600) {
			char val[64];
			size_t vl = strcspn(sig + 16, "& '\"\r\n");
			if (vl >= 8 && vl < sizeof(val)) {
				memcpy(val, sig + 16, vl);
				val[vl] = '\0';
				if (count(red, val) >= count(url, val))
					abort();
			}
		}
		free(url);
	}
	return 0;
}
