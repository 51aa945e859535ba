#!/usr/bin/env bash
# tests/mp-webhook.t - the mp-webhook plugin (issue 5): the receiver's
# records in a real PostgreSQL (the sandbox's; a scratch database of its
# own) and the synthetic signed notification against the stand-in's
# Mercado Pago receiver role (which verifies x-signature itself).  Faults:
# delivery rate below min_rate, a recent payment.updated not answered 200,
# silence, database down, missing table, receiver down, a receiver too
# slow, one that refuses a correct signature, one that accepts a bad
# signature (a security failure).  Issue 14: ts in seconds under the SDKs'
# freshness rule, a delivery's headers and body, probes marked and left out
# of the records they are judged by (the receiver records them, run twice),
# data.id casing as the SDKs sign it.  Secrets never printed; every stream
# through the strict TAP checker.
source "$(dirname "$0")/lib.sh"
source "$ROOT/tests/standin/standin.sh"
source "$ROOT/tests/fixtures/billing/db.sh"
db_need

export MP_WEBHOOK_SECRET='mw-t-Secret-3c9e1a7b5d2f4e6a8b0c'
export MW_WRONG_SECRET='mw-t-Secret-wrong-000000000000'
SECRET_RE='mw-t-Secret|mw-t-Pass'

db_scratch
ok $? "scratch database $DB with schema and seed"
export MW_DSN="postgresql://$PGUSER:mw-t-Pass-1@$PGHOST:$PGPORT/$DB" # the sandbox trusts; the password is only for the grep

cat >"$T/mp.json" <<'JSON'
{ "routes": [
  { "method": "POST", "path": "/webhooks/mercadopago", "role": "mp_webhook", "secret_env": "MP_WEBHOOK_SECRET" },
  { "method": "POST", "path": "/webhooks/created", "role": "mp_webhook", "secret_env": "MP_WEBHOOK_SECRET", "status": 201 },
  { "method": "POST", "path": "/webhooks/slow", "role": "mp_webhook", "secret_env": "MP_WEBHOOK_SECRET", "delay_ms": 3000 },
  { "method": "POST", "path": "/webhooks/open", "role": "mp_webhook", "accept_any": true },
  { "method": "POST", "path": "/webhooks/broken", "status": 500, "body": {"error": "db_down"} },
  { "method": "POST", "path": "/webhooks/nofresh", "role": "mp_webhook", "secret_env": "MP_WEBHOOK_SECRET", "tolerance_s": 0 },
  { "method": "POST", "path": "/webhooks/lower", "role": "mp_webhook", "secret_env": "MP_WEBHOOK_SECRET", "lowercase_id": true },
  { "method": "POST", "path": "/webhooks/typed", "role": "mp_webhook", "secret_env": "MP_WEBHOOK_SECRET", "strict_body": true,
    "expect_header": {"name": "User-Agent", "value": "MercadoPago WebHook v1.0 payment", "status": 403} },
  { "method": "POST", "path": "/webhooks/recorded", "role": "mp_webhook", "secret_env": "MP_WEBHOOK_SECRET", "record_dsn_env": "MW_DSN" }
]}
JSON
standin_start "$T/mp.json"
ok $? "stand-in Mercado Pago receiver up on port $SPORT"
U=$SURL

# The receiver role itself: no signature, a forged one.
code=$(curl -s -o "$T/r.json" -w '%{http_code}' -X POST "$U/webhooks/mercadopago?data.id=1&type=payment" -d '{}')
is "$code" 401 "receiver role: an unsigned notification gets 401"
like "$(cat "$T/r.json")" '"reason":"missing"' "receiver role: says the signature is missing"
code=$(curl -s -o "$T/r.json" -w '%{http_code}' -X POST -H 'x-request-id: r1' \
    -H 'x-signature: ts=1742505638683,v1=ced36ab6d33566bb1e16c125819b8d840d6b8ef136b0b9127c76064466f5229b' \
    "$U/webhooks/mercadopago?data.id=123456&type=payment" -d '{}')
