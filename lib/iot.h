#ifndef JD_IOT_H
#define JD_IOT_H
/*
 * The AWS IoT control plane, as much of it as publishing a job needs:
 * CreateJob (PUT /jobs/{jobId}), GetJobDocument (GET
 * /jobs/{jobId}/job-document?beforeSubstitution=) and DescribeJob (GET
 * /jobs/{jobId}), rest-json over SigV4 (signing name "iot").
 *
 * Requests are built and signed first (jd_iot_prepare_*), so that a caller
 * can show the exact request (jd_iot_format_http, for --dry-run) or send it
 * (jd_iot_send, retrying throttling and 5xx answers through lib/http).
 * AWS errors become JD_EREMOTE with AWS's code and message:
 * "CreateJob: 400 InvalidRequestException: <message>".
 *
 * No function prints; the secret key never appears in anything returned.
 */
#include <stddef.h>

#include <jansson.h>

#include "error.h"
#include "creds.h"
#include "sigv4.h"

struct jd_http;

#define JD_IOT_DEFAULT_SIGNING_NAME "iot"
#define JD_IOT_JOB_ID_MAX	    64
#define JD_IOT_BODY_MAX		    ((size_t)1 << 20) /* request bodies we build */
#define JD_IOT_RESPONSE_MAX	    ((size_t)1 << 20) /* answers we accept */

/* Called with one line of --verbose detail (no secrets, no newline). */
typedef void jd_iot_log_fn(void *ctx, const char *line);

/*
 * Where and how to reach the endpoint; all borrowed, owned by the caller.
 * endpoint: base URL ("https://iot.eu-west-1.amazonaws.com", a path prefix
 *   is kept); NULL or "" for what jd_iot_endpoint(NULL, region) finds.
 * signing_name: NULL or "" for "iot" ("execute-api" for some gateways).
 * date: the signing time ("2026-01-01T00:00:00Z"); NULL or "" for now, read
 *   when each request is prepared.
 * ca_bundle: a PEM file for TLS (AWS_CA_BUNDLE), or NULL.
 * max_attempts, retry_base_ms: for retries through lib/http (attempts
 *   include the first; the backoff's first cap); 0 for its defaults.
 * http: a client to reuse (connections stay open between the calls of an
 *   idempotent publish); NULL to make one for each request.
 */
struct jd_iot_config {
	const char *endpoint;
	const char *region;
	const char *signing_name;
	const struct jd_sigv4_creds *creds;
	const char *date;
	const char *ca_bundle;
	unsigned max_attempts;
	long retry_base_ms;
	struct jd_http *http;
	jd_iot_log_fn *log;
	void *log_ctx;
};

/*
 * The endpoint the AWS CLI would use for IoT, given --endpoint (may be
 * NULL): --endpoint, else $AWS_ENDPOINT_URL_IOT, else $AWS_ENDPOINT_URL,
 * else https://iot.REGION.amazonaws.com (.com.cn for cn-* regions). Into
 * out (size bytes). Returns 0, or -1 with err (JD_EUSAGE: no region, too
 * long, not an http(s) URL).
 */
int jd_iot_endpoint(const char *flag, const char *region, char *out, size_t size,
		    struct jd_error *err);

/* 0 when id is a valid jobId (1..64 of [a-zA-Z0-9_-]), else -1 with err (JD_EUSAGE). */
int jd_iot_check_job_id(const char *id, struct jd_error *err);

/*
 * A signed request, ready to show or to send. All members owned; released
 * by jd_iot_http_release. headers are in the order they are sent: Host,
 * Content-Type (with a body), then what the signer added (X-Amz-Security-
 * Token, X-Amz-Date, Authorization). Content-Length is not signed.
 */
struct jd_iot_http {
	const char *operation; /* "CreateJob", static */
	char method[8];
	char *url;    /* endpoint + target */
	char *target; /* path and query, as on the request line */
	char *body;   /* NULL for none */
	size_t body_len;
	struct {
		char *name;
		char *value;
	} headers[8];
	size_t nheaders;
	struct jd_sigv4_signed sig; /* the stages: canonical request, string to sign, ... */
};
void jd_iot_http_init(struct jd_iot_http *h);
void jd_iot_http_release(struct jd_iot_http *h);

/*
 * CreateJob from a request object in the model's shape, jobId included:
 * jobId goes into the path (percent-encoded), every other member into the
 * JSON body, compactly, in the request's order. out must be initialised.
 * Returns 0, or -1 with err: JD_EINVALID for a missing or invalid jobId or
 * a request that is not an object, JD_EUSAGE for a bad configuration.
 */
int jd_iot_prepare_create_job(const struct jd_iot_config *c, const json_t *request,
			      struct jd_iot_http *out, struct jd_error *err);
/* GetJobDocument: before_substitution adds ?beforeSubstitution=true (else false). */
int jd_iot_prepare_get_job_document(const struct jd_iot_config *c, const char *job_id,
				    int before_substitution, struct jd_iot_http *out,
				    struct jd_error *err);
