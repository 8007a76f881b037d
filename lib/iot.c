#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"
#include "internal.h"
#include "http.h"
#include "iot.h"
#include "json.h"
#include "jsonparse.h"

#define ENDPOINT_MAX 1024

/* ---- endpoint, ids ------------------------------------------------------ */

static int is_http_url(const char *s)
{
	return !strncmp(s, "https://", 8) || !strncmp(s, "http://", 7);
}

int jd_iot_endpoint(const char *flag, const char *region, char *out, size_t size,
		    struct jd_error *err)
{
	const char *from = "--endpoint", *url = flag;
	int n;

	if (!url || !*url) {
		from = "AWS_ENDPOINT_URL_IOT";
		url = getenv(from);
	}
	if (!url || !*url) {
		from = "AWS_ENDPOINT_URL";
		url = getenv(from);
	}
	if (url && *url) {
		if (!is_http_url(url) || !url[strcspn(url, ":") + 3])
			return jd_error_set(err, JD_EUSAGE, "%s: not an http(s) URL: '%s'", from,
					    url);
		if (strlen(url) >= size)
			return jd_error_set(err, JD_EUSAGE, "%s: URL too long", from);
		jd_strlcpy(out, url, size);
		n = (int)strlen(out);
		while (n > 0 && out[n - 1] == '/')
			out[--n] = '\0';
		return 0;
	}
	if (!region || !*region)
		return jd_error_set(err, JD_EUSAGE,
				    "no region: use --region, AWS_REGION or a profile's region");
	if (strspn(region, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(region))
		return jd_error_set(err, JD_EUSAGE, "invalid region '%.64s'", region);
	n = snprintf(out, size, "https://iot.%s.amazonaws.com%s", region,
		     !strncmp(region, "cn-", 3) ? ".cn" : "");
	if (n < 0 || (size_t)n >= size)
		return jd_error_set(err, JD_EUSAGE, "region too long");
	return 0;
}

int jd_iot_check_job_id(const char *id, struct jd_error *err)
{
	size_t n = id ? strlen(id) : 0;
	size_t ok = id ? strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "0123456789_-")
		       : 0;

	if (n == 0)
		return jd_error_set(err, JD_EUSAGE, "empty jobId");
	if (n > JD_IOT_JOB_ID_MAX)
		return jd_error_set(err, JD_EUSAGE, "jobId longer than %d characters: '%.80s...'",
				    JD_IOT_JOB_ID_MAX, id);
	if (ok != n && isprint((unsigned char)id[ok]))
		return jd_error_set(err, JD_EUSAGE,
				    "jobId '%s' has '%c' (allowed: letters, digits, '_' and '-')",
				    id, id[ok]);
	if (ok != n)
		return jd_error_set(err, JD_EUSAGE,
				    "jobId has byte 0x%02x at %zu (allowed: letters, digits, '_' "
				    "and '-')",
				    (unsigned char)id[ok], ok);
	return 0;
}

/* ---- building and signing ----------------------------------------------- */

void jd_iot_http_init(struct jd_iot_http *h)
{
	memset(h, 0, sizeof(*h));
	jd_sigv4_signed_init(&h->sig);
}

void jd_iot_http_release(struct jd_iot_http *h)
{
	size_t i;

	free(h->url);
	free(h->target);
	free(h->body);
	for (i = 0; i < h->nheaders; i++) {
		free(h->headers[i].name);
		free(h->headers[i].value);
	}
	jd_sigv4_signed_release(&h->sig);
	jd_iot_http_init(h);
}

static int add_header(struct jd_iot_http *h, const char *name, const char *value,
		      struct jd_error *err)
{
	char *n, *v;

	if (h->nheaders >= JD_ARRAY_SIZE(h->headers))
		return jd_error_set(err, JD_EINTERNAL, "too many headers");
	n = jd_strndup(name, strlen(name));
	v = jd_strndup(value, strlen(value));
	if (!n || !v) {
		free(n);
		free(v);
		return jd_error_oom(err);
	}
	h->headers[h->nheaders].name = n;
	h->headers[h->nheaders].value = v;
	h->nheaders++;
	return 0;
}

/*
 * The authority of url (host[:port], the default port dropped) into host,
 * the path prefix after it (without trailing '/') into *prefix_len chars
 * at *prefix.
 */
