#ifndef JD_TAP_H
#define JD_TAP_H
/*
 * A tiny TAP producer for C unit tests, run by prove.
 *
 *   int main(void) {
 *       ok(1 + 1 == 2, "addition");
 *       is_str(got, "want", "name");
 *       return tap_done();
 *   }
 */
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

static inline int tap_ok(int cond, const char *file, int line, const char *fmt, const char *name)
{
	tap_n++;
	printf("%sok %d - %s\n", cond ? "" : "not ", tap_n, name);
	if (!cond) {
		tap_failed++;
		printf("#   failed at %s:%d%s%s\n", file, line, fmt ? ": " : "", fmt ? fmt : "");
	}
	fflush(stdout);
	return cond;
}

#define ok(cond, name) tap_ok(!!(cond), __FILE__, __LINE__, NULL, (name))
#define is_int(got, want, name)                                                         \
	do {                                                                            \
		long long g_ = (long long)(got), w_ = (long long)(want);                \
		if (!tap_ok(g_ == w_, __FILE__, __LINE__, NULL, (name)))                \
			printf("#   got %lld, want %lld\n", g_, w_);                    \
	} while (0)
#define is_str(got, want, name)                                                         \
	do {                                                                            \
		const char *g_ = (got), *w_ = (want);                                   \
		if (!tap_ok(g_ && w_ && !strcmp(g_, w_), __FILE__, __LINE__, NULL, (name))) \
			printf("#   got  '%s'\n#   want '%s'\n", g_ ? g_ : "(null)",       \
			       w_ ? w_ : "(null)");                                     \
	} while (0)
#define diag(...) (printf("# "), printf(__VA_ARGS__), printf("\n"))

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
