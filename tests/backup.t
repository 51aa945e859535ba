#!/usr/bin/env bash
# tests/backup.t - the backup plugin (issue 6) on real pg_dump output: a
# scratch database of the sandbox (random name, dropped at exit) dumped in
# every format (-Fp, -Fp | gzip, -Fc, -Fd, -Ft), then broken copies:
# truncated, one flipped byte, empty, wrong magic, no footer, too old (mtime),
# a missing day, a sudden shrink, an unreadable folder; and verify = restore
# into a scratch database on the sandbox server.  Every stream goes through
# tap-check; the restore_dsn password appears nowhere.
source "$(dirname "$0")/lib.sh"

if ! psql -X -q -c 'select 1' >/dev/null 2>&1; then
    echo "1..0 # SKIP no sandbox PostgreSQL (run through scripts/run-tests, or scripts/sandbox up + env)"
    exit 0
fi

DB=opscheck_bk_t_$$_$RANDOM
cleanup() {
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1
    psql -X -q -d postgres >/dev/null 2>&1 <<SQL
DO \$\$ DECLARE r text; BEGIN
  FOR r IN SELECT rolname FROM pg_roles WHERE rolname LIKE '${DB}_r%' LOOP EXECUTE format('DROP ROLE %I', r); END LOOP;
END \$\$;
SQL
    rm -rf "$T"
}
trap cleanup EXIT
psql -X -q -d postgres -c "CREATE DATABASE $DB" >/dev/null &&
    psql -X -q -d "$DB" >/dev/null <<'SQL'
CREATE TABLE checkout_sessions (id serial PRIMARY KEY, note text);
INSERT INTO checkout_sessions (note) SELECT md5(i::text) FROM generate_series(1, 20000) i;
CREATE TABLE payments (id int PRIMARY KEY, amount numeric);
INSERT INTO payments SELECT i, i * 1.5 FROM generate_series(1, 500) i;
CREATE TABLE webhook_events (id int, body jsonb);
INSERT INTO webhook_events SELECT i, jsonb_build_object('i', i) FROM generate_series(1, 300) i;
SQL
ok $? "scratch database $DB with 3 tables"

S=$T/src
mkdir -p "$S"
pg_dump -d "$DB" -Fp -f "$S/quiz.sql" &&
    pg_dump -d "$DB" -Fp | gzip >"$S/quiz.sql.gz" &&
    pg_dump -d "$DB" -Fc -f "$S/quiz.dump" &&
    pg_dump -d "$DB" -Fd -f "$S/quiz.dir" &&
    pg_dump -d "$DB" -Ft -f "$S/quiz.tar" &&
    pg_dump -d "$DB" -Fp -t payments | gzip >"$S/small.sql.gz" &&
    pg_dump -d "$DB" -Fd -Z0 -f "$S/quiz0.dir" &&
    pg_dump -d "$DB" -Fd -Z0 --inserts -t payments -f "$S/ins0.dir"
ok $? "pg_dump in every format"
# Issue 14: the plain dump through every compressor pg_dump 16+ offers or
# an operator pipes it through (pg_dump -Z zstd|lz4 writes the same frame
# formats as the zstd and lz4 tools; Debian 12's pg_dump 15 has no -Z zstd).
zstd -q -c "$S/quiz.sql" >"$S/quiz.sql.zst" && lz4 -q -c "$S/quiz.sql" >"$S/quiz.sql.lz4" &&
    xz -c "$S/quiz.sql" >"$S/quiz.sql.xz" && bzip2 -c "$S/quiz.sql" >"$S/quiz.sql.bz2"
ok $? "the plain dump through zstd, lz4, xz and bzip2"
# pg_dumpall of a cluster with many roles: its roles come before the first
# "-- PostgreSQL database dump" line, which then lies far past the start.
psql -X -q -d postgres -v ON_ERROR_STOP=1 >/dev/null <<SQL &&
DO \$\$ BEGIN
  FOR i IN 1..150 LOOP EXECUTE format('CREATE ROLE %I NOLOGIN', '${DB}_r' || i); END LOOP;
END \$\$;
SQL
    pg_dumpall -f "$S/cluster.sql" && pg_dumpall | gzip >"$S/cluster.sql.gz"
ok $? "pg_dumpall of the sandbox with 150 more roles"
first=$(grep -b -m1 -x -- '-- PostgreSQL database dump' "$S/cluster.sql" | cut -d: -f1)
ok $(( ${first:-0} > 8192 ? 0 : 1 )) "pg_dumpall: the first database header lies past 8 KiB (at byte ${first:-none})"
NOW=$(date +%s)
: >"$T/all"

