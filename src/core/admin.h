#ifndef USERD_ADMIN_H
#define USERD_ADMIN_H

#include "core/appid.h"
#include "core/ctx.h"
#include "core/devices.h"
#include "core/types.h"

/*
 * What the admin console reads across an app (issue 15): the user search by
 * every kind of id, a user's whole picture, and the counts of the
 * overview. The console's actions are the faces' own core functions
 * (users.h, apps.h, devices.h); the few it adds live beside them.
 */
enum adm_by {
    ADM_BY_ID,       /* the IM user id (the account id) */
    ADM_BY_USERNAME, /* the IM username */
    ADM_BY_NICK,     /* a prefix of the nickname, byte-wise */
    ADM_BY_MOBILE,   /* the mobile number, whatever the region */
    ADM_BY_LIVE,     /* the live face's user_id */
    ADM_BY_APPFACE,  /* the app face's opaque user id */
    ADM_BY_ALL,      /* every account, newest first */
};
#define ADM_PAGE_MAX 50
#define ADM_VALUE_MAX 256
#define ADM_DEVICES_MAX 50 /* devices shown on a user's page */

/** The kind named s ("id", "username", "nick", "mobile", "live", "appface", "all"), or -E_INVALID. */
int adm_by_name(const char *s, enum adm_by *out) USERD_MUST_CHECK;

/**
 * Page `page` (from 1) of up to size (1-ADM_PAGE_MAX) accounts of the app
 * that match, into out (room for size + 1); *more: another page follows. A
 * value that cannot be an id of its kind matches nothing. -E_APP_UNKNOWN,
 * -E_INVALID (value empty or over ADM_VALUE_MAX bytes).
 */
int adm_search(struct ctx *c, const char *app_id, enum adm_by by, const char *value, int64_t page, int size,
               struct account *out, int *n, int *more) USERD_MUST_CHECK;

/** The app face's id of an account ("" when it has none). */
int adm_appface_id(struct ctx *c, int64_t id, char out[APPID_BUF]) USERD_MUST_CHECK;

/** A user as the console shows it. */
struct adm_user {
    struct account acct;
    char appface_id[APPID_BUF];
    int64_t tokens, sessions; /* IM tokens and app-face sessions not expired */
    struct device_page devices; /* the first ADM_DEVICES_MAX */
};
/** Reads the account id of the app and what belongs to it. -E_USER_UNKNOWN. */
int adm_user(struct ctx *c, const char *app_id, int64_t id, struct adm_user *out) USERD_MUST_CHECK;

/** Calls fn with each app's account counts per face (apps without accounts are not listed). */
int adm_counts(struct ctx *c, void (*fn)(const struct app_counts *, void *), void *arg) USERD_MUST_CHECK;

#endif