static int split_endpoint(const char *url, char *host, size_t size, const char **prefix,
			  size_t *prefix_len, struct jd_error *err)
{
	int https = !strncmp(url, "https://", 8);
	const char *a = url + (https ? 8 : 7), *end;
	size_t n;

	end = a + strcspn(a, "/?#");
	n = (size_t)(end - a);
	if (n == 0 || n >= size || memchr(a, '@', n))
		return jd_error_set(err, JD_EUSAGE, "bad endpoint '%.200s'", url);
	memcpy(host, a, n);
	host[n] = '\0';
	if (https && n > 4 && !strcmp(host + n - 4, ":443"))
		host[n - 4] = '\0';
	else if (!https && n > 3 && !strcmp(host + n - 3, ":80"))
		host[n - 3] = '\0';
	if (*end == '?' || *end == '#')
		return jd_error_set(err, JD_EUSAGE, "endpoint '%.200s' has a query or fragment",
				    url);
	*prefix = end;
	*prefix_len = strlen(end);
	while (*prefix_len && end[*prefix_len - 1] == '/')
		(*prefix_len)--;
	return 0;
}

static int sign_time(const struct jd_iot_config *c, struct jd_sigv4_time *t, struct jd_error *err)
{
	if (c->date && *c->date)
		return jd_sigv4_time_parse(c->date, t, err);
	return jd_sigv4_time_from_epoch(time(NULL), t, err);
}

/*
 * Builds and signs METHOD endpoint-prefix + path_enc [?query] with body
 * (taken: freed here on failure too).
 */
static int prepare(const struct jd_iot_config *c, const char *operation, const char *method,
		   const char *path_enc, const char *query, char *body_take, size_t body_len,
		   struct jd_iot_http *out, struct jd_error *err)
{
	char endpoint[ENDPOINT_MAX], host[512], hash[65];
	const char *prefix = NULL;
	size_t prefix_len = 0, i;
	struct jd_buf target = JD_BUF_INIT(ENDPOINT_MAX * 4);
	struct jd_buf url = JD_BUF_INIT(ENDPOINT_MAX * 6);
	struct jd_sigv4_header sh[2];
	struct jd_sigv4_request req;
	struct jd_sigv4_params p;
	int ret = -1;

	jd_iot_http_release(out);
	out->body = body_take;
	out->body_len = body_len;
	body_take = NULL;
	out->operation = operation;
	jd_strlcpy(out->method, method, sizeof(out->method));
	if (!c->creds || !c->creds->access_key_id || !*c->creds->access_key_id ||
	    !c->creds->secret_access_key || !*c->creds->secret_access_key) {
		jd_error_set(err, JD_EUSAGE,
			     "no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
			     "or use a profile");
		goto out;
	}
	if (jd_iot_endpoint(c->endpoint, c->region, endpoint, sizeof(endpoint), err) < 0 ||
	    split_endpoint(endpoint, host, sizeof(host), &prefix, &prefix_len, err) < 0)
		goto out;
	if (!c->region || !*c->region) {
		jd_error_set(err, JD_EUSAGE,
			     "no region: use --region, AWS_REGION or a profile's region");
		goto out;
	}
	if (jd_buf_add(&target, prefix, prefix_len, err) < 0 ||
	    jd_buf_adds(&target, path_enc, err) < 0)
		goto out;
	memset(&req, 0, sizeof(req));
	req.method = method;
	req.path = target.data;
	req.query = query;
	sh[0].name = "Host";
	sh[0].value = host;
	sh[1].name = "Content-Type";
	sh[1].value = "application/json";
	req.headers = sh;
	req.nheaders = out->body ? 2 : 1;
	if (out->body) {
		jd_sigv4_sha256_hex(out->body, out->body_len, hash);
		req.payload_hash = hash;
	}
	memset(&p, 0, sizeof(p));
	p.creds = c->creds;
	p.region = c->region;
	p.service =
		c->signing_name && *c->signing_name ? c->signing_name : JD_IOT_DEFAULT_SIGNING_NAME;
	if (sign_time(c, &p.time, err) < 0)
		goto out;
	if (jd_sigv4_sign_headers(&p, &req, NULL, &out->sig, err) < 0)
		goto out;
	for (i = 0; i < req.nheaders; i++)
		if (add_header(out, sh[i].name, sh[i].value, err) < 0)
			goto out;
	for (i = 0; i < out->sig.nheaders; i++)
		if (add_header(out, out->sig.headers[i].name, out->sig.headers[i].value, err) < 0)
			goto out;
	if (query && *query &&
	    (jd_buf_addc(&target, '?', err) < 0 || jd_buf_adds(&target, query, err) < 0))
		goto out;
	if (jd_buf_add(&url, endpoint, (size_t)(prefix - endpoint), err) < 0 ||
	    jd_buf_adds(&url, target.data, err) < 0)
		goto out;
	out->target = jd_buf_detach(&target, NULL);
	out->url = jd_buf_detach(&url, NULL);
	if (!out->target || !out->url) {
		jd_error_oom(err);
		goto out;
	}
	ret = 0;
out:
	free(body_take);
	jd_buf_release(&target);
	jd_buf_release(&url);
	if (ret < 0)
		jd_iot_http_release(out);
	return ret;
}

