#!/usr/bin/env bash
# valgrind.t - memcheck over the runner: no invalid access and no leak in
# opscheck itself across the isolation cases (crash, hang, flood, retries,
# needs, secrets) and a full runbook run against the sandbox.  Children are
# forked checks; their own exits are not the runner's leaks (silenced).
source "$(dirname "$0")/lib.sh"

if grep -q fsanitize "$ROOT/.build-flags" 2>/dev/null; then
  # a skip, not a pass: nothing was checked in this run
  echo "1..0 # SKIP a SAN=1 build: valgrind and ASan do not mix; the plain run of the suite covers this"
  exit 0
fi
command -v valgrind >/dev/null || { ok 1 "valgrind is installed (scripts/install-deps)"; done_testing; exit; }

vg() { # vg NAME ARGS... : opscheck under memcheck; its own log is $T/NAME.vg.main
  # Memcheck follows the forked processes too (plugin probes, zygotes,
  # attempts); they are silent and their exit codes are theirs.  The
  # runner's errors and leaks are read from the runner's own log.
  local name=$1; shift
  rm -f "$T/$name".vg.*
  valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect \
    --errors-for-leak-kinds=definite,indirect --child-silent-after-fork=yes \
    --log-file="$T/$name.vg.%p" "$OPSCHECK" "$@" >"$T/$name.out" 2>"$T/$name.err" </dev/null &
  local pid=$! rc
  wait $pid; rc=$?
  mv "$T/$name.vg.$pid" "$T/$name.vg.main" 2>/dev/null
  return $rc
}
check_vg() { # check_vg RC LOG RC-WANTED LABEL
  local rc=$1 name=$2 want=$3 label=$4
  is "$rc" "$want" "$label: exit code $want under memcheck"
  like "$(cat "$T/$name.vg.main" 2>/dev/null)" 'ERROR SUMMARY: 0 errors' "$label: no invalid read, write or leak in the runner"
  [ $rc -eq "$want" ] || diag "$(head -5 "$T/$name.err")"
}

ini iso.ini <<EOF
[opscheck]
plugin_path = $TEST_PLUGINS
timeout = 5s
[check ok]
plugin = tp
[check fail]
plugin = tp
mode = fail
hint = see {url}
[check multi]
plugin = tp
mode = multi
[check segv]
plugin = tp
mode = segv
[check hang]
plugin = tp
mode = hang
timeout = 1s
[check flood]
plugin = tp
mode = flood
[check noresult]
plugin = tp
mode = noresult
[check flaky]
plugin = tp
mode = flaky
fail_until = 1
retries = 1
retry_delay = 10ms
state_file = $T/flaky
[check later]
plugin = tp
needs = fail
[check secret]
plugin = tp
mode = secret
token = \${env:VG_TOKEN}
EOF
export VG_TOKEN=vg-secret-value-123
vg iso run -c "$T/iso.ini" -j 4 -v --junit "$T/iso.xml" --json "$T/iso.json" --prometheus "$T/iso.prom"
check_vg $? iso 1 "isolation cases"
vg validate validate -c "$ROOT/checks.ini"
check_vg $? validate 0 "validate checks.ini"
printf '[check a]\nplugin = tp\ntimout = 1\n[checklist l]\nchecks = a b\n' > "$T/bad.ini"
vg bad validate -c "$T/bad.ini"
check_vg $? bad 2 "config errors"
vg plugins plugins --markdown
check_vg $? plugins 0 "plugins --markdown"

if [ -n "${OPSCHECK_BACKEND_URL:-}" ]; then
  vg runbook run -c "$ROOT/checks.ini" -c "$ROOT/sandbox.ini" daily billing backup rotation --format pretty
  check_vg $? runbook 1 "the runbook against the sandbox"
fi
done_testing
