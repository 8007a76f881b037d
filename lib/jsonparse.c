/*
 * JSON text to a Jansson tree, as json_loadb builds it, without its
 * byte-at-a-time lexer: strings are scanned eight bytes at a time and taken
 * from the input as they stand when they hold no escape, containers are
 * kept on an explicit stack (no recursion), and values go straight into
 * their parent. Only a text that fails is read again, by json_loadb, so
 * that the error is Jansson's to the byte.
 */
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "internal.h"
#include "jsonparse.h"

/* Jansson's JSON_PARSER_MAX_DEPTH: every value counts, scalars too. */
#define MAX_DEPTH 2048
#define OWN_FLAGS (JSON_DECODE_ANY | JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL)

typedef const unsigned char *cursor;

struct parser {
	cursor end;
	size_t flags;
	size_t lost;		/* NUL bytes skipped as Jansson loses them */
	struct jd_buf key, val; /* decoded strings that had escapes */
};

#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define WORDWISE 1 /* eight bytes at a time, the first of interest by its lowest bit */
#endif

/* Past the spaces at p: an indent is counted without a branch a byte. */
static cursor skip_spaces(cursor p, cursor end)
{
#ifdef WORDWISE
	while (end - p >= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		w ^= 0x2020202020202020u;
		if (w)
			return p + (__builtin_ctzll(w) >> 3);
		p += 8;
	}
#endif
	while (p < end && *p == ' ')
		p++;
	return p;
}

static cursor skip_ws_slow(cursor p, cursor end)
{
	while (p < end && *p <= ' ') {
		if (*p == ' ')
			p = skip_spaces(p, end);
		else if (*p == '\n' || *p == '\r' || *p == '\t')
			p++;
		else
			break;
	}
	return p;
}

/* Past the whitespace at p; inline, so that each place has its own branch
 * history (none after '{', one space after ':', a newline and an indent
 * after ',' in pretty-printed text). */
static inline cursor skip_ws(cursor p, cursor end)
{
	if (p != end && *p > ' ')
		return p;
	if (end - p >= 2 && *p == ' ' && p[1] > ' ')
		return p + 1;
	return skip_ws_slow(p, end);
}

/* The first byte from p on that a string cannot take as it is: '"', '\\', a
 * control character or the start of a UTF-8 sequence; end if none. */
static inline cursor skip_plain(cursor p, cursor end)
{
#ifdef WORDWISE
	const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;

	/* Per-byte tests by borrows: a flag above the lowest true one may be
	 * false, the lowest is exact, and only the lowest is used. */
	while (end - p >= 8) {
		uint64_t w, q, b, m;
		memcpy(&w, p, 8);
		q = w ^ (ones * '"');
		b = w ^ (ones * '\\');
		m = ((q - ones) & ~q) | ((b - ones) & ~b) | ((w - ones * 0x20) & ~w) | w;
		m &= high;
		if (m)
			return p + (__builtin_ctzll(m) >> 3);
		p += 8;
	}
#endif
	while (p < end && *p != '"' && *p != '\\' && *p >= 0x20 && *p < 0x80)
		p++;
	return p;
}

/* Decodes the escape at p (a backslash) into b; the byte after it, or NULL. */
static cursor unescape(cursor p, cursor end, struct jd_buf *b, int *nul)
{
	static const char plain[] = "\"\\/bfnrt", decoded[] = "\"\\/\b\f\n\r\t";
	const char *c;
	unsigned cp, lo;
	char u[4];

	if (end - p < 2)
		return NULL;
	if (p[1] != 'u') {
		c = p[1] ? strchr(plain, p[1]) : NULL;
		if (!c || jd_buf_addc(b, decoded[c - plain], NULL) < 0)
			return NULL;
		return p + 2;
	}
	if (end - p < 6 || jd_hex_value((const char *)p + 2, 4, &cp) < 0)
		return NULL;
	p += 6;
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return NULL; /* a low surrogate alone */
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (end - p < 6 || p[0] != '\\' || p[1] != 'u' ||
		    jd_hex_value((const char *)p + 2, 4, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff)
			return NULL;
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		p += 6;
	}
	if (cp == 0)
		*nul = 1;
	return jd_buf_add(b, u, jd_utf8_put(u, cp), NULL) < 0 ? NULL : p;
}

