#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "buf.h"
#include "internal.h"
#include "s3url.h"
#include "sigv4-canon.h"

#define MAX_KEY 1024
#define MAX_URL (64u * 1024)

int jd_s3_encode_key(struct jd_buf *buf, const char *key, struct jd_error *err)
{
	return jd_uri_encode(buf, key, strlen(key), 1, err);
}

static int valid_utf8(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t n = jd_utf8_seq((const unsigned char *)s + i, len - i);
		if (!n)
			return 0;
		i += n;
	}
	return 1;
}

static int valid_bucket(const char *b, size_t n)
{
	int legacy = 0;

	if (n < 3 || n > 255)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)b[i];
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-')
			continue;
		if ((c >= 'A' && c <= 'Z') || c == '_') {
			legacy = 1;
			continue;
		}
		return 0;
	}
	return legacy || n <= 63;
}

void jd_s3_location_release(struct jd_s3_location *loc)
{
	free(loc->bucket);
	free(loc->key);
	loc->bucket = loc->key = NULL;
}

int jd_s3_uri_parse(const char *uri, struct jd_s3_location *loc, struct jd_error *err)
{
	const char *p, *slash;
	size_t blen, klen;

	loc->bucket = loc->key = NULL;
	if (!uri || strncmp(uri, "s3://", 5))
		return jd_error_set(err, JD_EUSAGE,
				    "not an S3 URI '%.200s': expected s3://BUCKET/KEY",
				    uri ? uri : "");
	p = uri + 5;
	slash = strchr(p, '/');
	blen = slash ? (size_t)(slash - p) : strlen(p);
	if (!valid_bucket(p, blen))
		return jd_error_set(err, JD_EUSAGE, "invalid bucket name in '%.200s'", uri);
	klen = slash ? strlen(slash + 1) : 0;
	if (klen > MAX_KEY)
		return jd_error_set(err, JD_EUSAGE, "key longer than %u bytes in '%.200s'", MAX_KEY,
				    uri);
	if (slash && !valid_utf8(slash + 1, klen))
		return jd_error_set(err, JD_EUSAGE, "key is not valid UTF-8 in '%.200s'", uri);
	loc->bucket = jd_strndup(p, blen);
	loc->key = jd_strndup(slash ? slash + 1 : "", klen);
	if (!loc->bucket || !loc->key) {
		jd_s3_location_release(loc);
		return jd_error_oom(err);
	}
	return 0;
}

static int valid_host(const char *h, size_t n)
{
	if (!n)
		return 0;
	if (h[0] == '[') {
		if (n < 3 || h[n - 1] != ']')
			return 0;
		for (size_t i = 1; i + 1 < n; i++)
			if (!isxdigit((unsigned char)h[i]) && h[i] != ':' && h[i] != '.')
				return 0;
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)h[i];
		if (!isalnum(c) && c != '-' && c != '.' && c != '_')
			return 0;
	}
	return 1;
}

