#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/crypto.h>

#include "buf.h"
#include "creds.h"
#include "file.h"
#include "internal.h"
#include "jsonparse.h"
#include "s3url.h"

#define MAX_CONFIG_FILE	       ((size_t)1 << 20)
#define MAX_REMOTE_BODY	       ((size_t)64 << 10)
#define MAX_INI_ENTRIES	       4096
#define DEFAULT_CONTAINER_HOST "http://169.254.170.2"
#define DEFAULT_IMDS	       "http://169.254.169.254"
#define DEFAULT_IMDS_V6	       "http://[fd00:ec2::254]"

/* ---- small helpers ---- */

static const char *env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

static int env_true(const char *name)
{
	const char *v = env(name);

	return v &&
	       (!strcmp(v, "true") || !strcmp(v, "TRUE") || !strcmp(v, "True") || !strcmp(v, "1"));
}

static char *dup_or_oom(const char *s, struct jd_error *err)
{
	char *d = jd_strndup(s, strlen(s));

	if (!d)
		jd_error_oom(err);
	return d;
}

static void wipe_free(char *p)
{
	if (p) {
		OPENSSL_cleanse(p, strlen(p));
		free(p);
	}
}

static void wipe_buf(struct jd_buf *b)
{
	if (b->data)
		OPENSSL_cleanse(b->data, b->alloc);
	jd_buf_release(b);
}

/* ---- INI files, as botocore's configparser reads them ---- */

struct ini_entry {
	char *section; /* trimmed, inner whitespace as written */
	char *key;     /* lowercase; "parent.sub" for indented sub-properties */
	char *value;
};

struct ini {
	struct ini_entry *e;
	size_t n, alloc;
	int present; /* the file exists */
};

static void ini_release(struct ini *ini)
{
	for (size_t i = 0; i < ini->n; i++) {
		free(ini->e[i].section);
		free(ini->e[i].key);
		wipe_free(ini->e[i].value);
	}
	free(ini->e);
	memset(ini, 0, sizeof(*ini));
}

static char *trim_dup(const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return jd_strndup(s, n);
}

static int ini_add(struct ini *ini, const char *section, const char *key, size_t klen,
		   const char *value, size_t vlen, struct jd_error *err)
{
	struct ini_entry *e;

	if (ini->n == MAX_INI_ENTRIES)
		return jd_error_set(err, JD_EINPUT, "too many settings (more than %u)",
				    MAX_INI_ENTRIES);
	if (ini->n == ini->alloc) {
		size_t na = ini->alloc ? ini->alloc * 2 : 32;
		struct ini_entry *ne = realloc(ini->e, na * sizeof(*ne));
		if (!ne)
			return jd_error_oom(err);
		ini->e = ne;
		ini->alloc = na;
	}
	e = &ini->e[ini->n];
	e->section = jd_strndup(section, strlen(section));
	e->key = trim_dup(key, klen);
	e->value = trim_dup(value, vlen);
	if (!e->section || !e->key || !e->value) {
		free(e->section);
		free(e->key);
		free(e->value);
		return jd_error_oom(err);
	}
	for (char *c = e->key; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	ini->n++;
	return 0;
}

static int ini_parse(const char *path, const char *text, struct ini *ini, struct jd_error *err)
{
	char *section = NULL, *parent = NULL;
	const char *p = text;
	unsigned line = 0;
	int ret = -1;

	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		const char *s = p;
		size_t n = len;
		int indented = n && (*s == ' ' || *s == '\t');

		line++;
		while (n && isspace((unsigned char)*s)) {
			s++;
			n--;
		}
		while (n && isspace((unsigned char)s[n - 1]))
			n--;
		if (!n || *s == '#' || *s == ';') {
			/* blank or comment */
		} else if (*s == '[' && !indented) {
			if (s[n - 1] != ']') {
				jd_error_at(err, JD_EINPUT, path, line, 1, NULL,
					    "section header without ']'");
				goto out;
			}
			free(section);
			free(parent);
			parent = NULL;
			section = trim_dup(s + 1, n - 2);
			if (!section) {
				jd_error_oom(err);
				goto out;
			}
		} else {
			const char *eq = memchr(s, '=', n);
			struct jd_buf k = JD_BUF_INIT(1024);

			if (!eq) {
				jd_error_at(err, JD_EINPUT, path, line, 1, NULL,
					    "expected 'name = value' or '[section]'");
				goto out;
			}
			if (!section) {
				jd_error_at(err, JD_EINPUT, path, line, 1, NULL,
					    "setting outside of any [section]");
				goto out;
			}
			if (indented && parent) {
				if (jd_buf_addf(&k, err, "%s.", parent) < 0)
					goto out;
			}
			if (jd_buf_add(&k, s, (size_t)(eq - s), err) < 0 ||
			    ini_add(ini, section, k.data, k.len, eq + 1, n - (size_t)(eq - s) - 1,
				    err) < 0) {
				jd_buf_release(&k);
				jd_error_place(err, path, line, 1, NULL);
				goto out;
			}
			jd_buf_release(&k);
			if (!indented) {
				/* "s3 =" opens nested settings on the lines below. */
				free(parent);
				parent = NULL;
				if (!*ini->e[ini->n - 1].value) {
					parent = dup_or_oom(ini->e[ini->n - 1].key, err);
					if (!parent)
						goto out;
				}
			}
		}
		p += len;
		if (*p == '\n')
			p++;
	}
	ret = 0;
out:
	free(section);
	free(parent);
	return ret;
}

