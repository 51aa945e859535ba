/*
 * report_json.c - --json FILE: the run as one JSON document (cJSON).  The
 * schema is documented in docs/reports.md; "schema": 1 changes only when a
 * field is removed or changes meaning (new fields may appear any time).
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "report.h"
#include "report_int.h"
#include "util.h"

#ifndef OC_VERSION
#define OC_VERSION "0.0.0"
#endif

/* Adds KEY: RAW (valid UTF-8), or null when RAW is NULL. */
static void add_str(cJSON *o, const char *key, const char *raw)
{
    if (!raw) {
        cJSON_AddNullToObject(o, key);
        return;
    }
    char *s = report_clean(raw);
    cJSON_AddStringToObject(o, key, s);
    free(s);
}

static void add_key_str(cJSON *o, const char *rawkey, const char *raw)
{
    char *k = report_clean(rawkey);
    char *use = xstrdup(k);
    for (int n = 2; cJSON_GetObjectItemCaseSensitive(o, use); n++) { /* a diag repeated: key_2 */
        free(use);
        use = xasprintf("%s_%d", k, n);
    }
    add_str(o, use, raw);
    free(use);
    free(k);
}

static cJSON *check_json(const report_run *r, size_t i)
{
    const cfg_check *k = &r->c->checks[r->sel[i]];
    const check_result *res = &r->results[i];
    cJSON *o = cJSON_CreateObject();
    add_str(o, "name", k->name);
    add_str(o, "plugin", k->plugin ? k->plugin->name : NULL);
    add_str(o, "description", k->description);
    cJSON *tags = cJSON_AddArrayToObject(o, "tags");
    for (size_t t = 0; t < k->tags.n; t++) {
        char *s = report_clean(k->tags.v[t]);
        cJSON_AddItemToArray(tags, cJSON_CreateString(s));
        free(s);
    }
    add_str(o, "status", res_status_name(res->status));
    cJSON_AddBoolToObject(o, "ok", !RES_BAD(res->status));
    add_str(o, "message", res->message);
    cJSON_AddNumberToObject(o, "duration_seconds", (double)res->duration_ms / 1000.0);
    cJSON *att = cJSON_AddArrayToObject(o, "attempts");
    for (size_t a = 0; a < res->nattempts; a++) {
        cJSON *x = cJSON_CreateObject();
        add_str(x, "status", res_status_name(res->attempts[a].status));
        add_str(x, "message", res->attempts[a].message);
        cJSON_AddNumberToObject(x, "duration_seconds", (double)res->attempts[a].duration_ms / 1000.0);
        cJSON_AddItemToArray(att, x);
    }
    cJSON *as = cJSON_AddArrayToObject(o, "assertions");
    for (size_t a = 0; a < res->nasserts; a++) {
        cJSON *x = cJSON_CreateObject();
        add_str(x, "status", res_status_name(res->asserts[a].status));
        add_str(x, "message", res->asserts[a].msg);
        add_str(x, "expected", res->asserts[a].expected);
        add_str(x, "seen", res->asserts[a].seen);
        if (res->asserts[a].directive) { /* only when set: a plain assertion reads as before */
            add_str(x, "directive", res_directive_name(res->asserts[a].directive));
            add_str(x, "reason", res->asserts[a].reason ? res->asserts[a].reason : "");
        }
        if (res->asserts[a].data)
            add_str(x, "data", res->asserts[a].data);
        cJSON_AddItemToArray(as, x);
    }
    cJSON *dg = cJSON_AddObjectToObject(o, "diagnostics");
    for (size_t d = 0; d < res->ndiags; d++)
        add_key_str(dg, res->diags[d].key, res->diags[d].val);
    cJSON *ms = cJSON_AddArrayToObject(o, "metrics");
    for (size_t m = 0; m < res->nmetrics; m++) {
        cJSON *x = cJSON_CreateObject();
        add_str(x, "name", res->metrics[m].name);
        cJSON_AddNumberToObject(x, "value", res->metrics[m].value); /* NaN and infinities print as null */
        add_str(x, "unit", res->metrics[m].unit ? res->metrics[m].unit : "");
        cJSON_AddItemToArray(ms, x);
    }
    if (res->output && res->output_len) {
        char *out = xstrndup(res->output, res->output_len);
        add_str(o, "output", out);
        free(out);
    } else {
        add_str(o, "output", NULL);
    }
    cJSON_AddNumberToObject(o, "output_dropped_bytes", (double)res->output_dropped);
    cJSON_AddBoolToObject(o, "truncated", res->truncated != 0);
    add_str(o, "hint", res->hint);
    return o;
}

int report_json(const report_run *r, const char *path, char **err)
{
    cJSON *root = cJSON_CreateObject();
    char ts[32], *host = report_hostname();
    report_utc(r->started, 1, ts);
    cJSON_AddNumberToObject(root, "schema", 1);
    add_str(root, "opscheck_version", OC_VERSION);
    add_str(root, "hostname", host);
    add_str(root, "checklist", r->checklist ? r->checklist : "");
    add_str(root, "started", ts);
    cJSON_AddNumberToObject(root, "started_unix", (double)r->started);
    cJSON_AddNumberToObject(root, "duration_seconds", r->sum ? r->sum->seconds : 0);
    cJSON_AddNumberToObject(root, "interrupted_by_signal", r->sum ? r->sum->interrupted : 0);
    if (r->sum && r->sum->interrupted) { /* "SIGTERM": the number stays as it was (schema 1) */
        const char *abbrev = sigabbrev_np(r->sum->interrupted);
        char *name = abbrev ? xasprintf("SIG%s", abbrev) : xasprintf("signal %d", r->sum->interrupted);
        add_str(root, "interrupted_signal", name);
        free(name);
    } else {
        add_str(root, "interrupted_signal", NULL);
    }
    size_t cnt[RES_NSTATUS] = {0};
    for (size_t i = 0; i < r->n; i++)
        cnt[r->results[i].status]++;
    cJSON *s = cJSON_AddObjectToObject(root, "summary");
    cJSON_AddNumberToObject(s, "total", (double)r->n);
    cJSON_AddNumberToObject(s, "passed", (double)cnt[RES_PASS]);
    cJSON_AddNumberToObject(s, "warned", (double)cnt[RES_WARN]);
    cJSON_AddNumberToObject(s, "skipped", (double)cnt[RES_SKIP]);
    cJSON_AddNumberToObject(s, "failed", (double)cnt[RES_FAIL]);
    cJSON_AddNumberToObject(s, "errored", (double)cnt[RES_ERROR]);
    cJSON_AddBoolToObject(s, "ok", cnt[RES_FAIL] == 0 && cnt[RES_ERROR] == 0 && !(r->sum && r->sum->interrupted));
    cJSON *checks = cJSON_AddArrayToObject(root, "checks");
    for (size_t i = 0; i < r->n; i++)
        cJSON_AddItemToArray(checks, check_json(r, i));
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    free(host);
    if (!text) {
        *err = xstrdup("cannot write the JSON report: out of memory");
        return -1;
    }
    size_t len = strlen(text);
    char *withnl = xmalloc(len + 2);
    memcpy(withnl, text, len);
    withnl[len] = '\n';
    withnl[len + 1] = '\0';
    cJSON_free(text);
    int rc = report_write_file(path, withnl, len + 1, err);
    free(withnl);
    return rc;
}
