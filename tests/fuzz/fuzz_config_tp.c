/* fuzz_config_tp.c - fuzz_config.c with the test plugin on the plugin path.
 * The build passes -DFUZZ_TP_SO="path/to/tp.so". */
#ifndef FUZZ_TP_SO
#error "build with -DFUZZ_TP_SO=\"/path/to/tp.so\""
#endif
#define FUZZ_WITH_TP FUZZ_TP_SO
#include "fuzz_config.c"
