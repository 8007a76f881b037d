/*
 * JSON Schema: the compiler that turns a schema into linked nodes
 * (schema-int.h). One walk over a document
 * compiles every subschema, registers its resources ($id) and anchors;
 * references are resolved afterwards, loading further documents from the
 * registry as they are named, until none is left. Validation lives in
 * schema-validate.c.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "internal.h"
#include "schema-int.h"

#define URI_2020	 "https://json-schema.org/draft/2020-12/schema"
#define URI_7		 "http://json-schema.org/draft-07/schema"
#define DEFAULT_BASE	 "urn:jobdoc:schema"
#define MAX_SCHEMA_DEPTH 500

/* ---- small hash maps: string -> pointer, pointer -> pointer ---- */

struct smap_ent {
	const void *k;
	void *v;
};

struct smap {
	struct smap_ent *e;
	size_t cap, n;
	int by_ptr;
};

static size_t hash_str(const char *s)
{
	size_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

static size_t hash_key(const struct smap *m, const void *k)
{
	if (m->by_ptr) {
		size_t h = (size_t)(uintptr_t)k;
		return (h >> 4) * 11400714819323198485ULL;
	}
	return hash_str(k);
}

static int key_eq(const struct smap *m, const void *a, const void *b)
{
	return m->by_ptr ? a == b : !strcmp(a, b);
}

static void *smap_get(const struct smap *m, const void *k)
{
	size_t i;

	if (!m->cap)
		return NULL;
	for (i = hash_key(m, k) & (m->cap - 1); m->e[i].k; i = (i + 1) & (m->cap - 1))
		if (key_eq(m, m->e[i].k, k))
			return m->e[i].v;
	return NULL;
}

/* Inserts or replaces; the key is borrowed (must outlive the map). -1 on OOM. */
static int smap_put(struct smap *m, const void *k, void *v)
{
	size_t i;

	if ((m->n + 1) * 2 > m->cap) {
		size_t ncap = m->cap ? m->cap * 2 : 64, j;
		struct smap_ent *ne = calloc(ncap, sizeof(*ne));
		if (!ne)
			return -1;
		for (j = 0; j < m->cap; j++) {
			if (!m->e[j].k)
				continue;
			for (i = hash_key(m, m->e[j].k) & (ncap - 1); ne[i].k;
			     i = (i + 1) & (ncap - 1))
				;
			ne[i] = m->e[j];
		}
		free(m->e);
		m->e = ne;
		m->cap = ncap;
	}
	for (i = hash_key(m, k) & (m->cap - 1); m->e[i].k; i = (i + 1) & (m->cap - 1)) {
		if (key_eq(m, m->e[i].k, k)) {
			m->e[i].v = v;
			return 0;
		}
	}
	m->e[i].k = k;
	m->e[i].v = v;
	m->n++;
	return 0;
}

static void smap_release(struct smap *m)
{
	free(m->e);
	m->e = NULL;
	m->cap = m->n = 0;
}

/* ---- the compiler ---- */

struct cc {
	struct jd_schema *s;
	struct jd_schema_registry *reg;
	struct jd_error *err;
	const struct jd_schema_options *opt;
	struct smap memo;      /* json_t* -> sn* */
	struct smap resources; /* uri -> sres* */
	struct smap anchors;   /* "uri#name" -> sn* */
	struct sn **nodes;     /* nodes with references to resolve */
	size_t nnodes, anodes;
};

struct ctx {
	const char *base; /* absolute base URI */
	struct sres *res; /* innermost resource */
	unsigned vocab;
	int draft7;
	const char *path; /* JSON pointer of the node in its document */
	unsigned depth;
};

static int cerr(struct cc *c, const char *path, const char *fmt, ...) JD_PRINTF(3, 4);

static int cerr(struct cc *c, const char *path, const char *fmt, ...)
{
	va_list ap;

	if (!c->err)
		return -1;
	c->err->code = JD_EINVALID;
	va_start(ap, fmt);
	vsnprintf(c->err->msg, sizeof(c->err->msg), fmt, ap);
	va_end(ap);
	jd_strlcpy(c->err->pointer, path ? path : "", sizeof(c->err->pointer));
	return -1;
}

static int coom(struct cc *c)
{
	return jd_error_oom(c->err);
}

static char *adup(struct cc *c, const char *s)
{
	return jd_arena_strdup(&c->s->arena, s, strlen(s));
}

/* path + "/" + escaped token, in the arena */
static const char *path_add(struct cc *c, const char *path, const char *tok)
{
	struct jd_buf b = JD_BUF_INIT(1 << 20);
	const char *ret = NULL;
	const char *p;

	if (jd_buf_adds(&b, path, NULL) < 0 || jd_buf_addc(&b, '/', NULL) < 0)
		goto out;
	for (p = tok; *p; p++) {
		int rc = *p == '~'   ? jd_buf_adds(&b, "~0", NULL)
			 : *p == '/' ? jd_buf_adds(&b, "~1", NULL)
				     : jd_buf_addc(&b, *p, NULL);
		if (rc < 0)
			goto out;
	}
	ret = jd_arena_strdup(&c->s->arena, b.data, b.len);
out:
	jd_buf_release(&b);
	return ret;
}

static const char *path_addi(struct cc *c, const char *path, size_t i)
{
	char n[32];

	snprintf(n, sizeof(n), "%zu", i);
	return path_add(c, path, n);
}

static struct sres *res_new(struct cc *c, const char *uri, struct sn *root, unsigned vocab,
			    int draft7)
{
	struct sres *r = jd_arena_alloc(&c->s->arena, sizeof(*r));
	(void)vocab;
	(void)draft7;
	if (!r || !(r->uri = adup(c, uri)))
		return NULL;
	r->root = root;
	r->next = c->s->resources;
	c->s->resources = r;
	if (!smap_get(&c->resources, r->uri) && smap_put(&c->resources, r->uri, r) < 0)
		return NULL;
	return r;
}

static int add_anchor(struct cc *c, const char *base, const char *name, struct sn *n)
{
	struct jd_buf b = JD_BUF_INIT(1 << 20);
	char *k;
	int rc = 0;

	if (jd_buf_adds(&b, base, NULL) < 0 || jd_buf_addc(&b, '#', NULL) < 0 ||
	    jd_buf_adds(&b, name, NULL) < 0)
		return coom(c);
	k = jd_arena_strdup(&c->s->arena, b.data, b.len);
	jd_buf_release(&b);
	if (!k)
		return coom(c);
	if (!smap_get(&c->anchors, k))
		rc = smap_put(&c->anchors, k, n);
	return rc < 0 ? coom(c) : 0;
}

static int vocab_of_uri(const char *u)
{
	static const struct {
		const char *name;
		int bit;
	} v[] = {
		{"core", V_CORE},
		{"applicator", V_APPLICATOR},
		{"unevaluated", V_UNEVALUATED},
		{"validation", V_VALIDATION},
		{"format-annotation", V_FORMAT_ANNOTATION},
		{"format-assertion", V_FORMAT_ASSERTION},
		{"meta-data", 0},
		{"content", 0},
	};
	static const char pre[] = "https://json-schema.org/draft/2020-12/vocab/";
	size_t i;

	if (strncmp(u, pre, sizeof(pre) - 1))
		return -1;
	for (i = 0; i < JD_ARRAY_SIZE(v); i++)
		if (!strcmp(u + sizeof(pre) - 1, v[i].name))
			return v[i].bit;
	return -1;
}

static int is_uri(const char *u, const char *want)
{
	size_t n = strlen(want);

	return !strncmp(u, want, n) && (u[n] == '\0' || (u[n] == '#' && u[n + 1] == '\0'));
}

/* The dialect a $schema URI names: sets *vocab and *draft7. */
static int dialect_of(struct cc *c, const char *uri, const char *path, unsigned *vocab, int *draft7,
		      int depth)
{
	json_t *meta, *voc, *sch;
	int failed;
	char *u;

	if (is_uri(uri, URI_2020)) {
		*vocab = V_ALL & ~V_FORMAT_ASSERTION;
		*draft7 = 0;
		return 0;
	}
	if (is_uri(uri, URI_7)) {
		*vocab = V_ALL & ~V_FORMAT_ASSERTION & ~V_UNEVALUATED;
		*draft7 = 1;
		return 0;
	}
	if (depth > 8)
		return cerr(c, path, "$schema '%s': meta-schemas nested too deeply", uri);
	u = jd_strndup(uri, jd_uri_nofrag_len(uri));
	if (!u)
		return coom(c);
	meta = jd_schema_registry_lookup(c->reg, u, c->err, &failed);
	free(u);
	if (!meta)
		return failed ? -1
			      : cerr(c, path, "unknown $schema '%s' (not built in, not given)",
				     uri);
	if (!json_is_object(meta))
		return cerr(c, path, "$schema '%s' is not a schema object", uri);
	sch = json_object_get(meta, "$schema");
	if (json_is_string(sch) && strcmp(json_string_value(sch), uri)) {
		if (dialect_of(c, json_string_value(sch), path, vocab, draft7, depth + 1) < 0)
			return -1;
	} else {
		*vocab = V_ALL & ~V_FORMAT_ASSERTION;
		*draft7 = 0;
	}
	voc = json_object_get(meta, "$vocabulary");
	if (json_is_object(voc) && !*draft7) {
		const char *k;
		json_t *v;
		*vocab = 0;
		json_object_foreach(voc, k, v)
		{
			int bit = vocab_of_uri(k);
			if (bit < 0 && json_is_true(v))
				return cerr(c, path,
					    "$schema '%s' requires vocabulary '%s', which is "
					    "not supported",
					    uri, k);
			if (bit > 0)
				*vocab |= (unsigned)bit;
		}
		*vocab |= V_CORE;
	}
	return 0;
}

static struct sn *compile(struct cc *c, json_t *j, const struct ctx *x);

static int want_node(struct cc *c, struct sn *n)
{
	if (c->nnodes == c->anodes) {
		size_t na = c->anodes ? c->anodes * 2 : 64;
		struct sn **p = realloc(c->nodes, na * sizeof(*p));
		if (!p)
			return coom(c);
		c->nodes = p;
		c->anodes = na;
	}
	c->nodes[c->nnodes++] = n;
	return 0;
}

static struct sn *sub(struct cc *c, json_t *j, const struct ctx *x, const char *kw, const char *key,
		      long idx)
{
	struct ctx y = *x;

	y.path = path_add(c, x->path, kw);
	if (y.path && key)
		y.path = path_add(c, y.path, key);
	else if (y.path && idx >= 0)
		y.path = path_addi(c, y.path, (size_t)idx);
	if (!y.path) {
		coom(c);
		return NULL;
	}
	y.depth++;
	return compile(c, j, &y);
}

static int get_uint(struct cc *c, json_t *v, const char *path, const char *kw, long long *out)
{
	double d;

	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*out = json_integer_value(v);
		return 0;
	}
	if (json_is_real(v)) {
		d = json_real_value(v);
		if (d >= 0 && d == floor(d) && d < 9e18) {
			*out = (long long)d;
			return 0;
		}
	}
	return cerr(c, path, "'%s' must be a non-negative integer", kw);
}

