#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

int jd_json_real(double d, struct jd_buf *b, struct jd_error *err)
{
	char tmp[40];
	int p;

	if (!isfinite(d))
		return jd_error_set(err, JD_EINVALID,
				    "a number has no JSON form (NaN or infinity)");
	for (p = 1; p <= 17; p++) {
		snprintf(tmp, sizeof(tmp), "%.*g", p, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	if (!strpbrk(tmp, ".e"))
		strcat(tmp, ".0");
	return jd_buf_adds(b, tmp, err);
}

int jd_json_string(const char *s, size_t len, struct jd_buf *b, struct jd_error *err)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, start = 0;

	if (jd_buf_addc(b, '"', err) < 0)
		return -1;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[7];
		size_t n = 2;

		if (c >= 0x20 && c != '"' && c != '\\')
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
	case JSON_INTEGER:
		return jd_buf_addf(b, err, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
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
