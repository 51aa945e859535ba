#!/usr/bin/env bash
# tests/bench-serve.t - `scripts/bench serve` (scripts/bench-serve) stays
# runnable: one tiny run (10 checks, one 1 s wrk run per server, 1 s idle, 3
# then 5 rounds) must print every section with numbers in it, prove its rounds
# ran (it counts them in serve's /metrics), and leave no process behind.  No
# timing is asserted: the verdict lines may say PASS or FAIL on a loaded
# machine; only their presence is checked.  Needs wrk, the Pushgateway and
# node_exporter (scripts/install-deps).
source "$(dirname "$0")/lib.sh"

for t in wrk prometheus-pushgateway prometheus-node-exporter; do
  if ! command -v "$t" >/dev/null 2>&1; then
    ok 1 "$t is installed (scripts/install-deps)"
    done_testing
    exit
  fi
done

bench_tiny() {
  OUT=$(cd "$ROOT" && TMPDIR=$T RUNS=1 SERVE_NS=10 SERVE_S=1 SERVE_IDLE_S=1 SERVE_ROUNDS="3 5" \
    timeout -k 5 120 scripts/bench serve 2>"$T/err")
  RC=$?
}
bench_tiny
# Once in CI (two cores, valgrind.t and backup.t beside it) the bench stopped
# 6 s in and its words were lost in a diag prove does not show.  A failed
# first run is now printed on stderr, where CI logs keep it, and run again:
# this file asks whether the bench runs, not whether a loaded machine
# answers every request of a 1-second wrk run.
if [ "$RC" != 0 ]; then
  { echo "bench-serve.t: the first run failed (exit $RC), running it again; what it said:"
    sed 's/^/  | /' "$T/err"; } >&2
  bench_tiny
fi
is "$RC" 0 "scripts/bench serve runs to the end in its tiny mode"
[ "$RC" = 0 ] || { diag "$OUT" "$(cat "$T/err")"; sed 's/^/  | /' "$T/err" >&2; }
num='[0-9]+\.[0-9]{3} ms \([0-9.]+-[0-9.]+\)  p50 +[0-9]+\.[0-9]{3} ms'
like "$OUT" "^  opscheck serve /metrics +p99 +$num +[1-9][0-9]+ bytes$" "serve's /metrics: p99, spread, p50, bytes"
like "$OUT" "^  Pushgateway, the same series +p99 +$num +[1-9][0-9]+ bytes$" "beside the Pushgateway serving the same series"
like "$OUT" "^  stand-in, the same bytes \(static\) +p99 +$num +[1-9][0-9]+ bytes$" "and the stand-in serving the same bytes"
like "$OUT" "^  stand-in, empty 200 \(the floor\) +p99 +$num +0 bytes$" "the floor: an empty 200"
like "$OUT" "^  node_exporter's own /metrics +p99 +$num" "node_exporter for scale"
like "$OUT" "^  serve / Pushgateway p99: ratio [0-9.]+; serve - static file p50: [-+][0-9.]+ ms$" "the ratio to the peer"
like "$OUT" "^  growth, 10 -> 10 checks" "the growth line"
like "$OUT" "^  opscheck serve, 10 checks +[0-9]+ ms +\([0-9.]+ ms/s" "serve's idle CPU"
like "$OUT" "^  target: idle serve < 1 ms of CPU per s: (PASS|FAIL)$" "with its verdict"
like "$OUT" "^memory of serve over 5 rounds of 10 checks" "memory over the rounds (the bench checked 5 were recorded)"
for r in 1 3 5; do
  like "$OUT" "^  round $r +[0-9]+\.[0-9] MiB +[0-9]+\.[0-9] MiB$" "VmRSS and VmHWM after round $r"
done
like "$OUT" "^  target: flat once the history is full \(round 5 -> 5: <= 1 MiB\): (PASS|FAIL)$" "the memory verdict"
sleep 0.3
left=$(pgrep -f "$T/" | tr '\n' ' ')
is "$left" "" "no process left: serve, the stand-in, the Pushgateway, node_exporter (their argv name the bench's folder in \$T)"
done_testing
