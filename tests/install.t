#!/usr/bin/env bash
# install.t - `make install PREFIX=...` puts the program, the plugins and
# <opscheck/plugin.h> where the installed program finds them, and a plugin
# built outside the tree against the installed header loads.
source "$(dirname "$0")/lib.sh"

P="$T/prefix"
# Build the install in a copy of the tree (objects and all, so only the loader
# rebuilds for the new PREFIX): the suite runs in parallel, and a test must
# never relink the ./opscheck the other tests are running.
mkdir "$T/src"
tar -C "$ROOT" --exclude=./.git -cf - . | tar -C "$T/src" -xf -
SANARG=; grep -q fsanitize "$ROOT/.build-flags" 2>/dev/null && SANARG=SAN=1
make -s -C "$T/src" install PREFIX="$P" $SANARG >"$T/make.log" 2>&1
is "$?" 0 "make install PREFIX=... succeeds"
ok "$([ -x "$P/bin/opscheck" ]; echo $?)" "the program is in PREFIX/bin"
ok "$([ -f "$P/lib/opscheck/plugins/exec.so" ]; echo $?)" "the plugins are in PREFIX/lib/opscheck/plugins"
ok "$([ -f "$P/include/opscheck/plugin.h" ]; echo $?)" "the header is PREFIX/include/opscheck/plugin.h"

OPSCHECK="$P/bin/opscheck" run_oc plugins
like "$OUT" '^exec ' "the installed program finds its plugins with no configuration"
OPSCHECK="$P/bin/opscheck" run_oc plugins exec
like "$OUT" "\($P/lib/opscheck/plugins/exec.so\)" "from PREFIX, not from the build tree"

# a plugin written by a team, outside the tree, against the installed header only
mkdir -p "$T/mine"
cat > "$T/mine/hello.c" <<'C'
#include <opscheck/plugin.h>
static void run(oc_check *c) { oc_pass(c, "hello from %s", oc_opt_str(c, "who")); }
static const oc_option opts[] = {{"who", OC_T_STRING, "outside", 0, "who says hello"}, {0}};
static const oc_plugin hello = {.abi = OC_ABI_VERSION, .size = sizeof(oc_plugin), .name = "hello",
                                .summary = "says hello", .options = opts, .run = run};
OC_PLUGIN(hello)
C
cc -std=c11 -Wall -Wextra -Werror -fPIC -shared -I"$P/include" -o "$T/mine/hello.so" "$T/mine/hello.c"
is "$?" 0 "an out-of-tree plugin compiles against the installed header alone"
chmod 755 "$T/mine"
printf '[opscheck]\nplugin_path = %s\n[check hi]\nplugin = hello\nwho = the team\n' "$T/mine" > "$T/mine.ini"
OPSCHECK="$P/bin/opscheck" run_oc run -c "$T/mine.ini" -v
is "$RC" 0 "and runs"
like "$OUT" 'message: "hello from the team"' "with its options"

# the SDK: pkg-config, man pages, completion, scripts/new-plugin
ok "$([ -f "$P/lib/pkgconfig/opscheck-plugin.pc" ]; echo $?)" "a pkg-config file is installed"
cflags=$(PKG_CONFIG_PATH="$P/lib/pkgconfig" pkg-config --cflags opscheck-plugin)
like "$cflags" "-I$P/include" "pkg-config --cflags opscheck-plugin points at the installed header"
ok "$([ -f "$P/share/man/man1/opscheck.1" ] && [ -f "$P/share/man/man7/opscheck-plugin.7" ]; echo $?)" "man pages opscheck(1) and opscheck-plugin(7)"
man -l "$P/share/man/man7/opscheck-plugin.7" >"$T/man.txt" 2>/dev/null || groff -man -Tutf8 "$P/share/man/man7/opscheck-plugin.7" >"$T/man.txt" 2>/dev/null || cp "$P/share/man/man7/opscheck-plugin.7" "$T/man.txt"
like "$(cat "$T/man.txt")" 'OWNERSHIP' "the plugin man page states the ownership rules"
ok "$([ -f "$P/share/bash-completion/completions/opscheck" ]; echo $?)" "bash completion is installed"
ok "$([ -f "$P/share/doc/opscheck/plugin-guide.md" ]; echo $?)" "the plugin guide is in PREFIX/share/doc/opscheck"
for page in opscheck opscheck-plugin; do
  MANWIDTH=80 man -M "$P/share/man" "$page" >"$T/man-$page.txt" 2>"$T/man-$page.err"
  is "$?" 0 "man -M PREFIX/share/man $page finds the installed page"
done
like "$(cat "$T/man-opscheck.txt")" '^ENVIRONMENT' "and opscheck(1) has its ENVIRONMENT section"

# The README's plugin quickstart, run as written: only its PREFIX (/opt/opscheck)
# is this test's, and HOME (~) a folder of its own; run from the source tree.
sed -n '/^<!-- quickstart/,/^<!-- \/quickstart/p' "$ROOT/README.md" | grep -v '^<!--' | grep -v '^```' \
  | sed "s|/opt/opscheck|$P|g" >"$T/quickstart.sh"
