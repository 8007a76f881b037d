/*
 * The JSON Schema validator's messages, pointers, keyword locations, API
 * options, registry, and hostile schemas (the official suite is in
 * test-jsts.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "../tap.h"
#include "schema.h"

struct got {
	unsigned n;
	char pointer[512], keyword[512], message[1024];
	unsigned line, col;
	char all[4096];
};

static int collect(void *ctx, const struct jd_finding *f)
{
	struct got *g = ctx;
	size_t l = strlen(g->all);

	if (!g->n++) {
		snprintf(g->pointer, sizeof(g->pointer), "%s", f->pointer);
		snprintf(g->keyword, sizeof(g->keyword), "%s", f->keyword ? f->keyword : "(null)");
		snprintf(g->message, sizeof(g->message), "%s", f->message);
		g->line = f->line;
		g->col = f->col;
	}
	snprintf(g->all + l, sizeof(g->all) - l, "%s: %s\n", f->pointer, f->message);
	return 0;
}

static json_t *J(const char *text)
{
	json_error_t je;
	json_t *j = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);

	if (!j)
		printf("# bad test JSON: %s: %s\n", text, je.text);
	return j;
}

/* Validates instance against schema; fills g; returns the validate result (-2: no compile). */
static int run(const char *schema, const char *instance, const struct jd_schema_options *o,
               struct got *g, struct jd_error *err)
{
	json_t *s = J(schema), *x = J(instance);
	struct jd_schema *c = NULL;
	struct jd_schema_report rep;
	int rc = -2, rc2;

	memset(g, 0, sizeof(*g));
	jd_error_clear(err);
	if (!s || !x)
		goto out;
	c = jd_schema_compile(NULL, s, o, err);
	if (!c)
		goto out;
	memset(&rep, 0, sizeof(rep));
	rep.fn = collect;
	rep.ctx = g;
	rc = jd_schema_validate(c, x, &rep, err);
	rc2 = jd_schema_check(c, x, err);
	if (rc >= 0 && rc2 != rc)
		printf("# check (%d) and validate (%d) disagree\n", rc2, rc);
out:
	jd_schema_free(c);
	json_decref(s);
	json_decref(x);
	return rc;
}

