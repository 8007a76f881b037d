/*
 * S3 objects and multipart uploads over lib/http, signed with lib/sigv4.
 */
#include "s3.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "buf.h"
#include "internal.h"
#include "s3xml.h"

#define HASH_CHUNK    ((size_t)1 << 20)
#define LIST_MAX_BODY ((size_t)8 << 20)

void jd_s3_init(struct jd_s3 *s, struct jd_http *http, const struct jd_sigv4_creds *creds,
		const char *region, const struct jd_url *endpoint, enum jd_s3_style style)
{
	memset(s, 0, sizeof(*s));
	s->http = http;
	s->creds = creds;
	s->region = region;
	s->endpoint = endpoint;
	s->style = style;
	jd_sigv4_cache_init(&s->cache);
}

void jd_s3_release(struct jd_s3 *s)
{
	jd_sigv4_cache_clear(&s->cache);
}

/* ---- hashing ---- */

static void hex(const unsigned char *d, size_t n, char *out)
{
	static const char x[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = x[d[i] >> 4];
		out[2 * i + 1] = x[d[i] & 15];
	}
	out[2 * n] = '\0';
}

static void b64(const unsigned char *d, size_t n, char *out)
{
	EVP_EncodeBlock((unsigned char *)out, d, (int)n);
}

