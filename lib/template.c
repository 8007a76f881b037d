/*
 * The templater: rendering specs and documents (template.h).
 *
 * NEEDSWORK: this file is past the ~1000 lines STYLE.md asks for; the seams
 * are source places (scalar_pos, place_at), text documents
 * (render_text_str and friends) and managed templates (check_managed,
 * managed_preview), which need the render's state in an internal header.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "internal.h"
#include "jsonparse.h"
#include "json.h"
#include "managed.h"
#include "placeholder.h"
#include "template.h"

#define DOC_MAX_CHARS	32768
#define PARAM_VALUE_MAX 30720 /* CreateJob documentParameters value */

/* Where the strings being rendered were written. */
struct where {
	const struct jd_doc *doc; /* tree: places from its source map */
	const char *raw;	  /* or raw text: places by counting lines */
	size_t rawlen;
	const char *rawname;
	int in_doc; /* inside the job document (AWS resolves placeholders there) */
};

struct seg {
	const char *key; /* NULL: an array index */
	size_t idx;
};

/* A parameter seen in this render: declared, used, or both. */
struct rparam {
	const char *name; /* own_name, or a declaration's key (the spec outlives the render) */
	char *own_name;
	size_t nlen;
	const json_t *decl; /* borrowed from the spec, or NULL */
	const char *type;
	pcre2_code *re;
	int re_own;	  /* re is this render's (else the shared cache's) */
	json_t *value;	  /* resolved (owned), NULL until then */
	const char *from; /* where value came from; NULL: params entry vidx (from_of) */
	long vidx;
	long look; /* jd_params_index() of name when looked up ahead (load_decls), else -2 */
	int resolved, used;
};

struct use {
	size_t param;	       /* index into r->p, or (size_t)-1 for an AWS placeholder */
	const struct where *w; /* borrowed from r */
	char *ptr;	       /* pointer of the string (owned), NULL for raw text */
	const char *s;	       /* the string as written (borrowed) */
	size_t slen, off, end; /* the placeholder's bytes in s */
	int key;	       /* in a member key */
	enum jd_ph_kind kind;
};

struct jd_render {
	const struct jd_params *params;
	int keep;
	jd_finding_fn on_finding;
	void *fctx;
	struct jd_error *err;
	char region[32];
	size_t budget, url_bytes;

	const json_t *decls; /* the spec's parameters: (borrowed) */
	struct rparam *p;
	size_t np, palloc;
	const json_t *managed_values; /* documentParameters while previewing */
	const json_t *managed_tpl;
	const json_t *managed_dp; /* documentParameters (borrowed from the spec) */
	char managed_name[160];

	struct use *uses;
	size_t nuses, auses;

	struct where wspec, wdoc, wtext;
	struct seg *path;
	size_t depth, apath;
	const char *prefix; /* pointer prefix of the current tree */
	struct jd_buf ptr;
	struct jd_buf scratch; /* render_string()'s text */
	struct jd_ph *phs;
	size_t nph, aph;

	char *src; /* the source file, read for columns on demand */
	size_t srclen;
	int src_tried;
	const char *srcname;

	/* results */
	json_t *root;		/* rendered spec root (owned), NULL for a document */
	json_t *before, *after; /* the document trees (owned) */
	char *text_before;	/* text documents (owned copies) */
	char *text_after;
	size_t text_before_len, text_after_len;
	int is_text, has_doc, managed;
	int expanded;	/* rendering a string made by expand_nested(): not the source */
	char *doc_json; /* the rendered tree as compact JSON, when made */
	int validating; /* validation follows: it checks documentParameters itself */
	int in_place;	/* the spec's tree is rendered where it is (walk()) */
	/*
	 * A spec's document: its package placeholders name package versions of
	 * destinationPackageVersions (borrowed, NULL when the spec has none).
	 */
	int spec_doc;
	const json_t *dpv;
	pcre2_match_data *md; /* for the regexes: re_match() */
	size_t chars, device_bytes, npresigned;
};

static void ptrs_init(struct jd_render *r)
{
	jd_buf_init(&r->ptr, (size_t)1 << 16);
	jd_buf_init(&r->scratch, (size_t)1 << 26);
}

/* ---- places ---- */

