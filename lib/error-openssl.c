/*
 * Kept apart from error.c so that tools which never touch OpenSSL do not
 * link libcrypto: loading it is most of a short run's start-up time.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>

#include "error.h"
#include "internal.h"

void jd_error_add_openssl(struct jd_error *e)
{
	unsigned long code, last = 0;
	char reason[256];
	size_t n;

	while ((code = ERR_get_error()) != 0)
		last = code;
	if (!e || !last)
		return;
	if (ERR_reason_error_string(last))
		jd_strlcpy(reason, ERR_reason_error_string(last), sizeof(reason));
	else
		ERR_error_string_n(last, reason, sizeof(reason));
	n = strlen(e->msg);
	snprintf(e->msg + n, sizeof(e->msg) - n, ": %s", reason);
}
