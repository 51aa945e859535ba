#!/usr/bin/env bash
# tests/http-health.t - the http-health plugin end to end against the
# stand-in (issue 3): passing checks, every fault an operator must see as a
# clear not ok (refused, unresolvable, timeout, trickle, TLS self-signed /
# wrong name / expired, 5xx, bad JSON, missing key, body too large,
# redirect), latency and availability bounds, secrets never printed.
# Every stream also goes through the strict TAP checker.
source "$(dirname "$0")/lib.sh"
source "$ROOT/tests/standin/standin.sh"

export APP_BACKEND_SECRET=hh-t-Secret-7f3a9c1e5b2d4a6f8e0c
SECRET_RE='hh-t-Secret-7f3a9c1e5b2d4a6f8e0c'

cat >"$T/scenario.json" <<'JSON'
{ "routes": [
  { "path": "/health", "body_file": "health.json",
    "headers": {"Content-Type": "application/json", "Cache-Control": "no-store"} },
  { "path": "/down", "status": 503, "body": {"status": "down", "db": "down"} },
  { "path": "/notjson", "body": "<html>oops</html>", "headers": {"Content-Type": "text/html"} },
  { "path": "/nodb", "body": {"status": "ok"} },
  { "path": "/slow", "delay_ms": 5000, "body": {"status": "ok"} },
  { "path": "/d300", "delay_ms": 300, "body": {"status": "ok"} },
  { "path": "/trickle", "body_mib": 1, "trickle_bps": 2000 },
  { "path": "/big", "body_mib": 2 },
  { "path": "/old", "redirect": "/health" },
  { "path": "/flaky", "fail_rate": 1.0, "fail_status": 502, "body": {"status": "ok"} },
  { "method": "POST", "path": "/echo", "status": 201, "body": {"created": true} },
  { "path": "/secure", "expect_header": {"name": "X-App-Secret", "value_env": "APP_BACKEND_SECRET"},
    "body": {"status": "ok", "who": "smoke"} }
]}
JSON
cp "$ROOT/tests/fixtures/backend/health.json" "$T/health.json" # body_file: beside the scenario
standin_start "$T/scenario.json"
ok $? "stand-in up on port $SPORT"
U=$SURL

# TLS: a trusted-by-ca_file cert, one for another name, an expired one.
tls_dir=$T/tls
mkdir -p "$tls_dir"
(
    cd "$tls_dir" || exit 1
    san="subjectAltName=DNS:localhost,IP:127.0.0.1"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout good.key -out good.pem -days 30 \
        -subj /CN=localhost -addext "$san"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout wrong.key -out wrong.pem -days 30 \
        -subj /CN=wrong.example -addext "subjectAltName=DNS:wrong.example"
    # openssl 3.0 has no -not_after for req/x509: self-sign through `openssl ca`,
    # which takes explicit start and end dates in the past.
    openssl req -newkey rsa:2048 -nodes -keyout old.key -out old.csr -subj /CN=localhost -addext "$san"
    printf '[ca]\ndefault_ca=d\n[d]\ndatabase=index.txt\nnew_certs_dir=.\nserial=serial\ndefault_md=sha256\npolicy=p\ncopy_extensions=copy\nunique_subject=no\n[p]\ncommonName=supplied\n' >ca.cnf
    : >index.txt; echo 01 >serial
    openssl ca -batch -config ca.cnf -selfsign -keyfile old.key -in old.csr -out old.pem -notext \
        -startdate 20200101000000Z -enddate 20200201000000Z
) >"$T/openssl.log" 2>&1
ok $? "test certificates made with openssl"
standin_start "$T/scenario.json" --tls-cert "$tls_dir/good.pem" --tls-key "$tls_dir/good.key"; TLS_GOOD=$SPORT
standin_start "$T/scenario.json" --tls-cert "$tls_dir/wrong.pem" --tls-key "$tls_dir/wrong.key"; TLS_WRONG=$SPORT
standin_start "$T/scenario.json" --tls-cert "$tls_dir/old.pem" --tls-key "$tls_dir/old.key"; TLS_OLD=$SPORT

ini checks.ini <<EOF
[opscheck]
plugin_path = $ROOT/plugins
timeout = 3s

[check health]
plugin = http-health
description = runbook 2.2: /health answers 200 with the expected JSON
url = $U/health
expect_status = 200
expect_json = /status == "ok"
expect_json = /db != "down"
expect_json = /queue < 100
expect_json = /version exists
expect_body = "region":"gru"
expect_header = Content-Type: ^application/json
samples = 5
p50_max = 300ms
p95_max = 1s
latency_max = 2s

[check sla]
plugin = http-health
url = $U/d300
samples = 8
concurrency = 8
availability_min = 99%
p50_max = 100ms

[check refused]
plugin = http-health
url = http://127.0.0.1:1/health

