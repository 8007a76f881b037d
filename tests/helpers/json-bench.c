/*
 * json-bench [-r ROUNDS] [-t SECONDS] FILE...: CPU time per parse of each
 * file by json_loadb and by jd_json_parse (both building and freeing the
 * tree), the best of ROUNDS rounds of about SECONDS each; and the ratio.
 * Exits 1 if the two trees differ or either parser fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "file.h"
#include "jsonparse.h"

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Seconds per parse over n parses. */
static double run(int ours, const char *text, size_t len, long n)
{
	double t0 = cpu_now();
	long i;

	for (i = 0; i < n; i++) {
		json_t *v = ours ? jd_json_parse(text, len, 0, NULL) : json_loadb(text, len, 0, NULL);
		if (!v)
			exit(1);
		json_decref(v);
	}
	return (cpu_now() - t0) / (double)n;
}

int main(int argc, char **argv)
{
	int rounds = 5, i, k, status = 0;
	double secs = 0.2;

	for (i = 1; i < argc && argv[i][0] == '-'; i += 2) {
		if (i + 1 >= argc)
			break;
		if (!strcmp(argv[i], "-r"))
			rounds = (int)strtol(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "-t"))
			secs = strtod(argv[i + 1], NULL);
	}
	for (; i < argc; i++) {
		struct jd_buf b = JD_BUF_INIT((size_t)1 << 26);
		json_t *a, *c;
		double best[2] = {1e9, 1e9};
		long n;

		if (jd_read_file(argv[i], (size_t)1 << 26, &b, NULL) < 0) {
			fprintf(stderr, "json-bench: %s: cannot read\n", argv[i]);
			return 1;
		}
		a = json_loadb(b.data, b.len, 0, NULL);
		c = jd_json_parse(b.data, b.len, 0, NULL);
		if (!a || !c || !json_equal(a, c)) {
			fprintf(stderr, "json-bench: %s: the trees differ\n", argv[i]);
			status = 1;
		}
		json_decref(a);
		json_decref(c);
		/* enough parses for secs of the slower one */
		n = (long)(secs / run(0, b.data, b.len, 20)) + 1;
		for (k = 0; k < rounds; k++) {
			double t0 = run(0, b.data, b.len, n), t1 = run(1, b.data, b.len, n);
			best[0] = t0 < best[0] ? t0 : best[0];
			best[1] = t1 < best[1] ? t1 : best[1];
		}
		printf("%s (%zu bytes): json_loadb %.1f us, jd_json_parse %.1f us: %.2fx "
		       "(%.0f vs %.0f MB/s)\n",
		       argv[i], b.len, best[0] * 1e6, best[1] * 1e6, best[0] / best[1],
		       (double)b.len / best[0] / 1e6, (double)b.len / best[1] / 1e6);
		jd_buf_release(&b);
	}
	return status;
}
