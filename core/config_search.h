/*
 * config_search.h - where the config comes from when no -c names one.
 *
 * In order: $OPSCHECK_CONFIG (when set and not empty it is the config: a
 * file it names that is missing is an error, never a fall-through), then the
 * first of these that exists: ./checks.ini,
 * $XDG_CONFIG_HOME/opscheck/checks.ini ($HOME/.config when XDG_CONFIG_HOME is
 * unset, empty or relative, as the XDG Base Directory spec says) and
 * SYSCONFDIR/opscheck/checks.ini (/etc unless the build says otherwise:
 * `make SYSCONFDIR=...`).  The -c files themselves are cli.c's.
 */
#ifndef OC_CONFIG_SEARCH_H
#define OC_CONFIG_SEARCH_H

enum cfg_search_rc { CFG_SEARCH_FOUND, CFG_SEARCH_NONE, CFG_SEARCH_BAD };

/* FOUND: *path is the file to read (malloc'd).  NONE: nothing at any place;
 * BAD: $OPSCHECK_CONFIG names a missing file; either way *why is one line
 * (malloc'd) naming every place looked at, or the file. */
enum cfg_search_rc cfg_search(char **path, char **why);

#endif
