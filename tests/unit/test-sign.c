/* Unit tests for lib/sign.c, lib/keys.c and lib/verify.c, as tables. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "../tap.h"
#include "internal.h"
#include "keys.h"
#include "sign.h"
#include "verify.h"

static char tmpdir[] = "/tmp/jd-test-sign.XXXXXX";

static char *tpath(const char *name)
{
	static char buf[8][512];
	static int k;

	k = (k + 1) % 8;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", tmpdir, name);
	return buf[k];
}

static void write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	if (fd < 0 || write(fd, data, len) != (ssize_t)len) {
		perror(path);
		exit(1);
	}
	fchmod(fd, mode);
	close(fd);
}

/* ---- encodings ---- */

static void test_base64(void)
{
	static const struct {
		const char *raw, *b64;
	} ok_cases[] = {
		{"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"},
		{"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
		{"\xff\xfe\xfd", "//79"}, {"\xfb\xef", "++8="},
	};
	static const char *const bad[] = {
		"Zg", "Zg=", "Z===", "Zh==", "Zm9=", "Zm 9v", "Zm9v\n", "====", "Zm9v====",
		"Zm=v", "Zm9-", "Zm9_", "*m9v",
	};
	unsigned char out[64];
	char enc[64], name[128];
	size_t i;

	for (i = 0; i < JD_ARRAY_SIZE(ok_cases); i++) {
		size_t n = strlen(ok_cases[i].raw);
		long d;

		jd_base64_encode((const unsigned char *)ok_cases[i].raw, n, enc);
		snprintf(name, sizeof(name), "base64 encode '%s'", ok_cases[i].b64);
		is_str(enc, ok_cases[i].b64, name);
		d = jd_base64_decode(ok_cases[i].b64, strlen(ok_cases[i].b64), out, sizeof(out));
		snprintf(name, sizeof(name), "base64 decode '%s'", ok_cases[i].b64);
		ok(d == (long)n && !memcmp(out, ok_cases[i].raw, n), name);
	}
	for (i = 0; i < JD_ARRAY_SIZE(bad); i++) {
		snprintf(name, sizeof(name), "base64 rejects '%.*s'%s", (int)strcspn(bad[i], "\n"),
		         bad[i], strchr(bad[i], '\n') ? " + newline" : "");
		ok(jd_base64_decode(bad[i], strlen(bad[i]), out, sizeof(out)) == -1, name);
	}
	ok(jd_base64_decode("Zm9vYmFy", 8, out, 5) == -1, "base64 decode past max fails");
	ok(jd_base64_decode("Zm9vYmFy", 8, out, 6) == 6, "base64 decode at max fits");
}

static void test_dates(void)
{
	static const struct {
		const char *s;
		long long want; /* -1: rejected */
	} cases[] = {
		{"1970-01-01T00:00:00Z", 0},
		{"2026-01-01T00:00:00Z", 1767225600},
		{"20260101T000000Z", 1767225600},
		{"2024-02-29T12:34:56Z", 1709210096},
		{"2026-01-01 00:00:00Z", -1},
		{"2026-01-01T00:00:00", -1},
		{"2026-13-01T00:00:00Z", -1},
		{"2026-01-01T24:00:00Z", -1},
		{"1969-12-31T23:59:59Z", -1},
		{"2026-0a-01T00:00:00Z", -1},
		{"", -1},
	};
	char name[128];
	size_t i;

	for (i = 0; i < JD_ARRAY_SIZE(cases); i++) {
		time_t t = 12345;
		int r = jd_sign_parse_date(cases[i].s, &t);

		snprintf(name, sizeof(name), "date '%s'", cases[i].s);
		if (cases[i].want < 0)
			ok(r == -1, name);
		else
			ok(r == 0 && (long long)t == cases[i].want, name);
	}
}

static void test_key_display(void)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{"keys/signer.key", "keys/signer.key"},
		{"pkcs11:token=a;object=b", "pkcs11:token=a;object=b"},
		{"pkcs11:token=a;pin-value=1234;object=b", "pkcs11:token=a;pin-value=***;object=b"},
		{"pkcs11:pin-value=1234", "pkcs11:pin-value=***"},
		{"pkcs11:token=a?pin-value=secret&module-path=/m.so",
		 "pkcs11:token=a?pin-value=***&module-path=/m.so"},
		{"pkcs11:token=xpin-value=1", "pkcs11:token=xpin-value=1"},
	};
	char out[256], name[160];
	size_t i;

	for (i = 0; i < JD_ARRAY_SIZE(cases); i++) {
		jd_key_display(cases[i].in, out, sizeof(out));
		snprintf(name, sizeof(name), "key display '%s'", cases[i].in);
		is_str(out, cases[i].want, name);
	}
	jd_key_display("pkcs11:pin-value=123456789", out, 12);
	ok(!strstr(out, "1234"), "a truncated display shows no PIN digit");
}

