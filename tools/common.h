#ifndef JD_TOOLS_COMMON_H
#define JD_TOOLS_COMMON_H
/*
 * Shared by the thin mains in tools/.
 *
 * To add a tool jobdoc-foo:
 *   1. tools/jobdoc-foo.c: parse options (getopt_long), call lib, print with
 *      the helpers below, return the error code as exit code. ~200 lines max.
 *      Call jd_tool_init() first; handle --help (print usage + jd_exit_codes_help,
 *      exit 0) and --version (jd_print_version()).
 *   2. The Makefile picks it up by wildcard (tools/jobdoc*.c).
 *   3. tools/jobdoc-foo.1: the man page (section 1, with an EXIT STATUS section).
 *   4. tests/cli/foo.t: a TAP script asserting exit code, stdout, stderr.
 *   5. Add it to the list in tools/jobdoc.c and to README.md.
 */
#include <stdio.h>

#include <jansson.h>

#include "error.h"
#include "finding.h"

extern const char *jd_prog; /* "jobdoc-compile", for messages */

/* The text every --help ends with. */
extern const char jd_exit_codes_help[];

void jd_tool_init(const char *name);
void jd_print_version(void);

/* "prog: msg" + "Try 'prog --help'." on stderr; exits 2. */
void jd_usage_error(const char *fmt, ...) JD_PRINTF(1, 2) __attribute__((noreturn));

/* Prints "prog: input:line:col: pointer: msg" on stderr; returns err->code (70 if 0). */
int jd_report_error(const struct jd_error *err);

/* "prog: warning: msg" on stderr. */
void jd_warn(const char *fmt, ...) JD_PRINTF(1, 2);

enum jd_format { JD_FMT_TEXT, JD_FMT_JSON, JD_FMT_GITHUB };
/* Parses "text", "json", "github"; exits 2 on anything else. */
enum jd_format jd_parse_format(const char *s);

/* --jobs N: 1..64, else a usage error (exit 2). */
unsigned jd_parse_jobs(const char *s);

/* --date TIME for the scheduling rules (seconds since the epoch), else exit 2. */
long long jd_parse_date(const char *s);

/* A log callback (lib/http, lib/iot) that prints "prog: line" on stderr. */
void jd_log_line(void *ctx, const char *line);

/*
 * Collects findings. text: one line each on stderr, git style; github:
 * workflow commands (::error file=..,line=..,col=..::msg) on stdout;
 * json: an array printed by jd_reporter_finish() on stdout.
 */
struct jd_reporter {
	enum jd_format format;
	unsigned errors, warnings;
	json_t *json; /* findings kept for the json format */
};
void jd_reporter_init(struct jd_reporter *r, enum jd_format format);
int jd_report_finding(void *reporter, const struct jd_finding *f); /* a jd_finding_fn */
/* Reports err as an error finding (for tools whose output is findings). */
void jd_report_error_finding(struct jd_reporter *r, const struct jd_error *err);
void jd_reporter_finish(struct jd_reporter *r);

/*
 * The parameter options of the tools that render, by option letter: 'p'
 * (-p NAME=VALUE), 'P' (-P FILE), 'B' (--device-budget), 'U' (--url-size),
 * 'g' (--region). A bad argument is a usage error (exit 2); an unreadable
 * -P file is reported and exits with its code.
 */
struct jd_params;
struct jd_load_opts;
void jd_param_option(struct jd_params *p, int opt, const char *arg, const struct jd_load_opts *lo);

/*
 * For jd_compile_opts.render_in_place in a tool that shows only the
 * rendered result: 1, or 0 when JD_TEST_RENDER_COPY is set in the
 * environment (the tests run the golden cases both ways, as git's
 * GIT_TEST_* variables force a code path).
 */
int jd_render_in_place(void);

/*
 * The connection options of the tools that call AWS IoT (jobdoc-publish,
 * jobdoc-get): --date, --endpoint, --region, --profile, --signing-name and
 * --verbose, as JD_IOT_CLI_LONGOPTS entries of a getopt_long table.
 * jd_iot_cli_option() takes one (1) or leaves it to the caller (0);
 * jd_iot_cli_client() starts the client (dry: never asks the container
 * credentials endpoint or IMDS) with a log on stderr for --verbose.
 */
/* clang-format off */
#define JD_IOT_CLI_LONGOPTS                                  \
	{"date", required_argument, NULL, 'D'},              \
	{"endpoint", required_argument, NULL, 'E'},          \
	{"region", required_argument, NULL, 'R'},            \
	{"profile", required_argument, NULL, 'F'},           \
	{"signing-name", required_argument, NULL, 'S'},      \
	{"verbose", no_argument, NULL, 'v'}
/* clang-format on */
struct jd_iot_cli {
	const char *date, *endpoint, *region, *profile, *signing;
	int verbose;
};
struct jd_iot_client;
int jd_iot_cli_option(struct jd_iot_cli *c, int opt, const char *arg);
int jd_iot_cli_client(const struct jd_iot_cli *c, int dry, struct jd_iot_client *cl,
		      struct jd_error *err);

/*
 * A prepared AWS IoT request (lib/iot.h) printed on stdout as HTTP/1.1 text,
 * exactly its bytes (no newline after the body), for --dry-run. Releases h.
 */
struct jd_iot_http;
int jd_print_http(struct jd_iot_http *h, struct jd_error *err);

/*
 * Findings kept to be reported later, in order (tools that work on many
 * files in parallel report each file's findings when its turn comes).
 * jd_finding_list_add is a jd_finding_fn; it copies the strings.
 */
struct jd_finding_list {
	struct jd_finding *items;
	size_t n, alloc;
};
int jd_finding_list_add(void *list, const struct jd_finding *f);
void jd_finding_list_add_error(struct jd_finding_list *l, const struct jd_error *err);
void jd_finding_list_replay(struct jd_finding_list *l, struct jd_reporter *r);
void jd_finding_list_release(struct jd_finding_list *l);

/*
 * Writes out to path atomically (or to stdout for NULL or "-"), adding a
 * trailing newline. Returns 0 or -1 with err set.
 */
int jd_write_output(const char *path, const char *data, size_t len, struct jd_error *err);

#endif
