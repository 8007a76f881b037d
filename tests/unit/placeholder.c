/* The placeholder scanner and AWS placeholder checks (lib/placeholder.h), as tables. */
#include <stdio.h>
#include <string.h>

#include "placeholder.h"
#include "../tap.h"

struct found {
	char kinds[64]; /* one letter per placeholder: p v 2 u k o */
	size_t n;
};

static int on_ph(void *ctx, const char *s, const struct jd_ph *ph)
{
	struct found *f = ctx;
	static const char letters[] = {'p', 'v', '2', 'u', 'k', 'o'};

	(void)s;
	if (f->n < sizeof(f->kinds) - 1)
		f->kinds[f->n++] = letters[ph->kind];
	return 0;
}

static const struct {
	const char *in;
	const char *kinds; /* expected kinds, or NULL for an error */
	long off;	   /* error offset */
	const char *msg;   /* a part of the error message */
} scans[] = {
	{"no placeholders", "", 0, NULL},
	{"$ {not} $$ {x}", "", 0, NULL},
	{"${aws:iot:parameter:version}", "p", 0, NULL},
	{"a-${aws:iot:parameter:a}-${aws:iot:parameter:B_2-x}-", "pp", 0, NULL},
	{"${aws:iot:s3-presigned-url:https://s3.amazonaws.com/b/k}", "v", 0, NULL},
	{"${aws:iot:s3-presigned-url-v2:https://s3.amazonaws.com/b/k}", "2", 0, NULL},
	{"${aws:iot:s3-presigned-url-upload:https://s3.amazonaws.com/bkt/${thingName}/${jobId}}",
	 "u", 0, NULL},
	{"${aws:iot:package:p:version:1:attributes}", "k", 0, NULL},
	{"${HOME} ${S3_URL} ${}", "ooo", 0, NULL},
	{"x ${aws:iot:parameter:v", NULL, 2, "unterminated"},
	{"${", NULL, 0, "unterminated"},
	{"${aws:iot:parameter:a${aws:iot:parameter:b}}", NULL, 21, "nested placeholder"},
	{"${a${b${c}}}", NULL, 6, "at most one level"},
	{"${aws:iot:parameter:a.b}", NULL, 20, "not valid"},
	{"${aws:iot:parameter:}", NULL, 0, "no parameter name"},
	{"${aws:iot:parameter:a b}", NULL, 20, "not valid"},
	{"${aws:iot:paramter:x}", NULL, 0, "did you mean '${aws:iot:parameter:...}'"},
	{"${aws:iot:s3-presigned-url-v3:https://x}", NULL, 0, "aws:iot:s3-presigned-url-v2:"},
	{"${aws:foo}", NULL, 0, "unknown placeholder"},
	{"${thingName}", NULL, 0, "only valid inside the key"},
	{"${executionNumber}", NULL, 0, "only valid inside the key"},
	{"${aws:iot:s3-presigned-url:https://s3.amazonaws.com/b/${jobId}}", NULL, 54, "nested"},
	{"${aws:iot:s3-presigned-url-upload:https://s3.amazonaws.com/bkt/${jobId}${jobId}${jobId}}",
	 NULL, 79, "more than twice"},
	{"${aws:iot:s3-presigned-url-upload:https://s3.amazonaws.com/bkt/${x}}", NULL, 63,
	 "only ${thingName}"},
	{"${FOO${aws:iot:parameter:x}}", NULL, 5, "nested"},
	{"${A:-${B}}", "o", 0, NULL},
};

