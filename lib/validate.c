#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "embedded.h"
#include "file.h"
#include "internal.h"
#include "jsonparse.h"
#include "rules.h"
#include "spec.h"
#include "validate.h"

#define MAX_CACHED 64

struct cached {
	char *name; /* name as asked (built-in, URI, or path made absolute) */
	struct jd_schema *schema;
	json_t *doc; /* the schema document, for file schemas */
};

#define MAX_ADDED 256

struct jd_validator {
	struct jd_validate_opts opts;
	pthread_mutex_t lock; /* the cache and the registry (compiling) */
	struct jd_schema_registry *reg;
	const char *added[MAX_ADDED]; /* embedded files given to the registry */
	size_t nadded;
	struct cached cache[MAX_CACHED];
	size_t ncache;
};

/* The base of the built-in schemas' $id (the files of schemas/). */
#define BUILTIN_BASE "https://jobdoc.invalid/schemas/"

struct jd_validator *jd_validator_new(const struct jd_validate_opts *opts, struct jd_error *err)
{
	struct jd_validator *v = calloc(1, sizeof(*v));

	if (!v) {
		jd_error_oom(err);
		return NULL;
	}
	if (opts)
		v->opts = *opts;
	v->reg = jd_schema_registry_new(err);
	if (!v->reg) {
		free(v);
		return NULL;
	}
	if (pthread_mutex_init(&v->lock, NULL)) {
		jd_schema_registry_free(v->reg);
		free(v);
		jd_error_oom(err);
		return NULL;
	}
	return v;
}

void jd_validator_free(struct jd_validator *v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < v->ncache; i++) {
		jd_schema_free(v->cache[i].schema);
		json_decref(v->cache[i].doc);
		free(v->cache[i].name);
	}
	jd_schema_registry_free(v->reg);
	pthread_mutex_destroy(&v->lock);
	free(v);
}

int jd_validator_resolve(struct jd_validator *v, const char *path, struct jd_error *err)
{
	return jd_schema_registry_add_path(v->reg, path, err);
}

int jd_validator_map(struct jd_validator *v, const char *prefix, const char *dir,
		     struct jd_error *err)
{
	return jd_schema_registry_map(v->reg, prefix, dir, err);
}

static const char *builtin_names[128];
static char builtin_bufs[128][96];
static size_t builtin_count;
static pthread_once_t builtin_once = PTHREAD_ONCE_INIT;

static void list_builtins(void)
{
	const struct jd_embedded *e;

	for (e = jd_embedded; e->name && builtin_count < JD_ARRAY_SIZE(builtin_names); e++) {
		size_t len = strlen(e->name);
		if (!strncmp(e->name, "meta/", 5) || len < 6 ||
		    len - 5 >= sizeof(builtin_bufs[0]) || strcmp(e->name + len - 5, ".json"))
			continue;
		memcpy(builtin_bufs[builtin_count], e->name, len - 5);
		builtin_bufs[builtin_count][len - 5] = '\0';
		builtin_names[builtin_count] = builtin_bufs[builtin_count];
		builtin_count++;
	}
}

const char *const *jd_validate_builtin_names(size_t *n)
{
	pthread_once(&builtin_once, list_builtins);
	*n = builtin_count;
	return builtin_names;
}

static const struct jd_embedded *builtin(const char *name)
{
	char file[128];

	if (strlen(name) + 6 > sizeof(file) || !strncmp(name, "meta/", 5))
		return NULL;
	snprintf(file, sizeof(file), "%s.json", name);
	return jd_embedded_find(file);
}

/*
 * Gives the registry the built-in schema file (path below schemas/) and,
 * through their relative $refs, the built-in files it refers to, so that it
 * does not need to read all of them to find one $id.
 */
static int add_refs(struct jd_validator *v, const json_t *x, const char *dir, struct jd_error *err);

