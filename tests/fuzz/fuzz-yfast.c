/*
 * Differential fuzzing of the fast YAML scanner: whenever it accepts an
 * input, libyaml must give the same events (end marks aside). Any
 * difference aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "internal.h"
#include "yevent.h"

static int record(void *ctx, const struct yev *ev)
{
	struct jd_buf *b = ctx;
	int ends = ev->type == YEV_SEQ_END || ev->type == YEV_MAP_END || ev->type == YEV_DOC_END ||
		   ev->type == YEV_STREAM_END || ev->type == YEV_DOC_START;

	if (ends)
		return jd_buf_addf(b, NULL, "%d\n", (int)ev->type);
	jd_buf_addf(b, NULL, "%d %u:%u p%d f%d t%s a%s ", (int)ev->type, ev->line, ev->col,
		    ev->type == YEV_SCALAR ? ev->plain : 0, ev->flow, ev->tag ? ev->tag : "-",
		    ev->anchor ? ev->anchor : "-");
	if (ev->value) {
		jd_buf_addf(b, NULL, "%zu:", ev->len);
		jd_buf_add(b, ev->value, ev->len, NULL);
	}
	return jd_buf_addc(b, '\n', NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jd_buf a = JD_BUF_INIT((size_t)1 << 28), b = JD_BUF_INIT((size_t)1 << 28);
	size_t i = 0;

	while (i < size) { /* the scanner's contract: valid UTF-8, no NUL */
		size_t k = jd_utf8_seq(data + i, size - i);
		if (!k || !data[i])
			return 0;
		i += k;
	}
	if (jd_yfast_parse((const char *)data, size, record, &a) == 0) {
		jd_ylib_parse((const char *)data, size, record, &b);
		if (a.len != b.len || (a.len && memcmp(a.data, b.data, a.len))) {
			fprintf(stderr, "fast:\n%s\nlibyaml:\n%s\n", a.data ? a.data : "",
				b.data ? b.data : "");
			abort();
		}
	}
	jd_buf_release(&a);
	jd_buf_release(&b);
	return 0;
}
