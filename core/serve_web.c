/*
 * serve_web.c - reads serve's --web-config (serve_web.h has the format).
 *
 * libyaml is linked into the program, not dlopen()ed like libmicrohttpd
 * (serve_mhd.h): libyaml-0.so.2 is 130 KB and needs nothing but libc (ldd),
 * so every process mapping it costs nothing measurable; libmicrohttpd
 * brings nine libraries.  The same holds for libxcrypt (serve_auth.c).
 */
#include <crypt.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <yaml.h>

#include "serve_web.h"
#include "util.h"

enum { PEM_MAX = 1 << 20 };

typedef struct web_ctx {
    const char *path;
    yaml_document_t *doc;
    sv_web *w;
    char *why; /* the first error */
} web_ctx;

static int fail(web_ctx *x, const yaml_node_t *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(web_ctx *x, const yaml_node_t *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    x->why = xasprintf("%s:%zu: %s", x->path, n ? (size_t)n->start_mark.line + 1 : (size_t)1, msg);
    free(msg);
    return -1;
}

static const char *scalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* The keys of an exporter-toolkit mapping serve knows it does not do. */
static int in_list(const char *k, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(k, *list) == 0)
            return 1;
    return 0;
}

/* Walks mapping N: each key a scalar, once; calls FN for each pair. */
typedef int (*pair_fn)(web_ctx *x, const yaml_node_t *key, const char *k, const yaml_node_t *val);
static int each_pair(web_ctx *x, const yaml_node_t *n, const char *what, pair_fn fn)
{
    if (n->type == YAML_SCALAR_NODE && !*scalar(n) && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
        return 0; /* `key:` with nothing: an empty mapping, as YAML's null */
    if (n->type != YAML_MAPPING_NODE)
        return fail(x, n, "%s must be a mapping", what);
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        const yaml_node_t *kn = yaml_document_get_node(x->doc, p->key);
        const yaml_node_t *vn = yaml_document_get_node(x->doc, p->value);
        const char *k = scalar(kn);
        if (!k)
            return fail(x, kn, "%s: a key must be a plain string", what);
        for (yaml_node_pair_t *q = n->data.mapping.pairs.start; q < p; q++)
            if (strcmp(scalar(yaml_document_get_node(x->doc, q->key)) ? scalar(yaml_document_get_node(x->doc, q->key)) : "", k) == 0)
                return fail(x, kn, "%s: '%s' is given twice", what, k);
        if (fn(x, kn, k, vn) != 0)
            return -1;
    }
    return 0;
}

/* A file named in the config: relative to the config's folder (as the
 * toolkit does); its text, or NULL after failing with the path named. */
static char *read_named(web_ctx *x, const yaml_node_t *n, const char *key, const char *name)
{
    const char *slash = strrchr(x->path, '/');
    char *p = name[0] == '/' || !slash ? xstrdup(name)
                                       : xasprintf("%.*s/%s", (int)(slash - x->path), x->path, name);
    size_t len = 0;
    char *text = file_read(p, PEM_MAX, &len);
    int err = text ? 0 : errno;
    if (!text)
        text = xstrdup("");
    if (err || strlen(text) != len || !len || len > PEM_MAX) {
        if (!err)
            fail(x, n, "%s %s: %s", key, p, !len ? "is empty" : "is not a PEM text file (a NUL byte, or over 1 MiB)");
        else
            fail(x, n, "%s %s: cannot read: %s", key, p, strerror(err));
        explicit_bzero(text, len);
        free(text);
        text = NULL;
    }
    free(p);
    return text;
}

static const char *const tls_not_done[] = {
    "cert", "key", "client_ca", "client_ca_file", "client_allowed_sans", "max_version", "cipher_suites",
    "prefer_server_cipher_suites", "curve_preferences", NULL};

static int tls_pair(web_ctx *x, const yaml_node_t *kn, const char *k, const yaml_node_t *vn)
{
    sv_web *w = x->w;
    const char *v = scalar(vn);
    if (strcmp(k, "cert_file") == 0 || strcmp(k, "key_file") == 0) {
        if (!v || !*v)
            return fail(x, vn, "tls_server_config: %s takes a file name", k);
        char **to = k[0] == 'c' ? &w->cert_pem : &w->key_pem;
        return (*to = read_named(x, vn, k, v)) ? 0 : -1;
    }
    if (strcmp(k, "min_version") == 0) {
        if (v && strcmp(v, "TLS12") == 0)
            w->priorities = "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2";
        else if (v && strcmp(v, "TLS13") == 0)
            w->priorities = "NORMAL:-VERS-ALL:+VERS-TLS1.3";
        else
            return fail(x, vn, "tls_server_config: min_version is TLS12 or TLS13 (serve offers nothing older)");
        return 0;
    }
    if (strcmp(k, "client_auth_type") == 0) {
        if (v && strcmp(v, "NoClientCert") == 0)
            return 0;
        return fail(x, vn, "tls_server_config: client_auth_type: serve does not verify client certificates, "
                           "only NoClientCert is accepted (put a TLS proxy in front for client certificates)");
    }
    if (in_list(k, tls_not_done))
        return fail(x, kn, "tls_server_config: %s is not supported by opscheck serve "
                           "(it reads cert_file, key_file, min_version, client_auth_type)", k);
    return fail(x, kn, "tls_server_config: unknown key '%s' (the keys are cert_file, key_file, min_version, "
                       "client_auth_type)", k);
}

