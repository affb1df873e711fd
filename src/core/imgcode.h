#ifndef USERD_IMGCODE_H
#define USERD_IMGCODE_H

#include "core/ctx.h"

/*
 * Picture codes (GET|POST /user/get_sms_img_code, GET /user/pic_code): a random answer of
 * CAPTCHA_LEN characters kept in the store under a random verifyId for
 * captcha.ttl; the PNG (captcha.h, libgd) is drawn from it on each fetch.
 * The answer is kept as is (it is drawn on every fetch); it guards against
 * robots, it is no credential. send_code checks and uses it up.
 */
#define IMGCODE_ID_MAX 64

/**
 * A new picture code for app_id; *verify_id (22 URL-safe characters) in the
 * arena. At most captcha.ip_hourly_limit per client IP per hour
 * (-E_RATE_LIMITED).
 */
int imgcode_new(struct ctx *c, const char *app_id, const char **verify_id) USERD_MUST_CHECK;

/**
 * A new picture code and its PNG at once (GET /user/pic_code, which sends
 * the image inline): imgcode_new, then the image of its answer. *png is
 * malloc'd, the caller frees it.
 */
int imgcode_new_png(struct ctx *c, const char *app_id, const char **verify_id, unsigned char **png,
                    int *png_len) USERD_MUST_CHECK;

/**
 * The PNG of a live (unused, unexpired) picture code: *png is malloc'd, the
 * caller frees it. -E_NOT_FOUND when there is no such live code.
 */
int imgcode_png(struct ctx *c, const char *app_id, const char *verify_id, unsigned char **png,
                int *png_len) USERD_MUST_CHECK;

/**
 * Uses the picture code up and checks answer (case-insensitive). 0 when it
 * matches; -E_CODE_WRONG (unknown, already used, wrong answer) or
 * -E_CODE_EXPIRED. A code is used up by any check, right or wrong.
 */
int imgcode_check(struct ctx *c, const char *app_id, const char *verify_id, const char *answer) USERD_MUST_CHECK;

#endif
