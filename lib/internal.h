#ifndef JD_INTERNAL_H
#define JD_INTERNAL_H
/* Helpers shared between library modules; not installed as API. */
#include <stddef.h>

#define JD_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Copies at most size-1 bytes and NUL-terminates; returns strlen(src). */
size_t jd_strlcpy(char *dst, const char *src, size_t size);

/* strdup/strndup that return NULL only on out of memory. */
char *jd_strndup(const char *s, size_t n);

/* Levenshtein distance between a and b, capped at 255. */
unsigned jd_edit_distance(const char *a, const char *b);

/* Length of a valid UTF-8 sequence at s (1..4), or 0 when invalid. */
size_t jd_utf8_seq(const unsigned char *s, size_t avail);

/* Number of code points in valid UTF-8 s of len bytes. */
size_t jd_utf8_count(const char *s, size_t len);

/* Writes code point cp (at most U+10FFFF) as UTF-8 at o (room for 4); its length. */
size_t jd_utf8_put(char *o, unsigned long cp);

/* The value of the n hex digits at s into *out; 0, or -1 if one is not a hex digit. */
int jd_hex_value(const char *s, int n, unsigned *out);

#endif
