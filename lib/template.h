#ifndef JD_TEMPLATE_H
#define JD_TEMPLATE_H
#include <stddef.h>

#include <jansson.h>

#include "buf.h"
#include "error.h"
#include "finding.h"
#include "load.h"
#include "spec.h"

/*
 * Substitution parameters (DESIGN.md "Substitution parameters"): the
 * templater resolves ${aws:iot:parameter:NAME} in a spec and its document
 * exactly as AWS would for a managed template, so the document a user
 * previews is the document devices receive.
 *
 *  - A scalar that is exactly one placeholder takes the value's JSON type
 *    (number, boolean, object, array, string); a placeholder inside longer
 *    text is spliced in as text (numbers and booleans as their JSON text;
 *    an object or array there is an error).
 *  - A document given as JSON text (`document: "..."`, a request's document)
 *    is substituted textually, as AWS does, and must be JSON afterwards: a
 *    quoted "${...}" that is the whole JSON string takes the value's type, a
 *    placeholder inside a JSON string is spliced JSON-escaped (a value with
 *    '"' or '\' never breaks the JSON around it), and an unquoted one is
 *    replaced by the value's JSON text (a string value verbatim).
 *  - Values: -p NAME=VALUE (a string), -p NAME:=JSON (typed), -P FILE (a JSON
 *    or YAML object; several, the later wins), then the declared default, in
 *    that precedence. An optional parameter with neither is "" (as AWS is
 *    assumed to do for its managed templates, aws-iot-jobs.md §4.2).
 *  - Declarations, under the spec's `parameters:`, in the shape AWS uses
 *    for managed templates: NAME: {description, regex, example, optional,
 *    default, type}. type is string|number|integer|boolean|object|array; a
 *    string value is converted to it (-p size=42 with type integer is 42).
 *    regex is PCRE2, matched against the whole value text, as Java's
 *    String.matches() does for AWS's.
 *  - Errors, each with file:line:col (the column inside the scalar when the
 *    source can tell): a parameter used but not declared (when the spec
 *    declares any), a value missing, a value failing its regex or type, an
 *    unterminated or nested placeholder, a bad name, an unknown ${aws:...}
 *    prefix (lib/placeholder.h), AWS's own placeholders malformed; the
 *    document over 32,768 characters after substitution, or over the device
 *    budget. Warnings (through the findings callback): a value given but not
 *    used, a declaration not used, ${...} that AWS does not resolve.
 *  - AWS's own placeholders (presigned URLs, packages) are checked and kept.
 *  - A spec with jobTemplateArn of an AWS managed template and
 *    documentParameters is checked against the template (unknown template or
 *    version, unknown or missing parameters, regex, 1..30720 characters, no
 *    control characters) and its device document can be previewed.
 *
 * Errors are JD_EINVALID (a -P file that cannot be read: JD_EINPUT; a bad
 * -p argument: JD_EUSAGE), with the place in err.
 */

/* ---- values ---- */

/* Values and the settings that come with them (budget, region). Opaque. */
struct jd_params;

/* NULL on out of memory. */
struct jd_params *jd_params_new(void);
void jd_params_free(struct jd_params *p); /* accepts NULL */

/*
 * Adds one -p argument: "NAME=VALUE" (a string) or "NAME:=JSON" (any JSON
 * value). A name given twice with -p: the later wins. JD_EUSAGE for a
 * malformed argument, a bad name or invalid JSON.
 */
int jd_params_add_arg(struct jd_params *p, const char *arg, struct jd_error *err);

/*
 * Adds the values of a -P file ("-" = stdin): one JSON or YAML object of
 * NAME: value. Files added later win over earlier ones; -p values win over
 * all files. JD_EINPUT when the file cannot be read or parsed, JD_EINVALID
 * when it is not an object or a name is not valid, with the place. The file
 * is kept (its text, or its tree) until jd_params_free().
 */
int jd_params_add_file(struct jd_params *p, const char *path, const struct jd_load_opts *opts,
		       struct jd_error *err);

/* Adds the members of doc's root object as a -P file would (takes nothing). */
int jd_params_add_doc(struct jd_params *p, const struct jd_doc *doc, struct jd_error *err);

/*
 * The value for name, or NULL when none was given; *origin (if origin is not
 * NULL) says where it came from ("-p version", "sign.json:3:7").
 */
const json_t *jd_params_get(const struct jd_params *p, const char *name, const char **origin);

/*
 * The effective values, for iteration: count, and entry i's name, value and
 * origin (borrowed). jd_params_index() is the effective entry for name, or
 * -1. Shadowed values (an earlier file's) are not entries.
 */
size_t jd_params_count(const struct jd_params *p);
const char *jd_params_entry(const struct jd_params *p, size_t i, const json_t **value,
			    const char **origin);
long jd_params_index(const struct jd_params *p, const char *name);
/* jd_params_index() of n names (p may be NULL) into idx, their lookups overlapped. */
void jd_params_lookup(const struct jd_params *p, const char *const *names, size_t n, long *idx);
/*
 * Starts fetching where the lookup of each member name of decls (a spec's
 * parameters:) will read, so that the memory is on its way while other
 * work is done first (p and decls may be NULL).
 */
