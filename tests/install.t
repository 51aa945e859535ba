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
"$ROOT/scripts/new-plugin" disk-ok "$T/team" >"$T/new.log" 2>&1
is "$?" 0 "scripts/new-plugin makes a plugin folder"
PATH="$P/bin:$PATH" PKG_CONFIG_PATH="$P/lib/pkgconfig" make -s -C "$T/team/disk-ok" test >"$T/team.log" 2>&1
is "$?" 0 "it builds with pkg-config against the installed SDK and its own test passes"
like "$(cat "$T/team.log")" '^PASS: disk-ok works through opscheck$' "its test ran the plugin through the installed opscheck"
"$ROOT/scripts/new-plugin" 'Bad Name' "$T/team" >/dev/null 2>&1
is "$?" 2 "new-plugin refuses a bad name"

# completion: checklists and checks of the config in use
( source "$ROOT/scripts/opscheck-completion.bash"
  PATH="$P/bin:$PATH"
  COMP_WORDS=(opscheck run -c "$T/mine.ini" h); COMP_CWORD=4; _opscheck
  printf '%s\n' "${COMPREPLY[@]}" ) >"$T/comp.out" 2>/dev/null
like "$(cat "$T/comp.out")" '^hi$' "bash completion offers the config's check names"

done_testing
