#!/usr/bin/env bash
# core.t - the runner end to end with the test plugin tests/plugins/tp.so:
# isolation (crash, abort, hang, stdout, flood, no result, exit), TAP shape,
# ordering under -j, needs, retries, secrets, exit codes, signals.
source "$(dirname "$0")/lib.sh"

# running PID: "yes" while PID is a live process (a zombie is not)
running() { local st; st=$(ps -o stat= -p "$1" 2>/dev/null); [ -n "$st" ] && [ "${st:0:1}" != Z ] && echo yes || echo no; }

hdr="[opscheck]
plugin_path = $TEST_PLUGINS
timeout = 3s"

ini checks.ini <<EOF
$hdr
[check ok]
plugin = tp
description = passes
[check fail]
plugin = tp
mode = fail
hint = run the reconciliation for checkout 42 at {url} ({nosuchdiag})
[check multi]
plugin = tp
mode = multi
[check segv]
plugin = tp
mode = segv
[check abort]
plugin = tp
mode = abort
[check hang]
plugin = tp
mode = hang
timeout = 500ms
[check stdout]
plugin = tp
mode = stdout
[check noresult]
plugin = tp
mode = noresult
[check exit]
plugin = tp
mode = exit
[check flood]
plugin = tp
mode = flood
[check warn]
plugin = tp
mode = warn
[check skip]
plugin = tp
mode = skip
[checklist isolation]
checks = segv abort hang stdout noresult exit flood ok
EOF

# --- the deadline first: the runs below each hold a check that never returns,
# and a runner that did not kill it at its deadline would hang them (and
# prove) forever.  A run that is still going after 5 s ends the file here.
ini deadline.ini <<EOF
$hdr
[check hang]
plugin = tp
mode = hang
timeout = 300ms
EOF
timeout -k 2 5 "$OPSCHECK" run -c "$T/deadline.ini" >"$T/out" 2>"$T/err" </dev/null
RC=$?
is "$RC" 1 "a check that never returns is killed at its 300ms deadline: the run ends, not ok"
if [ "$RC" -eq 124 ] || [ "$RC" -eq 137 ]; then  # timeout(1): still running at 5 s
  diag "the run did not end within 5 s: the deadline is not enforced, so the rest of core.t is not run"
  done_testing
  exit 1
fi

# --- isolation: every misbehaviour is one not ok, the others still report
run_oc run -c "$T/checks.ini"
is "$RC" 1 "a failing check makes exit code 1"
tap_valid "$OUT" "the full stream is valid TAP 14"
like "$OUT" '^TAP version 14$' "version line"
like "$(printf '%s\n' "$OUT" | sed -n 2p)" '^1\.\.12$' "plan comes first, one test per check"
like "$OUT" '^ok 1 - ok$' "a passing check"
like "$OUT" '^not ok 2 - fail$' "a failing check"
like "$OUT" '^  expected: "200"$' "YAML carries expected"
like "$OUT" '^  seen: "503"$' "YAML carries seen"
like "$OUT" '^  duration_ms: [0-9]+$' "YAML carries the duration"
like "$OUT" '^  hint: "run the reconciliation for checkout 42 at http://127.0.0.1/health \(\{nosuchdiag\}\)"$' "the hint is shown under a failure, {key} filled from the check's facts"
like "$OUT" '^    # Subtest: multi$' "several assertions make a subtest"
like "$OUT" '^    not ok 2 - p50 412ms over 300ms \\# slow \\\\ path$' "# and \\ escaped in descriptions"
like "$OUT" '^    ok 3 - certificate \(plain http\) # SKIP$' "a skipped assertion"
like "$OUT" '^not ok 3 - multi$' "the subtest closes with the check"
like "$OUT" '^  message_2: "a plugin diag named like a core key"$' "plugin diags never duplicate a YAML key"
like "$OUT" '^    not ok 2 - killed by SIGSEGV$' "a segfault after an assertion keeps the assertion"
like "$OUT" '^  message: "killed by SIGSEGV"$' "segfault named"
like "$OUT" '^  message: "killed by SIGABRT"$' "abort named"
like "$OUT" '^  message: "timed out after 500ms"$' "hang becomes a timeout"
like "$OUT" '^ok 7 - stdout$' "a plugin printing to stdout still passes"
unlike "$OUT" 'injected' "nothing a plugin prints on stdout reaches the TAP stream"
like "$OUT" '^  message: "plugin returned without reporting any result"$' "no result is a failure"
like "$OUT" '^  message: "plugin exited with status 7 before reporting its result"$' "exit() mid-run is a failure"
like "$OUT" '^ok 10 - flood$' "a 100 MiB stderr flood does not block the check"
like "$OUT" '^ok 11 - warn$' "a warning is ok"
like "$OUT" '^  severity: "warn"$' "and says warn in YAML"
like "$OUT" '^ok 12 - skip # SKIP nothing to do$' "a skip"
like "$ERR" '^3 passed, 1 warned, 2 failed, 5 errored, 1 skipped in [0-9.]+s$' "one-line summary on stderr: five counts"
is "$(printf '%s\n' "$ERR" | wc -l)" 1 "nothing else on stderr"

