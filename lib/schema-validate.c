/*
 * JSON Schema validation over compiled nodes (schema-int.h).
 *
 * One recursive function evaluates a node against an instance. Paths
 * (instance pointer, keyword location) and the dynamic scope live in
 * frames on the C stack and are turned into strings only when a finding is
 * reported, so the happy path allocates nothing. In boolean mode (c->report
 * off: jd_schema_check, and the branches of anyOf/oneOf/not/if/contains)
 * evaluation stops at the first failure and builds no message.
 *
 * unevaluatedProperties/Items: a node that has them, or whose caller asks,
 * collects the properties/items its keywords and its valid in-place
 * subschemas evaluated, as a bitset over the instance's members.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "internal.h"
#include "schema-int.h"

struct ipath {
	const struct ipath *up;
	const char *key; /* NULL: idx */
	size_t idx;
};

struct kpath {
	const struct kpath *up;
	const char *kw;
	const char *key; /* NULL: idx when idx >= 0 */
	long idx;
};

struct scope {
	const struct scope *up;
	const struct sres *res;
};

/* a node under evaluation on an instance value, for cycle detection */
struct sframe {
	const struct sframe *up;
	const struct sn *n;
	json_t *x;
};

struct vc {
	const struct jd_schema *s;
	const struct jd_schema_report *rep;
	struct jd_error *err;
	int report; /* build messages and go on after failures */
	int stop;
	unsigned depth, nfound;
	const char *name; /* propertyNames: the name under test */
	void *re_scratch;
	const struct sframe *top;
	/* sink mode: findings are counted, not reported (choosing the closest
	 * branch of a failed anyOf/oneOf) */
	int sink;
	const struct ipath *sink_ip;
	unsigned sunk, sunk_shape;
};

/* ---- evaluated sets ---- */

static int ev_init(struct vc *c, struct seval *e, size_t n)
{
	e->n = n;
	if (n <= 128) {
		e->bits = e->inl;
		e->inl[0] = e->inl[1] = 0;
		return 0;
	}
	e->bits = calloc((n + 63) / 64, sizeof(uint64_t));
	if (!e->bits) {
		jd_error_oom(c->err);
		return -1;
	}
	return 0;
}

static void ev_free(struct seval *e)
{
	if (e && e->bits != e->inl)
		free(e->bits);
}

static void ev_set(struct seval *e, size_t i)
{
	if (e && i < e->n)
		e->bits[i / 64] |= (uint64_t)1 << (i % 64);
}

static int ev_get(const struct seval *e, size_t i)
{
	return i < e->n && (e->bits[i / 64] >> (i % 64)) & 1;
}

static void ev_merge(struct seval *dst, const struct seval *src)
{
	size_t i;

	if (!dst)
		return;
	for (i = 0; i < (dst->n + 63) / 64; i++)
		dst->bits[i] |= src->bits[i];
}

static size_t inst_size(json_t *x)
{
	return json_is_object(x) ? json_object_size(x) : json_is_array(x) ? json_array_size(x) : 0;
}

/* ---- numbers and equality ---- */

struct inum {
	int is_int;
	long long i;
	double d;
};

static void inum_of(json_t *x, struct inum *n)
{
	if (json_is_integer(x)) {
		n->is_int = 1;
		n->i = json_integer_value(x);
		n->d = (double)n->i;
	} else {
		n->is_int = 0;
		n->d = json_real_value(x);
	}
}

/* -1, 0, 1 as x <, ==, > b */
static int num_cmp(const struct inum *x, const struct snum *b)
{
	if (x->is_int && b->is_int && (double)b->i == b->d)
		return (x->i > b->i) - (x->i < b->i);
	{
		long double l = x->is_int ? (long double)x->i : (long double)x->d;
		long double r =
			b->is_int && (double)b->i == b->d ? (long double)b->i : (long double)b->d;
		return (l > r) - (l < r);
	}
}

static int multiple_of(const struct inum *x, const struct snum *m)
{
	double q, r;

	if (x->is_int && m->is_int && m->i > 0)
		return x->i % m->i == 0;
	q = (x->is_int ? (double)x->i : x->d) / m->d;
	if (!isfinite(q)) {
		/* overflow: an integer is a multiple of m when 1/m is an integer */
		double xv = x->is_int ? (double)x->i : x->d, inv = 1.0 / m->d;
		return isfinite(xv) && xv == floor(xv) && isfinite(inv) && inv == floor(inv);
	}
	if (fabs(q) >= 9007199254740992.0)
		return 1;
	r = nearbyint(q);
	return fabs(q - r) <= 1e-9 * (fabs(q) > 1 ? fabs(q) : 1);
}

/* ---- reporting ---- */

