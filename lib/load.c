/*
 * The loader: libyaml events into Jansson trees plus a source map.
 * See load.h for the typing rules; the reasons are in README.md.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "buf.h"
#include "file.h"
#include "internal.h"
#include "load.h"
#include "yevent.h"

#define CORE_TAG	"tag:yaml.org,2002:"
#define MAX_ANCHORS	4096
#define MAX_ALIAS_NODES 100000
#define MAX_POINTER	((size_t)1 << 20)

struct frame {
	json_t *node;
	int is_map;
	size_t ptr_len; /* length of this container's pointer */
	size_t index;	/* next item index (sequences) */
	char *key;	/* pending member key (maps): kbuf, or NULL */
	size_t klen;
	char *kbuf; /* owned, kept for the next container at this depth */
	size_t kcap;
	struct jd_pos kpos;
	char *anchor;	  /* owned */
	size_t map_first; /* srcmap entry of this container */
	size_t nodes_first;
};

struct anchor {
	char *name;
	json_t *node; /* borrowed: owned by the document tree */
	size_t first, last;
	size_t nodes;
	size_t plen; /* length of the anchored node's pointer */
	char *prefix;
};

struct loader {
	const char *name;
	const char *data;
	size_t len;
	size_t max_nodes;
	unsigned max_depth;
	yaml_parser_t parser;
	struct jd_buf ptr;
	struct frame *stack;
	size_t depth, stack_alloc;
	struct anchor *anchors;
	size_t nanchors, anchors_alloc;
	size_t nodes, alias_nodes;
	struct jd_doc *docs;
	size_t ndocs, docs_alloc;
	struct jd_doc cur;
	int have_cur;
	struct jd_error *err;
	/*
	 * libyaml rejects JSON's surrogate-pair escapes ("\ud83d\ude80");
	 * each one it stops at is rewritten as "\U0001f680" in a copy of the
	 * input and the parse starts again. Columns after a rewrite on the
	 * same line are put back by the recorded shifts.
	 */
	char *copy;
	struct edit {
		unsigned line, col, delta;
	} * edits;
	size_t nedits;
};

static unsigned true_col(const struct loader *L, unsigned line, unsigned col)
{
	unsigned c = col;
	size_t i;

	for (i = 0; i < L->nedits; i++)
		if (L->edits[i].line == line && L->edits[i].col < col)
			c += L->edits[i].delta;
	return c;
}

static struct jd_pos mark_pos(const struct loader *L, const struct yev *m)
{
	struct jd_pos p = {m->line + 1, 0, 0, 0};

	p.col = true_col(L, p.line, m->col + 1);
	return p;
}

/* Line and column (1-based, in characters) of byte offset off. */
static void offset_pos(const char *data, size_t len, size_t off, unsigned *line, unsigned *col)
{
	size_t i;
	unsigned l = 1, c = 1;

	if (off > len)
		off = len;
	for (i = 0; i < off; i++) {
		if (data[i] == '\n') {
			l++;
			c = 1;
		} else if (((unsigned char)data[i] & 0xc0) != 0x80) {
			c++;
		}
	}
	*line = l;
	*col = c;
}

/* The byte at 1-based line:col (col in characters), or -1. */
static int char_at(const char *data, size_t len, unsigned line, unsigned col)
{
	size_t i = 0;
	unsigned l = 1, c = 1;

	while (i < len && l < line) {
		if (data[i++] == '\n')
			l++;
	}
	while (i < len && c < col && data[i] != '\n') {
		i++;
		while (i < len && ((unsigned char)data[i] & 0xc0) == 0x80)
			i++;
		c++;
	}
	return i < len ? (unsigned char)data[i] : -1;
}

static int vfail_at(struct loader *L, unsigned line, unsigned col, const char *fmt, va_list ap)
{
	if (!L->err)
		return -1;
	jd_error_place(L->err, L->name, line, true_col(L, line, col), "");
	L->err->code = JD_EINPUT;
	vsnprintf(L->err->msg, sizeof(L->err->msg), fmt, ap);
	return -1;
}

static int fail_at(struct loader *L, unsigned line, unsigned col, const char *fmt, ...)
	JD_PRINTF(4, 5);
static int fail_at(struct loader *L, unsigned line, unsigned col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail_at(L, line, col, fmt, ap);
	va_end(ap);
	return -1;
}

static int fail_mark(struct loader *L, const struct yev *m, const char *fmt, ...) JD_PRINTF(3, 4);
static int fail_mark(struct loader *L, const struct yev *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail_at(L, m->line + 1, m->col + 1, fmt, ap);
	va_end(ap);
	return -1;
}

