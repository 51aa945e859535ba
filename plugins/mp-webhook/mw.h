/*
 * mw.h - the mp-webhook plugin's inside (issue 5): runbook §2.4.
 *
 * Records (mw_main.c): from webhook_events, over `window`, the share of
 * notifications our receiver answered 2xx; the last `recent`
 * payment.updated events all answered 200; the newest event no older than
 * `max_silence`.  Synthetic delivery (mw_synth.c, when `url` is set): a
 * payment.updated notification that looks like a real delivery (ts in
 * seconds, Mercado Pago's User-Agent and body) and is marked as our probe
 * (request id prefix, data.id) must get 200/201 within 22 s, and the same
 * notification with a bad signature must be refused.  The records' queries
 * leave the probes out (mw_sql.h MW_NOT_PROBE).
 */
#ifndef MW_H
#define MW_H

#include <opscheck/plugin.h>

/* Marks of our own synthetic notification, so the records can tell it from
 * a real delivery (and a receiver's logs show what it is). */
#define MW_PROBE_ID "opscheck-probe"
#define MW_PROBE_PREFIX "opscheck-probe-"
/* What Mercado Pago's deliveries carry (their webhooks docs; real requests
 * logged in public receivers): some WAFs allow only this agent. */
#define MW_USER_AGENT "MercadoPago WebHook v1.0 payment"

void mw_synthetic(oc_check *c);

#endif
