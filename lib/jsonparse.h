#ifndef JD_JSONPARSE_H
#define JD_JSONPARSE_H
#include <stddef.h>

#include <jansson.h>

/*
 * A drop-in for json_loadb(text, len, flags, error) that is several times
 * faster: it accepts exactly what Jansson 2.14 accepts and builds an equal
 * tree (the same types, integers and reals bit for bit, members in the same
 * order), reading len bytes of text (no NUL terminator needed).
 *
 * flags: 0 or any of JSON_DECODE_ANY, JSON_REJECT_DUPLICATES, JSON_ALLOW_NUL;
 * any other flag is handed to json_loadb as it is.
 *
 * Returns a new reference, or NULL with error (may be NULL) filled as
 * json_loadb fills it: source "<buffer>", line, column, position and text
 * are Jansson's own, because a text that fails is read again by json_loadb
 * for its message. On success error->position is len, as with json_loadb.
 */
json_t *jd_json_parse(const char *text, size_t len, size_t flags, json_error_t *error);

/*
 * The parser alone, for tests and the differential fuzzer: the same tree as
 * jd_json_parse on success, NULL on any error (bad text or out of memory)
 * without asking json_loadb. Only the three flags above.
 */
json_t *jd_json_parse_fast(const char *text, size_t len, size_t flags);

#endif
