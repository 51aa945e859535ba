#!/usr/bin/env bash
# secrets.t - issue 12: every secret the configuration can name is masked in
# every output, whatever checks are selected.  A plugin prints the secret
# through each channel it has (assertion, expected/seen, fact, metric name,
# captured stderr, skip), the hint fills it from a fact, a resolution error
# quotes it; each of TAP, pretty, JUnit, JSON, Prometheus and the Pushgateway
# must show *** and never the value: with the check that owns the secret
# selected, not selected, skipped by `needs`, or unresolvable.  Also: very
# short secrets are not masked inside words, and ${file:} reads are bounded
# and never block.
source "$(dirname "$0")/lib.sh"

# values that do not look secret by their variable's name: only the checks
# that use them in a secret option make them secrets
export DEPLOY_CRED='hunter2-cred-Q7x'      # via [vars], owner selected or not
export NEEDY_CRED='needy-cred-W3k'         # owner skipped by needs
export BROKEN_CRED='broken-cred-P5m'       # owner fails to resolve
export APP_API_TOKEN='apitok-Z8r-value'    # secret by name, used by no selected check
export COPY_OF_TOKEN="$APP_API_TOKEN"      # the same value under a plain name
values='hunter2-cred-Q7x|needy-cred-W3k|broken-cred-P5m|apitok-Z8r-value'

ini secrets.ini <<EOF
[opscheck]
plugin_path = $TEST_PLUGINS
timeout = 10s
[vars]
cred = \${env:DEPLOY_CRED}
[check owner]
plugin = tp
token = \${cred}
[check gate]
plugin = tp
mode = fail
[check needy-owner]
plugin = tp
needs = gate
token = \${env:NEEDY_CRED}
[check broken-owner]
plugin = tp
retries = \${env:OC_SECRETS_T_UNSET}
token = \${env:BROKEN_CRED}
[check api]
plugin = tp
header.authorization = Bearer \${env:APP_API_TOKEN}
[check talk]
plugin = tp
mode = leak
message = \${cred} \${env:NEEDY_CRED} \${env:BROKEN_CRED} \${env:COPY_OF_TOKEN}
hint = the fact was: {note}
[check talkskip]
plugin = tp
mode = leakskip
message = \${cred} \${env:COPY_OF_TOKEN}
[check badretries]
plugin = tp
retries = \${cred}
[checklist talkers]
checks = talk talkskip badretries
EOF

# --- a Pushgateway on loopback, for --push
pushgateway_up
ok "$([ -n "$GW" ]; echo $?)" "a Pushgateway runs on loopback (scripts/install-deps installs it)"

