#ifndef JD_SCHEMA_INT_H
#define JD_SCHEMA_INT_H
/*
 * Internals of the JSON Schema validator, shared by schema.c (compile,
 * registry), schema-uri.c, schema-validate.c (keywords), schema-format.c
 * and schema-regex.c. Not installed as API.
 */
#include <stdint.h>

#include <jansson.h>

#include "schema.h"

/* ---- regex (ECMA-262 over PCRE2) ---- */
struct jd_re;
/* NULL with msg (size bytes) filled when pat does not compile. jit: also
 * compile to machine code (slower to compile, faster to match). */
struct jd_re *jd_re_compile(const char *pat, size_t len, int jit, char *msg, size_t size);
void jd_re_free(struct jd_re *re);
/* 1 match, 0 no match, -1 error (match limit hit: msg filled). md: scratch, created on need. */
int jd_re_match(const struct jd_re *re, const char *s, size_t len, unsigned long limit, void **md,
		char *msg, size_t size);
void jd_re_scratch_free(void *md);
const char *jd_re_source(const struct jd_re *re);

/* ---- formats ---- */
/* A format id > 0 for a known name, 0 for unknown. */
int jd_format_id(const char *name);
/* 1 valid, 0 not. */
int jd_format_check_id(int id, const char *s, size_t len);

/* ---- URIs (RFC 3986) ---- */
/* A fresh string: ref resolved against base (base may be NULL or ""). NULL on OOM. */
char *jd_uri_resolve(const char *base, const char *ref);
/* Splits at '#': returns the length of the part before it. */
size_t jd_uri_nofrag_len(const char *uri);
/* Percent-decodes s in place (invalid escapes kept); returns new length. */
size_t jd_uri_pct_decode(char *s);
/* Whether s has a scheme ("x:"). */
int jd_uri_is_absolute(const char *s);

/* ---- an arena for compiled nodes ---- */
struct jd_arena {
	struct jd_arena_block *head;
};
void *jd_arena_alloc(struct jd_arena *a, size_t size); /* zeroed; NULL on OOM */
char *jd_arena_strdup(struct jd_arena *a, const char *s, size_t len);
void jd_arena_release(struct jd_arena *a);

/* ---- compiled schema nodes ---- */
enum {
	V_CORE = 1 << 0,
	V_APPLICATOR = 1 << 1,
	V_UNEVALUATED = 1 << 2,
	V_VALIDATION = 1 << 3,
	V_FORMAT_ANNOTATION = 1 << 4,
	V_FORMAT_ASSERTION = 1 << 5,
	V_ALL = 0xff
};

/* type bits */
enum {
	T_NULL = 1 << 0,
	T_BOOLEAN = 1 << 1,
	T_OBJECT = 1 << 2,
	T_ARRAY = 1 << 3,
	T_NUMBER = 1 << 4,
	T_STRING = 1 << 5,
	T_INTEGER = 1 << 6
};

/* node flags */
enum {
	SN_BOOL = 1 << 0, /* a boolean schema; value in SN_TRUE */
	SN_TRUE = 1 << 1,
	SN_UNEVAL = 1 << 2, /* has unevaluatedProperties or unevaluatedItems */
	SN_DYNREF_DYNAMIC = 1 << 3,
	SN_UNIQUE = 1 << 4,
	SN_ANNOT_ITEMS_ALL = 1 << 5,
	SN_DRAFT7 = 1 << 6,
	SN_FORMAT_ASSERT = 1 << 7,
	SN_DEPENDENCIES = 1 << 8 /* depreq/depschemas came from "dependencies" */
};

struct sn;
struct sres;

struct snum {
	int set;
	int is_int;
	long long i;
	double d;
};

struct sprop {
	const char *key;
	size_t len;
	struct sn *s;
};

struct spat {
	struct jd_re *re;
	struct sn *s;
};

struct sdepreq {
	const char *key;
	const char **names;
	size_t n;
};

struct sref {
	char *uri;     /* absolute target URI (arena) */
	struct sn *to; /* resolved after the compile walk */
};

struct sn {
	unsigned flags;
	unsigned types; /* T_ bits, 0 = any */
	struct sres *res;
	json_t *json;
	const char *path; /* schema location in its document, JSON pointer (arena) */

	struct sref ref, dynref;
	const char *dynanchor; /* $dynamicRef's anchor name when it may be dynamic */

	struct sn **allof, **anyof, **oneof;
	size_t nallof, nanyof, noneof;
	struct sn *not_, *if_, *then_, *else_;

	struct sprop *props;
	size_t nprops;
	struct spat *pprops;
	size_t npprops;
	struct sn *addprops, *propnames, *unevalprops;
	struct sprop *depschemas;
	size_t ndepschemas;
	struct sdepreq *depreq;
	size_t ndepreq;
	const char **required;
	size_t nrequired;
	long long minprops, maxprops;

	struct sn **prefix;
	size_t nprefix;
	struct sn
		*items; /* items after the prefix (2020-12 items, draft-07 additionalItems/items) */
	const char *items_kw;
	struct sn *contains, *unevalitems;
	long long mincontains, maxcontains;
	long long minitems, maxitems;

	json_t *enum_, *const_;
	struct snum min, max, exmin, exmax, mult;
	long long minlen, maxlen;
	struct jd_re *pattern;
	int format;
	const char *format_name;
};

struct sanchor {
	const char *name;
	struct sn *s;
	struct sanchor *next;
};

struct sres {
	char *uri; /* absolute, without fragment (arena) */
	struct sn *root;
	struct sanchor *dynanchors;
	struct sres *next;
};

/* Evaluated-locations tracking for unevaluated*: a bitset over properties
 * (in iteration order) or items. */
struct seval {
	uint64_t *bits;
	size_t n;
	uint64_t inl[2];
};

struct jd_schema {
	struct jd_arena arena;
	struct jd_schema_registry *reg, *own_reg;
	json_t *doc;
	struct sn *root;
	struct sn true_node, false_node;
	struct sres *resources;
	struct jd_re **regexes;
	size_t nregexes, aregexes;
	json_t **docs; /* documents loaded while compiling (kept for their strings) */
	size_t ndocs, adocs;
	unsigned max_depth;
	unsigned long match_limit;
	enum jd_schema_draft draft;
};

/* schema-registry.c */
/* The document for uri (no fragment), loaded on need; NULL when there is none
 * (*failed = 0) or on an error (*failed = 1, err set). */
json_t *jd_schema_registry_lookup(struct jd_schema_registry *r, const char *uri,
				  struct jd_error *err, int *failed);
/* The compiled meta-schema at uri, cached in r; NULL with err set. */
const struct jd_schema *jd_schema_registry_meta(struct jd_schema_registry *r, const char *uri,
						struct jd_error *err);

/* schema-validate.c */
int jd_schema_run(const struct jd_schema *s, json_t *x, const struct jd_schema_report *rep,
		  struct jd_error *err);
/* schema-equal.c: deep equality, 1 equal to 1.0 */
int jd_json_equal(json_t *a, json_t *b);
/* 1 when the items of array a are unique; 0 with *i < *j an equal pair; -1 on OOM. */
int jd_json_unique(json_t *a, size_t *i, size_t *j);

#endif
