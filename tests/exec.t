#!/usr/bin/env bash
# tests/exec.t - the exec plugin through ./opscheck: the three protocols
# (exit codes by default, Nagios exit codes and perfdata, a program's TAP as a
# subtest), messages of silent programs, a missing shared library, shell, env
# secrets, cwd, deadline, an output flood.  Assertions look at the lines that
# matter, not the layout.
source "$(dirname "$0")/lib.sh"

# ---- programs the checks run ----
mkdir -p "$T/sub"
cat >"$T/tap_ok.sh" <<'EOF'
#!/bin/sh
echo "TAP version 14"
echo "1..3"
echo "# Subtest: first thing"
echo "    1..2"
echo "    ok 1 - nested points are not assertions"
echo "    not ok 2 - a known nested failure # TODO later"
echo "ok 1 - first thing"
echo "ok 2 - second thing # SKIP not today"
echo "not ok 3 - third thing # TODO known bug"
EOF
# Streams whose every point may say ok, and still broken: a subtest that
# failed under an "ok" summary, numbers out of sequence, two plans, a plan
# between the points, a bail out inside a subtest.
tap_script() { printf '#!/bin/sh\nprintf '"'"'%s'"'"'\n' "$2" >"$T/$1.sh"; chmod +x "$T/$1.sh"; }
tap_script tap_subfail 'TAP version 14\n1..1\n# Subtest: db\n    1..2\n    ok 1 - connects\n    not ok 2 - schema\nok 1 - db\n'
tap_script tap_deepfail '1..1\n    # Subtest: inner\n        1..1\n        not ok 1 - deep\n    1..1\n    ok 1 - inner\nok 1 - outer\n'
tap_script tap_subshort '1..1\n    1..3\n    ok 1 - only one\nok 1 - short subtest\n'
tap_script tap_dupnum '1..2\nok 1 - a\nok 1 - a again\n'
tap_script tap_skipnum '1..2\nok 1 - a\nok 3 - c\n'
tap_script tap_twoplans '1..2\nok 1\nok 2\n1..2\n'
tap_script tap_midplan 'ok 1\n1..2\nok 2\n'
tap_script tap_orphan '1..1\nok 1 - fine\n    1..2\n    ok 1 - half\n    not ok 2 - died here\n'
tap_script tap_subbail '1..2\n    1..2\n    ok 1\n    Bail out! disk gone\nok 1 - first\nok 2 - second\n'
# Streams past the 1 MiB of stdout the plugin keeps: every byte is still
# read as TAP.  20,000 points of ~70 bytes (1.4 MB): all ok, and the same
# with the last one failing.
cat >"$T/tap_big.sh" <<'EOF'
#!/bin/sh
awk -v last="$1" 'BEGIN { n = 20000; print "1.." n
    for (i = 1; i < n; i++) printf "ok %d - step %d of a long suite, with a description of some length\n", i, i
    print (last == "fail" ? "not ok " : "ok ") n " - the last step" }'
EOF
chmod +x "$T/tap_big.sh"
cat >"$T/tap_fail.sh" <<'EOF'
#!/bin/sh
echo "1..2"
echo "ok 1 - alpha"
echo "not ok 2 - beta"
echo "  ---"
echo "  got: 41"
echo "  want: 42"
echo "  ..."
exit 1
EOF
cat >"$T/tap_short.sh" <<'EOF'
#!/bin/sh
printf 'TAP version 13\n1..3\nok 1 - only one\n'
EOF
cat >"$T/tap_exit.sh" <<'EOF'
#!/bin/sh
printf '1..1\nok 1 - looks fine\n'
exit 1
EOF
cat >"$T/tap_bail.sh" <<'EOF'
#!/bin/sh
printf '1..2\nok 1 - up\nBail out! database gone\n'
exit 255
EOF
printf '#!/bin/sh\necho OK\n' >"$T/not_executable.sh"
printf 'one\ntwo\n' >"$T/a.txt"
printf 'one\nthree\n' >"$T/b.txt"
# a program whose shared library is gone: the loader, not the shell, exits 127
printf 'int ocx_answer(void) { return 42; }\n' >"$T/ocx.c"
printf 'int ocx_answer(void);\nint main(void) { return ocx_answer() == 42 ? 0 : 1; }\n' >"$T/needs_lib.c"
cc -shared -fPIC -o "$T/libocxgone.so" "$T/ocx.c" &&
    cc -o "$T/needs_lib" "$T/needs_lib.c" -L"$T" -locxgone -Wl,-rpath,"$T" &&
    "$T/needs_lib" && rm "$T/libocxgone.so"
