#ifndef JD_S3_H
#define JD_S3_H
/*
 * An S3 client over lib/http and lib/sigv4: objects (put, get, head),
 * multipart uploads (create, parts in parallel, complete, abort, list), a
 * whole-file upload that picks one PUT or a parallel multipart upload, and
 * an upload through a presigned PUT URL with no credentials.
 *
 * Integrity: a single PUT signs the body's SHA-256 (x-amz-content-sha256)
 * and sends Content-MD5, and its ETag is compared with the MD5. Each part
 * signs its own SHA-256 (JD_S3_CHECK_SHA256, the default: S3 refuses a body
 * that does not match) or sends a signed Content-MD5 (JD_S3_CHECK_MD5: part
 * ETags are then compared with the MD5s and the multipart ETag with
 * MD5(part MD5s)-N). One pass hashes the file, the whole-file SHA-256 and
 * each part's hash, in a thread that runs ahead of the uploads. MD5 ETags
 * are not compared when the object is KMS- or customer-key encrypted (S3's
 * ETag is then no MD5). The multipart ETag's part count and the size are
 * checked with a HEAD at the end.
 *
 * A failed or interrupted multipart upload is aborted before the call
 * returns, so no upload and no partial object is left behind.
 */
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "error.h"
#include "http.h"
#include "s3url.h"
#include "sigv4.h"

/*
 * A client; every pointer is borrowed and must outlive it. creds NULL:
 * only presigned operations. endpoint NULL: AWS (https://s3.REGION.amazonaws.com).
 * clock NULL: time(). Initialise with jd_s3_init, wipe with jd_s3_release.
 */
struct jd_s3 {
	struct jd_http *http;
	const struct jd_sigv4_creds *creds;
	const char *region;
	const struct jd_url *endpoint;
	enum jd_s3_style style;
	time_t (*clock)(void);
	struct jd_sigv4_cache cache;
};
void jd_s3_init(struct jd_s3 *s, struct jd_http *http, const struct jd_sigv4_creds *creds,
		const char *region, const struct jd_url *endpoint, enum jd_s3_style style);
/* Wipes the cached signing key. */
void jd_s3_release(struct jd_s3 *s);

/* What S3 said about an object. Strings are "" when absent. */
struct jd_s3_object {
	char etag[128];	       /* without the quotes */
	char version_id[1024]; /* x-amz-version-id; "" for unversioned buckets ("null" kept) */
	uint64_t size;
	char sha256[65]; /* uploads: hex SHA-256 of what was sent */
	char content_type[256];
	unsigned parts; /* uploads: 0 for a single PUT, else the number of parts */
};

/*
 * PutObject of body (memory or a file region); content_type may be NULL.
 * Returns 0 or -1 with err (JD_EREMOTE with the S3 error, JD_EIO reading).
 */
int jd_s3_put_object(struct jd_s3 *s, const char *bucket, const char *key,
		     const struct jd_http_body *body, const char *content_type,
		     struct jd_s3_object *out, struct jd_error *err);

/* GetObject into out_fd (seekable, truncated first). Returns 0 or -1 with err. */
int jd_s3_get_object(struct jd_s3 *s, const char *bucket, const char *key, int out_fd,
		     struct jd_s3_object *out, struct jd_error *err);

/* HeadObject. Returns 0 when it exists, 1 when not (404), -1 with err. */
int jd_s3_head_object(struct jd_s3 *s, const char *bucket, const char *key,
		      struct jd_s3_object *out, struct jd_error *err);

/* CreateMultipartUpload: *upload_id is malloc'd. Returns 0 or -1 with err. */
int jd_s3_create_multipart(struct jd_s3 *s, const char *bucket, const char *key,
			   const char *content_type, char **upload_id, struct jd_error *err);

/* AbortMultipartUpload (also while cancelled). Returns 0 or -1 with err. */
int jd_s3_abort_multipart(struct jd_s3 *s, const char *bucket, const char *key,
			  const char *upload_id, struct jd_error *err);

struct jd_s3_part {
	unsigned number; /* 1..10000 */
	char etag[128];	 /* without quotes */
};
/* CompleteMultipartUpload (a 200 answer carrying an <Error> is an error). */
int jd_s3_complete_multipart(struct jd_s3 *s, const char *bucket, const char *key,
			     const char *upload_id, const struct jd_s3_part *parts, size_t n,
			     struct jd_s3_object *out, struct jd_error *err);