static void test_algs(void)
{
	static const struct {
		const char *name, *want_name, *want_key;
		int legacy;
	} cases[] = {
		{"ecdsa-p256-sha256", "ecdsa-p256-sha256", "sig-sha256-ecdsa", 0},
		{"sig-sha256-ecdsa", "ecdsa-p256-sha256", "sig-sha256-ecdsa", 0},
		{"sig-sha384-ecdsa", "ecdsa-p384-sha384", "sig-sha384-ecdsa", 0},
		{"sig-sha256-rsa", "rsa-pkcs1-sha256", "sig-sha256-rsa", 0},
		{"rsa-pss-sha256", "rsa-pss-sha256", "sig-sha256-rsa-pss", 0},
		{"ed25519-sha256", "ed25519-sha256", "sig-sha256-ed25519", 0},
		{"sig-sha1-rsa", "rsa-pkcs1-sha1", "sig-sha1-rsa", 1},
		{"sig-sha1-ecdsa", "ecdsa-p256-sha1", "sig-sha1-ecdsa", 1},
	};
	char name[128];
	size_t i;

	for (i = 0; i < JD_ARRAY_SIZE(cases); i++) {
		const struct jd_sig_alg *a = jd_sig_alg_find(cases[i].name);

		snprintf(name, sizeof(name), "algorithm '%s'", cases[i].name);
		ok(a && !strcmp(a->name, cases[i].want_name) &&
		           !strcmp(a->sig_key, cases[i].want_key) && a->legacy == cases[i].legacy,
		   name);
	}
	ok(!jd_sig_alg_find("sig--"), "unknown algorithm 'sig--'");
	ok(!jd_sig_alg_find("ECDSA-P256-SHA256"), "algorithm names are case-sensitive");
}

static void test_ecdsa_der(void)
{
	unsigned char raw[64], der[JD_SIG_MAX], der2[JD_SIG_MAX];
	size_t der_len = 0, der2_len = 0;
	struct jd_error err;

	memset(raw, 0, sizeof(raw));
	raw[31] = 1;      /* r = 1 */
	raw[32] = 0x80;   /* s with the top bit set: DER needs a leading 0 */
	raw[63] = 2;
	jd_error_clear(&err);
	ok(jd_ecdsa_raw_to_der(raw, 64, der, &der_len, &err) == 0, "raw r||s to DER");
	ok(der_len == 2 + 3 + 2 + 33 && der[0] == 0x30 && der[2] == 0x02 && der[3] == 1 &&
	           der[4] == 1 && der[5] == 0x02 && der[6] == 33 && der[7] == 0,
	   "DER: SEQUENCE { INTEGER 1, INTEGER 0x0080...02 }");
	ok(jd_ecdsa_is_der(der, der_len), "converted signature is DER");
	ok(!jd_ecdsa_is_der(raw, 64), "raw r||s is not DER");
	memcpy(der2, der, der_len);
	der2[der_len] = 0;
	ok(!jd_ecdsa_is_der(der2, der_len + 1), "DER with a trailing byte is refused");
	ok(jd_ecdsa_raw_to_der(raw, 63, der2, &der2_len, &err) == -1, "odd raw length refused");
	der2[1] ^= 0x01;
	ok(!jd_ecdsa_is_der(der2, der_len), "DER with a wrong length byte is refused");
}

/* ---- keys and signatures ---- */

static EVP_PKEY *keygen(const char *type)
{
	if (!strcmp(type, "P-256") || !strcmp(type, "P-384"))
		return EVP_PKEY_Q_keygen(NULL, NULL, "EC", type);
	if (!strcmp(type, "RSA-2048"))
		return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	if (!strcmp(type, "RSA-1024"))
		return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	if (!strcmp(type, "Ed25519"))
		return EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (!strcmp(type, "secp256k1"))
		return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "secp256k1");
	return NULL;
}

