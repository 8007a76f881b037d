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

int jd_pkcs11_load_key(const char *uri, const char *module, const char *pin, EVP_PKEY **out,
                       void **engine, struct jd_error *err)
{
	char shown[256];
	ENGINE *e = NULL;
	UI_METHOD *ui = NULL;
	int inited = 0, ret = -1;

	*out = NULL;
	*engine = NULL;
	jd_key_display(uri, shown, sizeof(shown));
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
	*out = ENGINE_load_private_key(e, uri, ui, NULL);
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
