/*
 * fuzz_perfdata.c - the exec plugin's Nagios output reader: the whole
 * output through exec_parse_nagios(), and the same bytes as a bare
 * perfdata string through exec_parse_perfdata().  Checked: every metric has
 * a name of [a-z0-9_] (never empty), a unit kept as written (no digit,
 * sign, point, ';' or blank in it, at most 15 bytes) and a finite value;
 * the message has no newline.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/exec/exec_int.h"

static void check(const exec_nagios *n)
{
    for (size_t i = 0; i < n->nperf; i++) {
        const exec_perf *p = &n->perf[i];
        if (!p->label || !p->name || !p->name[0] || strspn(p->name, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(p->name))
            abort();
        if (!isfinite(p->value))
            abort();
        if (strlen(p->uom) > 15 || strpbrk(p->uom, "+-.0123456789; \t\r\n"))
            abort();
    }
    for (size_t i = 0; i < n->nbad; i++)
        if (!n->bad[i].item || !n->bad[i].why)
            abort();
    if (n->message && strchr(n->message, '\n'))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    exec_nagios n;
    exec_parse_nagios((const char *)data, size, &n);
    check(&n);
    exec_nagios_free(&n);

    char *s = exec_xstrndup((const char *)data, size);
    memset(&n, 0, sizeof n);
    exec_parse_perfdata(s, &n);
    check(&n);
    exec_nagios_free(&n);
    free(s);
    return 0;
}
