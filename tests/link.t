#!/usr/bin/env bash
# link.t - what the opscheck process maps.  libcurl (and the 34 libraries it
# brings) is loaded only when --push needs it: linked, it sat in the parent
# and in every process the parent forks, making each fork 2.3 x dearer.
# Each "not there" below is paired with a "there" that shows the probe can
# see a library at all.  The push itself, against a real Pushgateway, is
# tests/reports.t.
source "$(dirname "$0")/lib.sh"

# --- the binary: no libcurl among the libraries it needs, directly or not
needed=$(readelf -d "$OPSCHECK" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
like "$needed" '^libcjson\.so' "readelf sees the libraries opscheck needs (libcjson)"
unlike "$needed" 'libcurl' "opscheck does not need libcurl (readelf -d)"
unlike "$(ldd "$OPSCHECK")" 'libcurl' "nor does anything it needs (ldd)"
unlike "$needed" 'libmicrohttpd' "opscheck does not need libmicrohttpd (readelf -d): serve loads it"
unlike "$(ldd "$OPSCHECK")" 'libmicrohttpd|libgnutls' "nor does anything it needs (ldd)"

# --- --version loads nothing more; a push loads libcurl at push time
dead=http://127.0.0.1:$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
ini checks.ini <<EOF
[opscheck]
plugin_path = $TEST_PLUGINS
timeout = 5s
[check nap]
plugin = tp
sleep = 1500ms
[check ok]
plugin = tp
EOF
loaded() { LD_DEBUG=libs "$@" 2>&1 >/dev/null </dev/null | sed -n 's/.*calling init: //p'; }
v=$(loaded "$OPSCHECK" --version)
like "$v" 'libcjson' "LD_DEBUG lists what --version initialises (libcjson)"
unlike "$v" 'libcurl' "opscheck --version does not load libcurl"
p=$(loaded "$OPSCHECK" run -c "$T/checks.ini" ok --push "$dead")
like "$p" 'libcurl\.so\.4' "--push loads libcurl when it pushes"
run_oc run -c "$T/checks.ini" ok --push "$dead"
like "$ERR" "^opscheck: --push: push to $dead failed: Failed to connect" "and libcurl does the push (curl's own error)"

# --- a running check: the parent's /proc/PID/maps, while the check sleeps
"$OPSCHECK" run -c "$T/checks.ini" nap >"$T/nap.out" 2>"$T/nap.err" </dev/null &
pid=$!
for _ in $(seq 100); do [ -n "$(pgrep -P "$pid")" ] && break; sleep 0.02; done
[ -n "$(pgrep -P "$pid")" ]; ok $? "the run has forked the sleeping check"
maps=$(cat "/proc/$pid/maps" 2>/dev/null)
like "$maps" 'libcjson' "the parent's maps show its libraries (libcjson)"
unlike "$maps" 'libcurl' "no libcurl mapped in the parent of a run without --push"
unlike "$maps" 'libmicrohttpd' "no libmicrohttpd mapped in the parent of a run"
wait "$pid"
is "$?" 0 "the sleeping check passes"

# --- serve loads libmicrohttpd when it starts; without it, one line naming the library
cat "$T/checks.ini" - >"$T/serve.ini" <<EOF
[checklist quick]
checks = ok
every = 1h
EOF
port=$(free_port)
LD_DEBUG=libs "$OPSCHECK" serve -c "$T/serve.ini" --listen "127.0.0.1:$port" >/dev/null 2>"$T/serve.err" </dev/null &
spid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.05; done
curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; ok $? "serve answers /healthz"
kill -TERM "$spid"; wait "$spid"
like "$(sed -n 's/.*calling init: //p' "$T/serve.err")" 'libmicrohttpd\.so\.12' "serve loads libmicrohttpd when it starts"
mkdir -p "$T/nomhd"; : >"$T/nomhd/libmicrohttpd.so.12"
LD_LIBRARY_PATH=$T/nomhd "$OPSCHECK" serve -c "$T/serve.ini" --listen "127.0.0.1:$port" >/dev/null 2>"$T/serve2.err" </dev/null
rc=$?
like "$(cat "$T/serve2.err")" '^opscheck: serve: cannot load libmicrohttpd\.so\.12 \(install libmicrohttpd12\): ' \
    "an unloadable libmicrohttpd: one line naming the library and the package"
is "$rc" 3 "and serve exits 3"

# --- no libcurl: one clear line, the checks still reported.  The loader
# looks in LD_LIBRARY_PATH first, so a bogus libcurl.so.4 there stands in
# for a missing or broken one.
mkdir -p "$T/empty" "$T/nosym"
: >"$T/empty/libcurl.so.4"
run_oc_lib() { LD_LIBRARY_PATH=$1 "$OPSCHECK" run -c "$T/checks.ini" ok --push "$dead" >"$T/out" 2>"$T/err" </dev/null
    RC=$?; OUT=$(cat "$T/out"); ERR=$(cat "$T/err"); }
run_oc_lib "$T/empty"
like "$ERR" "^opscheck: --push: push to $dead failed: cannot load libcurl\.so\.4 \(install libcurl4\): " \
    "an unloadable libcurl: one line naming the library and the package"
is "$(printf '%s\n' "$ERR" | grep -c 'libcurl')" 1 "in one line"
like "$OUT" '^ok 1 - ok' "the checks are still reported"
echo 'int not_curl(void) { return 0; }' >"$T/nosym.c"
if cc -shared -fPIC -o "$T/nosym/libcurl.so.4" "$T/nosym.c" 2>"$T/cc.log"; then
    run_oc_lib "$T/nosym"
    like "$ERR" "^opscheck: --push: push to $dead failed: libcurl\.so\.4 has no curl_easy_init$" "a libcurl without its functions is named"
else
    ok 1 "cc builds a stand-in library"; sed 's/^/#   /' "$T/cc.log"
fi

done_testing