static const struct {
	const char *name, *schema, *instance, *pointer, *keyword, *message;
} cases[] = {
	{"type", "{\"type\":\"integer\"}", "\"x\"", "", "/type", "expected integer, got string"},
	{"type list", "{\"type\":[\"string\",\"null\"]}", "1", "", "/type",
	 "expected null or string, got integer"},
	{"pattern", "{\"properties\":{\"name\":{\"pattern\":\"^[a-z]+$\"}}}", "{\"name\":\"foo1\"}",
	 "/name", "/properties/name/pattern", "'foo1' does not match '^[a-z]+$'"},
	{"required", "{\"required\":[\"targets\"]}", "{}", "", "/required",
	 "missing required property 'targets'"},
	{"maxLength", "{\"maxLength\":64}",
	 "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"", "",
	 "/maxLength", "must have at most 64 characters, has 70"},
	{"maxLength counts code points", "{\"maxLength\":2}", "\"\\u00e9\\u00e9\\u00e9\"", "",
	 "/maxLength", "must have at most 2 characters, has 3"},
	{"minLength", "{\"minLength\":1}", "\"\"", "", "/minLength",
	 "must have at least 1 character, has 0"},
	{"did you mean", "{\"properties\":{\"targets\":{}},\"additionalProperties\":false}",
	 "{\"taregts\":[]}", "/taregts", "/additionalProperties",
	 "unknown property 'taregts' (did you mean 'targets'?)"},
	{"unknown property", "{\"properties\":{\"targets\":{}},\"additionalProperties\":false}",
	 "{\"zzz\":[]}", "/zzz", "/additionalProperties", "unknown property 'zzz'"},
	{"pointer escaping", "{\"additionalProperties\":{\"type\":\"string\"}}", "{\"a/b~c\":1}",
	 "/a~1b~0c", "/additionalProperties/type", "expected string, got integer"},
	{"$ref in keyword path",
	 "{\"$defs\":{\"n\":{\"type\":\"string\"}},\"properties\":{\"a\":{\"$ref\":\"#/$defs/n\"}}}",
	 "{\"a\":1}", "/a", "/properties/a/$ref/type", "expected string, got integer"},
	{"items index", "{\"items\":{\"type\":\"string\"}}", "[\"a\",2]", "/1", "/items/type",
	 "expected string, got integer"},
	{"prefixItems", "{\"prefixItems\":[{\"type\":\"string\"}],\"items\":false}", "[\"a\",2]", "/1",
	 "/items", "item 1 is not allowed here"},
	{"nested pointer",
	 "{\"properties\":{\"files\":{\"items\":{\"properties\":{\"filesize\":{\"type\":\"integer\"}}}}}}",
	 "{\"files\":[{\"filesize\":1},{\"filesize\":\"2\"}]}", "/files/1/filesize",
	 "/properties/files/items/properties/filesize/type", "expected integer, got string"},
	{"enum", "{\"enum\":[\"a\",\"b\",1]}", "\"x\"", "", "/enum", "'x' is not one of 'a', 'b', 1"},
	{"const", "{\"const\":\"on\"}", "\"off\"", "", "/const", "must be 'on'"},
	{"minimum", "{\"minimum\":5}", "3", "", "/minimum", "must be at least 5, is 3"},
	{"maximum real", "{\"maximum\":1.5}", "2", "", "/maximum", "must be at most 1.5, is 2"},
	{"exclusiveMinimum", "{\"exclusiveMinimum\":0}", "0", "", "/exclusiveMinimum",
	 "must be greater than 0, is 0"},
	{"multipleOf", "{\"multipleOf\":3}", "10", "", "/multipleOf", "must be a multiple of 3, is 10"},
	{"multipleOf exact on big integers", "{\"multipleOf\":3}", "9007199254740995", "",
	 "/multipleOf", "must be a multiple of 3, is 9007199254740995"},
	{"maxItems", "{\"maxItems\":1}", "[1,2]", "", "/maxItems", "must have at most 1 item, has 2"},
	{"uniqueItems", "{\"uniqueItems\":true}", "[1,{\"a\":[1]},{\"a\":[1.0]}]", "", "/uniqueItems",
	 "items must be unique: items 1 and 2 are equal"},
	{"contains", "{\"contains\":{\"const\":1}}", "[2]", "", "/contains",
	 "must contain an item that matches 'contains', has none"},
	{"maxProperties", "{\"maxProperties\":1}", "{\"a\":1,\"b\":2}", "", "/maxProperties",
	 "must have at most 1 property, has 2"},
	{"dependentRequired", "{\"dependentRequired\":{\"a\":[\"b\"]}}", "{\"a\":1}", "",
	 "/dependentRequired", "property 'a' requires property 'b'"},
	{"propertyNames", "{\"propertyNames\":{\"pattern\":\"^[a-z]+$\"}}", "{\"Foo\":1}", "/Foo",
	 "/propertyNames/pattern", "property name 'Foo': 'Foo' does not match '^[a-z]+$'"},
	{"oneOf none", "{\"oneOf\":[{\"type\":\"string\"},{\"type\":\"integer\"}]}", "null", "",
	 "/oneOf", "does not match any of the 2 schemas in 'oneOf'"},
	{"oneOf two", "{\"oneOf\":[{\"type\":\"number\"},{\"type\":\"integer\"}]}", "1", "", "/oneOf",
	 "matches both schema 0 and schema 1 of 'oneOf', must match exactly one"},
	{"anyOf", "{\"anyOf\":[{\"type\":\"string\"},{\"type\":\"integer\"}]}", "null", "", "/anyOf",
	 "does not match any of the 2 schemas in 'anyOf'"},
	{"not", "{\"not\":{\"type\":\"null\"}}", "null", "", "/not",
	 "must not match the schema in 'not'"},
	{"false schema", "{\"properties\":{\"a\":false}}", "{\"a\":1}", "/a", "/properties/a",
	 "property 'a' is not allowed"},
	{"unevaluatedProperties",
	 "{\"allOf\":[{\"properties\":{\"a\":{}}}],\"unevaluatedProperties\":false}",
	 "{\"a\":1,\"b\":2}", "/b", "/unevaluatedProperties", "unknown property 'b'"},
	{"if/then", "{\"if\":{\"required\":[\"a\"]},\"then\":{\"required\":[\"b\"]}}", "{\"a\":1}",
	 "", "/then/required", "missing required property 'b'"},
	{"long value cut", "{\"pattern\":\"^x\"}",
	 "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"",
	 "", "/pattern",
	 "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' does not match '^x'"},
	{"draft-07 by $schema",
	 "{\"$schema\":\"http://json-schema.org/draft-07/schema#\",\"items\":[{\"type\":\"string\"}],"
	 "\"additionalItems\":false}",
	 "[\"a\",1]", "/1", "/additionalItems", "item 1 is not allowed here"},
	{"draft-07 $ref overrides siblings",
	 "{\"$schema\":\"http://json-schema.org/draft-07/schema#\",\"definitions\":{\"s\":{\"type\":"
	 "\"string\"}},\"properties\":{\"a\":{\"$ref\":\"#/definitions/s\",\"maxLength\":1}}}",
	 "{\"a\":5}", "/a", "/properties/a/$ref/type", "expected string, got integer"},
	{"\\d is ASCII only", "{\"pattern\":\"^\\\\d+$\"}", "\"\\u0661\\u0662\"", "", "/pattern",
	 "'\\u0661\\u0662' does not match '^\\d+$'"},
};

