#!/usr/bin/env bash
# tests/restore.t - verify = restore of the backup plugin against hostile
# dumps (issue 14): a plain or gzip dump is SQL from wherever the backups
# are kept, so nothing in it may act outside the scratch database.  psql
# meta-commands (\! shell, \connect another database, \o and \copy writing
# files) are refused with the line that holds them, and nothing happens:
# no file appears, no table is created in another database (a victim
# database of this test's own, so a failing run pollutes nothing else).
# A dump with what real pg_dump writes (COPY data with backslashes,
# dollar-quoted and BEGIN ATOMIC bodies, rules, the \restrict lines of
# pg_dump 15.14+) still restores.  A restore_dsn libpq cannot parse never
# shows its password.
source "$(dirname "$0")/lib.sh"

if ! psql -X -q -c 'select 1' >/dev/null 2>&1; then
    echo "1..0 # SKIP no sandbox PostgreSQL (run through scripts/run-tests, or scripts/sandbox up + env)"
    exit 0
fi

DB=opscheck_rs_t_$$_$RANDOM
VICTIM=${DB}_victim # the database the hostile dumps \connect to
PWNED=pwned_rs      # the table they try to create there
cleanup() {
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $VICTIM WITH (FORCE)" >/dev/null 2>&1
    rm -rf "$T"
}
trap cleanup EXIT
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $VICTIM" >/dev/null &&
    psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $DB" >/dev/null &&
    psql -X -q -v ON_ERROR_STOP=1 -d "$DB" >/dev/null <<'SQL'
CREATE TABLE notes (id int PRIMARY KEY, body text);
INSERT INTO notes VALUES (1, E'back\\slash\ttab'), (2, NULL), (3, E'\\.'), (4, 'semi;colon'),
                         (5, E'line\nCOPY x FROM stdin;\n\\! touch nothing');
CREATE TABLE log (id int, note text);
CREATE RULE log_notes AS ON INSERT TO notes DO ALSO (INSERT INTO log VALUES (1, 'a;b'); INSERT INTO log VALUES (2, 'c'));
CREATE FUNCTION f_dollar() RETURNS text LANGUAGE plpgsql AS $body$
BEGIN
    RETURN 'x; y';
END;
$body$;
CREATE FUNCTION f_atomic(a int) RETURNS int LANGUAGE sql BEGIN ATOMIC
    SELECT a + 1;
    SELECT CASE WHEN a > 0 THEN a ELSE 0 END;
END;
CREATE TABLE "we;ird" (id int);
COMMENT ON TABLE notes IS 'it''s; a /* note */ -- here';
SQL
ok $? "scratch database $DB: COPY data with backslashes, a rule, dollar-quoted and BEGIN ATOMIC bodies"
S=$T/src
mkdir -p "$S"
pg_dump -d "$DB" -Fp -f "$S/good.sql"
ok $? "pg_dump -Fp"
# pg_dump 15.14+ fences its output with \restrict KEY ... \unrestrict KEY,
# which psql 15.14+ obeys; a hostile dump (or an older pg_dump's) has no fence.
grep -v '^\\\(un\)\?restrict ' "$S/good.sql" >"$S/base.sql"
NOW=$(date +%s)
: >"$T/all"

PW='rs-t-Restore-Pw-0c41d9e2b8'
export RS_DSN="host=$PGHOST port=$PGPORT user=$PGUSER dbname=postgres password=$PW"

# restore NAME : verify = restore of the one dump $T/c/NAME/NAME.
restore() {
    local name=$1 dir=$T/c/$1
    cat >"$T/checks.ini" <<EOF
[opscheck]
timeout = ${RS_TIMEOUT:-30s}

[check bk]
plugin = backup
dir = $dir
retention_days = 1
verify = restore
restore_dsn = \${env:RS_DSN}
min_tables = 3
EOF
    run_oc run -c "$T/checks.ini" bk
    printf '%s\n%s\n' "$OUT" "$ERR" >>"$T/all"
    tap_valid "$OUT" "$name: valid TAP 14"
}
# hostile NAME LINE... : base.sql with LINE(s) put after its first SET line, as NAME.
hostile() {
    local name=$1
    shift
    mkdir -p "$T/c/$name"
    printf '%s\n' "$@" >"$T/inject"
    sed "0,/^SET /{/^SET /r $T/inject
}" "$S/base.sql" >"$T/c/$name/$name"
    touch -d "@$((NOW - 3600))" "$T/c/$name/$name"
}
in_victim() { psql -X -At -d "$VICTIM" -c "SELECT to_regclass('public.$PWNED$1') IS NOT NULL"; }

