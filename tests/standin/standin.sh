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
trap '_standin_kill_all; rm -rf "$T"' EXIT

# A live process, not a zombie waiting to be reaped.
_standin_alive() {
    local st
    st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
    [ -n "$st" ] && [ "$st" != Z ]
}

# TERM every stand-in this test started; KILL any still there after 2 s, so
# a test never leaves a server behind, whatever happened.
_standin_kill_all() {
    local p left
    for p in "${_standin_pids[@]}"; do kill "$p" 2>/dev/null; done
    for _ in $(seq 1 40); do
        left=
        for p in "${_standin_pids[@]}"; do _standin_alive "$p" && left=1; done
        [ -z "$left" ] && return 0
        sleep 0.05
    done
    for p in "${_standin_pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
}

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
