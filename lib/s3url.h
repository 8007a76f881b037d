#ifndef JD_S3URL_H
#define JD_S3URL_H
/*
 * S3 object locations (s3://BUCKET/KEY), endpoint URLs, where a request for
 * an object goes (virtual-hosted or path style), S3 key encoding and
 * presigned URLs.
 */
#include "sigv4.h"

/* s3://BUCKET/KEY split into owned, decoded-as-given parts. */
struct jd_s3_location {
	char *bucket;
	char *key; /* "" when the URI names the bucket only */
};
/*
 * Parses "s3://BUCKET/KEY". The key is taken verbatim (S3 URIs are not
 * percent-encoded, as in the AWS CLI). The bucket must be 3..63 of
 * [a-z0-9.-] (or up to 255 of [A-Za-z0-9._-], legacy); the key at most
 * 1024 bytes of valid UTF-8. Returns 0 or -1 with err (JD_EUSAGE, uri quoted).
 */
int jd_s3_uri_parse(const char *uri, struct jd_s3_location *loc, struct jd_error *err);
void jd_s3_location_release(struct jd_s3_location *loc);

/* An endpoint URL such as "https://s3.eu-west-1.amazonaws.com" or "http://127.0.0.1:8000/base". */
struct jd_url {
	char scheme[8];	 /* "http" or "https" */
	char host[256];	 /* as written; IPv6 literals keep their brackets */
	unsigned port;	 /* 0: the scheme's default */
	char path[1024]; /* base path without trailing '/', "" for none */
};
/* Returns 0 or -1 with err (JD_EUSAGE, url quoted). Userinfo, query and fragment are refused. */
int jd_url_parse(const char *url, struct jd_url *u, struct jd_error *err);

/* True when host is an AWS endpoint (ends with .amazonaws.com or .amazonaws.com.cn). */
int jd_host_is_aws(const char *host);

enum jd_s3_style {
	JD_S3_STYLE_AUTO = 0, /* virtual-hosted for AWS endpoints (path style for
	                         buckets with dots), path style for custom ones */
	JD_S3_STYLE_PATH,
	JD_S3_STYLE_VIRTUAL
};

/* Where a request for an object goes; all owned. */
struct jd_s3_target {
	char *origin; /* "https://bucket.s3.us-east-1.amazonaws.com", "http://127.0.0.1:8000" */
	char *host;   /* the Host header: host[:port], port only when not the default */
	char *path;   /* encoded path: "/key%20name" or "/bucket/key%20name" */
	int path_style;
};
/*
 * endpoint NULL means AWS: https://s3.REGION.amazonaws.com (s3.amazonaws.com.cn
 * for cn- regions). The key is encoded with jd_s3_encode_key. Returns 0 or -1.
 */
int jd_s3_target(const struct jd_url *endpoint, const char *region, const char *bucket,
		 const char *key, enum jd_s3_style style, struct jd_s3_target *out,
		 struct jd_error *err);
void jd_s3_target_release(struct jd_s3_target *t);

/* Appends an S3 object key encoded per S3's rules ('/' kept, all but unreserved encoded). */
int jd_s3_encode_key(struct jd_buf *buf, const char *key, struct jd_error *err);

/*
 * A presigned S3 URL for method ("GET", "PUT", ...) on bucket/key; content_type
 * (may be NULL) is signed, so the uploader must send it. cache may be NULL.
 * *url is malloc'd. Returns 0 or -1 with err.
 */
struct jd_s3_presign {
	const struct jd_sigv4_creds *creds;
	const char *region;
	const struct jd_url *endpoint; /* NULL: AWS */
	enum jd_s3_style style;
	struct jd_sigv4_time time;
	unsigned expires;
	const char *method;
	const char *content_type;
};
int jd_s3_presign_url(const struct jd_s3_presign *p, const char *bucket, const char *key,
		      struct jd_sigv4_cache *cache, char **url, struct jd_error *err);

/*
 * Many presigned URLs with the same parameters (method, expiry, content
 * type, credentials, time): everything that does not depend on the object is
 * computed once, from one signature through the generic path, so the URLs
 * are byte for byte those of jd_s3_presign_url. p and what it points to are
 * copied or used only during jd_s3_presigner_new.
 */
struct jd_s3_presigner;
/* Returns 0 or -1 with err, as jd_s3_presign_url. Free with jd_s3_presigner_free. */
int jd_s3_presigner_new(const struct jd_s3_presign *p, struct jd_s3_presigner **out,
			struct jd_error *err);
/* Appends the URL for bucket/key to out (no newline). Returns 0 or -1 with err. */
int jd_s3_presigner_url(struct jd_s3_presigner *ps, const char *bucket, const char *key,
			struct jd_buf *out, struct jd_error *err);
/* Wipes the signing key and frees; NULL is fine. */
void jd_s3_presigner_free(struct jd_s3_presigner *ps);

#endif
