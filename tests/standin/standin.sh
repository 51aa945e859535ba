# tests/standin/standin.sh - sourced by tests/*.t after lib.sh (issue 3):
# start and stop the stand-in HTTP server on a free port.
#
#   source "$ROOT/tests/standin/standin.sh"
#   standin_start "$T/scenario.json" [extra standin args]   # sets SPORT, SPID, SURL
#   standin_stop
STANDIN=${STANDIN:-$ROOT/tests/standin/standin}
SPID=
SPORT=
SURL=
_standin_pids=()
trap 'for p in "${_standin_pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$T"' EXIT

standin_start() {
    local scen=$1 out="$T/standin.$$.$RANDOM.out"
    shift
    "$STANDIN" --scenario "$scen" --port 0 "$@" >"$out" 2>"$T/standin.err" &
    SPID=$!
    _standin_pids+=("$SPID")
    SPORT=
    for _ in $(seq 1 200); do
        SPORT=$(awk '/^port /{print $2; exit}' "$out" 2>/dev/null)
        [ -n "$SPORT" ] && break
        kill -0 "$SPID" 2>/dev/null || break
        sleep 0.05
    done
    SURL="http://127.0.0.1:$SPORT"
    [ -n "$SPORT" ]
}

standin_stop() {
    [ -n "$SPID" ] || return 0
    kill "$SPID" 2>/dev/null
    wait "$SPID" 2>/dev/null
    SPID=
}
