/*
 * report_push.c - --push URL: the --prometheus text sent to a Prometheus
 * Pushgateway with libcurl, as an HTTP PUT to the group's URL
 *     URL/metrics/job/opscheck/instance/<hostname>/checklist/<names>
 * and --push-delete: an HTTP DELETE of that URL.  PUT replaces the whole
 * group, so a check dropped from a checklist does not linger.
 *
 * The grouping key (the Pushgateway README, "URL"): job, instance and
 * checklist, each replaced by a --push-group LABEL=VALUE of its name
 * (--push-group NAME is job=NAME), then the other --push-group labels in
 * the order given; a label given twice keeps the last value.  A URL that
 * already has a "/metrics/job/" path is used as given (the caller chose the
 * key; cli.c refuses --push-group beside it).  Values that are empty or
 * hold a character outside [A-Za-z0-9_.-] go base64url-encoded
 * ("checklist@base64/..."), as the Pushgateway API defines.
 *
 * libcurl is dlopen()ed here, at push time, not linked: linked, it maps
 * some 34 libraries into opscheck and into every process it forks, and a
 * fork costs 2.3 x a bare one.  A run without --push never loads it.
 * <curl/curl.h> is still the source of the types and constants.
 */
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "redact.h"
#include "report.h"
#include "report_int.h"
#include "util.h"

#define PUSH_CONNECT_TIMEOUT_S 5L
#define PUSH_TIMEOUT_S 15L

/* "/name/value" or "/name@base64/..." for one grouping-key label. */
static void group_label(strbuf *b, const char *name, const char *v)
{
    int plain = *v != '\0';
    for (const char *p = v; *p && plain; p++)
        plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' ||
                *p == '.' || *p == '-';
    if (plain) {
        sb_printf(b, "/%s/%s", name, v);
        return;
    }
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const unsigned char *s = (const unsigned char *)v;
    size_t n = strlen(v);
    sb_printf(b, "/%s@base64/", name);
    if (!n)
        sb_putc(b, '='); /* the API's spelling of an empty value */
    for (size_t i = 0; i < n; i += 3) {
        unsigned x = (unsigned)s[i] << 16 | (i + 1 < n ? (unsigned)s[i + 1] << 8 : 0) | (i + 2 < n ? s[i + 2] : 0);
        sb_putc(b, a[x >> 18 & 63]);
        sb_putc(b, a[x >> 12 & 63]);
        sb_putc(b, i + 1 < n ? a[x >> 6 & 63] : '=');
        sb_putc(b, i + 2 < n ? a[x & 63] : '=');
    }
}

/* The URL with any user:password@ shown as ***@, redacted: for messages. */
static char *url_shown(const char *url)
{
    const char *scheme = strstr(url, "://");
    const char *host = scheme ? scheme + 3 : url;
    const char *at = strchr(host, '@'), *slash = strchr(host, '/');
    char *s;
    if (at && (!slash || at < slash))
        s = xasprintf("%.*s***%s", (int)(host - url), url, at);
    else
        s = xstrdup(url);
    char *r = redact(s);
    free(s);
    return r;
}

/* The libcurl functions a push calls, resolved once from libcurl.so.4.
 * Named apart from curl's own: <curl/curl.h> may define curl_easy_setopt
 * as a type-checking macro. */
static struct {
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_perform)(CURL *);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    const char *(*easy_strerror)(CURLcode);
    void (*easy_cleanup)(CURL *);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
} cu;

#define CURL_SONAME "libcurl.so.4"

