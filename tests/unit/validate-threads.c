/*
 * One validator shared by threads: each thread validates the same spec,
 * request and document many times, starting together on a fresh validator
 * (so that the schemas are compiled while others wait for them), and must
 * see the same findings as a single-threaded run.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "load.h"
#include "validate.h"

#define THREADS 4
#define ROUNDS 25

static const char *const inputs[][2] = {
	{"spec.yaml", "jobId: fw-1\n"
		      "targets: [arn:aws:iot:eu-west-1:123456789012:thing/a]\n"
		      "documentSchema: device-client\n"
		      "document: {version: '1.0', includeStdOut: true, steps: [{action: {name: a, type: "
		      "runCommand, input: {command: ls}}}]}\n"
		      "jobTemplateArn: arn:aws:iot:eu-west-1::jobtemplate/AWS-Reboot:1.0\n"},
	{"request.json", "{\"jobId\":\"r\",\"targets\":[\"arn:aws:iot:eu-west-1:123456789012:thing/"
			 "a\"],\"document\":\"{\\\"afr_ota\\\":{\\\"protocols\\\":[\\\"HTTP\\\"],"
			 "\\\"files\\\":[{}]}}\"}"},
	{"doc.json", "{\"operation\": 7}"},
};

static struct jd_validator *v;
static struct jd_doc docs[3];
static unsigned want[3];
static pthread_barrier_t start;

static int count(void *ctx, const struct jd_finding *f)
{
	(void)f;
	(*(unsigned *)ctx)++;
	return 0;
}

static void *worker(void *arg)
{
	long bad = 0;
	int r, i;
	size_t k;

	(void)arg;
	pthread_barrier_wait(&start);
	for (r = 0; r < ROUNDS; r++) {
		for (k = 0; k < 3; k++) {
			struct jd_error err;
			unsigned got = 0;
			jd_error_clear(&err);
			i = jd_validate_file_doc(v, &docs[k], NULL, NULL, count, &got, &err);
			if (i < 0 || got != want[k])
				bad++;
		}
	}
	return (void *)bad;
}

int main(void)
{
	struct jd_validate_opts o = {JD_DRAFT_DEFAULT, 0, 1793491200LL};
	struct jd_error err;
	pthread_t t[THREADS];
	size_t k, n;
	long bad = 0;
	int i;

	for (k = 0; k < 3; k++) {
		struct jd_doc *d = NULL;
		jd_error_clear(&err);
		if (jd_load(inputs[k][0], inputs[k][1], strlen(inputs[k][1]), NULL, &d, &n, &err) < 0 ||
		    n != 1)
			return ok(0, "load"), tap_done();
		docs[k] = d[0];
		free(d);
	}
	/* the findings of a single-threaded run */
	v = jd_validator_new(&o, &err);
	for (k = 0; k < 3; k++) {
		jd_error_clear(&err);
		ok(jd_validate_file_doc(v, &docs[k], NULL, NULL, count, &want[k], &err) > 0,
		   inputs[k][0]);
	}
	jd_validator_free(v);
	v = jd_validator_new(&o, &err);
	pthread_barrier_init(&start, NULL, THREADS);
	for (i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, worker, NULL);
	for (i = 0; i < THREADS; i++) {
		void *r;
		pthread_join(t[i], &r);
		bad += (long)r;
	}
	is_int(bad, 0, "threads see the single-threaded findings");
	pthread_barrier_destroy(&start);
	jd_validator_free(v);
	for (k = 0; k < 3; k++)
		jd_doc_release(&docs[k]);
	return tap_done();
}
