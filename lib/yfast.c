/*
 * The fast scanner: the YAML that job specs are made of, read at memory
 * speed, with exactly the events libyaml gives for it.
 *
 * Why: libyaml reads about 20 MB/s here, and most of a spec's compile time
 * went into it. Specs use a small part of YAML: block mappings and
 * sequences, single-line plain and quoted scalars, comments, flow
 * collections. This scanner reads that part and nothing else: anything
 * beyond it (anchors, tags, block scalars, multi-line scalars, tabs, CR,
 * odd indentation, every error) makes it bail out, and libyaml reads the
 * input from the start. So the fast path never decides anything libyaml
 * would decide differently; tests/fuzz/fuzz-yfast.c and
 * tests/helpers/yfast-diff.c compare the two event by event.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "yevent.h"

#define BAIL	  JD_YFAST_BAIL
#define MAX_DEPTH 200
#define MAX_KEY	  1000 /* libyaml's simple keys end at 1024 characters */

#define TRY(x)                     \
	do {                       \
		int r_ = (x);      \
		if (r_)            \
			return r_; \
	} while (0)

struct fp {
	const char *s;
	size_t len, pos;
	size_t line_start; /* offset of the current line */
	unsigned line;	   /* 0-based */
	/* the content line the block parsers stand at */
	unsigned indent;
	int eof;    /* no more content */
	int marker; /* the content line is "---" or "..." */
	unsigned depth;
	size_t col_line, col_pos; /* col_at's last answer: col at col_pos */
	unsigned col;
	size_t eol_line, eol; /* the end of the line that starts at eol_line */
	jd_yev_fn fn;
	void *ctx;
	char *buf; /* scalar text, NUL-terminated */
	size_t cap;
};

/*
 * The column (in characters) of pos on the current line. Counted on from the
 * last answer when it can be, so long lines (minified JSON) stay linear.
 */
static unsigned col_at(struct fp *p, size_t pos)
{
	size_t i = p->line_start;
	unsigned c = 0;

	if (p->col_line == p->line_start && p->col_pos <= pos && p->col_pos >= p->line_start) {
		i = p->col_pos;
		c = p->col;
	}
	for (; i < pos; i++)
		c += ((unsigned char)p->s[i] & 0xc0) != 0x80;
	p->col_line = p->line_start;
	p->col_pos = pos;
	p->col = c;
	return c;
}

static int peek(const struct fp *p, size_t at)
{
	return at < p->len ? (unsigned char)p->s[at] : -1;
}

static int emit(struct fp *p, enum yev_type type, unsigned line, unsigned col, int flow)
{
	struct yev ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.line = line;
	ev.col = col;
	ev.flow = flow;
	return p->fn(p->ctx, &ev) < 0 ? -1 : 0;
}

static int reserve(struct fp *p, size_t n)
{
	if (n + 1 > p->cap) {
		size_t cap = p->cap ? p->cap : 256;
		char *b;
		while (cap < n + 1)
			cap *= 2;
		b = realloc(p->buf, cap);
		if (!b)
			return BAIL; /* libyaml will say out of memory, if it is */
		p->buf = b;
		p->cap = cap;
	}
	return 0;
}

static int emit_scalar(struct fp *p, unsigned line, unsigned col, const char *text, size_t n,
		       int plain)
{
	struct yev ev;

	if (text != p->buf) {
		TRY(reserve(p, n));
		memcpy(p->buf, text, n);
	}
	p->buf[n] = '\0';
	memset(&ev, 0, sizeof(ev));
	ev.type = YEV_SCALAR;
	ev.line = line;
	ev.col = col;
	ev.value = p->buf;
	ev.len = n;
	ev.plain = plain;
	return p->fn(p->ctx, &ev) < 0 ? -1 : 0;
}

/* ---- lines ---- */

static int is_marker(const struct fp *p, size_t at)
{
	int c;

	if (at + 3 > p->len || (memcmp(p->s + at, "---", 3) && memcmp(p->s + at, "...", 3)))
		return 0;
	c = peek(p, at + 3);
	return c == -1 || c == '\n' || c == ' ';
}

