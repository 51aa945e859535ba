# reports-ci.sh - sourced by tests/reports.t (its helpers: prom_valid, json_get, GW):
# issue 13, reports CI can rely on.  Reports written on SIGTERM/SIGINT with the unfinished checks as
# errors; a report path never clobbered (symlink written through, FIFO and character device written
# in place, /dev/stdout left a link); `-` and --format put one report on stdout; a bad report path
# refused before any check runs; a check that passed on retry carries <flakyFailure>.
# Device tests run only inside a private mount namespace (unshare) or on nodes made under $T: the
# machine's /dev is never a target.

ini ci.ini <<EOF
[opscheck]
plugin_path = $TEST_PLUGINS
timeout = 60s
[check quick]
plugin = tp
[check broken]
plugin = tp
mode = fail
[check slow]
plugin = tp
mode = hang
[check late]
plugin = tp
mode = fail
sleep = 100ms
[check flaky]
plugin = tp
mode = flaky
state_file = $T/flaky.state
fail_until = 1
sleep = 300ms
retries = 2
retry_delay = 10ms
[check marker]
plugin = tp
mode = flaky
state_file = $T/marker.state
fail_until = 0
EOF
tap_lines() { local n; n=$(grep -c '^\(not \)\?ok ' "$1" 2>/dev/null); echo "${n:-0}"; }  # grep -c says 0 itself

# --- 1. written on interrupt: finished checks as they ended, the rest ERROR "interrupted"
for sig in TERM INT; do
    I=$T/int-$sig; mkdir -p "$I"
    "$OPSCHECK" run -c "$T/ci.ini" quick broken slow late -j 4 --tap-version 14 \
        --junit "$I/j.xml" --json "$I/r.json" --prometheus "$I/p.prom" ${GW:+--push "$GW"} \
        >"$I/out" 2>"$I/err" </dev/null &
    pid=$!
    for _ in $(seq 100); do [ "$(tap_lines "$I/out")" -ge 2 ] && break; sleep 0.05; done
    sleep 0.3 # `late` (100 ms) ends while `slow` hangs: done, but not yet in the stream
    kill -$sig $pid
    wait $pid; rc=$?
    want=$([ $sig = TERM ] && echo 143 || echo 130)
    is "$rc" "$want" "SIG$sig mid-run: exit $want"
    for f in j.xml r.json p.prom; do [ -s "$I/$f" ]; ok $? "SIG$sig: $f written"; done
    junit_valid "$I/j.xml" "SIG$sig: the JUnit validates"
    prom_valid "$I/p.prom" "SIG$sig: the Prometheus text passes promtool"
    is "$(json_get "$I/r.json" 'j.checks.map(c => c.name + "=" + c.status).join(" ")')" \
        "quick=pass broken=fail slow=error late=fail" "SIG$sig: JSON has finished checks as they ended, the unfinished one errored"
    is "$(json_get "$I/r.json" 'j.checks[2].message')" "interrupted" "SIG$sig: the unfinished check's message is interrupted"
    is "$(json_get "$I/r.json" '[j.interrupted_by_signal, j.interrupted_signal, j.summary.ok, j.summary.errored].join(" ")')" \
        "$([ $sig = TERM ] && echo 15 || echo 2) SIG$sig false 1" "SIG$sig: JSON interrupted_by_signal, interrupted_signal, ok false, 1 errored"
    if [ $have_xmllint = 1 ]; then
        is "$(xmllint --xpath 'string(//testcase[@name="slow"]/error/@message)' "$I/j.xml" 2>&1)" "interrupted" \
            "SIG$sig: JUnit <error message=\"interrupted\">"
        is "$(xmllint --xpath 'string(//testsuite/@errors)' "$I/j.xml" 2>&1)" 1 "SIG$sig: JUnit errors=1"
    fi
    like "$(cat "$I/p.prom")" '^opscheck_check_status\{check="slow",checklist="quick broken slow late",plugin="tp",status="error"\} 1$' \
        "SIG$sig: Prometheus status=\"error\" for the unfinished check"
    like "$(cat "$I/err")" '^1 passed, 0 warned, 2 failed, 1 errored, 0 skipped in .* \(interrupted\)$' \
        "SIG$sig: the summary line counts what the reports say"
    like "$(cat "$I/out")" '^Bail out! interrupted after [0-9.]+s: ' "SIG$sig: the stream still ends in Bail out!"
    if [ -n "$GW" ]; then
        is "$(gw_value opscheck_check_status check=slow status=error 'checklist=quick broken slow late')" 1 \
            "SIG$sig: --push still pushed, the unfinished check as error"
    fi
done