static int add_builtin(struct jd_validator *v, const char *file, struct jd_error *err)
{
	const struct jd_embedded *e = jd_embedded_find(file);
	char dir[128];
	json_t *doc;
	size_t i;
	int r;

	if (!e)
		return 0; /* not built in: the registry's own lookup decides */
	for (i = 0; i < v->nadded; i++)
		if (v->added[i] == e->name)
			return 0;
	if (v->nadded == MAX_ADDED)
		return 0;
	v->added[v->nadded++] = e->name;
	doc = jd_json_parse((const char *)e->data, e->len, 0, NULL);
	if (!doc || !json_is_string(json_object_get(doc, "$id"))) {
		json_decref(doc);
		return 0;
	}
	r = jd_schema_registry_add(v->reg, NULL, doc, err);
	jd_path_dirname(file, dir, sizeof(dir));
	if (r == 0)
		r = add_refs(v, doc, dir, err);
	json_decref(doc);
	return r;
}

/* ref: a built-in URI, or relative to the built-in folder dir ("-": not built in). */
static int add_uri(struct jd_validator *v, const char *ref, const char *dir, struct jd_error *err)
{
	char file[256];
	size_t n = strcspn(ref, "#");
	size_t base = strlen(BUILTIN_BASE);

	if (!strncmp(ref, BUILTIN_BASE, base)) {
		if (n - base + 1 > sizeof(file))
			return 0;
		memcpy(file, ref + base, n - base);
		file[n - base] = '\0';
	} else if (strcmp(dir, "-") && n && !strchr(ref, ':') && ref[0] != '/' &&
		   !strstr(ref, "..")) {
		if ((size_t)snprintf(file, sizeof(file), "%s%s%.*s", strcmp(dir, ".") ? dir : "",
				     strcmp(dir, ".") ? "/" : "", (int)n, ref) >= sizeof(file))
			return 0;
	} else {
		return 0;
	}
	return add_builtin(v, file, err);
}

static int add_refs(struct jd_validator *v, const json_t *x, const char *dir, struct jd_error *err)
{
	const char *key;
	json_t *m;
	size_t i;

	if (json_is_array(x)) {
		for (i = 0; i < json_array_size(x); i++)
			if (add_refs(v, json_array_get(x, i), dir, err) < 0)
				return -1;
		return 0;
	}
	if (!json_is_object(x))
		return 0;
	json_object_foreach((json_t *)x, key, m)
	{
		if (!strcmp(key, "$ref") && json_is_string(m)) {
			if (add_uri(v, json_string_value(m), dir, err) < 0)
				return -1;
		} else if (add_refs(v, m, dir, err) < 0) {
			return -1;
		}
	}
	return 0;
}

static int is_uri(const char *s)
{
	const char *c = strchr(s, ':');
	const char *slash = strchr(s, '/');

	/* a scheme (RFC 3986: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )) before any '/' */
	return c && c > s + 1 && (!slash || c < slash) &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyz"
			 "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789+-.") == (size_t)(c - s);
}

static struct jd_schema *compile(struct jd_validator *v, json_t *schema, const char *base,
				 int builtin_schema, struct jd_error *err)
{
	struct jd_schema_options o;

	memset(&o, 0, sizeof(o));
	/* the built-in schemas are checked against the meta-schema by the tests */
	o.no_metaschema = builtin_schema;
	o.draft = v->opts.draft;
	o.format_assert = v->opts.format_assert;
	o.base_uri = base;
	return jd_schema_compile(v->reg, schema, &o, err);
}