static const char *cur_ptr(struct jd_render *r)
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
static void place_at(struct jd_render *r, const struct where *w, const char *ptr, int key,
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

/* The string being rendered now: for messages. */
struct cur {
	const struct where *w;
	const char *ptr; /* NULL: compute from the path when needed */
	int key;
	const char *s;
	size_t slen;
};

static int fail_at(struct jd_render *r, const struct cur *c, size_t off, const char *fmt, ...)
	JD_PRINTF(4, 5);
static int fail_at(struct jd_render *r, const struct cur *c, size_t off, const char *fmt, ...)
{
	va_list ap;
	const char *ptr = c->ptr ? c->ptr : cur_ptr(r);

	jd_error_clear(r->err);
	r->err->code = JD_EINVALID;
	place_at(r, c->w, ptr, c->key, c->s, c->slen, off, r->err);
	va_start(ap, fmt);
	vsnprintf(r->err->msg, sizeof(r->err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

static int warn_at(struct jd_render *r, const struct cur *c, size_t off, const char *rule,
		   const char *fmt, ...) JD_PRINTF(5, 6);
static int warn_at(struct jd_render *r, const struct cur *c, size_t off, const char *rule,
		   const char *fmt, ...)
{
	struct jd_error e;
	struct jd_finding f;
	va_list ap;

	if (!r->on_finding)
		return 0;
	jd_error_clear(&e);
	if (c)
		place_at(r, c->w, c->ptr ? c->ptr : cur_ptr(r), c->key, c->s, c->slen, off, &e);
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

/* ---- declarations ---- */

static const char *const decl_keys[] = {"description", "regex",	  "example",
					"optional",    "default", "type"};
enum { K_DESCRIPTION, K_REGEX, K_EXAMPLE, K_OPTIONAL, K_DEFAULT, K_TYPE };
static const char *const types[] = {"string", "number", "integer", "boolean", "object", "array"};

static struct rparam *param_find(struct jd_render *r, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < r->np; i++)
		if (r->p[i].nlen == len && !memcmp(r->p[i].name, name, len))
			return &r->p[i];
	return NULL;
}

/* A parameter named name[0..len) (copied unless keep: a NUL-terminated name that lives on). */
static struct rparam *param_add(struct jd_render *r, const char *name, size_t len, int keep)
{
	struct rparam *p;

	if (r->np == r->palloc) {
		size_t n = r->palloc ? r->palloc * 2 : 8;
		p = realloc(r->p, n * sizeof(*p));
		if (!p)
			return NULL;
		r->p = p;
		r->palloc = n;
	}
	p = &r->p[r->np];
	memset(p, 0, sizeof(*p));
	p->vidx = -1;
	p->look = -2;
	p->nlen = len;
	p->name = keep ? name : (p->own_name = jd_strndup(name, len));
	if (!p->name)
		return NULL;
	r->np++;
	return p;
}

/*
 * Compiled regexes (declarations' and the managed templates'), shared by the
 * renders of a process and their threads: a pattern is compiled once, the
 * specs of a run mostly repeat a few. A compiled PCRE2 pattern is read-only
 * when matched. Failures are kept too (a managed template's (.){0,4096} is
 * too large for PCRE2). Past RE_CACHE_MAX patterns, each use compiles its own.
 */
#define RE_CACHE_MAX 256
static pthread_mutex_t re_lock = PTHREAD_MUTEX_INITIALIZER;
static struct re_entry {
	char *pat;
	pcre2_code *re; /* NULL: does not compile, ec at eo */
	int ec;
	size_t eo;
} re_cache[RE_CACHE_MAX];
static size_t re_ncache;

static pcre2_code *compile_re(const char *pat, int *ec, size_t *eo)
{
	const uint32_t opts = PCRE2_UTF | PCRE2_ANCHORED | PCRE2_ENDANCHORED;
	PCRE2_SIZE o = 0;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, opts, ec, &o, NULL);

	/*
	 * AWS's managed templates publish (.){0,4096}: PCRE2 copies a capturing
	 * group once per repeat and finds it too large. Only whether it matches
	 * matters here, so the groups may as well not capture.
	 */
	if (!re && *ec == PCRE2_ERROR_PATTERN_TOO_LARGE)
		re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED,
				   opts | PCRE2_NO_AUTO_CAPTURE, ec, &o, NULL);
	*eo = o;
	return re;
}

/*
 * pat compiled: NULL when it does not compile, with PCRE2's message in why
 * and the offset in *at. *own: the caller frees the result (cache full).
 */
static pcre2_code *re_get(const char *pat, int *own, char *why, size_t size, size_t *at)
{
	struct re_entry e = {NULL, NULL, 0, 0};
	size_t i;

	*own = 0;
	pthread_mutex_lock(&re_lock);
	for (i = 0; i < re_ncache; i++)
		if (!strcmp(re_cache[i].pat, pat))
			break;
	if (i == re_ncache) {
		e.re = compile_re(pat, &e.ec, &e.eo);
		e.pat = re_ncache < RE_CACHE_MAX ? jd_strndup(pat, strlen(pat)) : NULL;
		if (e.pat)
			re_cache[re_ncache++] = e;
		else
			*own = 1;
	} else {
		e = re_cache[i];
	}
	pthread_mutex_unlock(&re_lock);
	if (!e.re) {
		pcre2_get_error_message(e.ec, (PCRE2_UCHAR *)why, size);
		*at = e.eo;
	}
	return e.re;
}

/*
 * 1 when re matches all of s, 0 when not, -1 when the match failed (limits,
 * or no memory). The match data is the render's, made on first use.
 */
static int re_match(struct jd_render *r, const pcre2_code *re, const char *s, size_t n)
{
	int rc;

	if (!r->md && !(r->md = pcre2_match_data_create(1, NULL)))
		return -1;
	/* a match needs no captures: 0 (ovector too small) is a match too */
	rc = pcre2_match(re, (PCRE2_SPTR)s, n, 0, 0, r->md, NULL);
	if (rc >= 0)
		return 1;
	return rc == PCRE2_ERROR_NOMATCH ? 0 : -1;
}

/* The text a scalar value is spliced as, appended to b; -1 for objects and arrays. */
static int value_text(const json_t *v, struct jd_buf *b, struct jd_error *err)
{
	switch (json_typeof(v)) {
	case JSON_STRING: return jd_buf_add(b, json_string_value(v), json_string_length(v), err);
	case JSON_OBJECT:
	case JSON_ARRAY: return -1;
	default: return jd_json_dump(v, b, err); /* numbers, true, false, null: their JSON text */
	}
}

static const char *kind_of(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	}
	return "a value";
}

/*
 * v converted to type (NULL = any): a new reference, or NULL when it does
 * not convert. A string converts to any type whose JSON text it is.
 */
static json_t *coerce(const json_t *v, const char *type)
{
	if (!type)
		return json_incref((json_t *)v);
	if (!strcmp(type, "string")) {
		struct jd_buf b = JD_BUF_INIT((size_t)1 << 20);
		json_t *s = NULL;
		if (json_is_string(v))
			return json_incref((json_t *)v);
		if (json_is_object(v) || json_is_array(v) || json_is_null(v))
			return NULL;
		if (value_text(v, &b, NULL) == 0)
			s = json_stringn(b.data, b.len);
		jd_buf_release(&b);
		return s;
	}
	if (json_is_string(v)) {
		json_t *x;
		const char *s = json_string_value(v);
		size_t n = json_string_length(v);
		if (!n || s[0] == ' ' || s[n - 1] == ' ' || s[0] == '\t' || s[n - 1] == '\n')
			return NULL;
		x = jd_json_parse(s, n, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL);
		if (!x)
			return NULL;
		v = x;
		if (!coerce(x, type)) {
			json_decref(x);
			return NULL;
		}
		json_decref(x); /* the recursive call's reference holds it */
		return (json_t *)v;
	}
	if (!strcmp(type, "integer")) {
		if (json_is_integer(v))
			return json_incref((json_t *)v);
		return NULL;
	}
	if (!strcmp(type, "number"))
		return json_is_number(v) ? json_incref((json_t *)v) : NULL;
	if (!strcmp(type, "boolean"))
		return json_is_boolean(v) ? json_incref((json_t *)v) : NULL;
	if (!strcmp(type, "object"))
		return json_is_object(v) ? json_incref((json_t *)v) : NULL;
	if (!strcmp(type, "array"))
		return json_is_array(v) ? json_incref((json_t *)v) : NULL;
	return NULL;
}

/* Checks v (a new reference in *out when it converts) against p's type and regex. */
static int check_value(struct jd_render *r, struct rparam *p, const json_t *v, json_t **out,
		       char *why, size_t size)
{
	json_t *c = coerce(v, p->type);
	char q[80];
	struct jd_buf b = JD_BUF_INIT((size_t)1 << 20);

	*out = NULL;
	if (!c) {
		if (json_is_string(v)) {
			jd_strlcpy(q, json_string_value(v), 60);
			snprintf(why, size, "value '%s' of '%s' is not %s %s", q, p->name,
				 !strcmp(p->type, "integer") || !strcmp(p->type, "array") ||
						 !strcmp(p->type, "object")
					 ? "an"
					 : "a",
				 p->type);
		} else {
			snprintf(why, size, "value of '%s' is %s, not %s %s", p->name, kind_of(v),
				 !strcmp(p->type, "integer") || !strcmp(p->type, "array") ||
						 !strcmp(p->type, "object")
					 ? "an"
					 : "a",
				 p->type);
		}
		return -1;
	}
	if (p->re) {
		int m;
		if (value_text(c, &b, NULL) < 0) {
			snprintf(why, size, "value of '%s' is %s; a regex applies to text", p->name,
				 kind_of(c));
			json_decref(c);
			return -1;
		}
		m = re_match(r, p->re, b.data ? b.data : "", b.len);
		if (m != 1) {
			char re[80];
			size_t i;
			for (i = 0; i < b.len && i < 60; i++)
				q[i] = (unsigned char)b.data[i] < 0x20 ? '?' : b.data[i];
			q[i] = '\0';
			jd_strlcpy(re, json_string_value(json_object_get(p->decl, "regex")), 64);
			snprintf(why, size,
				 m == 0 ? "value '%s' of '%s' does not match '%s'"
					: "value '%s' of '%s': matching '%s' failed",
				 q, p->name, re);
			jd_buf_release(&b);
			json_decref(c);
			return -1;
		}
		jd_buf_release(&b);
	}
	*out = c;
	return 0;
}

static int closest_decl(struct jd_render *r, const char *name, const char **best)
{
	const char *names[64], *key;
	size_t n = 0;
	json_t *v;

	json_object_foreach((json_t *)r->decls, key, v)
	{
		if (n < JD_ARRAY_SIZE(names))
			names[n++] = key;
	}
	*best = jd_closest(name, names, n);
	return 0;
}

/*
 * The values of the declared parameters looked up at once: their lookups'
 * cache misses (a -P file may hold thousands of values) overlap instead of
 * coming one by one as the placeholders are met.
 */
static void look_ahead(struct jd_render *r)
{
	const char *names[16];
	long idx[16];
	size_t i, k;

	for (i = 0; i < r->np; i += k) {
		for (k = 0; k < JD_ARRAY_SIZE(names) && i + k < r->np; k++)
			names[k] = r->p[i + k].name;
		jd_params_lookup(r->params, names, k, idx);
		for (k = 0; k < JD_ARRAY_SIZE(names) && i + k < r->np; k++)
			r->p[i + k].look = idx[k];
	}
}

/* Reads and checks the spec's declarations (at /parameters of the spec). */
static int load_decls(struct jd_render *r, const json_t *decls)
{
	const char *name;
	json_t *d;
	struct cur c = {&r->wspec, NULL, 0, NULL, 0};

	r->decls = decls;
	r->prefix = "/parameters";
	json_object_foreach((json_t *)decls, name, d)
	{
		struct rparam *p;
		const char *k;
		json_t *m, *dv, *ex;

		r->path[0].key = name;
		r->depth = 1;
		if (!jd_ph_valid_name(name, strlen(name))) {
			c.key = 1;
			return fail_at(
				r, &c, 0,
				"'%.100s' is not a parameter name (1 to 128 of A-Z a-z 0-9 _ -)",
				name);
		}
		c.key = 0;
		if (!json_is_object(d) && !json_is_null(d))
			return fail_at(r, &c, 0,
				       "a declaration is a mapping of description, regex, example, "
				       "optional, default, type; not %s",
				       kind_of(d));
		p = param_add(r, name, strlen(name), 1);
		if (!p)
			return jd_error_oom(r->err);
		p->decl = d;
		dv = ex = NULL;
		json_object_foreach(d, k, m)
		{
			int ki = -1;
			size_t i;
			for (i = 0; i < JD_ARRAY_SIZE(decl_keys) && ki < 0; i++)
				if (!strcmp(k, decl_keys[i]))
					ki = (int)i;
			r->path[1].key = k;
			r->depth = 2;
			if (ki < 0) {
				const char *close =
					jd_closest(k, decl_keys, JD_ARRAY_SIZE(decl_keys));
				c.key = 1;
				if (close)
					return fail_at(
						r, &c, 0,
						"unknown key '%.100s' in a declaration; did you "
						"mean '%s'?",
						k, close);
				return fail_at(
					r, &c, 0,
					"unknown key '%.100s' in a declaration (description, "
					"regex, example, optional, default, type)",
					k);
			}
			c.key = 0;
			if (ki != K_DEFAULT && ki != K_OPTIONAL && !json_is_string(m))
				return fail_at(r, &c, 0, "'%s' must be a string, not %s", k,
					       kind_of(m));
			switch (ki) {
			case K_OPTIONAL:
				if (!json_is_boolean(m))
					return fail_at(r, &c, 0,
						       "'optional' must be true or false, not %s",
						       kind_of(m));
				break;
			case K_TYPE: {
				const char *t = json_string_value(m);
				for (i = 0; i < JD_ARRAY_SIZE(types); i++)
					if (!strcmp(t, types[i]))
						p->type = types[i];
				if (!p->type)
					return fail_at(
						r, &c, 0,
						"unknown type '%.60s' (string, number, integer, "
						"boolean, object, array)",
						t);
				break;
			}
			case K_REGEX: {
				char why[160];
				size_t at = 0;
				c.s = json_string_value(m);
				c.slen = json_string_length(m);
				p->re = re_get(c.s, &p->re_own, why, sizeof(why), &at);
				if (!p->re)
					return fail_at(r, &c, at,
						       "regex '%.80s' does not compile: %s", c.s,
						       why);
				c.s = NULL;
				break;
			}
			case K_DEFAULT: dv = m; break;
			case K_EXAMPLE: ex = m; break;
			default: break;
			}
		}
		if (dv) {
			json_t *out;
			char why[300];
			r->path[1].key = "default";
			r->depth = 2;
			if (check_value(r, p, dv, &out, why, sizeof(why)) < 0)
				return fail_at(r, &c, 0, "default: %s", why);
			json_decref(out);
		}
		if (ex && p->re && json_is_string(ex) &&
		    re_match(r, p->re, json_string_value(ex), json_string_length(ex)) != 1) {
			r->path[1].key = "example";
			r->depth = 2;
			warn_at(r, &c, 0, "template-declaration",
				"example '%.60s' does not match the regex of '%s'",
				json_string_value(ex), name);
		}
	}
	if (!r->keep && !r->managed_values)
		look_ahead(r);
	r->depth = 0;
	r->prefix = NULL;
	return 0;
}

/* ---- resolution ---- */

/* 1 when s (up to its NUL) holds "${", as strstr() says, without its setup. */
static int opens_placeholder(const char *s)
{
	while ((s = strchr(s, '$')) != NULL)
		if (*++s == '{')
			return 1;
	return 0;
}

/* Where p's value came from, for messages: a -p option, a -P file's place, "default". */
static const char *from_of(struct jd_render *r, const struct rparam *p)
{
	const char *o = NULL;

	if (p->from)
		return p->from;
	if (p->vidx >= 0)
		jd_params_entry(r->params, (size_t)p->vidx, NULL, &o);
	return o ? o : "";
}

static int scan_value(struct jd_render *r, struct rparam *p, const struct cur *c, size_t off);

/*
 * The value of the parameter named s[off+..] (len bytes) used at c/off:
 * p->value once resolved. In keep mode nothing is resolved.
 */
static struct rparam *resolve(struct jd_render *r, const struct cur *c, const char *name,
			      size_t len, size_t off)
{
	struct rparam *p = param_find(r, name, len);
	const json_t *v = NULL;
	const char *from = NULL;
	char why[300];
	long i;

	if (!p && r->decls) {
		const char *close;
		char nm[130];
		memcpy(nm, name, len);
		nm[len] = '\0';
		closest_decl(r, nm, &close);
		if (close)
			fail_at(r, c, off,
				"parameter '%s' is not declared under parameters:; did you mean "
				"'%s'?",
				nm, close);
		else
			fail_at(r, c, off, "parameter '%s' is not declared under parameters:", nm);
		return NULL;
	}
	if (!p) {
		p = param_add(r, name, len, 0);
		if (!p) {
			jd_error_oom(r->err);
			return NULL;
		}
	}
	p->used = 1;
	if (p->resolved || r->keep)
		return p;
	if (r->managed_values) {
		/*
		 * AWS's side of a managed template: documentParameters values,
		 * all strings. An optional parameter left out is assumed to become
		 * the empty string (aws-iot-jobs.md §4.2: unverified; the Device
		 * Client treats "" as unset for runAsUser and path).
		 */
		v = json_object_get(r->managed_values, p->name);
		p->value = v ? json_incref((json_t *)v) : json_string("");
		p->from = v ? "documentParameters" : "optional, not given";
		p->resolved = 1;
		return p->value ? p : (jd_error_oom(r->err), NULL);
	}
	i = p->look != -2 ? p->look : jd_params_index(r->params, p->name);
	if (i >= 0) {
		/* the origin is asked for only when a message names it: from_of() */
		jd_params_entry(r->params, (size_t)i, &v, NULL);
		jd_params_mark_used(r->params, (size_t)i);
		p->vidx = i;
	} else if ((v = json_object_get(p->decl, "default")) != NULL) {
		from = "default";
	} else if (json_is_true(json_object_get(p->decl, "optional"))) {
		p->value = json_string("");
		p->from = "optional, no value";
		p->resolved = 1;
		return p->value ? p : (jd_error_oom(r->err), NULL);
	} else {
		fail_at(r, c, off,
			"no value for parameter '%s': give -p %s=VALUE or -P FILE, or declare a "
			"default",
			p->name, p->name);
		return NULL;
	}
	p->from = from;
	if (check_value(r, p, v, &p->value, why, sizeof(why)) < 0) {
		fail_at(r, c, off, "%s (from %s)", why, from_of(r, p));
		return NULL;
	}
	p->resolved = 1;
	if (json_is_string(p->value) && opens_placeholder(json_string_value(p->value)) &&
	    scan_value(r, p, c, off) < 0)
		return NULL;
	return p;
}

/* A value holding placeholders: AWS's are checked, parameters are not substituted again. */
struct vscan {
	struct jd_render *r;
	struct rparam *p;
	const struct cur *c;
	size_t off;
};

static int on_value_ph(void *ctx, const char *s, const struct jd_ph *ph)
{
	struct vscan *vs = ctx;
	struct jd_ph_problem pr;
	int k;

	if (ph->kind == JD_PH_PARAMETER)
		return fail_at(vs->r, vs->c, vs->off,
			       "the value of '%s' (from %s) holds a parameter placeholder: values "
			       "are not substituted again",
			       vs->p->name, from_of(vs->r, vs->p));
	if (ph->kind == JD_PH_OTHER)
		return 0;
	k = jd_ph_check(s, ph, vs->r->region[0] ? vs->r->region : NULL,
			ph->start == 0 && ph->end == json_string_length(vs->p->value), &pr);
	if (k < 0)
		return fail_at(vs->r, vs->c, vs->off, "in the value of '%s' (from %s): %s",
			       vs->p->name, from_of(vs->r, vs->p), pr.msg);
	if (k > 0)
		warn_at(vs->r, vs->c, vs->off, "aws-placeholder", "in the value of '%s': %s",
			vs->p->name, pr.msg);
	return 0;
}

static int scan_value(struct jd_render *r, struct rparam *p, const struct cur *c, size_t off)
{
	struct vscan vs = {r, p, c, off};
	struct jd_ph_problem pr;
	int k = jd_ph_scan(json_string_value(p->value), json_string_length(p->value), on_value_ph,
			   &vs, &pr);

	if (k == -1 && !r->err->code)
		return fail_at(r, c, off, "in the value of '%s' (from %s): %s", p->name,
			       from_of(r, p), pr.msg);
	return k ? -1 : 0;
}

/* ---- scanning one string ---- */

static int collect(void *ctx, const char *s, const struct jd_ph *ph)
{
	struct jd_render *r = ctx;

	(void)s;
	if (r->nph == r->aph) {
		size_t n = r->aph ? r->aph * 2 : 8;
		struct jd_ph *x = realloc(r->phs, n * sizeof(*x));
		if (!x)
			return 2;
		r->phs = x;
		r->aph = n;
	}
	r->phs[r->nph++] = *ph;
	return 0;
}

static int record_use(struct jd_render *r, const struct cur *c, size_t param,
		      const struct jd_ph *ph)
{
	struct use *u;
	const char *ptr;

	if (!r->keep)
		return 0; /* uses are listed (--list) from a render that keeps placeholders */
	ptr = c->ptr ? c->ptr : (c->w->raw ? NULL : cur_ptr(r));

	if (r->nuses == r->auses) {
		size_t n = r->auses ? r->auses * 2 : 16;
		u = realloc(r->uses, n * sizeof(*u));
		if (!u)
			return jd_error_oom(r->err);
		r->uses = u;
		r->auses = n;
	}
	u = &r->uses[r->nuses];
	u->param = param;
	u->w = c->w;
	u->ptr = ptr ? jd_strndup(ptr, strlen(ptr)) : NULL;
	if (ptr && !u->ptr)
		return jd_error_oom(r->err);
	u->s = r->expanded ? NULL : c->s; /* an expanded string does not live on */
	u->slen = r->expanded ? 0 : c->slen;
	u->off = ph->start;
	u->end = ph->end;
	u->key = c->key;
	u->kind = ph->kind;
	r->nuses++;
	return 0;
}

/*
 * The package and version of a package placeholder against the spec's
 * destinationPackageVersions (aws-iot-jobs.md §4.3): AWS fills the
 * placeholder from the package version the job installs, so it must be one
 * of them; with both names empty, the only one.
 */
static int check_package_version(struct jd_render *r, const struct cur *c, const struct jd_ph *ph,
				 const char *q)
{
	const char *a = c->s + ph->arg, *pkg = a, *ver;
	size_t plen, vlen, i, n = json_array_size(r->dpv), same_pkg = 0;
	char other[80] = "";

	for (plen = 0; a[plen] != ':'; plen++)
		;
	ver = a + plen + 9; /* ":version:" */
	for (vlen = 0; ver[vlen] != ':'; vlen++)
		;
	if (!plen && n != 1)
		return fail_at(r, c, ph->start,
			       "'%s' takes its package from destinationPackageVersions, which must "
			       "then hold exactly one package version (it holds %zu)",
			       q, n);
	if (!plen)
		return 0;
	if (!n)
		return fail_at(r, c, ph->start,
			       "'%s' names package '%.*s', and the spec has no "
			       "destinationPackageVersions to install it from",
			       q, (int)plen, pkg);
	for (i = 0; i < n; i++) {
		/* arn:PARTITION:iot:REGION:ACCOUNT:package/NAME/version/VERSION */
		const char *arn = json_string_value(json_array_get(r->dpv, i)), *res, *v;
		size_t k;
		if (!arn)
			continue;
		for (res = arn, k = 0; k < 5 && res; k++)
			res = strchr(res, ':') ? strchr(res, ':') + 1 : NULL;
		if (!res || strncmp(res, "package/", 8) || strncmp(res + 8, pkg, plen) ||
		    strncmp(res + 8 + plen, "/version/", 9))
			continue;
		v = res + 8 + plen + 9;
		if (strlen(v) == vlen && !memcmp(v, ver, vlen))
			return 0;
		if (!same_pkg++)
			jd_strlcpy(other, v, sizeof(other));
	}
	if (same_pkg)
		return fail_at(
			r, c, ph->start,
			"'%s' names version '%.*s' of package '%.*s'; destinationPackageVersions "
			"has it at version '%s'",
			q, (int)vlen, ver, (int)plen, pkg, other);
	return fail_at(r, c, ph->start,
		       "'%s' names package '%.*s', which is not in destinationPackageVersions", q,
		       (int)plen, pkg);
}

/*
 * Scans c->s into r->phs and checks every placeholder. whole_ok(i) says
 * whether placeholder i stands for a whole value (package attributes).
 * Returns the number of parameter placeholders, or -1.
 */
static int scan_checked(struct jd_render *r, const struct cur *c, const unsigned char *whole)
{
	struct jd_ph_problem pr;
	size_t i;
	int n = 0, k;

	r->nph = 0;
	k = jd_ph_scan(c->s, c->slen, collect, r, &pr);
	if (k == 2)
		return jd_error_oom(r->err);
	if (k)
		return fail_at(r, c, pr.off, "%s", pr.msg);
	for (i = 0; i < r->nph; i++) {
		const struct jd_ph *ph = &r->phs[i];
		int w = whole ? whole[i] : (ph->start == 0 && ph->end == c->slen);
		char q[72];

		if (ph->kind == JD_PH_PARAMETER) {
			n++;
			continue;
		}
		jd_strlcpy(q, c->s + ph->start,
			   ph->end - ph->start + 1 < sizeof(q) ? ph->end - ph->start + 1
							       : sizeof(q));
		if (ph->kind == JD_PH_OTHER) {
			warn_at(r, c, ph->start, "template-unknown-placeholder",
				"'%s' is not a placeholder AWS resolves: devices receive it as "
				"written",
				q);
			continue;
		}
		if (!c->w->in_doc && !c->key) {
			if (c->ptr == NULL && r->depth && r->path[0].key &&
			    !strcmp(r->path[0].key, "documentSource"))
				return fail_at(
					r, c, ph->start,
					"documentSource is a plain S3 URL: placeholders belong "
					"inside the job document");
			warn_at(r, c, ph->start, "aws-placeholder",
				"AWS resolves '%s' only inside the job document", q);
			continue;
		}
		k = jd_ph_check(c->s, ph, r->region[0] ? r->region : NULL, w, &pr);
		if (k < 0)
			return fail_at(r, c, pr.off, "%s", pr.msg);
		if (k > 0)
			warn_at(r, c, pr.off, "aws-placeholder", "%s", pr.msg);
		if (ph->kind == JD_PH_PACKAGE && !ph->nparam && r->spec_doc &&
		    check_package_version(r, c, ph, q) < 0)
			return -1;
		if (record_use(r, c, (size_t)-1, ph) < 0)
			return -1;
	}
	return n;
}

/* Resolves the parameter placeholder ph of c->s. */
static struct rparam *resolve_ph(struct jd_render *r, const struct cur *c, const struct jd_ph *ph)
{
	struct rparam *p = resolve(r, c, c->s + ph->arg, ph->arglen, ph->start);

	if (p && record_use(r, c, (size_t)(p - r->p), ph) < 0)
		return NULL;
	return p;
}

/*
 * Parameters nested inside AWS's placeholders (a bucket from -P): resolved
 * first, spliced as text (JSON-escaped when json_str), into *out (malloc'd),
 * so that the AWS placeholder can be checked once complete. *out stays NULL
 * when there are none, or in keep mode (the uses are recorded all the same).
 */
static int expand_nested(struct jd_render *r, const struct cur *c, int json_str, char **out,
			 size_t *outlen)
{
	struct jd_buf b = JD_BUF_INIT((size_t)16 << 20);
	size_t i, k, last = 0, nph = r->nph;
	int ret = -1;

	*out = NULL;
	for (k = 0; k < nph; k++) {
		struct jd_ph outer = r->phs[k];
		if (!outer.nparam)
			continue;
		for (i = outer.arg; i + 20 < outer.end; i++) {
			struct jd_ph in;
			struct rparam *p;
			size_t e;
			if (memcmp(c->s + i, "${aws:iot:parameter:", 20))
				continue;
			for (e = i; c->s[e] != '}'; e++)
				;
			memset(&in, 0, sizeof(in));
			in.kind = JD_PH_PARAMETER;
			in.start = i;
			in.end = e + 1;
			in.arg = i + 20;
			in.arglen = e - i - 20;
			p = resolve(r, c, c->s + in.arg, in.arglen, in.start);
			if (!p || record_use(r, c, (size_t)(p - r->p), &in) < 0)
				goto out;
			if (r->keep) {
				i = e;
				continue;
			}
			if (jd_buf_add(&b, c->s + last, i - last, r->err) < 0)
				goto out;
			if (json_str && json_is_string(p->value)) {
				size_t at = b.len;
				if (jd_json_string(json_string_value(p->value),
						   json_string_length(p->value), &b, r->err) < 0)
					goto out;
				memmove(b.data + at, b.data + at + 1, b.len - at - 2);
				b.len -= 2;
				b.data[b.len] = '\0';
			} else if (value_text(p->value, &b, r->err) < 0) {
				if (!r->err->code)
					fail_at(r, c, i,
						"the value of '%s' is %s: it cannot be spliced "
						"into "
						"a URL",
						p->name, kind_of(p->value));
				goto out;
			}
			last = e + 1;
			i = e;
		}
	}
	if (!r->keep && last) {
		if (jd_buf_add(&b, c->s + last, c->slen - last, r->err) < 0)
			goto out;
		*out = jd_buf_detach(&b, outlen);
	}
	ret = 0;
out:
	jd_buf_release(&b);
	return ret;
}

static int has_nested(const struct jd_render *r)
{
	size_t i;

	for (i = 0; i < r->nph; i++)
		if (r->phs[i].nparam)
			return 1;
	return 0;
}

/* Tree mode: a new reference to the rendered string (v itself when unchanged). */
static json_t *render_string(struct jd_render *r, const struct where *w, json_t *v, int key,
			     const char *ks, int *changed)
{
	struct cur c = {w, NULL, key, ks ? ks : json_string_value(v),
			ks ? strlen(ks) : json_string_length(v)};
	struct jd_buf *b = &r->scratch;
	size_t i, last = 0;
	json_t *out = NULL;
	int n;

	*changed = 0;
	if (!memchr(c.s, '$', c.slen))
		return v ? json_incref(v) : json_string(ks);
	n = scan_checked(r, &c, NULL);
	if (n < 0)
		return NULL;
	if (has_nested(r)) {
		char *x = NULL;
		size_t xl = 0;
		json_t *ns, *res;
		int ch;
		if (expand_nested(r, &c, 0, &x, &xl) < 0)
			return NULL;
		if (x) {
			/* again, with the parameters in place: the AWS placeholder is checked */
			/* valid UTF-8: the string cut at placeholders, and values' text */
			ns = json_stringn_nocheck(x, xl);
			free(x);
			if (!ns) {
				fail_at(r, &c, 0, "after substitution the text is not valid UTF-8");
				return NULL;
			}
			r->expanded++;
			if (key)
				res = render_string(r, w, NULL, 1, json_string_value(ns), &ch);
			else
				res = render_string(r, w, ns, 0, NULL, &ch);
			r->expanded--;
			json_decref(ns);
			*changed = 1;
			return res;
		}
	}
	if (!n || r->keep) {
		for (i = 0; i < r->nph; i++)
			if (r->phs[i].kind == JD_PH_PARAMETER && !resolve_ph(r, &c, &r->phs[i]))
				return NULL;
		return v ? json_incref(v) : json_string(ks);
	}
	*changed = 1;
	if (n == 1 && r->nph == 1 && r->phs[0].start == 0 && r->phs[0].end == c.slen && !key) {
		struct rparam *p = resolve_ph(r, &c, &r->phs[0]);
		return p ? json_incref(p->value) : NULL;
	}
	/* the text is made in the render's buffer: no string renders another meanwhile */
	jd_buf_reset(b);
	if (jd_buf_grow(b, c.slen + 64, r->err) < 0)
		return NULL;
	for (i = 0; i < r->nph; i++) {
		const struct jd_ph *ph = &r->phs[i];
		struct rparam *p;
		if (ph->kind != JD_PH_PARAMETER)
			continue;
		p = resolve_ph(r, &c, ph);
		if (!p)
			return NULL;
		if (jd_buf_add(b, c.s + last, ph->start - last, r->err) < 0)
			return NULL;
		if (value_text(p->value, b, r->err) < 0) {
			if (!r->err->code)
				fail_at(r, &c, ph->start,
					"the value of '%s' is %s: it can only stand alone as a "
					"whole "
					"value, not inside text",
					p->name, kind_of(p->value));
			return NULL;
		}
		last = ph->end;
	}
	if (jd_buf_add(b, c.s + last, c.slen - last, r->err) < 0)
		return NULL;
	/* valid UTF-8: the string cut at placeholders (ASCII), and values' text */
	out = json_stringn_nocheck(b->data ? b->data : "", b->len);
	if (!out)
		fail_at(r, &c, 0, "after substitution the text is not valid UTF-8");
	return out;
}

static int push(struct jd_render *r, const char *key, size_t idx)
{
	if (r->depth == r->apath) {
		size_t n = r->apath ? r->apath * 2 : 32;
		struct seg *s = realloc(r->path, n * sizeof(*s));
		if (!s)
			return jd_error_oom(r->err);
		r->path = s;
		r->apath = n;
	}
	r->path[r->depth].key = key;
	r->path[r->depth].idx = idx;
	r->depth++;
	return 0;
}

/*
 * Renders v: 0 when nothing in it changes (most of a spec: no reference is
 * taken or copy made), 1 with *out a new reference to the rendered copy
 * (copied only along the paths to what changed), -1 on error. With
 * r->in_place, containers are changed where they are instead: 2 when v was
 * changed so (*out NULL); a string is still 1, for its container to take,
 * and an object whose key changes is still copied (1).
 */
static int walk(struct jd_render *r, const struct where *w, json_t *v, json_t **out)
{
	*out = NULL;
	switch (json_typeof(v)) {
	case JSON_STRING: {
		json_t *ns;
		int ch;
		if (!memchr(json_string_value(v), '$', json_string_length(v)))
			return 0;
		ns = render_string(r, w, v, 0, NULL, &ch);
		if (!ns)
			return -1;
		if (!ch) {
			json_decref(ns);
			return 0;
		}
		*out = ns;
		return 1;
	}
	case JSON_OBJECT: {
		json_t *copy = NULL, *m, *nm = NULL, *nk = NULL;
		const char *key;
		void *it;
		size_t i = 0;
		int renamed = 0; /* a key changed: from now on two may be the same */
		int inplace = 0; /* a member changed where it is (r->in_place) */

		for (it = json_object_iter(v); it; it = json_object_iter_next(v, it), i++) {
			int x, kch = 0;
			key = json_object_iter_key(it);
			m = json_object_iter_value(it);
			if (push(r, key, 0) < 0)
				goto ofail;
			if (strchr(key, '$')) {
				nk = render_string(r, w, NULL, 1, key, &kch);
				if (!nk)
					goto ofail;
				renamed |= kch;
			}
			x = walk(r, w, m, &nm);
			if (x < 0)
				goto ofail;
			if (x && !kch && !copy && r->in_place) {
				/* the pair's value replaced: the object's shape stays */
				if (x == 1 && json_object_iter_set_new(v, it, nm) < 0) {
					nm = NULL;
					goto ooom;
				}
				nm = NULL;
				json_decref(nk); /* a key with '$' but no parameter */
				nk = NULL;
				inplace = 1;
				r->depth--;
				continue;
			}
			if ((x || kch) && !copy) {
				void *it2;
				size_t j = 0;
				copy = json_object();
				if (!copy)
					goto ooom;
				for (it2 = json_object_iter(v); j < i;
				     it2 = json_object_iter_next(v, it2), j++)
					if (json_object_set_nocheck(copy, json_object_iter_key(it2),
								    json_object_iter_value(it2)) <
					    0)
						goto ooom;
			}
			if (copy) {
				const char *k = nk ? json_string_value(nk) : key;
				if (renamed && json_object_get(copy, k)) {
					struct cur c = {w, NULL, 1, NULL, 0};
					fail_at(r, &c, 0,
						"after substitution the key '%.100s' appears twice",
						k);
					goto ofail;
				}
				if (json_object_set_new_nocheck(copy, k,
								x == 1 ? nm : json_incref(m)) < 0) {
					nm = NULL;
					goto ooom;
				}
			}
			nm = NULL;
			json_decref(nk);
			nk = NULL;
			r->depth--;
		}
		if (!copy)
			return inplace ? 2 : 0;
		*out = copy;
		return 1;
	ooom:
		jd_error_oom(r->err);
	ofail:
		json_decref(nm);
		json_decref(nk);
		json_decref(copy);
		return -1;
	}
	case JSON_ARRAY: {
		json_t *copy = NULL, *nm;
		size_t i, n = json_array_size(v);
		int inplace = 0;

		for (i = 0; i < n; i++) {
			json_t *m = json_array_get(v, i);
			int x;
			if (push(r, NULL, i) < 0)
				goto afail;
			x = walk(r, w, m, &nm);
			if (x < 0)
				goto afail;
			if (x && r->in_place) {
				if (x == 1 && json_array_set_new(v, i, nm) < 0) {
					jd_error_oom(r->err);
					goto afail;
				}
				inplace = 1;
				r->depth--;
				continue;
			}
			if (x && !copy) {
				size_t j;
				copy = json_array();
				for (j = 0; copy && j < i; j++)
					if (json_array_append(copy, json_array_get(v, j)) < 0)
						break;
				if (!copy || j < i) {
					json_decref(nm);
					jd_error_oom(r->err);
					goto afail;
				}
			}
			if (copy && json_array_append_new(copy, x == 1 ? nm : json_incref(m)) < 0) {
				jd_error_oom(r->err);
				goto afail;
			}
			r->depth--;
		}
		if (!copy)
			return inplace ? 2 : 0;
		*out = copy;
		return 1;
	afail:
		json_decref(copy);
		return -1;
	}
	default: return 0;
	}
}

/* ---- text documents ---- */

struct tseg {
	size_t out, src, srclen, outlen;
};

/*
 * Renders the JSON text c->s textually into out (see template.h). segs
 * (may be NULL) receives the substitutions, for mapping positions back.
 */
static int render_text_str(struct jd_render *r, const struct cur *c, struct jd_buf *out,
			   struct tseg **segs, size_t *nsegs)
{
	const char *t = c->s;
	size_t len = c->slen, i = 0, last = 0, k, strstart = 0, nseg = 0;
	unsigned char *whole = NULL, *instr = NULL;
	struct tseg *sg = NULL;
	int in = 0, n, ret = -1;

	/* the placeholders first, to know which are whole JSON strings */
	r->nph = 0;
	{
		struct jd_ph_problem pr;
		int x = jd_ph_scan(t, len, collect, r, &pr);
		if (x == 2)
			return jd_error_oom(r->err);
		if (x)
			return fail_at(r, c, pr.off, "%s", pr.msg);
	}
	if (has_nested(r)) {
		char *xt = NULL;
		size_t xl = 0;
		if (expand_nested(r, c, 1, &xt, &xl) < 0)
			return -1;
		if (xt) {
			struct cur c2 = *c;
			int x;
			c2.s = xt;
			c2.slen = xl;
			r->expanded++;
			x = render_text_str(r, &c2, out, segs, nsegs);
			r->expanded--;
			free(xt);
			return x;
		}
	}
	whole = calloc(r->nph + 1, 2);
	sg = calloc(r->nph + 1, sizeof(*sg));
	if (!whole || !sg) {
		jd_error_oom(r->err);
		goto out;
	}
	instr = whole + r->nph + 1;
	for (k = 0; k < r->nph; k++) {
		const struct jd_ph *ph = &r->phs[k];
		while (i < ph->start) {
			char ch = t[i];
			if (in) {
				if (ch == '\\')
					i++;
				else if (ch == '"')
					in = 0;
			} else if (ch == '"') {
				in = 1;
				strstart = i;
			}
			i++;
		}
		instr[k] = (unsigned char)in;
		whole[k] = (unsigned char)(in ? strstart + 1 == ph->start && ph->end < len &&
							   t[ph->end] == '"'
					      : 1);
		i = ph->end;
	}
	{
		/* scan_checked's checks, with the whole flags from the lexer */
		size_t nph = r->nph;
		struct jd_ph *saved = malloc((nph + 1) * sizeof(*saved));
		if (!saved) {
			jd_error_oom(r->err);
			goto out;
		}
		if (nph)
			memcpy(saved, r->phs, nph * sizeof(*saved));
		n = scan_checked(r, c, whole);
		if (nph)
			memcpy(r->phs, saved, nph * sizeof(*saved));
		r->nph = nph;
		free(saved);
		if (n < 0)
			goto out;
	}
	for (k = 0; k < r->nph; k++) {
		const struct jd_ph *ph = &r->phs[k];
		struct rparam *p;
		size_t from = ph->start, to = ph->end, o;

		if (ph->kind != JD_PH_PARAMETER)
			continue;
		p = resolve_ph(r, c, ph);
		if (!p)
			goto out;
		if (r->keep)
			continue;
		if (instr[k] && whole[k]) {
			from--;
			to++;
		}
		if (jd_buf_add(out, t + last, from - last, r->err) < 0)
			goto out;
		o = out->len;
		if (instr[k] && whole[k]) {
			if (jd_json_dump(p->value, out, r->err) < 0)
				goto out;
		} else if (instr[k]) {
			size_t at = out->len;
			if (json_is_string(p->value)) {
				if (jd_json_string(json_string_value(p->value),
						   json_string_length(p->value), out, r->err) < 0)
					goto out;
				memmove(out->data + at, out->data + at + 1, out->len - at - 2);
				out->len -= 2;
				out->data[out->len] = '\0';
			} else if (value_text(p->value, out, r->err) < 0) {
				if (!r->err->code)
					fail_at(r, c, ph->start,
						"the value of '%s' is %s: it cannot be spliced "
						"into "
						"a JSON string",
						p->name, kind_of(p->value));
				goto out;
			}
		} else if (json_is_string(p->value)) {
			/* unquoted: AWS's textual substitution puts the text as it is */
			if (jd_buf_add(out, json_string_value(p->value),
				       json_string_length(p->value), r->err) < 0)
				goto out;
		} else if (jd_json_dump(p->value, out, r->err) < 0) {
			goto out;
		}
		sg[nseg].out = o;
		sg[nseg].outlen = out->len - o;
		sg[nseg].src = from;
		sg[nseg].srclen = to - from;
		nseg++;
		last = to;
	}
	if (jd_buf_add(out, t + last, len - last, r->err) < 0)
		goto out;
	ret = 0;
	if (segs) {
		*segs = sg;
		*nsegs = nseg;
		sg = NULL;
	}
out:
	free(whole);
	free(sg);
	return ret;
}

/* The source offset of rendered byte pos. */
static size_t map_back(const struct tseg *sg, size_t n, size_t pos)
{
	size_t i, shift = 0;

	for (i = 0; i < n && sg[i].out <= pos; i++) {
		/* an error inside a value, or just after it (the token's end) */
		if (pos <= sg[i].out + sg[i].outlen + 1)
			return sg[i].src;
		shift = sg[i].src + sg[i].srclen - (sg[i].out + sg[i].outlen);
	}
	return pos + shift;
}

/* Renders a text document and parses it: *tree (new), r->text_after. */
static int render_doc_text(struct jd_render *r, const struct cur *c, json_t **tree)
{
	struct jd_buf out = JD_BUF_INIT((size_t)16 << 20);
	struct tseg *sg = NULL;
	size_t nsg = 0;
	json_error_t je;
	json_t *t = NULL;
	int ret = -1;

	*tree = NULL;
	if (render_text_str(r, c, &out, &sg, &nsg) < 0)
		goto out;
	if (r->keep) {
		t = jd_json_parse(c->s, c->slen, JSON_REJECT_DUPLICATES, NULL);
		r->text_after = jd_strndup(c->s, c->slen);
		r->text_after_len = c->slen;
		if (!r->text_after) {
			jd_error_oom(r->err);
			goto out;
		}
		*tree = t;
		ret = 0;
		goto out;
	}
	t = jd_json_parse(out.data ? out.data : "", out.len, JSON_REJECT_DUPLICATES, &je);
	if (!t) {
		fail_at(r, c, map_back(sg, nsg, (size_t)je.position),
			"after substitution the document is not JSON: %s", je.text);
		goto out;
	}
	if (!json_is_object(t)) {
		fail_at(r, c, 0, "after substitution the document is %s, not a JSON object",
			kind_of(t));
		goto out;
	}
	r->text_after = jd_buf_detach(&out, &r->text_after_len);
	*tree = t;
	t = NULL;
	ret = 0;
out:
	if (ret < 0)
		json_decref(t);
	jd_buf_release(&out);
	free(sg);
	return ret;
}

/* ---- sizes ---- */

struct bscan {
	size_t n, bytes;
};

static int on_budget_ph(void *ctx, const char *s, const struct jd_ph *ph)
{
	struct bscan *b = ctx;

	if (ph->kind == JD_PH_PRESIGNED || ph->kind == JD_PH_PRESIGNED_V2 ||
	    ph->kind == JD_PH_UPLOAD ||
	    (ph->kind == JD_PH_PACKAGE && ph->arglen > 34 &&
	     !memcmp(s + ph->arg + ph->arglen - 34, "artifact-location:s3-presigned-url", 34))) {
		b->n++;
		b->bytes += ph->end - ph->start;
	}
	return 0;
}

/* jd_utf8_count() eight bytes at a time where they are ASCII, as documents mostly are. */
static size_t doc_chars(const char *s, size_t len)
{
	size_t i = 0, n = 0;

	for (; i + 8 <= len; i += 8) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		if (w & 0x8080808080808080ULL)
			n += jd_utf8_count(s + i, 8);
		else
			n += 8;
	}
	return n + jd_utf8_count(s + i, len - i);
}

