#!/usr/bin/env bash
# watch.t - issue 15, the two incident loops of `opscheck run`:
#   --watch [INTERVAL]: in a real terminal (tmux, 60 columns) one redrawn
#     screen whose header never wraps, a change marked (FAIL → PASS), the
#     last round's failure (details, hint) on the screen while the next round
#     runs, Ctrl-C exits with the last finished round's code and leaves no
#     process; through a pipe, plain rounds with no escape sequence, a round
#     cut by Ctrl-C discarded, --json rewritten after each round, TAP refused.
#   --until-pass [INTERVAL] --max-wait DURATION: re-runs only what failed,
#     one stderr line a round, exit 0 when green and 1 when the wait ends,
#     TAP and --json of the final state, Ctrl-C exit 130 with the reports.
source "$(dirname "$0")/lib.sh"
export LANG=C.UTF-8 LC_ALL=

# zygotes_left : how many of this test's plugin zygotes are still running.  Other tests run beside
# this one (prove -j) with the same plugins, so a zygote is ours when it carries our tag in its
# environment (zygotes are exec'd with the runner's environment).
export WATCH_T_TAG=$T
zygotes_left() {
    local n=0 p
    for p in $(pgrep -f "__opscheck-zygote [0-9]+ " 2>/dev/null); do
        tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qxF "WATCH_T_TAG=$T" && n=$((n + 1))
    done
    echo "$n"
}
# alive PIDFILE : 0 when the pid in PIDFILE is a live process (not a zombie)
alive() { local p st; p=$(cat "$1" 2>/dev/null) || return 1; st=$(ps -o stat= -p "$p" 2>/dev/null); [ -n "$st" ] && [ "${st:0:1}" != Z ]; }

ini w.ini <<EOF
[opscheck]
plugin_path = $TEST_PLUGINS
[check flip]
plugin = exec
command = test -e $T/ok
hint = touch the ok file, the flag this test sets to make the check pass: a hint long enough to be cut
[check slow]
plugin = tp
sleep = 700ms
[check forker]
plugin = tp
mode = fork
state_file = $T/fork.pid
EOF

# --- usage: the loops' options together, one line each, saying what is wrong
while IFS='|' read -r args want; do
  # shellcheck disable=SC2086
  run_oc run -c "$T/w.ini" $args
  is "$RC" 2 "usage error: run $args"
  is "$(printf '%s\n' "$ERR" | wc -l)" 1 "one line: run $args"
  like "$ERR" "^opscheck: $want" "it says why: run $args"
done <<USAGE
--max-wait 3s|--max-wait is how long --until-pass waits: give --until-pass too$
--until-pass|--until-pass needs --max-wait DURATION
--watch --until-pass 1s --max-wait 3s|--watch and --until-pass are two loops: pick one$
--watch --format tap|--watch draws its screen on stdout: --format tap cannot share it
--watch --tap $T/x.tap|--watch takes no --tap: a TAP stream is one run
--watch --json -|--watch draws its screen on stdout: --json - cannot share it
USAGE
run_oc run -c "$T/w.ini" --watch 0s
like "$ERR" "^opscheck: --watch takes an interval of at least 100ms \\(10s, 1m\\), not '0s'" "--watch 0s: a usage error naming the interval"
run_oc run -c "$T/w.ini" --until-pass=soon --max-wait 3s
like "$ERR" "^opscheck: --until-pass takes an interval of at least 100ms \\(10s, 1m\\), not 'soon'" "--until-pass=soon: a usage error"

# --- --watch through a pipe: plain rounds, no escape sequences
"$OPSCHECK" run -c "$T/w.ini" --watch 300ms --json "$T/w.json" >"$T/p.out" 2>"$T/p.err" &
pid=$!
for _ in $(seq 50); do grep -q 'round 2 ' "$T/p.out" 2>/dev/null && break; sleep 0.1; done
like "$(cat "$T/p.out")" '^Every 300ms: opscheck run -c .*w\.ini --watch 300ms --json .*  round 1  [0-9:]{8}  next [0-9:]{8}$' \
  "pipe: each round starts with a header (command, round, time, next run)"
grep -q '"name":	"flip"' "$T/w.json" && grep -A6 '"name":	"flip"' "$T/w.json" | grep -q '"status":	"fail"'
ok $? "--watch --json: the report of a finished round is written (flip failed)"
touch "$T/ok"
for _ in $(seq 50); do grep -q 'FAIL → PASS' "$T/p.out" 2>/dev/null && break; sleep 0.1; done
like "$(cat "$T/p.out")" '^  PASS  flip +[0-9.]+s  FAIL → PASS$' "pipe: the change since the previous round is marked"
# between rounds (and after them) nothing of a round is left
sleep 0.2
kill -INT $pid; wait $pid; rc=$?
is "$rc" 0 "pipe: Ctrl-C exits with the last finished round's code (all passed: 0)"
out=$(cat "$T/p.out")
ok "$([ "$(grep -c '^Every 300ms: ' <<<"$out")" -ge 3 ] && ! grep -q $'\e' <<<"$out" && echo 0 || echo 1)" \
  "pipe: three rounds or more, as plain lines with no escape sequence"
