#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include <jansson.h>

#include "batch.h"

struct batch {
	size_t n, next, emitted, window;
	void **results;
	unsigned char *ready;
	int stop;
	unsigned idle;	/* workers waiting for room in the window */
	int main_waits; /* the caller waits for the result at emitted */
	jd_batch_work_fn work;
	void *ctx;
	pthread_mutex_t lock;
	pthread_cond_t can_work, have_result;
};

unsigned jd_batch_default_jobs(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 8 ? 8 : (unsigned)n;
}

/* Items a worker takes at a time: fewer trips through the lock. */
#define CHUNK 4

static void *worker(void *arg)
{
	struct batch *b = arg;

	pthread_mutex_lock(&b->lock);
	for (;;) {
		size_t i, first, count;
		void *r[CHUNK];
		int wake = 0;

		while (!b->stop && b->next < b->n && b->next >= b->emitted + b->window) {
			b->idle++;
			pthread_cond_wait(&b->can_work, &b->lock);
			b->idle--;
		}
		if (b->stop || b->next >= b->n)
			break;
		first = b->next;
		count = b->emitted + b->window - first;
		if (count > CHUNK)
			count = CHUNK;
		if (count > b->n - first)
			count = b->n - first;
		b->next += count;
		pthread_mutex_unlock(&b->lock);
		for (i = 0; i < count; i++)
			r[i] = b->work(b->ctx, first + i);
		pthread_mutex_lock(&b->lock);
		for (i = 0; i < count; i++) {
			b->results[(first + i) % b->window] = r[i];
			b->ready[(first + i) % b->window] = 1;
			wake |= first + i == b->emitted;
		}
		/* wake the caller only for the result it waits for: fewer switches */
		if (b->main_waits && wake)
			pthread_cond_signal(&b->have_result);
	}
	pthread_mutex_unlock(&b->lock);
	return NULL;
}

int jd_batch_run(size_t n, unsigned jobs, jd_batch_work_fn work, jd_batch_emit_fn emit,
		 jd_batch_discard_fn discard, void *ctx)
{
	struct batch b = {0};
	pthread_t *threads = NULL;
	unsigned started = 0, t;
	int ret = 0;
	size_t i;

	if (!jobs)
		jobs = jd_batch_default_jobs();
	if (jobs > n)
		jobs = n ? (unsigned)n : 1;
	if (jobs <= 1) {
		for (i = 0; i < n; i++) {
			void *r = work(ctx, i);
			if (ret) {
				if (discard)
					discard(ctx, r);
				continue;
			}
			ret = emit(ctx, i, r);
			if (ret)
				break;
		}
		return ret;
	}
	/* Jansson seeds its hash function lazily: do it before the threads do */
	json_object_seed(0);
	b.n = n;
	b.window = (size_t)jobs * CHUNK * 4;
	b.work = work;
	b.ctx = ctx;
	b.results = calloc(b.window, sizeof(*b.results));
	b.ready = calloc(b.window, 1);
	threads = calloc(jobs, sizeof(*threads));
	if (!b.results || !b.ready || !threads)
		goto serial;
	pthread_mutex_init(&b.lock, NULL);
	pthread_cond_init(&b.can_work, NULL);
	pthread_cond_init(&b.have_result, NULL);
	for (t = 0; t < jobs; t++) {
		if (pthread_create(&threads[t], NULL, worker, &b) != 0)
			break;
		started++;
	}
	if (!started) {
		pthread_mutex_destroy(&b.lock);
		pthread_cond_destroy(&b.can_work);
		pthread_cond_destroy(&b.have_result);
		goto serial;
	}
	pthread_mutex_lock(&b.lock);
	while (b.emitted < n && !ret) {
		size_t slot = b.emitted % b.window;
		void *r;

		while (!b.ready[slot]) {
			b.main_waits = 1;
			pthread_cond_wait(&b.have_result, &b.lock);
			b.main_waits = 0;
		}
		r = b.results[slot];
		b.ready[slot] = 0;
		pthread_mutex_unlock(&b.lock);
		ret = emit(ctx, b.emitted, r);
		pthread_mutex_lock(&b.lock);
		b.emitted++;
		if (ret)
			b.stop = 1;
		if (b.idle || b.stop)
			pthread_cond_broadcast(&b.can_work);
	}
	pthread_mutex_unlock(&b.lock);
	for (t = 0; t < started; t++)
		pthread_join(threads[t], NULL);
	/* after a stop, results that were made but not emitted */
	for (i = 0; i < b.window; i++)
		if (b.ready[i] && discard)
			discard(ctx, b.results[i]);
	pthread_mutex_destroy(&b.lock);
	pthread_cond_destroy(&b.can_work);
	pthread_cond_destroy(&b.have_result);
	free(threads);
	free(b.results);
	free(b.ready);
	return ret;
serial:
	free(threads);
	free(b.results);
	free(b.ready);
	return jd_batch_run(n, 1, work, emit, discard, ctx);
}
