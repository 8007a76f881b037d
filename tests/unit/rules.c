/* The AWS rules of lib/rules.c: one request per case, the findings it must give. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "rules.h"
#include "../tap.h"

#define T "\"targets\":[\"arn:aws:iot:eu-west-1:123456789012:thing/a\"]"
#define D "\"document\":\"{}\""

static const struct {
	const char *name;
	const char *request;
	const char *findings; /* "rule pointer;" each, "w:" before a warning's rule */
} cases[] = {
	{"minimal request is fine", "{" T "," D "}", ""},
	{"no document source", "{" T "}", "aws-one-document-source ;"},
	{"document and documentSource",
	 "{" T "," D ",\"documentSource\":\"https://s3.eu-west-1.amazonaws.com/b/k\"}",
	 "aws-one-document-source /documentSource;"},
	{"document and jobTemplateArn",
	 "{" T "," D ",\"jobTemplateArn\":\"arn:aws:iot:eu-west-1:123456789012:jobtemplate/t\"}",
	 "aws-one-document-source /jobTemplateArn;"},
	{"documentSource alone", "{" T ",\"documentSource\":\"https://s3.amazonaws.com/b/k\"}", ""},
	{"presigned placeholder without role",
	 "{" T ",\"document\":\"{\\\"a\\\":[1,{\\\"u\\\":\\\"${aws:iot:s3-presigned-url-v2:https://s3.eu-west-1.amazonaws.com/b/k}\\\"}]}\"}",
	 "aws-presigned-url-role /document/a/1/u;"},
	{"v1 placeholder without role",
	 "{" T ",\"document\":\"{\\\"u\\\":\\\"${aws:iot:s3-presigned-url:https://s3.amazonaws.com/b/k}\\\"}\"}",
	 "aws-presigned-url-role /document/u;"},
	{"upload placeholder without role",
	 "{" T ",\"document\":\"{\\\"u\\\":\\\"${aws:iot:s3-presigned-url-upload:https://s3.eu-west-1.amazonaws.com/b/${thingName}}\\\"}\"}",
	 "aws-presigned-url-role /document/u;"},
	{"package artifact placeholder without role",
	 "{" T ",\"document\":\"{\\\"u\\\":\\\"${aws:iot:package:p:version:1:artifact-location:s3-presigned-url}\\\"}\"}",
	 "aws-presigned-url-role /document/u;"},
	{"package attribute placeholder needs no role",
	 "{" T ",\"document\":\"{\\\"u\\\":\\\"${aws:iot:package:p:version:1:attributes}\\\"}\"}", ""},
	{"presigned placeholder with role",
	 "{" T ",\"document\":\"{\\\"u\\\":\\\"${aws:iot:s3-presigned-url-v2:https://s3.eu-west-1.amazonaws.com/b/k}\\\"}\","
	 "\"presignedUrlConfig\":{\"roleArn\":\"arn:aws:iam::123456789012:role/r\"}}",
	 ""},
	{"placeholder in a non-JSON document",
	 "{" T ",\"document\":\"x ${aws:iot:s3-presigned-url:https://s3.amazonaws.com/b/k}\"}",
	 "aws-presigned-url-role /document;"},
	{"documentParameters without template", "{" T "," D ",\"documentParameters\":{\"a\":\"b\"}}",
	 "aws-document-parameters /documentParameters;"},
	{"documentParameters with a custom template",
	 "{" T ",\"jobTemplateArn\":\"arn:aws:iot:eu-west-1:123456789012:jobtemplate/AWS-Reboot\","
	 "\"documentParameters\":{\"a\":\"b\"}}",
	 "aws-document-parameters /documentParameters;"},
	{"documentParameters with a managed template",
	 "{" T ",\"jobTemplateArn\":\"arn:aws:iot:eu-west-1::jobtemplate/AWS-Reboot:1.0\","
	 "\"documentParameters\":{\"runAsUser\":\"root\"}}",
	 ""},
	{"documentParameters with a managed template and a document",
	 "{" T "," D ",\"jobTemplateArn\":\"arn:aws:iot:eu-west-1::jobtemplate/AWS-Reboot:1.0\","
	 "\"documentParameters\":{\"runAsUser\":\"root\"}}",
	 "aws-one-document-source /jobTemplateArn;aws-document-parameters /document;"},
	{"TIMED_OUT retries without timeout",
	 "{" T "," D ",\"jobExecutionsRetryConfig\":{\"criteriaList\":[{\"failureType\":\"FAILED\",\"numberOfRetries\":1},"
	 "{\"failureType\":\"TIMED_OUT\",\"numberOfRetries\":2}]}}",
	 "aws-retry-timeout /jobExecutionsRetryConfig/criteriaList/1/failureType;"},
	{"TIMED_OUT retries with timeout",
	 "{" T "," D ",\"timeoutConfig\":{\"inProgressTimeoutInMinutes\":5},"
	 "\"jobExecutionsRetryConfig\":{\"criteriaList\":[{\"failureType\":\"TIMED_OUT\",\"numberOfRetries\":2}]}}",
	 ""},
	{"retries over 10 in all",
	 "{" T "," D ",\"jobExecutionsRetryConfig\":{\"criteriaList\":[{\"failureType\":\"FAILED\",\"numberOfRetries\":6},"
	 "{\"failureType\":\"ALL\",\"numberOfRetries\":5}]}}",
	 "aws-retry-total /jobExecutionsRetryConfig/criteriaList;"},
	{"retries 10 in all",
	 "{" T "," D ",\"jobExecutionsRetryConfig\":{\"criteriaList\":[{\"failureType\":\"FAILED\",\"numberOfRetries\":5},"
	 "{\"failureType\":\"ALL\",\"numberOfRetries\":5}]}}",
	 ""},
	{"failureType twice",
	 "{" T "," D ",\"jobExecutionsRetryConfig\":{\"criteriaList\":[{\"failureType\":\"FAILED\",\"numberOfRetries\":1},"
	 "{\"failureType\":\"FAILED\",\"numberOfRetries\":1}]}}",
	 "aws-retry-total /jobExecutionsRetryConfig/criteriaList/1/failureType;"},
	{"start 29 minutes ahead",
	 "{" T "," D ",\"schedulingConfig\":{\"startTime\":\"2026-01-01T00:29\"}}",
	 "aws-scheduling-window /schedulingConfig/startTime;"},
	{"start 30 minutes ahead",
	 "{" T "," D ",\"schedulingConfig\":{\"startTime\":\"2026-01-01T00:30\"}}", ""},
	{"start a year ahead", "{" T "," D ",\"schedulingConfig\":{\"startTime\":\"2027-01-01T00:00\"}}",
	 ""},
	{"start a year and a minute ahead",
	 "{" T "," D ",\"schedulingConfig\":{\"startTime\":\"2027-01-01T00:01\"}}",
	 "aws-scheduling-window /schedulingConfig/startTime;"},
	{"end 29 minutes after start",
	 "{" T "," D ",\"schedulingConfig\":{\"startTime\":\"2026-02-01T10:00\",\"endTime\":\"2026-02-01T10:29\"}}",
	 "aws-scheduling-window /schedulingConfig/endTime;"},
	{"end two years after start",
	 "{" T "," D ",\"schedulingConfig\":{\"startTime\":\"2026-02-01T10:00\",\"endTime\":\"2028-01-01T00:00\"}}",
	 ""},
	{"end over two years ahead",
	 "{" T "," D ",\"schedulingConfig\":{\"startTime\":\"2026-02-01T10:00\",\"endTime\":\"2028-01-01T00:01\"}}",
	 "aws-scheduling-window /schedulingConfig/endTime;"},
	{"end before now",
	 "{" T "," D ",\"schedulingConfig\":{\"endTime\":\"2025-12-31T23:00\"}}",
	 "aws-scheduling-window /schedulingConfig/endTime;"},
	{"endBehavior without endTime",
	 "{" T "," D ",\"schedulingConfig\":{\"startTime\":\"2026-02-01T10:00\",\"endBehavior\":\"CANCEL\"}}",
	 "w:aws-scheduling-end-behavior /schedulingConfig/endBehavior;"},
	{"unparsable time left to the schema",
	 "{" T "," D ",\"schedulingConfig\":{\"startTime\":\"tomorrow\"}}", ""},
	{"targets in two regions",
	 "{\"targets\":[\"arn:aws:iot:eu-west-1:123456789012:thing/a\",\"arn:aws:iot:eu-west-1:123456789012:thinggroup/g\","
	 "\"arn:aws:iot:us-east-1:123456789012:thing/b\"]," D "}",
	 "aws-targets-one-account-region /targets/2;"},
	{"targets in two accounts",
	 "{\"targets\":[\"arn:aws:iot:eu-west-1:123456789012:thing/a\",\"arn:aws:iot:eu-west-1:210987654321:thing/b\"]," D "}",
	 "aws-targets-one-account-region /targets/1;"},
	{"incrementFactor 1.5", "{" T "," D ",\"jobExecutionsRolloutConfig\":{\"exponentialRate\":{\"incrementFactor\":2.3}}}", ""},
	{"incrementFactor 1.55",
	 "{" T "," D ",\"jobExecutionsRolloutConfig\":{\"exponentialRate\":{\"incrementFactor\":1.55}}}",
	 "aws-increment-factor-precision /jobExecutionsRolloutConfig/exponentialRate/incrementFactor;"},
	{"thresholdPercentage 10.25",
	 "{" T "," D ",\"abortConfig\":{\"criteriaList\":[{\"thresholdPercentage\":10.25},{\"thresholdPercentage\":0.07}]}}", ""},
	{"thresholdPercentage 10.125",
	 "{" T "," D ",\"abortConfig\":{\"criteriaList\":[{\"thresholdPercentage\":1},{\"thresholdPercentage\":10.125}]}}",
	 "aws-abort-threshold-precision /abortConfig/criteriaList/1/thresholdPercentage;"},
};