static int get_num(struct cc *c, json_t *v, const char *path, const char *kw, struct snum *out)
{
	if (json_is_integer(v)) {
		out->is_int = 1;
		out->i = json_integer_value(v);
		out->d = (double)out->i;
	} else if (json_is_real(v)) {
		out->d = json_real_value(v);
		if (out->d == floor(out->d) && fabs(out->d) < 9e18) {
			out->is_int = 1;
			out->i = (long long)out->d;
		}
	} else {
		return cerr(c, path, "'%s' must be a number", kw);
	}
	out->set = 1;
	return 0;
}

static int type_bit(const char *t)
{
	static const char *const names[] = {"null",   "boolean", "object", "array",
					    "number", "string",	 "integer"};
	size_t i;

	for (i = 0; i < JD_ARRAY_SIZE(names); i++)
		if (!strcmp(names[i], t))
			return 1 << i;
	return 0;
}

static struct sn **sub_array(struct cc *c, json_t *a, const struct ctx *x, const char *kw,
			     size_t *n)
{
	struct sn **arr;
	size_t i;

	if (!json_is_array(a) || !json_array_size(a)) {
		cerr(c, x->path, "'%s' must be a non-empty array of schemas", kw);
		return NULL;
	}
	*n = json_array_size(a);
	arr = jd_arena_alloc(&c->s->arena, *n * sizeof(*arr));
	if (!arr) {
		coom(c);
		return NULL;
	}
	for (i = 0; i < *n; i++)
		if (!(arr[i] = sub(c, json_array_get(a, i), x, kw, NULL, (long)i)))
			return NULL;
	return arr;
}

