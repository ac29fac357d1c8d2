/* fd_pass - hand an open descriptor to another process over a UNIX
 * socket, with one tag byte. A received message with more than one
 * descriptor keeps the first; any others are closed, so none leaks. */
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fd_pass.h"

/* fd_pass_send - send fd and a tag byte over the UNIX socket sock */
int
fd_pass_send(int sock, int fd, int tag)
{
    char    byte = (char) tag;
    char    control[CMSG_SPACE(sizeof(int))];
    struct iovec iov = {&byte, 1};
    struct msghdr msg;
    struct cmsghdr *cmsg;

    memset(&msg, 0, sizeof(msg));
    memset(control, 0, sizeof(control));
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
    return sendmsg(sock, &msg, MSG_NOSIGNAL) == 1 ? 0 : -1;
}

/* fd_pass_recv - receive a descriptor (and its tag, when tag is not
 * null) from sock within timeout seconds */
int
fd_pass_recv(int sock, int timeout, int *tag)
{
    char    byte;
    char    control[CMSG_SPACE(sizeof(int))];
    struct iovec iov = {&byte, 1};
    struct msghdr msg;
    struct cmsghdr *cmsg;
    struct pollfd pfd = {sock, POLLIN, 0};
    int     fd = -1;
    int     extra;

    memset(&msg, 0, sizeof(msg));
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    if (poll(&pfd, 1, timeout > 0 ? timeout * 1000 : -1) != 1
        || recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
        return -1;
    for (cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg)) {
        if (cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS
            || cmsg->cmsg_len != CMSG_LEN(sizeof(int)))
            continue;
        if (fd < 0) {
            memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
        } else {
            memcpy(&extra, CMSG_DATA(cmsg), sizeof(int));
            (void) close(extra);
        }
    }
    if (fd >= 0 && tag != NULL)
        *tag = (unsigned char) byte;
    return fd;
}