# case NAME : a fresh folder $T/c/NAME for one scenario; sets $C.
case_dir() { C=$T/c/$1; rm -rf "$C"; mkdir -p "$C"; }
# put SRC NAME HOURS-AGO : copy a dump into $C with an mtime HOURS-AGO back.
put() {
    cp -r "$S/$1" "$C/$2"
    touch -d "@$((NOW - $3 * 3600))" "$C/$2"
}
# bk DIR EXTRA-LINES [opscheck args] : run one backup check named bk.
bk() {
    local dir=$1 extra=$2
    shift 2
    cat >"$T/checks.ini" <<EOF
[opscheck]
timeout = 30s

[check bk]
plugin = backup
dir = $dir
$extra
EOF
    run_oc run -c "$T/checks.ini" "$@" bk
    printf '%s\n%s\n' "$OUT" "$ERR" >>"$T/all"
    tap_valid "$OUT" "${dir##*/}: valid TAP 14"
}
# flip FILE OFFSET : one byte changed (xor 0x55).
flip() { perl -e 'open my $f, "+<", $ARGV[0] or die; seek $f, $ARGV[1], 0; read $f, my $b, 1;
                  seek $f, $ARGV[1], 0; print $f chr(ord($b) ^ 0x55); close $f' "$1" "$2"; }

# ---- every format, good, at full and at header level ----
for f in quiz.sql:"plain SQL" quiz.sql.gz:"gzip plain SQL" quiz.dump:custom quiz.dir:directory quiz.tar:tar; do
    name=${f%%:*} fmt=${f#*:}
    case_dir "good-$name"
    put "$name" "$name" 1
    bk "$C" 'retention_days = 1'
    is "$RC" 0 "$name: exit 0"
    like "$OUT" "^    ok 1 - newest backup $name is 1h old \\(max 26h\\)$" "$name: age"
    like "$OUT" "^    ok 2 - newest backup $name is a complete $fmt dump \\(verify full\\)$" "$name: recognised as $fmt"
    like "$OUT" '^    ok 3 - a good backup in each of the last 1 days$' "$name: retention"
    bk "$C" 'retention_days = 1
verify = header'
    like "$OUT" "^    ok 2 - newest backup $name is a complete $fmt dump \\(verify header\\)$" "$name: header level"
done

# ---- a good week, one dump a day in mixed formats (3h, 27h, 51h ... 147h
# old: day 0 is the max_age window, 0-26h; day k >= 1 is 26h+24(k-1)h .. +24h) ----
case_dir week
i=0
for f in quiz.sql.gz quiz.dump quiz.sql.gz quiz.tar quiz.sql.gz quiz.dir quiz.sql.gz; do
    put "$f" "quiz-$i.${f#quiz.}" $((i * 24 + 3))
    i=$((i + 1))
done
bk "$C" '' -v
is "$RC" 0 "week: exit 0"
like "$OUT" '^    ok [0-9]+ - a good backup in each of the last 7 days$' "week: 7 days covered"
like "$OUT" '^    ok [0-9]+ - newest backup is [0-9]+% of the previous one \(shrink at most 50%\)$' "week: no shrink"
like "$OUT" '^  previous_file: "quiz-1.dump"' "week: previous file named"
like "$OUT" '^    good_days:$' "week: good_days metric"

# ---- a missing day (day 2, 50h-74h ago), and a bad one (day 4, 98h-122h ago) ----
rm "$C/quiz-2.sql.gz"
head -c 1000 "$S/quiz.dump" >"$C/quiz-4.sql.gz"
touch -d "@$((NOW - 100 * 3600))" "$C/quiz-4.sql.gz"
bk "$C" ''
is "$RC" 1 "missing day: exit 1"
like "$OUT" '^    not ok [0-9]+ - a good backup in each of the last 7 days: 2 day\(s\) without one$' "missing day: not ok"
like "$OUT" '^      expected: "7 of 7 days"' "missing day: expected"
like "$OUT" '^      seen: "5 of 7 days"' "missing day: seen"
# utc SECONDS-AGO : the label's start, either side of a minute turning over.
utc() { echo "($(date -u -d "@$((NOW - $1))" '+%Y-%m-%d %H:%M')|$(date -u -d "@$((NOW - $1 + 60))" '+%Y-%m-%d %H:%M'))"; }
d2=$(utc $((74 * 3600))) d4=$(utc $((122 * 3600)))
like "$OUT" "^  missing_days: \"$d2 - .* UTC; $d4 - .* UTC\"" "missing day: both days named"
like "$OUT" '^  bad_backups: "quiz-4.sql.gz: archive header cut short|^  bad_backups: "quiz-4.sql.gz: .*(truncated|end of file)' "missing day: why the bad one is bad"

# ---- too old ----
case_dir old
put quiz.sql.gz quiz.sql.gz 30
bk "$C" 'retention_days = 1'
is "$RC" 1 "too old: exit 1"
like "$OUT" '^    not ok 1 - newest backup quiz.sql.gz is 30h old, expected at most 26h$' "too old: not ok"
like "$OUT" '^      expected: "at most 26h old"' "too old: expected"
like "$OUT" '^      seen: "30h"' "too old: seen"
like "$OUT" '^  age: "30h"' "too old: age diag"
like "$OUT" '^    not ok 3 - a good backup in each of the last 1 days: 1 day\(s\) without one' "too old: last day empty"
bk "$C" 'retention_days = 1
max_age = 2d'
is "$RC" 0 "too old: within max_age = 2d (day 0 is the max_age window)"

# ---- broken copies of the newest ----
size_gz=$(stat -c %s "$S/quiz.sql.gz")
case_dir trunc-gz
put quiz.sql.gz prev.sql.gz 25
head -c 100000 "$S/quiz.sql.gz" >"$C/new.sql.gz"
touch -d "@$((NOW - 3600))" "$C/new.sql.gz"
bk "$C" 'retention_days = 1'
is "$RC" 1 "truncated gzip: exit 1"
like "$OUT" '^    not ok 2 - newest backup new.sql.gz is a complete dump \(verify full\): truncated gzip stream at byte 100000$' "truncated gzip: byte offset"
like "$OUT" '^  problem: "truncated gzip stream at byte 100000"' "truncated gzip: problem diag"
like "$OUT" '^  format: "gzip plain SQL"' "truncated gzip: format diag"
like "$OUT" '^  size: "97.7 KiB \(100000 bytes\)"' "truncated gzip: size diag"
like "$OUT" '^  previous_size: ".*\('"$size_gz"' bytes\)"' "truncated gzip: previous size diag"
like "$OUT" '^  age: "1h"' "truncated gzip: age diag"
like "$OUT" '^    not ok [0-9]+ - newest backup shrank to' "truncated gzip: also a shrink"
like "$OUT" '^    ok [0-9]+ - a good backup in each of the last 1 days$' "truncated gzip: prev still covers the day"

case_dir flip-gz; cp "$S/quiz.sql.gz" "$C/new.sql.gz"
flip "$C/new.sql.gz" $((size_gz / 2))
touch -d "@$((NOW - 3600))" "$C/new.sql.gz"
bk "$C" 'retention_days = 1'
is "$RC" 1 "flipped gzip: exit 1"
like "$OUT" '^    not ok 2 - newest backup new.sql.gz is a complete dump \(verify full\): (corrupt gzip data|gzip checksum mismatch).* at byte [0-9]+' "flipped gzip: corrupt data found"
bk "$C" 'retention_days = 1
verify = header'
is "$RC" 0 "flipped gzip: verify = header sees only the header"

case_dir trunc-custom; head -c 300000 "$S/quiz.dump" >"$C/new.dump"
bk "$C" 'retention_days = 1'
is "$RC" 1 "truncated custom: exit 1"
like "$OUT" '^    not ok 2 - newest backup new.dump is a complete dump \(verify full\): pg_restore -f /dev/null failed \(exit 1\): pg_restore: error: could not read from input file: end of file' "truncated custom: pg_restore -f catches what -l misses"
like "$OUT" '^  format: "custom"' "truncated custom: format diag"

case_dir flip-custom; cp "$S/quiz.dump" "$C/new.dump"
flip "$C/new.dump" $(( $(stat -c %s "$C/new.dump") / 2 ))
bk "$C" 'retention_days = 1'
is "$RC" 1 "flipped custom: exit 1"
like "$OUT" 'verify full\): pg_restore -f /dev/null failed \(exit 1\): .*could not uncompress data' "flipped custom: zlib error from pg_restore"

case_dir trunc-tar; head -c 20000 "$S/quiz.tar" >"$C/new.tar"
bk "$C" 'retention_days = 1'
is "$RC" 1 "truncated tar: exit 1"
like "$OUT" 'verify full\): truncated tar archive: member [0-9]+.dat needs [0-9]+ bytes at byte [0-9]+, file is 20000 bytes$' "truncated tar: found before pg_restore (which spins on it)"
ok $(( $(sed -n 's/^  duration_ms: //p' <<<"$OUT") < 5000 ? 0 : 1 )) "truncated tar: at once"

case_dir dir-missing-data; cp -r "$S/quiz.dir" "$C/new.dir"
rm "$(ls -S "$C"/new.dir/*.dat.gz | head -1)"
bk "$C" 'retention_days = 1'
is "$RC" 1 "directory dump without a data file: exit 1"
like "$OUT" 'verify full\): pg_restore -f /dev/null failed \(exit 1\): .*could not open input file' "directory dump: missing data file"

case_dir dir-no-toc; mkdir "$C/new.dir"; echo x >"$C/new.dir/1.dat"
bk "$C" 'retention_days = 1'
like "$OUT" 'verify full\): folder without toc.dat: not a directory-format dump$' "folder without toc.dat"

case_dir empty; : >"$C/new.sql.gz"
bk "$C" 'retention_days = 1'
is "$RC" 1 "empty: exit 1"
like "$OUT" '^    not ok 2 - newest backup new.sql.gz is a complete dump \(verify full\): empty file \(0 bytes\)$' "empty: says so"
like "$OUT" '^  format: "unknown"' "empty: format unknown"

case_dir magic; printf 'NOTADUMP\x01\x02\x03' >"$C/new.dump"; echo 'SELECT 1;' >"$C/notes.sql"
touch -d "@$((NOW - 7200))" "$C/notes.sql"
bk "$C" 'retention_days = 1'
is "$RC" 1 "wrong magic: exit 1"
like "$OUT" 'verify full\): wrong magic: not a pg_dump file \(first bytes 4e 4f 54 41\)$' "wrong magic: first bytes shown"
like "$OUT" "^  bad_backups: \"notes.sql: text without the pg_dump header line '-- PostgreSQL database dump'\"" "wrong magic: text without header"

case_dir nofooter; head -n -8 "$S/quiz.sql" >"$C/new.sql"
bk "$C" 'retention_days = 1'
is "$RC" 1 "no footer: exit 1"
like "$OUT" "verify full\\): no 'dump complete' line \\(truncated SQL dump, [0-9]+ bytes of SQL\\)$" "no footer: plain"
head -n -8 "$S/quiz.sql" | gzip >"$C/new.sql"
bk "$C" 'retention_days = 1'
like "$OUT" "verify full\\): no 'dump complete' line" "no footer: gzip"
# Old pg_dump (no \restrict lines) is fine; SQL after the footer is not.
grep -v '^\\\(un\)\?restrict ' "$S/quiz.sql" >"$C/new.sql"
bk "$C" 'retention_days = 1'
is "$RC" 0 "no \\restrict lines (older pg_dump): still complete"
{ cat "$S/quiz.sql"; echo 'DROP TABLE payments;'; } >"$C/new.sql"
bk "$C" 'retention_days = 1'
like "$OUT" "verify full\\): SQL after the 'dump complete' line: 'DROP TABLE payments;'" "SQL after the footer"

# ---- pg_dumpall (issue 14): a cluster dump ends with its own line ----
for f in cluster.sql:"plain SQL" cluster.sql.gz:"gzip plain SQL"; do
    name=${f%%:*} fmt=${f#*:}
    case_dir "all-$name"; put "$name" "$name" 1
    bk "$C" 'retention_days = 1'
    is "$RC" 0 "pg_dumpall $name: exit 0"
    like "$OUT" "^    ok 2 - newest backup $name is a complete $fmt dump \\(verify full\\)$" "pg_dumpall $name: complete"
    bk "$C" 'retention_days = 1
verify = header'
    is "$RC" 0 "pg_dumpall $name: recognised at verify = header"
done
# Cut after the last database's own "dump complete" line: the cluster's is missing.
case_dir all-cut
sed '/^-- PostgreSQL database cluster dump complete$/,$d' "$S/cluster.sql" >"$C/cut.sql"
bk "$C" 'retention_days = 1'
is "$RC" 1 "pg_dumpall cut before its last line: exit 1"
like "$OUT" "verify full\\): no 'cluster dump complete' line \\(truncated pg_dumpall dump, [0-9]+ bytes of SQL\\)$" "pg_dumpall cut: says so"
sed '/^-- PostgreSQL database cluster dump complete$/,$d' "$S/cluster.sql" | gzip >"$C/cut.sql"
bk "$C" 'retention_days = 1'
like "$OUT" "verify full\\): no 'cluster dump complete' line" "pg_dumpall cut, gzip: says so"

# ---- zstd, lz4, xz, bzip2 plain dumps (issue 14), by the default globs ----
head -n -8 "$S/quiz.sql" >"$T/nofooter.sql"
for c in zst:zstd lz4:lz4 xz:xz bz2:bzip2; do
    ext=${c%%:*} codec=${c#*:} name=quiz.sql.${c%%:*}
    case_dir "codec-$ext"; put "$name" "$name" 1
    bk "$C" 'retention_days = 1' -v
    is "$RC" 0 "$codec: exit 0"
    like "$OUT" "^    ok 2 - newest backup $name is a complete $codec plain SQL dump \\(verify full\\)$" "$codec: recognised and read whole"
    like "$OUT" "^  format: \"$codec plain SQL\"" "$codec: format diag"
    size=$(stat -c %s "$S/$name")
    head -c $((size / 2)) "$S/$name" >"$C/$name"
    bk "$C" 'retention_days = 1'
    is "$RC" 1 "$codec cut in half: exit 1"
    like "$OUT" "^    not ok 2 - newest backup $name is a complete dump \\(verify full\\): truncated $codec stream at byte $((size / 2))$" "$codec cut in half: truncated at its last byte"
    cp "$S/$name" "$C/$name"; flip "$C/$name" $((size / 2))
    bk "$C" 'retention_days = 1'
    like "$OUT" "^    not ok 2 - newest backup $name is a complete dump \\(verify full\\): corrupt $codec data at byte [0-9]+ \\(.+\\)$" "$codec with a flipped byte: corrupt"
    case $codec in zstd) zstd -q -c "$T/nofooter.sql" ;; lz4) lz4 -q -c "$T/nofooter.sql" ;;
        xz) xz -c "$T/nofooter.sql" ;; bzip2) bzip2 -c "$T/nofooter.sql" ;; esac >"$C/$name"
    bk "$C" 'retention_days = 1'
    like "$OUT" "verify full\\): no 'dump complete' line \\(truncated SQL dump" "$codec without the footer: the SQL is checked too"
