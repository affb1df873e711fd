#ifndef USERD_NOTIFY_H
#define USERD_NOTIFY_H

/*
 * The service manager's readiness protocol (sd_notify(3)): under systemd
 * with Type=notify, NOTIFY_SOCKET names a datagram socket to which the
 * service sends "READY=1" once it serves, "STOPPING=1" when it begins to
 * stop. Written here rather than linked from libsystemd: it is one
 * datagram, the protocol is documented as stable, and userd then runs the
 * same with or without systemd (docs/operations.md, "systemd").
 */

/**
 * Sends state (e.g. "READY=1\nSTATUS=serving") to the socket named by
 * NOTIFY_SOCKET, if set. 1 when sent, 0 when not under a service manager,
 * -1 on failure (logged).
 */
int notify_manager(const char *state);

#endif
