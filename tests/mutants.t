#!/usr/bin/env bash
# mutants.t - every deliberately broken variant in tests/mutants/ still
# applies to today's code (`make test-mutants`, run by CI, builds each and
# requires the suite to catch it): a stale patch is found here, in every
# `make test`, not only when CI runs the mutants.
source "$(dirname "$0")/lib.sh"
n=0
for p in "$ROOT"/tests/mutants/*.patch; do
  n=$((n + 1))
  name=$(basename "$p" .patch)
  log=$(cd "$ROOT" && patch -p1 --dry-run --fuzz=0 -s <"$p" 2>&1)
  ok $? "mutant $name still applies to the code it breaks"
  [ -z "$log" ] || diag "$log"
  grep -q '^# tests: tests/' "$p"
  ok $? "mutant $name names the test files that must catch it"
done
ok "$([ $n -ge 4 ]; echo $?)" "there are mutants to apply ($n)"
done_testing