static void test_cases(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct got g;
		struct jd_error err;
		char name[256];
		int rc = run(cases[i].schema, cases[i].instance, NULL, &g, &err);

		snprintf(name, sizeof(name), "%s: invalid", cases[i].name);
		if (!ok(rc == 1 && g.n >= 1, name))
			printf("#   rc %d, %u findings, err '%s'\n", rc, g.n, err.msg);
		snprintf(name, sizeof(name), "%s: pointer", cases[i].name);
		is_str(g.pointer, cases[i].pointer, name);
		snprintf(name, sizeof(name), "%s: keyword", cases[i].name);
		is_str(g.keyword, cases[i].keyword, name);
		snprintf(name, sizeof(name), "%s: message", cases[i].name);
		if (strstr(cases[i].message, "\\u")) {
			/* the instance's characters, as UTF-8 */
			ok(strstr(g.message, "does not match '^\\d+$'") != NULL, name);
		} else {
			is_str(g.message, cases[i].message, name);
		}
	}
}

static void test_valid(void)
{
	static const char *const v[][2] = {
		{"{\"const\":1}", "1.0"},
		{"{\"enum\":[[1,{\"a\":2}]]}", "[1.0,{\"a\":2.0}]"},
		{"{\"type\":\"integer\"}", "3.0"},
		{"{\"multipleOf\":0.01}", "4.23"},
		{"{\"format\":\"date\"}", "\"2020-13-01\""}, /* format is an annotation */
		{"{\"pattern\":\"^\\\\p{Letter}+$\"}", "\"\\u00e9t\\u00e9\""},
		{"{\"pattern\":\"^\\\\s$\"}", "\"\\u00a0\""},
		{"{\"pattern\":\"^.$\"}", "\"\\ud83d\\ude00\""},
		{"{\"maxLength\":1}", "\"\\ud83d\\ude00\""},
		{"true", "{\"anything\":[1]}"},
	};
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct got g;
		struct jd_error err;
		char name[256];
		int rc = run(v[i][0], v[i][1], NULL, &g, &err);
		snprintf(name, sizeof(name), "valid: %s with %s", v[i][0], v[i][1]);
		if (!ok(rc == 0 && g.n == 0, name))
			printf("#   rc %d: %s %s\n", rc, err.msg, g.all);
	}
}

