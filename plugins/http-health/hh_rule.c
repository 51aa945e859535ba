/*
 * hh_rule.c - expect_json rules: "POINTER OP [VALUE]" over the body.
 *
 *   /status == "ok"      /db != "down"     /queue < 100     /version exists
 *   /legacy missing      /version =~ "^1\."
 *
 * POINTER is RFC 6901.  VALUE is a JSON literal ("ok", 100, true, null); a
 * bare word starting with a letter is taken as a string, and after =~ any
 * bare text is the regex.  Comparisons are lenient the way remote
 * APIs need: a numeric string compares as a number.  Any comparison on a
 * key that is absent fails (even !=): a missing key is news.  Pure: no
 * oc_* calls.
 */
#include "hh.h"
#include "../common/json.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *word;
    hh_op op;
} hh_ops[] = {
    {"exists", HH_OP_EXISTS}, {"missing", HH_OP_MISSING}, {"==", HH_OP_EQ}, {"!=", HH_OP_NE},
    {"<=", HH_OP_LE}, {">=", HH_OP_GE}, {"<", HH_OP_LT}, {">", HH_OP_GT}, {"=~", HH_OP_MATCH},
};

static char *hh_strndup(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (!d) {
        fprintf(stderr, "http-health: out of memory\n");
        abort();
    }
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

/* A node as a number: a JSON number, or a string holding one. */
static int hh_node_num(const cJSON *n, double *out)
{
    char *end;
    if (cJSON_IsNumber(n)) {
        *out = n->valuedouble;
        return 0;
    }
    if (!cJSON_IsString(n) || !*n->valuestring)
        return -1;
    *out = strtod(n->valuestring, &end);
    while (isspace((unsigned char)*end))
        end++;
    return *end || !isfinite(*out) ? -1 : 0;
}

int hh_rule_parse(hh_rule *rule, const char *text, char *err, size_t errlen)
{
    const char *p = text, *q;
    size_t i;

    memset(rule, 0, sizeof *rule);
    while (isspace((unsigned char)*p))
        p++;
    if (*p != '/')
        return snprintf(err, errlen, "expect_json \"%s\": must start with a JSON Pointer like /status", text), -1;
    q = p + strcspn(p, " \t");
    rule->pointer = hh_strndup(p, (size_t)(q - p));
    rule->text = hh_strndup(text, strlen(text));
    p = q + strspn(q, " \t");
    for (i = 0; i < sizeof hh_ops / sizeof hh_ops[0]; i++) {
        size_t n = strlen(hh_ops[i].word);
        if (strncmp(p, hh_ops[i].word, n) == 0 &&
            (isalpha((unsigned char)hh_ops[i].word[0]) ? !isalnum((unsigned char)p[n]) : 1))
            break;
    }
    if (i == sizeof hh_ops / sizeof hh_ops[0])
        return snprintf(err, errlen, "expect_json \"%s\": want one of == != < <= > >= =~ exists missing",
                        text), -1;
    rule->op = hh_ops[i].op;
    p += strlen(hh_ops[i].word);
    p += strspn(p, " \t");
    size_t vlen = strlen(p);
    while (vlen && isspace((unsigned char)p[vlen - 1]))
        vlen--;
    if (rule->op == HH_OP_EXISTS || rule->op == HH_OP_MISSING)
        return vlen ? (snprintf(err, errlen, "expect_json \"%s\": nothing may follow %s", text,
                                hh_ops[i].word), -1) : 0;
    if (!vlen)
        return snprintf(err, errlen, "expect_json \"%s\": a value must follow %s", text, hh_ops[i].word), -1;

    char *lit = hh_strndup(p, vlen);
    rule->value = cJSON_ParseWithOpts(lit, NULL, 1); /* no trailing junk */
    if (!rule->value || cJSON_IsObject(rule->value) || cJSON_IsArray(rule->value)) {
        cJSON_Delete(rule->value);
        /* A bare word is a string (ok, down); for =~ any bare text is the
         * regex.  "1x" or "open-quote are typos, not strings. */
        int bare = rule->op == HH_OP_MATCH ? lit[0] != '"' : isalpha((unsigned char)lit[0]) != 0;
        rule->value = bare ? cJSON_CreateString(lit) : NULL;
    }
    free(lit);
    if (!rule->value)
        return snprintf(err, errlen, "expect_json \"%s\": bad value (want a JSON string, number, "
                        "true, false or null)", text), -1;
    if (rule->op >= HH_OP_LT && rule->op <= HH_OP_GE && !cJSON_IsNumber(rule->value))
        return snprintf(err, errlen, "expect_json \"%s\": %s needs a number", text, hh_ops[i].word), -1;
    if (rule->op == HH_OP_MATCH) {
        if (!cJSON_IsString(rule->value))
            return snprintf(err, errlen, "expect_json \"%s\": =~ needs a regular expression", text), -1;
        char why[300];
        if (rx_compile(&rule->re, rule->value->valuestring, 0, why, sizeof why) != 0)
            return snprintf(err, errlen, "expect_json \"%s\": pattern \"%s\" does not compile %s", text,
                            rule->value->valuestring, why), HH_CONFIG_BAD_REGEX;
        rule->has_re = 1;
    }
    return 0;
}

/* Equality, lenient: numbers and numeric strings compare as numbers; a
 * string literal matches a number's text ("200" == 200). */
static int hh_equal(const cJSON *node, const cJSON *want)
{
    double a, b;
    if (cJSON_IsNumber(want) && hh_node_num(node, &a) == 0 && hh_node_num(want, &b) == 0)
        return a == b || fabs(a - b) <= 1e-9 * fmax(fabs(a), fabs(b));
    if (cJSON_IsString(want) && cJSON_IsString(node))
        return strcmp(want->valuestring, node->valuestring) == 0;
    if (cJSON_IsString(want) && cJSON_IsNumber(node)) {
        char *t = json_text(node);
        int eq = t && strcmp(t, want->valuestring) == 0;
        free(t);
        return eq;
    }
    return cJSON_Compare(node, want, 1);
}

/* What was found, as JSON text (strings quoted), cut at 200 bytes. */
static char *hh_seen(const cJSON *node, const char *note)
{
    char *js = node ? cJSON_PrintUnformatted(node) : NULL;
    char *out = malloc(260);
    if (!out)
        abort();
    snprintf(out, 260, "%.200s%s%s%s", js ? js : "", js && strlen(js) > 200 ? "..." : "",
             note && js ? " " : "", note ? note : "");
    free(js);
    return out;
}

int hh_rule_eval(const hh_rule *rule, const cJSON *root, char **seen)
{
    const cJSON *node;
    double a, b;
    int ok;

    if (!root) {
        *seen = hh_seen(NULL, "body is not JSON");
        return 0;
    }
    node = json_pointer(root, rule->pointer);
    if (rule->op == HH_OP_MISSING) {
        *seen = hh_seen(node, node ? NULL : "missing");
        return node == NULL;
    }
    if (!node) {
        *seen = hh_seen(NULL, "missing");
        return 0;
    }
    switch (rule->op) {
    case HH_OP_EXISTS: ok = 1; break;
    case HH_OP_EQ: ok = hh_equal(node, rule->value); break;
    case HH_OP_NE: ok = !hh_equal(node, rule->value); break;
    case HH_OP_MATCH: {
        char *t = json_text(node);
        ok = t && rx_match(&rule->re, t);
        free(t);
        break;
    }
    default:
        if (hh_node_num(node, &a) != 0) {
            *seen = hh_seen(node, "(not a number)");
            return 0;
        }
        b = rule->value->valuedouble;
        ok = rule->op == HH_OP_LT ? a < b : rule->op == HH_OP_LE ? a <= b
           : rule->op == HH_OP_GT ? a > b : a >= b;
        break;
    }
    *seen = hh_seen(node, NULL);
    return ok;
}

void hh_rule_free(hh_rule *rule)
{
    free(rule->text);
    free(rule->pointer);
    cJSON_Delete(rule->value);
    if (rule->has_re)
        rx_free(&rule->re);
    memset(rule, 0, sizeof *rule);
}