like "$out" '^3 passed, 0 warned, 0 failed, 0 errored, 0 skipped in' "pipe: each round ends with its counts"
grep -A6 '"name":	"flip"' "$T/w.json" | grep -q '"status":	"pass"'
ok $? "--watch --json: rewritten after each round (flip passes now)"
like "$(cat "$T/p.err")" '^opscheck: stopped by SIGINT, exit 0 \(round [0-9]+\)$' "pipe: says why it stopped and which round's code it exits with"
sleep 0.2
ok "$([ -s "$T/fork.pid" ] && ! alive "$T/fork.pid" && echo 0 || echo 1)" "a check forked a child each round; none survives the loop"
ok "$([ -s "$T/w.json" ] && [ "$(zygotes_left)" = 0 ] && echo 0 || echo 1)" "no zygote survives the loop"
rm -f "$T/fork.pid"
rm -f "$T/ok"

# --- --watch -q: only what needs attention, and what just recovered
"$OPSCHECK" run -c "$T/w.ini" --watch 300ms -q >"$T/qq.out" 2>/dev/null &
pid=$!
for _ in $(seq 50); do grep -q 'in [0-9.]*s$' "$T/qq.out" 2>/dev/null && break; sleep 0.1; done
touch "$T/ok"
for _ in $(seq 50); do grep -q 'FAIL → PASS' "$T/qq.out" 2>/dev/null && break; sleep 0.1; done
sleep 0.5
kill -INT $pid; wait $pid
qq=$(cat "$T/qq.out")
like "$qq" '^  FAIL  flip' "-q: the failure is shown"
like "$qq" '^  PASS  flip +[0-9.]+s  FAIL → PASS$' "-q: a check that just recovered is shown"
is "$(grep -c '^  PASS  flip' <<<"$qq")" 1 "-q: once; in the rounds after, a passing check is not"
unlike "$qq" '^  PASS  slow' "-q: a check that keeps passing is not shown"
rm -f "$T/ok" "$T/fork.pid"

: a long interval, looked at while it waits
"$OPSCHECK" run -c "$T/w.ini" --watch 3s >"$T/q.out" 2>"$T/q.err" &
pid=$!
for _ in $(seq 50); do grep -q 'in [0-9.]*s$' "$T/q.out" 2>/dev/null && break; sleep 0.1; done
sleep 0.5
ok "$([ -s "$T/fork.pid" ] && ! alive "$T/fork.pid" && echo 0 || echo 1)" "between rounds: the round's forked child is gone"
ok "$(grep -q '^[0-9] passed' "$T/q.out" && [ "$(zygotes_left)" = 0 ] && echo 0 || echo 1)" \
  "between rounds (round 1 drawn): no zygote waits"
rm -f "$T/fork.pid"
kill -INT $pid; wait $pid; rc=$?
is "$rc" 1 "Ctrl-C while waiting: the last round's exit code (flip failed: 1)"

# --- a round cut by Ctrl-C is discarded: the exit code and screen are the last finished round's
"$OPSCHECK" run -c "$T/w.ini" --watch 100ms >"$T/c.out" 2>"$T/c.err" &
pid=$!
for _ in $(seq 50); do grep -q 'in [0-9.]*s$' "$T/c.out" 2>/dev/null && break; sleep 0.1; done
sleep 0.4 # round 2 is under way (its slow check takes 0.7 s)
touch "$T/ok" # round 2 would pass flip
kill -INT $pid; wait $pid; rc=$?
is "$rc" 1 "Ctrl-C during a round: that round is discarded, exit 1 from round 1"
is "$(grep -c 'round [0-9]*  ' "$T/c.out")" 1 "the cut round is not drawn"
like "$(cat "$T/c.err")" '^opscheck: stopped by SIGINT, exit 1 \(round 1\)$' "and it says so"
rm -f "$T/ok"