/* Reads len bytes at off of fd (pread, whole). Returns 0 or -1 with err. */
static int pread_all(int fd, void *buf, size_t len, uint64_t off, struct jd_error *err)
{
	size_t got = 0;

	while (got < len) {
		ssize_t r = pread(fd, (char *)buf + got, len - got, (off_t)(off + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return jd_error_set(err, JD_EIO, "cannot read the file: %s",
					    r < 0 ? strerror(errno) : "it shrank");
		got += (size_t)r;
	}
	return 0;
}

/* SHA-256 (hex) and MD5 (raw) of a body. */
static int hash_body(const struct jd_http_body *b, char sha_hex[65], unsigned char md5[16],
		     struct jd_error *err)
{
	EVP_MD_CTX *sha = EVP_MD_CTX_new(), *m5 = EVP_MD_CTX_new();
	unsigned char *buf = NULL, d[32];
	int ret = -1;

	if (!sha || !m5 || !EVP_DigestInit_ex(sha, EVP_sha256(), NULL) ||
	    !EVP_DigestInit_ex(m5, EVP_md5(), NULL)) {
		jd_error_set(err, JD_EINTERNAL, "cannot set up hashing");
		jd_error_add_openssl(err);
		goto out;
	}
	if (b->data) {
		EVP_DigestUpdate(sha, b->data, (size_t)b->len);
		EVP_DigestUpdate(m5, b->data, (size_t)b->len);
	} else if (b->len) {
		if (!(buf = malloc(HASH_CHUNK))) {
			jd_error_oom(err);
			goto out;
		}
		for (uint64_t off = 0; off < b->len;) {
			size_t n = b->len - off < HASH_CHUNK ? (size_t)(b->len - off) : HASH_CHUNK;
			if (pread_all(b->fd, buf, n, b->offset + off, err) < 0)
				goto out;
			EVP_DigestUpdate(sha, buf, n);
			EVP_DigestUpdate(m5, buf, n);
			off += n;
		}
	}
	EVP_DigestFinal_ex(sha, d, NULL);
	hex(d, 32, sha_hex);
	EVP_DigestFinal_ex(m5, md5, NULL);
	ret = 0;
out:
	free(buf);
	EVP_MD_CTX_free(sha);
	EVP_MD_CTX_free(m5);
	return ret;
}

/* ---- signed requests ---- */

struct sreq {
	char *url;
	struct jd_sigv4_signed sig;
	struct jd_http_header hdrs[12];
	size_t nh;
	char what[300]; /* "PUT s3://bucket/key", for messages */
};

static void sreq_init(struct sreq *r)
{
	memset(r, 0, sizeof(*r));
	jd_sigv4_signed_init(&r->sig);
}

static void sreq_release(struct sreq *r)
{
	free(r->url);
	jd_sigv4_signed_release(&r->sig);
	r->url = NULL;
	r->nh = 0;
}

/*
 * Signs method on bucket/key (key "" for the bucket) with query (wire form,
 * without '?', or NULL), payload_hash (hex or UNSIGNED-PAYLOAD), and the
 * optional Content-MD5 (base64) and Content-Type, both signed.
 */
static int sign_request(struct jd_s3 *s, const char *method, const char *bucket, const char *key,
			const char *query, const char *payload_hash, const char *content_md5,
			const char *content_type, struct sreq *r, struct jd_error *err)
{
	struct jd_s3_target t;
	struct jd_sigv4_header sh[3];
	struct jd_sigv4_request req;
	struct jd_sigv4_params p;
	struct jd_buf url = JD_BUF_INIT(16384);
	size_t n = 0;
	int ret = -1;

	sreq_release(r);
	snprintf(r->what, sizeof(r->what), "%s s3://%.64s/%.200s", method, bucket, key);
	if (!s->creds)
		return jd_error_set(err, JD_EUSAGE, "%s: no credentials", r->what);
	if (jd_s3_target(s->endpoint, s->region, bucket, key, s->style, &t, err) < 0)
		return -1;
	sh[n++] = (struct jd_sigv4_header){"host", t.host};
	if (content_md5)
		sh[n++] = (struct jd_sigv4_header){"content-md5", content_md5};
	if (content_type)
		sh[n++] = (struct jd_sigv4_header){"content-type", content_type};
	memset(&req, 0, sizeof(req));
	req.method = method;
	req.path = t.path;
	req.query = query;
	req.headers = sh;
	req.nheaders = n;
	req.payload_hash = payload_hash;
	memset(&p, 0, sizeof(p));
	p.creds = s->creds;
	p.region = s->region && *s->region ? s->region : "us-east-1";
	p.service = "s3";
	p.flags = JD_SIGV4_S3;
	if (jd_sigv4_time_from_epoch(s->clock ? s->clock() : time(NULL), &p.time, err) < 0)
		goto out;
	if (jd_sigv4_sign_headers(&p, &req, &s->cache, &r->sig, err) < 0)
		goto out;
	if (jd_buf_adds(&url, t.origin, err) < 0 || jd_buf_adds(&url, t.path, err) < 0 ||
	    (query && *query && jd_buf_addf(&url, err, "?%s", query) < 0))
		goto out;
	r->url = jd_buf_detach(&url, NULL);
	if (content_md5)
		r->hdrs[r->nh++] = (struct jd_http_header){"Content-MD5", content_md5};
	if (content_type)
		r->hdrs[r->nh++] = (struct jd_http_header){"Content-Type", content_type};
	for (size_t i = 0; i < r->sig.nheaders; i++)
		r->hdrs[r->nh++] =
			(struct jd_http_header){r->sig.headers[i].name, r->sig.headers[i].value};
	ret = 0;
out:
	jd_buf_release(&url);
	jd_s3_target_release(&t);
	return ret;
}

static void fill_request(struct jd_http_request *hr, const char *method, const struct sreq *r)
{
	memset(hr, 0, sizeof(*hr));
	hr->method = method;
	hr->url = r->url;
	hr->headers = r->hdrs;
	hr->nheaders = r->nh;
	hr->out_fd = -1;
	hr->body.fd = -1;
}

/* The ETag header without quotes, into out. */
static void take_etag(const char *v, char *out, size_t size)
{
	size_t n;

	out[0] = '\0';
	if (!v)
		return;
	if (*v == '"')
		v++;
	n = strlen(v);
	if (n && v[n - 1] == '"')
		n--;
	if (n >= size)
		n = size - 1;
	memcpy(out, v, n);
	out[n] = '\0';
}

static void take_object(const struct jd_http_response *resp, struct jd_s3_object *o)
{
	const char *v;

	take_etag(jd_http_response_header(resp, "etag"), o->etag, sizeof(o->etag));
	v = jd_http_response_header(resp, "x-amz-version-id");
	jd_strlcpy(o->version_id, v ? v : "", sizeof(o->version_id));
	v = jd_http_response_header(resp, "content-type");
	jd_strlcpy(o->content_type, v ? v : "", sizeof(o->content_type));
	v = jd_http_response_header(resp, "content-length");
	if (v)
		o->size = strtoull(v, NULL, 10);
}

/* Is the ETag an MD5 we can check (not KMS or customer-key encryption)? */
static int etag_is_md5(const struct jd_http_response *resp, const char *etag)
{
	const char *sse = jd_http_response_header(resp, "x-amz-server-side-encryption");

	if (sse && strcasecmp(sse, "AES256"))
		return 0;
	if (jd_http_response_header(resp, "x-amz-server-side-encryption-customer-algorithm"))
		return 0;
	if (strlen(etag) != 32)
		return 0;
	for (const char *p = etag; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return 0;
	return 1;
}

/* ---- single requests ---- */

int jd_s3_put_object(struct jd_s3 *s, const char *bucket, const char *key,
		     const struct jd_http_body *body, const char *content_type,
		     struct jd_s3_object *out, struct jd_error *err)
{
	struct sreq r;
	struct jd_http_request hr;
	struct jd_http_response resp;
	unsigned char md5[16];
	char sha[65], md5b64[32], md5hex[33];
	int ret = -1;

	memset(out, 0, sizeof(*out));
	sreq_init(&r);
	jd_http_response_init(&resp);
	if (body->len > JD_S3_MAX_PUT) {
		jd_error_set(err, JD_EUSAGE, "too big for one PUT (5 GiB at most)");
		goto out;
	}
	if (hash_body(body, sha, md5, err) < 0)
		goto out;
	b64(md5, 16, md5b64);
	hex(md5, 16, md5hex);
	if (sign_request(s, "PUT", bucket, key, NULL, sha, md5b64, content_type, &r, err) < 0)
		goto out;
	fill_request(&hr, "PUT", &r);
	hr.body = *body;
	if (!body->data && !body->len)
		hr.body.data = "";
	if (jd_http_do(s->http, &hr, &resp, err) < 0)
		goto out;
	if (resp.status != 200) {
		jd_http_error_from_response(err, r.what, &resp);
		goto out;
	}
	take_object(&resp, out);
	out->size = body->len;
	memcpy(out->sha256, sha, sizeof(sha));
	if (etag_is_md5(&resp, out->etag) && strcmp(out->etag, md5hex)) {
		jd_error_set(err, JD_EREMOTE, "%s: ETag '%s' is not the MD5 of what was sent (%s)",
			     r.what, out->etag, md5hex);
		goto out;
	}
	ret = 0;
out:
	OPENSSL_cleanse(md5, sizeof(md5));
	sreq_release(&r);
	jd_http_response_release(&resp);
	jd_buf_release(&resp.body);
	return ret;
}

static int simple(struct jd_s3 *s, const char *method, const char *bucket, const char *key,
		  const char *query, const struct jd_http_body *body, int out_fd, size_t max_body,
		  struct sreq *r, struct jd_http_response *resp, struct jd_error *err)
{
	struct jd_http_request hr;
	char sha[65];

	if (body && body->data)
		jd_sigv4_sha256_hex(body->data, (size_t)body->len, sha);
	else
		jd_strlcpy(sha, JD_SIGV4_EMPTY_SHA256, sizeof(sha));
	if (sign_request(s, method, bucket, key, query, sha, NULL,
			 body && body->data ? "application/xml" : NULL, r, err) < 0)
		return -1;
	fill_request(&hr, method, r);
	if (body)
		hr.body = *body;
	hr.out_fd = out_fd;
	hr.max_body = max_body;
	return jd_http_do(s->http, &hr, resp, err);
}

int jd_s3_get_object(struct jd_s3 *s, const char *bucket, const char *key, int out_fd,
		     struct jd_s3_object *out, struct jd_error *err)
{
	struct sreq r;
	struct jd_http_response resp;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	sreq_init(&r);
	jd_http_response_init(&resp);
	if (simple(s, "GET", bucket, key, NULL, NULL, out_fd, 0, &r, &resp, err) < 0)
		goto out;
	if (resp.status != 200) {
		jd_http_error_from_response(err, r.what, &resp);
		goto out;
	}
	take_object(&resp, out);
	out->size = resp.body_bytes;
	ret = 0;
out:
	sreq_release(&r);
	jd_http_response_release(&resp);
	jd_buf_release(&resp.body);
	return ret;
}

int jd_s3_head_object(struct jd_s3 *s, const char *bucket, const char *key,
		      struct jd_s3_object *out, struct jd_error *err)
{
	struct sreq r;
	struct jd_http_response resp;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	sreq_init(&r);
	jd_http_response_init(&resp);
	if (simple(s, "HEAD", bucket, key, NULL, NULL, -1, 0, &r, &resp, err) < 0)
		goto out;
	if (resp.status == 404) {
		ret = 1;
		goto out;
	}
	if (resp.status != 200) {
		jd_http_error_from_response(err, r.what, &resp);
		goto out;
	}
	take_object(&resp, out);
	ret = 0;
out:
	sreq_release(&r);
	jd_http_response_release(&resp);
	jd_buf_release(&resp.body);
	return ret;
}

/* "uploadId=ENC" (+ "&partNumber=N" first when part) into a buffer. */
static int upload_query(struct jd_buf *q, unsigned part, const char *upload_id,
			struct jd_error *err)
{
	jd_buf_reset(q);
	if (part && jd_buf_addf(q, err, "partNumber=%u&", part) < 0)
		return -1;
	if (jd_buf_adds(q, "uploadId=", err) < 0 ||
	    jd_uri_encode(q, upload_id, strlen(upload_id), 0, err) < 0)
		return -1;
	return 0;
}

int jd_s3_create_multipart(struct jd_s3 *s, const char *bucket, const char *key,
			   const char *content_type, char **upload_id, struct jd_error *err)
{
	struct sreq r;
	struct jd_http_request hr;
	struct jd_http_response resp;
	char id[1024];
	int ret = -1;

	*upload_id = NULL;
	sreq_init(&r);
	jd_http_response_init(&resp);
	if (sign_request(s, "POST", bucket, key, "uploads", JD_SIGV4_EMPTY_SHA256, NULL,
			 content_type, &r, err) < 0)
		goto out;
	fill_request(&hr, "POST", &r);
	hr.body.data = "";
	if (jd_http_do(s->http, &hr, &resp, err) < 0)
		goto out;
	if (resp.status != 200) {
		jd_http_error_from_response(err, r.what, &resp);
		goto out;
	}
	if (!jd_xml_text(resp.body.data, resp.body.len, "UploadId", id, sizeof(id)) || !id[0]) {
		jd_error_set(err, JD_EREMOTE, "%s: no UploadId in the answer", r.what);
		goto out;
	}
	if (!(*upload_id = jd_strndup(id, strlen(id)))) {
		jd_error_oom(err);
		goto out;
	}
	ret = 0;
out:
	sreq_release(&r);
	jd_http_response_release(&resp);
	jd_buf_release(&resp.body);
	return ret;
}

int jd_s3_abort_multipart(struct jd_s3 *s, const char *bucket, const char *key,
			  const char *upload_id, struct jd_error *err)
{
	struct sreq r;
	struct jd_http_response resp;
	struct jd_buf q = JD_BUF_INIT(4096);
	int old = jd_http_ignore_cancel(s->http, 1), ret = -1;

	sreq_init(&r);
	jd_http_response_init(&resp);
	if (upload_query(&q, 0, upload_id, err) < 0)
		goto out;
	if (simple(s, "DELETE", bucket, key, q.data, NULL, -1, 0, &r, &resp, err) < 0)
		goto out;
	if (resp.status != 204 && resp.status != 200 && resp.status != 404) {
		jd_http_error_from_response(err, r.what, &resp);
		goto out;
	}
	ret = 0;
out:
	jd_http_ignore_cancel(s->http, old);
	jd_buf_release(&q);
	sreq_release(&r);
	jd_http_response_release(&resp);
	jd_buf_release(&resp.body);
	return ret;
}

int jd_s3_complete_multipart(struct jd_s3 *s, const char *bucket, const char *key,
			     const char *upload_id, const struct jd_s3_part *parts, size_t n,
			     struct jd_s3_object *out, struct jd_error *err)
{
	struct sreq r;
	struct jd_http_response resp;
	struct jd_buf q = JD_BUF_INIT(4096), x = JD_BUF_INIT((size_t)16 << 20);
	struct jd_http_body body = JD_HTTP_BODY_NONE;
	struct jd_s3xml_error xe;
	char etag[256];
	const char *v;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	sreq_init(&r);
	jd_http_response_init(&resp);
	if (upload_query(&q, 0, upload_id, err) < 0 ||
	    jd_buf_adds(&x, "<CompleteMultipartUpload>", err) < 0)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (jd_buf_addf(&x, err,
				"<Part><PartNumber>%u</PartNumber><ETag>\"%s\"</ETag></Part>",
				parts[i].number, parts[i].etag) < 0)
			goto out;
	if (jd_buf_adds(&x, "</CompleteMultipartUpload>", err) < 0)
		goto out;
	body.data = x.data;
	body.len = x.len;
	if (simple(s, "POST", bucket, key, q.data, &body, -1, 0, &r, &resp, err) < 0)
		goto out;
	/* S3 may answer 200 and put the error in the body */
	if (resp.status != 200 || jd_s3xml_error_parse(resp.body.data, resp.body.len, &xe)) {
		if (resp.status == 200)
			resp.status = 500;
		jd_http_error_from_response(err, r.what, &resp);
		goto out;
	}
	if (jd_xml_text(resp.body.data, resp.body.len, "ETag", etag, sizeof(etag)))
		take_etag(etag, out->etag, sizeof(out->etag));
	v = jd_http_response_header(&resp, "x-amz-version-id");
	jd_strlcpy(out->version_id, v ? v : "", sizeof(out->version_id));
	out->parts = (unsigned)n;
	ret = 0;
out:
	jd_buf_release(&q);
	jd_buf_release(&x);
	sreq_release(&r);
	jd_http_response_release(&resp);
	jd_buf_release(&resp.body);
	return ret;
}

int jd_s3_list_multipart_uploads(struct jd_s3 *s, const char *bucket, const char *prefix,
				 jd_s3_upload_fn fn, void *ctx, struct jd_error *err)
{
	struct sreq r;
	struct jd_http_response resp;
	struct jd_buf q = JD_BUF_INIT(8192);
	char key_marker[1100] = "", id_marker[1100] = "";
	int ret = -1;

	sreq_init(&r);
	jd_http_response_init(&resp);
	for (unsigned page = 0; page < 100000; page++) {
		const char *p, *end, *c;
		size_t n;
		char trunc[16];

		/* canonical order: key-marker, prefix, upload-id-marker, uploads */
		jd_buf_reset(&q);
		if (key_marker[0] &&
		    (jd_buf_adds(&q, "key-marker=", err) < 0 ||
		     jd_uri_encode(&q, key_marker, strlen(key_marker), 0, err) < 0 ||
		     jd_buf_addc(&q, '&', err) < 0))
			goto out;
		if (prefix && *prefix &&
		    (jd_buf_adds(&q, "prefix=", err) < 0 ||
		     jd_uri_encode(&q, prefix, strlen(prefix), 0, err) < 0 ||
		     jd_buf_addc(&q, '&', err) < 0))
			goto out;
		if (id_marker[0] && (jd_buf_adds(&q, "upload-id-marker=", err) < 0 ||
				     jd_uri_encode(&q, id_marker, strlen(id_marker), 0, err) < 0 ||
				     jd_buf_addc(&q, '&', err) < 0))
			goto out;
		if (jd_buf_adds(&q, "uploads=", err) < 0)
			goto out;
		if (simple(s, "GET", bucket, "", q.data, NULL, -1, LIST_MAX_BODY, &r, &resp, err) <
		    0)
			goto out;
		if (resp.status != 200) {
			jd_http_error_from_response(err, r.what, &resp);
			goto out;
		}
		p = resp.body.data ? resp.body.data : "";
		end = p + resp.body.len;
		while ((p = jd_xml_next(p, end, "Upload", &c, &n))) {
			char k[1100], id[1100];
			int rc;
			jd_xml_text(c, n, "Key", k, sizeof(k));
			jd_xml_text(c, n, "UploadId", id, sizeof(id));
			if ((rc = fn(ctx, k, id)) != 0) {
				ret = rc;
				goto out;
			}
		}
		if (!jd_xml_text(resp.body.data, resp.body.len, "IsTruncated", trunc,
				 sizeof(trunc)) ||
		    strcmp(trunc, "true"))
			break;
		jd_xml_text(resp.body.data, resp.body.len, "NextKeyMarker", key_marker,
			    sizeof(key_marker));
		jd_xml_text(resp.body.data, resp.body.len, "NextUploadIdMarker", id_marker,
			    sizeof(id_marker));
		if (!key_marker[0] && !id_marker[0])
			break;
	}
	ret = 0;
out:
	jd_buf_release(&q);
	sreq_release(&r);
	jd_http_response_release(&resp);
	jd_buf_release(&resp.body);
	return ret;
}

/* ---- whole-file uploads ---- */

uint64_t jd_s3_part_size(uint64_t size, uint64_t wanted)
{
	const uint64_t mib = (uint64_t)1 << 20;
	uint64_t ps = wanted ? wanted : 8 * mib;

	if (ps < JD_S3_MIN_PART)
		ps = JD_S3_MIN_PART;
	if (size / ps >= JD_S3_MAX_PARTS) {
		uint64_t need = (size + JD_S3_MAX_PARTS - 1) / JD_S3_MAX_PARTS;
		ps = (need + mib - 1) / mib * mib;
	}
	if (ps > JD_S3_MAX_PART)
		ps = JD_S3_MAX_PART;
	return ps;
}

struct part {
	unsigned char md5[16];
	char md5_b64[32];
	char md5_hex[33];
	char sha256[65]; /* JD_S3_CHECK_SHA256: the signed payload hash */
	char etag[128];
	struct sreq r;
};

struct mp {
	struct jd_s3 *s;
	const char *bucket, *key, *upload_id, *content_type;
	int fd;
	uint64_t size, part_size;
	size_t nparts;
	int md5; /* parts carry Content-MD5 (else a signed SHA-256) */
	struct part *parts;
	struct jd_buf q;
	/* the hasher thread */
	pthread_t thread;
	int thread_started;
	pthread_mutex_t mu;
	size_t ready;
	int stop, hash_failed;
	char hash_msg[200];
	char sha256[65];
};

static void *hasher(void *arg)
{
	struct mp *m = arg;
	EVP_MD_CTX *sha = EVP_MD_CTX_new(), *ph = EVP_MD_CTX_new();
	unsigned char *buf = malloc(HASH_CHUNK), d[32];
	const char *fail = NULL;
	uint64_t off = 0;

	if (!sha || !ph || !buf || !EVP_DigestInit_ex(sha, EVP_sha256(), NULL)) {
		fail = "cannot set up hashing";
		goto out;
	}
	for (size_t i = 0; i < m->nparts; i++) {
		uint64_t end = off + m->part_size < m->size ? off + m->part_size : m->size;
		struct part *p = &m->parts[i];
		struct jd_error e;
		int stop;

		pthread_mutex_lock(&m->mu);
		stop = m->stop;
		pthread_mutex_unlock(&m->mu);
		if (stop)
			goto out;
		if (!EVP_DigestInit_ex(ph, m->md5 ? EVP_md5() : EVP_sha256(), NULL)) {
			fail = "cannot set up hashing";
			goto out;
		}
		while (off < end) {
			size_t n = end - off < HASH_CHUNK ? (size_t)(end - off) : HASH_CHUNK;
			if (pread_all(m->fd, buf, n, off, &e) < 0) {
				fail = "cannot read the file";
				goto out;
			}
			EVP_DigestUpdate(sha, buf, n);
			EVP_DigestUpdate(ph, buf, n);
			off += n;
		}
		if (m->md5) {
			EVP_DigestFinal_ex(ph, p->md5, NULL);
			b64(p->md5, 16, p->md5_b64);
			hex(p->md5, 16, p->md5_hex);
		} else {
			EVP_DigestFinal_ex(ph, d, NULL);
			hex(d, 32, p->sha256);
		}
		if (i + 1 == m->nparts) {
			EVP_DigestFinal_ex(sha, d, NULL);
			hex(d, 32, m->sha256);
		}
		pthread_mutex_lock(&m->mu);
		m->ready = i + 1;
		pthread_mutex_unlock(&m->mu);
	}
out:
	if (fail) {
		pthread_mutex_lock(&m->mu);
		m->hash_failed = 1;
		snprintf(m->hash_msg, sizeof(m->hash_msg), "%s: %s", fail,
			 errno ? strerror(errno) : "error");
		pthread_mutex_unlock(&m->mu);
	}
	free(buf);
	EVP_MD_CTX_free(sha);
	EVP_MD_CTX_free(ph);
	return NULL;
}

static int part_prepare(void *ctx, size_t i, unsigned attempt, struct jd_http_request *req,
			struct jd_error *err)
{
	struct mp *m = ctx;
	struct part *p = &m->parts[i];
	size_t ready;
	int failed;

	(void)attempt;
	pthread_mutex_lock(&m->mu);
	ready = m->ready;
	failed = m->hash_failed;
	pthread_mutex_unlock(&m->mu);
	if (failed)
		return jd_error_set(err, JD_EIO, "%s", m->hash_msg);
	if (ready <= i)
		return 1;
	if (upload_query(&m->q, (unsigned)(i + 1), m->upload_id, err) < 0)
		return -1;
	if (sign_request(m->s, "PUT", m->bucket, m->key, m->q.data,
			 m->md5 ? JD_SIGV4_UNSIGNED_PAYLOAD : p->sha256, m->md5 ? p->md5_b64 : NULL,
			 NULL, &p->r, err) < 0)
		return -1;
	fill_request(req, "PUT", &p->r);
	req->body.fd = m->fd;
	req->body.offset = (uint64_t)i * m->part_size;
	req->body.len = i + 1 < m->nparts ? m->part_size : m->size - (uint64_t)i * m->part_size;
	return 0;
}

static int part_done(void *ctx, size_t i, struct jd_http_response *resp, struct jd_error *err)
{
	struct mp *m = ctx;
	struct part *p = &m->parts[i];
	char what[360];

	snprintf(what, sizeof(what), "upload part %zu/%zu of s3://%.64s/%.200s", i + 1, m->nparts,
		 m->bucket, m->key);
	if (resp->status != 200) {
		jd_http_error_from_response(err, what, resp);
		/* a body damaged on the way: send it again */
		if (!strcmp(resp->error_code, "BadDigest") ||
		    !strcmp(resp->error_code, "XAmzContentSHA256Mismatch"))
			return 1;
		return -1;
	}
	take_etag(jd_http_response_header(resp, "etag"), p->etag, sizeof(p->etag));
	if (!p->etag[0]) {
		jd_error_set(err, JD_EREMOTE, "%s: no ETag in the answer", what);
		return -1;
	}
	if (m->md5 && etag_is_md5(resp, p->etag) && strcmp(p->etag, p->md5_hex)) {
		jd_error_set(err, JD_EREMOTE, "%s: ETag '%s' is not the MD5 of the part (%s)", what,
			     p->etag, p->md5_hex);
		return 1;
	}
	sreq_release(&p->r);
	return 0;
}

static void mp_stop_hasher(struct mp *m)
{
	if (!m->thread_started)
		return;
	pthread_mutex_lock(&m->mu);
	m->stop = 1;
	pthread_mutex_unlock(&m->mu);
	pthread_join(m->thread, NULL);
	m->thread_started = 0;
}

static int upload_multipart(struct jd_s3 *s, const char *bucket, const char *key, int fd,
			    uint64_t size, const struct jd_s3_upload_options *o,
			    struct jd_s3_object *out, struct jd_error *err)
{
	struct mp m;
	struct jd_s3_part *done = NULL;
	struct jd_http_batch_ops ops = {part_prepare, part_done};
	char *upload_id = NULL;
	int ret = -1;

	memset(&m, 0, sizeof(m));
	pthread_mutex_init(&m.mu, NULL);
	jd_buf_init(&m.q, 4096);
	m.s = s;
	m.bucket = bucket;
	m.key = key;
	m.fd = fd;
	m.size = size;
	m.content_type = o->content_type;
	m.md5 = o->check == JD_S3_CHECK_MD5;
	m.part_size = jd_s3_part_size(size, o->part_size);
	m.nparts = (size_t)((size + m.part_size - 1) / m.part_size);
	if (m.nparts > JD_S3_MAX_PARTS) {
		jd_error_set(err, JD_EUSAGE, "too big for S3 (5 TiB at most)");
		goto out;
	}
	m.parts = calloc(m.nparts, sizeof(*m.parts));
	done = calloc(m.nparts, sizeof(*done));
	if (!m.parts || !done) {
		jd_error_oom(err);
		goto out;
	}
	for (size_t i = 0; i < m.nparts; i++)
		sreq_init(&m.parts[i].r);
	if (jd_s3_create_multipart(s, bucket, key, o->content_type, &upload_id, err) < 0)
		goto out;
	m.upload_id = upload_id;
	if (pthread_create(&m.thread, NULL, hasher, &m) != 0) {
		jd_error_set(err, JD_EINTERNAL, "cannot start the hashing thread");
		goto out;
	}
	m.thread_started = 1;
	if (jd_http_batch(s->http, m.nparts, o->jobs ? o->jobs : 4, &ops, &m, err) < 0)
		goto out;
	mp_stop_hasher(&m);
	if (m.hash_failed) {
		jd_error_set(err, JD_EIO, "%s", m.hash_msg);
		goto out;
	}
	for (size_t i = 0; i < m.nparts; i++) {
		done[i].number = (unsigned)(i + 1);
		jd_strlcpy(done[i].etag, m.parts[i].etag, sizeof(done[i].etag));
	}
	if (jd_s3_complete_multipart(s, bucket, key, upload_id, done, m.nparts, out, err) < 0)
		goto out;
	/*
	 * The object S3 now has must be the whole file: its size, and its ETag
	 * MD5(part MD5s)-N (RGW leaves the ETag out of the Complete answer: the
	 * HEAD has it).
	 */
	{
		struct jd_s3_object head;
		unsigned char *all = malloc(m.nparts * 16), d[16];
		char want[64];
		int hr;

		if (!all) {
			jd_error_oom(err);
			goto out;
		}
		for (size_t i = 0; i < m.nparts; i++)
			memcpy(all + 16 * i, m.parts[i].md5, 16);
		EVP_Digest(all, m.nparts * 16, d, NULL, EVP_md5(), NULL);
		free(all);
		hex(d, 16, want);
		snprintf(want + 32, sizeof(want) - 32, "-%zu", m.nparts);
		free(upload_id); /* completed: nothing to abort any more */
		upload_id = NULL;
		hr = jd_s3_head_object(s, bucket, key, &head, err);
		if (hr < 0)
			goto out;
		if (hr == 0 && head.size != size) {
			jd_error_set(err, JD_EREMOTE,
				     "s3://%.64s/%.200s: size after upload %llu, want %llu", bucket,
				     key, (unsigned long long)head.size, (unsigned long long)size);
			goto out;
		}
		if (!out->etag[0])
			jd_strlcpy(out->etag, head.etag, sizeof(out->etag));
		if (strcspn(out->etag, "-") == 32 && out->etag[32] == '-' &&
		    (m.md5 ? strcmp(out->etag, want) : strcmp(out->etag + 32, want + 32))) {
			/* NEEDSWORK: the object is complete but not what was sent: delete it? */
			jd_error_set(err, JD_EREMOTE,
				     "s3://%.64s/%.200s: multipart ETag '%s' does not match the "
				     "parts (%s)",
				     bucket, key, out->etag, want);
			goto out;
		}
	}
	memcpy(out->sha256, m.sha256, sizeof(m.sha256));
	out->size = size;
	out->parts = (unsigned)m.nparts;
	ret = 0;
out:
	mp_stop_hasher(&m);
	if (upload_id) {
		struct jd_error e2;
		jd_error_clear(&e2);
		if (jd_s3_abort_multipart(s, bucket, key, upload_id, &e2) < 0) {
			char first[sizeof(err->msg)];
			jd_strlcpy(first, err->msg, sizeof(first));
			jd_error_set(err, err->code,
				     "%s; and the abort failed, upload %s is left: %s", first,
				     upload_id, e2.msg);
		}
	}
	free(upload_id);
	if (m.parts)
		for (size_t i = 0; i < m.nparts; i++)
			sreq_release(&m.parts[i].r);
	free(m.parts);
	free(done);
	jd_buf_release(&m.q);
	pthread_mutex_destroy(&m.mu);
	return ret;
}

int jd_s3_upload_file(struct jd_s3 *s, const char *bucket, const char *key, int fd, uint64_t size,
		      const struct jd_s3_upload_options *o, struct jd_s3_object *out,
		      struct jd_error *err)
{
	struct jd_s3_upload_options def;
	uint64_t threshold;

	memset(out, 0, sizeof(*out));
	if (!o) {
		memset(&def, 0, sizeof(def));
		o = &def;
	}
	threshold = o->multipart_threshold ? o->multipart_threshold : (uint64_t)16 << 20;
	if (threshold < JD_S3_MIN_PART)
		threshold = JD_S3_MIN_PART;
	if (size > JD_S3_MAX_OBJECT)
		return jd_error_set(err, JD_EUSAGE, "too big for S3 (5 TiB at most)");
	if (size <= threshold) {
		struct jd_http_body b = {NULL, fd, 0, size};
		if (!size)
			b.data = "";
		return jd_s3_put_object(s, bucket, key, &b, o->content_type, out, err);
	}
	return upload_multipart(s, bucket, key, fd, size, o, out, err);
}

int jd_s3_upload_presigned(struct jd_http *http, const char *url, int fd, uint64_t size,
			   const char *content_type, struct jd_s3_object *out, struct jd_error *err)
{
	struct jd_http_request hr;
	struct jd_http_response resp;
	struct jd_http_header h[2];
	struct jd_http_body body = {NULL, fd, 0, size};
	unsigned char md5[16];
	char md5b64[32], md5hex[33], shown[600], what[700];
	size_t nh = 0;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	jd_http_response_init(&resp);
	jd_http_redact_url(url, shown, sizeof(shown));
	snprintf(what, sizeof(what), "PUT %s", shown);
	if (size > JD_S3_MAX_PUT) {
		jd_error_set(err, JD_EUSAGE, "too big for one presigned PUT (5 GiB at most)");
		goto out;
	}
	if (!size)
		body.data = "";
	if (hash_body(&body, out->sha256, md5, err) < 0)
		goto out;
	b64(md5, 16, md5b64);
	hex(md5, 16, md5hex);
	h[nh++] = (struct jd_http_header){"Content-MD5", md5b64};
	if (content_type)
		h[nh++] = (struct jd_http_header){"Content-Type", content_type};
	memset(&hr, 0, sizeof(hr));
	hr.method = "PUT";
	hr.url = url;
	hr.headers = h;
	hr.nheaders = nh;
	hr.body = body;
	hr.out_fd = -1;
	if (jd_http_do(http, &hr, &resp, err) < 0)
		goto out;
	if (resp.status != 200) {
		jd_http_error_from_response(err, what, &resp);
		goto out;
	}
	take_etag(jd_http_response_header(&resp, "etag"), out->etag, sizeof(out->etag));
	{
		const char *v = jd_http_response_header(&resp, "x-amz-version-id");
		jd_strlcpy(out->version_id, v ? v : "", sizeof(out->version_id));
	}
	out->size = size;
	if (etag_is_md5(&resp, out->etag) && strcmp(out->etag, md5hex)) {
		jd_error_set(err, JD_EREMOTE, "%s: ETag '%s' is not the MD5 of what was sent", what,
			     out->etag);
		goto out;
	}
	ret = 0;
out:
	jd_http_response_release(&resp);
	jd_buf_release(&resp.body);
	return ret;
}

int jd_s3_object_url(const struct jd_url *endpoint, const char *region, const char *bucket,
		     const char *key, char **url, struct jd_error *err)
{
	struct jd_s3_target t;
	struct jd_buf b = JD_BUF_INIT(16384);
	int ret = -1;

	*url = NULL;
	if (jd_s3_target(endpoint, region, bucket, key, JD_S3_STYLE_PATH, &t, err) < 0)
		return -1;
	if (jd_buf_adds(&b, t.origin, err) < 0 || jd_buf_adds(&b, t.path, err) < 0)
		goto out;
	*url = jd_buf_detach(&b, NULL);
	ret = 0;
out:
	jd_buf_release(&b);
	jd_s3_target_release(&t);
	return ret;
}

int jd_s3_placeholder(const char *url, const char *version_id, char **out, struct jd_error *err)
{
	struct jd_buf b = JD_BUF_INIT(32768);
	int ret = -1;

	*out = NULL;
	if (jd_buf_adds(&b, "${aws:iot:s3-presigned-url-v2:", err) < 0 ||
	    jd_buf_adds(&b, url, err) < 0)
		goto out;
	if (version_id && *version_id &&
	    (jd_buf_adds(&b, "%3FversionId%3D", err) < 0 ||
	     jd_uri_encode(&b, version_id, strlen(version_id), 0, err) < 0))
		goto out;
	if (jd_buf_addc(&b, '}', err) < 0)
		goto out;
	*out = jd_buf_detach(&b, NULL);
	ret = 0;
out:
	jd_buf_release(&b);
	return ret;
}
