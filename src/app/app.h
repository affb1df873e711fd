#ifndef USERD_APP_H
#define USERD_APP_H

/*
 * The app face (app-user-api.txt + NOTES.md): end users' phones and
 * browsers, cookie sessions, replies {"code":200,"result":...}; request
 * errors are HTTP 4xx with a short plain-text body.
 */
#include "http/http.h"

extern const struct face app_face;

#endif
