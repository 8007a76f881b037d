#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "internal.h"

void jd_error_clear(struct jd_error *e)
{
	if (!e)
		return;
	memset(e, 0, sizeof(*e));
}

static void vset(struct jd_error *e, int code, const char *fmt, va_list ap)
{
	e->code = code;
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
}

int jd_error_set(struct jd_error *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return -1;
	va_start(ap, fmt);
	vset(e, code, fmt, ap);
	va_end(ap);
	return -1;
}

void jd_error_place(struct jd_error *e, const char *input, unsigned line, unsigned col,
		    const char *pointer)
{
	if (!e)
		return;
	if (input)
		jd_strlcpy(e->input, input, sizeof(e->input));
	e->line = line;
	e->col = col;
	jd_strlcpy(e->pointer, pointer ? pointer : "", sizeof(e->pointer));
}

int jd_error_at(struct jd_error *e, int code, const char *input, unsigned line, unsigned col,
		const char *pointer, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return -1;
	jd_error_place(e, input ? input : "", line, col, pointer);
	va_start(ap, fmt);
	vset(e, code, fmt, ap);
	va_end(ap);
	return -1;
}

int jd_error_oom(struct jd_error *e)
{
	return jd_error_set(e, JD_EINTERNAL, "out of memory");
}

char *jd_error_format(const struct jd_error *e, char *buf, size_t size)
{
	size_t n = 0;

	if (!size)
		return buf;
	buf[0] = '\0';
#define ADD(...)                                                                \
	do {                                                                    \
		int r_ = snprintf(buf + n, size - n, __VA_ARGS__);              \
		if (r_ > 0)                                                     \
			n += (size_t)r_ < size - n ? (size_t)r_ : size - n - 1; \
	} while (0)
	if (e->input[0]) {
		ADD("%s:", e->input);
		if (e->line) {
			ADD("%u:", e->line);
			if (e->col)
				ADD("%u:", e->col);
		}
		ADD(" ");
	}
	if (e->pointer[0])
		ADD("%s: ", e->pointer);
	ADD("%s", e->msg[0] ? e->msg : "unknown error");
#undef ADD
	return buf;
}
