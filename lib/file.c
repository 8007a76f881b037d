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

	if (err)
		jd_strlcpy(err->input, path, sizeof(err->input));
	fd = is_stdin ? 0 : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return jd_error_at(err, JD_EINPUT, path, 0, 0, NULL, "cannot open: %s",
				   strerror(errno));
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
	char dir[4096], *tmp = NULL;
	const char *p = data;
	size_t tlen;
	int fd = -1, ret = -1;

	if (!strcmp(path, "-")) {
		if (len && fwrite(data, 1, len, stdout) != len)
			return jd_error_set(err, JD_EIO, "cannot write to stdout: %s",
					    strerror(errno));
		if (fflush(stdout) != 0)
			return jd_error_set(err, JD_EIO, "cannot write to stdout: %s",
					    strerror(errno));
		return 0;
	}
	jd_path_dirname(path, dir, sizeof(dir));
	tlen = strlen(path) + 32;
	tmp = malloc(tlen);
	if (!tmp)
		return jd_error_oom(err);
	snprintf(tmp, tlen, "%s.tmp.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		jd_error_at(err, JD_EIO, path, 0, 0, NULL, "cannot create: %s", strerror(errno));
		free(tmp);
		return -1;
	}
	if (fchmod(fd, (mode_t)mode) < 0)
		goto fail;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		p += n;
		len -= (size_t)n;
	}
	if (fsync(fd) < 0 && errno != EINVAL)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0)
		goto fail;
	ret = 0;
	goto out;
fail:
	jd_error_at(err, JD_EIO, path, 0, 0, NULL, "cannot write: %s", strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
out:
	free(tmp);
	return ret;
}
