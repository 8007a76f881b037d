#ifndef JD_JSON_H
#define JD_JSON_H
#include <jansson.h>

#include "buf.h"
#include "error.h"

/*
 * Canonical compact JSON: no insignificant whitespace, members in insertion
 * order, strings UTF-8 with only the escapes JSON requires ("\\", "\"",
 * \b \f \n \r \t, \u00XX for other controls), integers as written, reals in
 * the shortest form that reads back to the same double (2.0, 1.1, 1e+16),
 * as Python's json module and so the AWS CLI write them. Same tree, same
 * bytes. Appends to b; 0 or -1 with err set (too big, or a NaN/infinity).
 */
int jd_json_dump(const json_t *v, struct jd_buf *b, struct jd_error *err);

/* The same into a malloc'd NUL-terminated string (NULL on failure). */
char *jd_json_dumps(const json_t *v, struct jd_error *err);

/* Appends the shortest round-trip text of d ("2.0", "0.1", "1e+16"). */
int jd_json_real(double d, struct jd_buf *b, struct jd_error *err);

/* Appends s (len bytes of UTF-8) as a JSON string literal, quotes included. */
int jd_json_string(const char *s, size_t len, struct jd_buf *b, struct jd_error *err);

#endif
