#!/usr/bin/env bash
# tests/fly.t - the fly plugin (issue 4) through ./opscheck against the
# stand-in: a healthy app, each failing fact (stopped, wrong region,
# autostop on, OOM kill, log errors), and each fault (no machines, 401,
# 404, 429/503 with Retry-After, malformed and cut JSON, connection
# refused, log page cap).  Every stream goes through tap-check, and the
# token never appears in stdout or stderr.
source "$(dirname "$0")/lib.sh"
source "$ROOT/tests/standin/standin.sh"

APP=quiz-vance-backend
ID=e784079b449483
TOKEN='fly-test-token-7f3a9c21d4'
export FLY_API_TOKEN=$TOKEN FLY_API_TOKEN_HDR="Bearer $TOKEN"

# Render the fixtures: times relative to now (tests/fixtures/fly/README.md).
cp -r "$ROOT/tests/fixtures/fly" "$T/fx"
"$ROOT/tests/fixtures/render-times" "$T/fx"

# fly_ini CHECK-NAME EXTRA-LINES : a checks.ini with one fly check against $SURL.
fly_ini() {
    cat >"$T/checks.ini" <<EOF
[opscheck]
timeout = 10s

[check $1]
plugin = fly
app = $APP
token = \${env:FLY_API_TOKEN}
api_url = $SURL
logs_url = $SURL
$2
EOF
}

# fly_run CASE CHECK EXTRA : start the stand-in on CASE's scenario, run the check.
fly_run() {
    standin_start "$T/fx/$1/scenario.json" || { ok 1 "standin starts for $1"; cat "$T/standin.err"; }
    fly_ini "$2" "$3"
    run_oc run -c "$T/checks.ini" "$2"
    standin_stop
}

# common LABEL : the stream is valid TAP and the token appears nowhere.
common() {
    tap_valid "$OUT" "$1: valid TAP 14"
    unlike "$OUT$ERR" "$TOKEN" "$1: token never shown"
}

RUNBOOK='regions = gru
autostop = off
min_machines_running = 1
concurrency_type = requests
soft_limit = 20
hard_limit = 40
memory_mb_min = 512
env.WEB_CONCURRENCY = 1
checks_passing = yes
restarts_max = 0
logs_window = 1h'

# ---- healthy: every runbook fact holds; inactive machines are left out ----
fly_run healthy fly-status "$RUNBOOK"
is "$RC" 0 "healthy: exit 0"
like "$OUT" '^ok 1 - fly-status$' "healthy: check ok"
like "$OUT" "^    ok [0-9]+ - machine $ID started in gru$" "healthy: started in gru"
like "$OUT" "^    ok [0-9]+ - machine $ID health checks passing$" "healthy: health checks"
like "$OUT" "^    ok [0-9]+ - machine $ID autostop off$" "healthy: autostop false reads as off"
like "$OUT" "^    ok [0-9]+ - machine $ID min_machines_running 1$" "healthy: min_machines_running"
like "$OUT" "^    ok [0-9]+ - machine $ID concurrency_type requests$" "healthy: concurrency type"
like "$OUT" "^    ok [0-9]+ - machine $ID soft_limit 20$" "healthy: soft_limit"
like "$OUT" "^    ok [0-9]+ - machine $ID hard_limit 40$" "healthy: hard_limit"
like "$OUT" "^    ok [0-9]+ - machine $ID memory >= 512 MB$" "healthy: memory"
like "$OUT" "^    ok [0-9]+ - machine $ID WEB_CONCURRENCY = 1$" "healthy: env"
like "$OUT" "^    ok [0-9]+ - machine $ID no OOM kill in 24h$" "healthy: the March OOM kill is outside 24h"
like "$OUT" "^    ok [0-9]+ - machine $ID restarts in 24h <= 0$" "healthy: restarts"
like "$OUT" '^    ok [0-9]+ - 1 of 1 machines started \(min 1\)$' "healthy: destroyed, release-command and console machines not counted"
unlike "$OUT" '3d8d9e1c2a7f18|91857e4f2b6d38|148e1a2b3c4d58|5683d21ae0c7e8' "healthy: no assertion about inactive machines"
like "$OUT" '^    ok [0-9]+ - logs of last 1h read completely \(3 pages, 4 lines\)$' "healthy: 3 log pages followed, the line older than 1h skipped"
like "$OUT" '^    ok [0-9]+ - logs of last 1h: 0 lines match error patterns \(max 0\)$' "healthy: no error lines"
common healthy

