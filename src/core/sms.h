#ifndef USERD_SMS_H
#define USERD_SMS_H

#include "core/ctx.h"

/*
 * SMS codes of the app face: 6 random digits (libsodium), stored as a keyed
 * BLAKE2b hash (server key "sms", over app, region, phone and code), valid
 * sms.code_ttl, at most sms.max_tries wrong tries. Delivery by the provider
 * of sms.provider: "log" (the code is logged: development only) or "http"
 * (POST {"region","phone","code"} as JSON to sms.url with libcurl, within
 * sms.timeout; any answer but 2xx is a failed delivery).
 *
 * A right code is exchanged for a verification token (a UUID, stored
 * hashed, single-use, valid verify.token_ttl) that register and
 * reset_password take.
 */
#define SMS_CODE_LEN 6
#define SMS_CODE_MAX 16

/**
 * Sends a fresh code to (region, phone), both already validated.
 * verify_id/verify_answer: a picture code (imgcode.h), checked and used up
 * when verify_id is given; required when sms.captcha_required is on.
 *
 * Errors: -E_CODE_WRONG / -E_CODE_EXPIRED (picture code), -E_TOO_SOON (one
 * send per phone per sms.resend_interval), -E_RATE_LIMITED (more than
 * sms.ip_hourly_limit sends from the client IP in sms.ip_window),
 * -E_NOT_CONFIGURED (no usable provider), -E_UPSTREAM (delivery failed; the
 * code is withdrawn, so the caller may retry at once), store errors.
 */
int sms_send(struct ctx *c, const char *app_id, const char *region, const char *phone, const char *verify_id,
             const char *verify_answer) USERD_MUST_CHECK;

/**
 * Checks code for (region, phone). On success the code is used up and
 * *token is a new verification token. -E_NOT_FOUND (no code was sent to the
 * phone), -E_CODE_EXPIRED (expired, or dead after sms.max_tries wrong
 * tries), -E_CODE_WRONG (counted as a try).
 */
int sms_verify(struct ctx *c, const char *app_id, const char *region, const char *phone, const char *code,
               const char **token) USERD_MUST_CHECK;

/**
 * The check of sms_verify, with another reward: when code is right, it is
 * used up and then(db, arg) runs in the same transaction (a failure of then
 * rolls the whole back: the code stays unused). The same errors as
 * sms_verify; a wrong try is counted whatever then would have done. The SMS
 * sign-in (au_sms_sign_in) is its other caller.
 */
int sms_verify_then(struct ctx *c, const char *app_id, const char *region, const char *phone, const char *code,
                    int (*then)(struct db *db, void *arg), void *arg) USERD_MUST_CHECK;

#endif