static int fake_pos(void *ctx, const char *pointer, unsigned *line, unsigned *col)
{
	(void)ctx;
	if (!strcmp(pointer, "/document/a")) {
		*line = 12;
		*col = 7;
		return 0;
	}
	return -1;
}

static int stop_after_one(void *ctx, const struct jd_finding *f)
{
	(void)f;
	(*(unsigned *)ctx)++;
	return 1;
}

static void test_report_options(void)
{
	json_t *s = J("{\"properties\":{\"a\":{\"type\":\"string\"},\"b\":{\"type\":\"string\"}}}");
	json_t *x = J("{\"a\":1,\"b\":2}");
	struct jd_error err;
	struct jd_schema *c = jd_schema_compile(NULL, s, NULL, &err);
	struct jd_schema_report rep;
	struct got g;
	unsigned n = 0;

	ok(c != NULL, "compile with defaults");
	memset(&rep, 0, sizeof(rep));
	memset(&g, 0, sizeof(g));
	rep.fn = collect;
	rep.ctx = &g;
	rep.input = "job.yaml";
	rep.pos = fake_pos;
	rep.pointer_prefix = "/document";
	is_int(jd_schema_validate(c, x, &rep, &err), 1, "invalid");
	is_int(g.n, 2, "every finding reported");
	is_str(g.pointer, "/document/a", "pointer prefix");
	is_int(g.line, 12, "position resolver: line");
	is_int(g.col, 7, "position resolver: column");
	memset(&rep, 0, sizeof(rep));
	rep.fn = stop_after_one;
	rep.ctx = &n;
	is_int(jd_schema_validate(c, x, &rep, &err), 1, "stopped early: still invalid");
	is_int(n, 1, "callback's stop honoured");
	memset(&g, 0, sizeof(g));
	memset(&rep, 0, sizeof(rep));
	rep.fn = collect;
	rep.ctx = &g;
	rep.max_findings = 1;
	jd_schema_validate(c, x, &rep, &err);
	is_int(g.n, 1, "max_findings");
	is_int(jd_schema_check(c, x, &err), 1, "check: invalid");
	json_decref(x);
	x = J("{\"a\":\"x\"}");
	is_int(jd_schema_check(c, x, &err), 0, "check: valid");
	is_int(jd_schema_draft_of(c), JD_DRAFT_2020_12, "draft of a schema without $schema");
	jd_schema_free(c);
	json_decref(s);
	json_decref(x);
}

static void test_closest_branch(void)
{
	struct got g;
	struct jd_error err;

	is_int(run("{\"oneOf\":[{\"type\":\"object\",\"properties\":{\"documentSource\":"
	           "{\"type\":\"string\"}}},{\"type\":\"string\"}]}",
	           "{\"documentSource\":1}", NULL, &g, &err),
	       1, "oneOf: invalid");
	is_str(g.message, "does not match any of the 2 schemas in 'oneOf'; closest is schema 0:",
	       "oneOf: names the closest schema");
	ok(strstr(g.all, "/documentSource: expected string, got integer\n") != NULL,
	   "oneOf: then its findings");
	is_int(run("{\"anyOf\":[{\"type\":\"string\"},{\"type\":\"integer\"}]}", "[]", NULL,
	           &g, &err),
	       1, "anyOf of types: invalid");
	is_int(g.n, 1, "anyOf of types: no closest schema, one finding");
}

