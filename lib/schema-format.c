/*
 * The "format" values JSON Schema defines, checked on strings. Each check
 * follows its RFC's ABNF (RFC 3339 dates and durations, RFC 5321 mail
 * addresses, RFC 1123 host names, RFC 4291 IPv6, RFC 3986 URIs, RFC 6901
 * pointers). NEEDSWORK: IDNA (punycode and the RFC 5892 contextual rules)
 * is not checked: idn-hostname and idn-email accept any non-ASCII label.
 */
#include <string.h>

#include "internal.h"
#include "schema-int.h"

enum {
	F_DATE_TIME = 1,
	F_DATE,
	F_TIME,
	F_DURATION,
	F_EMAIL,
	F_IDN_EMAIL,
	F_HOSTNAME,
	F_IDN_HOSTNAME,
	F_IPV4,
	F_IPV6,
	F_URI,
	F_URI_REF,
	F_IRI,
	F_IRI_REF,
	F_URI_TEMPLATE,
	F_UUID,
	F_REGEX,
	F_JSON_POINTER,
	F_REL_JSON_POINTER
};

static const char *const names[] = {
	NULL,		"date-time", "date",	      "time",	      "duration",
	"email",	"idn-email", "hostname",      "idn-hostname", "ipv4",
	"ipv6",		"uri",	     "uri-reference", "iri",	      "iri-reference",
	"uri-template", "uuid",	     "regex",	      "json-pointer", "relative-json-pointer",
};

int jd_format_id(const char *name)
{
	size_t i;

	for (i = 1; i < JD_ARRAY_SIZE(names); i++)
		if (!strcmp(names[i], name))
			return (int)i;
	return 0;
}

static int isdig(int c)
{
	return c >= '0' && c <= '9';
}

