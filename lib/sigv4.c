#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "buf.h"
#include "internal.h"
#include "sigv4.h"

#include "sigv4-canon.h"

static const char hexl[] = "0123456789abcdef";

static void to_hex(const unsigned char *in, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hexl[in[i] >> 4];
		out[2 * i + 1] = hexl[in[i] & 15];
	}
	out[2 * n] = '\0';
}

/* ---- time ---- */

/* Writes v as exactly n decimal digits (v must fit). */
static char *put_digits(char *p, unsigned v, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + n;
}

static void format_time(struct jd_sigv4_time *out, unsigned y, unsigned mo, unsigned d, unsigned h,
			unsigned mi, unsigned se)
{
	char *p = put_digits(out->date, y, 4);

	p = put_digits(p, mo, 2);
	p = put_digits(p, d, 2);
	*p = '\0';
	memcpy(out->datetime, out->date, 8);
	p = out->datetime + 8;
	*p++ = 'T';
	p = put_digits(p, h, 2);
	p = put_digits(p, mi, 2);
	p = put_digits(p, se, 2);
	*p++ = 'Z';
	*p = '\0';
}

int jd_sigv4_time_from_epoch(time_t t, struct jd_sigv4_time *out, struct jd_error *err)
{
	struct tm tm;

	if (!gmtime_r(&t, &tm) || tm.tm_year + 1900 < 1970 || tm.tm_year + 1900 > 9999)
		return jd_error_set(err, JD_EUSAGE, "time out of range");
	format_time(out, (unsigned)tm.tm_year + 1900, (unsigned)tm.tm_mon + 1, (unsigned)tm.tm_mday,
		    (unsigned)tm.tm_hour, (unsigned)tm.tm_min,
		    tm.tm_sec > 59 ? 59u : (unsigned)tm.tm_sec);
	return 0;
}

static int digits(const char **p, int n, int *v)
{
	int x = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		x = x * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*v = x;
	return 0;
}

int jd_sigv4_time_parse(const char *s, struct jd_sigv4_time *out, struct jd_error *err)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	const char *p = s;
	int y, mo, d, h, mi, se, ext;
	int leap;

	if (!s)
		goto bad;
	if (digits(&p, 4, &y) < 0)
		goto bad;
	ext = *p == '-';
	if (ext)
		p++;
	if (digits(&p, 2, &mo) < 0 || (ext && *p++ != '-') || digits(&p, 2, &d) < 0)
		goto bad;
	if (*p != 'T' && *p != 't')
		goto bad;
	p++;
	if (digits(&p, 2, &h) < 0 || (ext && *p++ != ':') || digits(&p, 2, &mi) < 0 ||
	    (ext && *p++ != ':') || digits(&p, 2, &se) < 0)
		goto bad;
	if (ext && *p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			goto bad;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (!strcmp(p, "Z") || !strcmp(p, "z") || (ext && !strcmp(p, "+00:00")))
		;
	else
		goto bad;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
	    (mo == 2 && d == 29 && !leap) || h > 23 || mi > 59 || se > 60)
		goto bad;
	format_time(out, (unsigned)y, (unsigned)mo, (unsigned)d, (unsigned)h, (unsigned)mi,
		    se > 59 ? 59u : (unsigned)se);
	return 0;
bad:
	return jd_error_set(err, JD_EUSAGE,
			    "invalid date '%.64s': expected ISO 8601 UTC, as 2026-01-01T00:00:00Z",
			    s ? s : "");
}

/* ---- hashing ---- */

/*
 * SHA-256 fetched once: OpenSSL 3 otherwise looks the algorithm up (under
 * a lock) on every digest, which dominated presigning many URLs.
 */