static char *expand_home(const char *path)
{
	const char *home = env("HOME");
	struct jd_buf b = JD_BUF_INIT(8192);
	struct jd_error e;

	if (path[0] == '~' && (path[1] == '/' || !path[1]) && home) {
		if (jd_buf_adds(&b, home, &e) < 0 || jd_buf_adds(&b, path + 1, &e) < 0) {
			jd_buf_release(&b);
			return NULL;
		}
		return jd_buf_detach(&b, NULL);
	}
	return jd_strndup(path, strlen(path));
}

/* Reads an INI file; a missing file is empty. */
static int ini_load(const char *envname, const char *def, struct ini *ini, char **pathp,
		    struct jd_error *err)
{
	const char *spec = env(envname);
	struct jd_buf b = JD_BUF_INIT(MAX_CONFIG_FILE);
	struct stat st;
	char *path;
	int ret = -1;

	memset(ini, 0, sizeof(*ini));
	path = expand_home(spec ? spec : def);
	if (!path)
		return jd_error_oom(err);
	*pathp = path;
	if (stat(path, &st) < 0 && (errno == ENOENT || errno == ENOTDIR))
		return 0;
	ini->present = 1;
	if (jd_read_file(path, MAX_CONFIG_FILE, &b, err) < 0)
		goto out;
	if (ini_parse(path, b.data ? b.data : "", ini, err) < 0)
		goto out;
	ret = 0;
out:
	wipe_buf(&b);
	return ret;
}

static const char *ini_get(const struct ini *ini, const char *section, const char *key)
{
	for (size_t i = 0; i < ini->n; i++)
		if (!strcmp(ini->e[i].section, section) && !strcmp(ini->e[i].key, key))
			return ini->e[i].value;
	return NULL;
}

static int ini_has_section(const struct ini *ini, const char *section)
{
	for (size_t i = 0; i < ini->n; i++)
		if (!strcmp(ini->e[i].section, section))
			return 1;
	return 0;
}

/*
 * The config file's section for profile: "profile NAME" (any inner
 * whitespace), or "default" for the default profile.
 */
static const char *config_get(const struct ini *ini, const char *profile, const char *key)
{
	for (size_t i = 0; i < ini->n; i++) {
		const char *s = ini->e[i].section;
		int match = 0;

		if (!strcmp(s, "default") && !strcmp(profile, "default"))
			match = 1;
		else if (!strncmp(s, "profile", 7) && isspace((unsigned char)s[7])) {
			s += 7;
			while (isspace((unsigned char)*s))
				s++;
			match = !strcmp(s, profile);
		}
		if (match && !strcmp(ini->e[i].key, key))
			return ini->e[i].value;
	}
	return NULL;
}

