#ifndef JD_EMBEDDED_H
#define JD_EMBEDDED_H
#include <stddef.h>

/*
 * Files of schemas/ compiled into the library (build-aux/embed.sh).
 * name is the path below schemas/ ("afr-ota.json"); data is NUL-terminated,
 * len excludes the NUL. The array ends with a {NULL, NULL, 0} entry.
 */
struct jd_embedded {
	const char *name;
	const unsigned char *data;
	size_t len;
};

extern const struct jd_embedded jd_embedded[];

/* The embedded file called name, or NULL. */
const struct jd_embedded *jd_embedded_find(const char *name);

#endif
