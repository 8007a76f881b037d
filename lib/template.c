/*
 * The templater: rendering specs and documents (template.h).
 *
 * This file holds the resolution of parameters, the scanning of one string,
 * the walk over a tree, the document's sizes, the render object and the
 * API. The rest is split along its seams, over the render's state in
 * template-int.h: source places and messages (template-place.c),
 * declarations and values (template-decl.c), text documents
 * (template-text.c) and managed templates (template-managed.c).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "json.h"
#include "placeholder.h"
#include "template-int.h"
#include "template.h"

static void ptrs_init(struct jd_render *r)
{
	jd_buf_init(&r->ptr, (size_t)1 << 16);
	jd_buf_init(&r->scratch, (size_t)1 << 26);
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
	struct rparam *p = jd_tpl_param_find(r, name, len);
	const json_t *v = NULL;
	const char *from = NULL;
	char why[300];
	long i;

	if (!p && r->decls) {
		const char *close;
		char nm[130];
		memcpy(nm, name, len);
		nm[len] = '\0';
		jd_tpl_closest_decl(r, nm, &close);
		if (close)
			jd_tpl_fail_at(
				r, c, off,
				"parameter '%s' is not declared under parameters:; did you mean "
				"'%s'?",
				nm, close);
		else
			jd_tpl_fail_at(r, c, off,
				       "parameter '%s' is not declared under parameters:", nm);
		return NULL;
	}
	if (!p) {
		p = jd_tpl_param_add(r, name, len, 0);
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
		jd_tpl_fail_at(
			r, c, off,
			"no value for parameter '%s': give -p %s=VALUE or -P FILE, or declare a "
			"default",
			p->name, p->name);
		return NULL;
	}
	p->from = from;
	if (jd_tpl_check_value(r, p, v, &p->value, why, sizeof(why)) < 0) {
		jd_tpl_fail_at(r, c, off, "%s (from %s)", why, from_of(r, p));
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
		return jd_tpl_fail_at(
			vs->r, vs->c, vs->off,
			"the value of '%s' (from %s) holds a parameter placeholder: values "
			"are not substituted again",
			vs->p->name, from_of(vs->r, vs->p));
	if (ph->kind == JD_PH_OTHER)
		return 0;
	k = jd_ph_check(s, ph, vs->r->region[0] ? vs->r->region : NULL,
			ph->start == 0 && ph->end == json_string_length(vs->p->value), &pr);
	if (k < 0)
		return jd_tpl_fail_at(vs->r, vs->c, vs->off, "in the value of '%s' (from %s): %s",
				      vs->p->name, from_of(vs->r, vs->p), pr.msg);
	if (k > 0)
		jd_tpl_warn_at(vs->r, vs->c, vs->off, "aws-placeholder", "in the value of '%s': %s",
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
		return jd_tpl_fail_at(r, c, off, "in the value of '%s' (from %s): %s", p->name,
				      from_of(r, p), pr.msg);
	return k ? -1 : 0;
}

/* ---- scanning one string ---- */

int jd_tpl_collect(void *ctx, const char *s, const struct jd_ph *ph)
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
	ptr = c->ptr ? c->ptr : (c->w->raw ? NULL : jd_tpl_cur_ptr(r));

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
		return jd_tpl_fail_at(
			r, c, ph->start,
			"'%s' takes its package from destinationPackageVersions, which must "
			"then hold exactly one package version (it holds %zu)",
			q, n);
	if (!plen)
		return 0;
	if (!n)
		return jd_tpl_fail_at(r, c, ph->start,
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
		return jd_tpl_fail_at(
			r, c, ph->start,
			"'%s' names version '%.*s' of package '%.*s'; destinationPackageVersions "
			"has it at version '%s'",
			q, (int)vlen, ver, (int)plen, pkg, other);
	return jd_tpl_fail_at(
		r, c, ph->start,
		"'%s' names package '%.*s', which is not in destinationPackageVersions", q,
		(int)plen, pkg);
}

/*
 * Scans c->s into r->phs and checks every placeholder. whole_ok(i) says
 * whether placeholder i stands for a whole value (package attributes).
 * Returns the number of parameter placeholders, or -1.
 */
int jd_tpl_scan_checked(struct jd_render *r, const struct cur *c, const unsigned char *whole)
{
	struct jd_ph_problem pr;
	size_t i;
	int n = 0, k;

	r->nph = 0;
	k = jd_ph_scan(c->s, c->slen, jd_tpl_collect, r, &pr);
	if (k == 2)
		return jd_error_oom(r->err);
	if (k)
		return jd_tpl_fail_at(r, c, pr.off, "%s", pr.msg);
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
			jd_tpl_warn_at(
				r, c, ph->start, "template-unknown-placeholder",
				"'%s' is not a placeholder AWS resolves: devices receive it as "
				"written",
				q);
			continue;
		}
		if (!c->w->in_doc && !c->key) {
			if (c->ptr == NULL && r->depth && r->path[0].key &&
			    !strcmp(r->path[0].key, "documentSource"))
				return jd_tpl_fail_at(
					r, c, ph->start,
					"documentSource is a plain S3 URL: placeholders belong "
					"inside the job document");
			jd_tpl_warn_at(r, c, ph->start, "aws-placeholder",
				       "AWS resolves '%s' only inside the job document", q);
			continue;
		}
		k = jd_ph_check(c->s, ph, r->region[0] ? r->region : NULL, w, &pr);
		if (k < 0)
			return jd_tpl_fail_at(r, c, pr.off, "%s", pr.msg);
		if (k > 0)
			jd_tpl_warn_at(r, c, pr.off, "aws-placeholder", "%s", pr.msg);
		if (ph->kind == JD_PH_PACKAGE && !ph->nparam && r->spec_doc &&
		    check_package_version(r, c, ph, q) < 0)
			return -1;
		if (record_use(r, c, (size_t)-1, ph) < 0)
			return -1;
	}
	return n;
}

