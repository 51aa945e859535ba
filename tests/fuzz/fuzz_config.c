/*
 * fuzz_config.c - the INI loader and ${...} interpolation on arbitrary
 * bytes: cfg_load() of the input as one file, then, when it loaded without
 * errors (the only case `opscheck run` resolves anything), cfg_resolve() of
 * every check.  The input is written to a memfd and opened through
 * /proc/self/fd/N, since cfg_load() takes paths.
 *
 * The model sees plugins only through a schema lookup (schema.h): here one
 * that knows no plugin, so neither the loader nor any process is linked in;
 * built with -DFUZZ_WITH_TP=\"/path/tp.so\" (fuzz_config_tp.c) it is the
 * loader's, with a temp folder holding that test plugin first on the path,
 * so option schemas, types and secrets are exercised too.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"
#include "redact.h"

static int memfd = -1;
static char path[64];

#ifdef FUZZ_WITH_TP
#include "loader.h"

static char plugdir[] = "/tmp/opscheck-fuzz-plugins.XXXXXX";

static void cleanup(void)
{
    char so[sizeof plugdir + 8];
    snprintf(so, sizeof so, "%s/tp.so", plugdir);
    unlink(so);
    rmdir(plugdir);
}

static void setup_plugins(void)
{
    if (!mkdtemp(plugdir))
        abort();
    atexit(cleanup);
    char so[sizeof plugdir + 8];
    snprintf(so, sizeof so, "%s/tp.so", plugdir);
    if (symlink(FUZZ_WITH_TP, so) != 0)
        abort();
}
#else
static void setup_plugins(void)
{
}

/* The lookup of a tree without plugins: every name is unknown. */
static const oc_schema *no_plugin(void *ctx, const char *name, const strvec *dirs, char **err)
{
    (void)ctx;
    (void)dirs;
    *err = xasprintf("unknown plugin '%s'", name);
    return NULL;
}
#endif

static void setup(void)
{
    memfd = memfd_create("fuzz.ini", 0);
    if (memfd < 0)
        abort();
    snprintf(path, sizeof path, "/proc/self/fd/%d", memfd);
    setup_plugins();
    /* ${file:/dev/stdin} must not wait for a terminal */
    int null = open("/dev/null", O_RDONLY);
    if (null < 0 || dup2(null, 0) < 0)
        abort();
    close(null);
    unsetenv("OPSCHECK_PLUGIN_PATH");
    setenv("FUZZ_TOKEN", "s3cr3t-value", 1);
    setenv("FUZZ_PLAIN", "plain", 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (memfd < 0)
        setup();
    if (size > 64 * 1024)
        return 0;
    if (ftruncate(memfd, 0) != 0 || pwrite(memfd, data, size, 0) != (ssize_t)size)
        abort();

    const char *files[] = {path};
    const char *sets[] = {"fuzz_set=${fuzz_set_ref}", "fuzz_set_ref=x"};
#ifdef FUZZ_WITH_TP
    plug_reg reg;
    plug_reg_init(&reg);
    plug_reg_add_path(&reg, plugdir, NULL);
    cfg *c = cfg_load(files, 1, sets, 2, plug_find_schema, &reg);
#else
    cfg *c = cfg_load(files, 1, sets, 2, no_plugin, NULL);
#endif
    if (c->errors.n == 0) {
        for (size_t i = 0; i < c->nchecks; i++) {
            cfg_resolved r;
            cfg_resolve(c, i, &r);
            cfg_resolved_clear(&r);
        }
    }
    for (size_t i = 0; i < c->nchecks; i++)
        cfg_find_check(c, c->checks[i].name);
    cfg_suggest(c, "fuzz");
    cfg_free(c);
#ifdef FUZZ_WITH_TP
    plug_reg_release(&reg);
#endif
    redact_clear();
    return 0;
}
