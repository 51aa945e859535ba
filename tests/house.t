#!/usr/bin/env bash
# house.t - the core's include graph runs one way: the writers (TAP,
# pretty, the reports) see the writer interface (core/writer.h) and shared
# text helpers (core/text.h), never the runner (run.h) nor another writer's
# header.  Includes are followed through headers, so a writer cannot reach
# run.h or tap.h by the back door of a header it includes.
source "$(dirname "$0")/lib.sh"
C=$ROOT/core

# includes FILE : the core headers FILE includes, directly or through other core headers.
includes() {
    local todo=("$1") seen=" " f h
    while [ ${#todo[@]} -gt 0 ]; do
        f=${todo[0]}; todo=("${todo[@]:1}")
        for h in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f"); do
            [ -f "$C/$h" ] || continue
            case "$seen" in *" $h "*) continue ;; esac
            seen="$seen$h "; todo+=("$C/$h")
        done
    done
    echo $seen
}

# the family a writer's file belongs to (its own headers), or "" for a non-writer
family() {
    case "$1" in
        tap.c | tap.h) echo tap ;;
        pretty.c | pretty.h) echo pretty ;;
        report.h | report_*.c | report_int.h) echo report ;;
    esac
}
headers_of() {
    case "$1" in
        tap) echo tap.h ;;
        pretty) echo pretty.h ;;
        report) echo "report.h report_int.h" ;;
    esac
}

writers=0
for path in "$C"/*.c "$C"/*.h; do
    f=${path##*/}; fam=$(family "$f")
    [ -n "$fam" ] || continue
    writers=$((writers + 1))
    inc=" $(includes "$path") "
    bad=
    case "$inc" in *" run.h "*) bad="run.h" ;; esac
    for other in tap pretty report; do
        [ "$other" = "$fam" ] && continue
        for h in $(headers_of "$other"); do
            case "$inc" in *" $h "*) bad="$bad $h" ;; esac
        done
    done
    is "${bad# }" "" "$f includes neither run.h nor another writer's header"
done
ok $([ $writers -ge 8 ] && echo 0 || echo 1) "the writers were found ($writers files)"

# the probe can fail: main.c is no writer and does reach run.h and every writer
m=" $(includes "$C/main.c") "
for h in run.h tap.h pretty.h report.h writer.h; do
    case "$m" in *" $h "*) ok 0 "the include walk sees main.c reach $h" ;; *) ok 1 "the include walk sees main.c reach $h" ;; esac
done
# and a header's own includes count: run.h brings writer.h
case " $(includes "$C/run.h") " in *" writer.h "*) ok 0 "run.h includes writer.h" ;; *) ok 1 "run.h includes writer.h" ;; esac

done_testing