static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void sha256_fetch(void)
{
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

static const EVP_MD *sha256(void)
{
	pthread_once(&sha256_once, sha256_fetch);
	return sha256_md ? sha256_md : EVP_sha256();
}

/* SHA-256 over up to three parts into md; 0 or -1. */
static int digest3(EVP_MD_CTX *ctx, const void *a, size_t alen, const void *b, size_t blen,
		   const void *c, size_t clen, unsigned char md[32])
{
	unsigned int n = 0;

	if (!EVP_DigestInit_ex2(ctx, sha256(), NULL) || !EVP_DigestUpdate(ctx, a, alen) ||
	    (blen && !EVP_DigestUpdate(ctx, b, blen)) ||
	    (clen && !EVP_DigestUpdate(ctx, c, clen)) || !EVP_DigestFinal_ex(ctx, md, &n) ||
	    n != 32)
		return -1;
	return 0;
}

static int sha256_hex_ctx(EVP_MD_CTX *ctx, const void *data, size_t len, char out[65])
{
	unsigned char md[32];

	if (digest3(ctx, data, len, NULL, 0, NULL, 0, md) < 0)
		return -1;
	to_hex(md, 32, out);
	return 0;
}

void jd_sigv4_sha256_hex(const void *data, size_t len, char out[65])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	if (!ctx || sha256_hex_ctx(ctx, data, len, out) < 0) {
		/* NEEDSWORK: fails only without memory or a default provider. */
		memset(out, '0', 64);
		out[64] = '\0';
	}
	EVP_MD_CTX_free(ctx);
}

int jd_sigv4_internal_sha256_hex(EVP_MD_CTX *ctx, const void *data, size_t len, char out[65])
{
	return sha256_hex_ctx(ctx, data, len, out);
}

/* HMAC-SHA256 (RFC 2104) over the fetched digest, with the caller's ctx; pads wiped. */
static int hmac(EVP_MD_CTX *ctx, const unsigned char *key, size_t klen, const char *msg,
		size_t mlen, unsigned char out[32], struct jd_error *err)
{
	unsigned char k[64], pad[64], inner[32];
	int ret = -1;

	memset(k, 0, sizeof(k));
	if (klen > 64) {
		if (digest3(ctx, key, klen, NULL, 0, NULL, 0, k) < 0)
			goto fail;
	} else {
		memcpy(k, key, klen);
	}
	for (size_t i = 0; i < 64; i++)
		pad[i] = k[i] ^ 0x36;
	if (digest3(ctx, pad, 64, msg, mlen, NULL, 0, inner) < 0)
		goto fail;
	for (size_t i = 0; i < 64; i++)
		pad[i] = k[i] ^ 0x5c;
	if (digest3(ctx, pad, 64, inner, 32, NULL, 0, out) < 0)
		goto fail;
	ret = 0;
	goto out;
fail:
	jd_error_set(err, JD_EINTERNAL, "HMAC-SHA256 failed");
	jd_error_add_openssl(err);
out:
	OPENSSL_cleanse(k, sizeof(k));
	OPENSSL_cleanse(pad, sizeof(pad));
	OPENSSL_cleanse(inner, sizeof(inner));
	return ret;
}

int jd_sigv4_internal_hmac_hex(EVP_MD_CTX *ctx, const unsigned char key[32], const char *msg,
			       size_t mlen, char out[65])
{
	unsigned char mac[32];
	struct jd_error e;

	if (hmac(ctx, key, 32, msg, mlen, mac, &e) < 0)
		return -1;
	to_hex(mac, 32, out);
	OPENSSL_cleanse(mac, sizeof(mac));
	return 0;
}

