#!/usr/bin/env bash
# tests/secret.t - the secret plugin (issue 6) against the stand-in: a strong
# secret the backend accepts, a wrong one it refuses, a rotation whose
# previous secret it must refuse, the Fly secret's age from the secrets
# endpoint; and every failure: short, low entropy, denied (equal and
# contained), refused by the backend, a backend that accepts anything, a
# secret not rotated, stale, missing, token rejected, no answer.  Every
# stream goes through tap-check, and every byte opscheck writes (stdout and
# stderr, with -v) is grepped for the secret, the previous one and the token.
source "$(dirname "$0")/lib.sh"
source "$ROOT/tests/standin/standin.sh"

SECRET='Q7v2Lm9xTz4Kp8Rw1Ns6Yb3Hd5Gf0Jc2Ae7Ui9Oq4'
OLD='Oz3Wq8Tn1Vb6Xk2Mp9Rs4Yd7Lf0Hj5Gc8Ea3Uu1Ii6'
TOKEN='fly-secret-t-token-2b9e71c0a4'
export SECRET_T_VALUE=$SECRET SECRET_T_OLD=$OLD FLY_API_TOKEN=$TOKEN SECRET_T_TOKEN_HDR="Bearer $TOKEN"

cp -r "$ROOT/tests/fixtures/secret" "$T/fx"
NOW=$(date +%s)
find "$T/fx" -name '*.json' -exec perl -i -pe '
    BEGIN { $n = '"$NOW"' }
    sub iso { my @t = gmtime(shift);
              sprintf("%04d-%02d-%02dT%02d:%02d:%02dZ", $t[5] + 1900, $t[4] + 1, @t[3, 2, 1, 0]) }
    s/\@AGO:(\d+)\@/iso($n - $1)/ge;
    s/\@NAIVE_AGO:(\d+)\@/substr(iso($n - $1), 0, 19) . ".123456"/ge;' {} +
standin_start "$T/fx/scenario.json"
ok $? "stand-in up on port $SPORT"
U=$SURL
: >"$T/all"

# sec VALUE-EXPR EXTRA-LINES [opscheck args] : one secret check named sec.
sec() {
    local value=$1 extra=$2
    shift 2
    cat >"$T/checks.ini" <<EOF
[opscheck]
timeout = 10s

[check sec]
plugin = secret
value = $value
$extra
EOF
    run_oc run -c "$T/checks.ini" -v "$@" sec
    printf '%s\n%s\n' "$OUT" "$ERR" >>"$T/all"
    _runs=$((${_runs:-0} + 1))
    tap_valid "$OUT" "run $_runs: valid TAP 14"
    unlike "$OUT$ERR" "$SECRET|$OLD|$TOKEN" "run $_runs: no secret, previous or token in stdout or stderr"
}
FLY="app = quiz-vance-backend
token = \${env:FLY_API_TOKEN}
api_url = $U
max_age = 90d"

# ---- all good: strong, accepted, wrong and previous refused, fresh on Fly ----
sec '${env:SECRET_T_VALUE}' "url = $U/api/me
previous = \${env:SECRET_T_OLD}
$FLY"
is "$RC" 0 "good: exit 0"
like "$OUT" '^    ok 1 - secret is 41 characters long \(min 32\)$' "good: length"
like "$OUT" '^    ok 2 - secret entropy estimate [0-9]+ bits \(min 128\)$' "good: entropy"
like "$OUT" '^    ok 3 - secret is not a known default or weak value \([0-9]+ refused\)$' "good: not denied"
like "$OUT" '^    ok 4 - backend accepts the secret \(HTTP 200\)$' "good: accepted"
like "$OUT" '^    ok 5 - backend refuses a random wrong secret \(HTTP 403\)$' "good: wrong one refused"
like "$OUT" '^    ok 6 - backend refuses the previous secret \(HTTP 403\)$' "good: previous refused"
like "$OUT" '^    ok 7 - Fly secret APP_BACKEND_SECRET updated 10d ago \(max 90d\)$' "good: Fly age"
like "$OUT" '^  updated_at: "20[0-9-]+T[0-9:]+Z"' "good: updated_at diag"
like "$OUT" '^  entropy: "[0-9]+ bits over 41 characters, character pool 62"' "good: entropy diag"
like "$OUT" '^  zxcvbn: "2[0-9][0-9] bits; ' "good: zxcvbn's estimate shown too"
like "$OUT" '^  header: "X-App-Secret"' "good: header named"

