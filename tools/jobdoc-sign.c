/* jobdoc-sign: hash and sign firmware files; print what a job document needs. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "common.h"
#include "file.h"
#include "internal.h"
#include "sign.h"

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"usage: jobdoc-sign -k KEY [options] FILE...\n\n"
		"Hashes each FILE (SHA-256) and signs the digest. Prints, per file, JSON with\n"
		"file, size, sha256, algorithm, signatureKey, signature (base64) and certfile;\n"
		"one FILE gives an object, several give an array in the same order.\n\n"
		"  -k, --key KEY          PEM private key file, or a pkcs11: URI\n"
		"      --pass SRC         passphrase of an encrypted key, or the token PIN:\n"
		"                         env:VAR or file:PATH (never the value itself)\n"
		"      --pkcs11-module SO the PKCS#11 module (default: the engine's, p11-kit)\n"
		"  -c, --cert CERT        certificate: must match the key and be valid now\n"
		"      --certfile NAME    the job document's certfile (default: CERT's file name)\n"
		"  -a, --algorithm ALG    signature algorithm (default: the key's, see below)\n"
		"      --prefix NAME_     print a flat parameters object NAME_size, NAME_sha256,\n"
		"                         ... for jobdoc-compile -P (once per FILE)\n"
		"      --detached         also write FILE.sig (the binary signature, DER for "
		"ECDSA)\n"
		"  -o, --output OUT       write the JSON to OUT (atomically) instead of stdout\n"
		"      --date TIME        check the certificate at TIME (2026-01-01T00:00:00Z)\n"
		"      --allow-insecure-key  accept key files readable by group or others\n"
		"  -h, --help             this help\n"
		"      --version          print the version\n\n"
		"Algorithms (ALG or its signature key):\n");
	for (i = 0; jd_sig_alg_at(i); i++)
		fprintf(f, "  %-18s %-20s%s\n", jd_sig_alg_at(i)->name, jd_sig_alg_at(i)->sig_key,
			jd_sig_alg_at(i)->legacy ? " (legacy: only when asked for)" : "");
	fprintf(f, "\n%s", jd_exit_codes_help);
}

enum {
	OPT_PASS = 256,
	OPT_MODULE,
	OPT_CERTFILE,
	OPT_PREFIX,
	OPT_DETACHED,
	OPT_DATE,
	OPT_INSECURE,
	OPT_VERSION
};

static const struct option longopts[] = {
	{"key", required_argument, NULL, 'k'},
	{"pass", required_argument, NULL, OPT_PASS},
	{"pkcs11-module", required_argument, NULL, OPT_MODULE},
	{"cert", required_argument, NULL, 'c'},
	{"certfile", required_argument, NULL, OPT_CERTFILE},
	{"algorithm", required_argument, NULL, 'a'},
	{"prefix", required_argument, NULL, OPT_PREFIX},
	{"detached", no_argument, NULL, OPT_DETACHED},
	{"output", required_argument, NULL, 'o'},
	{"date", required_argument, NULL, OPT_DATE},
	{"allow-insecure-key", no_argument, NULL, OPT_INSECURE},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, OPT_VERSION},
	{NULL, 0, NULL, 0},
};

static int valid_prefix(const char *p)
{
	size_t n = strlen(p);

	if (!n || n > 100)
		return 0;
	for (; *p; p++)
		if (!(*p == '_' || *p == '-' || (*p >= '0' && *p <= '9') ||
		      (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
			return 0;
	return 1;
}

int main(int argc, char **argv)
{
	struct jd_key_opts ko = {NULL, NULL, 0};
	const char *key = NULL, *cert = NULL, *certfile = NULL, *alg = NULL, *out = NULL;
	const char **prefixes = NULL;
	size_t n_prefixes = 0;
	int detached = 0, c, i, ret = 0;
	struct jd_signer *s = NULL;
	struct jd_error err;
	time_t now = time(NULL);
	json_t *all = NULL, *one;
	struct jd_signature *sigs = NULL;
	char *text = NULL;

	jd_tool_init("jobdoc-sign");
	jd_error_clear(&err);
	prefixes = calloc((size_t)argc, sizeof(*prefixes));
	if (!prefixes)
		return jd_report_error(&err);
	while ((c = getopt_long(argc, argv, "k:c:a:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'k': key = optarg; break;
		case OPT_PASS: ko.pass = optarg; break;
		case OPT_MODULE: ko.pkcs11_module = optarg; break;
		case 'c': cert = optarg; break;
		case OPT_CERTFILE: certfile = optarg; break;
		case 'a': alg = optarg; break;
		case OPT_PREFIX:
			if (!valid_prefix(optarg))
				jd_usage_error("--prefix '%s': use letters, digits, '_' and '-'",
					       optarg);
			prefixes[n_prefixes++] = optarg;
			break;
		case OPT_DETACHED: detached = 1; break;
		case 'o': out = optarg; break;
		case OPT_DATE:
			if (jd_sign_parse_date(optarg, &now) < 0)
				jd_usage_error("--date '%s': want 2026-01-01T00:00:00Z", optarg);
			break;
		case OPT_INSECURE: ko.allow_insecure = 1; break;
		case 'h':
			usage(stdout);
			free(prefixes);
			return 0;
		case OPT_VERSION:
			jd_print_version();
			free(prefixes);
			return 0;
		default: jd_usage_error("bad option");
		}
	}
	if (!key)
		jd_usage_error("no key: give -k KEY (a PEM file or a pkcs11: URI)");
	if (optind >= argc)
		jd_usage_error("no FILE to sign");
	if (n_prefixes && n_prefixes != (size_t)(argc - optind))
		jd_usage_error("%zu --prefix for %d files: give one per FILE", n_prefixes,
			       argc - optind);
	if (alg && !jd_sig_alg_find(alg))
		jd_usage_error("unknown algorithm '%s' (see --help)", alg);
	if (certfile && !cert)
		jd_usage_error("--certfile needs --cert");
	if (cert && !certfile) {
		certfile = strrchr(cert, '/');
		certfile = certfile ? certfile + 1 : cert;
	}
	if (jd_signer_open(&s, key, &ko, &err) < 0 || jd_signer_set_alg(s, alg, &err) < 0 ||
	    (cert && jd_signer_set_cert(s, cert, now, &err) < 0))
		goto fail;
	all = json_array();
	sigs = calloc((size_t)(argc - optind), sizeof(*sigs));
	if (!all || !sigs)
		goto oom;
	/* Sign everything first: a file that fails leaves no .sig behind. */
	for (i = optind; i < argc; i++) {
		if (jd_signer_sign_file(s, argv[i], &sigs[i - optind], &err) < 0)
			goto fail;
		if (sigs[i - optind].sig_len > JD_OTA_SIG_MAX)
			jd_warn("%s: a %zu-byte signature is more than a FreeRTOS OTA agent holds "
				"(%d bytes)",
				argv[i], sigs[i - optind].sig_len, JD_OTA_SIG_MAX);
		one = jd_signature_json(&sigs[i - optind], argv[i], certfile,
					n_prefixes ? prefixes[i - optind] : NULL);
		if (!one || json_array_append_new(all, one) < 0)
			goto oom;
	}
	for (i = optind; detached && i < argc; i++) {
		struct jd_buf sp = JD_BUF_INIT(4096 + 8);

		if (jd_buf_adds(&sp, argv[i], &err) < 0 || jd_buf_adds(&sp, ".sig", &err) < 0 ||
		    jd_write_file_atomic(sp.data, sigs[i - optind].sig, sigs[i - optind].sig_len,
					 0644, &err) < 0) {
			jd_buf_release(&sp);
			goto fail;
		}
		jd_buf_release(&sp);
	}
	if (json_array_size(all) == 1 || n_prefixes) {
		/* Parameters objects merge into one: what jobdoc-compile -P reads. */
		json_t *merged = json_object();
		size_t k;

		if (!merged)
			goto oom;
		for (k = 0; k < json_array_size(all); k++)
			json_object_update(merged, json_array_get(all, k));
		json_decref(all);
		all = merged;
	}
	text = json_dumps(all, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (!text)
		goto oom;
	if (jd_write_output(out, text, strlen(text), &err) < 0)
		goto fail;
	ret = 0;
	goto done;
oom:
	jd_error_oom(&err);
fail:
	ret = jd_report_error(&err);
done:
	free(text);
	json_decref(all);
	jd_signer_free(s);
	free(sigs);
	free(prefixes);
	return ret;
}
