/* mail_flow - the inflow tokens that pace intake to delivery.
 *
 * The pipe is non-blocking (master makes it so), so a get or put never
 * stalls a daemon; reads and writes go in chunks of a small buffer. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mail_flow.h"

#define MAIL_FLOW_CHUNK 512

static bool mail_flow_ok;

/* mail_flow_is_pipe - whether fd is open and a pipe */
static bool
mail_flow_is_pipe(int fd)
{
    struct stat st;

    return fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode);
}

/* mail_flow_init - find the pipe from master */
bool
mail_flow_init(void)
{
    mail_flow_ok = mail_flow_is_pipe(MASTER_FLOW_READ)
        && mail_flow_is_pipe(MASTER_FLOW_WRITE)
        && fcntl(MASTER_FLOW_READ, F_SETFD, FD_CLOEXEC) == 0
        && fcntl(MASTER_FLOW_WRITE, F_SETFD, FD_CLOEXEC) == 0;
    return mail_flow_ok;
}

/* mail_flow_move - read (take) or write (put) count token bytes */
static ssize_t
mail_flow_move(size_t count, bool put)
{
    char    buf[MAIL_FLOW_CHUNK] = {0};
    size_t  left = count;
    size_t  chunk;
    ssize_t n;

    if (!mail_flow_ok)
        return -1;
    while (left > 0) {
        chunk = left < sizeof(buf) ? left : sizeof(buf);
        n = put ? write(MASTER_FLOW_WRITE, buf, chunk)
            : read(MASTER_FLOW_READ, buf, chunk);
        if (n <= 0) {
            if (n < 0 && errno == EINTR)
                continue;
            return -1;
        }
        left -= (size_t) n;
    }
    return (ssize_t) count;
}

/* mail_flow_get - take count tokens */
ssize_t
mail_flow_get(size_t count)
{
    return mail_flow_move(count, false);
}

/* mail_flow_put - add count tokens */
ssize_t
mail_flow_put(size_t count)
{
    return mail_flow_move(count, true);
}

/* mail_flow_count - the tokens in the pipe */
ssize_t
mail_flow_count(void)
{
    int     count;

    if (!mail_flow_ok || ioctl(MASTER_FLOW_READ, FIONREAD, &count) < 0)
        return -1;
    return count;
}

/* mail_flow_wait - take one token, waiting up to timeout_ms for it */
bool
mail_flow_wait(int timeout_ms)
{
    struct pollfd pfd = {.fd = MASTER_FLOW_READ, .events = POLLIN};

    if (!mail_flow_ok)
        return true;
    if (mail_flow_get(1) == 1)
        return true;
    /* Another cleanup may win the token that wakes us: then go on. */
    if (poll(&pfd, 1, timeout_ms) > 0)
        return mail_flow_get(1) == 1;
    return false;
}
