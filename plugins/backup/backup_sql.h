/*
 * backup_sql.h - a plain or gzip SQL dump run on a libpq connection without
 * psql (backup_sql.c), for verify = restore: no psql meta-command can run.
 */
#ifndef OC_BACKUP_SQL_H
#define OC_BACKUP_SQL_H

#include "backup_int.h"

#include <libpq-fe.h>

/* Send the dump F statement by statement on CONN (COPY data included),
 * stopping at the first error.  0, or -1 with WHY ("line N: ..."). */
int bk_sql_restore(PGconn *conn, const bk_file *f, long long deadline_ms, char *why, size_t n);

/* Read the dump F once, sending nothing: 1 with WHY (what to do instead)
 * when it switches databases or changes the cluster (pg_dumpall, pg_dump
 * -C: a \connect line, CREATE DATABASE, CREATE ROLE ...), 0 when it is one
 * database's dump, -1 with WHY when it cannot be read. */
int bk_sql_scan(const bk_file *f, long long deadline_ms, char *why, size_t n);

#endif
