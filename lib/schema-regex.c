/*
 * ECMA-262 regular expressions (as JSON Schema's "pattern" and "format":
 * "regex" mean them) on PCRE2 in UTF mode. ECMA-isms are translated:
 * \d \w \b stay ASCII (no PCRE2_UCP), \s takes ECMA's Unicode white space,
 * '.' excludes exactly ECMA's line terminators, $ matches only at the end,
 * \uXXXX and \u{X...} are understood, [] and [^] are the empty and the
 * full class, escapes ECMA does not have (\a \e \z \A \Q ...) are errors.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "internal.h"
#include "schema-int.h"

#define ECMA_SPACE "\\s\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff"

/*
 * JIT compiling costs more than a few matches save, so a pattern is
 * interpreted until it has been matched JIT_AFTER times; then a copy is
 * JIT-compiled and published atomically. The schema stays shareable by
 * threads: the code they match with is never changed in place.
 */
#define JIT_AFTER 32

struct jd_re {
	pcre2_code *code;
	_Atomic(pcre2_code *) jit;
	atomic_uint uses;
	int may_jit;
	char *src;
};

/* ECMA's long General_Category names and "gc=", "sc=" forms, in PCRE2's spelling. */
static int property(struct jd_buf *out, char pn, const char *name, size_t len)
{
	static const char *const gc[][2] = {
		{"Letter", "L"},
		{"Cased_Letter", "L&"},
		{"Uppercase_Letter", "Lu"},
		{"Lowercase_Letter", "Ll"},
		{"Titlecase_Letter", "Lt"},
		{"Modifier_Letter", "Lm"},
		{"Other_Letter", "Lo"},
		{"Mark", "M"},
		{"Combining_Mark", "M"},
		{"Nonspacing_Mark", "Mn"},
		{"Spacing_Mark", "Mc"},
		{"Enclosing_Mark", "Me"},
		{"Number", "N"},
		{"Decimal_Number", "Nd"},
		{"digit", "Nd"},
		{"Letter_Number", "Nl"},
		{"Other_Number", "No"},
		{"Punctuation", "P"},
		{"punct", "P"},
		{"Connector_Punctuation", "Pc"},
		{"Dash_Punctuation", "Pd"},
		{"Open_Punctuation", "Ps"},
		{"Close_Punctuation", "Pe"},
		{"Initial_Punctuation", "Pi"},
		{"Final_Punctuation", "Pf"},
		{"Other_Punctuation", "Po"},
		{"Symbol", "S"},
		{"Math_Symbol", "Sm"},
		{"Currency_Symbol", "Sc"},
		{"Modifier_Symbol", "Sk"},
		{"Other_Symbol", "So"},
		{"Separator", "Z"},
		{"Space_Separator", "Zs"},
		{"Line_Separator", "Zl"},
		{"Paragraph_Separator", "Zp"},
		{"Other", "C"},
		{"Control", "Cc"},
		{"cntrl", "Cc"},
		{"Format", "Cf"},
		{"Unassigned", "Cn"},
		{"Private_Use", "Co"},
		{"Surrogate", "Cs"},
	};
	static const char *const prefixes[] = {
		"General_Category=", "gc=", "Script=", "sc=", "Script_Extensions=", "scx="};
	size_t i;
	int rc;

	for (i = 0; i < JD_ARRAY_SIZE(prefixes); i++) {
		size_t pl = strlen(prefixes[i]);
		if (len > pl && !strncmp(name, prefixes[i], pl)) {
			name += pl;
			len -= pl;
			break;
		}
	}
	rc = jd_buf_addc(out, '\\', NULL) || jd_buf_addc(out, pn, NULL) ||
	     jd_buf_addc(out, '{', NULL);
	for (i = 0; i < JD_ARRAY_SIZE(gc); i++) {
		if (strlen(gc[i][0]) == len && !strncmp(gc[i][0], name, len)) {
			name = gc[i][1];
			len = strlen(name);
			break;
		}
	}
	return rc || jd_buf_add(out, name, len, NULL) || jd_buf_addc(out, '}', NULL);
}