int jd_url_parse(const char *url, struct jd_url *u, struct jd_error *err)
{
	const char *p, *auth_end, *hp_end, *colon = NULL;
	size_t n;

	memset(u, 0, sizeof(*u));
	if (!url)
		url = "";
	if (!strncmp(url, "https://", 8)) {
		jd_strlcpy(u->scheme, "https", sizeof(u->scheme));
		p = url + 8;
	} else if (!strncmp(url, "http://", 7)) {
		jd_strlcpy(u->scheme, "http", sizeof(u->scheme));
		p = url + 7;
	} else {
		return jd_error_set(err, JD_EUSAGE,
				    "invalid endpoint URL '%.200s': expected http:// or https://",
				    url);
	}
	auth_end = p + strcspn(p, "/?#");
	if (*auth_end == '?' || *auth_end == '#' || strpbrk(auth_end, "?#"))
		return jd_error_set(
			err, JD_EUSAGE,
			"invalid endpoint URL '%.200s': a query or fragment is not allowed", url);
	if (memchr(p, '@', (size_t)(auth_end - p)))
		return jd_error_set(
			err, JD_EUSAGE,
			"invalid endpoint URL '%.200s': user information is not allowed", url);
	hp_end = auth_end;
	if (*p == '[') {
		const char *rb = memchr(p, ']', (size_t)(auth_end - p));
		if (!rb)
			goto bad;
		if (rb + 1 < auth_end) {
			if (rb[1] != ':')
				goto bad;
			colon = rb + 1;
		}
	} else {
		colon = memchr(p, ':', (size_t)(auth_end - p));
	}
	if (colon) {
		unsigned long port = 0;
		const char *d = colon + 1;
		if (d == auth_end || auth_end - d > 5)
			goto bad;
		for (; d < auth_end; d++) {
			if (!isdigit((unsigned char)*d))
				goto bad;
			port = port * 10 + (unsigned long)(*d - '0');
		}
		if (port < 1 || port > 65535)
			goto bad;
		u->port = (unsigned)port;
		hp_end = colon;
	}
	n = (size_t)(hp_end - p);
	if (n >= sizeof(u->host) || !valid_host(p, n))
		goto bad;
	memcpy(u->host, p, n);
	u->host[n] = '\0';
	for (char *c = u->host; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	if ((u->port == 443 && !strcmp(u->scheme, "https")) ||
	    (u->port == 80 && !strcmp(u->scheme, "http")))
		u->port = 0;
	n = strlen(auth_end);
	while (n && auth_end[n - 1] == '/')
		n--;
	if (n >= sizeof(u->path))
		goto bad;
	memcpy(u->path, auth_end, n);
	u->path[n] = '\0';
	return 0;
bad:
	return jd_error_set(err, JD_EUSAGE, "invalid endpoint URL '%.200s'", url);
}

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcmp(s + a - b, suffix);
}

int jd_host_is_aws(const char *host)
{
	return ends_with(host, ".amazonaws.com") || ends_with(host, ".amazonaws.com.cn");
}

void jd_s3_target_release(struct jd_s3_target *t)
{
	free(t->origin);
	free(t->host);
	free(t->path);
	memset(t, 0, sizeof(*t));
}

/* The AWS endpoint for region into u. */
static int aws_endpoint(const char *region, struct jd_url *u, struct jd_error *err)
{
	if (!region || !*region)
		return jd_error_set(err, JD_EUSAGE, "no region: set AWS_REGION or use --region");
	memset(u, 0, sizeof(*u));
	jd_strlcpy(u->scheme, "https", sizeof(u->scheme));
	snprintf(u->host, sizeof(u->host), "s3.%.64s.amazonaws.com%s", region,
		 strncmp(region, "cn-", 3) ? "" : ".cn");
	return 0;
}

/* Appends the target's origin, host and path to the buffers. */
static int target_build(const struct jd_url *endpoint, const char *bucket, const char *key,
			enum jd_s3_style style, struct jd_buf *origin, struct jd_buf *host,
			struct jd_buf *path, int *path_stylep, struct jd_error *err)
{
	int path_style;

