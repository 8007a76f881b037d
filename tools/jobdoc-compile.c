/* jobdoc-compile: YAML job specs into CreateJob request JSON. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "batch.h"
#include "buf.h"
#include "common.h"
#include "file.h"
#include "json.h"
#include "load.h"
#include "spec.h"
#include "template.h"
#include "validate.h"

static void usage(void)
{
	printf("usage: jobdoc-compile [options] SPEC...\n"
	       "\n"
	       "Compiles job specs (the CreateJob request in YAML or JSON, see jobdoc-compile(1))\n"
	       "into the exact CreateJob request JSON that 'aws iot create-job --cli-input-json'\n"
	       "takes: canonical, compact, members in the AWS model's order. SPEC may be '-'\n"
	       "(stdin); a file of several YAML documents holds several specs. Each request is\n"
	       "printed on a line of its own, in the order of the specs.\n"
	       "\n"
	       "  -o, --output FILE       write the requests to FILE (whole, or not at all)\n"
	       "  -O, --output-dir DIR    write each request to DIR/JOBID.json\n"
	       "  -j, --jobs N            compile on N threads (default: the CPUs, at most 8)\n"
	       "  -p NAME=VALUE           a substitution value, a string\n"
	       "  -p NAME:=JSON           a substitution value, typed (number, object, ...)\n"
	       "  -P FILE                 values from a JSON or YAML object (several: the later\n"
	       "                          wins; -p wins over files, files over declared defaults)\n"
	       "      --no-render         keep ${aws:iot:parameter:NAME} as written\n"
	       "      --device-budget BYTES  fail when a document exceeds BYTES on the device\n"
	       "                          once AWS expands its presigned URLs\n"
	       "      --url-size BYTES    the size of one expanded presigned URL (default 1400)\n"
	       "      --no-validate       skip schema and AWS-rule validation\n"
	       "      --date TIME         'now' for the scheduling rules (2026-01-01T00:00:00Z)\n"
	       "      --format FMT        findings as text (default), json or github\n"
	       "  -h, --help              show this help\n"
	       "      --version           show the version\n"
	       "\n%s",
	       jd_exit_codes_help);
}

struct run {
	char **files;
	struct jd_compile_opts opts;
	const char *dir;
	struct jd_outfile out;
	struct jd_buf pending; /* output not yet written */
	struct jd_reporter rep;
	int status;
};

/* What compiling one file gives: its requests as lines, or its findings. */
struct result {
	struct jd_buf text;
	struct jd_finding_list findings;
	int status;
	char **ids; /* with --output-dir: the jobIds, one per line of text */
	size_t nids;
};

static void fail(struct result *r, const struct jd_error *err)
{
	jd_finding_list_add_error(&r->findings, err);
	if (!r->status)
		r->status = err->code ? err->code : JD_EINTERNAL;
}

static void *compile_file(void *ctx, size_t i)
{
	struct run *run = ctx;
	const char *path = run->files[i];
	struct result *r = calloc(1, sizeof(*r));
	struct jd_compile_opts opts = run->opts;
	struct jd_doc *docs = NULL;
	struct jd_error err;
	size_t n = 0, k;

	if (!r)
		return NULL;
	jd_buf_init(&r->text, (size_t)1 << 30);
	opts.on_finding = jd_finding_list_add;
	opts.finding_ctx = &r->findings;
	jd_error_clear(&err);
	if (jd_load_file(path, &opts.load, &docs, &n, &err) < 0) {
		fail(r, &err);
		return r;
	}
	if (!n) {
		jd_error_at(&err, JD_EINPUT, path, 0, 0, NULL, "no spec in the file");
		fail(r, &err);
	}
	for (k = 0; k < n; k++) {
		struct jd_spec spec;

		jd_error_clear(&err);
		if (jd_spec_compile(&docs[k], &opts, &spec, &err) < 0) {
			/* validation findings were reported one by one */
			if (err.code == JD_EINVALID && spec.findings)
				r->status = r->status ? r->status : err.code;
			else
				fail(r, &err);
		} else if (!r->status) {
			const char *id = json_string_value(json_object_get(spec.request, "jobId"));
			if (run->dir) {
				char **ids = realloc(r->ids, (r->nids + 1) * sizeof(*ids));
				if (ids)
					r->ids = ids;
				if (!ids || !(ids[r->nids] = strdup(id ? id : ""))) {
					jd_error_oom(&err);
					fail(r, &err);
				} else {
					r->nids++;
				}
			}
			if (jd_json_dump(spec.request, &r->text, &err) < 0 ||
			    jd_buf_addc(&r->text, '\n', &err) < 0)
				fail(r, &err);
		}
		jd_spec_release(&spec);
	}
	jd_docs_free(docs, n);
	return r;
}

static void free_result(void *ctx, void *p)
{
	struct result *r = p;
	size_t i;

	(void)ctx;
	if (!r)
		return;
	jd_buf_release(&r->text);
	jd_finding_list_release(&r->findings);
	for (i = 0; i < r->nids; i++)
		free(r->ids[i]);
	free(r->ids);
	free(r);
}