static void save_key(EVP_PKEY *k, const char *path, const char *pass, mode_t mode)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data;
	long n;

	if (pass)
		PEM_write_bio_PrivateKey(b, k, EVP_aes_256_cbc(), (const unsigned char *)pass,
		                         (int)strlen(pass), NULL, NULL);
	else
		PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL);
	n = BIO_get_mem_data(b, &data);
	write_file(path, data, (size_t)n, mode);
	BIO_free(b);
}

static X509 *make_cert(EVP_PKEY *k, time_t not_before, time_t not_after)
{
	X509 *x = X509_new();

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_time_adj_ex(X509_getm_notBefore(x), 0, 0, &not_before);
	X509_time_adj_ex(X509_getm_notAfter(x), 0, 0, &not_after);
	X509_set_pubkey(x, k);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
	                           (const unsigned char *)"jobdoc test", -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	X509_sign(x, k, EVP_get_digestbynid(EVP_PKEY_get_base_id(k) == EVP_PKEY_ED25519
	                                            ? NID_undef
	                                            : NID_sha256));
	return x;
}

static void save_cert(X509 *x, const char *path)
{
	FILE *f = fopen(path, "w");

	PEM_write_X509(f, x);
	fclose(f);
}

static void test_sign_verify(void)
{
	static const struct {
		const char *keytype, *alg; /* alg NULL: the key's default */
		const char *want_alg;
		size_t min_len, max_len;
	} cases[] = {
		{"P-256", NULL, "ecdsa-p256-sha256", 68, 72},
		{"P-384", NULL, "ecdsa-p384-sha384", 100, 104},
		{"RSA-2048", NULL, "rsa-pkcs1-sha256", 256, 256},
		{"RSA-2048", "rsa-pss-sha256", "rsa-pss-sha256", 256, 256},
		{"RSA-2048", "sig-sha1-rsa", "rsa-pkcs1-sha1", 256, 256},
		{"Ed25519", NULL, "ed25519-sha256", 64, 64},
		{"P-256", "sig-sha1-ecdsa", "ecdsa-p256-sha1", 68, 72},
	};
	struct jd_key_opts ko = {NULL, NULL, 0};
	unsigned char data[3000];
	char name[160];
	size_t i;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 7 + 3);
	write_file(tpath("fw.bin"), data, sizeof(data), 0644);
	data[1234] ^= 0x10;
	write_file(tpath("fw-flipped.bin"), data, sizeof(data), 0644);
	write_file(tpath("fw-short.bin"), data, sizeof(data) - 1, 0644);
	for (i = 0; i < JD_ARRAY_SIZE(cases); i++) {
		EVP_PKEY *k = keygen(cases[i].keytype);
		struct jd_signer *s = NULL;
		struct jd_signature sig;
		struct jd_digest d;
		struct jd_error err;
		int r;

		jd_error_clear(&err);
		save_key(k, tpath("k.pem"), NULL, 0600);
		snprintf(name, sizeof(name), "%s/%s: open, choose, sign", cases[i].keytype,
		         cases[i].want_alg);
		r = jd_signer_open(&s, tpath("k.pem"), &ko, &err) == 0 &&
		    jd_signer_set_alg(s, cases[i].alg, &err) == 0 &&
		    jd_signer_sign_file(s, tpath("fw.bin"), &sig, &err) == 0;
		if (!ok(r, name)) {
			diag("%s", err.msg);
			jd_signer_free(s);
			EVP_PKEY_free(k);
			continue;
		}
		snprintf(name, sizeof(name), "%s/%s: algorithm, size, length", cases[i].keytype,
		         cases[i].want_alg);
		ok(!strcmp(sig.alg->name, cases[i].want_alg) && sig.digest.size == sizeof(data) &&
		           sig.sig_len >= cases[i].min_len && sig.sig_len <= cases[i].max_len,
		   name);
		if (sig.alg->kind == JD_SIG_ECDSA) {
			snprintf(name, sizeof(name), "%s: signature is DER", cases[i].want_alg);
			ok(jd_ecdsa_is_der(sig.sig, sig.sig_len), name);
		}
		snprintf(name, sizeof(name), "%s: verifies", cases[i].want_alg);
		ok(jd_verify_digest(k, sig.alg, sig.digest.md, sig.digest.md_len, sig.sig,
		                    sig.sig_len, &err) == 0,
		   name);
		/* tampering: the file, the signature, a truncated file */
		jd_hash_file(tpath("fw-flipped.bin"), sig.alg->md_nid, &d, &err);
		snprintf(name, sizeof(name), "%s: a flipped bit in the file fails", cases[i].want_alg);
		r = jd_verify_digest(k, sig.alg, d.md, d.md_len, sig.sig, sig.sig_len, &err);
		ok(r == -1 && err.code == JD_EINVALID && strstr(err.msg, "does not verify"), name);
		jd_hash_file(tpath("fw-short.bin"), sig.alg->md_nid, &d, &err);
		snprintf(name, sizeof(name), "%s: a truncated file fails", cases[i].want_alg);
		r = jd_verify_digest(k, sig.alg, d.md, d.md_len, sig.sig, sig.sig_len, &err);
		ok(r == -1 && err.code == JD_EINVALID, name);
		sig.sig[sig.sig_len - 1] ^= 0x01;
		snprintf(name, sizeof(name), "%s: a flipped bit in the signature fails",
		         cases[i].want_alg);
		r = jd_verify_digest(k, sig.alg, sig.digest.md, sig.digest.md_len, sig.sig,
		                     sig.sig_len, &err);
		ok(r == -1 && err.code == JD_EINVALID, name);
		jd_signer_free(s);
		EVP_PKEY_free(k);
	}
}