[check unresolvable]
plugin = http-health
url = http://quiz-backend.invalid/health

[check timeout]
plugin = http-health
url = $U/slow
timeout = 1s

[check trickle]
plugin = http-health
url = $U/trickle
timeout = 1s
max_body = 2MiB

[check down]
plugin = http-health
url = $U/down
expect_json = /status == "ok"

[check notjson]
plugin = http-health
url = $U/notjson
expect_json = /status == "ok"

[check nodb]
plugin = http-health
url = $U/nodb
expect_json = /status == "ok"
expect_json = /db != "down"

[check big]
plugin = http-health
url = $U/big

[check redirect]
plugin = http-health
url = $U/old

[check redirect_followed]
plugin = http-health
url = $U/old
follow_redirects = yes
expect_json = /status == "ok"

[check flaky]
plugin = http-health
url = $U/flaky
samples = 4
availability_min = 50%

[check post]
plugin = http-health
url = $U/echo
method = POST
body = {"ping": 1}
header.Content-Type = application/json
expect_status = 201
expect_json = /created == true

[check secure]
plugin = http-health
url = $U/secure
header.X-App-Secret = \${env:APP_BACKEND_SECRET}
expect_json = /who == "smoke"

[check secure_wrong]
plugin = http-health
url = $U/secure
header.X-App-Secret = \${env:APP_BACKEND_SECRET}-not
expect_json = /who == "smoke"

[check tls_ok]
plugin = http-health
url = https://127.0.0.1:$TLS_GOOD/health
ca_file = $tls_dir/good.pem
cert_days_min = 14

[check tls_soon]
plugin = http-health
url = https://127.0.0.1:$TLS_GOOD/health
ca_file = $tls_dir/good.pem
cert_days_min = 60

[check tls_selfsigned]
plugin = http-health
url = https://127.0.0.1:$TLS_GOOD/health

[check tls_noverify]
plugin = http-health
url = https://127.0.0.1:$TLS_GOOD/health
tls_verify = no

[check tls_wrongname]
plugin = http-health
url = https://127.0.0.1:$TLS_WRONG/health
ca_file = $tls_dir/wrong.pem

[check tls_expired]
plugin = http-health
url = https://127.0.0.1:$TLS_OLD/health
ca_file = $tls_dir/old.pem
cert_days_min = 14

[check perlre]
plugin = http-health
url = $U/health
expect_body = "version":"\d+\.\d+\.\d+"
expect_header = Content-Type: (?i)^APPLICATION/JSON\b
expect_json = /region =~ \bgru\b

[check perlre_miss]
plugin = http-health
url = $U/health
expect_body = "uptime_s":\d{6}
EOF

# check NAME [opscheck args]: run one check, validate the stream, time it.
check() {
    local name=$1 start
    shift
    start=$(date +%s%N)
    run_oc run -c "$T/checks.ini" "$@" "$name"
    MS=$(( ($(date +%s%N) - start) / 1000000 ))
    tap_valid "$OUT" "$name: valid TAP 14"
}

check health -v
is "$RC" 0 "health: exit 0"
like "$OUT" '^ok 1 - health$' "health: ok"
like "$OUT" '^    ok [0-9]+ - status matches 200 on all 5 samples' "health: status subtest"
like "$OUT" '^    ok [0-9]+ - json /queue < 100' "health: json rule subtest"
like "$OUT" '^    ok [0-9]+ - body matches' "health: body regex"
like "$OUT" '^    ok [0-9]+ - header Content-Type: \^application/json' "health: header regex"
like "$OUT" '^    ok [0-9]+ - p50 [0-9.]+ ms <= 300 ms' "health: p50 bound"
like "$OUT" '^    latency_p95:' "health: latency_p95 metric"
like "$OUT" '^    availability:' "health: availability metric"

check sla
is "$RC" 1 "sla: exit 1"
like "$OUT" '^    ok [0-9]+ - availability 100.0% \(8 of 8 samples up\) >= 99%' "sla: availability holds"
like "$OUT" '^    not ok [0-9]+ - p50 [0-9.]+ ms, expected <= 100 ms' "sla: p50 over its bound"
like "$OUT" '^      expected: "<= 100 ms"' "sla: expected"
like "$OUT" '^  phases: "dns [0-9.]+ ms, connect [0-9.]+ ms, tls [0-9.]+ ms, first_byte [0-9.]+ ms, total [0-9.]+ ms"' "sla: phase times"
ok $(( MS < 1500 ? 0 : 1 )) "sla: 8 samples of 300 ms in parallel took ${MS} ms"