ok $? "built a program, then hid its shared library"
chmod 755 "$T"/tap_*.sh

ini checks.ini <<EOF
[opscheck]
timeout = 5s

[check nagios-ok]
plugin = exec
protocol = nagios
command = sh -c 'echo "OK - all good | time=0.012s;1;2;0; size=10KB"; exit 0'

[check nagios-warn]
plugin = exec
protocol = nagios
command = sh -c 'echo "WARNING - disk 91% | '"'"'disk used'"'"'=91%;90;95"; exit 1'

[check nagios-crit]
plugin = exec
protocol = nagios
command = sh -c 'echo "CRITICAL - service down"; exit 2'

[check nagios-unknown]
plugin = exec
protocol = nagios
command = sh -c 'echo "could not parse reply"; exit 3'

[check nagios-127]
plugin = exec
command = /no/such/program --flag

[check nagios-126]
plugin = exec
command = $T/not_executable.sh

[check shell-127]
plugin = exec
shell = yes
command = no-such-command-opscheck-xyz

[check signal]
plugin = exec
command = sh -c 'echo "half way"; kill -TERM \$\$\$\$'

[check bad-perfdata]
plugin = exec
protocol = nagios
command = printf 'OK - survived | good=1 bad==x u=U 5\n'

[check shell-pipe]
plugin = exec
shell = yes
command = echo "ok - piped" | tr a-z A-Z

[check cwd]
plugin = exec
cwd = $T/sub
command = sh -c 'echo "OK in \$(pwd)"'

[check cwd-missing]
plugin = exec
cwd = $T/no-such-dir
command = true

[check tap-ok]
plugin = exec
protocol = tap
command = $T/tap_ok.sh

[check tap-subfail]
plugin = exec
protocol = tap
command = $T/tap_subfail.sh

[check tap-deepfail]
plugin = exec
protocol = tap
command = $T/tap_deepfail.sh

[check tap-subshort]
plugin = exec
protocol = tap
command = $T/tap_subshort.sh

[check tap-dupnum]
plugin = exec
protocol = tap
command = $T/tap_dupnum.sh

[check tap-skipnum]
plugin = exec
protocol = tap
command = $T/tap_skipnum.sh

[check tap-twoplans]
plugin = exec
protocol = tap
command = $T/tap_twoplans.sh

[check tap-midplan]
plugin = exec
protocol = tap
command = $T/tap_midplan.sh

[check tap-orphan]
plugin = exec
protocol = tap
command = $T/tap_orphan.sh

[check tap-subbail]
plugin = exec
protocol = tap
command = $T/tap_subbail.sh

[check tap-big-ok]
plugin = exec
protocol = tap
command = $T/tap_big.sh ok

[check tap-big-fail]
plugin = exec
protocol = tap
command = $T/tap_big.sh fail

[check tap-fail]
plugin = exec
protocol = tap
command = $T/tap_fail.sh

[check tap-short]
plugin = exec
protocol = tap
command = $T/tap_short.sh

[check tap-exit]
plugin = exec
protocol = tap
command = $T/tap_exit.sh

[check tap-bail]
plugin = exec
protocol = tap
command = $T/tap_bail.sh

[check tap-silent]
plugin = exec
protocol = tap
command = sh -c 'echo "no database" >&2; exit 2'

[check exit-false]
plugin = exec
command = false

[check exit-test]
plugin = exec
command = test -f $T/no-such-file

[check exit-grep]
plugin = exec
command = grep -q no-such-text $T/a.txt

[check exit-diff]
plugin = exec
command = diff $T/a.txt $T/b.txt

[check exit-true]
plugin = exec
command = true

[check exit-tap]
plugin = exec
command = $T/tap_fail.sh

[check exit-tap-0]
plugin = exec
command = sh -c '$T/tap_fail.sh; exit 0'

[check exit-stderr]
plugin = exec
command = sh -c 'echo >&2; echo "  disk gone  " >&2; echo "more" >&2; exit 2'

[check exit-silent]
plugin = exec
command = sh -c 'exit 2'

[check nagios-silent]
plugin = exec
protocol = nagios
command = sh -c 'exit 1'

[check nagios-stderr]
plugin = exec
protocol = nagios
command = sh -c 'echo "no route to host" >&2; exit 2'