is "$(grep -c . "$T/quickstart.sh")" 6 "the README's quickstart block is found (6 lines)"
like "$(head -1 "$T/quickstart.sh")" "^make install PREFIX=$P " "it starts with make install PREFIX=..."
like "$(cat "$T/quickstart.sh")" '^export PKG_CONFIG_PATH='"$P"'/lib/pkgconfig ' "it says what PKG_CONFIG_PATH needs"
mkdir -p "$T/home"
qs_env=(HOME="$T/home"); [ -n "$SANARG" ] && qs_env+=(SAN=1) # the copy's build flags: nothing rebuilds
(cd "$T/src" && env -u PKG_CONFIG_PATH -u OPSCHECK "${qs_env[@]}" bash -e "$T/quickstart.sh") >"$T/team.log" 2>&1
qs_rc=$?
is "$qs_rc" 0 "the README's quickstart lines run as written against make install PREFIX=..."
[ "$qs_rc" -eq 0 ] || sed 's/^/# /' "$T/team.log" | tail -30
like "$(cat "$T/team.log")" "^PASS: disk-ok works through $P/bin/opscheck\$" "its test ran the plugin through PREFIX's opscheck"
like "$(cat "$T/team.log")" '^disk-ok - compares a value' "make install put the plugin where PREFIX's opscheck plugins finds it"
like "$(cat "$T/team.log")" "^\($P/lib/opscheck/plugins/disk-ok.so\)\$" "in PREFIX/lib/opscheck/plugins"
D=$T/home/src/disk-ok
for target in all test install uninstall; do
  like "$(cat "$D/Makefile")" "^$target:" "the generated Makefile has a $target target"
done
export PKG_CONFIG_PATH="$P/lib/pkgconfig"
make -s -C "$D" uninstall >/dev/null 2>&1
# _POSIX_C_SOURCE: a plugin using strdup and clock_gettime builds under -std=c11 -Werror
cp "$D/disk-ok.c" "$T/disk-ok.c.orig"
cat >>"$D/disk-ok.c" <<'C'
#include <stdlib.h>
#include <time.h>
char *disk_ok_stamp(void);
char *disk_ok_stamp(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return strdup(ts.tv_sec ? "up" : "just up");
}
C
make -s -C "$D" all >"$T/posix.log" 2>&1
is "$?" 0 "a plugin using strdup and clock_gettime builds (the Makefile defines _POSIX_C_SOURCE)"
sed 's/^/# /' "$T/posix.log" | head -5
# make test shows opscheck's stderr: a plugin that cannot load, a missing program
cp "$T/disk-ok.c.orig" "$D/disk-ok.c"
printf 'extern int disk_ok_no_such_symbol;\nint disk_ok_broken(void);\nint disk_ok_broken(void) { return disk_ok_no_such_symbol; }\n' >>"$D/disk-ok.c"
make -s -C "$D" test >"$T/dl.log" 2>&1
dl_rc=$?
ok "$([ $dl_rc -ne 0 ]; echo $?)" "make test fails for a plugin that cannot load"
like "$(cat "$T/dl.log")" 'undefined symbol: disk_ok_no_such_symbol' "and shows opscheck's stderr: the dlopen error"
cp "$T/disk-ok.c.orig" "$D/disk-ok.c"
make -s -C "$D" test OPSCHECK="$T/nowhere/opscheck" >"$T/missing.log" 2>&1
like "$(cat "$T/missing.log")" "$T/nowhere/opscheck: No such file or directory" "and a missing opscheck says so"
make -s -C "$D" install >/dev/null 2>&1
make -s -C "$D" test >"$T/twice.log" 2>&1
like "$(cat "$T/twice.log")" 'is installed, and opscheck refuses two plugins named disk-ok: make uninstall first' \
  "testing while an installed copy would clash says what to do"
make -s -C "$D" uninstall >/dev/null 2>&1
unset PKG_CONFIG_PATH
make -s -C "$D" all >"$T/nopc.log" 2>&1
like "$(cat "$T/nopc.log")" 'pkg-config does not know opscheck-plugin: set PKG_CONFIG_PATH=PREFIX/lib/pkgconfig' \
  "without PKG_CONFIG_PATH the plugin's make says what to set"
"$ROOT/scripts/new-plugin" 'Bad Name' "$T/team" >/dev/null 2>&1
is "$?" 2 "new-plugin refuses a bad name"

# completion: checklists and checks of the config in use
( source "$ROOT/scripts/opscheck-completion.bash"
  PATH="$P/bin:$PATH"
  COMP_WORDS=(opscheck run -c "$T/mine.ini" h); COMP_CWORD=4; _opscheck
  printf '%s\n' "${COMPREPLY[@]}" ) >"$T/comp.out" 2>/dev/null
like "$(cat "$T/comp.out")" '^hi$' "bash completion offers the config's check names"
# commands and options come from the program's --help: every long option of the table is offered
comp() { ( source "$ROOT/scripts/opscheck-completion.bash"; PATH="$P/bin:$PATH"
           COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _opscheck; printf '%s\n' "${COMPREPLY[@]}" ) 2>/dev/null; }
is "$(comp opscheck run --push | paste -sd' ')" "--push --push-delete --push-group" "completion offers every --push option"
is "$(comp opscheck run --only | paste -sd' ')" "--only-failed" "... and --only-failed"
is "$(comp opscheck run --format j | paste -sd' ')" "json junit" "... and --format's values"
missing=
for o in $("$P/bin/opscheck" --help | grep -oE -- '--[a-z][a-z-]*' | sort -u); do
    comp opscheck run "$o" | grep -qx -- "$o" || missing="$missing $o"
done
is "${missing# }" "" "completion offers every option --help names"
like "$(comp opscheck v | paste -sd' ')" '^validate version$|^validate$' "completion offers the commands --help names"

done_testing
