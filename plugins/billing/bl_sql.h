/*
 * bl_sql.h - the billing plugin's default queries, the one place their text
 * lives: the plugin sends them (bl_stuck.c, bl_evidence.c) and scripts/bench
 * EXPLAINs the very same text (scripts/plugin-sql.c prints it, parameters
 * rewritten as the plugin's session rewrites them).  Parameters are :name
 * (plugins/common/pg.h).  Macros, not static arrays: a header constant some
 * file does not use would be an unused-variable error under -Werror.
 */
#ifndef BL_SQL_H
#define BL_SQL_H

#define BL_STUCK_SQL                                                                                          \
    "SELECT c.id AS checkout_id, p.id AS payment_id, c.status AS checkout_status, c.plan AS checkout_plan,\n"   \
    "       u.plan AS user_plan, u.plan_expires_at, p.approved_at,\n"                                          \
    "       CASE WHEN c.status <> 'paid' THEN 'checkout not paid' ELSE 'plan not applied' END AS reason\n"     \
    "FROM payments p\n"                                                                                        \
    /* LATERAL ... OFFSET 0: one key lookup per payment in the window, so the                                 \
     * cost follows the payments examined, never the size of the other                                        \
     * tables (a plain join lets the planner hash a whole table). */                                          \
    "CROSS JOIN LATERAL (SELECT * FROM checkout_sessions c WHERE c.id = p.checkout_id OFFSET 0) c\n"           \
    "CROSS JOIN LATERAL (SELECT * FROM users u WHERE u.id = c.user_id OFFSET 0) u\n"                           \
    "WHERE p.status = 'approved'\n"                                                                            \
    "  AND p.approved_at < now() - make_interval(secs => :grace)\n"                                            \
    "  AND p.approved_at >= now() - make_interval(secs => :window)\n"                                          \
    "  AND (c.status <> 'paid' OR u.plan IS DISTINCT FROM c.plan\n"                                            \
    "       OR u.plan_expires_at IS NULL OR u.plan_expires_at < p.approved_at)\n"                              \
    "ORDER BY p.approved_at, p.id"

/* json_agg puts a newline between elements: replace() makes the snapshot one line. */
#define BL_SNAPSHOT_SQL                                                                                       \
    "SELECT replace(json_build_object(\n"                                                                      \
    "  'checkout', (SELECT row_to_json(c) FROM checkout_sessions c WHERE c.id = :checkout_id),\n"              \
    "  'user', (SELECT row_to_json(u) FROM users u JOIN checkout_sessions c ON c.user_id = u.id\n"             \
    "           WHERE c.id = :checkout_id),\n"                                                                 \
    "  'payments', (SELECT coalesce(json_agg(p ORDER BY p.created_at, p.id), '[]')\n"                          \
    "               FROM payments p WHERE p.checkout_id = :checkout_id),\n"                                    \
    "  'webhook_events', (SELECT coalesce(json_agg(e ORDER BY e.received_at, e.id), '[]')\n"                   \
    "                     FROM webhook_events e WHERE e.data_id IN\n"                                          \
    "                       (SELECT p.id::text FROM payments p WHERE p.checkout_id = :checkout_id))\n"         \
    ")::text, E'\\n ', '') AS snapshot"

#define BL_ORPHANS_SQL                                                                                        \
    "SELECT p.id AS payment_id, p.amount, p.approved_at FROM payments p\n"                                     \
    "WHERE p.status = 'approved' AND p.checkout_id IS NULL\n"                                                  \
    "  AND p.approved_at < now() - make_interval(secs => :grace)\n"                                            \
    "ORDER BY p.approved_at, p.id"

#define BL_EVIDENCE_SQL                                                                                       \
    "SELECT 'payments' AS table_name, (SELECT count(*) FROM payments) AS row_count,\n"                         \
    "  (SELECT EXTRACT(EPOCH FROM now() - min(created_at))::float8 FROM payments) AS oldest_age_s\n"           \
    "UNION ALL SELECT 'checkout_sessions', (SELECT count(*) FROM checkout_sessions),\n"                        \
    "  (SELECT EXTRACT(EPOCH FROM now() - min(created_at))::float8 FROM checkout_sessions)\n"                  \
    "UNION ALL SELECT 'webhook_events', (SELECT count(*) FROM webhook_events),\n"                              \
    "  (SELECT EXTRACT(EPOCH FROM now() - min(received_at))::float8 FROM webhook_events)"

/* Every default query, NAME and SQL, in the order a run sends them. */
#define BL_SQL_LIST(X)                                                                                        \
    X("stuck", BL_STUCK_SQL)                                                                                   \
    X("snapshot", BL_SNAPSHOT_SQL)                                                                             \
    X("orphans", BL_ORPHANS_SQL)                                                                               \
    X("evidence", BL_EVIDENCE_SQL)

#endif
