#ifndef JD_ERROR_H
#define JD_ERROR_H
#include <stddef.h>

/*
 * Error codes are the tools' exit codes (DESIGN.md, "Conventions").
 */
enum jd_code {
	JD_OK = 0,
	JD_EINVALID = 1,  /* the answer is no: invalid, mismatch */
	JD_EUSAGE = 2,	  /* bad options or arguments */
	JD_EINPUT = 3,	  /* input unreadable or unparsable */
	JD_EIO = 4,	  /* local I/O */
	JD_EREMOTE = 5,	  /* network, HTTP error */
	JD_EINTERNAL = 70 /* a bug, or out of memory */
};

/*
 * A caller-owned error that carries the place. Fixed-size fields, so that
 * it can be filled when memory is gone. line and col are 1-based; 0 means
 * unknown. input is a file name ("-" for stdin, "" for none); pointer is
 * an RFC 6901 JSON pointer or "".
 */
struct jd_error {
	int code;
	unsigned line, col;
	char input[256];
	char pointer[256];
	char msg[512];
};

#if defined(__GNUC__)
#define JD_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define JD_PRINTF(a, b)
#endif

void jd_error_clear(struct jd_error *e);

/* Sets code and message, leaves the place as it is. Returns -1. */
int jd_error_set(struct jd_error *e, int code, const char *fmt, ...) JD_PRINTF(3, 4);

/* Sets code, place and message. input and pointer may be NULL. Returns -1. */
int jd_error_at(struct jd_error *e, int code, const char *input, unsigned line, unsigned col,
		const char *pointer, const char *fmt, ...) JD_PRINTF(7, 8);

/* Out of memory: JD_EINTERNAL. Returns -1. */
int jd_error_oom(struct jd_error *e);

/* Sets only the place fields (input may be NULL to keep it). */
void jd_error_place(struct jd_error *e, const char *input, unsigned line, unsigned col,
		    const char *pointer);

/*
 * "input:line:col: pointer: msg" with the parts that are known, into buf
 * (always NUL-terminated). Returns buf.
 */
char *jd_error_format(const struct jd_error *e, char *buf, size_t size);

/*
 * Appends OpenSSL's error queue (most recent reason) to e->msg as ": reason"
 * and clears the queue.
 */
void jd_error_add_openssl(struct jd_error *e);

#endif
