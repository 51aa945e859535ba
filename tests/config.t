#!/usr/bin/env bash
# config.t - every config error with its exact message (file:line, what is
# wrong, what was meant), `validate` reporting all of them at once, merging
# of -c files and --set, the plugin loader's refusals, list and plugins.
source "$(dirname "$0")/lib.sh"

hdr="[opscheck]
plugin_path = $TEST_PLUGINS"

# validate_err NAME EXPECTED-LINE : the INI in $T/NAME.ini gives that error
validate_err() {
    run_oc validate -c "$T/$1.ini"
    is "$RC" 2 "$1: validate exits 2"
    like "$ERR" "^$(printf '%s' "$T/$1.ini" | sed 's/[.[\*^$/]/\\&/g')$2" "$1: $2"
}

ini unknown_section.ini <<EOF
$hdr
[chekc foo]
plugin = tp
EOF
validate_err unknown_section ':3: unknown section \[chekc foo\] \(did you mean \[check foo\]\?\)$'
ini far_section.ini <<EOF
$hdr
[frobnicate]
EOF
validate_err far_section ':3: unknown section \[frobnicate\]; expected \[opscheck\], \[vars\], \[check NAME\] or \[checklist NAME\]$'

ini near_section.ini <<EOF
$hdr
[chek foo]
plugin = tp
[var]
EOF
validate_err near_section ':3: unknown section \[chek foo\] \(did you mean \[check foo\]\?\)$'
like "$ERR" ':5: unknown section \[var\] \(did you mean \[vars\]\?\)$' "a near section kind is suggested, with its name"

ini dup_section.ini <<EOF
$hdr
[check a]
plugin = tp
[check b]
plugin = tp
[check a]
plugin = tp
[checklist l]
checks = a
[checklist l]
checks = b
[check a]
EOF
validate_err dup_section ":7: duplicate section \[check a\] \(first at line 3\)$"
like "$ERR" ":13: duplicate section \[check a\] \(first at line 3\)$" "a third copy names the first"
like "$ERR" ":11: duplicate section \[checklist l\] \(first at line 9\)$" "checklists too"
like "$ERR" '^3 errors$' "and nothing else"

ini unknown_key.ini <<EOF
$hdr
[check a]
plugin = tp
timout = 5s
EOF
validate_err unknown_key ":5: unknown key 'timout' for plugin tp \(did you mean 'timeout'\?\)$"

ini missing_required.ini <<EOF
$hdr
[check a]
plugin = exec
EOF
validate_err missing_required ":3: check 'a' is missing required option 'command' \(plugin exec: .*\)$"

ini wrong_type.ini <<EOF
$hdr
[check a]
plugin = tp
sleep = soon
[check b]
plugin = tp
size = 12 bananas
[check c]
plugin = tp
pct = 140%
[check d]
plugin = tp
on = maybe
[check e]
plugin = tp
retries = -1
EOF
validate_err wrong_type ":5: 'sleep' must be a duration such as 250ms, 10s, 5m, 26h or 7d, not 'soon'$"
like "$ERR" ":8: 'size' must be a size such as 512, 64KiB, 1MiB or 1MB, not '12 bananas'$" "wrong type: size"
like "$ERR" ":11: 'pct' must be a percentage from 0 to 100 such as 99%, not '140%'$" "wrong type: percentage"
like "$ERR" ":14: 'on' must be yes/no, true/false or on/off, not 'maybe'$" "wrong type: boolean"
like "$ERR" ":17: 'retries' must be an integer from 0 to 100, not '-1'$" "wrong value: retries"
like "$ERR" '^5 errors$' "validate reports every error, not the first"

ini duplicate.ini <<EOF
$hdr
[check a]
plugin = tp
mode = ok
mode = fail
EOF
validate_err duplicate ":6: duplicate key 'mode' \(first at line 5\)$"

ini unknown_plugin.ini <<EOF
$hdr
[check a]
plugin = nosuch
EOF
validate_err unknown_plugin ":4: unknown plugin 'nosuch' \(no nosuch.so in .*\)$"

