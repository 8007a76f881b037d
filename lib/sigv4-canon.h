#ifndef JD_SIGV4_CANON_H
#define JD_SIGV4_CANON_H
/* Internal to sigv4.c and sigv4-canon.c; not installed as API. */
#include <stddef.h>

#include "buf.h"
#include "error.h"
#include "sigv4.h"

/* Size caps: a hostile request fails with "too big". */
#define MAX_CANONICAL	 (1u << 20)
#define MAX_HEADERS	 256
#define MAX_QUERY_PARAMS 1024

struct qparam {
	char *name; /* encoded */
	char *value;
};

/* s[0..len) (decoded first when decode) encoded strictly, malloc'd; NULL with err. */
char *jd_canon_encode_dup(const char *s, size_t len, int decode, struct jd_error *err);
void jd_canon_qparams_free(struct qparam *q, size_t n);
/* Splits, decodes and re-encodes query into *params, with room for extra more. */
int jd_canon_parse_query(const char *query, struct qparam **params, size_t *nparams, size_t extra,
			 struct jd_error *err);
/* Sorts q and joins it "a=1&b=2" into *out. */
int jd_canon_join_query(struct qparam *q, size_t n, char **out, struct jd_error *err);
/* Canonical header block into b ("name:value\n" each), signed headers into *signed_headers. */
int jd_canon_headers(const struct jd_sigv4_request *req, const struct jd_sigv4_header *extra,
		     size_t nextra, struct jd_buf *b, char **signed_headers, struct jd_error *err);
/* An HTTP token (header name, method): no controls, spaces or ':'. */
int jd_canon_valid_token(const char *s);
/* A credential scope part: 1..max of [A-Za-z0-9._-]. */
int jd_canon_valid_scope_part(const char *s, size_t max);

#endif
