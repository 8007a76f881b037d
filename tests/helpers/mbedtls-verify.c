/*
 * mbedtls-verify KEYFILE FILE SIG [sha256|sha384|sha1]
 *
 * Verifies SIG (binary; DER for ECDSA) over FILE as a FreeRTOS device's
 * mbedTLS code signature PAL does: the file streamed into the hash in small
 * blocks, then mbedtls_pk_verify(&cert.pk, MD, hash, len, sig, sig_len).
 * KEYFILE is a PEM certificate (as the device holds) or a PEM public key.
 * Exit 0 when it verifies, 1 when not, 2 on bad usage or input.
 */
#include <stdio.h>
#include <string.h>

#include <mbedtls/md.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

int main(int argc, char **argv)
{
	mbedtls_x509_crt crt;
	mbedtls_pk_context pub, *pk = NULL;
	mbedtls_md_context_t md;
	mbedtls_md_type_t mdt = MBEDTLS_MD_SHA256;
	const mbedtls_md_info_t *info;
	unsigned char hash[64], sig[1024], block[4096];
	size_t sig_len, n;
	FILE *f;
	int r, ret = 2;

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: mbedtls-verify KEYFILE FILE SIG [sha256|sha384|sha1]\n");
		return 2;
	}
	if (argc == 5)
		mdt = !strcmp(argv[4], "sha384") ? MBEDTLS_MD_SHA384
		      : !strcmp(argv[4], "sha1") ? MBEDTLS_MD_SHA1 : MBEDTLS_MD_SHA256;
	mbedtls_x509_crt_init(&crt);
	mbedtls_pk_init(&pub);
	mbedtls_md_init(&md);
	if (mbedtls_x509_crt_parse_file(&crt, argv[1]) == 0)
		pk = &crt.pk;
	else if (mbedtls_pk_parse_public_keyfile(&pub, argv[1]) == 0)
		pk = &pub;
	if (!pk) {
		fprintf(stderr, "mbedtls-verify: %s: not a certificate or public key\n", argv[1]);
		goto out;
	}
	f = fopen(argv[3], "rb");
	if (!f) {
		perror(argv[3]);
		goto out;
	}
	sig_len = fread(sig, 1, sizeof(sig), f);
	fclose(f);
	info = mbedtls_md_info_from_type(mdt);
	if (!info || mbedtls_md_setup(&md, info, 0) != 0 || mbedtls_md_starts(&md) != 0)
		goto out;
	f = fopen(argv[2], "rb");
	if (!f) {
		perror(argv[2]);
		goto out;
	}
	while ((n = fread(block, 1, sizeof(block), f)) > 0)
		mbedtls_md_update(&md, block, n);
	fclose(f);
	mbedtls_md_finish(&md, hash);
	r = mbedtls_pk_verify(pk, mdt, hash, mbedtls_md_get_size(info), sig, sig_len);
	if (r == 0) {
		printf("mbedtls: verified\n");
		ret = 0;
	} else {
		printf("mbedtls: verify failed: -0x%04x\n", (unsigned)-r);
		ret = 1;
	}
out:
	mbedtls_md_free(&md);
	mbedtls_pk_free(&pub);
	mbedtls_x509_crt_free(&crt);
	return ret;
}
