#!/usr/bin/env bash
# serve.t - `opscheck serve` on a free loopback port: every endpoint's status
# and body, promtool's lint on /metrics, a real Prometheus (temp storage,
# loopback only) scraping /metrics and /probe, /probe cut at the scrape
# timeout, 429 while a round runs, rounds never overlapping, the kept
# history, SIGHUP with a broken config (kept, said why, secrets masked),
# and SIGTERM mid-round: exit 0, no process left.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/serve-lib.sh"
set -o pipefail

token=hunter2-serve-t0ken
export OCT_API_TOKEN=$token
cp "$(command -v sleep)" "$T/napsleep" # its argv names $T: the no-process-left count finds it

write_config() { # EXTRA-SECTION-TEXT : the config serve reads (-c $T/serve.ini)
  cat >"$T/serve.ini" <<EOF
[check good]
plugin = exec
command = echo fine
[check bad]
plugin = exec
shell = yes
env = API=\${env:OCT_API_TOKEN}
command = echo "broken by \$API"; exit 1
[check nap]
plugin = exec
command = $T/napsleep 30
timeout = 60s
[check flaky]
plugin = exec
shell = yes
command = n=\$(cat $T/flaky.n 2>/dev/null || echo 0); n=\$((n + 1)); echo \$n > $T/flaky.n; [ \$n -gt 1 ]
[check overlap]
plugin = exec
shell = yes
command = echo "s \$(date +%s%N)" >> $T/overlap.log; sleep 1.2; echo "e \$(date +%s%N)" >> $T/overlap.log
[checklist quick]
description = one passes, one fails
checks = good, bad
every = 1s
[checklist solo]
checks = good
every = 1s
at = 09:00
[checklist flakes]
checks = flaky
every = 1s
[checklist overlaps]
checks = overlap
every = 1s
[checklist naps]
checks = nap
[checklist probed]
checks = good
$1
EOF
}
write_config ""


# --- schedules are checked with the config (file:line), before anything listens
ini sched.ini <<'EOF'
[check good]
plugin = exec
command = echo fine
[checklist a]
checks = good
every = 0s
at = 9:00
[checklist b]
checks = good
every = ${env:OCT_API_TOKEN}
at = 24:00
evry = 1s
EOF
run_oc validate -c "$T/sched.ini"
is "$RC" 2 "validate: a bad schedule is a config error"
like "$ERR" "sched\.ini:6: 'every' is a duration from 1s to 31d .*not '0s'" "every = 0s: file:line and why"
like "$ERR" "sched\.ini:7: 'at' is a local time HH:MM .*not '9:00'" "at = 9:00: file:line and why"
like "$ERR" "sched\.ini:10: 'every' is a schedule: write it in the file" "every from \${env:...}: refused"
like "$ERR" "sched\.ini:11: 'at' is a local time HH:MM .*not '24:00'" "at = 24:00: refused"
like "$ERR" "sched\.ini:12: unknown key 'evry' in a checklist \(did you mean 'every'\?\)" "a misspelt key: suggested"
unlike "$ERR" "$token" "no secret in the errors"
serve_oc serve -c "$T/sched.ini" --listen 127.0.0.1:1
is "$RC" 2 "serve with a bad config: exit 2, nothing listens"
like "$ERR" "^opscheck: serve: config error:" "and says so"
printf '[check good]\nplugin = exec\ncommand = echo fine\n' >"$T/nolist.ini"
serve_oc serve -c "$T/nolist.ini" --listen 127.0.0.1:1
is "$RC" 2 "serve with no checklist: exit 2"
like "$ERR" "no \[checklist NAME\] section" "and says why"
printf '[check good]\nplugin = exec\ncommand = echo fine\n[checklist a]\nchecks = good\n' >"$T/one.ini"
timeout -k 2 10 "$OPSCHECK" serve -c - --listen 127.0.0.1:1 <"$T/one.ini" >"$T/out" 2>"$T/err"
is "$?" 2 "serve -c - (stdin): exit 2, nothing listens (rounds and SIGHUP read the config again)"
like "$(cat "$T/err")" "^opscheck: serve reads its config again .*-c - \(stdin\) can be read once: give a file$" \
  "and says why in one line"
serve_oc serve -c "$T/one.ini" --listen localhost
is "$RC" 2 "--listen without a port: exit 2"
like "$ERR" "^opscheck: --listen takes ADDR:PORT" "and says what it takes"
serve_oc serve -c "$T/one.ini" --listen 127.0.0.1:99999
is "$RC" 2 "--listen with a port out of range: exit 2"
serve_oc serve -c "$T/one.ini" --history 0
is "$RC" 2 "--history 0: a usage error"
serve_oc serve -c "$T/one.ini" --json x
is "$RC" 2 "serve takes no run options (--json)"

