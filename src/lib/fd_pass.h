/* fd_pass - hand an open descriptor to another process over a UNIX
 * socket (one data byte with SCM_RIGHTS), as master's "pass" services and
 * the connection cache do. Library code: nothing here exits. */
#ifndef FD_PASS_H
#define FD_PASS_H

/* fd_pass_send - send fd over the UNIX socket sock with a tag byte (what
 * the receiver should know of it; 0 when nothing); 0 or -1 */
int     fd_pass_send(int sock, int fd, int tag);

/* fd_pass_recv - receive a descriptor from sock within timeout seconds
 * (<= 0: no limit); the descriptor (close-on-exec) or -1. The sender's
 * tag goes to *tag unless tag is null. */
int     fd_pass_recv(int sock, int timeout, int *tag);

#endif
