#ifndef JD_SIGV4_H
#define JD_SIGV4_H
/*
 * AWS Signature Version 4: pure functions, the time is an argument.
 *
 * Two ways to sign a request:
 *   - jd_sigv4_sign_headers: the Authorization header (plus X-Amz-Date,
 *     X-Amz-Security-Token, x-amz-content-sha256) to add to the request;
 *   - jd_sigv4_sign_query: query parameters to append (presigned URLs).
 * Every intermediate stage (canonical request, string to sign, signature)
 * is returned, so that tests check each one against the official suite.
 *
 * Two sets of rules:
 *   - generic services (default): the path is normalised (empty and dot
 *     segments removed) unless JD_SIGV4_NO_NORMALIZE, and the path as on the
 *     request line is URI-encoded once more ("double encoding");
 *   - S3 (JD_SIGV4_S3): no normalisation, single encoding (the path is
 *     decoded and encoded again with S3's rules, so an already-encoded path
 *     signs as itself), x-amz-content-sha256 is always sent.
 *
 * Secrets (the secret key, signing keys, HMAC intermediates) are wiped with
 * OPENSSL_cleanse; no error message ever contains one.
 */
#include <stddef.h>
#include <time.h>

#include "error.h"

#define JD_SIGV4_ALGORITHM	  "AWS4-HMAC-SHA256"
#define JD_SIGV4_UNSIGNED_PAYLOAD "UNSIGNED-PAYLOAD"
/* hex SHA-256 of the empty string */
#define JD_SIGV4_EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define JD_SIGV4_MAX_EXPIRES  604800u /* seven days, AWS's limit for presigned URLs */

/*
 * The signing time in ISO 8601 basic format, UTC: date "20150830",
 * datetime "20150830T123600Z".
 */
struct jd_sigv4_time {
	char date[9];
	char datetime[17];
};

/* From seconds since the epoch. Returns 0, or -1 (JD_EUSAGE) if out of range. */
int jd_sigv4_time_from_epoch(time_t t, struct jd_sigv4_time *out, struct jd_error *err);

/*
 * Parses "2026-01-01T00:00:00Z", "2026-01-01T00:00:00.123Z" (fraction
 * ignored), "2026-01-01T00:00:00+00:00" or the basic "20260101T000000Z".
 * Only UTC is accepted. Returns 0, or -1 with err (JD_EUSAGE, value quoted).
 */
int jd_sigv4_time_parse(const char *s, struct jd_sigv4_time *out, struct jd_error *err);

/* Borrowed credentials: session_token may be NULL or "". */
struct jd_sigv4_creds {
	const char *access_key_id;
	const char *secret_access_key;
	const char *session_token;
};

/* A borrowed header; value may span lines (folded when canonicalised). */
struct jd_sigv4_header {
	const char *name;
	const char *value;
};

/*
 * A request to sign, all borrowed.
 * path: as on the request line, without the query ("" means "/").
 * query: without '?', as on the request line (escapes are decoded and
 *   re-encoded canonically); NULL or "" for none.
 * headers: must include Host. Authorization, User-Agent, Expect,
 *   Connection, Transfer-Encoding and X-Amzn-Trace-Id are never signed;
 *   X-Amz-Date, X-Amz-Security-Token and X-Amz-Content-Sha256 are added by
 *   the signer and are an error here.
 * payload_hash: lowercase hex SHA-256 of the body (jd_sigv4_sha256_hex),
 *   JD_SIGV4_UNSIGNED_PAYLOAD, or NULL: the empty body for header signing,
 *   UNSIGNED-PAYLOAD for S3 query signing, the empty body otherwise.
 */
struct jd_sigv4_request {
	const char *method;
	const char *path;
	const char *query;
	const struct jd_sigv4_header *headers;
	size_t nheaders;
	const char *payload_hash;
};

enum {
	JD_SIGV4_S3 = 1 << 0,		/* S3 rules: no normalisation, single encoding,
	                                   x-amz-content-sha256 header */
	JD_SIGV4_NO_NORMALIZE = 1 << 1, /* generic rules without path normalisation */
	JD_SIGV4_SIGN_BODY = 1 << 2,	/* add x-amz-content-sha256 (header signing) */
	JD_SIGV4_OMIT_TOKEN = 1 << 3	/* add the session token after signing, unsigned
	                                   (AWS IoT WebSocket URLs) */
};

struct jd_sigv4_params {
	const struct jd_sigv4_creds *creds;
	const char *region;  /* "us-east-1" */
	const char *service; /* "s3", "iot", "execute-api", ... */
	struct jd_sigv4_time time;
	unsigned flags;	  /* JD_SIGV4_* */
	unsigned expires; /* query signing: 1..JD_SIGV4_MAX_EXPIRES seconds */
};

