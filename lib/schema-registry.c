/*
 * JSON Schema: the registry of schema documents a compile may refer to --
 * documents given by the caller (by URI, by file, by folder), URI prefixes
 * answered from folders, and the schemas built into the library, each
 * parsed when first asked for -- and the compiled meta-schemas it caches.
 * Nothing is fetched from the network.
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "embedded.h"
#include "file.h"
#include "internal.h"
#include "jsonparse.h"
#include "schema-int.h"

#define MAX_DOCS 4096

struct regdoc {
	char *uri;
	json_t *doc;
	const char *builtin; /* the embedded file's name, or NULL */
	struct regdoc *next;
};

struct regmap {
	char *prefix, *dir;
	struct regmap *next;
};

struct metacache {
	char *uri;
	struct jd_schema *s;
	struct metacache *next;
};

struct jd_schema_registry {
	struct regdoc *docs;
	struct regmap *maps;
	struct metacache *metas;
	size_t ndocs;
	int scanned; /* every embedded schema was loaded */
};

static int reg_put(struct jd_schema_registry *r, const char *uri, json_t *doc, struct jd_error *err)
{
	struct regdoc *d;
	size_t n = jd_uri_nofrag_len(uri);

	/* a newer document for the same URI goes first; the older one stays
	 * alive for the schemas already compiled from it */
	if (r->ndocs >= MAX_DOCS)
		return jd_error_set(err, JD_EINPUT, "too many schema documents (more than %d)",
				    MAX_DOCS);
	d = calloc(1, sizeof(*d));
	if (!d || !(d->uri = jd_strndup(uri, n))) {
		free(d);
		return jd_error_oom(err);
	}
	d->doc = json_incref(doc);
	d->next = r->docs;
	r->docs = d;
	r->ndocs++;
	return 0;
}

struct jd_schema_registry *jd_schema_registry_new(struct jd_error *err)
{
	struct jd_schema_registry *r = calloc(1, sizeof(*r));

	/* built-in schemas are parsed when first asked for */
	if (!r)
		jd_error_oom(err);
	return r;
}

/* Loads embedded file e, registered by its $id (or want when given); NULL if unusable. */
static json_t *load_builtin(struct jd_schema_registry *r, const struct jd_embedded *e,
			    const char *want, struct jd_error *err, int *failed)
{
	struct regdoc *d;
	json_t *doc, *id;
	const char *uri;
	int rc;

	for (d = r->docs; d; d = d->next)
		if (d->builtin == e->name)
			return NULL; /* loaded before, under its $id */
	doc = jd_json_parse((const char *)e->data, e->len, 0, NULL);
	if (!doc)
		return NULL; /* a broken built-in is caught by its own tests */
	id = json_is_object(doc) ? json_object_get(doc, "$id") : NULL;
	uri = json_is_string(id) ? json_string_value(id) : want;
	if (!uri) {
		json_decref(doc);
		return NULL;
	}
	rc = reg_put(r, uri, doc, err);
	json_decref(doc);
	if (rc < 0) {
		*failed = 1;
		return NULL;
	}
	r->docs->builtin = e->name;
	return r->docs->doc;
}

/* The embedded file of a well-known meta-schema URI, or NULL. */
static const char *meta_file(const char *uri, char *buf, size_t size)
{
	static const char pre[] = "https://json-schema.org/draft/2020-12/";

	if (!strcmp(uri, "https://json-schema.org/draft/2020-12/schema"))
		return "meta/draft2020-12/schema.json";
	if (!strcmp(uri, "http://json-schema.org/draft-07/schema"))
		return "meta/draft-07/schema.json";
	if (!strncmp(uri, pre, sizeof(pre) - 1) && !strncmp(uri + sizeof(pre) - 1, "meta/", 5) &&
	    !strchr(uri + sizeof(pre) + 4, '/')) {
		snprintf(buf, size, "meta/draft2020-12/%s.json", uri + sizeof(pre) - 1);
		return buf;
	}
	return NULL;
}