static const struct jd_schema *schema_locked(struct jd_validator *v, const char *name,
					     const char *relto, struct jd_error *err)
{
	struct jd_schema *s = NULL;
	json_t *doc = NULL, *ref = NULL;
	char *key = NULL, *uri = NULL;
	const struct jd_embedded *e;
	size_t i;

	if (!name[0]) {
		jd_error_set(err, JD_EUSAGE, "an empty schema name");
		return NULL;
	}
	e = builtin(name);
	if (!e && !is_uri(name) && !strchr(name, '#') && !strchr(name, '.') && !strchr(name, '/')) {
		/* not a path either: a misspelt built-in name */
		size_t n;
		const char *const *names = jd_validate_builtin_names(&n);
		const char *close = jd_closest(name, names, n);

		if (close)
			jd_error_set(err, JD_EUSAGE,
				     "no built-in schema '%.100s'; did you mean '%s'?", name,
				     close);
		else
			jd_error_set(err, JD_EUSAGE,
				     "no built-in schema '%.100s' (jobdoc-validate --list-schemas)",
				     name);
		return NULL;
	}
	if (e || is_uri(name) || strchr(name, '#')) {
		key = jd_strndup(name, strlen(name));
	} else {
		char dir[4096];
		jd_path_dirname(relto && strcmp(relto, "-") ? relto : ".", dir, sizeof(dir));
		key = relto ? jd_path_join(dir, name) : jd_strndup(name, strlen(name));
	}
	if (!key) {
		jd_error_oom(err);
		return NULL;
	}
	for (i = 0; i < v->ncache; i++) {
		if (!strcmp(v->cache[i].name, key)) {
			free(key);
			return v->cache[i].schema;
		}
	}
	if (v->ncache == MAX_CACHED) {
		jd_error_set(err, JD_EINPUT, "too many schemas (more than %d)", MAX_CACHED);
		goto fail;
	}
	if (e) {
		/* by $id, so that the registry's copy (and its $refs) is the one used */
		size_t n = strlen(BUILTIN_BASE) + strlen(name) + 8;
		uri = malloc(n);
		if (!uri || !(ref = json_object()))
			goto oom;
		snprintf(uri, n, "%s%s.json", BUILTIN_BASE, name);
		if (add_uri(v, uri, ".", err) < 0)
			goto fail;
		if (json_object_set_new(ref, "$ref", json_string(uri)) < 0)
			goto oom;
		s = compile(v, ref, NULL, 1, err);
	} else if (is_uri(key) || strchr(key, '#')) {
		if (add_uri(v, key, "-", err) < 0)
			goto fail;
		if (!(ref = json_object()) ||
		    json_object_set_new(ref, "$ref", json_string(key)) < 0)
			goto oom;
		s = compile(v, ref, NULL, !strncmp(key, BUILTIN_BASE, strlen(BUILTIN_BASE)), err);
	} else {
		struct jd_doc d;
		char u[4096];

		memset(&d, 0, sizeof(d));
		if (jd_load_one(key, NULL, &d, err) < 0)
			goto fail;
		doc = json_incref(d.root);
		jd_doc_release(&d);
		/* the same file:// URI --resolve gives it, so relative $refs meet */
		if (jd_schema_file_uri(key, u, sizeof(u), err) < 0)
			goto fail;
		uri = jd_strndup(u, strlen(u));
		if (!uri)
			goto oom;
		if (add_refs(v, doc, "-", err) < 0)
			goto fail;
		s = compile(v, doc, uri, 0, err);
		if (!s && !err->input[0])
			jd_strlcpy(err->input, key, sizeof(err->input));
	}
	if (!s)
		goto fail;
	v->cache[v->ncache].name = key;
	v->cache[v->ncache].schema = s;
	v->cache[v->ncache].doc = doc;
	v->ncache++;
	json_decref(ref);
	free(uri);
	return s;
oom:
	jd_error_oom(err);
fail:
	json_decref(ref);
	json_decref(doc);
	free(uri);
	free(key);
	return NULL;
}

const struct jd_schema *jd_validator_schema(struct jd_validator *v, const char *name,
					    const char *relto, struct jd_error *err)
{
	const struct jd_schema *s;

	pthread_mutex_lock(&v->lock);
	s = schema_locked(v, name, relto, err);
	pthread_mutex_unlock(&v->lock);
	return s;
}

/* ---- recognising files ---- */

enum jd_kind jd_validate_kind(const json_t *root, int json)
{
	const json_t *ex, *d;

	if (!json_is_object(root))
		return JD_KIND_UNKNOWN;
	if (json_object_get(root, "afr_ota"))
		return JD_KIND_AFR_OTA;
	ex = json_object_get(root, "execution");
	if (json_is_object(ex) && json_object_get(json_object_get(ex, "jobDocument"), "afr_ota"))
		return JD_KIND_AFR_OTA_MESSAGE;
	if (json_object_get(root, "targets") || json_object_get(root, "jobId") ||
	    json_object_get(root, "jobTemplateArn") || json_object_get(root, "documentFile") ||
	    json_object_get(root, "documentSchema") || json_object_get(root, "document") ||
	    json_object_get(root, "documentSource")) {
		d = json_object_get(root, "document");
		if (json && (!d || json_is_string(d)) && !json_object_get(root, "documentFile") &&
		    !json_object_get(root, "documentSchema") &&
		    !json_object_get(root, "parameters"))
			return JD_KIND_REQUEST;
		return JD_KIND_SPEC;
	}
	if (json_object_get(root, "steps") || json_object_get(root, "version") ||
	    json_object_get(root, "operation"))
		return JD_KIND_DEVICE_CLIENT;
	return JD_KIND_UNKNOWN;
}