static int config_has_profile(const struct ini *ini, const char *profile)
{
	for (size_t i = 0; i < ini->n; i++) {
		const char *s = ini->e[i].section;

		if (!strcmp(s, "default") && !strcmp(profile, "default"))
			return 1;
		if (!strncmp(s, "profile", 7) && isspace((unsigned char)s[7])) {
			s += 7;
			while (isspace((unsigned char)*s))
				s++;
			if (!strcmp(s, profile))
				return 1;
		}
	}
	return 0;
}

/* Both files, and which profile. */
struct shared {
	struct ini creds, config;
	char *creds_path, *config_path;
	char profile[128];
	int named; /* the profile was named (option or AWS_PROFILE) */
};

static void shared_release(struct shared *sh)
{
	ini_release(&sh->creds);
	ini_release(&sh->config);
	free(sh->creds_path);
	free(sh->config_path);
	memset(sh, 0, sizeof(*sh));
}

static int shared_load(const struct jd_aws_options *o, struct shared *sh, struct jd_error *err)
{
	const char *profile = o && o->profile && *o->profile ? o->profile : NULL;

	memset(sh, 0, sizeof(*sh));
	if (!profile)
		profile = env("AWS_PROFILE");
	if (!profile)
		profile = env("AWS_DEFAULT_PROFILE");
	sh->named = profile != NULL;
	if (!profile)
		profile = "default";
	if (strlen(profile) >= sizeof(sh->profile))
		return jd_error_set(err, JD_EUSAGE, "profile name too long");
	jd_strlcpy(sh->profile, profile, sizeof(sh->profile));
	if (ini_load("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials", &sh->creds,
		     &sh->creds_path, err) < 0 ||
	    ini_load("AWS_CONFIG_FILE", "~/.aws/config", &sh->config, &sh->config_path, err) < 0) {
		shared_release(sh);
		return -1;
	}
	if (sh->named && strcmp(sh->profile, "default") &&
	    !ini_has_section(&sh->creds, sh->profile) &&
	    !config_has_profile(&sh->config, sh->profile)) {
		jd_error_set(err, JD_EUSAGE, "the config profile '%.100s' could not be found",
			     sh->profile);
		shared_release(sh);
		return -1;
	}
	return 0;
}

/* ---- credentials ---- */

void jd_creds_init(struct jd_creds *c)
{
	memset(c, 0, sizeof(*c));
}

void jd_creds_release(struct jd_creds *c)
{
	wipe_free(c->access_key_id);
	wipe_free(c->secret_access_key);
	wipe_free(c->session_token);
	jd_creds_init(c);
}

void jd_creds_view(const struct jd_creds *c, struct jd_sigv4_creds *v)
{
	v->access_key_id = c->access_key_id;
	v->secret_access_key = c->secret_access_key;
	v->session_token = c->session_token;
}

static int creds_set(struct jd_creds *c, const char *akid, const char *secret, const char *token,
		     const char *source, struct jd_error *err)
{
	c->access_key_id = dup_or_oom(akid, err);
	c->secret_access_key = c->access_key_id ? dup_or_oom(secret, err) : NULL;
	if (c->secret_access_key && token && *token)
		c->session_token = dup_or_oom(token, err);
	if (!c->access_key_id || !c->secret_access_key || (token && *token && !c->session_token)) {
		jd_creds_release(c);
		return -1;
	}
	jd_strlcpy(c->source, source, sizeof(c->source));
	return 0;
}

/* Static keys from one INI section lookup; 1 found, 0 none, -1 error. */
static int from_keys(const char *akid, const char *secret, const char *token, const char *where,
		     const char *profile, const char *source, struct jd_creds *c,
		     struct jd_error *err)
{
	if (!akid && !secret)
		return 0;
	if (!akid || !*akid || !secret || !*secret)
		return jd_error_set(err, JD_EINPUT,
				    "partial credentials for profile '%.100s' in %.200s: need both "
				    "aws_access_key_id and aws_secret_access_key",
				    profile, where);
	return creds_set(c, akid, secret, token, source, err) < 0 ? -1 : 1;
}

