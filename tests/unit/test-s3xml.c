/* S3 XML answers: element search, entity decoding, error formatting. */
#include <string.h>

#include "s3xml.h"
#include "../tap.h"

static const char complete_rgw[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?><CompleteMultipartUploadResult "
	"xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Location>bkt1.s3.localhost/bkt1/big"
	"</Location><Bucket>bkt1</Bucket><Key>big</Key><ETag>&quot;5dbc98dcc983a70728bd082d1a47546e-2"
	"&quot;</ETag></CompleteMultipartUploadResult>";

int main(void)
{
	char out[256];
	struct jd_s3xml_error e;
	const char *p, *c;
	size_t n, count = 0;

	ok(jd_xml_text(complete_rgw, strlen(complete_rgw), "ETag", out, sizeof(out)), "ETag found");
	is_str(out, "\"5dbc98dcc983a70728bd082d1a47546e-2\"", "ETag decoded");
	ok(jd_xml_text(complete_rgw, strlen(complete_rgw), "Key", out, sizeof(out)), "Key found");
	is_str(out, "big", "Key");
	ok(!jd_xml_text(complete_rgw, strlen(complete_rgw), "Nope", out, sizeof(out)), "absent");
	is_str(out, "", "absent leaves ''");

	{
		static const char x[] = "<a:Error><a:Code>SlowDown</a:Code><a:Message>Please "
		                        "reduce &lt;rate&gt; &amp; &#x263A; &#9731; &bogus;</a:Message>"
		                        "<RequestId>r-1</RequestId></a:Error>";
		ok(jd_s3xml_error_parse(x, strlen(x), &e), "namespaced error");
		is_str(e.code, "SlowDown", "code");
		is_str(e.message, "Please reduce <rate> & \xe2\x98\xba \xe2\x98\x83 &bogus;",
		       "message decoded");
		jd_s3xml_error_format(&e, out, sizeof(out));
		is_str(out, "SlowDown: Please reduce <rate> & \xe2\x98\xba \xe2\x98\x83 &bogus; (RequestId r-1)",
		       "formatted");
	}
	{
		static const char x[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AccessDenied"
		                        "</Code><Message></Message><RequestId>tx1</RequestId><HostId>h"
		                        "</HostId></Error>";
		ok(jd_s3xml_error_parse(x, strlen(x), &e), "RGW error, empty message");
		jd_s3xml_error_format(&e, out, sizeof(out));
		is_str(out, "AccessDenied (RequestId tx1)", "RGW formatted");
	}
	{
		static const char x[] = "<Error><Code>A\nB</Code><Message>line1\r\nline2</Message></Error>";
		ok(jd_s3xml_error_parse(x, strlen(x), &e), "control characters");
		jd_s3xml_error_format(&e, out, sizeof(out));
		is_str(out, "A?B: line1??line2", "control characters replaced");
	}
	ok(!jd_s3xml_error_parse("<Error><Message>x</Message></Error>", 34, &e), "no Code: not an error");
	ok(!jd_s3xml_error_parse("<Error><Code>x</Code>", 21, &e), "unclosed Error");
	ok(!jd_s3xml_error_parse("", 0, &e), "empty");
	ok(!jd_s3xml_error_parse("{\"message\":\"x\"}", 15, &e), "JSON is not XML");

	{
		static const char x[] = "<ListMultipartUploadsResult><Upload><Key>a</Key><UploadId>1</UploadId>"
		                        "</Upload><Upload><Key>b &amp; c</Key><UploadId>2</UploadId></Upload>"
		                        "<Upload/><IsTruncated>false</IsTruncated></ListMultipartUploadsResult>";
		p = x;
		while ((p = jd_xml_next(p, x + strlen(x), "Upload", &c, &n)))
			count++;
		is_int(count, 3, "three Upload elements (one empty)");
		ok(jd_xml_text(x, strlen(x), "IsTruncated", out, sizeof(out)) && !strcmp(out, "false"),
		   "IsTruncated");
	}
	{
		char small[4];
		jd_xml_decode("abcdef", 6, small, sizeof(small));
		is_str(small, "abc", "truncated to fit");
		jd_xml_decode("&amp;&amp;&amp;&amp;", 20, small, sizeof(small));
		is_str(small, "&&&", "entities truncated to fit");
		jd_xml_decode("&#0;&#xD800;&#x110000;", 22, out, sizeof(out));
		is_str(out, "&#0;&#xD800;&#x110000;", "invalid references kept");
	}
	return tap_done();
}
