#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "buf.h"
#include "file.h"
#include "internal.h"
#include "keys.h"
#include "sign.h"

/*
 * Names: the algorithm names are jobdoc's; the signature keys are the ones
 * FreeRTOS OTA PALs use (sig-sha256-ecdsa, sig-sha256-rsa, sig-sha1-rsa,
 * sig-sha1-ecdsa), following their sig-<hash>-<alg> pattern for the others.
 */
static const struct jd_sig_alg algs[] = {
	{"ecdsa-p256-sha256", "sig-sha256-ecdsa", JD_SIG_ECDSA, NID_sha256, 256, 0},
	{"ecdsa-p384-sha384", "sig-sha384-ecdsa", JD_SIG_ECDSA, NID_sha384, 384, 0},
	{"rsa-pkcs1-sha256", "sig-sha256-rsa", JD_SIG_RSA_PKCS1, NID_sha256, 0, 0},
	{"rsa-pss-sha256", "sig-sha256-rsa-pss", JD_SIG_RSA_PSS, NID_sha256, 0, 0},
	{"ed25519-sha256", "sig-sha256-ed25519", JD_SIG_ED25519, NID_sha256, 0, 0},
	{"rsa-pkcs1-sha1", "sig-sha1-rsa", JD_SIG_RSA_PKCS1, NID_sha1, 0, 1},
	{"ecdsa-p256-sha1", "sig-sha1-ecdsa", JD_SIG_ECDSA, NID_sha1, 256, 1},
};

const struct jd_sig_alg *jd_sig_alg_at(size_t i)
{
	return i < JD_ARRAY_SIZE(algs) ? &algs[i] : NULL;
}

const struct jd_sig_alg *jd_sig_alg_find(const char *name)
{
	size_t i;

	for (i = 0; i < JD_ARRAY_SIZE(algs); i++)
		if (!strcmp(name, algs[i].name) || !strcmp(name, algs[i].sig_key))
			return &algs[i];
	return NULL;
}

/* EC key size in bits when it is P-256 or P-384; 0 for another curve. */
static int ec_nist_bits(EVP_PKEY *key)
{
	char group[64];
	size_t glen = 0;
	int bits = EVP_PKEY_get_bits(key);

	/* Engine keys may not answer the group name; their size is all we have. */
	if (EVP_PKEY_get_group_name(key, group, sizeof(group), &glen) == 1) {
		if (!strcmp(group, "prime256v1") || !strcmp(group, "P-256"))
			return 256;
		if (!strcmp(group, "secp384r1") || !strcmp(group, "P-384"))
			return 384;
		return 0;
	}
	return bits == 256 || bits == 384 ? bits : 0;
}

static const char *key_type_name(EVP_PKEY *key)
{
	switch (EVP_PKEY_get_base_id(key)) {
	case EVP_PKEY_EC: return "EC";
	case EVP_PKEY_RSA: return "RSA";
	case EVP_PKEY_RSA_PSS: return "RSA-PSS";
	case EVP_PKEY_ED25519: return "Ed25519";
	case EVP_PKEY_ED448: return "Ed448";
	default: return "unknown";
	}
}

const struct jd_sig_alg *jd_sig_alg_for_key(EVP_PKEY *key, struct jd_error *err)
{
	switch (EVP_PKEY_get_base_id(key)) {
	case EVP_PKEY_EC:
		switch (ec_nist_bits(key)) {
		case 256: return jd_sig_alg_find("ecdsa-p256-sha256");
		case 384: return jd_sig_alg_find("ecdsa-p384-sha384");
		}
		jd_error_set(err, JD_EINPUT,
			     "EC key on an unsupported curve (P-256 or P-384 only)");
		return NULL;
	case EVP_PKEY_RSA: return jd_sig_alg_find("rsa-pkcs1-sha256");
	case EVP_PKEY_RSA_PSS: return jd_sig_alg_find("rsa-pss-sha256");
	case EVP_PKEY_ED25519: return jd_sig_alg_find("ed25519-sha256");
	}
	jd_error_set(err, JD_EINPUT, "unsupported key type %s (EC P-256/P-384, RSA, Ed25519)",
		     key_type_name(key));
	return NULL;
}

