/*
 * SigV4 canonicalisation: URI encoding, canonical URI, query and headers.
 * The signing itself is in sigv4.c.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "buf.h"
#include "internal.h"
#include "sigv4-canon.h"
#include "sigv4.h"

static const char hexu[] = "0123456789ABCDEF";

/* RFC 3986 unreserved characters: A-Z a-z 0-9 - . _ ~ */
static const unsigned char unreserved[256] = {
	['-'] = 1, ['.'] = 1, ['_'] = 1, ['~'] = 1, ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1,
	['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1, ['A'] = 1, ['B'] = 1,
	['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1,
	['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1,
	['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1,
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

static int qparam_cmp(const void *a, const void *b)
{
	const struct qparam *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : strcmp(x->value, y->value);
}

char *jd_canon_encode_dup(const char *s, size_t len, int decode, struct jd_error *err)
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

void jd_canon_qparams_free(struct qparam *q, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(q[i].name);
		free(q[i].value);
	}
	free(q);
}

/* Splits, decodes and re-encodes query into *params (not sorted). */
int jd_canon_parse_query(const char *query, struct qparam **params, size_t *nparams, size_t extra,
			 struct jd_error *err)
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
			q[n].name = jd_canon_encode_dup(p, nlen, 1, err);
			if (!q[n].name)
				goto fail;
			q[n].value = eq ? jd_canon_encode_dup(eq + 1, len - nlen - 1, 1, err)
					: jd_canon_encode_dup("", 0, 0, err);
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
	jd_canon_qparams_free(q, n);
	return -1;
}

int jd_canon_join_query(struct qparam *q, size_t n, char **out, struct jd_error *err)
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
	if (jd_canon_parse_query(query, &q, &n, 0, err) < 0)
		return -1;
	ret = jd_canon_join_query(q, n, out, err);
	jd_canon_qparams_free(q, n);
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
	static const char *const skip[] = {"authorization",	"connection", "expect",
					   "transfer-encoding", "user-agent", "x-amzn-trace-id"};

	for (size_t i = 0; i < JD_ARRAY_SIZE(skip); i++)
		if (!strcmp(lname, skip[i]))
			return 1;
	return 0;
}

int jd_canon_valid_token(const char *s)
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

int jd_canon_valid_scope_part(const char *s, size_t max)
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
int jd_canon_headers(const struct jd_sigv4_request *req, const struct jd_sigv4_header *extra,
		     size_t nextra, struct jd_buf *b, char **signed_headers, struct jd_error *err)
{
	struct jd_buf sh = JD_BUF_INIT(MAX_CANONICAL);
	struct chdr stack[16], *h = stack;
	char *names = NULL, *np;
	size_t n = 0, total = req->nheaders + nextra, i, nameslen = 0;
	int have_host = 0, ret = -1;

	*signed_headers = NULL;
	if (req->nheaders > MAX_HEADERS)
		return jd_error_set(err, JD_EINPUT, "too many headers (more than %u)", MAX_HEADERS);
	for (i = 0; i < total; i++) {
		const struct jd_sigv4_header *src =
			i < req->nheaders ? &req->headers[i] : &extra[i - req->nheaders];

		if (!src->name || !jd_canon_valid_token(src->name))
			return jd_error_set(err, JD_EUSAGE, "invalid header name '%.64s'",
					    src->name ? src->name : "");
		if (strlen(src->name) > 1024)
			return jd_error_set(err, JD_EINPUT, "header name too long");
		nameslen += strlen(src->name) + 1;
	}
	/* All lowercase names in one allocation. */
	names = malloc(nameslen ? nameslen : 1);
	if (!names)
		return jd_error_oom(err);
	if (total > JD_ARRAY_SIZE(stack)) {
		h = calloc(total, sizeof(*h));
		if (!h) {
			free(names);
			return jd_error_oom(err);
		}
	}
	np = names;
	for (i = 0; i < total; i++) {
		const struct jd_sigv4_header *src =
			i < req->nheaders ? &req->headers[i] : &extra[i - req->nheaders];
		char *ln = np;
		const char *c;

		for (c = src->name; *c; c++)
			*np++ = (char)tolower((unsigned char)*c);
		*np++ = '\0';
		if (i < req->nheaders &&
		    (!strcmp(ln, "x-amz-date") || !strcmp(ln, "x-amz-security-token") ||
		     !strcmp(ln, "x-amz-content-sha256"))) {
			jd_error_set(err, JD_EUSAGE, "header '%.64s' is set by the signer",
				     src->name);
			goto out;
		}
		if (skipped_header(ln))
			continue;
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
	if (n > 1)
		qsort(h, n, sizeof(*h), chdr_cmp);
	if (jd_buf_grow(&sh, nameslen, err) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		int dup = i && !strcmp(h[i].name, h[i - 1].name);

		if (dup) {
			/* Duplicates are joined with ',' in the order given. */
			b->len--; /* the '\n' */
			if (jd_buf_addc(b, ',', err) < 0)
				goto out;
		} else {
			if ((sh.len && jd_buf_addc(&sh, ';', err) < 0) ||
			    jd_buf_adds(&sh, h[i].name, err) < 0 ||
			    jd_buf_adds(b, h[i].name, err) < 0 || jd_buf_addc(b, ':', err) < 0)
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
	if (h != stack)
		free(h);
	free(names);
	jd_buf_release(&sh);
	return ret;
}
