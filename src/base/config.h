#ifndef USERD_CONFIG_H
#define USERD_CONFIG_H

#include <stdint.h>
#include <stdio.h>

#include "errors.h"

/*
 * Settings, from one table (config.def). Precedence, lowest first: the
 * defaults, the config file, the environment, the flags. Loaded once at
 * start; read-only afterwards, so any thread may read them.
 */
enum cfg_id {
#define S(sec, key, type, def, min, max, help) CFG_##sec##_##key,
#include "config.def"
#undef S
    CFG__COUNT
};

/**
 * Loads the settings. argv holds the flags after the command; a `--config
 * FILE` among them is read first. Arguments that are not settings are left,
 * in order, in rest[0..*n_rest) (rest must hold argc entries).
 * On error, writes a message naming the setting to err (cap bytes) and
 * returns -E_INVALID.
 */
int cfg_load(int argc, char **argv, char **rest, int *n_rest, char *err, size_t cap) USERD_MUST_CHECK;

/** Sets one setting by "section.key" name, checking its bounds. Used by cfg_load and tests. */
int cfg_set(const char *name, const char *value, char *err, size_t cap) USERD_MUST_CHECK;

/** Back to the defaults (tests). */
void cfg_reset(void);

const char *cfg_str(enum cfg_id id);
int64_t cfg_int(enum cfg_id id);
int cfg_bool(enum cfg_id id);

/** Writes the settings table (flag, environment name, default, help) for --help. */
void cfg_help(FILE *out);

#endif