/* 0, or -1 with *why (malloc'd) naming what is missing. */
static int curl_load(char **why)
{
    if (cu.easy_init)
        return 0;
    /* Never dlclose()d: libcurl keeps process-wide state (OpenSSL, atexit). */
    void *h = dlopen(CURL_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *e = dlerror();
        *why = xasprintf("cannot load " CURL_SONAME " (install libcurl4): %s", e ? e : "not found");
        return -1;
    }
    /* dlsym's void * converted to each function's type (POSIX allows it). */
#define RESOLVE(f, name) if (!(cu.f = (__typeof__(cu.f))dlsym(h, name)) && !missing) missing = name
    const char *missing = NULL;
    RESOLVE(easy_init, "curl_easy_init");
    RESOLVE(easy_setopt, "curl_easy_setopt");
    RESOLVE(easy_perform, "curl_easy_perform");
    RESOLVE(easy_getinfo, "curl_easy_getinfo");
    RESOLVE(easy_strerror, "curl_easy_strerror");
    RESOLVE(easy_cleanup, "curl_easy_cleanup");
    RESOLVE(slist_append, "curl_slist_append");
    RESOLVE(slist_free_all, "curl_slist_free_all");
#undef RESOLVE
    if (missing) {
        *why = xasprintf(CURL_SONAME " has no %s", missing);
        cu.easy_init = NULL; /* not half-loaded: the next call tries again */
        return -1;
    }
    return 0;
}

static size_t collect(char *data, size_t size, size_t n, void *ud)
{
    strbuf *b = ud;
    if (b->len < 512)
        sb_add(b, data, size * n);
    return size * n;
}

/* "opscheck" for a job: what the group is called unless --push-group says. */
#define PUSH_JOB "opscheck"

int report_push_group_check(const char *arg, char **err)
{
    const char *eq = strchr(arg, '=');
    if (!eq) {
        if (!*arg)
            *err = xstrdup("give NAME (the job) or LABEL=VALUE, not an empty value");
        return *arg ? 0 : -1;
    }
    size_t n = (size_t)(eq - arg);
    int ok = n > 0 && !(n >= 2 && arg[0] == '_' && arg[1] == '_');
    for (size_t i = 0; i < n && ok; i++)
        ok = arg[i] == '_' || (arg[i] >= 'a' && arg[i] <= 'z') || (arg[i] >= 'A' && arg[i] <= 'Z') ||
             (i > 0 && arg[i] >= '0' && arg[i] <= '9');
    if (!ok) {
        *err = xasprintf("'%.*s' is not a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*, not starting with __), in '%s'",
                         (int)n, arg, arg);
        return -1;
    }
    if (n == 3 && strncmp(arg, "job", 3) == 0 && !eq[1]) {
        *err = xasprintf("the job may not be empty, in '%s'", arg);
        return -1;
    }
    return 0;
}

/* The grouping key (see the top of the file) appended to U as the URL path
 * "/metrics/job/..." and to SHOWN (if not NULL) as {job="...",...}. */
static void group_key(strbuf *u, strbuf *shown, const char *checklist, const strvec *group)
{
    strvec names = {0}, values = {0};
    sv_push(&names, xstrdup("job"));
    sv_push(&values, xstrdup(PUSH_JOB));
    sv_push(&names, xstrdup("instance"));
    sv_push(&values, report_hostname());
    sv_push(&names, xstrdup("checklist"));
    sv_push(&values, report_clean(checklist ? checklist : ""));
    for (size_t g = 0; group && g < group->n; g++) {
        const char *arg = group->v[g], *eq = strchr(arg, '=');
        char *name = eq ? xasprintf("%.*s", (int)(eq - arg), arg) : xstrdup("job");
        char *value = report_clean(eq ? eq + 1 : arg);
        size_t i = 0;
        while (i < names.n && strcmp(names.v[i], name) != 0)
            i++;
        if (i == names.n) {
            sv_push(&names, name);
            sv_push(&values, value);
            continue;
        }
        free(name);
        free(values.v[i]);
        values.v[i] = value;
    }
    sb_puts(u, "/metrics");
    for (size_t i = 0; i < names.n; i++) {
        group_label(u, names.v[i], values.v[i]);
        if (!shown)
            continue;
        sb_printf(shown, "%s%s=\"", i ? "," : "{", names.v[i]);
        for (const char *p = values.v[i]; *p; p++)
            sb_printf(shown, "%s%c", *p == '"' || *p == '\\' ? "\\" : "", *p);
        sb_putc(shown, '"');
    }
    if (shown)
        sb_putc(shown, '}');
    sv_clear(&names);
    sv_clear(&values);
}

