/*
 * jobdoc-upload: a file (or a request's job document) to S3, with the
 * object's URL and the job-document placeholder as JSON.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "common.h"
#include "creds.h"
#include "file.h"
#include "http.h"
#include "jsonparse.h"
#include "s3.h"
#include "s3url.h"

static volatile sig_atomic_t interrupted;
static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

static void usage(void)
{
	printf("Usage: %s [OPTION]... FILE s3://BUCKET/KEY\n"
	       "   or: %s [OPTION]... --presigned-url URL FILE\n"
	       "   or: %s [OPTION]... --document REQUEST.json s3://BUCKET/KEY\n"
	       "Upload FILE to S3 (one PUT, or a parallel multipart upload for big files) and\n"
	       "print JSON: bucket, key, url, versionId, etag, size, sha256, placeholder.\n"
	       "With --document, upload the CreateJob request's document and print the\n"
	       "request rewritten to use documentSource.\n\n"
	       "  -P, --prefix NAME_          print flat parameters NAME_bucket, NAME_url, ...\n"
	       "                              for jobdoc-compile -P\n"
	       "      --presigned-url URL     PUT through a URL someone else signed\n"
	       "      --document REQUEST      upload REQUEST's document instead of a file\n"
	       "  -j, --jobs N                parts in flight, 1..64 (default 4)\n"
	       "      --part-size SIZE        multipart part size (default 32MiB; raised to\n"
	       "                              stay within 10,000 parts)\n"
	       "      --multipart-threshold SIZE  bigger files go multipart (default 32MiB)\n"
	       "      --checksum sha256|md5   how S3 checks each part: a signed SHA-256\n"
	       "                              (default) or Content-MD5 (ETags compared too)\n"
	       "  -t, --content-type TYPE     Content-Type of the object\n"
	       "      --endpoint URL          S3 endpoint (else AWS_ENDPOINT_URL_S3, "
	       "AWS_ENDPOINT_URL)\n"
	       "      --region REGION         region (else AWS_REGION, AWS_DEFAULT_REGION, "
	       "profile)\n"
	       "      --profile NAME          profile in ~/.aws/credentials and ~/.aws/config\n"
	       "      --path-style            https://HOST/BUCKET/KEY even for AWS endpoints\n"
	       "      --stall-timeout SECONDS  retry a transfer that moved nothing for this\n"
	       "                              long (default 30)\n"
	       "  -q, --quiet                 no progress bar\n"
	       "  -v, --verbose               HTTP exchanges on stderr (secrets redacted)\n"
	       "  -h, --help                  show this help\n"
	       "  -V, --version               show the version\n\n"
	       "SIZE: bytes, or with KiB, MiB, GiB (K, M, G). A failed or interrupted\n"
	       "multipart upload is aborted. Credentials as the AWS CLI finds them.\n\n%s",
	       jd_prog, jd_prog, jd_prog, jd_exit_codes_help);
}

static uint64_t parse_size(const char *opt, const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	uint64_t mul = 1;

	if (end == s || *s == '-')
		jd_usage_error("invalid %s '%s'", opt, s);
	if (!strcmp(end, "K") || !strcmp(end, "KiB"))
		mul = 1 << 10;
	else if (!strcmp(end, "M") || !strcmp(end, "MiB"))
		mul = 1 << 20;
	else if (!strcmp(end, "G") || !strcmp(end, "GiB"))
		mul = 1 << 30;
	else if (*end)
		jd_usage_error("invalid %s '%s': bytes, or KiB, MiB, GiB", opt, s);
	if (v > ((uint64_t)5 << 40) / mul)
		jd_usage_error("%s '%s' too big", opt, s);
	return v * mul;
}

static uint64_t bar_total;
static double bar_start;
static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void progress(void *ctx, uint64_t sent)
{
	double mib = (double)sent / 1048576.0, secs = now_s() - bar_start;
	unsigned pct = bar_total ? (unsigned)(sent * 100 / bar_total) : 100, n = pct / 5;
	char bar[21];

	(void)ctx;
	memset(bar, '#', n);
	memset(bar + n, '.', 20 - n);
	bar[20] = '\0';
	fprintf(stderr, "\r[%s] %3u%% %.1f/%.1f MiB %.1f MiB/s ", bar, pct, mib,
		(double)bar_total / 1048576.0, secs > 0 ? mib / secs : 0.0);
}

/* The JSON answer for an uploaded object (flat NAME_* members when prefix). */
static json_t *answer(const char *prefix, const char *bucket, const char *key, const char *url,
		      const struct jd_s3_object *obj, struct jd_error *err)
{
	json_t *o = json_object();
	char *ph = NULL, name[200];
	const char *names[] = {"bucket", "key",	 "url",	   "versionId",
			       "etag",	 "size", "sha256", "placeholder"};
	json_t *vals[8];

	if (!o || jd_s3_placeholder(url, obj->version_id, &ph, err) < 0) {
		json_decref(o);
		return NULL;
	}
	vals[0] = json_string(bucket);
	vals[1] = json_string(key);
	vals[2] = json_string(url);
	vals[3] = obj->version_id[0] ? json_string(obj->version_id) : json_null();
	vals[4] = json_string(obj->etag);
	vals[5] = json_integer((json_int_t)obj->size);
	vals[6] = json_string(obj->sha256);
	vals[7] = json_string(ph);
	free(ph);
	for (size_t i = 0; i < 8; i++) {
		/* a parameter file has no nulls: leave out an absent versionId */
		if (prefix && json_is_null(vals[i])) {
			json_decref(vals[i]);
			continue;
		}
		snprintf(name, sizeof(name), "%s%s", prefix ? prefix : "", names[i]);
		json_object_set_new(o, name, vals[i]);
	}
	return o;
}

