/*
 * HTTP over libcurl: connection reuse, parallel batches, retries with
 * exponential backoff and full jitter, redacted verbose output.
 */
#include "http.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/rand.h>

#include "internal.h"
#include "s3xml.h"

#define MAX_JOBS	 64
#define DEFAULT_MAX_BODY ((size_t)1 << 20)
#define MAX_HEADERS	 200
#define MAX_HEADER_BYTES 16384

struct jd_http {
	struct jd_http_options o;
	CURLSH *share;
	CURL *easy;
	CURLM *multi;
	CURL *slot_easy[MAX_JOBS];
	int ignore_cancel;
	uint64_t sent; /* batch progress, net of retries */
	char ua[64];
};

/* One transfer in flight: what the callbacks need. */
struct xfer {
	struct jd_http *h;
	CURL *easy;
	struct jd_http_request req;
	struct jd_http_response *resp;
	struct curl_slist *hdrs, *resolve;
	uint64_t body_pos;
	uint64_t sent; /* body bytes sent by this attempt */
	int io_failed;
	int too_big;
	int cancelled;
	char io_msg[200];
	char errbuf[CURL_ERROR_SIZE];
};

/* ---- time, backoff ---- */

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long opt_or(long v, long def)
{
	return v > 0 ? v : def;
}

/* Full jitter: uniform in [0, min(max, base * 2^retry)]. */
static long backoff_ms(const struct jd_http *h, unsigned retry)
{
	long base = opt_or(h->o.retry_base_ms, 200), cap = opt_or(h->o.retry_max_ms, 20000);
	long top = base;
	unsigned r = 0;

	for (unsigned i = 0; i < retry && top < cap; i++)
		top *= 2;
	if (top > cap)
		top = cap;
	if (RAND_bytes((unsigned char *)&r, sizeof(r)) != 1)
		r = (unsigned)now_ms() * 2654435761u;
	return (long)(r % (unsigned)(top + 1));
}

static int cancelled(const struct jd_http *h)
{
	return h->o.cancel && *h->o.cancel && !h->ignore_cancel;
}

/* Sleeps ms, waking early on cancel. Returns -1 when cancelled. */
static int nap(const struct jd_http *h, long ms)
{
	long long until = now_ms() + ms;

	while (now_ms() < until) {
		struct timespec ts = {0, 20 * 1000000L};
		if (cancelled(h))
			return -1;
		nanosleep(&ts, NULL);
	}
	return cancelled(h) ? -1 : 0;
}

/* ---- redaction ---- */

static const char *const secret_params[] = {
	"X-Amz-Signature=", "X-Amz-Security-Token=", "X-Amz-Credential="};
static const char *const secret_headers[] = {"authorization", "x-amz-security-token",
					     "proxy-authorization", "cookie",
					     "x-aws-ec2-metadata-token"};

/* Copies s into out with secret query values and header values redacted. */
static void redact(const char *s, size_t n, char *out, size_t size)
{
	size_t o = 0, i = 0;

	if (!size)
		return;
	/* a header line whose name is secret: keep the name only */
	for (size_t k = 0; k < JD_ARRAY_SIZE(secret_headers); k++) {
		size_t hl = strlen(secret_headers[k]);
		if (n > hl && s[hl] == ':' && !strncasecmp(s, secret_headers[k], hl)) {
			snprintf(out, size, "%.*s: REDACTED", (int)hl, s);
			return;
		}
	}
	while (i < n && o + 1 < size) {
		size_t matched = 0;
		for (size_t k = 0; k < JD_ARRAY_SIZE(secret_params); k++) {
			size_t pl = strlen(secret_params[k]);
			if (n - i >= pl && !strncasecmp(s + i, secret_params[k], pl)) {
				matched = pl;
				break;
			}
		}
		if (matched) {
			const char *r = "REDACTED";
			if (o + matched + 8 >= size)
				break;
			memcpy(out + o, s + i, matched);
			o += matched;
			memcpy(out + o, r, 8);
			o += 8;
			i += matched;
			while (i < n && s[i] != '&' && s[i] != ' ' && s[i] != '\'' && s[i] != '"' &&
			       s[i] != '\r' && s[i] != '\n')
				i++;
			continue;
		}
		out[o++] = (s[i] == '\r' || s[i] == '\n' || s[i] == '\t') ? ' ' : s[i];
		i++;
	}
	out[o] = '\0';
}