/* One file per request in --output-dir: DIR/JOBID.json, written whole. */
static int write_dir(struct run *run, struct result *r, struct jd_error *err)
{
	const char *line = r->text.data;
	size_t i;

	for (i = 0; i < r->nids; i++) {
		const char *end = strchr(line, '\n');
		const char *id = r->ids[i];
		char path[4096];

		if (!id[0] || strchr(id, '/') || id[0] == '.')
			return jd_error_set(
				err, JD_EINPUT,
				"--output-dir needs a plain jobId in every spec, not '%s'", id);
		if ((size_t)snprintf(path, sizeof(path), "%s/%s.json", run->dir, id) >=
		    sizeof(path))
			return jd_error_set(err, JD_EUSAGE, "--output-dir: path too long");
		if (jd_write_file_atomic(path, line, (size_t)(end - line) + 1, 0644, err) < 0)
			return -1;
		line = end + 1;
	}
	return 0;
}

/* Output in large blocks: one write per 64 KiB, not one per spec. */
static int out_add(struct run *run, const char *data, size_t len, struct jd_error *err)
{
	if (jd_buf_add(&run->pending, data, len, err) < 0)
		return -1;
	if (run->pending.len < 65536)
		return 0;
	if (jd_outfile_write(&run->out, run->pending.data, run->pending.len, err) < 0)
		return -1;
	jd_buf_reset(&run->pending);
	return 0;
}

static int emit(void *ctx, size_t i, void *p)
{
	struct run *run = ctx;
	struct result *r = p;
	struct jd_error err;

	(void)i;
	jd_error_clear(&err);
	if (!r) {
		jd_error_oom(&err);
		jd_report_error_finding(&run->rep, &err);
		run->status = run->status ? run->status : JD_EINTERNAL;
		return 0;
	}
	jd_finding_list_replay(&r->findings, &run->rep);
	if (r->status) {
		run->status = run->status ? run->status : r->status;
	} else if (!run->status && r->text.len) {
		int bad = run->dir ? write_dir(run, r, &err)
				   : out_add(run, r->text.data, r->text.len, &err);
		if (bad < 0) {
			jd_report_error_finding(&run->rep, &err);
			run->status = err.code;
		}
	}
	free_result(ctx, r);
	return 0; /* go on: every spec's findings are worth reporting */
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'},
		{"output-dir", required_argument, NULL, 'O'},
		{"jobs", required_argument, NULL, 'j'},
		{"no-validate", no_argument, NULL, 'V'},
		{"no-render", no_argument, NULL, 'R'},
		{"param", required_argument, NULL, 'p'},
		{"params-file", required_argument, NULL, 'P'},
		{"device-budget", required_argument, NULL, 'B'},
		{"url-size", required_argument, NULL, 'U'},
		{"date", required_argument, NULL, 'D'},
		{"format", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'v'},
		{NULL, 0, NULL, 0},
	};
	struct run run;
	struct jd_validate_opts vopts = {0};
	const char *output = NULL;
	enum jd_format format = JD_FMT_TEXT;
	struct jd_error err;
	unsigned jobs = 0;
	struct jd_params *params = jd_params_new();
	int c;

	jd_tool_init("jobdoc-compile");
	memset(&run, 0, sizeof(run));
	jd_buf_init(&run.pending, (size_t)1 << 30);
	run.opts.render_in_place = jd_render_in_place(); /* each spec is loaded, compiled, freed */
	if (!params)
		return JD_EINTERNAL;
	while ((c = getopt_long(argc, argv, "o:O:j:p:P:h", longopts, NULL)) != -1) {
		jd_error_clear(&err);
		switch (c) {
		case 'p':
		case 'P':
		case 'B':
		case 'U': jd_param_option(params, c, optarg, &run.opts.load); break;
		case 'R': run.opts.no_render = 1; break;
		case 'o': output = optarg; break;
		case 'O': run.dir = optarg; break;
		case 'j': jobs = jd_parse_jobs(optarg); break;
		case 'V': run.opts.no_validate = 1; break;
		case 'D': vopts.now = jd_parse_date(optarg); break;
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
		jd_usage_error("no spec given");
	if (output && run.dir)
		jd_usage_error("--output and --output-dir exclude each other");
	run.files = argv + optind;
	run.opts.params = params;
	jd_error_clear(&err);
	if (jd_params_prepare(params, &err) < 0)
		return jd_report_error(&err);
	jd_error_clear(&err);
	if (!vopts.now)
		vopts.now = (long long)time(NULL);
	if (!run.opts.no_validate) {
		/* one validator, shared by the threads: schemas compiled once */
		run.opts.validator = jd_validator_new(&vopts, &err);
		if (!run.opts.validator)
			return jd_report_error(&err);
	}
	jd_reporter_init(&run.rep, format);
	if (!run.dir && jd_outfile_open(&run.out, output, 0644, &err) < 0)
		return jd_report_error(&err);
	jd_batch_run((size_t)(argc - optind), jobs, compile_file, emit, free_result, &run);
	if (!run.dir) {
		if (!run.status &&
		    (jd_outfile_write(&run.out, run.pending.data, run.pending.len, &err) < 0 ||
		     jd_outfile_commit(&run.out, &err) < 0))
			run.status = jd_report_error(&err);
		jd_outfile_abort(&run.out);
	}
	jd_buf_release(&run.pending);
	if (!run.status && !run.opts.no_render)
		jd_params_report_unused(params, jd_report_finding, &run.rep);
	jd_reporter_finish(&run.rep);
	jd_validator_free(run.opts.validator);
	jd_params_free(params);
	return run.status;
}
