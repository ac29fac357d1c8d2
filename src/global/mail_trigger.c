/* mail_trigger - wake a daemon through its public FIFO or socket.
 *
 * lstat() decides the kind of endpoint; a FIFO is written with
 * O_NONBLOCK (ENXIO when nobody reads), a socket is connected
 * non-blocking. See mail_trigger.h. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "mail_trigger.h"

/* mail_trigger_fd - write the request and close fd; 0 or -1 */
static int
mail_trigger_fd(int fd, const char *req, size_t len)
{
    ssize_t n = write(fd, req, len);
    int     saved = errno;

    (void) close(fd);
    errno = saved;
    if (n == (ssize_t) len)
        return 0;
    if (n >= 0)
        errno = EAGAIN;
    return -1;
}

/* mail_trigger_socket - connect to a UNIX stream socket: its fd or -1 */
static int
mail_trigger_socket(const char *path)
{
    struct sockaddr_un sun;
    int     fd;
    int     saved;

    if (strlen(path) >= sizeof(sun.sun_path)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memset(&sun, 0, sizeof(sun));
    sun.sun_family = AF_UNIX;
    memcpy(sun.sun_path, path, strlen(path) + 1);
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
                     0)) < 0)
        return -1;
    if (connect(fd, (struct sockaddr *) &sun, sizeof(sun)) < 0
        && errno != EINPROGRESS) {
        saved = errno;
        (void) close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

/* mail_trigger - send req to the FIFO or socket at path */
int
mail_trigger(const char *path, const char *req, size_t len, BUF *why)
{
    struct stat st;
    int     fd;

    if (lstat(path, &st) < 0) {
        buf_sprintf(why, "unable to look up %s: %m", path);
        return -1;
    }
    if (S_ISFIFO(st.st_mode)) {
        fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
    } else if (S_ISSOCK(st.st_mode)) {
        fd = mail_trigger_socket(path);
    } else {
        errno = EINVAL;
        buf_sprintf(why, "%s is not a FIFO or socket", path);
        return -1;
    }
    if (fd < 0 || mail_trigger_fd(fd, req, len) < 0) {
        buf_sprintf(why, "unable to wake up %s: %m", path);
        return -1;
    }
    return 0;
}
