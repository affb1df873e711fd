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

/*
 * The same in steps, for a file written by someone else (a SQLite backup):
 * file_temp_beside() makes an empty file (mode 0600) beside path and returns
 * its descriptor (or -E_INTERNAL, logged), its name in *tmp (malloc'd);
 * file_commit() fsyncs it (through fd, or opened again when fd < 0), closes
 * it, renames it over path, syncs the directory, and frees *tmp; on failure
 * (logged) the temporary file is gone and path is as it was.
 * file_abandon() removes it instead (fd < 0: already closed).
 */
int file_temp_beside(const char *path, char **tmp) USERD_MUST_CHECK;
int file_commit(char *tmp, const char *path, int fd) USERD_MUST_CHECK;
void file_abandon(char *tmp, int fd);

#endif
