#ifndef JD_PLACEHOLDER_H
#define JD_PLACEHOLDER_H
#include <stddef.h>

/*
 * The placeholder scanner: finds ${...} in a string (a document scalar, or a
 * whole document given as JSON text) and checks the placeholders AWS
 * resolves itself (aws-iot-jobs.md §4.1, §4.3). Pure functions over bytes:
 * no allocation, no I/O, so they can be fuzzed and run on every string.
 *
 * Rules (each failure is an error with the byte offset of the problem):
 *   - every "${" has its "}" (AWS: "One or more parameters or placeholders
 *     are not terminated");
 *   - placeholders do not nest ("${aws:...} should not be the second layer
 *     pattern"), except the local placeholders ${thingName}, ${jobId},
 *     ${executionNumber} inside the key of an s3-presigned-url-upload URL,
 *     and ${aws:iot:parameter:NAME} inside the placeholders AWS resolves
 *     (presigned URLs, packages): jobdoc resolves parameters before AWS
 *     sees the document, so AWS never sees them nested (nparam counts them;
 *     jd_ph_check() of such a placeholder waits for the substitution);
 *   - a local placeholder anywhere else is an error;
 *   - "${aws:" must go on with a known prefix: aws:iot:parameter:,
 *     aws:iot:s3-presigned-url:, aws:iot:s3-presigned-url-v2:,
 *     aws:iot:s3-presigned-url-upload:, aws:iot:package:;
 *   - a parameter name is [A-Za-z0-9_-]{1,128}.
 * Any other ${...} (a shell variable, an invented ${S3_URL}) is reported as
 * JD_PH_OTHER: AWS leaves it alone, devices receive it as written.
 */

enum jd_ph_kind {
	JD_PH_PARAMETER,    /* ${aws:iot:parameter:NAME}, resolved by jobdoc (or AWS) */
	JD_PH_PRESIGNED,    /* ${aws:iot:s3-presigned-url:URL}   (v1, unencoded URL) */
	JD_PH_PRESIGNED_V2, /* ${aws:iot:s3-presigned-url-v2:URL} (percent-encoded URL) */
	JD_PH_UPLOAD,	    /* ${aws:iot:s3-presigned-url-upload:URL} */
	JD_PH_PACKAGE,	    /* ${aws:iot:package:...} */
	JD_PH_OTHER	    /* ${anything else}: not a placeholder AWS knows */
};

/* One placeholder found in s: s[start..end) is "${...}". */
struct jd_ph {
	enum jd_ph_kind kind;
	size_t start, end;
	size_t arg, arglen; /* the part after the prefix: the name, the URL, ... */
	unsigned nlocal;    /* local placeholders nested inside (upload only) */
	unsigned nparam;    /* parameter placeholders nested inside an AWS one */
};

/* A problem: byte offset into the scanned string and a one-line message. */
struct jd_ph_problem {
	size_t off;
	char msg[320];
};

/* Called for each placeholder in order; return non-zero to stop the scan. */
typedef int (*jd_ph_fn)(void *ctx, const char *s, const struct jd_ph *ph);

/*
 * Scans s (len bytes, need not be NUL-terminated). Returns 0 when every
 * placeholder is well formed (fn called for each; fn may be NULL), -1 with
 * *p filled on the first error, or the non-zero value fn returned.
 */
int jd_ph_scan(const char *s, size_t len, jd_ph_fn fn, void *ctx, struct jd_ph_problem *p);

/* The placeholder's kind as written in the prefix ("s3-presigned-url-v2"). */
const char *jd_ph_kind_name(enum jd_ph_kind k);

/*
 * A parsed S3 object URL, as the presigned-url placeholders take it.
 * Offsets are into the string given to jd_ph_s3_url().
 */
struct jd_s3_url {
	int virtual_hosted; /* https://BUCKET.s3.REGION.amazonaws.com/KEY */
	char bucket[64];
	char region[32]; /* "" when the host names none (s3.amazonaws.com) */
	size_t key, keylen;
	size_t version, versionlen; /* versionId value, 0/0 when none */
};

/*
 * Checks one placeholder the scanner found in s, as AWS would when it
 * creates the job, and as far as a document alone can tell:
 *   presigned URLs: an https S3 URL, virtual-hosted or path style, a valid
 *     bucket and a key; v1 takes the URL unencoded and has no versionId; v2
 *     takes it percent-encoded, versionId as %3FversionId%3D; upload keys may
 *     hold at most two each of the local placeholders, the bucket none;
 *   region (may be NULL): the job's region; an upload bucket must be in it;
 *   package: PKG:version:VER:attributes[:KEY] or
 *     ...:artifact-location:s3-presigned-url, PKG and VER both empty or both
 *     given; attributes without a key must be a whole value (whole != 0).
 * Returns 0 when fine, 1 with a warning in *p (e.g. a v1 URL with %XX, a
 * download bucket in another region), -1 with an error in *p.
 */
int jd_ph_check(const char *s, const struct jd_ph *ph, const char *region, int whole,
		struct jd_ph_problem *p);

/*
 * Parses s[0..len) as an S3 object URL. allow_local accepts the local
 * placeholders in the key (upload). encoded selects the v2 rules. Returns 0,
 * 1 with a warning or -1 with an error in *p (offsets relative to s).
 */
int jd_ph_s3_url(const char *s, size_t len, int encoded, int allow_local, struct jd_s3_url *u,
		 struct jd_ph_problem *p);

/* 1 when name[0..len) is a valid parameter name, [A-Za-z0-9_-]{1,128}. */
int jd_ph_valid_name(const char *name, size_t len);

#endif
