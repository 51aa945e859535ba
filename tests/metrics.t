#!/usr/bin/env bash
# metrics.t - the Prometheus series pass the ecosystem's own tools (issue 16):
# promtool's lint on the whole runbook's output and on real Monitoring
# Plugins (check_load, check_disk, check_procs) run through exec; Nagios
# perfdata as labels, units folded, thresholds kept; --label; and the
# node_exporter textfile folder rule, judged by a real node_exporter on
# loopback.  The naming rule itself is table-tested in tests/unit/test_report.c.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
MP=/usr/lib/nagios/plugins

prom_ok() { # FILE NAME : promtool check metrics (lint included) exits 0
    local log; log=$(promtool check metrics <"$1" 2>&1)
    ok $? "$2"; [ -z "$log" ] || printf '%s\n' "$log" | head -10 | sed 's/^/#   /'
}
series() { grep -v '^#' "$1"; } # FILE : the sample lines
# Each run's .prom file has a folder of its own: in one folder, .prom files
# of runs with the same checklist and labels are refused (the textfile rule,
# tested at the end).
mkdir -p "$T/runbook" "$T/mp" "$T/perf" "$T/lab" "$T/q"

command -v promtool >/dev/null 2>&1; ok $? "promtool is installed (scripts/install-deps: prometheus)"

# ---- the whole runbook (the sandbox's story, as runbook.t runs it) ----
if [ -n "${OPSCHECK_BACKEND_URL:-}" ] && [ -n "${OPSCHECK_BACKUP_DIR:-}" ]; then
  run_oc run -c checks.ini -c sandbox.ini daily billing backup rotation sla --prometheus "$T/runbook/run.prom"
  is "$RC" 1 "the runbook runs (its one planted failure: exit 1)"
  prom_ok "$T/runbook/run.prom" "promtool check metrics passes on the whole runbook's output"
  like "$(series "$T/runbook/run.prom")" '^opscheck_plugin_entropy_bytes\{check="secret-strength",' \
       "the secret's entropy in bits is folded to bytes (was opscheck_plugin_entropy_bits)"
  unlike "$(series "$T/runbook/run.prom" | sed 's/{.*//')" '_(bits|days|ms|h|min|hours|minutes|percent)(_|$)' \
         "no series name carries a unit other than a base one"
else
  diag "no sandbox in the environment (scripts/run-tests brings it up): the runbook's output is not linted"
  ok 1 "the sandbox is up for this test"
fi

# ---- real Monitoring Plugins through exec, protocol = nagios ----
ini mp.ini <<EOF
[check load]
plugin = exec
protocol = nagios
command = $MP/check_load -w 1000,1000,1000 -c 2000,2000,2000

[check disk]
plugin = exec
protocol = nagios
command = $MP/check_disk -w 10% -c 5% -p /

[check procs]
plugin = exec
protocol = nagios
command = $MP/check_procs -w 100000 -c 200000
EOF
if [ -x "$MP/check_load" ] && [ -x "$MP/check_disk" ] && [ -x "$MP/check_procs" ]; then
  run_oc run -c "$T/mp.ini" --prometheus "$T/mp/run.prom"
  like "$RC" '^[01]$' "check_load, check_disk and check_procs ran through exec"
  prom_ok "$T/mp/run.prom" "promtool check metrics passes on real Monitoring Plugins' perfdata"
  S=$(series "$T/mp/run.prom")
  for l in load1 load5 load15; do
    like "$S" "^opscheck_plugin_perfdata\\{check=\"load\",checklist=\"\",plugin=\"exec\",label=\"$l\"\\} [0-9.]+\$" \
         "check_load's $l is a label of opscheck_plugin_perfdata"
  done
  like "$S" '^opscheck_plugin_perfdata_threshold\{check="load",[^}]*label="load1",threshold="crit"\} 2000$' \
       "check_load's critical threshold is kept as a series with threshold=\"crit\""
  like "$S" '^opscheck_plugin_perfdata_bytes\{check="disk",checklist="",plugin="exec",label="/"\} [0-9.e+]+$' \
       "check_disk's mount point is the label, its value in bytes"
  like "$S" '^opscheck_plugin_perfdata_threshold_bytes\{check="disk",[^}]*label="/",threshold="max"\} [0-9.e+]+$' \
       "check_disk's max (the disk's size) is kept, in bytes"
  like "$S" '^opscheck_plugin_perfdata\{check="procs",[^}]*label="procs"\} [0-9]+$' "check_procs' count is kept"
  unlike "$(sed 's/{.*//' <<<"$S")" '^opscheck_plugin_(load1|load5|load15|procs|_)' "no perfdata label is in a metric name"
else
  ok 1 "the Monitoring Plugins are installed (scripts/install-deps: monitoring-plugins-basic)"
fi

