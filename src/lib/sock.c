/* sock - listen and connect on inet (IPv4/IPv6) and UNIX-domain sockets.
 *
 * Model: every descriptor is created close-on-exec. Listening sockets and
 * the datagram and fifo endpoints are non-blocking, so that several
 * processes may wait on one and the losers get EAGAIN. Connected sockets
 * are blocking; stream.c bounds the time of each operation with poll().
 * A connect with a time limit is a non-blocking connect plus poll() for
 * inet sockets, and SO_SNDTIMEO (which the kernel applies to a UNIX-domain
 * connect waiting on a full backlog) for UNIX-domain sockets.
 *
 * Peers: event.c (callers watch listening sockets), stream.c. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "sock.h"

/* sock_split_inet - split "host:port", "[v6]:port", "*:port" or "port" */
int
sock_split_inet(const char *spec, BUF *host, BUF *port, BUF *why)
{
    const char *colon;

    buf_reset(host);
    buf_reset(port);
    if (*spec == '[') {
        const char *close = strchr(spec, ']');

        if (close == NULL || close[1] != ':') {
            buf_sprintf(why, "bad address \"%s\": expected [address]:port",
                        spec);
            return -1;
        }
        buf_append(host, spec + 1, close - spec - 1);
        buf_strcpy(port, close + 2);
    } else if ((colon = strrchr(spec, ':')) != NULL) {
        if (memchr(spec, ':', colon - spec) != NULL) {
            buf_sprintf(why, "bad address \"%s\": put an IPv6 address in "
                        "brackets: [address]:port", spec);
            return -1;
        }
        buf_append(host, spec, colon - spec);
        buf_strcpy(port, colon + 1);
    } else {
        buf_strcpy(port, spec);
    }
    if (strcmp(buf_str(host), "*") == 0)
        buf_reset(host);
    if (buf_len(port) == 0) {
        buf_sprintf(why, "bad address \"%s\": no port", spec);
        return -1;
    }
    return 0;
}

/* sock_addr_text - "1.2.3.4:25" or "[::1]:25" for messages */
static void
sock_addr_text(const struct sockaddr *sa, BUF *text)
{
    char    addr[INET6_ADDRSTRLEN];

    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *sin = (const struct sockaddr_in *) sa;

        inet_ntop(AF_INET, &sin->sin_addr, addr, sizeof(addr));
        buf_sprintf(text, "%s:%u", addr, ntohs(sin->sin_port));
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *) sa;

        inet_ntop(AF_INET6, &sin6->sin6_addr, addr, sizeof(addr));
        buf_sprintf(text, "[%s]:%u", addr, ntohs(sin6->sin6_port));
    } else {
        buf_strcpy(text, "(unknown address family)");
    }
}

/* sock_resolve - getaddrinfo for a spec; NULL with why on failure */
static struct addrinfo *
sock_resolve(const char *spec, int passive, BUF *why)
{
    BUF    *host = buf_alloc(64);
    BUF    *port = buf_alloc(16);
    struct addrinfo hints;
    struct addrinfo *res = NULL;
    int     err;

    if (sock_split_inet(spec, host, port, why) == 0) {
        memset(&hints, 0, sizeof(hints));
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        hints.ai_protocol = IPPROTO_TCP;
        hints.ai_flags = passive ? AI_PASSIVE : 0;
        err = getaddrinfo(buf_len(host) ? buf_str(host) : NULL,
                          buf_str(port), &hints, &res);
        if (err != 0) {
            buf_sprintf(why, "%s: %s", spec, err == EAI_SYSTEM ?
                        strerror(errno) : gai_strerror(err));
            res = NULL;
        }
    }
    buf_free(host);
    buf_free(port);
    return res;
}

/* sock_inet_bind - one listening socket for one address; -1 with why */
static int
sock_inet_bind(const struct addrinfo *ai, int wildcard, int backlog, BUF *why)
{
    BUF    *text = buf_alloc(64);
    int     on = 1, off = 0;
    int     fd;

    sock_addr_text(ai->ai_addr, text);
    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
                ai->ai_protocol);
    if (fd < 0) {
        buf_sprintf(why, "socket for %s: %m", buf_str(text));
    } else if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0
               || (ai->ai_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
                        IPV6_V6ONLY, wildcard ? &off : &on, sizeof(on)) < 0)) {
        buf_sprintf(why, "setsockopt for %s: %m", buf_str(text));
        close(fd);
        fd = -1;
    } else if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
        buf_sprintf(why, "bind %s: %m", buf_str(text));
        close(fd);
        fd = -1;
    } else if (listen(fd, backlog) < 0) {
        buf_sprintf(why, "listen on %s: %m", buf_str(text));
        close(fd);
        fd = -1;
    }
    buf_free(text);
    return fd;
}

