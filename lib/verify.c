#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "file.h"
#include "internal.h"
#include "jsonparse.h"
#include "sign.h"
#include "verify.h"

/* The most files[] entries looked at: the Jobs-library parser reads ten. */
#define MAX_FILES 1000

int jd_artifact_parse(const char *arg, struct jd_artifact *a, struct jd_error *err)
{
	const char *eq = strchr(arg, '=');
	unsigned long v = 0;
	const char *p;

	memset(a, 0, sizeof(*a));
	if (!eq || eq == arg || !eq[1])
		return jd_error_set(err, JD_EUSAGE, "--artifact wants FILEID=PATH, got '%s'", arg);
	for (p = arg; p < eq; p++) {
		if (*p < '0' || *p > '9' || v > 429496729UL || (v == 429496729UL && *p > '5'))
			return jd_error_set(
				err, JD_EUSAGE,
				"--artifact '%s': the file id must be a number from 0 to "
				"4294967295",
				arg);
		v = v * 10 + (unsigned long)(*p - '0');
	}
	a->fileid = v;
	a->path = eq + 1;
	return 0;
}

struct vctx {
	const char *name;
	const struct jd_verify_opts *o;
	jd_finding_fn fn;
	void *ctx;
	unsigned errors;
	int stop;
	X509 *cert; /* --cert, loaded once */
};

static void report(struct vctx *v, enum jd_severity sev, const char *ptr, const char *fmt, ...)
	JD_PRINTF(4, 5);
static void report(struct vctx *v, enum jd_severity sev, const char *ptr, const char *fmt, ...)
{
	struct jd_finding f;
	char msg[1024];
	va_list ap;

	if (v->stop)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	memset(&f, 0, sizeof(f));
	f.severity = sev;
	f.rule = "verify";
	f.input = v->name;
	f.pointer = ptr;
	f.message = msg;
	if (sev == JD_SEV_ERROR)
		v->errors++;
	if (v->fn && v->fn(v->ctx, &f))
		v->stop = 1;
}

/* base + "/" + key escaped as RFC 6901 says (~ as ~0, / as ~1). */
static void ptr_join(char *out, size_t size, const char *base, const char *key)
{
	size_t o = strlen(base);

	if (o >= size)
		return;
	if (out != base)
		jd_strlcpy(out, base, size);
	if (o + 1 < size)
		out[o++] = '/';
	for (; *key && o + 2 < size; key++) {
		if (*key == '~' || *key == '/') {
			out[o++] = '~';
			out[o++] = *key == '~' ? '0' : '1';
		} else {
			out[o++] = *key;
		}
	}
	out[o] = '\0';
}

static const char *type_name(const json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_OBJECT: return "object";
	case JSON_ARRAY: return "array";
	case JSON_STRING: return "string";
	case JSON_INTEGER: return "integer";
	case JSON_REAL: return "number";
	case JSON_TRUE:
	case JSON_FALSE: return "boolean";
	default: return "null";
	}
}