static int prop_cmp(const void *a, const void *b)
{
	const struct sprop *p = a, *q = b;
	size_t n = p->len < q->len ? p->len : q->len;
	int r = memcmp(p->key, q->key, n);

	return r ? r : (p->len > q->len) - (p->len < q->len);
}

static struct sprop *sub_map(struct cc *c, json_t *o, const struct ctx *x, const char *kw,
			     size_t *n, int allow_arrays)
{
	struct sprop *arr;
	const char *k;
	json_t *v;
	size_t i = 0;

	if (!json_is_object(o)) {
		cerr(c, x->path, "'%s' must be an object", kw);
		return NULL;
	}
	*n = json_object_size(o);
	arr = jd_arena_alloc(&c->s->arena, (*n ? *n : 1) * sizeof(*arr));
	if (!arr) {
		coom(c);
		return NULL;
	}
	json_object_foreach(o, k, v)
	{
		if (allow_arrays && json_is_array(v))
			continue;
		arr[i].key = k;
		arr[i].len = strlen(k);
		if (!(arr[i].s = sub(c, v, x, kw, k, -1)))
			return NULL;
		i++;
	}
	*n = i;
	qsort(arr, *n, sizeof(*arr), prop_cmp);
	return arr;
}

static struct jd_re *regex(struct cc *c, const char *pat, size_t len, const char *path)
{
	char msg[200];
	struct jd_re *re;

	if (c->s->nregexes == c->s->aregexes) {
		size_t na = c->s->aregexes ? c->s->aregexes * 2 : 16;
		struct jd_re **p = realloc(c->s->regexes, na * sizeof(*p));
		if (!p) {
			coom(c);
			return NULL;
		}
		c->s->regexes = p;
		c->s->aregexes = na;
	}
	re = jd_re_compile(pat, len, !(c->opt && c->opt->no_jit), msg, sizeof(msg));
	if (!re) {
		cerr(c, path, "pattern '%.100s' does not compile: %s", pat, msg);
		return NULL;
	}
	c->s->regexes[c->s->nregexes++] = re;
	return re;
}

static int get_names(struct cc *c, json_t *a, const char *path, const char *kw, const char ***out,
		     size_t *n)
{
	size_t i;

	if (!json_is_array(a))
		return cerr(c, path, "'%s' must be an array of strings", kw);
	*n = json_array_size(a);
	*out = jd_arena_alloc(&c->s->arena, (*n ? *n : 1) * sizeof(**out));
	if (!*out)
		return coom(c);
	for (i = 0; i < *n; i++) {
		json_t *e = json_array_get(a, i);
		if (!json_is_string(e))
			return cerr(c, path, "'%s' must be an array of strings", kw);
		(*out)[i] = json_string_value(e);
	}
	return 0;
}

/* Sets ref->uri to ref resolved against base. */
static int set_ref(struct cc *c, struct sref *ref, json_t *v, const char *base, const char *path,
		   const char *kw)
{
	char *u;

	if (!json_is_string(v))
		return cerr(c, path, "'%s' must be a string", kw);
	u = jd_uri_resolve(base, json_string_value(v));
	if (!u)
		return coom(c);
	ref->uri = adup(c, u);
	free(u);
	return ref->uri ? 0 : coom(c);
}