/* sock_is_wildcard - is this the IPv4 or IPv6 "any" address? */
static int
sock_is_wildcard(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET)
        return ((const struct sockaddr_in *) sa)->sin_addr.s_addr
            == htonl(INADDR_ANY);
    if (sa->sa_family == AF_INET6)
        return IN6_IS_ADDR_UNSPECIFIED(
                       &((const struct sockaddr_in6 *) sa)->sin6_addr);
    return 0;
}

/* inet_listen - listening TCP socket; a wildcard address takes IPv6 and
 * IPv4 on one dual-stack socket when the host has IPv6, else IPv4 */
int
inet_listen(const char *spec, int backlog, BUF *why)
{
    struct addrinfo *res, *ai;
    int     wildcard;
    int     fd = -1;

    if ((res = sock_resolve(spec, 1, why)) == NULL)
        return -1;
    wildcard = sock_is_wildcard(res->ai_addr);
    /* Wildcard: try the IPv6 address first (it covers IPv4 as well). */
    if (wildcard)
        for (ai = res; ai && fd < 0; ai = ai->ai_next)
            if (ai->ai_family == AF_INET6)
                fd = sock_inet_bind(ai, 1, backlog, why);
    for (ai = res; ai && fd < 0; ai = ai->ai_next)
        if (!wildcard || ai->ai_family != AF_INET6)
            fd = sock_inet_bind(ai, wildcard, backlog, why);
    freeaddrinfo(res);
    return fd;
}

/* sock_wait_connect - finish a non-blocking connect within timeout_sec */
static int
sock_wait_connect(int fd, int timeout_sec)
{
    struct pollfd pfd;
    struct timespec start, now;
    int     elapsed_ms, left_ms, err, n;
    socklen_t len = sizeof(err);

    pfd.fd = fd;
    pfd.events = POLLOUT;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        left_ms = -1;
        if (timeout_sec > 0) {
            clock_gettime(CLOCK_MONOTONIC, &now);
            elapsed_ms = (int) ((now.tv_sec - start.tv_sec) * 1000
                                + (now.tv_nsec - start.tv_nsec) / 1000000);
            left_ms = timeout_sec * 1000 - elapsed_ms;
            if (left_ms < 0)
                left_ms = 0;
        }
        n = poll(&pfd, 1, left_ms);
        if (n > 0)
            break;
        if (n == 0) {
            errno = ETIMEDOUT;
            return -1;
        }
        if (errno != EINTR)
            return -1;
    }
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
        return -1;
    if (err != 0) {
        errno = err;
        return -1;
    }
    return 0;
}

/* sock_inet_connect_one - connect to one address; -1 with why */
static int
sock_inet_connect_one(const struct addrinfo *ai, int timeout_sec, BUF *why)
{
    BUF    *text = buf_alloc(64);
    int     fd;

    sock_addr_text(ai->ai_addr, text);
    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
                ai->ai_protocol);
    if (fd < 0) {
        buf_sprintf(why, "socket for %s: %m", buf_str(text));
    } else if ((connect(fd, ai->ai_addr, ai->ai_addrlen) < 0
                && (errno != EINPROGRESS
                    || sock_wait_connect(fd, timeout_sec) < 0))
               || non_blocking(fd, false) < 0) {
        buf_sprintf(why, "connect to %s: %m", buf_str(text));
        close(fd);
        fd = -1;
    }
    buf_free(text);
    return fd;
}

/* inet_connect - TCP connection to the first address that answers */
int
inet_connect(const char *spec, int timeout_sec, BUF *why)
{
    struct addrinfo *res, *ai;
    int     fd = -1;

    if ((res = sock_resolve(spec, 0, why)) == NULL)
        return -1;
    for (ai = res; ai && fd < 0; ai = ai->ai_next)
        fd = sock_inet_connect_one(ai, timeout_sec, why);
    freeaddrinfo(res);
    return fd;
}