int jd_sig_alg_check_key(const struct jd_sig_alg *alg, EVP_PKEY *key, struct jd_error *err)
{
	int id = EVP_PKEY_get_base_id(key), bits = EVP_PKEY_get_bits(key);

	switch (alg->kind) {
	case JD_SIG_ECDSA:
		if (id != EVP_PKEY_EC || ec_nist_bits(key) != alg->ec_bits)
			return jd_error_set(
				err, JD_EUSAGE,
				"algorithm '%s' needs an EC P-%d key, not a %s %d-bit key",
				alg->name, alg->ec_bits, key_type_name(key), bits);
		return 0;
	case JD_SIG_RSA_PKCS1:
	case JD_SIG_RSA_PSS:
		if (id != EVP_PKEY_RSA && !(id == EVP_PKEY_RSA_PSS && alg->kind == JD_SIG_RSA_PSS))
			return jd_error_set(err, JD_EUSAGE,
					    "algorithm '%s' needs an RSA key, not %s", alg->name,
					    key_type_name(key));
		if (bits < 2048 || bits > 4096)
			return jd_error_set(err, JD_EUSAGE,
					    "RSA key of %d bits: 2048 to 4096 bits are supported",
					    bits);
		return 0;
	case JD_SIG_ED25519:
		if (id != EVP_PKEY_ED25519)
			return jd_error_set(err, JD_EUSAGE,
					    "algorithm '%s' needs an Ed25519 key, not %s",
					    alg->name, key_type_name(key));
		return 0;
	}
	return jd_error_set(err, JD_EINTERNAL, "unknown algorithm kind");
}

/*
 * The file is read on a second thread, in JD_HASH_BLOCK reads, into a ring
 * of one and a half blocks, while the caller hashes what is there: SHA-256
 * runs at its own speed instead of waiting for each read's copy from the
 * page cache (1 GiB: ~0.1 s of copying, overlapped), for half a block more
 * memory than one buffer. Small files, and files that are not regular, are
 * read on the caller's thread into one buffer.
 */
#define READER_MIN ((off_t)8 << 20)
#define RING	   (JD_HASH_BLOCK + JD_HASH_BLOCK / 2)
#define HASH_STEP  ((size_t)128 << 10) /* hashed, then handed back to the reader */

struct reader {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int fd;
	unsigned char *ring;
	uint64_t head, tail; /* bytes read into the ring, bytes hashed */
	int eof, err;	     /* err: errno of a failed read */
	int stop;	     /* the hasher gave up: the reader leaves */
};

