/* interp.c - see interp.h. */
#include "interp.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "redact.h"

#define INTERP_MAX_DEPTH 16
#define INTERP_MAX_FILE (1 << 20)
/* A few hundred bytes of [vars] that refer to each other several times per
 * level expand exponentially ("billion laughs"): bound the ${name}
 * expansions of one value and what they may add to it. */
#define INTERP_MAX_REFS 1000
#define INTERP_MAX_GROWTH (4 << 20)

typedef struct walk {
    cfg *c;
    int mode;
    interp_res *r;
    const char *stack[INTERP_MAX_DEPTH];
    int depth;
    size_t refs;          /* ${name} expansions so far */
    size_t max_len;       /* output bound: the value as written + INTERP_MAX_GROWTH */
} walk;

char *cfg_where(const char *file, int line)
{
    return line > 0 ? xasprintf("%s:%d", file, line) : xstrdup(file);
}

int cfg_env_is_secret(const char *name)
{
    static const char *marks[] = {"SECRET", "TOKEN", "PASSWORD", "PASS", "KEY"};
    char up[256];
    size_t i = 0;
    for (; name[i] && i < sizeof up - 1; i++)
        up[i] = (char)toupper((unsigned char)name[i]);
    up[i] = '\0';
    for (size_t k = 0; k < sizeof marks / sizeof *marks; k++)
        if (strstr(up, marks[k]))
            return 1;
    return 0;
}

static void fail(walk *w, const char *file, int line, const char *fmt, const char *arg)
{
    if (w->r->error)
        return;
    char *where = cfg_where(file, line);
    char *msg = xasprintf(fmt, arg);
    w->r->error = xasprintf("%s: %s", where, msg);
    free(where);
    free(msg);
}

static const cfg_item *find_var(cfg *c, const char *name)
{
    if (!c->vars)
        return NULL;
    for (size_t i = c->vars->nitems; i-- > 0;)
        if (strcmp(c->vars->items[i].key, name) == 0)
            return &c->vars->items[i];
    return NULL;
}

/* A ${file:PATH} value: a regular file only, at most INTERP_MAX_FILE bytes,
 * trailing newlines removed.  Opened O_NONBLOCK and checked with fstat before
 * any read, so a FIFO, a terminal or /dev/stdin can never block the run, and
 * a directory or a device never reads as an empty secret. */
static char *read_small_file(const char *path, char **why)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        *why = xasprintf("cannot read ${file:%s}: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    const char *kind = NULL;
    if (fstat(fd, &st) != 0)
        kind = "cannot be examined";
    else if (S_ISDIR(st.st_mode))
        kind = "is a directory";
    else if (S_ISFIFO(st.st_mode))
        kind = "is a FIFO";
    else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
        kind = "is a device";
    else if (S_ISSOCK(st.st_mode))
        kind = "is a socket";
    else if (!S_ISREG(st.st_mode))
        kind = "is not a regular file";
    else if (st.st_size > INTERP_MAX_FILE)
        kind = "is larger than 1 MiB";
    if (kind) {
        close(fd);
        *why = xasprintf("${file:%s} %s (a secret file must be a regular file of at most 1 MiB)", path, kind);
        return NULL;
    }
    strbuf b = {0};
    char buf[4096];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            *why = xasprintf("cannot read ${file:%s}: %s", path, strerror(errno));
            close(fd);
            sb_clear(&b);
            return NULL;
        }
        if (n == 0)
            break;
        if (b.len + (size_t)n > INTERP_MAX_FILE) { /* it grew after fstat */
            *why = xasprintf("${file:%s} %s (a secret file must be a regular file of at most 1 MiB)", path,
                             "is larger than 1 MiB");
            close(fd);
            sb_clear(&b);
            return NULL;
        }
        sb_add(&b, buf, (size_t)n);
    }
    close(fd);
    sb_add(&b, "", 0);
    while (b.len && (b.s[b.len - 1] == '\n' || b.s[b.len - 1] == '\r'))
        b.s[--b.len] = '\0';
    return sb_steal(&b);
}

static void expand(walk *w, const char *raw, const char *file, int line, strbuf *out);

