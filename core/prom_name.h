/*
 * prom_name.h - the one naming rule for Prometheus series (docs/reports.md,
 * "Naming rule"): a plugin's metric (name, unit) becomes a family name, a
 * scale for its value, a type, and the labels the name carried; and the
 * label-name rules --label is checked against.  Written once so that
 * --prometheus, --push and --format prometheus (report_prometheus.c) and
 * the command line (cli.c) can never disagree.
 *
 * The rule follows promtool's lint (client_golang's promlint): no unit in a
 * name but a base unit as its suffix (seconds, bytes, ratio), no unit
 * abbreviation or non-base unit word anywhere, `_total` on counters only,
 * no `_count`/`_sum`/`_bucket` suffix, no metric type in a name.
 */
#ifndef OC_PROM_NAME_H
#define OC_PROM_NAME_H

#include <stddef.h>

#include "util.h"

typedef struct prom_series {
    char *family;      /* opscheck_plugin_<words><suffix> (malloc'd) */
    char *labels;      /* the name's own {k="v",...} labels, `k="v"` comma-joined and escaped, or "" (malloc'd) */
    double scale;      /* multiply the value by this */
    int counter;       /* TYPE counter (unit "c"), else gauge */
    int unit_label;    /* the unit was not converted: the family ends in _unconverted and needs unit="..." */
} prom_series;

/* NAME as a plugin reported it (`word_word` or `word{key="value",...}`) in
 * UNIT (may be NULL or "").  A label of the name whose key opscheck sets
 * itself (prom_label_reserved) or that --label sets (EXTRA, "k=v" strings,
 * NEXTRA of them) is kept as exported_<key>, as Prometheus renames a
 * clashing target label. */
void prom_plugin_series(const char *name, const char *unit, const char *const *extra, size_t nextra,
                        prom_series *out);
void prom_series_clear(prom_series *s);

/* A label name opscheck accepts: [a-z_][a-z0-9_]* (Prometheus' rule, lower
 * case as promtool's lint wants), not starting with "__" (reserved). */
int prom_label_name_ok(const char *s, size_t n);
/* Labels opscheck sets itself, or Prometheus and the Pushgateway give a
 * meaning (job, instance, le, quantile): --label may not set them. */
int prom_label_reserved(const char *s, size_t n);

/* Appends name="value" to the label text B (a comma first when B is not
 * empty), the value made valid UTF-8 and \ " newline escaped. */
void prom_label(strbuf *b, const char *name, const char *raw);

#endif