/* "/jobs/" + percent-encoded id + suffix */
static int job_path(const char *job_id, const char *suffix, struct jd_buf *b, struct jd_error *err)
{
	if (jd_buf_adds(b, "/jobs/", err) < 0 ||
	    jd_uri_encode(b, job_id, strlen(job_id), 0, err) < 0 || jd_buf_adds(b, suffix, err) < 0)
		return -1;
	return 0;
}

int jd_iot_prepare_create_job(const struct jd_iot_config *c, const json_t *request,
			      struct jd_iot_http *out, struct jd_error *err)
{
	struct jd_buf path = JD_BUF_INIT(1024), body = JD_BUF_INIT(JD_IOT_BODY_MAX);
	json_t *copy = NULL;
	const char *id;
	char *b;
	size_t n;
	int ret = -1;

	if (!json_is_object(request)) {
		jd_error_set(err, JD_EINVALID, "the request is not a JSON object");
		goto out;
	}
	id = json_string_value(json_object_get(request, "jobId"));
	if (!id) {
		jd_error_at(err, JD_EINVALID, NULL, 0, 0, "/jobId", "%s",
			    json_object_get(request, "jobId") ? "not a string" : "missing");
		goto out;
	}
	if (jd_iot_check_job_id(id, err) < 0) {
		err->code = JD_EINVALID;
		jd_error_place(err, NULL, 0, 0, "/jobId");
		goto out;
	}
	copy = json_copy((json_t *)request);
	if (!copy || json_object_del(copy, "jobId") < 0) {
		jd_error_oom(err);
		goto out;
	}
	if (job_path(id, "", &path, err) < 0 || jd_json_dump(copy, &body, err) < 0)
		goto out;
	b = jd_buf_detach(&body, &n);
	if (!b) {
		jd_error_oom(err);
		goto out;
	}
	ret = prepare(c, "CreateJob", "PUT", path.data, NULL, b, n, out, err);
out:
	json_decref(copy);
	jd_buf_release(&path);
	jd_buf_release(&body);
	return ret;
}

int jd_iot_prepare_get_job_document(const struct jd_iot_config *c, const char *job_id,
				    int before_substitution, struct jd_iot_http *out,
				    struct jd_error *err)
{
	struct jd_buf path = JD_BUF_INIT(1024);
	int ret = -1;

	if (jd_iot_check_job_id(job_id, err) < 0 ||
	    job_path(job_id, "/job-document", &path, err) < 0)
		goto out;
	ret = prepare(c, "GetJobDocument", "GET", path.data,
		      before_substitution ? "beforeSubstitution=true" : "beforeSubstitution=false",
		      NULL, 0, out, err);
out:
	jd_buf_release(&path);
	return ret;
}

int jd_iot_prepare_describe_job(const struct jd_iot_config *c, const char *job_id,
				struct jd_iot_http *out, struct jd_error *err)
{
	struct jd_buf path = JD_BUF_INIT(1024);
	int ret = -1;

	if (jd_iot_check_job_id(job_id, err) < 0 || job_path(job_id, "", &path, err) < 0)
		goto out;
	ret = prepare(c, "DescribeJob", "GET", path.data, NULL, NULL, 0, out, err);
out:
	jd_buf_release(&path);
	return ret;
}

int jd_iot_format_http(const struct jd_iot_http *h, int crlf, struct jd_buf *out,
		       struct jd_error *err)
{
	const char *eol = crlf ? "\r\n" : "\n";
	size_t i;

