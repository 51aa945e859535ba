/*
 * scripts/plugin-sql.c - print a plugin's default query exactly as the
 * plugin sends it, for scripts/bench (which compiles this in a temp dir).
 * The text comes from the plugin's own header (bl_sql.h, mw_sql.h) and
 * its :name parameters are rewritten by the plugin's own pg_bind_names(),
 * so the bench cannot drift from what ships.
 *
 *   plugin-sql NAME [PARAM=VALUE...]
 *
 * Writes the SQL text, a NUL, then the values in $1, $2... order, each
 * followed by a NUL (bash: mapfile -d '').  Exit 2 on an unknown NAME or a
 * parameter the query names but the arguments do not give.
 */
#include "bl_sql.h"
#include "mw_sql.h"
#include "pg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ENTRY(name, sql) {name, sql},
static const struct {
    const char *name, *sql;
} queries[] = {BL_SQL_LIST(ENTRY) MW_SQL_LIST(ENTRY)};

int main(int argc, char **argv)
{
    pg_param params[16];
    size_t np = 0, order[32], norder = 0;
    char err[128];
    const char *sql = NULL;

    if (argc < 2) {
        fprintf(stderr, "usage: plugin-sql NAME [PARAM=VALUE...]\n");
        return 2;
    }
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++)
        if (strcmp(queries[i].name, argv[1]) == 0)
            sql = queries[i].sql;
    if (!sql) {
        fprintf(stderr, "plugin-sql: no query %s\n", argv[1]);
        return 2;
    }
    for (int i = 2; i < argc && np < 16; i++) {
        char *eq = strchr(argv[i], '=');
        if (!eq) {
            fprintf(stderr, "plugin-sql: %s is not PARAM=VALUE\n", argv[i]);
            return 2;
        }
        *eq = '\0';
        params[np].name = argv[i];
        params[np++].value = eq + 1;
    }
    char *text = pg_bind_names(sql, params, np, order, 32, &norder, err, sizeof err);
    if (!text) {
        fprintf(stderr, "plugin-sql: query %s: %s\n", argv[1], err);
        return 2;
    }
    fwrite(text, 1, strlen(text) + 1, stdout);
    for (size_t i = 0; i < norder; i++)
        fwrite(params[order[i]].value, 1, strlen(params[order[i]].value) + 1, stdout);
    free(text);
    return 0;
}
