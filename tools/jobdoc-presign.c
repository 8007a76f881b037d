/*
 * jobdoc-presign: presigned S3 GET/PUT URLs, one per line.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "common.h"
#include "creds.h"
#include "file.h"
#include "s3url.h"
#include "sigv4.h"

#define MAX_URIS 1000000

static void usage(void)
{
	printf("Usage: %s [OPTION]... s3://BUCKET/KEY...\n"
	       "Print a presigned URL for each S3 object, one per line.\n\n"
	       "  -m, --method METHOD      GET (default) or PUT\n"
	       "  -e, --expires SECONDS    validity, 1..604800 (default 3600)\n"
	       "  -t, --content-type TYPE  PUT only: the Content-Type the uploader must send\n"
	       "      --endpoint URL       S3 endpoint (else AWS_ENDPOINT_URL_S3, "
	       "AWS_ENDPOINT_URL)\n"
	       "      --region REGION      region (else AWS_REGION, AWS_DEFAULT_REGION, profile)\n"
	       "      --profile NAME       profile in ~/.aws/credentials and ~/.aws/config\n"
	       "      --path-style         https://HOST/BUCKET/KEY even for AWS endpoints\n"
	       "      --date ISO8601       sign as of this time (default: now)\n"
	       "  -f, --from FILE          also read S3 URIs from FILE, one per line ('-': stdin)\n"
	       "  -h, --help               show this help\n"
	       "  -V, --version            show the version\n\n"
	       "Credentials as the AWS CLI finds them (AWS_ACCESS_KEY_ID, AWS_PROFILE, ...).\n\n%s",
	       jd_prog, jd_exit_codes_help);
}

static unsigned parse_expires(const char *s)
{
	unsigned long v = 0;
	const char *p = s;

	if (!*p)
		jd_usage_error("invalid --expires ''");
	for (; *p; p++) {
		if (*p < '0' || *p > '9' || v > JD_SIGV4_MAX_EXPIRES)
			jd_usage_error("invalid --expires '%s': seconds, 1..%u", s,
				       JD_SIGV4_MAX_EXPIRES);
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v < 1 || v > JD_SIGV4_MAX_EXPIRES)
		jd_usage_error("--expires '%s' out of range 1..%u (seven days)", s,
			       JD_SIGV4_MAX_EXPIRES);
	return (unsigned)v;
}

/* Collects URIs from argv and --from files, all parsed before any output. */
struct uris {
	struct jd_s3_location *loc;
	size_t n, alloc;
};

static int add_uri(struct uris *u, const char *s, const char *input, unsigned line,
		   struct jd_error *err)
{
	if (u->n == MAX_URIS)
		return jd_error_set(err, JD_EUSAGE, "more than %u URIs", MAX_URIS);
	if (u->n == u->alloc) {
		size_t na = u->alloc ? u->alloc * 2 : 64;
		struct jd_s3_location *nl = realloc(u->loc, na * sizeof(*nl));
		if (!nl)
			return jd_error_oom(err);
		u->loc = nl;
		u->alloc = na;
	}
	if (jd_s3_uri_parse(s, &u->loc[u->n], err) < 0) {
		if (input)
			jd_error_place(err, input, line, 1, NULL);
		return -1;
	}
	if (!*u->loc[u->n].key) {
		jd_s3_location_release(&u->loc[u->n]);
		jd_error_set(err, JD_EUSAGE, "no object key in '%.200s'", s);
		if (input)
			jd_error_place(err, input, line, 1, NULL);
		return -1;
	}
	u->n++;
	return 0;
}

