/*
 * plan.h - the plan phase, between the config model and the runner:
 * INI -> model (config.c) -> plan (here) -> children (run.c) -> results ->
 * writers.
 *
 * plan_build() decides everything before the first fork: which checks run
 * (names, checklists, tags, the `needs` closure, in order), every selected
 * check's values resolved once (${env:}, ${file:}), and every secret the
 * configuration can name registered with the redactor, whether or not the
 * check that owns it is selected, skipped or resolvable.  From then on the
 * runner, the writers and the reports only read the plan and the config;
 * nothing calls back into config code while checks run.
 *
 * Ownership: the plan owns sel and res; plan_clear() frees them (the cfg
 * stays the caller's and must outlive the plan).
 */
#ifndef OC_PLAN_H
#define OC_PLAN_H

#include "config.h"

typedef struct plan {
    cfg *c;
    size_t *sel;          /* indexes into c->checks: needs first, in order */
    size_t n;
    cfg_resolved *res;    /* res[i] is check sel[i] resolved (or its error) */
} plan;

/* Selects by NAMES (checklists or checks; none = every check) and TAGS,
 * registers secrets, resolves.  0, or -1 with *error set (malloc'd, one
 * line, secrets masked) when a name is unknown. */
int plan_build(cfg *c, const strvec *names, const strvec *tags, plan *p, char **error);
void plan_clear(plan *p);

#endif