const char *jd_kind_name(enum jd_kind k)
{
	switch (k) {
	case JD_KIND_SPEC: return "job spec";
	case JD_KIND_REQUEST: return "CreateJob request";
	case JD_KIND_AFR_OTA: return "afr_ota document";
	case JD_KIND_AFR_OTA_MESSAGE: return "afr_ota jobs message";
	case JD_KIND_DEVICE_CLIENT: return "Device Client document";
	case JD_KIND_UNKNOWN: break;
	}
	return "unknown";
}

const char *jd_validate_guess_schema(const json_t *document)
{
	switch (jd_validate_kind(document, 1)) {
	case JD_KIND_AFR_OTA: return "afr-ota";
	case JD_KIND_AFR_OTA_MESSAGE: return "afr-ota-message";
	case JD_KIND_DEVICE_CLIENT: return "device-client";
	default: return NULL;
	}
}

/* ---- places ---- */

/*
 * Where findings go: the request's pointers are places in doc (the spec or
 * the request file); "/document/..." places are in docsrc at docprefix
 * when the document tree came from there.
 */
struct place {
	jd_finding_fn fn;
	void *ctx;
	const struct jd_doc *doc;
	const struct jd_doc *docsrc; /* NULL: the document has no positions of its own */
	const char *docprefix;
	int docfile; /* the spec's document came from documentFile */
	int errors;
	int stop;
};

static void locate(const struct jd_doc *d, const char *ptr, unsigned *line, unsigned *col)
{
	struct jd_pos pos;

	*line = *col = 0;
	if (!d || !d->map || jd_srcmap_find(d->map, ptr, &pos) < 0)
		return;
	*line = pos.line;
	*col = pos.col;
}

/* Request pointer ptr: into doc, /document of a documentFile spec at /documentFile. */
static void locate_request(const struct place *p, const char *ptr, unsigned *line, unsigned *col)
{
	if (p->docfile && !strncmp(ptr, "/document", 9) && (!ptr[9] || ptr[9] == '/'))
		ptr = "/documentFile";
	locate(p->doc, ptr, line, col);
}

/*
 * Hands f on: one line each (control characters in quoted values
 * escaped), and the root pointer "" left out of the text.
 */
static int forward(struct place *p, const struct jd_finding *f)
{
	struct jd_finding g = *f;
	char msg[1400];
	const unsigned char *m;
	size_t n = 0;

	if (f->severity == JD_SEV_ERROR)
		p->errors++;
	if (p->stop || !p->fn)
		return p->stop;
	for (m = (const unsigned char *)f->message; *m && n < sizeof(msg) - 8; m++) {
		if (*m == '\n' || *m == '\t' || *m == '\r') {
			msg[n++] = '\\';
			msg[n++] = *m == '\n' ? 'n' : *m == '\t' ? 't' : 'r';
		} else if (*m < 0x20 || *m == 0x7f) {
			n += (size_t)snprintf(msg + n, sizeof(msg) - n, "\\u%04x", *m);
		} else {
			msg[n++] = (char)*m;
		}
	}
	msg[n] = '\0';
	g.message = msg;
	if (g.pointer && !g.pointer[0])
		g.pointer = NULL;
	if (p->fn(p->ctx, &g))
		p->stop = 1;
	return p->stop;
}

/* Schema findings on the request (pointer_prefix none). */
static int pos_request(void *ctx, const char *ptr, unsigned *line, unsigned *col)
{
	locate_request(ctx, ptr, line, col);
	return 0;
}

/* Schema findings on the document: pointers already carry docprefix. */
static int pos_document(void *ctx, const char *ptr, unsigned *line, unsigned *col)
{
	const struct place *p = ctx;

	if (p->docsrc)
		locate(p->docsrc, ptr, line, col);
	else
		locate(p->doc, "/document", line, col);
	return 0;
}

static int on_schema(void *ctx, const struct jd_finding *f)
{
	return forward(ctx, f);
}