/* Rejects what libyaml would misreport or accept: bad UTF-8, NUL, UTF-16. */
static int prescan(struct loader *L)
{
	const unsigned char *s = (const unsigned char *)L->data;
	size_t i = 0, n = L->len;

	if (n >= 2 && ((s[0] == 0xfe && s[1] == 0xff) || (s[0] == 0xff && s[1] == 0xfe)))
		return fail_at(L, 1, 1, "UTF-16 text; jobdoc reads UTF-8");
	while (i < n) {
		size_t k;
		unsigned line, col;

		if (s[i] >= 0x20 && s[i] < 0x7f) {
			i++;
			continue;
		}
		if (s[i] == 0) {
			offset_pos(L->data, n, i, &line, &col);
			return fail_at(L, line, col, "NUL byte in the input");
		}
		k = jd_utf8_seq(s + i, n - i);
		if (!k) {
			offset_pos(L->data, n, i, &line, &col);
			return fail_at(L, line, col, "invalid UTF-8 (byte 0x%02x)", s[i]);
		}
		i += k;
	}
	return 0;
}

static int parser_error(struct loader *L)
{
	yaml_parser_t *p = &L->parser;
	unsigned line, col;
	const char *problem = p->problem ? p->problem : "malformed YAML";

	if (p->error == YAML_MEMORY_ERROR)
		return jd_error_oom(L->err);
	if (p->error == YAML_READER_ERROR) {
		offset_pos(L->data, L->len, p->problem_offset, &line, &col);
		if (p->problem_value >= 0 && p->problem_value < 0x20)
			return fail_at(L, line, col, "control character 0x%02x in the input",
				       (unsigned)p->problem_value);
		return fail_at(L, line, col, "%s", problem);
	}
	line = (unsigned)p->problem_mark.line + 1;
	col = (unsigned)p->problem_mark.column + 1;
	if (char_at(L->data, L->len, line, col) == '\t')
		return fail_at(L, line, col,
			       "tab character in indentation (YAML indents with spaces)");
	if (p->context)
		return fail_at(L, line, col, "%s (%s at line %u)", problem, p->context,
			       (unsigned)p->context_mark.line + 1);
	return fail_at(L, line, col, "%s", problem);
}

/* ---- scalars ---- */

/* The core schema's spellings: all lowercase, Capitalised, or ALL CAPS. */
static int spelled(const char *s, const char *lower, size_t n)
{
	size_t i;
	int all_up;

	if ((s[0] | 0x20) != lower[0])
		return 0;
	all_up = s[0] != lower[0] && s[1] >= 'A' && s[1] <= 'Z';
	for (i = 1; i < n; i++) /* stops at a NUL: it never matches */
		if (s[i] != (all_up ? lower[i] - 32 : lower[i]))
			return 0;
	return s[n] == '\0';
}

static int is_null(const char *s)
{
	return !*s || (s[0] == '~' && !s[1]) || spelled(s, "null", 4);
}

static int bool_value(const char *s)
{
	if (spelled(s, "true", 4))
		return 1;
	if (spelled(s, "false", 5))
		return 0;
	return -1;
}

static int all_digits(const char *s, size_t n, int base)
{
	size_t i;

	if (!n)
		return 0;
	for (i = 0; i < n; i++) {
		int c = (unsigned char)s[i];
		if (base == 8 ? !(c >= '0' && c <= '7') : base == 16 ? !isxdigit(c) : !isdigit(c))
			return 0;
	}
	return 1;
}

/* Parses digits of base into an int64 with sign; 0 ok, -1 out of range. */
static int parse_int(const char *s, size_t n, int base, int neg, json_int_t *out)
{
	uint64_t v = 0, lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	size_t i;

	for (i = 0; i < n; i++) {
		int c = (unsigned char)s[i];
		unsigned d = isdigit(c) ? (unsigned)(c - '0') : (unsigned)(tolower(c) - 'a' + 10);
		if (v > (lim - d) / (unsigned)base)
			return -1;
		v = v * (unsigned)base + d;
	}
	*out = neg ? (v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(json_int_t)v) : (json_int_t)v;
	return 0;
}

enum kind { K_STR, K_NULL, K_BOOL, K_INT, K_FLOAT, K_BAD_INT, K_INF_NAN };

/*
 * Classifies a plain scalar by the YAML 1.2 core schema. json: the JSON
 * grammar's numbers are numbers even where block YAML keeps them strings.
 */
static enum kind classify(const char *s, int json, json_int_t *iv)
{
	size_t n = strlen(s), i = 0, int_digits, frac_digits = 0;
	int neg = 0, has_dot = 0, has_exp = 0;
	const char *frac = NULL;

	/* most scalars are words: nothing in the core schema starts with these */
	switch (s[0]) {
	case '\0':
	case '~':
	case 'n':
	case 'N':
	case 't':
	case 'T':
	case 'f':
	case 'F':
	case '.':
	case '-':
	case '+': break;
	default:
		if (s[0] < '0' || s[0] > '9')
			return K_STR;
	}

