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
#include "template.h"

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
	       "  -p NAME=VALUE           a substitution value, a string\n"
	       "  -p NAME:=JSON           a substitution value, typed (number, boolean, object...)\n"
	       "  -P FILE                 values from a JSON or YAML object (several: the later\n"
	       "                          wins; -p wins over files, files over declared defaults)\n"
	       "      --no-render         keep ${aws:iot:parameter:NAME} as written\n"
	       "      --device-budget BYTES  fail when a document exceeds BYTES on the device\n"
	       "                          once AWS expands its presigned URLs\n"
	       "      --url-size BYTES    the size of one expanded presigned URL (default 1400)\n"
	       "      --no-validate       skip schema and AWS-rule validation\n"
	       "      --format FMT        findings as text (default), json or github\n"
	       "  -h, --help              show this help\n"
	       "      --version           show the version\n"
	       "\n%s",
	       jd_exit_codes_help);
}

struct out {
	struct jd_outfile file; /* -o FILE or stdout */
	struct jd_buf pending;	/* written out in large blocks */
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
	if (jd_buf_adds(&o->pending, text, err) < 0 || jd_buf_addc(&o->pending, '\n', err) < 0)
		goto out;
	if (o->pending.len >= 65536) {
		if (jd_outfile_write(&o->file, o->pending.data, o->pending.len, err) < 0)
			goto out;
		jd_buf_reset(&o->pending);
	}
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
		{"no-render", no_argument, NULL, 'R'},
		{"param", required_argument, NULL, 'p'},
		{"params-file", required_argument, NULL, 'P'},
		{"device-budget", required_argument, NULL, 'B'},
		{"url-size", required_argument, NULL, 'U'},
		{"format", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'v'},
		{NULL, 0, NULL, 0},
	};
	struct jd_compile_opts opts = {0};
	struct jd_reporter rep;
	struct out o = {{-1, 0, NULL, NULL, 0}, JD_BUF_INIT((size_t)1 << 24), NULL};
	struct jd_error oerr;
	const char *output = NULL;
	enum jd_format format = JD_FMT_TEXT;
	struct jd_params *params = jd_params_new();
	struct jd_error perr;
	int c, i, li, status = 0;

	jd_tool_init("jobdoc-compile");
	if (!params)
		return JD_EINTERNAL;
	while ((c = getopt_long(argc, argv, "o:O:p:P:h", longopts, &li)) != -1) {
		jd_error_clear(&perr);
		switch (c) {
		case 'p':
		case 'P':
		case 'B':
		case 'U':
			if (jd_params_option(params,
					     c == 'p'	? "param"
					     : c == 'P' ? "params-file"
					     : c == 'B' ? "device-budget"
							: "url-size",
					     optarg, &opts.load, &perr) < 0) {
				if (perr.code == JD_EUSAGE)
					jd_usage_error("%s", perr.msg);
				return jd_report_error(&perr);
			}
			break;
		case 'R': opts.no_render = 1; break;
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
	opts.params = params;
	jd_reporter_init(&rep, format);
	jd_error_clear(&oerr);
	if (!o.dir && jd_outfile_open(&o.file, output, 0644, &oerr) < 0)
		return jd_report_error(&oerr);
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
	if (!o.dir) {
		if (!status &&
		    (jd_outfile_write(&o.file, o.pending.data, o.pending.len, &oerr) < 0 ||
		     jd_outfile_commit(&o.file, &oerr) < 0))
			status = jd_report_error(&oerr);
		jd_outfile_abort(&o.file);
	}
	jd_reporter_finish(&rep);
	jd_buf_release(&o.pending);
	jd_params_free(params);
	return status;
}
