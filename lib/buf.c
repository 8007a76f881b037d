#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

void jd_buf_init(struct jd_buf *b, size_t max)
{
	b->data = NULL;
	b->len = b->alloc = 0;
	b->max = max;
}

void jd_buf_release(struct jd_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->alloc = 0;
}

void jd_buf_reset(struct jd_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

char *jd_buf_detach(struct jd_buf *b, size_t *len)
{
	char *p = b->data;

	if (!p) {
		p = calloc(1, 1);
		if (!p)
			return NULL;
	}
	if (len)
		*len = b->len;
	b->data = NULL;
	b->len = b->alloc = 0;
	return p;
}

int jd_buf_grow(struct jd_buf *b, size_t extra, struct jd_error *err)
{
	size_t need, alloc;
	char *p;

	if (extra > b->max || b->len > b->max - extra)
		return jd_error_set(err, JD_EINPUT, "too big (more than %zu bytes)", b->max);
	need = b->len + extra + 1;
	if (need <= b->alloc)
		return 0;
	alloc = b->alloc ? b->alloc : 64;
	while (alloc < need)
		alloc = alloc > ((size_t)-1) / 2 ? need : alloc * 2;
	p = realloc(b->data, alloc);
	if (!p)
		return jd_error_oom(err);
	b->data = p;
	b->alloc = alloc;
	b->data[b->len] = '\0';
	return 0;
}

int jd_buf_add_slow(struct jd_buf *b, const void *data, size_t len, struct jd_error *err)
{
	if (jd_buf_grow(b, len, err) < 0)
		return -1;
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int jd_buf_adds(struct jd_buf *b, const char *s, struct jd_error *err)
{
	return jd_buf_add(b, s, strlen(s), err);
}

int jd_buf_addf(struct jd_buf *b, struct jd_error *err, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return jd_error_set(err, JD_EINTERNAL, "bad format");
	if (jd_buf_grow(b, (size_t)n, err) < 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}