static const char *type_name(json_t *x)
{
	switch (json_typeof(x)) {
	case JSON_OBJECT: return "object";
	case JSON_ARRAY: return "array";
	case JSON_STRING: return "string";
	case JSON_INTEGER: return "integer";
	case JSON_REAL: return "number";
	case JSON_TRUE:
	case JSON_FALSE: return "boolean";
	default: return "null";
	}
}

static void types_text(unsigned types, char *buf, size_t size)
{
	static const char *const names[] = {"null",   "boolean", "object", "array",
					    "number", "string",	 "integer"};
	size_t i, n = 0, k = 0, len = 0;

	buf[0] = '\0';
	if (types & T_NUMBER)
		types &= ~(unsigned)T_INTEGER;
	for (i = 0; i < JD_ARRAY_SIZE(names); i++)
		if (types & (1u << i))
			n++;
	if (!n) {
		snprintf(buf, size, "nothing");
		return;
	}
	for (i = 0; i < JD_ARRAY_SIZE(names); i++) {
		if (!(types & (1u << i)))
			continue;
		k++;
		len += (size_t)snprintf(buf + len, len < size ? size - len : 0, "%s%s",
					k == 1	 ? ""
					: k == n ? " or "
						 : ", ",
					names[i]);
		if (len >= size)
			return;
	}
}

/* A value quoted for a message: 'text' for strings, JSON otherwise; cut at max. */
static void value_text(json_t *x, char *buf, size_t size)
{
	const size_t max = 64;
	char *d = NULL;
	const char *s;
	size_t n;
	int quote = json_is_string(x);

	if (quote) {
		s = json_string_value(x);
		n = json_string_length(x);
	} else {
		d = json_dumps(x, JSON_COMPACT | JSON_ENCODE_ANY);
		s = d ? d : "?";
		n = strlen(s);
	}
	if (n > max) {
		/* cut on a UTF-8 boundary */
		size_t k = max;
		while (k > 0 && ((unsigned char)s[k] & 0xc0) == 0x80)
			k--;
		snprintf(buf, size, "%s%.*s...%s", quote ? "'" : "", (int)k, s, quote ? "'" : "");
	} else {
		snprintf(buf, size, "%s%.*s%s", quote ? "'" : "", (int)n, s, quote ? "'" : "");
	}
	free(d);
}

static void num_text(const struct snum *n, char *buf, size_t size)
{
	if (n->is_int && (double)n->i == n->d) {
		snprintf(buf, size, "%lld", n->i);
		return;
	}
	snprintf(buf, size, "%.15g", n->d);
	if (strtod(buf, NULL) != n->d)
		snprintf(buf, size, "%.17g", n->d);
}

static void inum_text(const struct inum *x, char *buf, size_t size)
{
	struct snum n;

	n.set = 1;
	n.is_int = x->is_int;
	n.i = x->i;
	n.d = x->d;
	num_text(&n, buf, size);
}

static int add_token(struct jd_buf *b, const char *s)
{
	while (*s) {
		size_t n = strcspn(s, "~/");
		if (n && jd_buf_add(b, s, n, NULL) < 0)
			return -1;
		s += n;
		if (*s && jd_buf_adds(b, *s == '~' ? "~0" : "~1", NULL) < 0)
			return -1;
		if (*s)
			s++;
	}
	return 0;
}

static int render_ip(struct jd_buf *b, const struct ipath *ip)
{
	if (!ip)
		return 0;
	if (render_ip(b, ip->up) < 0 || jd_buf_addc(b, '/', NULL) < 0)
		return -1;
	if (ip->key)
		return add_token(b, ip->key);
	return jd_buf_addf(b, NULL, "%zu", ip->idx);
}

static int render_kp(struct jd_buf *b, const struct kpath *kp)
{
	if (!kp)
		return 0;
	if (render_kp(b, kp->up) < 0 || b->len >= b->max || jd_buf_addc(b, '/', NULL) < 0 ||
	    add_token(b, kp->kw) < 0)
		return -1;
	if (kp->key)
		return jd_buf_addc(b, '/', NULL) < 0 ? -1 : add_token(b, kp->key);
	if (kp->idx >= 0)
		return jd_buf_addf(b, NULL, "/%ld", kp->idx);
	return 0;
}

static void report(struct vc *c, const struct ipath *ip, const struct kpath *kp, const char *kw,
		   const char *fmt, ...) JD_PRINTF(5, 6);

