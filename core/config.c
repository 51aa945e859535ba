/*
 * config.c - reading INI files into sections and merging them (see
 * config.h).  inih splits "key = value" lines; our reader in front of it
 * counts lines and sees section headers, because Debian's inih does not pass
 * line numbers to the handler.  Validation lives in config_check.c.
 */
#include "config.h"

#include <ctype.h>
#include <stddef.h>
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>

#include "interp.h"
#include "suggest.h"
#include "units.h"

void cfg_validate(cfg *c, schema_find_fn find, void *find_ctx); /* config_check.c */

typedef struct parse_ctx {
    cfg *c;
    const char *file;
    FILE *fp;
    int line;
    int at_line_start;
    strbuf raw;              /* the current line as written, for cut_comment() */
    cfg_section *cur;        /* section of the current line, in this file */
    cfg_section **secs;      /* sections of this file, in order */
    size_t nsecs;
} parse_ctx;

void cfg_error(cfg *c, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    char *where = cfg_where(file, line);
    sv_push(&c->errors, xasprintf("%s: %s", where, msg));
    free(where);
    free(msg);
}

static const char *intern_file(cfg *c, const char *file)
{
    for (size_t i = 0; i < c->files.n; i++)
        if (strcmp(c->files.v[i], file) == 0)
            return c->files.v[i];
    sv_push(&c->files, xstrdup(file));
    return c->files.v[c->files.n - 1];
}

static void sec_add_item(cfg_section *s, const char *key, const char *raw, const char *file, int line)
{
    if (s->nitems == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 8;
        s->items = xrealloc(s->items, s->cap * sizeof *s->items);
    }
    s->items[s->nitems++] = (cfg_item){xstrdup(key), xstrdup(raw), file, line};
}

static void sec_free(cfg_section *s)
{
    for (size_t i = 0; i < s->nitems; i++) {
        free(s->items[i].key);
        free(s->items[i].raw);
    }
    free(s->items);
    free(s->name);
    free(s);
}

/* "[check fly-status]" -> kind and name; records errors for bad headers. */
static void start_section(parse_ctx *p, const char *text)
{
    char *t = xstrdup(text);
    str_trim(t);
    cfg_section *s = xcalloc(1, sizeof *s);
    s->file = p->file;
    s->line = p->line;
    char *sp = t + strcspn(t, " \t");
    char *name = *sp ? sp + 1 : NULL;
    *sp = '\0';
    if (name)
        str_trim(name);
    if (strcmp(t, "opscheck") == 0 || strcmp(t, "vars") == 0) {
        s->kind = t[0] == 'o' ? CFG_OPSCHECK : CFG_VARS;
        if (name && *name)
            cfg_error(p->c, p->file, p->line, "[%s] takes no name (found '%s')", t, name);
    } else if (strcmp(t, "check") == 0 || strcmp(t, "checklist") == 0) {
        s->kind = t[5] ? CFG_CHECKLIST : CFG_CHECK;
        if (!name || !*name)
            cfg_error(p->c, p->file, p->line, "[%s] needs a name: [%s NAME]", t, t);
        else if (strpbrk(name, " \t,"))
            cfg_error(p->c, p->file, p->line, "%s name '%s' may not contain blanks or commas", t, name);
        else
            s->name = xstrdup(name);
    } else {
        const char *kinds[] = {"opscheck", "vars", "check", "checklist"};
        const char *best = suggest_among(t, kinds, 4);
        if (best)
            cfg_error(p->c, p->file, p->line, "unknown section [%s] (did you mean [%s%s%s]?)", text, best,
                      name ? " " : "", name ? name : "");
        else
            cfg_error(p->c, p->file, p->line,
                      "unknown section [%s]; expected [opscheck], [vars], [check NAME] or [checklist NAME]", text);
    }
    free(t);
    p->secs = xrealloc(p->secs, (p->nsecs + 1) * sizeof *p->secs);
    p->secs[p->nsecs++] = s;
    p->cur = s->kind && (s->kind <= CFG_VARS || s->name) ? s : NULL;
}