	if (jd_buf_addf(out, err, "%s %s HTTP/1.1%s", h->method, h->target, eol) < 0)
		return -1;
	for (i = 0; i < h->nheaders; i++) {
		/* a session token is a credential: shown as lib/http logs it */
		const char *v = strcasecmp(h->headers[i].name, "X-Amz-Security-Token")
					? h->headers[i].value
					: "REDACTED";
		if (jd_buf_addf(out, err, "%s: %s%s", h->headers[i].name, v, eol) < 0)
			return -1;
		/* Content-Length after Content-Type, as a client would send it */
		if (!strcmp(h->headers[i].name, "Content-Type") &&
		    jd_buf_addf(out, err, "Content-Length: %zu%s", h->body_len, eol) < 0)
			return -1;
	}
	if (jd_buf_adds(out, eol, err) < 0)
		return -1;
	if (h->body && jd_buf_add(out, h->body, h->body_len, err) < 0)
		return -1;
	return 0;
}

/* ---- errors ------------------------------------------------------------- */

static void copy_code(char *code, size_t size, const char *s, size_t n)
{
	size_t i, o = 0;

	/* the code is a name: keep it to printable ASCII, it lands in messages */
	for (i = 0; i < n && o + 1 < size; i++)
		if (isalnum((unsigned char)s[i]) || s[i] == '.' || s[i] == '_' || s[i] == '-')
			code[o++] = s[i];
	code[o] = '\0';
}

void jd_iot_parse_error(const char *error_type_header, const char *body, size_t len, char *code,
			size_t code_size, char *message, size_t message_size)
{
	json_t *j = NULL, *v;
	const char *s;

	if (code_size)
		code[0] = '\0';
	if (message_size)
		message[0] = '\0';
	if (body && len)
		j = jd_json_parse(body, len, JSON_DECODE_ANY, NULL);
	if (error_type_header && *error_type_header && code_size)
		copy_code(code, code_size, error_type_header, strcspn(error_type_header, ":"));
	if (code_size && !code[0] && json_is_object(j)) {
		if ((s = json_string_value(json_object_get(j, "__type")))) {
			const char *hash = strrchr(s, '#');
			s = hash ? hash + 1 : s;
			copy_code(code, code_size, s, strcspn(s, ":"));
		} else if ((s = json_string_value(json_object_get(j, "code")))) {
			copy_code(code, code_size, s, strlen(s));
		}
	}
	if (message_size && json_is_object(j)) {
		v = json_object_get(j, "message");
		if (!v)
			v = json_object_get(j, "Message");
		if ((s = json_string_value(v))) {
			size_t i, o = 0;
			/* one line: control characters become spaces */
			for (i = 0; s[i] && o + 1 < message_size; i++)
				message[o++] = (unsigned char)s[i] < 0x20 ? ' ' : s[i];
			message[o] = '\0';
		}
	}
	json_decref(j);
}

/* ---- comparing an existing job ------------------------------------------ */

static void ptr_append(char *ptr, size_t size, const char *key)
{
	size_t n = strlen(ptr);

	if (n + 1 >= size)
		return;
	ptr[n++] = '/';
	for (; *key && n + 2 < size; key++) {
		if (*key == '~' || *key == '/') {
			ptr[n++] = '~';
			ptr[n++] = *key == '~' ? '0' : '1';
		} else {
			ptr[n++] = *key;
		}
	}
	ptr[n] = '\0';
}

static void show(const json_t *v, char *out, size_t size)
{
	struct jd_buf b = JD_BUF_INIT(4096);
	struct jd_error e;

	if (!v) {
		jd_strlcpy(out, "(absent)", size);
		return;
	}
	jd_error_clear(&e);
	if (jd_json_dump(v, &b, &e) < 0 && !b.data) {
		jd_strlcpy(out, "(?)", size);
	} else if (b.len >= size && size > 4) {
		memcpy(out, b.data, size - 4);
		memcpy(out + size - 4, "...", 4);
	} else {
		jd_strlcpy(out, b.data ? b.data : "", size);
	}
	jd_buf_release(&b);
}

/*
 * The first difference between a (existing) and b (ours), as
 * "pointer: A != B" into why. Numbers compare by value (2 == 2.0). Returns
 * 1 when they differ, 0 when equal.
 */
