#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "log.h"

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* The directory entry of a rename is durable once the directory is synced. */
static int sync_dir_of(const char *path)
{
    char *copy = xstrdup(path);
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(copy);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

int file_temp_beside(const char *path, char **tmp)
{
    size_t n = strlen(path) + sizeof(".tmp.XXXXXX");
    *tmp = xmalloc(n);
    snprintf(*tmp, n, "%s.tmp.XXXXXX", path);
    int fd = mkostemp(*tmp, O_CLOEXEC); /* 0600 from the start: the data may be secret */
    if (fd < 0) {
        log_error("cannot write %s (create): %s", path, strerror(errno));
        free(*tmp);
        *tmp = NULL;
        return -E_INTERNAL;
    }
    return fd;
}

int file_commit(char *tmp, const char *path, int fd)
{
    const char *step = "open";
    if (fd < 0 && (fd = open(tmp, O_RDONLY | O_CLOEXEC)) < 0)
        goto fail;
    step = "fsync";
    if (fsync(fd))
        goto fail;
    step = "close";
    int rc = close(fd);
    fd = -1;
    if (rc)
        goto fail;
    step = "rename";
    if (rename(tmp, path))
        goto fail;
    if (sync_dir_of(path))
        log_warn("cannot sync the directory of %s: %s", path, strerror(errno));
    free(tmp);
    return 0;
fail:
    log_error("cannot write %s (%s): %s", path, step, strerror(errno));
    file_abandon(tmp, fd);
    return -E_INTERNAL;
}

void file_abandon(char *tmp, int fd)
{
    if (fd >= 0)
        close(fd);
    if (tmp)
        unlink(tmp);
    free(tmp);
}

int file_replace(const char *path, const void *data, size_t len, mode_t mode)
{
    char *tmp;
    int fd = file_temp_beside(path, &tmp);
    if (fd < 0)
        return fd;
    const char *step = "write";
    if (write_all(fd, data, len))
        goto fail;
    step = "chmod";
    if (fchmod(fd, mode))
        goto fail;
    return file_commit(tmp, path, fd);
fail:
    log_error("cannot write %s (%s): %s", path, step, strerror(errno));
    file_abandon(tmp, fd);
    return -E_INTERNAL;
}