static int check_sizes(struct jd_render *r, const char *text, size_t len, const struct cur *c,
		       int substituted)
{
	struct bscan b = {0, 0};
	struct jd_ph_problem pr;

	r->chars = doc_chars(text, len);
	jd_ph_scan(text, len, on_budget_ph, &b, &pr);
	r->npresigned = b.n;
	r->device_bytes = len - b.bytes + b.n * r->url_bytes;
	if (substituted && r->chars > DOC_MAX_CHARS)
		return fail_at(r, c, 0,
			       "the document is %zu characters after substitution; AWS takes at "
			       "most 32768",
			       r->chars);
	if (r->budget && r->device_bytes > r->budget)
		return fail_at(r, c, 0,
			       "the document is about %zu bytes on the device (%zu presigned "
			       "URL%s at ~%zu bytes), over the device budget of %zu bytes",
			       r->device_bytes, b.n, b.n == 1 ? "" : "s", r->url_bytes, r->budget);
	return 0;
}

/* ---- the render object ---- */

static struct jd_render *render_new(const struct jd_params *params, int keep,
				    jd_finding_fn on_finding, void *ctx, struct jd_error *err)
{
	struct jd_render *r = calloc(1, sizeof(*r));
	const char *region;

	if (!r) {
		jd_error_oom(err);
		return NULL;
	}
	r->params = params;
	r->keep = keep;
	r->on_finding = on_finding;
	r->fctx = ctx;
	r->err = err;
	ptrs_init(r);
	jd_params_settings(params, &r->budget, &r->url_bytes, &region);
	if (region)
		jd_strlcpy(r->region, region, sizeof(r->region));
	if (push(r, NULL, 0) < 0 || push(r, NULL, 0) < 0) {
		jd_render_free(r);
		jd_error_oom(err);
		return NULL;
	}
	r->depth = 0;
	return r;
}