static void test_key_files(void)
{
	static const struct {
		const char *what, *keytype, *pass_in_file, *pass_opt, *alg;
		mode_t mode;
		int insecure, want_code;
		const char *want_msg;
	} cases[] = {
		{"plain 0600", "P-256", NULL, NULL, NULL, 0600, 0, 0, NULL},
		{"group-readable", "P-256", NULL, NULL, NULL, 0640, 0, JD_EINPUT,
		 "readable by group or others (mode 0640)"},
		{"world-readable", "P-256", NULL, NULL, NULL, 0604, 0, JD_EINPUT, "chmod 600"},
		{"insecure allowed", "P-256", NULL, NULL, NULL, 0644, 1, 0, NULL},
		{"encrypted, no pass", "P-256", "s3cret-pass", NULL, NULL, 0600, 0, JD_EINPUT,
		 "encrypted: give its passphrase with --pass"},
		{"encrypted, env pass", "P-256", "s3cret-pass", "env:JD_TEST_PASS", NULL, 0600, 0, 0,
		 NULL},
		{"encrypted, wrong pass", "P-256", "other-pass", "env:JD_TEST_PASS", NULL, 0600, 0,
		 JD_EINPUT, "wrong passphrase"},
		{"encrypted, file pass", "P-256", "s3cret-pass", "file:PASSFILE", NULL, 0600, 0, 0,
		 NULL},
		{"pass on the command line", "P-256", "s3cret-pass", "pass:s3cret-pass", NULL, 0600, 0,
		 JD_EUSAGE, "env:VAR or file:PATH"},
		{"unset env", "P-256", "s3cret-pass", "env:JD_TEST_UNSET", NULL, 0600, 0, JD_EUSAGE,
		 "is not set"},
		{"RSA 1024 refused", "RSA-1024", NULL, NULL, "rsa-pkcs1-sha256", 0600, 0, JD_EUSAGE,
		 "2048 to 4096"},
		{"P-384 key, P-256 algorithm", "P-384", NULL, NULL, "ecdsa-p256-sha256", 0600, 0,
		 JD_EUSAGE, "needs an EC P-256 key"},
		{"secp256k1 refused", "secp256k1", NULL, NULL, NULL, 0600, 0, JD_EINPUT,
		 "unsupported curve"},
	};
	char name[160];
	size_t i;

	setenv("JD_TEST_PASS", "s3cret-pass", 1);
	unsetenv("JD_TEST_UNSET");
	write_file(tpath("pass.txt"), "s3cret-pass\n", 12, 0600);
	for (i = 0; i < JD_ARRAY_SIZE(cases); i++) {
		EVP_PKEY *k = keygen(cases[i].keytype);
		struct jd_key_opts ko = {cases[i].pass_opt, NULL, cases[i].insecure};
		struct jd_signer *s = NULL;
		struct jd_error err;
		char passopt[600];
		int r;

		if (cases[i].pass_opt && !strcmp(cases[i].pass_opt, "file:PASSFILE")) {
			snprintf(passopt, sizeof(passopt), "file:%s", tpath("pass.txt"));
			ko.pass = passopt;
		}
		jd_error_clear(&err);
		unlink(tpath("k2.pem"));
		save_key(k, tpath("k2.pem"), cases[i].pass_in_file, cases[i].mode);
		r = jd_signer_open(&s, tpath("k2.pem"), &ko, &err);
		if (r == 0)
			r = jd_signer_set_alg(s, cases[i].alg, &err);
		snprintf(name, sizeof(name), "key file: %s", cases[i].what);
		if (!cases[i].want_code) {
			if (!ok(r == 0, name))
				diag("%s", err.msg);
		} else {
			if (!ok(r == -1 && err.code == cases[i].want_code &&
			                strstr(err.msg, cases[i].want_msg),
			        name))
				diag("code %d: %s", err.code, err.msg);
			snprintf(name, sizeof(name), "key file: %s: no secret in the message",
			         cases[i].what);
			ok(!strstr(err.msg, "s3cret") && !strstr(err.input, "s3cret"), name);
		}
		jd_signer_free(s);
		EVP_PKEY_free(k);
	}
	write_file(tpath("pass-open.txt"), "s3cret-pass\n", 12, 0644);
	{
		char *p = NULL;
		size_t n = 0;
		struct jd_error err;
		char spec[600];

		jd_error_clear(&err);
		snprintf(spec, sizeof(spec), "file:%s", tpath("pass-open.txt"));
		ok(jd_pass_get(spec, 0, &p, &n, &err) == -1 && strstr(err.msg, "group or others"),
		   "a world-readable passphrase file is refused");
		ok(jd_pass_get(spec, 1, &p, &n, &err) == 0 && n == 11 && !strcmp(p, "s3cret-pass"),
		   "passphrase file: the first line, without its newline");
		jd_secret_free(p, n);
	}
}

