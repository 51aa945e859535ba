#!/usr/bin/env bash
# serve-web.t - `opscheck serve --web-config`: TLS (a throwaway CA and server
# certificate made here by openssl) and basic auth (bcrypt hashes made by
# htpasswd, apache2-utils) on a free loopback port: curl over https with the
# right, a wrong and no password; plain http to the TLS port; the cache that
# keeps bcrypt off the scrapes; a real Prometheus scraping with tls_config
# and basic_auth (up == 1, and 0 with a wrong password); broken web configs
# (one line, file:line, exit 2); SIGHUP with a broken one (kept, said why)
# and with a new certificate and user; no password or hash in any output;
# the README's web config and scrape job.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/serve-lib.sh"
set -o pipefail

if ! command -v htpasswd >/dev/null 2>&1; then
  ok 1 "# SKIP htpasswd is not installed (Debian apache2-utils; scripts/install-deps)"
  done_testing; exit
fi

pw='c0rrect-h0rse-web16'
# ca NAME : a CA, and a server certificate for 127.0.0.1 signed by it (NAME.crt, NAME.key, NAME-ca.crt)
ca() {
  ( cd "$T" &&
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1-ca.key" -out "$1-ca.crt" \
      -days 2 -subj "/CN=opscheck test CA $1" &&
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" -out "$1.csr" -subj /CN=127.0.0.1 &&
    printf 'subjectAltName=IP:127.0.0.1\n' >"$1.ext" &&
    openssl x509 -req -in "$1.csr" -CA "$1-ca.crt" -CAkey "$1-ca.key" -CAcreateserial -days 2 -extfile "$1.ext" \
      -out "$1.crt" ) >/dev/null 2>&1
}
ca one; ok $? "openssl made a CA and a server certificate for 127.0.0.1"
ca two
hash=$(htpasswd -nbBC 12 alice "$pw" | cut -d: -f2-)
like "$hash" '^\$2y\$12\$.{53}$' "htpasswd -nbB made a bcrypt hash (cost 12: ~0.3 s a check, which the cache must hide)"

write_web() { # CERT-NAME EXTRA-TOP-LEVEL-TEXT : web.yml
  cat >"$T/web.yml" <<EOF
# serve-web.t
tls_server_config:
  cert_file: $1.crt
  key_file: $T/$1.key
  min_version: TLS12
basic_auth_users:
  alice: $hash
$2
EOF
}
write_web one ""
printf '[check good]\nplugin = exec\ncommand = echo fine\n[checklist a]\nchecks = good\nevery = 1s\n' >"$T/one.ini"

# bad NAME LINE ERE YAML : a web config serve refuses before it listens
bad() {
  printf '%s\n' "$4" >"$T/bad.yml"
  serve_oc serve -c "$T/one.ini" --listen 127.0.0.1:1 --web-config "$T/bad.yml"
  is "$RC $(printf '%s\n' "$ERR" | wc -l)" "2 1" "$1: exit 2, one line"
  like "$ERR" "^opscheck: serve: $T/bad\.yml:$2: $3" "$1: it names file:line and why"
  unlike "$ERR" '\$2y\$[0-9]{2}\$' "$1: no hash in the error"
}
bad "an unknown key" 3 "unknown key 'tls_config'" $'basic_auth_users:\n  alice: '"$hash"$'\ntls_config: {}'
bad "a toolkit key serve does not do" 2 "rate_limit is not supported" $'# rate\nrate_limit: {burst: 2}'
bad "a toolkit TLS key serve does not do" 4 "tls_server_config: client_ca_file is not supported" \
  $'tls_server_config:\n  cert_file: '"$T"$'/one.crt\n  key_file: '"$T"$'/one.key\n  client_ca_file: x.crt'
bad "client certificates asked for" 2 "tls_server_config: client_auth_type: serve does not verify client certificates" \
  $'tls_server_config:\n  client_auth_type: RequireAndVerifyClientCert'
bad "bad YAML" 3 "not valid YAML: did not find expected ',' or '\]' \(while parsing a flow sequence at line 2\)" $'basic_auth_users:\n  alice: [a, b'
bad "a missing key file" 3 "key_file $T/nope\.key: cannot read: No such file or directory" \
  $'tls_server_config:\n  cert_file: one.crt\n  key_file: nope.key'
bad "a missing cert file" 2 "cert_file $T/nope\.crt: cannot read" $'tls_server_config:\n  cert_file: nope.crt\n  key_file: one.key'
bad "no key_file" 1 "tls_server_config needs both cert_file and key_file" $'tls_server_config:\n  cert_file: one.crt'
bad "a key that is not the certificate's" 1 "tls_server_config: GnuTLS did not take cert_file and key_file" \
  $'tls_server_config:\n  cert_file: one.crt\n  key_file: two.key'