static time_t parse_expiration(const char *s)
{
	struct tm tm;
	int y, mo, d, h, mi, se;

	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &se) != 6)
		return 0;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	return timegm(&tm);
}

/* ---- HTTP for the metadata endpoints: small, self-contained ---- */

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct jd_buf *b = userdata;
	struct jd_error e;

	if (jd_buf_add(b, ptr, size * nmemb, &e) < 0)
		return 0;
	return size * nmemb;
}

/* curl copies header strings: wipe the copies that carry tokens. */
static void slist_wipe_free(struct curl_slist *l)
{
	for (struct curl_slist *p = l; p; p = p->next)
		if (p->data)
			OPENSSL_cleanse(p->data, strlen(p->data));
	curl_slist_free_all(l);
}

static size_t no_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	(void)ptr;
	(void)size;
	(void)nmemb;
	(void)userdata;
	return 0;
}

/*
 * One request; *status is the HTTP status, 0 when no answer came (then -1
 * is returned with err JD_EREMOTE). what names the endpoint in messages.
 */
static int fetch(const char *method, const char *url, struct curl_slist *headers, long timeout_ms,
		 const char *ca_bundle, struct jd_buf *out, long *status, const char *what,
		 struct jd_error *err)
{
	CURL *h = curl_easy_init();
	CURLcode rc;
	int ret = -1;

	*status = 0;
	if (!h)
		return jd_error_set(err, JD_EINTERNAL, "cannot start libcurl");
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms * 2);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
	if (ca_bundle)
		curl_easy_setopt(h, CURLOPT_CAINFO, ca_bundle);
	if (!strcmp(method, "PUT")) {
		curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)0);
		curl_easy_setopt(h, CURLOPT_READFUNCTION, no_body);
	}
	rc = curl_easy_perform(h);
	if (rc != CURLE_OK) {
		jd_error_set(err, JD_EREMOTE, "%s: %s", what,
			     rc == CURLE_WRITE_ERROR ? "answer too big" : curl_easy_strerror(rc));
		goto out;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	ret = 0;
out:
	curl_easy_cleanup(h);
	return ret;
}

static long remote_timeout(const struct jd_aws_options *o)
{
	const char *t = env("AWS_METADATA_SERVICE_TIMEOUT");

	if (o && o->timeout_ms > 0)
		return o->timeout_ms;
	if (t) {
		char *end;
		double s = strtod(t, &end);
		if (!*end && s > 0 && s <= 600)
			return (long)(s * 1000);
	}
	return 1000;
}

/* Parses the JSON both endpoints answer into c. */
static int creds_from_json(const char *text, size_t len, const char *source, const char *what,
			   struct jd_creds *c, struct jd_error *err)
{
	json_error_t je;
	json_t *j = jd_json_parse(text, len, 0, &je);
	const char *akid, *secret, *token, *code;
	int ret = -1;

	if (!j || !json_is_object(j)) {
		jd_error_set(err, JD_EREMOTE, "%s: the answer is not a JSON object", what);
		goto out;
	}
	code = json_string_value(json_object_get(j, "Code"));
	if (code && strcmp(code, "Success")) {
		jd_error_set(err, JD_EREMOTE, "%s: Code '%.64s'", what, code);
		goto out;
	}
	akid = json_string_value(json_object_get(j, "AccessKeyId"));
	secret = json_string_value(json_object_get(j, "SecretAccessKey"));
	token = json_string_value(json_object_get(j, "Token"));
	if (!akid || !*akid || !secret || !*secret) {
		jd_error_set(err, JD_EREMOTE, "%s: the answer lacks AccessKeyId or SecretAccessKey",
			     what);
		goto out;
	}
	if (creds_set(c, akid, secret, token, source, err) < 0)
		goto out;
	c->expiration = parse_expiration(json_string_value(json_object_get(j, "Expiration")));
	ret = 0;
out:
	/* NEEDSWORK: Jansson's copies of the secret are freed unwiped. */
	json_decref(j);
	return ret;
}

