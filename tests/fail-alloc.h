#ifndef JD_TEST_FAIL_ALLOC_H
#define JD_TEST_FAIL_ALLOC_H
/*
 * An allocator for json_set_alloc_funcs(fail_malloc, free) that fails once
 * budget allocations have been made: set budget to n before a call, back to
 * -1 after, for every n until the call succeeds.
 */
#include <stdlib.h>

static long budget = -1; /* allocations left; -1 = no limit */

static void *fail_malloc(size_t n)
{
	if (budget == 0)
		return NULL;
	if (budget > 0)
		budget--;
	return malloc(n);
}

#endif
