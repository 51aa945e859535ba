#!/usr/bin/env bash
# tests/bench.t - scripts/bench times the queries the plugins really send
# (issue 11): with log_statement = all on a scratch database of the
# sandbox's PostgreSQL, one run of the billing check and one of the
# mp-webhook check, options at their defaults; the statements the server
# logged (text and bound parameters, each text once, first occurrence) must
# be exactly what `scripts/bench sql` prepares and EXECUTEs.  Runs no
# benchmark: `bench sql` only prints.
source "$(dirname "$0")/lib.sh"
source "$ROOT/tests/fixtures/billing/db.sh"
db_need

LOG=${OPSCHECK_PGSOCKET:-}/postgres.log # where scripts/sandbox has the server write its log
if [ -z "${OPSCHECK_PGSOCKET:-}" ] || [ ! -r "$LOG" ]; then
    echo "1..0 # SKIP no readable sandbox server log (run through scripts/run-tests)"
    exit 0
fi

db_scratch
ok $? "scratch database $DB with schema and seed"
db_sql "ALTER DATABASE $DB SET log_statement = 'all'"
ok $? "log_statement = all for $DB's sessions"
export BL_DSN="postgresql://$PGUSER@$PGHOST:$PGPORT/$DB"

ini checks.ini <<EOF
[opscheck]
plugin_path = $ROOT/plugins
timeout = 10s
[check billing]
plugin = billing
dsn = \${env:BL_DSN}
[check webhook]
plugin = mp-webhook
dsn = \${env:BL_DSN}
EOF

# sent : the execute statements logged since byte OFF, each text once with
# the parameters of its first run, in the words `bench sql` prints.  Lines
# after a log line's first start with a tab; only $DB's sessions log statements.
sent() {
    tail -c +$((OFF + 1)) "$LOG" | awk '
        function flush() {
            if (txt != "" && !(txt in seen)) { seen[txt] = 1; printf "%s", txt; if (par != "") print par }
            txt = ""; par = ""
        }
        /^\t/ { if (inexec) txt = txt substr($0, 2) "\n"; next }
        { inexec = 0 }
        /\] LOG:  execute <unnamed>: / { flush(); sub(/.*\] LOG:  /, ""); txt = $0 "\n"; inexec = 1; next }
        /\] DETAIL:  parameters: / { if (txt != "") { sub(/.*\] DETAIL:  /, ""); par = $0 } }
        END { flush() }'
}

OFF=$(stat -c %s "$LOG")
# one check at a time: the log's order is the order each plugin sends
run_oc run -c "$T/checks.ini" billing
is "$RC" 1 "the billing check ran (and fails on the seed's stuck checkouts and orphans)"
run_oc run -c "$T/checks.ini" webhook
like "$OUT" '^(not )?ok 1 - webhook' "the mp-webhook check ran"
SENT=$(sent)
is "$(printf '%s\n' "$SENT" | grep -c '^execute <unnamed>: ')" 7 \
    "the server logged 7 distinct queries: stuck, snapshot, orphans, evidence, delivery, recent, newest"

BENCH=$(PGDATABASE=$DB "$ROOT/scripts/bench" sql 2>"$T/bench.err")
is "$?" 0 "scripts/bench sql runs"
if [ "$BENCH" == "$SENT" ]; then
    ok 0 "scripts/bench prepares exactly the texts the plugins send, with the values they bind"
else
    ok 1 "scripts/bench prepares exactly the texts the plugins send, with the values they bind"
    diff <(printf '%s\n' "$SENT") <(printf '%s\n' "$BENCH") | sed 's/^/#   /'
    sed 's/^/#   bench: /' "$T/bench.err"
fi
like "$BENCH" "^parameters: \\\$1 = '600', \\\$2 = '604800'$" "stuck's parameters are the defaults (10m, 7d)"

done_testing
