#!/usr/bin/env bash
# tests/alerts.t - docs/alerts.yml (issue 16): promtool checks the rules and
# runs their unit tests (tests/fixtures/alerts/*_test.yml, each alert
# firing and not firing); the series they read are the ones opscheck really
# writes (a run against the stand-in, the same run pushed to a real
# Pushgateway, and `opscheck serve`'s /metrics once serve is built), so a
# renamed series turns this red; a real Prometheus scrapes the Pushgateway
# with the rules loaded and shows the failed check's alert with its hint.
source "$(dirname "$0")/lib.sh"
source "$ROOT/tests/standin/standin.sh"
RULES=$ROOT/docs/alerts.yml
UNITS=("$ROOT/tests/fixtures/alerts/alerts_test.yml" "$ROOT/tests/fixtures/alerts/alerts_month_test.yml")
REFS=$ROOT/tests/tools/alerts-refs.js
OPSCHECK_NPM_CACHE=$("$ROOT/scripts/install-npm-deps" --where)
export OPSCHECK_NPM_CACHE
# Series only `opscheck serve` writes: checked against serve's /metrics when
# this build has serve, skipped (saying so) when it has not.
serve_only=(opscheck_checklist_last_run_timestamp_seconds)

skip() { _n=$((_n + 1)); echo "ok $_n - $1 # SKIP $2"; }

for tool in promtool prometheus prometheus-pushgateway node; do
    command -v "$tool" >/dev/null || { ok 1 "$tool is installed (scripts/install-deps)"; done_testing; exit; }
done

# ---- the rules and their unit tests -------------------------------------
out=$(promtool check rules "$RULES" 2>&1); rc=$?
ok $rc "promtool check rules docs/alerts.yml (lint included)"; [ $rc -eq 0 ] || diag "$out"
like "$out" 'SUCCESS: [0-9]+ rules found' "promtool found the rules"
for f in "${UNITS[@]}"; do
    out=$(cd "$(dirname "$f")" && promtool test rules "$(basename "$f")" 2>&1); rc=$?
    ok $rc "promtool test rules ${f#"$ROOT"/}"
    [ $rc -eq 0 ] || printf '%s\n' "$out" | head -60 | sed 's/^/#   /'
done

node "$REFS" rules "$RULES" >"$T/rules.refs" 2>"$T/refs.err"
ok $? "alerts-refs reads docs/alerts.yml"; sed 's/^/#   /' "$T/refs.err"
node "$REFS" unit "${UNITS[@]}" >"$T/unit.refs" 2>"$T/refs.err"
ok $? "alerts-refs reads the unit tests"; sed 's/^/#   /' "$T/refs.err"
alerts=$(awk '$1 == "alert" {print $2}' "$T/rules.refs")
[ "$(printf '%s\n' "$alerts" | grep -c .)" -ge 9 ]
ok $? "docs/alerts.yml has the nine alerts the README lists"
for a in $alerts; do
    grep -qx "fires $a" "$T/unit.refs" && grep -qx "quiet $a" "$T/unit.refs"
    ok $? "the unit tests show $a both firing and not firing"
done

# ---- the series opscheck really writes ----------------------------------
cat >"$T/scenario.json" <<'JSON'
{ "routes": [
  { "path": "/health", "body": {"status": "ok"} },
  { "path": "/down", "status": 503, "body": {"status": "down"} }
]}
JSON
standin_start "$T/scenario.json"
ok $? "stand-in up on port $SPORT"
export ALERTS_T_SECRET=alerts-t-Secret-4b8e2f1a9c
ini checks.ini <<EOF
[opscheck]
plugin_path = $ROOT/plugins
timeout = 5s

[check web]
plugin = http-health
url = $SURL/health
samples = 3
hint = never in a series: the check passes

[check web-down]
plugin = http-health
url = $SURL/down
samples = 2
availability_min = 99%
hint = restart the "web" app

[check leaky]
plugin = exec
protocol = nagios
env = TOKEN=\${env:ALERTS_T_SECRET}
command = sh -c 'echo "CRITICAL - token \$TOKEN refused"; exit 2'
hint = rotate it: {output}

