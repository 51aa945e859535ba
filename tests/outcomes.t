#!/usr/bin/env bash
# outcomes.t - issue 13: five outcomes, honest in every output.  ERROR (could
# not check: an unset ${env:}, a crash, a deadline, no result, oc_error) is
# told apart from FAIL (the target answered wrongly) in TAP, JUnit, JSON,
# Prometheus, pretty and the exit code; one run with every outcome gives the
# same five counts in the TAP stream, the summary line, JSON, JUnit and
# Prometheus; a failure after more assertions than the record limit keeps is
# still a failure.
source "$(dirname "$0")/lib.sh"

ini all.ini <<EOF
[opscheck]
plugin_path = $TEST_PLUGINS
timeout = 2s
[check p]
plugin = tp
[check w]
plugin = tp
mode = warn
[check s]
plugin = tp
mode = skip
[check f]
plugin = tp
mode = fail
hint = restart it
[check e-env]
plugin = tp
mode = secret
token = \${env:OC_OUTCOMES_UNSET_TOKEN}
hint = never shown for an error
[check e-crash]
plugin = tp
mode = segv
[check e-said]
plugin = tp
mode = error
message = the fixture file is missing
EOF
mkdir -p "$T/r"
run_oc run -c "$T/all.ini" --junit "$T/r/j.xml" --json "$T/r/r.json" --prometheus "$T/r/p.prom"
is "$RC" 1 "a run with failures and errors: exit 1"
tap_valid "$OUT" "valid TAP"
like "$OUT" '^not ok 5 - e-env$' "an unset \${env:} is not ok"
like "$OUT" '^not ok 6 - e-crash$' "a crash is not ok"
like "$OUT" '^not ok 7 - e-said$' "oc_error is not ok"
is "$(printf '%s\n' "$OUT" | grep -c '^  severity: "error"')" 3 "TAP: the three could-not-check checks say severity: error"
is "$(printf '%s\n' "$OUT" | grep -c '^  severity: "fail"')" 1 "TAP: the real failure says severity: fail"
like "$OUT" 'message: ".*environment variable OC_OUTCOMES_UNSET_TOKEN is not set"' "the error says what to fix in the setup"
unlike "$OUT" 'never shown for an error' "an error shows no hint (the hint is for failures)"
like "$OUT" 'hint: "restart it"' "a failure shows its hint"

