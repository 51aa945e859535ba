#!/usr/bin/env bash
# abi.t - the plugin ABI (core/opscheck/plugin.h): an ABI-1 plugin still
# loads and runs, descriptors and option rows are read by their size, what
# this core cannot understand is refused naming the file, ABI-2 additions
# (init2, oc_log) work, the validate hook (ABI 2 revision 1) judges values
# before the run, isolated, the getter and threading rules are enforced, and the
# program exports exactly the functions the header declares.
source "$(dirname "$0")/lib.sh"

hdr="[opscheck]
plugin_path = $TEST_PLUGINS"

# --- a plugin built against the frozen ABI-1 header loads and runs
ini abi1.ini <<EOF
$hdr
[check old_pass]
plugin = tp_abi1
on = yes
items = a, b, c
[check old_fail]
plugin = tp_abi1
mode = fail
count = 3
EOF
run_oc validate -c "$T/abi1.ini"
is "$RC" 0 "abi1: validate accepts the ABI-1 plugin and its options"
printf '%s\n[check a]\nplugin = tp_abi1\ncount = many\n' "$hdr" > "$T/abi1_bad.ini"
run_oc validate -c "$T/abi1_bad.ini"
like "$ERR" "count.*many" "abi1: its option table is read (a bad INT is refused)"
run_oc run -c "$T/abi1.ini" -v
is "$RC" 1 "abi1: run exits 1 (one check fails as asked)"
like "$OUT" "^ok 1 - old_pass$" "abi1: pass"
like "$OUT" "abi1 old_pass count=7 on=1 items=3 first=a" "abi1: options (default, bool, list) read"
like "$OUT" "abi1_fact: \"?from an ABI-1 plugin" "abi1: diag"
like "$OUT" "^not ok 2 - old_fail$" "abi1: fail"
like "$OUT" "expected: \"?up" "abi1: expect"
like "$OUT" "abi1_fact: \"?count=3" "abi1: diag of a failure with an INT option"
tap_valid "$OUT" "abi1: valid TAP"
OPSCHECK_PLUGIN_PATH=$TEST_PLUGINS run_oc plugins tp_abi1
like "$OUT" "count.*a number with a default" "abi1: 'plugins tp_abi1' lists its options"

# --- descriptors that misstate their ABI are refused, naming the file
printf '%s\n[check a]\nplugin = tp_refused\n' "$hdr" > "$T/refused.ini"
refused() { # VARIANT ERE NAME
    TP_REFUSED=$1 run_oc validate -c "$T/refused.ini"
    is "$RC" 2 "$3: refused"
    like "$ERR" "tp_refused\.so: $2" "$3: message names the file"
}
refused abi0 "plugin ABI 0; this opscheck accepts ABI 1 to 2 " "ABI 0"
refused abi3 "plugin ABI 3; this opscheck accepts ABI 1 to 2 " "ABI 3"
refused big "descriptor size [0-9]+; this opscheck reads descriptors of [0-9]+ \(ABI 1\) to [0-9]+ bytes" \
    "a descriptor larger than this core's"
refused flag "option 'mode' has unknown flag bits 0x40 \(this opscheck knows 0x1f" "unknown flag bit"
refused type "option 'mode' has an unknown type 99" "unknown option type"
refused rowsize "option rows of 7 bytes; this opscheck reads rows of [0-9]+ to [0-9]+ bytes" "a bogus option row size"
# an ABI-2 descriptor whose size stops before the ABI-2 members: they are not read
TP_REFUSED=short run_oc run -c "$T/refused.ini"
is "$RC" 0 "short descriptor: loads and runs (option_size and init2 beyond its size unread)"
like "$OUT" "^ok 1 - a$" "short descriptor: its check passes"

ini abi2.ini <<EOF
$hdr
[check logs]
plugin = tp_abi2
[check bad_getter]
plugin = tp_abi2
mode = undeclared
[check good_getter]
plugin = tp_abi2
mode = declared
header.x-app = demo
[check threads]
plugin = tp_abi2
mode = thread
EOF

# --- init2 says why
TP_ABI2_INIT_WHY="no API key in \$FOO_KEY" run_oc run -c "$T/abi2.ini" logs -v
is "$RC" 1 "init2: a failing init fails the check"
like "$OUT" 'message: "?plugin tp_abi2: init failed: no API key in \$FOO_KEY' "init2: the reason is shown"

# --- oc_log lines are facts of the check
run_oc run -c "$T/abi2.ini" logs -v
is "$RC" 0 "oc_log: the check passes"
like "$OUT" '^  log: "?first line 1' "oc_log: first line"
like "$OUT" '^  log_2: "?second line' "oc_log: second line"
tap_valid "$OUT" "oc_log: valid TAP"

# --- a getter for an undeclared key ends the check; the others go on
run_oc run -c "$T/abi2.ini" bad_getter good_getter -v
is "$RC" 1 "undeclared key: the run fails"
like "$OUT" "^not ok 1 - bad_getter" "undeclared key: that check fails"
like "$OUT" "plugin bug: option 'timout' is not declared" "undeclared key: named"
unlike "$OUT" "after the bad getter" "undeclared key: the check ended there"
like "$OUT" "^ok 2 - good_getter" "undeclared key: the next check runs"
like "$OUT" "header.x-app=demo" "a PREFIX option's NAME.x keys are declared"
tap_valid "$OUT" "undeclared key: valid TAP"

