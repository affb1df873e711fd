#ifndef USERD_SETTINGS_H
#define USERD_SETTINGS_H

#include "core/ctx.h"
#include "core/types.h"

/*
 * The IM per-user settings (user_settings): partial updates, where the
 * fields not named keep their values, also when two updates race.
 */

/* Limits on the settings' fields. Text limits are in characters. */
#define SETTINGS_AUTH_MODE_MAX 3    /* 0 anyone, 1 approval, 2 question, 3 nobody */
#define SETTINGS_HOUR_MAX 23        /* the *_hour and silence_* fields: 0-23 */
#define SETTINGS_AUTH_TEXT_MAX 256  /* auth_question, auth_answer */
#define SETTINGS_PUSH_NICK_MAX 64   /* push_nick_name */
#define SETTINGS_PUSH_TOKEN_MAX 512 /* push_token: bytes of printable ASCII */
#define SETTINGS_ALIAS_MAX 128      /* push alias */
#define SETTINGS_BADGE_MAX 2147483647

/**
 * Writes the fields of v named by mask (STG_* bits, core/types.h), after
 * checking their ranges (-E_INVALID). -E_USER_UNKNOWN when the account has
 * no settings.
 */
int settings_update(struct ctx *c, int64_t account_id, unsigned mask, const struct user_settings *v) USERD_MUST_CHECK;

#endif