[check nagios-unknown-silent]
plugin = exec
protocol = nagios
command = sh -c 'exit 3'

[check lib-missing]
plugin = exec
command = $T/needs_lib

[check lib-missing-shell]
plugin = exec
shell = yes
command = $T/needs_lib

[check protocol-typo]
plugin = exec
protocol = nagois
command = true
EOF

run_oc run -v -c "$T/checks.ini"
tap_valid "$OUT" "exec checks: valid TAP"
is "$RC" 1 "exec checks: some fail, exit 1"

# Nagios protocol
like "$OUT" '^ok [0-9]+ - nagios-ok' "exit 0 is ok"
like "$OUT" 'message:.*OK - all good' "exit 0: first line is the message, perfdata cut off"
unlike "$OUT" 'message:.*time=0.012' "exit 0: perfdata not in the message"
like "$OUT" '^ +metrics:' "perfdata becomes metrics"
like "$OUT" '^ +labels: "\{label=\\"time\\"\}"$' "metric time: perfdata with its label"
like "$OUT" 'value: 0\.012' "metric time=0.012"
like "$OUT" '^ +labels: "\{label=\\"size\\"\}"$' "metric size"
like "$OUT" 'unit: "KB"' "metric unit KB"
like "$OUT" '^ +labels: "\{label=\\"disk used\\"\}"$' "a quoted label with a blank is kept as written"
like "$OUT" '^(not )?ok [0-9]+ - nagios-warn.*' "exit 1 is reported"
unlike "$OUT" '^not ok [0-9]+ - nagios-warn' "exit 1 is a warning, not a failure"
like "$OUT" 'WARNING - disk 91%' "exit 1: message"
like "$OUT" '^not ok [0-9]+ - nagios-crit' "exit 2 is not ok"
like "$OUT" 'message:.*CRITICAL - service down' "exit 2: message"
like "$OUT" '^not ok [0-9]+ - nagios-unknown' "exit 3 is not ok"
like "$OUT" 'message:.*UNKNOWN: could not parse reply' "exit 3: message says UNKNOWN"
is "$(printf '%s\n' "$OUT" | grep -A1 'message: ".*UNKNOWN: could not parse reply' | grep -c 'severity: "error"')" 1 \
  "exit 3 (UNKNOWN) is an ERROR: the plugin could not check"
is "$(printf '%s\n' "$OUT" | grep -A1 'message: ".*CRITICAL - service down' | grep -c 'severity: "fail"')" 1 \
  "exit 2 (CRITICAL) is a FAIL"
like "$OUT" '^not ok [0-9]+ - nagios-127' "missing program is not ok"
like "$OUT" 'message:.*exited 127: command not found: /no/such/program' "missing program: command not found"
like "$OUT" 'message:.*exited 126: permission denied: .*not_executable.sh' "not executable: permission denied"
like "$OUT" '^not ok [0-9]+ - shell-127' "shell, missing command is not ok"
like "$OUT" 'message:.*exited 127: command not found' "shell, missing command: exited 127"
like "$OUT" '^not ok [0-9]+ - signal' "killed by a signal is not ok"
like "$OUT" 'message:.*killed by SIGTERM' "signal is named"
like "$OUT" '^ok [0-9]+ - bad-perfdata' "bad perfdata does not fail the check"
like "$OUT" 'perfdata_skipped:.*bad==x' "bad perfdata noted"
like "$OUT" 'good' "good perfdata next to bad is kept"
like "$OUT" '^ok [0-9]+ - shell-pipe' "shell = yes runs a pipeline"
like "$OUT" 'OK - PIPED' "shell = yes: the pipe ran"
like "$OUT" '^ok [0-9]+ - cwd' "cwd"
like "$OUT" "OK in $T/sub" "cwd: program ran there"
like "$OUT" '^not ok [0-9]+ - cwd-missing' "missing cwd is not ok"
like "$OUT" 'message:.*cwd does not exist' "missing cwd: said clearly"
like "$OUT" 'exit_code: "?2' "exit_code diagnostic"
like "$OUT" 'command:.*CRITICAL - service down' "command diagnostic"

