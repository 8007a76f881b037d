#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "internal.h"
#include "jsonparse.h"
#include "rules.h"
#include "srcmap.h"

const struct jd_rule jd_rules[] = {
	{"aws-one-document-source", "exactly one of document, documentSource, jobTemplateArn"},
	{"aws-presigned-url-role",
	 "an S3 presigned-URL placeholder in the document needs presignedUrlConfig.roleArn"},
	{"aws-document-parameters",
	 "documentParameters only with an AWS managed template ARN and no document"},
	{"aws-retry-timeout", "TIMED_OUT retries need timeoutConfig"},
	{"aws-retry-total", "at most 10 retries in all, one criteria per failureType"},
	{"aws-scheduling-window",
	 "startTime 30 min to 1 year ahead, endTime 30 min to 2 years ahead and 30 min to 2 years "
	 "after startTime"},
	{"aws-scheduling-end-behavior", "endBehavior applies only with an endTime (warning)"},
	{"aws-document-size", "the compiled document is at most 32,768 characters and bytes"},
	{"aws-targets-one-account-region", "all targets in one partition, region and account"},
	{"aws-increment-factor-precision", "incrementFactor has at most one decimal place"},
	{"aws-abort-threshold-precision", "thresholdPercentage has at most two decimal places"},
	{NULL, NULL},
};

struct rctx {
	jd_finding_fn fn;
	void *ctx;
	int errors;
	int stop;
};

static void report(struct rctx *r, enum jd_severity sev, const char *rule, const char *ptr,
		   const char *fmt, ...) JD_PRINTF(5, 6);
static void report(struct rctx *r, enum jd_severity sev, const char *rule, const char *ptr,
		   const char *fmt, ...)
{
	char msg[1024];
	struct jd_finding f;
	va_list ap;

	if (r->stop)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	memset(&f, 0, sizeof(f));
	f.severity = sev;
	f.rule = rule;
	f.input = "";
	f.pointer = ptr;
	f.message = msg;
	if (sev == JD_SEV_ERROR)
		r->errors++;
	if (r->fn && r->fn(r->ctx, &f))
		r->stop = 1;
}

/* ---- time ---- */

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
	long long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

static int is_leap(long long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(long long y, unsigned m)
{
	static const unsigned dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && is_leap(y) ? 29 : dm[m - 1];
}

static int digits(const char *s, int n, unsigned *v)
{
	int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (unsigned)(s[i] - '0');
	}
	return 0;
}

int jd_rules_parse_time(const char *s, long long *t)
{
	unsigned y, mo, d, h = 0, mi = 0, sec = 0;
	size_t n = strlen(s);

	if (n < 10 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) || s[7] != '-' ||
	    digits(s + 8, 2, &d))
		return -1;
	s += 10;
	if (*s == 'T' || *s == 't') {
		if (digits(s + 1, 2, &h) || s[3] != ':' || digits(s + 4, 2, &mi))
			return -1;
		s += 6;
		if (*s == ':') {
			if (digits(s + 1, 2, &sec))
				return -1;
			s += 3;
		}
		if (*s == 'Z' || *s == 'z')
			s++;
	}
	if (*s || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 ||
	    sec > 59)
		return -1;
	*t = days_from_civil(y, mo, d) * 86400 + h * 3600LL + mi * 60LL + sec;
	return 0;
}

/* t plus n calendar years (Feb 29 becomes Mar 1 in a common year). */
static long long add_years(long long t, int n)
{
	long long days = t >= 0 ? t / 86400 : (t - 86399) / 86400, secs = t - days * 86400;
	long long z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	unsigned d = doy - (153 * mp + 2) / 5 + 1;
	unsigned m = mp < 10 ? mp + 3 : mp - 9;
	long long y = (long long)yoe + era * 400 + (m <= 2) + n;

	if (m == 2 && d == 29 && !is_leap(y)) {
		m = 3;
		d = 1;
	}
	return days_from_civil(y, m, d) * 86400 + secs;
}