static int collect(void *ctx, const struct jd_finding *f)
{
	struct jd_buf *b = ctx;

	jd_buf_addf(b, NULL, "%s%s %s;", f->severity == JD_SEV_WARNING ? "w:" : "", f->rule,
		    f->pointer);
	return 0;
}

static void size_cases(long long now)
{
	struct jd_rules_opts o = {now};
	struct jd_buf b = JD_BUF_INIT(1 << 20), got = JD_BUF_INIT(1 << 20);
	struct jd_error err;
	json_t *req;
	size_t i;

	/* 32,768 characters of which some take 2 bytes: over in bytes only */
	jd_buf_adds(&b, "{\"a\":\"", NULL);
	for (i = 0; b.len < 32768 - 4;)
		jd_buf_adds(&b, i++ % 2 ? "\xc3\xa9" : "e", NULL);
	jd_buf_adds(&b, "\"}", NULL);
	req = json_pack("{s:[s],s:s}", "targets", "arn:aws:iot:eu-west-1:123456789012:thing/a",
			"document", b.data);
	jd_error_clear(&err);
	is_int(jd_rules_check(req, NULL, &o, collect, &got, &err), 0, "32,768 bytes is fine");
	json_object_set_new(req, "document", json_string("{\"a\":\"\xc3\xa9\xc3\xa9\xc3\xa9\"}"));
	jd_buf_reset(&b);
	jd_buf_adds(&b, "{\"a\":\"", NULL);
	while (b.len < 32768)
		jd_buf_adds(&b, "\xc3\xa9", NULL);
	jd_buf_adds(&b, "\"}", NULL);
	json_object_set_new(req, "document", json_string(b.data));
	is_int(jd_rules_check(req, NULL, &o, collect, &got, &err), 1, "32,770 bytes is too big");
	is_str(got.data, "aws-document-size /document;", "document size finding");
	json_decref(req);
	jd_buf_release(&b);
	jd_buf_release(&got);
}

