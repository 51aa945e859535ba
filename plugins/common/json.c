/*
 * json.c - lenient lookups over cJSON trees (implements json.h).
 *
 * Owned by the fly plugin's author; shared by every plugin that reads JSON.
 * Remote APIs disagree with themselves (Fly sends exited_at as a string or
 * as integer ms, ids as numbers or strings), so every getter here accepts
 * the reasonable spellings of a value instead of failing on the first one.
 * Nothing here allocates except json_text(), whose result the caller frees;
 * an allocation failure aborts (house rule: no half-recovery).
 */
#include "json.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void *json_oom(void)
{
    fputs("opscheck: out of memory\n", stderr);
    abort();
}

/* Unescape one RFC 6901 reference token of length LEN into OUT (size > LEN).
 * Returns 0, or -1 on a "~" not followed by "0" or "1". */
static int json_ptr_token(const char *tok, size_t len, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (tok[i] != '~') {
            out[o++] = tok[i];
            continue;
        }
        if (i + 1 >= len || (tok[i + 1] != '0' && tok[i + 1] != '1'))
            return -1;
        out[o++] = tok[i + 1] == '0' ? '~' : '/';
        i++;
    }
    out[o] = '\0';
    return 0;
}

/* An array index token: "0" or digits without a leading zero. -1 otherwise
 * ("-", the past-the-end index, never names an existing element). */
static long json_ptr_index(const char *tok)
{
    size_t n = strlen(tok);
    if (n == 0 || n > 9 || (n > 1 && tok[0] == '0'))
        return -1;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)tok[i]))
            return -1;
    return strtol(tok, NULL, 10);
}

cJSON *json_pointer(const cJSON *root, const char *pointer)
{
    if (!root || !pointer)
        return NULL;
    if (pointer[0] == '\0')
        return (cJSON *)root;
    if (pointer[0] != '/')
        return NULL;

    size_t plen = strlen(pointer);
    char *tok = malloc(plen + 1);
    if (!tok)
        json_oom();
    const cJSON *node = root;
    const char *p = pointer;
    while (node && *p == '/') {
        p++;
        size_t len = strcspn(p, "/");
        if (json_ptr_token(p, len, tok) != 0) {
            node = NULL;
            break;
        }
        if (cJSON_IsArray(node)) {
            long idx = json_ptr_index(tok);
            node = idx < 0 ? NULL : cJSON_GetArrayItem(node, (int)idx);
        } else if (cJSON_IsObject(node)) {
            node = cJSON_GetObjectItemCaseSensitive(node, tok);
        } else {
            node = NULL;
        }
        p += len;
    }
    free(tok);
    return (cJSON *)node;
}

cJSON *json_get(const cJSON *obj, const char *key)
{
    if (!cJSON_IsObject(obj) || !key)
        return NULL;
    return cJSON_GetObjectItemCaseSensitive(obj, key);
}

const char *json_str(const cJSON *obj, const char *key)
{
    const cJSON *n = json_get(obj, key);
    return cJSON_IsString(n) ? n->valuestring : NULL;
}

/* A numeric string: optional blanks, a decimal number (no hex, inf or nan),
 * optional blanks.  Returns 0 and sets *out, or -1. */
static int json_parse_num(const char *s, double *out)
{
    while (isspace((unsigned char)*s))
        s++;
    const char *q = s + (*s == '-' || *s == '+');
    if (!isdigit((unsigned char)*q) && !(*q == '.' && isdigit((unsigned char)q[1])))
        return -1;
    if (q[0] == '0' && (q[1] == 'x' || q[1] == 'X'))
        return -1;
    char *end;
    double v = strtod(s, &end);
    if (end == s || !isfinite(v))
        return -1;
    while (isspace((unsigned char)*end))
        end++;
    if (*end != '\0')
        return -1;
    *out = v;
    return 0;
}

/* A node (not a key) as a number: a JSON number or a numeric string. */
static int json_node_num(const cJSON *n, double *out)
{
    if (cJSON_IsNumber(n)) {
        *out = n->valuedouble;
        return 0;
    }
    if (cJSON_IsString(n) && n->valuestring)
        return json_parse_num(n->valuestring, out);
    return -1;
}

int json_num(const cJSON *obj, const char *key, double *out)
{
    double v;
    if (json_node_num(json_get(obj, key), &v) != 0)
        return -1;
    if (out)
        *out = v;
    return 0;
}

