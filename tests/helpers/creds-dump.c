/*
 * Test helper: finds credentials and configuration as jobdoc tools do and
 * prints what was found. The secret and the token are printed only as the
 * first 16 hex digits of their SHA-256, so the test can check them.
 *
 *   creds-dump [--profile P] [--region R] [--endpoint URL] [--service S]
 *              [--container-host URL] [--no-remote] [--timeout-ms N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "creds.h"
#include "sigv4.h"

static void fp(const char *label, const char *s)
{
	char hex[65];

	if (!s) {
		printf("%s=none\n", label);
		return;
	}
	jd_sigv4_sha256_hex(s, strlen(s), hex);
	hex[16] = '\0';
	printf("%s=%s\n", label, hex);
}

int main(int argc, char **argv)
{
	struct jd_aws_options o;
	struct jd_aws_config cfg;
	struct jd_creds c;
	struct jd_error err;
	int i, rc = 0;

	memset(&o, 0, sizeof(o));
	o.service = "s3";
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--no-remote")) {
			o.no_remote = 1;
			continue;
		}
		if (!v) {
			fprintf(stderr, "creds-dump: %s needs a value\n", a);
			return 2;
		}
		i++;
		if (!strcmp(a, "--profile"))
			o.profile = v;
		else if (!strcmp(a, "--region"))
			o.region = v;
		else if (!strcmp(a, "--endpoint"))
			o.endpoint_url = v;
		else if (!strcmp(a, "--service"))
			o.service = v;
		else if (!strcmp(a, "--container-host"))
			o.container_host = v;
		else if (!strcmp(a, "--timeout-ms"))
			o.timeout_ms = strtol(v, NULL, 10);
		else {
			fprintf(stderr, "creds-dump: unknown option %s\n", a);
			return 2;
		}
	}
	if (jd_aws_config_load(&o, &cfg, &err) < 0) {
		char buf[1200];
		fprintf(stderr, "creds-dump: config: %s\n", jd_error_format(&err, buf, sizeof(buf)));
		return err.code;
	}
	printf("profile=%s\nregion=%s\nendpoint=%s\nca_bundle=%s\naddressing_style=%s\n",
	       cfg.profile, cfg.region, cfg.endpoint_url ? cfg.endpoint_url : "none",
	       cfg.ca_bundle ? cfg.ca_bundle : "none", cfg.s3_addressing_style);
	jd_creds_init(&c);
	if (jd_creds_load(&o, cfg.ca_bundle, &c, &err) < 0) {
		char buf[1200];
		fprintf(stderr, "creds-dump: credentials: %s\n", jd_error_format(&err, buf, sizeof(buf)));
		rc = err.code;
	} else {
		printf("source=%s\naccess_key_id=%s\n", c.source, c.access_key_id);
		fp("secret", c.secret_access_key);
		fp("token", c.session_token);
		printf("expiration=%lld\n", (long long)c.expiration);
	}
	jd_creds_release(&c);
	jd_aws_config_release(&cfg);
	return rc;
}