	if (is_null(s))
		return K_NULL;
	if (bool_value(s) >= 0)
		return K_BOOL;
	if (s[0] == '0' && (s[1] == 'o' || s[1] == 'x') &&
	    all_digits(s + 2, n - 2, s[1] == 'o' ? 8 : 16))
		return parse_int(s + 2, n - 2, s[1] == 'o' ? 8 : 16, 0, iv) < 0 ? K_BAD_INT : K_INT;
	{
		const char *t = s + (s[0] == '-' || s[0] == '+');
		if (!strcmp(t, ".inf") || !strcmp(t, ".Inf") || !strcmp(t, ".INF") ||
		    !strcmp(s, ".nan") || !strcmp(s, ".NaN") || !strcmp(s, ".NAN"))
			return K_INF_NAN;
	}
	if (s[i] == '-' || s[i] == '+') {
		neg = s[i] == '-';
		i++;
	}
	int_digits = 0;
	while (isdigit((unsigned char)s[i + int_digits]))
		int_digits++;
	if (i + int_digits == n) {
		if (!int_digits)
			return K_STR;
		/* 010: 1.1 read octal 8, 1.2 reads 10, JSON has no such number */
		if (int_digits > 1 && s[i] == '0')
			return K_STR;
		return parse_int(s + i, int_digits, 10, neg, iv) < 0 ? K_BAD_INT : K_INT;
	}
	i += int_digits;
	if (s[i] == '.') {
		has_dot = 1;
		frac = s + i + 1;
		i++;
		while (isdigit((unsigned char)s[i])) {
			i++;
			frac_digits++;
		}
	}
	if (!int_digits && !frac_digits)
		return K_STR;
	if (s[i] == 'e' || s[i] == 'E') {
		size_t e = i + 1;
		if (s[e] == '-' || s[e] == '+')
			e++;
		if (!isdigit((unsigned char)s[e]))
			return K_STR;
		while (isdigit((unsigned char)s[e]))
			e++;
		has_exp = 1;
		i = e;
	}
	if (i != n || (!has_dot && !has_exp))
		return K_STR;
	if (json) {
		/* JSON: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)? */
		if (s[0] == '+' || !int_digits || (has_dot && !frac_digits) ||
		    (int_digits > 1 && s[neg] == '0'))
			return K_STR;
		return K_FLOAT;
	}
	/* 01.5 and version-like 1.10 (digits a number would drop) stay strings */
	if (int_digits > 1 && s[neg || s[0] == '+'] == '0')
		return K_STR;
	if (frac && frac_digits > 1 && frac[frac_digits - 1] == '0')
		return K_STR;
	return K_FLOAT;
}

static json_t *make_scalar(struct loader *L, const struct yev *ev)
{
	const char *s = ev->value;
	size_t n = ev->len;
	const char *tag = ev->tag;
	int plain = ev->plain;
	const struct yev *m = ev;
	json_int_t iv = 0;
	enum kind k;

	if (tag && strcmp(tag, "!")) {
		const char *t =
			!strncmp(tag, CORE_TAG, strlen(CORE_TAG)) ? tag + strlen(CORE_TAG) : NULL;
		if (!t || (strcmp(t, "str") && strcmp(t, "int") && strcmp(t, "float") &&
			   strcmp(t, "bool") && strcmp(t, "null"))) {
			if (t && (!strcmp(t, "map") || !strcmp(t, "seq")))
				fail_mark(L, m, "tag '!!%s' on a scalar", t);
			else
				fail_mark(L, m,
					  "unknown tag '%s%s' (only !!str !!int !!float !!bool "
					  "!!null "
					  "!!map !!seq)",
					  t ? "!!" : "", t ? t : tag);
			return NULL;
		}
		if (!strcmp(t, "str"))
			return json_stringn_nocheck(s, n);
		k = strlen(s) != n ? K_STR : classify(s, 1, &iv);
		if (!strcmp(t, "null") && k == K_NULL)
			return json_null();
		if (!strcmp(t, "bool") && k == K_BOOL)
			return json_boolean(bool_value(s));
		if (!strcmp(t, "int") && (k == K_INT || k == K_BAD_INT))
			goto number;
		if (!strcmp(t, "float") &&
		    (k == K_INT || k == K_FLOAT || k == K_BAD_INT || k == K_INF_NAN))
			goto number;
		fail_mark(L, m, "'%s' is not a valid value for its tag", s);
		return NULL;
	}
	if (!plain || tag)
		return json_stringn_nocheck(s, n);
	if (strlen(s) != n)
		return json_stringn_nocheck(s, n);
	k = classify(s, L->cur.json, &iv);
number:
	switch (k) {
	case K_STR: return json_stringn_nocheck(s, n);
	case K_NULL: return json_null();
	case K_BOOL: return json_boolean(bool_value(s));
	case K_INT:
		if (tag && !strcmp(tag, CORE_TAG "float"))
			return json_real((double)iv);
		return json_integer(iv);
	case K_BAD_INT:
		fail_mark(L, m,
			  "integer '%s' is out of range (64 bits); quote it to keep it as text", s);
		return NULL;
	case K_INF_NAN:
		fail_mark(L, m, "'%s' has no JSON form (no infinity or NaN in JSON)", s);
		return NULL;
	case K_FLOAT: {
		double d;
		errno = 0;
		d = strtod(s, NULL);
		if (isinf(d) || (errno == ERANGE && d == 0)) {
			fail_mark(L, m, "number '%s' is out of range", s);
			return NULL;
		}
		return json_real(d);
	}
	}
	return NULL;
}

