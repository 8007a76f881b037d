/* Substitution values: -p, -P and their precedence (template.h). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "internal.h"
#include "jsonparse.h"
#include "placeholder.h"
#include "template.h"

struct pval {
	const char *name; /* own_name, or in a kept -P file (src) */
	char *own_name;
	json_t *value;
	/*
	 * Where the value came from: "-p NAME" or "FILE:LINE:COL". For a -P
	 * file it is made on first use (origin_of()), from line:col or the
	 * document's source map: most runs never name it (it is for messages
	 * and --list).
	 */
	char *origin;
	size_t src; /* 1 + index into srcs, 0 for -p */
	unsigned line, col;
};

/*
 * A -P file, kept until jd_params_free(): the values' names and places are
 * in it. Freeing a large parameters file (thousands of small values) before
 * the specs were compiled left the heap full of small free chunks that later
 * allocations sorted through (5,000 specs with a 25,000-value file: 60 ms
 * more CPU in a run on one thread).
 */
struct psrc {
	char *text;	   /* a flat JSON file read by read_flat(): names end in place */
	char *name;	   /* its path */
	struct jd_doc doc; /* else the file as the loader reads it */
};

/*
 * A slot of the name table: the name is in the slot (up to SLOT_NAME
 * bytes of it), so that a lookup reads one cache line. A -P file of
 * thousands of values is looked up a few names per spec, with the table
 * long gone from the caches: a slot that pointed to the name would cost
 * two more misses, one after the other.
 */
#define SLOT_NAME 23
struct pslot {
	uint32_t idx; /* index + 1, 0 = empty */
	uint32_t tag; /* the hash's high half */
	uint8_t nlen; /* the name's length, SLOT_NAME + 1 when longer */
	char name[SLOT_NAME];
};
_Static_assert(sizeof(struct pslot) == 32, "two slots to a cache line");

/*
 * Only the effective value of each name is kept: a -p value replaces any
 * other; a file's value replaces an earlier file's but not a -p value.
 */
struct jd_params {
	struct pval *v;
	unsigned char *from_arg; /* v[i] came from -p */
	size_t n, alloc;
	struct pslot *slot; /* open addressing on names */
	size_t nslot;
	struct psrc *srcs;
	size_t nsrcs, asrcs;
	pthread_mutex_t lock; /* origins made on demand, from concurrent renders */
	/*
	 * Which values a render used: the only state that changes once the
	 * values are in, set from concurrent renders (jobdoc-compile -j).
	 */
	atomic_uchar *used;
	size_t budget, url_bytes;
	char region[32];
};

struct jd_params *jd_params_new(void)
{
	struct jd_params *p = calloc(1, sizeof(struct jd_params));

	if (p && pthread_mutex_init(&p->lock, NULL) != 0) {
		free(p);
		return NULL;
	}
	return p;
}

static void pval_release(struct pval *v)
{
	free(v->own_name);
	free(v->origin);
	json_decref(v->value);
}

void jd_params_free(struct jd_params *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->n; i++)
		pval_release(&p->v[i]);
	free(p->v);
	free(p->from_arg);
	free(p->slot);
	for (i = 0; i < p->nsrcs; i++) {
		free(p->srcs[i].text);
		free(p->srcs[i].name);
		jd_doc_release(&p->srcs[i].doc);
	}
	free(p->srcs);
	free((void *)p->used);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

static uint64_t hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static void slot_fill(struct pslot *s, size_t idx, uint64_t h, const char *name, size_t n)
{
	s->idx = (uint32_t)(idx + 1);
	s->tag = (uint32_t)(h >> 32);
	s->nlen = (uint8_t)(n > SLOT_NAME ? SLOT_NAME + 1 : n);
	memcpy(s->name, name, n > SLOT_NAME ? SLOT_NAME : n);
}