/* "dependencies": arrays of names or schemas, by property */
static int dependencies(struct cc *c, struct sn *n, json_t *v, const struct ctx *x)
{
	const char *k;
	json_t *d;
	size_t i = 0;

	if (!(n->depschemas = sub_map(c, v, x, "dependencies", &n->ndepschemas, 1)))
		return -1;
	n->depreq = jd_arena_alloc(&c->s->arena, (json_object_size(v) + 1) * sizeof(*n->depreq));
	if (!n->depreq)
		return coom(c);
	json_object_foreach(v, k, d)
	{
		if (!json_is_array(d))
			continue;
		n->depreq[i].key = k;
		if (get_names(c, d, x->path, "dependencies", &n->depreq[i].names, &n->depreq[i].n) <
		    0)
			return -1;
		i++;
	}
	n->ndepreq = i;
	n->flags |= SN_DEPENDENCIES;
	return 0;
}

static int applicators(struct cc *c, struct sn *n, json_t *j, const struct ctx *x)
{
	json_t *v;

	if ((v = json_object_get(j, "allOf")) &&
	    !(n->allof = sub_array(c, v, x, "allOf", &n->nallof)))
		return -1;
	if ((v = json_object_get(j, "anyOf")) &&
	    !(n->anyof = sub_array(c, v, x, "anyOf", &n->nanyof)))
		return -1;
	if ((v = json_object_get(j, "oneOf")) &&
	    !(n->oneof = sub_array(c, v, x, "oneOf", &n->noneof)))
		return -1;
	if ((v = json_object_get(j, "not")) && !(n->not_ = sub(c, v, x, "not", NULL, -1)))
		return -1;
	if ((v = json_object_get(j, "if")) && !(n->if_ = sub(c, v, x, "if", NULL, -1)))
		return -1;
	if ((v = json_object_get(j, "then")) && !(n->then_ = sub(c, v, x, "then", NULL, -1)))
		return -1;
	if ((v = json_object_get(j, "else")) && !(n->else_ = sub(c, v, x, "else", NULL, -1)))
		return -1;
	if ((v = json_object_get(j, "properties")) &&
	    !(n->props = sub_map(c, v, x, "properties", &n->nprops, 0)))
		return -1;
	if ((v = json_object_get(j, "patternProperties"))) {
		const char *k;
		json_t *s;
		size_t i = 0;
		if (!json_is_object(v))
			return cerr(c, x->path, "'patternProperties' must be an object");
		n->npprops = json_object_size(v);
		n->pprops = jd_arena_alloc(&c->s->arena, (n->npprops + 1) * sizeof(*n->pprops));
		if (!n->pprops)
			return coom(c);
		json_object_foreach(v, k, s)
		{
			if (!(n->pprops[i].re = regex(c, k, strlen(k), x->path)))
				return -1;
			if (!(n->pprops[i].s = sub(c, s, x, "patternProperties", k, -1)))
				return -1;
			i++;
		}
	}
	if ((v = json_object_get(j, "additionalProperties")) &&
	    !(n->addprops = sub(c, v, x, "additionalProperties", NULL, -1)))
		return -1;
	if ((v = json_object_get(j, "propertyNames")) &&
	    !(n->propnames = sub(c, v, x, "propertyNames", NULL, -1)))
		return -1;
	if ((v = json_object_get(j, "contains")) &&
	    !(n->contains = sub(c, v, x, "contains", NULL, -1)))
		return -1;
	if (x->draft7) {
		if ((v = json_object_get(j, "items"))) {
			if (json_is_array(v)) {
				if (json_array_size(v) &&
				    !(n->prefix = sub_array(c, v, x, "items", &n->nprefix)))
					return -1;
				if ((v = json_object_get(j, "additionalItems"))) {
					if (!(n->items = sub(c, v, x, "additionalItems", NULL, -1)))
						return -1;
					n->items_kw = "additionalItems";
				}
			} else {
				if (!(n->items = sub(c, v, x, "items", NULL, -1)))
					return -1;
				n->items_kw = "items";
			}
		}
		if ((v = json_object_get(j, "dependencies")) && json_is_object(v) &&
		    dependencies(c, n, v, x) < 0)
			return -1;
	} else {
		if ((v = json_object_get(j, "prefixItems")) &&
		    !(n->prefix = sub_array(c, v, x, "prefixItems", &n->nprefix)))
			return -1;
		if ((v = json_object_get(j, "items"))) {
			if (json_is_array(v))
				return cerr(c, x->path,
					    "'items' must be a schema in draft 2020-12 "
					    "(use prefixItems for arrays of schemas)");
			if (!(n->items = sub(c, v, x, "items", NULL, -1)))
				return -1;
			n->items_kw = "items";
		}
		if ((v = json_object_get(j, "dependentSchemas")) &&
		    !(n->depschemas = sub_map(c, v, x, "dependentSchemas", &n->ndepschemas, 0)))
			return -1;
		/* draft-07's "dependencies", still understood when the 2020-12 keywords
		 * are absent */
		if (!n->depschemas && !json_object_get(j, "dependentRequired") &&
		    (v = json_object_get(j, "dependencies")) && json_is_object(v) &&
		    dependencies(c, n, v, x) < 0)
			return -1;
	}
	return 0;
}