void jd_render_free(struct jd_render *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->np; i++) {
		free(r->p[i].own_name);
		if (r->p[i].re_own)
			pcre2_code_free(r->p[i].re);
		json_decref(r->p[i].value);
	}
	for (i = 0; i < r->nuses; i++)
		free(r->uses[i].ptr);
	free(r->p);
	free(r->uses);
	free(r->path);
	free(r->phs);
	free(r->src);
	jd_buf_release(&r->ptr);
	jd_buf_release(&r->scratch);
	json_decref(r->root);
	json_decref(r->before);
	json_decref(r->after);
	free(r->text_before);
	free(r->text_after);
	free(r->doc_json);
	pcre2_match_data_free(r->md);
	free(r);
}

/*
 * Warnings for declarations not used. (Values not used are reported once for
 * a whole run: jd_params_report_unused().)
 */
static void warn_unused(struct jd_render *r)
{
	size_t i;
	struct cur c = {&r->wspec, NULL, 1, NULL, 0};

	if (r->keep)
		return;
	for (i = 0; i < r->np; i++) {
		if (r->p[i].used || !r->p[i].decl)
			continue;
		r->prefix = "/parameters";
		r->path[0].key = r->p[i].name;
		r->depth = 1;
		warn_at(r, &c, 0, "template-unused-declaration",
			"parameter '%s' is declared but not used", r->p[i].name);
		r->depth = 0;
		r->prefix = NULL;
	}
}