# --- 2. never clobber a path
C=$T/clobber; mkdir -p "$C"
ln -s "$C/real.json" "$C/link.json"
run_oc run -c "$T/ci.ini" quick --json "$C/link.json"
[ -L "$C/link.json" ]; ok $? "a symlink target stays a symlink"
is "$(json_get "$C/real.json" 'j.checks[0].name')" quick "the report went through it to its target"
echo old >"$C/real2.json"; ln -s real2.json "$C/rel-link.json"
run_oc run -c "$T/ci.ini" quick --json "$C/rel-link.json"
is "$( [ -L "$C/rel-link.json" ] && json_get "$C/real2.json" 'j.checks[0].name')" quick \
    "a relative symlink to an existing file: the link stays, the file gets the report"

mkfifo "$C/fifo"
timeout 20 cat "$C/fifo" >"$C/fifo.out" &
reader=$!
run_oc run -c "$T/ci.ini" quick --json "$C/fifo"
wait $reader # bounded by its timeout: a report that never reached the FIFO fails below
[ -p "$C/fifo" ]; ok $? "a FIFO stays a FIFO"
is "$(json_get "$C/fifo.out" 'j.checks[0].status')" pass "the FIFO's reader got the whole report"

# a symlink to our own stdout (what /dev/stdout is): written in place, the link stays
ln -s /proc/self/fd/1 "$C/stdout-link"
"$OPSCHECK" run -c "$T/ci.ini" quick --json "$C/stdout-link" 2>"$C/err" </dev/null | cat >"$C/piped"
[ -L "$C/stdout-link" ]; ok $? "a link to /proc/self/fd/1 stays a link"
is "$(json_get "$C/piped" 'j.checks[0].name')" quick "the report went to stdout (a pipe), alone: it parses as JSON"

if [ "$(id -u)" = 0 ] && mknod "$C/null" c 1 3 2>/dev/null; then
    run_oc run -c "$T/ci.ini" quick --json "$C/null" --junit "$C/null"
    is "$RC" 0 "a character device (a null device made under \$T) as the target: the run passes"
    [ -c "$C/null" ]; ok $? "the character device is still one"
else
    echo "ok $((_n += 1)) # SKIP mknod needs root"; echo "ok $((_n += 1)) # SKIP mknod needs root"
fi

# /dev/stdout and /dev/null themselves, in a private mount namespace whose /dev is a folder under $T
# (a marker file proves it before opscheck runs): nothing of the machine's /dev can be replaced.
D=$T/devns; mkdir -p "$D/dev"; : >"$D/dev/.opscheck-private"
ln -s /proc/self/fd/0 "$D/dev/stdin"; ln -s /proc/self/fd/1 "$D/dev/stdout"; ln -s /proc/self/fd/2 "$D/dev/stderr"
for n in null zero urandom random; do : >"$D/dev/$n"; done
# shellcheck disable=SC2016
ns_script='set -e
for n in null zero urandom random; do mount --bind /dev/$n "$1/dev/$n"; done
mount --rbind "$1/dev" /dev
[ -e /dev/.opscheck-private ] || { echo "not private: refusing to run"; exit 9; }
"$2" run -c "$3" quick --json /dev/stdout --prometheus /dev/null 2>"$1/err" </dev/null | cat >"$1/piped"
[ -L /dev/stdout ] && echo stdout-link
[ -c /dev/null ] && echo null-chardev
true'
if [ "$(id -u)" = 0 ] && unshare --mount --propagation private true 2>/dev/null; then
    got=$(unshare --mount --propagation private bash -c "$ns_script" ns "$D" "$OPSCHECK" "$T/ci.ini" 2>&1)
    like "$got" '^stdout-link$' "--json /dev/stdout as root: /dev/stdout is still a symlink (private /dev)"
    like "$got" '^null-chardev$' "--prometheus /dev/null as root: /dev/null is still a character device (private /dev)"
    is "$(json_get "$D/piped" 'j.checks[0].name')" quick "--json /dev/stdout: the report went to stdout"
else
    for _ in 1 2 3; do echo "ok $((_n += 1)) # SKIP needs root and unshare --mount (a private /dev)"; done
fi

# --- 3. `-` is stdout; --format picks what stdout gets; two outputs on stdout are refused
run_oc run -c "$T/ci.ini" quick broken --json -
is "$RC" 1 "--json -: the exit code still says a check failed"
is "$(printf '%s\n' "$OUT" >"$T/o.json"; json_get "$T/o.json" 'j.checks.map(c => c.status).join(" ")')" "pass fail" \
    "--json -: stdout is the JSON report alone"
