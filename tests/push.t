#!/usr/bin/env bash
# push.t - the Pushgateway's grouping key (core/report_push.c): --push-group
# and --push-delete against a real prometheus-pushgateway on loopback (and
# --push under --watch: every finished round pushed), read
# back over its /api/v1/metrics; and the README's alert on push_time_seconds
# checked with promtool (check rules, test rules).
source "$(dirname "$0")/lib.sh"

ini checks.ini <<EOF
[opscheck]
plugin_path = $TEST_PLUGINS
[checklist nightly]
checks = ok bad
[check ok]
plugin = tp
[check bad]
plugin = tp
mode = fail
[check marker]
plugin = tp
mode = fork
state_file = $T/marker.state
EOF

# --- 1. the options' rules (no gateway needed)
run_oc run -c "$T/checks.ini" nightly marker --push-group env=prod
is "$RC:$(head -1 <<<"$ERR")" "2:opscheck: --push-group needs --push URL (the Pushgateway)" "--push-group without --push: exit 2, one line"
run_oc run -c "$T/checks.ini" nightly marker --push-delete
is "$RC:$(head -1 <<<"$ERR")" "2:opscheck: --push-delete needs --push URL (the Pushgateway)" "--push-delete without --push: exit 2"
run_oc run -c "$T/checks.ini" nightly --push http://127.0.0.1:9/ --push-group 9env=x
is "$RC:$(head -1 <<<"$ERR")" "2:opscheck: --push-group: '9env' is not a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*, not starting with __), in '9env=x'" \
    "a label name Prometheus refuses: exit 2, named"
run_oc run -c "$T/checks.ini" nightly --push http://127.0.0.1:9/ --push-group __name__=x
is "$RC" 2 "a reserved label name (__...): exit 2"
run_oc run -c "$T/checks.ini" nightly --push http://127.0.0.1:9/ --push-group job=
is "$RC:$(head -1 <<<"$ERR")" "2:opscheck: --push-group: the job may not be empty, in 'job='" "an empty job: exit 2"
run_oc run -c "$T/checks.ini" nightly marker --push http://127.0.0.1:9/metrics/job/mine --push-group env=prod
like "$(head -1 <<<"$ERR")" "^opscheck: --push-group with a --push URL that has its own /metrics/job/ path .*: one or the other\$" \
    "--push-group beside a URL with its own grouping key: exit 2"
[ ! -e "$T/marker.state" ]; ok $? "nothing ran for the refused lines"

GW=
pushgateway_up || diag "no Pushgateway: $(cat "$T/gw.log" 2>/dev/null)"
if [ -z "$GW" ]; then
    ok 1 "a real prometheus-pushgateway on loopback (scripts/install-deps installs it)"
    done_testing; exit
fi
# groups : one line per group on the gateway, its grouping key as sorted k=v, and whether
# it has push_time_seconds (> 0) and opscheck_check_success samples.
groups() {
    curl -sf "$GW/api/v1/metrics" | node -e '
        const d = JSON.parse(require("fs").readFileSync(0, "utf8"));
        const out = d.data.map(g => Object.keys(g.labels).sort().map(k => k + "=" + g.labels[k]).join(",") +
            " push_time=" + (g.push_time_seconds && +g.push_time_seconds.metrics[0].value > 0 ? "yes" : "no") +
            " checks=" + (g.opscheck_check_success ? g.opscheck_check_success.metrics.length : 0));
        console.log(out.sort().join("\n"));'
}
host=$(hostname)

# --- 2. the default key, then --push-group LABEL=VALUE: two groups, neither overwrites the other
run_oc run -c "$T/checks.ini" nightly --push "$GW" --format json
is "$RC" 1 "a run with a failure, pushed (exit 1 for the failure)"
run_oc run -c "$T/checks.ini" nightly --push "$GW" --push-group env=prod --format json
run_oc run -c "$T/checks.ini" nightly --push "$GW" --push-group env=staging --push-group path=/var/tmp --format json
is "$RC:$ERR" "1:1 passed, 0 warned, 1 failed, 0 errored, 0 skipped in $(sed -n 's/.* in //p' <<<"$ERR")" "pushed without a push error"
is "$(groups)" "checklist=nightly,env=prod,instance=$host,job=opscheck push_time=yes checks=2
checklist=nightly,env=staging,instance=$host,job=opscheck,path=/var/tmp push_time=yes checks=2
checklist=nightly,instance=$host,job=opscheck push_time=yes checks=2" \
    "three groups: the default key (job, instance, checklist) and two with --push-group labels added; a '/' in a value arrives whole (base64)"

# --- 3. --push-group NAME is the job; LABEL=VALUE of a default label replaces it
run_oc run -c "$T/checks.ini" ok --push "$GW" --push-group nightly-db --push-group instance=db1 --format json
is "$RC" 0 "pushed under job nightly-db, instance db1"
like "$(groups)" "^checklist=ok,instance=db1,job=nightly-db push_time=yes checks=1\$" \
    "NAME set the job, instance=db1 replaced the host name"

