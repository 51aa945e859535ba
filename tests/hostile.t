#!/usr/bin/env bash
# hostile.t - issue 12: the main process runs no plugin code.  A plugin that
# exits, crashes, loops or prints in its constructor or its init() fails its
# own checks with the reason; every other check reports as usual, the exit
# code still says a check failed, the TAP stream is clean and valid, a stop
# signal still works, and no process is left.  The main process never maps a
# plugin; a zygote that dies while checks run fails just those checks.
source "$(dirname "$0")/lib.sh"

ini h.ini <<EOF
[opscheck]
plugin_path = $TEST_PLUGINS
timeout = 3s
[check hostile]
plugin = tp_hostile
[check broken]
plugin = tp
mode = fail
[check fine]
plugin = tp
EOF

# mode : what the hostile check's message must say ("" = it passes)
cases=(
  "ctor-exit:plugin tp_hostile: exited 0 while loading"
  "ctor-segv:plugin tp_hostile: killed by SIGSEGV while loading"
  "ctor-loop:plugin tp_hostile: still loading after 10 s"
  "ctor-print:"
  "init-exit:plugin tp_hostile: exited 0 while loading or in init"
  "init-segv:plugin tp_hostile: killed by SIGSEGV while loading or in init"
  "init-loop:plugin tp_hostile: still loading or in init after 3s"
  "init-print:"
)
for c in "${cases[@]}"; do
  mode=${c%%:*} want=${c#*:}
  TP_HOSTILE=$mode timeout -k 2 30 "$OPSCHECK" run -c "$T/h.ini" >"$T/out" 2>"$T/err" </dev/null
  RC=$?; OUT=$(cat "$T/out"); ERR=$(cat "$T/err")
  is "$RC" 1 "$mode: exit 1 (a check failed), not the plugin's exit code or a signal"
  if [ -n "$want" ]; then
    like "$OUT" '^not ok 1 - hostile$' "$mode: the hostile plugin's check fails"
    like "$OUT" "message: \"$want" "$mode: with the reason"
  else
    like "$OUT" '^ok 1 - hostile$' "$mode: stray output while loading changes nothing"
  fi
  like "$OUT" '^not ok 2 - broken$' "$mode: the other plugin's failing check still fails"
  like "$OUT" '^ok 3 - fine$' "$mode: and its passing check still passes"
  unlike "$OUT$ERR" 'HOSTILE' "$mode: nothing the plugin printed reaches stdout or stderr"
  tap_valid "$OUT" "$mode: valid TAP"
done

# a hang while loading does not make SIGTERM wait
# (bounded from outside: a run that ignores SIGTERM fails the test, never hangs it)
TP_HOSTILE=ctor-loop timeout -k 2 15 "$OPSCHECK" run -c "$T/h.ini" >"$T/out" 2>"$T/err" </dev/null &
pid=$!
sleep 1
kill -TERM $pid
start=$(date +%s%N)
wait $pid; rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
is "$rc" 143 "SIGTERM while a constructor loops: exit 143"
like "$(cat "$T/out")" '^Bail out! interrupted' "and the stream ends in Bail out!"
ok "$([ $ms -lt 2000 ]; echo $?)" "without waiting for the loading deadline ($ms ms)"
TP_HOSTILE=init-loop timeout -k 2 15 "$OPSCHECK" run -c "$T/h.ini" >"$T/out" 2>"$T/err" </dev/null &
pid=$!
sleep 1
kill -TERM $pid
wait $pid; rc=$?
is "$rc" 143 "SIGTERM while init loops: exit 143"
sleep 0.2
is "$(pgrep -c -f "$T/h.ini")" 0 "no process of those runs is left (main, zygote or attempt)"

# validate and plugins say what is wrong with a plugin that breaks while loading
TP_HOSTILE=ctor-segv run_oc validate -c "$T/h.ini"
is "$RC" 2 "validate: a plugin that crashes while loading is an error"
like "$ERR" "h.ini:5: plugin tp_hostile: killed by SIGSEGV while loading" "validate names file:line and the reason"
TP_HOSTILE=ctor-exit OPSCHECK_PLUGIN_PATH=$TEST_PLUGINS run_oc plugins tp_hostile
is "$RC" 2 "plugins NAME: exit 2 for a plugin that exits while loading"
like "$ERR" "plugin tp_hostile: exited 0 while loading" "plugins NAME says why"

# the main process maps no plugin: checks run in the plugin's zygote
ini slow.ini <<EOF
[opscheck]
plugin_path = $TEST_PLUGINS
[check slow]
plugin = tp
sleep = 2s
EOF
"$OPSCHECK" run -c "$T/slow.ini" >"$T/out" 2>"$T/err" </dev/null &
pid=$!
sleep 0.7
maps=$(cat "/proc/$pid/maps" 2>/dev/null)
kids=$(cat /proc/$pid/task/*/children 2>/dev/null)
like "$maps" 'opscheck' "the main process's memory map was read"
unlike "$maps" 'tp\.so' "the main process has not loaded the plugin"
zmaps=""
for k in $kids; do zmaps+=$(cat "/proc/$k/maps" 2>/dev/null); done
like "$zmaps" 'tp\.so' "its zygote (a child of the main process) has"
wait $pid
is "$?" 0 "and the check passes"

# a zygote killed while its checks run: those checks fail, others report
ini zk.ini <<EOF
[opscheck]
plugin_path = $TEST_PLUGINS
timeout = 10s
[check victim]
plugin = tp
sleep = 3s
[check bystander]
plugin = tp_abi1
mode = ok
EOF
"$OPSCHECK" run -c "$T/zk.ini" >"$T/out" 2>"$T/err" </dev/null &
pid=$!
sleep 0.7
for k in $(cat /proc/$pid/task/*/children 2>/dev/null); do
  grep -q 'tp\.so' "/proc/$k/maps" 2>/dev/null && kill -KILL "$k"
done
wait $pid; rc=$?
OUT=$(cat "$T/out")
is "$rc" 1 "a zygote killed mid-run: exit 1"
like "$OUT" '^not ok 1 - victim$' "its running check fails"
like "$OUT" 'message: "plugin tp: ' "saying its plugin's process went away"
like "$OUT" '^ok 2 - bystander$' "another plugin's check still passes"
tap_valid "$OUT" "valid TAP after a zygote was killed"
done_testing
