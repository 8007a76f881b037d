#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "internal.h"

int jd_read_file(const char *path, size_t max, struct jd_buf *b, struct jd_error *err)
{
	int fd, is_stdin = strcmp(path, "-") == 0;
	int ret = -1;
	struct stat st;

	if (err)
		jd_strlcpy(err->input, path, sizeof(err->input));
	fd = is_stdin ? 0 : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return jd_error_at(err, JD_EINPUT, path, 0, 0, NULL, "cannot open: %s",
				   strerror(errno));
	if (!is_stdin && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (unsigned long long)st.st_size < max - (b->len < max ? b->len : max)) {
		/*
		 * A file of known size is read where it goes, in one piece: its
		 * size and a byte more, to see the end. (A file that grows
		 * meanwhile goes on below.)
		 */
		size_t room = (size_t)st.st_size + 1;
		if (jd_buf_grow(b, room, err) < 0)
			goto out;
		while (room) {
			ssize_t n = read(fd, b->data + b->len, room);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				jd_error_at(err, JD_EINPUT, path, 0, 0, NULL, "cannot read: %s",
					    strerror(errno));
				goto out;
			}
			if (n == 0)
				goto done;
			b->len += (size_t)n;
			room -= (size_t)n;
		}
	}
	for (;;) {
		char chunk[65536];
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			jd_error_at(err, JD_EINPUT, path, 0, 0, NULL, "cannot read: %s",
				    strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		if ((size_t)n > max - (b->len < max ? b->len : max) || b->len >= max + 1) {
			jd_error_at(err, JD_EINPUT, path, 0, 0, NULL,
				    "too big (the limit is %zu bytes)", max);
			goto out;
		}
		if (jd_buf_add(b, chunk, (size_t)n, err) < 0)
			goto out;
	}
done:
	if (!b->data && jd_buf_grow(b, 0, err) < 0)
		goto out;
	b->data[b->len] = '\0';
	ret = 0;
out:
	if (!is_stdin)
		close(fd);
	return ret;
}

void jd_path_dirname(const char *path, char *out, size_t size)
{
	const char *slash = strrchr(path, '/');

	if (!slash) {
		jd_strlcpy(out, ".", size);
		return;
	}
	if (slash == path) {
		jd_strlcpy(out, "/", size);
		return;
	}
	if ((size_t)(slash - path) + 1 > size) {
		jd_strlcpy(out, ".", size);
		return;
	}
	memcpy(out, path, (size_t)(slash - path));
	out[slash - path] = '\0';
}

char *jd_path_join(const char *base, const char *rel)
{
	size_t lb, lr;
	char *p;

	if (rel[0] == '/' || !base || !strcmp(base, "."))
		return jd_strndup(rel, strlen(rel));
	lb = strlen(base);
	lr = strlen(rel);
	p = malloc(lb + lr + 2);
	if (!p)
		return NULL;
	memcpy(p, base, lb);
	p[lb] = '/';
	memcpy(p + lb + 1, rel, lr + 1);
	return p;
}

int jd_write_file_atomic(const char *path, const void *data, size_t len, unsigned mode,
			 struct jd_error *err)
{
	struct jd_outfile o;

	if (jd_outfile_open(&o, path, mode, err) < 0)
		return -1;
	if (jd_outfile_write(&o, data, len, err) < 0) {
		jd_outfile_abort(&o);
		return -1;
	}
	return jd_outfile_commit(&o, err);
}

int jd_outfile_open(struct jd_outfile *o, const char *path, unsigned mode, struct jd_error *err)
{
	struct stat st;
	size_t tlen;

	memset(o, 0, sizeof(*o));
	o->fd = -1;
	o->mode = mode;
	if (!path || !strcmp(path, "-")) {
		o->fd = 1;
		o->direct = 1;
		return 0;
	}
	o->path = jd_strndup(path, strlen(path));
	if (!o->path)
		return jd_error_oom(err);
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		o->fd = open(path, O_WRONLY | O_CLOEXEC);
		o->direct = 1;
		if (o->fd < 0)
			goto fail;
		return 0;
	}
	tlen = strlen(path) + 16;
	o->tmp = malloc(tlen);
	if (!o->tmp) {
		jd_outfile_abort(o);
		return jd_error_oom(err);
	}
	snprintf(o->tmp, tlen, "%s.tmp.XXXXXX", path);
	o->fd = mkstemp(o->tmp);
	if (o->fd < 0 || fchmod(o->fd, (mode_t)mode) < 0)
		goto fail;
	return 0;
fail:
	jd_error_at(err, JD_EIO, path, 0, 0, NULL, "cannot create: %s", strerror(errno));
	jd_outfile_abort(o);
	return -1;
}

int jd_outfile_write(struct jd_outfile *o, const void *data, size_t len, struct jd_error *err)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(o->fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return jd_error_at(err, JD_EIO, o->path ? o->path : "-", 0, 0, NULL,
					   "cannot write: %s", strerror(errno));
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int jd_outfile_commit(struct jd_outfile *o, struct jd_error *err)
{
	int ret = 0;

	if (o->direct) {
		if (o->fd > 2)
			close(o->fd);
		o->fd = -1;
		free(o->path);
		o->path = NULL;
		return 0;
	}
	if ((fsync(o->fd) < 0 && errno != EINVAL) || close(o->fd) < 0) {
		o->fd = -1;
		goto fail;
	}
	o->fd = -1;
	if (rename(o->tmp, o->path) < 0)
		goto fail;
	free(o->tmp);
	o->tmp = NULL;
	free(o->path);
	o->path = NULL;
	return ret;
fail:
	jd_error_at(err, JD_EIO, o->path, 0, 0, NULL, "cannot write: %s", strerror(errno));
	jd_outfile_abort(o);
	return -1;
}

void jd_outfile_abort(struct jd_outfile *o)
{
	if (o->fd > 2)
		close(o->fd);
	o->fd = -1;
	if (o->tmp) {
		unlink(o->tmp);
		free(o->tmp);
		o->tmp = NULL;
	}
	free(o->path);
	o->path = NULL;
}
