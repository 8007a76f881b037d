#include <string.h>

#include "embedded.h"

const struct jd_embedded *jd_embedded_find(const char *name)
{
	const struct jd_embedded *e;

	for (e = jd_embedded; e->name; e++)
		if (!strcmp(e->name, name))
			return e;
	return NULL;
}