check refused
is "$RC" 1 "refused: exit 1"
like "$OUT" '^not ok 1 - refused' "refused: not ok"
like "$OUT" '^  message: "connection refused: Failed to connect to 127.0.0.1 port 1' "refused: message"
like "$OUT" '^  expected: "a complete answer with status 2xx"' "refused: expected"
like "$OUT" '^  url: "http://127.0.0.1:1/health"' "refused: url diag"
like "$OUT" '^  status: "no HTTP answer"' "refused: status diag"

check unresolvable
is "$RC" 1 "unresolvable: exit 1"
like "$OUT" '^  message: "cannot resolve host' "unresolvable: message"
ok $(( MS < 2000 ? 0 : 1 )) "unresolvable: fails at once (${MS} ms)"

check timeout
is "$RC" 1 "timeout: exit 1"
like "$OUT" '^  message: "timeout after [0-9]+ ms' "timeout: message"
ok $(( MS < 2500 ? 0 : 1 )) "timeout: within the 1s check timeout (${MS} ms)"

check trickle
is "$RC" 1 "trickle: exit 1"
like "$OUT" '^  message: "status 200, then timeout after [0-9]+ ms' "trickle: body cut by the deadline"
ok $(( MS < 2500 ? 0 : 1 )) "trickle: does not hang (${MS} ms)"

check down
is "$RC" 1 "down: exit 1"
like "$OUT" '^    not ok 1 - status 503; expected status 2xx' "down: status 503"
like "$OUT" '^    not ok 2 - json /status == "ok": seen "down"' "down: json rule on the 503 body"
like "$OUT" '^  body: "\{\\"status\\":\\"down\\"' "down: body excerpt"

check notjson
is "$RC" 1 "notjson: exit 1"
like "$OUT" '^    ok 1 - status 200 matches 2xx' "notjson: status fine"
like "$OUT" '^    not ok 2 - json /status == "ok": seen body is not JSON' "notjson: not JSON"
like "$OUT" '^  body: "<html>oops</html>"' "notjson: body shown"

check nodb
is "$RC" 1 "nodb: exit 1"
like "$OUT" '^    ok 2 - json /status == "ok"' "nodb: present key holds"
like "$OUT" '^    not ok 3 - json /db != "down": seen missing' "nodb: missing key fails, even for !="

check big
is "$RC" 1 "big: exit 1"
like "$OUT" '^  message: "status 200, then body larger than max_body \(1048576 bytes\)' "big: over max_body"

check redirect
is "$RC" 1 "redirect: exit 1"
like "$OUT" '^  message: "status 302, redirect to /health \(follow_redirects is off\); expected status 2xx"' "redirect: says so"
like "$OUT" '^  location: "/health"' "redirect: location diag"

check redirect_followed
is "$RC" 0 "redirect_followed: follow_redirects = yes passes"

check flaky
is "$RC" 1 "flaky: exit 1"
like "$OUT" '^  message: "availability 0.0% \(0 of 4 samples up\), expected >= 50%; first failure: status 502"' "flaky: availability"
like "$OUT" '^  failed_samples: "#1: status 502; #2: status 502; #3: status 502; #4: status 502"' "flaky: failed samples listed"

check post
is "$RC" 0 "post: POST with a body and expect_status 201"

check secure -v
is "$RC" 0 "secure: the secret header from env is accepted"
unlike "$OUT$ERR" "$SECRET_RE" "secure: the secret is not in stdout or stderr"
check secure_wrong -v
is "$RC" 1 "secure_wrong: a wrong secret is refused"
like "$OUT" 'status 403; expected status 2xx' "secure_wrong: 403"
unlike "$OUT$ERR" "$SECRET_RE" "secure_wrong: the secret is not in stdout or stderr"

check tls_ok -v
is "$RC" 0 "tls_ok: verified with ca_file"
like "$OUT" '^    ok 2 - certificate (29|30)\.[0-9] days left, >= 14 days left' "tls_ok: certificate days"
like "$OUT" '^    cert_days_left:' "tls_ok: cert_days_left metric"

check tls_soon
is "$RC" 1 "tls_soon: exit 1"
like "$OUT" '^    not ok 2 - certificate (29|30)\.[0-9] days left, expected >= 60 days left' "tls_soon: too few days"
like "$OUT" '^  cert_expiry: "20[0-9-]+T' "tls_soon: cert_expiry diag"

check tls_selfsigned
is "$RC" 1 "tls_selfsigned: exit 1"
like "$OUT" '^  message: "TLS verification failed: .*self.signed' "tls_selfsigned: message"
like "$OUT" '^  cert_expiry: ".*\(read without verification\)"' "tls_selfsigned: expiry read anyway"

check tls_noverify -v
is "$RC" 0 "tls_noverify: passes with a warning (exit 0)"
like "$OUT" 'TLS verification is off \(tls_verify = no\)' "tls_noverify: warns"

check tls_wrongname
is "$RC" 1 "tls_wrongname: exit 1"
like "$OUT" '^  message: "TLS verification failed: .*(name|127\.0\.0\.1)' "tls_wrongname: name mismatch"