static int diff(const json_t *a, const json_t *b, char *ptr, size_t psize, char *why, size_t wsize,
		unsigned depth)
{
	char va[120], vb[120];
	size_t plen = strlen(ptr), i;
	const char *key;
	json_t *m;

	if (a && b && depth < 64) {
		if (json_is_number(a) && json_is_number(b)) {
			if (json_number_value(a) == json_number_value(b) &&
			    (!json_is_integer(a) || !json_is_integer(b) ||
			     json_integer_value(a) == json_integer_value(b)))
				return 0;
		} else if (json_typeof(a) == json_typeof(b)) {
			switch (json_typeof(a)) {
			case JSON_OBJECT:
				json_object_foreach((json_t *)a, key, m)
				{
					ptr_append(ptr, psize, key);
					if (diff(m, json_object_get(b, key), ptr, psize, why, wsize,
						 depth + 1))
						return 1;
					ptr[plen] = '\0';
				}
				json_object_foreach((json_t *)b, key, m)
				{
					if (json_object_get(a, key))
						continue;
					ptr_append(ptr, psize, key);
					return diff(NULL, m, ptr, psize, why, wsize, depth + 1);
				}
				return 0;
			case JSON_ARRAY:
				if (json_array_size(a) != json_array_size(b))
					break;
				json_array_foreach((json_t *)a, i, m)
				{
					char idx[24];
					snprintf(idx, sizeof(idx), "%zu", i);
					ptr_append(ptr, psize, idx);
					if (diff(m, json_array_get(b, i), ptr, psize, why, wsize,
						 depth + 1))
						return 1;
					ptr[plen] = '\0';
				}
				return 0;
			case JSON_STRING:
				if (json_string_length(a) == json_string_length(b) &&
				    !memcmp(json_string_value(a), json_string_value(b),
					    json_string_length(a)))
					return 0;
				break;
			default: /* true, false, null */ return 0;
			}
		}
	} else if (!a && !b) {
		return 0;
	}
	show(a, va, sizeof(va));
	show(b, vb, sizeof(vb));
	snprintf(why, wsize, "%s: %s != %s", ptr[0] ? ptr : "/", va, vb);
	return 1;
}

/* A member as it compares: absent and AWS's defaults and empty forms made equal. */
static json_t *normal(const json_t *obj, const char *name)
{
	json_t *v = json_object_get(obj, name);

	if (!strcmp(name, "targetSelection") && !v)
		return json_string("SNAPSHOT");
	if (!strcmp(name, "description") && !v)
		return json_string("");
	if (json_is_object(v) && json_object_size(v) == 0)
		return NULL; /* DescribeJob answers {} for an absent configuration */
	if (!strcmp(name, "presignedUrlConfig") && v) {
		json_t *c = json_deep_copy(v);
		if (c && !json_object_get(c, "expiresInSec"))
			json_object_set_new(c, "expiresInSec", json_integer(3600));
		return c;
	}
	if (!strcmp(name, "targets") && json_is_array(v)) {
		/* a set: sort a copy */
		json_t *c = json_array();
		size_t i, j, n = json_array_size(v);
		for (i = 0; c && i < n; i++) {
			json_t *x = json_array_get(v, i);
			const char *xs = json_string_value(x);
			for (j = 0; xs && j < json_array_size(c); j++) {
				const char *ys = json_string_value(json_array_get(c, j));
				if (ys && strcmp(xs, ys) < 0)
					break;
			}
			json_array_insert(c, xs ? j : json_array_size(c), x);
		}
		return c;
	}
	return json_incref(v);
}

static const char *const compared[] = {
	"targets",
	"targetSelection",
	"description",
	"presignedUrlConfig",
	"jobExecutionsRolloutConfig",
	"abortConfig",
	"timeoutConfig",
	"namespaceId",
	"jobTemplateArn",
	"jobExecutionsRetryConfig",
	"documentParameters",
	"schedulingConfig",
	"destinationPackageVersions",
};

