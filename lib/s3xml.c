/*
 * Tag-search XML for S3 answers; see s3xml.h for what it is not.
 */
#include "s3xml.h"

#include <stdio.h>
#include <string.h>

#include "internal.h"

/* Is [p, end) at "<tag" or "<ns:tag" followed by '>' , '/' or space? Sets *after. */
static int open_tag_at(const char *p, const char *end, const char *tag, size_t tl,
		       const char **after)
{
	const char *q = p + 1, *name = q;

	while (q < end && *q != '>' && *q != '/' && *q != ' ' && *q != '\t' && *q != '\r' &&
	       *q != '\n')
		q++;
	if (q >= end)
		return 0;
	for (const char *c = name; c < q; c++)
		if (*c == ':')
			name = c + 1;
	if ((size_t)(q - name) != tl || memcmp(name, tag, tl) != 0)
		return 0;
	*after = q;
	return 1;
}

const char *jd_xml_next(const char *p, const char *end, const char *tag, const char **content,
			size_t *len)
{
	size_t tl = strlen(tag);

	if (!p || !tag || !tl)
		return NULL;
	while (p < end) {
		const char *lt = memchr(p, '<', (size_t)(end - p)), *q, *gt;

		if (!lt)
			return NULL;
		if (!open_tag_at(lt, end, tag, tl, &q)) {
			p = lt + 1;
			continue;
		}
		gt = memchr(q, '>', (size_t)(end - q));
		if (!gt)
			return NULL;
		if (gt > q && gt[-1] == '/') { /* <tag/>: empty */
			*content = gt + 1;
			*len = 0;
			return gt + 1;
		}
		/* the matching close tag: the first </tag> or </ns:tag> after it */
		for (const char *c = gt + 1; c < end; c++) {
			const char *lt2 = memchr(c, '<', (size_t)(end - c)), *n, *e;

			if (!lt2 || lt2 + 1 >= end)
				return NULL;
			c = lt2;
			if (lt2[1] != '/')
				continue;
			n = lt2 + 2;
			e = memchr(n, '>', (size_t)(end - n));
			if (!e)
				return NULL;
			for (const char *k = n; k < e; k++)
				if (*k == ':')
					n = k + 1;
			if ((size_t)(e - n) == tl && memcmp(n, tag, tl) == 0) {
				*content = gt + 1;
				*len = (size_t)(lt2 - (gt + 1));
				return e + 1;
			}
		}
		return NULL;
	}
	return NULL;
}

/* One entity at p (p[0] == '&'): its decoding into dec, its length in *used; 0 if invalid. */
static size_t entity(const char *p, const char *end, char dec[4], size_t *used)
{
	static const struct {
		const char *name;
		char c;
	} named[] = {{"amp;", '&'}, {"lt;", '<'}, {"gt;", '>'}, {"quot;", '"'}, {"apos;", '\''}};
	const char *semi = memchr(p, ';', (size_t)(end - p) < 12 ? (size_t)(end - p) : 12);
	unsigned long cp = 0;
	const char *q;

	if (!semi)
		return 0;
	for (size_t i = 0; i < JD_ARRAY_SIZE(named); i++) {
		size_t nl = strlen(named[i].name);
		if ((size_t)(semi + 1 - (p + 1)) == nl && !memcmp(p + 1, named[i].name, nl)) {
			dec[0] = named[i].c;
			*used = nl + 1;
			return 1;
		}
	}
	if (p + 2 >= semi || p[1] != '#')
		return 0;
	q = p + 2;
	if (*q == 'x' || *q == 'X') {
		if (++q == semi)
			return 0;
		for (; q < semi; q++) {
			int d = (*q >= '0' && *q <= '9')   ? *q - '0'
				: (*q >= 'a' && *q <= 'f') ? *q - 'a' + 10
				: (*q >= 'A' && *q <= 'F') ? *q - 'A' + 10
							   : -1;
			if (d < 0)
				return 0;
			cp = cp * 16 + (unsigned long)d;
		}
	} else {
		for (; q < semi; q++) {
			if (*q < '0' || *q > '9')
				return 0;
			cp = cp * 10 + (unsigned long)(*q - '0');
		}
	}
	if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	*used = (size_t)(semi + 1 - p);
	return jd_utf8_put(dec, cp);
}

void jd_xml_decode(const char *p, size_t n, char *out, size_t size)
{
	const char *end = p + n;
	size_t o = 0;

	if (!size)
		return;
	while (p < end) {
		char dec[4];
		size_t used = 1, dl = 0;

		if (*p == '&')
			dl = entity(p, end, dec, &used);
		if (!dl) {
			dec[0] = *p;
			dl = 1;
			used = 1;
		}
		if (o + dl >= size)
			break;
		memcpy(out + o, dec, dl);
		o += dl;
		p += used;
	}
	out[o] = '\0';
}

int jd_xml_text(const char *p, size_t n, const char *tag, char *out, size_t size)
{
	const char *c;
	size_t len;

	if (size)
		out[0] = '\0';
	if (!p || !jd_xml_next(p, p + n, tag, &c, &len))
		return 0;
	jd_xml_decode(c, len, out, size);
	return 1;
}

int jd_s3xml_error_parse(const char *body, size_t len, struct jd_s3xml_error *e)
{
	const char *c;
	size_t n;

	memset(e, 0, sizeof(*e));
	if (!body || !jd_xml_next(body, body + len, "Error", &c, &n))
		return 0;
	if (!jd_xml_text(c, n, "Code", e->code, sizeof(e->code)) || !e->code[0]) {
		memset(e, 0, sizeof(*e));
		return 0;
	}
	jd_xml_text(c, n, "Message", e->message, sizeof(e->message));
	jd_xml_text(c, n, "RequestId", e->request_id, sizeof(e->request_id));
	if (!jd_xml_text(c, n, "Key", e->resource, sizeof(e->resource)) &&
	    !jd_xml_text(c, n, "BucketName", e->resource, sizeof(e->resource)))
		jd_xml_text(c, n, "Resource", e->resource, sizeof(e->resource));
	return 1;
}

static void sanitize(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

void jd_s3xml_error_format(const struct jd_s3xml_error *e, char *out, size_t size)
{
	if (!size)
		return;
	if (e->message[0] && e->request_id[0])
		snprintf(out, size, "%s: %s (RequestId %s)", e->code, e->message, e->request_id);
	else if (e->message[0])
		snprintf(out, size, "%s: %s", e->code, e->message);
	else if (e->request_id[0])
		snprintf(out, size, "%s (RequestId %s)", e->code, e->request_id);
	else
		snprintf(out, size, "%s", e->code);
	sanitize(out);
}
