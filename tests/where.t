#!/usr/bin/env bash
# where.t - where the config and the plugins come from.  The config: -c
# (repeatable, "-" is stdin), else $OPSCHECK_CONFIG, ./checks.ini,
# $XDG_CONFIG_HOME/opscheck/checks.ini ($HOME/.config when unset or empty),
# SYSCONFDIR/opscheck/checks.ini; the first that exists is used, and with none
# one error names every place.  `opscheck plugins` walks the path `run` does:
# the config's plugin_path, $OPSCHECK_PLUGIN_PATH, the default folder.
source "$(dirname "$0")/lib.sh"

# one config per place, each with a check named after it
place() { mkdir -p "$(dirname "$1")"; printf '[check %s]\nplugin = exec\ncommand = true\n' "$2" >"$1"; }
mkdir -p "$T/cwd" "$T/home" "$T/empty"
place "$T/cwd/checks.ini" from-cwd
place "$T/home/.config/opscheck/checks.ini" from-home
place "$T/xdg/opscheck/checks.ini" from-xdg
place "$T/env.ini" from-env
place "$T/c1.ini" from-c1
printf '[check from-c1]\ntimeout = 7s\n[check from-c2]\nplugin = exec\ncommand = true\n' >"$T/c2.ini"

# oc DIR ARGS...: opscheck in DIR with HOME=$T/home and nothing else set
oc() {
    local dir=$1; shift
    (cd "$dir" && env -u OPSCHECK_CONFIG -u XDG_CONFIG_HOME HOME="$T/home" "${EXTRA[@]}" "$OPSCHECK" "$@") \
        >"$T/out" 2>"$T/err" </dev/null
    RC=$?; OUT=$(cat "$T/out"); ERR=$(cat "$T/err")
}
EXTRA=()

oc "$T/cwd" validate -c "$T/c1.ini" -c "$T/c2.ini"
is "$OUT" "$T/c1.ini + $T/c2.ini: 2 checks, 0 checklists: OK" "-c first: both files merged in order, and validate says which"
EXTRA=(OPSCHECK_CONFIG="$T/env.ini" XDG_CONFIG_HOME="$T/xdg")
oc "$T/cwd" validate -c "$T/c1.ini"
like "$OUT" "^$T/c1.ini: 1 checks" "-c wins over \$OPSCHECK_CONFIG and ./checks.ini"
oc "$T/cwd" list
like "$OUT" "^Config: $T/env.ini\$" "then \$OPSCHECK_CONFIG, over ./checks.ini (list says which)"
like "$OUT" '^  from-env ' "its checks are listed"
EXTRA=(XDG_CONFIG_HOME="$T/xdg")
oc "$T/cwd" validate
is "$OUT" "./checks.ini: 1 checks, 0 checklists: OK" "then ./checks.ini, over the XDG folder"
oc "$T/empty" validate
is "$OUT" "$T/xdg/opscheck/checks.ini: 1 checks, 0 checklists: OK" "then \$XDG_CONFIG_HOME/opscheck/checks.ini"
oc "$T/empty" run --dry-run
like "$OUT" "^Config: $T/xdg/opscheck/checks.ini\$" "--dry-run says which config it read"
like "$OUT" '^  from-xdg ' "and plans its checks"
EXTRA=(XDG_CONFIG_HOME=)
oc "$T/empty" validate
is "$OUT" "$T/home/.config/opscheck/checks.ini: 1 checks, 0 checklists: OK" "XDG_CONFIG_HOME empty: \$HOME/.config/opscheck/checks.ini"
EXTRA=()
oc "$T/empty" run --format tap
like "$OUT" '^ok 1 - from-home$' "XDG_CONFIG_HOME unset: the same, and run runs it"
EXTRA=(XDG_CONFIG_HOME=relative/dir)
oc "$T/empty" validate
like "$OUT" "^$T/home/.config/opscheck/checks.ini:" "a relative XDG_CONFIG_HOME is ignored, as the XDG spec says"