static int validation(struct cc *c, struct sn *n, json_t *j, const struct ctx *x)
{
	json_t *v;

	if ((v = json_object_get(j, "type"))) {
		size_t i;
		if (json_is_string(v)) {
			n->types = (unsigned)type_bit(json_string_value(v));
			if (!n->types)
				return cerr(c, x->path, "unknown type '%s'", json_string_value(v));
		} else if (json_is_array(v)) {
			for (i = 0; i < json_array_size(v); i++) {
				json_t *t = json_array_get(v, i);
				int b = json_is_string(t) ? type_bit(json_string_value(t)) : 0;
				if (!b)
					return cerr(c, x->path, "'type' must name JSON types");
				n->types |= (unsigned)b;
			}
			if (!n->types)
				n->types = 1u << 30; /* "type": [] allows nothing */
		} else {
			return cerr(c, x->path, "'type' must be a string or an array of strings");
		}
		if (n->types & T_NUMBER)
			n->types |= T_INTEGER;
	}
	if ((v = json_object_get(j, "enum"))) {
		if (!json_is_array(v))
			return cerr(c, x->path, "'enum' must be an array");
		n->enum_ = v;
	}
	n->const_ = json_object_get(j, "const");
	if ((v = json_object_get(j, "multipleOf"))) {
		if (get_num(c, v, x->path, "multipleOf", &n->mult) < 0)
			return -1;
		if (n->mult.d <= 0)
			return cerr(c, x->path, "'multipleOf' must be greater than 0");
	}
	if ((v = json_object_get(j, "maximum")) && get_num(c, v, x->path, "maximum", &n->max) < 0)
		return -1;
	if ((v = json_object_get(j, "minimum")) && get_num(c, v, x->path, "minimum", &n->min) < 0)
		return -1;
	if ((v = json_object_get(j, "exclusiveMaximum")) &&
	    get_num(c, v, x->path, "exclusiveMaximum", &n->exmax) < 0)
		return -1;
	if ((v = json_object_get(j, "exclusiveMinimum")) &&
	    get_num(c, v, x->path, "exclusiveMinimum", &n->exmin) < 0)
		return -1;
#define UINTKW(name, field)                                                                 \
	if ((v = json_object_get(j, name)) && get_uint(c, v, x->path, name, &n->field) < 0) \
		return -1;
	UINTKW("maxLength", maxlen)
	UINTKW("minLength", minlen)
	UINTKW("maxItems", maxitems)
	UINTKW("minItems", minitems)
	UINTKW("maxProperties", maxprops)
	UINTKW("minProperties", minprops)
	if (!x->draft7) {
		UINTKW("maxContains", maxcontains)
		UINTKW("minContains", mincontains)
	}
#undef UINTKW
	if ((v = json_object_get(j, "pattern"))) {
		if (!json_is_string(v))
			return cerr(c, x->path, "'pattern' must be a string");
		if (!(n->pattern = regex(c, json_string_value(v), json_string_length(v), x->path)))
			return -1;
	}
	if ((v = json_object_get(j, "uniqueItems"))) {
		if (!json_is_boolean(v))
			return cerr(c, x->path, "'uniqueItems' must be a boolean");
		if (json_is_true(v))
			n->flags |= SN_UNIQUE;
	}
	if ((v = json_object_get(j, "required")) &&
	    get_names(c, v, x->path, "required", &n->required, &n->nrequired) < 0)
		return -1;
	if (!x->draft7 && (v = json_object_get(j, "dependentRequired"))) {
		const char *k;
		json_t *d;
		size_t i = 0;
		if (!json_is_object(v))
			return cerr(c, x->path, "'dependentRequired' must be an object");
		n->depreq = jd_arena_alloc(&c->s->arena,
					   (json_object_size(v) + 1) * sizeof(*n->depreq));
		if (!n->depreq)
			return coom(c);
		json_object_foreach(v, k, d)
		{
			n->depreq[i].key = k;
			if (get_names(c, d, x->path, "dependentRequired", &n->depreq[i].names,
				      &n->depreq[i].n) < 0)
				return -1;
			i++;
		}
		n->ndepreq = i;
	}
	return 0;
}

static struct sn *compile(struct cc *c, json_t *j, const struct ctx *px)
{
	struct ctx x = *px;
	struct sn *n;
	json_t *v, *id;
	char *idu = NULL;
	int has_ref;

	if (json_is_boolean(j))
		return json_is_true(j) ? &c->s->true_node : &c->s->false_node;
	if (!json_is_object(j)) {
		cerr(c, x.path, "a schema must be an object or a boolean");
		return NULL;
	}
	if ((n = smap_get(&c->memo, j)))
		return n;
	if (x.depth > MAX_SCHEMA_DEPTH) {
		cerr(c, x.path, "schema nested too deeply (more than %d levels)", MAX_SCHEMA_DEPTH);
		return NULL;
	}
	n = jd_arena_alloc(&c->s->arena, sizeof(*n));
	if (!n || smap_put(&c->memo, j, n) < 0) {
		coom(c);
		return NULL;
	}
	n->json = j;
	n->path = x.path;
	n->minlen = n->minitems = n->minprops = n->mincontains = 0;
	n->maxlen = n->maxitems = n->maxprops = n->maxcontains = -1;
	n->mincontains = 1;

