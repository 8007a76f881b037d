#ifndef JD_LOAD_H
#define JD_LOAD_H
#include <stddef.h>

#include <jansson.h>

#include "error.h"
#include "srcmap.h"

/*
 * The loader: YAML 1.2 (and so JSON) text into Jansson trees, each with a
 * source map from every JSON pointer to its line:column.
 *
 * Plain scalars are typed by the YAML 1.2 core schema, with these choices
 * (README "How YAML is read"): yes/no/on/off, dates and 1.2.3 are strings;
 * numbers whose digits a JSON number would drop (010, 1.10) stay strings in
 * block YAML (in JSON text they are numbers, as JSON says); .inf/.nan and
 * integers beyond 64 bits are errors. Quoted scalars are strings. Only the
 * core tags are accepted. Duplicate keys, non-scalar keys, invalid UTF-8,
 * NUL bytes and tab indentation are errors with their place. Aliases are
 * expanded with a cap on the total number of nodes (billion laughs fails
 * fast), and the nesting depth is capped.
 */
struct jd_load_opts {
	size_t max_input;   /* bytes; 0 = JD_INPUT_MAX */
	size_t max_nodes;   /* values in all documents, aliases expanded; 0 = 1,000,000 */
	unsigned max_depth; /* nesting; 0 = 256 */
};

struct jd_doc {
	json_t *root;	       /* owned; json null for an empty document */
	struct jd_srcmap *map; /* owned */
	char *name;	       /* the input's name (owned), as given */
	unsigned index;	       /* 0-based position in the stream */
	int json;	       /* the text was JSON (the root is a flow collection) */
};

/*
 * Loads every document of data (len bytes, need not be NUL-terminated).
 * On success *docs is a malloc'd array of *ndocs documents (0 for an empty
 * stream); free with jd_docs_free(). On failure returns -1, nothing is
 * allocated, and err has the place: JD_EINPUT for malformed input.
 */
int jd_load(const char *name, const char *data, size_t len, const struct jd_load_opts *opts,
	    struct jd_doc **docs, size_t *ndocs, struct jd_error *err);

/* Reads path ("-" = stdin) with the max_input cap, then jd_load(). */
int jd_load_file(const char *path, const struct jd_load_opts *opts, struct jd_doc **docs,
		 size_t *ndocs, struct jd_error *err);

/*
 * Loads exactly one document (an empty or multi-document stream is an
 * error), into *doc.
 */
int jd_load_one(const char *path, const struct jd_load_opts *opts, struct jd_doc *doc,
		struct jd_error *err);

void jd_doc_release(struct jd_doc *doc); /* frees the members, not doc */
void jd_docs_free(struct jd_doc *docs, size_t n);

/*
 * Sets err's place from doc's map for pointer ptr (nearest ancestor when
 * ptr itself is not recorded); key != 0 prefers the member key's position.
 */
void jd_doc_place(const struct jd_doc *doc, const char *ptr, int key, struct jd_error *err);

#endif
