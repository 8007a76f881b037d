#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "internal.h"
#include "placeholder.h"

#define PREFIX(s) s, sizeof(s) - 1
static const struct {
	const char *prefix;
	size_t len;
	enum jd_ph_kind kind;
} prefixes[] = {
	{PREFIX("aws:iot:parameter:"), JD_PH_PARAMETER},
	{PREFIX("aws:iot:s3-presigned-url:"), JD_PH_PRESIGNED},
	{PREFIX("aws:iot:s3-presigned-url-v2:"), JD_PH_PRESIGNED_V2},
	{PREFIX("aws:iot:s3-presigned-url-upload:"), JD_PH_UPLOAD},
	{PREFIX("aws:iot:package:"), JD_PH_PACKAGE},
};

static const char *const locals[] = {"thingName", "jobId", "executionNumber"};

const char *jd_ph_kind_name(enum jd_ph_kind k)
{
	switch (k) {
	case JD_PH_PARAMETER: return "parameter";
	case JD_PH_PRESIGNED: return "s3-presigned-url";
	case JD_PH_PRESIGNED_V2: return "s3-presigned-url-v2";
	case JD_PH_UPLOAD: return "s3-presigned-url-upload";
	case JD_PH_PACKAGE: return "package";
	case JD_PH_OTHER: break;
	}
	return "other";
}

/*
 * Copies s[0..n) into out for a message: at most max bytes, cut on a UTF-8
 * boundary, control characters and invalid bytes as '?', "..." when cut.
 */