printf '[check a]\nplugin = htp-health\nurl = http://127.0.0.1:1/\n' > "$T/typo_plugin.ini"
validate_err typo_plugin ":2: unknown plugin 'htp-health' \(did you mean 'http-health'\?\)$"

ini missing_check.ini <<EOF
$hdr
[check fly-status]
plugin = tp
[checklist daily]
checks = fly-status fly-stats
EOF
validate_err missing_check ":6: checklist 'daily' names 'fly-stats', which is not a check \(did you mean 'fly-status'\?\)$"

ini cycle.ini <<EOF
$hdr
[check a]
plugin = tp
needs = b
[check b]
plugin = tp
needs = c
[check c]
plugin = tp
needs = a
EOF
validate_err cycle ":3: needs cycle: a -> b -> c -> a$"

ini undefined_var.ini <<EOF
$hdr
[vars]
host = 127.0.0.1
[check a]
plugin = tp
message = \${hots}
EOF
validate_err undefined_var ":7: undefined variable \\$\{hots\} \(define it under \[vars\] or use \\$\{env:NAME\}\)$"

ini literal_secret.ini <<EOF
$hdr
[check a]
plugin = tp
token = hunter2-literal
EOF
validate_err literal_secret ":5: 'token' is a secret: give it as \\$\{env:NAME\} or \\$\{file:PATH\}, never as a literal value in the INI$"
unlike "$ERR" 'hunter2' "the literal secret is not echoed back"

ini secret_argv.ini <<EOF
$hdr
[check a]
plugin = exec
command = curl -H "Authorization: \${env:FLY_API_TOKEN}" http://127.0.0.1:1/
EOF
validate_err secret_argv ":5: 'command' would carry a secret into a command line, where any user can read it; pass it by environment instead$"

