/*
 * The templater's source places (template-int.h): the JSON pointer of the
 * string being rendered, the line and column of a byte inside a scalar as
 * written (read back from the source file, escapes and literal blocks
 * counted), and the error and warning messages that carry them.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "internal.h"
#include "template-int.h"

const char *jd_tpl_cur_ptr(struct jd_render *r)
{
	size_t i;

	jd_buf_reset(&r->ptr);
	if (jd_buf_adds(&r->ptr, r->prefix ? r->prefix : "", NULL) < 0)
		return "";
	for (i = 0; i < r->depth; i++) {
		int x = r->path[i].key ? jd_pointer_push(&r->ptr, r->path[i].key,
							 strlen(r->path[i].key), NULL)
				       : jd_pointer_push_index(&r->ptr, r->path[i].idx, NULL);
		if (x < 0)
			break;
	}
	return r->ptr.data ? r->ptr.data : "";
}

static void load_source(struct jd_render *r, const char *name)
{
	struct jd_buf b = JD_BUF_INIT(JD_INPUT_MAX);
	struct jd_error e;

	if (r->src_tried && r->srcname == name)
		return;
	free(r->src);
	r->src = NULL;
	r->src_tried = 1;
	r->srcname = name;
	if (!name || !strcmp(name, "-"))
		return;
	jd_error_clear(&e);
	if (jd_read_file(name, JD_INPUT_MAX, &b, &e) < 0) {
		jd_buf_release(&b);
		return;
	}
	r->src = jd_buf_detach(&b, &r->srclen);
}

static size_t hexval(const char *s, size_t n)
{
	size_t v = 0, i;

	for (i = 0; i < n; i++) {
		char c = s[i];
		v = v * 16 + (size_t)(c >= '0' && c <= '9'   ? c - '0'
				      : c >= 'a' && c <= 'f' ? c - 'a' + 10
				      : c >= 'A' && c <= 'F' ? c - 'A' + 10
							     : 0);
	}
	return v;
}

static size_t utf8_len(size_t cp)
{
	return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/*
 * The line:col of byte off of the string value s, written as a scalar at
 * line:col of text t. Handles plain one-line scalars, single- and
 * double-quoted ones on one line (escapes counted), and literal blocks.
 * Returns -1 when the source cannot tell (folding, tags, changed files).
 */
static int scalar_pos(const char *t, size_t tlen, unsigned line, unsigned col, const char *s,
		      size_t slen, size_t off, unsigned *ol, unsigned *oc)
{
	size_t i = 0, d = 0, k, indent = 0;
	unsigned l = 1, c;
	char q;

	while (l < line) {
		const char *nl = memchr(t + i, '\n', tlen - i);
		if (!nl)
			return -1;
		i = (size_t)(nl - t) + 1;
		l++;
	}
	for (c = 1; c < col; c++) {
		if (i >= tlen || t[i] == '\n')
			return -1;
		k = jd_utf8_seq((const unsigned char *)t + i, tlen - i);
		i += k ? k : 1;
	}
	if (i >= tlen)
		return -1;
	q = t[i];
	if (q == '"' || q == '\'') {
		i++;
		c++;
		while (d < off) {
			if (i >= tlen || t[i] == '\n' || t[i] == '\r')
				return -1;
			if (q == '"' && t[i] == '"')
				return -1;
			if (q == '"' && t[i] == '\\') {
				size_t sl = 2, dl = 1;
				if (i + 1 >= tlen)
					return -1;
				switch (t[i + 1]) {
				case 'x':
					sl = 4;
					dl = utf8_len(hexval(t + i + 2, 2));
					break;
				case 'u': {
					size_t cp = i + 6 <= tlen ? hexval(t + i + 2, 4) : 0;
					sl = 6;
					dl = utf8_len(cp);
					if (cp >= 0xD800 && cp < 0xDC00) {
						sl = 12;
						dl = 4;
					}
					break;
				}
				case 'U':
					sl = 10;
					dl = 4;
					break;
				case 'N':
				case '_': dl = 2; break;
				case 'L':
				case 'P': dl = 3; break;
				case '\n':
				case '\r': return -1;
				default: break;
				}
				if (d + dl > off)
					return -1;
				d += dl;
				i += sl;
				c += (unsigned)sl;
				continue;
			}
			if (q == '\'' && t[i] == '\'') {
				if (i + 1 < tlen && t[i + 1] == '\'') {
					d++;
					i += 2;
					c += 2;
					continue;
				}
				return -1;
			}
			k = jd_utf8_seq((const unsigned char *)t + i, tlen - i);
			k = k ? k : 1;
			d += k;
			i += k;
			c++;
		}
	} else if (q == '|' || q == '>') {
		const char *nl = memchr(t + i, '\n', tlen - i);
		size_t j;
		if (!nl)
			return -1;
		i = (size_t)(nl - t) + 1;
		l++;
		for (j = i; j < tlen && t[j] == ' '; j++)
			indent++;
		i += indent;
		c = (unsigned)indent + 1;
		while (d < off) {
			if (i >= tlen)
				return -1;
			if (t[i] == '\n') {
				size_t sp = 0;
				if (q == '>')
					return -1;
				d++;
				i++;
				l++;
				while (sp < indent && i < tlen && t[i] == ' ') {
					sp++;
					i++;
				}
				c = (unsigned)sp + 1;
				continue;
			}
			k = jd_utf8_seq((const unsigned char *)t + i, tlen - i);
			k = k ? k : 1;
			d += k;
			i += k;
			c++;
		}
	} else if (q != '!' && q != '&' && q != '*' && q != '[' && q != '{') {
		while (d < off) {
			if (i >= tlen || t[i] == '\n' || t[i] == '\r')
				return -1;
			k = jd_utf8_seq((const unsigned char *)t + i, tlen - i);
			k = k ? k : 1;
			d += k;
			i += k;
			c++;
		}
	} else {
		return -1;
	}
	if (d != off || (off < slen && (i >= tlen || (t[i] != s[off] && t[i] != '\\'))))
		return -1;
	*ol = l;
	*oc = c;
	return 0;
}