/*
 * From a line start, to the first character of the next line with content
 * (comments and blank lines are skipped); sets indent, eof and marker.
 */
static void next_content(struct fp *p)
{
	for (;;) {
		size_t i = p->pos;

		while (i < p->len && p->s[i] == ' ')
			i++;
		if (i >= p->len) {
			p->pos = i;
			p->eof = 1;
			return;
		}
		if (p->s[i] == '\n' || p->s[i] == '#') {
			const char *nl = memchr(p->s + i, '\n', p->len - i);
			if (!nl) {
				p->pos = p->len;
				p->eof = 1;
				return;
			}
			p->pos = (size_t)(nl - p->s) + 1;
			p->line++;
			p->line_start = p->pos;
			continue;
		}
		p->pos = i;
		p->indent = (unsigned)(i - p->line_start); /* spaces only: bytes = columns */
		p->marker = p->indent == 0 && is_marker(p, i);
		return;
	}
}

/*
 * After a value: only spaces and a comment may follow on the line. Moves to
 * the next line start. A '#' must follow a space to start a comment.
 */
static int end_of_line(struct fp *p)
{
	size_t i = p->pos;

	while (i < p->len && p->s[i] == ' ')
		i++;
	if (i < p->len && p->s[i] == '#' && (i == p->line_start || p->s[i - 1] == ' ')) {
		const char *nl = memchr(p->s + i, '\n', p->len - i);
		i = nl ? (size_t)(nl - p->s) : p->len;
	}
	if (i >= p->len) {
		p->pos = p->len;
		return 0;
	}
	if (p->s[i] != '\n')
		return BAIL;
	p->pos = i + 1;
	p->line++;
	p->line_start = p->pos;
	return 0;
}

/* ---- scalars ---- */

/* Characters that cannot start a plain scalar (the indicators). */
static int plain_start_ok(const struct fp *p, size_t at, int flow)
{
	int c = peek(p, at), n = peek(p, at + 1);

	switch (c) {
	case '-':
	case '?':
	case ':':
		/* "-5" is a plain scalar; "- " is not */
		if (n == -1 || n == ' ' || n == '\n')
			return 0;
		if (flow && (n == ',' || n == '[' || n == ']' || n == '{' || n == '}'))
			return 0;
		return c == '-'; /* leave "?x" and ":x" to libyaml */
	case ',':
	case '[':
	case ']':
	case '{':
	case '}':
	case '#':
	case '&':
	case '*':
	case '!':
	case '|':
	case '>':
	case '\'':
	case '"':
	case '%':
	case '@':
	case '`':
	case -1:
	case '\n':
	case ' ': return 0;
	}
	return 1;
}

/*
 * A plain scalar in block context from p->pos to the end of the line (or
 * " #"). It may not hold ": " or end in ':' (libyaml: a mapping value is not
 * allowed there), nor go on to the next line (checked by the caller).
 */
static int block_plain(struct fp *p, size_t *end)
{
	size_t i = p->pos, last = p->pos;

	for (; i < p->len && p->s[i] != '\n'; i++) {
		char c = p->s[i];
		if (c == ':' && (i + 1 >= p->len || p->s[i + 1] == ' ' || p->s[i + 1] == '\n'))
			return BAIL;
		if (c == '#' && p->s[i - 1] == ' ')
			break;
		if (c != ' ')
			last = i + 1;
	}
	*end = last;
	return 0;
}

/*
 * A quoted scalar on one line, starting at the quote; decoded into p->buf,
 * its length in *n. Leaves p->pos after the closing quote.
 */
