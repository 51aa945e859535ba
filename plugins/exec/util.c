/*
 * util.c - allocation helpers of the exec plugin.  Out of memory aborts
 * with a message on stderr (which the core captures): a check runner has
 * nothing sensible to do half-way through without memory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec_int.h"

static void oom(size_t n)
{
    fprintf(stderr, "exec: out of memory (%zu bytes)\n", n);
    abort();
}

void *exec_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom(n);
    return p;
}

void *exec_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        oom(n);
    return q;
}

char *exec_xstrndup(const char *s, size_t n)
{
    char *p = exec_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}