is "$code" 401 "receiver role: a signature made with another secret gets 401"
like "$(cat "$T/r.json")" '"reason":"mismatch"' "receiver role: says mismatch"

# sign_post PATH TS DATA_ID : POST a notification signed the SDK way (HMAC
# of id:DATA_ID;request-id:r-1;ts:TS;), the status in $code, the body in r.json.
sign_post() {
    local v1
    v1=$(printf 'id:%s;request-id:r-1;ts:%s;' "$3" "$2" | openssl dgst -sha256 -hmac "$MP_WEBHOOK_SECRET" -r | cut -d' ' -f1)
    code=$(curl -s -o "$T/r.json" -w '%{http_code}' -X POST -H 'x-request-id: r-1' -H "x-signature: ts=$2,v1=$v1" \
        "$U$1?data.id=$3&type=payment" -d '{}')
}
now_s=$(date +%s)
sign_post /webhooks/mercadopago "$now_s" 123456
is "$code" 200 "receiver role: ts in seconds, now: accepted"
sign_post /webhooks/mercadopago "$((now_s * 1000))" 123456
is "$code" 401 "receiver role: ts in milliseconds (authentic) refused, as the SDKs' ts*1000 rule does"
like "$(cat "$T/r.json")" '"reason":"stale"' "receiver role: says stale"
sign_post /webhooks/mercadopago "$((now_s - 600))" 123456
is "$code" 401 "receiver role: ts in seconds 10 minutes old refused (5-minute tolerance)"
sign_post /webhooks/mercadopago "$((now_s - 240))" 123456
is "$code" 200 "receiver role: ts in seconds 4 minutes old accepted"
sign_post /webhooks/nofresh "$((now_s * 1000))" 123456
is "$code" 200 "receiver role: tolerance_s 0 checks no freshness"
sign_post /webhooks/mercadopago "$now_s" ORD01JQ4S4KY8HWQ6NA5PXB65B3D3
is "$code" 200 "receiver role: data.id signed in its original casing accepted (the SDKs)"
sign_post /webhooks/mercadopago "$now_s" ord01jq4s4ky8hwq6na5pxb65b3d3
is "$code" 200 "receiver role: a lowercase id signed as is accepted"
v1=$(printf 'id:ord01jq4s4ky8hwq6na5pxb65b3d3;request-id:r-1;ts:%s;' "$now_s" | openssl dgst -sha256 -hmac "$MP_WEBHOOK_SECRET" -r | cut -d' ' -f1)
code=$(curl -s -o "$T/r.json" -w '%{http_code}' -X POST -H 'x-request-id: r-1' -H "x-signature: ts=$now_s,v1=$v1" \
    "$U/webhooks/mercadopago?data.id=ORD01JQ4S4KY8HWQ6NA5PXB65B3D3&type=payment" -d '{}')
is "$code" 401 "receiver role: an uppercase id signed lowercased is refused by the SDK rule"
code=$(curl -s -o "$T/r.json" -w '%{http_code}' -X POST -H 'x-request-id: r-1' -H "x-signature: ts=$now_s,v1=$v1" \
    "$U/webhooks/lower?data.id=ORD01JQ4S4KY8HWQ6NA5PXB65B3D3&type=payment" -d '{}')
is "$code" 200 "receiver role: ... and accepted under lowercase_id"

ini checks.ini <<EOF
[opscheck]
plugin_path = $ROOT/plugins
timeout = 5s

[check webhook]
plugin = mp-webhook
description = runbook 2.4: delivery >= 99%, recent payment.updated answered 200, signed notification accepted
dsn = \${env:MW_DSN}
url = $U/webhooks/mercadopago
secret = \${env:MP_WEBHOOK_SECRET}

[check created]
plugin = mp-webhook
records = no
url = $U/webhooks/created
secret = \${env:MP_WEBHOOK_SECRET}
data_id = ORD01JQ4S4KY8HWQ6NA5PXB65B3D3