/*
 * The string whose opening quote is just before start, p at its first byte
 * that skip_plain stopped at: *s and *n are its decoded text, the input
 * itself when it has no escape, else b's data; *nul is set when it holds
 * U+0000. The byte after the closing quote, or NULL when it is not a valid
 * string.
 */
static cursor scan_string_slow(cursor start, cursor p, cursor end, struct jd_buf *b, const char **s,
			       size_t *n, int *nul)
{
	int escaped = 0;
	size_t k;

	for (;;) {
		if (p == end)
			return NULL;
		if (*p == '"')
			break;
		if (*p >= 0x80) {
			k = jd_utf8_seq(p, (size_t)(end - p));
			if (!k)
				return NULL;
			p = skip_plain(p + k, end);
			continue;
		}
		if (*p != '\\')
			return NULL; /* a control character */
		if (!escaped) {
			jd_buf_reset(b);
			escaped = 1;
		}
		if (jd_buf_add(b, start, (size_t)(p - start), NULL) < 0)
			return NULL;
		p = unescape(p, end, b, nul);
		if (!p)
			return NULL;
		start = p;
		p = skip_plain(p, end);
	}
	if (escaped) {
		if (jd_buf_add(b, start, (size_t)(p - start), NULL) < 0)
			return NULL;
		*s = b->data;
		*n = b->len;
	} else {
		*s = (const char *)start;
		*n = (size_t)(p - start);
	}
	return p + 1;
}

/* The same, inline for the common string: ASCII without an escape. */
static inline cursor scan_string(cursor p, cursor end, struct jd_buf *b, const char **s, size_t *n,
				 int *nul)
{
	cursor q = skip_plain(p, end);

	*nul = 0;
	if (q != end && *q == '"') {
		*s = (const char *)p;
		*n = (size_t)(q - p);
		return q + 1;
	}
	return scan_string_slow(p, q, end, b, s, n, nul);
}

