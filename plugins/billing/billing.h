/*
 * billing.h - the billing plugin's inside (issue 5): runbook §5 (approved
 * payments whose checkout or plan was not updated; the checkout snapshot)
 * and §6 (payments, checkout_sessions and webhook_events kept).
 *
 * One run opens one read-only session (plugins/common/pg.h) and makes the
 * assertions `checks` names, in this order: stuck, orphans, evidence; then
 * mp_verify when asked.  A database error fails the assertion that hit it
 * (naming the query) and the others still run; a connection error is one
 * not-ok assertion and ends the run.
 */
#ifndef BILLING_H
#define BILLING_H

#include "../common/pg.h"

#include <opscheck/plugin.h>

typedef struct bl_ctx {
    oc_check *c;
    pg_session db;
    long long grace_s, window_s;
    long long list_max;
} bl_ctx;

/* The SQL of query NAME: the INI's query.NAME, or DEF. */
const char *bl_sql(oc_check *c, const char *name, const char *def);
/* Run a query; on error fail the assertion WHAT with the message and the SQL. */
PGresult *bl_query(bl_ctx *x, const char *what, const char *name, const char *def, const pg_param *p, size_t np);
/* Column NAME's value in row I, or NULL (absent column or SQL NULL). */
const char *bl_val(const PGresult *r, int row, const char *name);
/* A duration as "10m", "7d", "90s". */
void bl_dur(long long s, char *buf, size_t n);

/* bl_stuck.c */
void bl_check_stuck(bl_ctx *x);
/* bl_evidence.c */
void bl_check_orphans(bl_ctx *x);
void bl_check_evidence(bl_ctx *x);

#endif