void jd_schema_registry_free(struct jd_schema_registry *r)
{
	if (!r)
		return;
	while (r->docs) {
		struct regdoc *n = r->docs->next;
		json_decref(r->docs->doc);
		free(r->docs->uri);
		free(r->docs);
		r->docs = n;
	}
	while (r->maps) {
		struct regmap *n = r->maps->next;
		free(r->maps->prefix);
		free(r->maps->dir);
		free(r->maps);
		r->maps = n;
	}
	while (r->metas) {
		struct metacache *n = r->metas->next;
		jd_schema_free(r->metas->s);
		free(r->metas->uri);
		free(r->metas);
		r->metas = n;
	}
	free(r);
}

int jd_schema_registry_add(struct jd_schema_registry *r, const char *uri, json_t *doc,
			   struct jd_error *err)
{
	if (!uri) {
		json_t *id = json_is_object(doc) ? json_object_get(doc, "$id") : NULL;
		if (!json_is_string(id))
			return jd_error_set(err, JD_EINPUT, "schema has no $id to register it by");
		uri = json_string_value(id);
	}
	return reg_put(r, uri, doc, err);
}

static json_t *load_json_file(const char *path, struct jd_error *err)
{
	struct jd_buf b = JD_BUF_INIT(JD_INPUT_MAX);
	json_error_t je;
	json_t *doc = NULL;

	if (jd_read_file(path, JD_INPUT_MAX, &b, err) < 0)
		goto out;
	doc = jd_json_parse(b.data ? b.data : "", b.len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL,
			    &je);
	if (!doc)
		jd_error_at(err, JD_EINPUT, path, (unsigned)je.line, (unsigned)je.column, NULL,
			    "%s", je.text);
out:
	jd_buf_release(&b);
	return doc;
}

int jd_schema_file_uri(const char *path, char *out, size_t size, struct jd_error *err)
{
	char *abs = realpath(path, NULL);
	int n;

	if (!abs)
		return jd_error_at(err, JD_EINPUT, path, 0, 0, NULL, "cannot resolve the path");
	/* NEEDSWORK: characters a URI path cannot hold (space, '#', '%') are not encoded */
	n = snprintf(out, size, "file://%s", abs);
	free(abs);
	if (n < 0 || (size_t)n >= size)
		return jd_error_at(err, JD_EINPUT, path, 0, 0, NULL, "path too long");
	return 0;
}

/* A schema file, under its file:// URI and under its $id when it has one. */
static int add_file(struct jd_schema_registry *r, const char *path, struct jd_error *err)
{
	json_t *doc = load_json_file(path, err), *id;
	char uri[PATH_MAX + 16];
	int rc = 0;

	if (!doc)
		return -1;
	id = json_is_object(doc) ? json_object_get(doc, "$id") : NULL;
	if (json_is_string(id))
		rc = reg_put(r, json_string_value(id), doc, err);
	if (rc == 0 && jd_schema_file_uri(path, uri, sizeof(uri), err) == 0)
		rc = reg_put(r, uri, doc, err);
	else if (!json_is_string(id))
		rc = -1;
	json_decref(doc);
	return rc;
}

static int add_dir(struct jd_schema_registry *r, const char *dir, int depth, struct jd_error *err)
{
	DIR *d;
	struct dirent *de;
	int rc = 0;

	if (depth > 16)
		return jd_error_at(err, JD_EINPUT, dir, 0, 0, NULL, "folders nested too deeply");
	d = opendir(dir);
	if (!d)
		return jd_error_at(err, JD_EINPUT, dir, 0, 0, NULL, "cannot open folder");
	while (rc == 0 && (de = readdir(d)) != NULL) {
		char *p;
		struct stat st;
		size_t nl = strlen(de->d_name);

		if (de->d_name[0] == '.')
			continue;
		p = jd_path_join(dir, de->d_name);
		if (!p) {
			rc = jd_error_oom(err);
			break;
		}
		if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
			rc = add_dir(r, p, depth + 1, err);
		else if (nl > 5 && !strcmp(de->d_name + nl - 5, ".json"))
			rc = add_file(r, p, err);
		free(p);
	}
	closedir(d);
	return rc;
}

int jd_schema_registry_add_path(struct jd_schema_registry *r, const char *path,
				struct jd_error *err)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return jd_error_at(err, JD_EINPUT, path, 0, 0, NULL, "cannot read: no such file");
	if (S_ISDIR(st.st_mode))
		return add_dir(r, path, 0, err);
	return add_file(r, path, err);
}

