#!/usr/bin/env bash
# tests/readonly.t - the read-only PostgreSQL session of billing and
# mp-webhook (plugins/common/pg.c, issue 14) holds against query.NAME
# overrides that try to leave it: a first query that turns its own
# transaction READ WRITE, one that changes the session's default and
# commits, a COMMIT or ROLLBACK alone, several statements in one override.
# Every attempt fails with a clear message and nothing is written: psql
# looks afterwards.
source "$(dirname "$0")/lib.sh"
source "$ROOT/tests/fixtures/billing/db.sh"
db_need

db_scratch
ok $? "scratch database $DB with schema and seed"
export RO_DSN="postgresql://$PGUSER@$PGHOST:$PGPORT/$DB"

ini checks.ini <<EOF2
[opscheck]
plugin_path = $ROOT/plugins
timeout = 5s

# The first query of the transaction turns it READ WRITE (no snapshot yet),
# the next one writes, the last one commits.
[check settx]
plugin = billing
dsn = \${env:RO_DSN}
checks = stuck orphans evidence
query.stuck = SET TRANSACTION READ WRITE
query.snapshot = SELECT 1 AS x WHERE :id IS NOT NULL
query.orphans = CREATE TABLE pwned_settx (i int)
query.evidence = COMMIT

# The session's default goes READ WRITE, COMMIT ends the read-only
# transaction, the next query runs in a fresh (writable) one.
[check session]
plugin = billing
dsn = \${env:RO_DSN}
checks = stuck orphans evidence
query.stuck = SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE
query.snapshot = SELECT 1 AS x WHERE :id IS NOT NULL
query.orphans = COMMIT
query.evidence = CREATE TABLE pwned_session (i int)

[check session_guc]
plugin = billing
dsn = \${env:RO_DSN}
checks = stuck orphans evidence
query.stuck = SELECT set_config('default_transaction_read_only', 'off', false) AS checkout_id
query.snapshot = SELECT 1 AS x WHERE :id IS NOT NULL
query.orphans = ROLLBACK
query.evidence = CREATE TABLE pwned_guc (i int)

# Several statements in one override.
[check multi]
plugin = billing
dsn = \${env:RO_DSN}
checks = orphans
query.orphans = COMMIT; SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE; CREATE TABLE pwned_multi (i int)

# mp-webhook shares the session.
[check mw]
plugin = mp-webhook
dsn = \${env:RO_DSN}
query.delivery = SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE
query.recent = COMMIT
query.newest = CREATE TABLE pwned_mw (i int)
EOF2

check() {
    local name=$1
    shift
    run_oc run -c "$T/checks.ini" "$@" "$name"
    tap_valid "$OUT" "$name: valid TAP 14"
}
pwned() { db_sql "SELECT count(*) FROM pg_class WHERE relname = 'pwned_$1'"; }

check settx
is "$RC" 1 "settx: exit 1"
like "$OUT" 'query stuck: .*(read-write|READ WRITE|before any query)' "settx: SET TRANSACTION READ WRITE refused"
is "$(pwned settx)" 0 "settx: no table created"

check session
is "$RC" 1 "session: exit 1"
like "$OUT" 'query orphans ended the read-only transaction: refused, the session is closed' "session: COMMIT refused, session closed"
like "$OUT" 'query evidence: not run, the read-only session is gone' "session: nothing runs after it"
is "$(pwned session)" 0 "session: no table created"

check session_guc
is "$RC" 1 "session_guc: exit 1"
like "$OUT" 'query orphans ended the read-only transaction' "session_guc: ROLLBACK refused"
is "$(pwned guc)" 0 "session_guc: no table created"

check multi
is "$RC" 1 "multi: exit 1"
like "$OUT" 'query orphans: .*(multiple commands|one statement)' "multi: several statements refused"
is "$(pwned multi)" 0 "multi: no table created"

check mw
is "$RC" 1 "mw: exit 1"
like "$OUT" 'query recent ended the read-only transaction' "mw: COMMIT refused"
is "$(pwned mw)" 0 "mw: no table created"
is "$(db_sql "SELECT count(*) FROM pg_class WHERE relname LIKE 'pwned%'")" 0 "nothing written by any check"

done_testing