/* One block into the ring at off, wrapping; the bytes read, -1 with errno. */
static ssize_t read_ring(int fd, unsigned char *ring, size_t off)
{
	size_t got = 0;

	while (got < JD_HASH_BLOCK) {
		size_t at = (off + got) % RING, want = JD_HASH_BLOCK - got;
		struct iovec iov[2];
		int n = 1;
		ssize_t r;

		iov[0].iov_base = ring + at;
		iov[0].iov_len = RING - at < want ? RING - at : want;
		if (iov[0].iov_len < want) {
			iov[1].iov_base = ring;
			iov[1].iov_len = want - iov[0].iov_len;
			n = 2;
		}
		r = readv(fd, iov, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

static void *reader_main(void *arg)
{
	struct reader *r = arg;

	for (;;) {
		uint64_t head;
		ssize_t n;

		pthread_mutex_lock(&r->lock);
		while (RING - (r->head - r->tail) < JD_HASH_BLOCK && !r->stop)
			pthread_cond_wait(&r->cond, &r->lock);
		if (r->stop) {
			pthread_mutex_unlock(&r->lock);
			return NULL;
		}
		head = r->head;
		pthread_mutex_unlock(&r->lock);
		n = read_ring(r->fd, r->ring, (size_t)(head % RING));
		pthread_mutex_lock(&r->lock);
		if (n < 0)
			r->err = errno ? errno : EIO;
		else
			r->head += (uint64_t)n;
		if (n < (ssize_t)JD_HASH_BLOCK)
			r->eof = 1;
		pthread_cond_broadcast(&r->cond);
		pthread_mutex_unlock(&r->lock);
		if (r->eof)
			return NULL;
	}
}

struct hashes {
	EVP_MD_CTX *c256, *cmd;
	uint64_t size;
};

static int hash_block(struct hashes *h, const unsigned char *p, size_t n, struct jd_error *err)
{
	if (!EVP_DigestUpdate(h->c256, p, n) || (h->cmd && !EVP_DigestUpdate(h->cmd, p, n))) {
		jd_error_set(err, JD_EINTERNAL, "digest failed");
		jd_error_add_openssl(err);
		return -1;
	}
	h->size += (uint64_t)n;
	return 0;
}

static int read_err(const char *path, int e, struct jd_error *err)
{
	return jd_error_at(err, JD_EINPUT, path, 0, 0, NULL, "cannot read: %s", strerror(e));
}

/* Two threads: 0 at the end, -1 with err set; 1 when no thread could be started. */
static int hash_threaded(int fd, const char *path, struct hashes *h, struct jd_error *err)
{
	struct reader r;
	pthread_t t;
	int ret = -1;

	memset(&r, 0, sizeof(r));
	r.fd = fd;
	r.ring = malloc(RING);
	if (!r.ring || pthread_mutex_init(&r.lock, NULL)) {
		free(r.ring);
		return 1;
	}
	if (pthread_cond_init(&r.cond, NULL)) {
		pthread_mutex_destroy(&r.lock);
		free(r.ring);
		return 1;
	}
	if (pthread_create(&t, NULL, reader_main, &r)) {
		ret = 1;
		goto out;
	}
	for (;;) {
		uint64_t head, tail;
		size_t n, at;
		int e, eof;

		pthread_mutex_lock(&r.lock);
		while (r.head == r.tail && !r.eof && !r.err)
			pthread_cond_wait(&r.cond, &r.lock);
		head = r.head;
		tail = r.tail;
		e = r.err;
		eof = r.eof;
		pthread_mutex_unlock(&r.lock);
		if (e) {
			read_err(path, e, err);
			break;
		}
		if (head == tail && eof) {
			ret = 0;
			break;
		}
		at = (size_t)(tail % RING);
		n = head - tail < HASH_STEP ? (size_t)(head - tail) : HASH_STEP;
		if (n > RING - at)
			n = RING - at;
		if (hash_block(h, r.ring + at, n, err) < 0)
			break;
		pthread_mutex_lock(&r.lock);
		r.tail += n;
		pthread_cond_broadcast(&r.cond);
		pthread_mutex_unlock(&r.lock);
	}
	pthread_mutex_lock(&r.lock);
	r.stop = 1;
	pthread_cond_broadcast(&r.cond);
	pthread_mutex_unlock(&r.lock);
	pthread_join(t, NULL);
out:
	pthread_cond_destroy(&r.cond);
	pthread_mutex_destroy(&r.lock);
	free(r.ring);
	return ret;
}

static int hash_simple(int fd, const char *path, struct hashes *h, struct jd_error *err)
{
	unsigned char *buf = malloc(JD_HASH_BLOCK);
	int ret = -1;

	if (!buf)
		return jd_error_oom(err);
	for (;;) {
		ssize_t n = read(fd, buf, JD_HASH_BLOCK);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			read_err(path, errno, err);
			break;
		}
		if (n == 0) {
			ret = 0;
			break;
		}
		if (hash_block(h, buf, (size_t)n, err) < 0)
			break;
	}
	free(buf);
	return ret;
}

int jd_hash_file(const char *path, int md_nid, struct jd_digest *d, struct jd_error *err)
{
	struct hashes h = {NULL, NULL, 0};
	const EVP_MD *md = NULL;
	unsigned int len;
	struct stat st;
	int fd, ret = -1, r = 1;

	memset(d, 0, sizeof(*d));
	d->md_nid = md_nid;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return jd_error_at(err, JD_EINPUT, path, 0, 0, NULL, "cannot open: %s",
				   strerror(errno));
	if (fstat(fd, &st) < 0) {
		read_err(path, errno, err);
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		jd_error_at(err, JD_EINPUT, path, 0, 0, NULL, "is a directory");
		goto out;
	}
#ifdef POSIX_FADV_SEQUENTIAL
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
	if (md_nid != NID_sha256) {
		md = EVP_get_digestbynid(md_nid);
		if (!md) {
			jd_error_set(err, JD_EINTERNAL, "digest %d unavailable", md_nid);
			goto out;
		}
	}
	h.c256 = EVP_MD_CTX_new();
	h.cmd = md ? EVP_MD_CTX_new() : NULL;
	if (!h.c256 || (md && !h.cmd)) {
		jd_error_oom(err);
		goto out;
	}
	if (!EVP_DigestInit_ex(h.c256, EVP_sha256(), NULL) ||
	    (md && !EVP_DigestInit_ex(h.cmd, md, NULL))) {
		jd_error_set(err, JD_EINTERNAL, "cannot start the digest");
		jd_error_add_openssl(err);
		goto out;
	}
	if (S_ISREG(st.st_mode) && st.st_size >= READER_MIN)
		r = hash_threaded(fd, path, &h, err);
	if (r > 0)
		r = hash_simple(fd, path, &h, err);
	if (r < 0)
		goto out;
	d->size = h.size;
	len = 0;
	if (!EVP_DigestFinal_ex(h.c256, d->sha256, &len) || len != 32) {
		jd_error_set(err, JD_EINTERNAL, "digest failed");
		goto out;
	}
	if (md) {
		if (!EVP_DigestFinal_ex(h.cmd, d->md, &len) || len > sizeof(d->md)) {
			jd_error_set(err, JD_EINTERNAL, "digest failed");
			goto out;
		}
		d->md_len = len;
	} else {
		memcpy(d->md, d->sha256, 32);
		d->md_len = 32;
	}
	ret = 0;
out:
	EVP_MD_CTX_free(h.c256);
	EVP_MD_CTX_free(h.cmd);
	close(fd);
	return ret;
}

/* ---- keys and the signer ---------------------------------------------- */

struct jd_signer {
	EVP_PKEY *key; /* private (maybe a token's) */
	EVP_PKEY *pub; /* its public half, as a plain software key */
	void *engine;  /* the pkcs11 engine holding key, or NULL */
	X509 *cert;
	const struct jd_sig_alg *alg;
	char shown[256]; /* the key reference, fit for messages */
};

/* A software copy of key's public half: for verification and comparison. */
static EVP_PKEY *public_copy(EVP_PKEY *key)
{
	unsigned char *der = NULL;
	const unsigned char *p;
	EVP_PKEY *pub;
	int len = i2d_PUBKEY(key, &der);

	if (len <= 0)
		return NULL;
	p = der;
	pub = d2i_PUBKEY(NULL, &p, len);
	OPENSSL_free(der);
	return pub;
}

int jd_signer_open(struct jd_signer **out, const char *key, const struct jd_key_opts *o,
		   struct jd_error *err)
{
	struct jd_signer *s;
	char *pass = NULL;
	size_t pass_len = 0;
	int ret = -1;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return jd_error_oom(err);
	jd_key_display(key, s->shown, sizeof(s->shown));
	if (o->pass && jd_pass_get(o->pass, o->allow_insecure, &pass, &pass_len, err) < 0)
		goto out;
	if (!strncmp(key, "pkcs11:", 7)) {
		if (jd_pkcs11_load_key(key, o->pkcs11_module, pass, &s->key, &s->engine, err) < 0)
			goto out;
	} else if (jd_key_load_pem(key, pass, pass_len, o->allow_insecure, &s->key, err) < 0) {
		goto out;
	}
	s->pub = public_copy(s->key);
	if (!s->pub) {
		jd_error_set(err, JD_EINPUT, "cannot get the public key of '%s'", s->shown);
		jd_error_add_openssl(err);
		goto out;
	}
	s->alg = jd_sig_alg_for_key(s->key, err);
	if (!s->alg) {
		jd_error_place(err, s->shown, 0, 0, NULL);
		goto out;
	}
	*out = s;
	s = NULL;
	ret = 0;
out:
	jd_secret_free(pass, pass_len);
	jd_signer_free(s);
	return ret;
}

void jd_signer_free(struct jd_signer *s)
{
	if (!s)
		return;
	EVP_PKEY_free(s->key);
	EVP_PKEY_free(s->pub);
	X509_free(s->cert);
	jd_pkcs11_release(s->engine);
	free(s);
}

int jd_signer_set_alg(struct jd_signer *s, const char *name, struct jd_error *err)
{
	const struct jd_sig_alg *alg;

	if (!name)
		alg = jd_sig_alg_for_key(s->key, err);
	else
		alg = jd_sig_alg_find(name);
	if (!alg)
		return name ? jd_error_set(err, JD_EUSAGE, "unknown algorithm '%s'", name) : -1;
	if (jd_sig_alg_check_key(alg, s->key, err) < 0)
		return -1;
	s->alg = alg;
	return 0;
}

const struct jd_sig_alg *jd_signer_alg(const struct jd_signer *s)
{
	return s->alg;
}

static BIO *open_file_bio(const char *path, struct jd_error *err)
{
	BIO *bio = BIO_new_file(path, "rb");

	if (!bio)
		jd_error_at(err, JD_EINPUT, path, 0, 0, NULL, "cannot open: %s", strerror(errno));
	return bio;
}

int jd_cert_load(const char *path, X509 **out, struct jd_error *err)
{
	BIO *bio = open_file_bio(path, err);

	*out = NULL;
	if (!bio)
		return -1;
	ERR_clear_error();
	*out = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	if (!*out) {
		(void)BIO_reset(bio);
		*out = d2i_X509_bio(bio, NULL);
	}
	BIO_free(bio);
	if (!*out) {
		jd_error_at(err, JD_EINPUT, path, 0, 0, NULL, "not a PEM or DER certificate");
		ERR_clear_error();
		return -1;
	}
	ERR_clear_error();
	return 0;
}

int jd_pubkey_load(const char *path, EVP_PKEY **out, struct jd_error *err)
{
	BIO *bio = open_file_bio(path, err);

	*out = NULL;
	if (!bio)
		return -1;
	ERR_clear_error();
	*out = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	if (!*out) {
		(void)BIO_reset(bio);
		*out = d2i_PUBKEY_bio(bio, NULL);
	}
	BIO_free(bio);
	ERR_clear_error();
	if (!*out)
		return jd_error_at(err, JD_EINPUT, path, 0, 0, NULL,
				   "not a PEM or DER public key (SubjectPublicKeyInfo)");
	return 0;
}

static void asn1_time_text(const ASN1_TIME *t, char *out, size_t size)
{
	struct tm tm;

	if (ASN1_TIME_to_tm(t, &tm) != 1 || !strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm))
		jd_strlcpy(out, "(bad time)", size);
}

int jd_cert_check_time(X509 *cert, const char *name, time_t now, struct jd_error *err)
{
	char when[64];
	time_t t = now;

	if (X509_cmp_time(X509_get0_notAfter(cert), &t) <= 0) {
		asn1_time_text(X509_get0_notAfter(cert), when, sizeof(when));
		return jd_error_at(err, JD_EINVALID, name, 0, 0, NULL, "certificate expired on %s",
				   when);
	}
	if (X509_cmp_time(X509_get0_notBefore(cert), &t) >= 0) {
		asn1_time_text(X509_get0_notBefore(cert), when, sizeof(when));
		return jd_error_at(err, JD_EINVALID, name, 0, 0, NULL,
				   "certificate is not valid before %s", when);
	}
	return 0;
}

int jd_signer_set_cert(struct jd_signer *s, const char *path, time_t now, struct jd_error *err)
{
	X509 *cert = NULL;
	EVP_PKEY *cpub;

	if (jd_cert_load(path, &cert, err) < 0)
		return -1;
	cpub = X509_get0_pubkey(cert);
	if (!cpub || EVP_PKEY_eq(cpub, s->pub) != 1) {
		X509_free(cert);
		ERR_clear_error();
		return jd_error_at(err, JD_EINVALID, path, 0, 0, NULL,
				   "certificate is not for key '%s' (its public key differs)",
				   s->shown);
	}
	if (jd_cert_check_time(cert, path, now, err) < 0) {
		X509_free(cert);
		return -1;
	}
	/*
	 * NEEDSWORK: AWS documents keyUsage=digitalSignature and
	 * extendedKeyUsage=codeSigning for OTA certificates; devices do not check
	 * them, so neither do we yet. A warning channel (findings) would let
	 * jobdoc-sign say so.
	 */
	X509_free(s->cert);
	s->cert = cert;
	return 0;
}

/* ---- signatures ------------------------------------------------------- */

int jd_ecdsa_is_der(const unsigned char *sig, size_t len)
{
	const unsigned char *p = sig;
	unsigned char *re = NULL;
	ECDSA_SIG *es;
	int relen, ok;

	if (len == 0 || len > JD_SIG_MAX)
		return 0;
	es = d2i_ECDSA_SIG(NULL, &p, (long)len);
	if (!es)
		return 0;
	ok = p == sig + len;
	relen = i2d_ECDSA_SIG(es, &re);
	ok = ok && relen == (int)len && !memcmp(re, sig, len);
	OPENSSL_free(re);
	ECDSA_SIG_free(es);
	ERR_clear_error();
	return ok;
}

int jd_ecdsa_raw_to_der(const unsigned char *raw, size_t len, unsigned char *der, size_t *der_len,
			struct jd_error *err)
{
	ECDSA_SIG *es = NULL;
	BIGNUM *r = NULL, *s = NULL;
	unsigned char *p = NULL;
	int n, ret = -1;

	if (len == 0 || len % 2 || len > 2 * 66)
		return jd_error_set(err, JD_EINVALID, "raw ECDSA signature of %zu bytes", len);
	es = ECDSA_SIG_new();
	r = BN_bin2bn(raw, (int)(len / 2), NULL);
	s = BN_bin2bn(raw + len / 2, (int)(len / 2), NULL);
	if (!es || !r || !s || !ECDSA_SIG_set0(es, r, s)) {
		jd_error_oom(err);
		goto out;
	}
	r = s = NULL;
	n = i2d_ECDSA_SIG(es, &p);
	if (n <= 0 || (size_t)n > JD_SIG_MAX) {
		jd_error_set(err, JD_EINTERNAL, "cannot encode the ECDSA signature");
		goto out;
	}
	memcpy(der, p, (size_t)n);
	*der_len = (size_t)n;
	ret = 0;
out:
	OPENSSL_free(p);
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(es);
	return ret;
}

static const EVP_MD *alg_md(const struct jd_sig_alg *alg)
{
	return EVP_get_digestbynid(alg->md_nid);
}

/* Sets padding and hash on an RSA/ECDSA sign or verify context. */
static int setup_pkey_ctx(EVP_PKEY_CTX *ctx, const struct jd_sig_alg *alg, int verify)
{
	const EVP_MD *md = alg_md(alg);

	if (!md || EVP_PKEY_CTX_set_signature_md(ctx, md) <= 0)
		return -1;
	if (alg->kind == JD_SIG_RSA_PKCS1 &&
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) <= 0)
		return -1;
	if (alg->kind == JD_SIG_RSA_PSS) {
		/* Salt as long as the hash when signing (as imgtool); any when checking. */
		if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
		    EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md) <= 0 ||
		    EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, verify ? RSA_PSS_SALTLEN_AUTO
								 : RSA_PSS_SALTLEN_DIGEST) <= 0)
			return -1;
	}
	return 0;
}