# ---- what pg_dump writes restores ----
mkdir -p "$T/c/good.sql"; cp "$S/good.sql" "$T/c/good.sql/"
restore good.sql
is "$RC" 0 "good.sql: exit 0"
like "$OUT" '^    ok 4 - newest backup good.sql restored: 3 tables \(min 3\)$' "good.sql: 3 tables"
mkdir -p "$T/c/good.sql.gz"; gzip -c "$S/good.sql" >"$T/c/good.sql.gz/good.sql.gz"
restore good.sql.gz
like "$OUT" '^    ok 4 - newest backup good.sql.gz restored: 3 tables \(min 3\)$' "good.sql.gz: restored through the same reader"
hostile base.sql
restore base.sql
like "$OUT" '^    ok 4 - newest backup base.sql restored: 3 tables \(min 3\)$' "base.sql: without the \\restrict fence too"

# ---- an archive is restored by the pg_restore the plugin chose (the option,
# else the newest installed), not whatever is first on PATH ----
mkdir -p "$T/c/good.dump" "$T/bin"
pg_dump -d "$DB" -Fc -f "$T/c/good.dump/good.dump"
REAL_PGR=$(ls -d /usr/lib/postgresql/*/bin/pg_restore 2>/dev/null | sort -V | tail -1)
cat >"$T/bin/pgr" <<EOF
#!/bin/sh
echo "\$*" >>"$T/pgr.log"
exec "${REAL_PGR:-pg_restore}" "\$@"
EOF
chmod 755 "$T/bin/pgr"
cat >"$T/pgr.ini" <<EOF
[check bk]
plugin = backup
dir = $T/c/good.dump
retention_days = 1
verify = restore
restore_dsn = \${env:RS_DSN}
pg_restore = $T/bin/pgr
min_tables = 3
EOF
run_oc run -c "$T/pgr.ini" bk
is "$RC" 0 "a custom archive restores through the pg_restore option"
like "$(cat "$T/pgr.log" 2>/dev/null)" '--no-owner .*-d ' "the restore itself ran the chosen pg_restore, not the one on PATH"

# ---- psql meta-commands: refused, and nothing happens ----
line=$(($(grep -n -m1 '^SET ' "$S/base.sql" | cut -d: -f1) + 1))
hostile shell.sql "\\! touch $T/pwned-shell"
restore shell.sql
is "$RC" 1 "shell.sql: exit 1"
like "$OUT" "restores into a scratch database: line $line: psql meta-command \\\\\\\\! refused" "shell.sql: refused, line named"
ok "$([ ! -e "$T/pwned-shell" ]; echo $?)" "shell.sql: no shell ran (no file)"

hostile connect.sql "\\connect $VICTIM" "CREATE TABLE ${PWNED}_c (i int);"
restore connect.sql
is "$RC" 1 "connect.sql: exit 1"
like "$OUT" "could not be restore-tested: a pg_dumpall or pg_dump -C dump \\(line $line: \\\\\\\\connect to another database\\)" "connect.sql: refused, line named"
like "$OUT" '^  severity: "error"' "connect.sql: an ERROR (the restore could not be tried), not a FAIL"
is "$(in_victim _c)" f "connect.sql: no table created in $VICTIM"

# ---- pg_dumpall and pg_dump -C: real dumps that switch databases ----
# They cannot be restored into one scratch database, and their CREATE ROLE
# and CREATE DATABASE would touch the restore server's cluster: a clear
# ERROR saying why and what to use, before anything is sent or created.
scratch_dbs() { psql -X -At -d postgres -c "SELECT count(*) FROM pg_database WHERE datname LIKE 'opscheck_restore_%'"; }
before=$(scratch_dbs)
mkdir -p "$T/c/create.sql"; pg_dump -d "$DB" -C -Fp -f "$T/c/create.sql/create.sql"
grep -q '^\\connect' "$T/c/create.sql/create.sql"; ok $? "pg_dump -C writes a \\connect line"
cline=$(grep -n -m1 '^CREATE DATABASE' "$T/c/create.sql/create.sql" | cut -d: -f1)
restore create.sql
is "$RC" 1 "pg_dump -C: exit 1"
like "$OUT" '^  severity: "error"' "pg_dump -C: an ERROR, not a FAIL"
like "$OUT" "not ok 4 - newest backup create.sql could not be restore-tested: a pg_dumpall or pg_dump -C dump \\(line $cline: CREATE DATABASE, a cluster-wide statement\\): verify = restore loads one database's dump into a scratch database and never switches databases or touches the cluster; use verify = full for this file, and verify = restore on per-database dumps made without -C" "pg_dump -C: why, and what to use instead"
mkdir -p "$T/c/all.sql.gz"; pg_dumpall | gzip >"$T/c/all.sql.gz/all.sql.gz"
restore all.sql.gz
is "$RC" 1 "pg_dumpall | gzip: exit 1"
like "$OUT" "could not be restore-tested: a pg_dumpall or pg_dump -C dump \\(line [0-9]+: (CREATE|ALTER) ROLE, a cluster-wide statement\\)" "pg_dumpall: turned away at its first role"
is "$(scratch_dbs)" "$before" "pg_dumpall, pg_dump -C: no scratch database was even created"

hostile output.sql "\\o $T/pwned-o" "SELECT 'leak';"
restore output.sql
like "$OUT" "line $line: psql meta-command \\\\\\\\o refused" "output.sql: \\o refused"
ok "$([ ! -e "$T/pwned-o" ]; echo $?)" "output.sql: no file written"

hostile copy.sql "\\copy (SELECT 1) to '$T/pwned-copy'"
restore copy.sql
like "$OUT" "line $line: psql meta-command \\\\\\\\copy refused" "copy.sql: \\copy refused"
ok "$([ ! -e "$T/pwned-copy" ]; echo $?)" "copy.sql: no file written"

# Not at the start of a line: psql would still run it; here it is SQL the server refuses.
hostile midline.sql "SELECT 1; \\! touch $T/pwned-mid" "SELECT 2 \\connect $VICTIM" "CREATE TABLE ${PWNED}_m (i int);"
restore midline.sql
is "$RC" 1 "midline.sql: exit 1"
like "$OUT" "restores into a scratch database: line $line: .*syntax error" "midline.sql: a syntax error on that line"
ok "$([ ! -e "$T/pwned-mid" ]; echo $?)" "midline.sql: no shell ran"
is "$(in_victim _m)" f "midline.sql: no table created in $VICTIM"

mkdir -p "$T/c/shell.sql.gz"; gzip -c "$T/c/shell.sql/shell.sql" >"$T/c/shell.sql.gz/shell.sql.gz"
restore shell.sql.gz
like "$OUT" "line $line: psql meta-command \\\\\\\\! refused" "shell.sql.gz: gzip dumps too"
ok "$([ ! -e "$T/pwned-shell" ]; echo $?)" "shell.sql.gz: no shell ran"

# ---- a statement past the deadline (every dump sets statement_timeout = 0) ----
hostile slow.sql "SELECT pg_sleep(60);"
start=$(date +%s)
RS_TIMEOUT=4s restore slow.sql
is "$RC" 1 "slow.sql: exit 1"
like "$OUT" "restores into a scratch database: line $line: out of time, the statement was cancelled" "slow.sql: cancelled at the deadline"
ok "$([ $(($(date +%s) - start)) -lt 15 ]; echo $?)" "slow.sql: did not wait for the statement"

# ---- a restore_dsn libpq cannot parse: its password is not shown ----
RS_DSN="postgresql://$PGUSER:$PW%zz@$PGHOST:$PGPORT/postgres" restore good.sql
is "$RC" 1 "bad dsn: exit 1"
like "$OUT" 'restore_dsn is not a valid libpq connection string or URI' "bad dsn: says so"
RS_DSN="host=$PGHOST port=1 user=$PGUSER password=$PW connect_timeout=2 sslmode=$PW" restore good.sql
like "$OUT" 'cannot connect with restore_dsn' "bad sslmode: says so"
unlike "$(cat "$T/all")" "$PW" "no run showed the restore_dsn password"
is "$(psql -X -At -d postgres -c "SELECT count(*) FROM pg_database WHERE datname LIKE 'opscheck_restore_%'")" 0 \
    "every scratch database dropped"

done_testing