done

# ---- an archive newer than pg_restore (issue 14) ----
# Debian 12 has only PostgreSQL 15 (archive 1.14); a 16 archive (1.15) is
# made by patching the version bytes of a real one: "PGDMP", vmaj, vmin,
# vrev (pg_backup_archiver.c, WriteHead).
setvmin() { printf "\\$(printf '%03o' "$2")" | dd of="$1" bs=1 seek=6 conv=notrunc status=none; }
case_dir newer; cp "$S/quiz.dump" "$C/new.dump"; setvmin "$C/new.dump" 15
bk "$C" 'retention_days = 1'
is "$RC" 1 "archive 1.15: exit 1"
like "$OUT" '^  severity: "error"' "archive 1.15: an ERROR (could not check), not a FAIL"
like "$OUT" '^    not ok 2 - newest backup new.dump could not be checked: archive 1.15 needs pg_restore 16 or newer \(found 15\)' "archive 1.15: an error naming both versions"
like "$OUT" '^  problem: "archive 1.15 needs pg_restore 16 or newer \(found 15\)"' "archive 1.15: problem diag"
unlike "$OUT" 'incomplete|failed \(exit' "archive 1.15: not called a bad dump"
NEWER=$C
case_dir newer-dir; cp -r "$S/quiz.dir" "$C/new.dir"; setvmin "$C/new.dir/toc.dat" 16
bk "$C" 'retention_days = 1'
like "$OUT" 'could not be checked: archive 1.16 needs pg_restore 17 or newer \(found 15\)' "directory archive 1.16: needs 17"
# A pg_restore 16 (the option): this stand-in reads 1.15 by handing the real
# 15 a copy with the version put back, so the whole archive is still read.
PG15=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/pg_restore
mkdir -p "$T/pg16"
cat >"$T/pg16/pg_restore" <<STANDIN
#!/bin/bash
[ "\$1" = --version ] && { echo 'pg_restore (PostgreSQL) 16.6'; exit 0; }
args=("\$@"); t=\$(mktemp -d); cp -r "\${args[-1]}" "\$t/a"
printf '\\016' | dd of="\$t/a" bs=1 seek=6 conv=notrunc status=none
args[-1]=\$t/a; "$PG15" "\${args[@]}"; rc=\$?; rm -rf "\$t"; exit \$rc
STANDIN
chmod 755 "$T/pg16/pg_restore"
bk "$NEWER" "retention_days = 1
pg_restore = $T/pg16/pg_restore"
is "$RC" 0 "archive 1.15 with pg_restore = a 16: exit 0"
like "$OUT" '^    ok 2 - newest backup new.dump is a complete custom dump \(verify full\)$' "archive 1.15 with a 16: read whole"
bk "$C/../good-quiz.dump" "retention_days = 1
pg_restore = $T/nowhere/pg_restore"
like "$OUT" "^    not ok 2 - newest backup quiz.dump could not be checked: cannot run $T/nowhere/pg_restore: No such file or directory$" "pg_restore = a missing program: could not check"
like "$OUT" '^  severity: "error"' "pg_restore = a missing program: an ERROR, not a bad dump"