static void report(struct vc *c, const struct ipath *ip, const struct kpath *kp, const char *kw,
		   const char *fmt, ...)
{
	const struct jd_schema_report *rep = c->rep;
	/* paths past 8 KiB are cut (a $ref loop's keyword path grows with each turn) */
	struct jd_buf pb = JD_BUF_INIT(8192), kb = JD_BUF_INIT(4096);
	struct jd_finding f;
	char msg[1024];
	size_t n = 0;
	va_list ap;

	if (c->stop || !rep)
		return;
	if (c->sink) {
		c->sunk++;
		if (ip == c->sink_ip && kw &&
		    (!strcmp(kw, "type") || !strcmp(kw, "const") || !strcmp(kw, "enum")))
			c->sunk_shape++;
		if (ip == c->sink_ip && !kw)
			c->sunk_shape++; /* a false schema */
		return;
	}
	if (c->name)
		n = (size_t)snprintf(msg, sizeof(msg), "property name '%.64s': ", c->name);
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - n, fmt, ap);
	va_end(ap);
	if (rep->pointer_prefix)
		jd_buf_adds(&pb, rep->pointer_prefix, NULL);
	render_ip(&pb, ip);
	jd_buf_adds(&pb, "", NULL);
	if (render_kp(&kb, kp) == 0 && kw && jd_buf_addc(&kb, '/', NULL) == 0)
		add_token(&kb, kw);
	jd_buf_adds(&kb, "", NULL);
	memset(&f, 0, sizeof(f));
	f.severity = JD_SEV_ERROR;
	f.rule = "schema";
	f.input = rep->input ? rep->input : "";
	f.pointer = pb.data ? pb.data : "";
	f.keyword = kb.data ? kb.data : "";
	f.message = msg;
	if (rep->pos && rep->pos(rep->pos_ctx, f.pointer, &f.line, &f.col) < 0)
		f.line = f.col = 0;
	if (rep->fn(rep->ctx, &f))
		c->stop = 1;
	c->nfound++;
	if (rep->max_findings && c->nfound >= rep->max_findings)
		c->stop = 1;
	jd_buf_release(&pb);
	jd_buf_release(&kb);
}

static int fatal(struct vc *c, const char *fmt, ...) JD_PRINTF(2, 3);