SP=$(free_port)
U=http://127.0.0.1:$SP
"$OPSCHECK" serve -c "$T/serve.ini" --listen "127.0.0.1:$SP" --history 2 >"$T/serve.out" 2>"$T/serve.err" &
sv=$!
results_ready() { get "$U/api/results/$1"; [ "$CODE" = 200 ]; }

wait_until 10 curl -sf "$U/healthz" -o /dev/null
ok $? "serve answers on 127.0.0.1:$SP"
serve_oc serve -c "$T/one.ini" --listen "127.0.0.1:$SP"
is "$RC" 2 "a second serve on the same port: exit 2"
like "$ERR" "cannot listen on 127.0.0.1:$SP: Address already in use" "and says why"
like "$(cat "$T/serve.err")" "^opscheck serve: listening on http://127.0.0.1:$SP/ \(6 checklists, pid $sv\)" \
  "it says where it listens (and it is the process we started)"
wait_until 15 results_ready quick && wait_until 15 results_ready solo
ok $? "the scheduled checklists have finished rounds (every = 1s)"

# --- the endpoints
get "$U/healthz"
is "$CODE $BODY" "200 ok" "/healthz: 200 ok"
# a scraper keeps its connection: the second request goes over the first one's
conn=$(curl -sv "$U/healthz" "$U/metrics" -o /dev/null -o /dev/null 2>&1)
like "$conn" '^\* Re-using existing connection' "two requests on one connection (keep-alive, no new connection per scrape)"
unlike "$conn" '^< Connection: close' "and no answer closes it"

get "$U/health/quick"
is "$CODE" 503 "/health/quick: 503 (a check of it fails)"
like "$BODY" '^fail bad: exited 1: broken by \*\*\*' "/health/quick names the failing check, with its secret masked"
unlike "$BODY" 'good' "and only the failing checks"
unlike "$BODY" "$token" "no secret in /health"
get "$U/health/solo"
is "$CODE" 200 "/health/solo: 200 (its check passes)"
get "$U/health/naps"
is "$CODE" 503 "/health/naps: 503 before any round of it"
get "$U/health/nosuch"
is "$CODE" 404 "/health/NAME for a name not in the config: 404"

get "$U/api/results/quick"
is "$CODE" 200 "/api/results/quick: 200"
like "$(head -1 "$T/headers")" 'HTTP/1.1 200' "a plain HTTP/1.1 answer"
like "$(grep -i '^content-type' "$T/headers")" 'application/json' "as JSON"
"$OPSCHECK" run quick -c "$T/serve.ini" --json "$T/direct.json" >/dev/null 2>&1
keys='j => [Object.keys(j).sort().join(","), Object.keys(j.checks[0]).sort().join(","), j.checks.map(c => c.name + ":" + c.status).join(" ")].join(" | ")'
node -e "const f=$keys; console.log(f(JSON.parse(require('fs').readFileSync(process.argv[1]))))" "$T/body" >"$T/k1" 2>&1
node -e "const f=$keys; console.log(f(JSON.parse(require('fs').readFileSync(process.argv[1]))))" "$T/direct.json" >"$T/k2" 2>&1
is "$(cat "$T/k1")" "$(cat "$T/k2")" "/api/results/quick has the schema of run --json (keys, checks, outcomes)"
like "$(cat "$T/k1")" 'good:pass bad:fail' "and the outcomes of the round"
unlike "$BODY" "$token" "no secret in /api/results/quick"
get "$U/api/results"
names=$(node -e 'const j=JSON.parse(require("fs").readFileSync(process.argv[1])); console.log(j.checklists.map(c => c.name + ":" + c.status + ":" + (c.report ? c.report.checks.length : "-")).join(" "))' "$T/body" 2>&1)
like "$names" '^quick:fail:2 solo:pass:1 flakes:[a-z]+:1 overlaps:[a-z]+:(1|-) naps:never:- probed:never:-$' "/api/results: every checklist, its status and its latest report"
get "$U/api/results/naps"
is "$CODE" 503 "/api/results/NAME before its first round: 503"
get "$U/api/results/nosuch"
is "$CODE" 404 "/api/results/NAME not in the config: 404"

