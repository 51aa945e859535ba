/*
 * fuzz_tap_read.c - the exec plugin's reader of a program's TAP stream
 * (exec_is_tap, exec_read_tap), which must accept anything.  Checked: every
 * test has a description without a newline; a directive has a reason.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/exec/exec_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    (void)exec_is_tap(text, size);
    exec_tap t;
    exec_read_tap(text, size, &t);
    for (size_t i = 0; i < t.count; i++) {
        const exec_tap_test *x = &t.tests[i];
        if (!x->desc || strchr(x->desc, '\n'))
            abort();
        if (x->dir != EXEC_TAP_NONE && !x->reason)
            abort();
    }
    if (t.bailed && !t.bail_reason)
        abort();
    exec_tap_free(&t);
    return 0;
}
