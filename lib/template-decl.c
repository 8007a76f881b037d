/*
 * The templater's declarations and values (template-int.h): the parameters
 * of a render, the spec's declarations under parameters: read and checked,
 * the regex cache shared by the renders of a process, and a value converted
 * to a declared type and checked against its regex.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "jsonparse.h"
#include "json.h"
#include "template-int.h"

static const char *const decl_keys[] = {"description", "regex",	  "example",
					"optional",    "default", "type"};
enum { K_DESCRIPTION, K_REGEX, K_EXAMPLE, K_OPTIONAL, K_DEFAULT, K_TYPE };
static const char *const types[] = {"string", "number", "integer", "boolean", "object", "array"};

struct rparam *jd_tpl_param_find(struct jd_render *r, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < r->np; i++)
		if (r->p[i].nlen == len && !memcmp(r->p[i].name, name, len))
			return &r->p[i];
	return NULL;
}

/* A parameter named name[0..len) (copied unless keep: a NUL-terminated name that lives on). */
struct rparam *jd_tpl_param_add(struct jd_render *r, const char *name, size_t len, int keep)
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
pcre2_code *jd_tpl_re_get(const char *pat, int *own, char *why, size_t size, size_t *at)
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
int jd_tpl_re_match(struct jd_render *r, const pcre2_code *re, const char *s, size_t n)
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
int jd_tpl_value_text(const json_t *v, struct jd_buf *b, struct jd_error *err)
{
	switch (json_typeof(v)) {
	case JSON_STRING: return jd_buf_add(b, json_string_value(v), json_string_length(v), err);
	case JSON_OBJECT:
	case JSON_ARRAY: return -1;
	default: return jd_json_dump(v, b, err); /* numbers, true, false, null: their JSON text */
	}
}

const char *jd_tpl_kind_of(const json_t *v)
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
		if (jd_tpl_value_text(v, &b, NULL) == 0)
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
int jd_tpl_check_value(struct jd_render *r, struct rparam *p, const json_t *v, json_t **out,
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
			snprintf(why, size, "value of '%s' is %s, not %s %s", p->name,
				 jd_tpl_kind_of(v),
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
		if (jd_tpl_value_text(c, &b, NULL) < 0) {
			snprintf(why, size, "value of '%s' is %s; a regex applies to text", p->name,
				 jd_tpl_kind_of(c));
			json_decref(c);
			return -1;
		}
		m = jd_tpl_re_match(r, p->re, b.data ? b.data : "", b.len);
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

int jd_tpl_closest_decl(struct jd_render *r, const char *name, const char **best)
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
int jd_tpl_load_decls(struct jd_render *r, const json_t *decls)
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
			return jd_tpl_fail_at(
				r, &c, 0,
				"'%.100s' is not a parameter name (1 to 128 of A-Z a-z 0-9 _ -)",
				name);
		}
		c.key = 0;
		if (!json_is_object(d) && !json_is_null(d))
			return jd_tpl_fail_at(
				r, &c, 0,
				"a declaration is a mapping of description, regex, example, "
				"optional, default, type; not %s",
				jd_tpl_kind_of(d));
		p = jd_tpl_param_add(r, name, strlen(name), 1);
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
					return jd_tpl_fail_at(
						r, &c, 0,
						"unknown key '%.100s' in a declaration; did you "
						"mean '%s'?",
						k, close);
				return jd_tpl_fail_at(
					r, &c, 0,
					"unknown key '%.100s' in a declaration (description, "
					"regex, example, optional, default, type)",
					k);
			}
			c.key = 0;
			if (ki != K_DEFAULT && ki != K_OPTIONAL && !json_is_string(m))
				return jd_tpl_fail_at(r, &c, 0, "'%s' must be a string, not %s", k,
						      jd_tpl_kind_of(m));
			switch (ki) {
			case K_OPTIONAL:
				if (!json_is_boolean(m))
					return jd_tpl_fail_at(
						r, &c, 0,
						"'optional' must be true or false, not %s",
						jd_tpl_kind_of(m));
				break;
			case K_TYPE: {
				const char *t = json_string_value(m);
				for (i = 0; i < JD_ARRAY_SIZE(types); i++)
					if (!strcmp(t, types[i]))
						p->type = types[i];
				if (!p->type)
					return jd_tpl_fail_at(
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
				p->re = jd_tpl_re_get(c.s, &p->re_own, why, sizeof(why), &at);
				if (!p->re)
					return jd_tpl_fail_at(r, &c, at,
							      "regex '%.80s' does not compile: %s",
							      c.s, why);
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
			if (jd_tpl_check_value(r, p, dv, &out, why, sizeof(why)) < 0)
				return jd_tpl_fail_at(r, &c, 0, "default: %s", why);
			json_decref(out);
		}
		if (ex && p->re && json_is_string(ex) &&
		    jd_tpl_re_match(r, p->re, json_string_value(ex), json_string_length(ex)) != 1) {
			r->path[1].key = "example";
			r->depth = 2;
			jd_tpl_warn_at(r, &c, 0, "template-declaration",
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
