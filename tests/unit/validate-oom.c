/*
 * Allocation failures in validation: with Jansson's allocator failing at the
 * n-th allocation, for every n until a run succeeds, jd_validate_file_doc on
 * a spec, a request and a document must fail cleanly (an error, never a
 * crash; ASan finds leaks) and, once allocations succeed, give the same
 * findings as a normal run.
 */
#include <stdlib.h>
#include <string.h>

#include "../fail-alloc.h"
#include "../tap.h"
#include "load.h"
#include "validate.h"

static int count(void *ctx, const struct jd_finding *f)
{
	(void)f;
	(*(unsigned *)ctx)++;
	return 0;
}

static const char spec[] =
	"jobId: fw-1\n"
	"targets: [arn:aws:iot:eu-west-1:123456789012:thing/a, "
	"arn:aws:iot:us-east-1:123456789012:thing/b]\n"
	"documentSchema: afr-ota\n"
	"document:\n"
	"  afr_ota:\n"
	"    protocols: [HTTP]\n"
	"    files:\n"
	"      - {filepath: /a, filesize: '1', fileid: 0, certfile: c, fileType: 0,\n"
	"         update_data_url: '${aws:iot:s3-presigned-url:https://s3.amazonaws.com/fw-bucket/k}',\n"
	"         auth_scheme: aws.s3.presigned, sig-sha256-ecdsa: AAAA}\n"
	"jobExecutionsRetryConfig: {criteriaList: [{failureType: TIMED_OUT, numberOfRetries: 11}]}\n"
	"schedulingConfig: {startTime: '2026-11-01T00:10', endBehavior: CANCEL}\n";
static const char request[] =
	"{\"jobId\":\"r\",\"targets\":[\"arn:aws:iot:eu-west-1:123456789012:thing/a\"],"
	"\"document\":\"{\\\"version\\\":\\\"1.0\\\",\\\"steps\\\":[]}\","
	"\"jobTemplateArn\":\"arn:aws:iot:eu-west-1::jobtemplate/AWS-Download-File:1.0\"}";
static const char document[] = "{\"afr_ota\":{\"protocols\":[\"MQTT\"],\"files\":[{}]}}";

static void run(struct jd_validator *v, const char *name, const char *text)
{
	struct jd_doc *docs = NULL;
	struct jd_error err;
	size_t n = 0;
	unsigned want = 0, got;
	long i;
	int r, failed_cleanly = 1;

	jd_error_clear(&err);
	if (jd_load(name, text, strlen(text), NULL, &docs, &n, &err) < 0 || n != 1) {
		ok(0, name);
		return;
	}
	r = jd_validate_file_doc(v, &docs[0], NULL, NULL, count, &want, &err);
	if (!ok(r > 0 && want > 0, name)) {
		diag("%s: %s", name, err.msg);
		jd_docs_free(docs, n);
		return; /* the loop below would never end */
	}
	/*
	 * Every one of the first 400 allocations fails in turn, then every
	 * n/32-th: a run that allocates a lot (a managed template's schema
	 * compiled on first use) stays O(n log n), not O(n^2).
	 */
	for (i = 0; i < 100000000; i += i < 400 ? 1 : i / 32) {
		got = 0;
		jd_error_clear(&err);
		budget = i;
		r = jd_validate_file_doc(v, &docs[0], NULL, NULL, count, &got, &err);
		budget = -1;
		if (r >= 0 && got == want)
			break;
		if (r >= 0 && got < want)
			continue; /* a finding's message lost to the allocator: fine */
		if (r < 0 && !err.msg[0])
			failed_cleanly = 0;
	}
	ok(failed_cleanly, "every failure has a message");
	diag("%s: %ld allocations", name, i);
	jd_docs_free(docs, n);
}

int main(void)
{
	struct jd_validate_opts o = {JD_DRAFT_DEFAULT, 0, 1793491200LL};
	struct jd_error err;
	struct jd_validator *v;

	jd_error_clear(&err);
	v = jd_validator_new(&o, &err);
	ok(v != NULL, "validator");
	if (!v)
		return tap_done();
	json_set_alloc_funcs(fail_malloc, free);
	run(v, "spec.yaml", spec);
	run(v, "request.json", request);
	run(v, "document.json", document);
	jd_validator_free(v);
	return tap_done();
}
