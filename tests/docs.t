#!/usr/bin/env bash
# docs.t - docs/plugins.md is exactly what `opscheck plugins --markdown`
# prints: the reference cannot drift from the option tables.  The man pages
# render without warnings, name every option of the option table and every
# variable core/ reads, and say where the config and the plugins come from.
source "$(dirname "$0")/lib.sh"
run_oc plugins --markdown
is "$RC" 0 "plugins --markdown exits 0 (every plugin loads)"
printf '%s\n' "$OUT" > "$T/now.md"
diff -u "$ROOT/docs/plugins.md" "$T/now.md" > "$T/drift.diff"
is "$?" 0 "docs/plugins.md matches the plugins' option tables (regenerate: ./opscheck plugins --markdown > docs/plugins.md)"
[ -s "$T/drift.diff" ] && head -30 "$T/drift.diff" | sed 's/^/# /'
for p in $(ls "$ROOT"/plugins/*.so | xargs -n1 basename | sed 's/\.so$//'); do
  like "$(cat "$ROOT/docs/plugins.md")" "^## $p\$" "the reference has a section for $p"
done
# the man pages: groff's warnings (-ww) through man, at 80 columns
for page in "$ROOT"/docs/*.[1-8]; do
  MANWIDTH=80 man --warnings -l "$page" >"$T/page.txt" 2>"$T/page.err"
  is "$?:$(cat "$T/page.err")" "0:" "man --warnings -l $(basename "$page") renders with no warning"
done
MANWIDTH=80 man -l "$ROOT/docs/opscheck.1" 2>/dev/null | col -b >"$T/opscheck.txt"
man1=$(cat "$T/opscheck.txt")
for sec in ENVIRONMENT FILES 'EXIT STATUS' EXAMPLES; do
  like "$man1" "^$sec\$" "opscheck(1) has a $sec section"
done
# ENVIRONMENT: from its heading to the next one
envsec=$(sed -n '/^ENVIRONMENT$/,/^[A-Z]/p' "$T/opscheck.txt")
vars=$(grep -ho 'getenv("[A-Z_]*")' "$ROOT"/core/*.c | sed 's/getenv("\(.*\)")/\1/' | sort -u)
is "$(echo $vars | wc -w)" "$(grep -ho 'getenv("[A-Z_]*")' "$ROOT"/core/*.c | sort -u | wc -l)" "the variables core/ reads are found"
ok "$([ -n "$vars" ]; echo $?)" "core/ reads some variables by name ($(echo $vars))"
for v in $vars; do
  like "$envsec" "^       $v( |\$)" "ENVIRONMENT names \$$v (core/ reads it)"
done
for v in OPSCHECK_CONFIG OPSCHECK_PLUGIN_PATH XDG_CONFIG_HOME; do
  like "$envsec" "^       $v\$" "ENVIRONMENT names $v"
done
# the page as one line, words hyphenated at a line's end joined again
flat=$(tr '\n' ' ' <"$T/opscheck.txt" | sed 's/‐ *//g; s/  */ /g')
# every long option of core/cli.c's option table, in the page
opts=$(sed -n '/^static const struct option longopts/,/^};/p' "$ROOT/core/cli.c" | grep -o '{"[a-z-]*"' | tr -d '{"')
ok "$([ "$(echo "$opts" | wc -l)" -gt 10 ]; echo $?)" "the option table is found in core/cli.c"
for o in $opts; do
  like "$flat" "(^|[^a-z-])--$o([^a-z-]|\$)" "opscheck(1) names --$o"
done
# the search order and the plugin path, in the page, --help and README
for place in '-c -' OPSCHECK_CONFIG '\./checks\.ini' 'XDG_CONFIG_HOME/opscheck/checks\.ini' '/etc/opscheck/checks\.ini' OPSCHECK_PLUGIN_PATH plugin_path; do
  like "$flat" "$place" "opscheck(1) says where things come from: $place"
  like "$("$OPSCHECK" --help)" "$place" "--help says it: $place"
  like "$(cat "$ROOT/README.md")" "$place" "README says it: $place"
done

done_testing