# ---- a directory dump with a data file cut in half (issue 14) ----
for d in quiz0.dir ins0.dir; do
    case_dir "dir0-$d"; put "$d" "$d" 1
    bk "$C" 'retention_days = 1'
    is "$RC" 0 "-Fd -Z0 $d: exit 0"
    big=$(ls -S "$C/$d"/[0-9]*.dat | head -1)
    size=$(stat -c %s "$big")
    truncate -s $((size / 2)) "$big"
    out=$(pg_restore -f /dev/null "$C/$d" 2>&1)
    is "$?:$out" "0:" "-Fd -Z0 $d cut: pg_restore -f /dev/null alone sees nothing wrong"
    bk "$C" 'retention_days = 1'
    is "$RC" 1 "-Fd -Z0 $d cut: exit 1"
    like "$OUT" "^    not ok 2 - newest backup $d is a complete dump \\(verify full\\): data file ${big##*/} is cut short \\($((size / 2)) bytes, no .* at its end\\)$" "-Fd -Z0 $d cut: the data file named"
done

# ---- compressed directory dumps: members NNNN.dat.gz (pg_dump -Fd's
# default), .dat.lz4 and .dat.zst (-Z lz4|zstd, PostgreSQL 16+; compress_io.c
# names them so, and writes LZ4 frames and zstd frames as the tools do).
# Debian 12's pg_dump 15 has no -Z lz4|zstd: the members are the -Z0 dump's
# compressed by the lz4 and zstd tools, and pg_restore = a stand-in for a 16
# that hands the real 15 a copy with the members decompressed (leniently,
# as pg_restore reads a cut -Z0 member: what the check must catch itself).
mkdir -p "$T/pg16z"
cat >"$T/pg16z/pg_restore" <<STANDIN
#!/bin/bash
[ "\$1" = --version ] && { echo 'pg_restore (PostgreSQL) 16.6'; exit 0; }
args=("\$@"); t=\$(mktemp -d); cp -r "\${args[-1]}" "\$t/a"
for m in "\$t"/a/*.dat.lz4; do [ -e "\$m" ] && { lz4 -dcq "\$m" >"\${m%.lz4}" 2>/dev/null; rm "\$m"; }; done
for m in "\$t"/a/*.dat.zst; do [ -e "\$m" ] && { zstd -dcq "\$m" >"\${m%.zst}" 2>/dev/null; rm "\$m"; }; done
args[-1]=\$t/a; "$PG15" "\${args[@]}"; rc=\$?; rm -rf "\$t"; exit \$rc
STANDIN
chmod 755 "$T/pg16z/pg_restore"
for codec in gz lz4 zst; do
    case_dir "dirz-$codec"; mkdir "$C/new.dir"
    if [ $codec = gz ]; then
        cp "$S"/quiz.dir/* "$C/new.dir/"
    else
        cp "$S"/quiz0.dir/toc.dat "$C/new.dir/"
        for m in "$S"/quiz0.dir/[0-9]*.dat; do
            if [ $codec = lz4 ]; then lz4 -q -c "$m"; else zstd -q -c "$m"; fi >"$C/new.dir/${m##*/}.$codec"
        done
    fi
    ls "$C"/new.dir/[0-9]*.dat.$codec >/dev/null; ok $? "-Fd .dat.$codec: members named as pg_dump names them"
    bk "$C" "retention_days = 1
