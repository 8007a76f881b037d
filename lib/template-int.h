#ifndef JD_TEMPLATE_INT_H
#define JD_TEMPLATE_INT_H
/*
 * Internals of the templater, shared by template.c (resolution, scanning,
 * the walk, sizes, the render object and the API), template-place.c
 * (source places and messages), template-decl.c (declarations and values),
 * template-text.c (text documents) and template-managed.c (managed
 * templates). Not installed as API.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stddef.h>

#include <jansson.h>

#include "buf.h"
#include "error.h"
#include "finding.h"
#include "placeholder.h"
#include "template.h"

#define DOC_MAX_CHARS	32768
#define PARAM_VALUE_MAX 30720 /* CreateJob documentParameters value */

/* Where the strings being rendered were written. */
struct where {
	const struct jd_doc *doc; /* tree: places from its source map */
	const char *raw;	  /* or raw text: places by counting lines */
	size_t rawlen;
	const char *rawname;
	int in_doc; /* inside the job document (AWS resolves placeholders there) */
};

struct seg {
	const char *key; /* NULL: an array index */
	size_t idx;
};

/* A parameter seen in this render: declared, used, or both. */
struct rparam {
	const char *name; /* own_name, or a declaration's key (the spec outlives the render) */
	char *own_name;
	size_t nlen;
	const json_t *decl; /* borrowed from the spec, or NULL */
	const char *type;
	pcre2_code *re;
	int re_own;	  /* re is this render's (else the shared cache's) */
	json_t *value;	  /* resolved (owned), NULL until then */
	const char *from; /* where value came from; NULL: params entry vidx (from_of) */
	long vidx;
	long look; /* jd_params_index() of name when looked up ahead (jd_tpl_load_decls), else -2 */
	int resolved, used;
};

struct use {
	size_t param;	       /* index into r->p, or (size_t)-1 for an AWS placeholder */
	const struct where *w; /* borrowed from r */
	char *ptr;	       /* pointer of the string (owned), NULL for raw text */
	const char *s;	       /* the string as written (borrowed) */
	size_t slen, off, end; /* the placeholder's bytes in s */
	int key;	       /* in a member key */
	enum jd_ph_kind kind;
};

struct jd_render {
	const struct jd_params *params;
	int keep;
	jd_finding_fn on_finding;
	void *fctx;
	struct jd_error *err;
	char region[32];
	size_t budget, url_bytes;

	const json_t *decls; /* the spec's parameters: (borrowed) */
	struct rparam *p;
	size_t np, palloc;
	const json_t *managed_values; /* documentParameters while previewing */
	const json_t *managed_tpl;
	const json_t *managed_dp; /* documentParameters (borrowed from the spec) */
	char managed_name[160];

	struct use *uses;
	size_t nuses, auses;

	struct where wspec, wdoc, wtext;
	struct seg *path;
	size_t depth, apath;
	const char *prefix; /* pointer prefix of the current tree */
	struct jd_buf ptr;
	struct jd_buf scratch; /* render_string()'s text */
	struct jd_ph *phs;
	size_t nph, aph;

	char *src; /* the source file, read for columns on demand */
	size_t srclen;
	int src_tried;
	const char *srcname;

	/* results */
	json_t *root;		/* rendered spec root (owned), NULL for a document */
	json_t *before, *after; /* the document trees (owned) */
	char *text_before;	/* text documents (owned copies) */
	char *text_after;
	size_t text_before_len, text_after_len;
	int is_text, has_doc, managed;
	int expanded;	/* rendering a string made by jd_tpl_expand_nested(): not the source */
	char *doc_json; /* the rendered tree as compact JSON, when made */
	int validating; /* validation follows: it checks documentParameters itself */
	int in_place;	/* the spec's tree is rendered where it is (walk()) */
	/*
	 * A spec's document: its package placeholders name package versions of
	 * destinationPackageVersions (borrowed, NULL when the spec has none).
	 */
	int spec_doc;
	const json_t *dpv;
	pcre2_match_data *md; /* for the regexes: jd_tpl_re_match() */
	size_t chars, device_bytes, npresigned;
};

/* The string being rendered now: for messages. */
struct cur {
	const struct where *w;
	const char *ptr; /* NULL: compute from the path when needed */
	int key;
	const char *s;
	size_t slen;
};

/* ---- places (template-place.c) ---- */

/* The JSON pointer of the string being rendered (r->prefix and r->path), in r->ptr. */
const char *jd_tpl_cur_ptr(struct jd_render *r);
/*
 * Fills e's place for byte off of string s (slen bytes) at pointer ptr of
 * w (a member key when key), or of w's raw text.
 */
