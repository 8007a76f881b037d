/* jobdoc-render: a job document with its substitution parameters resolved. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "common.h"
#include "file.h"
#include "json.h"
#include "load.h"
#include "model.h"
#include "spec.h"
#include "template.h"

static void usage(void)
{
	printf("usage: jobdoc-render [options] FILE\n"
	       "\n"
	       "Prints the job document of FILE with its ${aws:iot:parameter:NAME} placeholders\n"
	       "resolved, as devices will receive it. FILE ('-' for stdin) is a job spec, a\n"
	       "CreateJob request or a job document (YAML or JSON; a document that becomes JSON\n"
	       "only after substitution is rendered as text). For an AWS managed template\n"
	       "(jobTemplateArn + documentParameters) it previews the template's document with\n"
	       "the values filled in. AWS's own placeholders (presigned URLs, packages) are\n"
	       "checked and kept: AWS expands them when a device fetches the document.\n"
	       "\n"
	       "  -p NAME=VALUE           a value, a string\n"
	       "  -p NAME:=JSON           a value, typed (number, boolean, object, array)\n"
	       "  -P FILE                 values from a JSON or YAML object (several: the later\n"
	       "                          wins; -p wins over files, files over declared defaults)\n"
	       "      --before-substitution  the document as GetJobDocument shows it with\n"
	       "                          beforeSubstitution=true: placeholders as written\n"
	       "      --list              print the parameters declared and used, where each\n"
	       "                          is used, and AWS's placeholders, as JSON\n"
	       "      --request           print the whole CreateJob request (FILE a spec)\n"
	       "      --document          take FILE as a job document even if it looks like a "
	       "spec\n"
	       "      --region REGION     the job's region, for a document alone\n"
	       "      --device-budget BYTES  fail when the document exceeds BYTES on the device\n"
	       "                          once AWS expands its presigned URLs\n"
	       "      --url-size BYTES    the size of one expanded presigned URL (default 1400)\n"
	       "  -o, --output FILE       write to FILE (whole, or not at all)\n"
	       "      --format FMT        findings as text (default), json or github\n"
	       "  -h, --help              show this help\n"
	       "      --version           show the version\n"
	       "\n%s",
	       jd_exit_codes_help);
}

/* A spec or request: CreateJob members only, and something that names a document. */
static int looks_like_spec(const json_t *root)
{
	const struct jd_shape *shape = &jd_shapes[JD_SHAPE_CREATEJOB];
	const char *key;
	json_t *v;
	int source = 0;

	if (!json_is_object(root))
		return 0;
	json_object_foreach((json_t *)root, key, v)
	{
		size_t i;
		int extra = 0;
		for (i = 0; jd_spec_extra_keys[i]; i++)
			extra |= !strcmp(key, jd_spec_extra_keys[i]);
		if (!extra && !jd_shape_member(shape, key))
			return 0;
		source |= !strcmp(key, "targets") || !strcmp(key, "document") ||
			  !strcmp(key, "documentFile") || !strcmp(key, "documentSource") ||
			  !strcmp(key, "jobTemplateArn");
	}
	return source;
}

struct run {
	struct jd_compile_opts opts;
	int before, list, request, as_document;
	struct jd_buf out;
};

static int show(struct run *run, const struct jd_render *r, const json_t *request,
		struct jd_error *err)
{
	char *text = NULL;
	int ret;

