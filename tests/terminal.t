#!/usr/bin/env bash
# terminal.t - issue 15, the operator's terminal, in a real one: opscheck runs
# inside tmux (60 and 120 columns) and the test reads the screen with
# capture-pane.  Results stream in completion order (a fast failure is on the
# screen while a slow check still runs), the progress line never wraps and
# leaves no trace, a crashed check's last stderr lines are shown, Ctrl-C
# prints what finished and what did not (exit 130), control sequences from a
# plugin are shown escaped, TERM=dumb and --color=never get no colour, and a
# config error prints no TAP on the terminal.
source "$(dirname "$0")/lib.sh"

command -v tmux >/dev/null 2>&1 || { ok 1 "tmux is installed (scripts/install-deps)"; done_testing; exit; }
S="oc-term-$$"
export TMUX_TMPDIR="$T"        # a tmux server of our own, gone with $T
for _ in 1 2 3; do # a server that loses a start-up race is started again
  tmux -f /dev/null new-session -d -s "$S" -x 60 -y 30 "bash --norc --noprofile" 2>/dev/null && break
  sleep 0.5
done
tmux has-session -t "$S" 2>/dev/null
ok $? "a tmux session runs (60 columns)"
trap 'tmux kill-server 2>/dev/null; rm -rf "$T"' EXIT
screen() { tmux capture-pane -p -t "$S" ${1:+"$1"}; }
send() { tmux send-keys -t "$S" "$@"; }
# wait_for ERE [SECONDS] : until the screen shows ERE
wait_for() {
  local i
  for i in $(seq 1 $(( ${2:-10} * 10 ))); do screen | grep -Eq -- "$1" && return 0; sleep 0.1; done
  return 1
}
RUN_N=0
prompt_run() { # prompt_run CMD : clear the pane, run CMD, then print "rc=CODE" marked with a run number
  RUN_N=$((RUN_N + 1))
  # The clear must have happened before CMD runs, or the screen still holds
  # the run before (a line typed just after ^C can be lost while bash's
  # readline recovers from it): wait for its marker, typing it again if lost.
  local try
  send C-c
  for try in 1 2 3 4 5; do
    send "clear; tmux clear-history; echo \"cleared\$(($RUN_N+0))\"" Enter
    wait_for "^cleared$RUN_N\$" 2 && break
  done
  # typed as run$((N+0)): the echo of the typed line never matches ^runN rc=
  send "$1; echo \"run\$(($RUN_N+0)) rc=\$?\"" Enter
}
done_rc() { wait_for "^run$RUN_N rc=" "${1:-10}"; }
# The shell must be up before the first key: a ^C that reaches bash before it
# has set up its interactive signal handling kills it, and the session (and
# the tmux server) with it.  Typed-ahead text waits in the pty; ^C does not.
send "echo tmux-shell-ready" Enter
wait_for '^tmux-shell-ready$' 20
ok $? "the shell in the pane is ready"

ini t.ini <<EOF
[opscheck]
plugin_path = $TEST_PLUGINS
timeout = 20s
[check slow-sla-latency-check-with-a-long-name-indeed]
plugin = tp
sleep = 3s
[check crashing]
plugin = tp
mode = crashtalk
message = the last words before the crash
[check fine]
plugin = tp
EOF