int jd_sigv4_signing_key(const char *secret, const char *date, const char *region,
			 const char *service, unsigned char key[32], struct jd_error *err)
{
	unsigned char k1[32], k2[32];
	size_t slen = strlen(secret);
	char *ksecret = NULL;
	EVP_MD_CTX *ctx = NULL;
	int ret = -1;

	if (slen > 4096)
		return jd_error_set(err, JD_EUSAGE, "secret access key too long");
	ksecret = malloc(slen + 5);
	if (!ksecret)
		return jd_error_oom(err);
	memcpy(ksecret, "AWS4", 4);
	memcpy(ksecret + 4, secret, slen + 1);
	ctx = EVP_MD_CTX_new();
	if (!ctx) {
		jd_error_oom(err);
		goto out;
	}
	if (hmac(ctx, (unsigned char *)ksecret, slen + 4, date, strlen(date), k1, err) < 0 ||
	    hmac(ctx, k1, 32, region, strlen(region), k2, err) < 0 ||
	    hmac(ctx, k2, 32, service, strlen(service), k1, err) < 0 ||
	    hmac(ctx, k1, 32, "aws4_request", 12, key, err) < 0)
		goto out;
	ret = 0;
out:
	OPENSSL_cleanse(ksecret, slen + 5);
	free(ksecret);
	EVP_MD_CTX_free(ctx);
	OPENSSL_cleanse(k1, sizeof(k1));
	OPENSSL_cleanse(k2, sizeof(k2));
	return ret;
}

void jd_sigv4_cache_init(struct jd_sigv4_cache *c)
{
	memset(c, 0, sizeof(*c));
}

void jd_sigv4_cache_clear(struct jd_sigv4_cache *c)
{
	OPENSSL_cleanse(c, sizeof(*c));
	c->valid = 0;
}

static void secret_fingerprint(EVP_MD_CTX *ctx, const struct jd_sigv4_creds *cr,
			       unsigned char fp[32])
{
	if (digest3(ctx, cr->access_key_id, strlen(cr->access_key_id) + 1, cr->secret_access_key,
		    strlen(cr->secret_access_key), NULL, 0, fp) < 0)
		memset(fp, 0, 32); /* never matches a valid cache: see get_key */
}

/* The signing key for p, from the cache when it matches. */
static int get_key(EVP_MD_CTX *ctx, const struct jd_sigv4_params *p, struct jd_sigv4_cache *cache,
		   unsigned char key[32], struct jd_error *err)
{
	unsigned char fp[32];

	if (!cache)
		return jd_sigv4_signing_key(p->creds->secret_access_key, p->time.date, p->region,
					    p->service, key, err);
	secret_fingerprint(ctx, p->creds, fp);
	if (cache->valid && (fp[0] | fp[1] | fp[2] | fp[3]) && !strcmp(cache->date, p->time.date) &&
	    !strcmp(cache->region, p->region) && !strcmp(cache->service, p->service) &&
	    !CRYPTO_memcmp(cache->secret_fp, fp, 32)) {
		memcpy(key, cache->key, 32);
		OPENSSL_cleanse(fp, sizeof(fp));
		return 0;
	}
	jd_sigv4_cache_clear(cache);
	if (jd_sigv4_signing_key(p->creds->secret_access_key, p->time.date, p->region, p->service,
				 key, err) < 0) {
		OPENSSL_cleanse(fp, sizeof(fp));
		return -1;
	}
	if (strlen(p->region) < sizeof(cache->region) &&
	    strlen(p->service) < sizeof(cache->service)) {
		memcpy(cache->key, key, 32);
		memcpy(cache->secret_fp, fp, 32);
		jd_strlcpy(cache->date, p->time.date, sizeof(cache->date));
		jd_strlcpy(cache->region, p->region, sizeof(cache->region));
		jd_strlcpy(cache->service, p->service, sizeof(cache->service));
		cache->valid = 1;
	}
	OPENSSL_cleanse(fp, sizeof(fp));
	return 0;
}
/* ---- signing ---- */

void jd_sigv4_signed_init(struct jd_sigv4_signed *s)
{
	memset(s, 0, sizeof(*s));
}

static void wipe_free(char *p)
{
	if (p) {
		OPENSSL_cleanse(p, strlen(p));
		free(p);
	}
}

static void wipe_buf(struct jd_buf *b)
{
	if (b->data)
		OPENSSL_cleanse(b->data, b->len);
	jd_buf_release(b);
}