# A setting from the environment that validate could not see, wrong at run
# time: the check could not judge autostop, so ERROR, never a failed machine.
FLY_T_AUTOSTOP=sometimes fly_run healthy fly-status "${RUNBOOK/autostop = off/autostop = \${env:FLY_T_AUTOSTOP\}}"
is "$RC" 1 "autostop from env, not a value: exit 1"
like "$OUT" '^    not ok [0-9]+ - configuration: option autostop is off, stop or suspend$' "autostop from env, not a value: said as a configuration problem"
like "$OUT" '^  severity: "error"$' "autostop from env, not a value: the check is an ERROR (could not check), not a failed machine"
common "autostop from env"

# The Authorization header: a FlyV1 macaroon goes as given.
FLY_API_TOKEN="FlyV1 fm2_$TOKEN" FLY_API_TOKEN_HDR="FlyV1 fm2_$TOKEN" fly_run healthy fly-status ''
is "$RC" 0 "FlyV1 token: sent as given, accepted"
common "FlyV1 token"

# ---- 401: the stand-in wants another token ----
FLY_API_TOKEN_HDR="Bearer another-token" fly_run healthy fly-status ''
is "$RC" 1 "401: exit 1"
like "$OUT" '^not ok 1 - fly-status$' "401: not ok"
like "$OUT" "^  message: \"Fly API accepts the token for app $APP\"" "401: says the token was rejected"
like "$OUT" '^  seen: "HTTP 401"' "401: seen HTTP 401"
like "$OUT" '^  error: "HTTP 401 from GET http://127\.0\.0\.1:[0-9]+/v1/apps/quiz-vance-backend: token rejected' "401: error names the URL"
unlike "$OUT$ERR" 'another-token' "401: expected token not shown either"
common 401

# ---- a stopped machine ----
fly_run stopped fly-status "$RUNBOOK"
is "$RC" 1 "stopped: exit 1"
like "$OUT" "^    not ok [0-9]+ - machine $ID started in gru$" "stopped: not ok per machine"
like "$OUT" '^      seen: "stopped in gru"' "stopped: seen state"
like "$OUT" '^      expected: "started in gru"' "stopped: expected state"
like "$OUT" "^    not ok [0-9]+ - machine $ID health checks passing$" "stopped: checks not passing"
like "$OUT" '^      seen: "1 total, 0 passing, 0 warning, 1 critical"' "stopped: check counts"
like "$OUT" '^    not ok [0-9]+ - 0 of 1 machines started \(min 1\)$' "stopped: started count"
like "$OUT" "^  machine: \"$ID\"" "stopped: diag machine id"
like "$OUT" '^  state: "stopped"' "stopped: diag state"
like "$OUT" '^  region: "gru"' "stopped: diag region"
like "$OUT" '^  last_exit: "exit_code=0 oom_killed=false requested_stop=true at 20[0-9-]+T[0-9:]+Z"' "stopped: diag last exit"
like "$OUT" '^  restart_count: "0"' "stopped: diag restart count"
like "$OUT" '^  memory_mb: "512"' "stopped: diag memory"
like "$OUT" "^    ok [0-9]+ - machine $ID restarts in 24h <= 0$" "stopped: a requested stop is no restart"
unlike "$OUT" '^  machine_2:' "stopped: the machine's facts given once"
common stopped

# ---- wrong region ----
fly_run wrong-region fly-status 'regions = gru, gig'
is "$RC" 1 "wrong region: exit 1"
like "$OUT" "^    not ok [0-9]+ - machine $ID started in scl$" "wrong region: not ok"
like "$OUT" '^      expected: "started in gru or gig"' "wrong region: expected regions"
like "$OUT" '^      seen: "started in scl"' "wrong region: seen region"
like "$OUT" '^    ok [0-9]+ - 1 of 1 machines started' "wrong region: still started"
common "wrong region"

# ---- autostop on, Fly's concurrency defaults ----
fly_run autostop-on fly-status "$RUNBOOK"
is "$RC" 1 "autostop on: exit 1"
like "$OUT" "^    not ok [0-9]+ - machine $ID autostop off$" "autostop on: not ok"
like "$OUT" '^      seen: "stop"' "autostop on: true reads as stop"
like "$OUT" "^    not ok [0-9]+ - machine $ID min_machines_running 1$" "autostop on: min_machines_running omitted"
like "$OUT" "^    not ok [0-9]+ - machine $ID concurrency_type requests$" "autostop on: default type"
like "$OUT" '^      seen: "connections"' "autostop on: connections by default"
like "$OUT" "^    ok [0-9]+ - machine $ID soft_limit 20$" "autostop on: soft_limit 20 by default"
like "$OUT" "^    not ok [0-9]+ - machine $ID hard_limit 40$" "autostop on: no hard limit by default"
like "$OUT" '^      seen: "none"' "autostop on: hard limit none"
like "$OUT" "^    not ok [0-9]+ - machine $ID WEB_CONCURRENCY = 1$" "autostop on: env differs"
like "$OUT" '^      seen: "4"' "autostop on: env seen"
common "autostop on"

