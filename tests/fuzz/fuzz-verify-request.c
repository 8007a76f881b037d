/*
 * libFuzzer target: jd_verify_request on hostile CreateJob requests and job
 * documents (JSON inside a JSON string), plus the strict base64 decoder and
 * the date parser the tools feed with user input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "sign.h"
#include "verify.h"

static char dir[] = "/tmp/jd-fuzz-verify.XXXXXX";
static char art_path[600], cert_dir[600];

static int noop(void *ctx, const struct jd_finding *f)
{
	(void)ctx;
	return f->message[0] == '\0'; /* never true: touch the message */
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	X509 *x = X509_new();
	char path[700];
	FILE *f;

	(void)argc;
	(void)argv;
	if (!mkdtemp(dir))
		abort();
	snprintf(art_path, sizeof(art_path), "%s/fw.bin", dir);
	snprintf(cert_dir, sizeof(cert_dir), "%s/certs", dir);
	mkdir(cert_dir, 0700);
	f = fopen(art_path, "w");
	fputs("firmware", f);
	fclose(f);
	X509_set_version(x, 2);
	X509_gmtime_adj(X509_getm_notBefore(x), -86400);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 365);
	X509_set_pubkey(x, k);
	X509_sign(x, k, EVP_sha256());
	snprintf(path, sizeof(path), "%s/signer.crt", cert_dir);
	f = fopen(path, "w");
	PEM_write_X509(f, x);
	fclose(f);
	X509_free(x);
	EVP_PKEY_free(k);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jd_artifact arts[2] = {{0, art_path, 0}, {1, art_path, 0}};
	struct jd_verify_opts o = {NULL, cert_dir, NULL, 1767225600, 1};
	unsigned char out[JD_SIG_MAX];
	struct jd_error err;
	unsigned errors;
	char *s;
	time_t t;

	jd_error_clear(&err);
	(void)jd_verify_request("fuzz.json", (const char *)data, size, arts, 2, &o, noop, NULL,
	                        &errors, &err);
	(void)jd_base64_decode((const char *)data, size, out, sizeof(out));
	s = malloc(size + 1);
	if (s) {
		memcpy(s, data, size);
		s[size] = '\0';
		(void)jd_sign_parse_date(s, &t);
		{
			char shown[64];
			jd_key_display(s, shown, sizeof(shown));
		}
		free(s);
	}
	return 0;
}
