/* tools/common-http.c: the --dry-run printer, in its own object so that tools
 * which never speak HTTP (sign, verify, validate, ...) do not link libcurl and
 * its dozens of libraries, which cost them ~5 MiB of RSS at start. */
#include <stdio.h>

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
