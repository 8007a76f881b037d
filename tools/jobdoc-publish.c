/* jobdoc-publish: CreateJob from a request (or a spec), idempotently. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "common.h"
#include "file.h"
#include "iot.h"
#include "load.h"
#include "spec.h"
#include "template.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: jobdoc-publish [options] REQUEST.json | SPEC.yaml\n\n"
		"Creates the AWS IoT job (CreateJob, PUT /jobs/{jobId}, signed with SigV4) and\n"
		"prints {jobArn, jobId, description}. When the jobId exists already, the job is\n"
		"read back: the same document and targets succeed (saying so on stderr), a\n"
		"different one exits 1 naming what differs.\n\n"
		"  -p, --param NAME=VALUE  a substitution parameter (specs)\n"
		"  -P, --params FILE       parameters from a JSON or YAML object (specs)\n"
		"  -n, --dry-run           print the signed HTTP/1.1 request; send nothing\n"
		"      --no-validate       skip schema and AWS-rule validation (AWS still checks)\n"
		"      --date DATE         sign at DATE (2026-01-01T00:00:00Z) instead of now\n"
		"      --endpoint URL      instead of AWS_ENDPOINT_URL_IOT, AWS_ENDPOINT_URL,\n"
		"                          https://iot.REGION.amazonaws.com\n"
		"      --region REGION     instead of AWS_REGION, AWS_DEFAULT_REGION, the profile\n"
		"      --profile NAME      instead of AWS_PROFILE\n"
		"      --signing-name NAME SigV4 service name (default iot; execute-api for\n"
		"                          some gateways)\n"
		"  -v, --verbose           say what is sent and answered (never a secret)\n"
		"  -h, --help              this text\n"
		"      --version           the version\n\n%s",
		jd_exit_codes_help);
}

/*
 * The CreateJob request in path: a spec compiled on the way (a compiled
 * request is a spec too: its document string is taken as JSON text), with
 * its substitution values (params, may be NULL) and its findings reported.
 */
static int load_request(const char *path, struct jd_params *params, int no_validate, json_t **out,
			struct jd_error *err)
{
	struct jd_compile_opts opts;
	struct jd_reporter rep;
	struct jd_spec spec;
	struct jd_doc doc;
	int ret = -1;

	*out = NULL;
	memset(&opts, 0, sizeof(opts));
	memset(&spec, 0, sizeof(spec));
	memset(&doc, 0, sizeof(doc));
	jd_reporter_init(&rep, JD_FMT_TEXT);
	opts.no_validate = no_validate;
	opts.render_in_place = jd_render_in_place();
	opts.params = params;
	opts.on_finding = jd_report_finding;
	opts.finding_ctx = &rep;
	if (params && jd_params_prepare(params, err) < 0)
		goto out;
	if (jd_load_one(path, &opts.load, &doc, err) < 0)
		goto out;
	if (jd_spec_compile(&doc, &opts, &spec, err) < 0)
		goto out;
	if (params)
		jd_params_report_unused(params, jd_report_finding, &rep);
	*out = json_incref(spec.request);
	ret = 0;
out:
	jd_reporter_finish(&rep);
	jd_spec_release(&spec);
	jd_doc_release(&doc);
	return ret;
}

static int dry_run(const struct jd_iot_config *c, const json_t *req, struct jd_error *err)
{
	struct jd_iot_http h;

	jd_iot_http_init(&h);
	if (jd_iot_prepare_create_job(c, req, &h, err) < 0) {
		jd_iot_http_release(&h);
		return -1;
	}
	return jd_print_http(&h, err);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"param", required_argument, NULL, 'p'},
		{"params", required_argument, NULL, 'P'},
		{"dry-run", no_argument, NULL, 'n'},
		{"no-validate", no_argument, NULL, 'N'},
		JD_IOT_CLI_LONGOPTS,
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	struct jd_iot_cli ic;
	struct jd_iot_client cl;
	struct jd_iot_job job;
	struct jd_error err;
	struct jd_params *params = NULL;
	int opt, dry = 0, no_validate = 0, ret;
	json_t *req = NULL, *res = NULL;
	char *s = NULL;

	jd_tool_init("jobdoc-publish");
	memset(&ic, 0, sizeof(ic));
	memset(&job, 0, sizeof(job));
	memset(&cl, 0, sizeof(cl));
	jd_error_clear(&err);
	while ((opt = getopt_long(argc, argv, "p:P:nvh", longopts, NULL)) != -1) {
		if (jd_iot_cli_option(&ic, opt, optarg))
			continue;
		switch (opt) {
		case 'p':
		case 'P':
			if (!params && !(params = jd_params_new()))
				return JD_EINTERNAL;
			jd_param_option(params, opt, optarg, NULL);
			break;
		case 'n': dry = 1; break;
		case 'N': no_validate = 1; break;
		case 'h':
			usage(stdout);
			jd_params_free(params);
			return 0;
		case 'V':
			jd_print_version();
			jd_params_free(params);
			return 0;
		default: jd_params_free(params); jd_usage_error("unknown option");
		}
	}
	if (optind != argc - 1) {
		jd_params_free(params);
		jd_usage_error(optind == argc ? "no request or spec given"
					      : "one request or spec only");
	}
	if (load_request(argv[optind], params, no_validate, &req, &err) < 0)
		goto fail;
	jd_error_clear(&err); /* the input's name is no place for other errors */
	if (jd_iot_cli_client(&ic, dry, &cl, &err) < 0)
		goto fail;
	if (dry) {
		if (dry_run(&cl.config, req, &err) < 0)
			goto fail;
		ret = 0;
		goto out;
	}
	if (jd_iot_create_job(&cl.config, req, &job, &err) < 0)
		goto fail;
	if (job.existed)
		fprintf(stderr,
			"%s: job '%s' exists with the same document and targets (status %s); "
			"not created again\n",
			jd_prog, job.job_id, job.status[0] ? job.status : "unknown");
	res = json_pack("{s:s,s:s}", "jobArn", job.job_arn, "jobId", job.job_id);
	if (res && job.description)
		json_object_set_new(res, "description", json_string(job.description));
	s = res ? json_dumps(res, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	if (!s) {
		jd_error_oom(&err);
		goto fail;
	}
	if (jd_write_output(NULL, s, strlen(s), &err) < 0)
		goto fail;
	ret = 0;
	goto out;
fail:
	ret = jd_report_error(&err);
out:
	free(s);
	json_decref(res);
	json_decref(req);
	jd_iot_job_release(&job);
	jd_iot_client_release(&cl);
	jd_params_free(params);
	return ret;
}
