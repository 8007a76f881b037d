/*
 * lib/jsonparse.c against Jansson: every case under every combination of
 * the flags it handles must be accepted or refused as json_loadb does, with
 * the same tree (json_same: types, reals bit for bit, members in order) and,
 * from jd_json_parse, the same error. The parser alone (jd_json_parse_fast)
 * is checked too, since jd_json_parse hands a refused text to json_loadb.
 * Each case also pins what Jansson 2.14 does under the flags it names.
 */
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "jsonparse.h"
#include "../json-same.h"
#include "../fail-alloc.h"
#include "../tap.h"

#define ANY   JSON_DECODE_ANY
#define NODUP JSON_REJECT_DUPLICATES
#define NUL   JSON_ALLOW_NUL
#define S(x)  x, sizeof(x) - 1

static const size_t all_flags[] = {
	0, ANY, NODUP, NUL, ANY | NODUP, ANY | NUL, NODUP | NUL, ANY | NODUP | NUL,
};

static const struct {
	const char *in;
	size_t len;
	size_t flags; /* those under which want holds */
	int want;     /* 1: accepted, 0: refused */
	const char *name;
} cases[] = {
	/* grammar */
	{S("{}"), 0, 1, "empty object"},
	{S("[]"), 0, 1, "empty array"},
	{S(" \t\r\n[ 1 , 2 ]\r\n\t "), 0, 1, "whitespace: space, tab, CR, LF"},
	{S("{\"a\":1,\"b\":[true,false,null],\"c\":{\"d\":\"e\"}}"), 0, 1, "nested"},
	{S("[[[[]]],{},[{}]]"), 0, 1, "empty containers nested"},
	{S(""), ANY, 0, "empty input"},
	{S(" \n\t"), ANY, 0, "whitespace only"},
	{S("["), 0, 0, "unclosed array"},
	{S("{"), 0, 0, "unclosed object"},
	{S("]"), 0, 0, "lone ]"},
	{S("[1,]"), 0, 0, "trailing comma in array"},
	{S("[,1]"), 0, 0, "leading comma"},
	{S("[1 2]"), 0, 0, "missing comma"},
	{S("{\"a\"}"), 0, 0, "member without value"},
	{S("{\"a\":}"), 0, 0, "member with empty value"},
	{S("{\"a\" 1}"), 0, 0, "member without colon"},
	{S("{\"a\":1,}"), 0, 0, "trailing comma in object"},
	{S("{,}"), 0, 0, "comma alone in object"},
	{S("{1:2}"), 0, 0, "key not a string"},
	{S("{'a':1}"), 0, 0, "single quotes"},
	{S("[1]x"), 0, 0, "trailing garbage"},
	{S("[1] [2]"), 0, 0, "two texts"},
	{S("{}}"), 0, 0, "extra close"},
	{S("[1}"), 0, 0, "mismatched close"},
	{S("[\f]"), 0, 0, "form feed is not whitespace"},
	{S("[\v1]"), 0, 0, "vertical tab is not whitespace"},
	{S("\xef\xbb\xbf[]"), 0, 0, "byte order mark"},
	{S("[]\0"), 0, 0, "NUL after the text"},
	{S("\0[]"), 0, 0, "NUL before the text"},
	{S("[/* */]"), 0, 0, "comment"},
	/* the top level */
	{S("1"), 0, 0, "scalar at the top without JSON_DECODE_ANY"},
	{S("1"), ANY, 1, "integer at the top"},
	{S(" \"a\" "), ANY, 1, "string at the top"},
	{S("true"), ANY, 1, "true at the top"},
	{S("null"), ANY, 1, "null at the top"},
	{S("-1.5e3"), ANY, 1, "real at the top"},
	{S("1 2"), ANY, 0, "two scalars"},
	/* literals */
	{S("[true,false,null]"), 0, 1, "literals"},
	{S("[tru]"), 0, 0, "tru"},
	{S("[truex]"), 0, 0, "truex"},
	{S("[true1]"), 0, 0, "true1"},
	{S("[True]"), 0, 0, "True"},
	{S("[nul]"), 0, 0, "nul"},
	{S("[falsey]"), 0, 0, "falsey"},
	{S("[nan]"), 0, 0, "nan"},
	{S("tru"), ANY, 0, "tru at the end"},
	/* Jansson loses a NUL it reads past a number or a literal */
	{S("[1\0]"), 0, 1, "NUL after an integer is skipped"},
	{S("[1.5\0,2]"), 0, 1, "NUL after a real is skipped"},
	{S("[true\0]"), 0, 1, "NUL after true is skipped"},
	{S("null\0"), ANY, 1, "NUL after null at the end is skipped"},
	{S("[1\0\0]"), 0, 0, "two NULs after a number are not"},
	{S("[\"a\"\0]"), 0, 0, "NUL after a string is not"},
	{S("[1,\0 2]"), 0, 0, "NUL after a comma is not"},
	/* strings */
	{S("[\"\"]"), 0, 1, "empty string"},
	{S("[\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\"]"), 0, 1, "all short escapes"},
	{S("[\"\\u0041\\u00e9\\u20AC\\uFFFF\\ud83d\\ude00\\uDBFF\\uDFFF\"]"), 0, 1, "\\u escapes"},
	{S("[\"x\\u00e9y\\n\\\"z\\\\\"]"), 0, 1, "escapes between plain text"},
	{S("[\"\\x\"]"), 0, 0, "invalid escape \\x"},
	{S("[\"\\U0041\"]"), 0, 0, "\\U"},
	{S("[\"\\'\"]"), 0, 0, "\\'"},
	{S("[\"\\0\"]"), 0, 0, "\\0"},
	{S("[\"\\u004\"]"), 0, 0, "\\u with three digits"},
	{S("[\"\\u00g0\"]"), 0, 0, "\\u with a non-hex digit"},
	{S("[\"\\u12"), 0, 0, "\\u cut by the end"},
	{S("[\"\\ud800\"]"), 0, 0, "lone high surrogate"},
	{S("[\"\\ud800x\"]"), 0, 0, "high surrogate then a character"},
	{S("[\"\\ud800\\u0041\"]"), 0, 0, "high surrogate then not a low one"},
	{S("[\"\\ud800\\ud800\"]"), 0, 0, "two high surrogates"},
	{S("[\"\\ud800\\n\"]"), 0, 0, "high surrogate then \\n"},
	{S("[\"\\udc00\"]"), 0, 0, "lone low surrogate"},
	{S("[\"\\udc00\\ud800\"]"), 0, 0, "surrogates reversed"},
	{S("[\"a\\u0000b\"]"), NUL, 1, "\\u0000 with JSON_ALLOW_NUL"},
	{S("[\"a\\u0000b\"]"), ANY | NODUP, 0, "\\u0000 without JSON_ALLOW_NUL"},
	{S("{\"a\\u0000\":1}"), NUL, 0, "\\u0000 in a key, even with JSON_ALLOW_NUL"},
	{S("{\"a\\u0000\":1}"), 0, 0, "\\u0000 in a key"},
	{S("[\"a\x01z\"]"), 0, 0, "control character 0x01"},
	{S("[\"a\nz\"]"), 0, 0, "raw newline"},
	{S("[\"a\tz\"]"), 0, 0, "raw tab"},
	{S("[\"\x1f\"]"), 0, 0, "control character 0x1f"},
	{S("[\"a\0z\"]"), NUL, 0, "raw NUL in a string"},
	{S("[\"\x7f\"]"), 0, 1, "DEL is not a control character"},
	{S("[\"0123456789abcdef\x01\"]"), 0, 0, "control character past a word"},
	{S("[\"0123456\\n89abcdef01234\\\\x\"]"), 0, 1, "escapes across words"},
	{S("[\"abc"), 0, 0, "unterminated string"},
	{S("[\"abc\\"), 0, 0, "unterminated after a backslash"},
	{S("[\"abc\\\"]"), 0, 0, "escaped closing quote"},
	/* UTF-8 */
	{S("[\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf\"]"), 0, 1, "UTF-8"},
	{S("[\"\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf\xf0\x90\x80\x80\"]"), 0, 1, "UTF-8 bounds"},
	{S("[\"\xc0\xaf\"]"), 0, 0, "overlong 2 bytes (C0)"},
	{S("[\"\xc1\xbf\"]"), 0, 0, "overlong 2 bytes (C1)"},
	{S("[\"\xe0\x80\xaf\"]"), 0, 0, "overlong 3 bytes"},
	{S("[\"\xf0\x80\x80\xaf\"]"), 0, 0, "overlong 4 bytes"},
	{S("[\"\xed\xa0\x80\"]"), 0, 0, "surrogate in UTF-8"},
	{S("[\"\xf4\x90\x80\x80\"]"), 0, 0, "above U+10FFFF"},
	{S("[\"\xf5\x80\x80\x80\"]"), 0, 0, "F5"},
	{S("[\"\xff\"]"), 0, 0, "FF"},
	{S("[\"\x80\"]"), 0, 0, "lone continuation byte"},
	{S("[\"\xe2\x82\"]"), 0, 0, "sequence cut by the quote"},
	{S("[\"\xe2\x82"), 0, 0, "sequence cut by the end"},
	{S("[\xc3\xa9]"), 0, 0, "UTF-8 outside a string"},
	{S("{\"\xc3\xa9\":\"\xe2\x82\xac\"}"), 0, 1, "UTF-8 key"},
	/* numbers */
	{S("[0,-0,1,-1,123,-123]"), 0, 1, "integers"},
	{S("[9223372036854775807,-9223372036854775808]"), 0, 1, "integer bounds"},
	{S("[9223372036854775808]"), 0, 0, "too big integer"},
	{S("[-9223372036854775809]"), 0, 0, "too big negative integer"},
	{S("[99999999999999999999]"), 0, 0, "20-digit integer"},
	{S("[0.5,-0.0,0.0,1e5,1E5,1e+5,1e-5,1.5e10,-2.5E-3]"), 0, 1, "reals"},
	{S("[1.0,1e0,10e-1]"), 0, 1, "reals that are whole"},
	{S("[1.7976931348623157e308,-1.7976931348623157e308]"), 0, 1, "largest reals"},
	{S("[4.9e-324,2.2250738585072014e-308,2.225073858507201e-308]"), 0, 1, "tiny reals"},
	{S("[1e-400,-1e-400,0e-99999,0e99999]"), 0, 1, "underflow to zero is accepted"},
	{S("[1e309]"), 0, 0, "real overflow"},
	{S("[-1e309]"), 0, 0, "negative real overflow"},
	{S("[1.8e308]"), 0, 0, "just past the largest real"},
	{S("[123456789012345678901234567890.0]"), 0, 1, "long mantissa"},
	{S("[0.1,0.2,0.30000000000000004,1e22,1e23,9007199254740993.0]"), 0, 1,
	 "reals that round"},
	{S("[1.00000000000000011102230246251565404236316680908203125]"), 0, 1, "a halfway real"},
	{S("[123456789012345.6,1234567890123456.7,0.000001234567890123]"), 0, 1,
	 "15 and more digits"},
	{S("[1e22,1e-22,123e20,123e-25,999999999999999e22]"), 0, 1, "the exact-power edge"},
	{S("[01]"), 0, 0, "leading zero"},
	{S("[-01]"), 0, 0, "negative leading zero"},
	{S("[00]"), 0, 0, "00"},
	{S("[0.0e00]"), 0, 1, "zeros in fraction and exponent"},
	{S("[+1]"), 0, 0, "plus sign"},
	{S("[.5]"), 0, 0, "no integer part"},
	{S("[5.]"), 0, 0, "no fraction digits"},
	{S("[5.e3]"), 0, 0, "no fraction digits before e"},
	{S("[1e]"), 0, 0, "no exponent digits"},
	{S("[1e+]"), 0, 0, "no exponent digits after +"},
	{S("[1e-]"), 0, 0, "no exponent digits after -"},
	{S("[-]"), 0, 0, "minus alone"},
	{S("[--1]"), 0, 0, "two minus signs"},
	{S("[0x10]"), 0, 0, "hexadecimal"},
	{S("[1.5.5]"), 0, 0, "two points"},
	{S("[Infinity]"), 0, 0, "Infinity"},
	{S("[-Infinity]"), 0, 0, "-Infinity"},
	{S("[NaN]"), 0, 0, "NaN"},
	{S("-"), ANY, 0, "minus alone at the top"},
	{S("12"), ANY, 1, "integer ending the text"},
	{S("1.5"), ANY, 1, "real ending the text"},
	{S("1e5"), ANY, 1, "exponent ending the text"},
	/* objects */
	{S("{\"a\":1,\"a\":2}"), 0, 1, "duplicate key: the last wins"},
	{S("{\"a\":1,\"a\":2}"), NODUP, 0, "duplicate key with JSON_REJECT_DUPLICATES"},
	{S("{\"a\":1,\"b\":2,\"a\":{\"c\":[]}}"), 0, 1, "duplicate key keeps its place"},
	{S("{\"a\":{\"x\":1},\"a\":[2]}"), NODUP, 0, "duplicate key with a container"},
	{S("{\"a\":1,\"\\u0061\":2}"), NODUP, 0, "duplicate key spelled with an escape"},
	{S("{\"a\":1,\"A\":2,\"a \":3}"), NODUP, 1, "keys that only look alike"},
	{S("[{\"a\":1},{\"a\":2}]"), NODUP, 1, "the same key in two objects"},
	{S("{\"a\":{\"a\":{\"a\":1}}}"), NODUP, 1, "the same key nested"},
	{S("{\"\":1}"), 0, 1, "empty key"},
	{S("{\"\\n\\u00e9\\\"\":1}"), 0, 1, "key with escapes"},
};