void jd_http_redact_url(const char *url, char *out, size_t size)
{
	redact(url, strlen(url), out, size);
}

static void logf_(const struct jd_http *h, const char *fmt, ...) JD_PRINTF(2, 3);
static void logf_(const struct jd_http *h, const char *fmt, ...)
{
	char raw[2048], line[2048];
	va_list ap;

	if (!h->o.log)
		return;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	redact(raw, strlen(raw), line, sizeof(line));
	h->o.log(h->o.log_ctx, line);
}

static int debug_cb(CURL *easy, curl_infotype type, char *data, size_t size, void *ctx)
{
	struct xfer *x = ctx;
	const char *prefix;
	const char *p = data, *end = data + size;

	(void)easy;
	switch (type) {
	case CURLINFO_TEXT: prefix = "* "; break;
	case CURLINFO_HEADER_OUT: prefix = "> "; break;
	case CURLINFO_HEADER_IN: prefix = "< "; break;
	default: return 0;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char line[2048], full[2100];

		if (n && p[n - 1] == '\r')
			n--;
		if (n) {
			redact(p, n, line, sizeof(line));
			snprintf(full, sizeof(full), "%s%s", prefix, line);
			x->h->o.log(x->h->o.log_ctx, full);
		}
		p = nl ? nl + 1 : end;
	}
	return 0;
}

/* ---- responses ---- */

void jd_http_response_init(struct jd_http_response *r)
{
	memset(r, 0, sizeof(*r));
	jd_buf_init(&r->body, DEFAULT_MAX_BODY);
}

static void clear_headers(struct jd_http_response *r)
{
	for (size_t i = 0; i < r->nheaders; i++) {
		free(r->headers[i].name);
		free(r->headers[i].value);
	}
	r->nheaders = 0;
}

void jd_http_response_release(struct jd_http_response *r)
{
	clear_headers(r);
	free(r->headers);
	jd_buf_release(&r->body);
	memset(r, 0, sizeof(*r));
	jd_buf_init(&r->body, DEFAULT_MAX_BODY);
}

const char *jd_http_response_header(const struct jd_http_response *r, const char *name)
{
	for (size_t i = 0; i < r->nheaders; i++)
		if (!strcasecmp(r->headers[i].name, name))
			return r->headers[i].value;
	return NULL;
}

static size_t header_cb(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct xfer *x = ctx;
	struct jd_http_response *r = x->resp;
	size_t n = size * nmemb, nl, vl;
	const char *colon, *v;

	if (n >= 5 && !memcmp(data, "HTTP/", 5)) { /* a new answer (after 100, a redirect) */
		clear_headers(r);
		return n;
	}
	colon = memchr(data, ':', n);
	if (!colon || r->nheaders >= MAX_HEADERS || n > MAX_HEADER_BYTES)
		return n;
	nl = (size_t)(colon - data);
	v = colon + 1;
	while (v < data + n && (*v == ' ' || *v == '\t'))
		v++;
	vl = (size_t)(data + n - v);
	while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' '))
		vl--;
	if (r->nheaders == r->aheaders) {
		size_t na = r->aheaders ? r->aheaders * 2 : 16;
		struct jd_http_resp_header *nh = realloc(r->headers, na * sizeof(*nh));
		if (!nh)
			return 0;
		r->headers = nh;
		r->aheaders = na;
	}
	r->headers[r->nheaders].name = jd_strndup(data, nl);
	r->headers[r->nheaders].value = jd_strndup(v, vl);
	if (!r->headers[r->nheaders].name || !r->headers[r->nheaders].value) {
		free(r->headers[r->nheaders].name);
		free(r->headers[r->nheaders].value);
		return 0;
	}
	r->nheaders++;
	return n;
}