# --- 4. --push-delete removes that group only, and runs nothing
rm -f "$T/marker.state"
before=$(groups)
run_oc run -c /nonexistent/checks.ini nightly marker --push "$GW" --push-group env=qa --push-delete
is "$RC" 0 "--push-delete: exit 0 (the config is not read: a checklist gone from it can still be deleted)"
is "$(groups)" "$before" "... a group that was never pushed: nothing else goes"
run_oc run -c "$T/checks.ini" nightly --push "$GW" --push-group env=staging --push-group path=/var/tmp --push-delete
is "$RC:$OUT" "0:deleted the Pushgateway group {job=\"opscheck\",instance=\"$host\",checklist=\"nightly\",env=\"staging\",path=\"/var/tmp\"}" \
    "--push-delete: exit 0, one line naming the key"
run_oc run -c "$T/checks.ini" marker --push "$GW" --push-delete --json "$T/x.json"
[ "$RC" = 0 ] && [ ! -e "$T/marker.state" ] && [ ! -e "$T/x.json" ]; ok $? "--push-delete runs no check and writes no report"
is "$(groups)" "checklist=nightly,env=prod,instance=$host,job=opscheck push_time=yes checks=2
checklist=nightly,instance=$host,job=opscheck push_time=yes checks=2
checklist=ok,instance=db1,job=nightly-db push_time=yes checks=1" "only the env=staging group is gone"
run_oc run nightly --push "$GW" --push-delete
is "$(groups | grep -c "^checklist=nightly,instance=$host,job=opscheck ")" 0 "--push-delete with the default key removes the default group"
like "$(groups)" "^checklist=nightly,env=prod," "... and not the env=prod one"
dead=http://127.0.0.1:$(free_port)
run_oc run nightly --push "$dead" --push-delete
is "$RC" 3 "--push-delete to a gateway that is down: exit 3"
like "$ERR" "^opscheck: --push-delete: delete at $dead failed: " "... one line naming the URL"

# --- 4b. --watch pushes after every finished round (the group holds the last one)
printf '[check gate]\nplugin = exec\ncommand = test -f %s/gate\n' "$T" >"$T/watch.ini"
# gate_success : the gate check's opscheck_check_success in the env=watch group, or "none"
gate_success() {
    curl -sf "$GW/api/v1/metrics" | node -e '
        const d = JSON.parse(require("fs").readFileSync(0, "utf8"));
        const g = d.data.find(g => g.labels.env === "watch");
        const m = g && g.opscheck_check_success && g.opscheck_check_success.metrics.find(m => m.labels.check === "gate");
        console.log(m ? m.value : "none");'
}
wait_for() { # WANT : gate_success becomes WANT within 10 s
    local i
    for i in $(seq 50); do [ "$(gate_success)" = "$1" ] && return 0; sleep 0.2; done
    return 1
}
"$OPSCHECK" run -c "$T/watch.ini" --watch 0.5s --push "$GW" --push-group env=watch >"$T/watch.out" 2>"$T/watch.err" &
wpid=$!
wait_for 0; ok $? "--watch: the first round (gate closed) is pushed: success 0"
touch "$T/gate"
wait_for 1; ok $? "--watch: a later round (gate open) is pushed again: success 1"
kill -INT "$wpid"; wait "$wpid"; wrc=$?
is "$wrc" 0 "--watch with --push: Ctrl-C exits with the last round's code (0)"
unlike "$(cat "$T/watch.err")" "push" "--watch with --push: no push error on stderr"
run_oc run -c "$T/watch.ini" --push "$GW" --push-group env=watch --push-delete

# --- 5. the README's alert on push_time_seconds, as promtool reads it
sed -n '/^<!-- push-alert -->/,/^<!-- \/push-alert -->/p' "$ROOT/README.md" | sed -n '/^```yaml/,/^```/p' | sed '1d;$d' >"$T/alert.yml"
like "$(cat "$T/alert.yml")" 'time\(\) - push_time_seconds\{job="opscheck"\} > 2 \* 3600' "the README has the alert on push_time_seconds"
if command -v promtool >/dev/null; then
    [ -s "$T/alert.yml" ] && promtool check rules "$T/alert.yml" >"$T/rules.log" 2>&1
    ok $? "promtool check rules: the README's alert" || sed 's/^/#   /' "$T/rules.log"
    # the group the gateway really exposes (labels read back above), pushed at t=0 and at t=3h
    cat >"$T/alert-test.yml" <<EOF
rule_files: [alert.yml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'push_time_seconds{job="opscheck",instance="$host",checklist="nightly"}'
        values: '0+0x300'
      - series: 'push_time_seconds{job="opscheck",instance="$host",checklist="daily"}'
        values: '0+60x300'
    alert_rule_test:
      - eval_time: 1h
        alertname: OpscheckStoppedPushing
        exp_alerts: []
      - eval_time: 3h
        alertname: OpscheckStoppedPushing
        exp_alerts:
          - exp_labels: {severity: warning, job: opscheck, instance: "$host", checklist: nightly}
            exp_annotations:
              summary: "opscheck checklist nightly on $host has not pushed for 3h 0m 0s"
EOF
    (cd "$T" && promtool test rules alert-test.yml) >"$T/rtest.log" 2>&1
    ok $? "promtool test rules: fires for the group that stopped pushing, not for the one that goes on" ||
        sed 's/^/#   /' "$T/rtest.log"
else
    ok 1 "promtool is installed (Debian prometheus)"
fi

done_testing
