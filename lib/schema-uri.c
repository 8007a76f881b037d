/* URI reference resolution (RFC 3986 section 5) and the node arena. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "internal.h"
#include "schema-int.h"

struct uparts {
	const char *scheme, *auth, *path, *query, *frag;
	size_t lscheme, lauth, lpath, lquery, lfrag;
	int has_scheme, has_auth, has_query, has_frag;
};

static void uri_split(const char *s, struct uparts *u)
{
	const char *p = s, *e;

	memset(u, 0, sizeof(*u));
	for (e = p; *e && (isalnum((unsigned char)*e) || *e == '+' || *e == '-' || *e == '.'); e++)
		;
	if (*e == ':' && e > p && isalpha((unsigned char)*p)) {
		u->has_scheme = 1;
		u->scheme = p;
		u->lscheme = (size_t)(e - p);
		p = e + 1;
	}
	if (p[0] == '/' && p[1] == '/') {
		p += 2;
		u->has_auth = 1;
		u->auth = p;
		u->lauth = strcspn(p, "/?#");
		p += u->lauth;
	}
	u->path = p;
	u->lpath = strcspn(p, "?#");
	p += u->lpath;
	if (*p == '?') {
		u->has_query = 1;
		u->query = ++p;
		u->lquery = strcspn(p, "#");
		p += u->lquery;
	}
	if (*p == '#') {
		u->has_frag = 1;
		u->frag = p + 1;
		u->lfrag = strlen(p + 1);
	}
}

int jd_uri_is_absolute(const char *s)
{
	struct uparts u;

	uri_split(s, &u);
	return u.has_scheme;
}

size_t jd_uri_nofrag_len(const char *uri)
{
	return strcspn(uri, "#");
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t jd_uri_pct_decode(char *s)
{
	char *r = s, *w = s;

	while (*r) {
		if (r[0] == '%' && hexval(r[1]) >= 0 && hexval(r[2]) >= 0) {
			*w++ = (char)(hexval(r[1]) * 16 + hexval(r[2]));
			r += 3;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
	return (size_t)(w - s);
}

/* RFC 3986 5.2.4, in place: every write lags the read position. */
static void remove_dots(char *p)
{
	size_t len = strlen(p), r = 0, w = 0;
	int lead = p[0] == '/';

	if (lead)
		r = 1;
	for (;;) {
		size_t e = r, sl;
		int last;

		while (e < len && p[e] != '/')
			e++;
		sl = e - r;
		last = e >= len;
		if (sl == 1 && p[r] == '.') {
			if (last)
				p[w++] = '/';
		} else if (sl == 2 && p[r] == '.' && p[r + 1] == '.') {
			while (w > 0 && p[w - 1] != '/')
				w--;
			if (w > 0)
				w--;
			if (last)
				p[w++] = '/';
		} else {
			if (lead || w > 0)
				p[w++] = '/';
			memmove(p + w, p + r, sl);
			w += sl;
		}
		if (last)
			break;
		r = e + 1;
	}
	p[w] = '\0';
}

static int addn(struct jd_buf *b, const char *s, size_t n)
{
	return jd_buf_add(b, s, n, NULL);
}

char *jd_uri_resolve(const char *base, const char *ref)
{
	struct uparts b, r;
	struct jd_buf out = JD_BUF_INIT(1 << 20), path = JD_BUF_INIT(1 << 20);
	const char *scheme, *auth = NULL, *query = NULL;
	size_t lscheme, lauth = 0, lquery = 0;
	int has_auth = 0, has_query = 0, rc = 0;
	char *ret = NULL;

	if (!base)
		base = "";
	uri_split(ref, &r);
	uri_split(base, &b);
	if (r.has_scheme) {
		scheme = r.scheme;
		lscheme = r.lscheme;
		has_auth = r.has_auth, auth = r.auth, lauth = r.lauth;
		rc |= addn(&path, r.path, r.lpath);
		has_query = r.has_query, query = r.query, lquery = r.lquery;
	} else {
		scheme = b.scheme;
		lscheme = b.has_scheme ? b.lscheme : 0;
		if (r.has_auth) {
			has_auth = 1, auth = r.auth, lauth = r.lauth;
			rc |= addn(&path, r.path, r.lpath);
			has_query = r.has_query, query = r.query, lquery = r.lquery;
		} else {
			has_auth = b.has_auth, auth = b.auth, lauth = b.lauth;
			if (!r.lpath) {
				rc |= addn(&path, b.path, b.lpath);
				if (r.has_query)
					has_query = 1, query = r.query, lquery = r.lquery;
				else
					has_query = b.has_query, query = b.query, lquery = b.lquery;
			} else {
				if (r.path[0] == '/') {
					rc |= addn(&path, r.path, r.lpath);
				} else {
					if (b.has_auth && !b.lpath) {
						rc |= addn(&path, "/", 1);
					} else {
						size_t k = b.lpath;
						while (k > 0 && b.path[k - 1] != '/')
							k--;
						rc |= addn(&path, b.path, k);
					}
					rc |= addn(&path, r.path, r.lpath);
				}
				has_query = r.has_query, query = r.query, lquery = r.lquery;
			}
		}
	}
	if (rc)
		goto out;
	if (path.data &&
	    (has_auth || (path.len && path.data[0] == '/') || r.has_scheme || b.has_scheme))
		remove_dots(path.data);
	if (lscheme) {
		rc |= addn(&out, scheme, lscheme);
		rc |= addn(&out, ":", 1);
	}
	if (has_auth) {
		rc |= addn(&out, "//", 2);
		rc |= addn(&out, auth, lauth);
	}
	if (path.data)
		rc |= addn(&out, path.data, strlen(path.data));
	if (has_query) {
		rc |= addn(&out, "?", 1);
		rc |= addn(&out, query, lquery);
	}
	if (r.has_frag && r.lfrag) {
		rc |= addn(&out, "#", 1);
		rc |= addn(&out, r.frag, r.lfrag);
	}
	if (rc)
		goto out;
	ret = jd_buf_detach(&out, NULL);
out:
	jd_buf_release(&out);
	jd_buf_release(&path);
	return ret;
}

/* ---- arena ---- */

struct jd_arena_block {
	struct jd_arena_block *next;
	size_t used, size;
	max_align_t data[];
};

void *jd_arena_alloc(struct jd_arena *a, size_t size)
{
	struct jd_arena_block *b = a->head;
	size_t al = sizeof(max_align_t), need = (size + al - 1) / al * al;
	void *p;

	if (!need)
		need = al;
	if (!b || b->size - b->used < need) {
		size_t bs = need > 16000 ? need : 16000;
		b = malloc(sizeof(*b) + bs);
		if (!b)
			return NULL;
		b->size = bs;
		b->used = 0;
		b->next = a->head;
		a->head = b;
	}
	p = (char *)b->data + b->used;
	b->used += need;
	memset(p, 0, need);
	return p;
}

char *jd_arena_strdup(struct jd_arena *a, const char *s, size_t len)
{
	char *p = jd_arena_alloc(a, len + 1);

	if (p) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

void jd_arena_release(struct jd_arena *a)
{
	while (a->head) {
		struct jd_arena_block *n = a->head->next;
		free(a->head);
		a->head = n;
	}
}