static size_t write_cb(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct xfer *x = ctx;
	size_t n = size * nmemb;
	long status = 0;

	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
	if (x->req.out_fd >= 0 && status >= 200 && status < 300) {
		size_t off = 0;
		while (off < n) {
			ssize_t w = write(x->req.out_fd, data + off, n - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				x->io_failed = 1;
				snprintf(x->io_msg, sizeof(x->io_msg),
					 "cannot write the response: %s", strerror(errno));
				return 0;
			}
			off += (size_t)w;
		}
	} else {
		struct jd_error e;
		if (jd_buf_add(&x->resp->body, data, n, &e) < 0) {
			x->too_big = 1;
			return 0;
		}
	}
	x->resp->body_bytes += n;
	return n;
}

static size_t read_cb(char *buf, size_t size, size_t nmemb, void *ctx)
{
	struct xfer *x = ctx;
	const struct jd_http_body *b = &x->req.body;
	size_t want = size * nmemb;
	uint64_t left = b->len - x->body_pos;

	if (left < want)
		want = (size_t)left;
	if (!want)
		return 0;
	if (b->data) {
		memcpy(buf, (const char *)b->data + x->body_pos, want);
	} else {
		ssize_t r;
		do
			r = pread(b->fd, buf, want, (off_t)(b->offset + x->body_pos));
		while (r < 0 && errno == EINTR);
		if (r <= 0) {
			x->io_failed = 1;
			snprintf(x->io_msg, sizeof(x->io_msg), "cannot read the body: %s",
				 r < 0 ? strerror(errno) : "file shrank");
			return CURL_READFUNC_ABORT;
		}
		want = (size_t)r;
	}
	x->body_pos += want;
	x->sent += want;
	x->h->sent += want;
	return want;
}

static int seek_cb(void *ctx, curl_off_t offset, int origin)
{
	struct xfer *x = ctx;

	if (origin != SEEK_SET || offset < 0 || (uint64_t)offset > x->req.body.len)
		return CURL_SEEKFUNC_CANTSEEK;
	x->h->sent -= x->sent;
	x->sent = (uint64_t)offset;
	x->h->sent += x->sent;
	x->body_pos = (uint64_t)offset;
	return CURL_SEEKFUNC_OK;
}

static int xferinfo_cb(void *ctx, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	struct xfer *x = ctx;

	(void)dt, (void)dn, (void)ut, (void)un;
	if (cancelled(x->h)) {
		x->cancelled = 1;
		return 1;
	}
	return 0;
}

/* ---- setting up one attempt ---- */

static int has_body(const struct jd_http_request *req)
{
	return req->body.data || req->body.len;
}

