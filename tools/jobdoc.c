/* jobdoc VERB ...: runs jobdoc-VERB from this program's directory or PATH, as git does. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

static const char *const verbs[][2] = {
	{"compile", "compile YAML job specs into CreateJob request JSON"},
	{"validate", "validate specs, requests and job documents"},
	{"render", "resolve substitution parameters in a document"},
	{"sign", "hash and sign firmware files"},
	{"verify", "verify a file's signature, or a request against its artifacts"},
	{"upload", "upload files (or a job document) to S3"},
	{"presign", "make presigned S3 GET/PUT URLs"},
	{"publish", "create the job (CreateJob over SigV4), idempotently"},
	{"get", "GetJobDocument / DescribeJob"},
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: jobdoc VERB [ARGS...]\n"
		   "       jobdoc --help | --version\n\n"
		   "jobdoc VERB runs jobdoc-VERB. The tools:\n");
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		fprintf(f, "  %-10s %s\n", verbs[i][0], verbs[i][1]);
	fprintf(f, "\n'jobdoc-VERB --help' (or 'man jobdoc-VERB') describes each.\n\n%s",
		jd_exit_codes_help);
}

int main(int argc, char **argv)
{
	char self[PATH_MAX], path[PATH_MAX + 200], name[128];
	const char *verb;
	ssize_t n;

	jd_tool_init("jobdoc");
	if (argc < 2) {
		usage(stderr);
		return JD_EUSAGE;
	}
	verb = argv[1];
	if (!strcmp(verb, "--help") || !strcmp(verb, "-h") || !strcmp(verb, "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(verb, "--version")) {
		jd_print_version();
		return 0;
	}
	if (verb[0] == '-' || strchr(verb, '/') || strlen(verb) > 64)
		jd_usage_error("unknown option or verb '%s'", verb);
	snprintf(name, sizeof(name), "jobdoc-%s", verb);
	argv[1] = name;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		char *slash;
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			snprintf(path, sizeof(path), "%s/%s", self, name);
			if (access(path, X_OK) == 0) {
				execv(path, argv + 1);
			}
		}
	}
	execvp(name, argv + 1);
	if (errno == ENOENT)
		jd_usage_error("'%s' is not a jobdoc verb; see 'jobdoc --help'", verb);
	fprintf(stderr, "jobdoc: cannot run %s: %s\n", name, strerror(errno));
	return JD_EINTERNAL;
}