static void fmt_time(long long t, char *out, size_t size)
{
	long long days = t >= 0 ? t / 86400 : (t - 86399) / 86400, secs = t - days * 86400;
	long long z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	unsigned d = doy - (153 * mp + 2) / 5 + 1;
	unsigned m = mp < 10 ? mp + 3 : mp - 9;
	long long y = (long long)yoe + era * 400 + (m <= 2);

	snprintf(out, size, "%04lld-%02u-%02uT%02lld:%02lld", y, m, d, secs / 3600,
		 secs % 3600 / 60);
}

/* ---- ARNs ---- */

/* Splits arn at its first 5 colons: fields[0..4] and the rest in fields[5]. */
static int arn_split(const char *arn, const char *fields[6], size_t lens[6])
{
	const char *p = arn;
	int i;

	for (i = 0; i < 5; i++) {
		const char *c = strchr(p, ':');
		if (!c)
			return -1;
		fields[i] = p;
		lens[i] = (size_t)(c - p);
		p = c + 1;
	}
	fields[5] = p;
	lens[5] = strlen(p);
	return strncmp(arn, "arn:", 4) ? -1 : 0;
}

int jd_rules_managed_template(const char *arn, char *name, size_t size)
{
	const char *f[6], *colon;
	size_t l[6];

	if (arn_split(arn, f, l) < 0 || l[2] != 3 || memcmp(f[2], "iot", 3) || l[4] != 0 ||
	    strncmp(f[5], "jobtemplate/", 12))
		return 0;
	/* AWS-* templates; IoT-* are the other services' managed templates (FleetWise) */
	if (strncmp(f[5] + 12, "AWS-", 4) && strncmp(f[5] + 12, "IoT-", 4))
		return 0;
	colon = strchr(f[5] + 12, ':');
	if (!colon || colon == f[5] + 12)
		return 0;
	if (name && size) {
		size_t n = (size_t)(colon - (f[5] + 12));
		if (n >= size)
			n = size - 1;
		memcpy(name, f[5] + 12, n);
		name[n] = '\0';
	}
	return 1;
}

/* ---- the rules ---- */

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static void one_document_source(struct rctx *r, const json_t *req)
{
	static const char *const keys[] = {"document", "documentSource", "jobTemplateArn"};
	const char *first = NULL;
	char ptr[64];
	size_t i;

	for (i = 0; i < JD_ARRAY_SIZE(keys); i++) {
		if (!json_object_get(req, keys[i]))
			continue;
		if (first) {
			snprintf(ptr, sizeof(ptr), "/%s", keys[i]);
			report(r, JD_SEV_ERROR, "aws-one-document-source", ptr,
			       "'%s' and '%s' are both given; a job takes exactly one of document, "
			       "documentSource, jobTemplateArn",
			       first, keys[i]);
			return;
		}
		first = keys[i];
	}
	if (!first)
		report(r, JD_SEV_ERROR, "aws-one-document-source", "",
		       "no job document: give one of document, documentSource, jobTemplateArn");
}

/* The first string in v holding an S3 presigned-URL placeholder: its pointer into b. */
static int find_presigned(const json_t *v, struct jd_buf *b, struct jd_error *err)
{
	size_t base = b->len;

	switch (json_typeof(v)) {
	case JSON_STRING: {
		const char *s = json_string_value(v);
		const char *p = strstr(s, "${aws:iot:s3-presigned-url");
		if (p)
			return 1;
		for (p = strstr(s, "${aws:iot:package:"); p;
		     p = strstr(p + 1, "${aws:iot:package:")) {
			const char *end = strchr(p, '}');
			const char *loc = strstr(p, ":artifact-location:s3-presigned-url}");
			if (end && loc && loc + 35 == end)
				return 1;
		}
		return 0;
	}
	case JSON_OBJECT: {
		const char *key;
		json_t *m;
		json_object_foreach((json_t *)v, key, m)
		{
			int f;
			if (jd_pointer_push(b, key, strlen(key), err) < 0)
				return -1;
			f = find_presigned(m, b, err);
			if (f)
				return f;
			b->len = base;
			b->data[base] = '\0';
		}
		return 0;
	}
	case JSON_ARRAY: {
		size_t i;
		for (i = 0; i < json_array_size(v); i++) {
			int f;
			if (jd_pointer_push_index(b, i, err) < 0)
				return -1;
			f = find_presigned(json_array_get(v, i), b, err);
			if (f)
				return f;
			b->len = base;
			b->data[base] = '\0';
		}
		return 0;
	}
	default: return 0;
	}
}