static int check_managed(struct jd_render *r, const json_t *root);

/*
 * The test for control and format characters (documentParameters'
 * [^\p{C}]+), compiled once per process and shared by concurrent renders.
 */
static pthread_once_t re_once = PTHREAD_ONCE_INIT;
static pcre2_code *re_ctl;

static void re_init(void)
{
	int ec;
	PCRE2_SIZE eo;

	re_ctl = pcre2_compile((PCRE2_SPTR) "\\p{C}", PCRE2_ZERO_TERMINATED, PCRE2_UTF, &ec, &eo,
			       NULL);
}

static const pcre2_code *control_re(void)
{
	pthread_once(&re_once, re_init);
	return re_ctl;
}

/* 1 when s[0..n) is printable ASCII: no \p{C} in it, without asking PCRE2. */
static int printable_ascii(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return 0;
	return 1;
}

int jd_render_spec(struct jd_spec *s, const struct jd_compile_opts *opts, const json_t **rootp,
		   struct jd_error *err)
{
	struct jd_render *r;
	const json_t *root = s->doc->root, *v;
	const char *key;
	json_t *m;
	void *it;
	int ch, any = 0;
	json_t *tg;

	*rootp = root;
	r = render_new(opts->params, opts->no_render, opts->on_finding, opts->finding_ctx, err);
	if (!r)
		return -1;
	s->render = r;
	/* the spec as written is not wanted again: no copies (see walk()) */
	r->in_place = opts->render_in_place && !opts->no_render;
	r->validating = !opts->no_validate;
	r->wspec.doc = s->doc;
	r->wdoc.doc = s->docsrc;
	r->wdoc.in_doc = 1;
	r->wtext.doc = s->doc;
	r->wtext.in_doc = 1;
	/* the job's region: the targets', else the template's */
	tg = json_array_get(json_object_get(root, "targets"), 0);
	v = tg ? tg : json_object_get(root, "jobTemplateArn");
	if (json_is_string(v) && !strncmp(json_string_value(v), "arn:", 4)) {
		const char *a = json_string_value(v), *p1 = a;
		int i;
		for (i = 0; i < 3 && p1; i++)
			p1 = strchr(p1, ':') ? strchr(p1, ':') + 1 : NULL;
		if (p1 && strchr(p1, ':') && (size_t)(strchr(p1, ':') - p1) < sizeof(r->region) &&
		    !memchr(p1, '$', (size_t)(strchr(p1, ':') - p1))) {
			memcpy(r->region, p1, (size_t)(strchr(p1, ':') - p1));
			r->region[strchr(p1, ':') - p1] = '\0';
		}
	}
	if (s->parameters && load_decls(r, s->parameters) < 0)
		return -1;
	/* the spec's own strings */
	for (it = json_object_iter((json_t *)root); it;
	     it = json_object_iter_next((json_t *)root, it)) {
		json_t *nm;
		key = json_object_iter_key(it);
		m = json_object_iter_value(it);
		if (!strcmp(key, "document") || !strcmp(key, "documentFile") ||
		    !strcmp(key, "parameters") || !strcmp(key, "documentSchema"))
			continue;
		r->depth = 0;
		if (push(r, key, 0) < 0)
			return -1;
		ch = walk(r, &r->wspec, m, &nm);
		r->depth = 0;
		if (ch < 0)
			return -1;
		if (ch == 1 && r->in_place) {
			if (json_object_iter_set_new((json_t *)root, it, nm) < 0)
				return jd_error_oom(err);
		} else if (ch == 1) {
			if (!r->root && !(r->root = json_copy((json_t *)root))) {
				json_decref(nm);
				return jd_error_oom(err);
			}
			if (json_object_set_new(r->root, key, nm) < 0)
				return jd_error_oom(err);
			any = 1;
		}
	}
	/* the document: its package placeholders against the (rendered) destinations */
	r->spec_doc = 1;
	r->dpv = json_object_get(r->root ? r->root : root, "destinationPackageVersions");
	v = json_object_get(root, "document");
	if (json_is_string(v)) {
		struct cur c = {&r->wtext, "/document", 0, json_string_value(v),
				json_string_length(v)};
		json_t *tree;
		int sub;
		r->is_text = 1;
		r->has_doc = 1;
		r->text_before = jd_strndup(c.s, c.slen);
		r->text_before_len = c.slen;
		if (!r->text_before)
			return jd_error_oom(err);
		if (r->in_place)
			c.s = r->text_before; /* the spec's string may be replaced below */
		tree = NULL;
		if (memchr(c.s, '$', c.slen) && render_doc_text(r, &c, &tree) < 0)
			return -1;
		if (tree) {
			json_decref(s->document);
			s->document = tree;
		}
		sub = !r->keep && r->text_after &&
		      (r->text_after_len != c.slen || memcmp(r->text_after, c.s, c.slen));
		if (sub) {
			json_t *str = json_stringn(r->text_after, r->text_after_len);
			if (!r->in_place && !r->root && !(r->root = json_copy((json_t *)root))) {
				json_decref(str);
				return jd_error_oom(err);
			}
			if (!str || json_object_set_new(r->root ? r->root : (json_t *)root,
							"document", str) < 0)
				return jd_error_oom(err);
			any = 1;
		}
		if ((sub || r->budget) &&
		    check_sizes(r, r->text_after ? r->text_after : c.s,
				r->text_after ? r->text_after_len : c.slen, &c, sub) < 0)
			return -1;
	} else if (s->document) {
		json_t *nd;
		r->has_doc = 1;
		r->prefix = s->docprefix;
		r->depth = 0;
		/* in place, the tree as written is not kept: jd_render_output() says so */
		r->before = r->in_place ? NULL : json_incref(s->document);
		ch = walk(r, &r->wdoc, s->document, &nd);
		r->prefix = NULL;
		if (ch < 0)
			return -1;
		if (ch != 1)
			nd = json_incref(s->document);
		r->after = nd;
		json_decref(s->document);
		s->document = json_incref(nd);
		{
			/* the request's document (jd_render_take_json()), measured */
			struct jd_buf b = JD_BUF_INIT((size_t)1 << 30);
			struct cur c = {&r->wdoc, s->docprefix, 0, NULL, 0};
			size_t len;
			if (jd_buf_grow(&b, 1000, err) < 0 || jd_json_dump(nd, &b, err) < 0) {
				jd_buf_release(&b);
				return -1;
			}
			r->doc_json = jd_buf_detach(&b, &len);
			if ((ch || r->budget) && check_sizes(r, r->doc_json, len, &c, ch) < 0)
				return -1;
		}
	}
	(void)any;
	if (check_managed(r, r->root ? r->root : root) < 0)
		return -1;
	warn_unused(r);
	*rootp = r->root ? r->root : root;
	return 0;
}

