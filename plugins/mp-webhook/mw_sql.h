/*
 * mw_sql.h - the mp-webhook plugin's default queries, the one place their
 * text lives: mw_main.c sends them and scripts/bench EXPLAINs the very same
 * text (scripts/plugin-sql.c prints it).  Parameters are :name
 * (plugins/common/pg.h).
 */
#ifndef MW_SQL_H
#define MW_SQL_H

/* Rows that are not our own probes (mw_synth.c marks each with a request id
 * prefix and a data.id): a receiver records every notification it gets,
 * probes too, and a probe refused on purpose (the bad signature) must not
 * read as a failed delivery next run.  :exclude_probes false keeps them. */
#define MW_NOT_PROBE                                                                                          \
    "NOT (:exclude_probes::boolean AND (coalesce(starts_with(request_id, :probe_prefix), false)\n"              \
    "     OR coalesce(data_id = :probe_id, false)))"

#define MW_DELIVERY_SQL                                                                                       \
    "SELECT count(*) AS total, count(*) FILTER (WHERE http_status BETWEEN 200 AND 299) AS ok_2xx\n"            \
    "FROM webhook_events WHERE received_at >= now() - make_interval(secs => :window)\n"                        \
    "AND " MW_NOT_PROBE
#define MW_RECENT_SQL                                                                                         \
    "SELECT data_id, request_id, http_status, received_at, error FROM webhook_events\n"                        \
    "WHERE action = 'payment.updated' AND " MW_NOT_PROBE "\n"                                                   \
    "ORDER BY received_at DESC LIMIT :recent"
#define MW_NEWEST_SQL                                                                                         \
    "SELECT received_at, EXTRACT(EPOCH FROM now() - received_at)::float8 AS age_s\n"                           \
    "FROM webhook_events WHERE " MW_NOT_PROBE "\n"                                                              \
    "ORDER BY received_at DESC LIMIT 1"

/* Every default query, NAME and SQL, in the order a run sends them. */
#define MW_SQL_LIST(X)                                                                                        \
    X("delivery", MW_DELIVERY_SQL)                                                                             \
    X("recent", MW_RECENT_SQL)                                                                                 \
    X("newest", MW_NEWEST_SQL)

#endif