static int presigned_url_role(struct rctx *r, const json_t *req, const json_t *doc,
			      struct jd_error *err)
{
	struct jd_buf b = JD_BUF_INIT((size_t)1 << 20);
	const json_t *pc = json_object_get(req, "presignedUrlConfig");
	int f;

	if (str(pc, "roleArn") || !doc)
		return 0;
	if (jd_buf_adds(&b, "/document", err) < 0)
		return -1;
	f = find_presigned(doc, &b, err);
	if (f > 0)
		report(r, JD_SEV_ERROR, "aws-presigned-url-role", b.data,
		       "the document has an S3 presigned-URL placeholder, so "
		       "presignedUrlConfig.roleArn "
		       "is required (the role AWS IoT assumes to sign the URL)");
	jd_buf_release(&b);
	return f < 0 ? -1 : 0;
}

static void document_parameters(struct rctx *r, const json_t *req)
{
	const char *arn = str(req, "jobTemplateArn");

	if (!json_object_get(req, "documentParameters"))
		return;
	if (!arn) {
		report(r, JD_SEV_ERROR, "aws-document-parameters", "/documentParameters",
		       "documentParameters needs jobTemplateArn of an AWS managed template "
		       "(arn:aws:iot:REGION::jobtemplate/AWS-NAME:1.0)");
		return;
	}
	if (!jd_rules_managed_template(arn, NULL, 0)) {
		report(r, JD_SEV_ERROR, "aws-document-parameters", "/documentParameters",
		       "documentParameters can only be used with an AWS managed template, and "
		       "'%.300s' "
		       "is not one (arn:aws:iot:REGION::jobtemplate/AWS-NAME:VERSION, empty "
		       "account)",
		       arn);
		return;
	}
	if (json_object_get(req, "document") || json_object_get(req, "documentSource"))
		report(r, JD_SEV_ERROR, "aws-document-parameters",
		       json_object_get(req, "document") ? "/document" : "/documentSource",
		       "a job from a managed template with documentParameters takes no document of "
		       "its own");
}

static void retries(struct rctx *r, const json_t *req)
{
	const json_t *list =
		json_object_get(json_object_get(req, "jobExecutionsRetryConfig"), "criteriaList");
	long long total = 0;
	size_t i, j;
	char ptr[96];

	for (i = 0; i < json_array_size(list); i++) {
		const json_t *c = json_array_get(list, i);
		const char *type = str(c, "failureType");
		json_t *n = json_object_get(c, "numberOfRetries");

		if (json_is_integer(n) && json_integer_value(n) > 0)
			total += json_integer_value(n);
		if (!type)
			continue;
		for (j = 0; j < i; j++) {
			const char *t2 = str(json_array_get(list, j), "failureType");
			if (t2 && !strcmp(t2, type)) {
				snprintf(ptr, sizeof(ptr),
					 "/jobExecutionsRetryConfig/criteriaList/%zu/failureType",
					 i);
				report(r, JD_SEV_ERROR, "aws-retry-total", ptr,
				       "failureType '%.40s' is given twice; one criteria per "
				       "failure "
				       "type",
				       type);
			}
		}
		if (!strcmp(type, "TIMED_OUT") &&
		    !json_object_get(json_object_get(req, "timeoutConfig"),
				     "inProgressTimeoutInMinutes")) {
			snprintf(ptr, sizeof(ptr),
				 "/jobExecutionsRetryConfig/criteriaList/%zu/failureType", i);
			report(r, JD_SEV_ERROR, "aws-retry-timeout", ptr,
			       "retries on TIMED_OUT need timeoutConfig.inProgressTimeoutInMinutes "
			       "(without it no execution times out)");
		}
	}
	if (total > 10)
		report(r, JD_SEV_ERROR, "aws-retry-total", "/jobExecutionsRetryConfig/criteriaList",
		       "%lld retries in all; at most 10 across all failure types", total);
}

