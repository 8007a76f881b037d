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

/* Size caps: a hostile request fails with "too big". */
#define MAX_CANONICAL (1u << 20)
#define MAX_HEADERS 256
#define MAX_QUERY_PARAMS 1024

static const char hexu[] = "0123456789ABCDEF";
static const char hexl[] = "0123456789abcdef";

/* RFC 3986 unreserved characters: A-Z a-z 0-9 - . _ ~ */
static const unsigned char unreserved[256] = {
	['-'] = 1, ['.'] = 1, ['_'] = 1, ['~'] = 1,
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,
	['8'] = 1, ['9'] = 1,
	['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1,
	['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1,
	['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
	['Y'] = 1, ['Z'] = 1,
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1,
	['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1,
	['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
	['y'] = 1, ['z'] = 1,
};

static int is_unreserved(unsigned char c)
{
	return unreserved[c];
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

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

static void format_time(struct jd_sigv4_time *out, unsigned y, unsigned mo, unsigned d,
                        unsigned h, unsigned mi, unsigned se)
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
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
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
	    (blen && !EVP_DigestUpdate(ctx, b, blen)) || (clen && !EVP_DigestUpdate(ctx, c, clen)) ||
	    !EVP_DigestFinal_ex(ctx, md, &n) || n != 32)
		return -1;
	return 0;
}

void jd_sigv4_sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[32];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	if (!ctx || digest3(ctx, data, len, NULL, 0, NULL, 0, md) < 0) {
		/* NEEDSWORK: fails only without memory or a default provider. */
		memset(out, '0', 64);
		out[64] = '\0';
		EVP_MD_CTX_free(ctx);
		return;
	}
	EVP_MD_CTX_free(ctx);
	to_hex(md, 32, out);
}

/* HMAC-SHA256 (RFC 2104) over the fetched digest; pads wiped. */
static int hmac(const unsigned char *key, size_t klen, const char *msg, size_t mlen,
                unsigned char out[32], struct jd_error *err)
{
	unsigned char k[64], pad[64], inner[32];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ret = -1;

	if (!ctx)
		return jd_error_oom(err);
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
	EVP_MD_CTX_free(ctx);
	return ret;
}

int jd_sigv4_signing_key(const char *secret, const char *date, const char *region,
                         const char *service, unsigned char key[32], struct jd_error *err)
{
	unsigned char k1[32], k2[32];
	size_t slen = strlen(secret);
	char *ksecret = NULL;
	int ret = -1;

	if (slen > 4096)
		return jd_error_set(err, JD_EUSAGE, "secret access key too long");
	ksecret = malloc(slen + 5);
	if (!ksecret)
		return jd_error_oom(err);
	memcpy(ksecret, "AWS4", 4);
	memcpy(ksecret + 4, secret, slen + 1);
	if (hmac((unsigned char *)ksecret, slen + 4, date, strlen(date), k1, err) < 0 ||
	    hmac(k1, 32, region, strlen(region), k2, err) < 0 ||
	    hmac(k2, 32, service, strlen(service), k1, err) < 0 ||
	    hmac(k1, 32, "aws4_request", 12, key, err) < 0)
		goto out;
	ret = 0;
out:
	OPENSSL_cleanse(ksecret, slen + 5);
	free(ksecret);
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

static void secret_fingerprint(const struct jd_sigv4_creds *cr, unsigned char fp[32])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	if (!ctx || digest3(ctx, cr->access_key_id, strlen(cr->access_key_id) + 1,
	                    cr->secret_access_key, strlen(cr->secret_access_key), NULL, 0, fp) < 0)
		memset(fp, 0, 32); /* never matches a valid cache: see get_key */
	EVP_MD_CTX_free(ctx);
}

/* The signing key for p, from the cache when it matches. */
static int get_key(const struct jd_sigv4_params *p, struct jd_sigv4_cache *cache,
                   unsigned char key[32], struct jd_error *err)
{
	unsigned char fp[32];

	if (!cache)
		return jd_sigv4_signing_key(p->creds->secret_access_key, p->time.date, p->region,
		                            p->service, key, err);
	secret_fingerprint(p->creds, fp);
	if (cache->valid && (fp[0] | fp[1] | fp[2] | fp[3]) && !strcmp(cache->date, p->time.date) &&
	    !strcmp(cache->region, p->region) && !strcmp(cache->service, p->service) &&
	    !CRYPTO_memcmp(cache->secret_fp, fp, 32)) {
		memcpy(key, cache->key, 32);
		OPENSSL_cleanse(fp, sizeof(fp));
		return 0;
	}
	jd_sigv4_cache_clear(cache);
	if (jd_sigv4_signing_key(p->creds->secret_access_key, p->time.date, p->region,
	                         p->service, key, err) < 0) {
		OPENSSL_cleanse(fp, sizeof(fp));
		return -1;
	}
	if (strlen(p->region) < sizeof(cache->region) && strlen(p->service) < sizeof(cache->service)) {
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

/* ---- encoding ---- */

int jd_uri_encode(struct jd_buf *buf, const char *s, size_t len, int keep_slash,
                  struct jd_error *err)
{
	char *d;

	if (len > (size_t)-1 / 4)
		return jd_error_set(err, JD_EINPUT, "too big");
	if (jd_buf_grow(buf, len * 3, err) < 0)
		return -1;
	d = buf->data + buf->len;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (is_unreserved(c) || (c == '/' && keep_slash)) {
			*d++ = (char)c;
		} else {
			*d++ = '%';
			*d++ = hexu[c >> 4];
			*d++ = hexu[c & 15];
		}
	}
	*d = '\0';
	buf->len = (size_t)(d - buf->data);
	return 0;
}

/* Decodes %XX escapes of s[0..len) into a new string; a stray '%' stays. */
static char *pct_decode(const char *s, size_t len, size_t *outlen)
{
	char *d = malloc(len + 1);
	size_t i, j = 0;

	if (!d)
		return NULL;
	for (i = 0; i < len; i++) {
		int hi, lo;

		if (s[i] == '%' && i + 2 < len && (hi = hexval((unsigned char)s[i + 1])) >= 0 &&
		    (lo = hexval((unsigned char)s[i + 2])) >= 0) {
			d[j++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			d[j++] = s[i];
		}
	}
	d[j] = '\0';
	*outlen = j;
	return d;
}

/* ---- canonical URI ---- */

/* Removes empty and dot segments (RFC 3986 5.2.4, plus "//" folding). */
static char *normalize_path(const char *path)
{
	size_t len = strlen(path);
	char *out = malloc(len + 2);
	size_t *starts = NULL, nseg = 0, olen = 0;
	const char *p = path, *end = path + len;
	int trailing = 0;

	if (!out)
		return NULL;
	starts = malloc((len / 2 + 2) * sizeof(*starts));
	if (!starts) {
		free(out);
		return NULL;
	}
	while (p < end) {
		const char *q;
		size_t n;

		while (p < end && *p == '/')
			p++;
		if (p >= end) {
			trailing = 1;
			break;
		}
		q = memchr(p, '/', (size_t)(end - p));
		n = q ? (size_t)(q - p) : (size_t)(end - p);
		trailing = 0;
		if (n == 1 && p[0] == '.') {
			trailing = 1;
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			if (nseg)
				olen = starts[--nseg];
			trailing = 1;
		} else {
			starts[nseg++] = olen;
			out[olen++] = '/';
			memcpy(out + olen, p, n);
			olen += n;
		}
		p += n;
	}
	if (olen == 0 || trailing)
		out[olen++] = '/';
	out[olen] = '\0';
	free(starts);
	return out;
}

int jd_sigv4_canonical_uri(const char *path, unsigned flags, char **out, struct jd_error *err)
{
	struct jd_buf b = JD_BUF_INIT(MAX_CANONICAL);
	char *tmp = NULL;
	size_t n;
	int ret = -1;

	*out = NULL;
	if (!path || !*path)
		path = "/";
	if (strlen(path) > MAX_CANONICAL / 3)
		return jd_error_set(err, JD_EINPUT, "path too long (%zu bytes)", strlen(path));
	if (flags & JD_SIGV4_S3) {
		/* Already canonical when it holds nothing to decode or encode. */
		size_t i;
		for (i = 0; path[i] && (unreserved[(unsigned char)path[i]] || path[i] == '/'); i++)
			;
		if (!path[i] && path[0] == '/') {
			*out = jd_strndup(path, i);
			return *out ? 0 : jd_error_oom(err);
		}
		tmp = pct_decode(path, strlen(path), &n);
		if (!tmp)
			return jd_error_oom(err);
		if (tmp[0] != '/' && jd_buf_addc(&b, '/', err) < 0)
			goto out;
		if (jd_uri_encode(&b, tmp, n, 1, err) < 0)
			goto out;
	} else {
		if (!(flags & JD_SIGV4_NO_NORMALIZE)) {
			tmp = normalize_path(path);
			if (!tmp)
				return jd_error_oom(err);
			path = tmp;
		}
		if (path[0] != '/' && jd_buf_addc(&b, '/', err) < 0)
			goto out;
		if (jd_uri_encode(&b, path, strlen(path), 1, err) < 0)
			goto out;
	}
	*out = jd_buf_detach(&b, NULL);
	if (!*out) {
		jd_error_oom(err);
		goto out;
	}
	ret = 0;
out:
	free(tmp);
	jd_buf_release(&b);
	return ret;
}

/* ---- canonical query ---- */

struct qparam {
	char *name; /* encoded */
	char *value;
};

static int qparam_cmp(const void *a, const void *b)
{
	const struct qparam *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : strcmp(x->value, y->value);
}

static char *encode_dup(const char *s, size_t len, int decode, struct jd_error *err)
{
	struct jd_buf b = JD_BUF_INIT(MAX_CANONICAL);
	char *dec = NULL;
	size_t n = len;
	char *r;

	if (decode) {
		dec = pct_decode(s, len, &n);
		if (!dec) {
			jd_error_oom(err);
			return NULL;
		}
		s = dec;
	}
	if (jd_buf_grow(&b, n * 3, err) < 0 || jd_uri_encode(&b, s, n, 0, err) < 0) {
		free(dec);
		jd_buf_release(&b);
		return NULL;
	}
	free(dec);
	r = jd_buf_detach(&b, NULL);
	if (!r)
		jd_error_oom(err);
	return r;
}

static void qparams_free(struct qparam *q, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(q[i].name);
		free(q[i].value);
	}
	free(q);
}

/* Splits, decodes and re-encodes query into *params (not sorted). */
static int parse_query(const char *query, struct qparam **params, size_t *nparams,
                       size_t extra, struct jd_error *err)
{
	struct qparam *q = NULL;
	size_t n = 0, cap = 0;
	const char *p = query ? query : "";

	*params = NULL;
	*nparams = 0;
	for (const char *s = p; *s; s++)
		if (*s == '&')
			cap++;
	cap += 1 + extra;
	if (cap > MAX_QUERY_PARAMS + extra)
		return jd_error_set(err, JD_EINPUT, "too many query parameters (more than %u)",
		                    MAX_QUERY_PARAMS);
	q = calloc(cap, sizeof(*q));
	if (!q)
		return jd_error_oom(err);
	while (*p) {
		const char *amp = strchr(p, '&');
		size_t len = amp ? (size_t)(amp - p) : strlen(p);
		const char *eq = memchr(p, '=', len);
		size_t nlen = eq ? (size_t)(eq - p) : len;

		if (len) {
			q[n].name = encode_dup(p, nlen, 1, err);
			if (!q[n].name)
				goto fail;
			q[n].value = eq ? encode_dup(eq + 1, len - nlen - 1, 1, err)
			                : encode_dup("", 0, 0, err);
			n++;
			if (!q[n - 1].value)
				goto fail;
		}
		p += len;
		if (*p == '&')
			p++;
	}
	*params = q;
	*nparams = n;
	return 0;
fail:
	qparams_free(q, n);
	return -1;
}

static int join_query(struct qparam *q, size_t n, char **out, struct jd_error *err)
{
	struct jd_buf b = JD_BUF_INIT(MAX_CANONICAL);

	qsort(q, n, sizeof(*q), qparam_cmp);
	if (jd_buf_grow(&b, 64, err) < 0 || jd_buf_add(&b, "", 0, err) < 0)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		if ((i && jd_buf_addc(&b, '&', err) < 0) || jd_buf_adds(&b, q[i].name, err) < 0 ||
		    jd_buf_addc(&b, '=', err) < 0 || jd_buf_adds(&b, q[i].value, err) < 0)
			goto fail;
	}
	*out = jd_buf_detach(&b, NULL);
	if (!*out)
		return jd_error_oom(err);
	return 0;
fail:
	OPENSSL_cleanse(b.data, b.alloc);
	jd_buf_release(&b);
	return -1;
}

int jd_sigv4_canonical_query(const char *query, char **out, struct jd_error *err)
{
	struct qparam *q;
	size_t n;
	int ret;

	*out = NULL;
	if (parse_query(query, &q, &n, 0, err) < 0)
		return -1;
	ret = join_query(q, n, out, err);
	qparams_free(q, n);
	return ret;
}

/* ---- canonical headers ---- */

struct chdr {
	char *name; /* lowercase */
	const char *value;
	size_t order;
};

static int chdr_cmp(const void *a, const void *b)
{
	const struct chdr *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Appends value trimmed, with runs of whitespace folded to one space. */
static int add_folded(struct jd_buf *b, const char *v, struct jd_error *err)
{
	int pending = 0, any = 0;
	size_t n = strlen(v);
	char *d;

	if (jd_buf_grow(b, n + 1, err) < 0)
		return -1;
	d = b->data + b->len;
	for (; *v; v++) {
		if (is_ws(*v)) {
			pending = any;
			continue;
		}
		if (pending)
			*d++ = ' ';
		pending = 0;
		any = 1;
		*d++ = *v;
	}
	*d = '\0';
	b->len = (size_t)(d - b->data);
	return 0;
}

static int skipped_header(const char *lname)
{
	static const char *const skip[] = { "authorization", "connection",       "expect",
		                            "transfer-encoding", "user-agent", "x-amzn-trace-id" };

	for (size_t i = 0; i < JD_ARRAY_SIZE(skip); i++)
		if (!strcmp(lname, skip[i]))
			return 1;
	return 0;
}

static int valid_token(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c <= ' ' || c >= 127 || c == ':')
			return 0;
	}
	return 1;
}

static int valid_scope_part(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (!n || n > max)
		return 0;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (!isalnum(c) && c != '-' && c != '_' && c != '.')
			return 0;
	}
	return 1;
}

/*
 * Canonical headers ("name:value\n" each) into b and the signed headers
 * list into *signed_headers. extra are the signer's own headers.
 */
static int canonical_headers(const struct jd_sigv4_request *req,
                             const struct jd_sigv4_header *extra, size_t nextra, struct jd_buf *b,
                             char **signed_headers, struct jd_error *err)
{
	struct jd_buf sh = JD_BUF_INIT(MAX_CANONICAL);
	struct chdr *h = NULL;
	size_t n = 0, total = req->nheaders + nextra, i;
	int have_host = 0, ret = -1;

	*signed_headers = NULL;
	if (req->nheaders > MAX_HEADERS)
		return jd_error_set(err, JD_EINPUT, "too many headers (more than %u)", MAX_HEADERS);
	h = calloc(total ? total : 1, sizeof(*h));
	if (!h)
		return jd_error_oom(err);
	for (i = 0; i < total; i++) {
		const struct jd_sigv4_header *src =
		        i < req->nheaders ? &req->headers[i] : &extra[i - req->nheaders];
		char *ln;

		if (!src->name || !valid_token(src->name)) {
			jd_error_set(err, JD_EUSAGE, "invalid header name '%.64s'",
			             src->name ? src->name : "");
			goto out;
		}
		ln = jd_strndup(src->name, strlen(src->name));
		if (!ln) {
			jd_error_oom(err);
			goto out;
		}
		for (char *c = ln; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		if (i < req->nheaders &&
		    (!strcmp(ln, "x-amz-date") || !strcmp(ln, "x-amz-security-token") ||
		     !strcmp(ln, "x-amz-content-sha256"))) {
			jd_error_set(err, JD_EUSAGE, "header '%.64s' is set by the signer", src->name);
			free(ln);
			goto out;
		}
		if (skipped_header(ln)) {
			free(ln);
			continue;
		}
		if (!strcmp(ln, "host"))
			have_host = 1;
		h[n].name = ln;
		h[n].value = src->value ? src->value : "";
		h[n].order = i;
		n++;
	}
	if (!have_host) {
		jd_error_set(err, JD_EUSAGE, "the request has no Host header");
		goto out;
	}
	qsort(h, n, sizeof(*h), chdr_cmp);
	for (i = 0; i < n; i++) {
		int dup = i && !strcmp(h[i].name, h[i - 1].name);

		if (dup) {
			/* Duplicates are joined with ',' in the order given. */
			b->len--; /* the '\n' */
			if (jd_buf_addc(b, ',', err) < 0)
				goto out;
		} else {
			if ((sh.len && jd_buf_addc(&sh, ';', err) < 0) ||
			    jd_buf_adds(&sh, h[i].name, err) < 0 || jd_buf_adds(b, h[i].name, err) < 0 ||
			    jd_buf_addc(b, ':', err) < 0)
				goto out;
		}
		if (add_folded(b, h[i].value, err) < 0 || jd_buf_addc(b, '\n', err) < 0)
			goto out;
	}
	*signed_headers = jd_buf_detach(&sh, NULL);
	if (!*signed_headers) {
		jd_error_oom(err);
		goto out;
	}
	ret = 0;
out:
	for (i = 0; i < n; i++)
		free(h[i].name);
	free(h);
	jd_buf_release(&sh);
	return ret;
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
	if (!valid_token(c->access_key_id) || strlen(c->access_key_id) > 128 ||
	    strchr(c->access_key_id, '/'))
		return jd_error_set(err, JD_EUSAGE, "invalid access key id");
	if (c->session_token && strlen(c->session_token) > 16384)
		return jd_error_set(err, JD_EUSAGE, "session token too long");
	if (!p->region || !valid_scope_part(p->region, 63))
		return jd_error_set(err, JD_EUSAGE, "invalid region '%.64s'",
		                    p->region ? p->region : "");
	if (!p->service || !valid_scope_part(p->service, 63))
		return jd_error_set(err, JD_EUSAGE, "invalid service name '%.64s'",
		                    p->service ? p->service : "");
	if (strlen(p->time.date) != 8 || strlen(p->time.datetime) != 16 ||
	    strncmp(p->time.date, p->time.datetime, 8))
		return jd_error_set(err, JD_EUSAGE, "invalid signing time");
	if (!req->method || !valid_token(req->method))
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
	int ret = -1;

	if (jd_sigv4_canonical_uri(req->path, p->flags, &curi, err) < 0)
		goto out;
	{
		const char *parts[] = { req->method, "\n", curi, "\n", cquery, "\n", hblock, "\n",
			                out->signed_headers, "\n", payload_hash, NULL };
		if (jd_buf_grow(&b, strlen(curi) + strlen(cquery) + strlen(hblock) + 256, err) < 0 ||
		    add_all(&b, err, parts) < 0)
			goto out;
	}
	jd_sigv4_sha256_hex(b.data, b.len, hash);
	out->canonical_request = jd_buf_detach(&b, NULL);
	if (!out->canonical_request) {
		jd_error_oom(err);
		goto out;
	}
	{
		const char *parts[] = { JD_SIGV4_ALGORITHM "\n", p->time.datetime, "\n",
			                out->credential_scope, "\n", hash, NULL };
		if (add_all(&b, err, parts) < 0)
			goto out;
	}
	out->string_to_sign = jd_buf_detach(&b, NULL);
	if (!out->string_to_sign) {
		jd_error_oom(err);
		goto out;
	}
	if (get_key(p, cache, key, err) < 0)
		goto out;
	if (hmac(key, 32, out->string_to_sign, strlen(out->string_to_sign), sig, err) < 0)
		goto out;
	to_hex(sig, 32, out->signature);
	ret = 0;
out:
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(sig, sizeof(sig));
	free(curi);
	jd_buf_release(&b);
	return ret;
}

static int make_scope(const struct jd_sigv4_params *p, struct jd_sigv4_signed *out,
                      struct jd_error *err)
{
	struct jd_buf b = JD_BUF_INIT(512);
	const char *parts[] = { p->time.date, "/", p->region, "/", p->service, "/aws4_request",
		                NULL };

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
	extra[nextra++] = (struct jd_sigv4_header){ "X-Amz-Date", p->time.datetime };
	if (token && !(p->flags & JD_SIGV4_OMIT_TOKEN))
		extra[nextra++] = (struct jd_sigv4_header){ "X-Amz-Security-Token", token };
	if (sign_body)
		extra[nextra++] = (struct jd_sigv4_header){ "x-amz-content-sha256", payload };
	if (canonical_headers(req, extra, nextra, &hb, &out->signed_headers, err) < 0)
		goto out;
	if (sign_core(p, req, cquery, hb.data, payload, cache, out, err) < 0)
		goto out;
	{
		const char *parts[] = { JD_SIGV4_ALGORITHM " Credential=", p->creds->access_key_id,
			                "/", out->credential_scope, ", SignedHeaders=",
			                out->signed_headers, ", Signature=", out->signature, NULL };
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
	const char *payload = req->payload_hash        ? req->payload_hash
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
		const char *parts[] = { p->creds->access_key_id, "/", out->credential_scope, NULL };
		if (add_all(&b, err, parts) < 0)
			goto out;
	}
	cred = jd_buf_detach(&b, NULL);
	if (!cred) {
		jd_error_oom(err);
		goto out;
	}
	/* The signed headers go into the canonical query: headers first. */
	if (canonical_headers(req, NULL, 0, &hb, &out->signed_headers, err) < 0)
		goto out;
	if (!req->query || !*req->query) {
		/*
		 * The common presign case, without a query of its own: the
		 * parameters are known and already in sorted order.
		 */
		if (jd_buf_grow(&b, 256 + 3 * (strlen(cred) + strlen(out->signed_headers) +
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
		if (parse_query(req->query, &q, &nq, 6, err) < 0)
			goto out;
		const char *names[6] = { "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date",
			                 "X-Amz-Expires",   "X-Amz-SignedHeaders", "X-Amz-Security-Token" };
		const char *values[6] = { JD_SIGV4_ALGORITHM, cred, p->time.datetime, expires,
			                  out->signed_headers, token };
		for (size_t i = 0; i < 6; i++) {
			if (i == 5 && !sign_token)
				break;
			for (size_t j = 0; j < nq; j++)
				if (!strcmp(q[j].name, names[i])) {
					jd_error_set(err, JD_EUSAGE,
					             "query parameter '%s' is set by the signer", names[i]);
					goto out;
				}
			q[nq].name = xstrdup(names[i], err);
			if (!q[nq].name)
				goto out;
			q[nq].value = encode_dup(values[i], strlen(values[i]), 0, err);
			nq++;
			if (!q[nq - 1].value)
				goto out;
		}
		if (join_query(q, nq, &cquery, err) < 0)
			goto out;
	}
	if (sign_core(p, req, cquery, hb.data, payload, cache, out, err) < 0)
		goto out;
	/* The order aws-c-auth emits, as in the official suite. */
	if (jd_buf_grow(&b, 256 + 3 * (strlen(cred) + strlen(out->signed_headers) +
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
	qparams_free(q, nq);
	wipe_free(cquery);
	free(cred);
	if (ret < 0)
		jd_sigv4_signed_release(out);
	return ret;
}
