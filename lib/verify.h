#ifndef JD_VERIFY_H
#define JD_VERIFY_H
/*
 * Checks a CreateJob request (or a bare job document) against the files it
 * describes, as a release pipeline does right before publishing: for every
 * afr_ota files[] entry, the artifact's size, its signature under the
 * signature key the device expects, and the certificate named by certfile.
 */
#include <stddef.h>
#include <time.h>

#include "error.h"
#include "finding.h"

/* One --artifact FILEID=PATH. */
struct jd_artifact {
	unsigned long fileid;
	const char *path; /* borrowed */
	int used;	  /* set by jd_verify_request */
};

/* Parses "FILEID=PATH" (FILEID decimal, 0..4294967295). JD_EUSAGE when malformed. */
int jd_artifact_parse(const char *arg, struct jd_artifact *a, struct jd_error *err);

struct jd_verify_opts {
	const char *cert;     /* the certificate for every file, or NULL */
	const char *cert_dir; /* or: the directory holding each file's certfile */
	const char *sig_key;  /* the signature key the device reads; NULL: sig-sha256-ecdsa */
	time_t now;	      /* certificates must be valid at this time */
	int verbose;	      /* a note per file that passes */
};

/*
 * Checks the request data (len bytes, named name in findings) against the
 * artifacts. Each problem is one finding (severity error, pointer to the
 * field: "/document/afr_ota/files/0/filesize") given to fn; *errors counts
 * them. Returns -1 with err only when the check cannot be made at all: the
 * request or its document is not JSON (JD_EINPUT), an artifact or --cert
 * cannot be read (JD_EINPUT), out of memory.
 */
int jd_verify_request(const char *name, const char *data, size_t len, struct jd_artifact *arts,
		      size_t n_arts, const struct jd_verify_opts *o, jd_finding_fn fn, void *ctx,
		      unsigned *errors, struct jd_error *err);

#endif
