#ifndef JD_SRCMAP_H
#define JD_SRCMAP_H
#include <stddef.h>

/*
 * A source map: JSON pointer (RFC 6901) -> where the value and, for a
 * member, its key were written. Built by the loader, read by everything that
 * reports a place (validation, templates, compile).
 */
struct jd_srcmap;

struct jd_pos {
	unsigned line, col;   /* of the value; 1-based, 0 = unknown */
	unsigned kline, kcol; /* of the member's key; 0 for items and the root */
};

/* NULL on out of memory. */
struct jd_srcmap *jd_srcmap_new(void);
void jd_srcmap_free(struct jd_srcmap *m); /* accepts NULL */

/* Adds or replaces ptr's position. 0, or -1 on out of memory. */
int jd_srcmap_add(struct jd_srcmap *m, const char *ptr, size_t len, const struct jd_pos *pos);

/* Makes room for n entries and text bytes of pointers: 0, or -1 (out of memory). */
int jd_srcmap_reserve(struct jd_srcmap *m, size_t n, size_t text);

/* The same for a pointer known not to be in the map yet (the loader's case). */
int jd_srcmap_append(struct jd_srcmap *m, const char *ptr, size_t len, const struct jd_pos *pos);

/*
 * The position of ptr; when ptr was not recorded (a member the program
 * added), that of its nearest recorded ancestor. Returns 0 for an exact hit,
 * 1 for an ancestor, -1 when nothing is known (pos zeroed).
 */
int jd_srcmap_find(const struct jd_srcmap *m, const char *ptr, struct jd_pos *pos);

/* Number of entries; entry i's pointer and position (for copying ranges). */
size_t jd_srcmap_count(const struct jd_srcmap *m);
const char *jd_srcmap_entry(const struct jd_srcmap *m, size_t i, size_t *len, struct jd_pos *pos);

/*
 * Appends to b (a struct jd_buf) the escaped pointer segment "/" + key
 * (~ as ~0, / as ~1). Returns 0 or -1 with err set.
 */
struct jd_buf;
struct jd_error;
int jd_pointer_push(struct jd_buf *b, const char *key, size_t len, struct jd_error *err);
int jd_pointer_push_index(struct jd_buf *b, size_t index, struct jd_error *err);

#endif
