#ifndef JD_CREDS_H
#define JD_CREDS_H
/*
 * Credentials, region and endpoints, found as the AWS CLI finds them.
 *
 * Credentials, first found wins:
 *   1. AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN),
 *      unless a profile was named explicitly (options.profile, as --profile);
 *   2. the profile's section of the shared credentials file
 *      (AWS_SHARED_CREDENTIALS_FILE, default ~/.aws/credentials, "[NAME]");
 *   3. the profile's section of the config file (AWS_CONFIG_FILE, default
 *      ~/.aws/config, "[default]" / "[profile NAME]");
 *   4. the container credentials endpoint: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI
 *      (under http://169.254.170.2) or AWS_CONTAINER_CREDENTIALS_FULL_URI
 *      (loopback, the ECS/EKS hosts, or https), with
 *      AWS_CONTAINER_AUTHORIZATION_TOKEN(_FILE) as Authorization;
 *   5. EC2 IMDSv2 (token PUT, then GET) at http://169.254.169.254 or
 *      AWS_EC2_METADATA_SERVICE_ENDPOINT, unless AWS_EC2_METADATA_DISABLED=true.
 * The profile is options.profile, else AWS_PROFILE, else "default"; a named
 * profile found in neither file is an error. Timeouts for 4 and 5:
 * options.timeout_ms, else AWS_METADATA_SERVICE_TIMEOUT seconds, else 1 s.
 *
 * Region: options.region, AWS_REGION, AWS_DEFAULT_REGION, the profile's
 * "region" in the config file. Endpoint: options.endpoint_url (--endpoint),
 * AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, the profile's services
 * section ("services = NAME" + "[services NAME]" + "s3 =\n  endpoint_url = U"),
 * the profile's endpoint_url; all but the first are ignored when
 * AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true. CA bundle: AWS_CA_BUNDLE, the
 * profile's ca_bundle. TLS verification is never turned off.
 *
 * Secrets are wiped on release and never appear in an error message.
 * NEEDSWORK: credential_process, SSO, assume-role profiles and web identity
 * are not supported; a profile using them is reported as such.
 */
#include <stddef.h>
#include <time.h>

#include "error.h"
#include "sigv4.h"

struct jd_creds {
	char *access_key_id;
	char *secret_access_key;
	char *session_token; /* NULL when none */
	time_t expiration;   /* 0 when they do not expire */
	char source[64];     /* "environment", "shared-credentials-file", "config-file",
	                        "container-role", "iam-role": never secret */
};

struct jd_aws_options {
	const char *profile;	    /* --profile, or NULL */
	const char *region;	    /* --region, or NULL */
	const char *endpoint_url;   /* --endpoint, or NULL */
	const char *service;	    /* "s3", "iot": names AWS_ENDPOINT_URL_S3, [services] keys */
	long timeout_ms;	    /* container/IMDS timeout; 0: the environment's, or 1000 */
	const char *container_host; /* NULL: "http://169.254.170.2" (tests: loopback) */
	int no_remote;		    /* 1: never ask the container endpoint or IMDS */
};

struct jd_aws_config {
	char profile[128];
	char region[64];	      /* "" when none was found */
	char *endpoint_url;	      /* NULL: the service's AWS endpoint */
	char *ca_bundle;	      /* NULL: the system's store */
	char s3_addressing_style[16]; /* the profile's s3 addressing_style: "", "auto",
	                                 "path", "virtual" */
};

void jd_creds_init(struct jd_creds *c);
/* Wipes the secrets and frees; c can be used again. */
void jd_creds_release(struct jd_creds *c);
/* A borrowed view for jd_sigv4_*; valid while c is. */
void jd_creds_view(const struct jd_creds *c, struct jd_sigv4_creds *v);

/*
 * Finds the credentials (order above). c must be initialised; it is
 * released first. ca_bundle (may be NULL) is used for https container
 * endpoints. Returns 0, or -1 with err: JD_EUSAGE for a named profile that
 * does not exist or an unsupported one, JD_EINPUT for unreadable or
 * malformed files, JD_EREMOTE when a configured container endpoint or IMDS
 * answered badly, JD_EUSAGE "no credentials found" when no source has any
 * (an unreachable IMDS is not an error, just no source).
 */
int jd_creds_load(const struct jd_aws_options *o, const char *ca_bundle, struct jd_creds *c,
		  struct jd_error *err);

/*
 * Region, endpoint, CA bundle and S3 addressing style for o->service.
 * cfg is filled from scratch (release it with jd_aws_config_release).
 * Returns 0 or -1 with err (JD_EINPUT: config file unreadable; JD_EUSAGE:
 * the endpoint URL is not http(s), the named profile is missing).
 */
int jd_aws_config_load(const struct jd_aws_options *o, struct jd_aws_config *cfg,
		       struct jd_error *err);
void jd_aws_config_release(struct jd_aws_config *cfg);

#endif
