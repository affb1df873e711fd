#ifndef USERD_ERRORS_H
#define USERD_ERRORS_H

/*
 * One return convention throughout userd: 0 on success, a negative core
 * error (-E_xxx) on failure. Functions that can fail are marked
 * USERD_MUST_CHECK so a dropped error is a compile error.
 */
enum core_error {
    E_OK = 0,
#define X(name, msg) name,
#include "errors.def"
#undef X
    E__COUNT
};

#define USERD_MUST_CHECK __attribute__((warn_unused_result))

/** The message of a core error; accepts err or -err. Never NULL. */
const char *err_str(int err);

/** The symbolic name ("E_INVALID") of a core error; accepts err or -err. */
const char *err_name(int err);

#endif