# SYSCONFDIR/opscheck/checks.ini, last: a program built with SYSCONFDIR=$T/etc
# (a copy of the tree, so only core/config_search.o rebuilds and the ./opscheck
# other tests run is never relinked)
mkdir "$T/src"
tar -C "$ROOT" --exclude=./.git --exclude=./tests -cf - . | tar -C "$T/src" -xf -
SANARG=; grep -q fsanitize "$ROOT/.build-flags" 2>/dev/null && SANARG=SAN=1
make -s -C "$T/src" opscheck SYSCONFDIR="$T/etc" $SANARG >"$T/make.log" 2>&1
is "$?" 0 "a program built with make SYSCONFDIR=DIR"
place "$T/etc/opscheck/checks.ini" from-etc
EXTRA=(XDG_CONFIG_HOME="$T/xdg-none")
SAVED=$OPSCHECK; OPSCHECK=$T/src/opscheck
oc "$T/empty" validate
is "$OUT" "$T/etc/opscheck/checks.ini: 1 checks, 0 checklists: OK" "then SYSCONFDIR/opscheck/checks.ini"
oc "$T/empty" run --format tap
like "$OUT" '^ok 1 - from-etc$' "and run runs it"
EXTRA=(XDG_CONFIG_HOME="$T/xdg")
oc "$T/empty" validate
like "$OUT" "^$T/xdg/opscheck/checks.ini:" "the XDG folder comes before SYSCONFDIR"
rm -r "$T/etc"
EXTRA=(XDG_CONFIG_HOME="$T/xdg-none")
oc "$T/empty" validate
like "$ERR" "none of .*, $T/etc/opscheck/checks\.ini exists" "the all-places error names the SYSCONFDIR it was built with"
oc "$T/empty" --help
like "$OUT" "^ +$T/etc/opscheck/checks\.ini\.\$" "--help names that SYSCONFDIR too"
OPSCHECK=$SAVED

# nowhere: one error naming every place, exit 2
EXTRA=(XDG_CONFIG_HOME="$T/xdg-none")
oc "$T/empty" validate
is "$RC" 2 "no config anywhere: exit 2"
like "$ERR" "^opscheck: no config file: .*OPSCHECK_CONFIG.*\./checks\.ini, $T/xdg-none/opscheck/checks\.ini, /etc/opscheck/checks\.ini" \
    "one error names every place looked at"
is "$(grep -c 'checks.ini' <<<"$ERR")" 1 "on one line"
oc "$T/empty" run
is "$RC" 2 "run without a config: exit 2"
like "$ERR" "none of \./checks\.ini, " "and the same error"

# $OPSCHECK_CONFIG naming a missing file is an error, not a fall-through to ./checks.ini
EXTRA=(OPSCHECK_CONFIG="$T/missing.ini")
oc "$T/cwd" validate
is "$RC" 2 "\$OPSCHECK_CONFIG names a missing file: exit 2"
like "$ERR" "^$T/missing\.ini: cannot open: No such file or directory \(\\\$OPSCHECK_CONFIG names it\)$" "the error names the file and where it came from"
unlike "$OUT" 'checks.ini' "./checks.ini is not read instead"

