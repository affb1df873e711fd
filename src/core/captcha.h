#ifndef USERD_CAPTCHA_H
#define USERD_CAPTCHA_H

#include "base/errors.h"

/*
 * Image captchas for POST /user/get_sms_img_code: a short answer drawn as a
 * PNG with libgd's built-in font, jittered and overlaid with random noise.
 * Where the answer lives between the image and the check (encrypted, hashed,
 * or the PNG kept instead) is the caller's business; this module only makes
 * answers, draws them, and compares them.
 */

/** Characters in an answer. */
#define CAPTCHA_LEN 4

/** The characters answers are drawn from: no 0/O, 1/I/l, upper case only. */
#define CAPTCHA_ALPHABET "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

/** Size of the image in pixels. */
#define CAPTCHA_WIDTH 120
#define CAPTCHA_HEIGHT 40

/**
 * A new random answer: CAPTCHA_LEN characters of CAPTCHA_ALPHABET, chosen
 * with libsodium's randombytes_uniform, and a NUL. The one generator of
 * answers (captcha_new, core/imgcode.c). sodium_init() must have run.
 */
void captcha_answer(char answer[CAPTCHA_LEN + 1]);

/**
 * A new random answer (captcha_answer) and its image.
 *
 * answer receives CAPTCHA_LEN characters of CAPTCHA_ALPHABET, chosen with
 * libsodium's randombytes_uniform, and a NUL. On success *png is a malloc'd
 * PNG of *png_len bytes that the caller releases with free(). Calls
 * sodium_init() itself (idempotent), so it works before the server has.
 *
 * Errors: -E_INVALID if an argument is NULL; -E_INTERNAL if libsodium, libgd
 * or malloc fails. On error answer is "", *png NULL and *png_len 0.
 */
USERD_MUST_CHECK int captcha_new(char answer[CAPTCHA_LEN + 1], unsigned char **png,
                                 int *png_len);

/**
 * Draws answer again, with fresh noise and jitter (so two renderings of one
 * answer differ), for a server that keeps the answer rather than the image.
 *
 * answer must be exactly CAPTCHA_LEN characters of CAPTCHA_ALPHABET. On
 * success *png is a malloc'd PNG of *png_len bytes; the caller free()s it.
 *
 * Errors: -E_INVALID for a NULL argument or an answer not of that form;
 * -E_INTERNAL if libsodium, libgd or malloc fails. On error *png is NULL and
 * *png_len 0.
 */
USERD_MUST_CHECK int captcha_render(const char *answer, unsigned char **png, int *png_len);

/**
 * Compares the user's given answer with the expected one, ignoring ASCII
 * case, in time that does not depend on which characters match (the
 * lengths are checked first; they are not secret).
 *
 * Returns 0 on a match, -E_CODE_WRONG otherwise: a different answer, a
 * given or expected answer that is NULL or not CAPTCHA_LEN characters long.
 * An expected "" never matches anything.
 */
USERD_MUST_CHECK int captcha_check(const char *expected, const char *given);

#endif
