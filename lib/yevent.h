#ifndef JD_YEVENT_H
#define JD_YEVENT_H
/*
 * YAML parse events as the loader consumes them, from either libyaml or the
 * fast scanner (lib/yfast.c). Internal to the loader.
 */
#include <stddef.h>

enum yev_type {
	YEV_NONE,
	YEV_STREAM_START,
	YEV_STREAM_END,
	YEV_DOC_START,
	YEV_DOC_END,
	YEV_SEQ_START,
	YEV_SEQ_END,
	YEV_MAP_START,
	YEV_MAP_END,
	YEV_SCALAR,
	YEV_ALIAS
};

struct yev {
	enum yev_type type;
	unsigned line, col; /* start mark: 0-based line, column in characters */
	const char *value;  /* scalar text (NUL-terminated), or the alias's anchor */
	size_t len;
	int plain;	    /* scalar: plain style */
	int flow;	    /* collection: flow style */
	const char *tag;    /* as resolved by libyaml ("tag:yaml.org,2002:str"), or NULL */
	const char *anchor; /* or NULL */
};

/* Returns 0 to go on, -1 to stop (the handler's error). */
typedef int (*jd_yev_fn)(void *ctx, const struct yev *ev);

#define JD_YFAST_BAIL 2

/*
 * Parses data (valid UTF-8, no NUL) if it is within the subset the fast
 * scanner knows, handing each event to fn exactly as libyaml would give it
 * (same order, marks, values and styles). Returns 0 when done, -1 when fn
 * failed, JD_YFAST_BAIL when the input (or an error in it) is beyond the
 * subset: then the events given so far are to be thrown away.
 */
int jd_yfast_parse(const char *data, size_t len, jd_yev_fn fn, void *ctx);

/* libyaml's events for data, for comparison in tests: 0, or -1 (a parse error or fn's). */
int jd_ylib_parse(const char *data, size_t len, jd_yev_fn fn, void *ctx);

#endif
