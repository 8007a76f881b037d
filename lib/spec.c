#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "file.h"
#include "internal.h"
#include "jsonparse.h"
#include "json.h"
#include "model.h"
#include "spec.h"
#include "template.h"
#include "validate.h"

const char *const jd_spec_extra_keys[] = {"document", "documentFile", "documentSchema",
					  "parameters", NULL};

static const char *const doc_sources[] = {"document", "documentFile", "documentSource",
					  "jobTemplateArn"};

const char *jd_closest(const char *key, const char *const *cands, size_t n)
{
	char low[64], c[64];
	const char *best = NULL;
	unsigned best_d = 255, limit;
	size_t i, j;

	for (i = 0; i < sizeof(low) - 1 && key[i]; i++)
		low[i] = (char)tolower((unsigned char)key[i]);
	low[i] = '\0';
	limit = (unsigned)(strlen(key) / 3 + 1);
	if (limit > 4)
		limit = 4;
	for (i = 0; i < n; i++) {
		unsigned d;
		for (j = 0; j < sizeof(c) - 1 && cands[i][j]; j++)
			c[j] = (char)tolower((unsigned char)cands[i][j]);
		c[j] = '\0';
		d = jd_edit_distance(low, c);
		/* a key that is a prefix or extension of a name is worth naming too */
		if (d > limit && strlen(c) >= 4 && (strstr(low, c) || strstr(c, low)))
			d = limit;
		if (d < best_d) {
			best_d = d;
			best = cands[i];
		}
	}
	return best_d <= limit ? best : NULL;
}

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "a mapping";
	case JSON_ARRAY: return "a sequence";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	}
	return "a value";
}

struct walk {
	const struct jd_doc *doc;
	struct jd_buf ptr;
	struct jd_error *err;
};

static int vfail(struct walk *w, int key, const char *fmt, va_list ap)
{
	jd_doc_place(w->doc, w->ptr.data, key, w->err);
	w->err->code = JD_EINPUT;
	vsnprintf(w->err->msg, sizeof(w->err->msg), fmt, ap);
	return -1;
}

/* An error at the current member's key (fail_key) or value (fail_value). */
static int fail_key(struct walk *w, const char *fmt, ...) JD_PRINTF(2, 3);
static int fail_key(struct walk *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(w, 1, fmt, ap);
	va_end(ap);
	return -1;
}

static int fail_value(struct walk *w, const char *fmt, ...) JD_PRINTF(2, 3);
static int fail_value(struct walk *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(w, 0, fmt, ap);
	va_end(ap);
	return -1;
}

static int unknown_key(struct walk *w, const char *key, const struct jd_shape *s, int top)
{
	const char *names[40];
	size_t n = 0, i;
	const char *close;

	for (i = 0; i < s->nmembers && n < JD_ARRAY_SIZE(names); i++)
		if (!s->members[i].uri || top)
			names[n++] = s->members[i].name;
	for (i = 0; top && jd_spec_extra_keys[i]; i++)
		names[n++] = jd_spec_extra_keys[i];
	close = jd_closest(key, names, n);
	if (close)
		return fail_key(w, "unknown key '%.200s'; did you mean '%s'?", key, close);
	return fail_key(w, "unknown key '%.200s' (not a member of %s)", key,
			top ? "a CreateJob request" : s->name);
}

/*
 * A copy of v as shape s, with structure members in the model's order.
 * Unknown members are errors; scalar types are left to validation.
 */