static void scheduling(struct rctx *r, const json_t *req, long long now)
{
	const json_t *sc = json_object_get(req, "schedulingConfig");
	const char *st = str(sc, "startTime"), *et = str(sc, "endTime");
	long long start = 0, end = 0;
	int have_start, have_end;
	char a[64], b[64];

	if (!sc)
		return;
	if (json_object_get(sc, "endBehavior") && !json_object_get(sc, "endTime"))
		report(r, JD_SEV_WARNING, "aws-scheduling-end-behavior",
		       "/schedulingConfig/endBehavior",
		       "endBehavior has no effect without an endTime");
	/* a time that does not parse is the schema's finding (StringDateTime) */
	have_start = st && !jd_rules_parse_time(st, &start);
	have_end = et && !jd_rules_parse_time(et, &end);
	if (have_start && now) {
		if (start < now + 30 * 60) {
			fmt_time(now + 30 * 60, a, sizeof(a));
			report(r, JD_SEV_ERROR, "aws-scheduling-window",
			       "/schedulingConfig/startTime",
			       "startTime '%s' is less than 30 minutes ahead (the earliest is %s "
			       "UTC)",
			       st, a);
		} else if (start > add_years(now, 1)) {
			fmt_time(add_years(now, 1), a, sizeof(a));
			report(r, JD_SEV_ERROR, "aws-scheduling-window",
			       "/schedulingConfig/startTime",
			       "startTime '%s' is more than a year ahead (the latest is %s UTC)",
			       st, a);
		}
	}
	if (have_end && now) {
		if (end < now + 30 * 60) {
			fmt_time(now + 30 * 60, a, sizeof(a));
			report(r, JD_SEV_ERROR, "aws-scheduling-window",
			       "/schedulingConfig/endTime",
			       "endTime '%s' is less than 30 minutes ahead (the earliest is %s "
			       "UTC)",
			       et, a);
			return;
		}
		if (end > add_years(now, 2)) {
			fmt_time(add_years(now, 2), a, sizeof(a));
			report(r, JD_SEV_ERROR, "aws-scheduling-window",
			       "/schedulingConfig/endTime",
			       "endTime '%s' is more than two years ahead (the latest is %s UTC)",
			       et, a);
			return;
		}
	}
	if (have_start && have_end) {
		if (end - start < 30 * 60) {
			fmt_time(start + 30 * 60, a, sizeof(a));
			report(r, JD_SEV_ERROR, "aws-scheduling-window",
			       "/schedulingConfig/endTime",
			       "endTime '%s' is less than 30 minutes after startTime '%s' (the "
			       "earliest is %s)",
			       et, st, a);
		} else if (end > add_years(start, 2)) {
			fmt_time(add_years(start, 2), b, sizeof(b));
			report(r, JD_SEV_ERROR, "aws-scheduling-window",
			       "/schedulingConfig/endTime",
			       "endTime '%s' is more than two years after startTime '%s' (the "
			       "latest "
			       "is %s)",
			       et, st, b);
		}
	}
}

static void document_size(struct rctx *r, const json_t *req)
{
	const json_t *d = json_object_get(req, "document");
	size_t bytes, chars;

	if (!json_is_string(d))
		return;
	bytes = json_string_length(d);
	chars = jd_utf8_count(json_string_value(d), bytes);
	if (bytes > JD_DOCUMENT_MAX || chars > JD_DOCUMENT_MAX)
		report(r, JD_SEV_ERROR, "aws-document-size", "/document",
		       "the compiled document is %zu characters (%zu bytes); at most %d of each",
		       chars, bytes, JD_DOCUMENT_MAX);
}