/*
 * A managed template's documentParameters against the template, and the
 * preview of the document AWS makes from them.
 */
static int check_managed(struct jd_render *r, const json_t *root)
{
	const json_t *arn = json_object_get(root, "jobTemplateArn"), *tpl, *dp, *decls, *d;
	char name[160], version[40], region[40];
	struct cur c = {&r->wspec, "/jobTemplateArn", 0, NULL, 0};
	const char *key;
	struct jd_ph_problem pr;
	const pcre2_code *ctl = NULL;
	size_t i;
	json_t *v;
	int ret = -1;

	if (!json_is_string(arn) ||
	    jd_managed_arn(json_string_value(arn), name, version, region, 40) != 1)
		return 0;
	if (strlen(json_string_value(arn)) > 150)
		return 0;
	tpl = jd_managed_find(name, version, r->err);
	if (!tpl && r->validating) {
		/* the validator's schemas for managed templates say it (lib/validate) */
		jd_error_clear(r->err);
		return 0;
	}
	if (!tpl) {
		char msg[sizeof(r->err->msg)];
		jd_strlcpy(msg, r->err->msg, sizeof(msg));
		return fail_at(r, &c, 0, "%s", msg);
	}
	r->managed = 1;
	r->has_doc = 1;
	r->is_text = 1;
	r->managed_tpl = tpl;
	dp = json_object_get(root, "documentParameters");
	decls = json_object_get(tpl, "documentParameters");
	if (dp && !json_is_object(dp)) {
		c.ptr = "/documentParameters";
		return fail_at(r, &c, 0, "documentParameters is a mapping of key: value");
	}
	ctl = control_re();
	if (!ctl)
		return jd_error_oom(r->err);
	if (r->validating)
		goto done; /* checked by the validator, with every finding at once */
	json_object_foreach((json_t *)dp, key, v)
	{
		char ptr[300];
		const json_t *decl = jd_managed_param(tpl, key);
		const char *re = json_string_value(json_object_get(decl, "regex"));
		const char *s;
		size_t n, chars;
		pcre2_match_data *md;
		int rc;

		snprintf(ptr, sizeof(ptr), "/documentParameters/%.200s", key);
		c.ptr = ptr;
		c.key = 1;
		if (!decl) {
			const char *names[16], *close;
			size_t k = 0;
			const json_t *x;
			json_array_foreach(decls, i, x)
			{
				if (k < JD_ARRAY_SIZE(names))
					names[k++] = json_string_value(json_object_get(x, "key"));
			}
			close = jd_closest(key, names, k);
			if (close)
				fail_at(r, &c, 0,
					"%s has no parameter '%.100s'; did you mean '%s'?", name,
					key, close);
			else
				fail_at(r, &c, 0, "%s has no parameter '%.100s'", name, key);
			goto out;
		}
		c.key = 0;
		if (!json_is_string(v)) {
			fail_at(r, &c, 0, "documentParameters values are strings, not %s",
				kind_of(v));
			goto out;
		}
		s = json_string_value(v);
		n = json_string_length(v);
		c.s = s;
		c.slen = n;
		chars = jd_utf8_count(s, n);
		if (chars < 1 || chars > PARAM_VALUE_MAX) {
			fail_at(r, &c, 0,
				"the value of '%s' is %zu characters; AWS takes 1 to 30720", key,
				chars);
			goto out;
		}
		md = printable_ascii(s, n) ? NULL : pcre2_match_data_create(1, NULL);
		rc = md ? pcre2_match(ctl, (PCRE2_SPTR)s, n, 0, 0, md, NULL) : -1;
		if (rc >= 0) {
			size_t at = pcre2_get_ovector_pointer(md)[0];
			pcre2_match_data_free(md);
			fail_at(r, &c, at,
				"the value of '%s' has a control or format character (byte "
				"0x%02X); "
				"AWS refuses them in documentParameters",
				key, (unsigned char)s[at]);
			goto out;
		}
		pcre2_match_data_free(md);
		if (strpbrk(s, "\"\\")) {
			fail_at(r, &c, (size_t)(strpbrk(s, "\"\\") - s),
				"the value of '%s' has '%c': AWS does not say it escapes it, so "
				"the "
				"document devices receive may not be JSON",
				key, *strpbrk(s, "\"\\"));
			goto out;
		}
		if (re) {
			char why[160];
			size_t at;
			int own, m;
			pcre2_code *cre = re_get(re, &own, why, sizeof(why), &at);
			/* one PCRE2 cannot compile is not checked */
			m = cre ? re_match(r, cre, s, n) : 1;
			if (own)
				pcre2_code_free(cre);
			if (m != 1) {
				fail_at(r, &c, 0,
					"the value of '%s' does not match %s's regex '%s'", key,
					name, re);
				goto out;
			}
		}
	}
	c.ptr = dp ? "/documentParameters" : "/jobTemplateArn";
	c.key = 0;
	c.s = NULL;
	json_array_foreach(decls, i, d)
	{
		const char *k = json_string_value(json_object_get(d, "key"));
		if (!json_is_true(json_object_get(d, "optional")) && !json_object_get(dp, k)) {
			fail_at(r, &c, 0, "%s needs parameter '%s' in documentParameters", name, k);
			goto out;
		}
	}
done:
	/* the preview is made when asked for: jd_render_output() */
	r->managed_dp = dp;
	jd_strlcpy(r->managed_name, name, sizeof(r->managed_name));
	(void)pr;
	ret = 0;
out:
	return ret;
}

