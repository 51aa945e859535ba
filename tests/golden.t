#!/usr/bin/env bash
# golden.t - whole outputs, byte for byte.  For each case under tests/golden/
# (isolation: every way the core can end a check; demo: `make demo`'s run on
# a sandbox of its own), tests/golden/produce runs opscheck once and
# normalises what varies between runs (tests/golden/normalise); the TAP,
# JUnit, JSON, Prometheus, stderr and exit code must equal the kept
# expected.* files.  A difference is shown as `diff -u`.  After a change
# meant to alter the output: scripts/golden-refresh (make golden-refresh).
source "$(dirname "$0")/lib.sh"
G=$ROOT/tests/golden
files="expected.tap expected.junit.xml expected.json expected.prom expected.stderr expected.exit"

# compare CASE DIR LABEL : every kept file of CASE against DIR's
compare() {
    local f
    for f in $files; do
        if cmp -s "$G/$1/$f" "$2/$f"; then ok 0 "$3: $f is as kept"; else
            ok 1 "$3: $f is as kept"
            diff -u "$G/$1/$f" "$2/$f" | head -80 | sed 's/^/#   /'
            diag "  (if the change is meant: scripts/golden-refresh)"
        fi
    done
}

# produce CASE DIR ARGS... : run the case; its own errors become diagnostics
produce() {
    if ! "$G/produce" "$@" >"$T/produce.log" 2>&1; then
        ok 1 "tests/golden/produce $*"; sed 's/^/#   /' "$T/produce.log"; return 1
    fi
}

produce isolation "$T/isolation"
compare isolation "$T/isolation" isolation
tap_valid "$(cat "$T/isolation/raw/stdout.tap")" "isolation: the TAP stream is valid TAP 14"
# One check at a time must give the same bytes: order never depends on
# which check finishes first.
produce isolation "$T/isolation-j1" -j 1
compare isolation "$T/isolation-j1" "isolation -j 1"

if [ -x "$ROOT/tests/standin/standin" ] && [ -x /usr/lib/postgresql/15/bin/initdb ]; then
    produce demo "$T/demo"
    compare demo "$T/demo" demo
    tap_valid "$(cat "$T/demo/raw/stdout.tap")" "demo: the TAP stream is valid TAP 14"
else
    ok 1 "the demo case needs the stand-in (make test-build) and PostgreSQL 15 (scripts/install-deps)"
fi
done_testing
