#ifndef JD_SCHEMA_H
#define JD_SCHEMA_H
/*
 * JSON Schema validation: draft 2020-12 (default) and draft-07.
 *
 * Compile a schema once into a jd_schema, then validate many instances
 * with it. Schemas refer to each other through a registry: schemas given by
 * $id (files, folders, Jansson values), URI prefixes answered from a folder,
 * and the schemas built into the library (the meta-schemas, schemas/ *.json).
 * Nothing is ever fetched from the network.
 *
 *   struct jd_schema_registry *reg = jd_schema_registry_new(&err);
 *   jd_schema_registry_map(reg, "http://localhost:1234/", "remotes", &err);
 *   struct jd_schema *s = jd_schema_compile(reg, schema_json, NULL, &err);
 *   struct jd_schema_report rep = { .fn = print_finding, .ctx = &me };
 *   rc = jd_schema_validate(s, instance, &rep, &err); // 0 valid, 1 invalid, -1 error
 *   rc = jd_schema_check(s, instance, &err);          // the same, without messages
 *   jd_schema_free(s);
 *   jd_schema_registry_free(reg);
 *
 * Threads: compiling uses and caches into the registry, so compile from one
 * thread at a time per registry. A compiled schema is read-only: any number
 * of threads may validate with it at once.
 */
#include <stddef.h>

#include <jansson.h>

#include "error.h"
#include "finding.h"

enum jd_schema_draft {
	JD_DRAFT_DEFAULT = 0, /* 2020-12 unless the caller's option or $schema says otherwise */
	JD_DRAFT_2020_12 = 1,
	JD_DRAFT_7 = 7
};

struct jd_schema_registry;
struct jd_schema;

/* A registry holding the built-in schemas. NULL with err set on out of memory. */
struct jd_schema_registry *jd_schema_registry_new(struct jd_error *err);
/* Frees r (NULL is fine). Schemas compiled with r must be freed before. */
void jd_schema_registry_free(struct jd_schema_registry *r);

/*
 * Adds a schema document under uri, or under its own $id when uri is NULL
 * (err JD_EINPUT when it has none). Takes a reference on doc (the caller
 * keeps its own). A later add of the same URI takes precedence for later
 * compiles; schemas compiled before keep what they used.
 */
int jd_schema_registry_add(struct jd_schema_registry *r, const char *uri, json_t *doc,
			   struct jd_error *err);

/*
 * --resolve PATH: a .json file, or a folder whose *.json files (recursively)
 * are added, each under its file:// URI (jd_schema_file_uri) and under its
 * $id when it has one. Errors: JD_EINPUT unreadable or unparsable, with the
 * place.
 */
int jd_schema_registry_add_path(struct jd_schema_registry *r, const char *path,
				struct jd_error *err);

/*
 * The file:// URI of path (made absolute, links resolved) into out (size
 * bytes): the base URI to give a schema read from a file, so that its
 * relative references name the files beside it. JD_EINPUT when the path
 * does not resolve or the URI does not fit.
 */
int jd_schema_file_uri(const char *path, char *out, size_t size, struct jd_error *err);

/*
 * --map URI=DIR: a URI starting with prefix is answered by the file DIR/rest
 * (rest = the URI after the prefix, without fragment), read when first
 * needed. ".." segments in rest are refused.
 */
int jd_schema_registry_map(struct jd_schema_registry *r, const char *prefix, const char *dir,
			   struct jd_error *err);

struct jd_schema_options {
	enum jd_schema_draft draft;	 /* dialect of a schema without $schema */
	int format_assert;		 /* 1: "format" asserts (else an annotation) */
	int no_metaschema;		 /* 1: skip validating the schema against its meta-schema */
	unsigned max_depth;		 /* nested evaluations before "too deep"; 0 = 1000 */
	unsigned long regex_match_limit; /* PCRE2 match limit per pattern match; 0 = 1000000 */
	int no_jit;			 /* 1: never PCRE2 JIT (else a pattern is JIT-compiled
	                               once it has been matched 32 times) */
	const char *base_uri; /* the schema's retrieval URI when it has no $id, or NULL */
};

/*
 * Compiles schema (a Jansson object or boolean; the schema keeps a reference)
 * with opt (NULL = defaults). r may be NULL: a private registry with only the
 * built-in schemas is used. Unless opt->no_metaschema, the schema is first
 * validated against its meta-schema. Returns NULL with err set: JD_EINVALID
 * for a schema that is not valid (bad keyword value, unresolvable $ref,
 * pattern that does not compile, unknown $schema, nesting too deep), with
 * err->pointer the schema location; JD_EINTERNAL for out of memory.
 */
struct jd_schema *jd_schema_compile(struct jd_schema_registry *r, json_t *schema,
				    const struct jd_schema_options *opt, struct jd_error *err);

/* Frees s (NULL is fine). */
void jd_schema_free(struct jd_schema *s);

/*
 * A position resolver the caller attaches to a report: gives the line and
 * column of an instance JSON pointer (from the YAML loader's source map).
 * Returns 0 and sets line/col, or -1 when unknown (the finding keeps 0:0).
 */
typedef int (*jd_position_fn)(void *ctx, const char *pointer, unsigned *line, unsigned *col);

struct jd_schema_report {
	jd_finding_fn fn;   /* called once per finding (errors only); required */
	void *ctx;	    /* passed to fn */
	const char *input;  /* put in each finding's input ("" when NULL) */
	jd_position_fn pos; /* optional: fills each finding's line and col */
	void *pos_ctx;
	const char *pointer_prefix; /* prepended to instance pointers ("/document"), or NULL */
	unsigned max_findings;	    /* stop after that many; 0 = no limit */
};

/*
 * Validates instance with s. Each problem is reported through rep->fn as a
 * jd_finding: rule "schema", pointer = instance location (JSON pointer),
 * keyword = evaluation path of the failing keyword ("/properties/a/type"),
 * message = what is wrong ("expected integer, got string"). Returns 0 valid,
 * 1 invalid, -1 with err set when validation could not finish (evaluation
 * deeper than max_depth, e.g. a $ref cycle; a regex hitting its match limit;
 * out of memory). A stop requested by rep->fn returns 1.
 */
int jd_schema_validate(const struct jd_schema *s, json_t *instance,
		       const struct jd_schema_report *rep, struct jd_error *err);

/* The boolean path, no messages built: 0 valid, 1 invalid, -1 error as above. */
int jd_schema_check(const struct jd_schema *s, json_t *instance, struct jd_error *err);

/* The dialect s was compiled as (JD_DRAFT_2020_12 or JD_DRAFT_7). */
enum jd_schema_draft jd_schema_draft_of(const struct jd_schema *s);

/*
 * Format checks, usable alone: 1 when s (len bytes of UTF-8) is a valid
 * instance of format name, 0 when not, -1 when the format is unknown.
 */
int jd_schema_format_check(const char *name, const char *s, size_t len);

#endif
