#ifndef JD_SIGN_H
#define JD_SIGN_H
/*
 * Hash-then-sign for firmware files, and the matching verification.
 *
 * A file is read once, in 1 MiB blocks, hashing as it goes (SHA-256 always,
 * plus the algorithm's hash when it is another one); the digest is then
 * signed. Signatures are what FreeRTOS OTA and MCUboot want: ECDSA as DER
 * ECDSA-Sig-Value, RSA PKCS#1 v1.5 or PSS, Ed25519 over the 32-byte SHA-256
 * digest (as imgtool does).
 *
 * Keys come from PEM files (lib/keys.c) or from a PKCS#11 token through
 * OpenSSL's pkcs11 engine (lib/pkcs11.c). Secrets (key bytes, passphrases,
 * PINs) are wiped after use and never copied into a struct jd_error.
 */
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>
#include <openssl/types.h>

#include "error.h"

/* Files hashed in blocks of this size (read(2) into one buffer). */
#define JD_HASH_BLOCK ((size_t)1 << 20)
/* The largest signature we make or accept (RSA-4096). */
#define JD_SIG_MAX 512
/* What a FreeRTOS OTA agent can hold after base64 decoding (kOTA_MaxSignatureSize). */
#define JD_OTA_SIG_MAX 384

enum jd_sig_kind { JD_SIG_ECDSA, JD_SIG_RSA_PKCS1, JD_SIG_RSA_PSS, JD_SIG_ED25519 };

/* One signature algorithm, and its job-document key. */
struct jd_sig_alg {
	const char *name;    /* "ecdsa-p256-sha256" */
	const char *sig_key; /* "sig-sha256-ecdsa": the afr_ota files[] key */
	enum jd_sig_kind kind;
	int md_nid;  /* NID_sha256, NID_sha384, NID_sha1 */
	int ec_bits; /* 256 or 384 for ECDSA, else 0 */
	int legacy;  /* SHA-1: only when asked for by name */
};

/*
 * Finds an algorithm by its name or by its signature key name ("rsa-pkcs1-sha1"
 * or "sig-sha1-rsa"). NULL when unknown.
 */
const struct jd_sig_alg *jd_sig_alg_find(const char *name);
/* The i-th algorithm of the table (for --help and tests); NULL past the end. */
const struct jd_sig_alg *jd_sig_alg_at(size_t i);
/*
 * The default algorithm for a key (EC P-256, P-384, RSA, RSA-PSS, Ed25519);
 * NULL with err set (JD_EINPUT) for any other key.
 */
const struct jd_sig_alg *jd_sig_alg_for_key(EVP_PKEY *key, struct jd_error *err);
/* 0 when key can make or check alg's signatures, else -1 with err (JD_EUSAGE). */
int jd_sig_alg_check_key(const struct jd_sig_alg *alg, EVP_PKEY *key, struct jd_error *err);

/* A file's size and digests. */
struct jd_digest {
	uint64_t size;
	unsigned char sha256[32];
	int md_nid;	      /* the algorithm's hash */
	unsigned char md[64]; /* its digest (a copy of sha256 for SHA-256) */
	size_t md_len;
};

/*
 * Reads path once in JD_HASH_BLOCK blocks: SHA-256 and, when md_nid is
 * another hash, that one too. JD_EINPUT when the file cannot be read.
 */
int jd_hash_file(const char *path, int md_nid, struct jd_digest *d, struct jd_error *err);

/*
 * Loads a private key: a PEM file, or a "pkcs11:" URI. Everything needed
 * to get at it is in here; the strings are borrowed for the call only.
 */
struct jd_key_opts {
	const char *pass;	   /* "env:VAR" or "file:PATH" or NULL: passphrase or PIN */
	const char *pkcs11_module; /* PKCS#11 module path, or NULL for the engine's default */
	int allow_insecure;	   /* accept key files readable by group or others */
};

/* A key ready to sign, with its public half and (optionally) its certificate. */
struct jd_signer;

/*
 * Opens key (a PEM path or a pkcs11: URI). JD_EINPUT when it cannot be read
 * or decrypted, or when the file's mode lets group or others read it;
 * JD_EUSAGE for a bad --pass. On success *out is owned by the caller.
 */
int jd_signer_open(struct jd_signer **out, const char *key, const struct jd_key_opts *o,
		   struct jd_error *err);