static json_t *canonical(struct walk *w, const json_t *v, const struct jd_shape *s)
{
	size_t base = w->ptr.len;
	json_t *out = NULL;

	switch (s->type) {
	case JD_SHAPE_STRUCT: {
		const char *key;
		json_t *m;
		size_t i;

		if (!json_is_object(v)) {
			fail_value(w, "expected a mapping (%s), got %s", s->name, type_name(v));
			return NULL;
		}
		json_object_foreach((json_t *)v, key, m)
		{
			if (!jd_shape_member(s, key)) {
				jd_pointer_push(&w->ptr, key, strlen(key), NULL);
				unknown_key(w, key, s, 0);
				return NULL;
			}
		}
		out = json_object();
		if (!out)
			goto oom;
		for (i = 0; i < s->nmembers; i++) {
			json_t *c;
			m = json_object_get(v, s->members[i].name);
			if (!m)
				continue;
			if (jd_pointer_push(&w->ptr, s->members[i].name, strlen(s->members[i].name),
					    w->err) < 0)
				goto fail;
			c = canonical(w, m, &jd_shapes[s->members[i].shape]);
			if (!c || json_object_set_new(out, s->members[i].name, c) < 0)
				goto fail;
			w->ptr.len = base;
			w->ptr.data[base] = '\0';
		}
		return out;
	}
	case JD_SHAPE_LIST: {
		size_t i;

		if (!json_is_array(v)) {
			fail_value(w, "expected a sequence (%s), got %s", s->name, type_name(v));
			return NULL;
		}
		out = json_array();
		if (!out)
			goto oom;
		for (i = 0; i < json_array_size(v); i++) {
			json_t *c;
			if (jd_pointer_push_index(&w->ptr, i, w->err) < 0)
				goto fail;
			c = canonical(w, json_array_get(v, i), &jd_shapes[s->element]);
			if (!c || json_array_append_new(out, c) < 0)
				goto fail;
			w->ptr.len = base;
			w->ptr.data[base] = '\0';
		}
		return out;
	}
	case JD_SHAPE_MAP:
		if (!json_is_object(v)) {
			fail_value(w, "expected a mapping (%s), got %s", s->name, type_name(v));
			return NULL;
		}
		/* map keys keep the order they were written in */
		return json_incref((json_t *)v);
	default:
		/* scalars are shared, never changed */
		return json_incref((json_t *)v);
	}
oom:
	jd_error_oom(w->err);
	return NULL;
fail:
	json_decref(out);
	return NULL;
}

static int set_place(struct walk *w, const char *key)
{
	jd_buf_reset(&w->ptr);
	return jd_pointer_push(&w->ptr, key, strlen(key), w->err);
}

/* The job document from `document` or `documentFile`, into s->document. */
static int load_document(struct walk *w, struct jd_spec *s, const struct jd_compile_opts *opts)
{
	const json_t *root = s->doc->root;
	json_t *v = json_object_get(root, "document");
	json_t *file = json_object_get(root, "documentFile");

	if (v) {
		set_place(w, "document");
		s->docsrc = s->doc;
		s->docprefix = "/document";
		if (json_is_object(v)) {
			s->document = json_incref(v);
			return 0;
		}
		if (json_is_string(v)) {
			const size_t flags =
				JSON_REJECT_DUPLICATES | JSON_DECODE_ANY | JSON_ALLOW_NUL;
			json_error_t jerr;

			/* no error asked for: that would read a failed text once more */
			s->document = jd_json_parse(json_string_value(v), json_string_length(v),
						    flags, NULL);
			if (!s->document && strstr(json_string_value(v), "${"))
				return 0; /* JSON only after substitution (lib/template) */
			if (!s->document) {
				/* for its message */
				json_decref(jd_json_parse(json_string_value(v),
							  json_string_length(v), flags, &jerr));
				return fail_value(w,
						  "the document string is not JSON: %s (line %d, "
						  "column %d of the string)",
						  jerr.text, jerr.line, jerr.column);
			}
			if (!json_is_object(s->document))
				return fail_value(w, "the document must be a JSON object, not %s",
						  type_name(s->document));
			return 0;
		}
		return fail_value(w,
				  "'document' must be a mapping (the document as YAML) or a string "
				  "(JSON text), not %s",
				  type_name(v));
	}
	if (file) {
		char dir[4096];
		char *path;
		int r;

		set_place(w, "documentFile");
		if (!json_is_string(file) || !json_string_length(file))
			return fail_value(w, "'documentFile' must be a path, not %s",
					  type_name(file));
		jd_path_dirname(strcmp(s->doc->name, "-") ? s->doc->name : ".", dir, sizeof(dir));
		path = jd_path_join(dir, json_string_value(file));
		if (!path)
			return jd_error_oom(w->err);
		r = jd_load_one(path, &opts->load, &s->docfile, w->err);
		free(path);
		if (r < 0)
			return -1;
		if (!json_is_object(s->docfile.root)) {
			jd_error_at(w->err, JD_EINPUT, s->docfile.name, 1, 1, NULL,
				    "a job document must be a JSON object, not %s",
				    type_name(s->docfile.root));
			return -1;
		}
		s->document = json_incref(s->docfile.root);
		s->docsrc = &s->docfile;
		s->docprefix = "";
	}
	return 0;
}

int jd_spec_compile(const struct jd_doc *doc, const struct jd_compile_opts *opts, struct jd_spec *s,
		    struct jd_error *err)
{
	static const struct jd_compile_opts defaults;
	const struct jd_shape *shape = &jd_shapes[JD_SHAPE_CREATEJOB];
	struct walk w = {doc, JD_BUF_INIT((size_t)1 << 20), err};
	const json_t *root = doc->root;
	const char *key, *first_source = NULL;
	json_t *v, *req = NULL;
	size_t i;
	int ret = -1;