/* sock_unix_addr - fill a sockaddr_un; -1 with why if the path is too long */
static int
sock_unix_addr(const char *path, struct sockaddr_un *sun, BUF *why)
{
    size_t  len = strlen(path);

    memset(sun, 0, sizeof(*sun));
    sun->sun_family = AF_UNIX;
    if (len == 0 || len >= sizeof(sun->sun_path)) {
        buf_sprintf(why, "%s: socket path %s", path,
                    len ? "too long" : "empty");
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(sun->sun_path, path, len + 1);
    return 0;
}

/* sock_unix_bind - bound UNIX-domain socket with the given mode */
static int
sock_unix_bind(const char *path, int type, mode_t mode, BUF *why)
{
    struct sockaddr_un sun;
    struct stat st;
    mode_t  old_mask;
    int     fd, status;

    if (sock_unix_addr(path, &sun, why) < 0)
        return -1;
    /* Remove a socket left by an earlier run, but nothing else. */
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            buf_sprintf(why, "%s: exists and is not a socket", path);
            return -1;
        }
        if (unlink(path) < 0 && errno != ENOENT) {
            buf_sprintf(why, "remove old socket %s: %m", path);
            return -1;
        }
    }
    if ((fd = socket(AF_UNIX, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0) {
        buf_sprintf(why, "socket for %s: %m", path);
        return -1;
    }
    /* Linux ignores fchmod() on a socket for access checks; the mode of
     * the file that bind() creates counts, so create it with that mode. */
    old_mask = umask(~mode & 0777);
    status = bind(fd, (struct sockaddr *) &sun, sizeof(sun));
    umask(old_mask);
    if (status < 0) {
        buf_sprintf(why, "bind %s: %m", path);
        close(fd);
        return -1;
    }
    return fd;
}

/* unix_listen - listening UNIX-domain stream socket */
int
unix_listen(const char *path, int backlog, mode_t mode, BUF *why)
{
    int     fd;

    if ((fd = sock_unix_bind(path, SOCK_STREAM, mode, why)) < 0)
        return -1;
    if (listen(fd, backlog) < 0) {
        buf_sprintf(why, "listen on %s: %m", path);
        close(fd);
        unlink(path);
        return -1;
    }
    return fd;
}

/* unix_connect - connect to a UNIX-domain stream socket */
int
unix_connect(const char *path, int timeout_sec, BUF *why)
{
    struct sockaddr_un sun;
    struct timeval tv;
    int     fd;

    if (sock_unix_addr(path, &sun, why) < 0)
        return -1;
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
        buf_sprintf(why, "socket for %s: %m", path);
        return -1;
    }
    memset(&tv, 0, sizeof(tv));
    tv.tv_sec = timeout_sec > 0 ? timeout_sec : 0;
    if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0) {
        buf_sprintf(why, "setsockopt for %s: %m", path);
        close(fd);
        return -1;
    }
    while (connect(fd, (struct sockaddr *) &sun, sizeof(sun)) < 0) {
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EINPROGRESS)
            errno = ETIMEDOUT;
        buf_sprintf(why, "connect to %s: %m", path);
        close(fd);
        return -1;
    }
    tv.tv_sec = 0;
    (void) setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    return fd;
}

/* unix_dgram_listen - bound, non-blocking UNIX-domain datagram socket */
int
unix_dgram_listen(const char *path, mode_t mode, BUF *why)
{
    return sock_unix_bind(path, SOCK_DGRAM, mode, why);
}

/* unix_dgram_send - send one datagram to path without blocking; 0, or -1
 * with errno (EAGAIN: the receiver's queue is full) */
int
unix_dgram_send(const char *path, const void *buf, size_t len)
{
    struct sockaddr_un sun;
    BUF    *why = buf_alloc(64);
    ssize_t sent;
    int     fd, saved;

    if (sock_unix_addr(path, &sun, why) < 0) {
        buf_free(why);
        return -1;
    }
    buf_free(why);
    if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
        return -1;
    do {
        sent = sendto(fd, buf, len, MSG_DONTWAIT, (struct sockaddr *) &sun,
                      sizeof(sun));
    } while (sent < 0 && errno == EINTR);
    saved = errno;
    close(fd);
    errno = saved;
    return sent < 0 ? -1 : 0;
}

/* sock_unix_connect_now - a socket of type connected to path without
 * waiting; the fd, or -1 with errno */
