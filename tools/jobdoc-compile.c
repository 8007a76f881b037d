/* jobdoc-compile: YAML job specs into CreateJob request JSON. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "common.h"
#include "file.h"
#include "json.h"
#include "load.h"
#include "spec.h"

static void usage(void)
{
	printf("usage: jobdoc-compile [options] SPEC...\n"
	       "\n"
	       "Compiles job specs (the CreateJob request in YAML or JSON, see jobdoc-compile(1))\n"
	       "into the exact CreateJob request JSON that 'aws iot create-job --cli-input-json'\n"
	       "takes: canonical, compact, members in the AWS model's order. SPEC may be '-'\n"
	       "(stdin); a file of several YAML documents holds several specs. Each request is\n"
	       "printed on a line of its own.\n"
	       "\n"
	       "  -o, --output FILE       write the requests to FILE (whole, or not at all)\n"
	       "  -O, --output-dir DIR    write each request to DIR/JOBID.json\n"
	       "      --no-validate       skip schema and AWS-rule validation\n"
	       "      --format FMT        findings as text (default), json or github\n"
	       "  -h, --help              show this help\n"
	       "      --version           show the version\n"
	       "\n%s",
	       jd_exit_codes_help);
}

struct out {
	struct jd_buf all;
	const char *dir;
};

static int emit(struct out *o, const struct jd_spec *s, struct jd_error *err)
{
	char *text = jd_json_dumps(s->request, err);
	int ret = -1;

	if (!text)
		return -1;
	if (o->dir) {
		const char *id = json_string_value(json_object_get(s->request, "jobId"));
		char *path;
		if (!id || !id[0] || strchr(id, '/') || id[0] == '.') {
			jd_error_at(err, JD_EINPUT, s->doc->name, 0, 0, NULL,
				    "--output-dir needs a valid jobId in every spec");
			goto out;
		}
		size_t len = strlen(o->dir) + strlen(id) + 8;
		path = malloc(len);
		if (!path) {
			jd_error_oom(err);
			goto out;
		}
		snprintf(path, len, "%s/%s.json", o->dir, id);
		ret = jd_write_output(path, text, strlen(text), err);
		free(path);
		goto out;
	}
	if (jd_buf_adds(&o->all, text, err) < 0 || jd_buf_addc(&o->all, '\n', err) < 0)
		goto out;
	ret = 0;
out:
	free(text);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'},
		{"output-dir", required_argument, NULL, 'O'},
		{"no-validate", no_argument, NULL, 'V'},
		{"format", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'v'},
		{NULL, 0, NULL, 0},
	};
	struct jd_compile_opts opts = {0};
	struct jd_reporter rep;
	struct out o = {JD_BUF_INIT((size_t)1 << 30), NULL};
	const char *output = NULL;
	enum jd_format format = JD_FMT_TEXT;
	int c, i, status = 0;

	jd_tool_init("jobdoc-compile");
	while ((c = getopt_long(argc, argv, "o:O:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': output = optarg; break;
		case 'O': o.dir = optarg; break;
		case 'V': opts.no_validate = 1; break;
		case 'f': format = jd_parse_format(optarg); break;
		case 'h': usage(); return 0;
		case 'v': jd_print_version(); return 0;
		default: jd_usage_error("unknown option");
		}
	}
	if (optind >= argc)
		jd_usage_error("no spec given");
	if (output && o.dir)
		jd_usage_error("--output and --output-dir exclude each other");
	jd_reporter_init(&rep, format);
	opts.on_finding = jd_report_finding;
	opts.finding_ctx = &rep;
	for (i = optind; i < argc; i++) {
		struct jd_error err;
		struct jd_doc *docs = NULL;
		size_t n = 0, k;

		jd_error_clear(&err);
		if (jd_load_file(argv[i], &opts.load, &docs, &n, &err) < 0) {
			jd_report_error_finding(&rep, &err);
			status = status ? status : err.code;
			continue;
		}
		if (!n) {
			jd_error_at(&err, JD_EINPUT, argv[i], 0, 0, NULL, "no spec in the file");
			jd_report_error_finding(&rep, &err);
			status = status ? status : err.code;
		}
		for (k = 0; k < n; k++) {
			struct jd_spec spec;

			jd_error_clear(&err);
			if (jd_spec_compile(&docs[k], &opts, &spec, &err) < 0 ||
			    (!status && emit(&o, &spec, &err) < 0)) {
				jd_report_error_finding(&rep, &err);
				status = status ? status : err.code;
			}
			jd_spec_release(&spec);
		}
		jd_docs_free(docs, n);
	}
	if (!status && !o.dir) {
		struct jd_error err;
		jd_error_clear(&err);
		if (jd_write_file_atomic(output ? output : "-", o.all.data ? o.all.data : "",
					 o.all.len, 0644, &err) < 0)
			status = jd_report_error(&err);
	}
	jd_reporter_finish(&rep);
	jd_buf_release(&o.all);
	return status;
}
