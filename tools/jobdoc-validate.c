/* jobdoc-validate: job specs, CreateJob requests and job documents, with file:line:col. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "batch.h"
#include "common.h"
#include "embedded.h"
#include "internal.h"
#include "jsonparse.h"
#include "load.h"
#include "validate.h"

static void usage(void)
{
	printf("usage: jobdoc-validate [options] FILE...\n"
	       "\n"
	       "Validates each FILE (YAML or JSON; '-' is stdin) and reports every finding as\n"
	       "file:line:col. Without --schema, each file is recognised by its shape: a job\n"
	       "spec (compiled, then checked like jobdoc-compile does), a CreateJob request, an\n"
	       "afr_ota document or jobs message, or a Device Client document. Requests and\n"
	       "specs are checked against createjob-request, their document against its\n"
	       "documentSchema, and against the AWS rules (see jobdoc-validate(1)).\n"
	       "\n"
	       "  -s, --schema NAME|PATH  validate every FILE against this schema\n"
	       "      --list-schemas      list the built-in schemas\n"
	       "      --print-schema NAME print a built-in schema (for editors)\n"
	       "      --resolve PATH      add the schema file, or the *.json of a folder, by $id\n"
	       "      --map URI=DIR       answer schema URIs starting with URI from DIR\n"
	       "      --draft VERSION     dialect of schemas without $schema: 2020-12 or 7\n"
	       "      --format-assert     make \"format\" an assertion\n"
	       "      --date TIME         'now' for the scheduling rules (2026-01-01T00:00:00Z)\n"
	       "      --format FMT        findings as text (default), json or github\n"
	       "  -j, --jobs N            files validated in parallel (default: CPUs, at most 8)\n"
	       "  -q, --quiet             no summary line\n"
	       "  -h, --help              show this help\n"
	       "      --version           show the version\n"
	       "\n%s",
	       jd_exit_codes_help);
}

static int list_schemas(void)
{
	size_t n, i;
	const char *const *names = jd_validate_builtin_names(&n);

	for (i = 0; i < n; i++) {
		char file[160];
		const struct jd_embedded *e;
		json_t *d;
		const char *title;

		snprintf(file, sizeof(file), "%s.json", names[i]);
		e = jd_embedded_find(file);
		d = e ? jd_json_parse((const char *)e->data, e->len, 0, NULL) : NULL;
		title = json_string_value(json_object_get(d, "title"));
		printf("%s\t%s\n", names[i], title ? title : "");
		json_decref(d);
	}
	return 0;
}

static int print_schema(const char *name)
{
	char file[160];
	const struct jd_embedded *e;

	snprintf(file, sizeof(file), "%s.json", name);
	e = strncmp(name, "meta/", 5) ? jd_embedded_find(file) : NULL;
	if (!e)
		jd_usage_error("no built-in schema '%s' (see --list-schemas)", name);
	fwrite(e->data, 1, e->len, stdout);
	return fflush(stdout) ? JD_EIO : 0;
}

/* One file's outcome, made on a worker thread and reported in file order. */
struct result {
	struct jd_finding_list findings;
	unsigned errors;
	int invalid, unreadable;
};

struct run {
	char **files;
	struct jd_validator *v;
	const char *schema;
	struct jd_reporter rep;
	unsigned files_n, invalid, unreadable, errors;
};

static void *check_file(void *ctx, size_t i)
{
	struct run *run = ctx;
	const char *file = run->files[i];
	struct result *r = calloc(1, sizeof(*r));
	struct jd_doc *docs = NULL;
	struct jd_error err;
	size_t n = 0, k;

	if (!r)
		return NULL;
	jd_error_clear(&err);
	if (jd_load_file(file, NULL, &docs, &n, &err) < 0) {
		jd_finding_list_add_error(&r->findings, &err);
		r->unreadable = 1;
		return r;
	}
	for (k = 0; k < n; k++) {
		int rc;

		jd_error_clear(&err);
		rc = jd_validate_file_doc(run->v, &docs[k], run->schema, NULL, jd_finding_list_add,
					  &r->findings, &err);
		if (rc < 0) {
			if (!err.input[0])
				jd_strlcpy(err.input, file, sizeof(err.input));
			jd_finding_list_add_error(&r->findings, &err);
			rc = 1;
		}
		r->errors += (unsigned)rc;
		r->invalid |= rc > 0;
	}
	jd_docs_free(docs, n);
	return r;
}

static void free_result(void *ctx, void *p)
{
	struct result *r = p;

	(void)ctx;
	if (!r)
		return;
	jd_finding_list_release(&r->findings);
	free(r);
}

