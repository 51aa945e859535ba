# plugins/backup/plugin.mk - the backup plugin (issue 6): zlib for gzip
# dumps, libzstd/liblz4/liblzma/libbz2 for the other compressed plain dumps
# (issue 14), libpq for verify = restore (plain SQL sent by backup_sql.c, the
# redaction of plugins/common/pg.c); pg_restore runs as a program.
# The unit test links the pure parts (sniffing, streaming, scanning).
PLUGIN_COMMON_backup := pg
PLUGIN_LIBS_backup := -lz -lzstd -llz4 -llzma -lbz2 -lpq
# libpq-fe.h lives in /usr/include/postgresql on Debian.  Messages are one
# bounded line each: truncating a long path or stderr line is intended.
BACKUP_CFLAGS := $(shell pkg-config --cflags libpq 2>/dev/null || echo -I/usr/include/postgresql) \
                 -Wno-format-truncation
plugins/backup/%.o tests/unit/test_backup_%.o: ALL_CFLAGS += $(BACKUP_CFLAGS)

UNIT_OBJS_test_backup_sniff := plugins/backup/backup_sniff.o plugins/backup/backup_scan.o \
                               plugins/backup/backup_codec.o plugins/backup/backup_pgdir.o
# -lcmocka -linih: see plugins/exec/plugin.mk (unit_rule's pkg-config is expanded by make).
UNIT_LIBS_test_backup_sniff := -lz -lzstd -llz4 -llzma -lbz2 -lcmocka -linih
