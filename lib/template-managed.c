/*
 * The templater's managed templates (template-int.h): a spec naming one of
 * AWS's managed job templates has its documentParameters checked against
 * the template's, and the document devices receive is previewed on demand
 * by rendering the template's text with those values.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "managed.h"
#include "template-int.h"

/*
 * The test for control and format characters (documentParameters'
 * [^\p{C}]+), compiled once per process and shared by concurrent renders.
 */
static pthread_once_t re_once = PTHREAD_ONCE_INIT;
static pcre2_code *re_ctl;

static void re_init(void)
{
	int ec;
	PCRE2_SIZE eo;

	re_ctl = pcre2_compile((PCRE2_SPTR) "\\p{C}", PCRE2_ZERO_TERMINATED, PCRE2_UTF, &ec, &eo,
			       NULL);
}

static const pcre2_code *control_re(void)
{
	pthread_once(&re_once, re_init);
	return re_ctl;
}

/* 1 when s[0..n) is printable ASCII: no \p{C} in it, without asking PCRE2. */
static int printable_ascii(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return 0;
	return 1;
}

/*
 * A managed template's documentParameters against the template, and the
 * preview of the document AWS makes from them.
 */
int jd_tpl_check_managed(struct jd_render *r, const json_t *root)
{
	const json_t *arn = json_object_get(root, "jobTemplateArn"), *tpl, *dp, *decls, *d;
	char name[160], version[40], region[40];
	struct cur c = {&r->wspec, "/jobTemplateArn", 0, NULL, 0};
	const char *key;
	struct jd_ph_problem pr;
	const pcre2_code *ctl = NULL;
	size_t i;
	json_t *v;
	int ret = -1;

	if (!json_is_string(arn) ||
	    jd_managed_arn(json_string_value(arn), name, version, region, 40) != 1)
		return 0;
	if (strlen(json_string_value(arn)) > 150)
		return 0;
	tpl = jd_managed_find(name, version, r->err);
	if (!tpl && r->validating) {
		/* the validator's schemas for managed templates say it (lib/validate) */
		jd_error_clear(r->err);
		return 0;
	}
	if (!tpl) {
		char msg[sizeof(r->err->msg)];
		jd_strlcpy(msg, r->err->msg, sizeof(msg));
		return jd_tpl_fail_at(r, &c, 0, "%s", msg);
	}
	r->managed = 1;
	r->has_doc = 1;
	r->is_text = 1;
	r->managed_tpl = tpl;
	dp = json_object_get(root, "documentParameters");
	decls = json_object_get(tpl, "documentParameters");
	if (dp && !json_is_object(dp)) {
		c.ptr = "/documentParameters";
		return jd_tpl_fail_at(r, &c, 0, "documentParameters is a mapping of key: value");
	}
	ctl = control_re();
	if (!ctl)
		return jd_error_oom(r->err);
	if (r->validating)
		goto done; /* checked by the validator, with every finding at once */
	json_object_foreach((json_t *)dp, key, v)
	{
		char ptr[300];
		const json_t *decl = jd_managed_param(tpl, key);
		const char *re = json_string_value(json_object_get(decl, "regex"));
		const char *s;
		size_t n, chars;
		pcre2_match_data *md;
		int rc;

		snprintf(ptr, sizeof(ptr), "/documentParameters/%.200s", key);
		c.ptr = ptr;
		c.key = 1;
		if (!decl) {
			const char *names[16], *close;
			size_t k = 0;
			const json_t *x;
			json_array_foreach(decls, i, x)
			{
				if (k < JD_ARRAY_SIZE(names))
					names[k++] = json_string_value(json_object_get(x, "key"));
			}
			close = jd_closest(key, names, k);
			if (close)
				jd_tpl_fail_at(r, &c, 0,
					       "%s has no parameter '%.100s'; did you mean '%s'?",
					       name, key, close);
			else
				jd_tpl_fail_at(r, &c, 0, "%s has no parameter '%.100s'", name, key);
			goto out;
		}
		c.key = 0;
		if (!json_is_string(v)) {
			jd_tpl_fail_at(r, &c, 0, "documentParameters values are strings, not %s",
				       jd_tpl_kind_of(v));
			goto out;
		}
		s = json_string_value(v);
		n = json_string_length(v);
		c.s = s;
		c.slen = n;
		chars = jd_utf8_count(s, n);
		if (chars < 1 || chars > PARAM_VALUE_MAX) {
			jd_tpl_fail_at(r, &c, 0,
				       "the value of '%s' is %zu characters; AWS takes 1 to 30720",
				       key, chars);
			goto out;
		}
		md = printable_ascii(s, n) ? NULL : pcre2_match_data_create(1, NULL);
		rc = md ? pcre2_match(ctl, (PCRE2_SPTR)s, n, 0, 0, md, NULL) : -1;
		if (rc >= 0) {
			size_t at = pcre2_get_ovector_pointer(md)[0];
			pcre2_match_data_free(md);
			jd_tpl_fail_at(r, &c, at,
				       "the value of '%s' has a control or format character (byte "
				       "0x%02X); "
				       "AWS refuses them in documentParameters",
				       key, (unsigned char)s[at]);
			goto out;
		}
		pcre2_match_data_free(md);
		if (strpbrk(s, "\"\\")) {
			jd_tpl_fail_at(
				r, &c, (size_t)(strpbrk(s, "\"\\") - s),
				"the value of '%s' has '%c': AWS does not say it escapes it, so "
				"the "
				"document devices receive may not be JSON",
				key, *strpbrk(s, "\"\\"));
			goto out;
		}
		if (re) {
			char why[160];
			size_t at;
			int own, m;
			pcre2_code *cre = jd_tpl_re_get(re, &own, why, sizeof(why), &at);
			/* one PCRE2 cannot compile is not checked */
			m = cre ? jd_tpl_re_match(r, cre, s, n) : 1;
			if (own)
				pcre2_code_free(cre);
			if (m != 1) {
				jd_tpl_fail_at(r, &c, 0,
					       "the value of '%s' does not match %s's regex '%s'",
					       key, name, re);
				goto out;
			}
		}
	}
	c.ptr = dp ? "/documentParameters" : "/jobTemplateArn";
	c.key = 0;
	c.s = NULL;
	json_array_foreach(decls, i, d)
	{
		const char *k = json_string_value(json_object_get(d, "key"));
		if (!json_is_true(json_object_get(d, "optional")) && !json_object_get(dp, k)) {
			jd_tpl_fail_at(r, &c, 0, "%s needs parameter '%s' in documentParameters",
				       name, k);
			goto out;
		}
	}
done:
	/* the preview is made when asked for: jd_render_output() */
	r->managed_dp = dp;
	jd_strlcpy(r->managed_name, name, sizeof(r->managed_name));
	(void)pr;
	ret = 0;
out:
	return ret;
}