	/* $schema of a resource root picks the dialect */
	v = json_object_get(j, "$schema");
	id = json_object_get(j, x.draft7 ? "$id" : "$id");
	if (json_is_string(v) && (x.depth == 0 || json_is_string(id))) {
		if (dialect_of(c, json_string_value(v), x.path, &x.vocab, &x.draft7, 0) < 0)
			return NULL;
	}
	if (x.draft7)
		n->flags |= SN_DRAFT7;
	has_ref = json_object_get(j, "$ref") != NULL;

	if (json_is_string(id) && !(x.draft7 && has_ref)) {
		const char *s = json_string_value(id);
		if (x.draft7 && s[0] == '#') {
			if (add_anchor(c, x.base, s + 1, n) < 0)
				return NULL;
		} else {
			const char *frag;
			idu = jd_uri_resolve(x.base, s);
			if (!idu) {
				coom(c);
				return NULL;
			}
			frag = strchr(idu, '#');
			if (frag && frag[1] && !x.draft7) {
				free(idu);
				cerr(c, x.path, "$id '%s' must not have a fragment", s);
				return NULL;
			}
			if (frag)
				*(char *)frag = '\0';
			x.base = adup(c, idu);
			if (!x.base || !(x.res = res_new(c, idu, n, x.vocab, x.draft7))) {
				free(idu);
				coom(c);
				return NULL;
			}
			if (frag && frag[1] && add_anchor(c, x.base, frag + 1, n) < 0) {
				free(idu);
				return NULL;
			}
			free(idu);
		}
	} else if (id && !json_is_string(id) && !(x.draft7 && has_ref)) {
		cerr(c, x.path, "'$id' must be a string");
		return NULL;
	}
	n->res = x.res;

	if (!x.draft7) {
		if ((v = json_object_get(j, "$anchor"))) {
			if (!json_is_string(v) ||
			    add_anchor(c, x.base, json_string_value(v), n) < 0)
				return json_is_string(v)
					       ? NULL
					       : (cerr(c, x.path, "'$anchor' must be a string"),
						  NULL);
		}
		if ((v = json_object_get(j, "$dynamicAnchor"))) {
			struct sanchor *a;
			if (!json_is_string(v)) {
				cerr(c, x.path, "'$dynamicAnchor' must be a string");
				return NULL;
			}
			if (add_anchor(c, x.base, json_string_value(v), n) < 0)
				return NULL;
			a = jd_arena_alloc(&c->s->arena, sizeof(*a));
			if (!a) {
				coom(c);
				return NULL;
			}
			a->name = json_string_value(v);
			a->s = n;
			a->next = x.res->dynanchors;
			x.res->dynanchors = a;
		}
	}
	if (has_ref) {
		if (set_ref(c, &n->ref, json_object_get(j, "$ref"), x.base, x.path, "$ref") < 0 ||
		    want_node(c, n) < 0)
			return NULL;
		if (x.draft7)
			return n; /* draft-07: $ref overrides its siblings */
	}
	if (!x.draft7 && (v = json_object_get(j, "$dynamicRef"))) {
		const char *s;
		if (set_ref(c, &n->dynref, v, x.base, x.path, "$dynamicRef") < 0 ||
		    want_node(c, n) < 0)
			return NULL;
		s = strchr(n->dynref.uri, '#');
		if (s && s[1] && s[1] != '/')
			n->dynanchor = s + 1;
	}
	if ((v = json_object_get(j, x.draft7 ? "definitions" : "$defs"))) {
		const char *k;
		json_t *d;
		if (!json_is_object(v)) {
			cerr(c, x.path, "'%s' must be an object",
			     x.draft7 ? "definitions" : "$defs");
			return NULL;
		}
		json_object_foreach(v, k, d) if (!sub(c, d, &x, x.draft7 ? "definitions" : "$defs",
						      k, -1)) return NULL;
	}
	if ((x.vocab & V_APPLICATOR) && applicators(c, n, j, &x) < 0)
		return NULL;
	if (x.vocab & V_UNEVALUATED) {
		if ((v = json_object_get(j, "unevaluatedProperties")) &&
		    !(n->unevalprops = sub(c, v, &x, "unevaluatedProperties", NULL, -1)))
			return NULL;
		if ((v = json_object_get(j, "unevaluatedItems")) &&
		    !(n->unevalitems = sub(c, v, &x, "unevaluatedItems", NULL, -1)))
			return NULL;
		if (n->unevalprops || n->unevalitems)
			n->flags |= SN_UNEVAL;
	}
	if ((x.vocab & V_VALIDATION) && validation(c, n, j, &x) < 0)
		return NULL;
	if ((x.vocab & (V_FORMAT_ANNOTATION | V_FORMAT_ASSERTION)) &&
	    (v = json_object_get(j, "format")) && json_is_string(v)) {
		n->format_name = json_string_value(v);
		n->format = jd_format_id(n->format_name);
		if ((x.vocab & V_FORMAT_ASSERTION) || (c->opt && c->opt->format_assert))
			n->flags |= SN_FORMAT_ASSERT;
	}
	return n;
}

/* Compiles a document registered (or retrieved) under uri. */
static struct sn *compile_doc(struct cc *c, json_t *doc, const char *uri, unsigned vocab,
			      int draft7)
{
	struct ctx x;
	struct sres *r;
	struct sn *n;

	memset(&x, 0, sizeof(x));
	x.base = adup(c, uri);
	x.path = "";
	x.vocab = vocab;
	x.draft7 = draft7;
	r = res_new(c, uri, NULL, vocab, draft7);
	if (!x.base || !r) {
		coom(c);
		return NULL;
	}
	x.res = r;
	n = compile(c, doc, &x);
	if (n)
		r->root = n;
	return n;
}

