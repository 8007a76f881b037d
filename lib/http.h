#ifndef JD_HTTP_H
#define JD_HTTP_H
/*
 * HTTP over libcurl for the AWS clients: one client keeps its connections
 * (a share of connection cache, DNS and TLS sessions), single requests
 * reuse one easy handle, a batch runs many transfers in parallel over a
 * multi handle. Every request is retried on its own with exponential
 * backoff and full jitter on connection errors, 5xx (but 501), 408, 429
 * and the AWS throttling / timeout error codes (SlowDown, RequestTimeout,
 * Throttling, ...), bounded in attempts and in total time.
 *
 * TLS verification is always on; options.ca_bundle (AWS_CA_BUNDLE) replaces
 * the system store. Host names under .localhost resolve to 127.0.0.1 (glibc
 * does not; RFC 6761 says they are loopback), so virtual-hosted S3 works
 * against a local peer as BUCKET.s3.localhost:PORT.
 *
 * The library never prints: verbose output goes to options.log, one line a
 * call, with Authorization, X-Amz-Security-Token and the X-Amz-Signature,
 * X-Amz-Security-Token and X-Amz-Credential query values redacted, and no
 * bodies.
 */
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "error.h"

/* A borrowed request header. */
struct jd_http_header {
	const char *name;
	const char *value;
};

/*
 * Where a request body comes from: memory (data, len) or, when fd >= 0, a
 * file region read with pread (fd, offset, len), so that a retry rereads it
 * and nothing big is held in memory. All zero (fd 0 with len 0 counts as
 * none): no body. Use JD_HTTP_BODY_NONE to be explicit.
 */
struct jd_http_body {
	const void *data;
	int fd;
	uint64_t offset;
	uint64_t len;
};
#define JD_HTTP_BODY_NONE      \
	{                      \
		NULL, -1, 0, 0 \
	}

/*
 * A request, all borrowed. method: "GET", "PUT", "POST", "HEAD", "DELETE",
 * ... url: absolute http(s) URL, already encoded. out_fd >= 0: the
 * response body of a 2xx answer is written there (from its start again on
 * each attempt: out_fd must be seekable, it is truncated first) instead of
 * being kept in memory; other answers are always kept (for their error).
 * max_body caps the body kept in memory (0: 1 MiB); past it the request
 * fails with JD_EREMOTE "response too big".
 */
struct jd_http_request {
	const char *method;
	const char *url;
	const struct jd_http_header *headers;
	size_t nheaders;
	struct jd_http_body body;
	int out_fd;
	size_t max_body;
};

/* A response header, owned by the response. */
struct jd_http_resp_header {
	char *name;
	char *value;
};

/*
 * The final answer of a request (after retries). status 0 means none
 * arrived (then jd_http_do failed). error_code is the AWS error code found
 * in the body (S3 XML <Code>, JSON __type/code) or the X-Amzn-ErrorType
 * header, "" when none. Release with jd_http_response_release.
 */
struct jd_http_response {
	long status;
	struct jd_http_resp_header *headers;
	size_t nheaders, aheaders;
	struct jd_buf body;
	unsigned attempts;
	uint64_t body_bytes; /* bytes of body received (written to out_fd or kept) */
	char error_code[64];
};
void jd_http_response_init(struct jd_http_response *r);
/* Frees everything; r can be used again. */
void jd_http_response_release(struct jd_http_response *r);
/* The value of header name (case-insensitive), or NULL. */
const char *jd_http_response_header(const struct jd_http_response *r, const char *name);

/* Receives one line of verbose output (no newline), secrets redacted. */
typedef void (*jd_http_log_fn)(void *ctx, const char *line);
/* Receives the request body bytes sent so far by a batch (net of retries). */
typedef void (*jd_http_progress_fn)(void *ctx, uint64_t sent);

