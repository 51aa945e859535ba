#!/usr/bin/env bash
# tapcheck.t - the suite's own TAP validator, tests/tools/tap-check, on streams whose verdict is known:
#   tests/fixtures/tap/good/pass-*.tap  exit 0 (valid, passing)
#   tests/fixtures/tap/good/fail-*.tap  exit 1 (valid, a test failed or bailed out)
#   tests/fixtures/tap/bad/*.tap        exit 2 (not valid), a reason on stderr naming a line, the
#                                       one tests/fixtures/tap/bad.reasons expects for that file
#   tests/fixtures/tap/bad/contract-*   valid TAP 14 that breaks opscheck's producer contract:
#                                       exit 2 by default, 0 or 1 with --tap14
# then on real opscheck streams, passing and failing.  A new fixture is a new test: drop a file in.
source "$(dirname "$0")/lib.sh"
CHECK=$ROOT/tests/tools/tap-check
FIX=$ROOT/tests/fixtures/tap

# verdict [--tap14] FILE : tap-check's exit code; its stderr in $T/why
verdict() { "$CHECK" "$@" 2>"$T/why" >/dev/null; echo $?; }
# is_why GOT WANT NAME : is, showing tap-check's reasons when it fails
is_why() { local before=$_failed; is "$@"; [ $_failed -eq $before ] || sed 's/^/#   /' "$T/why"; }

for f in "$FIX"/good/*.tap; do
    n=$(basename "$f")
    case $n in pass-*) want=0 ;; fail-*) want=1 ;; *) ok 1 "good/$n: name it pass-* or fail-*"; continue ;; esac
    is_why "$(verdict "$f")" $want "good/$n: exit $want"
done

for f in "$FIX"/bad/*.tap; do
    n=$(basename "$f")
    is_why "$(verdict "$f")" 2 "bad/$n: exit 2"
    like "$(head -1 "$T/why")" '^tap-check: line [0-9]+: ' "bad/$n: the first reason names a line"
    why=$(awk -v n="$n" '$1 == n { sub(/^[^ ]+ +/, ""); print; exit }' "$FIX/bad.reasons")
    if [ -n "$why" ]; then like "$(cat "$T/why")" "$why" "bad/$n: rejected for its own rule"
    else ok 1 "bad/$n: listed in bad.reasons with what tap-check must say"; fi
    case $n in contract-*)
        rc=$(verdict --tap14 "$f")
        is_why "$([ "$rc" -le 1 ] && echo valid)" valid "bad/$n: valid TAP 14 all the same (--tap14 exit $rc)" ;;
    esac
done

# Every rule has at least one bad stream: a rule nobody breaks is a rule nobody tests.
for rule in empty version subtest yaml plan number utf8 non-tap contract-crlf contract-unescaped-hash \
            contract-yaml contract-out-of-order; do
    compgen -G "$FIX/bad/$rule*.tap" >/dev/null; ok $? "a bad stream for the rule '$rule'"
done

# Input from stdin, and what the validator says when it cannot work.
is "$(verdict - <"$FIX/good/pass-minimal.tap")" 0 "reads stdin with -"
is "$(verdict - <"$FIX/bad/plan-missing.tap")" 2 "and rejects from stdin too"
is "$(verdict "$T/no-such-file")" 3 "an unreadable file: exit 3"
mkdir -p "$T/empty-cache"
is "$(OPSCHECK_NPM_CACHE=$T/empty-cache verdict "$FIX/good/pass-minimal.tap")" 3 "tap-parser missing: exit 3"
like "$(cat "$T/why")" 'install-deps' "and it says what to run"

# Real opscheck streams: all passing, and a mix of failing, crashing, skipped and subtests.
hdr="[opscheck]
plugin_path = $TEST_PLUGINS
timeout = 3s"
ini checks.ini <<EOF
$hdr
[check ok]
plugin = tp
description = passes
[check fail]
plugin = tp
mode = fail
[check multi]
plugin = tp
mode = multi
[check segv]
plugin = tp
mode = segv
[check skip]
plugin = tp
mode = skip
[check warn]
plugin = tp
mode = warn
[check issue#42]
plugin = tp
[checklist green]
checks = ok warn skip
EOF
run_oc run -c "$T/checks.ini" green
printf '%s\n' "$OUT" >"$T/green.tap"
is "$RC" 0 "opscheck: the green checklist passes"
is_why "$(verdict "$T/green.tap")" 0 "opscheck's passing stream: exit 0"
run_oc run -c "$T/checks.ini"
printf '%s\n' "$OUT" >"$T/all.tap"
is "$RC" 1 "opscheck: the full run fails"
like "$OUT" '^    # Subtest: multi$' "the full run has a subtest"
is_why "$(verdict "$T/all.tap")" 1 "opscheck's failing stream (YAML, subtest, crash, skip): exit 1"
run_oc run -c "$T/checks.ini" -v
printf '%s\n' "$OUT" >"$T/verbose.tap"
is_why "$(verdict "$T/verbose.tap")" 1 "opscheck's verbose stream (YAML on every check): exit 1"

# And the same stream, broken, is caught: the real stream is what keeps the rules honest.
sed '2d' "$T/green.tap" >"$T/noplan.tap"
is "$(verdict "$T/noplan.tap")" 2 "opscheck's stream without its plan: exit 2"
sed 's/^    # Subtest: multi$/    # Subtest: other/' "$T/all.tap" >"$T/renamed.tap"
is "$(verdict "$T/renamed.tap")" 2 "opscheck's stream with a subtest renamed: exit 2"

done_testing
