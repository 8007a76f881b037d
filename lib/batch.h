#ifndef JD_BATCH_H
#define JD_BATCH_H
#include <stddef.h>

/*
 * An ordered parallel map: work(ctx, i) for i in 0..n-1 runs on up to jobs
 * threads; emit(ctx, i, result) runs on the calling thread, strictly in
 * index order, as results become ready. At most a few results per thread
 * wait to be emitted, so memory stays bounded whatever n is.
 *
 * work must be thread-safe with respect to ctx; it returns an owned result
 * (may be NULL), which emit takes. A non-zero return from emit stops the
 * run: no further emit is called, pending results are handed to emit's
 * counterpart discard (may be NULL: then they are leaked -- don't).
 * jobs 0 means the number of online CPUs (at most 8). Returns emit's first
 * non-zero value, or 0. When threads cannot be started, work runs on the
 * calling thread.
 */
typedef void *(*jd_batch_work_fn)(void *ctx, size_t i);
typedef int (*jd_batch_emit_fn)(void *ctx, size_t i, void *result);
typedef void (*jd_batch_discard_fn)(void *ctx, void *result);

int jd_batch_run(size_t n, unsigned jobs, jd_batch_work_fn work, jd_batch_emit_fn emit,
		 jd_batch_discard_fn discard, void *ctx);

/* The default number of jobs: online CPUs, 1..8. */
unsigned jd_batch_default_jobs(void);

#endif