# ---- OOM kill an hour ago (MonitorEvent nesting, exited_at in ms) ----
fly_run oom fly-status 'restarts_max = 1'
is "$RC" 1 "oom: exit 1"
like "$OUT" "^    not ok [0-9]+ - machine $ID no OOM kill in 24h$" "oom: not ok"
like "$OUT" '^      seen: "1 OOM kill\(s\), newest exit_code=137 oom_killed=true requested_stop=false at ' "oom: seen the kill"
like "$OUT" "^    not ok [0-9]+ - machine $ID restarts in 24h <= 1$" "oom: 2 restarts"
like "$OUT" '^      seen: "2"' "oom: restart count seen"
like "$OUT" '^  restart_count: "2"' "oom: diag restart count"
like "$OUT" '^  last_exit: "exit_code=137 oom_killed=true' "oom: diag last exit"
like "$OUT" '^    restarts:$' "oom: restarts metric"
common oom
fly_run oom fly-status 'oom_window = 30m'
is "$RC" 0 "oom: outside a 30m window"
like "$OUT" "^    ok [0-9]+ - machine $ID no OOM kill in 30m$" "oom: window honoured"
common "oom 30m"

# ---- shapes flyctl and fly-go handle (issue 14; tests/standin/README.md cites the sources) ----
# A bare macaroon token goes out as "FlyV1 ..." (the stand-in answers 401 to
# anything else); a failing bg_deployments_compat fake check is ignored; an
# OOM exit 10 minutes ago whose exited_at is Go's zero time is placed by the
# event's timestamp, so "no OOM kill in 1h" fails.
MAC='fm2_lJPEtestmacaroon7d1,fm1r_testpermit9c2'
export FLY_MACAROON_HDR="FlyV1 $MAC"
FLY_API_TOKEN=$MAC fly_run flyctl-shapes fly-status 'checks_passing = yes
oom_window = 1h'
is "$RC" 1 "shapes: exit 1 (the OOM kill)"
unlike "$OUT" 'token rejected|HTTP 401' "shapes: macaroon token sent as FlyV1, accepted"
like "$OUT" "^    ok [0-9]+ - machine $ID health checks passing$" "shapes: bg_deployments_compat check ignored"
like "$OUT" "^    not ok [0-9]+ - machine $ID no OOM kill in 1h$" "shapes: zero exited_at uses the event timestamp"
like "$OUT" "^      seen: \"1 OOM kill\\(s\\), newest exit_code=137 oom_killed=true requested_stop=false at $(date -u -d "@$(($(date +%s) - 600))" +%Y-%m-%d)T" "shapes: the kill's time is today's"
tap_valid "$OUT" "shapes: valid TAP 14"
unlike "$OUT$ERR" "$MAC" "shapes: macaroon never shown"
FLY_MACAROON_HDR="Bearer $MAC" FLY_API_TOKEN=$MAC fly_run flyctl-shapes fly-status ''
like "$OUT" 'token rejected|HTTP 401' "shapes: the stand-in refuses a macaroon sent as Bearer"

# ---- log errors ----
fly_run logs-errors fly-status 'logs_window = 1h'
is "$RC" 1 "logs: exit 1"
like "$OUT" '^    not ok [0-9]+ - logs of last 1h: 4 lines match error patterns \(max 0\)$' "logs: 4 matching lines"
like "$OUT" '^  matches: "Worker failed to boot=2, HTTP 5xx=2"' "logs: count per pattern"
like "$OUT" "^  line_1: \"20[0-9-]+T[0-9:]+Z $ID gru: .*Worker failed to boot\." "logs: first line with time and instance"
like "$OUT" '^  line_2: ".*GET /api/quiz HTTP/1\.1\\" 502' "logs: access-log 502"
like "$OUT" '^  line_3: ".* 91857e4f2b6d38 gru: .*Worker failed to boot' "logs: second instance"
like "$OUT" '^  line_4: ".*GET /api/plan response\.status=502"' "logs: 502 from the entry's meta"
unlike "$OUT" '^  line_5:' "logs: only matching lines kept"
like "$OUT" '^    log_matches:$' "logs: metric"
common logs
fly_run logs-errors fly-status 'logs_window = 1h
logs_max_matches = 4'
is "$RC" 0 "logs: within logs_max_matches"
common "logs max"
fly_run logs-errors fly-status 'logs_window = 1h
logs_patterns = "Exception in worker"'
like "$OUT" '^    not ok [0-9]+ - logs of last 1h: 1 lines match error patterns' "logs: own patterns replace the defaults"
common "logs patterns"
# PCRE2 (issue 14): \d works as in grep -P; a pattern that does not compile
# is refused before the run (fly's validate hook), naming its line.
fly_run logs-errors fly-status 'logs_window = 1h
logs_patterns = "HTTP/1\.1\S* 5\d\d"'
like "$OUT" '^    not ok [0-9]+ - logs of last 1h: 1 lines match error patterns' "logs: \\d in a log pattern"
fly_run logs-errors fly-status 'logs_window = 1h
logs_patterns = "^(oops"'
is "$RC" 2 "logs: bad pattern, a config error (exit 2) before the run"
like "$ERR" "checks\.ini:11: check 'fly-status': logs_patterns: log pattern \"\^\(oops\" does not compile at offset 6: missing closing parenthesis$" "logs: bad pattern named at its line with why"
unlike "$OUT" "^(not )?ok " "logs: bad pattern, nothing ran"
unlike "$OUT$ERR" "$TOKEN" "logs bad pattern: token never shown"
fly_ini fly-status 'autostop = sometimes'
run_oc validate -c "$T/checks.ini"
is "$RC" 2 "autostop: a value Fly does not have is refused by validate"
like "$ERR" "checks\.ini:10: check 'fly-status': autostop: must be off, stop or suspend, not \"sometimes\"$" "autostop: named at its line"