[check warned]
plugin = exec
protocol = nagios
command = sh -c 'echo "WARNING - disk 91%"; exit 1'
hint = clean the disk

[check broken]
plugin = exec
command = /nonexistent/opscheck-alerts-t

[check envless]
plugin = exec
command = echo \${env:ALERTS_T_UNSET}
hint = never in a series: an error's message says what to fix

[checklist sla]
checks = web web-down leaky warned broken envless
EOF
run_oc run -c "$T/checks.ini" sla --prometheus "$T/run.prom"
is "$RC" 1 "the run fails (web-down, leaky, broken) and writes its Prometheus report"
[ "$RC" = 1 ] || diag "$ERR"
prom=$(cat "$T/run.prom")
out=$(promtool check metrics <"$T/run.prom" 2>&1)
ok $? "promtool check metrics (lint) on the report with hint series"; [ -z "$out" ] || diag "$out"
like "$prom" '^opscheck_check_hint_info\{check="web-down",checklist="sla",plugin="http-health",hint="restart the \\"web\\" app"\} 1$' \
    "the failed check's hint is a label of opscheck_check_hint_info, quotes escaped"
like "$prom" '^opscheck_check_hint_info\{check="leaky",.*hint="rotate it: CRITICAL - token \*\*\* refused"\} 1$' \
    "a hint filled from the check's facts, the secret in them masked"
like "$prom" '^opscheck_check_hint_info\{check="warned",.*hint="clean the disk"\} 1$' "a warned check's hint too"
unlike "$prom" 'opscheck_check_hint_info\{check="(web|envless|broken)"' "no hint series for a pass, an error, or a check without a hint"
unlike "$prom" "$ALERTS_T_SECRET" "the secret is in no series"
like "$prom" '^opscheck_check_status\{check="envless",.*status="error"\} 1$' "envless is an error"

# The same run through a real Pushgateway: its push_time_seconds and
# push_failure_time_seconds, with the grouping key as labels.
pushgateway_up
ok $? "a Pushgateway on loopback"
trap '_standin_kill_all; kill "$gw_pid" 2>/dev/null; wait "$gw_pid" 2>/dev/null; rm -rf "$T"' EXIT
run_oc run -c "$T/checks.ini" sla --push "$GW"
is "$RC" 1 "the same run pushed"
curl -sf "$GW/metrics" | grep -E '^(# (HELP|TYPE) )?(push_|opscheck_)' >"$T/gw.prom"
like "$(cat "$T/gw.prom")" '^push_time_seconds\{checklist="sla",instance="[^"]+",job="opscheck"\} [0-9.e+]+$' \
    "the gateway writes push_time_seconds{checklist,instance,job}"

node "$REFS" prom "$T/run.prom" "$T/gw.prom" >"$T/real.refs" 2>"$T/refs.err"
ok $? "alerts-refs reads the real series"; sed 's/^/#   /' "$T/refs.err"

# opscheck serve, when this build has it: its /metrics after one probe round.
serve_up=
if "$OPSCHECK" --help 2>&1 | grep -q 'opscheck serve'; then
    port=$(free_port)
    { cat "$T/checks.ini"; printf 'every = 1h\n'; } >"$T/serve.ini"
    "$OPSCHECK" serve -c "$T/serve.ini" --listen "127.0.0.1:$port" >"$T/serve.log" 2>&1 &
    serve_pid=$!
    trap '_standin_kill_all; kill "$gw_pid" "$serve_pid" 2>/dev/null; wait "$gw_pid" "$serve_pid" 2>/dev/null; rm -rf "$T"' EXIT
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
    curl -s "http://127.0.0.1:$port/probe?checklist=sla" >/dev/null
    for _ in $(seq 100); do
        curl -sf "http://127.0.0.1:$port/metrics" >"$T/serve.prom" 2>/dev/null &&
            grep -q '^opscheck_checklist_last_run_timestamp_seconds' "$T/serve.prom" && break
        sleep 0.1
    done
    node "$REFS" prom "$T/serve.prom" >>"$T/real.refs" 2>"$T/refs.err"
    ok $? "opscheck serve's /metrics read"; sed 's/^/#   /' "$T/refs.err" "$T/serve.log" | head -20
    serve_up=1
