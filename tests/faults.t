#!/usr/bin/env bash
# faults.t - fault injection (issue 8): the database stopped mid-run, a
# backend killed by pg_terminate_backend, a backup rewritten while it is
# read, SIGTERM/SIGINT at random moments of a -j 16 run.  Each gives a clear
# not ok or a clean Bail out!, valid TAP, the other checks' results, no
# process left behind.  (Network faults are in http-health.t and fly.t:
# reset mid-body, no answer, trickle, DNS failure.)
source "$(dirname "$0")/lib.sh"

# A database of our own: stopping it must not disturb the other tests.
export OPSCHECK_SANDBOX="$T/sbx"
trap '"$ROOT/scripts/sandbox" down >/dev/null 2>&1; rm -rf "$T"' EXIT
"$ROOT/scripts/sandbox" up >"$T/sbx.log" 2>&1 || { cat "$T/sbx.log" | sed 's/^/# /'; }
eval "$("$ROOT/scripts/sandbox" env)"
PGDATA_DIR="$OPSCHECK_SANDBOX/pg"

ini db.ini <<EOF
[opscheck]
plugin_path = $TEST_PLUGINS
timeout = 15s
[check slow-evidence]
plugin = billing
dsn = \${env:DATABASE_URL}
checks = evidence
query.evidence = SELECT 'payments' AS table_name, count(*) AS row_count, 864000 AS oldest_age_s FROM payments, pg_sleep(3) s
[check bystander]
plugin = tp
EOF

# --- a check's later query gets only what is left of its time: a clean
# statement timeout, not the core's kill at the deadline
ini budget.ini <<EOF
[check two-slow]
plugin = billing
dsn = \${env:DATABASE_URL}
checks = orphans evidence
timeout = 3s
query.orphans = SELECT 1 AS payment_id, 1 AS amount, now() AS approved_at FROM pg_sleep(1.8) s WHERE s::text = 'never' AND :grace::int >= 0
query.evidence = SELECT 'payments' AS table_name, 1 AS row_count, 864000 AS oldest_age_s FROM pg_sleep(2)
EOF
run_oc run -c "$T/budget.ini"
is "$RC" 1 "second slow query: the check fails"
like "$OUT" 'statement timeout after [0-9]+ ms' "with a statement timeout sized to the time left"
unlike "$OUT" 'timed out after 3s' "not killed by the core at the deadline"
tap_valid "$OUT" "valid TAP for the budgeted query"

# --- a backend killed by pg_terminate_backend while its query runs
"$OPSCHECK" run -c "$T/db.ini" >"$T/term.out" 2>"$T/term.err" &
pid=$!
for _ in $(seq 40); do
  n=$(psql -XAtq -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'opscheck' AND query LIKE '%pg_sleep%'")
  [ "$n" -ge 1 ] && break; sleep 0.1
done
psql -XAtq -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'opscheck'" >/dev/null
wait $pid; rc=$?
OUT=$(cat "$T/term.out")
is "$rc" 1 "pg_terminate_backend: the check fails, exit 1"
like "$OUT" '^not ok 1 - slow-evidence$' "the killed session's check is not ok"
like "$OUT" 'message: ".*(terminating connection due to administrator command|server closed the connection unexpectedly)' "and says the server ended the connection"
like "$OUT" '^ok 2 - bystander$' "the other check still reports"
tap_valid "$OUT" "valid TAP after a killed backend"

# --- PostgreSQL stopped mid-run
"$OPSCHECK" run -c "$T/db.ini" >"$T/stop.out" 2>"$T/stop.err" &
pid=$!
for _ in $(seq 40); do
  n=$(psql -XAtq -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'opscheck'" 2>/dev/null || echo 0)
  [ "$n" -ge 1 ] && break; sleep 0.1
done
if [ "$(id -u)" -eq 0 ]; then
  (cd / && runuser -u opscheck-pg -- /usr/lib/postgresql/15/bin/pg_ctl -D "$PGDATA_DIR" -m immediate stop) >/dev/null 2>&1
else
  /usr/lib/postgresql/15/bin/pg_ctl -D "$PGDATA_DIR" -m immediate stop >/dev/null 2>&1
fi
wait $pid; rc=$?
OUT=$(cat "$T/stop.out")
is "$rc" 1 "database stopped mid-run: exit 1"
like "$OUT" '^not ok 1 - slow-evidence$' "the check that was reading is not ok"
like "$OUT" 'message: ".*(terminating connection due to immediate shutdown|server closed the connection unexpectedly)' "with the reason: the server shut down"
like "$OUT" '^ok 2 - bystander$' "the other check still reports"
tap_valid "$OUT" "valid TAP after the database went away"
run_oc run -c "$T/db.ini" slow-evidence
is "$RC" 1 "the database down from the start: exit 1"
like "$OUT" 'message: ".*(cannot connect|could not connect|Connection refused)' "says it cannot connect"
unlike "$OUT$ERR" 'Segmentation|core dumped' "no crash anywhere"

# --- a backup rewritten (cut short) while it is read
mkdir -p "$T/bk"
head -c 60000000 /dev/urandom | base64 -w 100 | sed '1i -- PostgreSQL database dump' | gzip -1 > "$T/bk/quiz-today.sql.gz"
ini bk.ini <<EOF
[check backup]
plugin = backup
dir = $T/bk
retention_days = 0
max_shrink = 100%
verify = full
timeout = 30s
EOF
"$OPSCHECK" run -c "$T/bk.ini" >"$T/bk.out" 2>"$T/bk.err" &
pid=$!
sleep 0.15
truncate -s 3000000 "$T/bk/quiz-today.sql.gz"
wait $pid; rc=$?
OUT=$(cat "$T/bk.out")
is "$rc" 1 "a backup cut short while being read fails the check"
like "$OUT" 'message: ".*(truncated|unexpected end|changed while|shorter)' "and names what went wrong with the file"
tap_valid "$OUT" "valid TAP for the cut backup"

# --- a descendant two setsid levels down, ignoring SIGTERM, after a normal run
ini deep.ini <<EOF
[opscheck]
plugin_path = $TEST_PLUGINS
[check deep]
plugin = tp
mode = deep
state_file = $T/deep.pids
[check bystander]
plugin = tp
EOF
run_oc run -c "$T/deep.ini"
is "$RC" 0 "two setsid levels down: the run passes"
is "$(wc -l <"$T/deep.pids" 2>/dev/null)" 2 "both descendants started (their pids are known)"
left_deep=0
for p in $(cat "$T/deep.pids" 2>/dev/null); do
  [ -d "/proc/$p" ] && { left_deep=$((left_deep + 1)); kill -9 "$p" 2>/dev/null; }
done
is "$left_deep" 0 "no descendant survives, at any depth, in any session (not even as a zombie)"

# --- a stop signal that arrives before the handlers exist is held, then
# ends the run cleanly (here it is pending before opscheck even starts)
for sig in TERM HUP; do
  perl -MPOSIX -e 'my $n = shift; my $s = POSIX::SigSet->new(POSIX->can("SIG$n")->());
                   sigprocmask(SIG_BLOCK, $s); kill $n => $$; exec @ARGV or exit 99' \
    "$sig" "$OPSCHECK" run -c "$T/deep.ini" bystander >"$T/early.out" 2>"$T/early.err"
  rc=$?
  want=$([ $sig = TERM ] && echo 143 || echo 129)
  is "$rc" "$want" "SIG$sig before the handlers: exit $want, not a silent death or a run that ignores it"
  like "$(cat "$T/early.out")" '^Bail out! interrupted' "SIG$sig before the handlers: the stream ends in Bail out!"
  tap_valid "$(cat "$T/early.out")" "SIG$sig before the handlers: valid TAP"
done

# --- SIGTERM / SIGINT / SIGHUP / SIGQUIT at random moments of a -j 16 run,
# with checks that leave descendants in new sessions that ignore SIGTERM
{ printf '[opscheck]\nplugin_path = %s\ntimeout = 20s\n' "$TEST_PLUGINS"
  for i in $(seq 1 48); do
    case $((i % 6)) in
      0) printf '[check r%02d]\nplugin = tp\nmode = forkgroup\nstate_file = %s/fg.%d\n' "$i" "$T" "$i" ;;
      1) printf '[check r%02d]\nplugin = tp\nmode = fork\nstate_file = %s/fk.%d\n' "$i" "$T" "$i" ;;
      2) printf '[check r%02d]\nplugin = tp\nmode = deep\nstate_file = %s/dp.%d\n' "$i" "$T" "$i" ;;
      *) printf '[check r%02d]\nplugin = tp\nsleep = %dms\n' "$i" $(( (i * 53) % 400 )) ;;
    esac
  done; } > "$T/rand.ini"
