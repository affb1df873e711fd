#ifndef USERD_OPERATORS_H
#define USERD_OPERATORS_H

#include "core/ctx.h"
#include "core/types.h"

/*
 * Operators: the people who run the admin console (issue 15). Not app
 * users: a name and an Argon2id hash of a password that userd makes (the
 * CLI prints it once). A console session is a random token in a cookie,
 * stored hashed, that ends after console.idle_timeout without a request;
 * its CSRF token is a keyed hash of the session token (server key
 * "console"), so it can be given again to a page that reloads and is
 * worthless without the session cookie.
 */
#define OP_NAME_MAX 64
#define OP_PASSWORD_BYTES 18 /* random bytes of a generated password: 24 characters */

/** 0 when s is an operator name: 1-OP_NAME_MAX of [A-Za-z0-9._@-]. */
int op_check_name(const char *s) USERD_MUST_CHECK;

/** Adds an operator with a generated password (*password, in c's arena). -E_EXISTS, -E_INVALID. Argon2id. */
int op_add(struct ctx *c, const char *name, const char **password) USERD_MUST_CHECK;
/** Gives the operator a new generated password and ends its sessions. -E_NOT_FOUND. Argon2id. */
int op_reset(struct ctx *c, const char *name, const char **password) USERD_MUST_CHECK;
/** Removes the operator and its sessions. -E_NOT_FOUND. */
int op_remove(struct ctx *c, const char *name) USERD_MUST_CHECK;
/** Calls fn for each operator, by name (pw_hash is not for display). */
int op_list(struct ctx *c, void (*fn)(const struct operator_row *, void *), void *arg) USERD_MUST_CHECK;

/**
 * Signs an operator in from c->ip. Every attempt is counted, before any
 * hashing, against the operator (console.max_failures) and the address
 * (console.ip_max_failures) within console.lockout; past either, -E_LOCKED
 * with nothing hashed. A right password clears the operator's count and
 * takes this attempt back from the address's. -E_PASSWORD for a wrong
 * password or an unknown operator (the same answer, after the same work).
 * On success *session is the cookie's token (c's arena). Argon2id.
 */
int op_login(struct ctx *c, const char *name, const char *password, const char **session) USERD_MUST_CHECK;

/**
 * The operator of a session token, noting this request (idle timeout).
 * -E_AUTH_MISSING (empty), -E_AUTH_INVALID (unknown), -E_AUTH_EXPIRED (idle
 * too long: the session is deleted).
 */
int op_session(struct ctx *c, const char *session, const char **name) USERD_MUST_CHECK;
/** Ends a session (no error when it is already gone). */
int op_logout(struct ctx *c, const char *session) USERD_MUST_CHECK;
/** The CSRF token of a session (c's arena). */
int op_csrf(struct ctx *c, const char *session, const char **csrf) USERD_MUST_CHECK;
/** 0 when given is the CSRF token of session (constant time), else -E_FORBIDDEN. */
int op_csrf_check(struct ctx *c, const char *session, const char *given) USERD_MUST_CHECK;

#endif
