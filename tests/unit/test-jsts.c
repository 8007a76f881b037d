/*
 * The official JSON Schema Test Suite (tests/data/json-schema-test-suite/),
 * drafts 2020-12 and 7: one TAP line per file of required tests; a failing
 * case is named in the diagnostics. Every case runs through both paths,
 * jd_schema_check (boolean) and jd_schema_validate (with findings), which
 * must agree. Cases listed in tests/data/jsts-known-failures.txt (with their
 * reason) are expected to fail; a listed case that passes fails the file
 * so that the list stays true. optional/ and optional/format/ (with format
 * assertion on) are run and summarised, without failing the run.
 *
 * JSTS_VERBOSE=1 prints the findings of every failing case.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../tap.h"
#include "schema.h"

#define SUITE "tests/data/json-schema-test-suite"

static char *known[1024];
static size_t nknown;
static int known_seen[1024];
static int verbose;

static void load_known(const char *top)
{
	char path[4096], line[2048];
	FILE *f;

	snprintf(path, sizeof(path), "%s/tests/data/jsts-known-failures.txt", top);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f) && nknown < 1024) {
		char *hash;
		size_t n;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		/* "draft/file.json | group | test  # reason" */
		hash = strstr(line, "  #");
		if (hash)
			*hash = '\0';
		n = strlen(line);
		while (n && (line[n - 1] == '\n' || line[n - 1] == ' '))
			line[--n] = '\0';
		known[nknown++] = strdup(line);
	}
	fclose(f);
}

static int is_known(const char *id)
{
	size_t i;

	for (i = 0; i < nknown; i++)
		if (!strcmp(known[i], id)) {
			known_seen[i] = 1;
			return 1;
		}
	return 0;
}

static int print_finding(void *ctx, const struct jd_finding *f)
{
	(void)ctx;
	if (verbose)
		printf("#       %s: %s (at %s)\n", f->pointer[0] ? f->pointer : "(root)", f->message,
		       f->keyword ? f->keyword : "");
	return 0;
}

static int count_finding(void *ctx, const struct jd_finding *f)
{
	(void)f;
	(*(unsigned *)ctx)++;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted *.json names in dir; returns count. */
static size_t list_json(const char *dir, char ***out)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0;

	*out = NULL;
	if (!d)
		return 0;
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);
		char **p;
		if (l < 6 || strcmp(de->d_name + l - 5, ".json"))
			continue;
		p = realloc(names, (n + 1) * sizeof(*names));
		if (!p)
			break;
		names = p;
		names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_str);
	*out = names;
	return n;
}

struct tally {
	unsigned pass, fail, known_fail, known_pass;
};

/* Runs one test file; fills t. Prints failures as diagnostics when required. */
static void run_file(struct jd_schema_registry *reg, const char *path, const char *label,
                     enum jd_schema_draft draft, int format_assert, int required,
                     struct tally *t)
{
	json_error_t je;
	json_t *groups = json_load_file(path, JSON_ALLOW_NUL, &je);
	size_t gi, ti;
	json_t *g;

	memset(t, 0, sizeof(*t));
	if (!groups) {
		printf("#   %s: cannot load: %s\n", label, je.text);
		t->fail++;
		return;
	}
	json_array_foreach(groups, gi, g) {
		json_t *schema = json_object_get(g, "schema"), *tests = json_object_get(g, "tests"),
		       *tc;
		const char *gdesc = json_string_value(json_object_get(g, "description"));
		struct jd_schema_options o;
		struct jd_error err;
		struct jd_schema *s;

		memset(&o, 0, sizeof(o));
		o.draft = draft;
		o.format_assert = format_assert;
		jd_error_clear(&err);
		s = jd_schema_compile(reg, schema, &o, &err);
		json_array_foreach(tests, ti, tc) {
			const char *tdesc = json_string_value(json_object_get(tc, "description"));
			int want = json_is_true(json_object_get(tc, "valid"));
			json_t *data = json_object_get(tc, "data");
			char id[1024], why[700] = "";
			int got = -1, pass;

			snprintf(id, sizeof(id), "%s | %s | %s", label, gdesc ? gdesc : "?",
			         tdesc ? tdesc : "?");
			if (!s) {
				snprintf(why, sizeof(why), "schema does not compile: %s", err.msg);
			} else {
				struct jd_error e1, e2;
				struct jd_schema_report rep;
				unsigned nf = 0;
				int r1 = jd_schema_check(s, data, &e1), r2;

				memset(&rep, 0, sizeof(rep));
				rep.fn = count_finding;
				rep.ctx = &nf;
				r2 = jd_schema_validate(s, data, &rep, &e2);
				if (r1 < 0)
					snprintf(why, sizeof(why), "error: %s", e1.msg);
				else if (r1 != r2)
					snprintf(why, sizeof(why), "check says %d, validate says %d", r1,
					         r2);
				else if ((r2 == 1) != (nf > 0))
					snprintf(why, sizeof(why), "validate returned %d with %u findings",
					         r2, nf);
				else
					got = r1 == 0;
			}
			pass = got == want;
			if (required && is_known(id)) {
				if (pass) {
					t->known_pass++;
					printf("#   listed in jsts-known-failures.txt but passes: %s\n", id);
				} else {
					t->known_fail++;
				}
				continue;
			}
			if (pass) {
				t->pass++;
				continue;
			}
			t->fail++;
			if (required || verbose) {
				printf("#   FAIL %s: want %s, %s\n", id, want ? "valid" : "invalid",
				       why[0] ? why : got ? "got valid" : "got invalid");
				if (verbose && s) {
					struct jd_schema_report rep;
					struct jd_error e;
					memset(&rep, 0, sizeof(rep));
					rep.fn = print_finding;
					jd_schema_validate(s, data, &rep, &e);
				}
			}
		}
		jd_schema_free(s);
	}
	json_decref(groups);
}