#if FLT_EVAL_METHOD == 0
/* m * 10^e, exactly rounded, when both are exact doubles (Clinger's fast path). */
static int real_fast(uint64_t m, int ndigits, long e, int neg, double *out)
{
	static const double tens[] = {1e0,  1e1,  1e2,	1e3,  1e4,  1e5,  1e6,	1e7,
				      1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
				      1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
	double d;

	if (ndigits > 15 || e < -22 || e > 22)
		return -1;
	d = (double)m;
	d = e < 0 ? d / tens[-e] : d * tens[e];
	*out = neg ? -d : d;
	return 0;
}
#endif

/* strtod on the number's text, the locale's decimal point put in as Jansson does. */
static int real_slow(cursor s, size_t n, struct jd_buf *b, double *out)
{
	const char *point = localeconv()->decimal_point;
	char *dot, *end;
	double d;

	jd_buf_reset(b);
	if (jd_buf_add(b, s, n, NULL) < 0)
		return -1;
	if (*point != '.' && (dot = strchr(b->data, '.')))
		*dot = *point;
	errno = 0;
	d = strtod(b->data, &end);
	if (end != b->data + n || (errno == ERANGE && (d == HUGE_VAL || d == -HUGE_VAL)))
		return -1; /* overflow is an error, underflow is not: Jansson's rule */
	*out = d;
	return 0;
}

/*
 * The number at p (a '-' or a digit) into *v, typed as json_loadb types it:
 * an integer without '.', 'e' or 'E'. The byte after it, or NULL.
 */
static cursor scan_number(cursor p, cursor end, struct jd_buf *b, json_t **v)
{
	cursor start = p, digits;
	uint64_t m = 0;
	int neg = 0, nsig = 0, lead = 1;
	long frac = 0, e = 0;
	double d;

	if (*p == '-') {
		neg = 1;
		p++;
	}
	digits = p;
	if (p == end || *p < '0' || *p > '9')
		return NULL;
	if (*p == '0' && p + 1 < end && p[1] >= '0' && p[1] <= '9')
		return NULL; /* a leading zero */
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		lead = lead && *p == '0';
		if (!lead && nsig++ < 19)
			m = m * 10 + (unsigned)(*p - '0');
	}
	if (p == end || (*p != '.' && *p != 'e' && *p != 'E')) {
		uint64_t max = neg ? (uint64_t)LLONG_MAX + 1 : (uint64_t)LLONG_MAX;
		if (p - digits > 19 || m > max)
			return NULL; /* "too big integer" */
		if (!neg)
			*v = json_integer((json_int_t)m);
		else
			*v = json_integer(m > (uint64_t)LLONG_MAX ? LLONG_MIN : -(json_int_t)m);
		return p;
	}
	if (*p == '.') {
		if (++p == end || *p < '0' || *p > '9')
			return NULL;
		for (; p < end && *p >= '0' && *p <= '9'; p++) {
			lead = lead && *p == '0';
			if (!lead && nsig++ < 19)
				m = m * 10 + (unsigned)(*p - '0');
			frac++;
		}
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		int eneg = 0;
		if (++p < end && (*p == '+' || *p == '-'))
			eneg = *p++ == '-';
		if (p == end || *p < '0' || *p > '9')
			return NULL;
		for (; p < end && *p >= '0' && *p <= '9'; p++)
			if (e < 100000)
				e = e * 10 + (*p - '0');
		if (eneg)
			e = -e;
	}
#if FLT_EVAL_METHOD == 0
	if (nsig == 0) { /* zero, whatever its exponent */
		*v = json_real(neg ? -0.0 : 0.0);
		return p;
	}
	if (real_fast(m, nsig, e - frac, neg, &d) == 0) {
		*v = json_real(d);
		return p;
	}
#endif
	if (real_slow(start, (size_t)(p - start), b, &d) < 0)
		return NULL; /* "real number overflow" */
	*v = json_real(d);
	return p;
}

/* The scalar at p into *v (NULL when out of memory); the byte after it, or NULL. */
static cursor scan_scalar(cursor p, struct parser *ps, json_t **v)
{
	size_t left = (size_t)(ps->end - p), n;
	const char *s;
	int nul;

	switch (*p) {
	case '"':
		p = scan_string(p + 1, ps->end, &ps->val, &s, &n, &nul);
		if (!p || (nul && !(ps->flags & JSON_ALLOW_NUL)))
			return NULL;
		*v = json_stringn_nocheck(s, n);
		return p;
	case 't':
		if (left < 4 || memcmp(p, "true", 4))
			return NULL;
		*v = json_true();
		p += 4;
		break;
	case 'f':
		if (left < 5 || memcmp(p, "false", 5))
			return NULL;
		*v = json_false();
		p += 5;
		break;
	case 'n':
		if (left < 4 || memcmp(p, "null", 4))
			return NULL;
		*v = json_null();
		p += 4;
		break;
	default:
		if (*p != '-' && (*p < '0' || *p > '9'))
			return NULL;
		p = scan_number(p, ps->end, &ps->val, v);
		if (!p)
			return NULL;
	}
	/*
	 * Jansson reads one byte past a number or a literal and puts it back,
	 * but a NUL put back is lost: "[1\0]" is [1]. So is it here.
	 */
	if (p < ps->end && *p == '\0') {
		ps->lost++;
		p++;
	}
	return p;
}

/* Puts v (owned) into parent under key (in an object), or makes it the root
 * when there is no parent; 0 or -1. */