fi

is_serve_only() { local s; for s in "${serve_only[@]}"; do [ "$s" = "$1" ] && return 0; done; return 1; }

# Every series a rule reads is one that is written.
for name in $(awk '$1 == "ref" {print $2}' "$T/rules.refs"); do
    if grep -q "^series $name " "$T/real.refs"; then ok 0 "docs/alerts.yml reads $name, which is written"
    elif is_serve_only "$name" && [ -z "$serve_up" ]; then
        skip "docs/alerts.yml reads $name" "opscheck serve is not in this build (issue 16 merges it)"
    else
        ok 1 "docs/alerts.yml reads $name, which is written"
        diag "no such series in: opscheck run --prometheus, the Pushgateway${serve_up:+, opscheck serve}"
    fi
done
# Every input series of the unit tests has a written series' name and labels.
while read -r _ name labels; do
    if grep -qx "series $name $labels" "$T/real.refs"; then ok 0 "unit test series $name{$labels} is as written"
    elif is_serve_only "$name" && [ -z "$serve_up" ]; then
        skip "unit test series $name{$labels}" "opscheck serve is not in this build (issue 16 merges it)"
    else
        ok 1 "unit test series $name{$labels} is as written"
        grep "^series $name " "$T/real.refs" | sed 's/^/#   written: /'
    fi
done < <(grep '^series ' "$T/unit.refs")

# ---- a real Prometheus: the rules over the pushed run -------------------
# Scrapes the gateway every second, evaluates every second; OpscheckCheckFailed
# is pending (for: 2m) with the hint label and the hint in its description.
pport=$(free_port)
mkdir -p "$T/prom"
cp "$RULES" "$T/prom/alerts.yml"
cat >"$T/prom/prometheus.yml" <<EOF
global: {scrape_interval: 1s, evaluation_interval: 1s}
rule_files: [alerts.yml]
scrape_configs:
  - job_name: pushgateway
    honor_labels: true
    static_configs: [{targets: ['${GW#http://}']}]
EOF
prometheus --config.file="$T/prom/prometheus.yml" --storage.tsdb.path="$T/prom/data" \
    --web.listen-address="127.0.0.1:$pport" >"$T/prom.log" 2>&1 &
prom_pid=$!
trap '_standin_kill_all; kill "$gw_pid" "$prom_pid" ${serve_pid:-} 2>/dev/null; wait "$gw_pid" "$prom_pid" ${serve_pid:-} 2>/dev/null; rm -rf "$T"' EXIT
# alert | check | state | hint label | description, one line an alert
pending_alerts() {
    curl -sf "http://127.0.0.1:$pport/api/v1/alerts" 2>/dev/null | node -e '
        const a = JSON.parse(require("fs").readFileSync(0, "utf8")).data.alerts;
        for (const x of a) console.log([x.labels.alertname, x.labels.check, x.state, x.labels.hint || "-",
                                        x.annotations.description].join(" | "));' 2>/dev/null
}
pending=
for _ in $(seq 150); do # the rule groups are evaluated one after the other: wait for all four
    pending=$(pending_alerts)
    [ "$(printf '%s\n' "$pending" | grep -cE '^OpscheckCheck(Failed|Error|Warned) \| (web-down|broken|envless|warned) ')" -ge 4 ] && break
    sleep 0.2
done
like "$pending" '^OpscheckCheckFailed \| web-down \| pending \| restart the "web" app \| .*Hint: restart the "web" app$' \
    "a real Prometheus: the failed check's alert carries the hint (label and description)"
[ -n "$pending" ] || tail -5 "$T/prom.log" | sed 's/^/#   prometheus: /'
like "$pending" '^OpscheckCheckFailed \| broken \| pending \| - \| The check broken \(exec\) failed in its last round\.$' \
    "a real Prometheus: a failed check without a hint still alerts"
like "$pending" '^OpscheckCheckError \| envless \| pending \| - \|' "a real Prometheus: the error alert"
unlike "$pending" '\| web \|' "a real Prometheus: no alert for the passing check"
done_testing
