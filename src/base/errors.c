#include "errors.h"

static const char *const names[E__COUNT] = {
    [E_OK] = "E_OK",
#define X(name, msg) [name] = #name,
#include "errors.def"
#undef X
};

static const char *const msgs[E__COUNT] = {
    [E_OK] = "ok",
#define X(name, msg) [name] = msg,
#include "errors.def"
#undef X
};

static int norm(int err) { return err < 0 ? -err : err; }

const char *err_str(int err)
{
    err = norm(err);
    return err < E__COUNT ? msgs[err] : "unknown error";
}

const char *err_name(int err)
{
    err = norm(err);
    return err < E__COUNT ? names[err] : "E_UNKNOWN";
}
