#!/usr/bin/env bash
# runbook.t - checks.ini, the runbook as checklists, validates without any
# production secret, and against the sandbox (sandbox.ini re-points it)
# every check passes but the planted stuck checkout; `make demo`'s script
# tells the same story and leaves nothing running.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

env -u FLY_API_TOKEN -u DATABASE_URL -u MP_ACCESS_TOKEN -u MP_WEBHOOK_SECRET -u APP_BACKEND_SECRET \
    "$OPSCHECK" validate -c checks.ini >"$T/v.out" 2>&1
is "$?" 0 "opscheck validate passes on checks.ini with no secret in the environment"
like "$(cat "$T/v.out")" '^checks.ini: 12 checks, 6 checklists: OK$' "12 checks, 6 checklists"
run_oc list -c checks.ini
for l in daily incident billing backup sla rotation; do
  like "$OUT" "^  $l \([0-9]+ checks\): runbook " "checklist $l says which runbook section it replaces"
done
is "$(grep -c '^description = runbook' checks.ini)" 18 "every check's and checklist's description names its runbook step"
is "$(grep -cE '^(token|dsn|restore_dsn|mp_token|secret|value|previous) = \$\{[a-z_]+\}$' checks.ini)" 12 \
   "every secret option comes from a [vars] entry..."
unlike "$(sed -n '/^\[vars\]/,/^$/p' checks.ini | grep -iE '(token|secret|database|dsn) =')" '= [^$]' \
   "...and every such entry from the environment"
run_oc validate -c checks.ini -c sandbox.ini
is "$RC" 0 "checks.ini + sandbox.ini validates"
unlike "$(grep -E '^\[check' sandbox.ini | sed 's/\[check //; s/\]//')" 'fly-status|health|billing' \
   "sandbox.ini copies no check: it re-points targets"

if [ -z "${OPSCHECK_BACKEND_URL:-}" ] || [ -z "${OPSCHECK_BACKUP_DIR:-}" ]; then
  diag "no sandbox in the environment (scripts/run-tests brings it up): the run is not tried"
  ok 1 "the sandbox is up for this test"
  done_testing; exit
fi

run_oc run -c checks.ini -c sandbox.ini daily billing backup rotation sla -v \
    --junit "$T/run.xml" --json "$T/run.json" --prometheus "$T/run.prom"
is "$RC" 1 "one check fails: exit 1"
tap_valid "$OUT" "the run is valid TAP 14"
is "$(printf '%s\n' "$OUT" | grep -c '^not ok')" 1 "exactly one check fails"
like "$OUT" '^not ok [0-9]+ - billing-stuck$' "the planted stuck checkout is found"
like "$OUT" 'checkout_chk_marina: .*marina@example.com.*webhook_events' "with its snapshot: checkout, user, payments, webhook events"
like "$OUT" 'reconciliation would mark the checkout paid and apply plan pro' "and what Mercado Pago says a reconciliation would change"
like "$OUT" '^  hint: "python backend/scripts/support_tools.py reconcile-checkout --checkout-id chk_marina;' \
     "the hint is the runbook's reconciliation command for that checkout"
for c in fly-status health functional-flow webhook-delivery fly-logs backup-daily backup-restore billing-evidence \
         secret-strength secret-rotated sla-latency; do
  like "$OUT" "^ok [0-9]+ - $c\$" "$c passes against the sandbox"
done
like "$(cat "$T/run.xml")" '<testcase name="billing-stuck"' "the JUnit report of the same run"
like "$(cat "$T/run.prom")" 'opscheck_check_success\{check="billing-stuck"' "the Prometheus report of the same run"
all="$OUT$ERR$(cat "$T/run.xml" "$T/run.json" "$T/run.prom")"
leak=0
for v in FLY_API_TOKEN MP_ACCESS_TOKEN MP_WEBHOOK_SECRET APP_BACKEND_SECRET APP_BACKEND_SECRET_PREVIOUS; do
  [ -n "${!v:-}" ] && grep -qF -- "${!v}" <<<"$all" && { leak=1; diag "$v leaked"; }
done
is "$leak" 0 "no token or secret in TAP, stderr or any report"

# make demo's script: its own sandbox, the story, nothing left behind
OPSCHECK_SANDBOX="$T/demo-sbx" scripts/demo >"$T/demo.out" 2>"$T/demo.err"
is "$?" 0 "scripts/demo (make demo) plays the planted story and exits 0"
like "$(cat "$T/demo.out")" '^  FAIL  billing-stuck' "it shows the failure in the terminal format"
like "$(cat "$T/demo.err")" 'demo: as planted' "and says it went as planted"
ok "$([ ! -e "$T/demo-sbx" ]; echo $?)" "the demo's sandbox is gone"
is "$(pgrep -f "$T/demo-sbx" | wc -l)" 0 "no process of the demo is left"
done_testing