/* One ${...} reference, INNER being the text between the braces. */
static void expand_ref(walk *w, const char *inner, const char *file, int line, strbuf *out)
{
    interp_res *r = w->r;
    if (str_starts(inner, "env:")) {
        const char *name = inner + 4;
        const char *dflt = strstr(name, ":-");
        char *var = dflt ? xstrndup(name, (size_t)(dflt - name)) : xstrdup(name);
        r->from_outside = 1;
        if (cfg_env_is_secret(var))
            r->secret_env = 1;
        if (!*var) {
            fail(w, file, line, "empty variable name in ${env:%s}", name);
        } else if (w->mode == INTERP_LOAD) {
            r->deferred = 1;
        } else {
            const char *v = getenv(var);
            if (v && *v) {
                if (cfg_env_is_secret(var))
                    redact_add(v);
                sb_puts(out, v);
            } else if (dflt && w->depth >= INTERP_MAX_DEPTH) {
                /* each level copies the rest of the value: bound them */
                fail(w, file, line, "defaults nested too deep in ${env:%s}", var);
            } else if (dflt) {
                w->stack[w->depth++] = ""; /* no variable is named "" */
                expand(w, dflt + 2, file, line, out);
                w->depth--;
            } else {
                fail(w, file, line, "environment variable %s is not set", var);
            }
        }
        free(var);
        return;
    }
    if (str_starts(inner, "file:")) {
        r->from_outside = 1;
        r->secret_env = 1;
        if (!inner[5]) {
            fail(w, file, line, "empty path in ${file:%s}", "");
        } else if (w->mode == INTERP_LOAD) {
            r->deferred = 1;
        } else {
            char *why = NULL, *v = read_small_file(inner + 5, &why);
            if (!v) {
                fail(w, file, line, "%s", why);
                free(why);
                return;
            }
            redact_add(v);
            sb_puts(out, v);
            free(v);
        }
        return;
    }
    const cfg_item *var = find_var(w->c, inner);
    if (!var) {
        fail(w, file, line, "undefined variable ${%s} (define it under [vars] or use ${env:NAME})", inner);
        return;
    }
    for (int i = 0; i < w->depth; i++) {
        if (strcmp(w->stack[i], inner) == 0) {
            fail(w, var->file, var->line, "variable ${%s} refers to itself", inner);
            return;
        }
    }
    if (w->depth >= INTERP_MAX_DEPTH) {
        fail(w, var->file, var->line, "variables nested too deep at ${%s}", inner);
        return;
    }
    if (++w->refs > INTERP_MAX_REFS) {
        fail(w, file, line, "too many variable expansions (over 1000) at ${%s}", inner);
        return;
    }
    w->stack[w->depth++] = inner;
    expand(w, var->raw, var->file, var->line, out);
    w->depth--;
}

static void expand(walk *w, const char *raw, const char *file, int line, strbuf *out)
{
    for (const char *p = raw; *p && !w->r->error; p++) {
        if (out->len > w->max_len) {
            fail(w, file, line, "value grows over 4 MiB when its variables are expanded%s", "");
            return;
        }
        if (p[0] != '$') {
            sb_putc(out, *p);
            continue;
        }
        if (p[1] == '$') {
            sb_putc(out, '$');
            p++;
            continue;
        }
        if (p[1] != '{') {
            sb_putc(out, '$');
            continue;
        }
        /* find the matching brace; defaults may nest ${...} */
        int level = 0;
        const char *q = p + 1;
        for (; *q; q++) {
            if (q[0] == '{')
                level++;
            else if (q[0] == '}' && --level == 0)
                break;
        }
        if (!*q) {
            fail(w, file, line, "unterminated '${' in '%s'", raw);
            return;
        }
        char *inner = xstrndup(p + 2, (size_t)(q - p - 2));
        if (!*inner)
            fail(w, file, line, "empty reference '${}'%s", "");
        else
            expand_ref(w, inner, file, line, out);
        free(inner);
        p = q;
    }
}

void interp_value(cfg *c, int mode, const char *raw, const char *file, int line, interp_res *r)
{
    memset(r, 0, sizeof *r);
    walk w = {.c = c, .mode = mode, .r = r, .max_len = strlen(raw) + INTERP_MAX_GROWTH};
    strbuf out = {0};
    expand(&w, raw, file, line, &out);
    if (r->error || r->deferred)
        sb_clear(&out);
    else
        r->value = sb_steal(&out);
}

void interp_res_clear(interp_res *r)
{
    free(r->value);
    free(r->error);
    memset(r, 0, sizeof *r);
}