int jd_iot_compare_job(const json_t *request, const json_t *describe, const char *document,
		       char *why, size_t why_size, struct jd_error *err)
{
	const json_t *job = json_object_get(describe, "job");
	const char *mine = json_string_value(json_object_get(request, "document"));
	char ptr[256], d[400];
	size_t i;
	int differs = 0;

	if (!json_is_object(job))
		return jd_error_set(err, JD_EREMOTE, "DescribeJob: the answer has no 'job' object");
	why[0] = '\0';
	/* the document first: it is what a device acts on */
	if (mine) {
		json_t *a =
			document ? jd_json_parse(document, strlen(document), JSON_DECODE_ANY, NULL)
				 : NULL;
		json_t *b = jd_json_parse(mine, strlen(mine), JSON_DECODE_ANY, NULL);
		if (!b) {
			json_decref(a);
			return jd_error_set(err, JD_EINVALID, "/document: not JSON");
		}
		ptr[0] = '\0';
		if (!a) {
			snprintf(why, why_size, "a different document: %s",
				 document ? "not JSON" : "none");
			differs = 1;
		} else if (diff(a, b, ptr, sizeof(ptr), d, sizeof(d), 0)) {
			snprintf(why, why_size, "a different document: %s", d);
			differs = 1;
		}
		json_decref(a);
		json_decref(b);
		if (differs)
			return 1;
	}
	{
		json_t *a = json_object_get(describe, "documentSource");
		json_t *b = json_object_get(request, "documentSource");
		ptr[0] = '\0';
		if ((a || b) && diff(a, b, ptr, sizeof(ptr), d, sizeof(d), 0)) {
			snprintf(why, why_size, "a different documentSource: %s", d + 3);
			return 1;
		}
	}
	for (i = 0; i < JD_ARRAY_SIZE(compared); i++) {
		json_t *a = normal(job, compared[i]);
		json_t *b = normal(request, compared[i]);
		snprintf(ptr, sizeof(ptr), "/%s", compared[i]);
		differs = diff(a, b, ptr, sizeof(ptr), d, sizeof(d), 0);
		json_decref(a);
		json_decref(b);
		if (differs) {
			snprintf(why, why_size, "a different %s: %s", compared[i], d);
			return 1;
		}
	}
	return 0;
}

/* ---- the operations ----------------------------------------------------- */

void jd_iot_job_release(struct jd_iot_job *j)
{
	free(j->job_arn);
	free(j->job_id);
	free(j->description);
	memset(j, 0, sizeof(*j));
}

static char *dup_member(const json_t *o, const char *name)
{
	const char *s = json_string_value(json_object_get(o, name));

	return s ? jd_strndup(s, strlen(s)) : NULL;
}

