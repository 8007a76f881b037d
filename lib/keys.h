#ifndef JD_KEYS_H
#define JD_KEYS_H
/*
 * Secrets on disk: private key files and passphrase sources. Everything read
 * here is wiped (OPENSSL_cleanse) before it is freed, and no secret byte is
 * ever put in a struct jd_error.
 */
#include <stddef.h>

#include <openssl/types.h>

#include "error.h"

/* The cap on a key or passphrase file. */
#define JD_SECRET_FILE_MAX ((size_t)64 << 10)

/*
 * Reads a secret file whole into a fresh buffer (NUL-terminated; free it
 * with jd_secret_free). Refuses, with JD_EINPUT, a file that group or others
 * can read unless allow_insecure; what ("private key", "passphrase") names
 * it in messages.
 */
int jd_secret_read_file(const char *path, int allow_insecure, const char *what, unsigned char **out,
			size_t *len, struct jd_error *err);
/* Wipes len bytes (plus the NUL) at p and frees it; p may be NULL. */
void jd_secret_free(void *p, size_t len);

/*
 * A passphrase or PIN from "env:VAR" (the variable's value) or "file:PATH"
 * (the file's first line). JD_EUSAGE for any other form or an unset
 * variable. *out is NUL-terminated; free with jd_secret_free(*out, *len).
 */
int jd_pass_get(const char *spec, int allow_insecure, char **out, size_t *len,
		struct jd_error *err);

/*
 * Loads a PEM private key file (encrypted or not). pass may be NULL.
 * JD_EINPUT when it cannot be read, parsed or decrypted.
 */
int jd_key_load_pem(const char *path, const char *pass, size_t pass_len, int allow_insecure,
		    EVP_PKEY **out, struct jd_error *err);

/*
 * Loads a private key from a PKCS#11 token through OpenSSL's pkcs11 engine.
 * module may be NULL (the engine's default, p11-kit's proxy); pin may be
 * NULL (then the URI must carry it, or the token needs none). *engine must
 * be released with jd_pkcs11_release after the key is freed.
 */
int jd_pkcs11_load_key(const char *uri, const char *module, const char *pin, EVP_PKEY **out,
		       void **engine, struct jd_error *err);
void jd_pkcs11_release(void *engine);

#endif
