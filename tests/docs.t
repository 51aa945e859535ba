#!/usr/bin/env bash
# docs.t - docs/plugins.md is exactly what `opscheck plugins --markdown`
# prints: the reference cannot drift from the option tables.
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
done_testing