int jd_signer_sign_digest(struct jd_signer *s, const unsigned char *md, size_t md_len,
			  unsigned char *sig, size_t *sig_len, struct jd_error *err)
{
	const struct jd_sig_alg *alg = s->alg;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_MD_CTX *mctx = NULL;
	unsigned char tmp[JD_SIG_MAX];
	size_t len = sizeof(tmp);
	int ret = -1;

	ERR_clear_error();
	if (alg->kind == JD_SIG_ED25519) {
		/* PureEdDSA over the 32-byte digest: what MCUboot's imgtool signs. */
		mctx = EVP_MD_CTX_new();
		if (!mctx) {
			jd_error_oom(err);
			goto out;
		}
		if (EVP_DigestSignInit(mctx, NULL, NULL, NULL, s->key) != 1 ||
		    EVP_DigestSign(mctx, tmp, &len, md, md_len) != 1)
			goto fail;
	} else {
		ctx = EVP_PKEY_CTX_new(s->key, NULL);
		if (!ctx) {
			jd_error_oom(err);
			goto out;
		}
		if (EVP_PKEY_sign_init(ctx) <= 0 || setup_pkey_ctx(ctx, alg, 0) < 0)
			goto fail;
		if (EVP_PKEY_sign(ctx, NULL, &len, md, md_len) <= 0 || len > sizeof(tmp))
			goto fail;
		if (EVP_PKEY_sign(ctx, tmp, &len, md, md_len) <= 0)
			goto fail;
	}
	if (alg->kind == JD_SIG_ECDSA && !jd_ecdsa_is_der(tmp, len)) {
		/* A token handing back PKCS#11's raw r||s: devices want DER. */
		if (len != (size_t)(alg->ec_bits / 8) * 2) {
			jd_error_set(err, JD_EINTERNAL,
				     "the key returned a %zu-byte ECDSA signature, neither DER nor "
				     "raw r||s",
				     len);
			goto out;
		}
		if (jd_ecdsa_raw_to_der(tmp, len, sig, sig_len, err) < 0)
			goto out;
	} else {
		memcpy(sig, tmp, len);
		*sig_len = len;
	}
	/* Check before handing it out: a faulty token must not reach devices. */
	if (jd_verify_digest(s->pub, alg, md, md_len, sig, *sig_len, err) < 0) {
		jd_error_set(err, JD_EINTERNAL,
			     "the signature made with '%s' does not verify with its own public key",
			     s->shown);
		goto out;
	}
	ret = 0;
	goto out;
fail:
	jd_error_set(err, JD_EINPUT, "cannot sign with '%s' (%s)", s->shown, alg->name);
	jd_error_add_openssl(err);
out:
	OPENSSL_cleanse(tmp, sizeof(tmp));
	EVP_PKEY_CTX_free(ctx);
	EVP_MD_CTX_free(mctx);
	ERR_clear_error();
	return ret;
}