/* ---- tree building ---- */

static int count_node(struct loader *L, size_t n, const struct yev *m)
{
	if (n > L->max_nodes || L->nodes > L->max_nodes - n)
		return fail_at(L, m->line + 1, m->col + 1,
			       "too many values (over %zu, aliases expanded): "
			       "an alias bomb or an oversized input",
			       L->max_nodes);
	L->nodes += n;
	return 0;
}

/* Puts v (owned) at the current place: root, next item, or pending key. */
static int insert(struct loader *L, json_t *v, const struct yev *m, int is_alias)
{
	struct jd_pos pos = mark_pos(L, m);
	struct frame *f = L->depth ? &L->stack[L->depth - 1] : NULL;
	int r;

	if (!v)
		return L->err && L->err->code ? -1 : jd_error_oom(L->err);
	(void)is_alias;
	if (!f) {
		L->cur.root = v;
		jd_buf_reset(&L->ptr);
		if (!L->ptr.data && jd_buf_grow(&L->ptr, 1, L->err) < 0)
			return -1;
	} else if (!f->is_map) {
		if (jd_pointer_push_index(&L->ptr, f->index++, L->err) < 0) {
			json_decref(v);
			return -1;
		}
		r = json_array_append_new(f->node, v);
		if (r < 0)
			return jd_error_oom(L->err);
	} else {
		if (jd_pointer_push(&L->ptr, f->key, f->klen, L->err) < 0) {
			json_decref(v);
			return -1;
		}
		pos.kline = f->kpos.line;
		pos.kcol = f->kpos.col;
		r = json_object_setn_new_nocheck(f->node, f->key, f->klen, v);
		f->key = NULL;
		if (r < 0)
			return jd_error_oom(L->err);
	}
	/* every pointer is new: a duplicate key was refused before */
	if (jd_srcmap_append(L->cur.map, L->ptr.data, L->ptr.len, &pos) < 0)
		return jd_error_oom(L->err);
	return 0;
}

static void pop_pointer(struct loader *L)
{
	size_t len = L->depth ? L->stack[L->depth - 1].ptr_len : 0;

	L->ptr.len = len;
	if (L->ptr.data)
		L->ptr.data[len] = '\0';
}

static int add_anchor(struct loader *L, const char *name, json_t *node, size_t first, size_t nodes,
		      const char *prefix, size_t plen, const struct yev *m)
{
	struct anchor *a;

	if (L->nanchors == MAX_ANCHORS)
		return fail_mark(L, m, "too many anchors (over %d)", MAX_ANCHORS);
	if (L->nanchors == L->anchors_alloc) {
		size_t n = L->anchors_alloc ? L->anchors_alloc * 2 : 16;
		a = realloc(L->anchors, n * sizeof(*a));
		if (!a)
			return jd_error_oom(L->err);
		L->anchors = a;
		L->anchors_alloc = n;
	}
	a = &L->anchors[L->nanchors];
	a->name = jd_strndup(name, strlen(name));
	a->prefix = jd_strndup(prefix, plen);
	if (!a->name || !a->prefix) {
		free(a->name);
		free(a->prefix);
		return jd_error_oom(L->err);
	}
	a->node = node;
	a->first = first;
	a->last = jd_srcmap_count(L->cur.map);
	a->nodes = nodes;
	a->plen = plen;
	L->nanchors++;
	return 0;
}

static void clear_anchors(struct loader *L)
{
	size_t i;

	for (i = 0; i < L->nanchors; i++) {
		free(L->anchors[i].name);
		free(L->anchors[i].prefix);
	}
	L->nanchors = 0;
}

static int on_alias(struct loader *L, const struct yev *ev)
{
	const char *name = ev->value;
	struct anchor *a = NULL;
	size_t i, base;
	json_t *copy;
	struct jd_buf p = JD_BUF_INIT(MAX_POINTER);
	int ret = -1;

	if (L->depth && L->stack[L->depth - 1].is_map && !L->stack[L->depth - 1].key)
		return fail_mark(L, ev, "alias '*%s' as a key: keys must be plain strings", name);
	for (i = L->nanchors; i-- > 0;)
		if (!strcmp(L->anchors[i].name, name)) {
			a = &L->anchors[i];
			break;
		}
	if (!a)
		return fail_mark(L, ev, "unknown alias '*%s'", name);
	if (!a->node)
		return fail_mark(L, ev, "alias '*%s' refers to a node that contains it", name);
	if (a->nodes > MAX_ALIAS_NODES - L->alias_nodes)
		return fail_mark(
			L, ev, "aliases expand to over %d values: an alias bomb (billion laughs)?",
			MAX_ALIAS_NODES);
	L->alias_nodes += a->nodes;
	if (count_node(L, a->nodes, ev) < 0)
		return -1;
	copy = json_deep_copy(a->node);
	if (insert(L, copy, ev, 1) < 0)
		return -1;
	/* the aliased values keep the places they were written at */
	base = L->ptr.len;
	for (i = a->first + 1; i < a->last; i++) {
		size_t len;
		struct jd_pos pos;
		const char *ptr = jd_srcmap_entry(L->cur.map, i, &len, &pos);

		jd_buf_reset(&p);
		if (jd_buf_add(&p, L->ptr.data, base, L->err) < 0 ||
		    jd_buf_add(&p, ptr + a->plen, len - a->plen, L->err) < 0)
			goto out;
		if (jd_srcmap_add(L->cur.map, p.data, p.len, &pos) < 0) {
			jd_error_oom(L->err);
			goto out;
		}
	}
	pop_pointer(L);
	ret = 0;
out:
	jd_buf_release(&p);
	return ret;
}