/* The device's view of a managed template: AWS's textual substitution. */
static int managed_preview(struct jd_render *r)
{
	const json_t *tpl = r->managed_tpl, *dp = r->managed_dp;
	const char *name = r->managed_name, *text;
	size_t tlen;
	int ret = -1;

	text = jd_managed_document(tpl, &tlen);
	if (!text)
		return jd_error_set(r->err, JD_EINTERNAL, "the document of %s is missing", name);
	r->text_before = jd_strndup(text, tlen);
	r->text_before_len = tlen;
	if (!r->text_before)
		return jd_error_oom(r->err);
	{
		struct where w = {NULL, text, tlen, name, 1};
		struct cur tc = {&w, NULL, 0, text, tlen};
		struct jd_render *m = render_new(NULL, 0, NULL, NULL, r->err);
		json_t *tree = NULL;
		if (!m)
			goto out;
		if (!dp) {
			m->root = json_object(); /* no values: freed with m */
			if (!m->root) {
				jd_render_free(m);
				jd_error_oom(r->err);
				goto out;
			}
		}
		m->managed_values = dp ? dp : m->root;
		if (render_doc_text(m, &tc, &tree) < 0) {
			jd_render_free(m);
			goto out;
		}
		r->text_after = m->text_after;
		r->text_after_len = m->text_after_len;
		m->text_after = NULL;
		json_decref(tree);
		jd_render_free(m);
	}
	ret = 0;
out:
	return ret;
}

