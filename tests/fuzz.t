#!/usr/bin/env bash
# tests/fuzz.t - replays the fuzz targets' seed corpora and every crash
# reproducer (tests/fuzz/regress/TARGET/*) through the same fuzz_*.c, built
# here with cc, ASan and UBSan and tests/fuzz/replay_main.c instead of
# libFuzzer: no clang needed, nothing built in the tree.  See tests/fuzz/README.md.
source "$(dirname "$0")/lib.sh"
F=$ROOT/tests/fuzz
CC=${CC:-cc}
SAN="-fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=all -fno-omit-frame-pointer"
CFL="-std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -g -O1 -I$ROOT/core -DOC_PLUGINDIR=\"/nonexistent/opscheck-fuzz\""
export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

# config links the model without the loader (it sees plugins only as schemas)
config_srcs="core/config.c core/config_check.c core/config_judge.c core/interp.c core/schema.c core/units.c core/redact.c core/util.c core/strmap.c core/suggest.c"
declare -A SRCS=(
    [config]="$config_srcs"
    [config_tp]="$config_srcs core/loader.c core/probe.c core/stop.c core/oc_api.c core/wire.c core/result.c"
    [tap]="core/text.c core/redact.c core/util.c"
    [perfdata]="plugins/exec/perfdata.c plugins/exec/util.c"
    [tap_read]="plugins/exec/tap_read.c plugins/exec/util.c"
    [fly_machines]="plugins/fly/fly_machines.c plugins/common/json.c"
    [fly_logs]="plugins/fly/fly_logs.c plugins/common/json.c plugins/common/regexp.c"
    [wire]="core/wire.c core/result.c core/redact.c core/util.c"
    [mp_sign]="plugins/common/mp_sign.c"
    [backup]="plugins/backup/backup_sniff.c plugins/backup/backup_codec.c"
    [prom_name]="core/prom_name.c core/report_text.c core/redact.c core/util.c"
)
declare -A LIBS=(
    [mp_sign]="-lcrypto"
    [backup]="-lz -lzstd -llz4 -llzma -lbz2"
    [fly_logs]="-lpcre2-8"
)
TARGETS="config config_tp tap perfdata tap_read fly_machines fly_logs wire mp_sign backup prom_name"

# Every source once, in parallel; then one link per target.
mkdir -p "$T/obj"
obj() { echo "$T/obj/$(echo "$1" | tr / _).o"; }
all_srcs=$(for t in $TARGETS; do echo ${SRCS[$t]}; done | tr ' ' '\n' | sort -u)
$CC -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O1 -I"$ROOT/core" -fPIC -shared \
    -o "$T/tp.so" "$ROOT/tests/plugins/tp.c" 2>"$T/build.tp.log" &
for s in $all_srcs tests/fuzz/replay_main.c; do
    $CC $CFL $SAN -c -o "$(obj $s)" "$ROOT/$s" 2>"$(obj $s).log" &
done
for t in $TARGETS; do
    extra=
    [ "$t" = config_tp ] && extra="-DFUZZ_TP_SO=\"$T/tp.so\""
    $CC $CFL $SAN $extra -c -o "$T/obj/fuzz_$t.o" "$F/fuzz_$t.c" 2>"$T/obj/fuzz_$t.log" &
done
wait

for t in $TARGETS; do
    objs="$T/obj/fuzz_$t.o $(obj tests/fuzz/replay_main.c)"
    for s in ${SRCS[$t]}; do objs="$objs $(obj $s)"; done
    ld=
    [ "$t" = config_tp ] && ld="-Wl,--dynamic-list=$ROOT/core/exports.list"
    if $CC $SAN $ld -o "$T/replay_$t" $objs -linih -lcjson -ldl -lm ${LIBS[$t]:-} >"$T/link.$t.log" 2>&1; then
        ok 0 "replay_$t builds"
    else
        ok 1 "replay_$t builds"
        cat "$T"/obj/*.log "$T/link.$t.log" "$T/build.tp.log" 2>/dev/null | head -30 | sed 's/^/#   /'
        continue
    fi
    for kind in corpus regress; do
        d=$F/$kind/$t
        [ -d "$d" ] || continue
        files=("$d"/*)
        [ -e "${files[0]}" ] || continue
        # one process for the lot; on failure, find the file that fails
        # a hang (an input that expands without end) fails too
        if (cd "$T" && timeout 120 "$T/replay_$t" "${files[@]}") </dev/null >"$T/run.log" 2>&1; then
            ok 0 "$t: ${#files[@]} $kind file(s) replay clean"
        else
            ok 1 "$t: ${#files[@]} $kind file(s) replay clean"
            for f in "${files[@]}"; do
                (cd "$T" && timeout 30 "$T/replay_$t" "$f") </dev/null >"$T/one.log" 2>&1 ||
                    { diag "fails: ${f#$ROOT/}"; head -20 "$T/one.log" | sed 's/^/#   /'; }
            done
        fi
    done
done
done_testing