static int user_pair(web_ctx *x, const yaml_node_t *kn, const char *k, const yaml_node_t *vn)
{
    sv_web *w = x->w;
    const char *v = scalar(vn);
    /* Only the three bcrypt prefixes, and the hash well formed (the value
     * itself is never repeated: it is a secret). */
    int bcrypt = v && (str_starts(v, "$2y$") || str_starts(v, "$2b$") || str_starts(v, "$2a$"));
    if (!*k || strchr(k, ':'))
        return fail(x, kn, "basic_auth_users: a user name is not empty and has no ':'");
    if (!bcrypt || strlen(v) != 60 || crypt_checksalt(v) != CRYPT_SALT_OK)
        return fail(x, vn, "basic_auth_users: %s: the password is not a bcrypt hash ($2y$, $2b$ or $2a$; "
                           "make one with htpasswd -nBC 10 \"\" | tr -d ':\\n')", k);
    w->users = xrealloc(w->users, (w->nusers + 1) * sizeof *w->users);
    w->users[w->nusers++] = (sv_user){xstrdup(k), xstrdup(v)};
    if (w->nusers == 1) /* unknown users are checked against a setting of the same cost */
        snprintf(w->dummy, sizeof w->dummy, "%.29s", v); /* "$2y$10$" and the 22 salt characters */
    return 0;
}

static const char *const top_not_done[] = {"http_server_config", "rate_limit", NULL};

static int top_pair(web_ctx *x, const yaml_node_t *kn, const char *k, const yaml_node_t *vn)
{
    if (strcmp(k, "tls_server_config") == 0) {
        x->w->tls = 1;
        x->w->tls_line = (int)kn->start_mark.line + 1;
        if (each_pair(x, vn, "tls_server_config", tls_pair) != 0)
            return -1;
        if (!x->w->cert_pem || !x->w->key_pem)
            return fail(x, kn, "tls_server_config needs both cert_file and key_file");
        return 0;
    }
    if (strcmp(k, "basic_auth_users") == 0)
        return each_pair(x, vn, "basic_auth_users", user_pair);
    if (in_list(k, top_not_done))
        return fail(x, kn, "%s is not supported by opscheck serve (it reads tls_server_config and basic_auth_users)", k);
    return fail(x, kn, "unknown key '%s' (the keys are tls_server_config and basic_auth_users)", k);
}

sv_web *sv_web_load(const char *path, char **why)
{
    web_ctx x = {.path = path, .w = xcalloc(1, sizeof(sv_web))};
    x.w->path = xstrdup(path);
    x.w->priorities = "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"; /* the toolkit's default: TLS12 */
    FILE *f = fopen(path, "rb");
    if (!f) {
        x.why = xasprintf("%s: cannot read the web config: %s", path, strerror(errno));
        goto out;
    }
    yaml_parser_t p;
    yaml_document_t doc;
    yaml_parser_initialize(&p);
    yaml_parser_set_input_file(&p, f);
    if (!yaml_parser_load(&p, &doc)) {
        /* where it broke, and where what it broke started ("while parsing a flow sequence", line 2) */
        char *ctx = p.context ? xasprintf(" (%s at line %zu)", p.context, p.context_mark.line + 1) : xstrdup("");
        x.why = xasprintf("%s:%zu: not valid YAML: %s%s", path, p.problem_mark.line + 1,
                          p.problem ? p.problem : "?", ctx);
        free(ctx);
    } else {
        x.doc = &doc;
        yaml_node_t *root = yaml_document_get_root_node(&doc);
        if (root) /* an empty file: no TLS, no users (as the toolkit) */
            each_pair(&x, root, "the web config", top_pair);
        yaml_document_delete(&doc);
        /* a second document in the file would be silently ignored: refused */
        if (!x.why && yaml_parser_load(&p, &doc)) {
            if (yaml_document_get_root_node(&doc))
                x.why = xasprintf("%s:%zu: one YAML document only", path, doc.start_mark.line + 1);
            yaml_document_delete(&doc);
        }
    }
    yaml_parser_delete(&p);
    fclose(f);
    if (!x.why && x.w->nusers && getrandom(x.w->key, sizeof x.w->key, 0) != (ssize_t)sizeof x.w->key)
        x.why = xasprintf("%s: no random bytes for the credentials cache: %s", path, strerror(errno));
out:
    if (x.why) {
        sv_web_free(x.w);
        *why = x.why;
        return NULL;
    }
    return x.w;
}

void sv_web_free(sv_web *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->nusers; i++) {
        free(w->users[i].name);
        explicit_bzero(w->users[i].hash, strlen(w->users[i].hash));
        free(w->users[i].hash);
    }
    free(w->users);
    if (w->key_pem)
        explicit_bzero(w->key_pem, strlen(w->key_pem));
    free(w->key_pem);
    free(w->cert_pem);
    free(w->path);
    explicit_bzero(w, sizeof *w);
    free(w);
}

static int same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

int sv_web_same_tls(const sv_web *a, const sv_web *b)
{
    int ta = a && a->tls, tb = b && b->tls;
    if (!ta || !tb)
        return ta == tb;
    return same_str(a->cert_pem, b->cert_pem) && same_str(a->key_pem, b->key_pem) &&
           strcmp(a->priorities, b->priorities) == 0;
}
