#ifndef USERD_LIVE_H
#define USERD_LIVE_H

/*
 * The live face (live-user-api.txt + NOTES.md): requests signed
 * "Qiniu AK:sign", replies {"request_id","code","message","data"}.
 */
#include "http/http.h"

extern const struct face live_face;

#endif