# ---- perfdata parsing: quoted labels, '' escapes, every Icinga UOM, thresholds ----
ini perf.ini <<'EOF'
[check perf]
plugin = exec
protocol = nagios
command = printf "OK - fine | 'Disk Used (/var)'=93.5%%;90;95;0;100 'it''s'=3c;10 'q\"\\\\'=1 rtt=250ms;;;0 up=2m t=3s u=4us sz=2KiB;;;0;4096 k=1KB g=1GB rx=16b;5:10;@1:2 jobs=7jobs;;;0 d=1d h=1h\n"
EOF
run_oc run -c "$T/perf.ini" -v --prometheus "$T/perf/run.prom" --json "$T/perf.json"
is "$RC" 0 "a Nagios plugin's perfdata in every form passes"
prom_ok "$T/perf/run.prom" "promtool check metrics passes on it"
S=$(series "$T/perf/run.prom")
L='check="perf",checklist="",plugin="exec"'
like "$S" "^opscheck_plugin_perfdata_ratio\\{$L,label=\"Disk Used \\(/var\\)\"\\} 0\\.935\$" \
     "a quoted label with blanks is one label; % is a ratio (value / 100)"
like "$S" "^opscheck_plugin_perfdata_threshold_ratio\\{$L,label=\"Disk Used \\(/var\\)\",threshold=\"warn\"\\} 0\\.9\$" \
     "its warn threshold is folded the same way"
like "$S" "^opscheck_plugin_perfdata_threshold_ratio\\{$L,label=\"Disk Used \\(/var\\)\",threshold=\"max\"\\} 1\$" "... and its max"
like "$S" "^opscheck_plugin_perfdata_total\\{$L,label=\"it's\"\\} 3\$" "'' in a quoted label is a quote; c is a counter (_total)"
like "$(cat "$T/perf/run.prom")" '^# TYPE opscheck_plugin_perfdata_total counter$' "... typed counter"
like "$S" "^opscheck_plugin_perfdata_threshold\\{$L,label=\"it's\",threshold=\"warn\"\\} 10\$" \
     "a counter's threshold is a plain gauge"
like "$S" "^opscheck_plugin_perfdata\\{$L,label=\"q\\\\\"\\\\\\\\\"\\} 1\$" "a label's \" and \\ are escaped in the label value"
like "$S" "^opscheck_plugin_perfdata_seconds\\{$L,label=\"rtt\"\\} 0\\.25\$" "ms is folded to seconds"
like "$S" "^opscheck_plugin_perfdata_seconds\\{$L,label=\"up\"\\} 120\$" "m is minutes (as Icinga reads it)"
like "$S" "^opscheck_plugin_perfdata_seconds\\{$L,label=\"t\"\\} 3\$" "s stays seconds"
like "$S" "^opscheck_plugin_perfdata_seconds\\{$L,label=\"u\"\\} 4e-06\$" "us is folded to seconds"
like "$S" "^opscheck_plugin_perfdata_seconds\\{$L,label=\"d\"\\} 86400\$" "d is days"
like "$S" "^opscheck_plugin_perfdata_seconds\\{$L,label=\"h\"\\} 3600\$" "h is hours"
like "$S" "^opscheck_plugin_perfdata_bytes\\{$L,label=\"sz\"\\} 2048\$" "KiB is 1024 bytes"
like "$S" "^opscheck_plugin_perfdata_threshold_bytes\\{$L,label=\"sz\",threshold=\"max\"\\} 4194304\$" \
     "a threshold is in its value's unit: max 4096 KiB is read in bytes"
like "$S" "^opscheck_plugin_perfdata_bytes\\{$L,label=\"k\"\\} 1000\$" "KB is 1000 bytes"
like "$S" "^opscheck_plugin_perfdata_bytes\\{$L,label=\"g\"\\} 1000000000\$" "GB is 10^9 bytes"
like "$S" "^opscheck_plugin_perfdata_bytes\\{$L,label=\"rx\"\\} 2\$" "b is bits: 16b is 2 bytes"
like "$S" "^opscheck_plugin_perfdata_unconverted\\{$L,label=\"jobs\",unit=\"jobs\"\\} 7\$" \
     "an unknown unit keeps its value, under a name that says it was not converted, with the unit"
like "$OUT" "^  perfdata_ranges: \"'rx' warn 5:10\\\\n'rx' crit @1:2\"\$" \
     "thresholds given as ranges are kept as a fact, not dropped"
like "$OUT" '^      labels: "\{label=\\"Disk Used \(/var\)\\"\}"$' "the TAP block shows a metric's labels"
like "$(cat "$T/perf.json")" '"name":[[:space:]]*"perfdata\{label=\\"rtt\\"\}"' "JSON keeps the name with its labels as reported"