void jd_tpl_place_at(struct jd_render *r, const struct where *w, const char *ptr, int key,
		     const char *s, size_t slen, size_t off, struct jd_error *e);
/* Fills r->err (JD_EINVALID) at byte off of c's string; returns -1. */
int jd_tpl_fail_at(struct jd_render *r, const struct cur *c, size_t off, const char *fmt, ...)
	JD_PRINTF(4, 5);
/* A warning for rule to r->on_finding, at byte off of c's string (c NULL: the input). 0. */
int jd_tpl_warn_at(struct jd_render *r, const struct cur *c, size_t off, const char *rule,
		   const char *fmt, ...) JD_PRINTF(5, 6);

/* ---- declarations and values (template-decl.c) ---- */

/* The parameter named name[0..len) seen in this render, or NULL. */
struct rparam *jd_tpl_param_find(struct jd_render *r, const char *name, size_t len);
/* A new parameter named name[0..len) (copied unless keep); NULL on out of memory. */
struct rparam *jd_tpl_param_add(struct jd_render *r, const char *name, size_t len, int keep);
/*
 * pat compiled (shared cache): NULL when it does not compile, with PCRE2's
 * message in why and the offset in *at. *own: the caller frees the result.
 */
pcre2_code *jd_tpl_re_get(const char *pat, int *own, char *why, size_t size, size_t *at);
/* 1 when re matches all of s[0..n), 0 when not, -1 when the match failed. */
int jd_tpl_re_match(struct jd_render *r, const pcre2_code *re, const char *s, size_t n);
/* The text a scalar value is spliced as, appended to b; -1 for objects and arrays. */
int jd_tpl_value_text(const json_t *v, struct jd_buf *b, struct jd_error *err);
/* "an object", "a string", ...: what v is, for messages. */
const char *jd_tpl_kind_of(const json_t *v);
/*
 * Checks v against p's type and regex: 0 with *out a new reference to v
 * converted, or -1 with the reason in why (size bytes).
 */
int jd_tpl_check_value(struct jd_render *r, struct rparam *p, const json_t *v, json_t **out,
		       char *why, size_t size);
/* The declared name closest to name in *best (NULL: none is close). 0. */
int jd_tpl_closest_decl(struct jd_render *r, const char *name, const char **best);
/* Reads and checks the spec's declarations (at /parameters of the spec): 0 or -1. */
int jd_tpl_load_decls(struct jd_render *r, const json_t *decls);

/* ---- scanning one string (template.c) ---- */

/* jd_ph_scan()'s callback: appends ph to r->phs (ctx); 2 on out of memory. */
int jd_tpl_collect(void *ctx, const char *s, const struct jd_ph *ph);
/*
 * Scans c->s into r->phs and checks every placeholder. whole (may be NULL)
 * says which placeholders stand for a whole value. Returns the number of
 * parameter placeholders, or -1.
 */
int jd_tpl_scan_checked(struct jd_render *r, const struct cur *c, const unsigned char *whole);
/* Resolves the parameter placeholder ph of c->s: its parameter, or NULL. */
struct rparam *jd_tpl_resolve_ph(struct jd_render *r, const struct cur *c, const struct jd_ph *ph);
/*
 * Parameters nested inside AWS's placeholders, spliced as text (JSON-escaped
 * when json_str) into *out (malloc'd; NULL when none, or in keep mode): 0 or -1.
 */
int jd_tpl_expand_nested(struct jd_render *r, const struct cur *c, int json_str, char **out,
			 size_t *outlen);
/* 1 when a placeholder of r->phs holds parameters. */
int jd_tpl_has_nested(const struct jd_render *r);

/* ---- the render object (template.c) ---- */

/* A new render (free with jd_render_free()); NULL with err filled. */
struct jd_render *jd_tpl_render_new(const struct jd_params *params, int keep,
				    jd_finding_fn on_finding, void *ctx, struct jd_error *err);

/* ---- text documents (template-text.c) ---- */

/* Renders the text document c->s and parses it: *tree (new), r->text_after. 0 or -1. */
int jd_tpl_render_doc_text(struct jd_render *r, const struct cur *c, json_t **tree);

/* ---- managed templates (template-managed.c) ---- */

/*
 * When root's jobTemplateArn names a managed template: its documentParameters
 * checked against the template (unless r->validating), and r made ready for
 * jd_tpl_managed_preview(). 0 or -1.
 */
int jd_tpl_check_managed(struct jd_render *r, const json_t *root);
/* The device's view of the managed template: r->text_before and r->text_after. 0 or -1. */
int jd_tpl_managed_preview(struct jd_render *r);

#endif
