/*
 * interp.h - ${...} interpolation of INI values.
 *   ${name}                 a [vars] entry (vars may use vars; cycles are errors)
 *   ${env:NAME}             the environment; ${env:NAME:-default} when unset or empty
 *   ${file:PATH}            a file's contents, trailing newline removed (for secrets)
 *   $$                      a literal '$'
 * At load time (INTERP_LOAD) the environment and files are not read: such
 * values are only marked deferred, so `validate` needs no production tokens.
 */
#ifndef OC_INTERP_H
#define OC_INTERP_H

#include "config.h"

enum { INTERP_LOAD, INTERP_RUN };

typedef struct interp_res {
    char *value;          /* malloc'd result; NULL when deferred or on error */
    int deferred;         /* LOAD: depends on env or files */
    int from_outside;     /* drew on ${env:..} or ${file:..} (allowed for secrets) */
    int secret_env;       /* drew on a secret-looking ${env:..} or on ${file:..} */
    char *error;          /* "file:line: ..." malloc'd, or NULL */
} interp_res;

void interp_value(cfg *c, int mode, const char *raw, const char *file, int line, interp_res *r);
void interp_res_clear(interp_res *r);
/* "file:line" or "file" when line is 0, malloc'd. */
char *cfg_where(const char *file, int line);

#endif