static int
sock_unix_connect_now(const char *path, int type)
{
    struct sockaddr_un sun;
    BUF    *why = buf_alloc(64);
    int     fd, saved, ok;

    ok = sock_unix_addr(path, &sun, why);
    buf_free(why);
    if (ok < 0) {
        errno = ENAMETOOLONG;
        return -1;
    }
    if ((fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0)) < 0)
        return -1;
    if (connect(fd, (struct sockaddr *) &sun, sizeof(sun)) < 0) {
        saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

/* unix_dgram_connect - a connected datagram socket */
int
unix_dgram_connect(const char *path)
{
    return sock_unix_connect_now(path, SOCK_DGRAM);
}

/* unix_connect_nowait - a non-blocking stream connection to path */
int
unix_connect_nowait(const char *path)
{
    return sock_unix_connect_now(path, SOCK_STREAM | SOCK_NONBLOCK);
}

/* fifo_listen - create (if needed) and open a fifo for reading */
int
fifo_listen(const char *path, mode_t mode, BUF *why)
{
    struct stat st;
    int     fd;

    if (mkfifo(path, mode) < 0 && errno != EEXIST) {
        buf_sprintf(why, "create fifo %s: %m", path);
        return -1;
    }
    /* O_RDWR: the open does not wait for a writer, and we never see EOF. */
    fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        buf_sprintf(why, "open fifo %s: %m", path);
        return -1;
    }
    if (fstat(fd, &st) < 0 || !S_ISFIFO(st.st_mode)) {
        buf_sprintf(why, "%s: not a fifo", path);
        close(fd);
        return -1;
    }
    if (fchmod(fd, mode) < 0) {
        buf_sprintf(why, "set mode of fifo %s: %m", path);
        close(fd);
        return -1;
    }
    return fd;
}

/* sock_accept - accept one connection, close-on-exec and blocking */
int
sock_accept(int listen_fd)
{
    int     fd;

    do {
        fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    return fd;
}

/* fcntl_flag - turn one flag bit on or off with the given get/set pair */
static int
fcntl_flag(int fd, int get_cmd, int set_cmd, int bit, bool on)
{
    int     flags = fcntl(fd, get_cmd);

    if (flags < 0)
        return -1;
    if (((flags & bit) != 0) == on)
        return 0;
    return fcntl(fd, set_cmd, on ? flags | bit : flags & ~bit);
}

/* non_blocking - turn O_NONBLOCK on or off */
int
non_blocking(int fd, bool on)
{
    return fcntl_flag(fd, F_GETFL, F_SETFL, O_NONBLOCK, on);
}

/* close_on_exec - turn FD_CLOEXEC on or off */
int
close_on_exec(int fd, bool on)
{
    return fcntl_flag(fd, F_GETFD, F_SETFD, FD_CLOEXEC, on);
}

/* sock_peer_addr - numeric peer address and port ("local" for UNIX) */
void
sock_peer_addr(int fd, BUF *addr, BUF *port)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    char    text[INET6_ADDRSTRLEN];
    unsigned peer_port = 0;

    memset(&ss, 0, sizeof(ss));
    if (addr)
        buf_strcpy(addr, "unknown");
    if (port)
        buf_reset(port);
    if (getpeername(fd, (struct sockaddr *) &ss, &len) < 0)
        return;
    if (ss.ss_family == AF_INET) {
        struct sockaddr_in *sin = (struct sockaddr_in *) &ss;

        inet_ntop(AF_INET, &sin->sin_addr, text, sizeof(text));
        peer_port = ntohs(sin->sin_port);
    } else if (ss.ss_family == AF_INET6) {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) &ss;

        /* A dual-stack listener sees IPv4 clients as ::ffff:a.b.c.d. */
        if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr))
            inet_ntop(AF_INET, sin6->sin6_addr.s6_addr + 12, text,
                      sizeof(text));
        else
            inet_ntop(AF_INET6, &sin6->sin6_addr, text, sizeof(text));
        peer_port = ntohs(sin6->sin6_port);
    } else if (ss.ss_family == AF_UNIX) {
        if (addr)
            buf_strcpy(addr, "local");
        return;
    } else {
        return;
    }
    if (addr)
        buf_strcpy(addr, text);
    if (port)
        buf_sprintf(port, "%u", peer_port);
}