pg_restore = $T/pg16z/pg_restore"
    is "$RC" 0 "-Fd .dat.$codec: a good dump passes verify = full"
    like "$OUT" '^    ok 2 - newest backup new.dir is a complete directory dump \(verify full\)$' "-Fd .dat.$codec: read whole"
    big=$(ls -S "$C"/new.dir/[0-9]*.dat.$codec | head -1)
    size=$(stat -c %s "$big")
    truncate -s $((size / 2)) "$big"
    bk "$C" "retention_days = 1
pg_restore = $T/pg16z/pg_restore"
    is "$RC" 1 "-Fd .dat.$codec cut in half: exit 1"
    name=$codec; [ $codec = gz ] && name=gzip; [ $codec = zst ] && name=zstd
    like "$OUT" "^    not ok 2 - newest backup new.dir is a complete dump \\(verify full\\): data file ${big##*/}: truncated $name stream at byte $((size / 2))$" "-Fd .dat.$codec cut in half: the member named, and why"
done

# ---- a sudden shrink; min_size ----
case_dir shrink
put quiz.sql.gz a.sql.gz 25
put small.sql.gz b.sql.gz 1
bk "$C" 'retention_days = 2
min_size = 100KiB'
is "$RC" 1 "shrink: exit 1"
like "$OUT" '^    not ok [0-9]+ - newest backup shrank to [0-9.]+% of the previous one \(.* -> .*\), max shrink 50%$' "shrink: not ok"
like "$OUT" '^      expected: ">= 50% of the previous size"' "shrink: expected"
like "$OUT" '^    not ok [0-9]+ - newest backup size .*, expected at least 100.0 KiB \(102400 bytes\)$' "min_size: not ok"
like "$OUT" '^  previous_file: "a.sql.gz"' "shrink: previous named"

