#!/usr/bin/env bash
# load.t - the runner under load: 500 checks with -j 64 twenty times give
# the same TAP every time and flat memory; 1,000 checks leave the runner's
# descriptor count where it started; no process is left behind.
source "$(dirname "$0")/lib.sh"

{ printf '[opscheck]\nplugin_path = %s\n' "$TEST_PLUGINS"
  for i in $(seq 1 500); do
    printf '[check c%03d]\nplugin = tp\nmode = %s\nsleep = %dms\n' "$i" \
      "$([ $((i % 7)) -eq 0 ] && echo fail || echo ok)" $(( (i * 37) % 11 ))
  done
  # the 501st runs after all others and reads the runner's peak memory
  printf '[check peak]\nplugin = tp\nmode = rss\nneeds = c001'
  for i in $(seq 2 500); do [ $((i % 7)) -eq 0 ] || printf ' c%03d' "$i"; done; echo; } > "$T/500.ini"

first=""; same=1; rss=()
for run in $(seq 1 20); do
  "$OPSCHECK" run -c "$T/500.ini" -j 64 -v 2>/dev/null > "$T/raw.$run"
  rss+=("$(grep -oE 'runner peak rss [0-9]+' "$T/raw.$run" | grep -oE '[0-9]+$')")
  # timings and the memory reading aside, every run must print the same stream
  sed -E 's/(duration_ms: )[0-9]+/\1N/; s/runner peak rss [0-9]+/runner peak rss N/' "$T/raw.$run" > "$T/run.$run"
  if [ -z "$first" ]; then first="$T/run.$run"; elif ! cmp -s "$first" "$T/run.$run"; then same=0; fi
done
is "$same" 1 "500 checks, -j 64, twenty runs: identical TAP (timings aside)"
[ "$same" = 1 ] || diff "$first" "$T/run.20" | head -20 | sed 's/^/# /'
is "$(grep -c '^not ok' "$first")" 71 "every failing check reported, each run"
tap_valid "$(cat "$first")" "the stream is valid TAP"
min=$(printf '%s\n' "${rss[@]}" | sort -n | head -1); max=$(printf '%s\n' "${rss[@]}" | sort -n | tail -1)
diag "runner peak RSS over 20 runs: ${min}-${max} KiB"
ok "$([ "$max" -le $(( min * 12 / 10 + 1024 )) ]; echo $?)" "memory flat across runs (max within 20% of min)"

{ printf '[opscheck]\nplugin_path = %s\n' "$TEST_PLUGINS"
  for i in $(seq 1 1000); do printf '[check f%04d]\nplugin = tp\nmode = fds\n' "$i"; done; } > "$T/fds.ini"
run_oc run -c "$T/fds.ini" -j 1 -v
is "$RC" 0 "1,000 checks pass"
counts=$(printf '%s\n' "$OUT" | grep -oE 'message: "runner fds [0-9]+' | grep -oE '[0-9]+$')
mode() { sort -n | uniq -c | sort -rn | awk 'NR==1 {print $2}'; }
early=$(printf '%s\n' "$counts" | head -100 | mode)
late=$(printf '%s\n' "$counts" | tail -100 | mode)
is "$late" "$early" "the runner holds as many descriptors over the last 100 checks as over the first 100"
most=$(printf '%s\n' "$counts" | sort -n | tail -1)
# +3 at most: an attempt's two pipe ends and its memfd, between the moment the
# runner hands them to the zygote (which may already have forked the check
# that counts) and the moment the runner closes its copies
ok "$([ "$most" -le $((early + 3)) ]; echo $?)" "and never more than 3 above that (an attempt being handed over), so nothing accumulates"
is "$(pgrep -f "$T/fds.ini" | wc -l)" 0 "no process left behind"
done_testing