# TAP programs: one subtest line per top-level test point
like "$OUT" '^ok [0-9]+ - tap-ok' "TAP: all ok (skip, todo) is ok"
like "$OUT" '^ +ok [0-9]+ - first thing' "TAP: ok becomes a pass"
like "$OUT" '^ +ok [0-9]+ - second thing.*# SKIP' "TAP: SKIP becomes a skip"
like "$OUT" '^ +not ok [0-9]+ - third thing # TODO known bug$' "TAP: a failing TODO stays a TODO point (the check passes)"
unlike "$OUT" 'nested points are not assertions' "TAP: a subtest's points are not assertions of the check"
like "$OUT" '^ok [0-9]+ - tap-big-ok$' "TAP past the kept 1 MiB: 20,000 points all ok pass (not 'planned 20000, ran 15000')"
like "$OUT" '^not ok [0-9]+ - tap-big-fail$' "TAP past the kept 1 MiB: a failure in the last point fails"
like "$OUT" 'message: "1 fail assertion among the 19000 past the first 1000, which were not kept; the first: the last step"' "... named, and counted among the points not kept"
like "$OUT" '^not ok [0-9]+ - tap-subfail$' "TAP: a failed subtest under an ok summary fails the check"
like "$OUT" 'message: "db: says ok, but its subtest failed"' "TAP: ... and says which point lied"
like "$OUT" '^not ok [0-9]+ - tap-deepfail$' "TAP: a failure two levels down, under two ok summaries, fails the check"
like "$OUT" '^not ok [0-9]+ - tap-subshort$' "TAP: a subtest that ran 1 of its 3 planned fails the check"
like "$OUT" '^not ok [0-9]+ - tap-dupnum$' "TAP: a repeated test number fails the check"
like "$OUT" 'test 1 out of sequence: expected 2' "TAP: ... named"
like "$OUT" '^not ok [0-9]+ - tap-skipnum$' "TAP: a lost test number (1, 3 under 1..2) fails the check"
like "$OUT" 'test 3 out of sequence: expected 2' "TAP: ... named"
like "$OUT" '^not ok [0-9]+ - tap-twoplans$' "TAP: two plans fail the check"
like "$OUT" '2 plans: a stream has one' "TAP: ... named"
like "$OUT" '^not ok [0-9]+ - tap-midplan$' "TAP: a plan between the points fails the check"
like "$OUT" 'the plan is between the tests \(after 1 of 2\)' "TAP: ... named"
like "$OUT" '^not ok [0-9]+ - tap-orphan$' "TAP: a failed subtest after the last point (its program died before the summary) fails the check"
like "$OUT" 'a subtest after the last test point failed, and no point sums it up' "TAP: ... named"
like "$OUT" '^not ok [0-9]+ - tap-subbail$' "TAP: a Bail out! inside a subtest fails the check"
like "$OUT" 'Bail out! disk gone' "TAP: ... with its reason"
like "$OUT" '^not ok [0-9]+ - tap-fail' "TAP: a failure fails the check"
like "$OUT" '^ +ok [0-9]+ - alpha' "TAP: passing test kept"
like "$OUT" '^ +not ok [0-9]+ - beta' "TAP: failing test is not ok"
like "$OUT" 'got: 41' "TAP: YAML of the failure attached"
like "$OUT" '^not ok [0-9]+ - tap-short' "TAP: plan mismatch fails"
like "$OUT" 'planned 3, ran 1' "TAP: plan mismatch message"
like "$OUT" '^not ok [0-9]+ - tap-exit' "TAP: all ok but exit 1 fails"
like "$OUT" 'exited 1' "TAP: exit code named"
like "$OUT" '^not ok [0-9]+ - tap-bail' "TAP: Bail out! fails"
like "$OUT" 'Bail out! database gone' "TAP: bail out reason"
like "$OUT" 'message: "no TAP on stdout; exited 2: no database"' "TAP: a silent program: its stderr"

# protocol = exit (the default): only 0 passes, the status is in the message
like "$OUT" '^not ok [0-9]+ - exit-false$' "exit: false fails"
like "$OUT" 'message: "exited 1 with no output"' "exit: false says it exited 1 with no output"
like "$OUT" '^not ok [0-9]+ - exit-test$' "exit: test -f on a missing file fails"
like "$OUT" '^not ok [0-9]+ - exit-grep$' "exit: grep -q without a match fails"
like "$OUT" '^not ok [0-9]+ - exit-diff$' "exit: diff of different files fails"
like "$OUT" 'message: "exited 1: 2c2"' "exit: diff's first line is the message"
like "$OUT" '^ok [0-9]+ - exit-true$' "exit: true passes"
like "$OUT" '^not ok [0-9]+ - exit-tap$' "exit: a TAP program is judged by its exit code (1)"
like "$OUT" '^ok [0-9]+ - exit-tap-0$' "exit: TAP with a failing point is not read without protocol = tap"
like "$OUT" 'note: "stdout looks like TAP; protocol = tap reads it as a subtest"' "exit: TAP on stdout is pointed out"
unlike "$OUT" '^    # Subtest: exit-tap' "exit: no subtest from the program's TAP"
like "$OUT" 'message: "exited 2: disk gone"' "exit: silent on stdout: the first non-empty stderr line"
like "$OUT" 'message: "exited 2 with no output"' "exit: silent everywhere: said so"
like "$OUT" '^not ok [0-9]+ - protocol-typo' "protocol: an unknown value fails"
like "$OUT" "message: \"protocol must be exit, nagios or tap, not 'nagois'\"" "protocol: the values are named"