run_oc run -c "$T/checks.ini" -v stdout
like "$OUT" '^  output: "a line on stderr\\n"$' "the plugin's stderr is kept as a diagnostic (-v)"
run_oc run -c "$T/checks.ini" -v flood
like "$OUT" '^  output_dropped_bytes: [0-9]{8,}$' "a flood is cut and the drop counted"
run_oc run -c "$T/checks.ini" -v ok
like "$OUT" '^  attempts: 1$' "-v shows YAML on passing checks too"

# --- TAP 13 for older consumers, read by Perl's prove
run_oc run -c "$T/checks.ini" --tap-version 13 isolation
like "$OUT" '^TAP version 13$' "--tap-version 13"
printf '%s\n' "$OUT" > "$T/t13.t"
prove --exec cat "$T/t13.t" >"$T/prove.log" 2>&1
like "$(cat "$T/prove.log")" 'Failed tests:  1-3, 5-6' "prove reads the TAP 13 stream: the 5 broken checks fail, stdout, flood and ok pass"
unlike "$(cat "$T/prove.log")" 'Parse errors' "prove sees no parse error"

# --- ordering under -j: lines come in checklist order whatever finishes first
{
  echo "$hdr"
  for i in $(seq 1 12); do
    printf '[check c%02d]\nplugin = tp\nsleep = %dms\n' "$i" $(( 400 + (13 - i) * 20 ))
  done
} > "$T/order.ini"
run_oc run -c "$T/order.ini" -j 12
is "$RC" 0 "all pass: exit 0"
is "$(printf '%s\n' "$OUT" | grep -E '^ok' | awk '{print $4}' | tr '\n' ' ')" \
   "c01 c02 c03 c04 c05 c06 c07 c08 c09 c10 c11 c12 " "TAP lines in checklist order under -j 12"
# one after another they would take 6.4 s; at once, about 0.7 s: 3 s tells the two apart on any load
like "$ERR" ' in [0-2]\.[0-9]+s$' "12 checks sleeping 420-640 ms ran in parallel (the summary says under 3 s)"
run_oc run -c "$T/order.ini" -j 1 c03 c01
is "$(printf '%s\n' "$OUT" | grep -E '^ok' | awk '{print $4}' | tr '\n' ' ')" "c03 c01 " "names run in the order given"

# --- needs and retries
ini needs.ini <<EOF
$hdr
[check base]
plugin = tp
mode = fail
[check child]
plugin = tp
needs = base
[check grandchild]
plugin = tp
needs = child
[check fine]
plugin = tp
[check after-fine]
plugin = tp
needs = fine
[check flaky]
plugin = tp
mode = flaky
fail_until = 2
retries = 2
retry_delay = 50ms
state_file = $T/flaky.state
[check hopeless]
plugin = tp
mode = fail
retries = 1
retry_delay = 10ms
EOF
run_oc run -c "$T/needs.ini" -v
like "$OUT" '^ok 2 - child # SKIP needs base \(failed\)$' "a failed need skips its dependents"
like "$OUT" '^ok 3 - grandchild # SKIP needs child \(skipped\)$' "and theirs"
like "$OUT" '^ok 5 - after-fine$' "a passed need lets its dependent run"
like "$OUT" '^ok 6 - flaky$' "retries: passes on the third attempt"
like "$OUT" '^  attempts: 3$' "attempts in the YAML block"
like "$OUT" '^    - status: "fail"$' "each attempt logged"
like "$OUT" 'message: "attempt 3 passed"' "the last attempt's result is the check's"
like "$OUT" '^  attempts: 2$' "a hopeless check is tried retries+1 times"
run_oc run -c "$T/needs.ini" after-fine
like "$OUT" '^1\.\.2$' "running one check pulls in the checks it needs"
like "$OUT" '^ok 1 - fine$' "the needed check runs first"