# --- --until-pass: starts passing in round 3
ini u.ini <<EOF
[opscheck]
plugin_path = $TEST_PLUGINS
[check base]
plugin = tp
state_file = $T/base.n
mode = flaky
fail_until = 2
[check top]
plugin = tp
needs = base
[check steady]
plugin = tp
mode = flaky
state_file = $T/steady.n
fail_until = 0
EOF
run_oc run -c "$T/u.ini" --until-pass 1s --max-wait 5s --json "$T/u.json"
is "$RC" 0 "--until-pass: green by round 3, exit 0"
rounds=$(printf '%s\n' "$ERR" | grep -c '^until-pass: round ')
is "$rounds" 3 "--until-pass: one stderr line a round (3 rounds)"
like "$ERR" '^until-pass: round 1, [0-9.]+s: 1 of 3 still failing: base; next round in 1s$' "round 1: what still fails, and when the next round is"
like "$ERR" '^until-pass: round 3, [0-9.]+s: all 3 pass$' "round 3: all pass"
is "$(cat "$T/steady.n")" 1 "--until-pass: a check that passed is not run again"
is "$(printf '%s\n' "$OUT" | grep -c '^ok ')" 3 "the TAP describes every check, each with its latest result (all ok)"
like "$OUT" '^1\.\.3$' "the TAP plans every selected check"
tap_valid "$OUT" "--until-pass: valid TAP"
grep -q '"passed":	3' "$T/u.json" && grep -q '"message":	"attempt 3 passed"' "$T/u.json"
ok $? "--json describes the final round (base: attempt 3 passed; 3 passed)"
grep -A4 '"name":	"top"' "$T/u.json" | grep -q '"status":	"pass"'
ok $? "--json: a check skipped while its need failed was run again and passed"

# --- --until-pass: never passes, the wait ends
ini n.ini <<EOF
[opscheck]
plugin_path = $TEST_PLUGINS
[check never]
plugin = tp
mode = fail
message = still broken
[check fine]
plugin = tp
EOF
t0=$(date +%s%N)
run_oc run -c "$T/n.ini" --until-pass 1s --max-wait 3s --json "$T/n.json"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
is "$RC" 1 "--until-pass: not green when --max-wait ends: exit 1"
ok "$([ "$ms" -ge 2900 ] && [ "$ms" -lt 6000 ] && echo 0 || echo 1)" "it waited about --max-wait (took ${ms} ms)"
like "$ERR" '^until-pass: round [0-9]+, [0-9.]+s: 1 of 2 still failing: never; --max-wait 3s is over$' "the last line says the wait is over"
rounds=$(printf '%s\n' "$ERR" | grep -c '^until-pass: round ')
is "$rounds" 4 "a round every second, the last when the wait ends (0, 1, 2, 3 s)"
like "$OUT" '^not ok 1 - never' "TAP: the failing check, latest result"
like "$OUT" '^ok 2 - fine' "TAP: the passing one is still described"
tap_valid "$OUT" "--until-pass, not green: valid TAP"
grep -A4 '"name":	"never"' "$T/n.json" | grep -q '"status":	"fail"'
ok $? "--json: the final state (never: fail)"

# --- --until-pass: Ctrl-C stops waiting, exit 130, reports written
"$OPSCHECK" run -c "$T/n.ini" --until-pass 1s --max-wait 30s --json "$T/i.json" >"$T/i.out" 2>"$T/i.err" &
pid=$!
for _ in $(seq 50); do grep -q 'round 1' "$T/i.err" 2>/dev/null && break; sleep 0.1; done
sleep 0.3
kill -INT $pid; wait $pid; rc=$?
is "$rc" 130 "--until-pass: Ctrl-C exits 130"
like "$(cat "$T/i.err")" '^until-pass: stopped by SIGINT after round 1' "it says it stopped waiting"
grep -q '"interrupted_signal":	"SIGINT"' "$T/i.json" && grep -A4 '"name":	"never"' "$T/i.json" | grep -q '"status":	"fail"'
ok $? "--json still written: the latest state, interrupted by SIGINT"
tap_valid "$(cat "$T/i.out")" "Ctrl-C: valid TAP"
ok "$([ -s "$T/i.json" ] && [ "$(zygotes_left)" = 0 ] && echo 0 || echo 1)" "no zygote survives --until-pass"

# --- --watch in a real terminal (tmux, 60 columns)
if ! command -v tmux >/dev/null 2>&1; then ok 1 "tmux is installed (scripts/install-deps)"; done_testing; exit; fi
S="oc-watch-$$"
export TMUX_TMPDIR="$T"
for _ in 1 2 3; do
  tmux -u -f /dev/null new-session -d -s "$S" -x 60 -y 30 "bash --norc --noprofile" 2>/dev/null && break
  sleep 0.5
