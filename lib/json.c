#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

/*
 * Python's repr() of a float, which is what the AWS CLI sends: the fewest
 * significant digits that read back to d, in fixed notation for decimal
 * exponents -4..15 (with ".0" when integral) and in scientific notation
 * ("1e+16", "1.5e-05") beyond.
 */
int jd_json_real(double d, struct jd_buf *b, struct jd_error *err)
{
	char sci[40], digits[24], out[64];
	int p, exp10, nd = 0, i, o = 0;
	const char *e;

	if (!isfinite(d))
		return jd_error_set(err, JD_EINVALID,
				    "a number has no JSON form (NaN or infinity)");
	for (p = 0; p < 17; p++) {
		snprintf(sci, sizeof(sci), "%.*e", p, d);
		if (strtod(sci, NULL) == d)
			break;
	}
	/* sci is [-]D[.DDD]e[+-]XX */
	e = strchr(sci, 'e');
	exp10 = (int)strtol(e + 1, NULL, 10);
	for (i = sci[0] == '-'; sci + i < e; i++)
		if (sci[i] != '.')
			digits[nd++] = sci[i];
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	if (sci[0] == '-')
		out[o++] = '-';
	if (exp10 >= -4 && exp10 < 16) {
		if (exp10 < 0) {
			out[o++] = '0';
			out[o++] = '.';
			for (i = -1; i > exp10; i--)
				out[o++] = '0';
			for (i = 0; i < nd; i++)
				out[o++] = digits[i];
		} else {
			for (i = 0; i <= exp10; i++)
				out[o++] = i < nd ? digits[i] : '0';
			out[o++] = '.';
			if (nd > exp10 + 1)
				for (i = exp10 + 1; i < nd; i++)
					out[o++] = digits[i];
			else
				out[o++] = '0';
		}
		out[o] = '\0';
	} else {
		out[o++] = digits[0];
		if (nd > 1) {
			out[o++] = '.';
			for (i = 1; i < nd; i++)
				out[o++] = digits[i];
		}
		snprintf(out + o, sizeof(out) - (size_t)o, "e%c%02d", exp10 < 0 ? '-' : '+',
			 exp10 < 0 ? -exp10 : exp10);
	}
	return jd_buf_adds(b, out, err);
}

/* 1 for the bytes a JSON string must escape */
static const unsigned char needs_escape[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* '"' */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, /* '\\' */
};

int jd_json_string(const char *s, size_t len, struct jd_buf *b, struct jd_error *err)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, start = 0;

	if (jd_buf_grow(b, len + 2, err) < 0 || jd_buf_addc(b, '"', err) < 0)
		return -1;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[7];
		size_t n = 2;

		if (!needs_escape[c])
			continue;
		esc[0] = '\\';
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			n = 6;
		}
		if (jd_buf_add(b, s + start, i - start, err) < 0 || jd_buf_add(b, esc, n, err) < 0)
			return -1;
		start = i + 1;
	}
	if (jd_buf_add(b, s + start, len - start, err) < 0)
		return -1;
	return jd_buf_addc(b, '"', err);
}

int jd_json_dump(const json_t *v, struct jd_buf *b, struct jd_error *err)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		const char *k;
		json_t *m;
		void *it;
		int first = 1;

		if (jd_buf_addc(b, '{', err) < 0)
			return -1;
		for (it = json_object_iter((json_t *)v); it;
		     it = json_object_iter_next((json_t *)v, it)) {
			k = json_object_iter_key(it);
			m = json_object_iter_value(it);
			if ((!first && jd_buf_addc(b, ',', err) < 0) ||
			    jd_json_string(k, json_object_iter_key_len(it), b, err) < 0 ||
			    jd_buf_addc(b, ':', err) < 0 || jd_json_dump(m, b, err) < 0)
				return -1;
			first = 0;
		}
		return jd_buf_addc(b, '}', err);
	}
	case JSON_ARRAY: {
		size_t i, n = json_array_size(v);

		if (jd_buf_addc(b, '[', err) < 0)
			return -1;
		for (i = 0; i < n; i++)
			if ((i && jd_buf_addc(b, ',', err) < 0) ||
			    jd_json_dump(json_array_get(v, i), b, err) < 0)
				return -1;
		return jd_buf_addc(b, ']', err);
	}
	case JSON_STRING:
		return jd_json_string(json_string_value(v), json_string_length(v), b, err);
	case JSON_INTEGER: {
		char tmp[24];
		size_t n = sizeof(tmp);
		json_int_t i = json_integer_value(v);
		unsigned long long u = i < 0 ? 0ULL - (unsigned long long)i : (unsigned long long)i;

		do {
			tmp[--n] = (char)('0' + u % 10);
			u /= 10;
		} while (u);
		if (i < 0)
			tmp[--n] = '-';
		return jd_buf_add(b, tmp + n, sizeof(tmp) - n, err);
	}
	case JSON_REAL: return jd_json_real(json_real_value(v), b, err);
	case JSON_TRUE: return jd_buf_adds(b, "true", err);
	case JSON_FALSE: return jd_buf_adds(b, "false", err);
	case JSON_NULL: return jd_buf_adds(b, "null", err);
	}
	return jd_error_set(err, JD_EINTERNAL, "unknown JSON type");
}

char *jd_json_dumps(const json_t *v, struct jd_error *err)
{
	struct jd_buf b = JD_BUF_INIT((size_t)1 << 30);

	if (jd_json_dump(v, &b, err) < 0) {
		jd_buf_release(&b);
		return NULL;
	}
	return jd_buf_detach(&b, NULL);
}
