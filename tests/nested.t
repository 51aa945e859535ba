#!/usr/bin/env bash
# nested.t - issue 13: a program's TAP read by exec (protocol = tap) keeps its
# directives and YAML in the subtest: `# SKIP reason` and `# TODO reason`
# stay directives with their reasons, a failing `# TODO` point does not fail
# the check, and a failing point's YAML block stays a YAML mapping (nested
# under `data:`, so its keys never clash with message/severity), or becomes
# one string when it is not a simple block mapping.  The same facts reach
# JSON and JUnit.  Plugins say it with oc_directive and oc_assert_yaml (ABI 2).
source "$(dirname "$0")/lib.sh"

cat >"$T/mix.sh" <<'EOF'
#!/bin/sh
echo "TAP version 14"
echo "1..5"
echo "ok 1 - fine"
echo "ok 2 - x # SKIP no db"
echo "not ok 3 - y # TODO later"
echo "not ok 4 - z"
echo "  ---"
echo "  got: 1"
echo "  wanted: 2"
echo "  severity: made up by the script"
echo "  seen:"
echo "    - a"
echo "    - b"
echo "  ..."
echo "not ok 5 - w"
echo "  ---"
echo "  - just"
echo "  - a list"
echo "  ..."
exit 1
EOF
cat >"$T/todo.sh" <<'EOF'
#!/bin/sh
printf 'TAP version 13\n1..2\nok 1 - a\nnot ok 2 - b # TODO known \\# bug\n'
EOF
cat >"$T/todo1.sh" <<'EOF'
#!/bin/sh
printf '1..1\nnot ok 1 - only # TODO someday\n'
EOF
chmod +x "$T"/*.sh
ini checks.ini <<EOF
[check mix]
plugin = exec
protocol = tap
command = $T/mix.sh

[check todo]
plugin = exec
protocol = tap
command = $T/todo.sh

[check todo-one]
plugin = exec
protocol = tap
command = $T/todo1.sh
EOF

run_oc run -v -c "$T/checks.ini" --json "$T/r.json" --junit "$T/r.xml"
tap_valid "$OUT" "valid TAP 14 (strict)"
like "$OUT" '^    ok 2 - x # SKIP no db$' "SKIP keeps its reason as a directive"
like "$OUT" '^    not ok 3 - y # TODO later$' "a failing TODO stays not ok, with its reason"
like "$OUT" '^    not ok 2 - b # TODO known \\# bug$' "a TODO reason is escaped like a description"
like "$OUT" '^ok [0-9]+ - todo$' "a failing TODO point does not fail the check"
like "$OUT" '^    not ok 1 - only # TODO someday$' "a single TODO point is still shown as a subtest"
like "$OUT" '^ok [0-9]+ - todo-one$' "... and its check passes"
like "$OUT" '^not ok [0-9]+ - mix$' "a real failure still fails the check"
like "$OUT" '^      data:$' "a YAML mapping is nested under data:"
like "$OUT" '^        got: 1$' "... re-indented, values as written"
like "$OUT" '^        seen:$' "... nested lists kept"
like "$OUT" '^          - b$' "... at their depth"
like "$OUT" '^      data: "- just\\n- a list"$' "a YAML block that is not a mapping becomes one string"
tap13_prove "$(printf '%s\n' "$OUT" | sed '1s/.*/TAP version 13/')" "prove (TAP 13) reads the stream"
run_oc run -v --tap-version 13 -c "$T/checks.ini"
tap13_prove "$OUT" "prove reads --tap-version 13"