static char *dumps(const json_t *v)
{
	return v ? json_dumps(v, JSON_ENCODE_ANY) : NULL;
}

/* Compares jd_json_parse and jd_json_parse_fast with json_loadb; 1 if same. */
static int compare(const char *in, size_t len, size_t flags, int *accepted)
{
	json_error_t ea, eb;
	json_t *a = json_loadb(in, len, flags, &ea);
	json_t *b = jd_json_parse_fast(in, len, flags);
	json_t *c = jd_json_parse(in, len, flags, &eb);
	int same = !a == !b && json_same(a, b) && json_same(a, c) && ea.line == eb.line &&
		   ea.column == eb.column && ea.position == eb.position &&
		   !strcmp(ea.source, eb.source) && (a || !strcmp(ea.text, eb.text));

	if (!same) {
		char *sa = dumps(a), *sb = dumps(b), *sc = dumps(c);
		diag("flags 0x%zx: json_loadb %s (%d:%d@%d %s), parser %s, jd_json_parse %s "
		     "(%d:%d@%d %s)",
		     flags, sa ? sa : "fails", ea.line, ea.column, ea.position, ea.text,
		     sb ? sb : "fails", sc ? sc : "fails", eb.line, eb.column, eb.position,
		     eb.text);
		free(sa);
		free(sb);
		free(sc);
	}
	*accepted = a != NULL;
	json_decref(a);
	json_decref(b);
	json_decref(c);
	return same;
}

