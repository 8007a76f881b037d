#ifndef JD_FINDING_H
#define JD_FINDING_H

/*
 * One finding of a check that can find many (schema validation, AWS rules,
 * template warnings). The library hands each to a callback; tools print them
 * (tools/common.c: text, json or github format). All strings are borrowed
 * for the duration of the callback only.
 */
enum jd_severity { JD_SEV_ERROR = 0, JD_SEV_WARNING = 1, JD_SEV_NOTE = 2 };

struct jd_finding {
	enum jd_severity severity;
	const char *rule;    /* "schema", or a named rule id ("aws-one-document-source") */
	const char *input;   /* file name, or "" */
	unsigned line, col;  /* 1-based; 0 = unknown */
	const char *pointer; /* instance location, JSON pointer ("" = root) */
	const char *keyword; /* schema keyword location ("/properties/x/type"), or NULL */
	const char *message; /* lowercase, one line, what is wrong first */
};

/* Return 0 to go on, non-zero to stop the check early. */
typedef int (*jd_finding_fn)(void *ctx, const struct jd_finding *f);

#endif