# ---- the folder ----
case_dir locked; put quiz.sql.gz quiz.sql.gz 1; chmod 000 "$C"
if [ "$(id -u)" -eq 0 ]; then
    cat >"$T/checks.ini" <<EOF
[check bk]
plugin = backup
dir = $C
EOF
    chmod 644 "$T/checks.ini"
    setpriv --reuid=65534 --regid=65534 --clear-groups "$OPSCHECK" run -c "$T/checks.ini" bk >"$T/out" 2>"$T/err" </dev/null
    RC=$?; OUT=$(cat "$T/out")
else
    bk "$C" ''
fi
chmod 755 "$C"
is "$RC" 1 "unreadable folder: exit 1"
like "$OUT" "^  message: \"backup folder $C is readable\"" "unreadable folder: not ok"
like "$OUT" "^  seen: \"cannot open folder $C: Permission denied\"" "unreadable folder: why"
tap_valid "$OUT" "unreadable folder: valid TAP 14"
bk "$T/nowhere" ''
like "$OUT" "^  seen: \"cannot open folder $T/nowhere: No such file or directory\"" "missing folder"
case_dir none; touch "$C/README"
bk "$C" ''
like "$OUT" "^  message: \"backups in $C\"" "no backups: not ok"
like "$OUT" '^  seen: "no entry matches the pattern"' "no backups: seen"
bk "$C" 'pattern = READ*'
like "$OUT" "empty file \\(0 bytes\\)" "pattern: own globs, content decides the format"
bk "$C" 'verify = deep'
is "$RC" 2 "bad verify value: a config error before the run (exit 2)"
like "$ERR" "checks\.ini:7: check 'bk': verify: must be header, full or restore, not \"deep\"$" "bad verify value: named at its line"
bk "$C" 'verify = restore'
like "$OUT" '^  message: "configuration: verify = restore needs restore_dsn"' "restore without restore_dsn"
is "$RC" 1 "restore without restore_dsn: exit 1"
like "$OUT" '^  severity: "error"' "restore without restore_dsn: an ERROR (could not check), not a failed backup"