static void test_options(void)
{
	struct jd_schema_options o;
	struct got g;
	struct jd_error err;

	memset(&o, 0, sizeof(o));
	o.format_assert = 1;
	is_int(run("{\"format\":\"date\"}", "\"2020-13-01\"", &o, &g, &err), 1,
	       "format asserted on request");
	is_str(g.message, "'2020-13-01' is not a valid date", "format message");
	is_int(run("{\"format\":\"date-time\"}", "\"2020-02-29T10:00:00Z\"", &o, &g, &err), 0,
	       "leap day date-time");
	memset(&o, 0, sizeof(o));
	o.draft = JD_DRAFT_7;
	is_int(run("{\"items\":[{\"type\":\"string\"}]}", "[\"a\",1]", &o, &g, &err), 0,
	       "draft-07 by option: items array is a tuple");
	is_int(run("{\"dependencies\":{\"a\":[\"b\"]}}", "{\"a\":1}", &o, &g, &err), 1,
	       "draft-07 dependencies");
	is_str(g.keyword, "/dependencies", "draft-07 dependencies: keyword");

	is_int(jd_schema_format_check("ipv4", "10.0.0.1", 8), 1, "format_check ipv4");
	is_int(jd_schema_format_check("ipv4", "10.0.0.256", 10), 0, "format_check bad ipv4");
	is_int(jd_schema_format_check("nope", "x", 1), -1, "format_check unknown");
	is_int(jd_schema_format_check("uuid", "123e4567-e89b-12d3-a456-426614174000", 36), 1,
	       "format_check uuid");
	is_int(jd_schema_format_check("duration", "P1DT2H", 6), 1, "format_check duration");
	is_int(jd_schema_format_check("regex", "(", 1), 0, "format_check regex");
}

static void test_compile_errors(void)
{
	struct got g;
	struct jd_error err;
	struct jd_schema_options o;

	is_int(run("{\"properties\":{\"a\":{\"pattern\":\"([\"}}}", "1", NULL, &g, &err), -2,
	       "a pattern that does not compile");
	ok(strstr(err.msg, "pattern '([' does not compile") != NULL, "... says so");
	is_str(err.pointer, "/properties/a", "... and where");
	is_int(err.code, JD_EINVALID, "... as invalid");
	is_int(run("{\"pattern\":\"\\\\a\"}", "1", NULL, &g, &err), -2, "non-ECMA escape refused");
	is_int(run("{\"$ref\":\"#/$defs/missing\"}", "1", NULL, &g, &err), -2, "unresolvable $ref");
	ok(strstr(err.msg, "cannot resolve reference") != NULL, "... says so");
	is_int(run("{\"$ref\":\"http://example.com/nowhere.json\"}", "1", NULL, &g, &err), -2,
	       "nothing fetched from the network");
	is_int(run("{\"$schema\":\"http://example.com/meta\"}", "1", NULL, &g, &err), -2,
	       "unknown $schema");
	ok(strstr(err.msg, "unknown $schema") != NULL, "... says so");
	is_int(run("{\"type\":\"integr\"}", "1", NULL, &g, &err), -2, "meta-schema catches a typo");
	ok(strstr(err.msg, "meta-schema") != NULL, "... says so");
	memset(&o, 0, sizeof(o));
	o.no_metaschema = 1;
	is_int(run("{\"type\":\"integr\"}", "1", &o, &g, &err), -2,
	       "without the meta-schema, the compiler catches it");
	ok(strstr(err.msg, "unknown type 'integr'") != NULL, "... says so");
	is_int(run("{\"minLength\":-1}", "1", &o, &g, &err), -2, "negative minLength");
	is_int(run("{\"items\":3}", "1", &o, &g, &err), -2, "a number is not a schema");
}

static json_t *deep_schema(unsigned depth)
{
	json_t *s = json_object(), *cur = s;
	unsigned i;

	for (i = 0; i < depth; i++) {
		json_t *n = json_object();
		json_object_set_new(cur, "items", n);
		cur = n;
	}
	return s;
}

