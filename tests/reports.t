#!/usr/bin/env bash
# reports.t - the machine reports (--junit, --json, --prometheus, --push)
# checked by the tools that consume them: xmllint against a Jenkins-style
# JUnit schema, npm tap-junit as a second opinion on the same TAP stream,
# promtool's lint, and a real prometheus-pushgateway on loopback read back
# over its HTTP API.  The first part uses tests/unit/test_report (a run
# built by hand, full of bytes that must not pass raw); the second runs
# `opscheck run` with the report flags.  Missing Debian packages are
# installed with apt-get (scripts/install-deps lists them for CI).
source "$(dirname "$0")/lib.sh"
UNIT=$ROOT/tests/unit/test_report

# need CMD PACKAGE : CMD exists, installing PACKAGE when it does not; 1 when it cannot be had.
need() {
    command -v "$1" >/dev/null 2>&1 && return 0
    [ "$(id -u)" -eq 0 ] || return 1
    { [ -n "${_apt_updated:-}" ] || apt-get update -qq; } >/dev/null 2>&1 && _apt_updated=1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$2" >/dev/null 2>&1
    command -v "$1" >/dev/null 2>&1
}
have_xmllint=0; need xmllint libxml2-utils && have_xmllint=1
have_promtool=0; need promtool prometheus && have_promtool=1
have_gw=0; need prometheus-pushgateway prometheus-pushgateway && have_gw=1

prom_valid() { # FILE NAME
    if [ $have_promtool = 0 ]; then diag "no promtool (prometheus not installable): $2 not checked"; return; fi
    local log; log=$(promtool check metrics <"$1" 2>&1)
    ok $? "$2"; [ -z "$log" ] || printf '%s\n' "$log" | head -10 | sed 's/^/#   /'
}
json_get() { # FILE JS-EXPRESSION-ON-j : prints the value
    node -e 'const j=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")); console.log(eval(process.argv[2]))' "$1" "$2" 2>&1
}

# --- a real Pushgateway on loopback, persistence off, stopped at exit
GW=
if [ $have_gw = 1 ]; then
    pushgateway_up || { diag "the pushgateway did not come up:"; diag "$(cat "$T/gw.log")"; }
else
    diag "no prometheus-pushgateway (not installable): push tests not run"
fi
# gw_value METRIC LABEL=VALUE... : the value the gateway holds for the sample with those labels.
gw_value() {
    local m=$1; shift
    curl -sf "$GW/api/v1/metrics" | node -e '
        const [m, ...want] = process.argv.slice(1);
        const d = JSON.parse(require("fs").readFileSync(0, "utf8"));
        for (const g of d.data) for (const x of (g[m] || {metrics: []}).metrics)
            if (want.every(w => { const i = w.indexOf("="); return x.labels[w.slice(0, i)] === w.slice(i + 1); }))
                console.log(x.value);' "$m" "$@"
}

# --- part 1: a run built by hand (tests/unit/test_report)
mkdir -p "$T/unit"
REPORT_KEEP="$T/unit" REPORT_PUSH="$GW" "$UNIT" >"$T/unit.log" 2>&1
ok $? "test_report writes all four reports" || sed 's/^/#   /' "$T/unit.log"
junit_valid "$T/unit/junit.xml" "hand-built JUnit (markup, control bytes, broken UTF-8) validates against the schema"
prom_valid "$T/unit/opscheck.prom" "hand-built Prometheus text passes promtool check metrics"
is "$(json_get "$T/unit/report.json" 'j.checks[1].assertions[0].seen')" "401 ***" "hand-built JSON parses, secret masked"
if [ -n "$GW" ]; then
    is "$(gw_value opscheck_plugin_latency_p50_seconds check=health checklist=daily)" "0.4125" \
        "the gateway holds the pushed plugin metric (ms folded into seconds)"
    is "$(gw_value opscheck_check_success 'check=billing <&> "sync"' job=opscheck)" "0" \
        "the gateway holds a failed check as 0, label value intact"
fi

# --- part 2: opscheck run with the flags
if ! "$OPSCHECK" --help 2>&1 | grep -q -- '--junit'; then
    diag "opscheck run has no --junit yet: the command-line part is not run"
    done_testing; exit
fi

export OC_TEST_TOKEN='tok-Rp7-very-secret-value'
ini checks.ini <<EOF
[opscheck]
plugin_path = $TEST_PLUGINS
timeout = 3s
[vars]
tok = \${env:OC_TEST_TOKEN}
[check ok]
plugin = tp
description = passes
[check fail]
plugin = tp
mode = fail
hint = run the reconciliation for checkout 42
[check multi]
plugin = tp
mode = multi
[check skip]
plugin = tp
mode = skip
[check warn]
plugin = tp
mode = warn
[check secret]
plugin = tp
mode = secret
token = \${tok}
[checklist nightly]
checks = ok fail multi skip warn secret
EOF
R=$T/reports; mkdir -p "$R"  # not $T/out: run_oc writes there
run_oc run -c "$T/checks.ini" nightly --tap-version 14 \
    --junit "$R/junit.xml" --json "$R/run.json" --prometheus "$R/opscheck.prom" ${GW:+--push "$GW"}
is "$RC" 1 "a failing check still makes exit code 1 with reports on"
printf '%s\n' "$OUT" >"$T/stream.tap"
for f in junit.xml run.json opscheck.prom; do
    [ -s "$R/$f" ]; ok $? "$f written"
