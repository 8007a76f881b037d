#ifndef JD_FILE_H
#define JD_FILE_H
#include <stddef.h>

#include "buf.h"
#include "error.h"

/* Default cap on any input file read whole (specs, documents, schemas). */
#define JD_INPUT_MAX ((size_t)16 << 20)

/*
 * Reads path ("-" = stdin) whole into b (appending), failing with JD_EINPUT
 * "too big" past max bytes, JD_EINPUT when it cannot be opened or read.
 * err->input is set to path.
 */
int jd_read_file(const char *path, size_t max, struct jd_buf *b, struct jd_error *err);

/*
 * Writes data to path atomically: a temporary file in the same directory,
 * fsync, rename. path "-" writes to stdout. mode is used for a new file
 * (0644 usual, 0600 for secrets). On failure nothing is left behind; JD_EIO.
 */
int jd_write_file_atomic(const char *path, const void *data, size_t len, unsigned mode,
			 struct jd_error *err);

/* The directory part of path ("." when none), into out (size bytes). */
void jd_path_dirname(const char *path, char *out, size_t size);

/* base joined with rel unless rel is absolute or base is "."; into a malloc'd string. */
char *jd_path_join(const char *base, const char *rel);

#endif

/*
 * An output file that appears whole or not at all: data goes to a temporary
 * file beside path, jd_outfile_commit() renames it into place, and
 * jd_outfile_abort() (or a failed commit) removes it. path "-" (or NULL)
 * writes to stdout; a path that exists and is not a regular file (/dev/null,
 * a FIFO) is written directly.
 */
struct jd_outfile {
	int fd;
	int direct; /* stdout or a non-regular file: no rename */
	char *path, *tmp;
	unsigned mode;
};

int jd_outfile_open(struct jd_outfile *o, const char *path, unsigned mode, struct jd_error *err);
int jd_outfile_write(struct jd_outfile *o, const void *data, size_t len, struct jd_error *err);
int jd_outfile_commit(struct jd_outfile *o, struct jd_error *err);
void jd_outfile_abort(struct jd_outfile *o); /* safe after commit, and twice */