void jd_signer_free(struct jd_signer *s);
/* The algorithm to use: name (see jd_sig_alg_find) or NULL for the key's default. */
int jd_signer_set_alg(struct jd_signer *s, const char *name, struct jd_error *err);
const struct jd_sig_alg *jd_signer_alg(const struct jd_signer *s);
/*
 * Loads a PEM certificate and checks, before anything is signed, that its
 * public key is the signer's and that now is within its validity
 * (JD_EINVALID otherwise).
 */
int jd_signer_set_cert(struct jd_signer *s, const char *path, time_t now, struct jd_error *err);

/* One file's signature. */
struct jd_signature {
	const struct jd_sig_alg *alg;
	struct jd_digest digest;
	unsigned char sig[JD_SIG_MAX];
	size_t sig_len;
};

/*
 * Hashes path and signs the digest. ECDSA signatures are DER (a token's raw
 * r||s is converted); every signature is checked with the public key before
 * it is returned.
 */
int jd_signer_sign_file(struct jd_signer *s, const char *path, struct jd_signature *out,
			struct jd_error *err);
/* Signs a digest of the algorithm's hash (md_len bytes). */
int jd_signer_sign_digest(struct jd_signer *s, const unsigned char *md, size_t md_len,
			  unsigned char *sig, size_t *sig_len, struct jd_error *err);

/*
 * The JSON of one signed file: {file, size, sha256, algorithm, signatureKey,
 * signature, certfile}. With prefix ("fw_"), a flat parameters object
 * {fw_file, fw_size, ...} instead. certfile may be NULL (left out). New
 * reference, NULL on out of memory.
 */
json_t *jd_signature_json(const struct jd_signature *sig, const char *file, const char *certfile,
			  const char *prefix);

/*
 * Checks sig over a digest of alg's hash with a public key. 0 when it
 * verifies; -1 with err JD_EINVALID and a specific message when not
 * ("signature is raw r||s, not DER", "signature does not verify"), or
 * another code for a bad key.
 */
int jd_verify_digest(EVP_PKEY *pub, const struct jd_sig_alg *alg, const unsigned char *md,
		     size_t md_len, const unsigned char *sig, size_t sig_len, struct jd_error *err);

/* Loads a PEM (or DER) certificate / public key. JD_EINPUT when unreadable. */
int jd_cert_load(const char *path, X509 **out, struct jd_error *err);
int jd_pubkey_load(const char *path, EVP_PKEY **out, struct jd_error *err);
/* JD_EINVALID "certificate 'name' expired on ..." / "is not valid before ...". */
int jd_cert_check_time(X509 *cert, const char *name, time_t now, struct jd_error *err);

/*
 * Converts an ECDSA signature made of raw r||s (2 * field bytes, as PKCS#11
 * C_Sign returns) to DER. der must hold JD_SIG_MAX bytes.
 */
int jd_ecdsa_raw_to_der(const unsigned char *raw, size_t len, unsigned char *der, size_t *der_len,
			struct jd_error *err);
/* 1 when sig is exactly one canonical DER ECDSA-Sig-Value, else 0. */
int jd_ecdsa_is_der(const unsigned char *sig, size_t len);

/* Standard base64 with padding. out holds 4 * ((len + 2) / 3) + 1 bytes. */
size_t jd_base64_encode(const unsigned char *in, size_t len, char *out);
/*
 * Strict standard base64 (padding required, no whitespace, zero pad bits).
 * Returns the decoded length, or -1 when s is not base64 or decodes to more
 * than max bytes.
 */
long jd_base64_decode(const char *s, size_t len, unsigned char *out, size_t max);

/*
 * Reads a signature file: base64 text (a trailing newline allowed) or, when
 * it is not base64, binary (DER for ECDSA). sig holds JD_SIG_MAX bytes.
 * JD_EINPUT when unreadable or longer than that.
 */
int jd_sig_read_file(const char *path, unsigned char *sig, size_t *len, struct jd_error *err);

/* Lower-case hex of len bytes into out (2 * len + 1). */
void jd_hex(const unsigned char *in, size_t len, char *out);

/*
 * Parses "2026-01-01T00:00:00Z" (or "20260101T000000Z") as UTC. -1 when
 * malformed.
 */
int jd_sign_parse_date(const char *s, time_t *out);

/*
 * A key reference fit for messages: a pkcs11: URI with its pin-value
 * replaced by "***". Never fails; truncates to size.
 */
void jd_key_display(const char *key, char *out, size_t size);

#endif
