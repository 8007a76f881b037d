#ifndef JD_SIGV4_CANON_H
#define JD_SIGV4_CANON_H
/* Internal to sigv4.c and sigv4-canon.c; not installed as API. */
#include <stddef.h>

#include <openssl/evp.h>

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

/* SHA-256 hex and HMAC-SHA256 hex with the caller's digest context (sigv4.c); 0 or -1. */
int jd_sigv4_internal_sha256_hex(EVP_MD_CTX *ctx, const void *data, size_t len, char out[65]);
int jd_sigv4_internal_hmac_hex(EVP_MD_CTX *ctx, const unsigned char key[32], const char *msg,
			       size_t mlen, char out[65]);

#endif