static int fatal(struct vc *c, const char *fmt, ...)
{
	va_list ap;

	if (c->err && !c->err->code) {
		c->err->code = JD_EINVALID;
		va_start(ap, fmt);
		vsnprintf(c->err->msg, sizeof(c->err->msg), fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* The closest of n's property names to key, for "did you mean". */
static const char *closest_prop(const struct sn *n, const char *key)
{
	size_t i, klen = strlen(key);
	unsigned best = 255, lim = klen < 4 ? 1 : klen < 10 ? 2 : 3;
	const char *b = NULL;

	for (i = 0; i < n->nprops; i++) {
		unsigned d = jd_edit_distance(key, n->props[i].key);
		if (d < best) {
			best = d;
			b = n->props[i].key;
		}
	}
	return best <= lim ? b : NULL;
}

static void report_false(struct vc *c, const struct ipath *ip, const struct kpath *kp)
{
	const char *kw = kp ? kp->kw : "";

	if (ip && ip->key &&
	    (!strcmp(kw, "additionalProperties") || !strcmp(kw, "unevaluatedProperties")))
		report(c, ip, kp, NULL, "unknown property '%.100s'", ip->key);
	else if (ip && ip->key &&
		 (!strcmp(kw, "properties") || !strcmp(kw, "patternProperties") ||
		  !strcmp(kw, "dependentSchemas")))
		report(c, ip, kp, NULL, "property '%.100s' is not allowed", ip->key);
	else if (ip && !ip->key && strstr(kw, "tems"))
		report(c, ip, kp, NULL, "item %zu is not allowed here", ip->idx);
	else
		report(c, ip, kp, NULL, "no value is allowed here (the schema is false)");
}

/* ---- evaluation ---- */

static int v(struct vc *c, const struct sn *n, json_t *x, const struct ipath *ip,
	     const struct kpath *kp, const struct scope *sc, struct seval *ev);

/* Evaluates child n in place (same instance) with its own evaluated set, merged into
 * mine when it is valid. */
static int inplace(struct vc *c, const struct sn *n, json_t *x, const struct ipath *ip,
		   const struct kpath *kp, const struct scope *sc, struct seval *mine)
{
	struct seval t;
	int r;

	if (!mine)
		return v(c, n, x, ip, kp, sc, NULL);
	if (n->flags & SN_BOOL)
		return v(c, n, x, ip, kp, sc, NULL);
	if (ev_init(c, &t, mine->n) < 0)
		return -1;
	r = v(c, n, x, ip, kp, sc, &t);
	if (r > 0)
		ev_merge(mine, &t);
	ev_free(&t);
	return r;
}

static int quiet(struct vc *c, const struct sn *n, json_t *x, const struct ipath *ip,
		 const struct kpath *kp, const struct scope *sc, struct seval *mine)
{
	int save = c->report, r;

	c->report = 0;
	r = inplace(c, n, x, ip, kp, sc, mine);
	c->report = save;
	return r;
}

static const struct sprop *find_prop(const struct sn *n, const char *key, size_t len)
{
	size_t lo = 0, hi = n->nprops;

	if (n->nprops <= 6) {
		for (lo = 0; lo < hi; lo++)
			if (n->props[lo].len == len && !memcmp(n->props[lo].key, key, len))
				return &n->props[lo];
		return NULL;
	}
	while (lo < hi) {
		size_t mid = (lo + hi) / 2, m;
		const struct sprop *p = &n->props[mid];
		int r;
		m = p->len < len ? p->len : len;
		r = memcmp(p->key, key, m);
		if (!r)
			r = (p->len > len) - (p->len < len);
		if (!r)
			return p;
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

#define FAIL(kw, ...)                               \
	do {                                        \
		ok = 0;                             \
		if (!c->report)                     \
			goto done;                  \
		report(c, ip, kp, kw, __VA_ARGS__); \
		if (c->stop)                        \
			goto done;                  \
	} while (0)

#define CHILD(expr)                                \
	do {                                       \
		int r_ = (expr);                   \
		if (r_ < 0) {                      \
			ok = -1;                   \
			goto done;                 \
		}                                  \
		if (!r_) {                         \
			ok = 0;                    \
			if (!c->report || c->stop) \
				goto done;         \
		}                                  \
	} while (0)

static int v_object(struct vc *c, const struct sn *n, json_t *x, const struct ipath *ip,
		    const struct kpath *kp, const struct scope *sc, struct seval *mine)
{
	const char *key;
	json_t *val;
	size_t i = 0, size = json_object_size(x), j;
	int ok = 1;

	if (n->maxprops >= 0 && size > (size_t)n->maxprops)
		FAIL("maxProperties", "must have at most %lld propert%s, has %zu", n->maxprops,
		     n->maxprops == 1 ? "y" : "ies", size);
	if (size < (size_t)n->minprops)
		FAIL("minProperties", "must have at least %lld propert%s, has %zu", n->minprops,
		     n->minprops == 1 ? "y" : "ies", size);
	for (j = 0; j < n->nrequired; j++)
		if (!json_object_get(x, n->required[j]))
			FAIL("required", "missing required property '%.100s'", n->required[j]);
	for (j = 0; j < n->ndepreq; j++) {
		size_t k;
		if (!json_object_get(x, n->depreq[j].key))
			continue;
		for (k = 0; k < n->depreq[j].n; k++)
			if (!json_object_get(x, n->depreq[j].names[k]))
				FAIL(n->flags & SN_DEPENDENCIES ? "dependencies"
								: "dependentRequired",
				     "property '%.100s' requires property '%.100s'",
				     n->depreq[j].key, n->depreq[j].names[k]);
	}
	if (n->props || n->pprops || n->addprops || n->propnames) {
		json_object_foreach(x, key, val)
		{
			struct ipath cip = {ip, key, 0};
			int matched = 0;
			size_t klen = json_object_iter_key_len(json_object_key_to_iter(key));

			if (n->props) {
				const struct sprop *p = find_prop(n, key, klen);
				if (p) {
					struct kpath ck = {kp, "properties", p->key, -1};
					matched = 1;
					ev_set(mine, i);
					CHILD(v(c, p->s, val, &cip, &ck, sc, NULL));
				}
			}
			for (j = 0; j < n->npprops; j++) {
				char msg[256];
				int r = jd_re_match(n->pprops[j].re, key, klen, c->s->match_limit,
						    &c->re_scratch, msg, sizeof(msg));
				if (r < 0) {
					ok = fatal(c, "%s", msg);
					goto done;
				}
				if (r) {
					struct kpath ck = {kp, "patternProperties",
							   jd_re_source(n->pprops[j].re), -1};
					matched = 1;
					ev_set(mine, i);
					CHILD(v(c, n->pprops[j].s, val, &cip, &ck, sc, NULL));
				}
			}
			if (!matched && n->addprops) {
				struct kpath ck = {kp, "additionalProperties", NULL, -1};
				ev_set(mine, i);
				if (n->addprops == &c->s->false_node) {
					const char *hint = closest_prop(n, key);
					ok = 0;
					if (!c->report)
						goto done;
					if (hint)
						report(c, &cip, &ck, NULL,
						       "unknown property '%.100s' (did you mean "
						       "'%s'?)",
						       key, hint);
					else
						report(c, &cip, &ck, NULL,
						       "unknown property '%.100s'", key);
					if (c->stop)
						goto done;
				} else {
					CHILD(v(c, n->addprops, val, &cip, &ck, sc, NULL));
				}
			}
			if (n->propnames) {
				struct kpath ck = {kp, "propertyNames", NULL, -1};
				json_t *name = json_stringn_nocheck(key, klen);
				const char *save = c->name;
				int r;
				if (!name) {
					ok = fatal(c, "out of memory");
					goto done;
				}
				c->name = key;
				r = v(c, n->propnames, name, &cip, &ck, sc, NULL);
				c->name = save;
				json_decref(name);
				CHILD(r);
			}
			i++;
		}
	}
	for (j = 0; j < n->ndepschemas; j++) {
		struct kpath ck = {kp,
				   n->flags & SN_DEPENDENCIES ? "dependencies" : "dependentSchemas",
				   n->depschemas[j].key, -1};
		if (json_object_get(x, n->depschemas[j].key))
			CHILD(inplace(c, n->depschemas[j].s, x, ip, &ck, sc, mine));
	}
done:
	return ok;
}

static int v_array(struct vc *c, const struct sn *n, json_t *x, const struct ipath *ip,
		   const struct kpath *kp, const struct scope *sc, struct seval *mine)
{
	size_t size = json_array_size(x), i;
	int ok = 1;

	if (n->maxitems >= 0 && size > (size_t)n->maxitems)
		FAIL("maxItems", "must have at most %lld item%s, has %zu", n->maxitems,
		     n->maxitems == 1 ? "" : "s", size);
	if (size < (size_t)n->minitems)
		FAIL("minItems", "must have at least %lld item%s, has %zu", n->minitems,
		     n->minitems == 1 ? "" : "s", size);
	if (n->flags & SN_UNIQUE) {
		size_t a, b;
		int r = jd_json_unique(x, &a, &b);
		if (r < 0) {
			ok = fatal(c, "out of memory");
			goto done;
		}
		if (!r)
			FAIL("uniqueItems", "items must be unique: items %zu and %zu are equal", a,
			     b);
	}
	for (i = 0; i < n->nprefix && i < size; i++) {
		struct ipath cip = {ip, NULL, i};
		struct kpath ck = {kp, n->flags & SN_DRAFT7 ? "items" : "prefixItems", NULL,
				   (long)i};
		ev_set(mine, i);
		CHILD(v(c, n->prefix[i], json_array_get(x, i), &cip, &ck, sc, NULL));
	}
	if (n->items) {
		struct kpath ck = {kp, n->items_kw, NULL, -1};
		for (i = n->nprefix; i < size; i++) {
			struct ipath cip = {ip, NULL, i};
			ev_set(mine, i);
			CHILD(v(c, n->items, json_array_get(x, i), &cip, &ck, sc, NULL));
		}
	}
	if (n->contains) {
		struct kpath ck = {kp, "contains", NULL, -1};
		size_t count = 0;
		int save = c->report, all = mine || n->maxcontains >= 0 || c->report;
		c->report = 0;
		for (i = 0; i < size; i++) {
			struct ipath cip = {ip, NULL, i};
			int r = v(c, n->contains, json_array_get(x, i), &cip, &ck, sc, NULL);
			if (r < 0) {
				c->report = save;
				ok = -1;
				goto done;
			}
			if (r) {
				count++;
				if (!(n->flags & SN_DRAFT7))
					ev_set(mine, i);
				if (!all && count >= (size_t)n->mincontains)
					break;
			}
		}
		c->report = save;
		if (count < (size_t)n->mincontains) {
			if (n->mincontains == 1 && !count)
				FAIL("contains",
				     "must contain an item that matches 'contains', has none");
			else
				FAIL("minContains",
				     "must contain at least %lld items that match 'contains', has "
				     "%zu",
				     n->mincontains, count);
		}
		if (n->maxcontains >= 0 && count > (size_t)n->maxcontains)
			FAIL("maxContains",
			     "must contain at most %lld item%s that match 'contains', has %zu",
			     n->maxcontains, n->maxcontains == 1 ? "" : "s", count);
	}
done:
	return ok;
}

static int v_string(struct vc *c, const struct sn *n, json_t *x, const struct ipath *ip,
		    const struct kpath *kp)
{
	const char *s = json_string_value(x);
	size_t len = json_string_length(x);
	int ok = 1;
	char vb[160];

	if (n->minlen > 0 || n->maxlen >= 0) {
		size_t cp = jd_utf8_count(s, len);
		if (n->maxlen >= 0 && cp > (size_t)n->maxlen)
			FAIL("maxLength", "must have at most %lld character%s, has %zu", n->maxlen,
			     n->maxlen == 1 ? "" : "s", cp);
		if (cp < (size_t)n->minlen)
			FAIL("minLength", "must have at least %lld character%s, has %zu", n->minlen,
			     n->minlen == 1 ? "" : "s", cp);
	}
	if (n->pattern) {
		char msg[256];
		int r = jd_re_match(n->pattern, s, len, c->s->match_limit, &c->re_scratch, msg,
				    sizeof(msg));
		if (r < 0) {
			ok = fatal(c, "%s", msg);
			goto done;
		}
		if (!r) {
			value_text(x, vb, sizeof(vb));
			FAIL("pattern", "%s does not match '%.200s'", vb, jd_re_source(n->pattern));
		}
	}
	if (n->format && (n->flags & SN_FORMAT_ASSERT) && !jd_format_check_id(n->format, s, len)) {
		value_text(x, vb, sizeof(vb));
		FAIL("format", "%s is not a valid %s", vb, n->format_name);
	}
done:
	return ok;
}

static int v_number(struct vc *c, const struct sn *n, json_t *x, const struct ipath *ip,
		    const struct kpath *kp)
{
	struct inum num;
	char a[64], b[64];
	int ok = 1;

	inum_of(x, &num);
	if (n->max.set && num_cmp(&num, &n->max) > 0) {
		inum_text(&num, a, sizeof(a)), num_text(&n->max, b, sizeof(b));
		FAIL("maximum", "must be at most %s, is %s", b, a);
	}
	if (n->exmax.set && num_cmp(&num, &n->exmax) >= 0) {
		inum_text(&num, a, sizeof(a)), num_text(&n->exmax, b, sizeof(b));
		FAIL("exclusiveMaximum", "must be less than %s, is %s", b, a);
	}
	if (n->min.set && num_cmp(&num, &n->min) < 0) {
		inum_text(&num, a, sizeof(a)), num_text(&n->min, b, sizeof(b));
		FAIL("minimum", "must be at least %s, is %s", b, a);
	}
	if (n->exmin.set && num_cmp(&num, &n->exmin) <= 0) {
		inum_text(&num, a, sizeof(a)), num_text(&n->exmin, b, sizeof(b));
		FAIL("exclusiveMinimum", "must be greater than %s, is %s", b, a);
	}
	if (n->mult.set && !multiple_of(&num, &n->mult)) {
		inum_text(&num, a, sizeof(a)), num_text(&n->mult, b, sizeof(b));
		FAIL("multipleOf", "must be a multiple of %s, is %s", b, a);
	}
done:
	return ok;
}

/*
 * After no branch of anyOf/oneOf matched: the branch that fits the instance's
 * shape here (no type/const/enum failure at this location) with the fewest
 * findings, or -1. Runs each branch once more, counting findings.
 */
static long closest_branch(struct vc *c, struct sn *const *br, size_t n, json_t *x,
			   const struct ipath *ip, const struct kpath *kp, const char *kw,
			   const struct scope *sc)
{
	int save_sink = c->sink;
	const struct ipath *save_ip = c->sink_ip;
	unsigned save_sunk = c->sunk, save_shape = c->sunk_shape, best = ~0u;
	long bi = -1;
	size_t j;

	c->sink = 1;
	c->sink_ip = ip;
	for (j = 0; j < n; j++) {
		struct kpath ck = {kp, kw, NULL, (long)j};
		int r;
		c->sunk = c->sunk_shape = 0;
		r = v(c, br[j], x, ip, &ck, sc, NULL);
		if (r < 0) {
			bi = -1;
			break;
		}
		if (!c->sunk_shape && c->sunk && c->sunk < best) {
			best = c->sunk;
			bi = (long)j;
		}
	}
	c->sink = save_sink;
	c->sink_ip = save_ip;
	c->sunk = save_sunk;
	c->sunk_shape = save_shape;
	return bi;
}

static unsigned type_bits(json_t *x)
{
	switch (json_typeof(x)) {
	case JSON_OBJECT: return T_OBJECT;
	case JSON_ARRAY: return T_ARRAY;
	case JSON_STRING: return T_STRING;
	case JSON_INTEGER: return T_INTEGER | T_NUMBER;
	case JSON_REAL: {
		double d = json_real_value(x);
		return d == floor(d) && isfinite(d) ? T_INTEGER | T_NUMBER : T_NUMBER;
	}
	case JSON_TRUE:
	case JSON_FALSE: return T_BOOLEAN;
	default: return T_NULL;
	}
}

static int v(struct vc *c, const struct sn *n, json_t *x, const struct ipath *ip,
	     const struct kpath *kp, const struct scope *sc, struct seval *ev)
{
	struct scope here;
	struct seval local, *mine = ev;
	struct sframe me;
	const struct sframe *f;
	int ok = 1, have_local = 0;
	char vb[160], tb[96];
	size_t j;

	if (n->flags & SN_BOOL) {
		if (n->flags & SN_TRUE)
			return 1;
		if (c->report)
			report_false(c, ip, kp);
		return 0;
	}
	if (c->stop)
		return 0;
	/*
	 * The same schema applied again to the same value, with no step into
	 * the instance between (the frames of one value are the topmost ones):
	 * a reference cycle that would never end.
	 */
	for (f = c->top; f && f->x == x; f = f->up)
		if (f->n == n)
			return fatal(c,
				     "schema '#%.200s' applies to itself on the same value "
				     "(a $ref cycle that never ends)",
				     n->path);
	if (++c->depth > c->s->max_depth) {
		c->depth--;
		return fatal(c,
			     "evaluation deeper than %u levels (a $ref cycle?) at schema '#%.200s'",
			     c->s->max_depth, n->path);
	}
	me.up = c->top;
	me.n = n;
	me.x = x;
	c->top = &me;
	if (n->res && (!sc || sc->res != n->res)) {
		here.up = sc;
		here.res = n->res;
		sc = &here;
	}
	if ((n->flags & SN_UNEVAL) && !mine) {
		if (ev_init(c, &local, inst_size(x)) < 0) {
			ok = -1;
			goto done;
		}
		have_local = 1;
		mine = &local;
	}

	if (n->types && !(n->types & type_bits(x))) {
		types_text(n->types, tb, sizeof(tb));
		FAIL("type", "expected %s, got %s", tb, type_name(x));
	}
	if (n->const_ && !jd_json_equal(x, n->const_)) {
		value_text(n->const_, vb, sizeof(vb));
		FAIL("const", "must be %s", vb);
	}
	if (n->enum_) {
		size_t k, ne = json_array_size(n->enum_);
		for (k = 0; k < ne; k++)
			if (jd_json_equal(x, json_array_get(n->enum_, k)))
				break;
		if (k == ne) {
			char list[400];
			size_t len = 0;
			list[0] = '\0';
			for (k = 0; k < ne && len < 300; k++) {
				value_text(json_array_get(n->enum_, k), vb, sizeof(vb));
				len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
							k ? ", " : "", vb);
			}
			if (k < ne && len < sizeof(list))
				snprintf(list + len, sizeof(list) - len, ", ...");
			value_text(x, vb, sizeof(vb));
			FAIL("enum", "%s is not one of %s", vb, list);
		}
	}
	switch (json_typeof(x)) {
	case JSON_OBJECT: CHILD(v_object(c, n, x, ip, kp, sc, mine)); break;
	case JSON_ARRAY: CHILD(v_array(c, n, x, ip, kp, sc, mine)); break;
	case JSON_STRING: CHILD(v_string(c, n, x, ip, kp)); break;
	case JSON_INTEGER:
	case JSON_REAL: CHILD(v_number(c, n, x, ip, kp)); break;
	default: break;
	}

	if (n->ref.to) {
		struct kpath ck = {kp, "$ref", NULL, -1};
		CHILD(inplace(c, n->ref.to, x, ip, &ck, sc, mine));
	}
	if (n->dynref.to) {
		struct kpath ck = {kp, "$dynamicRef", NULL, -1};
		const struct sn *t = n->dynref.to;
		if (n->flags & SN_DYNREF_DYNAMIC) {
			const struct scope *s;
			for (s = sc; s; s = s->up) {
				const struct sanchor *a;
				for (a = s->res->dynanchors; a; a = a->next)
					if (!strcmp(a->name, n->dynanchor)) {
						t = a->s; /* the outermost wins */
						break;
					}
			}
		}
		CHILD(inplace(c, t, x, ip, &ck, sc, mine));
	}
	for (j = 0; j < n->nallof; j++) {
		struct kpath ck = {kp, "allOf", NULL, (long)j};
		CHILD(inplace(c, n->allof[j], x, ip, &ck, sc, mine));
	}
	if (n->nanyof) {
		size_t matched = 0;
		for (j = 0; j < n->nanyof; j++) {
			struct kpath ck = {kp, "anyOf", NULL, (long)j};
			int r = quiet(c, n->anyof[j], x, ip, &ck, sc, mine);
			if (r < 0) {
				ok = -1;
				goto done;
			}
			if (r > 0) {
				matched++;
				if (!mine)
					break;
			}
		}
		if (!matched && c->report && !c->sink) {
			long b = closest_branch(c, n->anyof, n->nanyof, x, ip, kp, "anyOf", sc);
			struct kpath ck = {kp, "anyOf", NULL, b};
			if (b < 0) {
				FAIL("anyOf", "does not match any of the %zu schemas in 'anyOf'",
				     n->nanyof);
			} else {
				FAIL("anyOf",
				     "does not match any of the %zu schemas in 'anyOf'; "
				     "closest is schema %ld:",
				     n->nanyof, b);
				CHILD(v(c, n->anyof[b], x, ip, &ck, sc, NULL));
			}
		} else if (!matched) {
			FAIL("anyOf", "does not match any of the %zu schemas in 'anyOf'",
			     n->nanyof);
		}
	}
	if (n->noneof) {
		size_t matched = 0, first = 0, second = 0;
		struct seval keep;
		int have_keep = 0;
		for (j = 0; j < n->noneof; j++) {
			struct kpath ck = {kp, "oneOf", NULL, (long)j};
			struct seval t;
			int r;
			if (mine && ev_init(c, &t, mine->n) < 0) {
				ok = -1;
				goto oneof_done;
			}
			r = quiet(c, n->oneof[j], x, ip, &ck, sc, mine ? &t : NULL);
			if (r < 0) {
				if (mine)
					ev_free(&t);
				ok = -1;
				goto oneof_done;
			}
			if (r > 0) {
				if (!matched++) {
					first = j;
					if (mine) {
						keep = t;
						if (t.bits == t.inl)
							keep.bits = keep.inl;
						have_keep = 1;
						continue;
					}
				} else if (matched == 2) {
					second = j;
				}
			}
			if (mine)
				ev_free(&t);
			if (matched > 1)
				break;
		}
		if (matched == 1 && have_keep)
			ev_merge(mine, &keep);
	oneof_done:
		if (have_keep)
			ev_free(&keep);
		if (ok < 0)
			goto done;
		if (!matched && c->report && !c->sink) {
			long b = closest_branch(c, n->oneof, n->noneof, x, ip, kp, "oneOf", sc);
			struct kpath ck = {kp, "oneOf", NULL, b};
			if (b < 0) {
				FAIL("oneOf", "does not match any of the %zu schemas in 'oneOf'",
				     n->noneof);
			} else {
				FAIL("oneOf",
				     "does not match any of the %zu schemas in 'oneOf'; "
				     "closest is schema %ld:",
				     n->noneof, b);
				CHILD(v(c, n->oneof[b], x, ip, &ck, sc, NULL));
			}
		} else if (!matched) {
			FAIL("oneOf", "does not match any of the %zu schemas in 'oneOf'",
			     n->noneof);
		} else if (matched > 1)
			FAIL("oneOf",
			     "matches both schema %zu and schema %zu of 'oneOf', must match "
			     "exactly one",
			     first, second);
	}
	if (n->not_) {
		struct kpath ck = {kp, "not", NULL, -1};
		int r = quiet(c, n->not_, x, ip, &ck, sc, NULL);
		if (r < 0) {
			ok = -1;
			goto done;
		}
		if (r)
			FAIL("not", "must not match the schema in 'not'");
	}
	if (n->if_) {
		struct kpath ck = {kp, "if", NULL, -1};
		int r = quiet(c, n->if_, x, ip, &ck, sc, mine);
		if (r < 0) {
			ok = -1;
			goto done;
		}
		if (r && n->then_) {
			struct kpath ct = {kp, "then", NULL, -1};
			CHILD(inplace(c, n->then_, x, ip, &ct, sc, mine));
		} else if (!r && n->else_) {
			struct kpath ce = {kp, "else", NULL, -1};
			CHILD(inplace(c, n->else_, x, ip, &ce, sc, mine));
		}
	}

	/* last: what nothing else evaluated */
	if (n->unevalprops && json_is_object(x)) {
		struct kpath ck = {kp, "unevaluatedProperties", NULL, -1};
		const char *key;
		json_t *val;
		size_t i = 0;
		json_object_foreach(x, key, val)
		{
			if (!ev_get(mine, i)) {
				struct ipath cip = {ip, key, 0};
				CHILD(v(c, n->unevalprops, val, &cip, &ck, sc, NULL));
			}
			i++;
		}
		for (i = 0; i < mine->n; i++)
			ev_set(mine, i);
	}
	if (n->unevalitems && json_is_array(x)) {
		struct kpath ck = {kp, "unevaluatedItems", NULL, -1};
		size_t i;
		for (i = 0; i < mine->n; i++) {
			if (!ev_get(mine, i)) {
				struct ipath cip = {ip, NULL, i};
				CHILD(v(c, n->unevalitems, json_array_get(x, i), &cip, &ck, sc,
					NULL));
			}
		}
		for (i = 0; i < mine->n; i++)
			ev_set(mine, i);
	}
done:
	if (have_local)
		ev_free(&local);
	c->top = me.up;
	c->depth--;
	return ok;
}

int jd_schema_run(const struct jd_schema *s, json_t *x, const struct jd_schema_report *rep,
		  struct jd_error *err)
{
	struct vc c;
	int r;

	memset(&c, 0, sizeof(c));
	c.s = s;
	c.rep = rep && rep->fn ? rep : NULL;
	c.report = c.rep != NULL;
	c.err = err;
	if (err)
		err->code = 0;
	if (!x)
		return jd_error_set(err, JD_EINTERNAL, "no instance to validate");
	r = v(&c, s->root, x, NULL, NULL, NULL, NULL);
	jd_re_scratch_free(c.re_scratch);
	if (r < 0) {
		if (err && !err->code)
			jd_error_set(err, JD_EINTERNAL, "validation failed");
		return -1;
	}
	return r ? 0 : 1;
}