# -c - reads stdin
EXTRA=()
stdin_oc() { local input=$1; shift; printf '%b' "$input" | (cd "$T/cwd" && "$OPSCHECK" "$@") >"$T/out" 2>"$T/err"; RC=$?; OUT=$(cat "$T/out"); ERR=$(cat "$T/err"); }
stdin_oc '[check piped]\nplugin = exec\ncommand = true\n' run -c - --format tap
is "$RC" 0 "-c - reads the config from stdin"
like "$OUT" '^ok 1 - piped$' "and runs its checks (not ./checks.ini's)"
stdin_oc '[check piped]\nplugin = exec\ncommand = true\ntimeout = soon\n' validate -c -
is "$RC" 2 "a bad config on stdin: exit 2"
like "$ERR" '^<stdin>:4: ' "its error names <stdin>:LINE"
stdin_oc '[check piped]\nplugin = exec\ncommand = true\n' validate -c "$T/c1.ini" -c -
is "$OUT" "$T/c1.ini + <stdin>: 2 checks, 0 checklists: OK" "-c - merges with other -c files, named <stdin>"
stdin_oc '' validate -c - -c -
is "$RC" 2 "-c - twice is a usage error"
like "$ERR" '^opscheck: -c - \(stdin\) may be given once' "saying so"
# relative plugin_path in a stdin config: relative to the current folder
mkdir -p "$T/cwd/pp"; cp "$TEST_PLUGINS/tp.so" "$T/cwd/pp/"; chmod 755 "$T/cwd/pp"
stdin_oc '[opscheck]\nplugin_path = pp\n[check t]\nplugin = tp\n' plugins tp -c -
is "$RC" 0 "a relative plugin_path on stdin is relative to the current folder"
like "$OUT" "^\($T/cwd/pp/tp\.so\)$|^\(pp/tp\.so\)$" "and the plugin is found there"

# plugins: the config's plugin_path (-c or found by the search) and $OPSCHECK_PLUGIN_PATH
mkdir -p "$T/pp"; cp "$TEST_PLUGINS/tp.so" "$T/pp/"; chmod 755 "$T/pp"
printf '[opscheck]\nplugin_path = %s\n[check t]\nplugin = tp\n' "$T/pp" >"$T/pp.ini"
oc "$T/empty" plugins tp
is "$RC" 2 "without a config, a plugin outside the default folder is unknown"
oc "$T/empty" plugins -c "$T/pp.ini"
is "$RC" 0 "plugins -c FILE exits 0"
like "$OUT" '^tp +test plugin: misbehaves on request$' "plugins -c FILE lists a plugin found only through plugin_path"
like "$OUT" '^exec ' "and the default folder's"
oc "$T/empty" plugins tp -c "$T/pp.ini"
like "$OUT" "^tp - test plugin: misbehaves on request$" "plugins NAME -c FILE describes it"
like "$OUT" "^\($T/pp/tp\.so\)$" "from the plugin_path folder"
mkdir -p "$T/found"; cp "$T/pp.ini" "$T/found/checks.ini"
oc "$T/found" plugins tp
is "$RC" 0 "plugins honours the plugin_path of the config the search finds (./checks.ini)"
like "$OUT" "^\($T/pp/tp\.so\)$" "and describes the plugin from there"
EXTRA=(OPSCHECK_CONFIG="$T/pp.ini")
oc "$T/empty" plugins
like "$OUT" '^tp ' "and of \$OPSCHECK_CONFIG's"
EXTRA=(OPSCHECK_PLUGIN_PATH="$T/pp")
oc "$T/empty" plugins
like "$OUT" '^tp +test plugin' "plugins lists a plugin found only through \$OPSCHECK_PLUGIN_PATH"
oc "$T/empty" plugins tp
like "$OUT" "^\($T/pp/tp\.so\)$" "and describes it"
EXTRA=()
printf '[opscheck]\nplugin_path = %s\n[check t]\nplugin = nosuch\n' "$T/pp" >"$T/bad.ini"
oc "$T/empty" plugins -c "$T/bad.ini"
is "$RC" 2 "a config with errors: plugins exits 2"
like "$ERR" "bad\.ini:4: .*nosuch" "naming the error"
like "$OUT" '^tp ' "but still lists the plugins on its plugin_path"
oc "$T/empty" plugins -c "$T/missing.ini"
is "$RC" 2 "plugins -c MISSING: exit 2"
like "$ERR" "missing\.ini: cannot open" "naming the file"

done_testing
