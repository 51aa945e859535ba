/* plan.c - the plan phase (see plan.h). */
#include "plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redact.h"
#include "suggest.h"

static int has_tag(const cfg_check *k, const strvec *tags)
{
    for (size_t i = 0; i < tags->n; i++)
        if (sv_contains(&k->tags, tags->v[i]))
            return 1;
    return 0;
}

/* A --tag no check carries is a typo, never an intent: an error naming it,
 * with the closest tag there is (NULL when every tag is used). */
static char *unused_tag(const cfg *c, const strvec *tags)
{
    for (size_t t = 0; t < tags->n; t++) {
        int used = 0;
        for (size_t i = 0; i < c->nchecks && !used; i++)
            used = sv_contains(&c->checks[i].tags, tags->v[t]);
        if (used)
            continue;
        suggest_ctx sg;
        suggest_init(&sg, tags->v[t]);
        for (size_t i = 0; i < c->nchecks; i++)
            for (size_t k = 0; k < c->checks[i].tags.n; k++)
                suggest_try(&sg, c->checks[i].tags.v[k]);
        const char *best = suggest_best(&sg);
        return xasprintf("--tag %s: no check has this tag%s%s%s", tags->v[t], best ? " (did you mean '" : "",
                         best ? best : "", best ? "'?)" : "");
    }
    return NULL;
}

/* Add check I after the checks it needs that are not selected already. */
static void add_with_needs(cfg *c, size_t i, size_t *sel, size_t *n, char *in)
{
    if (in[i])
        return;
    in[i] = 1;
    for (size_t k = 0; k < c->checks[i].needs.n; k++) {
        size_t j = c->checks[i].need_idx[k];
        if (j != (size_t)-1 && !in[j])
            add_with_needs(c, j, sel, n, in);
    }
    sel[(*n)++] = i;
}

/* The checks to run, in order; -1 with *error on an unknown name. */
static int select_checks(cfg *c, const strvec *names, const strvec *tags, plan *p, char **error)
{
    size_t *want = xcalloc(c->nchecks + 1, sizeof *want), nwant = 0;
    char *mark = xcalloc(c->nchecks + 1, 1);
    if (!names->n)
        for (size_t i = 0; i < c->nchecks; i++)
            want[nwant++] = i;
    for (size_t n = 0; n < names->n; n++) {
        const char *name = names->v[n];
        ssize_t l = cfg_find_list(c, name), k = cfg_find_check(c, name);
        if (l < 0 && k < 0) {
            const char *best = cfg_suggest(c, name);
            *error = xasprintf("'%s' is not a checklist or a check%s%s%s (see `opscheck list`)", name,
                               best ? " (did you mean '" : "", best ? best : "", best ? "'?)" : "");
            free(want);
            free(mark);
            return -1;
        }
        size_t cnt = l >= 0 ? c->lists[l].n : 1;
        for (size_t i = 0; i < cnt; i++) {
            size_t idx = l >= 0 ? c->lists[l].idx[i] : (size_t)k;
            if (!mark[idx]) {
                mark[idx] = 1;
                want[nwant++] = idx;
            }
        }
    }
    if ((*error = unused_tag(c, tags))) {
        free(want);
        free(mark);
        return -1;
    }
    p->sel = xcalloc(c->nchecks + 1, sizeof *p->sel);
    char *in = xcalloc(c->nchecks + 1, 1);
    for (size_t i = 0; i < nwant; i++)
        if (!tags->n || has_tag(&c->checks[want[i]], tags))
            add_with_needs(c, want[i], p->sel, &p->n, in);
    free(want);
    free(mark);
    free(in);
    if (p->n == 0) { /* nothing to check is a mistake, never a green run */
        *error = xstrdup("the selection has no check (the names and --tag together match none)");
        return -1;
    }
    return 0;
}

int plan_build(cfg *c, const strvec *names, const strvec *tags, plan *p, char **error)
{
    memset(p, 0, sizeof *p);
    p->c = c;
    *error = NULL;
    /* secrets first: even the message about an unknown name is masked */
    cfg_register_secrets(c, NULL);
    if (select_checks(c, names, tags, p, error) != 0) {
        char *shown = redact(*error);
        free(*error);
        *error = shown;
        plan_clear(p);
        return -1;
    }
    p->res = xcalloc(p->n ? p->n : 1, sizeof *p->res);
    for (size_t i = 0; i < p->n; i++)
        cfg_resolve(c, p->sel[i], &p->res[i]);
    return 0;
}

void plan_clear(plan *p)
{
    for (size_t i = 0; p->res && i < p->n; i++)
        cfg_resolved_clear(&p->res[i]);
    free(p->res);
    free(p->sel);
    memset(p, 0, sizeof *p);
}