done
tmux has-session -t "$S" 2>/dev/null
ok $? "a tmux session runs (60 columns)"
trap 'tmux kill-server 2>/dev/null; rm -rf "$T"' EXIT
screen() { tmux capture-pane -p -t "$S"; }
wait_for() { local i; for i in $(seq 1 $(( ${2:-10} * 10 ))); do screen | grep -Eq -- "$1" && return 0; sleep 0.1; done; return 1; }
# the shell must be up before a ^C can reach it (one that comes first kills it): see terminal.t
tmux send-keys -t "$S" "echo tmux-shell-ready" Enter
wait_for '^tmux-shell-ready$' 20
ok $? "the shell in the pane is ready"
rm -f "$T/fork.pid" "$T/ok"
tmux send-keys -t "$S" "cd '$T' && TERM=xterm '$OPSCHECK' run -c w.ini --watch 1s --color=never; echo \"done\$((0)) rc=\$?\"" Enter
wait_for '^Every 1s: .*round 1 ' 10
ok $? "the first round is drawn"
s1=$(screen)
like "$s1" '^  FAIL  flip' "round 1: flip fails"
like "$s1" '^        hint: touch the ok file, the flag' "round 1: the failure's hint is shown"
wide=$(tmux capture-pane -p -J -t "$S" | awk 'length > 59' | wc -l)
is "$wide" 0 "round 1: every line is cut to the pane's width (none wraps, -J joins wrapped lines)"
head1=$(printf '%s\n' "$s1" | grep -E '^Every 1s: ')
like "$head1" '^Every 1s: opscheck run.*\.\.\. +round 1  [0-9:]{8}  next [0-9:]{8}$' "the header is cut with ... and keeps round, time and next run"
ok "$([ -n "$head1" ] && [ ${#head1} -le 59 ] && echo 0 || echo 1)" "the header fits the 60-column pane (${#head1} columns)"
# while round 2 runs (its slow check takes 0.7 s), round 1's failure stays on the screen
gone=0
for _ in $(seq 30); do
  s=$(screen)
  printf '%s\n' "$s" | grep -q 'round 2 ' && break
  printf '%s\n' "$s" | grep -q 'hint: touch the ok file' || gone=1
  sleep 0.05
done
is "$gone" 0 "until round 2 is drawn, round 1's failure and hint stay on the screen"
touch "$T/ok"
wait_for '^  PASS  flip .*FAIL → PASS$' 6
ok $? "a redraw marks flip FAIL → PASS"
s2=$(screen)
is "$(printf '%s\n' "$s2" | grep -c '^Every 1s: ')" 1 "one screen: one header after the redraw"
wide=$(tmux capture-pane -p -J -t "$S" | awk 'length > 59' | wc -l)
ok "$([ "$wide" = 0 ] && grep -q '^Every 1s: ' <<<"$s2" && echo 0 || echo 1)" "no line of the redrawn screen is wider than the 60-column pane"
tmux send-keys -t "$S" C-c
wait_for '^done0 rc=' 10
after=$(screen)
like "$after" '^done0 rc=0$' "Ctrl-C: exit 0, the last finished round's code"
like "$after" '^  PASS  flip' "Ctrl-C: the last screen stays readable"
like "$after" '^opscheck: stopped by SIGINT, exit 0 \(round [0-9]+\)$' "Ctrl-C: it says which round's code it exits with"
sleep 0.2
ok "$([ -s "$T/fork.pid" ] && ! alive "$T/fork.pid" && echo 0 || echo 1)" "Ctrl-C: no check's child survives"
ok "$([ -s "$T/fork.pid" ] && [ "$(zygotes_left)" = 0 ] && echo 0 || echo 1)" "Ctrl-C: no zygote survives"

# --- a -v screen taller than the pane: the passing checks' details go first,
# the failure and its hint stay, the header is the first line, before and after Ctrl-C
{ printf '[opscheck]\nplugin_path = %s\n[check flip]\nplugin = exec\ncommand = test -e %s/never\nhint = touch the never file\n' \
    "$TEST_PLUGINS" "$T"
  for i in $(seq -w 1 20); do printf '[check fine-%s]\nplugin = tp\n' "$i"; done; } >"$T/tall.ini"
tmux send-keys -t "$S" "clear; cd '$T' && TERM=xterm '$OPSCHECK' run -c tall.ini -v --watch 1s --color=always; echo \"done\$((1)) rc=\$?\"" Enter
wait_for '^Every 1s: .*round 2 ' 10
tall=$(screen)
is "$(printf '%s\n' "$tall" | head -1 | grep -Ec '^Every 1s: .*round 2 ')" 1 "-v, taller than the pane: the header is the first line"
like "$tall" '^        hint: touch the never file$' "-v, taller than the pane: the failure's hint is on the screen"
unlike "$tall" '^        all good$' "-v, taller than the pane: the passing checks' details were left out"
like "$tall" '^  PASS  fine-20 ' "-v, taller than the pane: every check's line fits"
tmux send-keys -t "$S" C-c
wait_for '^done1 rc=' 10
tall=$(screen)
like "$tall" '^done1 rc=1$' "Ctrl-C: exit 1, the last round's code"
is "$(printf '%s\n' "$tall" | head -1 | grep -Ec '^Every 1s: ')" 1 "after Ctrl-C the header is still the first line"
like "$tall" '^opscheck: stopped by SIGINT, exit 1 \(round [0-9]+\)$' "the stop line replaces the terminal's ^C"
done_testing
