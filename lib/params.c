/* Substitution values: -p, -P and their precedence (template.h). */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "placeholder.h"
#include "template.h"

struct pval {
	char *name;
	json_t *value;
	char *origin;
};

/*
 * Only the effective value of each name is kept: a -p value replaces any
 * other; a file's value replaces an earlier file's but not a -p value.
 */
struct jd_params {
	struct pval *v;
	unsigned char *from_arg; /* v[i] came from -p */
	size_t n, alloc;
	uint32_t *slot; /* open addressing on names: index + 1, 0 = empty */
	size_t nslot;
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
	return calloc(1, sizeof(struct jd_params));
}

void jd_params_free(struct jd_params *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->n; i++) {
		free(p->v[i].name);
		free(p->v[i].origin);
		json_decref(p->v[i].value);
	}
	free(p->v);
	free(p->from_arg);
	free(p->slot);
	free((void *)p->used);
	free(p);
}

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ULL;
	}
	return h;
}

long jd_params_index(const struct jd_params *p, const char *name)
{
	size_t i;

	if (!p || !p->nslot)
		return -1;
	for (i = hash(name) & (p->nslot - 1);; i = (i + 1) & (p->nslot - 1)) {
		uint32_t s = p->slot[i];
		if (!s)
			return -1;
		if (!strcmp(p->v[s - 1].name, name))
			return (long)(s - 1);
	}
}

/* Room for one more name in the table (kept at most half full). */
static int rehash(struct jd_params *p)
{
	size_t n = p->nslot ? p->nslot * 2 : 64, i;
	uint32_t *slot;

	if (p->nslot && (p->n + 1) * 2 <= p->nslot)
		return 0;
	if (p->n >= UINT32_MAX / 2)
		return -1;
	slot = calloc(n, sizeof(*slot));
	if (!slot)
		return -1;
	for (i = 0; i < p->n; i++) {
		size_t j = hash(p->v[i].name) & (n - 1);
		while (slot[j])
			j = (j + 1) & (n - 1);
		slot[j] = (uint32_t)(i + 1);
	}
	free(p->slot);
	p->slot = slot;
	p->nslot = n;
	return 0;
}

/* Sets name to value (taken) from origin; a file value does not replace a -p one. */
static int put(struct jd_params *p, const char *name, size_t nlen, json_t *value,
	       const char *origin, int from_arg, struct jd_error *err)
{
	char *nm = jd_strndup(name, nlen), *org = jd_strndup(origin, strlen(origin));
	long i;

	if (!nm || !org) {
		free(nm);
		free(org);
		json_decref(value);
		return jd_error_oom(err);
	}
	i = jd_params_index(p, nm);
	if (i >= 0) {
		free(nm);
		if (p->from_arg[i] && !from_arg) {
			free(org);
			json_decref(value);
			return 0;
		}
		free(p->v[i].origin);
		json_decref(p->v[i].value);
		p->v[i].origin = org;
		p->v[i].value = value;
		p->from_arg[i] = (unsigned char)from_arg;
		return 0;
	}
	if (rehash(p) < 0) {
		free(nm);
		free(org);
		json_decref(value);
		return jd_error_oom(err);
	}
	if (p->n == p->alloc) {
		size_t na = p->alloc ? p->alloc * 2 : 8;
		struct pval *nv = realloc(p->v, na * sizeof(*nv));
		unsigned char *nf;
		if (nv)
			p->v = nv;
		nf = nv ? realloc(p->from_arg, na) : NULL;
		if (!nf) {
			free(nm);
			free(org);
			json_decref(value);
			return jd_error_oom(err);
		}
		p->from_arg = nf;
		p->alloc = na;
	}
	p->v[p->n].name = nm;
	p->v[p->n].value = value;
	p->v[p->n].origin = org;
	p->from_arg[p->n] = (unsigned char)from_arg;
	{
		size_t j = hash(nm) & (p->nslot - 1);
		while (p->slot[j])
			j = (j + 1) & (p->nslot - 1);
		p->slot[j] = (uint32_t)(p->n + 1);
	}
	p->n++;
	free((void *)p->used); /* sized for n: made again on first use */
	p->used = NULL;
	return 0;
}

int jd_params_add_arg(struct jd_params *p, const char *arg, struct jd_error *err)
{
	const char *eq = strchr(arg, '=');
	size_t nlen;
	int typed;
	json_t *v;
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
		v = json_loads(eq + 1, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
		if (!v)
			return jd_error_set(err, JD_EUSAGE, "-p %.*s:=: the value is not JSON: %s",
					    (int)(nlen > 100 ? 100 : nlen), arg, je.text);
	} else {
		v = json_string(eq + 1);
		if (!v)
			return jd_error_set(err, JD_EUSAGE, "-p %.*s: the value is not UTF-8",
					    (int)(nlen > 100 ? 100 : nlen), arg);
	}
	snprintf(origin, sizeof(origin), "-p %.*s", (int)(nlen > 128 ? 128 : nlen), arg);
	return put(p, arg, nlen, v, origin, 1, err);
}

int jd_params_add_doc(struct jd_params *p, const struct jd_doc *doc, struct jd_error *err)
{
	struct jd_buf ptr = JD_BUF_INIT(4096);
	const char *key;
	json_t *v;
	int ret = -1;

	if (!json_is_object(doc->root)) {
		jd_error_at(err, JD_EINVALID, doc->name, 1, 1, NULL,
			    "a parameters file is an object of NAME: value");
		jd_doc_place(doc, "", 0, err);
		return -1;
	}
	json_object_foreach(doc->root, key, v)
	{
		struct jd_pos pos;
		char origin[320];

		jd_buf_reset(&ptr);
		if (jd_pointer_push(&ptr, key, strlen(key), err) < 0)
			goto out;
		if (!jd_ph_valid_name(key, strlen(key))) {
			jd_error_at(
				err, JD_EINVALID, doc->name, 0, 0, ptr.data,
				"'%.100s' is not a parameter name (1 to 128 of A-Z a-z 0-9 _ -)",
				key);
			jd_doc_place(doc, ptr.data, 1, err);
			goto out;
		}
		jd_srcmap_find(doc->map, ptr.data, &pos);
		snprintf(origin, sizeof(origin), "%.200s:%u:%u", doc->name, pos.line, pos.col);
		if (put(p, key, strlen(key), json_incref(v), origin, 0, err) < 0)
			goto out;
	}
	ret = 0;
out:
	jd_buf_release(&ptr);
	return ret;
}

int jd_params_add_file(struct jd_params *p, const char *path, const struct jd_load_opts *opts,
		       struct jd_error *err)
{
	struct jd_doc doc;
	int r;

	memset(&doc, 0, sizeof(doc));
	if (jd_load_one(path, opts, &doc, err) < 0)
		return -1;
	r = jd_params_add_doc(p, &doc, err);
	jd_doc_release(&doc);
	return r;
}

const json_t *jd_params_get(const struct jd_params *p, const char *name, const char **origin)
{
	long i = jd_params_index(p, name);

	if (i < 0)
		return NULL;
	if (origin)
		*origin = p->v[i].origin;
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
		*origin = p->v[i].origin;
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
			 p->v[i].name, p->v[i].origin);
		if (on_finding(ctx, &f))
			return;
	}
	if (n > UNUSED_NAMED) {
		snprintf(msg, sizeof(msg), "and %zu more values are given but not used",
			 n - UNUSED_NAMED);
		on_finding(ctx, &f);
	}
}
