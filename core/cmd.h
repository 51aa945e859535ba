/*
 * cmd.h - the commands main.c dispatches to; each returns the exit code.
 */
#ifndef OC_CMD_H
#define OC_CMD_H

#include "cli.h"

int cmd_run(cli *o);      /* cmd_run.c */
int cmd_push_delete(cli *o); /* cmd_push.c: run --push-delete */
int cmd_serve(cli *o);    /* serve.c */
int cmd_list(cli *o);     /* cmd_info.c */
int cmd_validate(cli *o);
int cmd_plugins(cli *o);
int cmd_help(cli *o);
int cmd_version(cli *o);

#endif