# ---- verify = restore on the sandbox server ----
PW='bk-t-Restore-Pw-5d1e9a77c3'
export BK_RESTORE_DSN="host=$PGHOST port=$PGPORT user=$PGUSER dbname=${PGDATABASE:-postgres} password=$PW"
scratch_left() { psql -X -At -d postgres -c "SELECT count(*) FROM pg_database WHERE datname LIKE 'opscheck_restore_%'"; }
before=$(scratch_left)
for f in quiz.dump quiz.sql.gz quiz.dir quiz.tar quiz.sql; do
    case_dir "restore-$f"; put "$f" "$f" 1
    bk "$C" 'retention_days = 1
verify = restore
restore_dsn = ${env:BK_RESTORE_DSN}
min_tables = 3' -v
    is "$RC" 0 "restore $f: exit 0"
    like "$OUT" "^    ok 4 - newest backup $f restored: 3 tables \\(min 3\\)$" "restore $f: 3 tables"
    like "$OUT" "^  restore_server: \"$PGHOST:$PGPORT\"" "restore $f: server named, no password"
    like "$OUT" '^  scratch_database: "opscheck_restore_[0-9_]+ \(dropped\)"' "restore $f: scratch database named"
    unlike "$OUT$ERR" "$PW" "restore $f: password nowhere"
