/*
 * JSON equality as JSON Schema means it (1 equals 1.0, objects regardless of
 * member order) for const, enum and uniqueItems; uniqueItems on long arrays
 * sorts by a hash instead of comparing every pair.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "schema-int.h"

int jd_json_equal(json_t *a, json_t *b)
{
	if (a == b)
		return 1;
	if (json_is_number(a) && json_is_number(b)) {
		if (json_is_integer(a) && json_is_integer(b))
			return json_integer_value(a) == json_integer_value(b);
		{
			long double l = json_is_integer(a) ? (long double)json_integer_value(a)
							   : (long double)json_real_value(a);
			long double r = json_is_integer(b) ? (long double)json_integer_value(b)
							   : (long double)json_real_value(b);
			return l == r;
		}
	}
	if (json_typeof(a) != json_typeof(b))
		return 0;
	switch (json_typeof(a)) {
	case JSON_STRING:
		return json_string_length(a) == json_string_length(b) &&
		       !memcmp(json_string_value(a), json_string_value(b), json_string_length(a));
	case JSON_ARRAY: {
		size_t i, n = json_array_size(a);
		if (n != json_array_size(b))
			return 0;
		for (i = 0; i < n; i++)
			if (!jd_json_equal(json_array_get(a, i), json_array_get(b, i)))
				return 0;
		return 1;
	}
	case JSON_OBJECT: {
		const char *k;
		json_t *v, *w;
		if (json_object_size(a) != json_object_size(b))
			return 0;
		json_object_foreach(a, k, v)
		{
			w = json_object_get(b, k);
			if (!w || !jd_json_equal(v, w))
				return 0;
		}
		return 1;
	}
	default: return 1; /* true, false, null: same type */
	}
}

static uint64_t json_hash(json_t *x, int depth)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	if (depth > 64)
		return h;
	switch (json_typeof(x)) {
	case JSON_INTEGER: return (uint64_t)json_integer_value(x) * 0x9e3779b97f4a7c15ULL;
	case JSON_REAL: {
		double d = json_real_value(x);
		if (d == floor(d) && fabs(d) < 9e18)
			return (uint64_t)(long long)d * 0x9e3779b97f4a7c15ULL;
		memcpy(&h, &d, sizeof(h));
		return h * 31;
	}
	case JSON_STRING: {
		const char *s = json_string_value(x);
		size_t n = json_string_length(x);
		for (i = 0; i < n; i++)
			h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
		return h;
	}
	case JSON_ARRAY:
		for (i = 0; i < json_array_size(x); i++)
			h = (h ^ json_hash(json_array_get(x, i), depth + 1)) * 1099511628211ULL;
		return h ^ 0xa;
	case JSON_OBJECT: {
		const char *k;
		json_t *v;
		uint64_t sum = 0;
		json_object_foreach(x, k, v)
		{
			uint64_t kh = 1469598103934665603ULL;
			const char *p;
			for (p = k; *p; p++)
				kh = (kh ^ (unsigned char)*p) * 1099511628211ULL;
			sum += kh ^ (json_hash(v, depth + 1) * 0x9e3779b97f4a7c15ULL);
		}
		return sum ^ 0xb;
	}
	case JSON_TRUE: return 1;
	case JSON_FALSE: return 2;
	default: return 3;
	}
}

struct hitem {
	uint64_t h;
	size_t i;
};

static int hitem_cmp(const void *a, const void *b)
{
	const struct hitem *p = a, *q = b;

	if (p->h != q->h)
		return p->h < q->h ? -1 : 1;
	return (p->i > q->i) - (p->i < q->i);
}

int jd_json_unique(json_t *a, size_t *di, size_t *dj)
{
	size_t n = json_array_size(a), i, j;
	struct hitem *h;

	if (n <= 24) {
		for (i = 0; i < n; i++)
			for (j = i + 1; j < n; j++)
				if (jd_json_equal(json_array_get(a, i), json_array_get(a, j))) {
					*di = i, *dj = j;
					return 0;
				}
		return 1;
	}
	h = malloc(n * sizeof(*h));
	if (!h)
		return -1;
	for (i = 0; i < n; i++) {
		h[i].h = json_hash(json_array_get(a, i), 0);
		h[i].i = i;
	}
	qsort(h, n, sizeof(*h), hitem_cmp);
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n && h[j].h == h[i].h; j++)
			if (jd_json_equal(json_array_get(a, h[i].i), json_array_get(a, h[j].i))) {
				*di = h[i].i, *dj = h[j].i;
				free(h);
				return 0;
			}
	free(h);
	return 1;
}
