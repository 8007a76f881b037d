#ifndef JD_SPEC_H
#define JD_SPEC_H
#include <jansson.h>

#include "error.h"
#include "finding.h"
#include "load.h"

/*
 * Job specs (DESIGN.md "The job spec"): the CreateJob request in YAML with
 * four additions (document as a mapping, documentFile, documentSchema,
 * parameters), compiled into the exact CreateJob request JSON.
 *
 * The pipeline is load -> render (substitution parameters) -> validate ->
 * emit; jd_spec_compile() runs the steps after loading.
 */

struct jd_params;    /* substitution values: lib/template.h */
struct jd_render;    /* the render step's result: lib/template.h */
struct jd_validator; /* lib/validate.h */

struct jd_compile_opts {
	const struct jd_params *params; /* NULL: no values given */
	int no_render;			/* keep ${aws:iot:parameter:...} as written */
	int no_validate;		/* skip schema and AWS-rule validation */
	/*
	 * The render may change doc's tree where it is, instead of copying
	 * what it changes: for a caller that won't look at the spec as
	 * written again (no GetJobDocument-style "before" view of it).
	 */
	int render_in_place;
	struct jd_validator *validator; /* NULL: a private one (no clock for the rules) */
	jd_finding_fn on_finding;	/* warnings and validation findings; may be NULL */
	void *finding_ctx;
	struct jd_load_opts load; /* for documentFile */
};

struct jd_spec {
	const struct jd_doc *doc; /* the spec as loaded (borrowed) */
	json_t *request;	  /* the compiled CreateJob request (owned) */
	/*
	 * The job document as a tree (owned), NULL when the job has none
	 * (documentSource, jobTemplateArn). Its places are in docsrc at
	 * pointer prefix docprefix ("/document" in the spec, "" in a
	 * documentFile).
	 */
	json_t *document;
	const struct jd_doc *docsrc;
	const char *docprefix;
	struct jd_doc docfile;	  /* the loaded documentFile (owned) */
	const char *schema;	  /* documentSchema, or NULL (borrowed from doc) */
	json_t *parameters;	  /* the declarations, or NULL (borrowed from doc) */
	unsigned findings;	  /* validation errors reported through on_finding */
	struct jd_render *render; /* the render step's result (owned): lib/template.h */
};

/*
 * Compiles doc (a loaded spec) into out->request. Errors (JD_EINPUT for a
 * malformed spec, JD_EINVALID when validation fails) carry the spec's place.
 * Release out with jd_spec_release() whatever the result.
 */
int jd_spec_compile(const struct jd_doc *doc, const struct jd_compile_opts *opts,
		    struct jd_spec *out, struct jd_error *err);
void jd_spec_release(struct jd_spec *s);

/* The keys a spec may have at its top level, NULL-terminated. */
extern const char *const jd_spec_extra_keys[];

/*
 * The candidate closest to key (edit distance, case folded), or NULL when
 * none is close enough to suggest.
 */
const char *jd_closest(const char *key, const char *const *cands, size_t n);

#endif
