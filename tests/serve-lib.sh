# tests/serve-lib.sh - sourced (after lib.sh) by the tests of `opscheck serve`
# (serve.t, serve-web.t): a serve that must not start, an HTTP request, a
# bounded wait, and the cleanup of the serve ($sv) and Prometheus ($prom_pid)
# they start.

sv= prom_pid=
cleanup() {
  [ -n "$prom_pid" ] && kill "$prom_pid" 2>/dev/null && wait "$prom_pid" 2>/dev/null
  [ -n "$sv" ] && kill "$sv" 2>/dev/null && wait "$sv" 2>/dev/null
  rm -rf "$T"
}
trap cleanup EXIT

# serve_oc ARGS... : run_oc for a serve that must not start (bounded: one that did would never end)
serve_oc() {
  timeout -k 2 10 "$OPSCHECK" "$@" >"$T/out" 2>"$T/err" </dev/null
  RC=$?; OUT=$(cat "$T/out"); ERR=$(cat "$T/err")
}
get() { # URL [CURL-ARGS...] : CODE and BODY (and $T/headers)
  local url=$1; shift
  CODE=$(curl -s -m 20 -D "$T/headers" -o "$T/body" -w '%{http_code}' "$@" "$url")
  BODY=$(cat "$T/body" 2>/dev/null)
}
wait_until() { # SECONDS CMD... : runs CMD every 0.2 s until it succeeds
  local end=$((SECONDS + $1)); shift
  until "$@"; do [ $SECONDS -ge $end ] && return 1; sleep 0.2; done
}

# prom_start : a Prometheus on a free loopback port reading $T/prom.yml (temp storage); sets PP, prom_pid
prom_start() {
  PP=$(free_port)
  prometheus --config.file="$T/prom.yml" --storage.tsdb.path="$T/prom-data" --web.listen-address="127.0.0.1:$PP" \
    >"$T/prom.log" 2>&1 &
  prom_pid=$!
}
# prom_query QUERY LABEL... : the result's series, sorted, each as LABEL@LABEL...=VALUE
prom_query() {
  local q=$1; shift
  curl -s "http://127.0.0.1:$PP/api/v1/query" --data-urlencode "query=$q" | node -e '
    const labels = process.argv.slice(1); let s = "";
    process.stdin.on("data", d => s += d).on("end", () => { const j = JSON.parse(s);
    console.log(j.data.result.map(r => labels.map(l => r.metric[l] || "").join("@") + "=" + r.value[1]).sort().join(" ")) })' "$@" 2>/dev/null
}
prom_stop() { kill "$prom_pid"; wait "$prom_pid" 2>/dev/null; prom_pid=; }
