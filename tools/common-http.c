/* tools/common-http.c: the --dry-run printer, in its own object so that tools
 * which never speak HTTP (sign, verify, validate, ...) do not link libcurl and
 * its dozens of libraries, which cost them ~5 MiB of RSS at start. */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "common.h"
#include "iot.h"

int jd_print_http(struct jd_iot_http *h, struct jd_error *err)
{
	struct jd_buf out = JD_BUF_INIT((size_t)8 << 20);
	int ret = -1;

	if (jd_iot_format_http(h, 1, &out, err) < 0)
		goto out;
	if (fwrite(out.data, 1, out.len, stdout) != out.len || fflush(stdout)) {
		jd_error_set(err, JD_EIO, "cannot write the output");
		goto out;
	}
	ret = 0;
out:
	jd_buf_release(&out);
	jd_iot_http_release(h);
	return ret;
}

int jd_iot_cli_option(struct jd_iot_cli *c, int opt, const char *arg)
{
	switch (opt) {
	case 'D': c->date = arg; return 1;
	case 'E': c->endpoint = arg; return 1;
	case 'R': c->region = arg; return 1;
	case 'F': c->profile = arg; return 1;
	case 'S': c->signing = arg; return 1;
	case 'v': c->verbose = 1; return 1;
	}
	return 0;
}

int jd_iot_cli_client(const struct jd_iot_cli *c, int dry, struct jd_iot_client *cl,
		      struct jd_error *err)
{
	struct jd_aws_options o;

	memset(&o, 0, sizeof(o));
	o.endpoint_url = c->endpoint;
	o.region = c->region;
	o.profile = c->profile;
	o.no_remote = dry;
	return jd_iot_client_init(cl, &o, c->date, c->signing, c->verbose ? jd_log_line : NULL,
				  NULL, err);
}