int json_bool(const cJSON *obj, const char *key)
{
    const cJSON *n = json_get(obj, key);
    if (cJSON_IsTrue(n))
        return 1;
    if (cJSON_IsFalse(n))
        return 0;
    if (cJSON_IsString(n) && n->valuestring) {
        if (strcasecmp(n->valuestring, "true") == 0)
            return 1;
        if (strcasecmp(n->valuestring, "false") == 0)
            return 0;
    }
    return -1;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil); avoids timegm() and the process time zone. */
static long long json_days_from_civil(long long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long long)doe - 719468;
}

/* N decimal digits at S into *out; returns 0 or -1. */
static int json_digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

/* RFC 3339 date-time: YYYY-MM-DD[Tt ]hh:mm:ss[.frac](Z|z|+hh:mm|-hh:mm).
 * No zone at all ("2026-03-01T09:12:44.123456", as Fly's secrets endpoint
 * answers) is UTC: that is what Go's time.Parse gives for a layout without
 * a zone, so it is how flyctl reads it.  Fractions are truncated.  Returns
 * 0 and sets *out, or -1. */
static int json_parse_rfc3339(const char *s, time_t *out)
{
    int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
    if (strlen(s) < 19 || json_digits(s, 4, &y) || s[4] != '-' || json_digits(s + 5, 2, &mo) ||
        s[7] != '-' || json_digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
        json_digits(s + 11, 2, &h) || s[13] != ':' || json_digits(s + 14, 2, &mi) || s[16] != ':' ||
        json_digits(s + 17, 2, &sec))
        return -1;
    const char *p = s + 19;
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p))
            return -1;
        while (isdigit((unsigned char)*p))
            p++;
    }
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '\0') {
        /* no zone: UTC (see above) */
    } else if (*p == '+' || *p == '-') {
        sign = *p == '+' ? 1 : -1;
        if (json_digits(p + 1, 2, &oh) || p[3] != ':' || json_digits(p + 4, 2, &om))
            return -1;
        p += 6;
    } else {
        return -1;
    }
    if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 ||
        oh > 23 || om > 59)
        return -1;
    long long t = json_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400LL + h * 3600LL +
                  mi * 60LL + sec - sign * (oh * 3600LL + om * 60LL);
    *out = (time_t)t;
    return 0;
}

int json_time(const cJSON *obj, const char *key, time_t *out)
{
    const cJSON *n = json_get(obj, key);
    double v;
    time_t t;

    if (cJSON_IsString(n) && n->valuestring && json_parse_rfc3339(n->valuestring, &t) == 0) {
        if (out)
            *out = t;
        return 0;
    }
    /* Epoch integers, as numbers or numeric strings. */
    if (json_node_num(n, &v) != 0 || v != floor(v))
        return -1;
    if (fabs(v) > 1e11)
        v /= 1000.0;
    if (!(fabs(v) < 9.2e18))
        return -1; /* no time_t holds it (the cast would be undefined) */
    if (out)
        *out = (time_t)floor(v);
    return 0;
}

static char *json_strdup(const char *s)
{
    char *d = strdup(s);
    if (!d)
        json_oom();
    return d;
}

/* A number as the shortest text that reads back the same: integers without
 * ".0" or exponent while exact (|v| < 2^53), else %.15g or %.17g. */
static char *json_num_text(double v)
{
    char buf[64];
    if (v == floor(v) && fabs(v) < 9007199254740992.0) {
        snprintf(buf, sizeof buf, "%lld", (long long)v);
    } else {
        snprintf(buf, sizeof buf, "%.15g", v);
        if (strtod(buf, NULL) != v)
            snprintf(buf, sizeof buf, "%.17g", v);
    }
    return json_strdup(buf);
}

char *json_text(const cJSON *node)
{
    if (!node)
        return NULL;
    if (cJSON_IsString(node) || cJSON_IsRaw(node))
        return json_strdup(node->valuestring ? node->valuestring : "");
    if (cJSON_IsNumber(node))
        return json_num_text(node->valuedouble);
    if (cJSON_IsTrue(node))
        return json_strdup("true");
    if (cJSON_IsFalse(node))
        return json_strdup("false");
    if (cJSON_IsNull(node))
        return json_strdup("null");
    char *s = cJSON_PrintUnformatted(node);
    if (!s)
        json_oom();
    /* cJSON allocates with its own hooks (malloc by default); copy so that
     * the caller's free() is always the right one. */
    char *d = json_strdup(s);
    cJSON_free(s);
    return d;
}
