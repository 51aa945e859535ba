/* config_search.c - see config_search.h. */
#include "config_search.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

#ifndef OC_SYSCONFDIR
#define OC_SYSCONFDIR "/etc"
#endif

/* $XDG_CONFIG_HOME, else $HOME/.config (malloc'd); NULL when neither is usable. */
static char *xdg_config_home(void)
{
    const char *xdg = getenv("XDG_CONFIG_HOME");
    if (xdg && xdg[0] == '/') /* the spec: a relative path is invalid and ignored */
        return xstrdup(xdg);
    const char *home = getenv("HOME");
    return home && *home ? xasprintf("%s/.config", home) : NULL;
}

enum cfg_search_rc cfg_search(char **path, char **why)
{
    *path = *why = NULL;
    const char *env = getenv("OPSCHECK_CONFIG");
    if (env && *env) {
        if (access(env, F_OK) == 0) {
            *path = xstrdup(env);
            return CFG_SEARCH_FOUND;
        }
        *why = xasprintf("%s: cannot open: %s ($OPSCHECK_CONFIG names it)", env, strerror(errno));
        return CFG_SEARCH_BAD;
    }
    char *xdg = xdg_config_home();
    char *places[] = {xstrdup("./checks.ini"), xdg ? xasprintf("%s/opscheck/checks.ini", xdg) : NULL,
                      xstrdup(OC_SYSCONFDIR "/opscheck/checks.ini")};
    free(xdg);
    strbuf looked = {0};
    for (size_t i = 0; i < sizeof places / sizeof *places; i++) {
        if (!places[i])
            continue;
        if (!*path && access(places[i], F_OK) == 0)
            *path = xstrdup(places[i]);
        sb_printf(&looked, "%s%s", looked.s ? ", " : "", places[i]);
        free(places[i]);
    }
    if (!*path)
        *why = xasprintf("opscheck: no config file: $OPSCHECK_CONFIG is not set and none of %s exists "
                         "(name one with -c FILE, or -c - for stdin)",
                         looked.s);
    sb_clear(&looked);
    return *path ? CFG_SEARCH_FOUND : CFG_SEARCH_NONE;
}
