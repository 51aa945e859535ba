/*
 * fuzz_wire.c - the parent's decoder of a child's records (wire_feed) on
 * arbitrary bytes, fed in the chunks a pipe might deliver: the first input
 * byte sets the chunk size.  Checked: the result stays within the limits
 * and every string in it is set.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "redact.h"
#include "result.h"
#include "wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t chunk = (size_t)data[0] + 1;
    data++;
    size--;
    wire_reader w = {0};
    check_result r;
    memset(&r, 0, sizeof r);
    for (size_t off = 0; off < size;) {
        size_t n = size - off < chunk ? size - off : chunk;
        if (wire_feed(&w, (const char *)data + off, n, &r) < 0)
            break;
        off += n;
    }
    if (r.nasserts > WIRE_MAX_ASSERTS || r.ndiags > WIRE_MAX_DIAGS || r.nmetrics > WIRE_MAX_METRICS)
        abort();
    for (size_t i = 0; i < r.nasserts; i++)
        if (!r.asserts[i].msg || (r.asserts[i].expected && !r.asserts[i].seen))
            abort();
    for (size_t i = 0; i < r.ndiags; i++)
        if (!r.diags[i].key || !r.diags[i].val)
            abort();
    for (size_t i = 0; i < r.nmetrics; i++)
        if (!r.metrics[i].name || !r.metrics[i].unit)
            abort();
    result_summarise(&r);
    wire_reader_clear(&w);
    result_clear(&r);
    return 0;
}