static int ishex(int c)
{
	return isdig(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int isalph(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* n ASCII digits at s as a number, or -1. */
static int num(const char *s, size_t n)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!isdig((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int check_date(const char *s, size_t len)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, m, d;

	if (len != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	y = num(s, 4), m = num(s + 5, 2), d = num(s + 8, 2);
	if (y < 0 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return 0;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 0;
	return 1;
}

static int check_time(const char *s, size_t len)
{
	int h, mi, sec, oh = 0, om = 0, sign = 0;
	size_t i = 8;

	if (len < 9 || s[2] != ':' || s[5] != ':')
		return 0;
	h = num(s, 2), mi = num(s + 3, 2), sec = num(s + 6, 2);
	if (h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60)
		return 0;
	if (s[i] == '.') {
		size_t st = ++i;
		while (i < len && isdig((unsigned char)s[i]))
			i++;
		if (i == st)
			return 0;
	}
	if (i >= len)
		return 0;
	if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == len) {
		;
	} else if ((s[i] == '+' || s[i] == '-') && len - i == 6 && s[i + 3] == ':') {
		sign = s[i] == '+' ? 1 : -1;
		oh = num(s + i + 1, 2), om = num(s + i + 4, 2);
		if (oh < 0 || oh > 23 || om < 0 || om > 59)
			return 0;
	} else {
		return 0;
	}
	if (sec == 60) {
		/* a leap second is 23:59:60 in UTC */
		int utc = h * 60 + mi - sign * (oh * 60 + om);
		utc = ((utc % 1440) + 1440) % 1440;
		if (utc != 23 * 60 + 59)
			return 0;
	}
	return 1;
}

static int check_date_time(const char *s, size_t len)
{
	if (len < 20 || (s[10] != 'T' && s[10] != 't'))
		return 0;
	return check_date(s, 10) && check_time(s + 11, len - 11);
}

static int check_duration(const char *s, size_t len)
{
	static const char date_units[] = "YMD", time_units[] = "HMS";
	size_t i = 1;
	int any = 0, in_time = 0, last = -1;

	if (len < 2 || s[0] != 'P')
		return 0;
	/* PnW alone */
	if (s[len - 1] == 'W') {
		if (len < 3)
			return 0;
		for (i = 1; i < len - 1; i++)
			if (!isdig((unsigned char)s[i]))
				return 0;
		return 1;
	}
	while (i < len) {
		size_t st;
		const char *u;
		int idx;

		if (s[i] == 'T') {
			if (in_time || i + 1 >= len)
				return 0;
			in_time = 1;
			last = -1;
			i++;
			continue;
		}
		st = i;
		while (i < len && isdig((unsigned char)s[i]))
			i++;
		if (i == st || i >= len)
			return 0;
		u = strchr(in_time ? time_units : date_units, s[i]);
		if (!u || !s[i])
			return 0;
		idx = (int)(u - (in_time ? time_units : date_units));
		/* in order, and no gap in the middle (Y then D without M) */
		if (idx <= last || (last >= 0 && idx != last + 1))
			return 0;
		last = idx;
		any = 1;
		i++;
	}
	return any && !(in_time && last < 0);
}

static int check_hostname(const char *s, size_t len, int idn)
{
	size_t i = 0, lab = 0;

	if (len == 0 || len > 253)
		return 0;
	for (i = 0; i <= len; i++) {
		unsigned char c = i < len ? (unsigned char)s[i] : '.';
		if (c == '.') {
			if (lab == 0 || lab > 63 || s[i - 1] == '-' || s[i - lab] == '-')
				return 0;
			/* "--" in the 3rd and 4th positions only for "xn--" labels */
			if (lab >= 4 && s[i - lab + 2] == '-' && s[i - lab + 3] == '-' &&
			    !((s[i - lab] | 0x20) == 'x' && (s[i - lab + 1] | 0x20) == 'n'))
				return 0;
			lab = 0;
			continue;
		}
		if (!(isalph(c) || isdig(c) || c == '-' || (idn && c >= 0x80)))
			return 0;
		lab++;
	}
	return 1;
}

static int check_ipv4(const char *s, size_t len)
{
	size_t i = 0;
	int part;

	for (part = 0; part < 4; part++) {
		size_t st = i;
		int v = 0;
		while (i < len && isdig((unsigned char)s[i]) && i - st < 3)
			v = v * 10 + (s[i++] - '0');
		if (i == st || v > 255 || (i - st > 1 && s[st] == '0'))
			return 0;
		if (part < 3) {
			if (i >= len || s[i] != '.')
				return 0;
			i++;
		}
	}
	return i == len;
}

static int check_ipv6(const char *s, size_t len)
{
	size_t i = 0;
	int groups = 0, dbl = 0;

	if (len < 2)
		return 0;
	if (s[0] == ':') {
		if (s[1] != ':')
			return 0;
		dbl = 1;
		i = 2;
		if (len == 2)
			return 1;
	}
	while (i < len) {
		size_t st = i, j;
		while (i < len && ishex((unsigned char)s[i]) && i - st < 5)
			i++;
		if (i < len && s[i] == '.') {
			/* an IPv4 tail */
			for (j = st; j < len; j++)
				if (!isdig((unsigned char)s[j]) && s[j] != '.')
					return 0;
			if (!check_ipv4(s + st, len - st))
				return 0;
			groups += 2;
			i = len;
			break;
		}
		if (i == st || i - st > 4)
			return 0;
		groups++;
		if (i == len)
			break;
		if (s[i] != ':')
			return 0;
		i++;
		if (i < len && s[i] == ':') {
			if (dbl)
				return 0;
			dbl = 1;
			i++;
			if (i == len)
				break;
		} else if (i == len) {
			return 0;
		}
	}
	return dbl ? groups <= 7 : groups == 8;
}

static int check_email(const char *s, size_t len, int idn)
{
	const char *at;
	size_t l, i;

	if (!len)
		return 0;
	if (s[0] == '"') {
		for (i = 1; i < len && s[i] != '"'; i++)
			if (s[i] == '\\')
				i++;
		if (i >= len || i + 1 >= len || s[i + 1] != '@')
			return 0;
		at = s + i + 1;
	} else {
		at = memchr(s, '@', len);
		if (!at)
			return 0;
		l = (size_t)(at - s);
		if (!l || s[0] == '.' || s[l - 1] == '.')
			return 0;
		for (i = 0; i < l; i++) {
			unsigned char c = (unsigned char)s[i];
			if (c == '.' && s[i + 1] == '.')
				return 0;
			if (!(isalph(c) || isdig(c) || strchr("!#$%&'*+-/=?^_`{|}~.", c) ||
			      (idn && c >= 0x80)) ||
			    !c)
				return 0;
		}
	}
	at++;
	l = len - (size_t)(at - s);
	if (l >= 2 && at[0] == '[' && at[l - 1] == ']') {
		if (l > 7 && !strncmp(at + 1, "IPv6:", 5))
			return check_ipv6(at + 6, l - 7);
		return check_ipv4(at + 1, l - 2);
	}
	return check_hostname(at, l, idn);
}

static int check_uuid(const char *s, size_t len)
{
	size_t i;

	if (len != 36)
		return 0;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!ishex((unsigned char)s[i])) {
			return 0;
		}
	}
	return 1;
}

static int check_json_pointer(const char *s, size_t len)
{
	size_t i;

	if (len && s[0] != '/')
		return 0;
	for (i = 0; i < len; i++)
		if (s[i] == '~' && (i + 1 >= len || (s[i + 1] != '0' && s[i + 1] != '1')))
			return 0;
	return 1;
}

static int check_rel_json_pointer(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && isdig((unsigned char)s[i]))
		i++;
	if (i == 0 || (i > 1 && s[0] == '0'))
		return 0;
	if (i < len && (s[i] == '+' || s[i] == '-')) {
		size_t st = ++i;
		while (i < len && isdig((unsigned char)s[i]))
			i++;
		if (i == st || (i - st > 1 && s[st] == '0'))
			return 0;
	}
	if (i == len)
		return 1;
	if (s[i] == '#')
		return i + 1 == len;
	return check_json_pointer(s + i, len - i);
}

/* RFC 3986 (iri: also any non-ASCII); need_scheme for uri/iri. */
static int check_uri(const char *s, size_t len, int need_scheme, int iri)
{
	size_t i = 0, st;
	int has_scheme = 0;

	for (st = 0; st < len && (isalph((unsigned char)s[st]) || isdig((unsigned char)s[st]) ||
				  s[st] == '+' || s[st] == '-' || s[st] == '.');
	     st++)
		;
	if (st < len && s[st] == ':' && st > 0) {
		if (!isalph((unsigned char)s[0]))
			return 0;
		has_scheme = 1;
		i = st + 1;
	}
	if (need_scheme && !has_scheme)
		return 0;
	if (i + 1 < len && s[i] == '/' && s[i + 1] == '/') {
		/* authority: [userinfo@]host[:port] */
		size_t a = i + 2, e = a, at, h, port;
		while (e < len && s[e] != '/' && s[e] != '?' && s[e] != '#')
			e++;
		at = a;
		for (h = a; h < e; h++)
			if (s[h] == '@')
				at = h + 1;
		for (h = a; h + 1 < at; h++) {
			unsigned char c = (unsigned char)s[h];
			if (c == '%') {
				if (h + 2 >= at || !ishex((unsigned char)s[h + 1]) ||
				    !ishex((unsigned char)s[h + 2]))
					return 0;
				continue;
			}
			if (!(isalph(c) || isdig(c) || strchr("-._~!$&'()*+,;=:", c) ||
			      (iri && c >= 0x80)))
				return 0;
		}
		h = at;
		if (h < e && s[h] == '[') {
			size_t rb = h;
			while (rb < e && s[rb] != ']')
				rb++;
			if (rb >= e || !check_ipv6(s + h + 1, rb - h - 1))
				return 0;
			h = rb + 1;
		} else {
			while (h < e && s[h] != ':') {
				unsigned char c = (unsigned char)s[h];
				if (c == '%') {
					if (h + 2 >= e || !ishex((unsigned char)s[h + 1]) ||
					    !ishex((unsigned char)s[h + 2]))
						return 0;
					h += 3;
					continue;
				}
				if (!(isalph(c) || isdig(c) || strchr("-._~!$&'()*+,;=", c) ||
				      (iri && c >= 0x80)))
					return 0;
				h++;
			}
		}
		if (h < e) {
			if (s[h] != ':')
				return 0;
			for (port = h + 1; port < e; port++)
				if (!isdig((unsigned char)s[port]))
					return 0;
		}
		i = e;
	}
	for (; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '%') {
			if (i + 2 >= len || !ishex((unsigned char)s[i + 1]) ||
			    !ishex((unsigned char)s[i + 2]))
				return 0;
			i += 2;
			continue;
		}
		if (c == '#') {
			/* one fragment only */
			if (memchr(s + i + 1, '#', len - i - 1))
				return 0;
			continue;
		}
		if (!(isalph(c) || isdig(c) || strchr("-._~!$&'()*+,;=:@/?", c) ||
		      (iri && c >= 0x80)) ||
		    !c)
			return 0;
	}
	return 1;
}

/* RFC 6570: literals and {[op]varspec,...} expressions. */
static int check_uri_template(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		if (c == '{') {
			i++;
			if (i < len && strchr("+#./;?&=,!@|", s[i]) && s[i])
				i++;
			for (;;) {
				size_t st = i;
				/* varname: varchar *( ["."] varchar ) */
				while (i < len) {
					c = (unsigned char)s[i];
					if (isalph(c) || isdig(c) || c == '_') {
						i++;
					} else if (c == '%' && i + 2 < len &&
						   ishex((unsigned char)s[i + 1]) &&
						   ishex((unsigned char)s[i + 2])) {
						i += 3;
					} else if (c == '.' && i > st && i + 1 < len &&
						   s[i + 1] != '.' && s[i + 1] != '}' &&
						   s[i + 1] != ',') {
						i++;
					} else {
						break;
					}
				}
				if (i == st || i >= len)
					return 0;
				if (s[i] == '*') {
					i++;
				} else if (s[i] == ':') {
					size_t d = ++i;
					while (i < len && isdig((unsigned char)s[i]))
						i++;
					if (i == d || i - d > 4 || s[d] == '0')
						return 0;
				}
				if (i >= len)
					return 0;
				if (s[i] == ',') {
					i++;
					continue;
				}
				if (s[i] == '}')
					break;
				return 0;
			}
			i++;
			continue;
		}
		if (c == '%') {
			if (i + 2 >= len || !ishex((unsigned char)s[i + 1]) ||
			    !ishex((unsigned char)s[i + 2]))
				return 0;
			i += 3;
			continue;
		}
		if (c <= 0x20 || c == 0x7f || strchr("\"'<>\\^`|}", c))
			return 0;
		i++;
	}
	return 1;
}

