/*
 * mw.h - the mp-webhook plugin's inside (issue 5): runbook §2.4.
 *
 * Records (mw_main.c): from webhook_events, over `window`, the share of
 * notifications our receiver answered 2xx; the last `recent`
 * payment.updated events all answered 200; the newest event no older than
 * `max_silence`.  Synthetic delivery (mw_synth.c, when `url` is set): a
 * payment.updated notification signed per Mercado Pago's rules must get
 * 200/201 within 22 s, and the same notification with a bad signature must
 * be refused.
 */
#ifndef MW_H
#define MW_H

#include <opscheck/plugin.h>

void mw_synthetic(oc_check *c);

#endif