/* URL without its trailing '/'s, plus the grouping key unless URL has one. */
static void group_url(strbuf *u, const char *url, const char *checklist, const strvec *group, strbuf *shown)
{
    sb_puts(u, url);
    while (u->len && u->s[u->len - 1] == '/')
        u->s[--u->len] = '\0';
    if (!strstr(u->s, "/metrics/job/"))
        group_key(u, shown, checklist, group);
    else if (shown)
        sb_puts(shown, "(as in the URL)");
}

/* One request: METHOD ("PUT" with BODY, "DELETE" without) to the group URL
 * U.  0, or -1 with *err naming SHOWN (the URL as given, masked). */
static int push_request(const char *method, const char *u, const char *body, const char *shown, char **err)
{
    char *why = NULL;
    if (curl_load(&why) != 0) {
        *err = xasprintf("push to %s failed: %s", shown, why);
        free(why);
        return -1;
    }
    CURL *h = cu.easy_init();
    if (!h) {
        *err = xasprintf("push to %s failed: cannot start libcurl", shown);
        return -1;
    }
    strbuf answer = {0};
    sb_add(&answer, "", 0);
    char ebuf[CURL_ERROR_SIZE] = "";
    struct curl_slist *hdr = NULL;
    cu.easy_setopt(h, CURLOPT_URL, u);
    cu.easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    if (body) {
        hdr = cu.slist_append(NULL, "Content-Type: text/plain; version=0.0.4; charset=utf-8");
        cu.easy_setopt(h, CURLOPT_POSTFIELDS, body);
        cu.easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
        cu.easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    }
    cu.easy_setopt(h, CURLOPT_CONNECTTIMEOUT, PUSH_CONNECT_TIMEOUT_S);
    cu.easy_setopt(h, CURLOPT_TIMEOUT, PUSH_TIMEOUT_S);
    cu.easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    cu.easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
    cu.easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
    cu.easy_setopt(h, CURLOPT_WRITEDATA, &answer);
    cu.easy_setopt(h, CURLOPT_USERAGENT, "opscheck");
    CURLcode cc = cu.easy_perform(h);
    long status = 0;
    cu.easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    int rc = 0;
    const char *verb = body ? "push to" : "delete at";
    if (cc != CURLE_OK) {
        char *why = redact(ebuf[0] ? ebuf : cu.easy_strerror(cc));
        *err = xasprintf("%s %s failed: %s", verb, shown, why);
        free(why);
        rc = -1;
    } else if (status < 200 || status > 299) {
        char *nl = strpbrk(answer.s, "\r\n");
        if (nl)
            *nl = '\0';
        char *why = report_clean(answer.s);
        *err = xasprintf("%s %s failed: HTTP %ld%s%s", verb, shown, status, *why ? ": " : "", why);
        free(why);
        rc = -1;
    }
    if (hdr)
        cu.slist_free_all(hdr);
    cu.easy_cleanup(h);
    sb_clear(&answer);
    return rc;
}

int report_push(const report_run *r, const char *url, char **err)
{
    strbuf u = {0};
    group_url(&u, url, r->checklist, r->push_group, NULL);
    char *shown = url_shown(url);
    char *text = report_prom_text(r);
    int rc = push_request("PUT", u.s, text, shown, err);
    free(text);
    free(shown);
    sb_clear(&u);
    return rc;
}

int report_push_delete(const char *url, const char *checklist, const strvec *group, char **key, char **err)
{
    strbuf u = {0}, k = {0};
    group_url(&u, url, checklist, group, &k);
    char *shown = url_shown(url);
    int rc = push_request("DELETE", u.s, NULL, shown, err);
    free(shown);
    sb_clear(&u);
    *key = sb_steal(&k);
    return rc;
}
