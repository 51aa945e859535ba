#!/usr/bin/env bash
# abi.t - the plugin ABI (core/opscheck/plugin.h): an ABI-1 plugin still
# loads and runs, descriptors and option rows are read by their size, what
# this core cannot understand is refused naming the file, ABI-2 additions
# (init2, oc_log) work, the getter and threading rules are enforced, and the
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
