/* sd_notify's protocol (base/notify.h): one datagram on a Unix socket. */
#include "base/notify.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/log.h"

int notify_manager(const char *state)
{
    const char *path = getenv("NOTIFY_SOCKET");
    if (!path || !*path)
        return 0;
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    size_t n = strlen(path);
    /* "@name": an abstract socket, whose name starts with a NUL byte. */
    if ((path[0] != '/' && path[0] != '@') || n >= sizeof(sa.sun_path)) {
        log_warn("NOTIFY_SOCKET is not a socket path: %s", path);
        return -1;
    }
    memcpy(sa.sun_path, path, n);
    if (path[0] == '@')
        sa.sun_path[0] = '\0';
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        log_warn("cannot tell the service manager \"%s\": %s", state, strerror(errno));
        return -1;
    }
    ssize_t sent = sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sa,
                          (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n));
    int err = errno;
    close(fd);
    if (sent < 0) {
        log_warn("cannot tell the service manager \"%s\": %s", state, strerror(err));
        return -1;
    }
    return 1;
}