done
case_dir restore-few; put quiz.dump quiz.dump 1
bk "$C" 'retention_days = 1
verify = restore
restore_dsn = ${env:BK_RESTORE_DSN}
min_tables = 10'
is "$RC" 1 "restore min_tables: exit 1"
like "$OUT" '^    not ok 4 - newest backup quiz.dump restored: 3 tables, expected at least 10$' "restore min_tables: not ok"
like "$OUT" '^      seen: "3 tables"' "restore min_tables: seen"
# A plain dump that fails half-way stops there: its line and the server's message.
case_dir restore-bad; sed 's/^CREATE TABLE public.payments/CREATE TABLEX public.payments/' "$S/quiz.sql" >"$C/quiz.sql"
bk "$C" 'retention_days = 1
verify = restore
restore_dsn = ${env:BK_RESTORE_DSN}'
is "$RC" 1 "restore error: exit 1"
like "$OUT" '^    not ok 4 - newest backup quiz.sql restores into a scratch database: line [0-9]+: syntax error at or near "TABLEX"' "restore error: the line and the server's message"
BK_RESTORE_DSN="host=127.0.0.1 port=1 user=nobody password=$PW connect_timeout=2" \
    bk "$C" 'retention_days = 1
verify = restore
restore_dsn = ${env:BK_RESTORE_DSN}'
is "$RC" 1 "restore unreachable: exit 1"
like "$OUT" 'restores into a scratch database: cannot connect with restore_dsn: .*(refused|failed)' "restore unreachable: says so"
unlike "$OUT$ERR" "$PW" "restore unreachable: password nowhere"
case_dir restore-broken; head -c 300000 "$S/quiz.dump" >"$C/new.dump"
bk "$C" 'retention_days = 1
verify = restore
restore_dsn = ${env:BK_RESTORE_DSN}'
like "$OUT" 'restores into a scratch database: not tried, the dump is not complete' "restore of a broken dump not tried"
# ---- the restore role the README asks for: LOGIN CREATEDB, never a superuser ----
# (red when pg_restore runs without --no-owner: the superuser cases above pass then)
# README "Database roles: never a superuser": archives restore with
# --no-owner; a plain dump restores when made with `pg_dump -O -x`, and one
# with its OWNER TO lines stops at the first, naming it.
RROLE=bk_t_restorer
PGOPTIONS='-c client_min_messages=warning' psql -X -q -d postgres -c "DROP ROLE IF EXISTS $RROLE" \
    -c "CREATE ROLE $RROLE LOGIN CREATEDB PASSWORD '$PW'"
is "$(psql -X -At -d postgres -c "SELECT rolsuper, rolcreatedb, rolcreaterole, pg_has_role('$RROLE', 'pg_execute_server_program', 'MEMBER') FROM pg_roles WHERE rolname = '$RROLE'")" \
    "f|t|f|f" "restore role: not a superuser, CREATEDB only, no server programs"
pg_dump -d "$DB" -Fp -O -x -f "$S/quiz-ox.sql"
ok $? "pg_dump -O -x: a plain dump without owners and grants"
ROLE_DSN="host=$PGHOST port=$PGPORT user=$RROLE dbname=postgres password=$PW"
for f in quiz.dump quiz.dir quiz.tar quiz-ox.sql; do
    case_dir "role-$f"; put "$f" "$f" 1
    BK_RESTORE_DSN=$ROLE_DSN bk "$C" 'retention_days = 1
verify = restore
restore_dsn = ${env:BK_RESTORE_DSN}
min_tables = 3' -v
    is "$RC" 0 "restore role, $f: exit 0"
    like "$OUT" "^    ok 4 - newest backup $f restored: 3 tables \\(min 3\\)$" "restore role, $f: restored as the non-superuser role"
done
case_dir role-owners; put quiz.sql quiz.sql 1
BK_RESTORE_DSN=$ROLE_DSN bk "$C" 'retention_days = 1
verify = restore
restore_dsn = ${env:BK_RESTORE_DSN}'
is "$RC" 1 "restore role, a plain dump with OWNER TO lines: exit 1"
like "$OUT" '^    not ok 4 - newest backup quiz.sql restores into a scratch database: line [0-9]+: .*(must be (owner|member|able to SET ROLE)|permission denied)' \
    "restore role, OWNER TO lines: the line and the server's refusal"
is "$(psql -X -At -d postgres -c "SELECT count(*) FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba WHERE r.rolname = '$RROLE'")" 0 \
    "restore role: every scratch database it made is dropped"
psql -X -q -d postgres -c "DROP ROLE $RROLE"

is "$(scratch_left)" "$before" "every scratch database dropped"
unlike "$(cat "$T/all")" "$PW" "no run wrote the restore_dsn password"

done_testing