/* Adds "HOST:PORT:127.0.0.1" when the URL's host is under .localhost. */
static int add_localhost_resolve(struct xfer *x, struct jd_error *err)
{
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL;
	int ret = 0;

	if (!u)
		return jd_error_oom(err);
	if (curl_url_set(u, CURLUPART_URL, x->req.url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
		size_t hl = strlen(host);
		if (hl > 10 && !strcasecmp(host + hl - 10, ".localhost")) {
			char entry[600];
			struct curl_slist *s;
			snprintf(entry, sizeof(entry), "%s:%s:127.0.0.1", host, port);
			s = curl_slist_append(x->resolve, entry);
			if (!s)
				ret = jd_error_oom(err);
			else
				x->resolve = s;
		}
	}
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return ret;
}

static void xfer_cleanup(struct xfer *x)
{
	curl_slist_free_all(x->hdrs);
	curl_slist_free_all(x->resolve);
	x->hdrs = x->resolve = NULL;
}

/* Prepares x->easy for one attempt of x->req into x->resp (reset first). */
static int xfer_setup(struct xfer *x, struct jd_error *err)
{
	struct jd_http *h = x->h;
	CURL *e = x->easy;
	const struct jd_http_request *req = &x->req;
	int ok = 1;

	xfer_cleanup(x);
	clear_headers(x->resp);
	jd_buf_reset(&x->resp->body);
	x->resp->body.max = req->max_body ? req->max_body : DEFAULT_MAX_BODY;
	x->resp->status = 0;
	x->resp->body_bytes = 0;
	x->resp->error_code[0] = '\0';
	x->body_pos = 0;
	x->h->sent -= x->sent;
	x->sent = 0;
	x->io_failed = x->too_big = x->cancelled = 0;
	x->errbuf[0] = '\0';
	if (req->out_fd >= 0) {
		if (lseek(req->out_fd, 0, SEEK_SET) < 0 || ftruncate(req->out_fd, 0) < 0)
			return jd_error_set(err, JD_EIO, "cannot truncate the output: %s",
					    strerror(errno));
	}
	for (size_t i = 0; i < req->nheaders; i++) {
		char line[8192];
		struct curl_slist *s;
		int n = snprintf(line, sizeof(line), "%s: %s", req->headers[i].name,
				 req->headers[i].value);
		if (n < 0 || (size_t)n >= sizeof(line) || strpbrk(line, "\r\n"))
			return jd_error_set(err, JD_EINTERNAL, "bad request header '%.60s'",
					    req->headers[i].name);
		s = curl_slist_append(x->hdrs, line);
		if (!s)
			return jd_error_oom(err);
		x->hdrs = s;
	}
	/* curl's own defaults that AWS does not want */
	{
		struct curl_slist *s = curl_slist_append(x->hdrs, "Accept:");
		if (!s)
			return jd_error_oom(err);
		x->hdrs = s;
	}
	if (add_localhost_resolve(x, err) < 0)
		return -1;
	for (const char *const *r = h->o.resolve; r && *r; r++) {
		struct curl_slist *s = curl_slist_append(x->resolve, *r);
		if (!s)
			return jd_error_oom(err);
		x->resolve = s;
	}

	curl_easy_reset(e);
	ok &= curl_easy_setopt(e, CURLOPT_URL, req->url) == CURLE_OK;
	ok &= curl_easy_setopt(e, CURLOPT_SHARE, h->share) == CURLE_OK;
	ok &= curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) == CURLE_OK;
	ok &= curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK;
	ok &= curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L) == CURLE_OK;
	ok &= curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L) == CURLE_OK;
	if (h->o.ca_bundle)
		ok &= curl_easy_setopt(e, CURLOPT_CAINFO, h->o.ca_bundle) == CURLE_OK;
	ok &= curl_easy_setopt(e, CURLOPT_USERAGENT, h->o.user_agent ? h->o.user_agent : h->ua) ==
	      CURLE_OK;
	ok &= curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
			       opt_or(h->o.connect_timeout_ms, 10000)) == CURLE_OK;
	ok &= curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, opt_or(h->o.stall_seconds, 30)) ==
	      CURLE_OK;
	ok &= curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, opt_or(h->o.stall_bytes, 1)) == CURLE_OK;
	if (h->o.attempt_timeout_ms > 0)
		ok &= curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, h->o.attempt_timeout_ms) == CURLE_OK;
	ok &= curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L) == CURLE_OK;
	ok &= curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf) == CURLE_OK;
	ok &= curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->hdrs) == CURLE_OK;
	if (x->resolve)
		ok &= curl_easy_setopt(e, CURLOPT_RESOLVE, x->resolve) == CURLE_OK;
	ok &= curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, header_cb) == CURLE_OK;
	ok &= curl_easy_setopt(e, CURLOPT_HEADERDATA, x) == CURLE_OK;
	ok &= curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb) == CURLE_OK;
	ok &= curl_easy_setopt(e, CURLOPT_WRITEDATA, x) == CURLE_OK;
	ok &= curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L) == CURLE_OK;
	ok &= curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, xferinfo_cb) == CURLE_OK;
	ok &= curl_easy_setopt(e, CURLOPT_XFERINFODATA, x) == CURLE_OK;
	ok &= curl_easy_setopt(e, CURLOPT_BUFFERSIZE, 256L * 1024) == CURLE_OK;
	if (h->o.log) {
		ok &= curl_easy_setopt(e, CURLOPT_VERBOSE, 1L) == CURLE_OK;
		ok &= curl_easy_setopt(e, CURLOPT_DEBUGFUNCTION, debug_cb) == CURLE_OK;
		ok &= curl_easy_setopt(e, CURLOPT_DEBUGDATA, x) == CURLE_OK;
	}
	if (!strcmp(req->method, "HEAD")) {
		ok &= curl_easy_setopt(e, CURLOPT_NOBODY, 1L) == CURLE_OK;
	} else if (!strcmp(req->method, "GET") && !has_body(req)) {
		ok &= curl_easy_setopt(e, CURLOPT_HTTPGET, 1L) == CURLE_OK;
	} else if (!strcmp(req->method, "DELETE") && !has_body(req)) {
		ok &= curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, "DELETE") == CURLE_OK;
	} else {
		/* any method with a body (possibly empty), sent with Content-Length */
		ok &= curl_easy_setopt(e, CURLOPT_UPLOAD, 1L) == CURLE_OK;
		ok &= curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, (curl_off_t)req->body.len) ==
		      CURLE_OK;
		ok &= curl_easy_setopt(e, CURLOPT_READFUNCTION, read_cb) == CURLE_OK;
		ok &= curl_easy_setopt(e, CURLOPT_READDATA, x) == CURLE_OK;
		ok &= curl_easy_setopt(e, CURLOPT_SEEKFUNCTION, seek_cb) == CURLE_OK;
		ok &= curl_easy_setopt(e, CURLOPT_SEEKDATA, x) == CURLE_OK;
		ok &= curl_easy_setopt(e, CURLOPT_UPLOAD_BUFFERSIZE, 512L * 1024) == CURLE_OK;
		if (strcmp(req->method, "PUT"))
			ok &= curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, req->method) == CURLE_OK;
	}
	if (!ok)
		return jd_error_set(err, JD_EINTERNAL, "libcurl refused an option");
	return 0;
}