/* The index of name[0..n) (hash h), or -1. */
static long find(const struct jd_params *p, const char *name, size_t n, uint64_t h)
{
	size_t i;

	for (i = h & (p->nslot - 1);; i = (i + 1) & (p->nslot - 1)) {
		const struct pslot *s = &p->slot[i];
		if (!s->idx)
			return -1;
		if (s->tag != (uint32_t)(h >> 32))
			continue;
		if (n <= SLOT_NAME
			    ? s->nlen == n && !memcmp(s->name, name, n)
			    : s->nlen == SLOT_NAME + 1 && !strcmp(p->v[s->idx - 1].name, name))
			return (long)s->idx - 1;
	}
}

long jd_params_index(const struct jd_params *p, const char *name)
{
	size_t n = strlen(name);

	if (!p || !p->nslot)
		return -1;
	return find(p, name, n, hash(name, n));
}

void jd_params_lookup(const struct jd_params *p, const char *const *names, size_t n, long *idx)
{
	size_t k, i, len[16];
	uint64_t h[16];

	for (k = 0; k < n; k += 16) {
		size_t m = n - k < 16 ? n - k : 16;
		if (!p || !p->nslot) {
			for (i = 0; i < m; i++)
				idx[k + i] = -1;
			continue;
		}
		/* the slots first, all of them, then the values they name */
		for (i = 0; i < m; i++) {
			len[i] = strlen(names[k + i]);
			h[i] = hash(names[k + i], len[i]);
			__builtin_prefetch(&p->slot[h[i] & (p->nslot - 1)]);
		}
		for (i = 0; i < m; i++) {
			idx[k + i] = find(p, names[k + i], len[i], h[i]);
			if (idx[k + i] >= 0)
				__builtin_prefetch(&p->v[idx[k + i]]);
		}
	}
}

void jd_params_prefetch(const struct jd_params *p, const json_t *decls)
{
	const char *name;
	json_t *d;

	if (!p || !p->nslot || !json_is_object(decls))
		return;
	json_object_foreach((json_t *)decls, name, d)
	{
		__builtin_prefetch(&p->slot[hash(name, strlen(name)) & (p->nslot - 1)]);
	}
}

/* Room for n values in all: the table kept at most half full. 0, or -1 (out of memory). */
static int reserve(struct jd_params *p, size_t n)
{
	size_t ns = p->nslot ? p->nslot : 64, i;
	struct pslot *slot;

	if (n >= UINT32_MAX / 2)
		return -1;
	if (n > p->alloc) {
		size_t na = p->alloc ? p->alloc : 8;
		struct pval *nv;
		unsigned char *nf;
		while (na < n)
			na *= 2;
		nv = realloc(p->v, na * sizeof(*nv));
		if (!nv)
			return -1;
		p->v = nv;
		nf = realloc(p->from_arg, na);
		if (!nf)
			return -1;
		p->from_arg = nf;
		p->alloc = na;
	}
	while (n * 2 > ns)
		ns *= 2;
	if (ns == p->nslot)
		return 0;
	/* a slot to a cache line's half (ns is a power of two, 64 or more) */
	slot = aligned_alloc(64, ns * sizeof(*slot));
	if (!slot)
		return -1;
	memset(slot, 0, ns * sizeof(*slot));
	for (i = 0; i < p->n; i++) {
		size_t nl = strlen(p->v[i].name);
		uint64_t h = hash(p->v[i].name, nl);
		size_t j = h & (ns - 1);
		while (slot[j].idx)
			j = (j + 1) & (ns - 1);
		slot_fill(&slot[j], i, h, p->v[i].name, nl);
	}
	free(p->slot);
	p->slot = slot;
	p->nslot = ns;
	return 0;
}

/* Adds nv (taken) as a new name, h its hash: room was made with reserve(). */
static void put_new(struct jd_params *p, struct pval *nv, uint64_t h, int from_arg)
{
	size_t j = h & (p->nslot - 1);

	while (p->slot[j].idx)
		j = (j + 1) & (p->nslot - 1);
	slot_fill(&p->slot[j], p->n, h, nv->name, strlen(nv->name));
	p->v[p->n] = *nv;
	p->from_arg[p->n] = (unsigned char)from_arg;
	p->n++;
	free((void *)p->used); /* sized for n: made again on first use */
	p->used = NULL;
}

/*
 * Sets nv->name to nv->value (nv taken: its value, and the name and origin
 * it may own). A file value does not replace a -p one.
 */