static void table(void)
{
	size_t i, k;

	for (i = 0; i < JD_ARRAY_SIZE(cases); i++) {
		int same = 1, accepted, want_ok = 1;
		for (k = 0; k < JD_ARRAY_SIZE(all_flags); k++) {
			same &= compare(cases[i].in, cases[i].len, all_flags[k], &accepted);
			if (all_flags[k] == cases[i].flags && accepted != cases[i].want) {
				diag("Jansson %s it", accepted ? "accepts" : "refuses");
				want_ok = 0;
			}
		}
		ok(same && want_ok, cases[i].name);
	}
}

/* Values, types and order, spelled out. */
static void values(void)
{
	json_t *v = jd_json_parse(S("{\"b\":1,\"a\":2.0,\"b\":[\"x\\u0000y\"],\"c\":-0.0}"),
				  JSON_ALLOW_NUL, NULL);
	char *s = dumps(v);
	json_t *b = json_object_get(v, "b");

	is_str(s, "{\"b\": [\"x\\u0000y\"], \"a\": 2.0, \"c\": -0.0}",
	       "the last duplicate wins in the first place");
	ok(json_is_real(json_object_get(v, "a")), "2.0 is a real");
	ok(json_string_length(json_array_get(b, 0)) == 3, "a NUL inside a string is kept");
	free(s);
	json_decref(v);
	v = jd_json_parse(S("[9223372036854775807,-9223372036854775808,1e-400,-1e-400]"), 0, NULL);
	ok(json_integer_value(json_array_get(v, 0)) == 9223372036854775807LL &&
		   json_integer_value(json_array_get(v, 1)) == -9223372036854775807LL - 1,
	   "integer bounds");
	ok(json_real_value(json_array_get(v, 2)) == 0.0 && !signbit(json_real_value(json_array_get(v, 2))) &&
		   signbit(json_real_value(json_array_get(v, 3))),
	   "underflow gives 0.0 and -0.0");
	json_decref(v);
}