void jd_params_prefetch(const struct jd_params *p, const json_t *decls);

/*
 * Unused values: jd_params_prepare() (after the values are in, before
 * rendering) starts tracking which values renders use; renders mark them
 * with jd_params_mark_used() (safe from concurrent renders); after the run,
 * jd_params_report_unused() hands a warning for each value no render used to
 * on_finding (the first ten by name, then one counting the rest). A value
 * used by any spec of a run is used.
 */
int jd_params_prepare(struct jd_params *p, struct jd_error *err);
void jd_params_mark_used(const struct jd_params *p, size_t i);
void jd_params_report_unused(const struct jd_params *p, jd_finding_fn on_finding, void *ctx);

/*
 * Device budget: when bytes > 0, a rendered document must fit in bytes once
 * AWS replaces each presigned-URL placeholder by a URL of url_bytes (0 = the
 * default JD_URL_BYTES, a SigV4 URL with a session token; a delivered one
 * has been seen at 1,362 characters). Devices with fixed buffers are where
 * presigned URLs break.
 */
#define JD_URL_BYTES 1400
void jd_params_set_budget(struct jd_params *p, size_t bytes, size_t url_bytes);

/* The job's region, for documents rendered without a spec (copied). */
int jd_params_set_region(struct jd_params *p, const char *region, struct jd_error *err);

/* The settings above (p may be NULL: no budget, JD_URL_BYTES, no region). */
void jd_params_settings(const struct jd_params *p, size_t *budget, size_t *url_bytes,
			const char **region);

/*
 * The command-line options tools share, by long name: "param" (-p),
 * "params-file" (-P), "device-budget" and "url-size" (BYTES, a decimal
 * number with an optional k or K suffix for 1024), "region". JD_EUSAGE for a
 * bad argument; -P errors as jd_params_add_file().
 */
int jd_params_option(struct jd_params *p, const char *name, const char *arg,
		     const struct jd_load_opts *opts, struct jd_error *err);

/* ---- rendering ---- */

/* The result of rendering one spec or document. Opaque. */
struct jd_render;

enum jd_render_flags {
	JD_RENDER_KEEP = 1 /* check only: placeholders stay as written, no value needed */
};

/*
 * The render step of jd_spec_compile() (its seam), for a spec whose document
 * is loaded: renders the spec's strings and its document with opts->params
 * (none when opts->no_render), checks the placeholders, the declarations and
 * a managed template's documentParameters. On success s->render holds the
 * result, s->document is the rendered tree, and *root the rendered spec root
 * to build the request from. Release with jd_spec_release().
 */
int jd_render_spec(struct jd_spec *s, const struct jd_compile_opts *opts, const json_t **root,
		   struct jd_error *err);

/*
 * Renders a job document on its own: a loaded document (a tree), or raw text
 * (name for messages; JSON after substitution). Warnings go to on_finding
 * (may be NULL). *out is set on success; free with jd_render_free().
 */
int jd_render_doc(const struct jd_doc *doc, const struct jd_params *params, int flags,
		  jd_finding_fn on_finding, void *ctx, struct jd_render **out,
		  struct jd_error *err);
int jd_render_text(const char *name, const char *text, size_t len, const struct jd_params *params,
		   int flags, jd_finding_fn on_finding, void *ctx, struct jd_render **out,
		   struct jd_error *err);

void jd_render_free(struct jd_render *r); /* accepts NULL */

/*
 * Appends the job document to out as GetJobDocument shows it: before != 0
 * with beforeSubstitution=true (the placeholders as written: the document
 * as the spec holds it, or a managed template's document), else after
 * substitution (a managed template's document with its documentParameters
 * filled in, which is what devices receive, except that AWS expands
 * presigned URLs on delivery). A tree document is written as compact JSON,
 * a text document as its text. JD_EINVALID when the job has no document
 * (documentSource, a custom template). The document before substitution
 * is not kept by a spec rendered in place (jd_compile_opts.render_in_place).
 */
int jd_render_output(const struct jd_render *r, int before, struct jd_buf *out,
		     struct jd_error *err);

/*
 * The parameters declared and used, for --list (from a JD_RENDER_KEEP /
 * no_render render: others do not record where each is used): an array of
 * {name, declared, value, from, uses: [{file, line, column, pointer}]},
 * and the AWS placeholders: {name: "aws", ...}. New reference, or NULL on
 * out of memory.
 */
json_t *jd_render_list(const struct jd_render *r, struct jd_error *err);

/*
 * The rendered document tree as compact JSON, made by jd_render_spec() for
 * the request to reuse; NULL for other renders or a text document. The
 * caller frees it; a second call gives NULL.
 */
char *jd_render_take_json(struct jd_render *r);

/* Document size after substitution (characters) and the device estimate (bytes). */
void jd_render_sizes(const struct jd_render *r, size_t *chars, size_t *device_bytes,
		     size_t *presigned);

#endif