void jd_sigv4_signed_release(struct jd_sigv4_signed *s)
{
	wipe_free(s->canonical_request);
	wipe_free(s->string_to_sign);
	free(s->signed_headers);
	free(s->credential_scope);
	wipe_free(s->authorization);
	wipe_free(s->query);
	for (size_t i = 0; i < JD_ARRAY_SIZE(s->headers); i++)
		if (s->headers[i].value && s->headers[i].value != s->authorization)
			wipe_free(s->headers[i].value);
	jd_sigv4_signed_init(s);
}

static int check_params(const struct jd_sigv4_params *p, const struct jd_sigv4_request *req,
			struct jd_error *err)
{
	const struct jd_sigv4_creds *c = p->creds;

	if (!c || !c->access_key_id || !*c->access_key_id || !c->secret_access_key ||
	    !*c->secret_access_key)
		return jd_error_set(err, JD_EUSAGE, "no credentials to sign with");
	if (!jd_canon_valid_token(c->access_key_id) || strlen(c->access_key_id) > 128 ||
	    strchr(c->access_key_id, '/'))
		return jd_error_set(err, JD_EUSAGE, "invalid access key id");
	if (c->session_token && strlen(c->session_token) > 16384)
		return jd_error_set(err, JD_EUSAGE, "session token too long");
	if (!p->region || !jd_canon_valid_scope_part(p->region, 63))
		return jd_error_set(err, JD_EUSAGE, "invalid region '%.64s'",
				    p->region ? p->region : "");
	if (!p->service || !jd_canon_valid_scope_part(p->service, 63))
		return jd_error_set(err, JD_EUSAGE, "invalid service name '%.64s'",
				    p->service ? p->service : "");
	if (strlen(p->time.date) != 8 || strlen(p->time.datetime) != 16 ||
	    strncmp(p->time.date, p->time.datetime, 8))
		return jd_error_set(err, JD_EUSAGE, "invalid signing time");
	if (!req->method || !jd_canon_valid_token(req->method))
		return jd_error_set(err, JD_EUSAGE, "invalid method '%.32s'",
				    req->method ? req->method : "");
	if (req->payload_hash && strcmp(req->payload_hash, JD_SIGV4_UNSIGNED_PAYLOAD) &&
	    strcmp(req->payload_hash, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD")) {
		const char *h = req->payload_hash;
		size_t i;

		for (i = 0; h[i]; i++)
			if (!isxdigit((unsigned char)h[i]) || isupper((unsigned char)h[i]))
				break;
		if (i != 64 || h[i])
			return jd_error_set(err, JD_EUSAGE, "invalid payload hash '%.80s'", h);
	}
	return 0;
}

/* Appends the NULL-terminated list of strings to b. */
static int add_all(struct jd_buf *b, struct jd_error *err, const char *const *parts)
{
	for (; *parts; parts++)
		if (jd_buf_adds(b, *parts, err) < 0)
			return -1;
	return 0;
}

/*
 * The common part: canonical request, string to sign, signature. cquery is
 * the canonical query string, hblock the canonical headers block (with its
 * trailing '\n'), out->signed_headers already set.
 */
static int sign_core(const struct jd_sigv4_params *p, const struct jd_sigv4_request *req,
		     const char *cquery, const char *hblock, const char *payload_hash,
		     struct jd_sigv4_cache *cache, struct jd_sigv4_signed *out,
		     struct jd_error *err)
{
	struct jd_buf b = JD_BUF_INIT(MAX_CANONICAL);
	char *curi = NULL;
	char hash[65];
	unsigned char key[32], sig[32];
	EVP_MD_CTX *ctx = NULL;
	int ret = -1;