# ---- --label ----
run_oc run -c "$T/perf.ini" --label env=prod --label region=eu-1 --prometheus "$T/lab/run.prom"
is "$RC" 0 "--label env=prod --label region=eu-1 runs"
prom_ok "$T/lab/run.prom" "promtool check metrics passes with --label"
n=$(series "$T/lab/run.prom" 2>/dev/null | wc -l)
ok "$([ "$n" -gt 20 ]; echo $?)" "the report has its series ($n)"
is "$(series "$T/lab/run.prom" 2>/dev/null | grep -c 'env="prod",region="eu-1"')" "$n" "every series carries both labels"
run_oc run -c "$T/perf.ini" --label env=prod --format prometheus
like "$OUT" '^opscheck_run_checks\{checklist="",env="prod",status="pass"\} 1$' "--format prometheus carries them too"
for bad in 'Env=x' '9x=1' '__x=1' 'a-b=1' 'env' '=x' 'check=x' 'checklist=x' 'label=x' 'threshold=x' 'job=x' 'instance=x' 'le=x'; do
  run_oc run -c "$T/perf.ini" --label "$bad" --prometheus "$T/bad.prom"
  is "$RC" 2 "--label $bad is a usage error (exit 2)"
  like "$(head -1 <<<"$ERR")" "^opscheck: --label.*'$bad'" "... one line naming it"
done
ok "$([ ! -e "$T/bad.prom" ]; echo $?)" "nothing ran: no report was written"
run_oc run -c "$T/perf.ini" --label a=1 --label a=2
like "$ERR" "^opscheck: --label: 'a=2' sets a label given already" "a label given twice is a usage error"
run_oc list -c "$T/perf.ini" --label a=1
is "$RC" 2 "--label is for run only"
run_oc run -c "$T/perf.ini" --label 'note=a "quoted" \ value' --prometheus "$T/q/run.prom"
prom_ok "$T/q/run.prom" "a --label value with quotes and backslashes is escaped"

# ---- one node_exporter textfile folder, two runs ----
ini two.ini <<'EOF'
[check a]
plugin = exec
protocol = nagios
command = printf "OK | x=1s\n"

[check b]
plugin = exec
protocol = nagios
command = printf "OK | x=2s\n"

[checklist first]
checks = a b

[checklist second]
checks = a b
EOF
TF=$T/textfile; mkdir -p "$TF"
run_oc run -c "$T/two.ini" first --prometheus "$TF/opscheck-first.prom"
run_oc run -c "$T/two.ini" second --prometheus "$TF/opscheck-second.prom"
is "$RC" 0 "two runs of different checklists write two .prom files into one folder"
run_oc run -c "$T/two.ini" first --prometheus "$TF/opscheck-first-again.prom"
is "$RC" 3 "a second file for the same checklist and labels is refused (the report is not written: exit 3)"
like "$ERR" "^opscheck: --prometheus: $TF/opscheck-first-again.prom: $TF/opscheck-first.prom already holds this run's series" \
     "... one line naming both files"
ok "$([ ! -e "$TF/opscheck-first-again.prom" ]; echo $?)" "... and nothing is written"
run_oc run -c "$T/two.ini" first --label env=staging --prometheus "$TF/opscheck-first-staging.prom"
is "$RC" 0 "the same checklist with a --label that tells it apart is written"
run_oc run -c "$T/two.ini" first --prometheus "$TF/opscheck-first.prom"
is "$RC" 0 "rewriting a run's own file is the normal case"

if command -v prometheus-node-exporter >/dev/null 2>&1; then
  # scrape FILE : node_exporter's /metrics for folder $1 (textfile collector only) into $2
  scrape() {
    local port pid; port=$(free_port)
    prometheus-node-exporter --web.listen-address="127.0.0.1:$port" --collector.disable-defaults \
      --collector.textfile --collector.textfile.directory="$1" --web.disable-exporter-metrics >"$2.log" 2>&1 &
    pid=$!
    for _ in $(seq 50); do curl -s "http://127.0.0.1:$port/metrics" >"$2" 2>/dev/null && break; sleep 0.1; done
    kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  }
  scrape "$TF" "$T/scrape.prom"
  like "$(cat "$T/scrape.prom")" '^node_textfile_scrape_error 0$' "node_exporter reads the folder's four files..."
  unlike "$(cat "$T/scrape.prom.log")" 'collected before with the same name and label values' "... and finds no series twice"
  is "$(grep -c '^opscheck_check_success{' "$T/scrape.prom")" 6 "... every check of every run, once (3 runs x 2 checks)"
  is "$(grep -v '^#' "$T/scrape.prom" | sed 's/ [^ ]*$//' | sort | uniq -d | wc -l)" 0 "... no series twice"
  prom_ok "$T/scrape.prom" "promtool check metrics passes on the merged folder"
  # what the rule prevents: the same run's series in two files
  cp "$TF/opscheck-first.prom" "$TF/copy.prom"
  scrape "$TF" "$T/scrape2.prom"
  like "$(cat "$T/scrape2.prom.log")" 'opscheck_check_success.*was collected before with the same name and label values' \
       "(a copy of one run's file in the folder is what node_exporter rejects: the test can see it)"
  rm -f "$TF/copy.prom"
else
  ok 1 "node_exporter is installed (scripts/install-deps: prometheus-node-exporter)"
fi
done_testing
