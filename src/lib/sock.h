/* sock - listen and connect on inet (IPv4/IPv6) and UNIX-domain sockets.
 *
 * Every descriptor returned is close-on-exec. Failures return -1 and put
 * the reason in why ("connect to 127.0.0.1:25: Connection refused").
 * Nothing here exits. Listening sockets, datagram receivers and fifos are
 * non-blocking; connected sockets (connect, accept) are blocking.
 * A wildcard inet address ("*:port", "port") listens on one dual-stack
 * IPv6 socket when the host has IPv6, otherwise on IPv4; connecting to
 * just a port goes to the loopback address.
 * unix_listen() and unix_dgram_listen() replace an old socket file (never
 * anything else) and create the new one with exactly the given mode. */
#ifndef SOCK_H
#define SOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "buf.h"

/* inet addresses: "port", "host:port", "[ipv6]:port", "*:port"; the port
 * may be a service name from /etc/services. */
int     sock_split_inet(const char *spec, BUF *host, BUF *port, BUF *why);
int     inet_listen(const char *spec, int backlog, BUF *why);
int     inet_connect(const char *spec, int timeout_sec, BUF *why);

int     unix_listen(const char *path, int backlog, mode_t mode, BUF *why);
int     unix_connect(const char *path, int timeout_sec, BUF *why);
/* unix_connect_nowait - a stream connection to path that never waits: a
 * full listen queue fails at once with errno EAGAIN. The fd (non-blocking,
 * close-on-exec), or -1 with errno. */
int     unix_connect_nowait(const char *path);
int     unix_dgram_listen(const char *path, mode_t mode, BUF *why);
/* unix_dgram_send - one datagram to path; never blocks (the master uses
 * it); 0, or -1 with errno (EAGAIN: the receiver's queue is full) */
int     unix_dgram_send(const char *path, const void *buf, size_t len);
/* unix_dgram_connect - a datagram socket connected to path, for many
 * sends with send(2); the connection keeps working when the process
 * later changes its ids. The fd, or -1 with errno. */
int     unix_dgram_connect(const char *path);
int     fifo_listen(const char *path, mode_t mode, BUF *why);

/* sock_accept - accept a connection, close-on-exec; -1 with errno
 * (EAGAIN when there was none) */
int     sock_accept(int listen_fd);

int     non_blocking(int fd, bool on);          /* 0 or -1 */
int     close_on_exec(int fd, bool on);         /* 0 or -1 */

/* sock_peer_addr - numeric peer address and port of a socket
 * ("127.0.0.1", "::1" (IPv4-mapped shown as IPv4), or "local" with an
 * empty port for UNIX sockets, "unknown" on error); either may be NULL */
void    sock_peer_addr(int fd, BUF *addr, BUF *port);

#endif
