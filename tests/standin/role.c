/*
 * role.c - the table of roles a route may take ("role": "NAME").
 *
 * Owner: issue 3 owns the table and the "static" role (the default: answer
 * the route's status, headers and body, or a 302 for "redirect").  A later
 * issue adds a role in its own file (e.g. role_mp_webhook.c) and one line
 * below; nothing else changes.
 */
#include "standin.h"

#include <string.h>

static enum MHD_Result role_static_answer(const sd_route *r, const sd_req *q)
{
    /* A redirect keeps an explicit 3xx status (301, 307...), else 302. */
    if (r->redirect)
        return sd_body_send(r, q->conn, r->status / 100 == 3 ? r->status : 302);
    return sd_body_send(r, q->conn, r->status);
}

const sd_role sd_role_static = {
    .name = "static",
    .answer = role_static_answer,
};

extern const sd_role sd_role_mp_webhook, sd_role_mp_payments; /* role_mp.c, issue 5 */

static const sd_role *const role_table[] = {
    &sd_role_static,
    &sd_role_mp_webhook, &sd_role_mp_payments,
    NULL,
};

const sd_role *sd_role_find(const char *name)
{
    for (size_t i = 0; role_table[i]; i++)
        if (strcmp(role_table[i]->name, name) == 0)
            return role_table[i];
    return NULL;
}