done
is "$(ls -A "$R" | grep -c '^\.')" 0 "no temp file left beside the reports"
unlike "$(cat "$R"/* 2>/dev/null)" 'very-secret' "the secret appears in no report (it shows as ***)"
like "$(cat "$R/junit.xml")" 'rejected token \*\*\*' "JUnit: the secret's message masked"
like "$(cat "$R/opscheck.prom")" '^opscheck_check_success\{check="ok",checklist="nightly",plugin="tp"\} 1$' \
    "Prometheus: a passing check is 1"
like "$(cat "$R/opscheck.prom")" '^opscheck_check_success\{check="fail",checklist="nightly",plugin="tp"\} 0$' \
    "Prometheus: a failing check is 0"
like "$(cat "$R/opscheck.prom")" '^opscheck_plugin_latency_p50_seconds\{check="multi",checklist="nightly",plugin="tp"\} 0\.4125$' \
    "Prometheus: the plugin's metric, unit folded"

# JUnit: the schema, the shape, and tap-junit's reading of the same TAP stream
junit_valid "$R/junit.xml" "opscheck's JUnit validates against the schema"
if [ $have_xmllint = 1 ]; then
    xp() { xmllint --xpath "$2" "$1" 2>/dev/null | sed -E 's/^ *[a-z]+="(.*)"$/\1/'; }
    is "$(xp "$R/junit.xml" '//testcase/@name' | paste -sd' ')" "ok fail multi skip warn secret" \
        "one testcase per check, in checklist order"
    is "$(xp "$R/junit.xml" '//testcase[failure]/@name' | paste -sd' ')" "fail multi secret" "failures"
    is "$(xp "$R/junit.xml" '//testcase[skipped]/@name' | paste -sd' ')" "skip" "skipped"
    is "$(xp "$R/junit.xml" '//testcase[@name="fail"]/failure/@type')" "fail" 'failure type="fail"'
    like "$(xmllint --xpath 'string(//testcase[@name="fail"]/failure)' "$R/junit.xml")" \
        '^hint: "run the reconciliation for checkout 42"$' "the failure text carries the YAML facts"
    # tap-junit lives in the npm cache scripts/install-deps fills; missing, it is installed now, and
    # if that fails the cross-check fails (a second opinion we cannot get is not a pass).
    tap_junit=$("$ROOT/scripts/install-npm-deps" --where)/node_modules/.bin/tap-junit
    [ -x "$tap_junit" ] || "$ROOT/scripts/install-npm-deps" >"$T/npm.log" 2>&1
    [ -x "$tap_junit" ]; ok $? "tap-junit is installed (scripts/install-deps)"
    [ -x "$tap_junit" ] || sed 's/^/#   /' "$T/npm.log"
    "$tap_junit" <"$T/stream.tap" >"$T/tapjunit.xml" 2>"$T/tapjunit.err"
    is "$(xp "$T/tapjunit.xml" '//testcase/@name' | wc -l)" 6 "tap-junit reads six testcases from the TAP stream"
    for q in '//testcase/@name' '//testcase[failure]/@name' '//testcase[skipped]/@name' \
             '//testcase/failure/@message'; do
        is "$(xp "$R/junit.xml" "$q")" "$(xp "$T/tapjunit.xml" "$q")" "tap-junit agrees on $q"
    done
fi

# JSON
J=$R/run.json
is "$(json_get "$J" 'j.schema + " " + j.checklist + " " + j.checks.length')" "1 nightly 6" "JSON: schema, checklist, checks"
is "$(json_get "$J" 'j.checks.map(c => c.status).join(" ")')" "pass fail fail skip warn fail" "JSON: statuses in order"
is "$(json_get "$J" '[j.summary.passed, j.summary.failed, j.summary.skipped, j.summary.warned, j.summary.ok].join(" ")')" \
    "1 3 1 1 false" "JSON: the summary"
is "$(json_get "$J" 'j.checks[1].assertions[0].expected + "/" + j.checks[1].assertions[0].seen')" "200/503" \
    "JSON: expected and seen"
is "$(json_get "$J" 'j.checks[5].output')" "debug: token=***" "JSON: captured stderr, secret masked"

# Prometheus
prom_valid "$R/opscheck.prom" "opscheck's Prometheus text passes promtool check metrics"
is "$(grep -c '^# TYPE opscheck_check_success ' "$R/opscheck.prom")" 1 "HELP/TYPE once per metric"

# Push
if [ -n "$GW" ]; then
    is "$(gw_value opscheck_check_success check=fail checklist=nightly job=opscheck)" "0" \
        "Pushgateway: the failed check read back as 0"
    is "$(gw_value opscheck_check_success check=ok checklist=nightly instance="$(hostname)")" "1" \
        "Pushgateway: grouped by job, instance (host name) and checklist"
    unlike "$(curl -s "$GW/metrics")" 'very-secret' "Pushgateway: the secret was never pushed"
    run_oc run -c "$T/checks.ini" ok skip --push "$GW/"
    is "$(gw_value opscheck_check_success check=skip 'checklist=ok skip')" "1" \
        "Pushgateway: two names make one group (base64 grouping value), the trailing / ignored"
fi
dead=http://127.0.0.1:$(free_port)
run_oc run -c "$T/checks.ini" ok --push "$dead"
like "$ERR" "push to $dead failed: " "the gateway down gives one line naming the URL"

source "$ROOT/tests/reports-ci.sh"   # issue 13: reports CI can rely on

done_testing