static int quoted(struct fp *p, size_t *n)
{
	char q = p->s[p->pos];
	size_t i = p->pos + 1, o = 0;

	/* decoded text is never longer than its line (whose end is kept) */
	if (p->eol_line != p->line_start || p->eol < p->pos) {
		const char *nl = memchr(p->s + p->pos, '\n', p->len - p->pos);
		p->eol = nl ? (size_t)(nl - p->s) : p->len;
		p->eol_line = p->line_start;
	}
	TRY(reserve(p, p->eol - p->pos));
	for (;;) {
		char c;

		if (i >= p->len || p->s[i] == '\n')
			return BAIL; /* multi-line: folding is libyaml's */
		c = p->s[i];
		if (q == '\'') {
			if (c == '\'') {
				if (peek(p, i + 1) == '\'') {
					p->buf[o++] = '\'';
					i += 2;
					continue;
				}
				break;
			}
			p->buf[o++] = c;
			i++;
			continue;
		}
		if (c == '"')
			break;
		if (c != '\\') {
			p->buf[o++] = c;
			i++;
			continue;
		}
		if (i + 1 >= p->len)
			return BAIL;
		switch (p->s[i + 1]) {
		case '"': p->buf[o++] = '"'; break;
		case '\\': p->buf[o++] = '\\'; break;
		case '/': p->buf[o++] = '/'; break;
		case 'b': p->buf[o++] = '\b'; break;
		case 'f': p->buf[o++] = '\f'; break;
		case 'n': p->buf[o++] = '\n'; break;
		case 'r': p->buf[o++] = '\r'; break;
		case 't': p->buf[o++] = '\t'; break;
		case 'a': p->buf[o++] = '\a'; break;
		case 'e': p->buf[o++] = '\x1b'; break;
		case 'v': p->buf[o++] = '\v'; break;
		case 'x':
		case 'u':
		case 'U': {
			int w = p->s[i + 1] == 'x' ? 2 : p->s[i + 1] == 'u' ? 4 : 8;
			unsigned cp;
			if (i + 2 + (size_t)w > p->len || jd_hex_value(p->s + i + 2, w, &cp) < 0 ||
			    cp == 0 || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
				return BAIL;
			o += jd_utf8_put(p->buf + o, cp);
			i += (size_t)w;
			break;
		}
		default: return BAIL; /* \0 \N \_ \L \P "\ " and line continuations */
		}
		i += 2;
	}
	*n = o;
	p->pos = i + 1;
	return 0;
}

/* ---- flow collections ---- */

/* Spaces, newlines and comments inside a flow collection. */
static int flow_space(struct fp *p, int multiline)
{
	for (;;) {
		int c = peek(p, p->pos);
		if (c == ' ') {
			p->pos++;
		} else if (c == '\n') {
			if (!multiline)
				return BAIL;
			p->pos++;
			p->line++;
			p->line_start = p->pos;
			if (is_marker(p, p->pos))
				return BAIL; /* "---" in a flow collection */
		} else if (c == '#' && p->pos > p->line_start && p->s[p->pos - 1] != ' ') {
			return BAIL;
		} else if (c == '#') {
			const char *nl = memchr(p->s + p->pos, '\n', p->len - p->pos);
			p->pos = nl ? (size_t)(nl - p->s) : p->len;
		} else {
			return 0;
		}
	}
}

static int flow_node(struct fp *p, int multiline);

/* A scalar in a flow collection; key != 0 when it is a flow mapping's key. */
static int flow_scalar(struct fp *p, int key)
{
	unsigned line = p->line, col = col_at(p, p->pos);
	size_t start = p->pos, i, last, n;
	int c = peek(p, p->pos);

	if (c == '"' || c == '\'') {
		TRY(quoted(p, &n));
		return emit_scalar(p, line, col, p->buf, n, 0);
	}
	if (!plain_start_ok(p, p->pos, 1))
		return BAIL;
	for (i = last = start; i < p->len; i++) {
		c = (unsigned char)p->s[i];
		if (c == ',' || c == '[' || c == ']' || c == '{' || c == '}' || c == '\n')
			break;
		if (c == ':') {
			if (!key)
				return BAIL;
			break;
		}
		if (c == '#' && p->s[i - 1] == ' ')
			break;
		if (c != ' ')
			last = i + 1;
	}
	if (key && (i >= p->len || p->s[i] != ':'))
		return BAIL; /* {a} and friends */
	p->pos = last;
	return emit_scalar(p, line, col, p->s + start, last - start, 1);
}

static int flow_seq(struct fp *p, int multiline)
{
	TRY(emit(p, YEV_SEQ_START, p->line, col_at(p, p->pos), 1));
	p->pos++;
	TRY(flow_space(p, multiline));
	if (peek(p, p->pos) != ']') {
		for (;;) {
			TRY(flow_node(p, multiline));
			TRY(flow_space(p, multiline));
			if (peek(p, p->pos) == ']')
				break;
			if (peek(p, p->pos) != ',')
				return BAIL;
			p->pos++;
			TRY(flow_space(p, multiline));
			if (peek(p, p->pos) == ']')
				return BAIL; /* a trailing comma: libyaml's call */
		}
	}
	p->pos++;
	return emit(p, YEV_SEQ_END, p->line, col_at(p, p->pos), 1);
}

static int flow_map(struct fp *p, int multiline)
{
	TRY(emit(p, YEV_MAP_START, p->line, col_at(p, p->pos), 1));
	p->pos++;
	TRY(flow_space(p, multiline));
	if (peek(p, p->pos) != '}') {
		for (;;) {
			int c = peek(p, p->pos), quoted_key = c == '"' || c == '\'';
			TRY(flow_scalar(p, 1));
			if (quoted_key) {
				while (peek(p, p->pos) == ' ')
					p->pos++;
			}
			if (peek(p, p->pos) != ':')
				return BAIL;
			p->pos++;
			c = peek(p, p->pos);
			/* JSON's "a":1 is YAML too, after a quoted key; a:1 is one scalar */
			if (!quoted_key && c != ' ' && c != '\n')
				return BAIL;
			TRY(flow_space(p, multiline));
			c = peek(p, p->pos);
			if (c == ',' || c == '}')
				return BAIL; /* an empty value */
			TRY(flow_node(p, multiline));
			TRY(flow_space(p, multiline));
			if (peek(p, p->pos) == '}')
				break;
			if (peek(p, p->pos) != ',')
				return BAIL;
			p->pos++;
			TRY(flow_space(p, multiline));
			if (peek(p, p->pos) == '}')
				return BAIL;
		}
	}
	p->pos++;
	return emit(p, YEV_MAP_END, p->line, col_at(p, p->pos), 1);
}

static int flow_node(struct fp *p, int multiline)
{
	int c = peek(p, p->pos), r;

	if (c != '[' && c != '{')
		return flow_scalar(p, 0);
	if (++p->depth > MAX_DEPTH)
		return BAIL;
	r = c == '[' ? flow_seq(p, multiline) : flow_map(p, multiline);
	p->depth--;
	return r;
}

/* ---- block collections ---- */

static int block_map(struct fp *p, unsigned ind);
static int block_seq(struct fp *p, unsigned ind);

static int is_dash(const struct fp *p, size_t at)
{
	int n = peek(p, at + 1);
	return peek(p, at) == '-' && (n == ' ' || n == '\n' || n == -1);
}

/*
 * Is there a key at p->pos: a quoted scalar or a plain one followed by ':'
 * and a space or the line's end? *colon is set to the colon's offset.
 */
static int key_ahead(const struct fp *p, size_t *colon)
{
	size_t i = p->pos;
	int c = peek(p, i);

	if (c == '"' || c == '\'') {
		for (i++; i < p->len && p->s[i] != '\n'; i++) {
			if (p->s[i] == '\\' && c == '"') {
				i++;
				continue;
			}
			if (p->s[i] == c) {
				if (c == '\'' && peek(p, i + 1) == '\'') {
					i++;
					continue;
				}
				break;
			}
		}
		if (i >= p->len || p->s[i] != c)
			return 0;
		for (i++; peek(p, i) == ' '; i++)
			;
	} else {
		for (; i < p->len && p->s[i] != '\n'; i++) {
			if (p->s[i] == ':' && (peek(p, i + 1) == ' ' || peek(p, i + 1) == '\n' ||
					       peek(p, i + 1) == -1))
				break;
			if (p->s[i] == '#' && i > p->pos && p->s[i - 1] == ' ')
				return 0;
		}
	}
	if (peek(p, i) != ':')
		return 0;
	c = peek(p, i + 1);
	if (c != ' ' && c != '\n' && c != -1)
		return 0;
	*colon = i;
	return 1;
}

/* A block node at the content line p stands at (indent p->indent). */
static int block_node(struct fp *p)
{
	size_t colon;

	if (++p->depth > MAX_DEPTH)
		return BAIL;
	if (is_dash(p, p->pos))
		TRY(block_seq(p, p->indent));
	else if (key_ahead(p, &colon))
		TRY(block_map(p, p->indent));
	else
		return BAIL; /* a scalar on a line of its own, and the rest */
	p->depth--;
	return 0;
}

/*
 * A value after "key:" or "- " on the same line: a flow collection (on this
 * line), a quoted or a plain scalar. Then the line ends, and the next
 * content line may not be indented deeper than ind (a continuation).
 */
static int inline_value(struct fp *p, unsigned ind)
{
	unsigned line = p->line, col = col_at(p, p->pos);
	int c = peek(p, p->pos);
	size_t n, end;

	if (c == '[' || c == '{') {
		TRY(flow_node(p, 0));
	} else if (c == '"' || c == '\'') {
		TRY(quoted(p, &n));
		TRY(emit_scalar(p, line, col, p->buf, n, 0));
	} else {
		if (!plain_start_ok(p, p->pos, 0))
			return BAIL;
		TRY(block_plain(p, &end));
		TRY(emit_scalar(p, line, col, p->s + p->pos, end - p->pos, 1));
		p->pos = end;
	}
	TRY(end_of_line(p));
	next_content(p);
	if (!p->eof && !p->marker && p->indent > ind)
		return BAIL;
	return 0;
}

/* Nothing after "key:" or "-" on its line: the value is below, or empty. */
static int value_below(struct fp *p, unsigned ind, unsigned eline, unsigned ecol, int in_map)
{
	TRY(end_of_line(p));
	next_content(p);
	if (!p->eof && !p->marker &&
	    (p->indent > ind || (in_map && p->indent == ind && is_dash(p, p->pos))))
		return block_node(p);
	return emit_scalar(p, eline, ecol, "", 0, 1);
}

static int block_map(struct fp *p, unsigned ind)
{
	TRY(emit(p, YEV_MAP_START, p->line, col_at(p, p->pos), 0));
	for (;;) {
		unsigned line = p->line, col = col_at(p, p->pos);
		size_t colon, n;
		int c = peek(p, p->pos);

		if (is_dash(p, p->pos) || !key_ahead(p, &colon))
			return BAIL;
		if (c == '"' || c == '\'') {
			TRY(quoted(p, &n));
			TRY(emit_scalar(p, line, col, p->buf, n, 0));
		} else {
			size_t end = colon;
			if (!plain_start_ok(p, p->pos, 0))
				return BAIL;
			while (end > p->pos && p->s[end - 1] == ' ')
				end--;
			if (end == p->pos || col_at(p, colon) > MAX_KEY)
				return BAIL;
			TRY(emit_scalar(p, line, col, p->s + p->pos, end - p->pos, 1));
		}
		if (col_at(p, colon) > MAX_KEY)
			return BAIL;
		p->pos = colon + 1;
		while (peek(p, p->pos) == ' ')
			p->pos++;
		c = peek(p, p->pos);
		if (c == -1 || c == '\n' || (c == '#' && p->s[p->pos - 1] == ' '))
			TRY(value_below(p, ind, line, col_at(p, colon) + 1, 1));
		else
			TRY(inline_value(p, ind));
		if (p->eof || p->marker || p->indent < ind)
			break;
		if (p->indent > ind)
			return BAIL;
	}
	return emit(p, YEV_MAP_END, p->line, col_at(p, p->pos), 0);
}

static int block_seq(struct fp *p, unsigned ind)
{
	TRY(emit(p, YEV_SEQ_START, p->line, col_at(p, p->pos), 0));
	for (;;) {
		unsigned line = p->line, col = col_at(p, p->pos);
		size_t colon;
		int c;

		if (!is_dash(p, p->pos))
			return BAIL;
		p->pos++;
		while (peek(p, p->pos) == ' ')
			p->pos++;
		c = peek(p, p->pos);
		if (c == -1 || c == '\n' || (c == '#' && p->s[p->pos - 1] == ' ')) {
			TRY(value_below(p, ind, line, col + 1, 0));
		} else if (is_dash(p, p->pos)) {
			return BAIL; /* "- - x" */
		} else if (c != '[' && c != '{' && key_ahead(p, &colon)) {
			/* "- key: value": a mapping whose keys stand at this column */
			unsigned kcol = col_at(p, p->pos);
			if (++p->depth > MAX_DEPTH)
				return BAIL;
			TRY(block_map(p, kcol));
			p->depth--;
		} else {
			TRY(inline_value(p, ind));
		}
		if (p->eof || p->marker || p->indent < ind)
			break;
		if (p->indent > ind)
			return BAIL;
		if (!is_dash(p, p->pos))
			break; /* the next key of a mapping at this indent */
	}
	return emit(p, YEV_SEQ_END, p->line, col_at(p, p->pos), 0);
}

/* ---- documents ---- */

/* Bytes libyaml treats otherwise than plain text: the fast path leaves them alone. */
static int plain_input(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f)
			continue;
		if (c == '\n')
			continue;
		if (c < 0x80)
			return 0; /* tab, CR, controls, DEL */
		if (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] < 0xa0)
			return 0; /* C1 controls, NEL */
		if (c == 0xe2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
		    ((unsigned char)s[i + 2] == 0xa8 || (unsigned char)s[i + 2] == 0xa9))
			return 0; /* line and paragraph separators */
		if (c == 0xef && i + 2 < n && (unsigned char)s[i + 1] == 0xbb &&
		    (unsigned char)s[i + 2] == 0xbf)
			return 0; /* a byte order mark inside */
		if (c == 0xef && i + 2 < n && (unsigned char)s[i + 1] == 0xbf &&
		    (unsigned char)s[i + 2] >= 0xbe)
			return 0; /* U+FFFE, U+FFFF */
	}
	return 1;
}