/* Jansson's own errors, positions included, for a failed text. */
static void errors(void)
{
	static const struct {
		const char *in;
		size_t flags;
		int line, column, position;
		const char *text;
	} errs[] = {
		{"{\n  \"a\": tru\n}", 0, 2, 10, 12, "invalid token near 'tru'"},
		{"[1,\n 2,\n 01]", 0, 3, 2, 10, "invalid token near '0'"},
		{"{\"a\":1,\"a\":2}", JSON_REJECT_DUPLICATES, 1, 10, 10,
		 "duplicate object key near '\"a\"'"},
		{"[\"\\ud800\"]", 0, 1, 9, 9, "invalid Unicode '\\uD800' near '\"\\ud800\"'"},
		{"[9223372036854775808]", 0, 1, 20, 20,
		 "too big integer near '9223372036854775808'"},
		{"[1e309]", 0, 1, 6, 6, "real number overflow near '1e309'"},
		{"[\"a\\u0000\"]", 0, 1, 10, 10,
		 "\\u0000 is not allowed without JSON_ALLOW_NUL near '\"a\\u0000\"'"},
		{"1", 0, 1, 1, 1, "'[' or '{' expected near '1'"},
		{"", 0, 1, 0, 0, "'[' or '{' expected near end of file"},
		{"[1] x", 0, 1, 5, 5, "end of file expected near 'x'"},
	};
	size_t i;

	for (i = 0; i < JD_ARRAY_SIZE(errs); i++) {
		json_error_t e;
		json_t *v = jd_json_parse(errs[i].in, strlen(errs[i].in), errs[i].flags, &e);
		ok(!v && e.line == errs[i].line && e.column == errs[i].column &&
			   e.position == errs[i].position && !strcmp(e.text, errs[i].text) &&
			   !strcmp(e.source, "<buffer>"),
		   errs[i].text);
		if (v || e.line != errs[i].line || e.column != errs[i].column ||
		    e.position != errs[i].position || strcmp(e.text, errs[i].text))
			diag("got %d:%d@%d %s", e.line, e.column, e.position, e.text);
		json_decref(v);
	}
}