# --- secrets: never in TAP, YAML, stderr capture or messages
export OC_TEST_TOKEN='tok-Zq9-very-secret-value'
ini secret.ini <<EOF
$hdr
[vars]
tok = \${env:OC_TEST_TOKEN}
[check leak]
plugin = tp
mode = secret
token = \${tok}
EOF
run_oc run -c "$T/secret.ini" -v
tap_valid "$OUT" "secret run is valid TAP"
like "$OUT" 'rejected token \*\*\*' "the secret is shown as ***"
like "$OUT" 'output: "debug: token=\*\*\*' "captured stderr is scrubbed"
unlike "$OUT$ERR" 'very-secret' "the secret appears nowhere in stdout or stderr"
unlike "$OUT$ERR" 'Zq9' "not even a piece of it"

# --- exit codes and run-time config errors
ini envmiss.ini <<EOF
$hdr
[check needs-env]
plugin = tp
mode = secret
token = \${env:OC_UNSET_TOKEN}
[check fine]
plugin = tp
EOF
run_oc validate -c "$T/envmiss.ini"
is "$RC" 0 "validate does not need the environment"
run_oc run -c "$T/envmiss.ini"
is "$RC" 1 "an unset env var fails its check only"
like "$OUT" 'message: ".*envmiss.ini:7: environment variable OC_UNSET_TOKEN is not set"' "the message names file:line and the variable"
like "$OUT" '^ok 2 - fine$' "the other checks still run"
tap_valid "$OUT" "valid TAP with a missing env var"
run_oc run -c "$T/envmiss.ini" fine
is "$RC" 0 "the env var is only needed by the checks selected"

run_oc run -c "$T/checks.ini" nosuch
is "$RC" 2 "an unknown name is a usage error"
like "$ERR" "'nosuch' is not a checklist or a check" "and says so"
run_oc run -c "$T/checks.ini" --tag nosuchtag
is "$RC" 2 "no check with that tag: a usage error, not a green run of nothing"
like "$OUT" '^Bail out! --tag nosuchtag: no check has this tag' "the stream bails out saying why"
run_oc frobnicate
is "$RC" 2 "unknown command: exit 2"
run_oc --version
like "$OUT" '^opscheck [0-9.]+ \(plugin ABI 2\)$' "--version"
run_oc run -j 0
is "$RC" 2 "-j 0 is refused"

# --- SIGTERM / SIGINT: children killed, Bail out!, 143 / 130, nothing left
ini sig.ini <<EOF
$hdr
timeout = 60s
[check quick]
plugin = tp
[check h1]
plugin = tp
mode = hang
[check h2]
plugin = tp
mode = fork
state_file = $T/fork.pid
[check h3]
plugin = tp
mode = hang
EOF
for sig in TERM INT; do
  rm -f "$T/fork.pid"
  "$OPSCHECK" run -c "$T/sig.ini" -j 4 >"$T/sig.out" 2>"$T/sig.err" &
  pid=$!
  for _ in $(seq 50); do [ -s "$T/fork.pid" ] && break; sleep 0.05; done
  sleep 0.2
  kill -$sig $pid
  wait $pid; rc=$?
  want=$([ $sig = TERM ] && echo 143 || echo 130)
  is "$rc" "$want" "SIG$sig exits $want"
  like "$(cat "$T/sig.out")" '^Bail out! interrupted( after [0-9.]+s: [0-9]+ checks? did not finish.*)?$' "SIG$sig ends the stream with Bail out!"
  like "$(cat "$T/sig.out")" '^ok 1 - quick$' "SIG$sig: results written before it stay"
  tap_valid "$(cat "$T/sig.out")" "SIG$sig stream is valid TAP up to the bail out"
  sleep 0.1
  gc=$(cat "$T/fork.pid" 2>/dev/null || echo 0)
  is "$(running "$gc")" no "SIG$sig: the plugin's grandchild that left its process group is gone too"
  is "$(ps -o pid= --ppid $pid 2>/dev/null | wc -l)" 0 "SIG$sig: no child process left"
done

# --- a grandchild that stays in the group dies with its check
ini grand.ini <<EOF
$hdr
[check forker]
plugin = tp
mode = forkgroup
state_file = $T/grand.pid
EOF
run_oc run -c "$T/grand.ini"
is "$RC" 0 "a plugin that forks and returns passes"
sleep 0.1
is "$(running "$(cat "$T/grand.pid")")" no "its grandchild was killed with the process group"

done_testing