int main(void)
{
	struct jd_rules_opts o;
	long long t;
	size_t i;
	char name[64];

	ok(!jd_rules_parse_time("2026-01-01T00:00:00Z", &o.now), "parse --date");
	is_int(o.now, 1767225600LL, "2026-01-01 is 1767225600");
	ok(!jd_rules_parse_time("2024-02-29T12:30", &t) && t == 1709209800LL, "leap day");
	ok(jd_rules_parse_time("2025-02-29T12:30", &t) < 0, "no leap day in 2025");
	ok(jd_rules_parse_time("2025-01-01T24:00", &t) < 0, "hour 24");
	ok(jd_rules_parse_time("2025-01-01 10:00", &t) < 0, "space instead of T");
	ok(!jd_rules_parse_time("1999-12-31", &t) && t == 946598400LL, "date alone");
	ok(jd_rules_managed_template("arn:aws:iot:us-west-2::jobtemplate/AWS-Reboot:1.0", name,
				     sizeof(name)) &&
		   !strcmp(name, "AWS-Reboot"),
	   "managed template name");
	ok(!jd_rules_managed_template("arn:aws:iot:us-west-2:123456789012:jobtemplate/AWS-Reboot:1.0",
				      NULL, 0),
	   "an account makes it custom");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct jd_buf got = JD_BUF_INIT(1 << 20);
		struct jd_error err;
		json_error_t jerr;
		json_t *req = json_loads(cases[i].request, 0, &jerr);
		int n;

		if (!req) {
			ok(0, cases[i].name);
			diag("bad test JSON: %s", jerr.text);
			continue;
		}
		jd_error_clear(&err);
		jd_buf_adds(&got, "", NULL);
		n = jd_rules_check(req, NULL, &o, collect, &got, &err);
		ok(n >= 0, cases[i].name);
		is_str(got.data, cases[i].findings, cases[i].name);
		json_decref(req);
		jd_buf_release(&got);
	}
	size_cases(o.now);
	return tap_done();
}
