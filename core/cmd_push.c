/*
 * cmd_push.c - `opscheck run [NAME...] --push URL [--push-group ...] --push-delete`:
 * removes from the Pushgateway the group that the same command line without
 * --push-delete pushes to, and runs nothing.  The config is not read (the
 * checklist may be gone from it already, which is when a group is deleted),
 * so the rest of a run's command line may stay as it is: the NAMEs and
 * --push-group make the grouping key (report_push.c), the other options
 * have nothing to do.  cli.c has checked that --push is there.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "redact.h"
#include "report.h"

int cmd_push_delete(cli *o)
{
    strbuf names = {0};
    sb_add(&names, "", 0);
    for (size_t i = 0; i < o->names.n; i++) /* the checklist value, as report_push() gets it */
        sb_printf(&names, "%s%s", i ? " " : "", o->names.v[i]);
    char *key = NULL, *err = NULL;
    int rc = report_push_delete(o->push, names.s, &o->push_group, &key, &err);
    char *shown_key = redact(key);
    if (rc != 0) {
        char *shown = redact(err);
        fprintf(stderr, "opscheck: --push-delete: %s\n", shown); /* err names the URL */
        free(shown);
    } else {
        printf("deleted the Pushgateway group %s\n", shown_key);
    }
    free(shown_key);
    free(key);
    free(err);
    sb_clear(&names);
    return rc ? EXIT_INTERNAL : 0;
}