static int on_scalar(struct loader *L, const struct yev *ev)
{
	struct frame *f = L->depth ? &L->stack[L->depth - 1] : NULL;
	const char *anchor = ev->anchor;
	json_t *v;
	size_t first;

	if (f && f->is_map && !f->key) {
		const char *s = ev->value;
		const char *tag = ev->tag;
		size_t n = ev->len;
		json_int_t iv;

		if (tag && strcmp(tag, "!") && strcmp(tag, CORE_TAG "str"))
			return fail_mark(L, ev, "key '%s' must be a string", s);
		if (!tag && ev->plain && strlen(s) == n) {
			enum kind k = classify(s, L->cur.json, &iv);
			static const char *const names[] = {"",		  "null",     "a boolean",
							    "an integer", "a number", "an integer",
							    "a number"};
			if (k != K_STR)
				return fail_mark(
					L, ev,
					"key '%.100s' is %s; keys must be strings (quote it)", s,
					names[k]);
			if (!L->cur.json && !strcmp(s, "<<"))
				return fail_mark(L, ev, "%s",
						 "merge keys ('<<') are YAML 1.1, not 1.2: write "
						 "the members out, or alias a whole value");
		}
		if (json_object_getn(f->node, s, n)) {
			struct jd_buf p = JD_BUF_INIT(MAX_POINTER);
			struct jd_pos pos = {0, 0, 0, 0};
			if (jd_buf_add(&p, L->ptr.data, L->ptr.len, L->err) == 0 &&
			    jd_pointer_push(&p, s, n, L->err) == 0)
				jd_srcmap_find(L->cur.map, p.data, &pos);
			jd_buf_release(&p);
			return fail_at(L, ev->line + 1, ev->col + 1,
				       "duplicate key '%.200s' (first at line %u)", s, pos.kline);
		}
		if (anchor)
			return fail_mark(L, ev, "anchor '&%s' on a key is not supported", anchor);
		if (n >= f->kcap) {
			size_t c = n < 64 ? 64 : n + 1;
			char *k = realloc(f->kbuf, c);
			if (!k)
				return jd_error_oom(L->err);
			f->kbuf = k;
			f->kcap = c;
		}
		memcpy(f->kbuf, s, n);
		f->kbuf[n] = '\0';
		f->key = f->kbuf;
		f->klen = n;
		f->kpos = mark_pos(L, ev);
		return 0;
	}
	if (count_node(L, 1, ev) < 0)
		return -1;
	v = make_scalar(L, ev);
	if (!v)
		return L->err && L->err->code ? -1 : jd_error_oom(L->err);
	first = jd_srcmap_count(L->cur.map);
	if (insert(L, v, ev, 0) < 0)
		return -1;
	if (anchor && add_anchor(L, anchor, v, first, 1, L->ptr.data, L->ptr.len, ev) < 0)
		return -1;
	pop_pointer(L);
	return 0;
}

