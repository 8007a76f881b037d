/*
 * lib/iot: endpoints, jobIds, the CreateJob request as built and signed
 * (the Authorization value below was computed by botocore's SigV4Auth for
 * the same request: tests/peers/botocore-check.py), AWS error parsing, and
 * the comparison behind idempotent publishing.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "iot.h"
#include "../tap.h"

static const char minimal[] =
	"{\"jobId\":\"reboot-1\",\"targets\":[\"arn:aws:iot:eu-west-1:123456789012:thing/dev-1\"],"
	"\"document\":\"{\\\"version\\\":\\\"1.0\\\",\\\"steps\\\":[{\\\"action\\\":{\\\"name\\\":"
	"\\\"Reboot\\\",\\\"type\\\":\\\"runHandler\\\",\\\"input\\\":{\\\"handler\\\":\\\"reboot."
	"sh\\\","
	"\\\"path\\\":\\\"default\\\"},\\\"runAsUser\\\":\\\"root\\\"}}]}\"}";

static const char minimal_auth[] =
	"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/eu-west-1/iot/aws4_request, "
	"SignedHeaders=content-type;host;x-amz-date, "
	"Signature=c771323743f1f64adf95f94d44706516c0f5a419cd4174bc97c48396b8f66685";

static const struct jd_sigv4_creds creds = {"AKIDEXAMPLE",
					    "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", NULL};

static void test_endpoint(void)
{
	struct jd_error err;
	char out[256];

	unsetenv("AWS_ENDPOINT_URL_IOT");
	unsetenv("AWS_ENDPOINT_URL");
	ok(jd_iot_endpoint(NULL, "eu-west-1", out, sizeof(out), &err) == 0, "endpoint from region");
	is_str(out, "https://iot.eu-west-1.amazonaws.com", "iot.REGION.amazonaws.com");
	jd_iot_endpoint(NULL, "cn-north-1", out, sizeof(out), &err);
	is_str(out, "https://iot.cn-north-1.amazonaws.com.cn", "China: .com.cn");
	setenv("AWS_ENDPOINT_URL", "http://generic:1/", 1);
	jd_iot_endpoint(NULL, "eu-west-1", out, sizeof(out), &err);
	is_str(out, "http://generic:1", "AWS_ENDPOINT_URL, trailing slash dropped");
	setenv("AWS_ENDPOINT_URL_IOT", "http://iot-only:2", 1);
	jd_iot_endpoint(NULL, "eu-west-1", out, sizeof(out), &err);
	is_str(out, "http://iot-only:2", "AWS_ENDPOINT_URL_IOT wins over AWS_ENDPOINT_URL");
	jd_iot_endpoint("https://flag.example/prefix", "eu-west-1", out, sizeof(out), &err);
	is_str(out, "https://flag.example/prefix", "--endpoint wins");
	unsetenv("AWS_ENDPOINT_URL_IOT");
	unsetenv("AWS_ENDPOINT_URL");
	ok(jd_iot_endpoint("ftp://x", "eu-west-1", out, sizeof(out), &err) < 0 &&
		   err.code == JD_EUSAGE,
	   "an ftp endpoint is a usage error");
	is_str(err.msg, "--endpoint: not an http(s) URL: 'ftp://x'", "quoted");
	ok(jd_iot_endpoint(NULL, NULL, out, sizeof(out), &err) < 0 && err.code == JD_EUSAGE,
	   "no region");
	ok(jd_iot_endpoint(NULL, "eu-west-1/x", out, sizeof(out), &err) < 0, "bad region");
}

static void test_job_id(void)
{
	struct jd_error err;
	char id[80];

	ok(jd_iot_check_job_id("fw-1_2-3", &err) == 0, "a valid jobId");
	ok(jd_iot_check_job_id("", &err) < 0, "empty");
	ok(jd_iot_check_job_id("a b", &err) < 0, "a space");
	is_str(err.msg, "jobId 'a b' has ' ' (allowed: letters, digits, '_' and '-')",
	       "names the character");
	ok(jd_iot_check_job_id("a\033b", &err) < 0, "a control character");
	is_str(err.msg, "jobId has byte 0x1b at 1 (allowed: letters, digits, '_' and '-')",
	       "not printed raw");
	memset(id, 'a', 65);
	id[65] = '\0';
	ok(jd_iot_check_job_id(id, &err) < 0, "65 characters");
	id[64] = '\0';
	ok(jd_iot_check_job_id(id, &err) == 0, "64 characters");
}

static void test_create_request(void)
{
	struct jd_iot_config c;
	struct jd_iot_http h;
	struct jd_buf text = JD_BUF_INIT(1 << 16);
	struct jd_error err;
	json_t *req = json_loads(minimal, 0, NULL), *body;
	const char *auth = NULL;
	size_t i;

	memset(&c, 0, sizeof(c));
	c.region = "eu-west-1";
	c.creds = &creds;
	c.date = "2026-01-01T00:00:00Z";
	jd_iot_http_init(&h);
	ok(jd_iot_prepare_create_job(&c, req, &h, &err) == 0, "CreateJob prepared");
	is_str(h.method, "PUT", "PUT");
	is_str(h.target, "/jobs/reboot-1", "jobId in the path");
	is_str(h.url, "https://iot.eu-west-1.amazonaws.com/jobs/reboot-1", "URL");
	body = json_loadb(h.body, h.body_len, 0, NULL);
	ok(body && !json_object_get(body, "jobId"), "no jobId in the body");
	ok(body && json_object_get(body, "targets") && json_object_size(body) == 2,
	   "every other member in the body");
	ok(h.body && !memchr(h.body, ' ', h.body_len) && !memchr(h.body, '\n', h.body_len),
	   "compact");
	json_decref(body);
	is_str(h.headers[0].name, "Host", "Host first");
	is_str(h.headers[0].value, "iot.eu-west-1.amazonaws.com", "Host value");
	is_str(h.headers[1].value, "application/json", "Content-Type");
	for (i = 0; i < h.nheaders; i++)
		if (!strcmp(h.headers[i].name, "Authorization"))
			auth = h.headers[i].value;
	is_str(auth, minimal_auth, "Authorization as botocore computes it");
	ok(jd_iot_format_http(&h, 0, &text, &err) == 0, "formatted");
	{
		static const char head[] =
			"PUT /jobs/reboot-1 HTTP/1.1\nHost: iot.eu-west-1.amazonaws.com\n"
			"Content-Type: application/json\nContent-Length: 250\n";
		ok(text.data && !strncmp(text.data, head, sizeof(head) - 1),
		   "request line and first headers");
	}
	ok(text.data && !strstr(text.data, creds.secret_access_key), "no secret in the text");
	jd_buf_release(&text);

	c.endpoint = "http://127.0.0.1:8080/prefix/";
	c.signing_name = "execute-api";
	ok(jd_iot_prepare_get_job_document(&c, "reboot-1", 1, &h, &err) == 0, "GetJobDocument");
	is_str(h.target, "/prefix/jobs/reboot-1/job-document?beforeSubstitution=true",
	       "prefix kept, query");
	is_str(h.headers[0].value, "127.0.0.1:8080", "Host with the port");
	ok(h.body == NULL && h.nheaders == 3, "no body, no Content-Type");
	ok(strstr(h.sig.credential_scope, "/execute-api/") != NULL, "signing name");
	c.endpoint = "https://example.com:443";
	ok(jd_iot_prepare_describe_job(&c, "reboot-1", &h, &err) == 0, "DescribeJob");
	is_str(h.headers[0].value, "example.com", "the default port dropped from Host");
	is_str(h.target, "/jobs/reboot-1", "no query");

	json_object_set_new(req, "jobId", json_string("no/slash"));
	ok(jd_iot_prepare_create_job(&c, req, &h, &err) < 0 && err.code == JD_EINVALID,
	   "an invalid jobId in a request is invalid (1)");
	is_str(err.pointer, "/jobId", "at /jobId");
	json_object_del(req, "jobId");
	ok(jd_iot_prepare_create_job(&c, req, &h, &err) < 0 && err.code == JD_EINVALID, "no jobId");
	c.creds = NULL;
	json_object_set_new(req, "jobId", json_string("x"));
	ok(jd_iot_prepare_create_job(&c, req, &h, &err) < 0 && err.code == JD_EUSAGE,
	   "no credentials");
	jd_iot_http_release(&h);
	json_decref(req);
}

static void test_errors(void)
{
	static const struct {
		const char *header, *body, *code, *message;
	} t[] = {
		{"ResourceNotFoundException:http://internal.amazon.com/coral/x/",
		 "{\"message\":\"Job x can't be found.\"}", "ResourceNotFoundException",
		 "Job x can't be found."},
		{NULL,
		 "{\"__type\":\"com.amazonaws.iot#ThrottlingException\",\"message\":\"Rate "
		 "exceeded\"}",
		 "ThrottlingException", "Rate exceeded"},
		{"", "{\"code\":\"InvalidRequestException\",\"Message\":\"bad\\nline\"}",
		 "InvalidRequestException", "bad line"},
		{NULL, "<html>502</html>", "", ""},
		{"Evil\033[31mCode:x", "[1]", "Evil31mCode", ""},
	};
	char code[JD_IOT_CODE_MAX], msg[256];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		jd_iot_parse_error(t[i].header, t[i].body, strlen(t[i].body), code, sizeof(code),
				   msg, sizeof(msg));
		is_str(code, t[i].code, "error code");
		is_str(msg, t[i].message, "error message");
	}
}

static int cmp(const char *req, const char *describe, const char *doc, char *why)
{
	json_t *r = json_loads(req, 0, NULL), *d = json_loads(describe, 0, NULL);
	struct jd_error err;
	int ret;

	ret = r && d ? jd_iot_compare_job(r, d, doc, why, 480, &err) : -2;
	json_decref(r);
	json_decref(d);
	return ret;
}

static void test_compare(void)
{
	char why[480];
	const char *req =
		"{\"jobId\":\"x\",\"targets\":[\"arn:b\",\"arn:a\"],"
		"\"document\":\"{\\\"afr_ota\\\":{\\\"files\\\":[{\\\"filesize\\\":1025}]}}\","
		"\"jobExecutionsRolloutConfig\":{\"exponentialRate\":{\"incrementFactor\":2}}}";
	const char *describe =
		"{\"job\":{\"jobId\":\"x\",\"targets\":[\"arn:a\",\"arn:b\"],\"targetSelection\":"
		"\"SNAPSHOT\","
		"\"presignedUrlConfig\":{},\"timeoutConfig\":{},"
		"\"jobExecutionsRolloutConfig\":{\"exponentialRate\":{\"incrementFactor\":2.0}},"
		"\"jobProcessDetails\":{},\"createdAt\":1}}";

	is_int(cmp(req, describe, "{\"afr_ota\":{\"files\":[{\"filesize\":1025}]}}", why), 0,
	       "the same job: targets as a set, {} as absent, 2 == 2.0, defaults");
	is_int(cmp(req, describe, "{\"afr_ota\":{\"files\":[{\"filesize\":1024}]}}", why), 1,
	       "another document");
	is_str(why, "a different document: /afr_ota/files/0/filesize: 1024 != 1025",
	       "names the change, existing value first");
	is_int(cmp(req, describe, "{\"afr_ota\":{\"files\":[{\"filesize\":1025,\"x~/\":1}]}}", why),
	       1, "an extra member");
	is_str(why, "a different document: /afr_ota/files/0/x~0~1: 1 != (absent)",
	       "pointer escaped");
	is_int(cmp(req,
		   "{\"job\":{\"targets\":[\"arn:a\"],\"jobExecutionsRolloutConfig\":"
		   "{\"exponentialRate\":{\"incrementFactor\":2}}}}",
		   "{\"afr_ota\":{\"files\":[{\"filesize\":1025}]}}", why),
	       1, "other targets");
	is_str(why, "a different targets: /targets: [\"arn:a\"] != [\"arn:a\",\"arn:b\"]",
	       "targets shown");
	is_int(cmp(req,
		   "{\"job\":{\"targets\":[\"arn:a\",\"arn:b\"],\"description\":\"d\","
		   "\"jobExecutionsRolloutConfig\":{\"exponentialRate\":{\"incrementFactor\":2}}}}",
		   "{\"afr_ota\":{\"files\":[{\"filesize\":1025}]}}", why),
	       1, "a description");
	is_str(why, "a different description: /description: \"d\" != \"\"", "description shown");
	is_int(cmp("{\"jobId\":\"x\",\"targets\":[\"a\"],\"documentSource\":\"https://s3/b/k2\"}",
		   "{\"documentSource\":\"https://s3/b/k1\",\"job\":{\"targets\":[\"a\"]}}", NULL,
		   why),
	       1, "another documentSource");
	is_str(why, "a different documentSource: \"https://s3/b/k1\" != \"https://s3/b/k2\"",
	       "documentSource shown");
	is_int(cmp(req, "{\"nojob\":1}", NULL, why), -1, "an answer without a job is an error");
}

int main(void)
{
	test_endpoint();
	test_job_id();
	test_create_request();
	test_errors();
	test_compare();
	return tap_done();
}
