/*
 * argv.c - split the `command` option into words the way a POSIX shell
 * would, but with no expansion, globbing, redirection or variables: the
 * plugin runs the program itself (unless `shell = yes`).
 *
 *   blanks (space, tab, newline) separate words;
 *   'single quotes' keep everything literally;
 *   "double quotes" keep everything except \" \\ \$ \` and \<newline>;
 *   outside quotes a backslash keeps the next character (\<newline> vanishes);
 *   "" and '' make an empty word.
 */
#include <stdlib.h>
#include <string.h>

#include "exec_int.h"

static int is_blank(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

static void push_word(exec_argv *a, const char *w, size_t n)
{
    a->argv = exec_xrealloc(a->argv, (a->argc + 2) * sizeof *a->argv);
    a->argv[a->argc++] = exec_xstrndup(w, n);
    a->argv[a->argc] = NULL;
}

/* The word being built lives in buf (never longer than cmd), so one
 * allocation per call is enough. */
int exec_split_argv(const char *cmd, exec_argv *out, const char **err)
{
    size_t len = strlen(cmd), n = 0;
    char *buf = exec_xmalloc(len + 1);
    int in_word = 0;
    const char *p = cmd;

    out->argv = NULL;
    out->argc = 0;
    *err = NULL;
    while (*p) {
        char ch = *p++;
        if (is_blank(ch)) {
            if (in_word)
                push_word(out, buf, n);
            in_word = 0;
            n = 0;
        } else if (ch == '\\') {
            if (!*p) {
                *err = "trailing backslash";
                break;
            }
            if (*p == '\n') {   /* line continuation */
                p++;
                continue;
            }
            buf[n++] = *p++;
            in_word = 1;
        } else if (ch == '\'') {
            const char *end = strchr(p, '\'');
            if (!end) {
                *err = "unterminated single quote";
                break;
            }
            memcpy(buf + n, p, (size_t)(end - p));
            n += (size_t)(end - p);
            p = end + 1;
            in_word = 1;
        } else if (ch == '"') {
            in_word = 1;
            while (*p && *p != '"') {
                if (*p == '\\' && p[1] && strchr("\"\\$`\n", p[1])) {
                    if (p[1] != '\n')
                        buf[n++] = p[1];
                    p += 2;
                } else {
                    buf[n++] = *p++;
                }
            }
            if (!*p) {
                *err = "unterminated double quote";
                break;
            }
            p++;
        } else {
            buf[n++] = ch;
            in_word = 1;
        }
    }
    if (!*err && in_word)
        push_word(out, buf, n);
    free(buf);
    if (!*err && out->argc == 0)
        *err = "no words";
    if (*err) {
        exec_argv_free(out);
        return -1;
    }
    return 0;
}

void exec_argv_free(exec_argv *a)
{
    for (size_t i = 0; i < a->argc; i++)
        free(a->argv[i]);
    free(a->argv);
    a->argv = NULL;
    a->argc = 0;
}