/* Resolves the parameter placeholder ph of c->s. */
struct rparam *jd_tpl_resolve_ph(struct jd_render *r, const struct cur *c, const struct jd_ph *ph)
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
int jd_tpl_expand_nested(struct jd_render *r, const struct cur *c, int json_str, char **out,
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
			} else if (jd_tpl_value_text(p->value, &b, r->err) < 0) {
				if (!r->err->code)
					jd_tpl_fail_at(
						r, c, i,
						"the value of '%s' is %s: it cannot be spliced "
						"into "
						"a URL",
						p->name, jd_tpl_kind_of(p->value));
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

int jd_tpl_has_nested(const struct jd_render *r)
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
	n = jd_tpl_scan_checked(r, &c, NULL);
	if (n < 0)
		return NULL;
	if (jd_tpl_has_nested(r)) {
		char *x = NULL;
		size_t xl = 0;
		json_t *ns, *res;
		int ch;
		if (jd_tpl_expand_nested(r, &c, 0, &x, &xl) < 0)
			return NULL;
		if (x) {
			/* again, with the parameters in place: the AWS placeholder is checked */
			/* valid UTF-8: the string cut at placeholders, and values' text */
			ns = json_stringn_nocheck(x, xl);
			free(x);
			if (!ns) {
				jd_tpl_fail_at(r, &c, 0,
					       "after substitution the text is not valid UTF-8");
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
			if (r->phs[i].kind == JD_PH_PARAMETER &&
			    !jd_tpl_resolve_ph(r, &c, &r->phs[i]))
				return NULL;
		return v ? json_incref(v) : json_string(ks);
	}
	*changed = 1;
	if (n == 1 && r->nph == 1 && r->phs[0].start == 0 && r->phs[0].end == c.slen && !key) {
		struct rparam *p = jd_tpl_resolve_ph(r, &c, &r->phs[0]);
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
		p = jd_tpl_resolve_ph(r, &c, ph);
		if (!p)
			return NULL;
		if (jd_buf_add(b, c.s + last, ph->start - last, r->err) < 0)
			return NULL;
		if (jd_tpl_value_text(p->value, b, r->err) < 0) {
			if (!r->err->code)
				jd_tpl_fail_at(
					r, &c, ph->start,
					"the value of '%s' is %s: it can only stand alone as a "
					"whole "
					"value, not inside text",
					p->name, jd_tpl_kind_of(p->value));
			return NULL;
		}
		last = ph->end;
	}
	if (jd_buf_add(b, c.s + last, c.slen - last, r->err) < 0)
		return NULL;
	/* valid UTF-8: the string cut at placeholders (ASCII), and values' text */
	out = json_stringn_nocheck(b->data ? b->data : "", b->len);
	if (!out)
		jd_tpl_fail_at(r, &c, 0, "after substitution the text is not valid UTF-8");
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
					jd_tpl_fail_at(
						r, &c, 0,
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
		return jd_tpl_fail_at(
			r, c, 0,
			"the document is %zu characters after substitution; AWS takes at "
			"most 32768",
			r->chars);
	if (r->budget && r->device_bytes > r->budget)
		return jd_tpl_fail_at(
			r, c, 0,
			"the document is about %zu bytes on the device (%zu presigned "
			"URL%s at ~%zu bytes), over the device budget of %zu bytes",
			r->device_bytes, b.n, b.n == 1 ? "" : "s", r->url_bytes, r->budget);
	return 0;
}

/* ---- the render object ---- */

struct jd_render *jd_tpl_render_new(const struct jd_params *params, int keep,
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
		jd_tpl_warn_at(r, &c, 0, "template-unused-declaration",
			       "parameter '%s' is declared but not used", r->p[i].name);
		r->depth = 0;
		r->prefix = NULL;
	}
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
	r = jd_tpl_render_new(opts->params, opts->no_render, opts->on_finding, opts->finding_ctx,
			      err);
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
	if (s->parameters && jd_tpl_load_decls(r, s->parameters) < 0)
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
		if (memchr(c.s, '$', c.slen) && jd_tpl_render_doc_text(r, &c, &tree) < 0)
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
	if (jd_tpl_check_managed(r, r->root ? r->root : root) < 0)
		return -1;
	warn_unused(r);
	*rootp = r->root ? r->root : root;
	return 0;
}

int jd_render_doc(const struct jd_doc *doc, const struct jd_params *params, int flags,
		  jd_finding_fn on_finding, void *ctx, struct jd_render **out, struct jd_error *err)
{
	struct jd_render *r =
		jd_tpl_render_new(params, flags & JD_RENDER_KEEP, on_finding, ctx, err);
	int ch;

	*out = NULL;
	if (!r)
		return -1;
	r->wdoc.doc = doc;
	r->wdoc.in_doc = 1;
	r->has_doc = 1;
	if (!json_is_object(doc->root)) {
		jd_error_at(err, JD_EINVALID, doc->name, 1, 1, NULL,
			    "a job document is a JSON object, not %s", jd_tpl_kind_of(doc->root));
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
	struct jd_render *r =
		jd_tpl_render_new(params, flags & JD_RENDER_KEEP, on_finding, ctx, err);
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
		if (jd_tpl_render_doc_text(r, &c, &tree) < 0)
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
		x = jd_tpl_managed_preview(r);
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
			jd_tpl_place_at(r, u->w, u->ptr, u->key, u->s, u->slen, u->off, &e);
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
		jd_tpl_place_at(r, u->w, u->ptr, u->key, u->s, u->slen, u->off, &e);
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