static int on_start(struct loader *L, const struct yev *ev, int is_map)
{
	struct frame *f = L->depth ? &L->stack[L->depth - 1] : NULL;
	const char *tag = ev->tag;
	const char *anchor = ev->anchor;
	json_t *node;
	size_t first;

	if (f && f->is_map && !f->key)
		return fail_mark(L, ev, "%s", "keys must be strings, not mappings or sequences");
	if (tag && strcmp(tag, "!") && strcmp(tag, is_map ? CORE_TAG "map" : CORE_TAG "seq"))
		return fail_mark(
			L, ev,
			"unknown tag '%s' (only !!str !!int !!float !!bool !!null !!map !!seq)",
			!strncmp(tag, CORE_TAG, strlen(CORE_TAG)) ? tag + strlen(CORE_TAG) - 2
								  : tag);
	if (L->depth >= L->max_depth)
		return fail_mark(L, ev, "nesting deeper than %u levels", L->max_depth);
	if (count_node(L, 1, ev) < 0)
		return -1;
	if (!f && ev->flow)
		L->cur.json = 1;
	node = is_map ? json_object() : json_array();
	first = jd_srcmap_count(L->cur.map);
	if (insert(L, node, ev, 0) < 0)
		return -1;
	if (L->depth == L->stack_alloc) {
		size_t n = L->stack_alloc ? L->stack_alloc * 2 : 16;
		struct frame *s = realloc(L->stack, n * sizeof(*s));
		if (!s)
			return jd_error_oom(L->err);
		memset(s + L->stack_alloc, 0, (n - L->stack_alloc) * sizeof(*s));
		L->stack = s;
		L->stack_alloc = n;
	}
	f = &L->stack[L->depth++];
	{
		char *kb = f->kbuf;
		size_t kc = f->kcap;
		memset(f, 0, sizeof(*f));
		f->kbuf = kb;
		f->kcap = kc;
	}
	f->node = node;
	f->is_map = is_map;
	f->ptr_len = L->ptr.len;
	f->map_first = first;
	f->nodes_first = L->nodes - 1;
	if (anchor) {
		f->anchor = jd_strndup(anchor, strlen(anchor));
		if (!f->anchor)
			return jd_error_oom(L->err);
		/* registered now (node NULL) so a self-reference is caught */
		if (add_anchor(L, anchor, NULL, first, 0, L->ptr.data, L->ptr.len, ev) < 0)
			return -1;
	}
	return 0;
}

static int on_end(struct loader *L)
{
	struct frame *f = &L->stack[L->depth - 1];

	if (f->anchor) {
		size_t i;
		for (i = L->nanchors; i-- > 0;)
			if (!L->anchors[i].node && !strcmp(L->anchors[i].name, f->anchor)) {
				L->anchors[i].node = f->node;
				L->anchors[i].last = jd_srcmap_count(L->cur.map);
				L->anchors[i].nodes = L->nodes - f->nodes_first;
				break;
			}
		free(f->anchor);
	}
	f->key = NULL;
	L->depth--;
	pop_pointer(L);
	return 0;
}

static void unwind(struct loader *L)
{
	while (L->depth) {
		struct frame *f = &L->stack[--L->depth];
		f->key = NULL;
		free(f->anchor);
	}
}

static int push_doc(struct loader *L)
{
	if (L->ndocs == L->docs_alloc) {
		size_t n = L->docs_alloc ? L->docs_alloc * 2 : 4;
		struct jd_doc *d = realloc(L->docs, n * sizeof(*d));
		if (!d)
			return jd_error_oom(L->err);
		L->docs = d;
		L->docs_alloc = n;
	}
	if (!L->cur.root)
		L->cur.root = json_null();
	L->docs[L->ndocs++] = L->cur;
	memset(&L->cur, 0, sizeof(L->cur));
	L->have_cur = 0;
	return 0;
}

void jd_doc_release(struct jd_doc *doc)
{
	if (!doc)
		return;
	json_decref(doc->root);
	jd_srcmap_free(doc->map);
	free(doc->name);
	memset(doc, 0, sizeof(*doc));
}

void jd_docs_free(struct jd_doc *docs, size_t n)
{
	size_t i;

	if (!docs)
		return;
	for (i = 0; i < n; i++)
		jd_doc_release(&docs[i]);
	free(docs);
}

#define RETRY 1

/*
 * libyaml stopped at a "\uD8xx" escape: when it starts a surrogate pair,
 * rewrite the pair as one "\U000XXXXX" escape and ask for a new parse.
 */
static int fix_surrogates(struct loader *L)
{
	yaml_parser_t *p = &L->parser;
	unsigned line = (unsigned)p->problem_mark.line + 1,
		 col = (unsigned)p->problem_mark.column + 1;
	size_t i = 0, off;
	unsigned l = 1, c = 1, hi, lo;
	char *s;
	struct edit *e;

	if (!p->problem || strcmp(p->problem, "found invalid Unicode character escape code"))
		return 0;
	if (!L->copy) {
		L->copy = jd_strndup(L->data, L->len);
		if (!L->copy)
			return jd_error_oom(L->err);
		L->data = L->copy;
	}
	s = L->copy;
	while (i < L->len && l < line)
		if (s[i++] == '\n')
			l++;
	while (i < L->len && c < col) {
		i++;
		while (i < L->len && ((unsigned char)s[i] & 0xc0) == 0x80)
			i++;
		c++;
	}
	if (i < 2 || i + 10 > L->len || s[i - 2] != '\\' || s[i - 1] != 'u' ||
	    sscanf(s + i, "%4x", &hi) != 1 || hi < 0xd800 || hi > 0xdbff || s[i + 4] != '\\' ||
	    s[i + 5] != 'u' || sscanf(s + i + 6, "%4x", &lo) != 1 || lo < 0xdc00 || lo > 0xdfff) {
		fail_at(L, line, col - 2, "lone UTF-16 surrogate in a \\u escape");
		return -1;
	}
	if (L->nedits >= 100000)
		return fail_at(L, line, col, "too many surrogate-pair escapes");
	e = realloc(L->edits, (L->nedits + 1) * sizeof(*e));
	if (!e)
		return jd_error_oom(L->err);
	L->edits = e;
	off = i - 2;
	snprintf(s + off, 11, "\\U%08X", 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00));
	memmove(s + off + 10, s + off + 12, L->len - off - 12);
	L->len -= 2;
	e[L->nedits].line = line;
	e[L->nedits].col = col - 2;
	e[L->nedits].delta = 2;
	L->nedits++;
	return RETRY;
}