# every_output LABEL NAMES... : runs NAMES with every format and report, and
# checks that no secret value is anywhere and that the channels carried ***
every_output() {
  local label=$1; shift
  rm -rf "$T/r"; mkdir -p "$T/r"
  run_oc run -c "$T/secrets.ini" -v "$@" --junit "$T/r/junit.xml" --json "$T/r/run.json" \
    --prometheus "$T/r/run.prom" ${GW:+--push "$GW"}
  local tap=$OUT tap_err=$ERR
  tap_valid "$tap" "$label: valid TAP"
  run_oc run -c "$T/secrets.ini" -v --format pretty "$@"
  local pretty=$OUT pretty_err=$ERR
  local pushed=""
  [ -n "$GW" ] && pushed=$(curl -s "$GW/metrics")
  local all
  all="$tap$tap_err$pretty$pretty_err$(cat "$T/r/junit.xml" "$T/r/run.json" "$T/r/run.prom" 2>/dev/null)$pushed"
  unlike "$all" "$values" "$label: no secret value in TAP, pretty, JUnit, JSON, Prometheus, the gateway or stderr"
  # the scratch folders' names are random (mktemp): a piece of a secret could appear in one by chance
  local bare=${all//"$T"/<T>}
  [ -n "${OPSCHECK_SANDBOX:-}" ] && bare=${bare//"$OPSCHECK_SANDBOX"/<SANDBOX>}
  unlike "$bare" 'Q7x|W3k|P5m|Z8r' "$label: not even a piece of one"
  printf '%s\n' "$tap" >"$T/r/tap"; printf '%s\n' "$pretty" >"$T/r/pretty"
  for f in tap pretty junit.xml run.json run.prom; do
    like "$(cat "$T/r/$f")" '\*\*\*' "$label: $f shows *** where the secrets were"
  done
  REPLY_TAP=$tap REPLY_PRETTY=$pretty
}

# --- the talking check alone: the owners are not selected
every_output "talk alone" talk
like "$REPLY_TAP" 'pass says \*\*\* \*\*\* \*\*\* \*\*\*' "assertion: all four masked (vars, needs-skipped owner, broken owner, secret-named env)"
like "$REPLY_TAP" 'expected: "\*\*\* \*\*\* \*\*\* \*\*\*"' "expected/seen masked"
like "$REPLY_TAP" 'output: "stderr says \*\*\* \*\*\* \*\*\* \*\*\*' "captured stderr masked"
like "$REPLY_TAP" 'hint: "the fact was: diag says \*\*\* \*\*\* \*\*\* \*\*\*"' "the hint filled from a fact is masked"
like "$REPLY_PRETTY" 'hint: the fact was: diag says \*\*\*' "pretty: the hint is masked"
like "$(cat "$T/r/run.json")" '"note"' "JSON carries the fact"

# --- with the owner selected too (the old code's lucky case)
every_output "talk and owner" talk owner

# --- the skip channel and a resolution error that quotes the value
every_output "skip and error" talkers
like "$REPLY_TAP" 'SKIP skip says \*\*\* \*\*\*' "TAP: the skip reason is masked"
like "$REPLY_PRETTY" 'skip says \*\*\* \*\*\*' "pretty: the skip reason is masked"
like "$REPLY_TAP" "'retries' must be an integer.*, not '\\*\\*\\*'" "a resolution error quoting the value is masked"

# --- very short secrets: masked where they stand alone, not inside words
export SHORT_DB_PASSWORD=at
ini short.ini <<EOF
[opscheck]
plugin_path = $TEST_PLUGINS
[check short]
plugin = tp
mode = fail
token = \${env:SHORT_DB_PASSWORD}
message = the database at 10:00 is down
EOF
run_oc run -c "$T/short.ini"
like "$OUT" '^not ok 1 - short$' "short secret: the check ran"
like "$OUT" 'message: "the database \*\*\* 10:00 is down"' "a 2-character secret is masked where it stands alone, not inside 'database'"
run_oc validate -c "$T/short.ini"
is "$RC" 0 "validate still passes with a short secret"
like "$ERR" "short.ini:6: warning: a secret in 'token' is 2 characters long: shorter than 4" "validate warns about a secret too short to mask inside words"
unset SHORT_DB_PASSWORD

# --- ${file:} is read bounded and never blocks
mkfifo "$T/fifo"
mkdir "$T/adir"
head -c 2000000 /dev/zero | tr '\0' x >"$T/big"
printf 'file-secret-R4v\n' >"$T/ok.secret"
ini files.ini <<EOF
[opscheck]
plugin_path = $TEST_PLUGINS
timeout = 5s
[check fifo]
plugin = tp
token = \${file:$T/fifo}
[check stdin]
plugin = tp
token = \${file:/dev/stdin}
[check dir]
plugin = tp
token = \${file:$T/adir}
[check zero]
plugin = tp
token = \${file:/dev/zero}
[check big]
plugin = tp
token = \${file:$T/big}
[check good]
plugin = tp
mode = secret
token = \${file:$T/ok.secret}
EOF
# stdin is a pipe nobody writes to: a blocking read would hang the run, so
# bound it from outside
mkfifo "$T/stdin.fifo"
sleep 30 >"$T/stdin.fifo" & holder=$!
start=$(date +%s)
timeout -k 2 20 "$OPSCHECK" run -c "$T/files.ini" <"$T/stdin.fifo" >"$T/files.out" 2>"$T/files.err"
rc=$?
kill $holder 2>/dev/null; wait $holder 2>/dev/null
OUT=$(cat "$T/files.out")
ok "$([ $rc -ne 124 ] && [ $rc -ne 137 ]; echo $?)" "\${file:FIFO} and \${file:/dev/stdin} never block the run (exit $rc, $(( $(date +%s) - start )) s)"
is "$rc" 1 "the unreadable files fail their checks: exit 1"
like "$OUT" 'message: ".*files.ini:6: \$\{file:.*/fifo\} is a FIFO' "a FIFO: named with file:line"
like "$OUT" 'message: ".*files.ini:9: \$\{file:/dev/stdin\} is a FIFO' "/dev/stdin (a pipe here): refused, not read"
like "$OUT" 'message: ".*files.ini:12: \$\{file:.*/adir\} is a directory' "a directory is an error, not an empty secret"
like "$OUT" 'message: ".*files.ini:15: \$\{file:/dev/zero\} is a device' "/dev/zero is an error, not an empty secret"
like "$OUT" 'message: ".*files.ini:18: \$\{file:.*/big\} is larger than 1 MiB' "a file over 1 MiB is refused"
like "$OUT" 'rejected token \*\*\*' "a regular file is read and masked"
unlike "$OUT" 'file-secret-R4v' "the file's secret is not shown"
tap_valid "$OUT" "valid TAP with unreadable files"
done_testing