static void test_hostile(void)
{
	struct got g;
	struct jd_error err;
	struct jd_schema_options o;
	struct jd_schema *c;
	json_t *s, *x, *cur;
	unsigned i;

	is_int(run("{\"$ref\":\"#\"}", "1", NULL, &g, &err), -1, "$ref to itself ends");
	ok(strstr(err.msg, "applies to itself on the same value") != NULL, "... with a message");
	diag("%s", err.msg);
	is_int(run("{\"$defs\":{\"a\":{\"$ref\":\"#/$defs/b\"},\"b\":{\"allOf\":[{\"$ref\":\"#/$defs/a\"}]}},"
	           "\"$ref\":\"#/$defs/a\"}",
	           "{}", NULL, &g, &err),
	       -1, "$ref cycle through allOf ends");

	s = deep_schema(10000);
	c = jd_schema_compile(NULL, s, NULL, &err);
	ok(!c && err.msg[0], "10,000-deep schema refused");
	diag("%s", err.msg);
	memset(&o, 0, sizeof(o));
	o.no_metaschema = 1;
	c = jd_schema_compile(NULL, s, &o, &err);
	ok(!c && strstr(err.msg, "nested too deeply"), "... by the compiler too");
	json_decref(s);

	/* a deep instance against a recursive schema */
	s = J("{\"items\":{\"$ref\":\"#\"}}");
	x = json_array();
	cur = x;
	for (i = 0; i < 5000; i++) {
		json_t *n = json_array();
		json_array_append_new(cur, n);
		cur = n;
	}
	c = jd_schema_compile(NULL, s, NULL, &err);
	ok(c != NULL, "recursive schema compiles");
	is_int(jd_schema_check(c, x, &err), -1, "5,000-deep instance ends");
	ok(strstr(err.msg, "deeper than") != NULL, "... with a message");
	jd_schema_free(c);
	json_decref(s);
	json_decref(x);

	/* catastrophic backtracking ends at the match limit */
	is_int(run("{\"pattern\":\"^(\\\\w+\\\\s?)*$\"}",
	           "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!\"", NULL, &g, &err),
	       -1, "catastrophic regex ends");
	ok(strstr(err.msg, "too costly") != NULL, "... with a message");
	diag("%s", err.msg);
}

/* The paths taken by big instances: hashed uniqueItems, heap bitsets. */
static void test_big(void)
{
	struct jd_error err;
	struct jd_schema *c;
	struct jd_schema_report rep;
	struct got g;
	json_t *s, *x, *o;
	size_t i;

	s = J("{\"uniqueItems\":true}");
	c = jd_schema_compile(NULL, s, NULL, &err);
	x = json_array();
	for (i = 0; i < 1000; i++)
		json_array_append_new(x, i % 2 ? json_integer((json_int_t)i) : json_real((double)i));
	is_int(jd_schema_check(c, x, &err), 0, "1000 unique items (hashed)");
	json_array_append_new(x, J("{\"a\":[1]}"));
	json_array_append_new(x, J("[true]"));
	json_array_append_new(x, json_real(501.0)); /* equals the integer 501 */
	memset(&rep, 0, sizeof(rep));
	memset(&g, 0, sizeof(g));
	rep.fn = collect;
	rep.ctx = &g;
	is_int(jd_schema_validate(c, x, &rep, &err), 1, "a duplicate among 1003 items");
	is_str(g.message, "items must be unique: items 501 and 1002 are equal", "... named");
	json_decref(x);
	jd_schema_free(c);
	json_decref(s);

	s = J("{\"patternProperties\":{\"^k[0-9]*0$\":{\"type\":\"integer\"}},"
	      "\"anyOf\":[{\"properties\":{\"k1\":true}}],\"unevaluatedProperties\":false}");
	c = jd_schema_compile(NULL, s, NULL, &err);
	o = json_object();
	for (i = 0; i < 300; i++) {
		char k[32];
		snprintf(k, sizeof(k), "k%zu", i * 10);
		json_object_set_new(o, k, json_integer(1));
	}
	json_object_set_new(o, "k1", json_integer(1));
	is_int(jd_schema_check(c, o, &err), 0, "301 properties, all evaluated");
	json_object_set_new(o, "k7", json_integer(1));
	memset(&g, 0, sizeof(g));
	is_int(jd_schema_validate(c, o, &rep, &err), 1, "one unevaluated among 302");
	is_str(g.pointer, "/k7", "... found");
	is_int(g.n, 1, "... alone");
	json_decref(o);
	jd_schema_free(c);
	json_decref(s);
}