/* The request with "document" replaced by "documentSource", in place. */
static json_t *rewrite_request(json_t *req, const char *url)
{
	json_t *out = json_object();
	const char *k;
	json_t *v;

	json_object_foreach(req, k, v)
	{
		if (!strcmp(k, "document"))
			json_object_set_new(out, "documentSource", json_string(url));
		else
			json_object_set(out, k, v);
	}
	return out;
}

/* "https://host/bucket/key?..." split for --presigned-url's answer. */
static void split_presigned(const char *url, char **bucket, char **key, char **base)
{
	size_t n = strcspn(url, "?#");
	const char *host = strstr(url, "://"), *path, *slash;
	struct jd_buf k = JD_BUF_INIT(4096);
	struct jd_error e;

	*base = strndup(url, n);
	host = host ? host + 3 : url;
	path = memchr(host, '/', (size_t)(url + n - host));
	if (!path)
		path = url + n;
	/* virtual-hosted: BUCKET.s3[.-]... */
	slash = strstr(host, ".s3");
	if (slash && slash < path && slash[3] != '/' && slash[3] != ':') {
		*bucket = strndup(host, (size_t)(slash - host));
		path = path < url + n ? path + 1 : path;
	} else {
		const char *b = path < url + n ? path + 1 : path, *e2 = b;
		while (e2 < url + n && *e2 != '/')
			e2++;
		*bucket = strndup(b, (size_t)(e2 - b));
		path = e2 < url + n ? e2 + 1 : e2;
	}
	for (const char *p = path; p < url + n; p++) {
		if (*p == '%' && p + 2 < url + n) {
			char h[3] = {p[1], p[2], 0};
			jd_buf_addc(&k, (char)strtol(h, NULL, 16), &e);
			p += 2;
		} else {
			jd_buf_addc(&k, *p, &e);
		}
	}
	*key = k.data ? jd_buf_detach(&k, NULL) : strndup("", 0);
	jd_buf_release(&k);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"prefix", required_argument, NULL, 'P'},
					     {"presigned-url", required_argument, NULL, 'U'},
					     {"document", required_argument, NULL, 'D'},
					     {"jobs", required_argument, NULL, 'j'},
					     {"part-size", required_argument, NULL, 'S'},
					     {"multipart-threshold", required_argument, NULL, 'T'},
					     {"content-type", required_argument, NULL, 't'},
					     {"endpoint", required_argument, NULL, 'E'},
					     {"region", required_argument, NULL, 'r'},
					     {"profile", required_argument, NULL, 'p'},
					     {"path-style", no_argument, NULL, 's'},
					     {"quiet", no_argument, NULL, 'q'},
					     {"verbose", no_argument, NULL, 'v'},
					     {"help", no_argument, NULL, 'h'},
					     {"version", no_argument, NULL, 'V'},
					     {"stall-timeout", required_argument, NULL, 'L'},
					     {"checksum", required_argument, NULL, 'C'},
					     {NULL, 0, NULL, 0}};
	struct jd_aws_options ao = {0};
	struct jd_aws_config cfg = {0};
	struct jd_http_options ho = {0};
	struct jd_s3_upload_options uo = {0};
	struct jd_creds creds;
	struct jd_sigv4_creds view;
	struct jd_s3_location loc = {0};
	struct jd_url endpoint;
	struct jd_s3 s3;
	struct jd_s3_object obj;
	struct jd_http *http = NULL;
	struct jd_error err;
	struct jd_buf doc = JD_BUF_INIT(JD_INPUT_MAX);
	json_t *req = NULL, *out = NULL;
	const char *prefix = NULL, *presigned = NULL, *document = NULL, *file = NULL, *uri = NULL;
	char *url = NULL, *docbytes = NULL, *pb = NULL, *pk = NULL;
	int c, fd = -1, quiet = 0, verbose = 0, path_style = 0, rc = 0, s3_ready = 0;
	struct sigaction sa;

	jd_tool_init("jobdoc-upload");
	jd_creds_init(&creds);
	jd_error_clear(&err);
	ao.service = "s3";
	while ((c = getopt_long(argc, argv, "P:j:t:qvhV", opts, NULL)) != -1) {
		switch (c) {
		case 'P':
			if (!*optarg ||
			    strspn(optarg, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz012"
					   "3456789_-") != strlen(optarg) ||
			    strlen(optarg) > 100)
				jd_usage_error("invalid --prefix '%s': letters, digits, '_', '-'",
					       optarg);
			prefix = optarg;
			break;
		case 'U': presigned = optarg; break;
		case 'D': document = optarg; break;
		case 'j':
			uo.jobs = (unsigned)parse_size("--jobs", optarg);
			if (uo.jobs < 1 || uo.jobs > 64)
				jd_usage_error("--jobs '%s' out of range 1..64", optarg);
			break;
		case 'S':
			uo.part_size = parse_size("--part-size", optarg);
			if (uo.part_size < JD_S3_MIN_PART || uo.part_size > JD_S3_MAX_PART)
				jd_usage_error("--part-size '%s' out of range 5MiB..5GiB", optarg);
			break;
		case 'T':
			uo.multipart_threshold = parse_size("--multipart-threshold", optarg);
			break;
		case 't': uo.content_type = optarg; break;
		case 'E': ao.endpoint_url = optarg; break;
		case 'r': ao.region = optarg; break;
		case 'p': ao.profile = optarg; break;
		case 's': path_style = 1; break;
		case 'L':
			ho.stall_seconds = (long)parse_size("--stall-timeout", optarg);
			if (ho.stall_seconds < 1 || ho.stall_seconds > 3600)
				jd_usage_error("--stall-timeout '%s' out of range 1..3600", optarg);
			break;
		case 'C':
			if (!strcmp(optarg, "md5"))
				uo.check = JD_S3_CHECK_MD5;
			else if (!strcmp(optarg, "sha256"))
				uo.check = JD_S3_CHECK_SHA256;
			else
				jd_usage_error("invalid --checksum '%s': sha256 or md5", optarg);
			break;
		case 'q': quiet = 1; break;
		case 'v': verbose = 1; break;
		case 'h': usage(); return 0;
		case 'V': jd_print_version(); return 0;
		default: jd_usage_error("unknown option");
		}
	}
	if (presigned && document)
		jd_usage_error("--presigned-url and --document do not go together");
	if (presigned && argc - optind != 1)
		jd_usage_error("want one FILE with --presigned-url");
	if (document && argc - optind != 1)
		jd_usage_error("want one s3://BUCKET/KEY with --document");
	if (!presigned && !document && argc - optind != 2)
		jd_usage_error("want FILE and s3://BUCKET/KEY");
	if (document) {
		uri = argv[optind];
	} else {
		file = argv[optind];
		uri = presigned ? NULL : argv[optind + 1];
	}
	if (uri) {
		if (jd_s3_uri_parse(uri, &loc, &err) < 0)
			jd_usage_error("%s", err.msg);
		if (!*loc.key)
			jd_usage_error("no object key in '%s'", uri);
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	if (document) {
		json_error_t je;
		json_t *d;
		if (jd_read_file(document, JD_INPUT_MAX, &doc, &err) < 0)
			goto fail;
		req = jd_json_parse(doc.data ? doc.data : "", doc.len, JSON_REJECT_DUPLICATES, &je);
		if (!req || !json_is_object(req)) {
			jd_error_at(&err, JD_EINPUT, document, req ? 1 : (unsigned)je.line,
				    req ? 1 : (unsigned)je.column, NULL, "%s",
				    req ? "not a JSON object" : je.text);
			goto fail;
		}
		if (json_object_get(req, "documentSource")) {
			jd_error_at(&err, JD_EINPUT, document, 0, 0, "/documentSource",
				    "already has a documentSource");
			goto fail;
		}
		d = json_object_get(req, "document");
		if (!d) {
			jd_error_at(&err, JD_EINPUT, document, 0, 0, "/document",
				    "no document to upload");
			goto fail;
		}
		docbytes = json_is_string(d) ? strndup(json_string_value(d), json_string_length(d))
					     : json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (!docbytes) {
			jd_error_oom(&err);
			goto fail;
		}
		if (!uo.content_type)
			uo.content_type = "application/json";
	} else {
		struct stat st;
		fd = open(file, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
			jd_error_at(&err, JD_EINPUT, file, 0, 0, NULL, "%s",
				    fd < 0 ? strerror(errno) : "not a regular file");
			goto fail;
		}
		bar_total = (uint64_t)st.st_size;
	}

	if (jd_aws_config_load(&ao, &cfg, &err) < 0)
		goto fail;
	jd_error_clear(&err);
	ho.ca_bundle = cfg.ca_bundle;
	ho.cancel = &interrupted;
	if (verbose)
		ho.log = jd_log_line;
	else if (!quiet && isatty(STDERR_FILENO))
		ho.progress = progress;
	bar_start = now_s();
	if (!(http = jd_http_new(&ho))) {
		jd_error_oom(&err);
		goto fail;
	}
	if (presigned) {
		if (jd_s3_upload_presigned(http, presigned, fd, bar_total, uo.content_type, &obj,
					   &err) < 0)
			goto fail;
		split_presigned(presigned, &pb, &pk, &url);
		if (!pb || !pk || !url) {
			jd_error_oom(&err);
			goto fail;
		}
		out = answer(prefix, pb, pk, url, &obj, &err);
		goto print;
	}
	if (cfg.endpoint_url) {
		if (jd_url_parse(cfg.endpoint_url, &endpoint, &err) < 0)
			goto fail;
	} else if (!*cfg.region) {
		jd_error_set(&err, JD_EUSAGE, "no region: use --region or set AWS_REGION");
		goto fail;
	}
	if (jd_creds_load(&ao, cfg.ca_bundle, &creds, &err) < 0)
		goto fail;
	jd_creds_view(&creds, &view);
	jd_error_clear(&err); /* the place the config loader left */
	jd_s3_init(&s3, http, &view, cfg.region, cfg.endpoint_url ? &endpoint : NULL,
		   path_style					 ? JD_S3_STYLE_PATH
		   : !strcmp(cfg.s3_addressing_style, "path")	 ? JD_S3_STYLE_PATH
		   : !strcmp(cfg.s3_addressing_style, "virtual") ? JD_S3_STYLE_VIRTUAL
								 : JD_S3_STYLE_AUTO);
	s3_ready = 1;
	if (jd_s3_object_url(s3.endpoint, cfg.region, loc.bucket, loc.key, &url, &err) < 0)
		goto fail;
	if (document) {
		struct jd_http_body b = {docbytes, -1, 0, strlen(docbytes)};
		if (jd_s3_put_object(&s3, loc.bucket, loc.key, &b, uo.content_type, &obj, &err) < 0)
			goto fail;
		out = rewrite_request(req, url);
	} else {
		if (jd_s3_upload_file(&s3, loc.bucket, loc.key, fd, bar_total, &uo, &obj, &err) < 0)
			goto fail;
		out = answer(prefix, loc.bucket, loc.key, url, &obj, &err);
	}
print:
	if (ho.progress)
		fputs("\r\033[K", stderr);
	if (!out) {
		if (!err.code)
			jd_error_oom(&err);
		goto fail;
	}
	{
		char *text = json_dumps(out, document ? JSON_COMPACT | JSON_PRESERVE_ORDER
						      : JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		if (!text || jd_write_output(NULL, text, strlen(text), &err) < 0) {
			free(text);
			if (!err.code)
				jd_error_oom(&err);
			goto fail;
		}
		free(text);
	}
	goto out;
fail:
	if (ho.progress)
		fputs("\r\033[K", stderr);
	if (interrupted) {
		fprintf(stderr, "%s: interrupted; nothing was left in S3\n", jd_prog);
		rc = 130;
	} else {
		rc = jd_report_error(&err);
	}
out:
	if (s3_ready)
		jd_s3_release(&s3);
	if (fd >= 0)
		close(fd);
	json_decref(req);
	json_decref(out);
	free(url);
	free(docbytes);
	free(pb);
	free(pk);
	jd_buf_release(&doc);
	jd_s3_location_release(&loc);
	jd_creds_release(&creds);
	jd_aws_config_release(&cfg);
	jd_http_free(http);
	if (rc == 130) {
		signal(SIGINT, SIG_DFL);
		raise(SIGINT);
	}
	return rc;
}
