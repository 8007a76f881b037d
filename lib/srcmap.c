#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "srcmap.h"

struct entry {
	size_t off, len; /* pointer text in m->text */
	struct jd_pos pos;
};

struct jd_srcmap {
	struct entry *e;
	size_t n, alloc;
	char *text;
	size_t tlen, talloc;
	/*
	 * Open addressing: entry index + 1, 0 = empty. Made on the first
	 * lookup, for the entries up to nindexed: most loads are never asked
	 * where anything is (no finding), and appending stays a copy.
	 */
	uint32_t *slot;
	size_t nslot, nindexed;
	/*
	 * n when the index is whole. A map is appended to by one thread (the
	 * loader's); once loaded, a document may be read from several, so the
	 * first lookup makes the index under index_lock.
	 */
	atomic_size_t ready;
};

static pthread_mutex_t index_lock = PTHREAD_MUTEX_INITIALIZER;

static uint64_t hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	while (n--) {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ULL;
	}
	return h;
}

struct jd_srcmap *jd_srcmap_new(void)
{
	return calloc(1, sizeof(struct jd_srcmap));
}

void jd_srcmap_free(struct jd_srcmap *m)
{
	if (!m)
		return;
	free(m->e);
	free(m->text);
	free(m->slot);
	free(m);
}

static int index_all(struct jd_srcmap *m);

static long lookup(const struct jd_srcmap *cm, const char *p, size_t len)
{
	struct jd_srcmap *m = (struct jd_srcmap *)cm; /* the index is a cache */
	size_t i;

	if (atomic_load_explicit(&m->ready, memory_order_acquire) != m->n) {
		int x;
		pthread_mutex_lock(&index_lock);
		x = m->nindexed < m->n ? index_all(m) : 0;
		if (!x)
			atomic_store_explicit(&m->ready, m->n, memory_order_release);
		pthread_mutex_unlock(&index_lock);
		if (x < 0)
			return -1;
	}
	if (!m->nslot)
		return -1;
	for (i = hash(p, len) & (m->nslot - 1);; i = (i + 1) & (m->nslot - 1)) {
		uint32_t s = m->slot[i];
		const struct entry *e;
		if (!s)
			return -(long)i - 2;
		e = &m->e[s - 1];
		if (e->len == len && !memcmp(m->text + e->off, p, len))
			return (long)(s - 1);
	}
}

static void index_one(struct jd_srcmap *m, size_t i)
{
	size_t j = hash(m->text + m->e[i].off, m->e[i].len) & (m->nslot - 1);

	while (m->slot[j])
		j = (j + 1) & (m->nslot - 1);
	m->slot[j] = (uint32_t)(i + 1);
}

/* The index brought up to every entry, kept at most half full. 0, or -1 (out of memory). */
static int index_all(struct jd_srcmap *m)
{
	size_t nslot = m->nslot ? m->nslot : 64, i;

	while (nslot < m->n * 2)
		nslot *= 2;
	if (nslot != m->nslot) {
		uint32_t *slot = calloc(nslot, sizeof(*slot));
		if (!slot)
			return -1;
		free(m->slot);
		m->slot = slot;
		m->nslot = nslot;
		m->nindexed = 0;
	}
	for (i = m->nindexed; i < m->n; i++)
		index_one(m, i);
	m->nindexed = m->n;
	return 0;
}

int jd_srcmap_reserve(struct jd_srcmap *m, size_t n, size_t text)
{
	struct entry *e;
	char *t;

	if (n > m->alloc) {
		e = realloc(m->e, n * sizeof(*e));
		if (!e)
			return -1;
		m->e = e;
		m->alloc = n;
	}
	if (text > m->talloc) {
		t = realloc(m->text, text);
		if (!t)
			return -1;
		m->text = t;
		m->talloc = text;
	}
	return 0;
}

int jd_srcmap_add(struct jd_srcmap *m, const char *ptr, size_t len, const struct jd_pos *pos)
{
	long at = lookup(m, ptr, len);

	if (at >= 0) {
		m->e[at].pos = *pos;
		return 0;
	}
	return jd_srcmap_append(m, ptr, len, pos);
}

int jd_srcmap_append(struct jd_srcmap *m, const char *ptr, size_t len, const struct jd_pos *pos)
{
	struct entry *e;

	if (m->n >= UINT32_MAX - 1)
		return -1;
	if (m->n == m->alloc) {
		size_t a = m->alloc ? m->alloc * 2 : 32;
		e = realloc(m->e, a * sizeof(*e));
		if (!e)
			return -1;
		m->e = e;
		m->alloc = a;
	}
	if (m->tlen + len + 1 > m->talloc) {
		size_t a = m->talloc ? m->talloc : 512;
		char *t;
		while (a < m->tlen + len + 1)
			a *= 2;
		t = realloc(m->text, a);
		if (!t)
			return -1;
		m->text = t;
		m->talloc = a;
	}
	memcpy(m->text + m->tlen, ptr, len);
	m->text[m->tlen + len] = '\0';
	e = &m->e[m->n];
	e->off = m->tlen;
	e->len = len;
	e->pos = *pos;
	m->tlen += len + 1;
	m->n++;
	return 0;
}

int jd_srcmap_find(const struct jd_srcmap *m, const char *ptr, struct jd_pos *pos)
{
	size_t len = strlen(ptr);
	int exact = 1;

	memset(pos, 0, sizeof(*pos));
	if (!m)
		return -1;
	for (;;) {
		long at = lookup(m, ptr, len);
		if (at >= 0) {
			*pos = m->e[at].pos;
			if (!exact)
				pos->kline = pos->kcol = 0;
			return exact ? 0 : 1;
		}
		if (!len)
			return -1;
		while (len && ptr[len - 1] != '/')
			len--;
		if (len)
			len--;
		exact = 0;
	}
}

size_t jd_srcmap_count(const struct jd_srcmap *m)
{
	return m ? m->n : 0;
}

const char *jd_srcmap_entry(const struct jd_srcmap *m, size_t i, size_t *len, struct jd_pos *pos)
{
	if (len)
		*len = m->e[i].len;
	if (pos)
		*pos = m->e[i].pos;
	return m->text + m->e[i].off;
}

int jd_pointer_push(struct jd_buf *b, const char *key, size_t len, struct jd_error *err)
{
	size_t i, start = 0;

	if (jd_buf_addc(b, '/', err) < 0)
		return -1;
	for (i = 0; i < len; i++) {
		if (key[i] != '~' && key[i] != '/')
			continue;
		if (jd_buf_add(b, key + start, i - start, err) < 0 ||
		    jd_buf_add(b, key[i] == '~' ? "~0" : "~1", 2, err) < 0)
			return -1;
		start = i + 1;
	}
	return jd_buf_add(b, key + start, len - start, err);
}

int jd_pointer_push_index(struct jd_buf *b, size_t index, struct jd_error *err)
{
	char tmp[24];
	size_t n = sizeof(tmp);

	do {
		tmp[--n] = (char)('0' + index % 10);
		index /= 10;
	} while (index);
	tmp[--n] = '/';
	return jd_buf_add(b, tmp + n, sizeof(tmp) - n, err);
}