static void test_registry(void)
{
	char dir[] = "/tmp/jdschemaXXXXXX", path[512];
	struct jd_schema_registry *r;
	struct jd_error err;
	struct jd_schema *c;
	json_t *s, *x;
	FILE *f;

	ok(mkdtemp(dir) != NULL, "temp dir");
	snprintf(path, sizeof(path), "%s/name.json", dir);
	f = fopen(path, "w");
	fputs("{\"$id\":\"https://example.com/name.json\",\"type\":\"string\",\"maxLength\":3}", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/sub", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/sub/int.json", dir);
	f = fopen(path, "w");
	fputs("{\"type\":\"integer\"}", f);
	fclose(f);

	r = jd_schema_registry_new(&err);
	is_int(jd_schema_registry_add_path(r, dir, &err), 0, "add a folder");
	is_int(jd_schema_registry_map(r, "http://localhost:1234/", dir, &err), 0, "map a prefix");
	s = J("{\"properties\":{\"n\":{\"$ref\":\"https://example.com/name.json\"},"
	      "\"i\":{\"$ref\":\"http://localhost:1234/sub/int.json\"}}}");
	c = jd_schema_compile(r, s, NULL, &err);
	if (!ok(c != NULL, "refs by $id and by mapped prefix resolve"))
		diag("%s", err.msg);
	x = J("{\"n\":\"abcd\",\"i\":\"x\"}");
	is_int(c ? jd_schema_check(c, x, &err) : -1, 1, "and apply");
	json_decref(x);
	x = J("{\"n\":\"abc\",\"i\":3}");
	is_int(c ? jd_schema_check(c, x, &err) : -1, 0, "valid through both");
	json_decref(x);
	jd_schema_free(c);
	json_decref(s);
	{
		/* a schema file's relative references name the files beside it */
		struct jd_schema_options o;
		char uri[1024];
		memset(&o, 0, sizeof(o));
		snprintf(path, sizeof(path), "%s/name.json", dir);
		is_int(jd_schema_file_uri(path, uri, sizeof(uri), &err), 0, "file URI");
		ok(!strncmp(uri, "file:///", 8), "file URI is absolute");
		o.base_uri = uri;
		s = J("{\"$ref\":\"sub/int.json\"}");
		c = jd_schema_compile(r, s, &o, &err);
		if (!ok(c != NULL, "relative reference between files"))
			diag("%s", err.msg);
		x = J("\"x\"");
		is_int(c ? jd_schema_check(c, x, &err) : -1, 1, "... applies");
		json_decref(x);
		jd_schema_free(c);
		json_decref(s);
	}
	s = J("{\"$ref\":\"http://localhost:1234/../etc/passwd\"}");
	ok(jd_schema_compile(r, s, NULL, &err) == NULL, "a mapped URI cannot climb out of its folder");
	json_decref(s);
	is_int(jd_schema_registry_add_path(r, "/nonexistent/x.json", &err), -1, "missing path");
	is_int(err.code, JD_EINPUT, "... is an input error");
	jd_schema_registry_free(r);
	snprintf(path, sizeof(path), "%s/sub/int.json", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/sub", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/name.json", dir);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	test_cases();
	test_valid();
	test_report_options();
	test_closest_branch();
	test_options();
	test_compile_errors();
	test_hostile();
	test_big();
	test_registry();
	return tap_done();
}