	if (jd_sigv4_canonical_uri(req->path, p->flags, &curi, err) < 0)
		goto out;
	{
		const char *parts[] = {
			req->method,	     "\n", curi,	 "\n", cquery, "\n", hblock, "\n",
			out->signed_headers, "\n", payload_hash, NULL};
		if (jd_buf_grow(&b, strlen(curi) + strlen(cquery) + strlen(hblock) + 256, err) <
			    0 ||
		    add_all(&b, err, parts) < 0)
			goto out;
	}
	ctx = EVP_MD_CTX_new();
	if (!ctx) {
		jd_error_oom(err);
		goto out;
	}
	if (sha256_hex_ctx(ctx, b.data, b.len, hash) < 0) {
		jd_error_set(err, JD_EINTERNAL, "SHA-256 failed");
		jd_error_add_openssl(err);
		goto out;
	}
	out->canonical_request = jd_buf_detach(&b, NULL);
	if (!out->canonical_request) {
		jd_error_oom(err);
		goto out;
	}
	{
		const char *parts[] = {JD_SIGV4_ALGORITHM "\n",
				       p->time.datetime,
				       "\n",
				       out->credential_scope,
				       "\n",
				       hash,
				       NULL};
		if (add_all(&b, err, parts) < 0)
			goto out;
	}
	out->string_to_sign = jd_buf_detach(&b, NULL);
	if (!out->string_to_sign) {
		jd_error_oom(err);
		goto out;
	}
	if (get_key(ctx, p, cache, key, err) < 0)
		goto out;
	if (hmac(ctx, key, 32, out->string_to_sign, strlen(out->string_to_sign), sig, err) < 0)
		goto out;
	to_hex(sig, 32, out->signature);
	ret = 0;
out:
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(sig, sizeof(sig));
	EVP_MD_CTX_free(ctx);
	free(curi);
	jd_buf_release(&b);
	return ret;
}

static int make_scope(const struct jd_sigv4_params *p, struct jd_sigv4_signed *out,
		      struct jd_error *err)
{
	struct jd_buf b = JD_BUF_INIT(512);
	const char *parts[] = {p->time.date,	"/", p->region, "/", p->service,
			       "/aws4_request", NULL};

	if (add_all(&b, err, parts) < 0) {
		jd_buf_release(&b);
		return -1;
	}
	out->credential_scope = jd_buf_detach(&b, NULL);
	return out->credential_scope ? 0 : jd_error_oom(err);
}

static char *xstrdup(const char *s, struct jd_error *err)
{
	char *d = jd_strndup(s, strlen(s));

	if (!d)
		jd_error_oom(err);
	return d;
}

static int add_header(struct jd_sigv4_signed *out, const char *name, const char *value,
		      struct jd_error *err)
{
	out->headers[out->nheaders].name = name;
	out->headers[out->nheaders].value = xstrdup(value, err);
	if (!out->headers[out->nheaders].value)
		return -1;
	out->nheaders++;
	return 0;
}

int jd_sigv4_sign_headers(const struct jd_sigv4_params *p, const struct jd_sigv4_request *req,
			  struct jd_sigv4_cache *cache, struct jd_sigv4_signed *out,
			  struct jd_error *err)
{
	struct jd_sigv4_header extra[3];
	size_t nextra = 0;
	const char *token = p->creds && p->creds->session_token && *p->creds->session_token
				    ? p->creds->session_token
				    : NULL;
	const char *payload = req->payload_hash ? req->payload_hash : JD_SIGV4_EMPTY_SHA256;
	int sign_body = (p->flags & (JD_SIGV4_S3 | JD_SIGV4_SIGN_BODY)) != 0;
	char *cquery = NULL;
	struct jd_buf b = JD_BUF_INIT(MAX_CANONICAL), hb = JD_BUF_INIT(MAX_CANONICAL);
	int ret = -1;