int jd_render_doc(const struct jd_doc *doc, const struct jd_params *params, int flags,
		  jd_finding_fn on_finding, void *ctx, struct jd_render **out, struct jd_error *err)
{
	struct jd_render *r = render_new(params, flags & JD_RENDER_KEEP, on_finding, ctx, err);
	int ch;

	*out = NULL;
	if (!r)
		return -1;
	r->wdoc.doc = doc;
	r->wdoc.in_doc = 1;
	r->has_doc = 1;
	if (!json_is_object(doc->root)) {
		jd_error_at(err, JD_EINVALID, doc->name, 1, 1, NULL,
			    "a job document is a JSON object, not %s", kind_of(doc->root));
		jd_render_free(r);
		return -1;
	}
	r->prefix = "";
	r->before = json_incref(doc->root);
	ch = walk(r, &r->wdoc, doc->root, &r->after);
	if (ch < 0)
		goto fail;
	if (!ch)
		r->after = json_incref(doc->root);
	if (ch || r->budget) {
		char *text = jd_json_dumps(r->after, err);
		struct cur c = {&r->wdoc, "", 0, NULL, 0};
		int x;
		if (!text)
			goto fail;
		x = check_sizes(r, text, strlen(text), &c, ch);
		free(text);
		if (x < 0)
			goto fail;
	}
	warn_unused(r);
	*out = r;
	return 0;
fail:
	jd_render_free(r);
	return -1;
}

int jd_render_text(const char *name, const char *text, size_t len, const struct jd_params *params,
		   int flags, jd_finding_fn on_finding, void *ctx, struct jd_render **out,
		   struct jd_error *err)
{
	struct jd_render *r = render_new(params, flags & JD_RENDER_KEEP, on_finding, ctx, err);
	json_t *tree = NULL;

	*out = NULL;
	if (!r)
		return -1;
	r->wdoc.raw = text;
	r->wdoc.rawlen = len;
	r->wdoc.rawname = name;
	r->wdoc.in_doc = 1;
	r->has_doc = 1;
	r->is_text = 1;
	r->text_before = jd_strndup(text, len);
	r->text_before_len = len;
	if (!r->text_before) {
		jd_error_oom(err);
		goto fail;
	}
	{
		struct cur c = {&r->wdoc, NULL, 0, r->text_before, len};
		r->wdoc.raw = r->text_before;
		if (render_doc_text(r, &c, &tree) < 0)
			goto fail;
		if (check_sizes(r, r->text_after, r->text_after_len, &c, !r->keep) < 0)
			goto fail;
	}
	json_decref(tree);
	warn_unused(r);
	*out = r;
	return 0;
fail:
	json_decref(tree);
	jd_render_free(r);
	return -1;
}

int jd_render_output(const struct jd_render *cr, int before, struct jd_buf *out,
		     struct jd_error *err)
{
	struct jd_render *r = (struct jd_render *)cr; /* a preview is made on demand */

	if (!r || !r->has_doc)
		return jd_error_set(err, JD_EINVALID,
				    "the job has no document to show (documentSource or a custom "
				    "template: AWS holds it)");
	if (r->managed && !r->text_before) {
		struct jd_error *saved = r->err;
		int x;
		r->err = err;
		x = managed_preview(r);
		r->err = saved;
		if (x < 0)
			return -1;
	}
	if (r->is_text) {
		const char *t = before || !r->text_after ? r->text_before : r->text_after;
		size_t n = before || !r->text_after ? r->text_before_len : r->text_after_len;
		return jd_buf_add(out, t, n, err);
	}
	if (before && !r->before)
		return jd_error_set(err, JD_EINTERNAL,
				    "the document as written was not kept (rendered in place)");
	return jd_json_dump(before ? r->before : r->after, out, err);
}

void jd_render_sizes(const struct jd_render *r, size_t *chars, size_t *device_bytes,
		     size_t *presigned)
{
	*chars = r->chars;
	*device_bytes = r->device_bytes;
	*presigned = r->npresigned;
}

json_t *jd_render_list(const struct jd_render *rr, struct jd_error *err)
{
	struct jd_render *r = (struct jd_render *)rr; /* the source cache may be filled */
	json_t *params = json_array(), *aws = json_array(), *out = NULL;
	size_t i, j;

	if (!params || !aws)
		goto oom;
	for (i = 0; i < r->np; i++) {
		struct rparam *p = &r->p[i];
		const json_t *v = NULL;
		const char *from = NULL;
		json_t *o = json_object(), *uses = json_array();
		if (!o || !uses || json_array_append_new(params, o) < 0) {
			json_decref(o);
			json_decref(uses);
			goto oom;
		}
		json_object_set_new(o, "name", json_string(p->name));
		json_object_set_new(o, "declared", json_boolean(p->decl != NULL));
		if (p->decl && json_is_object(p->decl))
			json_object_set(o, "declaration", (json_t *)p->decl);
		if (p->resolved) {
			v = p->value;
			from = from_of(r, p);
		} else if ((v = jd_params_get(r->params, p->name, &from)) != NULL) {
		} else if ((v = json_object_get(p->decl, "default")) != NULL) {
			from = "default";
		}
		if (v) {
			json_object_set(o, "value", (json_t *)v);
			json_object_set_new(o, "from", json_string(from));
		} else if (json_is_true(json_object_get(p->decl, "optional"))) {
			json_object_set_new(o, "value", json_string(""));
			json_object_set_new(o, "from", json_string("optional, no value"));
		} else {
			json_object_set_new(o, "value", json_null());
			json_object_set_new(o, "from", json_string("missing"));
		}
		json_object_set_new(o, "uses", uses);
		for (j = 0; j < r->nuses; j++) {
			struct use *u = &r->uses[j];
			struct jd_error e;
			if (u->param != i)
				continue;
			jd_error_clear(&e);
			place_at(r, u->w, u->ptr, u->key, u->s, u->slen, u->off, &e);
			json_array_append_new(uses, json_pack("{s:s,s:i,s:i,s:s}", "file", e.input,
							      "line", (int)e.line, "column",
							      (int)e.col, "pointer", e.pointer));
		}
	}
	for (j = 0; j < r->nuses; j++) {
		struct use *u = &r->uses[j];
		struct jd_error e;
		if (u->param != (size_t)-1)
			continue;
		jd_error_clear(&e);
		place_at(r, u->w, u->ptr, u->key, u->s, u->slen, u->off, &e);
		json_array_append_new(
			aws, json_pack("{s:s,s:s%,s:s,s:i,s:i,s:s}", "kind",
				       jd_ph_kind_name(u->kind), "text", u->s ? u->s + u->off : "",
				       u->s ? u->end - u->off : 0, "file", e.input, "line",
				       (int)e.line, "column", (int)e.col, "pointer", e.pointer));
	}
	out = json_pack("{s:o,s:o}", "parameters", params, "placeholders", aws);
	if (!out)
		goto oom;
	return out;
oom:
	json_decref(params);
	json_decref(aws);
	jd_error_oom(err);
	return NULL;
}

char *jd_render_take_json(struct jd_render *r)
{
	char *t = r ? r->doc_json : NULL;

	if (r)
		r->doc_json = NULL;
	return t;
}