run_oc run -c "$T/ci.ini" quick broken --junit -
printf '%s\n' "$OUT" >"$T/o.xml"; junit_valid "$T/o.xml" "--junit -: stdout is the JUnit report alone"
run_oc run -c "$T/ci.ini" quick broken --prometheus -
printf '%s\n' "$OUT" >"$T/o.prom"; prom_valid "$T/o.prom" "--prometheus -: stdout is the Prometheus text alone"
run_oc run -c "$T/ci.ini" quick --format json --tap "$T/side.tap"
is "$(printf '%s\n' "$OUT" >"$T/f.json"; json_get "$T/f.json" 'j.checks[0].status')" pass "--format json"
tap_valid "$(cat "$T/side.tap" 2>&1)" "--tap FILE: the TAP stream went to the file"
like "$(cat "$T/side.tap" 2>&1)" '^ok 1 - quick$' "--tap FILE holds the check"
run_oc run -c "$T/ci.ini" quick --format junit
printf '%s\n' "$OUT" >"$T/f.xml"; junit_valid "$T/f.xml" "--format junit"
run_oc run -c "$T/ci.ini" quick --format prometheus
printf '%s\n' "$OUT" >"$T/f.prom"; prom_valid "$T/f.prom" "--format prometheus"
like "$OUT" '^opscheck_check_success\{check="quick",checklist="quick",plugin="tp"\} 1$' "--format prometheus: the samples"
run_oc run -c "$T/ci.ini" marker --json - --junit -
is "$RC" 2 "two outputs on stdout (--json - --junit -): exit 2"
is "$ERR" "opscheck: two outputs on stdout: --json - and --junit - (see opscheck --help)" "... in one line naming both"
run_oc run -c "$T/ci.ini" marker --format tap --prometheus -
is "$RC:$ERR" "2:opscheck: two outputs on stdout: --format tap and --prometheus - (see opscheck --help)" \
    "--format tap with --prometheus -: refused"
[ ! -e "$T/marker.state" ]; ok $? "nothing ran for the refused runs"

# --format nagios: tests/nagios.t (with negate and Monitoring::Plugin)

# --- 4. a bad report path fails before any check runs
rm -f "$T/marker.state"
t0=$(date +%s)
run_oc run -c "$T/ci.ini" marker slow --junit /nonexistent/x.xml
is "$RC" 2 "--junit into a missing folder: exit 2"
is "$ERR" "opscheck: --junit: /nonexistent/x.xml: No such file or directory" "... one line naming the option and the path"
[ ! -e "$T/marker.state" ] && [ $(($(date +%s) - t0)) -lt 10 ]; ok $? "... before any check ran"
run_oc run -c "$T/ci.ini" marker --json "$C"
is "$RC:$ERR" "2:opscheck: --json: $C: Is a directory" "--json DIRECTORY: exit 2, named"
: >"$C/file"
run_oc run -c "$T/ci.ini" marker --prometheus "$C/file/x.prom"
is "$RC:$ERR" "2:opscheck: --prometheus: $C/file/x.prom: Not a directory" "--prometheus under a file: exit 2, named"
[ ! -e "$T/marker.state" ]; ok $? "none of them ran a check"

# --- 5. retries in JUnit: <flakyFailure> per failed attempt, time sums every attempt
F=$T/flaky; mkdir -p "$F"; rm -f "$T/flaky.state"
run_oc run -c "$T/ci.ini" flaky --junit "$F/j.xml" --json "$F/r.json"
is "$RC" 0 "a check that passed on its second attempt passes"
junit_valid "$F/j.xml" "the JUnit of a flaky check validates"
is "$(json_get "$F/r.json" 'j.checks[0].attempts.map(a => a.status + ":" + a.message).join(" ")')" \
    "fail:attempt 1 failed pass:attempt 2 passed" "JSON keeps every attempt"
if [ $have_xmllint = 1 ]; then
    is "$(xmllint --xpath 'count(//testcase[@name="flaky"]/flakyFailure)' "$F/j.xml" 2>&1)" 1 "JUnit: one <flakyFailure>"
    is "$(xmllint --xpath 'string(//testcase[@name="flaky"]/flakyFailure/@message)' "$F/j.xml" 2>&1)" "attempt 1 failed" \
        "... with the failed attempt's message"
    is "$(xmllint --xpath 'count(//testcase[@name="flaky"]/failure)' "$F/j.xml" 2>&1)" 0 "... and no <failure>"
    jt=$(xmllint --xpath 'string(//testcase[@name="flaky"]/@time)' "$F/j.xml" 2>&1)
    sum=$(json_get "$F/r.json" 'j.checks[0].attempts.reduce((s, a) => s + a.duration_seconds, 0).toFixed(3)')
    is "$jt" "$sum" "JUnit time is the sum of every attempt ($sum s)"
fi