	jd_sigv4_signed_release(out);
	if (check_params(p, req, err) < 0)
		return -1;
	if (make_scope(p, out, err) < 0)
		goto out;
	if (jd_sigv4_canonical_query(req->query, &cquery, err) < 0)
		goto out;
	extra[nextra++] = (struct jd_sigv4_header){"X-Amz-Date", p->time.datetime};
	if (token && !(p->flags & JD_SIGV4_OMIT_TOKEN))
		extra[nextra++] = (struct jd_sigv4_header){"X-Amz-Security-Token", token};
	if (sign_body)
		extra[nextra++] = (struct jd_sigv4_header){"x-amz-content-sha256", payload};
	if (jd_canon_headers(req, extra, nextra, &hb, &out->signed_headers, err) < 0)
		goto out;
	if (sign_core(p, req, cquery, hb.data, payload, cache, out, err) < 0)
		goto out;
	{
		const char *parts[] = {JD_SIGV4_ALGORITHM " Credential=",
				       p->creds->access_key_id,
				       "/",
				       out->credential_scope,
				       ", SignedHeaders=",
				       out->signed_headers,
				       ", Signature=",
				       out->signature,
				       NULL};
		if (add_all(&b, err, parts) < 0)
			goto out;
	}
	out->authorization = jd_buf_detach(&b, NULL);
	if (!out->authorization) {
		jd_error_oom(err);
		goto out;
	}
	/* The order the official suite's signed requests show. */
	if ((token && add_header(out, "X-Amz-Security-Token", token, err) < 0) ||
	    add_header(out, "X-Amz-Date", p->time.datetime, err) < 0 ||
	    (sign_body && add_header(out, "x-amz-content-sha256", payload, err) < 0))
		goto out;
	out->headers[out->nheaders].name = "Authorization";
	out->headers[out->nheaders++].value = out->authorization;
	ret = 0;
out:
	free(cquery);
	jd_buf_release(&b);
	wipe_buf(&hb);
	if (ret < 0)
		jd_sigv4_signed_release(out);
	return ret;
}

static int add_param(struct jd_buf *b, const char *name, const char *value, struct jd_error *err)
{
	if ((b->len && jd_buf_addc(b, '&', err) < 0) || jd_buf_adds(b, name, err) < 0 ||
	    jd_buf_addc(b, '=', err) < 0)
		return -1;
	return jd_uri_encode(b, value, strlen(value), 0, err);
}

int jd_sigv4_sign_query(const struct jd_sigv4_params *p, const struct jd_sigv4_request *req,
			struct jd_sigv4_cache *cache, struct jd_sigv4_signed *out,
			struct jd_error *err)
{
	struct qparam *q = NULL;
	size_t nq = 0;
	const char *token = p->creds && p->creds->session_token && *p->creds->session_token
				    ? p->creds->session_token
				    : NULL;
	int sign_token = token && !(p->flags & JD_SIGV4_OMIT_TOKEN);
	const char *payload = req->payload_hash		 ? req->payload_hash
			      : (p->flags & JD_SIGV4_S3) ? JD_SIGV4_UNSIGNED_PAYLOAD
							 : JD_SIGV4_EMPTY_SHA256;
	struct jd_buf b = JD_BUF_INIT(MAX_CANONICAL), hb = JD_BUF_INIT(MAX_CANONICAL);
	char *cquery = NULL, *cred = NULL;
	char expires[16];
	int ret = -1;