[check records]
plugin = mp-webhook
dsn = \${env:MW_DSN}

[check typed]
plugin = mp-webhook
records = no
url = $U/webhooks/typed
secret = \${env:MP_WEBHOOK_SECRET}

[check otheragent]
plugin = mp-webhook
records = no
url = $U/webhooks/typed
secret = \${env:MP_WEBHOOK_SECRET}
user_agent = opscheck

[check sdkcase]
plugin = mp-webhook
records = no
url = $U/webhooks/mercadopago
secret = \${env:MP_WEBHOOK_SECRET}
data_id = ORD01JQ4S4KY8HWQ6NA5PXB65B3D3

[check lowercase]
plugin = mp-webhook
records = no
url = $U/webhooks/lower
secret = \${env:MP_WEBHOOK_SECRET}
data_id = ORD01JQ4S4KY8HWQ6NA5PXB65B3D3
lowercase_id = yes

[check wrongcase]
plugin = mp-webhook
records = no
url = $U/webhooks/lower
secret = \${env:MP_WEBHOOK_SECRET}
data_id = ORD01JQ4S4KY8HWQ6NA5PXB65B3D3

[check loop]
plugin = mp-webhook
dsn = \${env:MW_DSN}
url = $U/webhooks/recorded
secret = \${env:MP_WEBHOOK_SECRET}

[check loopsilence]
plugin = mp-webhook
dsn = \${env:MW_DSN}
max_silence = 30s

[check withprobes]
plugin = mp-webhook
dsn = \${env:MW_DSN}
exclude_probes = no

[check silence]
plugin = mp-webhook
dsn = \${env:MW_DSN}
max_silence = 30s

[check wrongsecret]
plugin = mp-webhook
records = no
url = $U/webhooks/mercadopago
secret = \${env:MW_WRONG_SECRET}

[check open]
plugin = mp-webhook
records = no
url = $U/webhooks/open
secret = \${env:MP_WEBHOOK_SECRET}

[check broken]
plugin = mp-webhook
records = no
url = $U/webhooks/broken
secret = \${env:MP_WEBHOOK_SECRET}

[check slow]
plugin = mp-webhook
records = no
url = $U/webhooks/slow
secret = \${env:MP_WEBHOOK_SECRET}
answer_max = 1s

[check receiver_down]
plugin = mp-webhook
records = no
url = http://127.0.0.1:1/webhooks/mercadopago
secret = \${env:MP_WEBHOOK_SECRET}

[check db_down]
plugin = mp-webhook
dsn = \${env:MW_DOWN_DSN}

[check notable]
plugin = mp-webhook
dsn = \${env:MW_DSN}
query.recent = SELECT data_id, http_status FROM webhook_eventz ORDER BY received_at DESC LIMIT :recent

[check writes]
plugin = mp-webhook
dsn = \${env:MW_DSN}
query.newest = DELETE FROM webhook_events RETURNING received_at, 0 AS age_s
EOF

check() {
    local name=$1
    shift
    run_oc run -c "$T/checks.ini" "$@" "$name"
    tap_valid "$OUT" "$name: valid TAP 14"
    unlike "$OUT$ERR" "$SECRET_RE" "$name: no secret in stdout or stderr"
}

check webhook -v
is "$RC" 0 "webhook: exit 0 on the seed's story"
like "$OUT" '^    ok 1 - delivery: 99\.50% \(198 of 199\) of notifications in the last 24h answered 2xx, >= 99%' "webhook: delivery rate"
like "$OUT" '^    ok 2 - recent: the last 5 payment.updated events answered 200' "webhook: recent"
like "$OUT" '^    ok 3 - newest: last event [0-9]+ s ago \(at most 24h\)' "webhook: newest"
like "$OUT" '^    ok 4 - synthetic: signed payment.updated accepted with status 200 in [0-9]+ ms' "webhook: signed notification accepted"
like "$OUT" '^    ok 5 - bad signature: refused with status 401' "webhook: bad signature refused"
like "$OUT" '^  receiver: "POST http://127.0.0.1:[0-9]+/webhooks/mercadopago\?data.id=opscheck-probe&type=payment"' "webhook: receiver diag (the probe's data.id)"