static void snip(char *out, size_t size, const char *s, size_t n, size_t max)
{
	size_t i = 0, o = 0;
	int cut = 0;

	if (max > size - 4)
		max = size - 4;
	while (i < n) {
		size_t k = jd_utf8_seq((const unsigned char *)s + i, n - i);
		if (o + (k ? k : 1) > max) {
			cut = 1;
			break;
		}
		if (!k || (unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
			out[o++] = '?';
			i += k ? k : 1;
			continue;
		}
		memcpy(out + o, s + i, k);
		o += k;
		i += k;
	}
	if (cut) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

static int problem(struct jd_ph_problem *p, size_t off, const char *fmt, ...) JD_PRINTF(3, 4);
static int problem(struct jd_ph_problem *p, size_t off, const char *fmt, ...)
{
	va_list ap;

	if (p) {
		p->off = off;
		va_start(ap, fmt);
		vsnprintf(p->msg, sizeof(p->msg), fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int is_name_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

int jd_ph_valid_name(const char *name, size_t len)
{
	size_t i;

	if (!len || len > 128)
		return 0;
	for (i = 0; i < len; i++)
		if (!is_name_char((unsigned char)name[i]))
			return 0;
	return 1;
}

static int is_local(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < JD_ARRAY_SIZE(locals); i++)
		if (strlen(locals[i]) == n && !memcmp(s, locals[i], n))
			return (int)i + 1;
	return 0;
}

/* The closest known prefix to what was written (content up to its last ':'), or NULL. */
static const char *closest_prefix(const char *s, size_t n)
{
	char buf[64];
	const char *best = NULL;
	unsigned best_d = 6;
	size_t i, m = 0, c;

	for (i = 0, c = 0; i < n && i < sizeof(buf) - 1 && c < 3; i++)
		if (s[i] == ':') {
			m = i + 1;
			c++;
		}
	if (!m)
		m = n < sizeof(buf) - 1 ? n : sizeof(buf) - 1;
	memcpy(buf, s, m);
	buf[m] = '\0';
	for (i = 0; i < JD_ARRAY_SIZE(prefixes); i++) {
		unsigned d = jd_edit_distance(buf, prefixes[i].prefix);
		if (d < best_d) {
			best_d = d;
			best = prefixes[i].prefix;
		}
	}
	return best;
}

/*
 * The messages quote the placeholder (q) and a nested one (q2): made only on
 * the way to an error, since most strings have none.
 */
#define QUOTE_PH() snip(q, sizeof(q), s + start, ph->end - start, 64)

static int scan_one(const char *s, size_t len, size_t start, struct jd_ph *ph,
		    struct jd_ph_problem *p)
{
	size_t j = start + 2, inner = 0, i, c = start + 2;
	unsigned counts[JD_ARRAY_SIZE(locals)] = {0};
	int depth = 0;
	char q[96], q2[96];

	memset(ph, 0, sizeof(*ph));
	ph->start = start;
	/* pass 1: the end, allowing one level of nesting */
	{
		/* most hold no ${: then the end is the first '}' */
		const char *e = memchr(s + j, '}', len - j), *d = s + j;
		while (e && (d = memchr(d, '$', (size_t)(e - d))) != NULL && d[1] != '{')
			d++;
		if (e && !d) {
			j = (size_t)(e - s);
			goto end;
		}
	}
	for (; j < len; j++) {
		if (s[j] == '$' && j + 1 < len && s[j + 1] == '{') {
			if (depth) {
				snip(q, sizeof(q), s + inner, len - inner, 40);
				return problem(p, j,
					       "nested placeholder inside '%s': placeholders nest "
					       "at most one level",
					       q);
			}
			depth = 1;
			inner = j++;
			continue;
		}
		if (s[j] == '}') {
			if (!depth)
				break;
			depth = 0;
		}
	}
	if (j >= len) {
		snip(q, sizeof(q), s + start, len - start, 48);
		return problem(p, start, "unterminated placeholder '%s' (no closing '}')", q);
	}
end:
	ph->end = j + 1;
	/* the kind */
	ph->kind = JD_PH_OTHER;
	if (j - c >= 8 && !memcmp(s + c, "aws:iot:", 8)) {
		for (i = 0; i < JD_ARRAY_SIZE(prefixes); i++) {
			size_t n = prefixes[i].len;
			if (j - c >= n && !memcmp(s + c, prefixes[i].prefix, n)) {
				ph->kind = prefixes[i].kind;
				ph->arg = c + n;
				ph->arglen = j - c - n;
				/* the longest prefix wins: -v2: and -upload: after the v1 one */
			}
		}
	}
	if (ph->kind == JD_PH_OTHER) {
		ph->arg = c;
		ph->arglen = j - c;
		if (j - c >= 4 && !memcmp(s + c, "aws:", 4)) {
			const char *near = closest_prefix(s + c, j - c);
			QUOTE_PH();
			if (near)
				return problem(p, start,
					       "unknown placeholder '%s': did you mean '${%s...}'?",
					       q, near);
			return problem(p, start,
				       "unknown placeholder '%s': AWS resolves only "
				       "aws:iot:parameter:, aws:iot:s3-presigned-url:, -v2:, "
				       "-upload: and aws:iot:package:",
				       q);
		}
		if (is_local(s + c, j - c)) {
			QUOTE_PH();
			return problem(p, start,
				       "local placeholder '%s' is only valid inside the key of an "
				       "aws:iot:s3-presigned-url-upload: URL",
				       q);
		}
	}
	/* pass 2: the nested ones */
	for (i = c; i + 1 < j; i++) {
		const char *d = memchr(s + i, '$', j - 1 - i);
		size_t e;
		int l;

		if (!d)
			break;
		i = (size_t)(d - s);
		if (s[i + 1] != '{')
			continue;
		for (e = i + 2; s[e] != '}'; e++)
			;
		l = is_local(s + i + 2, e - i - 2);
		if (ph->kind != JD_PH_OTHER && ph->kind != JD_PH_PARAMETER && e - i - 2 >= 18 &&
		    !memcmp(s + i + 2, "aws:iot:parameter:", 18)) {
			if (!jd_ph_valid_name(s + i + 20, e - i - 20)) {
				snip(q2, sizeof(q2), s + i, e + 1 - i, 48);
				return problem(
					p, i + 20,
					"parameter name in '%s' is not valid: use 1 to 128 of "
					"A-Z a-z 0-9 _ -",
					q2);
			}
			ph->nparam++;
		} else if (ph->kind == JD_PH_UPLOAD && l) {
			if (++counts[l - 1] > 2) {
				snip(q2, sizeof(q2), s + i, e + 1 - i, 48);
				return problem(p, i,
					       "'%s' appears more than twice in one upload URL "
					       "(AWS allows at most two)",
					       q2);
			}
			ph->nlocal++;
		} else if (ph->kind == JD_PH_UPLOAD) {
			snip(q2, sizeof(q2), s + i, e + 1 - i, 48);
			return problem(p, i,
				       "'%s' inside an upload URL: only ${thingName}, ${jobId} and "
				       "${executionNumber} may be nested there",
				       q2);
		} else if (ph->kind != JD_PH_OTHER || l ||
			   (e - i - 2 >= 4 && !memcmp(s + i + 2, "aws:", 4))) {
			snip(q2, sizeof(q2), s + i, e + 1 - i, 48);
			QUOTE_PH();
			return problem(p, i,
				       "nested placeholder '%s' inside '%s': a placeholder cannot "
				       "hold another",
				       q2, q);
		}
		i = e;
	}
	if (ph->kind == JD_PH_PARAMETER && !jd_ph_valid_name(s + ph->arg, ph->arglen)) {
		QUOTE_PH();
		snip(q2, sizeof(q2), s + ph->arg, ph->arglen, 48);
		if (!ph->arglen)
			return problem(p, start, "placeholder '%s' has no parameter name", q);
		return problem(p, ph->arg,
			       "parameter name '%s' is not valid: use 1 to 128 of A-Z a-z 0-9 _ -",
			       q2);
	}
	return 0;
}

int jd_ph_scan(const char *s, size_t len, jd_ph_fn fn, void *ctx, struct jd_ph_problem *p)
{
	size_t i = 0;

	while (i + 1 < len) {
		const char *d = memchr(s + i, '$', len - i - 1);
		struct jd_ph ph;
		int r;

		if (!d)
			break;
		i = (size_t)(d - s);
		if (s[i + 1] != '{') {
			i++;
			continue;
		}
		if (scan_one(s, len, i, &ph, p) < 0)
			return -1;
		if (fn && (r = fn(ctx, s, &ph)) != 0)
			return r;
		i = ph.end;
	}
	return 0;
}

/* ---- S3 URLs ---- */

static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int valid_region(const char *r)
{
	size_t n = strlen(r), i = 0, dashes = 0;

	/* [a-z]{2}(-[a-z]+)+-[0-9]{1,2}: eu-west-1, us-gov-west-1, cn-north-1 */
	if (n < 6 || n > 31)
		return 0;
	for (; i < 2; i++)
		if (r[i] < 'a' || r[i] > 'z')
			return 0;
	for (; i < n; i++) {
		if (r[i] == '-')
			dashes++;
		else if (!((r[i] >= 'a' && r[i] <= 'z') || (r[i] >= '0' && r[i] <= '9')))
			return 0;
	}
	return dashes >= 2 && r[n - 1] >= '0' && r[n - 1] <= '9';
}

static int bucket_problem(const char *b, size_t n)
{
	size_t i;

	if (n < 3 || n > 63)
		return 1;
	for (i = 0; i < n; i++) {
		char c = b[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-'))
			return 1;
		if (c == '.' && i + 1 < n && b[i + 1] == '.')
			return 1;
	}
	return !(b[0] >= 'a' || (b[0] >= '0' && b[0] <= '9')) || b[0] == '.' || b[0] == '-' ||
	       b[n - 1] == '.' || b[n - 1] == '-';
}

static int ci_prefix(const char *s, size_t n, const char *pre)
{
	size_t k = strlen(pre), i;

	if (n < k)
		return 0;
	for (i = 0; i < k; i++) {
		char a = s[i], b = pre[i];
		if (a >= 'A' && a <= 'Z')
			a = (char)(a - 'A' + 'a');
		if (b >= 'A' && b <= 'Z')
			b = (char)(b - 'A' + 'a');
		if (a != b)
			return 0;
	}
	return 1;
}

/* Splits host[0..n) (suffix already removed) into bucket and region. */
static int parse_host(const char *h, size_t n, struct jd_s3_url *u, struct jd_ph_problem *p)
{
	size_t i, s3 = (size_t)-1, s3end = 0, rest;
	char q[96];

	/* the rightmost label "s3" or "s3-..." */
	for (i = 0; i < n; i++) {
		if ((i == 0 || h[i - 1] == '.') && n - i >= 2 && h[i] == 's' && h[i + 1] == '3' &&
		    (i + 2 == n || h[i + 2] == '.' || h[i + 2] == '-')) {
			s3 = i;
		}
	}
	if (s3 == (size_t)-1) {
		snip(q, sizeof(q), h, n, 64);
		return problem(p, 0, "'%s.amazonaws.com' is not an S3 endpoint", q);
	}
	for (s3end = s3; s3end < n && h[s3end] != '.'; s3end++)
		;
	u->region[0] = '\0';
	if (s3end - s3 > 3) { /* s3-REGION (legacy dash form) */
		size_t rl = s3end - s3 - 3;
		if (rl >= sizeof(u->region))
			rl = sizeof(u->region) - 1;
		memcpy(u->region, h + s3 + 3, rl);
		u->region[rl] = '\0';
		if (!strcmp(u->region, "external-1"))
			jd_strlcpy(u->region, "us-east-1", sizeof(u->region));
		else if (!strcmp(u->region, "accelerate"))
			u->region[0] = '\0';
		rest = s3end;
	} else {
		rest = s3end;
		if (rest < n && n - rest > 11 && !memcmp(h + rest, ".dualstack.", 11))
			rest += 10;
		if (rest < n) {
			size_t rl = n - rest - 1;
			if (rl >= sizeof(u->region) || memchr(h + rest + 1, '.', rl)) {
				snip(q, sizeof(q), h, n, 64);
				return problem(p, 0, "'%s.amazonaws.com' is not an S3 endpoint", q);
			}
			memcpy(u->region, h + rest + 1, rl);
			u->region[rl] = '\0';
			rest = n;
		}
	}
	if (rest != n && s3end - s3 > 3) {
		snip(q, sizeof(q), h, n, 64);
		return problem(p, 0, "'%s.amazonaws.com' is not an S3 endpoint", q);
	}
	if (u->region[0] && !valid_region(u->region))
		return problem(p, 0, "'%s' in the S3 host is not an AWS region", u->region);
	if (s3 > 0) {
		size_t bl = s3 - 1;
		u->virtual_hosted = 1;
		if (bucket_problem(h, bl)) {
			snip(q, sizeof(q), h, bl, 64);
			return problem(p, 0,
				       "bucket name '%s' is not valid (3 to 63 of a-z 0-9 . -, "
				       "starting and ending with a letter or digit)",
				       q);
		}
		memcpy(u->bucket, h, bl);
		u->bucket[bl] = '\0';
	}
	return 0;
}

static int check_key(const char *s, size_t len, size_t k, int encoded, int allow_local,
		     struct jd_s3_url *u, struct jd_ph_problem *p)
{
	size_t i;
	int warn = 0;

	u->key = k;
	for (i = k; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '$' && i + 1 < len && s[i + 1] == '{' && allow_local) {
			while (i < len && s[i] != '}')
				i++;
			continue;
		}
		if (c == '?') {
			if (ci_prefix(s + i, len - i, "?versionId="))
				return problem(
					p, i,
					encoded	      ? "a v2 URL takes '?versionId=' "
							"percent-encoded: write '%%3FversionId%%3D'"
					: allow_local ? "an upload URL takes no versionId"
						      : "aws:iot:s3-presigned-url: (v1) has no "
							"versionId: "
							"use aws:iot:s3-presigned-url-v2: with "
							"'%%3FversionId%%3D'");
			return problem(p, i, "'?' in the object key must be written %%3F");
		}
		if (c == '#')
			return problem(p, i, "'#' in the object key must be written %%23");
		if (c == '%') {
			if (i + 2 >= len || !is_hex(s[i + 1]) || !is_hex(s[i + 2]))
				return problem(p, i, "'%%' is not followed by two hex digits");
			if (ci_prefix(s + i, len - i, "%3F")) {
				size_t v;
				if (!ci_prefix(s + i, len - i, "%3FversionId%3D"))
					return problem(p, i,
						       "only '%%3FversionId%%3D' may follow the "
						       "object key");
				if (!encoded)
					return problem(
						p, i,
						allow_local
							? "an upload URL takes no versionId"
							: "'%%3FversionId%%3D' is the v2 form: use "
							  "aws:iot:s3-presigned-url-v2:");
				u->keylen = i - k;
				v = i + 15;
				if (v == len)
					return problem(p, i, "versionId is empty");
				for (i = v; i < len; i++)
					if (!is_name_char((unsigned char)s[i]) && s[i] != '.' &&
					    s[i] != '%' && s[i] != '~')
						return problem(p, i,
							       "versionId has a character that "
							       "must be percent-encoded");
				u->version = v;
				u->versionlen = len - v;
				break;
			}
			if (!encoded && !warn) {
				char q[8];
				snip(q, sizeof(q), s + i, 3, 3);
				warn = 1;
				problem(p, i,
					"'%s' in a v1 URL: v1 takes the S3 URL unencoded, so S3 "
					"sees a literal '%s' in the key",
					q, q);
			}
			i += 2;
			continue;
		}
		if (encoded &&
		    !(is_name_char(c) || c == '.' || c == '~' || c == '/' || c == '!' || c == '$' ||
		      c == '&' || c == '\'' || c == '(' || c == ')' || c == '*' || c == '+' ||
		      c == ',' || c == ';' || c == '=' || c == ':' || c == '@')) {
			char q[8];
			if (c >= 0x80 || c < 0x20 || c == 0x7f) {
				return problem(
					p, i,
					"byte 0x%02X in the object key must be percent-encoded "
					"in a v2 URL",
					c);
			}
			q[0] = (char)c;
			q[1] = '\0';
			return problem(p, i,
				       "'%s' in the object key must be percent-encoded in a v2 URL "
				       "(%%%02X)",
				       q, c);
		}
		if (!encoded && (c < 0x20 || c == 0x7f))
			return problem(p, i, "control character 0x%02X in the object key", c);
	}
	if (!u->version)
		u->keylen = len - k;
	if (!u->keylen)
		return problem(p, k, "the URL names no object key");
	return warn;
}

int jd_ph_s3_url(const char *s, size_t len, int encoded, int allow_local, struct jd_s3_url *u,
		 struct jd_ph_problem *p)
{
	size_t h = 8, he, hn, path;
	char q[96];

	memset(u, 0, sizeof(*u));
	if (len < 8 || memcmp(s, "https://", 8)) {
		snip(q, sizeof(q), s, len, 64);
		if (len >= 7 && !memcmp(s, "http://", 7))
			return problem(p, 0, "'%s': presigned URLs are https:// URLs", q);
		if (len >= 5 && !memcmp(s, "s3://", 5))
			return problem(p, 0,
				       "'%s' is an s3:// URI: write the object URL "
				       "https://s3.REGION.amazonaws.com/BUCKET/KEY",
				       q);
		return problem(p, 0,
			       "'%s' is not an S3 object URL (https://s3.REGION.amazonaws.com/"
			       "BUCKET/KEY or https://BUCKET.s3.REGION.amazonaws.com/KEY)",
			       q);
	}
	for (he = h; he < len && s[he] != '/'; he++) {
		if (s[he] == '$' && he + 1 < len && s[he + 1] == '{')
			return problem(p, he,
				       "local placeholders are not allowed in the bucket name");
		if (s[he] == '?' || s[he] == '%' || s[he] == '#')
			break;
	}
	hn = he - h;
	if (hn > 17 && !memcmp(s + he - 17, ".amazonaws.com.cn", 17)) {
		hn -= 17;
	} else if (hn > 14 && !memcmp(s + he - 14, ".amazonaws.com", 14)) {
		hn -= 14;
	} else {
		snip(q, sizeof(q), s + h, he - h, 64);
		return problem(p, h, "'%s' is not an S3 endpoint (*.amazonaws.com)", q);
	}
	{
		size_t i;
		for (i = h; i < h + hn; i++) {
			if (s[i] >= 'A' && s[i] <= 'Z') {
				snip(q, sizeof(q), s + h, he - h, 64);
				return problem(p, i,
					       "'%s': S3 bucket names and hosts are lowercase", q);
			}
		}
	}
	if (parse_host(s + h, hn, u, p) < 0) {
		p->off += h;
		return -1;
	}
	if (he >= len || s[he] != '/')
		return problem(p, he < len ? he : len, "the URL names no object key");
	path = he + 1;
	if (!u->virtual_hosted) {
		size_t b = path, e = path;
		while (e < len && s[e] != '/' && s[e] != '?' && s[e] != '%')
			e++;
		if (e < len && s[e] == '$')
			return problem(p, e,
				       "local placeholders are not allowed in the bucket name");
		if (bucket_problem(s + b, e - b)) {
			if (e - b >= 2 && s[b] == '$' && s[b + 1] == '{')
				return problem(
					p, b,
					"local placeholders are not allowed in the bucket name");
			snip(q, sizeof(q), s + b, e - b, 64);
			return problem(p, b,
				       "bucket name '%s' is not valid (3 to 63 of a-z 0-9 . -, "
				       "starting and ending with a letter or digit)",
				       q);
		}
		memcpy(u->bucket, s + b, e - b);
		u->bucket[e - b] = '\0';
		if (e >= len || s[e] != '/')
			return problem(p, e, "the URL names no object key");
		path = e + 1;
	}
	return check_key(s, len, path, encoded, allow_local, u, p);
}

/* ---- package placeholders ---- */

static int check_package(const char *s, const struct jd_ph *ph, int whole, struct jd_ph_problem *p)
{
	const char *a = s + ph->arg;
	size_t n = ph->arglen, i, c1, c2, vb;
	char q[96];

	snip(q, sizeof(q), s + ph->start, ph->end - ph->start, 72);
	for (c1 = 0; c1 < n && a[c1] != ':'; c1++)
		if (!is_name_char((unsigned char)a[c1]) && a[c1] != '.')
			return problem(p, ph->arg + c1, "package name in '%s' is not valid", q);
	if (c1 > 128)
		return problem(p, ph->arg, "package name in '%s' is longer than 128", q);
	if (c1 == n || n - c1 < 9 || memcmp(a + c1, ":version:", 9))
		return problem(p, ph->start,
			       "'%s' is not a package placeholder: "
			       "${aws:iot:package:PKG:version:VER:attributes[:KEY]} or "
			       "...:artifact-location:s3-presigned-url",
			       q);
	vb = c1 + 9;
	for (c2 = vb; c2 < n && a[c2] != ':'; c2++)
		;
	if (c2 == n)
		return problem(p, ph->start, "'%s' names no attributes or artifact-location", q);
	if (!(c2 - vb == 8 && !memcmp(a + vb, "$default", 8))) {
		if (c2 - vb > 64)
			return problem(p, ph->arg + vb, "version name in '%s' is longer than 64",
				       q);
		for (i = vb; i < c2; i++)
			if (!is_name_char((unsigned char)a[i]) && a[i] != '.')
				return problem(p, ph->arg + i, "version name in '%s' is not valid",
					       q);
	}
	if ((c1 == 0) != (c2 == vb))
		return problem(p, ph->start,
			       "'%s': the package and version names are both given or both "
			       "empty (empty: taken from destinationPackageVersions)",
			       q);
	i = c2 + 1;
	if (n - i == 10 && !memcmp(a + i, "attributes", 10)) {
		if (!whole)
			return problem(p, ph->start,
				       "'%s' stands for a JSON object: it must be the whole value, "
				       "with no text around it",
				       q);
		return 0;
	}
	if (n - i > 11 && !memcmp(a + i, "attributes:", 11)) {
		size_t k;
		if (n - i - 11 > 128)
			return problem(p, ph->arg + i, "attribute key in '%s' is too long", q);
		for (k = i + 11; k < n; k++)
			if (!is_name_char((unsigned char)a[k]) && a[k] != '.' && a[k] != ':')
				return problem(p, ph->arg + k, "attribute key in '%s' is not valid",
					       q);
		return 0;
	}
	if (n - i == 34 && !memcmp(a + i, "artifact-location:s3-presigned-url", 34))
		return 0;
	return problem(p, ph->arg + i,
		       "'%s': expected attributes, attributes:KEY or "
		       "artifact-location:s3-presigned-url after the version",
		       q);
}

int jd_ph_check(const char *s, const struct jd_ph *ph, const char *region, int whole,
		struct jd_ph_problem *p)
{
	struct jd_s3_url u;
	int r;

	if (ph->nparam)
		return 0; /* checked once the parameters are substituted */
	switch (ph->kind) {
	case JD_PH_PRESIGNED:
	case JD_PH_PRESIGNED_V2:
	case JD_PH_UPLOAD:
		r = jd_ph_s3_url(s + ph->arg, ph->arglen, ph->kind == JD_PH_PRESIGNED_V2,
				 ph->kind == JD_PH_UPLOAD, &u, p);
		if (r < 0 || r == 1) {
			p->off += ph->arg;
			return r;
		}
		if (!region || !region[0] || !u.region[0] || !strcmp(region, u.region))
			return 0;
		if (ph->kind == JD_PH_UPLOAD)
			return problem(p, ph->arg,
				       "bucket '%s' is in %s, the job in %s: AWS refuses "
				       "cross-region buckets in upload placeholders",
				       u.bucket, u.region, region);
		problem(p, ph->arg,
			"bucket '%s' is in %s, the job in %s: check that devices can fetch a "
			"URL presigned across regions",
			u.bucket, u.region, region);
		return 1;
	case JD_PH_PACKAGE: return check_package(s, ph, whole, p);
	case JD_PH_PARAMETER:
	case JD_PH_OTHER: break;
	}
	return 0;
}
