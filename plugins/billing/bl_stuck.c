/*
 * bl_stuck.c - billing's `stuck` assertion (runbook §5): approved payments
 * older than `grace` (and within `window`) whose checkout is not paid or
 * whose user's plan was not applied.  A failure lists up to list_max
 * checkout ids and adds, per checkout, the diag checkout_<id>: its snapshot
 * as one line of compact JSON {"checkout":..,"user":..,"payments":[..],
 * "webhook_events":[..]} (today's `checkout-snapshot` step).  With
 * mp_verify, each listed payment is looked up at Mercado Pago and the diag
 * mp_<payment id> puts its status beside the database's.
 */
#include "billing.h"
#include "bl_sql.h"
#include "../common/http.h"
#include "../common/json.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "chk_01JQ8" -> "checkout_chk_01jq8": diag keys are lower_snake. */
static void bl_key(const char *prefix, const char *id, char *out, size_t n)
{
    size_t k = (size_t)snprintf(out, n, "%s", prefix);
    for (const char *p = id; *p && k + 1 < n; p++)
        out[k++] = isalnum((unsigned char)*p) ? (char)tolower((unsigned char)*p) : '_';
    out[k < n ? k : n - 1] = '\0';
}

static void bl_snapshot(bl_ctx *x, const char *checkout_id)
{
    char key[96], err[900];
    pg_param p[] = {{"checkout_id", checkout_id}};
    PGresult *r = NULL;

    bl_key("checkout_", checkout_id, key, sizeof key);
    if (pg_query(&x->db, "snapshot", bl_sql(x->c, "snapshot", BL_SNAPSHOT_SQL), p, 1, &r, err, sizeof err) != PG_OK) {
        oc_diag(x->c, key, "no snapshot: %s", err);
        return;
    }
    oc_diag(x->c, key, "%s", PQntuples(r) > 0 && PQnfields(r) > 0 ? PQgetvalue(r, 0, 0) : "(no row)");
    PQclear(r);
}

/* One stuck payment at Mercado Pago: a diag mp_<id>.  Returns 0 when MP
 * answered (found or not), -1 on a transport or authorisation failure. */
static int bl_mp_one(bl_ctx *x, const PGresult *r, int row, char *why, size_t whylen)
{
    const char *pid = bl_val(r, row, "payment_id"), *token = oc_opt_str(x->c, "mp_token");
    const char *cst = bl_val(r, row, "checkout_status"), *cid = bl_val(r, row, "checkout_id");
    const char *plan = bl_val(r, row, "checkout_plan"), *uplan = bl_val(r, row, "user_plan");
    char url[1024], auth[600], key[96], db[256];
    const char *hdr[1] = {auth};
    http_request req = {.url = url, .headers = hdr, .nheaders = token ? 1 : 0, .tls_verify = 1};
    http_response resp;
    int rc = 0;

    if (!pid)
        return snprintf(why, whylen, "the stuck query returns no payment_id column"), -1;
    snprintf(url, sizeof url, "%s/v1/payments/%s", oc_opt_str(x->c, "mp_api"), pid);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token ? token : "");
    req.timeout_ms = oc_remaining_ms(x->c) - 300;
    if (req.timeout_ms > 10000)
        req.timeout_ms = 10000;
    if (req.timeout_ms < 50)
        return snprintf(why, whylen, "no time left for Mercado Pago"), -1;
    bl_key("mp_", pid, key, sizeof key);
    snprintf(db, sizeof db, "database: payment approved, checkout %s %s, user plan %s", cid ? cid : "?",
             cst ? cst : "?", uplan ? uplan : "?");
    if (http_do(&req, &resp) != 0) {
        snprintf(why, whylen, "GET %s: %s", url, resp.error);
        rc = -1;
    } else if (resp.status == 401 || resp.status == 403) {
        snprintf(why, whylen, "Mercado Pago refused the access token (status %ld)", resp.status);
        rc = -1;
    } else if (resp.status == 404) {
        oc_diag(x->c, key, "%s; mercado pago: payment not found; reconciliation would change nothing", db);
    } else if (resp.status != 200) {
        snprintf(why, whylen, "GET %s: status %ld", url, resp.status);
        rc = -1;
    } else {
        cJSON *j = cJSON_Parse(resp.body);
        const char *st = json_str(j, "status"), *det = json_str(j, "status_detail");
        double amt = 0;
        int has_amt = json_num(j, "transaction_amount", &amt) == 0;
        char would[256];
        if (st && strcmp(st, "approved") == 0)
            snprintf(would, sizeof would, "%s%s%s%s", cst && strcmp(cst, "paid") ? "mark the checkout paid" : "",
                     cst && strcmp(cst, "paid") ? " and " : "", "apply plan ", plan ? plan : "?");
        else
            snprintf(would, sizeof would, "record status %s; not apply the plan", st ? st : "?");
        oc_diag(x->c, key, "%s; mercado pago: %s (%s)%s%.2f; reconciliation would %s", db, st ? st : "?",
                det ? det : "?", has_amt ? ", amount " : "", has_amt ? amt : 0.0, would);
        cJSON_Delete(j);
    }
    memset(auth, 0, sizeof auth);
    http_response_free(&resp);
    return rc;
}