static int attach(struct parser *ps, json_t *parent, json_t **root, const char *key, size_t klen,
		  json_t *v)
{
	size_t n;

	if (!v)
		return -1;
	if (!parent) {
		*root = v;
		return 0;
	}
	if (json_is_array(parent))
		return json_array_append_new(parent, v);
	if (!(ps->flags & JSON_REJECT_DUPLICATES))
		return json_object_setn_new_nocheck(parent, key, klen, v);
	/* a key seen before has its value replaced: the size tells */
	n = json_object_size(parent);
	if (json_object_setn_new_nocheck(parent, key, klen, v))
		return -1;
	return json_object_size(parent) == n ? -1 : 0;
}

static json_t *parse(struct parser *ps, cursor p)
{
	json_t *stack[MAX_DEPTH]; /* the open containers, innermost at top */
	json_t *root = NULL, *v;
	cursor end = ps->end;
	const char *key = NULL;
	size_t klen = 0;
	int top = -1, nul, closer;

	p = skip_ws(p, end);
	if (p == end)
		return NULL;
	if (!(ps->flags & JSON_DECODE_ANY) && *p != '[' && *p != '{')
		return NULL;
value: /* at a value's first byte; key is its name in an object; its depth is top + 2 */
	if (top + 2 > MAX_DEPTH || p == end)
		goto fail;
	if (*p == '{' || *p == '[') {
		closer = *p == '{' ? '}' : ']';
		v = closer == '}' ? json_object() : json_array();
		if (attach(ps, top < 0 ? NULL : stack[top], &root, key, klen, v) < 0)
			goto fail;
		/* filled in place: the parent holds it already */
		stack[++top] = v;
		p = skip_ws(p + 1, end);
		if (p < end && *p == closer) {
			p++;
			top--;
			goto next;
		}
		if (closer == '}')
			goto member;
		goto value;
	}
	v = NULL;
	p = scan_scalar(p, ps, &v);
	if (!p || attach(ps, top < 0 ? NULL : stack[top], &root, key, klen, v) < 0)
		goto fail;
next: /* after a value */
	p = skip_ws(p, end);
	if (top < 0) {
		if (p != end)
			goto fail;
		return root;
	}
	if (p == end)
		goto fail;
	closer = json_is_object(stack[top]) ? '}' : ']';
	if (*p == closer) {
		p++;
		top--;
		goto next;
	}
	if (*p != ',')
		goto fail;
	p = skip_ws(p + 1, end);
	if (closer == ']')
		goto value;
member: /* at a member's key */
	if (p == end || *p != '"')
		goto fail;
	p = scan_string(p + 1, end, &ps->key, &key, &klen, &nul);
	if (!p || nul)
		goto fail; /* Jansson takes no NUL in a key, whatever the flags */
	p = skip_ws(p, end);
	if (p == end || *p != ':')
		goto fail;
	p = skip_ws(p + 1, end);
	goto value;
fail:
	json_decref(root);
	return NULL;
}

/* The parser alone; *position as json_loadb counts it after a success. */
static json_t *parse_text(const char *text, size_t len, size_t flags, size_t *position)
{
	struct parser ps;
	json_t *v;

	if (!text || (flags & ~(size_t)OWN_FLAGS))
		return NULL;
	ps.end = (cursor)text + len;
	ps.flags = flags;
	ps.lost = 0;
	/* a decoded string is never longer than the text */
	jd_buf_init(&ps.key, len);
	jd_buf_init(&ps.val, len);
	v = parse(&ps, (cursor)text);
	jd_buf_release(&ps.key);
	jd_buf_release(&ps.val);
	*position = len - ps.lost;
	return v;
}

json_t *jd_json_parse_fast(const char *text, size_t len, size_t flags)
{
	size_t position;

	return parse_text(text, len, flags, &position);
}

json_t *jd_json_parse(const char *text, size_t len, size_t flags, json_error_t *error)
{
	size_t position;
	json_t *v = parse_text(text, len, flags, &position);

	if (!v)
		return json_loadb(text, len, flags, error);
	if (error) {
		/* what json_loadb leaves after a success */
		memset(error, 0, sizeof(*error));
		error->line = -1;
		error->column = -1;
		error->position = (int)position;
		jd_strlcpy(error->source, "<buffer>", sizeof(error->source));
	}
	return v;
}