/* Walks a JSON pointer (percent-encoded, from a URI fragment) from root. */
static json_t *walk_pointer(json_t *root, const char *frag)
{
	char *p = jd_strndup(frag, strlen(frag)), *tok, *next;
	json_t *cur = root;

	if (!p)
		return NULL;
	jd_uri_pct_decode(p);
	if (!p[0]) {
		free(p);
		return root;
	}
	if (p[0] != '/') {
		free(p);
		return NULL;
	}
	for (tok = p + 1; cur; tok = next + 1) {
		char *r, *w;
		next = strchr(tok, '/');
		if (next)
			*next = '\0';
		for (r = w = tok; *r; r++) {
			if (r[0] == '~' && r[1] == '0')
				*w++ = '~', r++;
			else if (r[0] == '~' && r[1] == '1')
				*w++ = '/', r++;
			else
				*w++ = *r;
		}
		*w = '\0';
		if (json_is_object(cur)) {
			cur = json_object_get(cur, tok);
		} else if (json_is_array(cur)) {
			char *end;
			unsigned long i = strtoul(tok, &end, 10);
			cur = (*tok && !*end && (tok[0] != '0' || !tok[1])) ? json_array_get(cur, i)
									    : NULL;
		} else {
			cur = NULL;
		}
		if (!next)
			break;
	}
	free(p);
	return cur;
}

static struct sn *resolve(struct cc *c, const struct sn *from, const char *uri)
{
	size_t dl = jd_uri_nofrag_len(uri);
	char *doc = jd_strndup(uri, dl);
	const char *frag = uri[dl] ? uri + dl + 1 : "";
	struct sres *r;
	struct sn *n = NULL;
	int pass;

	if (!doc) {
		coom(c);
		return NULL;
	}
	for (pass = 0; pass < 2 && !n; pass++) {
		r = smap_get(&c->resources, doc);
		if (!r && pass == 0) {
			int failed;
			json_t *d = jd_schema_registry_lookup(c->reg, doc, c->err, &failed);
			unsigned vocab = V_ALL & ~V_FORMAT_ASSERTION;
			int draft7 = c->s->draft == JD_DRAFT_7;
			if (failed)
				break;
			if (!d)
				continue;
			if (draft7)
				vocab &= ~V_UNEVALUATED;
			if (!compile_doc(c, d, doc, vocab, draft7))
				break;
			continue;
		}
		if (!frag[0] && r) {
			n = r->root;
		} else if (frag[0] == '/' || (!frag[0] && !r)) {
			json_t *t;
			if (!r || !r->root)
				continue;
			t = walk_pointer(r->root->json ? r->root->json : json_true(), frag);
			if (!t)
				continue;
			if (json_is_boolean(t)) {
				n = json_is_true(t) ? &c->s->true_node : &c->s->false_node;
			} else if (!(n = smap_get(&c->memo, t))) {
				/* a subschema under a keyword the walk did not know */
				struct ctx x;
				memset(&x, 0, sizeof(x));
				x.base = r->uri;
				x.res = r;
				x.vocab = V_ALL & ~V_FORMAT_ASSERTION;
				x.draft7 = (r->root->flags & SN_DRAFT7) != 0;
				if (x.draft7)
					x.vocab &= ~V_UNEVALUATED;
				x.path = adup(c, frag);
				if (!x.path) {
					coom(c);
					break;
				}
				n = compile(c, t, &x);
				if (!n)
					break;
			}
		} else {
			n = smap_get(&c->anchors, uri);
			if (!n) {
				/* "uri#name" may be spelled with the fragment percent-encoded */
				char *u = jd_strndup(uri, strlen(uri));
				if (!u) {
					coom(c);
					break;
				}
				jd_uri_pct_decode(u + dl);
				n = smap_get(&c->anchors, u);
				free(u);
			}
			if (!n && r)
				break;
		}
	}
	free(doc);
	if (!n && c->err && !c->err->code)
		cerr(c, from->path, "cannot resolve reference '%s'", uri);
	return n;
}

static int resolve_all(struct cc *c)
{
	size_t i;

	/* resolving may compile more nodes, which append to c->nodes */
	for (i = 0; i < c->nnodes; i++) {
		struct sn *n = c->nodes[i];
		if (n->ref.uri && !n->ref.to && !(n->ref.to = resolve(c, n, n->ref.uri)))
			return -1;
		if (n->dynref.uri && !n->dynref.to) {
			struct sanchor *a;
			if (!(n->dynref.to = resolve(c, n, n->dynref.uri)))
				return -1;
			/* dynamic only when it lands on a $dynamicAnchor of that name */
			if (n->dynanchor) {
				struct sres *r = n->dynref.to->res;
				for (a = r ? r->dynanchors : NULL; a; a = a->next)
					if (a->s == n->dynref.to && !strcmp(a->name, n->dynanchor))
						break;
				if (a)
					n->flags |= SN_DYNREF_DYNAMIC;
				else
					n->dynanchor = NULL;
			}
		}
	}
	return 0;
}