static void logf_(const struct jd_iot_config *c, const char *fmt, ...) JD_PRINTF(2, 3);
static void logf_(const struct jd_iot_config *c, const char *fmt, ...)
{
	char line[600];
	va_list ap;

	if (!c->log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	c->log(c->log_ctx, line);
}

int jd_iot_describe_job(const struct jd_iot_config *c, const char *job_id, json_t **answer,
			struct jd_error *err)
{
	struct jd_iot_http h;
	long status;
	int ret;

	*answer = NULL;
	jd_iot_http_init(&h);
	ret = jd_iot_prepare_describe_job(c, job_id, &h, err);
	if (!ret)
		ret = jd_iot_send(c, &h, &status, answer, NULL, err);
	jd_iot_http_release(&h);
	return ret;
}

int jd_iot_get_job_document(const struct jd_iot_config *c, const char *job_id,
			    int before_substitution, char **document, struct jd_error *err)
{
	struct jd_iot_http h;
	json_t *answer = NULL;
	const char *doc;
	long status;
	int ret = -1;

	*document = NULL;
	jd_iot_http_init(&h);
	if (jd_iot_prepare_get_job_document(c, job_id, before_substitution, &h, err) < 0 ||
	    jd_iot_send(c, &h, &status, &answer, NULL, err) < 0)
		goto out;
	doc = json_string_value(json_object_get(answer, "document"));
	if (!doc) {
		jd_error_set(err, JD_EREMOTE,
			     "GetJobDocument: the answer has no 'document' string");
		goto out;
	}
	*document = jd_strndup(doc, strlen(doc));
	if (!*document) {
		jd_error_oom(err);
		goto out;
	}
	ret = 0;
out:
	json_decref(answer);
	jd_iot_http_release(&h);
	return ret;
}

int jd_iot_create_job(const struct jd_iot_config *c, const json_t *request, struct jd_iot_job *out,
		      struct jd_error *err)
{
	struct jd_iot_http h;
	json_t *answer = NULL, *describe = NULL;
	char code[JD_IOT_CODE_MAX], why[480], *doc = NULL;
	const char *id;
	long status;
	int ret = -1, r;

	memset(out, 0, sizeof(*out));
	jd_iot_http_init(&h);
	if (jd_iot_prepare_create_job(c, request, &h, err) < 0)
		goto out;
	id = json_string_value(json_object_get(request, "jobId"));
	if (jd_iot_send(c, &h, &status, &answer, code, err) == 0) {
		out->job_arn = dup_member(answer, "jobArn");
		out->job_id = dup_member(answer, "jobId");
		out->description = dup_member(answer, "description");
		if (!out->job_arn || !out->job_id) {
			jd_error_set(err, JD_EREMOTE,
				     "CreateJob: the answer lacks jobArn or jobId");
			goto out;
		}
		ret = 0;
		goto out;
	}
	if (strcmp(code, "ResourceAlreadyExistsException"))
		goto out;
	/* The job is there: the same request is success, another is an error. */
	logf_(c, "job '%s' exists; reading it back to compare", id);
	jd_error_clear(err);
	if (jd_iot_describe_job(c, id, &describe, err) < 0)
		goto out;
	if (json_object_get(request, "document") &&
	    jd_iot_get_job_document(c, id, 1, &doc, err) < 0)
		goto out;
	r = jd_iot_compare_job(request, describe, doc, why, sizeof(why), err);
	if (r < 0)
		goto out;
	{
		/* a job on its way out will not run: the same request is no success */
		const char *st = json_string_value(
			json_object_get(json_object_get(describe, "job"), "status"));
		if (st && !strcmp(st, "DELETION_IN_PROGRESS")) {
			jd_error_set(
				err, JD_EINVALID,
				"job '%s' exists and is being deleted (DELETION_IN_PROGRESS); its "
				"jobId cannot be used until the deletion completes",
				id);
			goto out;
		}
		if (st)
			jd_strlcpy(out->status, st, sizeof(out->status));
	}
	if (r > 0) {
		jd_error_set(err, JD_EINVALID, "job '%s' exists with %s", id, why);
		goto out;
	}
	{
		const json_t *job = json_object_get(describe, "job");
		out->job_arn = dup_member(job, "jobArn");
		out->job_id = dup_member(job, "jobId");
		out->description = dup_member(job, "description");
		out->existed = 1;
		if (!out->job_arn || !out->job_id) {
			jd_error_set(err, JD_EREMOTE,
				     "DescribeJob: the answer lacks jobArn or jobId");
			goto out;
		}
	}
	ret = 0;
out:
	if (ret < 0)
		jd_iot_job_release(out);
	free(doc);
	json_decref(answer);
	json_decref(describe);
	jd_iot_http_release(&h);
	return ret;
}

/* ---- sending (over lib/http) -------------------------------------------- */

static void http_log(void *ctx, const char *line)
{
	const struct jd_iot_config *c = ctx;

	c->log(c->log_ctx, line);
}

int jd_iot_send(const struct jd_iot_config *c, const struct jd_iot_http *h, long *status,
		json_t **answer, char *aws_code, struct jd_error *err)
{
	struct jd_http_options o;
	struct jd_http *own = NULL, *http = c->http;
	struct jd_http_header hdr[JD_ARRAY_SIZE(h->headers)];
	struct jd_http_request req;
	struct jd_http_response resp;
	char code[JD_IOT_CODE_MAX], msg[400];
	json_error_t je;
	size_t i;
	int ret = -1;

	*status = 0;
	*answer = NULL;
	if (aws_code)
		aws_code[0] = '\0';
	jd_http_response_init(&resp);
	if (!http) {
		memset(&o, 0, sizeof(o));
		o.ca_bundle = c->ca_bundle;
		o.max_attempts = c->max_attempts;
		o.retry_base_ms = c->retry_base_ms;
		if (c->log) {
			o.log = http_log;
			o.log_ctx = (void *)c;
		}
		http = own = jd_http_new(&o);
		if (!own) {
			jd_error_oom(err);
			goto out;
		}
	}
	for (i = 0; i < h->nheaders; i++) {
		hdr[i].name = h->headers[i].name;
		hdr[i].value = h->headers[i].value;
	}
	memset(&req, 0, sizeof(req));
	req.method = h->method;
	req.url = h->url;
	req.headers = hdr;
	req.nheaders = h->nheaders;
	req.body.data = h->body;
	req.body.fd = -1;
	req.body.len = h->body ? h->body_len : 0;
	req.out_fd = -1;
	req.max_body = JD_IOT_RESPONSE_MAX;
	if (jd_http_do(http, &req, &resp, err) < 0) {
		/* no answer: say which operation */
		char m[sizeof(err->msg)];
		jd_strlcpy(m, err->msg, sizeof(m));
		jd_error_set(err, err->code ? err->code : JD_EREMOTE, "%s: %s", h->operation, m);
		goto out;
	}
	*status = resp.status;
	if (resp.status < 200 || resp.status > 299) {
		jd_iot_parse_error(jd_http_response_header(&resp, "x-amzn-errortype"),
				   resp.body.data, resp.body.len, code, sizeof(code), msg,
				   sizeof(msg));
		logf_(c, "%s: %ld %s after %u attempt%s", h->operation, resp.status, code,
		      resp.attempts, resp.attempts == 1 ? "" : "s");
		if (aws_code)
			jd_strlcpy(aws_code, code, JD_IOT_CODE_MAX);
		if (code[0] || msg[0])
			jd_error_set(err, JD_EREMOTE, "%s: %ld %s%s%s", h->operation, resp.status,
				     code[0] ? code : "error", msg[0] ? ": " : "", msg);
		else
			jd_error_set(err, JD_EREMOTE,
				     "%s: HTTP %ld with no AWS error in the answer", h->operation,
				     resp.status);
		goto out;
	}
	if (!resp.body.len) {
		*answer = json_object();
	} else {
		*answer = jd_json_parse(resp.body.data, resp.body.len, 0, &je);
		if (!*answer) {
			jd_error_set(err, JD_EREMOTE, "%s: the answer is not JSON: %s",
				     h->operation, je.text);
			goto out;
		}
	}
	if (!*answer) {
		jd_error_oom(err);
		goto out;
	}
	logf_(c, "%s: %ld after %u attempt%s", h->operation, resp.status, resp.attempts,
	      resp.attempts == 1 ? "" : "s");
	ret = 0;
out:
	jd_http_response_release(&resp);
	jd_http_free(own);
	return ret;
}

/* ---- setup as the AWS CLI does ------------------------------------------ */

int jd_iot_client_init(struct jd_iot_client *cl, const struct jd_aws_options *o, const char *date,
		       const char *signing_name, jd_iot_log_fn *log, void *log_ctx,
		       struct jd_error *err)
{
	struct jd_aws_options opt = *o;
	struct jd_http_options ho;
	const char *env;

	memset(cl, 0, sizeof(*cl));
	jd_creds_init(&cl->creds);
	opt.service = "iot";
	if (jd_aws_config_load(&opt, &cl->aws, err) < 0)
		return -1;
	if (!cl->aws.region[0])
		return jd_error_set(err, JD_EUSAGE,
				    "no region: use --region, AWS_REGION or a profile's region");
	if (jd_creds_load(&opt, cl->aws.ca_bundle, &cl->creds, err) < 0)
		return -1;
	jd_creds_view(&cl->creds, &cl->view);
	cl->config.endpoint = cl->aws.endpoint_url;
	cl->config.region = cl->aws.region;
	cl->config.signing_name = signing_name;
	cl->config.creds = &cl->view;
	cl->config.date = date;
	cl->config.ca_bundle = cl->aws.ca_bundle;
	cl->config.log = log;
	cl->config.log_ctx = log_ctx;
	/* as the AWS CLI: AWS_MAX_ATTEMPTS counts the first attempt */
	if ((env = getenv("AWS_MAX_ATTEMPTS")) && *env) {
		char *end;
		unsigned long n = strtoul(env, &end, 10);
		if (*end || n < 1 || n > 100)
			return jd_error_set(err, JD_EUSAGE,
					    "AWS_MAX_ATTEMPTS: not a number 1..100: '%.32s'", env);
		cl->config.max_attempts = (unsigned)n;
	}
	memset(&ho, 0, sizeof(ho));
	ho.ca_bundle = cl->config.ca_bundle;
	ho.max_attempts = cl->config.max_attempts;
	if (log) {
		ho.log = http_log;
		ho.log_ctx = &cl->config;
	}
	cl->http = jd_http_new(&ho);
	if (!cl->http)
		return jd_error_oom(err);
	cl->config.http = cl->http;
	return 0;
}

void jd_iot_client_release(struct jd_iot_client *cl)
{
	jd_http_free(cl->http);
	cl->http = NULL;
	jd_creds_release(&cl->creds);
	jd_aws_config_release(&cl->aws);
	memset(&cl->config, 0, sizeof(cl->config));
	memset(&cl->view, 0, sizeof(cl->view));
}