# --- oc_* from another thread is refused and named
run_oc run -c "$T/abi2.ini" threads -v
is "$RC" 1 "threads: the check fails"
like "$OUT" "plugin bug: oc_pass called from a thread other than run\(\)'s \(ignored\)" "threads: the refused call is named"
unlike "$OUT" "reported from another thread" "threads: the other thread's record never arrives"
like "$OUT" "reported from run\(\)'s thread" "threads: run()'s own records arrive"

# --- ABI 2 revision 1: the validate hook judges values before anything runs
ini judge.ini <<EOF
$hdr
[check plain]
plugin = tp_judge
pattern = fine
item = yes
[check refused]
plugin = tp_judge
pattern = a bad one
item = yes
item = no
token = \${env:TPJ_TOKEN}
[check from_env]
plugin = tp_judge
pattern = \${env:TPJ_PATTERN}
[check old_plugin]
plugin = tp_abi2
EOF
TPJ_TOKEN=hunter2-secret-value TPJ_PATTERN=bad run_oc validate -c "$T/judge.ini"
is "$RC" 2 "validate hook: a refused value is a config error (exit 2)"
like "$ERR" "judge\.ini:9: check 'refused': pattern: \"a bad one\" is refused by tp_judge$" "validate hook: file:line of the key"
like "$ERR" "judge\.ini:11: check 'refused': item 1 says no$" "validate hook: KEY[N] names the line of that repeated item"
unlike "$ERR" "check 'plain'" "validate hook: a good check passes"
unlike "$ERR" "hunter2|saw the secret" "validate hook: a secret option is never passed (nor printed)"
unlike "$ERR" "check 'from_env'" "validate hook: a value from \${env:...} is not judged at validate"
unlike "$ERR" "not heard" "validate hook: other results from validate are not heard"
is "$(grep -c . <<<"$ERR")" 3 "validate hook: two errors and the count, nothing else"
TPJ_TOKEN=x TPJ_PATTERN=bad run_oc run -c "$T/judge.ini" -v
is "$RC" 2 "validate hook: run refuses the config before running"
like "$ERR" "judge\.ini:9: check 'refused': pattern:" "validate hook: run names file:line too"
unlike "$OUT" "^ok " "validate hook: run ran nothing"
# at run time, oc_invalid from run() is an ERROR naming the key
printf '%s\n[check e]\nplugin = tp_judge\npattern = ${env:TPJ_PATTERN}\n' "$hdr" > "$T/judge_env.ini"
TPJ_PATTERN=bad run_oc run -c "$T/judge_env.ini" -v
is "$RC" 1 "oc_invalid in run(): the check errs"
like "$OUT" 'message: "pattern: \\"bad\\" is refused by tp_judge"' "oc_invalid in run(): KEY: why"
like "$OUT" 'severity: "error"' "oc_invalid in run(): an ERROR, not a FAIL"
# a plugin built against ABI 2 before the revision: its size stops before validate, never read or called
TP_JUDGE_OLD=1 TPJ_TOKEN=x run_oc validate -c "$T/judge.ini"
is "$RC" 0 "older ABI-2 descriptor: validate beyond its size is not called"
# plugins without the hook (ABI 1 above, ABI 2 here) load and validate as before
printf '%s\n[check a]\nplugin = tp_abi2\n[check b]\nplugin = tp_abi1\n' "$hdr" > "$T/nohook.ini"
run_oc validate -c "$T/nohook.ini"
is "$RC" 0 "plugins without the hook validate"
# a hook that crashes, or calls an undeclared getter: one line naming the check
printf '%s\n[check boom]\nplugin = tp_judge\nmode = crash\n[check odd]\nplugin = tp_judge\nmode = undeclared\n' "$hdr" > "$T/judge_crash.ini"
run_oc validate -c "$T/judge_crash.ini"
is "$RC" 2 "crashing hook: exit 2"
like "$ERR" "judge_crash\.ini:4: check 'boom': plugin tp_judge: validate killed by SIGSEGV$" "crashing hook: one line naming the check"
unlike "$ERR" "check 'odd'" "an undeclared getter in validate ends nothing"
is "$(grep -c . <<<"$ERR")" 2 "crashing hook: one error line and the count"
# a hook that hangs: killed after 10 s, one line naming the check, no process left
printf '%s\n[check stuck]\nplugin = tp_judge\nmode = hang\n' "$hdr" > "$T/judge_hang.ini"
start=$SECONDS
run_oc validate -c "$T/judge_hang.ini"
is "$RC" 2 "hanging hook: exit 2"
like "$ERR" "judge_hang\.ini:4: check 'stuck': plugin tp_judge: validate still running after 10 s$" "hanging hook: one line naming the check"
[ $((SECONDS - start)) -lt 20 ]; ok $? "hanging hook: validate returns within the limit"
pgrep -f "judge_hang\.ini" >/dev/null && left=1 || left=0
is "$left" 0 "hanging hook: no process left behind"

# --- exports: exactly the functions plugin.h declares, both ways
nm -D --defined-only "$OPSCHECK" | awk '$3 ~ /^oc_/ {print $3}' | sort -u > "$T/exported"
${CC:-cc} -E -P -x c "$ROOT/core/opscheck/plugin.h" | grep -oE '\boc_[a-z0-9_]+ *\(' | tr -d ' (' | sort -u \
    > "$T/declared"
[ "$(wc -l < "$T/declared")" -gt 10 ]; ok $? "plugin.h declares functions (the parse found them)"
diff "$T/declared" "$T/exported" > "$T/exports.diff"
is "$?" 0 "nm -D opscheck exports exactly plugin.h's oc_* functions (< declared only, > exported only)"
sed 's/^/# /' "$T/exports.diff"
run_oc --version
like "$OUT" "\(plugin ABI 2\)$" "--version names ABI 2"
done_testing
