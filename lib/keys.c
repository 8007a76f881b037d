#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "internal.h"
#include "keys.h"

void jd_secret_free(void *p, size_t len)
{
	if (!p)
		return;
	OPENSSL_cleanse(p, len + 1);
	free(p);
}

int jd_secret_read_file(const char *path, int allow_insecure, const char *what, unsigned char **out,
			size_t *len, struct jd_error *err)
{
	unsigned char *buf = NULL;
	struct stat st;
	size_t have = 0, cap;
	int fd, ret = -1;

	*out = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return jd_error_at(err, JD_EINPUT, path, 0, 0, NULL, "cannot open %s file: %s",
				   what, strerror(errno));
	/* fstat on the open file: the mode checked is the mode of what is read. */
	if (fstat(fd, &st) < 0) {
		jd_error_at(err, JD_EINPUT, path, 0, 0, NULL, "cannot stat %s file: %s", what,
			    strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		jd_error_at(err, JD_EINPUT, path, 0, 0, NULL, "%s file is not a regular file",
			    what);
		goto out;
	}
	if (!allow_insecure && (st.st_mode & (S_IRGRP | S_IROTH))) {
		jd_error_at(err, JD_EINPUT, path, 0, 0, NULL,
			    "%s file is readable by group or others (mode %04o): run 'chmod 600 "
			    "%s', or pass --allow-insecure-key",
			    what, (unsigned)(st.st_mode & 07777), path);
		goto out;
	}
	if (st.st_size < 0 || (uint64_t)st.st_size > JD_SECRET_FILE_MAX) {
		jd_error_at(err, JD_EINPUT, path, 0, 0, NULL,
			    "%s file too big (the limit is %zu bytes)", what, JD_SECRET_FILE_MAX);
		goto out;
	}
	/* One allocation of the final size: a realloc would leave copies behind. */
	cap = (size_t)st.st_size + 1;
	buf = malloc(cap + 1);
	if (!buf) {
		jd_error_oom(err);
		goto out;
	}
	for (;;) {
		ssize_t n = read(fd, buf + have, cap - have);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			jd_error_at(err, JD_EINPUT, path, 0, 0, NULL, "cannot read %s file: %s",
				    what, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		have += (size_t)n;
		if (have == cap) { /* it grew while we read it */
			jd_error_at(err, JD_EINPUT, path, 0, 0, NULL,
				    "%s file changed while being read", what);
			goto out;
		}
	}
	buf[have] = '\0';
	*out = buf;
	*len = have;
	buf = NULL;
	ret = 0;
out:
	if (buf)
		jd_secret_free(buf, cap);
	close(fd);
	return ret;
}

int jd_pass_get(const char *spec, int allow_insecure, char **out, size_t *len, struct jd_error *err)
{
	*out = NULL;
	*len = 0;
	if (!strncmp(spec, "env:", 4)) {
		const char *v = getenv(spec + 4);
		size_t n;

		if (!spec[4])
			return jd_error_set(err, JD_EUSAGE, "--pass env: needs a variable name");
		if (!v)
			return jd_error_set(err, JD_EUSAGE,
					    "--pass: environment variable '%s' is not set",
					    spec + 4);
		n = strlen(v);
		if (n > JD_SECRET_FILE_MAX)
			return jd_error_set(err, JD_EUSAGE, "--pass: '%s' is too long", spec + 4);
		*out = malloc(n + 1);
		if (!*out)
			return jd_error_oom(err);
		memcpy(*out, v, n + 1);
		*len = n;
		return 0;
	}
	if (!strncmp(spec, "file:", 5)) {
		unsigned char *buf;
		size_t n, i;

		if (!spec[5])
			return jd_error_set(err, JD_EUSAGE, "--pass file: needs a path");
		if (jd_secret_read_file(spec + 5, allow_insecure, "passphrase", &buf, &n, err) < 0)
			return -1;
		/* The first line, as openssl's -passin file: takes it. */
		for (i = 0; i < n && buf[i] != '\n' && buf[i] != '\r'; i++)
			;
		OPENSSL_cleanse(buf + i, n - i);
		*out = (char *)buf;
		*len = i;
		/* jd_secret_free wipes len + 1 bytes: the rest was wiped above. */
		return 0;
	}
	return jd_error_set(err, JD_EUSAGE,
			    "--pass wants env:VAR or file:PATH (a passphrase is never taken "
			    "from the command line)");
}

struct pem_pass {
	const char *pass;
	size_t len;
	int asked;
};

static int pem_pass_cb(char *buf, int size, int rwflag, void *u)
{
	struct pem_pass *p = u;

	(void)rwflag;
	p->asked = 1;
	if (!p->pass || size <= 0)
		return -1;
	if (p->len > (size_t)size)
		return -1;
	memcpy(buf, p->pass, p->len);
	return (int)p->len;
}

int jd_key_load_pem(const char *path, const char *pass, size_t pass_len, int allow_insecure,
		    EVP_PKEY **out, struct jd_error *err)
{
	struct pem_pass pp = {pass, pass_len, 0};
	unsigned char *data = NULL;
	size_t len = 0;
	BIO *bio = NULL;
	int ret = -1;

	*out = NULL;
	if (jd_secret_read_file(path, allow_insecure, "private key", &data, &len, err) < 0)
		return -1;
	if (len > (size_t)INT32_MAX)
		goto out;
	bio = BIO_new_mem_buf(data, (int)len);
	if (!bio) {
		jd_error_oom(err);
		goto out;
	}
	ERR_clear_error();
	*out = PEM_read_bio_PrivateKey(bio, NULL, pem_pass_cb, &pp);
	if (!*out) {
		if (pp.asked && !pass)
			jd_error_at(err, JD_EINPUT, path, 0, 0, NULL,
				    "private key is encrypted: give its passphrase with --pass "
				    "env:VAR or --pass file:PATH");
		else if (pp.asked)
			jd_error_at(err, JD_EINPUT, path, 0, 0, NULL,
				    "cannot decrypt private key (wrong passphrase?)");
		else
			jd_error_at(err, JD_EINPUT, path, 0, 0, NULL,
				    "cannot read a PEM private key");
		jd_error_add_openssl(err);
		goto out;
	}
	ret = 0;
out:
	BIO_free(bio);
	jd_secret_free(data, len);
	ERR_clear_error();
	return ret;
}
