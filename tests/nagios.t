#!/usr/bin/env bash
# nagios.t - `opscheck run --format nagios` (core/report_nagios.c) read by
# real consumers of Monitoring Plugins output: the Monitoring Plugins' own
# `negate` (Debian monitoring-plugins-basic), which runs a plugin, remaps
# its exit code and rewrites its status word (-s), and Perl's
# Monitoring::Plugin::Performance (libmonitoring-plugin-perl), the parser
# of perfdata the plugin authors ship.  The perfdata is also held to a strict
# regex of the guidelines' grammar, 'label'=value[UOM];[warn];[crit];[min];[max].
source "$(dirname "$0")/lib.sh"
NEGATE=/usr/lib/nagios/plugins/negate

# need FILE-OR-PERL-MODULE PACKAGE : there, installing PACKAGE when it is not (root only).
need() {
    have() { case $1 in /*) [ -x "$1" ] ;; *) perl -M"$1" -e1 2>/dev/null ;; esac; }
    have "$1" && return 0
    [ "$(id -u)" -eq 0 ] || return 1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$2" >/dev/null 2>&1 ||
        { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive \
            apt-get install -y -qq --no-install-recommends "$2" >/dev/null 2>&1; }
    have "$1"
}
need "$NEGATE" monitoring-plugins-basic; ok $? "negate is installed (monitoring-plugins-basic)"
need Monitoring::Plugin::Performance libmonitoring-plugin-perl; ok $? "Monitoring::Plugin is installed (libmonitoring-plugin-perl)"

export NAG_TOKEN=hunter2-very-secret
ini nag.ini <<EOF
[opscheck]
plugin_path = $TEST_PLUGINS
[checklist all]
checks = p w f e s
[check p]
plugin = tp
[check w]
plugin = tp
mode = warn
[check f]
plugin = tp
mode = fail
message = no payment in 26h | since 09:00
hint = restart the billing worker
[check e]
plugin = tp
mode = error
[check s]
plugin = tp
mode = skip
[check leaky]
plugin = tp
mode = secret
token = \${env:NAG_TOKEN}
[check stuck]
plugin = tp
mode = hang
EOF

# The perfdata grammar (monitoring-plugin-guidelines, 03.Output.md): space-separated
# 'label'=value[UOM][;warn[;crit[;min[;max]]]]; a label without spaces may go unquoted.
NUM='-?[0-9]+(\.[0-9]+)?'
RANGE='@?(~|'"$NUM"')?(:('"$NUM"')?)?'
PERF_ITEM="('[^'=]+'|[^'= ]+)=$NUM(s|ms|us|%|B|KB|MB|GB|TB|c)?(;($RANGE)?(;($RANGE)?(;($NUM)?(;($NUM)?)?)?)?)?"
STATUS_RE="^OPSCHECK (OK|WARNING|CRITICAL|UNKNOWN) - [^|]+ \| $PERF_ITEM( $PERF_ITEM)*\$"
perf_of() { printf '%s\n' "$1" | head -1 | sed 's/^[^|]*| //'; }
no_duration() { printf '%s\n' "$1" | sed -E "s/'duration'=[0-9.]+s/'duration'=Ds/"; }

# --- 1. the status line, the perfdata and the long output
run_oc run -c "$T/nag.ini" all --format nagios
is "$RC" 2 "a failure is CRITICAL: exit 2"
like "$(head -1 <<<"$OUT")" "$STATUS_RE" "the first line is a status line with perfdata in the guidelines' grammar"
is "$(no_duration "$(head -1 <<<"$OUT")")" "OPSCHECK CRITICAL - 1 failed, 1 errored, 1 warned of 5: f (no payment in 26h ¦ since 09:00), e (error: cannot tell: no fixture), w (almost broken) | 'passed'=1;;;0;5 'warned'=1;0;;0;5 'failed'=1;;0;0;5 'errored'=1;;;0;5 'skipped'=1;;;0;5 'duration'=Ds;;;0" \
    "the status names the failing check, then the errored (as an error), then the warned, with their messages; '|' in a message is not a perfdata separator"
is "$(tail -n +2 <<<"$OUT")" "[CRITICAL] f - no payment in 26h ¦ since 09:00 (hint: restart the billing worker)
[UNKNOWN] e - error: cannot tell: no fixture
[WARNING] w - almost broken
[OK] s - skipped: nothing to do" "long output: one line per check that did not pass, worst first, the failure with its hint"
is "$(grep -c '|' <<<"$OUT")" 1 "only the status line has a '|'"
is "$ERR" "" "nothing on stderr (Icinga 2 shows a plugin's stderr in its output)"

run_oc run -c "$T/nag.ini" p f --format nagios
is "$RC:$(no_duration "$(head -1 <<<"$OUT")")" "2:OPSCHECK CRITICAL - 1 of 2 failed: f (no payment in 26h ¦ since 09:00) | 'passed'=1;;;0;2 'warned'=0;0;;0;2 'failed'=1;;0;0;2 'errored'=0;;;0;2 'skipped'=0;;;0;2 'duration'=Ds;;;0" \
    "one failure: '1 of 2 failed: NAME (MESSAGE)'"
run_oc run -c "$T/nag.ini" p s --format nagios
is "$RC:$(no_duration "$OUT")" "0:OPSCHECK OK - 1 of 2 passed, 1 skipped | 'passed'=1;;;0;2 'warned'=0;0;;0;2 'failed'=0;;0;0;2 'errored'=0;;;0;2 'skipped'=1;;;0;2 'duration'=Ds;;;0
[OK] s - skipped: nothing to do" "OK, exit 0"
run_oc run -c "$T/nag.ini" p w --format nagios
is "$RC:$(head -1 <<<"$OUT" | sed 's/ |.*//')" "1:OPSCHECK WARNING - 1 of 2 warned: w (almost broken)" "WARNING, exit 1"
run_oc run -c "$T/nag.ini" p e --format nagios
is "$RC:$(head -1 <<<"$OUT" | sed 's/ |.*//')" "3:OPSCHECK UNKNOWN - 1 of 2 errored: e (error: cannot tell: no fixture)" \
    "only errors (could not check) is UNKNOWN, exit 3; the error says it is one"
run_oc run -c "$T/nag.ini" f e --format nagios
is "$RC" 2 "a failure beside an error is CRITICAL"

# --- 2. duration in seconds with the s UOM
run_oc run -c "$T/nag.ini" p --format nagios
like "$(perf_of "$OUT")" "'duration'=[0-9]+\.[0-9]{3}s;;;0\$" "the run's duration, in seconds, UOM s, min 0"

# --- 3. secrets stay masked
run_oc run -c "$T/nag.ini" leaky --format nagios
is "$RC" 2 "the leaky check fails"
unlike "$OUT$ERR" 'hunter2|very-secret' "the secret is in neither the status line nor the long output"
like "$(head -1 <<<"$OUT")" '^OPSCHECK CRITICAL - 1 of 1 failed: leaky \(rejected token \*\*\*\)' "... it is shown as ***"

# --- 4. UNKNOWN: interrupted, a report not written, nothing ran
"$OPSCHECK" run -c "$T/nag.ini" p stuck --format nagios >"$T/int.out" 2>"$T/int.err" &
pid=$!
sleep 1.5; kill -TERM "$pid"; wait "$pid"; rc=$?
is "$rc" 3 "interrupted: UNKNOWN, exit 3"
like "$(head -1 "$T/int.out")" "^OPSCHECK UNKNOWN - interrupted by SIGTERM, 1 of 2 errored: stuck \(error: interrupted\) \| " \
    "... said first, the unfinished check named"
run_oc run -c "$T/nag.ini" p --format nagios --json /dev/full
is "$RC" 3 "a report not written: UNKNOWN, exit 3"
like "$OUT" "^OPSCHECK UNKNOWN - a report was not written, 1 of 1 passed \| " "... said in the status line"
run_oc run -c "$T/nag.ini" nosuch --format nagios
is "$RC" 3 "a usage error is UNKNOWN, exit 3"
like "$OUT" "^OPSCHECK UNKNOWN - 'nosuch' is not a checklist or a check" "... said in the one line"
ini bad.ini <<EOF
[opscheck]
plugin_path = $TEST_PLUGINS
[check x]
plugin = tp
token = ${NAG_TOKEN}
EOF
run_oc run -c "$T/bad.ini" --format nagios
is "$RC" 3 "a config error is UNKNOWN, exit 3"
like "$OUT" "^OPSCHECK UNKNOWN - config error: .*bad.ini:5: 'token' is a secret" "... naming file:line in the one line"

# --- 5. bounded: many failures do not make an unbounded status line or long output
{ printf '[opscheck]\nplugin_path = %s\n' "$TEST_PLUGINS"
  for i in $(seq 1 80); do
      printf '[check many%02d]\nplugin = tp\nmode = fail\nmessage = %s\n' "$i" "$(printf 'x%.0s' $(seq 1 300))"
  done; } >"$T/many.ini"
run_oc run -c "$T/many.ini" --format nagios -j 8
is "$RC" 2 "80 failures: CRITICAL"
first=$(head -1 <<<"$OUT")
[ "${#first}" -lt 1200 ]; ok $? "the status line stays short (${#first} bytes)"
like "$first" '^OPSCHECK CRITICAL - 80 of 80 failed: many01 \(x+\.\.\.\), .* and [0-9]+ more \| ' "... messages cut with ..., the rest counted"
like "$first" "$STATUS_RE" "... and still in the guidelines' grammar"
is "$(wc -l <<<"$OUT")" 52 "long output: 50 lines, then '... and 30 more'"
is "$(tail -1 <<<"$OUT")" "... and 30 more" "... the rest counted"
long=$(tail -n +2 <<<"$OUT" | awk '{ if (length($0) > m) m = length($0) } END { print m }')
[ "$long" -le 400 ]; ok $? "each long-output line is bounded ($long bytes)"

# --- 6. a real consumer: negate from the Monitoring Plugins runs opscheck as its plugin
if [ -x "$NEGATE" ]; then
    out=$("$NEGATE" -s "$OPSCHECK" run -c "$T/nag.ini" p f --format nagios 2>"$T/neg.err"); rc=$?
    is "$rc" 0 "negate: our CRITICAL (2) became OK (0)"
    like "$(head -1 <<<"$out")" "^OPSCHECK OK - 1 of 2 failed: f \(no payment in 26h ¦ since 09:00\) \| 'passed'=1;;;0;2 " \
        "negate -s found our status word and rewrote it; the rest of the line passed through"
    is "$(tail -n +2 <<<"$out")" "[OK] f - no payment in 26h ¦ since 09:00 (hint: restart the billing worker)" \
        "... and our long output passed through (its state word rewritten the same way)"
    out=$("$NEGATE" -s "$OPSCHECK" run -c "$T/nag.ini" p --format nagios 2>/dev/null); rc=$?
    is "$rc" 2 "negate: our OK (0) became CRITICAL (2)"
    like "$out" "^OPSCHECK CRITICAL - 1 of 1 passed \| " "... with the status word rewritten"
    out=$("$NEGATE" -w CRITICAL -s "$OPSCHECK" run -c "$T/nag.ini" p w --format nagios 2>/dev/null); rc=$?
    is "$rc:$(head -1 <<<"$out" | sed 's/ |.*//')" "2:OPSCHECK CRITICAL - 1 of 2 warned: w (almost broken)" \
        "negate -w CRITICAL: our WARNING (1) remapped"
    out=$("$NEGATE" -u WARNING "$OPSCHECK" run -c "$T/nag.ini" e --format nagios 2>/dev/null); rc=$?
    is "$rc" 1 "negate -u WARNING: our UNKNOWN (3) for an error remapped"
    like "$out" "^OPSCHECK UNKNOWN - 1 of 1 errored: e \(error: " "... the line as we wrote it, without -s"
else
    ok 1 "negate runs opscheck (no $NEGATE)"
fi

# --- 7. a real perfdata parser: Monitoring::Plugin::Performance
run_oc run -c "$T/nag.ini" all --format nagios
if perl -MMonitoring::Plugin::Performance -e1 2>/dev/null; then
    parsed=$(perf_of "$OUT" | perl -MMonitoring::Plugin::Performance=use_die,1 -ne '
        my @p = Monitoring::Plugin::Performance->parse_perfstring($_) or die "unparsed\n";
        for my $p (@p) {
            my $t = $p->threshold;
            printf "%s=%s%s w=%s c=%s min=%s max=%s state=%d\n", $p->label, $p->label eq "duration" ? "D" : $p->value,
                $p->uom, $t->warning->is_set ? $t->warning : "", $t->critical->is_set ? $t->critical : "",
                $p->min // "", $p->max // "", $t->get_status($p->value);
        }' 2>&1)
    is "$parsed" "passed=1 w= c= min=0 max=5 state=0
warned=1 w=0 c= min=0 max=5 state=1
failed=1 w= c=0 min=0 max=5 state=2
errored=1 w= c= min=0 max=5 state=0
skipped=1 w= c= min=0 max=5 state=0
duration=Ds w= c= min=0 max= state=0" \
        "Monitoring::Plugin parses all six; its thresholds give warned WARNING and failed CRITICAL, as our exit code"
else
    ok 1 "Monitoring::Plugin::Performance parses the perfdata (not installed)"
fi

done_testing