static int is_allowed_container_host(const struct jd_url *u)
{
	static const char *const ok[] = {"localhost", "[::1]", "169.254.170.2", "169.254.170.23",
					 "[fd00:ec2::23]"};

	if (!strcmp(u->scheme, "https"))
		return 1;
	if (!strncmp(u->host, "127.", 4))
		return 1;
	for (size_t i = 0; i < JD_ARRAY_SIZE(ok); i++)
		if (!strcmp(u->host, ok[i]))
			return 1;
	return 0;
}

static int read_token_file(const char *path, char **out, struct jd_error *err)
{
	struct jd_buf b = JD_BUF_INIT(16384);
	int ret = -1;

	*out = NULL;
	if (jd_read_file(path, 16384, &b, err) < 0)
		goto out;
	*out = trim_dup(b.data ? b.data : "", b.len);
	if (!*out) {
		jd_error_oom(err);
		goto out;
	}
	ret = 0;
out:
	wipe_buf(&b);
	return ret;
}

/* 1 found, 0 not configured, -1 error. */
static int from_container(const struct jd_aws_options *o, const char *ca_bundle, struct jd_creds *c,
			  struct jd_error *err)
{
	const char *rel = env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *full = env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	const char *tokfile = env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	const char *what = "container credentials endpoint";
	struct jd_buf url = JD_BUF_INIT(8192), auth = JD_BUF_INIT(20000),
		      body = JD_BUF_INIT(MAX_REMOTE_BODY);
	struct curl_slist *hdrs = NULL, *tmp;
	char *token = NULL;
	long status;
	int ret = -1;

	if (!rel && !full)
		return 0;
	if (rel) {
		const char *host =
			o && o->container_host ? o->container_host : DEFAULT_CONTAINER_HOST;
		if (jd_buf_adds(&url, host, err) < 0 ||
		    (rel[0] != '/' && jd_buf_addc(&url, '/', err) < 0) ||
		    jd_buf_adds(&url, rel, err) < 0)
			goto out;
	} else {
		struct jd_url u;
		const char *q = strpbrk(full, "?#");
		struct jd_buf base = JD_BUF_INIT(8192);
		int r;

		/* jd_url_parse refuses queries; check the host on the part before. */
		r = jd_buf_add(&base, full, q ? (size_t)(q - full) : strlen(full), err);
		if (r == 0)
			r = jd_url_parse(base.data, &u, err);
		jd_buf_release(&base);
		if (r < 0) {
			jd_error_set(err, JD_EUSAGE,
				     "AWS_CONTAINER_CREDENTIALS_FULL_URI is not an http(s) URL");
			goto out;
		}
		if (!is_allowed_container_host(&u)) {
			jd_error_set(err, JD_EUSAGE,
				     "AWS_CONTAINER_CREDENTIALS_FULL_URI: host '%.100s' is not "
				     "allowed over http (only loopback and the ECS/EKS hosts)",
				     u.host);
			goto out;
		}
		if (jd_buf_adds(&url, full, err) < 0)
			goto out;
	}
	if (tokfile) {
		if (read_token_file(tokfile, &token, err) < 0)
			goto out;
	} else if (env("AWS_CONTAINER_AUTHORIZATION_TOKEN")) {
		token = dup_or_oom(env("AWS_CONTAINER_AUTHORIZATION_TOKEN"), err);
		if (!token)
			goto out;
	}
	if (token && strpbrk(token, "\r\n")) {
		jd_error_set(err, JD_EUSAGE, "the container authorization token has a line break");
		goto out;
	}
	if (token && jd_buf_addf(&auth, err, "Authorization: %s", token) < 0)
		goto out;
	hdrs = curl_slist_append(NULL, "Accept: application/json");
	if (!hdrs) {
		jd_error_oom(err);
		goto out;
	}
	if (token) {
		tmp = curl_slist_append(hdrs, auth.data);
		if (!tmp) {
			jd_error_oom(err);
			goto out;
		}
		hdrs = tmp;
	}
	if (fetch("GET", url.data, hdrs, remote_timeout(o), ca_bundle, &body, &status, what, err) <
	    0)
		goto out;
	if (status != 200) {
		jd_error_set(err, JD_EREMOTE, "%s: HTTP %ld", what, status);
		goto out;
	}
	if (creds_from_json(body.data ? body.data : "", body.len, "container-role", what, c, err) <
	    0)
		goto out;
	ret = 1;
out:
	slist_wipe_free(hdrs);
	wipe_free(token);
	jd_buf_release(&url);
	wipe_buf(&auth);
	wipe_buf(&body);
	return ret;
}