static void test_certs(void)
{
	EVP_PKEY *k = keygen("P-256"), *other = keygen("P-256");
	time_t now = 1767225600; /* 2026-01-01 */
	struct jd_key_opts ko = {NULL, NULL, 0};
	struct jd_signer *s = NULL;
	struct jd_error err;
	X509 *x;

	save_key(k, tpath("c.pem"), NULL, 0600);
	x = make_cert(k, now - 86400, now + 86400);
	save_cert(x, tpath("good.crt"));
	X509_free(x);
	x = make_cert(other, now - 86400, now + 86400);
	save_cert(x, tpath("other.crt"));
	X509_free(x);
	x = make_cert(k, now - 2 * 86400, now - 86400);
	save_cert(x, tpath("expired.crt"));
	X509_free(x);
	x = make_cert(k, now + 86400, now + 2 * 86400);
	save_cert(x, tpath("future.crt"));
	X509_free(x);
	jd_error_clear(&err);
	ok(jd_signer_open(&s, tpath("c.pem"), &ko, &err) == 0, "cert tests: key opens");
	ok(jd_signer_set_cert(s, tpath("good.crt"), now, &err) == 0, "matching, valid cert");
	ok(jd_signer_set_cert(s, tpath("other.crt"), now, &err) == -1 &&
	           err.code == JD_EINVALID && strstr(err.msg, "is not for key"),
	   "another key's certificate is refused");
	ok(jd_signer_set_cert(s, tpath("expired.crt"), now, &err) == -1 &&
	           err.code == JD_EINVALID && strstr(err.msg, "certificate expired on 2025-12-31"),
	   "an expired certificate is refused");
	ok(jd_signer_set_cert(s, tpath("future.crt"), now, &err) == -1 &&
	           err.code == JD_EINVALID && strstr(err.msg, "not valid before 2026-01-02"),
	   "a not-yet-valid certificate is refused");
	ok(jd_signer_set_cert(s, tpath("c.pem"), now, &err) == -1 && err.code == JD_EINPUT,
	   "a key file is not a certificate");
	jd_signer_free(s);
	EVP_PKEY_free(k);
	EVP_PKEY_free(other);
}

/* ---- request verification ---- */

struct collect {
	char text[8192];
	unsigned n;
};

