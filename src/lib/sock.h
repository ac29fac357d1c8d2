/* sock - listen and connect on inet (IPv4/IPv6) and UNIX-domain sockets.
 *
 * Every descriptor returned is close-on-exec. Failures return -1 and put
 * the reason in why ("connect to 127.0.0.1:25: Connection refused").
 * Nothing here exits. */
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
int     unix_dgram_listen(const char *path, mode_t mode, BUF *why);
int     unix_dgram_send(const char *path, const void *buf, size_t len);
int     fifo_listen(const char *path, mode_t mode, BUF *why);

/* sock_accept - accept a connection, close-on-exec; -1 with errno
 * (EAGAIN when there was none) */
int     sock_accept(int listen_fd);

int     non_blocking(int fd, bool on);          /* 0 or -1 */
int     close_on_exec(int fd, bool on);         /* 0 or -1 */

/* sock_peer_name - "host[addr]"-style peer address text of a socket
 * ("127.0.0.1", "::1", or "local" for UNIX sockets) */
void    sock_peer_addr(int fd, BUF *addr, BUF *port);

#endif