# the five counts, everywhere
tap_total=$(printf '%s\n' "$OUT" | sed -n 's/^1\.\.\([0-9]*\)$/\1/p')
is "$tap_total" 7 "TAP plan: 7 checks"
like "$ERR" '^1 passed, 1 warned, 1 failed, 3 errored, 1 skipped in ' "summary line: 1 passed, 1 warned, 1 failed, 3 errored, 1 skipped"
json_counts=$(node -e 'const j=JSON.parse(require("fs").readFileSync(process.argv[1]));const s=j.summary;
  console.log([s.passed,s.warned,s.failed,s.errored,s.skipped,s.ok,j.checks.length].join(" "))' "$T/r/r.json" 2>&1)
is "$json_counts" "1 1 1 3 1 false 7" "JSON summary: the same counts, ok false, 7 checks"
is "$(node -e 'const j=JSON.parse(require("fs").readFileSync(process.argv[1]));
  console.log(j.checks.map(c=>c.name+"="+c.status).join(" "))' "$T/r/r.json")" \
  "p=pass w=warn s=skip f=fail e-env=error e-crash=error e-said=error" "JSON: each check's status, error as \"error\""
prom() { sed -n "s/^opscheck_run_checks{.*status=\"$1\"} \\([0-9]*\\)$/\\1/p" "$T/r/p.prom"; }
is "$(prom pass) $(prom warn) $(prom fail) $(prom error) $(prom skip)" "1 1 1 3 1" "Prometheus opscheck_run_checks: the same counts"
like "$(cat "$T/r/p.prom")" 'opscheck_check_status\{check="e-crash",.*status="error"\} 1' "Prometheus: the crash has status=\"error\""
like "$(cat "$T/r/p.prom")" 'opscheck_check_success\{check="e-said",.*\} 0' "Prometheus: an error is not a success"
if command -v promtool >/dev/null 2>&1; then
  promtool check metrics <"$T/r/p.prom" >"$T/promtool.log" 2>&1
  ok $? "promtool accepts the metrics with the error outcome"
else
  ok 1 "promtool is installed (scripts/install-deps)"
fi
xa() { xmllint --xpath "string($1)" "$T/r/j.xml" 2>/dev/null; }
is "$(xa '/testsuites/testsuite/@tests') $(xa '/testsuites/testsuite/@failures') $(xa '/testsuites/testsuite/@errors') $(xa '/testsuites/testsuite/@skipped')" \
  "7 1 3 1" "JUnit testsuite attributes: tests, failures, errors, skipped"
is "$(xa 'count(//testcase/error)')" 3 "JUnit: three <error> elements"
is "$(xa 'count(//testcase/failure)')" 1 "JUnit: one <failure>"
is "$(xa '//testcase[@name="e-crash"]/error/@message')" "killed by SIGSEGV" "JUnit: the crash is an <error> with its reason"
junit_valid "$T/r/j.xml" "JUnit validates against the schema"

# an error alone still fails the run
run_oc run -c "$T/all.ini" p e-env
is "$RC" 1 "only an error, no failure: still exit 1"
like "$ERR" '^1 passed, 0 warned, 0 failed, 1 errored, 0 skipped' "and the summary counts it as errored"

# pretty: ERROR in its own colour
run_oc run -c "$T/all.ini" --format pretty e-said f
like "$OUT" '^  ERROR  e-said' "pretty: ERROR"
like "$OUT" '^  FAIL  f' "pretty: FAIL beside it"

# a failure past the record limit is still a failure
ini many.ini <<EOF
[opscheck]
plugin_path = $TEST_PLUGINS
[check many]
plugin = tp
mode = many
EOF
run_oc run -c "$T/many.ini" --json "$T/r/many.json"
is "$RC" 1 "1,500 passes and then a failure: exit 1, not a pass"
like "$OUT" '^not ok 1 - many$' "TAP: not ok"
like "$OUT" 'message: "1 fail assertion among the 501 past the first 1000, which were not kept; the first: the last step failed"' "and says how many assertions were not kept, and names the first failure among them"
is "$(node -e 'const j=JSON.parse(require("fs").readFileSync(process.argv[1]));console.log(j.checks[0].status)' "$T/r/many.json")" fail "JSON: fail"
tap_valid "$OUT" "valid TAP for a check past the record limit"
# the first dropped failure's words are masked like every message; a TODO one is not named
ini many2.ini <<EOF
[opscheck]
plugin_path = $TEST_PLUGINS
[check many-secret]
plugin = tp
mode = many
message = token \${env:OUTCOMES_T_SECRET} refused
[check many-todo]
plugin = tp
mode = manytodo
EOF
OUTCOMES_T_SECRET=oc-t-Dropped-Secret-81f2 run_oc run -c "$T/many2.ini" --json "$T/r/many2.json"
unlike "$OUT$ERR$(cat "$T/r/many2.json")" 'oc-t-Dropped-Secret-81f2' "a secret in a failure past the record limit is masked in TAP and JSON"
like "$OUT" 'message: "1 fail assertion among the 501 past the first 1000, which were not kept; the first: token \*+ refused"' "... and still named"
like "$OUT" 'message: "1 fail assertion among the 502 past the first 1000, which were not kept; the first: the last step failed"' "a TODO failure past the limit is not counted, nor named"

# a needed check that errored skips its dependants, saying so
ini needs.ini <<EOF
[opscheck]
plugin_path = $TEST_PLUGINS
[check cannot]
plugin = tp
mode = error
[check after]
plugin = tp
needs = cannot
EOF
run_oc run -c "$T/needs.ini"
like "$OUT" '^ok 2 - after # SKIP needs cannot \(could not be checked\)$' "a check whose need errored is skipped, saying why"
# empty selections are a usage or config error (exit 2), never a green run
ini sel.ini <<EOF
[opscheck]
plugin_path = $TEST_PLUGINS
[check a]
plugin = tp
tags = billing
[check b]
plugin = tp
tags = daily
[checklist night]
checks = b
EOF
{ cat "$T/sel.ini"; printf '[checklist empty]\nchecks =\n'; } >"$T/sel-empty.ini"
empty_case() { # LABEL ERE ARGS...
  local label=$1 ere=$2; shift 2
  run_oc "$@"
  is "$RC" 2 "$label: exit 2"
  like "$ERR" "$ere" "$label: says why"
  [ "$1" = run ] && { like "$OUT" '^Bail out! ' "$label: TAP ends in Bail out!"; tap_valid "$OUT" "$label: valid TAP"; }
}
empty_case "a mistyped --tag" "--tag biling: no check has this tag \\(did you mean 'billing'\\?\\)" run -c "$T/sel.ini" --tag biling
empty_case "a tag no selected check has" "the selection has no check" run -c "$T/sel.ini" night --tag billing
empty_case "a checklist with no checks" "sel-empty.ini:11: checklist 'empty' lists no checks" run -c "$T/sel-empty.ini" empty
empty_case "-c /dev/null (run)" "/dev/null: no \\[check NAME\\] section" run -c /dev/null
empty_case "-c /dev/null (validate)" "/dev/null: no \\[check NAME\\] section" validate -c /dev/null
mkdir -p "$T/adir"
empty_case "-c DIRECTORY (validate)" "adir: is a directory, not an INI file" validate -c "$T/adir"
empty_case "-c DIRECTORY (run)" "adir: is a directory, not an INI file" run -c "$T/adir"
# a hint is resolved like any value: ${env:} fills it, and a secret one is masked
cat >"$T/hint.ini" <<EOF
[opscheck]
plugin_path = $TEST_PLUGINS
[check f]
plugin = tp
mode = fail
hint = page \${env:OC_HINT_ONCALL}, rotate \${env:OC_HINT_TOKEN}
EOF
OC_HINT_ONCALL=alice OC_HINT_TOKEN=rotate-me-4711 run_oc run -c "$T/hint.ini" --json "$T/r/h.json"
like "$OUT" '^  hint: "page alice, rotate \*\*\*"$' "TAP: a hint with \${env:} is filled, the secret one masked"
is "$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).checks[0].hint)' "$T/r/h.json" 2>&1)" \
  "page alice, rotate ***" "JSON: the same hint"
done_testing