static const struct {
	const char *in; /* one placeholder */
	const char *region;
	int whole;
	int want; /* 0 ok, 1 warning, -1 error */
	const char *msg;
} checks[] = {
	{"${aws:iot:s3-presigned-url:https://s3.eu-west-1.amazonaws.com/bkt/a/b.bin}", "eu-west-1",
	 1, 0, NULL},
	{"${aws:iot:s3-presigned-url:https://bkt.s3.eu-west-1.amazonaws.com/a.bin}", NULL, 1, 0,
	 NULL},
	{"${aws:iot:s3-presigned-url:https://bkt.s3-eu-west-1.amazonaws.com/a.bin}", NULL, 1, 0,
	 NULL},
	{"${aws:iot:s3-presigned-url:https://my.bkt.s3.amazonaws.com/a.bin}", NULL, 1, 0, NULL},
	{"${aws:iot:s3-presigned-url:https://s3.dualstack.eu-west-1.amazonaws.com/bkt/a}", NULL, 1,
	 0, NULL},
	{"${aws:iot:s3-presigned-url:https://s3.cn-north-1.amazonaws.com.cn/bkt/a}", NULL, 1, 0,
	 NULL},
	{"${aws:iot:s3-presigned-url:https://s3.amazonaws.com/bkt/a?versionId=1}", NULL, 1, -1,
	 "(v1) has no versionId"},
	{"${aws:iot:s3-presigned-url:https://s3.amazonaws.com/bkt/a%3FversionId%3D1}", NULL, 1, -1,
	 "the v2 form"},
	{"${aws:iot:s3-presigned-url:https://s3.amazonaws.com/bkt/a%20b}", NULL, 1, 1, "unencoded"},
	{"${aws:iot:s3-presigned-url:https://s3.amazonaws.com/bkt/a#b}", NULL, 1, -1, "%23"},
	{"${aws:iot:s3-presigned-url-v2:https://s3.amazonaws.com/bkt/a%20b%3FversionId%3DxY.z}",
	 NULL, 1, 0, NULL},
	{"${aws:iot:s3-presigned-url-v2:https://s3.amazonaws.com/bkt/a%3fversionId%3dx}", NULL, 1,
	 0, NULL},
	{"${aws:iot:s3-presigned-url-v2:https://s3.amazonaws.com/bkt/a?versionId=1}", NULL, 1, -1,
	 "%3FversionId%3D"},
	{"${aws:iot:s3-presigned-url-v2:https://s3.amazonaws.com/bkt/a b}", NULL, 1, -1, "(%20)"},
	{"${aws:iot:s3-presigned-url-v2:https://s3.amazonaws.com/bkt/\xc3\xa9}", NULL, 1, -1,
	 "0xC3"},
	{"${aws:iot:s3-presigned-url-v2:https://s3.amazonaws.com/bkt/a%2}", NULL, 1, -1,
	 "two hex digits"},
	{"${aws:iot:s3-presigned-url-v2:https://s3.amazonaws.com/bkt/a%3Fx%3D1}", NULL, 1, -1,
	 "only '%3FversionId%3D'"},
	{"${aws:iot:s3-presigned-url-v2:https://s3.amazonaws.com/bkt/a%3FversionId%3D}", NULL, 1,
	 -1, "versionId is empty"},
	{"${aws:iot:s3-presigned-url:http://s3.amazonaws.com/bkt/a}", NULL, 1, -1, "https://"},
	{"${aws:iot:s3-presigned-url:https://storage.example.com/bkt/a}", NULL, 1, -1,
	 "not an S3 endpoint"},
	{"${aws:iot:s3-presigned-url:https://s3.amazonaws.com/bkt}", NULL, 1, -1, "no object key"},
	{"${aws:iot:s3-presigned-url:https://s3.amazonaws.com/bkt/}", NULL, 1, -1, "no object key"},
	{"${aws:iot:s3-presigned-url:https://s3.amazonaws.com/Bkt/a}", NULL, 1, -1, "is not valid"},
	{"${aws:iot:s3-presigned-url:https://s3.amazonaws.com/b/a}", NULL, 1, -1, "is not valid"},
	{"${aws:iot:s3-presigned-url:https://S3.amazonaws.com/bkt/a}", NULL, 1, -1, "lowercase"},
	{"${aws:iot:s3-presigned-url:https://s3.mars.amazonaws.com/bkt/a}", NULL, 1, -1,
	 "not an AWS region"},
	{"${aws:iot:s3-presigned-url-v2:https://bkt.s3.us-east-1.amazonaws.com/a}", "eu-west-1", 1,
	 1, "across regions"},
	{"${aws:iot:s3-presigned-url-upload:https://bkt.s3.us-east-1.amazonaws.com/${jobId}}",
	 "eu-west-1", 1, -1, "cross-region"},
	{"${aws:iot:s3-presigned-url-upload:https://s3.eu-west-1.amazonaws.com/bkt/${thingName}}",
	 "eu-west-1", 1, 0, NULL},
	{"${aws:iot:s3-presigned-url-upload:https://s3.amazonaws.com/${thingName}/a}", NULL, 1, -1,
	 "bucket name"},
	{"${aws:iot:s3-presigned-url-upload:https://s3.amazonaws.com/bkt/a?versionId=1}", NULL, 1,
	 -1, "no versionId"},
	{"${aws:iot:package:pkg-1:version:1.0.0:attributes}", NULL, 1, 0, NULL},
	{"${aws:iot:package:pkg-1:version:1.0.0:attributes}", NULL, 0, -1, "whole value"},
	{"${aws:iot:package:pkg:version:$default:attributes:k.ey}", NULL, 0, 0, NULL},
	{"${aws:iot:package::version::attributes:k}", NULL, 0, 0, NULL},
	{"${aws:iot:package:p:version:v:artifact-location:s3-presigned-url}", NULL, 0, 0, NULL},
	{"${aws:iot:package:p:version::attributes}", NULL, 1, -1, "both given or both empty"},
	{"${aws:iot:package:p:version:v:other}", NULL, 1, -1, "expected attributes"},
	{"${aws:iot:package:p:v:attributes}", NULL, 1, -1, "is not a package placeholder"},
	{"${aws:iot:package:p!:version:v:attributes}", NULL, 1, -1, "package name"},
	{"${aws:iot:parameter:x}", NULL, 1, 0, NULL},
};

