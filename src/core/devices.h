#ifndef USERD_DEVICES_H
#define USERD_DEVICES_H

#include "core/ctx.h"
#include "core/types.h"

/*
 * The devices an account signed in from (tok_login registers them, one per
 * device_guid, numbered per account from 1), their push tokens, and taking
 * them offline: a kicked or removed device's tokens stop working at once.
 */

#define DEVICE_PAGE_MAX 200
#define DEVICE_TOKEN_MAX 512  /* push token of a device: bytes of printable ASCII */
#define NOTIFIER_NAME_MAX 64  /* [A-Za-z0-9_.-] */

struct device_page {
    struct device *items; /* in the caller's arena */
    int n;
    int64_t next_after; /* the cursor of the next page; 0 on the last page */
    int64_t version;    /* the newest change to the account's devices, ms */
};

/** Up to limit (1-DEVICE_PAGE_MAX) devices with device_sn > after, in device_sn order. */
int dev_list(struct ctx *c, int64_t account_id, int64_t after, int limit, struct device_page *out) USERD_MUST_CHECK;

/** Deletes the device and its tokens. -E_NOT_FOUND when the account has no such device. */
int dev_remove(struct ctx *c, int64_t account_id, int64_t device_sn) USERD_MUST_CHECK;

/**
 * Deletes the tokens of one device (-E_NOT_FOUND when the account has no
 * such device), or with device_sn 0 every token of the account. The devices
 * stay listed.
 */
int dev_kick(struct ctx *c, int64_t account_id, int64_t device_sn) USERD_MUST_CHECK;

/** Binds a push token and notifier name to the device (-E_NOT_FOUND), or with "" and "" unbinds it. */
int dev_bind_push(struct ctx *c, int64_t account_id, int64_t device_sn, const char *device_token,
                  const char *notifier_name) USERD_MUST_CHECK;

/** 0 when s is a notifier name: 1-NOTIFIER_NAME_MAX of [A-Za-z0-9_.-]. */
int dev_check_notifier(const char *s) USERD_MUST_CHECK;
/** 0 when s is a push token: 1-max bytes of printable ASCII, no spaces. */
int dev_check_push_token(const char *s, size_t max) USERD_MUST_CHECK;

#endif
