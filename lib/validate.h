#ifndef JD_VALIDATE_H
#define JD_VALIDATE_H
#include <jansson.h>

#include "error.h"
#include "finding.h"
#include "load.h"
#include "schema.h"

struct jd_spec;

/*
 * Validation of what jobdoc compiles: a job spec (after compiling), a
 * CreateJob request, a job document, or any instance against a named
 * schema. It joins the schema engine (lib/schema.h), the built-in schemas
 * (schemas/) and the AWS rules (lib/rules.h), and gives every finding its
 * file:line:col from the loader's source maps: document findings point into
 * the spec's /document/... or into the documentFile itself.
 *
 *   struct jd_validator *v = jd_validator_new(&opts, &err);
 *   n = jd_validate_file_doc(v, &doc, NULL, fn, ctx, &err); // findings; n errors, or -1
 *   jd_validator_free(v);
 *
 * A validator compiles each schema once and keeps it, so one validator
 * serves any number of files, from any number of threads at once (compiling
 * is serialised inside; jd_validator_resolve and jd_validator_map must be
 * done before the threads start).
 */
struct jd_validator;

struct jd_validate_opts {
	enum jd_schema_draft draft; /* dialect of a user schema without $schema */
	int format_assert;	    /* "format" asserts */
	long long now;		    /* seconds since the epoch for the scheduling rules; 0: skip */
};

/* NULL with err set (out of memory). */
struct jd_validator *jd_validator_new(const struct jd_validate_opts *opts, struct jd_error *err);
void jd_validator_free(struct jd_validator *v); /* accepts NULL */

/* --resolve PATH and --map URI=DIR (lib/schema.h registry). 0 or -1 with err. */
int jd_validator_resolve(struct jd_validator *v, const char *path, struct jd_error *err);
int jd_validator_map(struct jd_validator *v, const char *prefix, const char *dir,
		     struct jd_error *err);

/*
 * The schema called name, compiled once: a built-in name ("afr-ota",
 * "aws-managed/AWS-Reboot", see jd_validate_builtin_names), a URI known to
 * the registry, or the path of a JSON or YAML schema file (relative to the
 * folder of relto when relto is not NULL). Borrowed: valid until the
 * validator is freed. NULL with err: JD_EINPUT for a file that cannot be
 * read, JD_EINVALID for a schema that does not compile, JD_EUSAGE for an
 * unknown name.
 */
const struct jd_schema *jd_validator_schema(struct jd_validator *v, const char *name,
					    const char *relto, struct jd_error *err);

/*
 * The built-in schemas' names (schemas/ paths without ".json", meta-schemas
 * left out), in order; *n is set to their number. Each entry is a pointer
 * into a static table.
 */
const char *const *jd_validate_builtin_names(size_t *n);

/* What a loaded file is, from its shape (jobdoc-validate without --schema). */
enum jd_kind {
	JD_KIND_UNKNOWN,
	JD_KIND_SPEC,		 /* a job spec (YAML or JSON) */
	JD_KIND_REQUEST,	 /* a CreateJob request (JSON, document as a string) */
	JD_KIND_AFR_OTA,	 /* an afr_ota job document */
	JD_KIND_AFR_OTA_MESSAGE, /* an MQTT jobs message carrying an afr_ota document */
	JD_KIND_DEVICE_CLIENT	 /* an AWS IoT Device Client job document */
};
enum jd_kind jd_validate_kind(const json_t *root, int json);
const char *jd_kind_name(enum jd_kind k); /* "spec", "request", "afr_ota document", ... */

/* The built-in schema for a job document (afr-ota, device-client...), or NULL. */
const char *jd_validate_guess_schema(const json_t *document);

/*
 * Validates a compiled spec: the request against createjob-request, the
 * document against its documentSchema (or the schema its shape shows),
 * documentParameters against an AWS managed template's, and the AWS rules.
 * Returns the number of error findings (0 = valid), or -1 with err set
 * (the documentSchema cannot be loaded or compiled, out of memory).
 */
int jd_validate_spec(struct jd_validator *v, const struct jd_spec *s, jd_finding_fn fn, void *ctx,
		     struct jd_error *err);

/* The same for a CreateJob request as loaded (its document string parsed). */
int jd_validate_request(struct jd_validator *v, const struct jd_doc *doc, jd_finding_fn fn,
			void *ctx, struct jd_error *err);

/*
 * Validates doc->root against the schema called schema (see
 * jd_validator_schema). Returns the number of error findings, or -1.
 */
int jd_validate_instance(struct jd_validator *v, const struct jd_doc *doc, const char *schema,
			 jd_finding_fn fn, void *ctx, struct jd_error *err);

/*
 * One loaded file: with schema, jd_validate_instance; without, by its kind
 * (a spec is compiled first, with load options lopts). An unknown kind
 * gives one warning finding. Returns the number of errors, or -1 with err
 * (the spec does not compile: JD_EINPUT with its place).
 */
int jd_validate_file_doc(struct jd_validator *v, const struct jd_doc *doc, const char *schema,
			 const struct jd_load_opts *lopts, jd_finding_fn fn, void *ctx,
			 struct jd_error *err);

/*
 * The validation step of jd_spec_compile (lib/spec.c): v may be NULL (a
 * private validator, no clock). Returns 0 when valid; -1 with err set,
 * JD_EINVALID "N validation errors" when findings were reported (also
 * counted in s->findings).
 */
int jd_validate_compiled(struct jd_validator *v, struct jd_spec *s, jd_finding_fn fn, void *ctx,
			 struct jd_error *err);

#endif