static void run_draft(const char *top, const char *name, enum jd_schema_draft draft)
{
	struct jd_schema_registry *reg;
	struct jd_error err;
	char dir[4096], path[8192], label[512], remotes[4096];
	char **files;
	size_t nf, i;
	unsigned req_pass = 0, req_total = 0, known_fail = 0;
	const char *opt_dirs[] = {"optional", "optional/format"};
	size_t od;

	reg = jd_schema_registry_new(&err);
	snprintf(remotes, sizeof(remotes), "%s/" SUITE "/remotes", top);
	if (!reg || jd_schema_registry_map(reg, "http://localhost:1234/", remotes, &err) < 0) {
		ok(0, "registry");
		return;
	}
	snprintf(dir, sizeof(dir), "%s/" SUITE "/tests/%s", top, name);
	nf = list_json(dir, &files);
	ok(nf > 0, "test files found");
	for (i = 0; i < nf; i++) {
		struct tally t;
		char tn[700];
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		snprintf(label, sizeof(label), "%s/%s", name, files[i]);
		run_file(reg, path, label, draft, 0, 1, &t);
		req_pass += t.pass;
		req_total += t.pass + t.fail + t.known_fail + t.known_pass;
		known_fail += t.known_fail;
		snprintf(tn, sizeof(tn), "%s: %u passed, %u failed, %u known failures%s", label,
		         t.pass, t.fail, t.known_fail, t.known_pass ? ", known failures that pass" : "");
		ok(t.fail == 0 && t.known_pass == 0, tn);
		free(files[i]);
	}
	free(files);
	printf("# %s required: %u/%u passed (%.2f%%), %u known failures\n", name, req_pass,
	       req_total, req_total ? 100.0 * req_pass / req_total : 0.0, known_fail);

	for (od = 0; od < 2; od++) {
		unsigned pass = 0, total = 0;
		snprintf(dir, sizeof(dir), "%s/" SUITE "/tests/%s/%s", top, name, opt_dirs[od]);
		nf = list_json(dir, &files);
		for (i = 0; i < nf; i++) {
			struct tally t;
			snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
			snprintf(label, sizeof(label), "%s/%s/%s", name, opt_dirs[od], files[i]);
			run_file(reg, path, label, draft, od == 1, 0, &t);
			printf("#   %-55s %3u/%3u\n", label, t.pass, t.pass + t.fail);
			pass += t.pass;
			total += t.pass + t.fail;
			free(files[i]);
		}
		free(files);
		printf("# %s %s%s: %u/%u passed (not required)\n", name, opt_dirs[od],
		       od ? " (format assertion on)" : "", pass, total);
	}
	jd_schema_registry_free(reg);
}

int main(void)
{
	const char *top = getenv("JD_TOP");
	size_t i;

	if (!top)
		top = ".";
	verbose = getenv("JSTS_VERBOSE") != NULL;
	load_known(top);
	run_draft(top, "draft2020-12", JD_DRAFT_2020_12);
	run_draft(top, "draft7", JD_DRAFT_7);
	for (i = 0; i < nknown; i++) {
		if (!known_seen[i])
			printf("#   listed in jsts-known-failures.txt but not found: %s\n", known[i]);
		free(known[i]);
	}
	return tap_done();
}