	jd_sigv4_signed_release(out);
	if (check_params(p, req, err) < 0)
		return -1;
	if (p->expires < 1 || p->expires > JD_SIGV4_MAX_EXPIRES)
		return jd_error_set(err, JD_EUSAGE, "expiry %u s out of range 1..%u", p->expires,
				    JD_SIGV4_MAX_EXPIRES);
	{
		unsigned v = p->expires, n = 1;
		while (v >= 10 && n < 10) {
			v /= 10;
			n++;
		}
		put_digits(expires, p->expires, (int)n)[0] = '\0';
	}
	if (make_scope(p, out, err) < 0)
		goto out;
	{
		const char *parts[] = {p->creds->access_key_id, "/", out->credential_scope, NULL};
		if (add_all(&b, err, parts) < 0)
			goto out;
	}
	cred = jd_buf_detach(&b, NULL);
	if (!cred) {
		jd_error_oom(err);
		goto out;
	}
	/* The signed headers go into the canonical query: headers first. */
	if (jd_canon_headers(req, NULL, 0, &hb, &out->signed_headers, err) < 0)
		goto out;
	if (!req->query || !*req->query) {
		/*
		 * The common presign case, without a query of its own: the
		 * parameters are known and already in sorted order.
		 */
		if (jd_buf_grow(&b,
				256 + 3 * (strlen(cred) + strlen(out->signed_headers) +
					   (sign_token ? strlen(token) : 0)),
				err) < 0 ||
		    add_param(&b, "X-Amz-Algorithm", JD_SIGV4_ALGORITHM, err) < 0 ||
		    add_param(&b, "X-Amz-Credential", cred, err) < 0 ||
		    add_param(&b, "X-Amz-Date", p->time.datetime, err) < 0 ||
		    add_param(&b, "X-Amz-Expires", expires, err) < 0 ||
		    (sign_token && add_param(&b, "X-Amz-Security-Token", token, err) < 0) ||
		    add_param(&b, "X-Amz-SignedHeaders", out->signed_headers, err) < 0)
			goto out;
		cquery = jd_buf_detach(&b, NULL);
		if (!cquery) {
			jd_error_oom(err);
			goto out;
		}
	} else {
		if (jd_canon_parse_query(req->query, &q, &nq, 6, err) < 0)
			goto out;
		const char *names[6] = {"X-Amz-Algorithm",     "X-Amz-Credential",
					"X-Amz-Date",	       "X-Amz-Expires",
					"X-Amz-SignedHeaders", "X-Amz-Security-Token"};
		const char *values[6] = {JD_SIGV4_ALGORITHM,  cred, p->time.datetime, expires,
					 out->signed_headers, token};
		for (size_t i = 0; i < 6; i++) {
			if (i == 5 && !sign_token)
				break;
			for (size_t j = 0; j < nq; j++)
				if (!strcmp(q[j].name, names[i])) {
					jd_error_set(err, JD_EUSAGE,
						     "query parameter '%s' is set by the signer",
						     names[i]);
					goto out;
				}
			q[nq].name = xstrdup(names[i], err);
			if (!q[nq].name)
				goto out;
			q[nq].value = jd_canon_encode_dup(values[i], strlen(values[i]), 0, err);
			nq++;
			if (!q[nq - 1].value)
				goto out;
		}
		if (jd_canon_join_query(q, nq, &cquery, err) < 0)
			goto out;
	}
	if (sign_core(p, req, cquery, hb.data, payload, cache, out, err) < 0)
		goto out;
	/* The order aws-c-auth emits, as in the official suite. */
	if (jd_buf_grow(&b,
			256 + 3 * (strlen(cred) + strlen(out->signed_headers) +
				   (token ? strlen(token) : 0)),
			err) < 0 ||
	    add_param(&b, "X-Amz-Algorithm", JD_SIGV4_ALGORITHM, err) < 0 ||
	    add_param(&b, "X-Amz-Credential", cred, err) < 0 ||
	    add_param(&b, "X-Amz-Date", p->time.datetime, err) < 0 ||
	    add_param(&b, "X-Amz-SignedHeaders", out->signed_headers, err) < 0 ||
	    add_param(&b, "X-Amz-Expires", expires, err) < 0 ||
	    (token && add_param(&b, "X-Amz-Security-Token", token, err) < 0) ||
	    add_param(&b, "X-Amz-Signature", out->signature, err) < 0)
		goto out;
	out->query = jd_buf_detach(&b, NULL);
	if (!out->query) {
		jd_error_oom(err);
		goto out;
	}
	ret = 0;
out:
	wipe_buf(&b);
	wipe_buf(&hb);
	jd_canon_qparams_free(q, nq);
	wipe_free(cquery);
	free(cred);
	if (ret < 0)
		jd_sigv4_signed_release(out);
	return ret;
}
