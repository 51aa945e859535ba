/*
 * bl_evidence.c - billing's `orphans` assertion (approved payments with no
 * checkout) and `evidence` assertion (runbook §6: payments,
 * checkout_sessions and webhook_events not purged: each table's oldest row
 * at least keep_since old, and with state_dir, no row count lower than at
 * the last run).  The counts are remembered in STATE_DIR/<check>.counts,
 * one "table count" line each, replaced atomically after a run whose
 * counts did not drop; after a drop the file is kept, so the check keeps
 * failing until an operator deletes it (acknowledges the purge).
 */
#include "billing.h"
#include "bl_sql.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void bl_check_orphans(bl_ctx *x)
{
    char gs[32], grace[32], list[1024] = "";
    pg_param p[] = {{"grace", gs}};
    size_t at = 0;

    snprintf(gs, sizeof gs, "%lld", x->grace_s);
    bl_dur(x->grace_s, grace, sizeof grace);
    PGresult *r = bl_query(x, "orphans", "orphans", BL_ORPHANS_SQL, p, 1);
    if (!r)
        return;
    int n = PQntuples(r);
    oc_metric(x->c, "orphan_payments", n, "");
    if (n == 0) {
        oc_pass(x->c, "orphans: every approved payment has a checkout");
        PQclear(r);
        return;
    }
    for (int i = 0; i < n && i < x->list_max; i++) {
        const char *id = bl_val(r, i, "payment_id"), *amt = bl_val(r, i, "amount"), *t = bl_val(r, i, "approved_at");
        int w = snprintf(list + at, sizeof list - at, "%s%s (%s%s%s)", i ? ", " : "", id ? id : "?",
                         amt ? amt : "", amt && t ? ", approved " : "", t ? t : "");
        if (w > 0 && (size_t)w < sizeof list - at)
            at += (size_t)w;
    }
    char seen[64];
    snprintf(seen, sizeof seen, "%d approved payment%s without a checkout", n, n == 1 ? "" : "s");
    oc_fail(x->c, "orphans: %s: %s%s", seen, list, n > x->list_max ? ", ..." : "");
    oc_expect(x->c, "every approved payment has a checkout", seen);
    PQclear(r);
}

typedef struct bl_count {
    char table[64];
    long long rows;
} bl_count;

static size_t bl_state_read(const char *file, bl_count *out, size_t max)
{
    FILE *f = fopen(file, "r");
    size_t n = 0;
    if (!f)
        return 0;
    while (n < max && fscanf(f, "%63s %lld", out[n].table, &out[n].rows) == 2)
        n++;
    fclose(f);
    return n;
}

static int bl_state_write(const char *file, const bl_count *c, size_t n)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", file);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return -1;
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s %lld\n", c[i].table, c[i].rows);
    if (fclose(f) != 0 || rename(tmp, file) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

void bl_check_evidence(bl_ctx *x)
{
    long long keep_s = oc_opt_duration_ms(x->c, "keep_since") / 1000;
    char keep[32], young[1024] = "", dropped[1024] = "", counts[512] = "";
    size_t ay = 0, ad = 0, ac = 0;
    bl_count now[16], before[16];
    size_t nnow = 0, nbefore = 0;
    const char *dir = oc_opt_str(x->c, "state_dir");
    char file[4096];

    bl_dur(keep_s, keep, sizeof keep);
    PGresult *r = bl_query(x, "evidence", "evidence", BL_EVIDENCE_SQL, NULL, 0);
    if (!r)
        return;
    if (PQfnumber(r, "table_name") < 0 || PQfnumber(r, "row_count") < 0) {
        oc_fail(x->c, "evidence: query evidence returns no table_name and row_count columns");
        oc_diag(x->c, "query", "%s", bl_sql(x->c, "evidence", BL_EVIDENCE_SQL));
        PQclear(r);
        return;
    }
    for (int i = 0; i < PQntuples(r) && nnow < 16; i++) {
        const char *t = bl_val(r, i, "table_name"), *rc = bl_val(r, i, "row_count");
        const char *age = bl_val(r, i, "oldest_age_s");
        snprintf(now[nnow].table, sizeof now[nnow].table, "%s", t ? t : "?");
        now[nnow].rows = rc ? atoll(rc) : 0;
        double days = age ? atof(age) / 86400.0 : 0;
        int w = snprintf(counts + ac, sizeof counts - ac, "%s%s %lld rows, oldest %.1f days", ac ? "; " : "",
                         now[nnow].table, now[nnow].rows, days);
        ac += w > 0 && (size_t)w < sizeof counts - ac ? (size_t)w : 0;
        if (!age || atof(age) < (double)keep_s) {
            w = snprintf(young + ay, sizeof young - ay, "%s%s oldest row %s", ay ? ", " : "", now[nnow].table,
                         age ? "" : "missing (empty table)");
            ay += w > 0 && (size_t)w < sizeof young - ay ? (size_t)w : 0;
            if (age) {
                w = snprintf(young + ay, sizeof young - ay, "%.1f days old", days);
                ay += w > 0 && (size_t)w < sizeof young - ay ? (size_t)w : 0;
            }
        }
        nnow++;
    }
    PQclear(r);
    oc_diag(x->c, "evidence", "%s", counts);
    if (dir) {
        snprintf(file, sizeof file, "%s/%s.counts", dir, oc_check_name(x->c));
        nbefore = bl_state_read(file, before, 16);
        for (size_t i = 0; i < nnow; i++)
            for (size_t k = 0; k < nbefore; k++)
                if (strcmp(now[i].table, before[k].table) == 0 && now[i].rows < before[k].rows) {
                    int w = snprintf(dropped + ad, sizeof dropped - ad, "%s%s %lld rows, was %lld at the last run",
                                     ad ? ", " : "", now[i].table, now[i].rows, before[k].rows);
                    ad += w > 0 && (size_t)w < sizeof dropped - ad ? (size_t)w : 0;
                }
    }
    if (ay || ad) {
        char want[160];
        snprintf(want, sizeof want, "oldest rows at least %s old%s", keep, dir ? ", no count lower than at the last run" : "");
        oc_fail(x->c, "evidence: purged? %s%s%s", young, ay && ad ? "; " : "", dropped);
        oc_expect(x->c, want, ad ? dropped : young);
        if (ad)
            oc_diag(x->c, "state_file", "%s (delete it to accept the new counts)", file);
        return;
    }
    if (dir && ((mkdir(dir, 0700) != 0 && errno != EEXIST) || bl_state_write(file, now, nnow) != 0)) {
        oc_fail(x->c, "evidence: cannot write %s: %s", file, strerror(errno));
        return;
    }
    oc_pass(x->c, "evidence: payments, checkout_sessions and webhook_events kept (oldest rows >= %s old%s)", keep,
            nbefore ? ", no count dropped" : "");
}
