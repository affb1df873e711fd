#ifndef USERD_FILE_H
#define USERD_FILE_H

#include <stddef.h>
#include <sys/types.h>

#include "errors.h"

/*
 * Files userd writes itself (default-app.json). A reader sees the old file
 * or the whole new one, never a part, and a crash leaves one of the two.
 */

/**
 * Replaces path with exactly len bytes of data, mode `mode`: written to a
 * temporary file beside it (short writes continued), given its mode,
 * fsynced, then renamed over path and the directory fsynced. A symlink at
 * path is replaced, never followed. On failure (logged, with the path)
 * nothing is left behind and path is as it was: -E_INTERNAL.
 */
int file_replace(const char *path, const void *data, size_t len, mode_t mode) USERD_MUST_CHECK;

#endif