	memset(s, 0, sizeof(*s));
	s->doc = doc;
	if (!opts)
		opts = &defaults;
	if (jd_buf_grow(&w.ptr, 0, err) < 0)
		goto out;
	if (!json_is_object(root)) {
		fail_value(&w, "a job spec is a mapping of CreateJob members, not %s",
			   type_name(root));
		goto out;
	}
	/* the values' table is read for the declared names at the render: fetched meanwhile */
	if (opts->params && !opts->no_render)
		jd_params_prefetch(opts->params, json_object_get(root, "parameters"));
	json_object_foreach((json_t *)root, key, v)
	{
		size_t j;
		int extra = 0;

		for (j = 0; jd_spec_extra_keys[j]; j++)
			extra |= !strcmp(key, jd_spec_extra_keys[j]);
		if (set_place(&w, key) < 0)
			goto out;
		if (!extra && !jd_shape_member(shape, key)) {
			unknown_key(&w, key, shape, 1);
			goto out;
		}
		for (j = 0; j < JD_ARRAY_SIZE(doc_sources); j++) {
			if (strcmp(key, doc_sources[j]))
				continue;
			if (first_source) {
				fail_key(&w,
					 "'%s' and '%s' are both given; a job takes exactly one of "
					 "document, documentFile, documentSource, jobTemplateArn",
					 first_source, key);
				goto out;
			}
			first_source = key;
		}
	}
	if (!first_source) {
		jd_buf_reset(&w.ptr);
		fail_value(&w, "no job document: give one of document, documentFile, "
			       "documentSource, jobTemplateArn");
		goto out;
	}
	v = json_object_get(root, "documentSchema");
	if (v) {
		set_place(&w, "documentSchema");
		if (!json_is_string(v)) {
			fail_value(&w, "'documentSchema' must be a schema name or path, not %s",
				   type_name(v));
			goto out;
		}
		s->schema = json_string_value(v);
	}
	v = json_object_get(root, "parameters");
	if (v) {
		set_place(&w, "parameters");
		if (!json_is_object(v)) {
			fail_value(&w, "'parameters' must be a mapping of declarations, not %s",
				   type_name(v));
			goto out;
		}
		s->parameters = v;
	}
	if (load_document(&w, s, opts) < 0)
		goto out;

	/*
	 * Seam: substitution parameters (lib/template) resolve
	 * ${aws:iot:parameter:NAME} in the spec and the document here, then
	 * validation (lib/validate) checks the request and the document.
	 */
	if (jd_render_spec(s, opts, &root, err) < 0)
		goto out;

	req = json_object();
	if (!req) {
		jd_error_oom(err);
		goto out;
	}
	for (i = 0; i < shape->nmembers; i++) {
		const struct jd_member *m = &shape->members[i];
		json_t *c;

		if (!strcmp(m->name, "document")) {
			v = json_object_get(root, "document");
			/* text that is JSON only after substitution, kept (no_render) */
			if (!s->document && !json_is_string(v))
				continue;
			if (json_is_string(v)) {
				c = json_incref(v);
			} else {
				/* made by the render when it measured the size */
				char *text = jd_render_take_json(s->render);
				if (!text)
					text = jd_json_dumps(s->document, err);
				if (!text)
					goto out;
				c = json_string_nocheck(text);
				free(text);
			}
		} else {
			v = json_object_get(root, m->name);
			if (!v)
				continue;
			set_place(&w, m->name);
			c = canonical(&w, v, &jd_shapes[m->shape]);
		}
		if (!c || json_object_set_new(req, m->name, c) < 0) {
			if (!c && err->code)
				goto out;
			jd_error_oom(err);
			goto out;
		}
	}
	s->request = req;
	req = NULL;

	/* validation: the request, the document and the AWS rules (lib/validate) */
	if (!opts->no_validate &&
	    jd_validate_compiled(opts->validator, s, opts->on_finding, opts->finding_ctx, err) < 0)
		goto out;
	ret = 0;
out:
	json_decref(req);
	jd_buf_release(&w.ptr);
	return ret;
}

void jd_spec_release(struct jd_spec *s)
{
	if (!s)
		return;
	json_decref(s->request);
	json_decref(s->document);
	jd_render_free(s->render);
	jd_doc_release(&s->docfile);
	memset(s, 0, sizeof(*s));
}
