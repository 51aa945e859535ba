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

# the probe can fail: cmd_run.c is no writer and does reach run.h and every writer
m=" $(includes "$C/cmd_run.c") "
for h in run.h tap.h pretty.h report.h writer.h; do
    case "$m" in *" $h "*) ok 0 "the include walk sees cmd_run.c reach $h" ;; *) ok 1 "the include walk sees cmd_run.c reach $h" ;; esac
done
# and a header's own includes count: run.h brings writer.h
case " $(includes "$C/run.h") " in *" writer.h "*) ok 0 "run.h includes writer.h" ;; *) ok 1 "run.h includes writer.h" ;; esac

# --- the config model does not know the loader: validation reads an option
# schema (schema.h), so the model, interpolation and the plan never reach
# loader.h, directly or through a header (probe.h, zygote.h, ...).
model=0
for path in "$C"/config*.c "$C"/interp.c "$C"/plan.c; do
    f=${path##*/}; model=$((model + 1))
    case " $(includes "$path") " in
        *" loader.h "*) ok 1 "$f does not reach loader.h" ;;
        *) ok 0 "$f does not reach loader.h" ;;
    esac
done
ok $([ $model -ge 4 ] && echo 0 || echo 1) "the model's files were found ($model)"
# the probe can fail: main.c and run.c (through zygote.h) do reach loader.h
for f in main.c run.c; do
    case " $(includes "$C/$f") " in *" loader.h "*) ok 0 "the include walk sees $f reach loader.h" ;;
        *) ok 1 "the include walk sees $f reach loader.h" ;; esac
done

# --- _free / _release / _clear mean what util.h says, in every core definition:
# S_free(p) frees p itself; S_clear(p) ends by putting *p back to {0};
# S_release(p) frees p's contents but does neither (else it is a _clear).
# Prints "NAME PARAM FREES_PARAM(0/1) ENDS_ZEROED(0/1)" per definition.
lifetimes() {
    awk '
        match($0, /^(static )?(inline )?void [a-z_0-9]+_(free|release|clear)\(/) {
            name = $0; sub(/\(.*/, "", name); sub(/.* /, "", name)
            par = $0; sub(/^[^(]*\(/, "", par); sub(/[,)].*/, "", par); sub(/.*[ *]/, "", par)
            if (par == "void") par = ""
            inbody = 1; frees = 0; last = ""; next
        }
        inbody && /^}/ {
            zero = (last ~ ("memset\\(" par ", 0, sizeof \\*" par "\\);") || last ~ ("^\\*" par " = \\([a-z_]+\\)\\{0\\};"))
            print name, (par == "" ? "-" : par), frees, zero; inbody = 0; next
        }
        inbody {
            line = $0; sub(/^[ \t]+/, "", line)
            if (par != "" && line ~ ("^free\\(\\(?[a-z_ *]*\\)?" par "\\);")) frees = 1
            if (line != "" && line !~ /^\/[*\/]/) last = line
        }' "$@"
}
n=0
while read -r name par frees zero; do
    n=$((n + 1)); why=
    case "$name" in
        *_free) [ "$frees" = 1 ] || why="does not free $par itself" ;;
        *_clear) [ "$par" = - ] || [ "$zero" = 1 ] || why="does not end with *$par back to {0}" ;;
        *_release) [ "$frees" = 0 ] && [ "$zero" = 0 ] || why="frees $par or zeroes it: not a _release" ;;
    esac
    if [ -z "$why" ]; then ok 0 "$name keeps the _free/_release/_clear rule"
    else ok 1 "$name keeps the _free/_release/_clear rule ($why)"; fi
done < <(lifetimes "$C"/*.c)
ok $([ $n -ge 12 ] && echo 0 || echo 1) "the lifetime functions were found ($n)"
# the probe can fail: yesterday's sb_free (contents only, under a _free name) is caught
printf 'void sb_free(strbuf *b)\n{\n    free(b->s);\n    b->s = NULL;\n}\n' >"$T/old.c"
is "$(lifetimes "$T/old.c")" "sb_free b 0 0" "the body reader sees a _free that does not free its argument"

done_testing
