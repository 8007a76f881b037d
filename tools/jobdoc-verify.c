/* jobdoc-verify: a file against its signature, or a request against its artifacts. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "buf.h"
#include "common.h"
#include "file.h"
#include "sign.h"
#include "verify.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: jobdoc-verify FILE (--signature B64 | --sig-file SIG) (--cert CERT | "
		"--pubkey PUB)\n"
		"       jobdoc-verify --request REQUEST.json --artifact FILEID=PATH...\n"
		"                     (--cert CERT | --cert-dir DIR) [--sig-key NAME]\n\n"
		"The first form checks one file's signature and prints a JSON summary. The\n"
		"second checks every afr_ota files[] entry of a CreateJob request's document\n"
		"(or of a bare document): filesize equals the artifact's size, the signature\n"
		"under the key the device reads verifies with the certificate, and reports\n"
		"each mismatch with the field's JSON pointer.\n\n"
		"  -s, --signature B64    the signature, base64\n"
		"      --sig-file SIG     the signature file: binary (DER), or base64 text\n"
		"  -c, --cert CERT        certificate (PEM or DER); must be valid at --date\n"
		"      --pubkey PUB       public key (PEM or DER), instead of a certificate\n"
		"  -a, --algorithm ALG    as jobdoc-sign's (default: the key's; RSA-PSS needs it)\n"
		"  -r, --request FILE     a CreateJob request JSON, or an afr_ota document\n"
		"      --artifact ID=PATH the file whose fileid is ID (repeat for each file)\n"
		"      --cert-dir DIR     find each file's certificate as DIR/<certfile>\n"
		"      --sig-key NAME     the signature key the device reads\n"
		"                         (default sig-sha256-ecdsa)\n"
		"      --date TIME        check certificates at TIME (2026-01-01T00:00:00Z)\n"
		"      --format FMT       findings as text, json or github\n"
		"  -v, --verbose          a note for each file that passes\n"
		"  -h, --help             this help\n"
		"      --version          print the version\n\n%s",
		jd_exit_codes_help);
}

enum {
	OPT_SIGFILE = 256,
	OPT_PUBKEY,
	OPT_ARTIFACT,
	OPT_CERTDIR,
	OPT_SIGKEY,
	OPT_DATE,
	OPT_FORMAT,
	OPT_VERSION
};

static const struct option longopts[] = {
	{"signature", required_argument, NULL, 's'},
	{"sig-file", required_argument, NULL, OPT_SIGFILE},
	{"cert", required_argument, NULL, 'c'},
	{"pubkey", required_argument, NULL, OPT_PUBKEY},
	{"algorithm", required_argument, NULL, 'a'},
	{"request", required_argument, NULL, 'r'},
	{"artifact", required_argument, NULL, OPT_ARTIFACT},
	{"cert-dir", required_argument, NULL, OPT_CERTDIR},
	{"sig-key", required_argument, NULL, OPT_SIGKEY},
	{"date", required_argument, NULL, OPT_DATE},
	{"format", required_argument, NULL, OPT_FORMAT},
	{"verbose", no_argument, NULL, 'v'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, OPT_VERSION},
	{NULL, 0, NULL, 0},
};

static int verify_file(const char *file, const char *b64, const char *sigfile, const char *cert,
		       const char *pubkey, const char *alg_name, time_t now)
{
	unsigned char sig[JD_SIG_MAX];
	size_t sig_len = 0;
	const struct jd_sig_alg *alg;
	struct jd_digest d;
	struct jd_signature out;
	struct jd_error err;
	EVP_PKEY *pub = NULL;
	X509 *x = NULL;
	json_t *j = NULL;
	char *text = NULL;
	int ret;

	jd_error_clear(&err);
	if (b64) {
		long n = jd_base64_decode(b64, strlen(b64), sig, sizeof(sig));

		if (n < 0) {
			jd_error_set(&err, JD_EINPUT, "--signature is not base64 (or too long)");
			goto fail;
		}
		sig_len = (size_t)n;
	} else if (jd_sig_read_file(sigfile, sig, &sig_len, &err) < 0) {
		goto fail;
	}
	if (cert) {
		if (jd_cert_load(cert, &x, &err) < 0 || jd_cert_check_time(x, cert, now, &err) < 0)
			goto fail;
		pub = X509_get_pubkey(x);
	} else if (jd_pubkey_load(pubkey, &pub, &err) < 0) {
		goto fail;
	}
	alg = alg_name ? jd_sig_alg_find(alg_name) : jd_sig_alg_for_key(pub, &err);
	if (!alg)
		goto fail;
	if (jd_hash_file(file, alg->md_nid, &d, &err) < 0)
		goto fail;
	if (jd_verify_digest(pub, alg, d.md, d.md_len, sig, sig_len, &err) < 0) {
		jd_error_place(&err, file, 0, 0, NULL);
		goto fail;
	}
	memset(&out, 0, sizeof(out));
	out.alg = alg;
	out.digest = d;
	memcpy(out.sig, sig, sig_len);
	out.sig_len = sig_len;
	j = jd_signature_json(&out, file, NULL, NULL);
	if (!j || json_object_set_new(j, "verified", json_true()) < 0 ||
	    !(text = json_dumps(j, JSON_INDENT(2)))) {
		jd_error_oom(&err);
		goto fail;
	}
	if (jd_write_output(NULL, text, strlen(text), &err) < 0)
		goto fail;
	ret = 0;
	goto done;
fail:
	ret = jd_report_error(&err);
done:
	free(text);
	json_decref(j);
	EVP_PKEY_free(pub);
	X509_free(x);
	return ret;
}

int main(int argc, char **argv)
{
	const char *b64 = NULL, *sigfile = NULL, *cert = NULL, *pubkey = NULL, *alg = NULL,
		   *request = NULL;
	struct jd_verify_opts vo;
	struct jd_artifact *arts;
	size_t n_arts = 0, k;
	enum jd_format fmt = JD_FMT_TEXT;
	struct jd_reporter rep;
	struct jd_buf data = JD_BUF_INIT(JD_INPUT_MAX);
	struct jd_error err;
	unsigned errors = 0;
	int c, ret;

	jd_tool_init("jobdoc-verify");
	jd_error_clear(&err);
	memset(&vo, 0, sizeof(vo));
	vo.now = time(NULL);
	arts = calloc((size_t)argc, sizeof(*arts));
	if (!arts)
		return jd_report_error(&err);
	while ((c = getopt_long(argc, argv, "s:c:a:r:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 's': b64 = optarg; break;
		case OPT_SIGFILE: sigfile = optarg; break;
		case 'c': cert = optarg; break;
		case OPT_PUBKEY: pubkey = optarg; break;
		case 'a': alg = optarg; break;
		case 'r': request = optarg; break;
		case OPT_ARTIFACT:
			if (jd_artifact_parse(optarg, &arts[n_arts], &err) < 0)
				jd_usage_error("%s", err.msg);
			for (k = 0; k < n_arts; k++)
				if (arts[k].fileid == arts[n_arts].fileid)
					jd_usage_error("--artifact: file id %lu given twice",
						       arts[k].fileid);
			n_arts++;
			break;
		case OPT_CERTDIR: vo.cert_dir = optarg; break;
		case OPT_SIGKEY: vo.sig_key = optarg; break;
		case OPT_DATE:
			if (jd_sign_parse_date(optarg, &vo.now) < 0)
				jd_usage_error("--date '%s': want 2026-01-01T00:00:00Z", optarg);
			break;
		case OPT_FORMAT: fmt = jd_parse_format(optarg); break;
		case 'v': vo.verbose = 1; break;
		case 'h':
			usage(stdout);
			free(arts);
			return 0;
		case OPT_VERSION:
			jd_print_version();
			free(arts);
			return 0;
		default: jd_usage_error("bad option");
		}
	}
	if (alg && !jd_sig_alg_find(alg))
		jd_usage_error("unknown algorithm '%s' (see jobdoc-sign --help)", alg);
	if (vo.sig_key && !jd_sig_alg_find(vo.sig_key))
		jd_usage_error("unknown signature key '%s' (see jobdoc-sign --help)", vo.sig_key);
	if (!request) {
		if (optind != argc - 1)
			jd_usage_error("give one FILE to verify, or --request");
		if (!b64 == !sigfile)
			jd_usage_error("give one of --signature or --sig-file");
		if (!cert == !pubkey)
			jd_usage_error("give one of --cert or --pubkey");
		if (n_arts || vo.cert_dir || vo.sig_key)
			jd_usage_error("--artifact, --cert-dir and --sig-key go with --request");
		free(arts);
		return verify_file(argv[optind], b64, sigfile, cert, pubkey, alg, vo.now);
	}
	if (optind != argc)
		jd_usage_error("unexpected argument '%s' with --request", argv[optind]);
	if (!cert == !vo.cert_dir)
		jd_usage_error("give one of --cert or --cert-dir with --request");
	if (b64 || sigfile || pubkey || alg)
		jd_usage_error("--signature, --sig-file, --pubkey and -a go with a FILE, not "
			       "--request (the signature key names the algorithm)");
	if (!n_arts)
		jd_usage_error("give --artifact FILEID=PATH for each file of the document");
	vo.cert = cert;
	jd_reporter_init(&rep, fmt);
	if (jd_read_file(request, JD_INPUT_MAX, &data, &err) < 0 ||
	    jd_verify_request(request, data.data, data.len, arts, n_arts, &vo, jd_report_finding,
			      &rep, &errors, &err) < 0) {
		if (fmt == JD_FMT_TEXT)
			ret = jd_report_error(&err);
		else {
			jd_report_error_finding(&rep, &err);
			ret = err.code ? err.code : JD_EINTERNAL;
		}
	} else {
		ret = errors ? JD_EINVALID : 0;
	}
	jd_reporter_finish(&rep);
	jd_buf_release(&data);
	free(arts);
	return ret;
}