/*
 * ListMultipartUploads under prefix (NULL: all), following the pages; fn
 * is called for each (key and upload id decoded); a nonzero return stops
 * the listing and is returned. Returns 0, fn's value, or -1 with err.
 */
typedef int (*jd_s3_upload_fn)(void *ctx, const char *key, const char *upload_id);
int jd_s3_list_multipart_uploads(struct jd_s3 *s, const char *bucket, const char *prefix,
				 jd_s3_upload_fn fn, void *ctx, struct jd_error *err);

#define JD_S3_MIN_PART	 ((uint64_t)5 << 20)
#define JD_S3_MAX_PART	 ((uint64_t)5 << 30)
#define JD_S3_MAX_PARTS	 10000u
#define JD_S3_MAX_OBJECT ((uint64_t)5 << 40)
#define JD_S3_MAX_PUT	 ((uint64_t)5 << 30)

/* How each part's body is checked by S3. */
enum jd_s3_check {
	JD_S3_CHECK_SHA256 = 0, /* signed x-amz-content-sha256 (one hash less than MD5 + SHA-256) */
	JD_S3_CHECK_MD5		/* Content-MD5, signed; the part ETags are compared with it */
};

/* Zero means the default, given in brackets. */
struct jd_s3_upload_options {
	enum jd_s3_check check;	      /* [JD_S3_CHECK_SHA256] */
	uint64_t multipart_threshold; /* files bigger than this go multipart [16 MiB] */
	uint64_t part_size;	      /* [8 MiB], raised to stay within 10,000 parts */
	unsigned jobs;		      /* parts in flight [4] */
	const char *content_type;     /* or NULL */
};

/*
 * The part size for an object of size bytes: wanted (at least 5 MiB),
 * raised to a whole MiB so that at most 10,000 parts are needed.
 */
uint64_t jd_s3_part_size(uint64_t size, uint64_t wanted);

/*
 * Uploads size bytes of fd (from offset 0, read with pread; fd stays
 * open) to bucket/key: one PUT up to the threshold, else multipart, parts
 * in parallel and each retried on its own; aborted on any failure or on
 * cancel (options.cancel of the http client). out gets etag, version_id,
 * size, sha256, parts. Returns 0 or -1 with err (JD_EREMOTE, JD_EIO,
 * JD_EUSAGE when the file is too big for S3).
 */
int jd_s3_upload_file(struct jd_s3 *s, const char *bucket, const char *key, int fd, uint64_t size,
		      const struct jd_s3_upload_options *o, struct jd_s3_object *out,
		      struct jd_error *err);

/*
 * PUTs size bytes of fd to a presigned URL (no credentials; at most 5 GiB),
 * with Content-MD5 (and content_type when not NULL: it must be the one
 * signed). out gets etag, version_id, size, sha256. Messages never show
 * the URL's signature. Returns 0 or -1 with err.
 */
int jd_s3_upload_presigned(struct jd_http *http, const char *url, int fd, uint64_t size,
			   const char *content_type, struct jd_s3_object *out,
			   struct jd_error *err);

/*
 * The object's URL as AWS IoT wants it in documentSource and in presigned-URL
 * placeholders: https://s3.REGION.amazonaws.com/BUCKET/KEY for AWS (endpoint
 * NULL), ENDPOINT/BUCKET/KEY for a custom endpoint; the key percent-encoded
 * with '/' kept. *url is malloc'd. Returns 0 or -1 with err.
 */
int jd_s3_object_url(const struct jd_url *endpoint, const char *region, const char *bucket,
		     const char *key, char **url, struct jd_error *err);

/*
 * The job-document placeholder for an object URL (from jd_s3_object_url):
 * "${aws:iot:s3-presigned-url-v2:URL}", with "%3FversionId%3D" and the
 * encoded version id appended when version_id is neither NULL nor "".
 * *out is malloc'd. Returns 0 or -1 with err.
 */
int jd_s3_placeholder(const char *url, const char *version_id, char **out, struct jd_error *err);

#endif