static void bl_mp_verify(bl_ctx *x, const PGresult *r, int shown)
{
    char why[1400];
    int asked = 0;

    for (int i = 0; i < PQntuples(r) && asked < shown; i++, asked++)
        if (bl_mp_one(x, r, i, why, sizeof why) != 0) {
            oc_fail(x->c, "mp_verify: %s", why);
            return;
        }
    oc_pass(x->c, "mp_verify: Mercado Pago answered for %d stuck payment%s (see mp_* diagnostics)", asked,
            asked == 1 ? "" : "s");
}

void bl_check_stuck(bl_ctx *x)
{
    char grace[32], window[32], gs[32], ws[32];
    pg_param p[] = {{"grace", gs}, {"window", ws}};

    bl_dur(x->grace_s, grace, sizeof grace);
    bl_dur(x->window_s, window, sizeof window);
    snprintf(gs, sizeof gs, "%lld", x->grace_s);
    snprintf(ws, sizeof ws, "%lld", x->window_s);
    PGresult *r = bl_query(x, "stuck", "stuck", BL_STUCK_SQL, p, 2);
    if (!r)
        return;
    int n = PQntuples(r);
    if (n == 0) {
        oc_pass(x->c, "stuck: no approved payment older than %s (within %s) left unapplied", grace, window);
        PQclear(r);
        return;
    }
    if (PQfnumber(r, "checkout_id") < 0) {
        oc_fail(x->c, "stuck: query stuck returns no checkout_id column");
        oc_diag(x->c, "query", "%s", bl_sql(x->c, "stuck", BL_STUCK_SQL));
        PQclear(r);
        return;
    }
    /* distinct checkouts, in order, up to list_max */
    char list[2048] = "";
    size_t at = 0;
    int ncheckouts = 0, shown = 0, shown_rows = 0;
    const char *first_id = NULL; /* for the operator's hint: {checkout_id} */
    for (int i = 0; i < n; i++) {
        const char *id = bl_val(r, i, "checkout_id");
        int seen = 0;
        for (int k = 0; k < i && !seen; k++)
            seen = bl_val(r, k, "checkout_id") && id && strcmp(bl_val(r, k, "checkout_id"), id) == 0;
        if (seen)
            continue;
        ncheckouts++;
        if (shown >= x->list_max)
            continue;
        const char *pid = bl_val(r, i, "payment_id"), *why = bl_val(r, i, "reason");
        if (!first_id)
            first_id = id;
        int w = snprintf(list + at, sizeof list - at, "%s%s (payment %s: %s)", shown ? ", " : "", id ? id : "?",
                         pid ? pid : "?", why ? why : "stuck");
        if (w > 0 && (size_t)w < sizeof list - at)
            at += (size_t)w;
        shown++;
        shown_rows = i + 1;
    }
    char seen[96], want[160];
    snprintf(seen, sizeof seen, "%d checkout%s (%d approved payment%s)", ncheckouts, ncheckouts == 1 ? "" : "s", n,
             n == 1 ? "" : "s");
    snprintf(want, sizeof want, "every payment approved more than %s ago applied", grace);
    oc_fail(x->c, "stuck: %s approved more than %s ago not applied: %s%s", seen, grace, list,
            ncheckouts > shown ? ", ..." : "");
    oc_expect(x->c, want, seen);
    if (first_id)
        oc_diag(x->c, "checkout_id", "%s", first_id);
    if (ncheckouts > shown)
        oc_diag(x->c, "stuck_not_listed", "%d more checkouts (list_max = %lld)", ncheckouts - shown, x->list_max);
    for (int i = 0, k = 0; i < n && k < shown; i++) {
        const char *id = bl_val(r, i, "checkout_id");
        int dup = 0;
        for (int j = 0; j < i && !dup; j++)
            dup = bl_val(r, j, "checkout_id") && id && strcmp(bl_val(r, j, "checkout_id"), id) == 0;
        if (dup || !id)
            continue;
        bl_snapshot(x, id);
        k++;
    }
    oc_metric(x->c, "stuck_checkouts", ncheckouts, "");
    if (oc_opt_bool(x->c, "mp_verify"))
        bl_mp_verify(x, r, shown_rows);
    PQclear(r);
}
