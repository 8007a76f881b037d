#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "embedded.h"
#include "internal.h"
#include "jsonparse.h"
#include "managed.h"
#include "spec.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static json_t *index_root; /* kept for the process: read-only once loaded */

static void load_index(void)
{
	const struct jd_embedded *e = jd_embedded_find("managed/index.json");

	if (e)
		index_root = jd_json_parse((const char *)e->data, e->len, 0, NULL);
}

static const json_t *templates(void)
{
	pthread_once(&once, load_index);
	return json_object_get(index_root, "templates");
}

int jd_managed_arn(const char *arn, char *name, char *version, char *region, size_t size)
{
	const char *f[6];
	size_t n = 0, len;
	const char *p, *id, *colon;

	name[0] = version[0] = region[0] = '\0';
	/* arn:PARTITION:iot:REGION:ACCOUNT:jobtemplate/ID */
	f[n++] = arn;
	for (p = arn; *p && n < 6; p++)
		if (*p == ':')
			f[n++] = p + 1;
	if (n < 6 || strncmp(arn, "arn:", 4) || strncmp(f[2], "iot:", 4) ||
	    strncmp(f[5], "jobtemplate/", 12))
		return -1;
	len = (size_t)(f[4] - f[3] - 1);
	if (len < size) {
		memcpy(region, f[3], len);
		region[len] = '\0';
	}
	id = f[5] + 12;
	if (f[5] - f[4] != 1) /* an account: a custom template */
		return 0;
	colon = strchr(id, ':');
	len = colon ? (size_t)(colon - id) : strlen(id);
	if (len >= size)
		len = size - 1;
	memcpy(name, id, len);
	name[len] = '\0';
	if (colon)
		jd_strlcpy(version, colon + 1, size);
	return 1;
}

const json_t *jd_managed_find(const char *name, const char *version, struct jd_error *err)
{
	const json_t *all = templates(), *t, *v;
	const char *names[32], *key, *latest = NULL;
	char known[128] = "";
	size_t n = 0;
	json_t *x;

	if (!all) {
		jd_error_set(err, JD_EINTERNAL, "the managed-template data is missing");
		return NULL;
	}
	t = json_object_get(all, name);
	if (!t) {
		const char *close;
		json_object_foreach((json_t *)all, key, x)
		{
			if (n < JD_ARRAY_SIZE(names))
				names[n++] = key;
		}
		close = jd_closest(name, names, n);
		if (close)
			jd_error_set(err, JD_EINVALID,
				     "unknown AWS managed template '%.100s'; did you mean '%s'?",
				     name, close);
		else
			jd_error_set(
				err, JD_EINVALID,
				"unknown AWS managed template '%.100s' (jobdoc knows "
				"AWS-Download-File, AWS-Install-Application, AWS-Reboot, "
				"AWS-Remove-Application, AWS-Restart-Application, "
				"AWS-Run-Command, AWS-Start-Application, AWS-Stop-Application)",
				name);
		return NULL;
	}
	json_object_foreach((json_t *)t, key, x)
	{
		size_t l = strlen(known);
		snprintf(known + l, sizeof(known) - l, "%s%s", l ? ", " : "", key);
		latest = key;
	}
	if (!version || !version[0])
		version = latest;
	v = version ? json_object_get(t, version) : NULL;
	if (!v) {
		jd_error_set(err, JD_EINVALID,
			     "AWS managed template %s has no version '%.40s' known to jobdoc "
			     "(known: %s)",
			     name, version ? version : "", known);
		return NULL;
	}
	return v;
}

const char *jd_managed_document(const json_t *tpl, size_t *len)
{
	const char *file = json_string_value(json_object_get(tpl, "document"));
	char path[160];
	const struct jd_embedded *e;

	if (!file)
		return NULL;
	snprintf(path, sizeof(path), "managed/%s", file);
	e = jd_embedded_find(path);
	if (!e)
		return NULL;
	if (len)
		*len = e->len;
	return (const char *)e->data;
}

const json_t *jd_managed_param(const json_t *tpl, const char *key)
{
	const json_t *ps = json_object_get(tpl, "documentParameters"), *p;
	size_t i;

	json_array_foreach(ps, i, p)
	{
		if (!strcmp(json_string_value(json_object_get(p, "key")), key))
			return p;
	}
	return NULL;
}