/* Rule findings: pointers into the request; "/document/..." into the document. */
static int on_rule(void *ctx, const struct jd_finding *f)
{
	struct place *p = ctx;
	struct jd_finding g = *f;
	char ptr[512];

	g.input = p->doc->name;
	if (p->docsrc && !strncmp(f->pointer, "/document/", 10)) {
		snprintf(ptr, sizeof(ptr), "%s%s", p->docprefix, f->pointer + 9);
		g.input = p->docsrc->name;
		g.pointer = ptr;
		locate(p->docsrc, ptr, &g.line, &g.col);
	} else {
		locate_request(p, f->pointer, &g.line, &g.col);
	}
	return forward(p, &g);
}

static int run_schema(struct jd_validator *v, struct place *p, const char *schema,
		      const char *relto, json_t *instance, const char *input, jd_position_fn pos,
		      const char *prefix, struct jd_error *err)
{
	const struct jd_schema *s = jd_validator_schema(v, schema, relto, err);
	struct jd_schema_report rep;

	if (!s)
		return -1;
	memset(&rep, 0, sizeof(rep));
	rep.fn = on_schema;
	rep.ctx = p;
	rep.input = input;
	rep.pos = pos;
	rep.pos_ctx = p;
	rep.pointer_prefix = prefix;
	return jd_schema_validate(s, instance, &rep, err) < 0 ? -1 : 0;
}

/*
 * The checks common to specs and requests: request schema, document schema,
 * managed-template parameters, rules.
 */
static int check_request(struct jd_validator *v, struct place *p, json_t *request, json_t *document,
			 const char *docschema, struct jd_error *err)
{
	const char *arn = json_string_value(json_object_get(request, "jobTemplateArn"));
	struct jd_rules_opts ro = {v->opts.now};
	char name[128];

	if (run_schema(v, p, "createjob-request", NULL, request, p->doc->name, pos_request, NULL,
		       err) < 0)
		return -1;
	if (document && !p->stop) {
		const char *schema = docschema ? docschema : jd_validate_guess_schema(document);
		if (schema && run_schema(v, p, schema, docschema ? p->doc->name : NULL, document,
					 p->docsrc ? p->docsrc->name : p->doc->name, pos_document,
					 p->docsrc ? p->docprefix : "/document", err) < 0)
			return -1;
	}
	if (arn && !p->stop && jd_rules_managed_template(arn, name, sizeof(name))) {
		char ref[320];
		json_t *params = json_object_get(request, "documentParameters");
		json_t *empty = NULL;
		int r;

		snprintf(ref, sizeof(ref), "aws-managed/%s", name);
		if (builtin(ref)) {
			snprintf(ref, sizeof(ref), "%saws-managed/%s.json#/$defs/parameters",
				 BUILTIN_BASE, name);
			if (!params && !(params = empty = json_object()))
				return jd_error_oom(err);
			r = run_schema(v, p, ref, NULL, params, p->doc->name, pos_request,
				       "/documentParameters", err);
			json_decref(empty);
			if (r < 0)
				return -1;
		}
	}
	if (!p->stop && jd_rules_check(request, document, &ro, on_rule, p, err) < 0)
		return -1;
	return p->errors;
}

int jd_validate_spec(struct jd_validator *v, const struct jd_spec *s, jd_finding_fn fn, void *ctx,
		     struct jd_error *err)
{
	struct place p;

	memset(&p, 0, sizeof(p));
	p.fn = fn;
	p.ctx = ctx;
	p.doc = s->doc;
	p.docsrc = s->docsrc;
	p.docprefix = s->docprefix ? s->docprefix : "";
	p.docfile = s->docsrc && s->docsrc != s->doc;
	return check_request(v, &p, s->request, s->document, s->schema, err);
}

int jd_validate_request(struct jd_validator *v, const struct jd_doc *doc, jd_finding_fn fn,
			void *ctx, struct jd_error *err)
{
	const json_t *d = json_object_get(doc->root, "document");
	json_t *document = NULL;
	struct place p;
	int r;

	memset(&p, 0, sizeof(p));
	p.fn = fn;
	p.ctx = ctx;
	p.doc = doc;
	if (json_is_string(d))
		document = jd_json_parse(json_string_value(d), json_string_length(d),
					 JSON_REJECT_DUPLICATES, NULL);
	if (json_is_string(d) && !json_is_object(document)) {
		struct jd_finding f;
		memset(&f, 0, sizeof(f));
		f.severity = JD_SEV_ERROR;
		f.rule = "document-json";
		f.input = doc->name;
		f.pointer = "/document";
		f.message = "the document string is not a JSON object";
		locate(doc, "/document", &f.line, &f.col);
		forward(&p, &f);
		json_decref(document);
		document = NULL;
	}
	r = check_request(v, &p, doc->root, document, NULL, err);
	json_decref(document);
	return r;
}

