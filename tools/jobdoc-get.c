/* jobdoc-get: GetJobDocument / DescribeJob. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "common.h"
#include "iot.h"
#include "json.h"
#include "jsonparse.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: jobdoc-get [options] JOBID\n\n"
		"Prints the job document of an AWS IoT job (GetJobDocument), or with --describe\n"
		"the whole DescribeJob answer, as JSON.\n\n"
		"  -b, --before-substitution  the document before substitution parameters were\n"
		"                             resolved (beforeSubstitution=true)\n"
		"  -d, --describe             DescribeJob instead of GetJobDocument\n"
		"  -n, --dry-run              print the signed HTTP/1.1 request; send nothing\n"
		"      --date DATE            sign at DATE (2026-01-01T00:00:00Z) instead of now\n"
		"      --endpoint URL         instead of AWS_ENDPOINT_URL_IOT, AWS_ENDPOINT_URL,\n"
		"                             https://iot.REGION.amazonaws.com\n"
		"      --region REGION        instead of AWS_REGION, AWS_DEFAULT_REGION, the "
		"profile\n"
		"      --profile NAME         instead of AWS_PROFILE\n"
		"      --signing-name NAME    SigV4 service name (default iot)\n"
		"  -v, --verbose              say what is sent and answered (never a secret)\n"
		"  -h, --help                 this text\n"
		"      --version              the version\n\n%s",
		jd_exit_codes_help);
}

static int dry_run(const struct jd_iot_config *c, const char *id, int describe, int before,
		   struct jd_error *err)
{
	struct jd_iot_http h;

	jd_iot_http_init(&h);
	if ((describe ? jd_iot_prepare_describe_job(c, id, &h, err)
		      : jd_iot_prepare_get_job_document(c, id, before, &h, err)) < 0) {
		jd_iot_http_release(&h);
		return -1;
	}
	return jd_print_http(&h, err);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"before-substitution", no_argument, NULL, 'b'},
		{"describe", no_argument, NULL, 'd'},
		{"dry-run", no_argument, NULL, 'n'},
		JD_IOT_CLI_LONGOPTS,
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	struct jd_iot_cli ic;
	struct jd_iot_client cl;
	struct jd_error err;
	const char *id;
	int opt, dry = 0, before = 0, describe = 0, ret;
	json_t *answer = NULL, *doc = NULL;
	char *s = NULL;

	jd_tool_init("jobdoc-get");
	memset(&ic, 0, sizeof(ic));
	memset(&cl, 0, sizeof(cl));
	jd_error_clear(&err);
	while ((opt = getopt_long(argc, argv, "bdnvh", longopts, NULL)) != -1) {
		if (jd_iot_cli_option(&ic, opt, optarg))
			continue;
		switch (opt) {
		case 'b': before = 1; break;
		case 'd': describe = 1; break;
		case 'n': dry = 1; break;
		case 'h': usage(stdout); return 0;
		case 'V': jd_print_version(); return 0;
		default: jd_usage_error("unknown option");
		}
	}
	if (optind != argc - 1)
		jd_usage_error(optind == argc ? "no JOBID given" : "one JOBID only");
	id = argv[optind];
	if (describe && before)
		jd_usage_error("--before-substitution applies to the document, not to --describe");
	if (jd_iot_check_job_id(id, &err) < 0)
		jd_usage_error("%s", err.msg);
	if (jd_iot_cli_client(&ic, dry, &cl, &err) < 0)
		goto fail;
	if (dry) {
		if (dry_run(&cl.config, id, describe, before, &err) < 0)
			goto fail;
		ret = 0;
		goto out;
	}
	if (describe) {
		struct jd_buf b = JD_BUF_INIT(JD_IOT_RESPONSE_MAX * 2);
		if (jd_iot_describe_job(&cl.config, id, &answer, &err) < 0 ||
		    jd_json_dump(answer, &b, &err) < 0) {
			jd_buf_release(&b);
			goto fail;
		}
		s = jd_buf_detach(&b, NULL);
	} else {
		json_error_t je;
		if (jd_iot_get_job_document(&cl.config, id, before, &s, &err) < 0)
			goto fail;
		/* printed as AWS keeps it, byte for byte; but it must be JSON */
		doc = jd_json_parse(s, strlen(s), JSON_DECODE_ANY, &je);
		if (!doc) {
			jd_error_set(&err, JD_EREMOTE,
				     "GetJobDocument: the document is not JSON: %s", je.text);
			goto fail;
		}
	}
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
	json_decref(doc);
	json_decref(answer);
	jd_iot_client_release(&cl);
	return ret;
}