/* Copies pat into out, translated; -1 with msg on an escape ECMA lacks. */
static int translate(const char *pat, size_t len, struct jd_buf *out, char *msg, size_t size)
{
	size_t i;
	int in_class = 0;

	for (i = 0; i < len; i++) {
		char c = pat[i];
		int rc = 0;

		if (c == '\\') {
			char n;
			if (i + 1 >= len) {
				snprintf(msg, size, "\\ at end of pattern");
				return -1;
			}
			n = pat[++i];
			switch (n) {
			case 's':
				rc = jd_buf_adds(out, in_class ? ECMA_SPACE : "[" ECMA_SPACE "]",
						 NULL);
				break;
			case 'S':
				/* NEEDSWORK: \S inside a class keeps PCRE2's ASCII meaning */
				rc = jd_buf_adds(out, in_class ? "\\S" : "[^" ECMA_SPACE "]", NULL);
				break;
			case 'v': rc = jd_buf_adds(out, "\\x0b", NULL); break;
			case 'p':
			case 'P':
				if (i + 1 < len && pat[i + 1] == '{') {
					size_t e = i + 2;
					while (e < len && pat[e] != '}')
						e++;
					if (e >= len) {
						snprintf(msg, size, "unterminated \\%c{", n);
						return -1;
					}
					rc = property(out, n, pat + i + 2, e - i - 2);
					i = e;
					break;
				}
				rc = jd_buf_addc(out, '\\', NULL) || jd_buf_addc(out, n, NULL);
				break;
			case 'd':
			case 'D':
			case 'w':
			case 'W':
			case 'b':
			case 'B':
			case 'f':
			case 'n':
			case 'r':
			case 't':
			case 'c':
			case 'u':
			case 'x':
			case 'k':
			case '0':
			case '1':
			case '2':
			case '3':
			case '4':
			case '5':
			case '6':
			case '7':
			case '8':
			case '9':
				if (in_class && n == 'b') {
					rc = jd_buf_adds(out, "\\x08", NULL);
					break;
				}
				rc = jd_buf_addc(out, '\\', NULL) || jd_buf_addc(out, n, NULL);
				break;
			default:
				if ((n >= 'a' && n <= 'z') || (n >= 'A' && n <= 'Z')) {
					snprintf(msg, size, "'\\%c' is not an ECMA-262 escape", n);
					return -1;
				}
				rc = jd_buf_addc(out, '\\', NULL) || jd_buf_addc(out, n, NULL);
				break;
			}
		} else if (in_class) {
			if (c == ']')
				in_class = 0;
			rc = jd_buf_addc(out, c, NULL);
		} else if (c == '[') {
			in_class = 1;
			rc = jd_buf_addc(out, c, NULL);
			if (i + 1 < len && pat[i + 1] == '^')
				rc = rc || jd_buf_addc(out, pat[++i], NULL);
			if (i + 1 < len && pat[i + 1] == ']') {
				/* ECMA: [] matches nothing, [^] anything (PCRE2_ALLOW_EMPTY_CLASS) */
				rc = rc || jd_buf_addc(out, pat[++i], NULL);
				in_class = 0;
			}
		} else if (c == '(' && i + 1 < len && pat[i + 1] == '?') {
			/* ECMA groups: (?: (?= (?! (?<= (?<! (?<name> -- not (?i) (?P< (?# (?> */
			const char *g = pat + i + 2;
			size_t left = len - i - 2;
			int okg = left >= 1 && (g[0] == ':' || g[0] == '=' || g[0] == '!');
			if (!okg && left >= 2 && g[0] == '<')
				okg = g[1] == '=' || g[1] == '!' || g[1] == '_' || g[1] == '$' ||
				      ((g[1] | 0x20) >= 'a' && (g[1] | 0x20) <= 'z');
			if (!okg) {
				snprintf(msg, size, "'(?%.1s' is not an ECMA-262 group",
					 left ? g : "");
				return -1;
			}
			rc = jd_buf_addc(out, c, NULL);
		} else if (c == '.') {
			rc = jd_buf_adds(out, "[^\\n\\r\\u2028\\u2029]", NULL);
		} else {
			rc = jd_buf_addc(out, c, NULL);
		}
		if (rc) {
			snprintf(msg, size, "out of memory");
			return -1;
		}
	}
	return 0;
}

struct jd_re *jd_re_compile(const char *pat, size_t len, int jit, char *msg, size_t size)
{
	struct jd_buf b = JD_BUF_INIT(1 << 20);
	struct jd_re *re = NULL;
	pcre2_compile_context *cc = NULL;
	int errcode;
	PCRE2_SIZE erroff;

