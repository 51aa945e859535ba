#!/usr/bin/env bash
# page.t - the status page of `opscheck serve` (core/serve_page.c) as a real
# browser sees it: the fixture states in tests/fixtures/page/ are rendered to
# files by `tests/unit/test_serve_page --render` and loaded from file:// in
# headless Chromium (Debian's chromium), with no network.  The assertions
# are on the DOM Chromium built (--dump-dom, read with xmllint's XPath):
# rows, strip cells and their classes and text, hostile text as text and no
# injected element; a wrapper page measures the layout at 360px and the
# badges' computed colours.  Then the page a real `opscheck serve` serves
# over loopback after a real round.  Screenshots go to $OPSCHECK_ARTIFACTS
# (default tests/artifacts/, gitignored).
#
# JavaScript off: the page has no script, no on* attribute and no
# javascript: URL (asserted on the DOM).  Chromium's own switch for it
# (--blink-settings=scriptEnabled=false) cannot be used: headless
# --dump-dom and --screenshot then write nothing.  Scripts stay on, which is
# the harder test: an injected script would run and retitle the page.
source "$(dirname "$0")/lib.sh"
set -o pipefail

command -v chromium >/dev/null 2>&1 || { ok 1 "chromium is installed (scripts/install-deps)"; done_testing; exit; }
command -v xmllint >/dev/null 2>&1 || { ok 1 "xmllint is installed (scripts/install-deps)"; done_testing; exit; }
RENDER=$ROOT/tests/unit/test_serve_page
[ -x "$RENDER" ] || { ok 1 "tests/unit/test_serve_page is built (make test-build)"; done_testing; exit; }
ART=${OPSCHECK_ARTIFACTS:-$ROOT/tests/artifacts}
mkdir -p "$ART"

# chrome ARGS... URL : headless Chromium bounded to 60 s, its own profile under
# $T, every host name unresolvable and every request sent to a closed
# loopback port (file:// is all it may read), or, for the live page, only
# 127.0.0.1 reachable (Chromium sends loopback to the proxy too).  It runs in the process group
# timeout(1) makes; the group is killed afterwards, so no helper outlives it.
# Its stdout is $T/chrome.out.
chrome() {
    timeout -k 5 60 chromium --headless --no-sandbox --disable-gpu --no-first-run --no-default-browser-check \
        --user-data-dir="$T/profile" --disable-background-networking --disable-component-update \
        --disable-sync --disable-extensions "${chrome_net[@]}" \
        --hide-scrollbars "$@" >"$T/chrome.out" 2>"$T/chrome.err" </dev/null &
    local pid=$! rc
    wait "$pid"
    rc=$?
    kill -KILL -- "-$pid" 2>/dev/null
    return $rc
}

chrome_net=(--host-resolver-rules='MAP * ~NOTFOUND' --proxy-server='http://127.0.0.1:9')

# xp DOMFILE XPATH : the XPath value over the DOM Chromium dumped.
xp() { xmllint --html --xpath "$2" "$1" 2>/dev/null; }

for f in full empty; do
    "$RENDER" --render "$ROOT/tests/fixtures/page/$f.json" >"$T/$f.html" 2>"$T/render.err"
    is "$?" 0 "the $f state renders to a page"
    chrome --dump-dom "file://$T/$f.html"
    is "$?" 0 "chromium loads the $f page"
    cp "$T/chrome.out" "$T/$f.dom"
done
D=$T/full.dom
like "$(head -c 200 "$D")" '^<!DOCTYPE html>' "the dumped DOM is the page"

# Nothing runs, nothing is fetched, nothing was injected.
is "$(xp "$D" 'string(//title)')" "opscheck status" "the title is the page's own (an injected script would have changed it)"
is "$(xp "$D" 'count(//script | //img | //iframe | //object | //embed | //link | //*[@src])')" 0 \
    "no script, image, frame or external asset in the DOM"
is "$(xp "$D" 'count(//@*[starts-with(name(), "on")] | //@*[contains(., "javascript:")])')" 0 \
    "no event handler attribute, no javascript: URL"
is "$(xp "$D" 'string(//meta[@http-equiv="refresh"]/@content)')" 30 "it reloads itself every refresh_seconds"
like "$(xp "$D" 'string(//meta[@name="viewport"]/@content)')" '^width=device-width' "a viewport for phones"

