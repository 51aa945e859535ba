/*
 * serve_mhd.h - libmicrohttpd, loaded with dlopen() when `opscheck serve`
 * starts, never linked: linked, it and the nine libraries it needs (gnutls,
 * nettle, gmp, ...) would be mapped by every process opscheck starts, each
 * zygote and each round's `run` included (the same reason report_push.c
 * loads libcurl only to push; tests/link.t checks both).
 *
 * The calls serve_http.c makes go through `sv_mhd`, whose members have the
 * types of the library's own declarations (<microhttpd.h>).
 */
#ifndef OC_SERVE_MHD_H
#define OC_SERVE_MHD_H

#include <microhttpd.h>

typedef struct sv_mhd_api {
    __typeof__(&MHD_start_daemon) start_daemon;
    __typeof__(&MHD_stop_daemon) stop_daemon;
    __typeof__(&MHD_create_response_from_buffer) create_response_from_buffer;
    __typeof__(&MHD_add_response_header) add_response_header;
    __typeof__(&MHD_queue_response) queue_response;
    __typeof__(&MHD_destroy_response) destroy_response;
    __typeof__(&MHD_get_connection_values) get_connection_values;
    __typeof__(&MHD_lookup_connection_value) lookup_connection_value;
    __typeof__(&MHD_quiesce_daemon) quiesce_daemon;                 /* a new TLS key at SIGHUP */
    __typeof__(&MHD_basic_auth_get_username_password) basic_auth_get_username_password;
    __typeof__(&MHD_queue_basic_auth_fail_response) queue_basic_auth_fail_response;
    __typeof__(&MHD_free) free;
} sv_mhd_api;

extern sv_mhd_api sv_mhd;

/* Loads the library once: 0, or -1 with *why (malloc'd, one line). */
int sv_mhd_load(char **why);

#endif