bad "a password that is not a bcrypt hash" 3 "basic_auth_users: bob: the password is not a bcrypt hash" \
  $'basic_auth_users:\n  alice: '"$hash"$'\n  bob: '"$pw"
unlike "$ERR" "$pw" "and the plain password is not repeated either"
bad "a user twice" 3 "basic_auth_users: 'alice' is given twice" $'basic_auth_users:\n  alice: '"$hash"$'\n  alice: '"$hash"
bad "an old TLS version" 2 "tls_server_config: min_version is TLS12 or TLS13" $'tls_server_config:\n  min_version: TLS10'
serve_oc serve -c "$T/one.ini" --web-config "$T/nowhere.yml"
like "$RC $ERR" "^2 opscheck: serve: $T/nowhere\.yml: cannot read the web config: No such file" "a web config that is not there: exit 2, named"
serve_oc run -c "$T/one.ini" --web-config "$T/web.yml"
is "$RC" 2 "--web-config is serve's alone (run refuses it)"

# --- serve with TLS and basic auth
SP=$(free_port)
U=https://127.0.0.1:$SP
"$OPSCHECK" serve -c "$T/one.ini" --listen "127.0.0.1:$SP" --web-config "$T/web.yml" >"$T/serve.out" 2>"$T/serve.err" &
sv=$!
up() { get "$U/healthz" --cacert "$T/$1-ca.crt"; [ "$CODE" = 401 ] || [ "$CODE" = 200 ]; }
wait_until 10 up one
ok $? "serve answers over https, its certificate verified against the test CA"
like "$(cat "$T/serve.err")" "^opscheck serve: listening on https://127.0.0.1:$SP/ \(1 checklist, basic auth, pid $sv\)" \
  "it says https and basic auth"

get "$U/metrics" --cacert "$T/one-ca.crt"
is "$CODE" 401 "no credentials: 401"
like "$(tr -d '\r' <"$T/headers")" '^WWW-Authenticate: Basic realm="opscheck"$' "with WWW-Authenticate: Basic"
is "$BODY" "401 Unauthorized" "and no reason in the body"
get "$U/metrics" --cacert "$T/one-ca.crt" -u "alice:wrong-$pw"
is "$CODE $BODY" "401 401 Unauthorized" "a wrong password: the same bare 401"
get "$U/metrics" --cacert "$T/one-ca.crt" -u "mallory:$pw"
is "$CODE $BODY" "401 401 Unauthorized" "an unknown user: the same bare 401"
get "$U/healthz" --cacert "$T/one-ca.crt"
is "$CODE" 401 "/healthz needs the credentials too (as the exporter-toolkit protects everything)"
get "$U/nosuch" --cacert "$T/one-ca.crt"
is "$CODE" 401 "so does a path that is not there (no 404 to map the server without a password)"
t0=$(date +%s%N)
get "$U/metrics" --cacert "$T/one-ca.crt" -u "alice:$pw"
first=$(( ($(date +%s%N) - t0) / 1000000 ))
is "$CODE" 200 "the right password: 200"
like "$BODY" '^opscheck_checklist_rounds_total' "and the metrics"
t0=$(date +%s%N)
for _ in 1 2 3 4 5 6 7 8 9 10; do get "$U/metrics" --cacert "$T/one-ca.crt" -u "alice:$pw"; done
ten=$(( ($(date +%s%N) - t0) / 1000000 ))
ok $(( ten < 3 * first ? 0 : 1 )) "ten more scrapes take less than three bcrypt checks (${ten} ms against ${first} ms for the first): the pair is cached"
get "$U/metrics" --cacert "$T/one-ca.crt" -u "alice:${pw}x"
is "$CODE" 401 "a cached user with another password: 401 (the cache is keyed by the password too)"
get "http://127.0.0.1:$SP/metrics" -u "alice:$pw"
isnt_200=$([ "$CODE" != 200 ] && echo 0 || echo 1)
ok "$isnt_200" "plain http to the TLS port gets no answer (curl: $CODE)"
get "$U/metrics" --cacert "$T/two-ca.crt" -u "alice:$pw"
is "$CODE" 000 "a client that trusts another CA refuses serve's certificate"

# --- a real Prometheus scrapes it with tls_config and basic_auth
if command -v prometheus >/dev/null 2>&1; then
  printf '%s' "$pw" >"$T/pass"
  printf 'wrong' >"$T/wrong"
  prometheus_up <<EOF
  - job_name: opscheck
    scheme: https
    tls_config: {ca_file: $T/one-ca.crt}
    basic_auth: {username: alice, password_file: $T/pass}
    static_configs: [{targets: ['127.0.0.1:$SP']}]
  - job_name: intruder
    scheme: https
    tls_config: {ca_file: $T/one-ca.crt}
    basic_auth: {username: alice, password_file: $T/wrong}
    static_configs: [{targets: ['127.0.0.1:$SP']}]