static int stream(struct fp *p)
{
	TRY(emit(p, YEV_STREAM_START, 0, 0, 0));
	next_content(p);
	while (!p->eof) {
		unsigned dline, dcol;

		if (p->marker) {
			if (p->s[p->pos] != '-')
				return BAIL; /* "..." first */
			p->pos += 3;
			TRY(end_of_line(p));
			next_content(p);
			if (p->eof || p->marker)
				return BAIL; /* an empty document */
		}
		dline = p->line;
		dcol = col_at(p, p->pos);
		TRY(emit(p, YEV_DOC_START, dline, dcol, 0));
		if (peek(p, p->pos) == '[' || peek(p, p->pos) == '{') {
			TRY(flow_node(p, 1));
			TRY(end_of_line(p));
			next_content(p);
		} else {
			TRY(block_node(p));
		}
		if (!p->eof && !p->marker)
			return BAIL; /* something after the root node */
		TRY(emit(p, YEV_DOC_END, p->line, 0, 0));
		if (p->marker && p->s[p->pos] == '.') {
			p->pos += 3;
			TRY(end_of_line(p));
			next_content(p);
			if (!p->eof && !p->marker)
				return BAIL;
		}
	}
	return emit(p, YEV_STREAM_END, p->line, 0, 0);
}

int jd_yfast_parse(const char *data, size_t len, jd_yev_fn fn, void *ctx)
{
	struct fp p;
	int r;

	if (!plain_input(data, len))
		return BAIL;
	memset(&p, 0, sizeof(p));
	p.s = data;
	p.len = len;
	p.fn = fn;
	p.ctx = ctx;
	p.eol_line = (size_t)-1;
	r = stream(&p);
	free(p.buf);
	return r;
}