static int read_uris(struct uris *u, const char *path, struct jd_error *err)
{
	struct jd_buf b = JD_BUF_INIT(JD_INPUT_MAX * 8);
	char *p;
	unsigned line = 0;
	int ret = -1;

	if (jd_read_file(path, b.max, &b, err) < 0)
		goto out;
	p = b.data ? b.data : "";
	while (*p) {
		char *nl = strchr(p, '\n');
		char *next = nl ? nl + 1 : p + strlen(p);
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		line++;
		if (n && p[n - 1] == '\r')
			n--;
		p[n] = '\0';
		if (*p && add_uri(u, p, path, line, err) < 0)
			goto out;
		p = next;
	}
	ret = 0;
out:
	jd_buf_release(&b);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"method", required_argument, NULL, 'm'},
					     {"expires", required_argument, NULL, 'e'},
					     {"content-type", required_argument, NULL, 't'},
					     {"endpoint", required_argument, NULL, 'E'},
					     {"region", required_argument, NULL, 'r'},
					     {"profile", required_argument, NULL, 'p'},
					     {"path-style", no_argument, NULL, 'P'},
					     {"date", required_argument, NULL, 'd'},
					     {"from", required_argument, NULL, 'f'},
					     {"help", no_argument, NULL, 'h'},
					     {"version", no_argument, NULL, 'V'},
					     {NULL, 0, NULL, 0}};
	struct jd_aws_options o = {0};
	struct jd_aws_config cfg = {0};
	struct jd_creds creds;
	struct jd_sigv4_creds view;
	struct jd_s3_presigner *presigner = NULL;
	struct jd_buf line = JD_BUF_INIT(1 << 20);
	struct jd_s3_presign ps;
	struct jd_url endpoint;
	struct uris u = {0};
	struct jd_error err;
	const char *date = NULL, *froms[16];
	size_t nfrom = 0;
	int c, path_style = 0, rc = 0;

	jd_tool_init("jobdoc-presign");
	jd_creds_init(&creds);
	jd_error_clear(&err);
	memset(&ps, 0, sizeof(ps));
	ps.method = "GET";
	ps.expires = 3600;
	o.service = "s3";
	while ((c = getopt_long(argc, argv, "m:e:t:f:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (strcmp(optarg, "GET") && strcmp(optarg, "PUT"))
				jd_usage_error("invalid --method '%s': GET or PUT", optarg);
			ps.method = optarg;
			break;
		case 'e': ps.expires = parse_expires(optarg); break;
		case 't': ps.content_type = optarg; break;
		case 'E': o.endpoint_url = optarg; break;
		case 'r': o.region = optarg; break;
		case 'p': o.profile = optarg; break;
		case 'P': path_style = 1; break;
		case 'd': date = optarg; break;
		case 'f':
			if (nfrom == sizeof(froms) / sizeof(froms[0]))
				jd_usage_error("too many --from files");
			froms[nfrom++] = optarg;
			break;
		case 'h': usage(); return 0;
		case 'V': jd_print_version(); return 0;
		default: jd_usage_error("unknown option");
		}
	}
	if (optind == argc && !nfrom)
		jd_usage_error("no S3 URI given");
	if (ps.content_type && strcmp(ps.method, "PUT"))
		jd_usage_error("--content-type applies to --method PUT");
	if (ps.content_type && (strpbrk(ps.content_type, "\r\n") || !*ps.content_type))
		jd_usage_error("invalid --content-type '%s'", ps.content_type);
	if (date ? jd_sigv4_time_parse(date, &ps.time, &err) < 0
		 : jd_sigv4_time_from_epoch(time(NULL), &ps.time, &err) < 0)
		jd_usage_error("%s", err.msg);
	for (int i = optind; i < argc; i++)
		if (add_uri(&u, argv[i], NULL, 0, &err) < 0)
			goto fail;
	for (size_t i = 0; i < nfrom; i++)
		if (read_uris(&u, froms[i], &err) < 0)
			goto fail;

	if (jd_aws_config_load(&o, &cfg, &err) < 0)
		goto fail;
	if (cfg.endpoint_url) {
		if (jd_url_parse(cfg.endpoint_url, &endpoint, &err) < 0)
			goto fail;
		ps.endpoint = &endpoint;
	} else if (!*cfg.region) {
		jd_error_set(&err, JD_EUSAGE, "no region: use --region or set AWS_REGION");
		goto fail;
	}
	ps.region = cfg.region;
	ps.style = path_style					 ? JD_S3_STYLE_PATH
		   : !strcmp(cfg.s3_addressing_style, "path")	 ? JD_S3_STYLE_PATH
		   : !strcmp(cfg.s3_addressing_style, "virtual") ? JD_S3_STYLE_VIRTUAL
								 : JD_S3_STYLE_AUTO;
	if (jd_creds_load(&o, cfg.ca_bundle, &creds, &err) < 0)
		goto fail;
	jd_creds_view(&creds, &view);
	ps.creds = &view;
	if (jd_s3_presigner_new(&ps, &presigner, &err) < 0)
		goto fail;
	for (size_t i = 0; i < u.n; i++) {
		jd_buf_reset(&line);
		if (jd_s3_presigner_url(presigner, u.loc[i].bucket, u.loc[i].key, &line, &err) <
			    0 ||
		    jd_buf_addc(&line, '\n', &err) < 0)
			goto fail;
		fwrite(line.data, 1, line.len, stdout);
	}
	if (fflush(stdout) == EOF || ferror(stdout)) {
		jd_error_set(&err, JD_EIO, "cannot write the output");
		goto fail;
	}
	goto out;
fail:
	rc = jd_report_error(&err);
out:
	for (size_t i = 0; i < u.n; i++)
		jd_s3_location_release(&u.loc[i]);
	free(u.loc);
	jd_s3_presigner_free(presigner);
	jd_buf_release(&line);
	jd_creds_release(&creds);
	jd_aws_config_release(&cfg);
	return rc;
}