/* A printable, bounded copy of a document string for messages. */
static void quote(const char *s, char *out, size_t size)
{
	size_t o = 0;

	for (; *s && o + 4 < size; s++)
		out[o++] = (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s;
	if (*s && o + 4 <= size) {
		out[o++] = '.';
		out[o++] = '.';
		out[o++] = '.';
	}
	out[o] = '\0';
}

/* The certificate for one file: --cert, or DIR/basename(certfile). NULL after a finding. */
static X509 *file_cert(struct vctx *v, json_t *file, const char *fptr, char *shown,
		       size_t shown_size, int *owned)
{
	json_t *cf = json_object_get(file, "certfile");
	char ptr[512], q[200], *path;
	const char *base;
	X509 *cert = NULL;
	struct jd_error e;

	*owned = 0;
	ptr_join(ptr, sizeof(ptr), fptr, "certfile");
	if (v->cert) {
		if (!cf)
			report(v, JD_SEV_WARNING, fptr,
			       "no 'certfile': the device cannot tell which certificate to use");
		jd_strlcpy(shown, v->o->cert, shown_size);
		return v->cert;
	}
	if (!cf) {
		report(v, JD_SEV_ERROR, fptr, "missing 'certfile', needed to find the certificate");
		return NULL;
	}
	if (!json_is_string(cf)) {
		report(v, JD_SEV_ERROR, ptr, "expected a string, got %s", type_name(cf));
		return NULL;
	}
	/* Only the last component, so a hostile document cannot leave the directory. */
	base = strrchr(json_string_value(cf), '/');
	base = base ? base + 1 : json_string_value(cf);
	quote(json_string_value(cf), q, sizeof(q));
	if (!*base || !strcmp(base, ".") || !strcmp(base, "..") ||
	    strlen(json_string_value(cf)) != json_string_length(cf) || strlen(base) > 255) {
		report(v, JD_SEV_ERROR, ptr, "'%s' does not name a certificate file", q);
		return NULL;
	}
	path = jd_path_join(v->o->cert_dir, base);
	if (!path) {
		report(v, JD_SEV_ERROR, ptr, "out of memory");
		return NULL;
	}
	jd_strlcpy(shown, path, shown_size);
	jd_error_clear(&e);
	if (access(path, F_OK) != 0)
		report(v, JD_SEV_ERROR, ptr, "no certificate '%s' in '%s'", base, v->o->cert_dir);
	else if (jd_cert_load(path, &cert, &e) < 0)
		report(v, JD_SEV_ERROR, ptr, "certificate '%s': %s", path, e.msg);
	else
		*owned = 1;
	free(path);
	return cert;
}

static int check_file(struct vctx *v, json_t *file, const char *fptr, struct jd_artifact *arts,
		      size_t n_arts, const struct jd_sig_alg *alg, struct jd_error *err)
{
	char ptr[512], shown[512], q[200];
	struct jd_artifact *art = NULL;
	json_t *fid, *fsize, *sigv;
	const char *key;
	json_t *val;
	unsigned char sig[JD_SIG_MAX];
	long sig_len = -1;
	struct jd_digest d;
	struct jd_error e;
	X509 *cert = NULL;
	int owned = 0, ret = 0;
	size_t i;

	if (!json_is_object(file)) {
		report(v, JD_SEV_ERROR, fptr, "expected an object, got %s", type_name(file));
		return 0;
	}
	/* fileid picks the artifact. */
	fid = json_object_get(file, "fileid");
	ptr_join(ptr, sizeof(ptr), fptr, "fileid");
	if (!fid) {
		report(v, JD_SEV_ERROR, fptr, "missing 'fileid'");
	} else if (!json_is_integer(fid) || json_integer_value(fid) < 0 ||
		   json_integer_value(fid) > 4294967295LL) {
		report(v, JD_SEV_ERROR, ptr, "expected an integer from 0 to 4294967295, got %s",
		       type_name(fid));
	} else {
		for (i = 0; i < n_arts; i++)
			if (arts[i].fileid == (unsigned long)json_integer_value(fid))
				break;
		if (i == n_arts) {
			report(v, JD_SEV_ERROR, ptr, "no --artifact %lld=PATH given for this file",
			       json_integer_value(fid));
		} else if (arts[i].used) {
			report(v, JD_SEV_ERROR, ptr, "file id %lld appears more than once",
			       json_integer_value(fid));
		} else {
			art = &arts[i];
			art->used = 1;
		}
	}
	/* The signature under the key the device reads; others are ignored by it. */
	sigv = json_object_get(file, alg->sig_key);
	json_object_foreach(file, key, val)
	{
		if (strncmp(key, "sig-", 4) || !strcmp(key, alg->sig_key))
			continue;
		ptr_join(ptr, sizeof(ptr), fptr, key);
		quote(key, q, sizeof(q));
		if (!sigv)
			report(v, JD_SEV_ERROR, ptr,
			       "signature key '%s' is not the one the device expects ('%s')", q,
			       alg->sig_key);
		else
			report(v, JD_SEV_WARNING, ptr, "ignored: the device reads only '%s'",
			       alg->sig_key);
	}
	ptr_join(ptr, sizeof(ptr), fptr, alg->sig_key);
	if (!sigv) {
		report(v, JD_SEV_ERROR, fptr, "missing '%s'", alg->sig_key);
	} else if (!json_is_string(sigv)) {
		report(v, JD_SEV_ERROR, ptr, "expected a base64 string, got %s", type_name(sigv));
	} else {
		sig_len = jd_base64_decode(json_string_value(sigv), json_string_length(sigv), sig,
					   sizeof(sig));
		if (sig_len < 0)
			report(v, JD_SEV_ERROR, ptr,
			       "not a base64 signature (standard alphabet, "
			       "padded, no whitespace)");
		else if (sig_len > JD_OTA_SIG_MAX)
			report(v, JD_SEV_ERROR, ptr,
			       "signature of %ld bytes: a FreeRTOS OTA agent holds at most %d",
			       sig_len, JD_OTA_SIG_MAX);
	}
	cert = file_cert(v, file, fptr, shown, sizeof(shown), &owned);
	if (!art)
		goto out;
	if (jd_hash_file(art->path, alg->md_nid, &d, err) < 0) {
		ret = -1;
		goto out;
	}
	fsize = json_object_get(file, "filesize");
	ptr_join(ptr, sizeof(ptr), fptr, "filesize");
	if (!fsize)
		report(v, JD_SEV_ERROR, fptr, "missing 'filesize'");
	else if (!json_is_integer(fsize))
		report(v, JD_SEV_ERROR, ptr, "expected an integer, got %s", type_name(fsize));
	else if (json_integer_value(fsize) < 0 || (uint64_t)json_integer_value(fsize) != d.size)
		report(v, JD_SEV_ERROR, ptr, "%lld does not match artifact size %" PRIu64 " ('%s')",
		       json_integer_value(fsize), d.size, art->path);
	if (!cert || sig_len < 0 || sig_len > JD_OTA_SIG_MAX)
		goto out;
	jd_error_clear(&e);
	ptr_join(ptr, sizeof(ptr), fptr, v->cert ? alg->sig_key : "certfile");
	if (jd_cert_check_time(cert, shown, v->o->now, &e) < 0) {
		report(v, JD_SEV_ERROR, ptr, "%s ('%s')", e.msg, shown);
		goto out;
	}
	ptr_join(ptr, sizeof(ptr), fptr, alg->sig_key);
	if (jd_verify_digest(X509_get0_pubkey(cert), alg, d.md, d.md_len, sig, (size_t)sig_len,
			     &e) < 0) {
		if (e.code == JD_EINVALID)
			report(v, JD_SEV_ERROR, ptr, "%s, with certificate '%s' over '%s'", e.msg,
			       shown, art->path);
		else
			report(v, JD_SEV_ERROR, ptr, "certificate '%s': %s", shown, e.msg);
		goto out;
	}
	if (v->o->verbose)
		report(v, JD_SEV_NOTE, fptr, "'%s' (%" PRIu64 " bytes) verified with '%s' (%s)",
		       art->path, d.size, shown, alg->name);
out:
	if (owned)
		X509_free(cert);
	return ret;
}

int jd_verify_request(const char *name, const char *data, size_t len, struct jd_artifact *arts,
		      size_t n_arts, const struct jd_verify_opts *o, jd_finding_fn fn, void *ctx,
		      unsigned *errors, struct jd_error *err)
{
	struct vctx v;
	json_t *req = NULL, *doc = NULL, *afr, *files, *dv;
	json_error_t je;
	const struct jd_sig_alg *alg;
	const char *base;
	char ptr[256], fptr[512];
	size_t i;
	int ret = -1;

	memset(&v, 0, sizeof(v));
	v.name = name;
	v.o = o;
	v.fn = fn;
	v.ctx = ctx;
	*errors = 0;
	alg = jd_sig_alg_find(o->sig_key ? o->sig_key : "sig-sha256-ecdsa");
	if (!alg)
		return jd_error_set(err, JD_EUSAGE, "unknown signature key '%s'", o->sig_key);
	if (!o->cert && !o->cert_dir)
		return jd_error_set(err, JD_EUSAGE, "give --cert or --cert-dir");
	if (o->cert && jd_cert_load(o->cert, &v.cert, err) < 0)
		return -1;
	req = jd_json_parse(data, len, JSON_REJECT_DUPLICATES, &je);
	if (!req) {
		jd_error_at(err, JD_EINPUT, name, (unsigned)(je.line > 0 ? je.line : 0),
			    (unsigned)(je.column > 0 ? je.column : 0), NULL, "not valid JSON: %s",
			    je.text);
		goto out;
	}
	if (!json_is_object(req)) {
		jd_error_at(err, JD_EINPUT, name, 0, 0, "", "expected a JSON object, got %s",
			    type_name(req));
		goto out;
	}
	/* A CreateJob request carries the document as a JSON string; a bare document is accepted. */
	dv = json_object_get(req, "document");
	if (json_object_get(req, "afr_ota") && !dv) {
		doc = json_incref(req);
		base = "";
	} else if (json_is_string(dv)) {
		doc = jd_json_parse(json_string_value(dv), json_string_length(dv),
				    JSON_REJECT_DUPLICATES, &je);
		if (!doc) {
			jd_error_at(err, JD_EINPUT, name, 0, 0, "/document",
				    "not valid JSON: %s (line %d, column %d of the document)",
				    je.text, je.line, je.column);
			goto out;
		}
		base = "/document";
	} else if (dv) {
		jd_error_at(err, JD_EINPUT, name, 0, 0, "/document",
			    "expected the document as a JSON string, got %s", type_name(dv));
		goto out;
	} else if (json_object_get(req, "documentSource")) {
		jd_error_at(err, JD_EINPUT, name, 0, 0, "/documentSource",
			    "the document is in S3: verify the document file itself "
			    "(jobdoc-verify --request DOCUMENT.json)");
		goto out;
	} else {
		jd_error_at(
			err, JD_EINPUT, name, 0, 0, "",
			"neither a CreateJob request with a 'document' nor an afr_ota document");
		goto out;
	}
	afr = json_object_get(doc, "afr_ota");
	ptr_join(ptr, sizeof(ptr), base, "afr_ota");
	if (!json_is_object(doc)) {
		report(&v, JD_SEV_ERROR, base, "expected an object, got %s", type_name(doc));
		goto done;
	}
	if (!afr) {
		report(&v, JD_SEV_ERROR, base[0] ? base : "", "missing 'afr_ota'");
		goto done;
	}
	if (!json_is_object(afr)) {
		report(&v, JD_SEV_ERROR, ptr, "expected an object, got %s", type_name(afr));
		goto done;
	}
	files = json_object_get(afr, "files");
	ptr_join(ptr, sizeof(ptr), ptr, "files");
	if (!files) {
		report(&v, JD_SEV_ERROR, ptr, "missing");
		goto done;
	}
	if (!json_is_array(files) || !json_array_size(files)) {
		report(&v, JD_SEV_ERROR, ptr, "expected a non-empty array, got %s",
		       json_is_array(files) ? "an empty one" : type_name(files));
		goto done;
	}
	for (i = 0; i < json_array_size(files) && i < MAX_FILES && !v.stop; i++) {
		snprintf(fptr, sizeof(fptr), "%s/%zu", ptr, i);
		if (check_file(&v, json_array_get(files, i), fptr, arts, n_arts, alg, err) < 0)
			goto out;
	}
	if (i < json_array_size(files))
		report(&v, JD_SEV_ERROR, ptr, "more than %d files: not checked", MAX_FILES);
	for (i = 0; i < n_arts; i++)
		if (!arts[i].used)
			report(&v, JD_SEV_ERROR, ptr, "no file has fileid %lu (--artifact %lu=%s)",
			       arts[i].fileid, arts[i].fileid, arts[i].path);
done:
	ret = 0;
out:
	*errors = v.errors;
	X509_free(v.cert);
	json_decref(doc);
	json_decref(req);
	return ret;
}