int jd_validate_instance(struct jd_validator *v, const struct jd_doc *doc, const char *schema,
			 jd_finding_fn fn, void *ctx, struct jd_error *err)
{
	struct place p;

	memset(&p, 0, sizeof(p));
	p.fn = fn;
	p.ctx = ctx;
	p.doc = doc;
	p.docsrc = doc;
	p.docprefix = "";
	if (run_schema(v, &p, schema, NULL, doc->root, doc->name, pos_document, NULL, err) < 0)
		return -1;
	return p.errors;
}

int jd_validate_file_doc(struct jd_validator *v, const struct jd_doc *doc, const char *schema,
			 const struct jd_load_opts *lopts, jd_finding_fn fn, void *ctx,
			 struct jd_error *err)
{
	enum jd_kind k;
	struct jd_finding f;
	struct jd_spec spec;
	struct jd_compile_opts co;
	int r;

	if (schema)
		return jd_validate_instance(v, doc, schema, fn, ctx, err);
	k = jd_validate_kind(doc->root, doc->json);
	switch (k) {
	case JD_KIND_REQUEST: return jd_validate_request(v, doc, fn, ctx, err);
	case JD_KIND_SPEC:
		memset(&co, 0, sizeof(co));
		co.validator = v;
		co.on_finding = fn;
		co.finding_ctx = ctx;
		if (lopts)
			co.load = *lopts;
		r = jd_spec_compile(doc, &co, &spec, err);
		if (r < 0 && err->code == JD_EINVALID && spec.findings) {
			r = (int)spec.findings;
		} else if (r < 0 && err->code == JD_EINPUT) {
			/* a spec that does not compile is invalid: one finding with its place */
			memset(&f, 0, sizeof(f));
			f.severity = JD_SEV_ERROR;
			f.rule = "spec";
			f.input = err->input[0] ? err->input : doc->name;
			f.line = err->line;
			f.col = err->col;
			f.pointer = err->pointer[0] ? err->pointer : NULL;
			f.message = err->msg;
			if (fn)
				fn(ctx, &f);
			r = 1;
		}
		jd_spec_release(&spec);
		return r;
	case JD_KIND_AFR_OTA:
	case JD_KIND_AFR_OTA_MESSAGE:
	case JD_KIND_DEVICE_CLIENT:
		return jd_validate_instance(v, doc, jd_validate_guess_schema(doc->root), fn, ctx,
					    err);
	case JD_KIND_UNKNOWN: break;
	}
	memset(&f, 0, sizeof(f));
	f.severity = JD_SEV_WARNING;
	f.rule = "kind";
	f.input = doc->name;
	f.line = 1;
	f.col = 1;
	f.message = "not a job spec, CreateJob request or known job document; skipped (name its "
		    "schema with --schema)";
	if (fn)
		fn(ctx, &f);
	return 0;
}

int jd_validate_compiled(struct jd_validator *v, struct jd_spec *s, jd_finding_fn fn, void *ctx,
			 struct jd_error *err)
{
	struct jd_validator *own = NULL;
	int n;

	if (!v) {
		own = v = jd_validator_new(NULL, err);
		if (!v)
			return -1;
	}
	n = jd_validate_spec(v, s, fn, ctx, err);
	jd_validator_free(own);
	if (n < 0) {
		/* the documentSchema is wrong: an error in the spec, at documentSchema */
		if (err->code == JD_EUSAGE)
			err->code = JD_EINPUT;
		if (!err->input[0] && s->schema)
			jd_doc_place(s->doc, "/documentSchema", 0, err);
		if (!err->input[0])
			jd_strlcpy(err->input, s->doc->name, sizeof(err->input));
		return -1;
	}
	s->findings = (unsigned)n;
	if (n)
		return jd_error_at(err, JD_EINVALID, s->doc->name, 0, 0, NULL,
				   "%d validation error%s", n, n == 1 ? "" : "s");
	return 0;
}
