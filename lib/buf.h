#ifndef JD_BUF_H
#define JD_BUF_H
#include <stddef.h>
#include <string.h>

#include "error.h"

/*
 * A growable byte buffer with a hard cap, as curl's dynbuf: a hostile input
 * fails with "too big", never with memory exhaustion. data is always
 * NUL-terminated once anything was added (data may be NULL before).
 *
 *   struct jd_buf b;
 *   jd_buf_init(&b, 1 << 20);
 *   if (jd_buf_add(&b, p, n, err) < 0) goto out;
 *   ...
 * out:
 *   jd_buf_release(&b);
 */
struct jd_buf {
	char *data;
	size_t len;
	size_t alloc;
	size_t max; /* the most len may become */
};

#define JD_BUF_INIT(max)          \
	{                         \
		NULL, 0, 0, (max) \
	}

void jd_buf_init(struct jd_buf *b, size_t max);
/* Frees the data; b can be used again. */
void jd_buf_release(struct jd_buf *b);
/* Keeps the allocation, sets len to 0. */
void jd_buf_reset(struct jd_buf *b);
/* Hands the data to the caller (free() it), leaves b empty. Never NULL on success. */
char *jd_buf_detach(struct jd_buf *b, size_t *len);

/* These return 0, or -1 with err set: JD_EINPUT "too big" past max, or out of memory. */
int jd_buf_grow(struct jd_buf *b, size_t extra, struct jd_error *err);
int jd_buf_add_slow(struct jd_buf *b, const void *data, size_t len, struct jd_error *err);
int jd_buf_adds(struct jd_buf *b, const char *s, struct jd_error *err);

/* The common case inline: room is there, copy. */
static inline int jd_buf_add(struct jd_buf *b, const void *data, size_t len, struct jd_error *err)
{
	if (b->data && len < b->alloc - b->len && len <= b->max - b->len) {
		memcpy(b->data + b->len, data, len);
		b->len += len;
		b->data[b->len] = '\0';
		return 0;
	}
	return jd_buf_add_slow(b, data, len, err);
}

static inline int jd_buf_addc(struct jd_buf *b, char c, struct jd_error *err)
{
	if (b->data && b->len + 1 < b->alloc && b->len < b->max) {
		b->data[b->len++] = c;
		b->data[b->len] = '\0';
		return 0;
	}
	return jd_buf_add_slow(b, &c, 1, err);
}
int jd_buf_addf(struct jd_buf *b, struct jd_error *err, const char *fmt, ...) JD_PRINTF(3, 4);

#endif