static int put(struct jd_params *p, struct pval *nv, int from_arg, struct jd_error *err)
{
	long i = jd_params_index(p, nv->name);

	if (i >= 0) {
		struct pval *v = &p->v[i];
		if (p->from_arg[i] && !from_arg) {
			pval_release(nv);
			return 0;
		}
		/* the first name stays: the same text, and what it points into is kept */
		free(nv->own_name);
		free(v->origin);
		json_decref(v->value);
		v->value = nv->value;
		v->origin = nv->origin;
		v->src = nv->src;
		v->line = nv->line;
		v->col = nv->col;
		p->from_arg[i] = (unsigned char)from_arg;
		return 0;
	}
	if (reserve(p, p->n + 1) < 0) {
		pval_release(nv);
		return jd_error_oom(err);
	}
	put_new(p, nv, hash(nv->name, strlen(nv->name)), from_arg);
	return 0;
}

int jd_params_add_arg(struct jd_params *p, const char *arg, struct jd_error *err)
{
	const char *eq = strchr(arg, '=');
	size_t nlen;
	int typed;
	struct pval nv = {NULL, NULL, NULL, NULL, 0, 0, 0};
	char origin[160];

	if (!eq)
		return jd_error_set(err, JD_EUSAGE,
				    "-p '%.100s': expected NAME=VALUE or NAME:=JSON", arg);
	typed = eq > arg && eq[-1] == ':';
	nlen = (size_t)(eq - arg) - (size_t)typed;
	if (!jd_ph_valid_name(arg, nlen))
		return jd_error_set(err, JD_EUSAGE,
				    "-p '%.100s': parameter names are 1 to 128 of A-Z a-z 0-9 _ -",
				    arg);
	if (typed) {
		json_error_t je;
		nv.value = jd_json_parse(eq + 1, strlen(eq + 1),
					 JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
		if (!nv.value)
			return jd_error_set(err, JD_EUSAGE, "-p %.*s:=: the value is not JSON: %s",
					    (int)(nlen > 100 ? 100 : nlen), arg, je.text);
	} else {
		nv.value = json_string(eq + 1);
		if (!nv.value)
			return jd_error_set(err, JD_EUSAGE, "-p %.*s: the value is not UTF-8",
					    (int)(nlen > 100 ? 100 : nlen), arg);
	}
	snprintf(origin, sizeof(origin), "-p %.*s", (int)(nlen > 128 ? 128 : nlen), arg);
	nv.own_name = jd_strndup(arg, nlen);
	nv.origin = jd_strndup(origin, strlen(origin));
	nv.name = nv.own_name;
	if (!nv.own_name || !nv.origin) {
		pval_release(&nv);
		return jd_error_oom(err);
	}
	return put(p, &nv, 1, err);
}

/* "FILE:LINE:COL" of name's value in doc (malloc'd), or NULL on out of memory. */
static char *doc_origin(const struct jd_doc *doc, const char *name)
{
	struct jd_buf ptr = JD_BUF_INIT(4096);
	struct jd_pos pos = {0, 0, 0, 0};
	char origin[320];

	if (jd_pointer_push(&ptr, name, strlen(name), NULL) == 0)
		jd_srcmap_find(doc->map, ptr.data, &pos);
	jd_buf_release(&ptr);
	snprintf(origin, sizeof(origin), "%.200s:%u:%u", doc->name, pos.line, pos.col);
	return jd_strndup(origin, strlen(origin));
}

/*
 * The members of doc's root object as values. src: doc is p's (srcs[src -
 * 1]) and the values point into it; 0: names and places are copied.
 */
static int add_doc(struct jd_params *p, const struct jd_doc *doc, size_t src, struct jd_error *err)
{
	const char *key;
	json_t *v;

	if (!json_is_object(doc->root)) {
		jd_error_at(err, JD_EINVALID, doc->name, 1, 1, NULL,
			    "a parameters file is an object of NAME: value");
		jd_doc_place(doc, "", 0, err);
		return -1;
	}
	if (reserve(p, p->n + json_object_size(doc->root)) < 0)
		return jd_error_oom(err);
	json_object_foreach(doc->root, key, v)
	{
		struct pval nv = {key, NULL, json_incref(v), NULL, src, 0, 0};

		if (!jd_ph_valid_name(key, strlen(key))) {
			struct jd_buf ptr = JD_BUF_INIT(4096);
			json_decref(nv.value);
			jd_pointer_push(&ptr, key, strlen(key), NULL);
			jd_error_at(
				err, JD_EINVALID, doc->name, 0, 0, ptr.data ? ptr.data : "",
				"'%.100s' is not a parameter name (1 to 128 of A-Z a-z 0-9 _ -)",
				key);
			jd_doc_place(doc, ptr.data ? ptr.data : "", 1, err);
			jd_buf_release(&ptr);
			return -1;
		}
		if (!src) {
			nv.own_name = jd_strndup(key, strlen(key));
			nv.name = nv.own_name;
			nv.origin = doc_origin(doc, key);
			if (!nv.own_name || !nv.origin) {
				pval_release(&nv);
				return jd_error_oom(err);
			}
		}
		if (put(p, &nv, 0, err) < 0)
			return -1;
	}
	return 0;
}

int jd_params_add_doc(struct jd_params *p, const struct jd_doc *doc, struct jd_error *err)
{
	return add_doc(p, doc, 0, err);
}

/* ---- flat JSON files ---- */

/* One member of a flat file: offsets into its text, the value's place, the name's hash. */
struct flat {
	size_t name, nlen, val, vlen;
	unsigned line, col;
	uint64_t h;
};

static size_t skip_ws(const char *t, size_t len, size_t i, unsigned *line, size_t *bol)
{
	for (; i < len && (t[i] == ' ' || t[i] == '\n'); i++) {
		if (t[i] == '\n') {
			++*line;
			*bol = i + 1;
		}
	}
	return i;
}

#define ONES  0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL
/* Non-zero when a byte of w may be '"', '\\', below 0x20 or above 0x7e (never 0 when one is). */
static uint64_t flat_stop(uint64_t w)
{
	uint64_t q = w ^ (ONES * '"'), b = w ^ (ONES * '\\');

	return (((w - ONES * 0x20) | (q - ONES) | (b - ONES) | (w + ONES)) & ~w & HIGHS) |
	       (w & HIGHS);
}

/* The end of the printable-ASCII string at t[i] == '"' without escapes, or 0. */
static size_t flat_string(const char *t, size_t len, size_t i)
{
	/* eight bytes at a time while none of them needs a look */
	for (i++; i + 8 <= len; i += 8) {
		uint64_t w;
		memcpy(&w, t + i, 8);
		if (flat_stop(w))
			break;
	}
	for (; i < len && t[i] != '"'; i++)
		if (t[i] < 0x20 || t[i] > 0x7e || t[i] == '\\')
			return 0;
	return i < len ? i + 1 : 0;
}

/* The end of the scalar at t[i]: an integer of at most 18 digits, true, false, null; or 0. */
static size_t flat_scalar(const char *t, size_t len, size_t i)
{
	static const char *const words[] = {"true", "false", "null"};
	size_t k, d = i + (t[i] == '-');

	for (k = 0; k < JD_ARRAY_SIZE(words); k++) {
		size_t wl = strlen(words[k]);
		if (len - i >= wl && !memcmp(t + i, words[k], wl))
			return i + wl;
	}
	for (k = d; k < len && t[k] >= '0' && t[k] <= '9'; k++)
		;
	if (k == d || k - d > 18 || (t[d] == '0' && (k - d > 1 || d > i)))
		return 0;
	return k;
}

/*
 * Reads t as a flat JSON object of printable-ASCII scalars (strings without
 * escapes, integers, true, false, null), the shape jobdoc-sign and a
 * pipeline write, into *out (malloc'd, *n members, names NUL-terminated in
 * place). Returns -1 for anything else, duplicate names included: the loader
 * reads those files, with its messages. On success the result is what the
 * loader gives for the file, without building its tree and source map.
 */
static int read_flat(char *t, size_t len, size_t max_nodes, struct flat **out, size_t *n)
{
	struct flat *f = NULL, *nf;
	size_t i, nf_alloc = 0, bol = 0, k, nslot = 64;
	uint32_t *slot = NULL;
	unsigned line = 1;

	*out = NULL;
	*n = 0;
	i = skip_ws(t, len, 0, &line, &bol);
	if (i >= len || t[i] != '{')
		return -1;
	/*
	 * Room for every member at once (growing by doubling would copy and
	 * touch twice the memory): each has a ':', and a value may hold more.
	 */
	for (k = i; k < len && nf_alloc < max_nodes; k++) {
		const char *c = memchr(t + k, ':', len - k);
		if (!c)
			break;
		k = (size_t)(c - t);
		nf_alloc++;
	}
	if (nf_alloc && !(f = malloc(nf_alloc * sizeof(*f))))
		return -1;
	i = skip_ws(t, len, i + 1, &line, &bol);
	while (i < len && t[i] != '}') {
		struct flat m;
		if (*n && (t[i] != ',' || (i = skip_ws(t, len, i + 1, &line, &bol)) >= len))
			goto bad;
		if (t[i] != '"' || !(k = flat_string(t, len, i)))
			goto bad;
		m.name = i + 1;
		m.nlen = k - i - 2;
		if (!jd_ph_valid_name(t + m.name, m.nlen))
			goto bad;
		m.h = hash(t + m.name, m.nlen);
		i = skip_ws(t, len, k, &line, &bol);
		if (i >= len || t[i] != ':')
			goto bad;
		i = skip_ws(t, len, i + 1, &line, &bol);
		if (i >= len)
			goto bad;
		k = t[i] == '"' ? flat_string(t, len, i) : flat_scalar(t, len, i);
		/* a plain scalar ends at a flow indicator or a space */
		if (!k || (t[i] != '"' && k < len && t[k] != ',' && t[k] != '}' && t[k] != ' ' &&
			   t[k] != '\n'))
			goto bad;
		m.val = i;
		m.vlen = k - i;
		m.line = line;
		m.col = (unsigned)(i - bol + 1);
		if (*n == nf_alloc) {
			nf_alloc = nf_alloc ? nf_alloc * 2 : 64;
			nf = realloc(f, nf_alloc * sizeof(*f));
			if (!nf)
				goto bad;
			f = nf;
		}
		f[(*n)++] = m;
		i = skip_ws(t, len, k, &line, &bol);
	}
	if (i >= len || skip_ws(t, len, i + 1, &line, &bol) != len || *n + 1 >= max_nodes)
		goto bad;
	/* duplicate names: the loader's error */
	while (nslot < *n * 2)
		nslot *= 2;
	slot = calloc(nslot, sizeof(*slot));
	if (!slot)
		goto bad;
	for (i = 0; i < *n; i++) {
		size_t j = f[i].h & (nslot - 1);
		if (i + 8 < *n)
			__builtin_prefetch(&slot[f[i + 8].h & (nslot - 1)]);
		for (; slot[j]; j = (j + 1) & (nslot - 1)) {
			const struct flat *o = &f[slot[j] - 1];
			if (o->nlen == f[i].nlen && !memcmp(t + o->name, t + f[i].name, o->nlen))
				goto bad;
		}
		slot[j] = (uint32_t)(i + 1);
	}
	free(slot);
	for (i = 0; i < *n; i++)
		t[f[i].name + f[i].nlen] = '\0';
	*out = f;
	return 0;
bad:
	free(slot);
	free(f);
	*n = 0;
	return -1;
}

/* The value of member m of a flat file: a new reference, or NULL (out of memory). */
static json_t *flat_value(const char *t, const struct flat *m)
{
	const char *v = t + m->val;
	json_int_t x = 0;
	size_t i;

	switch (v[0]) {
	case '"': return json_stringn_nocheck(v + 1, m->vlen - 2);
	case 't': return json_true();
	case 'f': return json_false();
	case 'n': return json_null();
	default: break;
	}
	for (i = v[0] == '-'; i < m->vlen; i++)
		x = x * 10 + (v[i] - '0');
	return json_integer(v[0] == '-' ? -x : x);
}

/* Adds the members of a flat file read by read_flat() (srcs[src - 1]). */
static int add_flat(struct jd_params *p, size_t src, const struct flat *f, size_t n,
		    struct jd_error *err)
{
	const char *t = p->srcs[src - 1].text;
	size_t i;
	/* the first values: the names are new (read_flat() refuses duplicates) */
	int fresh = !p->n;

	if (reserve(p, p->n + n) < 0)
		return jd_error_oom(err);
	for (i = 0; i < n; i++) {
		struct pval nv = {t + f[i].name, NULL,	  flat_value(t, &f[i]), NULL, src,
				  f[i].line,	 f[i].col};
		if (!nv.value)
			return jd_error_oom(err);
		if (fresh && i + 8 < n)
			__builtin_prefetch(&p->slot[f[i + 8].h & (p->nslot - 1)]);
		if (fresh)
			put_new(p, &nv, f[i].h, 0);
		else if (put(p, &nv, 0, err) < 0)
			return -1;
	}
	return 0;
}

int jd_params_add_file(struct jd_params *p, const char *path, const struct jd_load_opts *opts,
		       struct jd_error *err)
{
	struct psrc *src;
	struct jd_buf b = JD_BUF_INIT(0);
	struct jd_error rerr;
	struct flat *f = NULL;
	size_t n = 0;
	size_t max = opts && opts->max_input ? opts->max_input : JD_INPUT_MAX;
	size_t max_nodes = opts && opts->max_nodes ? opts->max_nodes : 1000000;
	int r;

	if (p->nsrcs == p->asrcs) {
		size_t na = p->asrcs ? p->asrcs * 2 : 4;
		struct psrc *d = realloc(p->srcs, na * sizeof(*d));
		if (!d)
			return jd_error_oom(err);
		p->srcs = d;
		p->asrcs = na;
	}
	src = &p->srcs[p->nsrcs];
	memset(src, 0, sizeof(*src));
	/* stdin cannot be read twice: the loader reads it */
	b.max = max + 1;
	jd_error_clear(&rerr);
	if (strcmp(path, "-") && (!opts || opts->max_depth != 1) &&
	    jd_read_file(path, max, &b, &rerr) == 0 && b.len <= max &&
	    read_flat(b.data, b.len, max_nodes, &f, &n) == 0) {
		src->name = jd_strndup(path, strlen(path));
		if (!src->name) {
			free(f);
			jd_buf_release(&b);
			return jd_error_oom(err);
		}
		src->text = jd_buf_detach(&b, NULL);
		p->nsrcs++;
		r = add_flat(p, p->nsrcs, f, n, err);
		free(f);
		return r;
	}
	jd_buf_release(&b);
	if (jd_load_one(path, opts, &src->doc, err) < 0)
		return -1;
	/* kept even when a name is bad: the names before it point into it */
	p->nsrcs++;
	return add_doc(p, &src->doc, p->nsrcs, err);
}

/* v's origin, made on first use (safe from concurrent renders). */
static const char *origin_of(const struct jd_params *cp, size_t i)
{
	struct jd_params *p = (struct jd_params *)cp;
	struct pval *v = &p->v[i];
	const struct psrc *src = v->src ? &p->srcs[v->src - 1] : NULL;
	const char *o;

	pthread_mutex_lock(&p->lock);
	if (!v->origin && src && src->text) {
		char origin[320];
		snprintf(origin, sizeof(origin), "%.200s:%u:%u", src->name, v->line, v->col);
		v->origin = jd_strndup(origin, strlen(origin));
	} else if (!v->origin && src) {
		v->origin = doc_origin(&src->doc, v->name);
	}
	/* out of memory: the file without the place */
	o = v->origin ? v->origin : src ? (src->text ? src->name : src->doc.name) : "";
	pthread_mutex_unlock(&p->lock);
	return o;
}

const json_t *jd_params_get(const struct jd_params *p, const char *name, const char **origin)
{
	long i = jd_params_index(p, name);

	if (i < 0)
		return NULL;
	if (origin)
		*origin = origin_of(p, (size_t)i);
	return p->v[i].value;
}

size_t jd_params_count(const struct jd_params *p)
{
	return p ? p->n : 0;
}

const char *jd_params_entry(const struct jd_params *p, size_t i, const json_t **value,
			    const char **origin)
{
	if (value)
		*value = p->v[i].value;
	if (origin)
		*origin = origin_of(p, i);
	return p->v[i].name;
}

void jd_params_set_budget(struct jd_params *p, size_t bytes, size_t url_bytes)
{
	p->budget = bytes;
	p->url_bytes = url_bytes ? url_bytes : JD_URL_BYTES;
}

int jd_params_set_region(struct jd_params *p, const char *region, struct jd_error *err)
{
	if (strlen(region) >= sizeof(p->region))
		return jd_error_set(err, JD_EUSAGE, "region '%.40s' is too long", region);
	jd_strlcpy(p->region, region, sizeof(p->region));
	return 0;
}

void jd_params_settings(const struct jd_params *p, size_t *budget, size_t *url_bytes,
			const char **region)
{
	*budget = p ? p->budget : 0;
	*url_bytes = p && p->url_bytes ? p->url_bytes : JD_URL_BYTES;
	*region = p && p->region[0] ? p->region : NULL;
}

static int parse_bytes(const char *s, size_t *out)
{
	size_t v = 0;
	const char *p = s;

	if (!*p)
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > ((size_t)1 << 40))
			return -1;
		v = v * 10 + (size_t)(*p - '0');
	}
	if (p == s)
		return -1;
	if ((*p == 'k' || *p == 'K') && !p[1]) {
		v *= 1024;
		p++;
	}
	if (*p)
		return -1;
	*out = v;
	return 0;
}