# ---- empty app ----
fly_run empty fly-status ''
is "$RC" 1 "empty: exit 1"
like "$OUT" '^not ok 1 - fly-status$' "empty: not ok"
like "$OUT" "^  message: \"app $APP has active machines\"" "empty: says so"
like "$OUT" '^  seen: "no active machines \(0 listed, 0 inactive\)"' "empty: seen"
common empty

# ---- 404 ----
fly_run not-found fly-status ''
is "$RC" 1 "404: exit 1"
like "$OUT" "^  message: \"GET app: app $APP exists\"" "404: app not found"
like "$OUT" '^  seen: "HTTP 404"' "404: seen"
like "$OUT" '^  error: "HTTP 404 from GET .*: not found \(app not found\)"' "404: Fly's error text"
common 404

# ---- 429 with Retry-After: retried, then the last status ----
start=$(date +%s%N)
fly_run rate-limited fly-status 'api_retries = 1'
ms=$(( ($(date +%s%N) - start) / 1000000 ))
is "$RC" 1 "429: exit 1"
like "$OUT" '^  seen: "HTTP 429"' "429: last status"
like "$OUT" '^  error: "HTTP 429 from GET .* after 2 attempts \(rate limit exceeded\)"' "429: retried once"
like "$OUT" '^  requests: "2"' "429: two requests"
ok $(( ms >= 1000 ? 0 : 1 )) "429: waited Retry-After (${ms} ms)"
common 429
APP=quiz-vance-busy
start=$(date +%s%N)
fly_run rate-limited fly-busy 'timeout = 3s'
ms=$(( ($(date +%s%N) - start) / 1000000 ))
APP=quiz-vance-backend
is "$RC" 1 "503: exit 1"
like "$OUT" '^  error: "HTTP 503 from GET .* after 1 attempt\(s\); retry after 120s exceeds the time left"' "503: Retry-After beyond the deadline"
ok $(( ms < 2500 ? 0 : 1 )) "503: gave up at once (${ms} ms)"
common 503

# ---- malformed and cut JSON ----
fly_run malformed fly-status ''
is "$RC" 1 "malformed: exit 1"
like "$OUT" '^  message: "GET machines: Fly API answers valid JSON"' "malformed: not ok"
like "$OUT" '^  error: "malformed JSON from GET .*/machines \([0-9]+ bytes' "malformed: says where"
common malformed
APP=quiz-vance-cut
fly_run malformed fly-cut ''
APP=quiz-vance-backend
is "$RC" 1 "cut body: exit 1"
like "$OUT" '^  message: "GET app: Fly API answers"' "cut body: not ok"
like "$OUT" '^  error: "GET .*: connection closed before the whole body arrived' "cut body: says why"
common "cut body"

# ---- connection refused ----
SURL=http://127.0.0.1:1
fly_ini fly-status ''
run_oc run -c "$T/checks.ini" fly-status
is "$RC" 1 "refused: exit 1"
like "$OUT" '^  message: "GET app: Fly API answers"' "refused: not ok"
like "$OUT" '^  seen: "no answer"' "refused: no answer"
like "$OUT" '^  error: "GET http://127\.0\.0\.1:1/v1/apps/quiz-vance-backend: connection refused' "refused: says so"
common refused

# ---- log page cap ----
fly_run page-cap fly-status 'logs_window = 1h
logs_max_pages = 3'
is "$RC" 1 "page cap: exit 1"
like "$OUT" '^    not ok [0-9]+ - logs of last 1h read completely$' "page cap: not ok"
like "$OUT" '^      seen: "3 pages read, more remain \(read up to ' "page cap: seen"
like "$OUT" '^  why: "page cap reached; raise logs_max_pages \(now 3\)' "page cap: what to do"
common "page cap"

done_testing
