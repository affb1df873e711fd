/*
 * Health and readiness for orchestrators (docs/operations.md): /healthz says
 * the process answers (a restart is the cure when it does not); /readyz says
 * it can serve, the store answering with every migration applied (traffic
 * goes elsewhere while it cannot). The faces keep their own /healthz, which
 * asks the store.
 */
#include "ops/ops.h"

void ops_healthz(struct http_req *r) { ops_status(r, 200, "ok"); }

void ops_readyz(struct http_req *r)
{
    int rc = ctx_ready();
    if (!rc)
        ops_status(r, 200, "ready");
    else
        ops_status(r, 503, rc == -E_INVALID ? "migrations pending" : "store unavailable");
}