static void targets(struct rctx *r, const json_t *req)
{
	const json_t *t = json_object_get(req, "targets");
	const char *f0[6], *f[6], *first = NULL;
	size_t l0[6], l[6], i;
	char ptr[40];

	for (i = 0; i < json_array_size(t); i++) {
		const char *arn = json_string_value(json_array_get(t, i));
		int k;

		/* a malformed ARN is the schema's finding (TargetArn) */
		if (!arn || arn_split(arn, f, l) < 0 || !l[3] || l[4] != 12 ||
		    strspn(f[4], "0123456789") < 12)
			continue;
		if (!first) {
			first = arn;
			memcpy(f0, f, sizeof(f));
			memcpy(l0, l, sizeof(l));
			continue;
		}
		for (k = 1; k < 5; k++)
			if (l[k] != l0[k] || memcmp(f[k], f0[k], l[k]))
				break;
		if (k < 5) {
			snprintf(ptr, sizeof(ptr), "/targets/%zu", i);
			report(r, JD_SEV_ERROR, "aws-targets-one-account-region", ptr,
			       "'%.300s' is in %s '%.*s', the first target in '%.*s'; all targets "
			       "of a "
			       "job are in one account and region",
			       arn,
			       k == 1	? "partition"
			       : k == 3 ? "region"
			       : k == 4 ? "account"
					: "service",
			       (int)l[k], f[k], (int)l0[k], f0[k]);
		}
	}
}

/* Whether v has at most places decimal places (as written in base 10). */
static int decimals_ok(double v, int places)
{
	double scale = places == 1 ? 10.0 : 100.0, x = v * scale;

	return fabs(x - nearbyint(x)) < 1e-6 * (fabs(x) > 1 ? fabs(x) : 1);
}

static void precision(struct rctx *r, const json_t *req)
{
	const json_t *rate = json_object_get(json_object_get(req, "jobExecutionsRolloutConfig"),
					     "exponentialRate");
	const json_t *v = json_object_get(rate, "incrementFactor");
	const json_t *list = json_object_get(json_object_get(req, "abortConfig"), "criteriaList");
	size_t i;
	char ptr[80];

	if (json_is_number(v) && !decimals_ok(json_number_value(v), 1))
		report(r, JD_SEV_ERROR, "aws-increment-factor-precision",
		       "/jobExecutionsRolloutConfig/exponentialRate/incrementFactor",
		       "incrementFactor %.15g has more than one decimal place",
		       json_number_value(v));
	for (i = 0; i < json_array_size(list); i++) {
		v = json_object_get(json_array_get(list, i), "thresholdPercentage");
		if (!json_is_number(v) || decimals_ok(json_number_value(v), 2))
			continue;
		snprintf(ptr, sizeof(ptr), "/abortConfig/criteriaList/%zu/thresholdPercentage", i);
		report(r, JD_SEV_ERROR, "aws-abort-threshold-precision", ptr,
		       "thresholdPercentage %.15g has more than two decimal places",
		       json_number_value(v));
	}
}

int jd_rules_check(const json_t *request, const json_t *document, const struct jd_rules_opts *opts,
		   jd_finding_fn fn, void *ctx, struct jd_error *err)
{
	struct rctx r = {fn, ctx, 0, 0};
	json_t *parsed = NULL;
	int ret = -1;

	if (!json_is_object(request))
		return 0;
	if (!document) {
		const json_t *d = json_object_get(request, "document");
		if (json_is_string(d)) {
			parsed = jd_json_parse(json_string_value(d), json_string_length(d),
					       JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
			/* not JSON: look for placeholders in the text itself */
			document = parsed ? parsed : d;
		}
	}
	one_document_source(&r, request);
	if (presigned_url_role(&r, request, document, err) < 0)
		goto out;
	document_parameters(&r, request);
	retries(&r, request);
	scheduling(&r, request, opts ? opts->now : 0);
	document_size(&r, request);
	targets(&r, request);
	precision(&r, request);
	ret = r.errors;
out:
	json_decref(parsed);
	return ret;
}