static void reset(struct loader *L)
{
	unwind(L);
	clear_anchors(L);
	if (L->have_cur)
		jd_doc_release(&L->cur);
	L->have_cur = 0;
	jd_docs_free(L->docs, L->ndocs);
	L->docs = NULL;
	L->ndocs = L->docs_alloc = 0;
	L->nodes = L->alias_nodes = 0;
	yaml_parser_delete(&L->parser);
	memset(&L->parser, 0, sizeof(L->parser));
}

/* Handles one event of either parser: 0, or -1 with L->err set. */
static int on_event(void *ctx, const struct yev *ev)
{
	struct loader *L = ctx;

	switch (ev->type) {
	case YEV_DOC_START:
		L->cur.map = jd_srcmap_new();
		L->cur.name = jd_strndup(L->name, strlen(L->name));
		/* about a value per 16 bytes of input, a pointer of 24 bytes each */
		if (L->cur.map) {
			size_t n = L->len / 16 < 4096 ? L->len / 16 + 16 : 4096;
			if (jd_srcmap_reserve(L->cur.map, n, n * 24) < 0)
				return jd_error_oom(L->err);
		}
		L->cur.index = (unsigned)L->ndocs;
		L->have_cur = 1;
		if (!L->cur.map || !L->cur.name)
			return jd_error_oom(L->err);
		return 0;
	case YEV_DOC_END: clear_anchors(L); return push_doc(L);
	case YEV_SCALAR: return on_scalar(L, ev);
	case YEV_SEQ_START: return on_start(L, ev, 0);
	case YEV_MAP_START: return on_start(L, ev, 1);
	case YEV_SEQ_END:
	case YEV_MAP_END: return on_end(L);
	case YEV_ALIAS: return on_alias(L, ev);
	default: return 0;
	}
}

/* libyaml's event as ours */
static void from_libyaml(const yaml_event_t *e, struct yev *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->line = (unsigned)e->start_mark.line;
	ev->col = (unsigned)e->start_mark.column;
	switch (e->type) {
	case YAML_STREAM_START_EVENT: ev->type = YEV_STREAM_START; break;
	case YAML_STREAM_END_EVENT: ev->type = YEV_STREAM_END; break;
	case YAML_DOCUMENT_START_EVENT: ev->type = YEV_DOC_START; break;
	case YAML_DOCUMENT_END_EVENT: ev->type = YEV_DOC_END; break;
	case YAML_SEQUENCE_START_EVENT:
		ev->type = YEV_SEQ_START;
		ev->tag = (const char *)e->data.sequence_start.tag;
		ev->anchor = (const char *)e->data.sequence_start.anchor;
		ev->flow = e->data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE;
		break;
	case YAML_MAPPING_START_EVENT:
		ev->type = YEV_MAP_START;
		ev->tag = (const char *)e->data.mapping_start.tag;
		ev->anchor = (const char *)e->data.mapping_start.anchor;
		ev->flow = e->data.mapping_start.style == YAML_FLOW_MAPPING_STYLE;
		break;
	case YAML_SEQUENCE_END_EVENT: ev->type = YEV_SEQ_END; break;
	case YAML_MAPPING_END_EVENT: ev->type = YEV_MAP_END; break;
	case YAML_SCALAR_EVENT:
		ev->type = YEV_SCALAR;
		ev->value = (const char *)e->data.scalar.value;
		ev->len = e->data.scalar.length;
		ev->tag = (const char *)e->data.scalar.tag;
		ev->anchor = (const char *)e->data.scalar.anchor;
		ev->plain = e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		break;
	case YAML_ALIAS_EVENT:
		ev->type = YEV_ALIAS;
		ev->value = (const char *)e->data.alias.anchor;
		ev->len = ev->value ? strlen(ev->value) : 0;
		break;
	default: ev->type = YEV_NONE; break;
	}
}

int jd_ylib_parse(const char *data, size_t len, jd_yev_fn fn, void *ctx)
{
	yaml_parser_t parser;
	yaml_event_t e;
	struct yev ev;
	int done = 0, ret = 0;

	if (!yaml_parser_initialize(&parser))
		return -1;
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);
	while (!done && !ret) {
		if (!yaml_parser_parse(&parser, &e)) {
			ret = -1;
			break;
		}
		from_libyaml(&e, &ev);
		done = ev.type == YEV_STREAM_END;
		if (fn(ctx, &ev) < 0)
			ret = -1;
		yaml_event_delete(&e);
	}
	yaml_parser_delete(&parser);
	return ret;
}