# ---- zxcvbn (issue 14): words and dates a class count takes for random ----
export SECRET_T_WORDS='monkeydragonfootballbaseballletmeinshadowmaster19861987'
sec '${env:SECRET_T_WORDS}' ''
is "$RC" 1 "guessable: exit 1"
like "$OUT" '^    ok 1 - secret is 55 characters long \(min 32\)$' "guessable: long enough"
like "$OUT" '^    not ok 2 - secret entropy estimate [0-9]+ bits, expected at least 128$' "guessable: strength fails"
like "$OUT" '^  zxcvbn: "[0-9]+ bits; dictionary words at 1-6, 7-12, [-0-9, ]+ \([0-9.]+ bits\); dates at 48-51, 52-55 ' "guessable: the YAML says why (kinds and ranges)"
like "$OUT" '^  entropy: "[0-9]+ bits over 55 characters, character pool 36"' "guessable: the class count shown beside it"
unlike "$OUT$ERR" 'monkey|dragon|football|1986' "guessable: no part of the secret shown"

# The sandbox's own backend, when run-tests brought it up.
if [ -n "${OPSCHECK_BACKEND_URL:-}" ] && [ -n "${APP_BACKEND_SECRET:-}" ]; then
    sec '${env:APP_BACKEND_SECRET}' "url = $OPSCHECK_BACKEND_URL/api/me"
    is "$RC" 0 "sandbox backend: APP_BACKEND_SECRET accepted, a wrong one refused"
    unlike "$OUT$ERR" "$APP_BACKEND_SECRET" "sandbox backend: secret nowhere"
else
    ok 0 "# SKIP no sandbox backend"
fi

# ---- strength failures ----
export SECRET_T_SHORT='Xy9-kP2q-Lm7'
sec '${env:SECRET_T_SHORT}' ''
is "$RC" 1 "short: exit 1"
like "$OUT" '^    not ok 1 - secret is 12 characters long, expected at least 32$' "short: not ok"
like "$OUT" '^      expected: ">= 32 characters"' "short: expected"
like "$OUT" '^      seen: "12 characters"' "short: seen"
like "$OUT" '^    not ok 2 - secret entropy estimate [0-9]+ bits, expected at least 128$' "short: low entropy too"
unlike "$OUT$ERR" "$SECRET_T_SHORT" "short: value nowhere"

export SECRET_T_REPEAT='abcabcabcabcabcabcabcabcabcabcabcabcabcabc'
sec '${env:SECRET_T_REPEAT}' ''
is "$RC" 1 "repeats: exit 1"
like "$OUT" '^    ok 1 - secret is 42 characters long' "repeats: long enough"
like "$OUT" '^    not ok 2 - secret entropy estimate [0-9]+ bits, expected at least 128$' "repeats: penalised"
like "$OUT" '^      expected: ">= 128 bits"' "repeats: expected"
unlike "$OUT$ERR" "$SECRET_T_REPEAT" "repeats: value nowhere"

export SECRET_T_DEFAULT='CHANGEME'
sec '${env:SECRET_T_DEFAULT}' ''
like "$OUT" '^    not ok 3 - secret is deny entry 1, a known default or weak value$' "denied: equal, case ignored"
like "$OUT" '^      seen: "equals a deny entry"' "denied: seen"
unlike "$OUT$ERR" 'CHANGEME|changeme' "denied: neither value nor entry shown"
export SECRET_T_CONTAINS='Vq8-changeme-Lm2Xp9Kd4Tz7Rw1Ns6Yb3Hd5Gf0Jc'
sec '${env:SECRET_T_CONTAINS}' ''
like "$OUT" '^    not ok 3 - secret contains deny entry 1, a known default or weak value$' "denied: contained"
sec '${env:SECRET_T_VALUE}' 'deny = Q7v2Lm9xTz4Kp8Rw1Ns6Yb3Hd5Gf0Jc2Ae7Ui9Oq4 other'
like "$OUT" '^    not ok 3 - secret is deny entry 1,' "denied: own deny list"

# ---- backend failures ----
export SECRET_T_OTHER='Wm4Zt9Xq2Lk7Rp1Vn6Bs3Hy8Gd5Jf0Ca2Ue7Oi9Pq4'
sec '${env:SECRET_T_OTHER}' "url = $U/api/me"
is "$RC" 1 "refused: exit 1"
like "$OUT" '^    not ok 4 - backend accepts the secret: HTTP 403, expected 200$' "refused: not ok"
like "$OUT" '^      expected: "HTTP 200"' "refused: expected"
like "$OUT" '^      seen: "HTTP 403"' "refused: seen"
like "$OUT" "^  url: \"$U/api/me\"" "refused: url diag"
unlike "$OUT$ERR" "$SECRET_T_OTHER" "refused: value nowhere"

