/*
 * serve_mhd.c - libmicrohttpd's functions, resolved at serve's start
 * (serve_mhd.h says why it is not linked).
 */
#include <dlfcn.h>

#include "serve_mhd.h"
#include "util.h"

#define MHD_SONAME "libmicrohttpd.so.12"

sv_mhd_api sv_mhd;

int sv_mhd_load(char **why)
{
    if (sv_mhd.start_daemon)
        return 0;
    /* Never dlclose()d: serve keeps it until it exits. */
    void *h = dlopen(MHD_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *e = dlerror();
        *why = xasprintf("cannot load " MHD_SONAME " (install libmicrohttpd12): %s", e ? e : "not found");
        return -1;
    }
    /* dlsym's void * converted to each function's type (POSIX allows it). */
    sv_mhd_api api;
    const char *missing = NULL;
#define RESOLVE(f) if (!(api.f = (__typeof__(api.f))dlsym(h, "MHD_" #f)) && !missing) missing = "MHD_" #f
    RESOLVE(start_daemon);
    RESOLVE(stop_daemon);
    RESOLVE(create_response_from_buffer);
    RESOLVE(add_response_header);
    RESOLVE(queue_response);
    RESOLVE(destroy_response);
    RESOLVE(get_connection_values);
    RESOLVE(lookup_connection_value);
    RESOLVE(quiesce_daemon);
    RESOLVE(basic_auth_get_username_password);
    RESOLVE(queue_basic_auth_fail_response);
    RESOLVE(free);
#undef RESOLVE
    if (missing) {
        *why = xasprintf(MHD_SONAME " has no %s", missing);
        return -1;
    }
    sv_mhd = api; /* all or nothing: start_daemon set means every member is */
    return 0;
}