/* Zero means the default, given in brackets. */
struct jd_http_options {
	long connect_timeout_ms;    /* [10000] */
	long stall_seconds;	    /* a transfer that moves under stall_bytes a second
	                              for this long is aborted and retried [30] */
	long stall_bytes;	    /* [1] */
	long attempt_timeout_ms;    /* the whole of one attempt [none] */
	unsigned max_attempts;	    /* attempts per request, the first included [6] */
	long retry_base_ms;	    /* first backoff cap; doubles each retry [200] */
	long retry_max_ms;	    /* cap on one backoff [20000] */
	long retry_budget_ms;	    /* no retry starts after this since the request's
	                              first attempt [180000] */
	const char *ca_bundle;	    /* PEM file replacing the system store, or NULL */
	const char *const *resolve; /* extra CURLOPT_RESOLVE entries "HOST:PORT:ADDR",
	                               NULL-terminated, or NULL */
	const char *user_agent;	    /* [jobdoc/VERSION] */
	jd_http_log_fn log;	    /* verbose output, or NULL */
	void *log_ctx;
	jd_http_progress_fn progress; /* batch progress (about 5 times a second), or NULL */
	void *progress_ctx;
	/*
	 * When *cancel becomes nonzero (a SIGINT handler sets it), running
	 * transfers stop and the call fails with JD_EREMOTE "interrupted".
	 */
	const volatile sig_atomic_t *cancel;
};

struct jd_http;

/* A new client; options are copied (the strings they point to are borrowed). NULL: out of memory. */
struct jd_http *jd_http_new(const struct jd_http_options *o);
void jd_http_free(struct jd_http *h);

/*
 * While nonzero, *cancel is ignored (cleanup requests such as an
 * AbortMultipartUpload after SIGINT must still go out). Returns the old value.
 */
int jd_http_ignore_cancel(struct jd_http *h, int on);

/*
 * Performs req with retries; resp must be initialised (it is released
 * first). Returns 0 when an answer arrived, whatever its status (the caller
 * decides; retryable statuses were retried first), -1 with err (JD_EREMOTE:
 * connection failure after the retries, interrupted, response too big;
 * JD_EIO: reading the body file or writing out_fd).
 */
int jd_http_do(struct jd_http *h, const struct jd_http_request *req, struct jd_http_response *resp,
	       struct jd_error *err);

/*
 * A batch of n requests, at most jobs at once (1..64), each retried on its
 * own. Callbacks run in the calling thread:
 *   prepare(ctx, i, attempt, req, err): fill req for transfer i (attempt
 *     0, 1, ...); what req points to must live until done() for i. Returns
 *     0, 1 when i cannot start yet (asked again shortly: lets a hasher
 *     thread run ahead), -1 to fail the batch.
 *   done(ctx, i, resp, err): transfer i has its answer (retryable failures
 *     were retried). Returns 0 to accept it, 1 to retry it (counts as an
 *     attempt; fails when attempts run out), -1 to fail the batch.
 * Transfers start in index order. On failure the running transfers are
 * stopped. Returns 0 when every done() accepted, else -1 with err.
 */
struct jd_http_batch_ops {
	int (*prepare)(void *ctx, size_t i, unsigned attempt, struct jd_http_request *req,
		       struct jd_error *err);
	int (*done)(void *ctx, size_t i, struct jd_http_response *resp, struct jd_error *err);
};
int jd_http_batch(struct jd_http *h, size_t n, unsigned jobs, const struct jd_http_batch_ops *ops,
		  void *ctx, struct jd_error *err);

/* True when an answer with this status and AWS error code is worth a retry. */
int jd_http_retryable(long status, const char *error_code);

/*
 * url with the values of X-Amz-Signature, X-Amz-Security-Token and
 * X-Amz-Credential replaced by "REDACTED", into out (always terminated,
 * truncated to size). For messages and logs.
 */
void jd_http_redact_url(const char *url, char *out, size_t size);

/*
 * Sets err (JD_EREMOTE) from an unsuccessful answer: "what: HTTP 403
 * SignatureDoesNotMatch: message (RequestId ID)", from the S3 XML or JSON
 * error body when there is one. Returns -1.
 */
int jd_http_error_from_response(struct jd_error *err, const char *what,
				const struct jd_http_response *resp);

#endif
