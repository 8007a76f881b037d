/*
 * s3-probe: what the S3 tests ask a bucket, through lib/s3 (credentials,
 * region and endpoint from the environment, as the tools find them).
 *   s3-probe uploads BUCKET        "KEY<TAB>UPLOADID" per multipart upload
 *   s3-probe head BUCKET KEY       "SIZE ETAG"; exit 1 when there is none
 *   s3-probe get BUCKET KEY FILE   the object into FILE
 * Exit 5 (and a message) on any S3 error.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "creds.h"
#include "http.h"
#include "s3.h"

static int print_upload(void *ctx, const char *key, const char *id)
{
	(void)ctx;
	printf("%s\t%s\n", key, id);
	return 0;
}

int main(int argc, char **argv)
{
	struct jd_aws_options ao = { 0 };
	struct jd_aws_config cfg = { 0 };
	struct jd_http_options ho = { 0 };
	struct jd_creds creds;
	struct jd_sigv4_creds view;
	struct jd_url ep;
	struct jd_s3 s3;
	struct jd_s3_object o;
	struct jd_error err;
	struct jd_http *h = NULL;
	int rc = 5, r, fd;

	if (argc < 3) {
		fprintf(stderr, "usage: s3-probe uploads|head|get BUCKET [KEY [FILE]]\n");
		return 2;
	}
	jd_creds_init(&creds);
	jd_error_clear(&err);
	ao.service = "s3";
	if (jd_aws_config_load(&ao, &cfg, &err) < 0 || jd_creds_load(&ao, NULL, &creds, &err) < 0)
		goto fail;
	if (cfg.endpoint_url && jd_url_parse(cfg.endpoint_url, &ep, &err) < 0)
		goto fail;
	ho.ca_bundle = cfg.ca_bundle;
	if (!(h = jd_http_new(&ho)))
		goto fail;
	jd_creds_view(&creds, &view);
	jd_s3_init(&s3, h, &view, cfg.region, cfg.endpoint_url ? &ep : NULL, JD_S3_STYLE_AUTO);
	if (!strcmp(argv[1], "uploads")) {
		r = jd_s3_list_multipart_uploads(&s3, argv[2], NULL, print_upload, NULL, &err);
		rc = r < 0 ? 5 : 0;
	} else if (!strcmp(argv[1], "head") && argc == 4) {
		r = jd_s3_head_object(&s3, argv[2], argv[3], &o, &err);
		if (r == 0)
			printf("%llu %s\n", (unsigned long long)o.size, o.etag);
		rc = r < 0 ? 5 : r;
	} else if (!strcmp(argv[1], "get") && argc == 5) {
		fd = open(argv[4], O_RDWR | O_CREAT | O_TRUNC, 0644);
		r = fd < 0 ? -1 : jd_s3_get_object(&s3, argv[2], argv[3], fd, &o, &err);
		if (fd >= 0)
			close(fd);
		rc = r < 0 ? 5 : 0;
	} else {
		rc = 2;
	}
	jd_s3_release(&s3);
	if (rc == 5)
		goto fail;
	goto out;
fail:
	fprintf(stderr, "s3-probe: %s\n", err.msg);
	rc = 5;
out:
	jd_http_free(h);
	jd_creds_release(&creds);
	jd_aws_config_release(&cfg);
	return rc;
}