/* ---- classifying answers ---- */

int jd_http_retryable(long status, const char *code)
{
	static const char *const codes[] = {"SlowDown",
					    "RequestTimeout",
					    "RequestTimeoutException",
					    "Throttling",
					    "ThrottlingException",
					    "ThrottledException",
					    "RequestThrottled",
					    "RequestThrottledException",
					    "TooManyRequestsException",
					    "ProvisionedThroughputExceededException",
					    "TransactionInProgressException",
					    "RequestLimitExceeded",
					    "BandwidthLimitExceeded",
					    "LimitExceededException",
					    "PriorRequestNotComplete",
					    "EC2ThrottledException",
					    "InternalError",
					    "ServiceUnavailable"};

	if (status >= 500 && status != 501 && status <= 599)
		return 1;
	if (status == 408 || status == 429)
		return 1;
	if (code && *code)
		for (size_t i = 0; i < JD_ARRAY_SIZE(codes); i++)
			if (!strcmp(code, codes[i]))
				return 1;
	return 0;
}

static int curl_retryable(CURLcode c)
{
	switch (c) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_WEIRD_SERVER_REPLY: return 1;
	default: return 0;
	}
}

/* The AWS error code of an answer: S3 XML <Code>, JSON __type/code, or X-Amzn-ErrorType. */
static void find_error_code(struct jd_http_response *r)
{
	const char *t = jd_http_response_header(r, "x-amzn-errortype");
	struct jd_s3xml_error xe;

	r->error_code[0] = '\0';
	if (r->status < 300 && r->status >= 200 && !r->body.len)
		return;
	if (r->body.len && jd_s3xml_error_parse(r->body.data, r->body.len, &xe)) {
		jd_strlcpy(r->error_code, xe.code, sizeof(r->error_code));
		return;
	}
	if (t) {
		size_t n = strcspn(t, ":");
		if (n >= sizeof(r->error_code))
			n = sizeof(r->error_code) - 1;
		memcpy(r->error_code, t, n);
		r->error_code[n] = '\0';
		return;
	}
	if (r->body.len && r->body.data[0] == '{') {
		/* {"__type":"...#ThrottlingException","message":...} or {"code":...} */
		const char *keys[] = {"\"__type\"", "\"code\""};
		for (size_t k = 0; k < 2; k++) {
			const char *p = strstr(r->body.data, keys[k]), *q, *hash;
			if (!p)
				continue;
			p = strchr(p + strlen(keys[k]), '"');
			if (!p)
				continue;
			q = strchr(++p, '"');
			if (!q)
				continue;
			hash = memchr(p, '#', (size_t)(q - p));
			if (hash)
				p = hash + 1;
			if ((size_t)(q - p) < sizeof(r->error_code)) {
				memcpy(r->error_code, p, (size_t)(q - p));
				r->error_code[q - p] = '\0';
			}
			return;
		}
	}
}