int jd_params_option(struct jd_params *p, const char *name, const char *arg,
		     const struct jd_load_opts *opts, struct jd_error *err)
{
	size_t v;

	if (!strcmp(name, "param"))
		return jd_params_add_arg(p, arg, err);
	if (!strcmp(name, "params-file"))
		return jd_params_add_file(p, arg, opts, err);
	if (!strcmp(name, "region"))
		return jd_params_set_region(p, arg, err);
	if (parse_bytes(arg, &v) < 0 || !v)
		return jd_error_set(err, JD_EUSAGE, "--%s '%.40s': expected a number of bytes",
				    name, arg);
	if (!strcmp(name, "device-budget"))
		p->budget = v;
	else if (!strcmp(name, "url-size"))
		p->url_bytes = v;
	else
		return jd_error_set(err, JD_EINTERNAL, "unknown option '%s'", name);
	return 0;
}

void jd_params_mark_used(const struct jd_params *cp, size_t i)
{
	struct jd_params *p = (struct jd_params *)cp;

	if (p->used)
		atomic_store_explicit(&p->used[i], 1, memory_order_relaxed);
}

int jd_params_prepare(struct jd_params *p, struct jd_error *err)
{
	size_t i;

	if (p->used || !p->n)
		return 0;
	p->used = malloc(p->n * sizeof(*p->used));
	if (!p->used)
		return jd_error_oom(err);
	for (i = 0; i < p->n; i++)
		atomic_init(&p->used[i], 0);
	return 0;
}

/* Unused values named one by one; past that, one warning counts the rest. */
#define UNUSED_NAMED 10

void jd_params_report_unused(const struct jd_params *p, jd_finding_fn on_finding, void *ctx)
{
	size_t i, n = 0;
	char msg[400];
	struct jd_finding f = {JD_SEV_WARNING, "template-unused-value", "", 0, 0, NULL, NULL, msg};

	if (!p || !p->used || !on_finding)
		return;
	for (i = 0; i < p->n; i++) {
		if (atomic_load_explicit(&p->used[i], memory_order_relaxed))
			continue;
		if (++n > UNUSED_NAMED)
			continue;
		snprintf(msg, sizeof(msg), "a value for '%.130s' is given (%.200s) but not used",
			 p->v[i].name, origin_of(p, i));
		if (on_finding(ctx, &f))
			return;
	}
	if (n > UNUSED_NAMED) {
		snprintf(msg, sizeof(msg), "and %zu more values are given but not used",
			 n - UNUSED_NAMED);
		on_finding(ctx, &f);
	}
}
