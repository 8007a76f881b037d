/*
 * yfast-diff FILE...: for each file the fast scanner accepts, checks that
 * libyaml gives the very same events (type, line, column, value, style).
 * Prints "fast N, bailed M, differ K" and one line per difference; exits 1
 * when any differs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "file.h"
#include "internal.h"
#include "yevent.h"

static int record(void *ctx, const struct yev *ev)
{
	struct jd_buf *b = ctx;

	jd_buf_addf(b, NULL, "%d %u:%u p%d f%d t%s a%s ", (int)ev->type, ev->line, ev->col,
		    ev->type == YEV_SCALAR ? ev->plain : 0,
		    ev->type == YEV_SEQ_START || ev->type == YEV_MAP_START ? ev->flow : 0,
		    ev->tag ? ev->tag : "-", ev->anchor ? ev->anchor : "-");
	if (ev->type == YEV_SCALAR || ev->type == YEV_ALIAS) {
		jd_buf_addf(b, NULL, "%zu:", ev->len);
		jd_buf_add(b, ev->value, ev->len, NULL);
	}
	jd_buf_addc(b, '\n', NULL);
	return 0;
}

/* Compares ignoring the marks of end and document events. */
static void strip_end_marks(struct jd_buf *b)
{
	char *p = b->data, *o = b->data;

	while (p && *p) {
		char *nl = strchr(p, '\n');
		int t = atoi(p);
		size_t n = (size_t)(nl - p) + 1;
		if (t == YEV_SEQ_END || t == YEV_MAP_END || t == YEV_DOC_END ||
		    t == YEV_STREAM_END || t == YEV_DOC_START) {
			o += snprintf(o, n, "%d\n", t);
		} else {
			memmove(o, p, n);
			o += n;
		}
		p = nl + 1;
	}
	if (b->data) {
		*o = '\0';
		b->len = (size_t)(o - b->data);
	}
}

/* The fast scanner's contract: valid UTF-8, no NUL. */
static int valid_text(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t k = jd_utf8_seq((const unsigned char *)s + i, n - i);
		if (!k || !s[i])
			return 0;
		i += k;
	}
	return 1;
}

int main(int argc, char **argv)
{
	int i, fast = 0, bailed = 0, differ = 0;

	for (i = 1; i < argc; i++) {
		struct jd_buf in = JD_BUF_INIT((size_t)64 << 20);
		struct jd_buf a = JD_BUF_INIT((size_t)1 << 30), b = JD_BUF_INIT((size_t)1 << 30);
		struct jd_error err;
		int r;

		if (jd_read_file(argv[i], (size_t)64 << 20, &in, &err) < 0) {
			fprintf(stderr, "yfast-diff: %s: %s\n", argv[i], err.msg);
			return 2;
		}
		if (!valid_text(in.data ? in.data : "", in.len)) {
			jd_buf_release(&in);
			continue; /* the loader never hands such input to either parser */
		}
		r = jd_yfast_parse(in.data ? in.data : "", in.len, record, &a);
		if (r == JD_YFAST_BAIL) {
			bailed++;
		} else {
			fast++;
			jd_ylib_parse(in.data ? in.data : "", in.len, record, &b);
			strip_end_marks(&a);
			strip_end_marks(&b);
			if (a.len != b.len || (a.len && memcmp(a.data, b.data, a.len))) {
				differ++;
				printf("differ: %s\n--- fast\n%s--- libyaml\n%s", argv[i],
				       a.data ? a.data : "", b.data ? b.data : "");
			}
		}
		jd_buf_release(&in);
		jd_buf_release(&a);
		jd_buf_release(&b);
	}
	printf("fast %d, bailed %d, differ %d\n", fast, bailed, differ);
	return differ ? 1 : 0;
}
