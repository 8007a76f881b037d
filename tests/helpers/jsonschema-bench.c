/*
 * jsonschema-bench: validates every *.json file of a folder against one
 * schema, in one process (compile once, validate many), as the peers
 * (Blaze's jsonschema CLI, ajv-cli) do in tests/bench/validate-peers.sh.
 *
 *   jsonschema-bench [--check] [--draft 7] [--format-assert] [--resolve PATH]
 *                    [--repeat N] [--preload] [--verbose] SCHEMA DIR
 *
 * --check uses the boolean path (no messages). --preload parses every file
 * first and times the validation alone. Prints one summary line:
 * "files N valid V invalid I errors E seconds S per-file-us U"; exit 0 when
 * every file is valid, 1 when any is not, 2 usage, 3 unreadable input.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "buf.h"
#include "file.h"
#include "schema.h"

static int verbose;

/*
 * Each instance's Jansson values come from a bump arena, emptied after the
 * file (json_set_alloc_funcs): parsing is most of the cost, and most of
 * that is malloc and free. Only values made while the arena is on are
 * freed while it is on (the schema is loaded and freed outside).
 */
struct ablock {
	struct ablock *next;
	size_t used, size;
	max_align_t data[];
};
static struct ablock *arena;

static void *arena_malloc(size_t n)
{
	size_t al = sizeof(max_align_t);
	void *p;

	n = (n + al - 1) / al * al;
	if (!arena || arena->size - arena->used < n) {
		size_t sz = n > 65536 ? n : 65536;
		struct ablock *b = malloc(sizeof(*b) + sz);
		if (!b)
			return NULL;
		b->next = arena;
		b->used = 0;
		b->size = sz;
		arena = b;
	}
	p = (char *)arena->data + arena->used;
	arena->used += n;
	return p;
}

static void arena_free(void *p)
{
	(void)p;
}

static void arena_reset(void)
{
	while (arena && arena->next) {
		struct ablock *n = arena->next;
		free(arena);
		arena = n;
	}
	if (arena)
		arena->used = 0;
}