static int collect_fn(void *ctx, const struct jd_finding *f)
{
	struct collect *c = ctx;
	size_t len = strlen(c->text);

	snprintf(c->text + len, sizeof(c->text) - len, "%s%s: %s\n",
	         f->severity == JD_SEV_ERROR ? "" : "warning: ", f->pointer ? f->pointer : "",
	         f->message);
	c->n++;
	return 0;
}

static void test_request(void)
{
	EVP_PKEY *k = keygen("P-256");
	time_t now = 1767225600;
	struct jd_key_opts ko = {NULL, NULL, 0};
	struct jd_signer *s = NULL;
	struct jd_signature sig;
	struct jd_error err;
	char b64[1024], good[1024], name[200];
	X509 *x;
	size_t i;
	/* %SIG% is replaced by the file's good signature, %SIZE% by its size (3000). */
	static const struct {
		const char *what, *req;
		int want_ret, want_code;
		unsigned want_errors;
		const char *want; /* substring of the findings or of err.msg */
	} cases[] = {
		{"good request",
		 "{\"document\":\"{\\\"afr_ota\\\":{\\\"files\\\":[{\\\"fileid\\\":0,\\\"filesize\\\":"
		 "3000,\\\"certfile\\\":\\\"signer.crt\\\",\\\"sig-sha256-ecdsa\\\":\\\"%SIG%\\\"}]}}\"}",
		 0, 0, 0, ""},
		{"bare document",
		 "{\"afr_ota\":{\"files\":[{\"fileid\":0,\"filesize\":3000,\"certfile\":\"signer.crt\","
		 "\"sig-sha256-ecdsa\":\"%SIG%\"}]}}",
		 0, 0, 0, ""},
		{"filesize off by one",
		 "{\"afr_ota\":{\"files\":[{\"fileid\":0,\"filesize\":3001,\"certfile\":\"signer.crt\","
		 "\"sig-sha256-ecdsa\":\"%SIG%\"}]}}",
		 0, 0, 1, "/afr_ota/files/0/filesize: 3001 does not match artifact size 3000"},
		{"filesize as a string",
		 "{\"afr_ota\":{\"files\":[{\"fileid\":0,\"filesize\":\"3000\",\"certfile\":\"signer.crt\","
		 "\"sig-sha256-ecdsa\":\"%SIG%\"}]}}",
		 0, 0, 1, "/afr_ota/files/0/filesize: expected an integer, got string"},
		{"other signature key",
		 "{\"afr_ota\":{\"files\":[{\"fileid\":0,\"filesize\":3000,\"certfile\":\"signer.crt\","
		 "\"sig-sha256-rsa\":\"%SIG%\"}]}}",
		 0, 0, 2, "/afr_ota/files/0/sig-sha256-rsa: signature key 'sig-sha256-rsa' is not"},
		{"missing signature",
		 "{\"afr_ota\":{\"files\":[{\"fileid\":0,\"filesize\":3000,\"certfile\":\"signer.crt\"}]}}",
		 0, 0, 1, "/afr_ota/files/0: missing 'sig-sha256-ecdsa'"},
		{"signature not base64",
		 "{\"afr_ota\":{\"files\":[{\"fileid\":0,\"filesize\":3000,\"certfile\":\"signer.crt\","
		 "\"sig-sha256-ecdsa\":\"-----BEGIN CERTIFICATE-----\"}]}}",
		 0, 0, 1, "/afr_ota/files/0/sig-sha256-ecdsa: not a base64 signature"},
		{"signature of another file",
		 "{\"afr_ota\":{\"files\":[{\"fileid\":0,\"filesize\":3000,\"certfile\":\"signer.crt\","
		 "\"sig-sha256-ecdsa\":\"MEUCIQCay7ZjFJnQi2lR4Y/8C9MobVUA+rFeMw+2bwzjgZ6z5AIgWIF3NAqG"
		 "8AYyAzpMdXTtWapEp4kc3F3O1psc4FnVy9w=\"}]}}",
		 0, 0, 1, "sig-sha256-ecdsa: signature does not verify (ecdsa-p256-sha256), with "
		          "certificate"},
		{"raw r||s signature",
		 "{\"afr_ota\":{\"files\":[{\"fileid\":0,\"filesize\":3000,\"certfile\":\"signer.crt\","
		 "\"sig-sha256-ecdsa\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
		 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\"}]}}",
		 0, 0, 1, "signature is raw r||s (64 bytes), not DER"},
		{"certfile escapes the directory",
		 "{\"afr_ota\":{\"files\":[{\"fileid\":0,\"filesize\":3000,\"certfile\":\"../..\","
		 "\"sig-sha256-ecdsa\":\"%SIG%\"}]}}",
		 0, 0, 1, "/afr_ota/files/0/certfile: '../..' does not name a certificate file"},
		{"certfile not in the directory",
		 "{\"afr_ota\":{\"files\":[{\"fileid\":0,\"filesize\":3000,\"certfile\":\"/etc/nope.crt\","
		 "\"sig-sha256-ecdsa\":\"%SIG%\"}]}}",
		 0, 0, 1, "/afr_ota/files/0/certfile: no certificate 'nope.crt' in"},
		{"certfile of another key",
		 "{\"afr_ota\":{\"files\":[{\"fileid\":0,\"filesize\":3000,\"certfile\":\"other.crt\","
		 "\"sig-sha256-ecdsa\":\"%SIG%\"}]}}",
		 0, 0, 1, "signature does not verify"},
		{"expired certificate",
		 "{\"afr_ota\":{\"files\":[{\"fileid\":0,\"filesize\":3000,\"certfile\":\"expired.crt\","
		 "\"sig-sha256-ecdsa\":\"%SIG%\"}]}}",
		 0, 0, 1, "/afr_ota/files/0/certfile: certificate"},
		{"no artifact for the file id",
		 "{\"afr_ota\":{\"files\":[{\"fileid\":7,\"filesize\":3000,\"certfile\":\"signer.crt\","
		 "\"sig-sha256-ecdsa\":\"%SIG%\"}]}}",
		 0, 0, 2, "/afr_ota/files/0/fileid: no --artifact 7=PATH"},
		{"fileid a string",
		 "{\"afr_ota\":{\"files\":[{\"fileid\":\"0\",\"filesize\":3000,\"certfile\":\"signer.crt\","
		 "\"sig-sha256-ecdsa\":\"%SIG%\"}]}}",
		 0, 0, 2, "/afr_ota/files/0/fileid: expected an integer"},
		{"file not an object", "{\"afr_ota\":{\"files\":[42]}}", 0, 0, 2,
		 "/afr_ota/files/0: expected an object, got integer"},
		{"files empty", "{\"afr_ota\":{\"files\":[]}}", 0, 0, 1,
		 "/afr_ota/files: expected a non-empty array, got an empty one"},
		{"afr_ota not an object", "{\"afr_ota\":[]}", 0, 0, 1,
		 "/afr_ota: expected an object, got array"},
		{"no afr_ota in the document", "{\"document\":\"{\\\"x\\\":1}\"}", 0, 0, 1,
		 "/document: missing 'afr_ota'"},
		{"document not JSON", "{\"document\":\"{\\\"afr_ota\\\":\"}", -1, JD_EINPUT, 0,
		 "not valid JSON"},
		{"document not a string", "{\"document\":{\"afr_ota\":{}}}", -1, JD_EINPUT, 0,
		 "expected the document as a JSON string, got object"},
		{"request not JSON", "{\"document\":", -1, JD_EINPUT, 0, "not valid JSON"},
		{"request an array", "[1,2]", -1, JD_EINPUT, 0, "expected a JSON object, got array"},
		{"duplicate keys", "{\"afr_ota\":{},\"afr_ota\":{}}", -1, JD_EINPUT, 0,
		 "duplicate object key"},
		{"documentSource", "{\"documentSource\":\"https://s3/x\"}", -1, JD_EINPUT, 0,
		 "the document is in S3"},
		{"neither", "{\"jobId\":\"x\"}", -1, JD_EINPUT, 0, "neither a CreateJob request"},
		{"NUL in a certfile",
		 "{\"afr_ota\":{\"files\":[{\"fileid\":0,\"filesize\":3000,\"certfile\":\"signer.crt\\u0000x\","
		 "\"sig-sha256-ecdsa\":\"%SIG%\"}]}}",
		 -1, JD_EINPUT, 0, "not valid JSON"},
	};

	jd_error_clear(&err);
	save_key(k, tpath("r.pem"), NULL, 0600);
	mkdir(tpath("certs"), 0755);
	x = make_cert(k, now - 86400, now + 86400);
	save_cert(x, tpath("certs/signer.crt"));
	X509_free(x);
	x = make_cert(k, now - 2 * 86400, now - 86400);
	save_cert(x, tpath("certs/expired.crt"));
	X509_free(x);
	{
		EVP_PKEY *o = keygen("P-256");
		x = make_cert(o, now - 86400, now + 86400);
		save_cert(x, tpath("certs/other.crt"));
		X509_free(x);
		EVP_PKEY_free(o);
	}
	ok(jd_signer_open(&s, tpath("r.pem"), &ko, &err) == 0 &&
	           jd_signer_sign_file(s, tpath("fw.bin"), &sig, &err) == 0,
	   "request tests: signed the artifact");
	jd_base64_encode(sig.sig, sig.sig_len, b64);
	jd_strlcpy(good, b64, sizeof(good));
	for (i = 0; i < JD_ARRAY_SIZE(cases); i++) {
		struct jd_artifact art = {0, tpath("fw.bin"), 0};
		struct jd_verify_opts vo = {NULL, tpath("certs"), NULL, now, 0};
		struct collect c;
		char req[4096];
		const char *p = cases[i].req, *m;
		size_t o = 0;
		unsigned errors = 99;
		int r;

		while ((m = strstr(p, "%SIG%")) != NULL) {
			memcpy(req + o, p, (size_t)(m - p));
			o += (size_t)(m - p);
			memcpy(req + o, good, strlen(good));
			o += strlen(good);
			p = m + 5;
		}
		memcpy(req + o, p, strlen(p) + 1);
		memset(&c, 0, sizeof(c));
		jd_error_clear(&err);
		r = jd_verify_request("req.json", req, strlen(req), &art, 1, &vo, collect_fn, &c,
		                      &errors, &err);
		snprintf(name, sizeof(name), "request: %s", cases[i].what);
		if (cases[i].want_ret < 0) {
			if (!ok(r == -1 && err.code == cases[i].want_code &&
			                strstr(err.msg, cases[i].want),
			        name))
				diag("ret %d code %d: %s", r, err.code, err.msg);
		} else {
			if (!ok(r == 0 && errors == cases[i].want_errors &&
			                strstr(c.text, cases[i].want),
			        name))
				diag("ret %d errors %u: %s / %s", r, errors, c.text, err.msg);
		}
	}
	jd_signer_free(s);
	EVP_PKEY_free(k);
}

