#!/usr/bin/env bash
# tests/standin.t - the stand-in HTTP server serves what its scenario says
# (issue 3): routes, query and prefix matching, bodies, redirects,
# expect_header, delays in parallel, dropped and trickled bodies, filler,
# injected failures, bad scenario files, clean stop.
source "$(dirname "$0")/lib.sh"
source "$ROOT/tests/standin/standin.sh"

mkdir -p "$T/fx"
printf '{"from":"file"}' >"$T/fx/health.json"
cat >"$T/scenario.json" <<'JSON'
{ "comment": "standin.t",
  "routes": [
  { "path": "/health", "headers": {"X-Test": "yes"}, "body_file": "fx/health.json" },
  { "path": "/page", "query": {"next_token": "abc"}, "body": "{\"page\":2}" },
  { "path": "/page", "body": "{\"page\":1}" },
  { "method": "POST", "path": "/submit", "status": 201, "body": {"created": true} },
  { "method": "*", "path_prefix": "/any/", "status": 202, "body": "any" },
  { "path": "/old", "redirect": "/health" },
  { "path": "/secret", "expect_header": {"name": "X-App-Secret", "value_env": "STANDIN_T_SECRET"}, "body": "in" },
  { "path": "/literal", "expect_header": {"name": "X-Key", "value": "k1", "status": 401}, "body": "in" },
  { "path": "/slow", "delay_ms": 200, "body": "late" },
  { "path": "/drop", "body": "0123456789abcdefghij", "drop_after_bytes": 5 },
  { "path": "/trickle", "body": "0123456789", "trickle_bps": 20 },
  { "path": "/big", "body_mib": 2 },
  { "path": "/flaky", "fail_rate": 1.0, "fail_status": 503, "body": "never" }
]}
JSON

export STANDIN_T_SECRET=s3cr3t-value
standin_start "$T/scenario.json" --port-file "$T/port"
ok $? "standin starts and prints its port"
is "$(cat "$T/port" 2>/dev/null)" "$SPORT" "--port-file holds the same port"

get() { curl -s -m 10 -o "$T/body" -D "$T/head" -w '%{http_code}' "$@"; }

is "$(get "$SURL/health")" 200 "GET /health is 200"
is "$(cat "$T/body")" '{"from":"file"}' "body_file is read relative to the scenario"
like "$(cat "$T/head")" '^X-Test: yes' "route headers are sent"
like "$(cat "$T/head")" '^Content-Type: application/json' "JSON content type by default"
is "$(get "$SURL/nothing")" 404 "unknown path is 404"
is "$(cat "$T/body")" '{"error":"not found"}' "404 body is JSON"
is "$(get -X POST "$SURL/health")" 404 "method must match"
is "$(get "$SURL/page?next_token=abc")" 200 "query route matches"
is "$(cat "$T/body")" '{"page":2}' "the route with the query wins"
is "$(get "$SURL/page?next_token=zzz")" 200 "other query falls through"
is "$(cat "$T/body")" '{"page":1}' "to the next route"
is "$(get -X POST -d 'x=1' "$SURL/submit")" 201 "POST route answers its status"
is "$(cat "$T/body")" '{"created":true}' "inline JSON body"
is "$(get -X DELETE "$SURL/any/thing")" 202 "method * and path_prefix"
is "$(get "$SURL/old")" 302 "redirect answers 302"
like "$(cat "$T/head")" '^Location: /health' "with Location"

is "$(get "$SURL/secret")" 403 "expect_header: missing header is 403"
is "$(get -H 'X-App-Secret: wrong' "$SURL/secret")" 403 "expect_header: wrong value is 403"
is "$(get -H 'X-App-Secret: s3cr3t-value' "$SURL/secret")" 200 "expect_header: value from env is 200"
is "$(get -H 'X-Key: k1' "$SURL/literal")" 200 "expect_header: literal value"
is "$(get "$SURL/literal")" 401 "expect_header: its own status"

start=$(date +%s%N)
pids=()
for i in $(seq 1 64); do curl -s -m 10 -o /dev/null "$SURL/slow" & pids+=($!); done
wait "${pids[@]}"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
ok $(( ms >= 200 && ms < 1500 ? 0 : 1 )) "64 parallel clients each delayed 200 ms served in ${ms} ms"

curl -s -m 10 -o "$T/body" "$SURL/drop"
is "$?" 18 "drop_after_bytes: curl sees a partial body (exit 18)"
is "$(cat "$T/body")" "01234" "only the first 5 bytes arrive"

start=$(date +%s%N)
is "$(get "$SURL/trickle")" 200 "trickle answers"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
ok $(( ms >= 300 ? 0 : 1 )) "10 bytes at 20 B/s take a while (${ms} ms)"
is "$(cat "$T/body")" "0123456789" "trickled body is whole"
curl -s -m 0.3 -o /dev/null "$SURL/trickle"
is "$?" 28 "a client with a short timeout gives up on the trickle"

is "$(curl -s -m 20 -o /dev/null -w '%{size_download}' "$SURL/big")" 2097152 "body_mib 2 sends 2 MiB"
is "$(get "$SURL/flaky")" 503 "fail_rate 1.0 answers fail_status"

start=$(date +%s%N)
kill "$SPID"; wait "$SPID"; rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
is "$rc" 0 "SIGTERM: exit 0"
ok $(( ms < 2000 ? 0 : 1 )) "and promptly (${ms} ms)"

# A trickle in progress does not hold up SIGTERM.
standin_start "$T/scenario.json"
curl -s -m 10 -o /dev/null "$SURL/trickle" & cpid=$!
sleep 0.2
start=$(date +%s%N)
kill "$SPID"; wait "$SPID"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
ok $(( ms < 1000 ? 0 : 1 )) "SIGTERM during a trickle stops within a second (${ms} ms)"
wait $cpid 2>/dev/null

# Bad scenario files: one line naming the file and the problem, exit 2.
bad() { # NAME JSON ERE
    printf '%s' "$2" >"$T/bad.json"
    "$STANDIN" --scenario "$T/bad.json" --port 0 >"$T/bad.out" 2>"$T/bad.err"
    local rc=$?
    is "$rc" 2 "$1: exit 2"
    like "$(cat "$T/bad.err")" "^standin: $T/bad.json: $3" "$1: message"
    is "$(wc -l <"$T/bad.err")" 1 "$1: one line"
}
bad "not JSON" '{"routes": [' 'line 1: not valid JSON'
bad "no routes" '{"rutes": []}' 'rutes: unknown key'
bad "unknown route key" '{"routes": [{"path": "/a", "stauts": 200}]}' 'routes\[0\]\.stauts: unknown key'
bad "bad status" '{"routes": [{"path": "/a"}, {"path": "/b", "status": 999}]}' 'routes\[1\]\.status: must be an integer'
bad "no path" '{"routes": [{"status": 200}]}' 'routes\[0\]\.path: needs exactly one of path and path_prefix'
bad "missing body_file" '{"routes": [{"path": "/a", "body_file": "nope.json"}]}' 'routes\[0\]\.body_file: cannot read'
bad "fail_rate" '{"routes": [{"path": "/a", "fail_rate": 2}]}' 'routes\[0\]\.fail_rate: must be a number'
bad "unknown role" '{"routes": [{"path": "/a", "role": "nope"}]}' 'routes\[0\]\.role: unknown role'
"$STANDIN" --scenario "$T/absent.json" 2>"$T/bad.err" >/dev/null
is "$?" 2 "missing scenario file: exit 2"
like "$(cat "$T/bad.err")" "absent.json: cannot read" "missing scenario file: message"

done_testing
