/*
 * hh_stats.c - latency percentiles for http-health.  Nearest rank (the
 * value at rank ceil(p/100 * n) of the sorted samples): always a latency
 * that was really measured, which is what an operator compares with the
 * SLA ("p50 < 300 ms").  Pure: no oc_* calls.
 */
#include "hh.h"

#include <math.h>
#include <stdlib.h>

static int hh_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double hh_percentile(double *v, size_t n, double p)
{
    size_t rank;

    if (n == 0)
        return 0;
    qsort(v, n, sizeof *v, hh_cmp_double);
    if (p <= 0)
        return v[0];
    rank = (size_t)ceil(p / 100.0 * (double)n - 1e-9);
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return v[rank - 1];
}
