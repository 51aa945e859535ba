# tests/serve-lib.sh - sourced (after lib.sh) by the tests of `opscheck serve`
# (serve.t, serve-web.t): a serve that must not start, an HTTP request, a
# query of their Prometheus, and the cleanup of the serve ($sv) and the
# Prometheus ($prom_pid) they start.  The bounded wait (wait_until) and the
# Prometheus itself (prometheus_up) are lib.sh's, shared with serve-ha.t.

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

# (a Prometheus is started with lib.sh's prometheus_up, which sets PU and prom_pid)
# prom_query QUERY LABEL... : the result's series, sorted, each as LABEL@LABEL...=VALUE
prom_query() {
  local q=$1; shift
  curl -s "$PU/api/v1/query" --data-urlencode "query=$q" | node -e '
    const labels = process.argv.slice(1); let s = "";
    process.stdin.on("data", d => s += d).on("end", () => { const j = JSON.parse(s);
    console.log(j.data.result.map(r => labels.map(l => r.metric[l] || "").join("@") + "=" + r.value[1]).sort().join(" ")) })' "$@" 2>/dev/null
}
prom_stop() { kill "$prom_pid"; wait "$prom_pid" 2>/dev/null; prom_pid=; }