/* 1 found, 0 none (no IMDS, no role), -1 error. */
static int from_imds(const struct jd_aws_options *o, struct jd_creds *c, struct jd_error *err)
{
	const char *base = env("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	const char *mode = env("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
	const char *what = "EC2 instance metadata";
	struct jd_buf url = JD_BUF_INIT(8192), tok = JD_BUF_INIT(4096),
		      body = JD_BUF_INIT(MAX_REMOTE_BODY), hdr = JD_BUF_INIT(8192);
	struct curl_slist *hdrs = NULL;
	long status, timeout = remote_timeout(o);
	struct jd_error ignored;
	size_t blen;
	char role[256];
	int ret = -1;

	if (env_true("AWS_EC2_METADATA_DISABLED"))
		return 0;
	if (!base)
		base = mode && !strcmp(mode, "IPv6") ? DEFAULT_IMDS_V6 : DEFAULT_IMDS;
	blen = strlen(base);
	while (blen && base[blen - 1] == '/')
		blen--;
	/* IMDSv2: a session token first. */
	if (jd_buf_add(&url, base, blen, err) < 0 ||
	    jd_buf_adds(&url, "/latest/api/token", err) < 0)
		goto out;
	hdrs = curl_slist_append(NULL, "X-aws-ec2-metadata-token-ttl-seconds: 21600");
	if (!hdrs) {
		jd_error_oom(err);
		goto out;
	}
	if (fetch("PUT", url.data, hdrs, timeout, NULL, &tok, &status, what, &ignored) < 0) {
		ret = 0; /* no metadata service here */
		goto out;
	}
	curl_slist_free_all(hdrs);
	hdrs = NULL;
	if (status == 200 && tok.len) {
		if (memchr(tok.data, '\n', tok.len) || memchr(tok.data, '\r', tok.len)) {
			jd_error_set(err, JD_EREMOTE, "%s: malformed session token", what);
			goto out;
		}
		if (jd_buf_addf(&hdr, err, "X-aws-ec2-metadata-token: %s", tok.data) < 0)
			goto out;
		hdrs = curl_slist_append(NULL, hdr.data);
		if (!hdrs) {
			jd_error_oom(err);
			goto out;
		}
	} else if (status != 403 && status != 404 && status != 405) {
		/* botocore falls back to IMDSv1 only on these. */
		ret = 0;
		goto out;
	}
	jd_buf_reset(&url);
	if (jd_buf_add(&url, base, blen, err) < 0 ||
	    jd_buf_adds(&url, "/latest/meta-data/iam/security-credentials/", err) < 0)
		goto out;
	if (fetch("GET", url.data, hdrs, timeout, NULL, &body, &status, what, err) < 0)
		goto out;
	if (status == 404) {
		ret = 0; /* no role attached */
		goto out;
	}
	if (status != 200 || !body.len) {
		jd_error_set(err, JD_EREMOTE, "%s: HTTP %ld listing the role", what, status);
		goto out;
	}
	{
		size_t n = strcspn(body.data, "\r\n");
		if (n == 0 || n >= sizeof(role)) {
			jd_error_set(err, JD_EREMOTE, "%s: bad role name", what);
			goto out;
		}
		memcpy(role, body.data, n);
		role[n] = '\0';
		for (size_t i = 0; i < n; i++)
			if (!isalnum((unsigned char)role[i]) && !strchr("+=,.@_-", role[i])) {
				jd_error_set(err, JD_EREMOTE, "%s: bad role name", what);
				goto out;
			}
	}
	jd_buf_reset(&body);
	if (jd_buf_adds(&url, role, err) < 0)
		goto out;
	if (fetch("GET", url.data, hdrs, timeout, NULL, &body, &status, what, err) < 0)
		goto out;
	if (status != 200) {
		jd_error_set(err, JD_EREMOTE, "%s: HTTP %ld for role '%s'", what, status, role);
		goto out;
	}
	if (creds_from_json(body.data ? body.data : "", body.len, "iam-role", what, c, err) < 0)
		goto out;
	ret = 1;
out:
	slist_wipe_free(hdrs);
	jd_buf_release(&url);
	wipe_buf(&tok);
	wipe_buf(&hdr);
	wipe_buf(&body);
	return ret;
}

static int unsupported_profile(const struct shared *sh, struct jd_error *err)
{
	static const char *const keys[] = {"credential_process", "role_arn", "sso_session",
					   "sso_start_url", "web_identity_token_file"};

	for (size_t i = 0; i < JD_ARRAY_SIZE(keys); i++)
		if (config_get(&sh->config, sh->profile, keys[i]) ||
		    ini_get(&sh->creds, sh->profile, keys[i]))
			return jd_error_set(
				err, JD_EUSAGE,
				"profile '%.100s' uses %s, which jobdoc does not support; "
				"export static or session credentials instead",
				sh->profile, keys[i]);
	return 0;
}

int jd_creds_load(const struct jd_aws_options *o, const char *ca_bundle, struct jd_creds *c,
		  struct jd_error *err)
{
	struct shared sh;
	int r, explicit_profile = o && o->profile && *o->profile;

	jd_creds_release(c);
	if (shared_load(o, &sh, err) < 0)
		return -1;
	/* 1. the environment, unless --profile */
	if (!explicit_profile) {
		const char *akid = env("AWS_ACCESS_KEY_ID"), *secret = env("AWS_SECRET_ACCESS_KEY");
		if (akid && secret) {
			r = creds_set(c, akid, secret, env("AWS_SESSION_TOKEN"), "environment",
				      err);
			goto out;
		}
		if (akid || secret) {
			r = jd_error_set(err, JD_EUSAGE,
					 "partial credentials in the environment: set both "
					 "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
			goto out;
		}
	}
	/* 2. shared credentials file; 3. config file */
	r = from_keys(ini_get(&sh.creds, sh.profile, "aws_access_key_id"),
		      ini_get(&sh.creds, sh.profile, "aws_secret_access_key"),
		      ini_get(&sh.creds, sh.profile, "aws_session_token")
			      ? ini_get(&sh.creds, sh.profile, "aws_session_token")
			      : ini_get(&sh.creds, sh.profile, "aws_security_token"),
		      sh.creds_path, sh.profile, "shared-credentials-file", c, err);
	if (r)
		goto out;
	r = from_keys(config_get(&sh.config, sh.profile, "aws_access_key_id"),
		      config_get(&sh.config, sh.profile, "aws_secret_access_key"),
		      config_get(&sh.config, sh.profile, "aws_session_token"), sh.config_path,
		      sh.profile, "config-file", c, err);
	if (r)
		goto out;
	r = unsupported_profile(&sh, err);
	if (r)
		goto out;
	/* 4. container endpoint; 5. IMDS */
	if (!(o && o->no_remote)) {
		r = from_container(o, ca_bundle, c, err);
		if (r)
			goto out;
		r = from_imds(o, c, err);
		if (r)
			goto out;
	}
	r = jd_error_set(err, JD_EUSAGE,
			 "no credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
			 "or AWS_PROFILE with ~/.aws/credentials");
out:
	shared_release(&sh);
	if (r < 0) {
		jd_creds_release(c);
		return -1;
	}
	return 0;
}

/* ---- region, endpoint, CA bundle ---- */

void jd_aws_config_release(struct jd_aws_config *cfg)
{
	free(cfg->endpoint_url);
	free(cfg->ca_bundle);
	memset(cfg, 0, sizeof(*cfg));
}

static int check_endpoint(const char *url, const char *where, struct jd_error *err)
{
	struct jd_url u;

	if (jd_url_parse(url, &u, err) < 0) {
		char msg[sizeof(err->msg)];
		jd_strlcpy(msg, err->msg, sizeof(msg));
		return jd_error_set(err, JD_EUSAGE, "%s: %s", where, msg);
	}
	return 0;
}

int jd_aws_config_load(const struct jd_aws_options *o, struct jd_aws_config *cfg,
		       struct jd_error *err)
{
	struct shared sh;
	const char *service = o && o->service ? o->service : "";
	const char *v = NULL, *where = NULL;
	char envname[96], key[96];
	int ret = -1;

	memset(cfg, 0, sizeof(*cfg));
	if (shared_load(o, &sh, err) < 0)
		return -1;
	jd_strlcpy(cfg->profile, sh.profile, sizeof(cfg->profile));

	v = o && o->region && *o->region ? o->region : env("AWS_REGION");
	if (!v)
		v = env("AWS_DEFAULT_REGION");
	if (!v)
		v = config_get(&sh.config, sh.profile, "region");
	if (v) {
		if (strlen(v) >= sizeof(cfg->region)) {
			jd_error_set(err, JD_EUSAGE, "region too long");
			goto out;
		}
		jd_strlcpy(cfg->region, v, sizeof(cfg->region));
	}

	/* Endpoint: --endpoint, then the configured ones. */
	v = NULL;
	if (o && o->endpoint_url && *o->endpoint_url) {
		v = o->endpoint_url;
		where = "--endpoint";
	} else if (!env_true("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS") &&
		   !(config_get(&sh.config, sh.profile, "ignore_configured_endpoint_urls") &&
		     !strcmp(config_get(&sh.config, sh.profile, "ignore_configured_endpoint_urls"),
			     "true"))) {
		size_t i, n = (size_t)snprintf(envname, sizeof(envname), "AWS_ENDPOINT_URL_");
		for (i = 0; service[i] && n + 1 < sizeof(envname); i++)
			envname[n++] = service[i] == '-' || service[i] == ' '
					       ? '_'
					       : (char)toupper((unsigned char)service[i]);
		envname[n] = '\0';
		if (*service && (v = env(envname)))
			where = envname;
		else if ((v = env("AWS_ENDPOINT_URL")))
			where = "AWS_ENDPOINT_URL";
		else {
			const char *svc = config_get(&sh.config, sh.profile, "services");
			if (svc && *service) {
				char sect[200];
				snprintf(sect, sizeof(sect), "services %s", svc);
				snprintf(key, sizeof(key), "%s.endpoint_url", service);
				v = ini_get(&sh.config, sect, key);
			}
			if (!v)
				v = config_get(&sh.config, sh.profile, "endpoint_url");
			where = sh.config_path;
		}
	}
	if (v) {
		if (check_endpoint(v, where, err) < 0)
			goto out;
		if (!(cfg->endpoint_url = dup_or_oom(v, err)))
			goto out;
	}
	v = env("AWS_CA_BUNDLE");
	if (!v)
		v = config_get(&sh.config, sh.profile, "ca_bundle");
	if (v && !(cfg->ca_bundle = expand_home(v))) {
		jd_error_oom(err);
		goto out;
	}
	v = config_get(&sh.config, sh.profile, "s3.addressing_style");
	if (v)
		jd_strlcpy(cfg->s3_addressing_style, v, sizeof(cfg->s3_addressing_style));
	ret = 0;
out:
	shared_release(&sh);
	if (ret < 0)
		jd_aws_config_release(cfg);
	return ret;
}