/* Classify a line inih is about to see, so every bad line is reported. */
static void on_line_start(parse_ctx *p, const char *buf)
{
    const char *s = buf;
    while (*s == ' ' || *s == '\t')
        s++;
    if (p->line == 1 && (unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB && (unsigned char)s[2] == 0xBF)
        s += 3;
    if (!*s || *s == '\n' || *s == '\r' || *s == ';' || *s == '#')
        return;
    if (*s == '[') {
        const char *e = strchr(s, ']');
        if (!e) {
            cfg_error(p->c, p->file, p->line, "section header without ']'");
            p->cur = NULL;
            return;
        }
        char *text = xstrndup(s + 1, (size_t)(e - s - 1));
        start_section(p, text);
        free(text);
        return;
    }
    if (!strpbrk(s, "=:"))
        cfg_error(p->c, p->file, p->line, "expected 'key = value', a [section] or a ; comment");
}

static char *reader(char *buf, int size, void *stream)
{
    parse_ctx *p = stream;
    if (!fgets(buf, size, p->fp))
        return NULL;
    size_t n = strlen(buf);
    if (p->at_line_start) {
        p->line++;
        p->raw.len = 0;
        on_line_start(p, buf);
    }
    sb_add(&p->raw, buf, n);
    p->at_line_start = n > 0 && buf[n - 1] == '\n';
    return buf;
}

/* Keys whose value is code: a command line (exec's `command`, a shell-ish
 * `args`) or SQL (`query`, `query.NAME`). */
static int code_key(const char *key)
{
    return strcmp(key, "command") == 0 || strcmp(key, "args") == 0 || strcmp(key, "query") == 0
           || strncmp(key, "query.", 6) == 0;
}

/* Debian's inih is built with inline comments: a ';' after a blank ends the
 * value, so `command = true ; exit 3` would run `true` and pass.  Comments
 * after ordinary values (`timeout = 5s ; generous`) are wanted and stay; in
 * code any text after the ';' is refused, even a comment: `check_x -w 5 ;
 * warn at 5` and `true ; exit 3` cannot be told apart, and what would run
 * is not what was written.  A bare trailing ';' cuts nothing and passes.
 * The raw line is compared with what inih kept. */
static void cut_comment(parse_ctx *p, const char *key, const char *value)
{
    if (!code_key(key) || !p->raw.s)
        return;
    const char *v = p->raw.s + strcspn(p->raw.s, "=:");
    if (!*v)
        return;
    for (v++; *v == ' ' || *v == '\t'; v++)
        ;
    size_t n = strlen(v), kept = strlen(value);
    while (n && strchr(" \t\r\n", v[n - 1]))
        n--;
    const char *rest = v + kept;
    while (rest < v + n && (*rest == ' ' || *rest == '\t' || *rest == ';'))
        rest++;
    if (n <= kept || rest == v + n) /* nothing cut, or only a trailing ';' */
        return;
    cfg_error(p->c, p->file, p->line,
              "';' after a blank starts an INI comment: '%.*s' would run as '%s'; "
              "write ';' without the blank, or put a comment on a line of its own",
              (int)n, v, value);
}

static int handler(void *user, const char *section, const char *key, const char *value)
{
    parse_ctx *p = user;
    (void)section;
    if (!p->cur) {
        if (p->nsecs == 0)
            cfg_error(p->c, p->file, p->line, "'%s' is outside any section; start with [opscheck], [vars] or [check NAME]", key);
        return 1; /* the bad header was reported already */
    }
    if (!*key) {
        cfg_error(p->c, p->file, p->line, "empty key");
        return 1;
    }
    cut_comment(p, key, value ? value : "");
    sec_add_item(p->cur, key, value ? value : "", p->file, p->line);
    return 1;
}

static cfg_section *find_merged(cfg *c, int kind, const char *name)
{
    size_t i;
    return strmap_get(&c->sec_by_name[kind - 1], name ? name : "", &i) ? c->secs[i] : NULL;
}

/* A later file overrides an earlier one key by key. */
static void merge_section(cfg *c, cfg_section *s)
{
    cfg_section *m = find_merged(c, s->kind, s->name);
    if (!m) {
        m = xcalloc(1, sizeof *m);
        m->kind = s->kind;
        m->name = s->name ? xstrdup(s->name) : NULL;
        m->file = s->file;
        m->line = s->line;
        c->secs = xrealloc(c->secs, (c->nsecs + 1) * sizeof *c->secs);
        strmap_put(&c->sec_by_name[m->kind - 1], m->name ? m->name : "", c->nsecs);
        c->secs[c->nsecs++] = m;
    } else if (m->file != s->file) {
        /* drop the earlier files' values of every key this section sets */
        size_t w = 0;
        for (size_t i = 0; i < m->nitems; i++) {
            int overridden = 0;
            for (size_t k = 0; k < s->nitems && !overridden; k++)
                overridden = strcmp(m->items[i].key, s->items[k].key) == 0;
            if (overridden) {
                free(m->items[i].key);
                free(m->items[i].raw);
            } else {
                m->items[w++] = m->items[i];
            }
        }
        m->nitems = w;
    }
    for (size_t k = 0; k < s->nitems; k++)
        sec_add_item(m, s->items[k].key, s->items[k].raw, s->items[k].file, s->items[k].line);
}

/* Merges a file's sections in order.  Within one file a repeated [check]
 * or [checklist] is an error (it is almost always a paste mistake). */
static void merge_file(cfg *c, cfg_section **secs, size_t n)
{
    strmap first[2] = {{0}}; /* check, checklist name -> index in secs */
    for (size_t i = 0; i < n; i++) {
        cfg_section *s = secs[i];
        if (!s->kind || (s->kind > CFG_VARS && !s->name))
            continue;
        size_t j;
        if (s->kind >= CFG_CHECK) {
            if (strmap_get(&first[s->kind - CFG_CHECK], s->name, &j)) {
                cfg_error(c, s->file, s->line, "duplicate section [%s %s] (first at line %d)",
                          s->kind == CFG_CHECK ? "check" : "checklist", s->name, secs[j]->line);
                continue;
            }
            strmap_put(&first[s->kind - CFG_CHECK], s->name, i);
        }
        merge_section(c, s);
    }
    strmap_clear(&first[0]);
    strmap_clear(&first[1]);
}

const char *cfg_file_label(const char *path)
{
    return strcmp(path, "-") == 0 ? "<stdin>" : path;
}

static void parse_file(cfg *c, const char *path)
{
    parse_ctx p = {.c = c, .file = intern_file(c, cfg_file_label(path)), .at_line_start = 1};
    int from_stdin = strcmp(path, "-") == 0;
    struct stat st;
    if (!from_stdin && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) { /* fopen would succeed and read nothing */
        cfg_error(c, p.file, 0, "is a directory, not an INI file");
        return;
    }
    p.fp = from_stdin ? stdin : fopen(path, "r");
    if (!p.fp) {
        cfg_error(c, p.file, 0, "cannot open: %s", strerror(errno));
        return;
    }
    int rc = ini_parse_stream(reader, &p, handler, &p);
    if (!from_stdin)
        fclose(p.fp);
    sb_clear(&p.raw);
    if (rc == -2)
        cfg_error(c, p.file, 0, "out of memory while parsing");
    merge_file(c, p.secs, p.nsecs);
    for (size_t i = 0; i < p.nsecs; i++)
        sec_free(p.secs[i]);
    free(p.secs);
}

static void apply_sets(cfg *c, const char *const *sets, size_t nsets)
{
    for (size_t i = 0; i < nsets; i++) {
        const char *eq = strchr(sets[i], '=');
        if (!eq || eq == sets[i]) {
            cfg_error(c, "--set", 0, "expected VAR=VALUE, got '%s'", sets[i]);
            continue;
        }
        char *name = xstrndup(sets[i], (size_t)(eq - sets[i]));
        cfg_section s = {.kind = CFG_VARS, .file = intern_file(c, "--set")};
        sec_add_item(&s, name, eq + 1, s.file, 0);
        merge_section(c, &s);
        free(s.items[0].key);
        free(s.items[0].raw);
        free(s.items);
        free(name);
    }
}

static cfg *cfg_new(void)
{
    cfg *c = xcalloc(1, sizeof *c);
    c->check_by_name = xcalloc(1, sizeof *c->check_by_name);
    c->list_by_name = xcalloc(1, sizeof *c->list_by_name);
    return c;
}

cfg *cfg_unread(const char *why)
{
    cfg *c = cfg_new();
    sv_push(&c->errors, xstrdup(why));
    return c;
}

cfg *cfg_load(const char *const *files, size_t nfiles,
              const char *const *sets, size_t nsets, schema_find_fn find, void *find_ctx)
{
    cfg *c = cfg_new();
    /* Debian's inih takes its limits at run time: lines of any length,
     * no continuation lines (an indented line is a key of its own). */
    ini_use_stack = false;
    ini_allow_realloc = true;
    ini_max_line = 64 << 20;
    ini_allow_multiline = false;
    for (size_t i = 0; i < nfiles; i++)
        parse_file(c, files[i]);
    apply_sets(c, sets, nsets);
    cfg_validate(c, find, find_ctx);
    return c;
}

/* NAME's index in an array of N records of SIZE bytes, each starting with
 * its name pointer at offset NAME_AT; the map is (re)built from the array
 * when its count is not N (the arrays are filled once, by cfg_validate). */
static ssize_t find_by_name(strmap *map, const void *base, size_t n, size_t size, size_t name_at,
                            const char *name)
{
    if (map->n != n) {
        strmap_clear(map);
        for (size_t i = 0; i < n; i++)
            strmap_put(map, *(const char *const *)((const char *)base + i * size + name_at), i);
    }
    size_t i;
    return strmap_get(map, name, &i) ? (ssize_t)i : -1;
}

ssize_t cfg_find_check(const cfg *c, const char *name)
{
    return find_by_name(c->check_by_name, c->checks, c->nchecks, sizeof *c->checks,
                        offsetof(cfg_check, name), name);
}

ssize_t cfg_find_list(const cfg *c, const char *name)
{
    return find_by_name(c->list_by_name, c->lists, c->nlists, sizeof *c->lists,
                        offsetof(cfg_list, name), name);
}

const char *cfg_suggest(const cfg *c, const char *name)
{
    suggest_ctx s;
    suggest_init(&s, name);
    for (size_t i = 0; i < c->nchecks; i++)
        suggest_try(&s, c->checks[i].name);
    for (size_t i = 0; i < c->nlists; i++)
        suggest_try(&s, c->lists[i].name);
    return suggest_best(&s);
}

void cfg_free(cfg *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->nchecks; i++) {
        cfg_check *k = &c->checks[i];
        sv_clear(&k->needs);
        sv_clear(&k->tags);
        free(k->description);
        free(k->need_idx);
    }
    free(c->checks);
    for (size_t i = 0; i < c->nlists; i++) {
        free(c->lists[i].description);
        free(c->lists[i].every);
        free(c->lists[i].at);
        free(c->lists[i].idx);
    }
    free(c->lists);
    for (size_t i = 0; i < c->nsecs; i++)
        sec_free(c->secs[i]);
    free(c->secs);
    sv_clear(&c->files);
    sv_clear(&c->plugin_path);
    sv_clear(&c->errors);
    for (size_t i = 0; i < 4; i++)
        strmap_clear(&c->sec_by_name[i]);
    strmap_clear(c->check_by_name);
    strmap_clear(c->list_by_name);
    free(c->check_by_name);
    free(c->list_by_name);
    free(c);
}
