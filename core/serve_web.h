/*
 * serve_web.h - `opscheck serve --web-config FILE`: TLS and basic auth in
 * the format of Prometheus' exporter-toolkit (docs/web-configuration.md
 * there), the subset serve does right:
 *
 *   tls_server_config:
 *     cert_file: server.crt      # PEM; relative paths: from FILE's folder
 *     key_file: server.key
 *     min_version: TLS12         # or TLS13; the default TLS12
 *     client_auth_type: NoClientCert   # the only one (no client certs)
 *   basic_auth_users:
 *     alice: $2y$10$...          # bcrypt ($2y$, $2b$, $2a$)
 *
 * Every other key (the toolkit's own included) is refused with FILE:LINE,
 * never ignored.  Who owns what:
 *   serve_web.c   reading FILE (libyaml) and the cert/key files;
 *   serve_auth.c  checking a request's user and password (libxcrypt's
 *                 bcrypt, a keyed-hash cache of the pairs that passed);
 *   serve_http.c  TLS (libmicrohttpd's own HTTPS: GnuTLS inside it) and the
 *                 401s;
 *   serve.c       loading at start and at SIGHUP (a bad one keeps the old).
 */
#ifndef OC_SERVE_WEB_H
#define OC_SERVE_WEB_H

#include <stddef.h>

enum { SV_AUTH_CACHE = 128, SV_AUTH_TAG = 16 };

typedef struct sv_user {
    char *name, *hash; /* the hash is a secret too: never printed */
} sv_user;

typedef struct sv_web {
    char *path;
    int tls;                  /* tls_server_config given */
    int tls_line;             /* its line, for GnuTLS's refusal */
    char *cert_pem, *key_pem; /* the files' text (the key wiped when freed) */
    const char *priorities;   /* GnuTLS priority string for min_version */
    sv_user *users;
    size_t nusers;
    char dummy[64];           /* a bcrypt setting for unknown users (same cost) */
    /* serve_auth.c's cache, guarded by serve_ctx.mu */
    unsigned char key[16];
    unsigned char ok[SV_AUTH_CACHE][SV_AUTH_TAG];
    size_t nok, okhead;
} sv_web;

/* Reads PATH: the config, or NULL with *WHY (malloc'd, one line, "PATH:LINE: ...",
 * no secret in it). */
sv_web *sv_web_load(const char *path, char **why);
void sv_web_free(sv_web *w);
/* The TLS parts of A and B are the same (no need to restart the listener). */
int sv_web_same_tls(const sv_web *a, const sv_web *b);

#endif