check tls_expired
is "$RC" 1 "tls_expired: exit 1"
like "$OUT" '^    not ok 1 - TLS verification failed: .*expired' "tls_expired: status says expired"
like "$OUT" '^    not ok 2 - certificate not trusted .*days left \(expired\)' "tls_expired: certificate assertion"
like "$OUT" '^  cert_expiry: "2020-02-01T00:00:00Z \(read without verification\)"' "tls_expired: expiry date"

# Regexes are PCRE2 (issue 14): \d, \b and (?i) work as in grep -P; a
# pattern that does not compile is named before the run (below).
check perlre
is "$RC" 0 "perlre: exit 0"
like "$OUT" '^    ok [0-9]+ - body matches' "perlre: \\d in expect_body"
like "$OUT" '^    ok [0-9]+ - header Content-Type: \(\?i\)' "perlre: (?i) in expect_header"
like "$OUT" '^    ok [0-9]+ - json /region =~' "perlre: \\b in =~"
check perlre_miss
is "$RC" 1 "perlre_miss: exit 1 (\\d{6} does not match 86400)"
# Rules only http-health understands are judged before the run, by its
# validate hook (issue 14): `validate` and `run` name the line, exit 2, and
# nothing runs; rules and patterns that compile (checks.ini) pass.
run_oc validate -c "$T/checks.ini"
is "$RC" 0 "validate: the good rules and patterns pass"
ini bad.ini <<EOF
[opscheck]
plugin_path = $ROOT/plugins
[check badrule]
plugin = http-health
url = $U/health
expect_json = status == ok
[check badregex]
plugin = http-health
url = $U/health
expect_body = ^(unclosed
expect_header = Content-Type: json
expect_header = X-Trace: [a-
EOF
for cmd in validate run; do
    run_oc $cmd -c "$T/bad.ini"
    is "$RC" 2 "bad rules: $cmd exits 2"
    like "$ERR" "bad\.ini:6: check 'badrule': expect_json \"status == ok\": must start with a JSON Pointer" "bad rule: $cmd names the rule's line"
    like "$ERR" "bad\.ini:10: check 'badregex': expect_body: pattern \"\^\(unclosed\" does not compile at offset 10: missing closing parenthesis$" "bad regex: $cmd names file:line, the pattern and why"
    like "$ERR" "bad\.ini:12: check 'badregex': expect_header \"X-Trace: \[a-\": pattern \"\[a-\" does not compile" "bad regex: $cmd names the line of the second expect_header"
    unlike "$ERR" "bad\.ini:11:" "bad regex: $cmd does not blame the good expect_header"
done
unlike "$OUT" "^(not )?ok " "bad rules: run ran nothing"
# A pattern from the environment cannot be judged before the run: at run
# time it is still an ERROR naming it, not a failed endpoint.
printf '[opscheck]\nplugin_path = %s\n[check envregex]\nplugin = http-health\nurl = %s/health\nexpect_body = ${env:HH_PATTERN}\n' \
    "$ROOT/plugins" "$U" > "$T/envre.ini"
HH_PATTERN='^(unclosed' run_oc run -c "$T/envre.ini"
is "$RC" 1 "badregex from env: exit 1"
like "$OUT" '^  severity: "error"' "badregex from env: an ERROR, not a failure"
like "$OUT" '^  message: "configuration: expect_body: pattern \\"\^\(unclosed\\" does not compile at offset 10: missing closing parenthesis"' "badregex from env: names the pattern and why"
# Any other setting it cannot use, from the environment, is an ERROR too.
printf '[opscheck]\nplugin_path = %s\n[check envconc]\nplugin = http-health\nurl = %s/health\nsamples = 4\nconcurrency = ${env:HH_CONC}\n' \
    "$ROOT/plugins" "$U" > "$T/envconc.ini"
HH_CONC=999 run_oc run -c "$T/envconc.ini"
is "$RC" 1 "concurrency from env out of range: exit 1"
like "$OUT" '^  severity: "error"' "concurrency from env out of range: an ERROR, not a failed endpoint"
like "$OUT" '^  message: "configuration: concurrency must be between 1 and 256"' "concurrency from env out of range: says why"

# Everything at once: the whole file in parallel, still valid TAP, no hang.
start=$(date +%s%N)
run_oc run -c "$T/checks.ini" -j 8
ms=$(( ($(date +%s%N) - start) / 1000000 ))
tap_valid "$OUT" "all checks: valid TAP 14"
like "$OUT" '^1\.\.24$' "all checks: plan"
ok $(( ms < 8000 ? 0 : 1 )) "all checks: done in ${ms} ms"
unlike "$OUT$ERR" "$SECRET_RE" "all checks: the secret is nowhere"

done_testing