static int emit(void *ctx, size_t i, void *p)
{
	struct run *run = ctx;
	struct result *r = p;

	run->files_n++;
	if (!r) {
		struct jd_error err;

		jd_error_clear(&err);
		jd_error_oom(&err);
		jd_strlcpy(err.input, run->files[i], sizeof(err.input));
		jd_report_error_finding(&run->rep, &err);
		run->unreadable++;
		return 0;
	}
	jd_finding_list_replay(&r->findings, &run->rep);
	run->errors += r->errors;
	run->invalid += (unsigned)r->invalid;
	run->unreadable += (unsigned)r->unreadable;
	free_result(ctx, r);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"schema", required_argument, NULL, 's'},
		{"list-schemas", no_argument, NULL, 'L'},
		{"print-schema", required_argument, NULL, 'P'},
		{"resolve", required_argument, NULL, 'r'},
		{"map", required_argument, NULL, 'm'},
		{"draft", required_argument, NULL, 'd'},
		{"format-assert", no_argument, NULL, 'a'},
		{"date", required_argument, NULL, 'D'},
		{"format", required_argument, NULL, 'f'},
		{"quiet", no_argument, NULL, 'q'},
		{"jobs", required_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'v'},
		{NULL, 0, NULL, 0},
	};
	struct jd_validate_opts vo = {0};
	struct jd_validator *v = NULL;
	struct run run;
	struct jd_error err;
	const char *schema = NULL, *resolve[64], *map[64];
	size_t nres = 0, nmap = 0, k;
	unsigned jobs = 0;
	enum jd_format format = JD_FMT_TEXT;
	int c, quiet = 0, status = 0;

	jd_tool_init("jobdoc-validate");
	while ((c = getopt_long(argc, argv, "s:qj:h", longopts, NULL)) != -1) {
		switch (c) {
		case 's': schema = optarg; break;
		case 'L': return list_schemas();
		case 'P': return print_schema(optarg);
		case 'r':
			if (nres == JD_ARRAY_SIZE(resolve))
				jd_usage_error("too many --resolve");
			resolve[nres++] = optarg;
			break;
		case 'm':
			if (nmap == JD_ARRAY_SIZE(map) || !strchr(optarg, '='))
				jd_usage_error("--map takes URI=DIR (at most 64 of them)");
			map[nmap++] = optarg;
			break;
		case 'd':
			if (!strcmp(optarg, "2020-12"))
				vo.draft = JD_DRAFT_2020_12;
			else if (!strcmp(optarg, "7") || !strcmp(optarg, "07") ||
				 !strcmp(optarg, "draft-07"))
				vo.draft = JD_DRAFT_7;
			else
				jd_usage_error("--draft: '%s' is not 2020-12 or 7", optarg);
			break;
		case 'a': vo.format_assert = 1; break;
		case 'D': vo.now = jd_parse_date(optarg); break;
		case 'f': format = jd_parse_format(optarg); break;
		case 'q': quiet = 1; break;
		case 'j': jobs = jd_parse_jobs(optarg); break;
		case 'h': usage(); return 0;
		case 'v': jd_print_version(); return 0;
		default: jd_usage_error("unknown option");
		}
	}
	if (optind >= argc)
		jd_usage_error("no file given");
	if (!vo.now)
		vo.now = (long long)time(NULL);
	jd_error_clear(&err);
	if (!(v = jd_validator_new(&vo, &err)))
		return jd_report_error(&err);
	for (k = 0; k < nres; k++)
		if (jd_validator_resolve(v, resolve[k], &err) < 0)
			goto fatal;
	for (k = 0; k < nmap; k++) {
		char prefix[1024];
		const char *eq = strchr(map[k], '=');
		snprintf(prefix, sizeof(prefix), "%.*s", (int)(eq - map[k]), map[k]);
		if (jd_validator_map(v, prefix, eq + 1, &err) < 0)
			goto fatal;
	}
	/* a bad --schema stops before any file */
	if (schema && !jd_validator_schema(v, schema, NULL, &err))
		goto fatal;
	memset(&run, 0, sizeof(run));
	run.files = argv + optind;
	run.v = v;
	run.schema = schema;
	jd_reporter_init(&run.rep, format);
	jd_batch_run((size_t)(argc - optind), jobs, check_file, emit, free_result, &run);
	jd_reporter_finish(&run.rep);
	if (!quiet)
		fprintf(stderr, "%s: %u file%s: %u valid, %u invalid (%u error%s), %u unreadable\n",
			jd_prog, run.files_n, run.files_n == 1 ? "" : "s",
			run.files_n - run.invalid - run.unreadable, run.invalid, run.errors,
			run.errors == 1 ? "" : "s", run.unreadable);
	status = run.unreadable ? JD_EINPUT : run.invalid ? JD_EINVALID : 0;
	jd_validator_free(v);
	return status;
fatal:
	/* a schema that does not compile is an input we cannot use */
	if (err.code == JD_EINVALID)
		err.code = JD_EINPUT;
	status = jd_report_error(&err);
	jd_validator_free(v);
	return status;
}