static int check_regex(const char *s, size_t len)
{
	char msg[128];
	struct jd_re *re = jd_re_compile(s, len, 0, msg, sizeof(msg));

	if (!re)
		return 0;
	jd_re_free(re);
	return 1;
}

int jd_format_check_id(int id, const char *s, size_t len)
{
	switch (id) {
	case F_DATE_TIME: return check_date_time(s, len);
	case F_DATE: return check_date(s, len);
	case F_TIME: return check_time(s, len);
	case F_DURATION: return check_duration(s, len);
	case F_EMAIL: return check_email(s, len, 0);
	case F_IDN_EMAIL: return check_email(s, len, 1);
	case F_HOSTNAME: return check_hostname(s, len, 0);
	case F_IDN_HOSTNAME: return check_hostname(s, len, 1);
	case F_IPV4: return check_ipv4(s, len);
	case F_IPV6: return check_ipv6(s, len);
	case F_URI: return check_uri(s, len, 1, 0);
	case F_URI_REF: return check_uri(s, len, 0, 0);
	case F_IRI: return check_uri(s, len, 1, 1);
	case F_IRI_REF: return check_uri(s, len, 0, 1);
	case F_URI_TEMPLATE: return check_uri_template(s, len);
	case F_UUID: return check_uuid(s, len);
	case F_REGEX: return check_regex(s, len);
	case F_JSON_POINTER: return check_json_pointer(s, len);
	case F_REL_JSON_POINTER: return check_rel_json_pointer(s, len);
	}
	return 1;
}

int jd_schema_format_check(const char *name, const char *s, size_t len)
{
	int id = jd_format_id(name);

	return id ? jd_format_check_id(id, s, len) : -1;
}