get "$U/"
is "$CODE" 200 "/: the status page, 200"
like "$(grep -i '^content-type' "$T/headers")" 'text/html' "as HTML"
like "$(grep -i '^content-security-policy' "$T/headers")" "default-src 'none'" "with a CSP that allows no script nor external asset"
like "$BODY" 'quick' "the page names the checklists"
like "$BODY" 'bad' "and their checks"
unlike "$BODY" "$token" "no secret on the page"

get "$U/nowhere"
is "$CODE" 404 "an unknown path: 404"
get "$U/metrics" -X POST -d x=1
is "$CODE" 405 "POST: 405"
like "$(grep -i '^allow' "$T/headers")" 'GET, HEAD' "405 says what is allowed"
get "$U/metrics" -I
is "$CODE" 200 "HEAD /metrics: 200"
get "$U/healthz" -H "X-Big: $(head -c 40000 /dev/zero | tr '\0' a)"
ok "$([ "$CODE" != 200 ]; echo $?)" "a request bigger than the bound is refused (got $CODE)"
get "$U/healthz"
is "$CODE" 200 "and serve still answers"

# --- /metrics
get "$U/metrics"
printf '%s\n' "$BODY" >"$T/metrics.txt"
is "$CODE" 200 "/metrics: 200"
like "$(grep -i '^content-type' "$T/headers")" 'text/plain; version=0.0.4' "in the text exposition format"
if command -v promtool >/dev/null 2>&1; then
  lint=$(promtool check metrics <"$T/metrics.txt" 2>&1)
  ok $? "promtool check metrics exits 0 on /metrics"
  [ -z "$lint" ] || diag "$lint"
else
  ok 1 "promtool is installed (Debian package prometheus; scripts/install-deps)"
fi
like "$BODY" '^opscheck_check_success\{check="good",checklist="quick",plugin="exec"\} 1$' "the passing check's series, labelled with its checklist"
like "$BODY" '^opscheck_check_success\{check="bad",checklist="quick",plugin="exec"\} 0$' "the failing check's"
like "$BODY" '^opscheck_check_success\{check="good",checklist="solo",plugin="exec"\} 1$' "and the other checklist's, in the same family"
is "$(grep -c '^# HELP opscheck_check_success ' "$T/metrics.txt")" 1 "HELP once per family, whatever the checklists"
is "$(grep -c '^# TYPE opscheck_check_success ' "$T/metrics.txt")" 1 "TYPE once per family"
like "$BODY" '^opscheck_checklist_last_run_timestamp_seconds\{checklist="quick"\} 1[0-9]{9}$' "the last-run timestamp"
like "$BODY" '^opscheck_checklist_last_run_duration_seconds\{checklist="quick"\} [0-9.]+$' "the round duration"
like "$BODY" '^# TYPE opscheck_checklist_rounds_total counter$' "rounds counted by a counter"
like "$BODY" '^opscheck_checklist_rounds_total\{checklist="quick",outcome="fail"\} [1-9][0-9]*$' "by outcome"
like "$BODY" '^opscheck_check_availability_ratio\{checklist="quick",check="bad"\} 0$' "availability of the failing check: 0"
like "$BODY" '^opscheck_check_availability_ratio\{checklist="quick",check="good"\} 1$' "of the passing one: 1"
unlike "$BODY" "$token" "no secret in /metrics"
n1=$(curl -s "$U/metrics" | sed -n 's/^opscheck_checklist_rounds_total{checklist="solo",outcome="pass"} //p')
sleep 2.5
n2=$(curl -s "$U/metrics" | sed -n 's/^opscheck_checklist_rounds_total{checklist="solo",outcome="pass"} //p')
ok "$([ "${n2:-0}" -ge $((${n1:-0} + 1)) ] && [ "${n2:-0}" -le $((${n1:-0} + 3)) ]; echo $?)" \
  "every = 1s: rounds keep coming, about one a second ($n1 then $n2 in 2.5 s)"

# --- the kept history (--history 2): flaky failed its first round only
wait_until 10 sh -c "[ \$(cat '$T/flaky.n' 2>/dev/null || echo 0) -ge 4 ]"
get "$U/metrics"
like "$BODY" '^opscheck_check_availability_ratio\{checklist="flakes",check="flaky"\} 1$' \
  "availability counts the kept rounds only (the first, failed, round is out of the last 2)"
like "$BODY" '^opscheck_checklist_rounds_total\{checklist="flakes",outcome="fail"\} 1$' "while the counter keeps every round"