bad_rc=0; bad_tap=0; left=0; zombies=0
for round in $(seq 1 10); do
  sigs=(TERM INT HUP QUIT); sig=${sigs[$((round % 4))]}
  "$OPSCHECK" run -c "$T/rand.ini" -j 16 >"$T/rand.out" 2>/dev/null &
  pid=$!
  # a random moment of the run: once its stream has begun, then 0-0.99 s on
  for _ in $(seq 100); do [ -s "$T/rand.out" ] && break; sleep 0.01; done
  sleep "0.$(( RANDOM % 9 ))$(( RANDOM % 10 ))"
  kill -$sig $pid 2>/dev/null
  wait $pid; rc=$?
  case $sig:$rc in *:0|*:1|INT:130|TERM:143|HUP:129|QUIT:131) ;;
    *) bad_rc=$((bad_rc + 1)); diag "round $round: SIG$sig gave exit $rc" ;; esac
  "$ROOT/tests/tools/tap-check" "$T/rand.out" >"$T/rand.check" 2>&1
  [ $? -le 1 ] || { bad_tap=$((bad_tap + 1)); diag "round $round: invalid TAP: $(head -3 "$T/rand.check")"
                    diag "$(tail -5 "$T/rand.out")"; }
  sleep 0.1
  for f in "$T"/fg.* "$T"/fk.* "$T"/dp.*; do
    [ -f "$f" ] || continue
    for p in $(cat "$f"); do
    st=$(ps -o stat= -p "$p" 2>/dev/null)
    # opscheck is the checks' subreaper: it must have reaped them before it
    # exits (here PID 1 reaps nothing, so a zombie stays visible)
    [ -n "$st" ] && [ "${st:0:1}" = Z ] && { zombies=$((zombies + 1)); diag "round $round: $p is a zombie"; }
    [ -n "$st" ] && [ "${st:0:1}" != Z ] && { left=$((left + 1)); kill -9 "$p" 2>/dev/null; diag "round $round: $p survived"; }
    done
    rm -f "$f"
  done
done
is "$bad_rc" 0 "ten random SIGTERM/SIGINT/SIGHUP/SIGQUIT: every exit is 128 + the signal (or 0/1 when the run had finished)"
is "$bad_tap" 0 "every stream is valid TAP up to its Bail out!"
is "$left" 0 "no plugin's child or grandchild survives"
is "$zombies" 0 "no zombie left: every child and grandchild was reaped before opscheck exited"
done_testing
