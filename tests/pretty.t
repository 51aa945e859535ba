#!/usr/bin/env bash
# pretty.t - the terminal format: one line per check with status and
# duration, failure details and the hint under it, colours only on a
# terminal and never with NO_COLOR, a progress line while checks run long.
source "$(dirname "$0")/lib.sh"

ini checks.ini <<EOF
[opscheck]
plugin_path = $TEST_PLUGINS
[check up]
plugin = tp
[check down]
plugin = tp
mode = fail
hint = flyctl machine restart 148e
[check later]
plugin = tp
needs = down
[check slow]
plugin = tp
sleep = 1500ms
EOF

run_oc run -c "$T/checks.ini" --format pretty up down later
is "$RC" 1 "exit code as with TAP"
like "$OUT" '^  PASS  up +[0-9]+\.[0-9]{2}s$' "a passing check: status, name, duration"
like "$OUT" '^  FAIL  down +[0-9]+\.[0-9]{2}s$' "a failing check"
like "$OUT" '^        it broke$' "its message under it"
like "$OUT" '^        expected: 200$' "what was expected"
like "$OUT" '^        seen: 503$' "what was seen"
like "$OUT" '^        hint: flyctl machine restart 148e$' "the runbook's next step"
like "$OUT" '^  SKIP  later +needs down \(failed\)$' "a skipped check says why"
unlike "$OUT" $'\e\\[' "no colour when stdout is not a terminal"
unlike "$OUT" '^(TAP version|ok|not ok)' "no TAP in the terminal format"
like "$ERR" '^1 passed, 0 warned, 1 failed, 0 errored, 1 skipped in' "the summary last, on stderr"

run_oc run -c "$T/checks.ini" up
like "$OUT" '^TAP version 14$' "TAP when stdout is not a terminal"

# a real terminal: script(1) gives the program a pty
if command -v script >/dev/null; then
  script -qec "$OPSCHECK run -c $T/checks.ini up down" /dev/null >"$T/tty.out" 2>&1
  like "$(cat "$T/tty.out")" $'\e\\[32mPASS\e\\[0m  up' "on a terminal: pretty is the default, PASS in green"
  like "$(cat "$T/tty.out")" $'\e\\[1;31mFAIL' "FAIL in red"
  NO_COLOR=1 script -qec "$OPSCHECK run -c $T/checks.ini up" /dev/null >"$T/nocolor.out" 2>&1
  like "$(cat "$T/nocolor.out")" '  PASS  up' "NO_COLOR: still pretty"
  unlike "$(cat "$T/nocolor.out")" $'\e\\[3' "NO_COLOR: no colour"
  script -qec "$OPSCHECK run -c $T/checks.ini slow" /dev/null >"$T/progress.out" 2>&1
  like "$(cat "$T/progress.out")" '\[0/1\] 1\.[0-9]s running: slow' "a progress line while a check runs for more than a second"
  script -qec "$OPSCHECK run -c $T/checks.ini --format tap up" /dev/null >"$T/forced.out" 2>&1
  like "$(cat "$T/forced.out")" 'TAP version 14' "--format tap forces TAP on a terminal"
else
  diag "script(1) missing: terminal assertions not run"; ok 1 "script(1) is installed (util-linux)"
fi
done_testing