/*
 * Caller-owned cache of the signing key for one (access key, secret, date,
 * region, service); re-derived when any of them changes. Not locked: one per
 * thread, or guard it. jd_sigv4_cache_clear wipes the key.
 */
struct jd_sigv4_cache {
	int valid;
	char date[9];
	char region[64];
	char service[64];
	unsigned char secret_fp[32]; /* SHA-256 of access key id NUL secret */
	unsigned char key[32];
};
/* clang-format off */
#define JD_SIGV4_CACHE_INIT { 0 }
/* clang-format on */
void jd_sigv4_cache_init(struct jd_sigv4_cache *c);
void jd_sigv4_cache_clear(struct jd_sigv4_cache *c);

/* A header the signer wants added to the request (name is static). */
struct jd_sigv4_add_header {
	const char *name;
	char *value;
};

/*
 * What signing produced; all owned, freed by jd_sigv4_signed_release.
 * Header signing: headers[0..nheaders) to add in that order ("X-Amz-Security-Token",
 * "X-Amz-Date", "x-amz-content-sha256", "Authorization"), authorization is
 * the Authorization value (also the last of headers), query is NULL.
 * Query signing: query holds the parameters to append to the request's query
 * (after '&', or '?' when it had none), in the order X-Amz-Algorithm,
 * X-Amz-Credential, X-Amz-Date, X-Amz-SignedHeaders, X-Amz-Expires,
 * X-Amz-Security-Token, X-Amz-Signature; nheaders is 0, authorization NULL.
 */
struct jd_sigv4_signed {
	char *canonical_request;
	char *string_to_sign;
	char *signed_headers;	/* "host;x-amz-date" */
	char *credential_scope; /* "20150830/us-east-1/service/aws4_request" */
	char signature[65];
	char *authorization;
	char *query;
	struct jd_sigv4_add_header headers[4];
	size_t nheaders;
};
void jd_sigv4_signed_init(struct jd_sigv4_signed *s);
/* Wipes and frees everything; s can be used again. */
void jd_sigv4_signed_release(struct jd_sigv4_signed *s);

/*
 * Sign with an Authorization header / with query parameters. cache may be
 * NULL (the key is derived and wiped each time). out must be initialised
 * (jd_sigv4_signed_init) or released; it is released first. Return 0, or -1
 * with err: JD_EUSAGE for bad parameters (empty key id, region, expiry out
 * of 1..604800, a signer header given, no Host), JD_EINPUT for a request
 * over the size caps, JD_EINTERNAL for OpenSSL failures and out of memory.
 */
int jd_sigv4_sign_headers(const struct jd_sigv4_params *p, const struct jd_sigv4_request *req,
			  struct jd_sigv4_cache *cache, struct jd_sigv4_signed *out,
			  struct jd_error *err);
int jd_sigv4_sign_query(const struct jd_sigv4_params *p, const struct jd_sigv4_request *req,
			struct jd_sigv4_cache *cache, struct jd_sigv4_signed *out,
			struct jd_error *err);

/* ---- the stages, exposed for tests and for other signers ---- */

/* Lowercase hex SHA-256 of data into out (65 bytes with the NUL). */
void jd_sigv4_sha256_hex(const void *data, size_t len, char out[65]);

/* The signing key kSigning = HMAC chain over "AWS4"+secret. Returns 0 or -1. */
int jd_sigv4_signing_key(const char *secret, const char *date, const char *region,
			 const char *service, unsigned char key[32], struct jd_error *err);

/*
 * The canonical URI of path under flags (JD_SIGV4_S3, JD_SIGV4_NO_NORMALIZE),
 * malloc'd into *out. Returns 0 or -1.
 */
int jd_sigv4_canonical_uri(const char *path, unsigned flags, char **out, struct jd_error *err);

/*
 * The canonical query string of query (as on the wire, without '?'):
 * parameters decoded, encoded with the strict rules, sorted by name then
 * value. Malloc'd into *out ("" for none). Returns 0 or -1.
 */
int jd_sigv4_canonical_query(const char *query, char **out, struct jd_error *err);

/*
 * Appends s[0..len) percent-encoded to *buf: everything but the unreserved
 * characters A-Z a-z 0-9 - . _ ~ as %XX (uppercase hex); '/' kept when
 * keep_slash. Returns 0 or -1 (buf's cap, out of memory).
 */
struct jd_buf;
int jd_uri_encode(struct jd_buf *buf, const char *s, size_t len, int keep_slash,
		  struct jd_error *err);

#endif