check created -v
is "$RC" 0 "created: 201 accepted"

check typed -v
is "$RC" 0 "typed: a receiver that allows only Mercado Pago's agent and a delivery's body accepts the probe"
like "$OUT" '^    ok 1 - synthetic: signed payment.updated accepted with status 200' "typed: accepted"
like "$OUT" '^  request_id: "opscheck-probe-[0-9a-f-]{36}"' "typed: the request id carries the probe prefix"
check otheragent
like "$OUT" '^    not ok 1 - synthetic: the receiver refuses a correctly signed notification \(status 403\)' "otheragent: user_agent changes the agent (the WAF refuses it)"

check sdkcase
is "$RC" 0 "sdkcase: an uppercase data.id signed as is passes a receiver with the SDKs' rule"
check lowercase
is "$RC" 0 "lowercase: lowercase_id = yes passes a receiver with the older rule"
check wrongcase
like "$OUT" '^    not ok 1 - synthetic: the receiver refuses a correctly signed notification \(status 401\)' "wrongcase: the rules differ on an uppercase id"

# The loop: the receiver records every notification, probes too; the next
# run must not read its own probe (or the bad signature it sent on purpose)
# as a delivery.
check loop -v
is "$RC" 0 "loop: first run passes"
is "$(db_sql "SELECT string_agg(http_status::text, ',' ORDER BY id) FROM webhook_events WHERE request_id LIKE 'opscheck-probe-%' AND data_id = 'opscheck-probe'")" 200,401 \
    "loop: the receiver recorded the probe (200) and the badly signed one (401)"
check loop -v
is "$RC" 0 "loop: second run passes"
like "$OUT" '^    ok 1 - delivery: 99\.50% \(198 of 199\)' "loop: second run: probes not counted in delivery"
like "$OUT" '^    ok 2 - recent: the last 5 payment.updated events answered 200' "loop: second run: the refused probe is not a failed payment.updated"
check loopsilence
like "$OUT" '^    not ok 3 - newest: last event' "loop: a probe a second ago does not count as a delivery for newest"
check withprobes
like "$OUT" '^    not ok 2 - recent: 2 of the last 5 not answered 200: data.id opscheck-probe at .*: status 401, mismatch' \
    "withprobes: exclude_probes = no counts them (what the default avoids)"
db_sql "DELETE FROM webhook_events WHERE data_id = 'opscheck-probe'" >/dev/null

check silence
is "$RC" 1 "silence: exit 1"
like "$OUT" '^    not ok 3 - newest: last event 0\.0 h ago, at .*; expected one within 30s' "silence: newest too old"

db_sql "INSERT INTO webhook_events (topic, action, data_id, request_id, received_at, http_status, error)
        SELECT 'payment', 'payment.created', 'x' || g, 'r' || g, now() - interval '2 hours', 502, 'upstream' FROM generate_series(1, 4) g;
        INSERT INTO webhook_events (topic, action, data_id, request_id, received_at, http_status, error)
        VALUES ('payment', 'payment.updated', '9100', 'req-late', now() - interval '10 seconds', 500, 'db_down: timeout')"
check records
is "$RC" 1 "records: exit 1 after failed deliveries"
like "$OUT" '^    not ok 1 - delivery: 97\.06% \(198 of 204\) of notifications in the last 24h answered 2xx, expected >= 99%' "records: delivery rate below min_rate"
like "$OUT" '^    not ok 2 - recent: 1 of the last 5 not answered 200: data.id 9100 at .*: status 500, db_down: timeout' "records: the recent 500 named"
like "$OUT" '^    ok 3 - newest' "records: newest fine"