static int meta_finding(void *ctx, const struct jd_finding *f)
{
	struct jd_error *e = ctx;

	if (e->code)
		return 1;
	e->code = JD_EINVALID;
	jd_strlcpy(e->pointer, f->pointer, sizeof(e->pointer));
	snprintf(e->msg, sizeof(e->msg), "schema is not valid against its meta-schema: %s%s%s",
		 f->pointer[0] ? f->pointer : "", f->pointer[0] ? ": " : "", f->message);
	return 1;
}

/* Validates schema against the meta-schema at uri (compiled once per registry). */
static int check_meta(struct jd_schema_registry *reg, const char *uri, json_t *schema,
		      struct jd_error *err)
{
	struct jd_schema_report rep;
	struct jd_error e;
	const struct jd_schema *m = jd_schema_registry_meta(reg, uri, err);
	int rc;

	if (!m)
		return -1;
	rc = jd_schema_check(m, schema, err);
	if (rc != 1)
		return rc;
	jd_error_clear(&e);
	memset(&rep, 0, sizeof(rep));
	rep.fn = meta_finding;
	rep.ctx = &e;
	rc = jd_schema_validate(m, schema, &rep, err);
	if (rc < 0)
		return -1;
	if (e.code) {
		*err = e;
		return -1;
	}
	return jd_error_set(err, JD_EINVALID, "schema is not valid against its meta-schema");
}

/* Whether j nests deeper than max (arrays and objects). */
static int too_deep(json_t *j, unsigned max)
{
	size_t i;
	const char *k;
	json_t *v;

	if (!max)
		return json_is_object(j) || json_is_array(j);
	if (json_is_object(j)) {
		json_object_foreach(j, k, v) if (too_deep(v, max - 1)) return 1;
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v) if (too_deep(v, max - 1)) return 1;
	}
	return 0;
}

struct jd_schema *jd_schema_compile(struct jd_schema_registry *reg, json_t *schema,
				    const struct jd_schema_options *opt, struct jd_error *err)
{
	struct jd_schema_options defaults;
	struct jd_schema *s;
	struct cc c;
	json_t *id = json_is_object(schema) ? json_object_get(schema, "$schema") : NULL;
	const char *meta;
	unsigned vocab = V_ALL & ~V_FORMAT_ASSERTION;
	int draft7;

	if (!opt) {
		memset(&defaults, 0, sizeof(defaults));
		opt = &defaults;
	}
	draft7 = opt->draft == JD_DRAFT_7;
	if (draft7)
		vocab &= ~V_UNEVALUATED;
	s = calloc(1, sizeof(*s));
	if (!s) {
		jd_error_oom(err);
		return NULL;
	}
	s->true_node.flags = SN_BOOL | SN_TRUE;
	s->false_node.flags = SN_BOOL;
	s->true_node.path = s->false_node.path = "";
	s->max_depth = opt->max_depth ? opt->max_depth : 1000;
	s->match_limit = opt->regex_match_limit ? opt->regex_match_limit : 1000000;
	s->draft = draft7 ? JD_DRAFT_7 : JD_DRAFT_2020_12;
	if (!reg) {
		reg = s->own_reg = jd_schema_registry_new(err);
		if (!reg)
			goto fail;
	}
	s->reg = reg;
	s->doc = json_incref(schema);

	if (too_deep(schema, 2 * MAX_SCHEMA_DEPTH)) {
		jd_error_set(err, JD_EINVALID, "schema nested too deeply (more than %d levels)",
			     2 * MAX_SCHEMA_DEPTH);
		goto fail;
	}
	meta = json_is_string(id) ? json_string_value(id) : draft7 ? URI_7 : URI_2020;
	if (!opt->no_metaschema && check_meta(reg, meta, schema, err) < 0)
		goto fail;

	memset(&c, 0, sizeof(c));
	c.s = s;
	c.reg = reg;
	c.err = err;
	c.opt = opt;
	c.memo.by_ptr = 1;
	if (err)
		err->code = 0;
	s->root = compile_doc(&c, schema, opt->base_uri ? opt->base_uri : DEFAULT_BASE, vocab,
			      draft7);
	if (s->root && s->root->flags & SN_DRAFT7)
		s->draft = JD_DRAFT_7;
	else if (s->root && !(s->root->flags & SN_BOOL))
		s->draft = JD_DRAFT_2020_12;
	if (s->root && resolve_all(&c) < 0)
		s->root = NULL;
	smap_release(&c.memo);
	smap_release(&c.resources);
	smap_release(&c.anchors);
	free(c.nodes);
	if (!s->root) {
		if (err && !err->code)
			jd_error_set(err, JD_EINVALID, "schema does not compile");
		goto fail;
	}
	return s;
fail:
	jd_schema_free(s);
	return NULL;
}

void jd_schema_free(struct jd_schema *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->nregexes; i++)
		jd_re_free(s->regexes[i]);
	free(s->regexes);
	jd_arena_release(&s->arena);
	json_decref(s->doc);
	jd_schema_registry_free(s->own_reg);
	free(s);
}

enum jd_schema_draft jd_schema_draft_of(const struct jd_schema *s)
{
	return s->draft;
}

int jd_schema_validate(const struct jd_schema *s, json_t *instance,
		       const struct jd_schema_report *rep, struct jd_error *err)
{
	return jd_schema_run(s, instance, rep, err);
}

int jd_schema_check(const struct jd_schema *s, json_t *instance, struct jd_error *err)
{
	return jd_schema_run(s, instance, NULL, err);
}