/* JSON_PARSER_MAX_DEPTH: 2048 values deep, scalars counted. */
static void depth(void)
{
	static char buf[4 * 100000 + 8];
	static const struct {
		int n;	   /* containers */
		int inner; /* a scalar in the innermost */
		int obj;   /* objects instead of arrays */
		int want;
	} d[] = {
		{2048, 0, 0, 1}, {2047, 1, 0, 1}, {2048, 1, 0, 0}, {2049, 0, 0, 0},
		{2047, 1, 1, 1}, {2048, 1, 1, 0}, {100000, 0, 0, 0},
	};
	size_t i;

	for (i = 0; i < JD_ARRAY_SIZE(d); i++) {
		const char *open = d[i].obj ? "{\"\":" : "[";
		size_t n = 0, k, opens = (size_t)d[i].n - !d[i].inner;
		int accepted, same;
		char name[64];
		/* the innermost is "[1]" or "{\"\":1}" with a scalar, else "[]" or "{}" */
		for (k = 0; k < opens; k++)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s", open);
		if (d[i].inner)
			buf[n++] = '1';
		else
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s", d[i].obj ? "{}" : "[]");
		for (k = 0; k < opens; k++)
			buf[n++] = d[i].obj ? '}' : ']';
		same = compare(buf, n, 0, &accepted);
		snprintf(name, sizeof(name), "%d %s%s deep", d[i].n, d[i].obj ? "objects" : "arrays",
			 d[i].inner ? " and a scalar" : "");
		ok(same && accepted == d[i].want, name);
	}
}

