#ifndef JD_TEST_JSON_SAME_H
#define JD_TEST_JSON_SAME_H
/*
 * For tests and fuzzers: are two Jansson trees the same to the bit? Stricter
 * than json_equal: integer and real differ, reals compare bit for bit
 * (0.0 and -0.0 differ), members compare in order.
 */
#include <string.h>

#include <jansson.h>

static int json_same(const json_t *a, const json_t *b)
{
	size_t i;

	if (!a || !b)
		return a == b;
	if (json_typeof(a) != json_typeof(b))
		return 0;
	switch (json_typeof(a)) {
	case JSON_OBJECT: {
		void *ia = json_object_iter((json_t *)a), *ib = json_object_iter((json_t *)b);
		if (json_object_size(a) != json_object_size(b))
			return 0;
		for (; ia && ib;
		     ia = json_object_iter_next((json_t *)a, ia),
		     ib = json_object_iter_next((json_t *)b, ib)) {
			size_t na = json_object_iter_key_len(ia), nb = json_object_iter_key_len(ib);
			if (na != nb || memcmp(json_object_iter_key(ia), json_object_iter_key(ib), na) ||
			    !json_same(json_object_iter_value(ia), json_object_iter_value(ib)))
				return 0;
		}
		return !ia && !ib;
	}
	case JSON_ARRAY:
		if (json_array_size(a) != json_array_size(b))
			return 0;
		for (i = 0; i < json_array_size(a); i++)
			if (!json_same(json_array_get(a, i), json_array_get(b, i)))
				return 0;
		return 1;
	case JSON_STRING:
		return json_string_length(a) == json_string_length(b) &&
		       !memcmp(json_string_value(a), json_string_value(b), json_string_length(a));
	case JSON_INTEGER:
		return json_integer_value(a) == json_integer_value(b);
	case JSON_REAL: {
		double x = json_real_value(a), y = json_real_value(b);
		return !memcmp(&x, &y, sizeof(x));
	}
	default:
		return 1;
	}
}

#endif