/*
 * Fills e's place for byte off of string s (slen bytes) at pointer ptr of
 * w (a member key when key), or of w's raw text.
 */
void jd_tpl_place_at(struct jd_render *r, const struct where *w, const char *ptr, int key,
		     const char *s, size_t slen, size_t off, struct jd_error *e)
{
	if (w->raw) {
		unsigned line = 1, col = 1;
		size_t i = 0;
		while (i < off && i < w->rawlen) {
			size_t k;
			if (w->raw[i] == '\n') {
				line++;
				col = 1;
				i++;
				continue;
			}
			k = jd_utf8_seq((const unsigned char *)w->raw + i, w->rawlen - i);
			i += k ? k : 1;
			col++;
		}
		jd_error_place(e, w->rawname, line, col, "");
		return;
	}
	if (!w->doc) {
		jd_error_place(e, "", 0, 0, ptr ? ptr : "");
		return;
	}
	jd_doc_place(w->doc, ptr ? ptr : "", key, e);
	jd_strlcpy(e->pointer, ptr ? ptr : "", sizeof(e->pointer));
	if (!key && s && e->line) {
		struct jd_pos pos;
		unsigned l, c;
		if (jd_srcmap_find(w->doc->map, ptr ? ptr : "", &pos) != 0)
			return;
		load_source(r, w->doc->name);
		if (r->src &&
		    scalar_pos(r->src, r->srclen, pos.line, pos.col, s, slen, off, &l, &c) == 0) {
			e->line = l;
			e->col = c;
		}
	}
}

int jd_tpl_fail_at(struct jd_render *r, const struct cur *c, size_t off, const char *fmt, ...)
{
	va_list ap;
	const char *ptr = c->ptr ? c->ptr : jd_tpl_cur_ptr(r);

	jd_error_clear(r->err);
	r->err->code = JD_EINVALID;
	jd_tpl_place_at(r, c->w, ptr, c->key, c->s, c->slen, off, r->err);
	va_start(ap, fmt);
	vsnprintf(r->err->msg, sizeof(r->err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int jd_tpl_warn_at(struct jd_render *r, const struct cur *c, size_t off, const char *rule,
		   const char *fmt, ...)
{
	struct jd_error e;
	struct jd_finding f;
	va_list ap;

	if (!r->on_finding)
		return 0;
	jd_error_clear(&e);
	if (c)
		jd_tpl_place_at(r, c->w, c->ptr ? c->ptr : jd_tpl_cur_ptr(r), c->key, c->s, c->slen,
				off, &e);
	else if (r->wspec.doc)
		jd_strlcpy(e.input, r->wspec.doc->name, sizeof(e.input));
	else if (r->wdoc.doc || r->wdoc.raw)
		jd_strlcpy(e.input, r->wdoc.doc ? r->wdoc.doc->name : r->wdoc.rawname,
			   sizeof(e.input));
	va_start(ap, fmt);
	vsnprintf(e.msg, sizeof(e.msg), fmt, ap);
	va_end(ap);
	f.severity = JD_SEV_WARNING;
	f.rule = rule;
	f.input = e.input;
	f.line = e.line;
	f.col = e.col;
	f.pointer = c && e.pointer[0] ? e.pointer : NULL;
	f.keyword = NULL;
	f.message = e.msg;
	r->on_finding(r->fctx, &f);
	return 0;
}