# A real parser's reading of the subtest: directives, reasons, data.got.
NPM=$("$ROOT/scripts/install-npm-deps" --where)
printf '%s\n' "$OUT" >"$T/stream.tap"
points=$(OPSCHECK_NPM_CACHE=$NPM node -e '
const { createRequire } = require("module");
const req = createRequire(require("path").join(process.env.OPSCHECK_NPM_CACHE, "package.json"));
const { Parser } = req("tap-parser");
const p = new Parser({ strict: true });
const rows = [];
p.on("child", c => c.on("assert", a => rows.push([c.name, a.id, a.ok, a.todo, a.skip,
    a.diag && a.diag.data !== undefined ? JSON.stringify(a.diag.data) : "-"].join("|"))));
p.on("complete", () => console.log(rows.join("\n")));
p.end(require("fs").readFileSync(process.argv[1], "utf8"));' "$T/stream.tap" 2>&1)
like "$points" '^mix\|2\|true\|false\|no db\|-$' "tap-parser: SKIP with its reason"
like "$points" '^mix\|3\|false\|later\|false\|-$' "tap-parser: TODO with its reason"
like "$points" '^mix\|4\|false\|false\|false\|\{"got":1,"wanted":2,"severity":"made up by the script","seen":\["a","b"\]\}$' \
  "tap-parser: data is a mapping, data.got is 1"
like "$points" '^mix\|5\|false\|false\|false\|"- just\\n- a list"$' "tap-parser: a list block is one string"
like "$points" '^todo-one\|1\|false\|someday\|false\|-$' "tap-parser: the single TODO point"

json() { node -e 'const j=JSON.parse(require("fs").readFileSync(process.argv[1]));'"$1" "$T/r.json"; }
is "$(json 'const a=j.checks[0].assertions;console.log([a[1].directive,a[1].reason,a[2].directive,a[2].reason,a[2].status].join("|"))')" \
  "skip|no db|todo|later|fail" "JSON: directive and reason of each point"
is "$(json 'console.log(j.checks[0].assertions[3].data)')" "$(printf 'got: 1\nwanted: 2\nseverity: made up by the script\nseen:\n  - a\n  - b')" \
  "JSON: data is the point's YAML text"
is "$(json 'const a=j.checks[0].assertions[0];console.log(["directive","reason","data"].filter(k=>k in a).length)')" 0 \
  "JSON: a plain point has no directive, reason or data"
is "$(json 'console.log(j.checks.map(c=>c.status).join(" "))')" "fail pass pass" "JSON: TODO failures do not fail their check"
like "$(cat "$T/r.xml")" 'directive: "todo"' "JUnit: the directive in the assertion list"
like "$(cat "$T/r.xml")" 'reason: "no db"' "JUnit: the reason too"
like "$(cat "$T/r.xml")" 'data: "got: 1\\nwanted: 2' "JUnit: the data as one string"

# ---- the ABI: oc_directive and oc_assert_yaml from a plugin ----
ini plugin.ini <<EOF
[opscheck]
plugin_path = $TEST_PLUGINS
[check secret]
plugin = tp_nested
token = \${env:OC_NESTED_TOKEN}
[check badname]
plugin = tp_nested
mode = badname
[check early]
plugin = tp_nested
mode = early
[check dropped]
plugin = tp_nested
mode = dropped
EOF
OC_NESTED_TOKEN=s3cr3t-n3sted run_oc run -v -c "$T/plugin.ini" --json "$T/p.json"
tap_valid "$OUT" "plugin: valid TAP 14 (strict)"
unlike "$OUT$(cat "$T/p.json")" 's3cr3t' "a secret in a reason or in YAML is masked"
like "$OUT" '^    not ok 1 - login # TODO token \*\*\* expired$' "the reason passed the masking gate"
like "$OUT" '^      data: "user: marina\\ntoken: \*\*\*"$' "masked YAML that would read as an alias is one string"
like "$OUT" "^not ok [0-9]+ - badname" "a directive other than TODO or SKIP ends the check"
like "$OUT" "message: \"plugin bug: oc_directive 'todo' is not TODO or SKIP\"" "... naming the plugin bug"
unlike "$OUT" 'never reached' "... at once"
like "$OUT" '^ok [0-9]+ - early$' "a directive before any assertion is ignored"
unlike "$OUT" 'nothing to skip yet' "... and so is its reason"
like "$OUT" '^ok [0-9]+ - dropped$' "TODO failures past the record limit do not fail the check"

done_testing