	if (run->list) {
		json_t *l = jd_render_list(r, err);
		if (!l)
			return -1;
		text = json_dumps(l, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		json_decref(l);
		if (!text)
			return jd_error_oom(err);
		ret = jd_buf_adds(&run->out, text, err);
		free(text);
		return ret;
	}
	if (run->request)
		return jd_json_dump(request, &run->out, err);
	return jd_render_output(r, run->before, &run->out, err);
}

static int render_file(struct run *run, const char *path, struct jd_error *err)
{
	struct jd_buf in = JD_BUF_INIT(JD_INPUT_MAX);
	struct jd_doc *docs = NULL;
	struct jd_render *r = NULL;
	struct jd_spec spec;
	size_t n = 0;
	int ret = -1, flags = run->before || run->list ? JD_RENDER_KEEP : 0;

	memset(&spec, 0, sizeof(spec));
	if (jd_read_file(path, JD_INPUT_MAX, &in, err) < 0)
		goto out;
	if (jd_load(path, in.data ? in.data : "", in.len, &run->opts.load, &docs, &n, err) < 0) {
		/* JSON only after substitution: AWS's textual substitution */
		if (in.data && strstr(in.data, "${") && !run->request) {
			jd_error_clear(err);
			if (jd_render_text(path, in.data, in.len, run->opts.params, flags,
					   run->opts.on_finding, run->opts.finding_ctx, &r,
					   err) == 0)
				ret = show(run, r, NULL, err);
		}
		goto out;
	}
	if (n != 1) {
		jd_error_at(err, JD_EINPUT, path, 0, 0, NULL,
			    "expected one YAML document, found %zu", n);
		goto out;
	}
	if (!run->as_document && looks_like_spec(docs[0].root)) {
		run->opts.no_render = flags & JD_RENDER_KEEP;
		if (jd_spec_compile(&docs[0], &run->opts, &spec, err) < 0)
			goto out;
		ret = show(run, spec.render, spec.request, err);
		goto out;
	}
	if (run->request) {
		jd_error_at(err, JD_EUSAGE, path, 0, 0, NULL,
			    "--request needs a job spec or request, and this is a job document");
		goto out;
	}
	if (jd_render_doc(&docs[0], run->opts.params, flags, run->opts.on_finding,
			  run->opts.finding_ctx, &r, err) < 0)
		goto out;
	ret = show(run, r, NULL, err);
out:
	jd_spec_release(&spec);
	jd_render_free(r);
	jd_docs_free(docs, n);
	jd_buf_release(&in);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"param", required_argument, NULL, 'p'},
		{"params-file", required_argument, NULL, 'P'},
		{"before-substitution", no_argument, NULL, 'b'},
		{"list", no_argument, NULL, 'l'},
		{"request", no_argument, NULL, 'r'},
		{"document", no_argument, NULL, 'd'},
		{"region", required_argument, NULL, 'g'},
		{"device-budget", required_argument, NULL, 'B'},
		{"url-size", required_argument, NULL, 'U'},
		{"output", required_argument, NULL, 'o'},
		{"format", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'v'},
		{NULL, 0, NULL, 0},
	};
	struct run run;
	struct jd_params *params = jd_params_new();
	struct jd_reporter rep;
	struct jd_error err;
	enum jd_format format = JD_FMT_TEXT;
	const char *output = NULL;
	int c, status = 0;

	jd_tool_init("jobdoc-render");
	memset(&run, 0, sizeof(run));
	jd_buf_init(&run.out, (size_t)64 << 20);
	if (!params)
		return JD_EINTERNAL;
	while ((c = getopt_long(argc, argv, "p:P:o:h", longopts, NULL)) != -1) {
		jd_error_clear(&err);
		switch (c) {
		case 'p':
		case 'P':
		case 'g':
		case 'B':
		case 'U': jd_param_option(params, c, optarg, &run.opts.load); break;
		case 'b': run.before = 1; break;
		case 'l': run.list = 1; break;
		case 'r': run.request = 1; break;
		case 'd': run.as_document = 1; break;
		case 'o': output = optarg; break;
		case 'f': format = jd_parse_format(optarg); break;
		case 'h':
			usage();
			jd_params_free(params);
			return 0;
		case 'v':
			jd_print_version();
			jd_params_free(params);
			return 0;
		default: jd_usage_error("unknown option");
		}
	}
	if (optind >= argc)
		jd_usage_error("no file given");
	if (optind + 1 < argc)
		jd_usage_error("one file at a time");
	if (run.list + run.request > 1 || (run.list && run.before))
		jd_usage_error("--list, --request and --before-substitution exclude each other");
	jd_reporter_init(&rep, format);
	run.opts.params = params;
	run.opts.no_validate = 1;
	/* the spec as written is shown only by --before-substitution, which keeps it */
	run.opts.render_in_place = jd_render_in_place();
	run.opts.on_finding = jd_report_finding;
	run.opts.finding_ctx = &rep;
	jd_error_clear(&err);
	if (jd_params_prepare(params, &err) < 0 || render_file(&run, argv[optind], &err) < 0 ||
	    jd_write_output(output, run.out.data ? run.out.data : "", run.out.len, &err) < 0) {
		jd_report_error_finding(&rep, &err);
		status = err.code ? err.code : JD_EINTERNAL;
	}
	if (!status && !run.before && !run.list)
		jd_params_report_unused(params, jd_report_finding, &rep);
	jd_reporter_finish(&rep);
	jd_buf_release(&run.out);
	jd_params_free(params);
	return status;
}