int jd_signer_sign_file(struct jd_signer *s, const char *path, struct jd_signature *out,
			struct jd_error *err)
{
	memset(out, 0, sizeof(*out));
	out->alg = s->alg;
	if (jd_hash_file(path, s->alg->md_nid, &out->digest, err) < 0)
		return -1;
	if (jd_signer_sign_digest(s, out->digest.md, out->digest.md_len, out->sig, &out->sig_len,
				  err) < 0) {
		jd_error_place(err, path, 0, 0, NULL);
		return -1;
	}
	return 0;
}

int jd_verify_digest(EVP_PKEY *pub, const struct jd_sig_alg *alg, const unsigned char *md,
		     size_t md_len, const unsigned char *sig, size_t sig_len, struct jd_error *err)
{
	EVP_PKEY_CTX *ctx = NULL;
	EVP_MD_CTX *mctx = NULL;
	int ok = 0, ret = -1;

	if (jd_sig_alg_check_key(alg, pub, err) < 0)
		return -1;
	if (sig_len == 0)
		return jd_error_set(err, JD_EINVALID, "signature is empty");
	if (alg->kind == JD_SIG_ECDSA && !jd_ecdsa_is_der(sig, sig_len)) {
		if (sig_len == (size_t)(alg->ec_bits / 8) * 2)
			return jd_error_set(
				err, JD_EINVALID,
				"signature is raw r||s (%zu bytes), not DER ECDSA-Sig-Value",
				sig_len);
		return jd_error_set(err, JD_EINVALID,
				    "signature is not a DER ECDSA-Sig-Value (%zu bytes)", sig_len);
	}
	ERR_clear_error();
	if (alg->kind == JD_SIG_ED25519) {
		mctx = EVP_MD_CTX_new();
		if (!mctx)
			return jd_error_oom(err);
		if (EVP_DigestVerifyInit(mctx, NULL, NULL, NULL, pub) != 1) {
			jd_error_set(err, JD_EINTERNAL, "cannot start Ed25519 verification");
			goto out;
		}
		ok = EVP_DigestVerify(mctx, sig, sig_len, md, md_len) == 1;
	} else {
		ctx = EVP_PKEY_CTX_new(pub, NULL);
		if (!ctx) {
			jd_error_oom(err);
			goto out;
		}
		if (EVP_PKEY_verify_init(ctx) <= 0 || setup_pkey_ctx(ctx, alg, 1) < 0) {
			jd_error_set(err, JD_EINTERNAL, "cannot start %s verification", alg->name);
			jd_error_add_openssl(err);
			goto out;
		}
		ok = EVP_PKEY_verify(ctx, sig, sig_len, md, md_len) == 1;
	}
	if (!ok) {
		jd_error_set(err, JD_EINVALID, "signature does not verify (%s)", alg->name);
		goto out;
	}
	ret = 0;
out:
	EVP_PKEY_CTX_free(ctx);
	EVP_MD_CTX_free(mctx);
	ERR_clear_error();
	return ret;
}