	if (!valid_bucket(bucket, strlen(bucket)))
		return jd_error_set(err, JD_EUSAGE, "invalid bucket name '%.64s'", bucket);
	if (style == JD_S3_STYLE_PATH)
		path_style = 1;
	else if (style == JD_S3_STYLE_VIRTUAL)
		path_style = 0;
	else
		/* Dots in a bucket name break the wildcard TLS certificate. */
		path_style = !jd_host_is_aws(endpoint->host) ||
			     (strchr(bucket, '.') && !strcmp(endpoint->scheme, "https"));
	/* Upper case and '_' cannot be in a host name. */
	if (!path_style && strpbrk(bucket, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_"))
		path_style = 1;
	*path_stylep = path_style;
	if (jd_buf_grow(host, 256, err) < 0 || jd_buf_grow(origin, 300, err) < 0 ||
	    jd_buf_grow(path, strlen(endpoint->path) + strlen(bucket) + 3 * strlen(key) + 3, err) <
		    0)
		return -1;
	if (!path_style && (jd_buf_adds(host, bucket, err) < 0 || jd_buf_addc(host, '.', err) < 0))
		return -1;
	if (jd_buf_adds(host, endpoint->host, err) < 0 ||
	    (endpoint->port && jd_buf_addf(host, err, ":%u", endpoint->port) < 0))
		return -1;
	if (jd_buf_adds(path, endpoint->path, err) < 0 || jd_buf_addc(path, '/', err) < 0)
		return -1;
	if (path_style && (jd_buf_adds(path, bucket, err) < 0 || jd_buf_addc(path, '/', err) < 0))
		return -1;
	if (jd_s3_encode_key(path, key, err) < 0)
		return -1;
	if (jd_buf_adds(origin, endpoint->scheme, err) < 0 || jd_buf_adds(origin, "://", err) < 0 ||
	    jd_buf_adds(origin, host->data, err) < 0)
		return -1;
	return 0;
}

int jd_s3_target(const struct jd_url *endpoint, const char *region, const char *bucket,
		 const char *key, enum jd_s3_style style, struct jd_s3_target *out,
		 struct jd_error *err)
{
	struct jd_buf host = JD_BUF_INIT(1024), path = JD_BUF_INIT(MAX_URL),
		      origin = JD_BUF_INIT(2048);
	struct jd_url aws;
	int path_style, ret = -1;

	memset(out, 0, sizeof(*out));
	if (!endpoint) {
		if (aws_endpoint(region, &aws, err) < 0)
			return -1;
		endpoint = &aws;
	}
	if (target_build(endpoint, bucket, key, style, &origin, &host, &path, &path_style, err) < 0)
		goto out;
	out->host = jd_buf_detach(&host, NULL);
	out->path = jd_buf_detach(&path, NULL);
	out->origin = jd_buf_detach(&origin, NULL);
	out->path_style = path_style;
	if (!out->host || !out->path || !out->origin) {
		jd_s3_target_release(out);
		jd_error_oom(err);
		goto out;
	}
	ret = 0;
out:
	jd_buf_release(&host);
	jd_buf_release(&path);
	jd_buf_release(&origin);
	return ret;
}

int jd_s3_presign_url(const struct jd_s3_presign *p, const char *bucket, const char *key,
		      struct jd_sigv4_cache *cache, char **url, struct jd_error *err)
{
	struct jd_s3_target t;
	struct jd_sigv4_header hdr[2];
	struct jd_sigv4_request req;
	struct jd_sigv4_params sp;
	struct jd_sigv4_signed s;
	struct jd_buf b = JD_BUF_INIT(MAX_URL * 2);
	size_t nh = 0;
	int ret = -1;

	*url = NULL;
	jd_sigv4_signed_init(&s);
	if (jd_s3_target(p->endpoint, p->region, bucket, key, p->style, &t, err) < 0)
		return -1;
	hdr[nh++] = (struct jd_sigv4_header){"host", t.host};
	if (p->content_type && *p->content_type)
		hdr[nh++] = (struct jd_sigv4_header){"content-type", p->content_type};
	memset(&req, 0, sizeof(req));
	req.method = p->method ? p->method : "GET";
	req.path = t.path;
	req.headers = hdr;
	req.nheaders = nh;
	req.payload_hash = JD_SIGV4_UNSIGNED_PAYLOAD;
	memset(&sp, 0, sizeof(sp));
	sp.creds = p->creds;
	/* A custom endpoint may have no region; S3 peers accept us-east-1. */
	sp.region = p->region && *p->region ? p->region : "us-east-1";
	sp.service = "s3";
	sp.time = p->time;
	sp.flags = JD_SIGV4_S3;
	sp.expires = p->expires;
	if (jd_sigv4_sign_query(&sp, &req, cache, &s, err) < 0)
		goto out;
	if (jd_buf_grow(&b, strlen(t.origin) + strlen(t.path) + strlen(s.query) + 2, err) < 0 ||
	    jd_buf_adds(&b, t.origin, err) < 0 || jd_buf_adds(&b, t.path, err) < 0 ||
	    jd_buf_addc(&b, '?', err) < 0 || jd_buf_adds(&b, s.query, err) < 0)
		goto out;
	*url = jd_buf_detach(&b, NULL);
	if (!*url) {
		jd_error_oom(err);
		goto out;
	}
	ret = 0;
out:
	if (b.data)
		OPENSSL_cleanse(b.data, b.len);
	jd_buf_release(&b);
	jd_sigv4_signed_release(&s);
	jd_s3_target_release(&t);
	return ret;
}

/* ---- many URLs with the same parameters ---- */

struct jd_s3_presigner {
	struct jd_url endpoint;
	enum jd_s3_style style;
	char method[16];
	char *cquery; /* the canonical query, the same for every URL */
	char *query;  /* the URL's query up to X-Amz-Signature= included */
	char *sts;    /* the string to sign up to the canonical request's hash */
	char *ctline; /* "content-type:VALUE\n", or NULL */
	char *signed_headers;
	unsigned char key[32];
	EVP_MD_CTX *ctx;
	struct jd_buf origin, host, path, creq;
};

void jd_s3_presigner_free(struct jd_s3_presigner *ps)
{
	if (!ps)
		return;
	OPENSSL_cleanse(ps->key, sizeof(ps->key));
	if (ps->query)
		OPENSSL_cleanse(ps->query, strlen(ps->query));
	if (ps->cquery)
		OPENSSL_cleanse(ps->cquery, strlen(ps->cquery));
	free(ps->cquery);
	free(ps->query);
	free(ps->sts);
	free(ps->ctline);
	free(ps->signed_headers);
	EVP_MD_CTX_free(ps->ctx);
	jd_buf_release(&ps->origin);
	jd_buf_release(&ps->host);
	jd_buf_release(&ps->path);
	if (ps->creq.data)
		OPENSSL_cleanse(ps->creq.data, ps->creq.alloc);
	jd_buf_release(&ps->creq);
	free(ps);
}

/* Line n (0-based) of text, malloc'd without its '\n'. */
static char *line_dup(const char *text, int n)
{
	const char *p = text, *e;

	for (; n > 0 && p; n--) {
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	if (!p)
		return NULL;
	e = strchr(p, '\n');
	return jd_strndup(p, e ? (size_t)(e - p) : strlen(p));
}

int jd_s3_presigner_new(const struct jd_s3_presign *p, struct jd_s3_presigner **out,
			struct jd_error *err)
{
	struct jd_s3_presigner *ps;
	struct jd_sigv4_header hdr[2];
	struct jd_sigv4_request req;
	struct jd_sigv4_params sp;
	struct jd_sigv4_signed s;
	size_t n = 0, len;
	int ret = -1;

	*out = NULL;
	ps = calloc(1, sizeof(*ps));
	if (!ps)
		return jd_error_oom(err);
	jd_sigv4_signed_init(&s);
	jd_buf_init(&ps->origin, 2048);
	jd_buf_init(&ps->host, 1024);
	jd_buf_init(&ps->path, MAX_URL);
	jd_buf_init(&ps->creq, MAX_URL * 2);
	if (p->endpoint)
		ps->endpoint = *p->endpoint;
	else if (aws_endpoint(p->region, &ps->endpoint, err) < 0)
		goto out;
	ps->style = p->style;
	if (strlen(p->method ? p->method : "GET") >= sizeof(ps->method)) {
		jd_error_set(err, JD_EUSAGE, "invalid method");
		goto out;
	}
	jd_strlcpy(ps->method, p->method ? p->method : "GET", sizeof(ps->method));
	/*
	 * Sign one request through the generic path; every part that does not
	 * depend on the object is taken from it, so both paths agree by
	 * construction (and the tests compare them).
	 */
	hdr[n++] = (struct jd_sigv4_header){"host", "example"};
	if (p->content_type && *p->content_type)
		hdr[n++] = (struct jd_sigv4_header){"content-type", p->content_type};
	memset(&req, 0, sizeof(req));
	req.method = ps->method;
	req.path = "/";
	req.headers = hdr;
	req.nheaders = n;
	req.payload_hash = JD_SIGV4_UNSIGNED_PAYLOAD;
	memset(&sp, 0, sizeof(sp));
	sp.creds = p->creds;
	sp.region = p->region && *p->region ? p->region : "us-east-1";
	sp.service = "s3";
	sp.time = p->time;
	sp.flags = JD_SIGV4_S3;
	sp.expires = p->expires;
	if (jd_sigv4_sign_query(&sp, &req, NULL, &s, err) < 0)
		goto out;
	ps->cquery = line_dup(s.canonical_request, 2);
	ps->ctline = n == 2 ? line_dup(s.canonical_request, 3) : NULL;
	ps->signed_headers = jd_strndup(s.signed_headers, strlen(s.signed_headers));
	len = strlen(s.query) - 64; /* keeps "...&X-Amz-Signature=" */
	ps->query = jd_strndup(s.query, len);
	len = strlen(s.string_to_sign) - 64;
	ps->sts = jd_strndup(s.string_to_sign, len);
	ps->ctx = EVP_MD_CTX_new();
	if (!ps->cquery || (n == 2 && !ps->ctline) || !ps->signed_headers || !ps->query ||
	    !ps->sts || !ps->ctx) {
		jd_error_oom(err);
		goto out;
	}
	if (jd_sigv4_signing_key(p->creds->secret_access_key, p->time.date, sp.region, "s3",
				 ps->key, err) < 0)
		goto out;
	ret = 0;
out:
	jd_sigv4_signed_release(&s);
	if (ret < 0)
		jd_s3_presigner_free(ps);
	else
		*out = ps;
	return ret;
}

int jd_s3_presigner_url(struct jd_s3_presigner *ps, const char *bucket, const char *key,
			struct jd_buf *out, struct jd_error *err)
{
	char hash[65], sig[65];
	char *curi = NULL;
	int path_style, ret = -1;

	jd_buf_reset(&ps->origin);
	jd_buf_reset(&ps->host);
	jd_buf_reset(&ps->path);
	jd_buf_reset(&ps->creq);
	if (target_build(&ps->endpoint, bucket, key, ps->style, &ps->origin, &ps->host, &ps->path,
			 &path_style, err) < 0)
		return -1;
	if (jd_sigv4_canonical_uri(ps->path.data, JD_SIGV4_S3, &curi, err) < 0)
		return -1;
	if (jd_buf_adds(&ps->creq, ps->method, err) < 0 || jd_buf_addc(&ps->creq, '\n', err) < 0 ||
	    jd_buf_adds(&ps->creq, curi, err) < 0 || jd_buf_addc(&ps->creq, '\n', err) < 0 ||
	    jd_buf_adds(&ps->creq, ps->cquery, err) < 0 || jd_buf_addc(&ps->creq, '\n', err) < 0 ||
	    (ps->ctline && (jd_buf_adds(&ps->creq, ps->ctline, err) < 0 ||
			    jd_buf_addc(&ps->creq, '\n', err) < 0)) ||
	    jd_buf_adds(&ps->creq, "host:", err) < 0 ||
	    jd_buf_adds(&ps->creq, ps->host.data, err) < 0 ||
	    jd_buf_adds(&ps->creq, "\n\n", err) < 0 ||
	    jd_buf_adds(&ps->creq, ps->signed_headers, err) < 0 ||
	    jd_buf_adds(&ps->creq, "\n" JD_SIGV4_UNSIGNED_PAYLOAD, err) < 0)
		goto out;
	if (jd_sigv4_internal_sha256_hex(ps->ctx, ps->creq.data, ps->creq.len, hash) < 0)
		goto crypto;
	/* The string to sign, in the same buffer. */
	jd_buf_reset(&ps->creq);
	if (jd_buf_adds(&ps->creq, ps->sts, err) < 0 || jd_buf_add(&ps->creq, hash, 64, err) < 0)
		goto out;
	if (jd_sigv4_internal_hmac_hex(ps->ctx, ps->key, ps->creq.data, ps->creq.len, sig) < 0)
		goto crypto;
	if (jd_buf_adds(out, ps->origin.data, err) < 0 ||
	    jd_buf_adds(out, ps->path.data, err) < 0 || jd_buf_addc(out, '?', err) < 0 ||
	    jd_buf_adds(out, ps->query, err) < 0 || jd_buf_add(out, sig, 64, err) < 0)
		goto out;
	ret = 0;
	goto out;
crypto:
	jd_error_set(err, JD_EINTERNAL, "SHA-256 failed");
	jd_error_add_openssl(err);
out:
	free(curi);
	return ret;
}