/* DescribeJob: no query. */
int jd_iot_prepare_describe_job(const struct jd_iot_config *c, const char *job_id,
				struct jd_iot_http *out, struct jd_error *err);

/*
 * The request as HTTP/1.1 text: request line, headers (Content-Length
 * included), blank line, body; CRLF line ends when crlf, else LF. Appended
 * to out. The signature is shown; the session token, a credential, is
 * shown as "REDACTED" (as lib/http's verbose log does); the secret key is
 * in no header. Returns 0 or -1.
 */
int jd_iot_format_http(const struct jd_iot_http *h, int crlf, struct jd_buf *out,
		       struct jd_error *err);

/*
 * Sends h (retrying throttling and 5xx answers) and parses the JSON answer
 * into *answer (owned by the caller; an empty object for an empty body).
 * *status gets the final HTTP status (0 when no answer came). On an AWS
 * error: -1 with JD_EREMOTE, err->msg "OPERATION: STATUS CODE: message" and
 * the code in aws_code (size JD_IOT_CODE_MAX; may be NULL). Network
 * failures are JD_EREMOTE too, with aws_code "".
 */
#define JD_IOT_CODE_MAX 128
int jd_iot_send(const struct jd_iot_config *c, const struct jd_iot_http *h, long *status,
		json_t **answer, char *aws_code, struct jd_error *err);

/*
 * The AWS error in an answer: the code from the X-Amzn-ErrorType header
 * (the part before ':'), else the body's "__type" (the part after '#') or
 * "code"; the message from "message" (or "Message"). code gets "" when
 * none is found. Exposed for tests and the fuzz target.
 */
void jd_iot_parse_error(const char *error_type_header, const char *body, size_t len, char *code,
			size_t code_size, char *message, size_t message_size);

/* What CreateJob answered (or, for an existing equal job, what it is). Owned. */
struct jd_iot_job {
	char *job_arn;
	char *job_id;
	char *description; /* NULL when none */
	int existed;	   /* the job was there already, with the same request */
	char status[32];   /* when it existed: DescribeJob's status ("IN_PROGRESS", ...) */
};
void jd_iot_job_release(struct jd_iot_job *j);

/*
 * CreateJob, idempotently: when the id exists (409 ResourceAlreadyExists-
 * Exception) the existing job is read back (DescribeJob, GetJobDocument
 * with beforeSubstitution=true) and compared with request: the same
 * document (as JSON), targets, targetSelection, description and
 * configurations mean success with existed = 1 (a job being deleted is
 * not: JD_EINVALID); any difference is -1 with
 * JD_EINVALID naming it ("job 'x' exists with a different document:
 * /afr_ota/files/0/filesize: 1024 != 1025"). Tags are not compared
 * (DescribeJob does not return them); a documentSource is compared as a URL
 * (NEEDSWORK: not the object behind it). Other failures as jd_iot_send.
 */
int jd_iot_create_job(const struct jd_iot_config *c, const json_t *request, struct jd_iot_job *out,
		      struct jd_error *err);

/*
 * Compares request (a CreateJob request) with an existing job: describe is
 * DescribeJob's answer, document GetJobDocument's document (may be NULL).
 * Returns 0 when they are the same, 1 when they differ (what in why, one
 * line), -1 on error. Exposed for tests.
 */
int jd_iot_compare_job(const json_t *request, const json_t *describe, const char *document,
		       char *why, size_t why_size, struct jd_error *err);

/* GetJobDocument: the document string into *document (malloc'd). */
int jd_iot_get_job_document(const struct jd_iot_config *c, const char *job_id,
			    int before_substitution, char **document, struct jd_error *err);

/* DescribeJob: the whole answer ({documentSource?, job}) into *answer. */
int jd_iot_describe_job(const struct jd_iot_config *c, const char *job_id, json_t **answer,
			struct jd_error *err);

/*
 * A jd_iot_config with credentials, region, endpoint and CA bundle found
 * as the AWS CLI finds them (lib/creds, service "iot"). Owned; config
 * points into the other members, so the struct must not be copied.
 */
struct jd_iot_client {
	struct jd_iot_config config;
	struct jd_creds creds;
	struct jd_sigv4_creds view;
	struct jd_aws_config aws;
	struct jd_http *http;
};

/*
 * o: --profile, --region, --endpoint (o->service is set to "iot" here);
 * date, signing_name, log and log_ctx as in jd_iot_config (borrowed, may be
 * NULL). AWS_MAX_ATTEMPTS sets max_attempts, as for the AWS CLI.
 * Returns 0, or -1 with err as jd_aws_config_load / jd_creds_load (no
 * region is JD_EUSAGE). jd_iot_client_release is safe after a failure.
 */
int jd_iot_client_init(struct jd_iot_client *cl, const struct jd_aws_options *o, const char *date,
		       const char *signing_name, jd_iot_log_fn *log, void *log_ctx,
		       struct jd_error *err);
void jd_iot_client_release(struct jd_iot_client *cl);

#endif