int jd_http_error_from_response(struct jd_error *err, const char *what,
				const struct jd_http_response *resp)
{
	struct jd_s3xml_error xe;
	char text[400];

	if (resp->body.len && jd_s3xml_error_parse(resp->body.data, resp->body.len, &xe)) {
		jd_s3xml_error_format(&xe, text, sizeof(text));
		return jd_error_set(err, JD_EREMOTE, "%s: HTTP %ld %s", what, resp->status, text);
	}
	if (resp->error_code[0]) {
		const char *rid = jd_http_response_header(resp, "x-amzn-requestid");
		if (!rid)
			rid = jd_http_response_header(resp, "x-amz-request-id");
		return jd_error_set(err, JD_EREMOTE, "%s: HTTP %ld %s%s%s%s", what, resp->status,
				    resp->error_code, rid ? " (RequestId " : "", rid ? rid : "",
				    rid ? ")" : "");
	}
	return jd_error_set(err, JD_EREMOTE, "%s: HTTP %ld", what, resp->status);
}

/* What went wrong with a finished attempt, for err and the log. */
static int attempt_failure(struct xfer *x, CURLcode rc, struct jd_error *err)
{
	char url[600];

	jd_http_redact_url(x->req.url, url, sizeof(url));
	if (x->cancelled)
		return jd_error_set(err, JD_EREMOTE, "interrupted");
	if (x->io_failed)
		return jd_error_set(err, JD_EIO, "%s %s: %s", x->req.method, url, x->io_msg);
	if (x->too_big)
		return jd_error_set(err, JD_EREMOTE, "%s %s: response too big", x->req.method, url);
	return jd_error_set(err, JD_EREMOTE, "%s %s: %s", x->req.method, url,
			    x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc));
}

/*
 * After an attempt: 0 = answer final, 1 = retry, -1 = failed for good
 * (err set). Fills resp->status and error_code.
 */
static int judge(struct xfer *x, CURLcode rc, unsigned attempt, long long started, long *delay,
		 struct jd_error *err)
{
	struct jd_http *h = x->h;
	unsigned max = h->o.max_attempts ? h->o.max_attempts : 6;
	long budget = opt_or(h->o.retry_budget_ms, 180000);
	int retry = 0;
	char url[600], why[300];

	x->resp->attempts = attempt + 1;
	if (x->cancelled || x->io_failed || x->too_big || cancelled(h))
		return x->cancelled || cancelled(h) ? jd_error_set(err, JD_EREMOTE, "interrupted")
						    : attempt_failure(x, rc, err);
	if (rc != CURLE_OK) {
		retry = curl_retryable(rc);
		snprintf(why, sizeof(why), "%s", x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc));
	} else {
		curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &x->resp->status);
		find_error_code(x->resp);
		retry = jd_http_retryable(x->resp->status, x->resp->error_code);
		snprintf(why, sizeof(why), "HTTP %ld%s%s", x->resp->status,
			 x->resp->error_code[0] ? " " : "", x->resp->error_code);
	}
	if (!retry)
		return rc == CURLE_OK ? 0 : attempt_failure(x, rc, err);
	*delay = backoff_ms(h, attempt);
	jd_http_redact_url(x->req.url, url, sizeof(url));
	if (attempt + 1 >= max || now_ms() + *delay - started > budget) {
		if (rc == CURLE_OK)
			return 0; /* the caller reports the last answer */
		return jd_error_set(err, JD_EREMOTE, "%s %s: %s (after %u attempts)", x->req.method,
				    url, why, attempt + 1);
	}
	logf_(h, "* %s %s: %s; retry %u/%u in %ld ms", x->req.method, url, why, attempt + 1,
	      max - 1, *delay);
	return 1;
}

/* ---- the client ---- */

struct jd_http *jd_http_new(const struct jd_http_options *o)
{
	static int global_done;
	struct jd_http *h;