ini bad_line.ini <<EOF
$hdr
[check a]
plugin = tp
this line has no equals sign
[check b
EOF
validate_err bad_line ":5: expected 'key = value', a \[section\] or a ; comment$"
like "$ERR" ":6: section header without ']'$" "a header without ]"

ini opscheck_key.ini <<EOF
[opscheck]
job = 4
EOF
validate_err opscheck_key ":2: unknown key 'job' in \[opscheck\] \(did you mean 'jobs'\?\)$"

# inih ends a value at ' ;' (an inline comment): in a command line (or SQL)
# that would run something else than written, so it is refused, even when the
# rest is meant as a comment; after other values the comment is wanted.
ini inline_comment.ini <<'EOF'
[opscheck]
timeout = 5s ; generous

[check a]
plugin = exec
description = runs true ; or so it seems
command = true ; exit 3
timeout = 2s   ; a comment after a value is fine
[check b]
plugin = exec
shell = yes
command = true; exit 0 ;
EOF
validate_err inline_comment ":7: ';' after a blank starts an INI comment: 'true ; exit 3' would run as 'true'; write ';' without the blank, or put a comment on a line of its own$"
like "$ERR" '^1 error$' "inline comment: only the command is refused (not timeout, description, or a bare trailing ';')"
run_oc run -c "$T/inline_comment.ini" a
is "$RC" 2 "inline comment: run refuses it too, before running anything"
unlike "$OUT" '^ok ' "inline comment: nothing ran"
ini inline_ok.ini <<'EOF'
[opscheck]
timeout = 5s ; generous
[check a]
plugin = exec
command = sh -c 'exit 0'   ; a comment after a whole command
[check b]
plugin = exec
command = sh -c 'true;exit 0'
EOF
run_oc validate -c "$T/inline_ok.ini"
is "$RC" 2 "a comment after a command is refused too: it cannot be told from code"
like "$ERR" "inline_ok.ini:5: ';' after a blank starts an INI comment: 'sh -c 'exit 0'   ; a comment after a whole command' would run as 'sh -c 'exit 0''" "and named with its line"
like "$ERR" '^1 error$' "';' with no blank before it is code, kept"


run_oc validate -c "$T/nonexistent.ini"
is "$RC" 2 "a missing file is a config error"
like "$ERR" 'nonexistent.ini: cannot open: No such file or directory' "and names the file"

# run refuses a broken config: exit 2, nothing ran, still valid TAP
run_oc run -c "$T/unknown_key.ini"
is "$RC" 2 "run with a config error exits 2"
like "$OUT" "^Bail out! config error: .*unknown key 'timout'" "the TAP stream says why"
tap_valid "$OUT" "a config error still gives valid TAP"
unlike "$OUT" '^(not )?ok' "nothing ran"

# --- values of any length (Debian's inih takes its line limit at run time)
long=$(head -c 300000 /dev/zero | tr '\0' 'x')
printf '%s\n[check long]\nplugin = tp\nmessage = %s\n' "$hdr" "$long" > "$T/long.ini"
run_oc run -c "$T/long.ini" -v
is "$RC" 0 "a 300 kB value is read"
msglen=$(printf '%s\n' "$OUT" | awk '/^  message: /{print length($0) - 13}')
is "$msglen" 65536 "and reaches the plugin whole (cut only by the wire limit of 64 KiB)"

# --- merging -c files and --set
ini base.ini <<EOF
$hdr
[vars]
target = production
[check a]
plugin = tp
message = checking \${target}
sleep = 1ms
[checklist daily]
checks = a
EOF
ini staging.ini <<EOF
[vars]
target = staging
[check a]
sleep = 2ms
EOF
run_oc run -c "$T/base.ini" -c "$T/staging.ini" -v daily
like "$OUT" 'message: "checking staging"' "a later file's [vars] override"
is "$RC" 0 "a later file's check keys merge into the same check"
run_oc run -c "$T/base.ini" -c "$T/staging.ini" --set target=sandbox -v daily
like "$OUT" 'message: "checking sandbox"' "--set overrides a var last"
OPSCHECK_CONFIG="$T/base.ini" run_oc run -v
like "$OUT" 'message: "checking production"' "\$OPSCHECK_CONFIG names the config"
(cd "$T" && cp base.ini checks.ini && "$OPSCHECK" run -v >"$T/cwd.out" 2>&1)
like "$(cat "$T/cwd.out")" 'message: "checking production"' "./checks.ini is the default"

ini envdefault.ini <<EOF
$hdr
[check a]
plugin = tp
message = \${env:OC_SURELY_UNSET:-fallback} and \$\$literal
EOF
run_oc run -c "$T/envdefault.ini" -v
like "$OUT" 'message: "fallback and \$literal"' "\${env:NAME:-default} and \$\$"

# --- option getters: lists, PREFIX keys, sizes, percentages, booleans
ini getters.ini <<EOF
$hdr
[check g]
plugin = tp
mode = opts
items = "first item", second third
header.X-App-Secret = abc
size = 64KiB
pct = 99.5%
on = yes
EOF
run_oc run -c "$T/getters.ini" -v
like "$OUT" 'message: "items=3 first=first item headers=1 X-App-Secret=abc size=65536 pct=99.5 on=1"' "typed getters"

# --- the loader refuses broken plugins, naming the file
for bad in tp_badabi tp_badsize tp_badname tp_noentry; do
  printf '%s\n[check a]\nplugin = %s\n' "$hdr" "$bad" > "$T/$bad.ini"
  run_oc validate -c "$T/$bad.ini"
  is "$RC" 2 "$bad is refused"
done
run_oc validate -c "$T/tp_badabi.ini"
like "$ERR" "tp_badabi.so: plugin ABI 99; this opscheck accepts ABI 1 to 2 \(build the plugin against its <opscheck/plugin.h>\)$" "wrong ABI named"
run_oc validate -c "$T/tp_badsize.ini"
like "$ERR" "tp_badsize.so: descriptor size 8; this opscheck reads descriptors of [0-9]+ \(ABI 1\) to [0-9]+ bytes" "a descriptor smaller than ABI 1's named"
run_oc validate -c "$T/tp_badname.ini"
like "$ERR" "tp_badname.so: descriptor names plugin 'other', but the file is named 'tp_badname.so'$" "name mismatch named"
run_oc validate -c "$T/tp_noentry.ini"
like "$ERR" "tp_noentry.so: no opscheck_plugin\(\) entry point: not an opscheck plugin$" "missing entry point named"

mkdir -p "$T/dup1" "$T/dup2" "$T/gw"
cp "$TEST_PLUGINS/tp.so" "$T/dup1/"; cp "$TEST_PLUGINS/tp.so" "$T/dup2/"; cp "$TEST_PLUGINS/tp.so" "$T/gw/"
chmod 755 "$T/dup1" "$T/dup2" "$T/gw"; chmod 644 "$T"/dup1/tp.so "$T"/dup2/tp.so
printf '[opscheck]\nplugin_path = %s:%s\n[check a]\nplugin = tp\n' "$T/dup1" "$T/dup2" > "$T/dup.ini"
run_oc validate -c "$T/dup.ini"
like "$ERR" "two plugins named 'tp': $T/dup1/tp.so and $T/dup2/tp.so" "two plugins with one name refused"
chmod 666 "$T/gw/tp.so"
printf '[opscheck]\nplugin_path = %s\n[check a]\nplugin = tp\n' "$T/gw" > "$T/gw.ini"
run_oc validate -c "$T/gw.ini"
like "$ERR" "gw/tp.so: refusing a plugin writable by group or others \(chmod go-w .*\)$" "a world-writable plugin refused"
chmod 644 "$T/gw/tp.so"; chmod 777 "$T/gw"
run_oc validate -c "$T/gw.ini"
like "$ERR" "refusing a plugin in a folder writable by group or others" "a plugin in a world-writable folder refused"
chmod 755 "$T/gw"

# --- the command line: each command takes its own options
run_oc validate -c "$T/base.ini" --junit "$T/x.xml"
is "$RC" 2 "validate --junit is a usage error"
is "$ERR" "opscheck: validate does not take --junit (see opscheck --help)" "one line naming the option and the command"
run_oc list -c "$T/base.ini" -v
is "$ERR" "opscheck: list does not take --verbose (see opscheck --help)" "list -v is refused"
run_oc plugins exec --tag x
is "$ERR" "opscheck: plugins does not take --tag (see opscheck --help)" "plugins --tag is refused"
run_oc validate -c "$T/base.ini" daily
is "$ERR" "opscheck: validate takes no NAME, not 'daily' (see opscheck --help)" "validate NAME is refused"
run_oc plugins exec tp
is "$RC" 2 "plugins takes one NAME"
run_oc validate -c "$T/base.ini" --set target=x
is "$RC" 0 "validate takes --set"
run_oc run -c "$T/base.ini" --junit "$T/x.xml" daily
is "$RC" 0 "run still takes --junit"
run_oc valdate
like "$ERR" "^opscheck: unknown command 'valdate' \(did you mean 'validate'\?\)$" "a near command is suggested"
run_oc validate --help
is "$RC" 0 "--help goes with any command"

# --- a --tag no check has: said on stderr, with the nearest tag
ini tagged.ini <<EOF
$hdr
[check a]
plugin = tp
tags = prod, fly
EOF
run_oc run -c "$T/tagged.ini" --tag prdo
is "$RC" 2 "an unused tag is a usage error (issue 13: an empty selection is never green)"
like "$ERR" "^opscheck: --tag prdo: no check has this tag \(did you mean 'prod'\?\)$" "a near tag is suggested"
run_oc run -c "$T/tagged.ini" --tag prod
unlike "$ERR" "no check has tag" "a used tag is not warned about"

# --- list, plugins
ini listed.ini <<EOF
$hdr
[check fly-status]
plugin = tp
description = every machine started in gru
tags = prod, fly
[checklist daily]
description = the 9 a.m. round
checks = fly-status
EOF
run_oc list -c "$T/listed.ini"
is "$RC" 0 "list exits 0"
like "$OUT" '^  daily \(1 checks\): the 9 a.m. round$' "list shows checklists"
like "$OUT" '^  fly-status +plugin=tp +tags=prod,fly  every machine started in gru$' "and checks with plugin, tags, description"
run_oc validate -c "$T/listed.ini"
like "$OUT" 'listed.ini: 1 checks, 1 checklists: OK$' "validate says OK"
run_oc plugins exec
is "$RC" 0 "plugins NAME exits 0"
like "$OUT" '^  command +string +- +\[required\]' "plugins NAME prints the option table"
like "$OUT" '^  timeout +duration' "and the options every check has"
run_oc plugins
like "$OUT" '^exec ' "plugins lists the in-tree plugins without configuration"
run_oc plugins nosuch
is "$RC" 2 "plugins with an unknown name exits 2"

# The keys the plan is made of are read before any value from outside: a
# ${env:} or ${file:} there is refused at its line, never dropped (a `needs`
# from the environment used to be ignored and the check ran anyway).
plan_msg='is read when the plan is made: write it in the file or in \[vars\] \(--set VAR=VALUE\), not from \$\{env:\.\.\.\} or \$\{file:\.\.\.\}$'
ini plan_keys.ini <<EOF
$hdr
[vars]
region = \${env:OC_T_REGION}
[check a]
plugin = tp
needs = \${env:OC_T_NEEDS}
tags = \${file:$T/tags.txt}
description = in \${region}
[check b]
plugin = \${env:OC_T_PLUGIN}
[checklist d]
checks = \${env:OC_T_CHECKS}
description = daily \${env:OC_T_WHO}
EOF
echo nightly >"$T/tags.txt"
export OC_T_REGION=eu OC_T_NEEDS=b OC_T_PLUGIN=tp OC_T_CHECKS=a OC_T_WHO=me
validate_err plan_keys ":7: 'needs' $plan_msg"
like "$ERR" ":8: 'tags' $plan_msg" "plan keys: tags from \${file:} refused at its line"
like "$ERR" ":9: 'description' $plan_msg" "plan keys: a description through a [vars] entry from \${env:} refused"
like "$ERR" ":11: 'plugin' $plan_msg" "plan keys: plugin from \${env:} refused"
like "$ERR" ":13: 'checks' $plan_msg" "plan keys: a checklist's checks from \${env:} refused"
like "$ERR" ":14: 'description' $plan_msg" "plan keys: a checklist's description from \${env:} refused"
unlike "$ERR" "lists no checks|not a plugin name" "plan keys: one line each, no second error about the same key"
is "$(grep -c . <<<"$ERR")" 7 "plan keys: six errors and the count"
run_oc run -c "$T/plan_keys.ini" a
is "$RC" 2 "plan keys: run refuses the config too (exit 2), nothing runs"
# --set makes a [vars] entry literal: the description is known when the plan is made
run_oc validate -c "$T/plan_keys.ini" --set region=eu
unlike "$ERR" ":9: " "plan keys: --set region=eu gives the description a value: no error at line 9"
unset OC_T_REGION OC_T_NEEDS OC_T_PLUGIN OC_T_CHECKS OC_T_WHO

# [opscheck]'s settings too: a timeout from the environment was dropped and
# the checks ran with the default deadline.
ini settings_env.ini <<EOF
[opscheck]
plugin_path = \${env:OC_T_PATH}
jobs = \${env:OC_T_JOBS}
timeout = \${env:OC_T_TIMEOUT}
[check a]
plugin = tp
EOF
OC_T_PATH=$TEST_PLUGINS OC_T_JOBS=1 OC_T_TIMEOUT=1s validate_err settings_env ":2: 'plugin_path' $plan_msg"
like "$ERR" ":3: 'jobs' $plan_msg" "[opscheck] jobs from \${env:} refused at its line"
like "$ERR" ":4: 'timeout' $plan_msg" "[opscheck] timeout from \${env:} refused at its line"

done_testing