static int first(void *ctx, const char *s, const struct jd_ph *ph)
{
	(void)s;
	*(struct jd_ph *)ctx = *ph;
	return 1;
}

int main(void)
{
	size_t i;
	char name[200];

	for (i = 0; i < sizeof(scans) / sizeof(scans[0]); i++) {
		struct found f;
		struct jd_ph_problem p;
		int r;

		memset(&f, 0, sizeof(f));
		memset(&p, 0, sizeof(p));
		r = jd_ph_scan(scans[i].in, strlen(scans[i].in), on_ph, &f, &p);
		snprintf(name, sizeof(name), "scan '%s'", scans[i].in);
		if (scans[i].kinds) {
			ok(r == 0, name);
			is_str(f.kinds, scans[i].kinds, "  kinds");
		} else {
			ok(r == -1, name);
			is_int(p.off, scans[i].off, "  error offset");
			ok(strstr(p.msg, scans[i].msg) != NULL, scans[i].msg);
			if (!strstr(p.msg, scans[i].msg))
				diag("message: %s", p.msg);
		}
	}
	for (i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		struct jd_ph ph;
		struct jd_ph_problem p;
		int r;

		memset(&p, 0, sizeof(p));
		snprintf(name, sizeof(name), "check '%s'", checks[i].in);
		if (jd_ph_scan(checks[i].in, strlen(checks[i].in), first, &ph, &p) != 1) {
			ok(0, name);
			diag("scan: %s", p.msg);
			continue;
		}
		r = jd_ph_check(checks[i].in, &ph, checks[i].region, checks[i].whole, &p);
		ok(r == checks[i].want, name);
		if (r != checks[i].want)
			diag("got %d: %s", r, p.msg);
		if (checks[i].msg) {
			ok(strstr(p.msg, checks[i].msg) != NULL, checks[i].msg);
			if (!strstr(p.msg, checks[i].msg))
				diag("message: %s", p.msg);
			ok(p.off < strlen(checks[i].in), "  offset inside the string");
		}
	}
	ok(jd_ph_valid_name("a", 1), "name: one character");
	{
		char n[130];
		memset(n, 'x', sizeof(n));
		ok(jd_ph_valid_name(n, 128), "name: 128 characters");
		ok(!jd_ph_valid_name(n, 129), "name: 129 characters");
	}
	ok(!jd_ph_valid_name("", 0), "name: empty");
	ok(!jd_ph_valid_name("a:b", 3), "name: colon");
	return tap_done();
}