# --- completion order, progress, stderr tail: at 60 columns
prompt_run "cd '$T' && TERM=xterm '$OPSCHECK' run -c t.ini"
wait_for '^  (FAIL|ERROR) +crashing' 2
ok $? "the crashed check is on the screen within 2 s, while the 3-second one still runs (completion order)"
sleep 1.3 # the progress line appears after a second
during=$(screen)
like "$during" '^\[2/3\] [0-9.]+s running: slow-sla' "the progress line counts the finished checks (2 of 3) and names the running one"
done_rc
after=$(screen)
like "$after" "^run$RUN_N rc=1$" "exit 1"
like "$after" '^  ERROR +crashing' "the crash is an ERROR"
like "$after" '\| the last words before the crash$' "the crash's last stderr line is shown under it"
unlike "$after" '\| step 1 of 8 done' "only the last lines (bounded)"
like "$after" '^  PASS +slow-sla-latency-\.\.\..{8} +[0-9.]+s$' "a long name is cut in the middle; the duration column stays"
unlike "$after" '^\[[0-9]+/[0-9]+\]' "no progress line is left behind"
wide=$(printf '%s\n' "$after" | awk 'length > 60' | wc -l)
is "$wide" 0 "no line is wider than the 60-column pane"
order=$(printf '%s\n' "$after" | grep -oE '^  [A-Z]+ +[a-z-]+' | awk '{print $2}' | tr '\n' ' ')
like "$order" '^crashing fine slow-sla|^fine crashing slow-sla' "the slow check comes last: completion order"

# --- Ctrl-C: what finished is shown, then what did not, exit 130
prompt_run "cd '$T' && TERM=xterm '$OPSCHECK' run -c t.ini"
wait_for '^  (FAIL|ERROR) +crashing' 5
sleep 0.3
send C-c
done_rc
intr=$(screen)
like "$intr" "^run$RUN_N rc=130$" "Ctrl-C: exit 130"
like "$intr" '^  ERROR +crashing' "Ctrl-C: the finished failure is still on the screen"
like "$(printf '%s\n' "$intr" | tr -d '\n')" 'interrupted after [0-9.]+s: 1 check did not finish \(slow-sla-latency-check-with-a-long-name-indeed\)' \
  "Ctrl-C: how long it ran and which check did not finish"
unlike "$intr" 'interrupted: interrupted' "not 'interrupted: interrupted'"

# --- control sequences from a plugin are shown, not obeyed; TERM=dumb: no colour
printf '[opscheck]\nplugin_path = %s\n[check esc]\nplugin = tp\nmode = fail\nmessage = title\033]0;PWNED\007 clear\033[2J end\n' \
  "$TEST_PLUGINS" >"$T/esc.ini"
tmux resize-window -t "$S" -x 120 -y 30 2>/dev/null || true
prompt_run "cd '$T' && TERM=xterm '$OPSCHECK' run -c esc.ini --color=always"
done_rc
esc=$(screen)
like "$esc" 'title\\x1b\]0;PWNED\\x07 clear\\x1b\[2J end' "escape sequences are shown escaped (\\x1b), not sent to the terminal"
unlike "$(tmux display-message -p -t "$S" '#{pane_title}')" 'PWNED' "the pane's title was not changed"
colored=$(tmux capture-pane -p -e -t "$S")
like "$colored" '31mFAIL' "--color=always: FAIL in red"
prompt_run "cd '$T' && TERM=dumb '$OPSCHECK' run -c esc.ini --format pretty"
done_rc
dumb=$(tmux capture-pane -p -e -t "$S")
like "$dumb" 'FAIL +esc' "TERM=dumb: the FAIL line is there"
unlike "$dumb" '31mFAIL' "TERM=dumb: no colour"
prompt_run "cd '$T' && TERM=xterm '$OPSCHECK' run -c esc.ini --color=never"
done_rc
never=$(tmux capture-pane -p -e -t "$S")
like "$never" 'FAIL +esc' "--color=never: the FAIL line is there"
unlike "$never" '31mFAIL' "--color=never: no colour"

# --- a config error on a terminal: one line on stderr, no TAP
printf '[check broken\n' >"$T/bad.ini"
prompt_run "cd '$T' && '$OPSCHECK' run -c bad.ini"
done_rc
bad=$(screen)
like "$bad" "^run$RUN_N rc=2$" "a config error: exit 2"
unlike "$bad" 'TAP version|Bail out!' "a config error prints no TAP on the terminal"
like "$bad" 'bad\.ini:1' "it names file:line"
done_testing