# protocol = nagios: silent programs
like "$OUT" 'message: "WARNING: exited 1 with no output"' "nagios: silent exit 1 is a warning that says so"
like "$OUT" 'message: "CRITICAL: no route to host"' "nagios: silent exit 2 shows stderr"
like "$OUT" 'message: "UNKNOWN: exited 3 with no output"' "nagios: silent exit 3"
unlike "$OUT" 'message: ""' "no check has an empty message"

# exit 127 from the dynamic loader is no "command not found"
like "$OUT" '^not ok [0-9]+ - lib-missing$' "missing library: not ok"
like "$OUT" 'message: "exited 127: .*error while loading shared libraries: libocxgone.so: cannot open shared object file' \
    "missing library: the loader's line"
like "$OUT" 'message: "exited 127: .*needs_lib: error while loading shared libraries: libocxgone' \
    "missing library: under a shell too"
lib_msg=$(printf '%s\n' "$OUT" | grep -A2 '^not ok [0-9]* - lib-missing$' | grep 'message:')
unlike "$lib_msg" 'command not found' "missing library: not called command not found"

# ---- a secret goes by environment only and never shows ----
ini secret.ini <<'EOF'
[opscheck]
timeout = 5s

[check secret]
plugin = exec
env = MY_TOKEN=${env:MY_TOKEN} "GREETING=hello world"
command = sh -c 'echo "CRITICAL token=$MY_TOKEN greeting=$GREETING"; echo "stderr token=$MY_TOKEN" >&2; exit 2'
EOF
export MY_TOKEN=s3cr3t-opscheck-value-8472
run_oc run -v -c "$T/secret.ini"
tap_valid "$OUT" "secret: valid TAP"
like "$OUT" '^not ok 1 - secret' "secret: check ran"
like "$OUT" 'token=\*\*\*' "secret: masked in the message"
like "$OUT$ERR" 'stderr token=\*\*\*' "secret: masked in captured stderr"
like "$OUT" 'greeting=hello world' "env: quoted item with a blank"
unlike "$OUT" 's3cr3t-opscheck-value' "secret: not in stdout"
unlike "$ERR" 's3cr3t-opscheck-value' "secret: not in stderr"
unset MY_TOKEN

# ---- the deadline: stopped, reported, and opscheck does not hang ----
ini hang.ini <<'EOF'
[opscheck]
timeout = 2s

[check hang]
plugin = exec
command = sh -c 'echo "started"; echo "still going"; sleep 60'
EOF
start=$(date +%s)
run_oc run -v -c "$T/hang.ini"
elapsed=$(( $(date +%s) - start ))
tap_valid "$OUT" "hang: valid TAP"
like "$OUT" '^not ok 1 - hang' "hang: not ok"
like "$OUT" 'timed out after [0-9.]+s' "hang: timed out after Xs"
like "$OUT" 'still going' "hang: last output lines shown"
ok $(( elapsed < 10 ? 0 : 1 )) "hang: opscheck returned in ${elapsed}s"

# ---- a flood of stdout is bounded ----
ini flood.ini <<'EOF'
[opscheck]
timeout = 20s

[check flood]
plugin = exec
command = sh -c 'yes "OK - flooding" | head -n 400000; exit 0'
EOF
run_oc run -v -c "$T/flood.ini"
tap_valid "$OUT" "flood: valid TAP"
like "$OUT" '^ok 1 - flood' "flood: ok"
like "$OUT" 'output_truncated:.*kept 1048576 of 5600000 bytes' "flood: truncation noted"
ok $(( ${#OUT} < 200000 ? 0 : 1 )) "flood: report stays small (${#OUT} bytes)"

done_testing