	if (!global_done) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return NULL;
		global_done = 1;
	}
	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	if (o)
		h->o = *o;
	snprintf(h->ua, sizeof(h->ua), "jobdoc/%s", JD_VERSION);
	h->share = curl_share_init();
	h->easy = curl_easy_init();
	if (!h->share || !h->easy) {
		jd_http_free(h);
		return NULL;
	}
	curl_share_setopt(h->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(h->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	curl_share_setopt(h->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
	return h;
}

void jd_http_free(struct jd_http *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < MAX_JOBS; i++)
		if (h->slot_easy[i])
			curl_easy_cleanup(h->slot_easy[i]);
	if (h->multi)
		curl_multi_cleanup(h->multi);
	if (h->easy)
		curl_easy_cleanup(h->easy);
	if (h->share)
		curl_share_cleanup(h->share);
	free(h);
}

int jd_http_ignore_cancel(struct jd_http *h, int on)
{
	int old = h->ignore_cancel;

	h->ignore_cancel = on;
	return old;
}

int jd_http_do(struct jd_http *h, const struct jd_http_request *req, struct jd_http_response *resp,
	       struct jd_error *err)
{
	struct xfer x;
	long long started = now_ms();
	int ret = -1;

	jd_http_response_release(resp);
	memset(&x, 0, sizeof(x));
	x.h = h;
	x.easy = h->easy;
	x.req = *req;
	x.resp = resp;
	for (unsigned attempt = 0;; attempt++) {
		CURLcode rc;
		long delay = 0;
		int j;

		if (cancelled(h)) {
			jd_error_set(err, JD_EREMOTE, "interrupted");
			break;
		}
		if (xfer_setup(&x, err) < 0)
			break;
		rc = curl_easy_perform(h->easy);
		j = judge(&x, rc, attempt, started, &delay, err);
		if (j == 0)
			ret = 0;
		if (j <= 0)
			break;
		if (nap(h, delay) < 0) {
			jd_error_set(err, JD_EREMOTE, "interrupted");
			break;
		}
	}
	h->sent -= x.sent;
	xfer_cleanup(&x);
	/* drop the share reference so the handle can be reused cleanly */
	curl_easy_setopt(h->easy, CURLOPT_SHARE, NULL);
	return ret;
}

/* ---- batches over a multi handle ---- */

enum slot_state { SLOT_FREE, SLOT_RUNNING, SLOT_WAITING };

struct slot {
	enum slot_state state;
	size_t index;
	unsigned attempt;
	long long started, due;
	struct xfer x;
	struct jd_http_response resp;
	struct jd_http_request req;
};

int jd_http_batch(struct jd_http *h, size_t n, unsigned jobs, const struct jd_http_batch_ops *ops,
		  void *ctx, struct jd_error *err)
{
	struct slot *slots = NULL;
	size_t next = 0, finished = 0;
	long long last_progress = 0;
	int ret = -1;

	if (!jobs)
		jobs = 1;
	if (jobs > MAX_JOBS)
		jobs = MAX_JOBS;
	if ((size_t)jobs > n)
		jobs = n ? (unsigned)n : 1;
	if (!h->multi) {
		h->multi = curl_multi_init();
		if (!h->multi)
			return jd_error_oom(err);
		curl_multi_setopt(h->multi, CURLMOPT_MAXCONNECTS, (long)MAX_JOBS);
	}
	slots = calloc(jobs, sizeof(*slots));
	if (!slots)
		return jd_error_oom(err);
	h->sent = 0;
	for (unsigned s = 0; s < jobs; s++) {
		if (!h->slot_easy[s] && !(h->slot_easy[s] = curl_easy_init())) {
			jd_error_oom(err);
			goto out;
		}
		jd_http_response_init(&slots[s].resp);
		slots[s].x.h = h;
		slots[s].x.easy = h->slot_easy[s];
		slots[s].x.resp = &slots[s].resp;
	}

	while (finished < n) {
		int still = 0, numfds = 0, waiting_ready = 0, msgs;
		long long now = now_ms(), wait = 200;
		CURLMsg *m;

		if (cancelled(h)) {
			jd_error_set(err, JD_EREMOTE, "interrupted");
			goto out;
		}
		/* start new transfers and due retries */
		for (unsigned s = 0; s < jobs; s++) {
			struct slot *sl = &slots[s];
			int p;

			if (sl->state == SLOT_RUNNING)
				continue;
			if (sl->state == SLOT_WAITING && sl->due > now) {
				if (sl->due - now < wait)
					wait = sl->due - now;
				continue;
			}
			if (sl->state == SLOT_FREE) {
				if (next >= n || waiting_ready)
					continue;
				sl->index = next;
				sl->attempt = 0;
				sl->started = now;
			}
			memset(&sl->req, 0, sizeof(sl->req));
			sl->req.out_fd = -1;
			sl->req.body.fd = -1;
			p = ops->prepare(ctx, sl->index, sl->attempt, &sl->req, err);
			if (p < 0)
				goto out;
			if (p > 0) { /* not ready: ask again shortly */
				waiting_ready = 1;
				wait = 10;
				continue;
			}
			if (sl->state == SLOT_FREE)
				next++;
			sl->x.req = sl->req;
			if (xfer_setup(&sl->x, err) < 0)
				goto out;
			if (curl_multi_add_handle(h->multi, sl->x.easy) != CURLM_OK) {
				jd_error_set(err, JD_EINTERNAL, "curl_multi_add_handle failed");
				goto out;
			}
			sl->state = SLOT_RUNNING;
		}
		if (curl_multi_perform(h->multi, &still) != CURLM_OK) {
			jd_error_set(err, JD_EINTERNAL, "curl_multi_perform failed");
			goto out;
		}
		while ((m = curl_multi_info_read(h->multi, &msgs))) {
			struct slot *sl = NULL;
			long delay = 0;
			int j;

			if (m->msg != CURLMSG_DONE)
				continue;
			for (unsigned s = 0; s < jobs; s++)
				if (slots[s].state == SLOT_RUNNING &&
				    slots[s].x.easy == m->easy_handle)
					sl = &slots[s];
			if (!sl)
				continue;
			curl_multi_remove_handle(h->multi, sl->x.easy);
			j = judge(&sl->x, m->data.result, sl->attempt, sl->started, &delay, err);
			if (j < 0) {
				sl->state = SLOT_FREE;
				goto out;
			}
			if (j == 0) {
				int d = ops->done(ctx, sl->index, &sl->resp, err);
				unsigned max = h->o.max_attempts ? h->o.max_attempts : 6;
				if (d < 0) {
					sl->state = SLOT_FREE;
					goto out;
				}
				if (d > 0) {
					if (sl->attempt + 1 >= max) {
						char why[sizeof(err->msg)];
						sl->state = SLOT_FREE;
						jd_strlcpy(why, err->msg, sizeof(why));
						jd_error_set(err, JD_EREMOTE,
							     "%s (after %u attempts)", why,
							     sl->attempt + 1);
						goto out;
					}
					delay = backoff_ms(h, sl->attempt);
					j = 1;
				} else {
					sl->state = SLOT_FREE;
					finished++;
				}
			}
			if (j == 1) {
				h->sent -= sl->x.sent;
				sl->x.sent = 0;
				sl->attempt++;
				sl->due = now_ms() + delay;
				sl->state = SLOT_WAITING;
				wait = 0;
			}
		}
		if (h->o.progress && now_ms() - last_progress >= 200) {
			last_progress = now_ms();
			h->o.progress(h->o.progress_ctx, h->sent);
		}
		if (finished < n && wait > 0 &&
		    curl_multi_poll(h->multi, NULL, 0, (int)wait, &numfds) != CURLM_OK) {
			jd_error_set(err, JD_EINTERNAL, "curl_multi_poll failed");
			goto out;
		}
	}
	if (h->o.progress)
		h->o.progress(h->o.progress_ctx, h->sent);
	ret = 0;
out:
	if (slots) {
		for (unsigned s = 0; s < jobs; s++) {
			if (slots[s].state == SLOT_RUNNING)
				curl_multi_remove_handle(h->multi, slots[s].x.easy);
			xfer_cleanup(&slots[s].x);
			if (slots[s].x.easy)
				curl_easy_setopt(slots[s].x.easy, CURLOPT_SHARE, NULL);
			jd_http_response_release(&slots[s].resp);
			jd_buf_release(&slots[s].resp.body);
		}
	}
	free(slots);
	return ret;
}