static void test_artifacts(void)
{
	static const struct {
		const char *arg;
		int ok;
		unsigned long id;
	} cases[] = {
		{"0=fw.bin", 1, 0}, {"12=a=b", 1, 12}, {"4294967295=x", 1, 4294967295UL},
		{"4294967296=x", 0, 0}, {"=fw.bin", 0, 0}, {"1=", 0, 0}, {"x=fw", 0, 0},
		{"fw.bin", 0, 0}, {"-1=x", 0, 0},
	};
	char name[128];
	size_t i;

	for (i = 0; i < JD_ARRAY_SIZE(cases); i++) {
		struct jd_artifact a;
		struct jd_error err;
		int r = jd_artifact_parse(cases[i].arg, &a, &err);

		snprintf(name, sizeof(name), "--artifact '%s'", cases[i].arg);
		ok(cases[i].ok ? r == 0 && a.fileid == cases[i].id : r == -1 && err.code == JD_EUSAGE,
		   name);
	}
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_base64();
	test_dates();
	test_key_display();
	test_algs();
	test_ecdsa_der();
	test_artifacts();
	test_sign_verify();
	test_key_files();
	test_certs();
	test_request();
	{
		char cmd[600];
		/* no shell: remove what we made, one by one */
		static const char *const names[] = {
			"fw.bin", "fw-flipped.bin", "fw-short.bin", "k.pem", "k2.pem", "pass.txt",
			"pass-open.txt", "c.pem", "good.crt", "other.crt", "expired.crt", "future.crt",
			"r.pem", "certs/signer.crt", "certs/expired.crt", "certs/other.crt", "certs",
		};
		size_t i;

		for (i = 0; i < JD_ARRAY_SIZE(names); i++)
			remove(tpath(names[i]));
		snprintf(cmd, sizeof(cmd), "%s", tmpdir);
		rmdir(cmd);
	}
	return tap_done();
}