/* One pass over the stream with libyaml: 0, -1 with L->err set, or RETRY. */
static int parse_stream(struct loader *L)
{
	yaml_event_t e;
	struct yev ev;
	int done = 0;

	if (!yaml_parser_initialize(&L->parser))
		return jd_error_oom(L->err);
	yaml_parser_set_input_string(&L->parser, (const unsigned char *)L->data, L->len);
	yaml_parser_set_encoding(&L->parser, YAML_UTF8_ENCODING);
	while (!done) {
		int r;

		if (!yaml_parser_parse(&L->parser, &e)) {
			r = fix_surrogates(L);
			if (r)
				return r;
			return parser_error(L);
		}
		from_libyaml(&e, &ev);
		done = ev.type == YEV_STREAM_END;
		r = on_event(L, &ev);
		yaml_event_delete(&e);
		if (r < 0)
			return -1;
	}
	return 0;
}

int jd_load(const char *name, const char *data, size_t len, const struct jd_load_opts *opts,
	    struct jd_doc **docs, size_t *ndocs, struct jd_error *err)
{
	struct loader L;
	int r;
	size_t max_input = opts && opts->max_input ? opts->max_input : JD_INPUT_MAX;

	memset(&L, 0, sizeof(L));
	L.name = name;
	L.data = data;
	L.len = len;
	L.err = err;
	L.max_nodes = opts && opts->max_nodes ? opts->max_nodes : 1000000;
	L.max_depth = opts && opts->max_depth ? opts->max_depth : 256;
	jd_buf_init(&L.ptr, MAX_POINTER);
	*docs = NULL;
	*ndocs = 0;
	if (len > max_input)
		return jd_error_at(err, JD_EINPUT, name, 0, 0, NULL,
				   "too big (the limit is %zu bytes)", max_input);
	if (prescan(&L) < 0)
		return -1;
	/* skip a UTF-8 byte order mark ourselves: the offsets stay true */
	if (len >= 3 && !memcmp(data, "\xef\xbb\xbf", 3)) {
		L.data += 3;
		L.len -= 3;
	}
	/*
	 * The fast scanner reads the common subset of YAML and gives the same
	 * events as libyaml; on anything else it bails out (JD_YFAST_BAIL)
	 * and libyaml reads the input from the start.
	 */
	r = jd_yfast_parse(L.data, L.len, on_event, &L);
	if (r == JD_YFAST_BAIL) {
		reset(&L);
		while ((r = parse_stream(&L)) == RETRY)
			reset(&L);
	}
	if (r == 0) {
		*docs = L.docs;
		*ndocs = L.ndocs;
		L.docs = NULL;
		L.ndocs = 0;
	}
	reset(&L);
	free(L.anchors);
	while (L.stack_alloc)
		free(L.stack[--L.stack_alloc].kbuf);
	free(L.stack);
	free(L.copy);
	free(L.edits);
	jd_buf_release(&L.ptr);
	if (r < 0 && err && err->code == JD_EINTERNAL && !err->input[0])
		jd_strlcpy(err->input, name, sizeof(err->input));
	return r < 0 ? -1 : 0;
}

int jd_load_file(const char *path, const struct jd_load_opts *opts, struct jd_doc **docs,
		 size_t *ndocs, struct jd_error *err)
{
	struct jd_buf b = JD_BUF_INIT(0);
	size_t max = opts && opts->max_input ? opts->max_input : JD_INPUT_MAX;
	int ret;

	b.max = max + 1;
	*docs = NULL;
	*ndocs = 0;
	if (jd_read_file(path, max, &b, err) < 0) {
		jd_buf_release(&b);
		return -1;
	}
	ret = jd_load(path, b.data, b.len, opts, docs, ndocs, err);
	jd_buf_release(&b);
	return ret;
}

int jd_load_one(const char *path, const struct jd_load_opts *opts, struct jd_doc *doc,
		struct jd_error *err)
{
	struct jd_doc *docs;
	size_t n, i;

	memset(doc, 0, sizeof(*doc));
	if (jd_load_file(path, opts, &docs, &n, err) < 0)
		return -1;
	if (n != 1) {
		jd_docs_free(docs, n);
		return jd_error_at(err, JD_EINPUT, path, 0, 0, NULL,
				   n ? "%zu documents where one is expected" : "empty input", n);
	}
	*doc = docs[0];
	for (i = 0; i < 1; i++)
		memset(&docs[i], 0, sizeof(docs[i]));
	free(docs);
	return 0;
}

void jd_doc_place(const struct jd_doc *doc, const char *ptr, int key, struct jd_error *err)
{
	struct jd_pos pos;

	jd_srcmap_find(doc->map, ptr, &pos);
	if (key && pos.kline)
		jd_error_place(err, doc->name, pos.kline, pos.kcol, ptr);
	else
		jd_error_place(err, doc->name, pos.line, pos.col, ptr);
}