	if (translate(pat, len, &b, msg, size) < 0)
		goto fail;
	if (!b.data && jd_buf_adds(&b, "", NULL) < 0)
		goto oom;
	re = calloc(1, sizeof(*re));
	cc = pcre2_compile_context_create(NULL);
	if (!re || !cc)
		goto oom;
	re->src = jd_strndup(pat, len);
	if (!re->src)
		goto oom;
	pcre2_set_compile_extra_options(cc, PCRE2_EXTRA_ALT_BSUX);
	pcre2_set_parens_nest_limit(cc, 250);
	re->code = pcre2_compile((PCRE2_SPTR)b.data, b.len,
				 PCRE2_UTF | PCRE2_DOLLAR_ENDONLY | PCRE2_ALT_BSUX |
					 PCRE2_ALLOW_EMPTY_CLASS | PCRE2_NEVER_BACKSLASH_C,
				 &errcode, &erroff, cc);
	if (!re->code) {
		PCRE2_UCHAR m[160];
		pcre2_get_error_message(errcode, m, sizeof(m));
		snprintf(msg, size, "%s", (char *)m);
		goto fail;
	}
	re->may_jit = jit;
	atomic_init(&re->jit, NULL);
	atomic_init(&re->uses, 0);
	pcre2_compile_context_free(cc);
	jd_buf_release(&b);
	return re;
oom:
	snprintf(msg, size, "out of memory");
fail:
	pcre2_compile_context_free(cc);
	jd_re_free(re);
	jd_buf_release(&b);
	return NULL;
}

void jd_re_free(struct jd_re *re)
{
	if (!re)
		return;
	pcre2_code_free(atomic_load(&re->jit));
	pcre2_code_free(re->code);
	free(re->src);
	free(re);
}

const char *jd_re_source(const struct jd_re *re)
{
	return re->src;
}

struct re_scratch {
	pcre2_match_data *md;
	pcre2_match_context *mc;
	unsigned long limit;
};

void jd_re_scratch_free(void *p)
{
	struct re_scratch *s = p;

	if (!s)
		return;
	pcre2_match_data_free(s->md);
	pcre2_match_context_free(s->mc);
	free(s);
}

int jd_re_match(const struct jd_re *re, const char *s, size_t len, unsigned long limit,
		void **scratch, char *msg, size_t size)
{
	struct re_scratch *sc = *scratch;
	const pcre2_code *code;
	int rc;

	if (!sc) {
		sc = calloc(1, sizeof(*sc));
		if (!sc)
			goto oom;
		*scratch = sc;
		sc->md = pcre2_match_data_create(1, NULL);
		sc->mc = pcre2_match_context_create(NULL);
		if (!sc->md || !sc->mc)
			goto oom;
		sc->limit = 0;
	}
	if (sc->limit != limit) {
		pcre2_set_match_limit(sc->mc,
				      (uint32_t)(limit > 0xffffffffUL ? 0xffffffffUL : limit));
		pcre2_set_depth_limit(sc->mc, 10000);
		pcre2_set_heap_limit(sc->mc, 20000); /* KiB */
		sc->limit = limit;
	}
	code = atomic_load_explicit(&((struct jd_re *)re)->jit, memory_order_acquire);
	if (!code) {
		code = re->code;
		if (re->may_jit && atomic_fetch_add_explicit(&((struct jd_re *)re)->uses, 1,
							     memory_order_relaxed) == JIT_AFTER) {
			/* one caller sees JIT_AFTER exactly: it builds the JIT copy */
			pcre2_code *j = pcre2_code_copy(re->code);
			if (j && pcre2_jit_compile(j, PCRE2_JIT_COMPLETE) == 0)
				atomic_store_explicit(&((struct jd_re *)re)->jit, j,
						      memory_order_release);
			else
				pcre2_code_free(j); /* the interpreter then */
		}
	}
	rc = pcre2_match(code, (PCRE2_SPTR)s, len, 0, 0, sc->md, sc->mc);
	if (rc >= 0)
		return 1;
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
	    rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT) {
		snprintf(msg, size, "pattern '%.80s' is too costly to match (PCRE2 limit reached)",
			 re->src);
		return -1;
	}
	{
		PCRE2_UCHAR m[160];
		pcre2_get_error_message(rc, m, sizeof(m));
		snprintf(msg, size, "pattern '%.80s' could not be matched: %s", re->src, (char *)m);
	}
	return -1;
oom:
	snprintf(msg, size, "out of memory");
	return -1;
}