int jd_schema_registry_map(struct jd_schema_registry *r, const char *prefix, const char *dir,
			   struct jd_error *err)
{
	struct regmap *m = calloc(1, sizeof(*m));

	if (!m || !(m->prefix = jd_strndup(prefix, strlen(prefix))) ||
	    !(m->dir = jd_strndup(dir, strlen(dir)))) {
		if (m)
			free(m->prefix);
		free(m);
		return jd_error_oom(err);
	}
	m->next = r->maps;
	r->maps = m;
	return 0;
}

/* The document for uri (no fragment), loading it through a map if needed; NULL if none. */
json_t *jd_schema_registry_lookup(struct jd_schema_registry *r, const char *uri,
				  struct jd_error *err, int *failed)
{
	struct regdoc *d;
	struct regmap *m;

	const char *name;
	char buf[256];
	json_t *doc;

	*failed = 0;
	/* the caller's documents first, then built-ins, then maps */
	for (d = r->docs; d; d = d->next)
		if (!d->builtin && !strcmp(d->uri, uri))
			return d->doc;
	for (d = r->docs; d; d = d->next)
		if (d->builtin && !strcmp(d->uri, uri))
			return d->doc;
	if ((name = meta_file(uri, buf, sizeof(buf))) != NULL) {
		const struct jd_embedded *e = jd_embedded_find(name);
		if (e && (doc = load_builtin(r, e, NULL, err, failed)) != NULL)
			return doc;
		if (*failed)
			return NULL;
	}
	for (m = r->maps; m; m = m->next) {
		size_t pl = strlen(m->prefix);
		const char *rest;
		char *path;
		json_t *fdoc;
		int rc;

		if (strncmp(uri, m->prefix, pl))
			continue;
		rest = uri + pl;
		if (strstr(rest, "..") || strchr(rest, '?') || rest[0] == '/')
			continue;
		path = jd_path_join(m->dir, rest);
		if (!path) {
			*failed = 1;
			jd_error_oom(err);
			return NULL;
		}
		fdoc = load_json_file(path, err);
		free(path);
		if (!fdoc) {
			if (err && err->code == JD_EINPUT && strstr(err->msg, "parse"))
				*failed = 1;
			continue;
		}
		rc = reg_put(r, uri, fdoc, err);
		json_decref(fdoc);
		if (rc < 0) {
			*failed = 1;
			return NULL;
		}
		return jd_schema_registry_lookup(r, uri, err, failed);
	}
	if (!r->scanned) {
		const struct jd_embedded *e;
		r->scanned = 1;
		for (e = jd_embedded; e->name; e++) {
			size_t nl = strlen(e->name);
			if (nl < 5 || strcmp(e->name + nl - 5, ".json"))
				continue;
			load_builtin(r, e, NULL, err, failed);
			if (*failed)
				return NULL;
		}
		return jd_schema_registry_lookup(r, uri, err, failed);
	}
	return NULL;
}

const struct jd_schema *jd_schema_registry_meta(struct jd_schema_registry *reg, const char *uri,
						struct jd_error *err)
{
	struct metacache *m;
	size_t n = jd_uri_nofrag_len(uri);

	for (m = reg->metas; m; m = m->next)
		if (strlen(m->uri) == n && !strncmp(m->uri, uri, n))
			return m->s;
	{
		struct jd_schema_options o;
		json_t *doc;
		int failed;
		char *u = jd_strndup(uri, n);

		if (!u) {
			jd_error_oom(err);
			return NULL;
		}
		doc = jd_schema_registry_lookup(reg, u, err, &failed);
		if (!doc) {
			free(u);
			if (!failed)
				jd_error_set(err, JD_EINVALID,
					     "unknown $schema '%s' (not built in, not given)", uri);
			return NULL;
		}
		memset(&o, 0, sizeof(o));
		o.no_metaschema = 1;
		o.no_jit = 1; /* a meta-schema validates one schema per compile */
		o.base_uri = u;
		m = calloc(1, sizeof(*m));
		if (!m) {
			free(u);
			jd_error_oom(err);
			return NULL;
		}
		m->uri = u;
		m->s = jd_schema_compile(reg, doc, &o, err);
		if (!m->s) {
			free(m->uri);
			free(m);
			return NULL;
		}
		m->next = reg->metas;
		reg->metas = m;
		return m->s;
	}
}