# The checklists and their rows.
is "$(xp "$D" 'count(//section)')" 3 "a section per checklist"
is "$(xp "$D" 'count(//tr[contains(@class, "check")])')" 7 "a row per check of the latest rounds"
for s in pass:PASS warn:WARN fail:FAIL error:ERROR skip:SKIP; do
    is "$(xp "$D" "normalize-space(//tr[td[2]/span[@class=\"b s-${s%%:*}\"]][1]/td[2])")" "${s#*:}" \
        "a ${s%%:*} check says ${s#*:} in its badge"
done
is "$(xp "$D" 'normalize-space(//tr[td[1]="billing-stuck"]/td[4]/text())')" "2 checkouts stuck" "a failure shows its message"
is "$(xp "$D" 'normalize-space(//tr[td[1]="billing-stuck"]/td[4]/p[@class="hint"])')" \
    "hint: run the reconciliation for checkout 42" "and its hint"
is "$(xp "$D" 'count(//tr[td[1]="health" or td[1]="db"]//p[@class="hint"])')" 0 "no hint for a pass or an error"
is "$(xp "$D" 'normalize-space(//tr[td[1]="db"]/td[4])')" \
    'could not check, fix the setup: ${env:PGPASSWORD} is not set' "an error says what to fix in the setup"
like "$(xp "$D" 'normalize-space(//section[1]//p[@class="meta"])')" \
    '^every 5m, daily at 09:00; last ran 2026-12-02 08:59:30 UTC \(30 s ago\), took 1\.23 s;' \
    "the schedule, when it last ran (UTC) and how long it took"
is "$(xp "$D" 'normalize-space(//section[2]//p[@class="meta"])')" "daily at 02:00; never ran" "a checklist that never ran says so"
is "$(xp "$D" 'count(//section[2]//table)')" 0 "and has no table"
is "$(xp "$D" 'count(//section[3]//span[@class="b run"])')" 1 "a running checklist says so"

# Hostile text is text.
hostile=$(xp "$D" 'string(//tr[td[1]="hostile"]/td[4])')
like "$hostile" "^</td></tr></table><script>document.title=\"pwned\"</script><img src=x onerror=\"document.title='pwned'\"> 'quoted' & \"double\" \\\\x01\\\\x1B\\[31m x+hint: <b>not bold</b> & fix it$" \
    "the hostile message and hint read as text, control characters as \\xNN"
is "$(xp "$D" 'count(//tr[td[1]="hostile"]//b)')" 1 "and add no element (the one <b> is the page's hint label)"

# The history strip: the kept rounds, oldest first, a cell each with its status as class and text.
is "$(xp "$D" 'count(//tr[td[1]="health"]//ol[@class="strip"]/li)')" 100 "100 kept rounds: 100 cells"
classes=$(xp "$D" '//tr[td[1]="health"]//li/@class' | tr -s ' \n' '\n' | sed -n 's/^class="\(.*\)"$/\1/p' | uniq -c | awk '{printf "%s%s*%s", sep, $2, $1; sep=" "}')
is "$classes" "s-pass*49 s-fail*1 s-pass*48 s-warn*1 s-pass*1" "the cells' statuses in order, oldest first"
is "$(xp "$D" 'string(//tr[td[1]="health"]//li[1])')" "PASS 2026-12-02 00:44:30 UTC" "the oldest cell's text: status and time"
is "$(xp "$D" 'string(//tr[td[1]="health"]//li[50]/@title)')" "FAIL 2026-12-02 04:49:30 UTC, 59 ms" \
    "a cell's tooltip: status, time and duration"
is "$(xp "$D" 'string(//tr[td[1]="health"]//li[100])')" "PASS 2026-12-02 08:59:30 UTC" "the newest cell last"
is "$(xp "$D" 'string(//tr[td[1]="health"]//div[@class="avail"])')" "99.0% of 100 rounds" "the availability over the kept rounds"
is "$(xp "$D" 'string(//tr[td[1]="billing-stuck"]//div[@class="avail"])')" "0.0% of 1 round" "one round: singular"
is "$(xp "$D" 'string(//tr[td[1]="hostile"]//li[1]/@class)')" "s-unknown" "an unknown status in the history is shown as unknown"

is "$(xp "$T/empty.dom" 'normalize-space(//main/p[@class="none"])')" "No checklists are configured." "the empty state says so"
is "$(xp "$T/empty.dom" 'count(//section)')" 0 "and has no section"

# Layout and colours as Chromium computes them.  The wrapper is test code;
# reading the framed page needs --allow-file-access-from-files.
cat >"$T/measure.html" <<'EOF'
<!DOCTYPE html><html><body><iframe id="f" src="full.html" style="width:360px;height:800px;border:0"></iframe><pre id="r"></pre>
<script>
window.onload = function () {
  var d = document.getElementById('f').contentDocument, out = [], el = d.documentElement;
  out.push('overflow=' + (el.scrollWidth > el.clientWidth ? 'yes ' + el.scrollWidth + '>' + el.clientWidth : 'no'));
  ['pass', 'warn', 'fail', 'error', 'skip'].forEach(function (s) {
    var e = d.querySelector('.b.s-' + s), c = d.querySelector('.strip .s-' + s);
    out.push('badge_' + s + '=' + (e ? getComputedStyle(e).backgroundColor : 'none'));
    out.push('cell_' + s + '=' + (c ? getComputedStyle(c).backgroundColor : 'none'));
  });
  document.getElementById('r').textContent = out.join('\n');
};
</script></body></html>
EOF
chrome --allow-file-access-from-files --dump-dom "file://$T/measure.html"
measured=$(xp "$T/chrome.out" 'string(//pre[@id="r"])')
is "$(printf '%s\n' "$measured" | sed -n 's/^overflow=//p')" no "no horizontal scroll at 360px"
badges=$(printf '%s\n' "$measured" | sed -n 's/^badge_[a-z]*=//p')
is "$(printf '%s\n' "$badges" | grep -c '^rgb')" 5 "every outcome's badge has a colour"
is "$(printf '%s\n' "$badges" | sort -u | wc -l)" 5 "five outcomes, five colours"
is "$(printf '%s\n' "$measured" | sed -n 's/^cell_//p' | sed 's/=/ /' | awk '{print $2,$3,$4}' | sort -u | wc -l)" 5 \
    "the strip's cells use the same five colours"
is "$(printf '%s\n' "$measured" | sed -n 's/^\(badge\|cell\)_\([a-z]*\)=/\2 /p' | sort -u | awk '{print $1}' | uniq -u | wc -l)" 5 \
    "each outcome's cell is its badge's colour"

# Screenshots, kept for a person to look at.
for shot in desktop:1280,900 phone:360,1400; do
    png=$ART/page-${shot%%:*}.png
    rm -f "$png"
    chrome --screenshot="$png" --window-size="${shot#*:}" "file://$T/full.html"
    is "$(head -c 8 "$png" 2>/dev/null | od -An -tx1 | tr -d ' \n')" 89504e470d0a1a0a "a ${shot%%:*} screenshot (${shot#*:}) is a PNG"
    diag "screenshot: $png"
done

# --- the page as `opscheck serve` serves it, over loopback HTTP, after a real round
ini live.ini <<EOF
[check up]
plugin = exec
command = echo all good
[check down]
plugin = exec
shell = yes
command = echo "payments <b>stalled</b>"; exit 1
hint = restart the worker
[checklist live]
description = the page of a running serve
checks = up, down
every = 1h
EOF
port=$(free_port)
chrome_net=(--host-resolver-rules='MAP * ~NOTFOUND, EXCLUDE 127.0.0.1')
"$OPSCHECK" serve -c "$T/live.ini" --listen "127.0.0.1:$port" >"$T/serve.out" 2>"$T/serve.err" </dev/null &
spid=$!
for _ in $(seq 200); do curl -sf "http://127.0.0.1:$port/api/results/live" 2>/dev/null | grep -q '"down"' && break; sleep 0.05; done
chrome --dump-dom "http://127.0.0.1:$port/"
is "$?" 0 "chromium loads the page serve serves"
L=$T/live.dom; cp "$T/chrome.out" "$L"
is "$(xp "$L" 'string(//section//h2/text()[1])' | tr -d ' ')" "live" "the live page shows the checklist"
is "$(xp "$L" 'normalize-space(//tr[td[1]="up"]/td[2])') $(xp "$L" 'normalize-space(//tr[td[1]="down"]/td[2])')" "PASS FAIL" \
    "each check with the outcome of the round serve ran"
is "$(xp "$L" 'normalize-space(//tr[td[1]="down"]/td[4]/text())')" "exited 1: payments <b>stalled</b>" "the check's own output, as text"
is "$(xp "$L" 'normalize-space(//tr[td[1]="down"]//p[@class="hint"])')" "hint: restart the worker" "the failure's hint"
is "$(xp "$L" 'count(//tr[td[1]="down"]//ol[@class="strip"]/li)')" 1 "one round kept: one cell"
png=$ART/page-live.png; rm -f "$png"
chrome --screenshot="$png" --window-size=1280,700 "http://127.0.0.1:$port/"
is "$(head -c 8 "$png" 2>/dev/null | od -An -tx1 | tr -d ' \n')" 89504e470d0a1a0a "a screenshot of the live page is a PNG"
diag "screenshot: $png"
kill -TERM "$spid"; wait "$spid"
is "$?" 0 "serve stops on SIGTERM"

is "$(pgrep -f -- "$T/profile" | wc -l)" 0 "no chromium process left behind"
done_testing