/* A text that fails is json_loadb's; flags beyond the three are too. */
static void fallback(void)
{
	json_error_t e;
	json_t *v = jd_json_parse(S("[1] x"), JSON_DISABLE_EOF_CHECK, &e);
	int accepted;

	ok(json_is_array(v), "JSON_DISABLE_EOF_CHECK goes to json_loadb");
	json_decref(v);
	v = jd_json_parse(S("[1, 2.0]"), JSON_DECODE_INT_AS_REAL, NULL);
	ok(json_is_real(json_array_get(v, 0)), "JSON_DECODE_INT_AS_REAL goes to json_loadb");
	json_decref(v);
	ok(!jd_json_parse(NULL, 0, 0, &e) && !strcmp(e.text, "wrong arguments"), "NULL text");
	v = jd_json_parse(S("  [1]\n"), 0, &e);
	ok(v && e.line == -1 && e.column == -1 && e.position == 6 && !e.text[0] &&
		   !strcmp(e.source, "<buffer>"),
	   "a success leaves the error as json_loadb does");
	json_decref(v);
	ok(compare(S("[1,\0]"), 0, &accepted) && !accepted, "not NUL-terminated: len counts");
	ok(compare("[1]]", 3, 0, &accepted) && accepted, "bytes past len are not read");
}

/* With another decimal point in the locale (when one is installed). */
static void locale_point(void)
{
	static const char *names[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "ru_RU.UTF-8"};
	size_t i;
	int accepted;

	for (i = 0; i < JD_ARRAY_SIZE(names); i++)
		if (setlocale(LC_NUMERIC, names[i]) && !strcmp(localeconv()->decimal_point, ","))
			break;
	if (i == JD_ARRAY_SIZE(names)) {
		ok(1, "# SKIP no locale with a decimal comma");
		setlocale(LC_NUMERIC, "C");
		return;
	}
	ok(compare(S("[1.5,0.1,123456789012345678901234567890.5,1e-400,1.2e5]"), 0, &accepted) &&
		   accepted,
	   "reals under a locale with a decimal comma");
	setlocale(LC_NUMERIC, "C");
}

/* Jansson's allocator failing at each allocation in turn: NULL, no leak. */
static void oom(void)
{
	static const char text[] = "{\"a\":[1,2.5,\"s\\n\",{\"b\":null}],\"c\":{\"d\":\"e\"},\"f\":[]}";
	json_t *want = json_loads(text, 0, NULL), *v = NULL;
	long i;
	int clean = 1;

	json_set_alloc_funcs(fail_malloc, free);
	for (i = 0; i < 1000; i++) {
		budget = i;
		v = jd_json_parse_fast(text, strlen(text), JSON_REJECT_DUPLICATES);
		budget = -1;
		if (v)
			break;
	}
	json_set_alloc_funcs(malloc, free);
	clean = v && json_same(v, want);
	ok(clean, "allocation failures");
	diag("%ld allocations", i);
	json_decref(v);
	json_decref(want);
}

int main(void)
{
	setlocale(LC_ALL, "C");
	table();
	values();
	errors();
	depth();
	fallback();
	locale_point();
	oom();
	return tap_done();
}