/* The device's view of a managed template: AWS's textual substitution. */
int jd_tpl_managed_preview(struct jd_render *r)
{
	const json_t *tpl = r->managed_tpl, *dp = r->managed_dp;
	const char *name = r->managed_name, *text;
	size_t tlen;
	int ret = -1;

	text = jd_managed_document(tpl, &tlen);
	if (!text)
		return jd_error_set(r->err, JD_EINTERNAL, "the document of %s is missing", name);
	r->text_before = jd_strndup(text, tlen);
	r->text_before_len = tlen;
	if (!r->text_before)
		return jd_error_oom(r->err);
	{
		struct where w = {NULL, text, tlen, name, 1};
		struct cur tc = {&w, NULL, 0, text, tlen};
		struct jd_render *m = jd_tpl_render_new(NULL, 0, NULL, NULL, r->err);
		json_t *tree = NULL;
		if (!m)
			goto out;
		if (!dp) {
			m->root = json_object(); /* no values: freed with m */
			if (!m->root) {
				jd_render_free(m);
				jd_error_oom(r->err);
				goto out;
			}
		}
		m->managed_values = dp ? dp : m->root;
		if (jd_tpl_render_doc_text(m, &tc, &tree) < 0) {
			jd_render_free(m);
			goto out;
		}
		r->text_after = m->text_after;
		r->text_after_len = m->text_after_len;
		m->text_after = NULL;
		json_decref(tree);
		jd_render_free(m);
	}
	ret = 0;
out:
	return ret;
}
