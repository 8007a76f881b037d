#ifndef JD_S3XML_H
#define JD_S3XML_H
/*
 * Just enough XML for S3's answers: find an element's text by tag name,
 * walk repeated elements, decode the five entities and numeric character
 * references, and turn an error body into "Code: Message (RequestId ID)".
 * Not a general parser: no DTDs, namespaces are ignored by matching the
 * local name, CDATA is not decoded. Every input is bounded by its length
 * (no NUL needed); nothing is allocated.
 */
#include <stddef.h>

/*
 * Finds the next element <tag ...>content</tag> (or <ns:tag>) in
 * [p, end). On success sets *content and *len to its raw content (not
 * decoded) and returns the position after its end tag; NULL when there is
 * none or it is not closed.
 */
const char *jd_xml_next(const char *p, const char *end, const char *tag, const char **content,
			size_t *len);

/*
 * The decoded text of the first <tag> in [p, p+n) into out (size bytes,
 * always terminated, truncated to fit). Returns 1 when found, 0 when not.
 * Entities decoded: &amp; &lt; &gt; &quot; &apos; &#N; &#xN; (as UTF-8;
 * invalid ones are kept as written).
 */
int jd_xml_text(const char *p, size_t n, const char *tag, char *out, size_t size);

/* Decodes raw XML text [p, p+n) into out (size bytes, terminated, truncated). */
void jd_xml_decode(const char *p, size_t n, char *out, size_t size);

struct jd_s3xml_error {
	char code[64];
	char message[256];
	char request_id[128];
	char resource[256]; /* Key or BucketName or Resource, "" when absent */
};

/*
 * Parses an S3 error body (<Error><Code>..</Code><Message>..</Message>
 * <RequestId>..</RequestId></Error>). Returns 1 when body is one (a Code
 * was found inside <Error>), else 0 (e is then all empty).
 */
int jd_s3xml_error_parse(const char *body, size_t len, struct jd_s3xml_error *e);

/*
 * "Code: Message (RequestId ID)", leaving out the parts that are empty
 * ("Code (RequestId ID)" when the message is empty, as RGW sends), into
 * out (always terminated). Control characters are replaced by '?'.
 */
void jd_s3xml_error_format(const struct jd_s3xml_error *e, char *out, size_t size);

#endif
