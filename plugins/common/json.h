/*
 * json.h - lookups over cJSON trees, lenient where remote APIs are: numbers
 * that arrive as strings, ids as numbers or strings, times as RFC 3339
 * strings or integer (milli)seconds.  Shared by every plugin that reads JSON.
 *
 * Ownership: every returned cJSON pointer points into the caller's tree;
 * strings returned by json_text() are malloc'd and the caller frees them.
 */
#ifndef OC_COMMON_JSON_H
#define OC_COMMON_JSON_H

#include <cjson/cJSON.h>
#include <time.h>

/* RFC 6901 JSON Pointer ("/a/0/b", "~1" and "~0" escapes; "" is the root).
 * Returns the node or NULL when the path does not exist. */
cJSON *json_pointer(const cJSON *root, const char *pointer);

/* Member KEY of object OBJ (case-sensitive), or NULL; OBJ may be NULL. */
cJSON *json_get(const cJSON *obj, const char *key);

/* The string at KEY, or NULL when absent or not a string. */
const char *json_str(const cJSON *obj, const char *key);

/* A number at KEY given as a JSON number or as a numeric string.
 * Returns 0 and sets *out, or -1 when absent or not numeric. */
int json_num(const cJSON *obj, const char *key, double *out);

/* A boolean at KEY: true/false, or the strings "true"/"false". -1 absent. */
int json_bool(const cJSON *obj, const char *key);

/* A time at KEY: RFC 3339 string ("2026-11-28T09:15:02Z", fractional
 * seconds and offsets allowed), or an integer of seconds or milliseconds
 * (values above 1e11 are taken as ms).  Returns 0 and sets *out, or -1. */
int json_time(const cJSON *obj, const char *key, time_t *out);

/* Any scalar node as text (strings unquoted, numbers without ".0"), malloc'd;
 * objects and arrays as compact JSON.  NULL node gives NULL. */
char *json_text(const cJSON *node);

#endif