sec '${env:SECRET_T_VALUE}' "url = $U/open
previous = \${env:SECRET_T_OLD}"
is "$RC" 1 "open backend: exit 1"
like "$OUT" '^    ok 4 - backend accepts the secret \(HTTP 200\)$' "open backend: accepts"
like "$OUT" '^    not ok 5 - backend refuses a random wrong secret: HTTP 200, expected 403$' "open backend: wrong one accepted"
like "$OUT" '^    not ok 6 - backend refuses the previous secret: HTTP 200, expected 403$' "open backend: previous accepted"

sec '${env:SECRET_T_VALUE}' "url = $U/api/me
previous = \${env:SECRET_T_VALUE}"
like "$OUT" '^    not ok 6 - previous secret differs from the current one \(not rotated\)$' "not rotated"

sec '${env:SECRET_T_VALUE}' 'url = http://127.0.0.1:1/api/me'
like "$OUT" '^    not ok 4 - backend accepts the secret: no answer \(.*refused' "no answer: says so"
like "$OUT" '^      seen: "no answer: ' "no answer: seen"

# ---- the Fly secret's age ----
sec '${env:SECRET_T_VALUE}' "${FLY/quiz-vance-backend/quiz-stale}"
is "$RC" 1 "stale: exit 1"
like "$OUT" '^    not ok 4 - Fly secret APP_BACKEND_SECRET updated 200d ago, expected within 90d: rotate it$' "stale: not ok (created_at used)"
like "$OUT" '^      expected: "updated within 90d"' "stale: expected"
like "$OUT" "^      seen: \"$(date -u -d "@$((NOW - 17280000))" +%Y-%m-%d)T" "stale: seen the date"
like "$OUT" "^  fly_url: \"$U/v1/apps/quiz-stale/secrets\"" "stale: url"

# updated_at without a zone ("2026-11-27T08:00:00.123456"): UTC, as flyctl reads it.
sec '${env:SECRET_T_VALUE}' "${FLY/quiz-vance-backend/quiz-naive}"
is "$RC" 0 "zone-less updated_at: exit 0"
like "$OUT" '^    ok 4 - Fly secret APP_BACKEND_SECRET updated 5d ago \(max 90d\)$' "zone-less updated_at: read as UTC, 5d ago"
like "$OUT" "^  updated_at: \"$(date -u -d "@$((NOW - 432000))" +%Y-%m-%dT%H:%M:%S)Z\"" "zone-less updated_at: shown in UTC"

sec '${env:SECRET_T_VALUE}' "${FLY/quiz-vance-backend/quiz-nosecret}"
like "$OUT" '^    not ok 4 - Fly secret APP_BACKEND_SECRET exists on app quiz-nosecret$' "missing on Fly"
like "$OUT" '^      seen: "no such secret \(or no updated_at\)"' "missing on Fly: seen"
sec '${env:SECRET_T_VALUE}' "${FLY/max_age = 90d/max_age = 30d}
name = DATABASE_URL"
like "$OUT" '^    not ok 4 - Fly secret DATABASE_URL updated [0-9]+d ago, expected within 30d' "name: another secret"

# a stand-in that wants another token
SECRET_T_TOKEN_HDR="Bearer not-$TOKEN" standin_start "$T/fx/scenario.json"
sec '${env:SECRET_T_VALUE}' "${FLY/$U/$SURL}"
standin_stop
is "$RC" 1 "token rejected: exit 1"
like "$OUT" '^    not ok 4 - Fly secret APP_BACKEND_SECRET of app quiz-vance-backend updated within 90d: the secrets endpoint failed \(token rejected\)$' "token rejected: not ok"
like "$OUT" '^      seen: "HTTP 401"' "token rejected: seen"
like "$OUT" '^  fly_error: "HTTP 401 from GET ' "token rejected: error"

# ---- configuration ----
sec '${env:SECRET_T_VALUE}' 'max_age = 30d'
like "$OUT" '^  message: "configuration: max_age needs app \(and token\)"' "config: max_age without app"
like "$OUT" '^  severity: "error"' "config: max_age without app is an ERROR (could not check)"
sec '${env:SECRET_T_VALUE}' 'previous = ${env:SECRET_T_OLD}'
like "$OUT" '^  message: "configuration: previous needs url' "config: previous without url"
like "$OUT" '^  severity: "error"' "config: previous without url is an ERROR (could not check)"
sec "$SECRET" ''
is "$RC" 2 "config: a literal value is refused by the core"

# Every byte written, all runs together.
unlike "$(cat "$T/all")" "$SECRET|$OLD|$TOKEN" "no run wrote the secret, the previous one or the token"

done_testing