# --- never two rounds of one checklist at once (each overlap round takes 1.2 s, every = 1s)
wait_until 15 sh -c "[ \$(grep -c '^e' '$T/overlap.log' 2>/dev/null || echo 0) -ge 3 ]"
seq_ok=$(awk 'BEGIN { want = "s"; ok = 1; last = 0 }
  { if ($1 != want || $2 < last) ok = 0; last = $2; want = (want == "s") ? "e" : "s" }
  END { print ok }' "$T/overlap.log")
is "$seq_ok" 1 "rounds of one checklist never overlap (starts and ends alternate)"
[ "$seq_ok" = 1 ] || diag "$(cat "$T/overlap.log")"

# --- /probe
get "$U/probe?checklist=probed"
is "$CODE" 200 "/probe?checklist=probed: 200"
like "$BODY" '^opscheck_check_success\{check="good",checklist="probed",plugin="exec"\} 1$' "answers the checklist's metrics"
like "$BODY" '^opscheck_probe_success 1$' "and probe_success, as blackbox_exporter does"
get "$U/probe"
is "$CODE" 400 "/probe without a checklist: 400"
get "$U/probe?checklist=nosuch"
is "$CODE" 404 "/probe for a name not in the config: 404"
get "$U/probe?checklist=probed&jobs=64"
is "$CODE" 400 "/probe with any other argument: 400 (no options from the query)"
get "$U/probe?checklist=probed&timeout=abc"
is "$CODE" 400 "/probe with a timeout that is not a number: 400"
t0=$(date +%s%N)
get "$U/probe?checklist=naps" -H 'X-Prometheus-Scrape-Timeout-Seconds: 2'
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
is "$CODE" 200 "/probe of a check that sleeps 30 s with a 2 s scrape timeout: 200"
ok "$([ $ms -lt 3500 ]; echo $?)" "it answers within the timeout plus a margin (${ms} ms)"
like "$BODY" '^opscheck_check_status\{check="nap",checklist="naps",plugin="exec",status="error"\} 1$' \
  "the cut check is reported, as an error"
like "$BODY" '^opscheck_probe_success 0$' "and the probe failed"
t0=$(date +%s%N)
get "$U/probe?checklist=naps&timeout=1"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
ok "$([ $ms -lt 2500 ] && [ "$CODE" = 200 ]; echo $?)" "?timeout=1 bounds it too (${ms} ms)"
curl -s -m 20 -o /dev/null "$U/probe?checklist=naps&timeout=3" &
bg=$!
sleep 0.7
get "$U/probe?checklist=naps&timeout=3"
is "$CODE" 429 "a second /probe while a round of that checklist runs: 429"
wait $bg
get "$U/health/naps"
like "$BODY" 'round: cut at the probe' "a probe's round is the checklist's latest round (/health says it was cut)"

# --- a real Prometheus scrapes /metrics and /probe
if command -v prometheus >/dev/null 2>&1; then
  prometheus_up <<EOF
  - job_name: opscheck
    static_configs: [{targets: ['127.0.0.1:$SP']}]
  - job_name: probe
    metrics_path: /probe
    params: {checklist: [probed]}
    scrape_interval: 2s
    scrape_timeout: 1500ms
    static_configs: [{targets: ['127.0.0.1:$SP']}]
EOF
  query() { prom_query "$1" check checklist; }
  has_checks() { R=$(query 'opscheck_check_success{job="opscheck",checklist="quick"}'); [[ "$R" == *bad@quick=0* && "$R" == *good@quick=1* ]]; }
  wait_until 40 has_checks
  is "$R" "bad@quick=0 good@quick=1" "Prometheus' HTTP API has opscheck_check_success for each check of the scraped checklist"
  probed() { R=$(query 'opscheck_probe_success{job="probe"}'); [ "$R" = "@=1" ]; }
  wait_until 30 probed
  is "$R" "@=1" "and a /probe job (scrape timeout 1.5 s) gives probe_success 1"
  R=$(query 'up'); like "$R" '^@=1 @=1$' "both scrapes are up"
  prom_stop
else
  ok 1 "prometheus is installed (Debian package prometheus; scripts/install-deps)"
fi

# --- a config broken on disk: the rounds read it and fail as error rounds, never as passes
sed -i 's/^every = 1s$/every = 0s/' "$T/serve.ini"
quick_errored() { get "$U/metrics"; [[ "$BODY" =~ opscheck_checklist_rounds_total\{checklist=\"quick\",outcome=\"error\"\}\ [1-9] ]]; }
wait_until 10 quick_errored
ok $? "a round whose run writes no report (config error) counts as an error round"
get "$U/health/quick"
is "$CODE" 503 "/health/quick after an error round: 503"
like "$BODY" "^round: the round wrote no report \(exit 2\): .*serve\.ini:[0-9]+: 'every' is a duration" "and it says why, naming file:line"

# --- SIGHUP with a broken config: kept, and said why (secrets masked)
write_config "every = $token"
kill -HUP "$sv"
reload_said() { get "$U/healthz"; [[ "$BODY" == *"reload failed"* ]]; }
wait_until 10 reload_said
is "$CODE" 200 "/healthz after a failed reload: still 200 (serving the previous config)"
like "$BODY" 'reload failed: .*serve\.ini:[0-9]+: .every. is a duration .*not .\*\*\*.' "and says why, naming file:line"
unlike "$BODY" "$token" "the secret in the broken line is masked in /healthz"
like "$(cat "$T/serve.err")" 'serve\.ini:[0-9]+: .every. is a duration' "stderr says why too"
unlike "$(cat "$T/serve.err")" "$token" "masked there as well"
get "$U/metrics"
like "$BODY" '^opscheck_serve_config_last_reload_successful 0$' "/metrics shows the failed reload"
get "$U/health/fresh"
is "$CODE" 404 "the broken config's checklists are not served"

write_config "[checklist fresh]
checks = good
every = 1s"
kill -HUP "$sv"
fresh_ready() { get "$U/health/fresh"; [ "$CODE" = 200 ]; }
wait_until 10 fresh_ready
ok $? "a good config on SIGHUP: its new checklist is served and runs"
get "$U/healthz"
is "$CODE $BODY" "200 ok" "/healthz is plain ok again"
get "$U/metrics"
like "$BODY" '^opscheck_checklist_rounds_total\{checklist="quick",outcome="fail"\} [1-9]' "the kept checklists keep their counts across a reload"

# --- SIGTERM in the middle of a round: exit 0, no process left
curl -s -m 30 -o /dev/null "$U/probe?checklist=naps&timeout=25" &
bg=$!
napping() { [ -n "$(pgrep -f "$T/napsleep")" ]; }
wait_until 10 napping
ok $? "a round is running (its check sleeps)"
t0=$SECONDS
kill -TERM "$sv"
wait "$sv"
rc=$?
sv=
is "$rc" 0 "SIGTERM: serve exits 0"
ok "$([ $((SECONDS - t0)) -le 8 ]; echo $?)" "promptly ($((SECONDS - t0)) s), the running round stopped"
wait $bg 2>/dev/null
sleep 0.3
left=$(pgrep -f "$T/(napsleep|serve\.ini)" | tr '\n' ' ')
is "$left" "" "no process left: no round, no check"
like "$(cat "$T/serve.err")" 'stopped by SIGTERM' "it says it stopped"
! curl -s -m 2 -o /dev/null "$U/healthz"
ok $? "the listener is closed"

# --- SIGINT stops it the same way
SP2=$(free_port)
"$OPSCHECK" serve -c "$T/one.ini" --listen "127.0.0.1:$SP2" 2>"$T/serve2.err" &
sv2=$!
wait_until 10 curl -sf "http://127.0.0.1:$SP2/healthz" -o /dev/null
kill -INT "$sv2"
wait "$sv2"
is "$?" 0 "SIGINT: serve exits 0 too"
like "$(cat "$T/serve2.err")" 'stopped by SIGINT' "and says so"

# --- the README's scrape config and alert rules are what Prometheus accepts
if command -v promtool >/dev/null 2>&1; then
  # the serve section only: other sections have rules and scrape configs of their own (deploy.t)
  awk '/^## `opscheck serve`/ {on = 1; next} /^## / {on = 0} on' "$ROOT/README.md" >"$T/serve-section.md"
  awk '/^groups:$/,/^```$/' "$T/serve-section.md" | grep -v '^```' >"$T/rules.yml"
  log=$(promtool check rules "$T/rules.yml" 2>&1); rc=$?
  ok $rc "promtool check rules passes on the README's alert rules"; [ $rc = 0 ] || diag "$log"
  { echo 'global: {}'; awk '/^scrape_configs:$/,/^```$/' "$T/serve-section.md" | grep -v '^```'; } >"$T/readme-prom.yml"
  log=$(promtool check config "$T/readme-prom.yml" 2>&1); rc=$?
  ok $rc "promtool check config passes on the README's scrape config"; [ $rc = 0 ] || diag "$log"
fi
done_testing
