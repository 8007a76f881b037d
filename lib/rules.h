#ifndef JD_RULES_H
#define JD_RULES_H
#include <jansson.h>

#include "error.h"
#include "finding.h"

/*
 * AWS rules a JSON Schema cannot say (aws-iot-jobs.md sections 4 and 7):
 * checks across members of a CreateJob request and its document. Each rule
 * has an id (the finding's rule), listed in jd_rules[] and in
 * jobdoc-validate(1):
 *
 *   aws-one-document-source        exactly one of document, documentSource,
 *                                  jobTemplateArn
 *   aws-presigned-url-role         an S3 presigned-URL placeholder in the
 *                                  document needs presignedUrlConfig.roleArn
 *   aws-document-parameters        documentParameters only with an AWS managed
 *                                  template ARN and no document
 *   aws-retry-timeout              TIMED_OUT retries need timeoutConfig
 *   aws-retry-total                at most 10 retries in all, one criteria
 *                                  per failureType
 *   aws-scheduling-window          startTime in [now+30 min, now+1 year],
 *                                  endTime in [now+30 min, now+2 years],
 *                                  endTime - startTime in [30 min, 2 years]
 *   aws-scheduling-end-behavior    endBehavior without endTime (warning)
 *   aws-document-size              the compiled document at most 32,768
 *                                  characters and 32,768 bytes
 *   aws-targets-one-account-region all targets in one partition, region and
 *                                  account
 *   aws-increment-factor-precision incrementFactor has one decimal place
 *   aws-abort-threshold-precision  thresholdPercentage has two
 *
 * Findings carry the instance pointer into the request ("/targets/2"); a
 * pointer below "/document/" is a place in the document tree. input, line
 * and col are left empty: the caller knows where the request came from
 * (lib/validate.h adds them).
 */

struct jd_rule {
	const char *id;
	const char *summary;
};
extern const struct jd_rule jd_rules[]; /* ends with {NULL, NULL} */

#define JD_DOCUMENT_MAX 32768

struct jd_rules_opts {
	/*
	 * "Now" in seconds since the epoch (UTC), for the scheduling window;
	 * the tools pass the clock or --date. 0 skips the checks against now
	 * (the start-to-end span is still checked).
	 */
	long long now;
};

/*
 * Checks request (a CreateJob request: document, when present, is the JSON
 * string) and document (the document as a tree, or NULL to parse it from
 * request's document string). Calls fn once per broken rule; a non-zero
 * return from fn stops the check. Returns the number of error findings (not
 * warnings), or -1 with err set (out of memory).
 */
int jd_rules_check(const json_t *request, const json_t *document, const struct jd_rules_opts *opts,
		   jd_finding_fn fn, void *ctx, struct jd_error *err);

/*
 * Parses a UTC time, "YYYY-MM-DDTHH:MM" with optional ":SS" and "Z", or
 * "YYYY-MM-DD", into seconds since the epoch. 0, or -1 when s is not such a
 * time.
 */
int jd_rules_parse_time(const char *s, long long *t);

/*
 * Whether arn is an AWS managed job template ARN
 * (arn:PARTITION:iot:REGION::jobtemplate/NAME:VERSION, empty account); when
 * it is and name is not NULL, the template's name (NAME) is copied there.
 */
int jd_rules_managed_template(const char *arn, char *name, size_t size);

#endif