static int print_finding(void *ctx, const struct jd_finding *f)
{
	(void)ctx;
	if (verbose)
		fprintf(stderr, "%s: %s: %s\n", f->input, f->pointer[0] ? f->pointer : "/",
		        f->message);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(void)
{
	fprintf(stderr, "usage: jsonschema-bench [--check] [--draft 7|2020-12] [--format-assert] "
	                "[--resolve PATH] [--repeat N] [--verbose] SCHEMA DIR\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct jd_schema_options o;
	struct jd_schema_registry *reg;
	struct jd_schema *s;
	struct jd_error err;
	struct jd_buf b = JD_BUF_INIT(JD_INPUT_MAX);
	char **names = NULL;
	size_t nnames = 0, i;
	unsigned long valid = 0, invalid = 0, errors = 0, files = 0;
	int check = 0, repeat = 1, preload = 0, ai, r;
	json_t **docs = NULL;
	const char *schema_path, *dir;
	json_t *schema;
	json_error_t je;
	DIR *d;
	struct dirent *de;
	double t0, t1;

	memset(&o, 0, sizeof(o));
	reg = jd_schema_registry_new(&err);
	if (!reg)
		return 70;
	for (ai = 1; ai < argc && argv[ai][0] == '-' && argv[ai][1]; ai++) {
		if (!strcmp(argv[ai], "--check")) {
			check = 1;
		} else if (!strcmp(argv[ai], "--preload")) {
			preload = 1;
		} else if (!strcmp(argv[ai], "--verbose")) {
			verbose = 1;
		} else if (!strcmp(argv[ai], "--format-assert")) {
			o.format_assert = 1;
		} else if (!strcmp(argv[ai], "--draft") && ai + 1 < argc) {
			ai++;
			o.draft = !strcmp(argv[ai], "7") ? JD_DRAFT_7 : JD_DRAFT_2020_12;
		} else if (!strcmp(argv[ai], "--repeat") && ai + 1 < argc) {
			repeat = (int)strtol(argv[++ai], NULL, 10);
			if (repeat < 1)
				usage();
		} else if (!strcmp(argv[ai], "--resolve") && ai + 1 < argc) {
			if (jd_schema_registry_add_path(reg, argv[++ai], &err) < 0) {
				fprintf(stderr, "jsonschema-bench: %s: %s\n", err.input, err.msg);
				return 3;
			}
		} else {
			usage();
		}
	}
	if (argc - ai != 2)
		usage();
	schema_path = argv[ai];
	dir = argv[ai + 1];
	schema = json_load_file(schema_path, 0, &je);
	if (!schema) {
		fprintf(stderr, "jsonschema-bench: %s:%d:%d: %s\n", schema_path, je.line, je.column,
		        je.text);
		return 3;
	}
	s = jd_schema_compile(reg, schema, &o, &err);
	json_decref(schema);
	if (!s) {
		fprintf(stderr, "jsonschema-bench: %s: %s%s%s\n", schema_path, err.pointer,
		        err.pointer[0] ? ": " : "", err.msg);
		return 1;
	}
	d = opendir(dir);
	if (!d) {
		fprintf(stderr, "jsonschema-bench: %s: cannot open folder\n", dir);
		return 3;
	}
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);
		char **p;
		if (l < 6 || strcmp(de->d_name + l - 5, ".json"))
			continue;
		p = realloc(names, (nnames + 1) * sizeof(*names));
		if (!p)
			return 70;
		names = p;
		names[nnames] = malloc(strlen(dir) + l + 2);
		if (!names[nnames])
			return 70;
		snprintf(names[nnames], strlen(dir) + l + 2, "%s/%s", dir, de->d_name);
		nnames++;
	}
	closedir(d);
	qsort(names, nnames, sizeof(*names), cmp_str);

	if (preload) {
		docs = calloc(nnames ? nnames : 1, sizeof(*docs));
		if (!docs)
			return 70;
		for (i = 0; i < nnames; i++) {
			docs[i] = json_load_file(names[i], 0, &je);
			if (!docs[i]) {
				fprintf(stderr, "jsonschema-bench: %s: %s\n", names[i], je.text);
				return 3;
			}
		}
	}
	if (!preload)
		json_set_alloc_funcs(arena_malloc, arena_free);
	t0 = now();
	while (repeat--) {
		for (i = 0; i < nnames; i++) {
			json_t *x;
			if (docs) {
				x = json_incref(docs[i]);
				goto have;
			}
			jd_buf_reset(&b);
			if (jd_read_file(names[i], JD_INPUT_MAX, &b, &err) < 0) {
				fprintf(stderr, "jsonschema-bench: %s: %s\n", names[i], err.msg);
				errors++;
				continue;
			}
			x = json_loadb(b.data ? b.data : "", b.len, 0, &je);
			if (!x) {
				fprintf(stderr, "jsonschema-bench: %s:%d:%d: %s\n", names[i], je.line,
				        je.column, je.text);
				errors++;
				continue;
			}
		have:
			if (check) {
				r = jd_schema_check(s, x, &err);
			} else {
				struct jd_schema_report rep;
				memset(&rep, 0, sizeof(rep));
				rep.fn = print_finding;
				rep.input = names[i];
				r = jd_schema_validate(s, x, &rep, &err);
			}
			json_decref(x);
			if (!preload)
				arena_reset();
			files++;
			if (r == 0)
				valid++;
			else if (r == 1)
				invalid++;
			else {
				fprintf(stderr, "jsonschema-bench: %s: %s\n", names[i], err.msg);
				errors++;
			}
		}
	}
	t1 = now();
	json_set_alloc_funcs(malloc, free);
	arena_reset();
	free(arena);
	printf("files %lu valid %lu invalid %lu errors %lu seconds %.4f per-file-us %.1f\n", files,
	       valid, invalid, errors, t1 - t0, files ? (t1 - t0) * 1e6 / (double)files : 0.0);
	for (i = 0; i < nnames; i++) {
		if (docs)
			json_decref(docs[i]);
		free(names[i]);
	}
	free(docs);
	free(names);
	jd_buf_release(&b);
	jd_schema_free(s);
	jd_schema_registry_free(reg);
	return errors ? 3 : invalid ? 1 : 0;
}
