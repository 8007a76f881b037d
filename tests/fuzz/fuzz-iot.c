/*
 * lib/iot's parsers of what a remote endpoint sends: AWS error answers
 * (header + body) and the comparison of an existing job (DescribeJob answer,
 * document) with a request. Input: a mode byte, then NUL-separated parts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "iot.h"

static const char *part(const char **p, const char *end, size_t *len)
{
	const char *s = *p, *nul = memchr(s, '\0', (size_t)(end - s));

	*len = nul ? (size_t)(nul - s) : (size_t)(end - s);
	*p = nul ? nul + 1 : end;
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data + 1, *end = (const char *)data + size;
	char code[JD_IOT_CODE_MAX], msg[512], why[480];
	struct jd_error err;
	size_t n1, n2, n3;
	const char *a, *b, *c;

	if (size < 1)
		return 0;
	a = part(&p, end, &n1);
	b = part(&p, end, &n2);
	c = part(&p, end, &n3);
	if (data[0] & 1) {
		char *hdr = strndup(a, n1);
		if (hdr) {
			jd_iot_parse_error(hdr, b, n2, code, sizeof(code), msg, sizeof(msg));
			free(hdr);
		}
	} else {
		json_t *req = json_loadb(a, n1, JSON_DECODE_ANY, NULL);
		json_t *desc = json_loadb(b, n2, JSON_DECODE_ANY, NULL);
		char *doc = strndup(c, n3);
		if (req && desc && doc)
			jd_iot_compare_job(req, desc, doc, why, sizeof(why), &err);
		free(doc);
		json_decref(req);
		json_decref(desc);
	}
	return 0;
}