check wrongsecret
is "$RC" 1 "wrongsecret: exit 1"
like "$OUT" '^    not ok 1 - synthetic: the receiver refuses a correctly signed notification \(status 401\)' "wrongsecret: said so"
like "$OUT" '^      seen: "status 401: \{\\"error\\":\\"invalid signature\\",\\"reason\\":\\"mismatch\\"\}"' "wrongsecret: receiver's answer shown"

check open
is "$RC" 1 "open: exit 1"
like "$OUT" '^    not ok 2 - SECURITY: the receiver accepted a notification with a bad signature \(status 200\): anyone can forge payment notifications' "open: security failure said"

check broken
like "$OUT" '^    not ok 1 - synthetic: the receiver refuses a correctly signed notification \(status 500\)' "broken: 500 on the signed one"
like "$OUT" '^    not ok 2 - bad signature: answered status 500, expected 401 or 403' "broken: 500 is not a refusal"

start=$(date +%s%N)
check slow
ms=$(( ($(date +%s%N) - start) / 1000000 ))
like "$OUT" '^    not ok 1 - synthetic: the receiver does not answer a signed notification: timeout after [0-9]+ ms' "slow: no answer within answer_max"
ok $(( ms < 4500 ? 0 : 1 )) "slow: does not wait for the receiver (${ms} ms)"

check receiver_down
is "$RC" 1 "receiver_down: exit 1"
like "$OUT" '^    not ok 1 - synthetic: the receiver does not answer a signed notification: connection refused' "receiver_down: said so"
like "$OUT" '^      expected: "status 200 or 201 within 22000 ms"' "receiver_down: expected"

export MW_DOWN_DSN="host=127.0.0.1 port=1 user=opscheck password=mw-t-Pass-2 dbname=quiz"
check db_down
is "$RC" 1 "db_down: exit 1"
like "$OUT" '^  message: "database: cannot connect: .*Connection refused' "db_down: said so"

check notable
like "$OUT" '^    not ok 2 - recent: query recent: relation "webhook_eventz" does not exist \(SQLSTATE 42P01\)' "notable: names the query"
like "$OUT" '^    ok 3 - newest' "notable: the next query still runs"

check writes
like "$OUT" 'newest: query newest tried to write and the read-only session refused it' "writes: refused"
is "$(db_sql 'SELECT count(*) > 0 FROM webhook_events')" t "writes: nothing deleted"

# A query.NAME the plugin does not have is a typo refused before the run,
# at its line (the plugin's validate hook), not a silently kept default.
printf '[check typo]\nplugin = mp-webhook\ndsn = ${env:MW_DSN}\nquery.recnet = SELECT 1\n' >"$T/typo.ini"
run_oc validate -c "$T/typo.ini"
is "$RC" 2 "typo: validate exits 2"
like "$ERR" "typo\.ini:4: check 'typo': query\.recnet: not an mp-webhook query \(delivery, recent, newest\)$" "typo: named at its line"

# Settings validate could not see (from the environment), wrong at run
# time: the check could not send its probe, so ERROR, never a failed
# receiver.
printf '[check envcfg]\nplugin = mp-webhook\nrecords = no\nurl = %s\nsecret = ${env:MP_WEBHOOK_SECRET}\ndata_id = ${env:MW_T_ID}\n' \
    "http://127.0.0.1:$(free_port)/webhooks/mercadopago" >"$T/envcfg.ini"
MW_T_ID='12 OR 1=1' run_oc run -c "$T/envcfg.ini" -v
is "$RC" 1 "data_id from env, not an id: exit 1"
like "$OUT" '^  severity: "error"$' "data_id from env, not an id: an ERROR (could not check), not a refused probe"
like "$OUT" 'configuration: data_id \\"12 OR 1=1\\": letters, digits, _ - \. only' "data_id from env, not an id: says which and why"
unlike "$OUT$ERR" "$SECRET_RE" "data_id from env: no secret shown"

done_testing
