/*
 * units.h - the INI value grammar shared by the config checker and the oc_*
 * getters: durations, sizes, percentages, booleans, integers and lists.
 * Each parser returns 0 and stores the value, or -1 when the text is not of
 * that type (the caller words the error, naming file:line).
 */
#ifndef OC_UNITS_H
#define OC_UNITS_H

#include "util.h"
#include "opscheck/plugin.h"

int unit_duration_ms(const char *s, long long *out); /* 250ms 10s 5m 26h 7d; bare = s */
int unit_size(const char *s, long long *out);        /* 512 64KiB 1MiB 1MB 2GB */
int unit_percent(const char *s, double *out);        /* 99% 99.5 */
int unit_bool(const char *s, int *out);              /* yes/no true/false on/off 1/0 */
int unit_int(const char *s, long long *out);
/* MS as a duration the parser reads back: "10s", or "250ms" (malloc'd). */
char *unit_duration_text(long long ms);
/* Split a list on commas and blanks; '...' and "..." group (quotes removed). */
int unit_list(const char *s, strvec *out);
/* Is text S a valid value of TYPE?  On failure *why says what was expected. */
int unit_check(oc_opt_type type, const char *s, const char **why);
const char *unit_type_name(oc_opt_type type);

#endif