/* ---- encodings -------------------------------------------------------- */

void jd_hex(const unsigned char *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}

size_t jd_base64_encode(const unsigned char *in, size_t len, char *out)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, o = 0;

	for (i = 0; i + 2 < len; i += 3) {
		unsigned long v =
			(unsigned long)in[i] << 16 | (unsigned long)in[i + 1] << 8 | in[i + 2];
		out[o++] = tab[v >> 18 & 63];
		out[o++] = tab[v >> 12 & 63];
		out[o++] = tab[v >> 6 & 63];
		out[o++] = tab[v & 63];
	}
	if (i < len) {
		unsigned long v = (unsigned long)in[i] << 16;
		if (i + 1 < len)
			v |= (unsigned long)in[i + 1] << 8;
		out[o++] = tab[v >> 18 & 63];
		out[o++] = tab[v >> 12 & 63];
		out[o++] = i + 1 < len ? tab[v >> 6 & 63] : '=';
		out[o++] = '=';
	}
	out[o] = '\0';
	return o;
}

static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

long jd_base64_decode(const char *s, size_t len, unsigned char *out, size_t max)
{
	size_t i, o = 0, pad = 0;

	if (len % 4)
		return -1;
	if (len && s[len - 1] == '=')
		pad = len >= 2 && s[len - 2] == '=' ? 2 : 1;
	if (len / 4 * 3 - pad > max)
		return -1;
	for (i = 0; i < len; i += 4) {
		int v[4], k, last = i + 4 == len;
		unsigned long w;

		for (k = 0; k < 4; k++) {
			v[k] = b64_value((unsigned char)s[i + k]);
			if (v[k] < 0 && !(last && s[i + k] == '=' && k >= 4 - (int)pad))
				return -1;
		}
		w = (unsigned long)v[0] << 18 | (unsigned long)v[1] << 12;
		if (last && pad == 2) {
			if (v[1] & 15) /* non-zero pad bits: not canonical */
				return -1;
			out[o++] = (unsigned char)(w >> 16);
			break;
		}
		w |= (unsigned long)v[2] << 6;
		if (last && pad == 1) {
			if (v[2] & 3)
				return -1;
			out[o++] = (unsigned char)(w >> 16);
			out[o++] = (unsigned char)(w >> 8);
			break;
		}
		w |= (unsigned long)v[3];
		out[o++] = (unsigned char)(w >> 16);
		out[o++] = (unsigned char)(w >> 8);
		out[o++] = (unsigned char)w;
	}
	return (long)o;
}

