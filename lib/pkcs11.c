/*
 * PKCS#11 keys through OpenSSL's "pkcs11" ENGINE (libp11, Debian package
 * libengine-pkcs11-openssl).
 *
 * The ENGINE API is deprecated in OpenSSL 3, but it is the only PKCS#11 route
 * in Debian bookworm main: pkcs11-provider is in backports only, and with
 * SoftHSM it crashes at exit unless quirks are set. So this file, and only
 * this file, uses ENGINE_* with the deprecation warnings suppressed
 * (OPENSSL_SUPPRESS_DEPRECATED keeps the declarations, drops the attribute).
 * NEEDSWORK: move to OSSL_STORE + pkcs11-provider once it is in Debian main.
 */
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include <stdlib.h>
#include <string.h>

#include <openssl/engine.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ui.h>

#include "keys.h"
#include "sign.h"

/* A UI that never prompts: with no PIN given, fail instead of reading a tty. */
static int ui_no_read(UI *ui, UI_STRING *uis)
{
	(void)ui;
	(void)uis;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Takes a "pin-value=" attribute out of uri: the engine would print the URI
 * (PIN included) on stderr when the key is not found, so it only ever sees
 * the URI without it, and receives the PIN through its PIN control. *pin is
 * NULL when the URI has none; it is percent-decoded (RFC 7512).
 */
static int split_pin(const char *uri, char **clean, char **pin, size_t *pin_len)
{
	size_t n = strlen(uri), o = 0;
	const char *p = uri;
	int at_attr = 1;

	*pin = NULL;
	*pin_len = 0;
	*clean = malloc(n + 1);
	if (!*clean)
		return -1;
	while (*p) {
		if (at_attr && !strncmp(p, "pin-value=", 10)) {
			const char *v = p + 10, *end = v;
			size_t k = 0;

			while (*end && *end != ';' && *end != '&' && *end != '?')
				end++;
			if (*pin)
				jd_secret_free(*pin, *pin_len);
			*pin = malloc((size_t)(end - v) + 1);
			if (!*pin)
				return -1;
			for (; v < end; v++) {
				if (*v == '%' && end - v >= 3 && hexval(v[1]) >= 0 &&
				    hexval(v[2]) >= 0) {
					(*pin)[k++] = (char)(hexval(v[1]) * 16 + hexval(v[2]));
					v += 2;
				} else {
					(*pin)[k++] = *v;
				}
			}
			(*pin)[k] = '\0';
			*pin_len = k;
			/* drop the attribute and one separator next to it */
			p = end;
			if (*p == ';' || *p == '&')
				p++;
			else if (o && ((*clean)[o - 1] == ';' || (*clean)[o - 1] == '&'))
				o--;
			continue;
		}
		at_attr = *p == ':' || *p == ';' || *p == '?' || *p == '&';
		(*clean)[o++] = *p++;
	}
	(*clean)[o] = '\0';
	return 0;
}

int jd_pkcs11_load_key(const char *uri, const char *module, const char *pin, EVP_PKEY **out,
		       void **engine, struct jd_error *err)
{
	char shown[256], *clean = NULL, *uri_pin = NULL;
	size_t uri_pin_len = 0;
	ENGINE *e = NULL;
	UI_METHOD *ui = NULL;
	int inited = 0, ret = -1;

	*out = NULL;
	*engine = NULL;
	jd_key_display(uri, shown, sizeof(shown));
	if (split_pin(uri, &clean, &uri_pin, &uri_pin_len) < 0) {
		jd_error_oom(err);
		goto out;
	}
	if (uri_pin && pin) {
		jd_error_set(err, JD_EUSAGE, "the PIN is given twice: in the URI and with --pass");
		goto out;
	}
	if (uri_pin)
		pin = uri_pin;
	ERR_clear_error();
	e = ENGINE_by_id("pkcs11");
	if (!e) {
		jd_error_set(err, JD_EINPUT,
			     "cannot load OpenSSL's pkcs11 engine (Debian package "
			     "libengine-pkcs11-openssl)");
		jd_error_add_openssl(err);
		goto out;
	}
	if (module && !ENGINE_ctrl_cmd_string(e, "MODULE_PATH", module, 0)) {
		jd_error_set(err, JD_EINPUT, "pkcs11 engine: cannot use module '%s'", module);
		jd_error_add_openssl(err);
		goto out;
	}
	if (!ENGINE_init(e)) {
		jd_error_set(err, JD_EINPUT, "cannot initialise the pkcs11 engine%s%s%s",
			     module ? " with module '" : "", module ? module : "",
			     module ? "'" : "");
		jd_error_add_openssl(err);
		goto out;
	}
	inited = 1;
	if (pin && !ENGINE_ctrl_cmd_string(e, "PIN", pin, 0)) {
		jd_error_set(err, JD_EINPUT, "pkcs11 engine: cannot set the PIN");
		jd_error_add_openssl(err);
		goto out;
	}
	ui = UI_create_method("jobdoc: no prompt");
	if (!ui || UI_method_set_reader(ui, ui_no_read) < 0) {
		jd_error_oom(err);
		goto out;
	}
	*out = ENGINE_load_private_key(e, clean, ui, NULL);
	if (!*out) {
		jd_error_set(err, JD_EINPUT,
			     "cannot load private key '%s' from the token (wrong URI or PIN? give "
			     "the PIN with --pass env:VAR or --pass file:PATH)",
			     shown);
		jd_error_add_openssl(err);
		goto out;
	}
	*engine = e;
	e = NULL;
	ret = 0;
out:
	UI_destroy_method(ui);
	free(clean);
	jd_secret_free(uri_pin, uri_pin_len);
	if (e) {
		if (inited)
			ENGINE_finish(e);
		ENGINE_free(e);
	}
	ERR_clear_error();
	return ret;
}

void jd_pkcs11_release(void *engine)
{
	ENGINE *e = engine;

	if (!e)
		return;
	ENGINE_finish(e);
	ENGINE_free(e);
}
