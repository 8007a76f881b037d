/*
 * The templater's text documents (template-int.h): a job document kept as
 * JSON text (a spec's document: string, a document given as raw text, a
 * managed template's preview) rendered by substituting in the text, as AWS
 * does, then parsed, with a parse error's place mapped back to the source.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "jsonparse.h"
#include "json.h"
#include "template-int.h"

struct tseg {
	size_t out, src, srclen, outlen;
};

/*
 * Renders the JSON text c->s textually into out (see template.h). segs
 * (may be NULL) receives the substitutions, for mapping positions back.
 */
static int render_text_str(struct jd_render *r, const struct cur *c, struct jd_buf *out,
			   struct tseg **segs, size_t *nsegs)
{
	const char *t = c->s;
	size_t len = c->slen, i = 0, last = 0, k, strstart = 0, nseg = 0;
	unsigned char *whole = NULL, *instr = NULL;
	struct tseg *sg = NULL;
	int in = 0, n, ret = -1;

	/* the placeholders first, to know which are whole JSON strings */
	r->nph = 0;
	{
		struct jd_ph_problem pr;
		int x = jd_ph_scan(t, len, jd_tpl_collect, r, &pr);
		if (x == 2)
			return jd_error_oom(r->err);
		if (x)
			return jd_tpl_fail_at(r, c, pr.off, "%s", pr.msg);
	}
	if (jd_tpl_has_nested(r)) {
		char *xt = NULL;
		size_t xl = 0;
		if (jd_tpl_expand_nested(r, c, 1, &xt, &xl) < 0)
			return -1;
		if (xt) {
			struct cur c2 = *c;
			int x;
			c2.s = xt;
			c2.slen = xl;
			r->expanded++;
			x = render_text_str(r, &c2, out, segs, nsegs);
			r->expanded--;
			free(xt);
			return x;
		}
	}
	whole = calloc(r->nph + 1, 2);
	sg = calloc(r->nph + 1, sizeof(*sg));
	if (!whole || !sg) {
		jd_error_oom(r->err);
		goto out;
	}
	instr = whole + r->nph + 1;
	for (k = 0; k < r->nph; k++) {
		const struct jd_ph *ph = &r->phs[k];
		while (i < ph->start) {
			char ch = t[i];
			if (in) {
				if (ch == '\\')
					i++;
				else if (ch == '"')
					in = 0;
			} else if (ch == '"') {
				in = 1;
				strstart = i;
			}
			i++;
		}
		instr[k] = (unsigned char)in;
		whole[k] = (unsigned char)(in ? strstart + 1 == ph->start && ph->end < len &&
							   t[ph->end] == '"'
					      : 1);
		i = ph->end;
	}
	{
		/* jd_tpl_scan_checked's checks, with the whole flags from the lexer */
		size_t nph = r->nph;
		struct jd_ph *saved = malloc((nph + 1) * sizeof(*saved));
		if (!saved) {
			jd_error_oom(r->err);
			goto out;
		}
		if (nph)
			memcpy(saved, r->phs, nph * sizeof(*saved));
		n = jd_tpl_scan_checked(r, c, whole);
		if (nph)
			memcpy(r->phs, saved, nph * sizeof(*saved));
		r->nph = nph;
		free(saved);
		if (n < 0)
			goto out;
	}
	for (k = 0; k < r->nph; k++) {
		const struct jd_ph *ph = &r->phs[k];
		struct rparam *p;
		size_t from = ph->start, to = ph->end, o;

		if (ph->kind != JD_PH_PARAMETER)
			continue;
		p = jd_tpl_resolve_ph(r, c, ph);
		if (!p)
			goto out;
		if (r->keep)
			continue;
		if (instr[k] && whole[k]) {
			from--;
			to++;
		}
		if (jd_buf_add(out, t + last, from - last, r->err) < 0)
			goto out;
		o = out->len;
		if (instr[k] && whole[k]) {
			if (jd_json_dump(p->value, out, r->err) < 0)
				goto out;
		} else if (instr[k]) {
			size_t at = out->len;
			if (json_is_string(p->value)) {
				if (jd_json_string(json_string_value(p->value),
						   json_string_length(p->value), out, r->err) < 0)
					goto out;
				memmove(out->data + at, out->data + at + 1, out->len - at - 2);
				out->len -= 2;
				out->data[out->len] = '\0';
			} else if (jd_tpl_value_text(p->value, out, r->err) < 0) {
				if (!r->err->code)
					jd_tpl_fail_at(
						r, c, ph->start,
						"the value of '%s' is %s: it cannot be spliced "
						"into "
						"a JSON string",
						p->name, jd_tpl_kind_of(p->value));
				goto out;
			}
		} else if (json_is_string(p->value)) {
			/* unquoted: AWS's textual substitution puts the text as it is */
			if (jd_buf_add(out, json_string_value(p->value),
				       json_string_length(p->value), r->err) < 0)
				goto out;
		} else if (jd_json_dump(p->value, out, r->err) < 0) {
			goto out;
		}
		sg[nseg].out = o;
		sg[nseg].outlen = out->len - o;
		sg[nseg].src = from;
		sg[nseg].srclen = to - from;
		nseg++;
		last = to;
	}
	if (jd_buf_add(out, t + last, len - last, r->err) < 0)
		goto out;
	ret = 0;
	if (segs) {
		*segs = sg;
		*nsegs = nseg;
		sg = NULL;
	}
out:
	free(whole);
	free(sg);
	return ret;
}

/* The source offset of rendered byte pos. */
static size_t map_back(const struct tseg *sg, size_t n, size_t pos)
{
	size_t i, shift = 0;

	for (i = 0; i < n && sg[i].out <= pos; i++) {
		/* an error inside a value, or just after it (the token's end) */
		if (pos <= sg[i].out + sg[i].outlen + 1)
			return sg[i].src;
		shift = sg[i].src + sg[i].srclen - (sg[i].out + sg[i].outlen);
	}
	return pos + shift;
}

/* Renders a text document and parses it: *tree (new), r->text_after. */
int jd_tpl_render_doc_text(struct jd_render *r, const struct cur *c, json_t **tree)
{
	struct jd_buf out = JD_BUF_INIT((size_t)16 << 20);
	struct tseg *sg = NULL;
	size_t nsg = 0;
	json_error_t je;
	json_t *t = NULL;
	int ret = -1;

	*tree = NULL;
	if (render_text_str(r, c, &out, &sg, &nsg) < 0)
		goto out;
	if (r->keep) {
		t = jd_json_parse(c->s, c->slen, JSON_REJECT_DUPLICATES, NULL);
		r->text_after = jd_strndup(c->s, c->slen);
		r->text_after_len = c->slen;
		if (!r->text_after) {
			jd_error_oom(r->err);
			goto out;
		}
		*tree = t;
		ret = 0;
		goto out;
	}
	t = jd_json_parse(out.data ? out.data : "", out.len, JSON_REJECT_DUPLICATES, &je);
	if (!t) {
		jd_tpl_fail_at(r, c, map_back(sg, nsg, (size_t)je.position),
			       "after substitution the document is not JSON: %s", je.text);
		goto out;
	}
	if (!json_is_object(t)) {
		jd_tpl_fail_at(r, c, 0, "after substitution the document is %s, not a JSON object",
			       jd_tpl_kind_of(t));
		goto out;
	}
	r->text_after = jd_buf_detach(&out, &r->text_after_len);
	*tree = t;
	t = NULL;
	ret = 0;
out:
	if (ret < 0)
		json_decref(t);
	jd_buf_release(&out);
	free(sg);
	return ret;
}