int jd_sig_read_file(const char *path, unsigned char *sig, size_t *len, struct jd_error *err)
{
	struct jd_buf b = JD_BUF_INIT(4 * JD_SIG_MAX);
	size_t n;
	long d;
	int ret = -1;

	if (jd_read_file(path, 4 * JD_SIG_MAX, &b, err) < 0)
		goto out;
	n = b.len;
	while (n && (b.data[n - 1] == '\n' || b.data[n - 1] == '\r'))
		n--;
	d = jd_base64_decode(b.data, n, sig, JD_SIG_MAX);
	if (d < 0) {
		if (b.len > JD_SIG_MAX) {
			jd_error_at(
				err, JD_EINPUT, path, 0, 0, NULL,
				"not a signature: %zu bytes, neither base64 nor at most %d bytes",
				b.len, JD_SIG_MAX);
			goto out;
		}
		memcpy(sig, b.data, b.len);
		d = (long)b.len;
	}
	*len = (size_t)d;
	ret = 0;
out:
	jd_buf_release(&b);
	return ret;
}

json_t *jd_signature_json(const struct jd_signature *sig, const char *file, const char *certfile,
			  const char *prefix)
{
	char hex[2 * 64 + 1], b64[4 * ((JD_SIG_MAX + 2) / 3) + 1], name[192];
	const char *pfx = prefix ? prefix : "";
	json_t *o = json_object();
	int bad = !o;

#define PUT(key, value)                                           \
	do {                                                      \
		snprintf(name, sizeof(name), "%s%s", pfx, (key)); \
		bad |= json_object_set_new(o, name, (value)) < 0; \
	} while (0)
	if (bad)
		return NULL;
	PUT("file", json_string(file));
	PUT("size", json_integer((json_int_t)sig->digest.size));
	jd_hex(sig->digest.sha256, 32, hex);
	PUT("sha256", json_string(hex));
	if (sig->digest.md_nid != NID_sha256) {
		jd_hex(sig->digest.md, sig->digest.md_len, hex);
		PUT(sig->digest.md_nid == NID_sha384 ? "sha384" : "sha1", json_string(hex));
	}
	PUT("algorithm", json_string(sig->alg->name));
	PUT("signatureKey", json_string(sig->alg->sig_key));
	jd_base64_encode(sig->sig, sig->sig_len, b64);
	PUT("signature", json_string(b64));
	if (certfile)
		PUT("certfile", json_string(certfile));
#undef PUT
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* ---- small parsers ---------------------------------------------------- */

static int digits(const char *s, int n, int *out)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int jd_sign_parse_date(const char *s, time_t *out)
{
	struct tm tm;
	int y, mo, d, h, mi, se;
	size_t len = strlen(s);

	memset(&tm, 0, sizeof(tm));
	if (len == 20 && s[4] == '-' && s[7] == '-' && s[10] == 'T' && s[13] == ':' &&
	    s[16] == ':' && s[19] == 'Z') {
		if (digits(s, 4, &y) || digits(s + 5, 2, &mo) || digits(s + 8, 2, &d) ||
		    digits(s + 11, 2, &h) || digits(s + 14, 2, &mi) || digits(s + 17, 2, &se))
			return -1;
	} else if (len == 16 && s[8] == 'T' && s[15] == 'Z') {
		if (digits(s, 4, &y) || digits(s + 4, 2, &mo) || digits(s + 6, 2, &d) ||
		    digits(s + 9, 2, &h) || digits(s + 11, 2, &mi) || digits(s + 13, 2, &se))
			return -1;
	} else {
		return -1;
	}
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	*out = timegm(&tm);
	return 0;
}

void jd_key_display(const char *key, char *out, size_t size)
{
	size_t o = 0;
	const char *p = key;
	int at_attr = 1;

	if (!size)
		return;
	if (strncmp(key, "pkcs11:", 7)) {
		jd_strlcpy(out, key, size);
		return;
	}
	while (*p && o + 1 < size) {
		if (at_attr && !strncmp(p, "pin-value=", 10)) {
			const char *stars = "pin-value=***";
			while (*stars && o + 1 < size)
				out[o++] = *stars++;
			p += 10;
			while (*p && *p != ';' && *p != '&' && *p != '?')
				p++;
			at_attr = 0;
			continue;
		}
		at_attr = *p == ':' || *p == ';' || *p == '?' || *p == '&';
		out[o++] = *p++;
	}
	out[o] = '\0';
}
