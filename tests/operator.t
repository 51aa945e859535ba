#!/usr/bin/env bash
# operator.t - issue 15, the operator's shortcuts: --dry-run shows what a
# selection will run after `needs`, each check's options resolved and secrets
# masked, and starts nothing; --only-failed FILE.json re-runs the checks a
# previous --json report says failed or errored; -q shows only failures,
# errors and the summary on a terminal (TAP stays whole).
source "$(dirname "$0")/lib.sh"

export OP_DEPLOY_TOKEN='op-Tok-9Qz-secret'
ini op.ini <<EOF
[opscheck]
plugin_path = $TEST_PLUGINS
[check sec]
plugin = tp
mode = secret
token = \${env:OP_DEPLOY_TOKEN}
[check base]
plugin = tp
state_file = $T/base.ran
mode = flaky
fail_until = 0
[check top]
plugin = tp
mode = fail
needs = base
[check crash]
plugin = tp
mode = segv
[check fine]
plugin = tp
EOF

# --- --dry-run
run_oc run -c "$T/op.ini" top sec --dry-run
is "$RC" 0 "--dry-run: exit 0"
like "$OUT" '^would run 3 checks, in this order:$' "--dry-run: the count after needs"
is "$(printf '%s\n' "$OUT" | grep -E '^  [a-z]' | awk '{print $1}' | tr '\n' ' ')" "base top sec " \
  "--dry-run: the needed check first, then the selection in order"
like "$OUT" '^      token = \*\*\*$' "--dry-run: the secret option shown masked"
like "$OUT" '^      mode = fail$' "--dry-run: resolved options shown"
unlike "$OUT$ERR" '9Qz' "--dry-run: the secret itself appears nowhere"
ok "$([ ! -e "$T/base.ran" ]; echo $?)" "--dry-run: nothing ran"
unset OP_DEPLOY_TOKEN
run_oc run -c "$T/op.ini" sec --dry-run
like "$OUT" 'cannot run: .*op.ini:6: environment variable OP_DEPLOY_TOKEN is not set' "--dry-run: a check that cannot resolve says why"
export OP_DEPLOY_TOKEN='op-Tok-9Qz-secret'

# --- --only-failed
run_oc run -c "$T/op.ini" --json "$T/first.json"
is "$RC" 1 "a first run with failures: exit 1"
run_oc run -c "$T/op.ini" --only-failed "$T/first.json"
is "$RC" 1 "--only-failed: the failures fail again"
names=$(printf '%s\n' "$OUT" | sed -n 's/^\(not \)\{0,1\}ok [0-9]* - //p' | tr '\n' ' ')
is "$names" "sec base top crash " "--only-failed: the failed and errored checks (and what they need) run, not the passing ones"
like "$OUT" '^1\.\.4$' "--only-failed: a plan of 4"
tap_valid "$OUT" "--only-failed: valid TAP"
printf '{"checks":[{"name":"fine","status":"pass"}]}' >"$T/green.json"
run_oc run -c "$T/op.ini" --only-failed "$T/green.json"
is "$RC" 2 "--only-failed with nothing failed: exit 2, never a green run of nothing"
like "$ERR" 'no check failed or errored in .*green.json: nothing to re-run' "and says so"
printf 'not json' >"$T/bad.json"
run_oc run -c "$T/op.ini" --only-failed "$T/bad.json"
is "$RC" 2 "--only-failed with a file that is not a report: exit 2"
like "$ERR" 'is not an opscheck --json report' "and says so"
run_oc run -c "$T/op.ini" --only-failed "$T/nope.json"
is "$RC" 2 "--only-failed with a missing file: exit 2"
run_oc run -c "$T/op.ini" fine --only-failed "$T/first.json"
is "$RC" 2 "--only-failed beside a NAME: a usage error"

# --- -q
run_oc run -c "$T/op.ini" -q --format pretty
is "$RC" 1 "-q: exit 1"
like "$OUT" '^  FAIL  top' "-q: the failure is shown"
like "$OUT" '^  ERROR  crash' "-q: the error is shown"
unlike "$OUT" '^  PASS' "-q: no passing check"
like "$ERR" '^2 passed, 0 warned, 2 failed, 1 errored, 0 skipped in' "-q: the summary is there"
run_oc run -c "$T/op.ini" -q
like "$OUT" '^ok 5 - fine$' "-q leaves the TAP stream whole"
done_testing