EOF
  query() { prom_query "$1" job; }
  both() { R=$(query 'up'); [ "$R" = "intruder=0 opscheck=1" ]; }
  wait_until 40 both
  is "$R" "intruder=0 opscheck=1" "Prometheus over https with basic_auth: up == 1; with a wrong password: up == 0"
  R=$(query 'opscheck_check_success{job="opscheck"}')
  is "$R" "opscheck=1" "and it has the checks' series"
  prom_stop
else
  ok 1 "prometheus is installed (Debian package prometheus; scripts/install-deps)"
fi

# --- SIGHUP with a broken web config: the old one stays, and says why
write_web one "rate_limit: {burst: 1}"
kill -HUP "$sv"
said() { grep -q "web config reload failed" "$T/serve.err"; }
wait_until 10 said
like "$(cat "$T/serve.err")" "^opscheck: serve: web config reload failed, the previous one stays: $T/web\.yml:8: rate_limit is not supported" \
  "SIGHUP with a broken web config: kept, one line with file:line"
get "$U/healthz" --cacert "$T/one-ca.crt" -u "alice:$pw"
like "$CODE $BODY" "^200 ok: serving the previous config; the last reload failed: $T/web\.yml:8: rate_limit" \
  "serve still answers with the old certificate and password; /healthz says why"
get "$U/healthz" --cacert "$T/one-ca.crt"
is "$CODE" 401 "and still asks for the password"
kill -0 "$sv"; ok $? "and it is still running"

# --- SIGHUP with a new certificate and another user: both in use at once
hash2=$(htpasswd -nbBC 4 bob "b0b-$pw" | cut -d: -f2-)
write_web two "  bob: $hash2"
kill -HUP "$sv"
new_cert() { get "$U/healthz" --cacert "$T/two-ca.crt" -u "bob:b0b-$pw"; [ "$CODE" = 200 ]; }
wait_until 10 new_cert
ok $? "SIGHUP with a new certificate and user: the new CA verifies serve, the new user gets in"
is "$BODY" "ok" "and /healthz no longer reports a failed reload"
get "$U/healthz" --cacert "$T/one-ca.crt" -u "alice:$pw"
is "$CODE" 000 "the old certificate is gone"
like "$(cat "$T/serve.err")" "^opscheck serve: web config reloaded \(TLS, 2 users\)" "it says it reloaded"

# --- no secret anywhere serve wrote
all=$(cat "$T/serve.err" "$T/serve.out")
unlike "$all" "$pw" "no password in serve's output"
unlike "$all" '\$2y\$' "no bcrypt hash in serve's output"
unlike "$all" 'PRIVATE KEY' "no key in serve's output"
kill -TERM "$sv"; wait "$sv"
is "$?" 0 "SIGTERM: exit 0"; sv=

# --- the README's web config (its files put beside it) and its scrape job
awk '/^### TLS and basic auth/ {on = 1; next} /^##/ {on = 0} on' "$ROOT/README.md" >"$T/section.md"
mkdir "$T/readme"
awk '/^```yaml$/ {n++; on = (n == 1); next} /^```$/ {on = 0} on' "$T/section.md" >"$T/readme/web.yml"
cp "$T/one.crt" "$T/readme/server.crt"; cp "$T/one.key" "$T/readme/server.key"
SP=$(free_port); U=https://127.0.0.1:$SP
"$OPSCHECK" serve -c "$T/one.ini" --listen "127.0.0.1:$SP" --web-config "$T/readme/web.yml" >"$T/serve.out" 2>"$T/serve.err" &
sv=$!
wait_until 10 up one
is "$CODE" 401 "serve takes the README's web config: https, and a password asked for"
kill -TERM "$sv"; wait "$sv"; sv=
if command -v promtool >/dev/null 2>&1; then
  { echo 'scrape_configs:'; awk '/^```yaml$/ {n++; on = (n == 2); next} /^```$/ {on = 0} on' "$T/section.md"; } >"$T/readme-prom.yml"
  sed -i "s#/etc/prometheus/opscheck-ca.crt#$T/one-ca.crt#; s#/etc/prometheus/opscheck.password#$T/pass#" "$T/readme-prom.yml"
  printf x >"$T/pass"
  log=$(promtool check config "$T/readme-prom.yml" 2>&1); rc=$?
  ok $rc "promtool check config passes on the README's scrape job"; [ $rc = 0 ] || diag "$log"
fi
done_testing
