/* test_sock - unit tests for inet and UNIX-domain sockets (loopback and
 * a temporary directory only). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "sock.h"

static char tmpdir[64];

/* setup_dir - create a private temporary directory */
static int
setup_dir(void **state)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_sock.XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

/* teardown_dir - remove the temporary directory and what is in it */
static int
teardown_dir(void **state)
{
    char    cmd[128];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* local_port - the port a socket is bound to */
static unsigned
local_port(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);

    assert_int_equal(getsockname(fd, (struct sockaddr *) &ss, &len), 0);
    if (ss.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *) &ss)->sin_port);
    return ntohs(((struct sockaddr_in6 *) &ss)->sin6_port);
}

/* test_split - address forms */
static void
test_split(void **state)
{
    BUF    *host = buf_alloc(0), *port = buf_alloc(0), *why = buf_alloc(0);

    assert_int_equal(sock_split_inet("25", host, port, why), 0);
    assert_string_equal(buf_str(host), "");
    assert_string_equal(buf_str(port), "25");
    assert_int_equal(sock_split_inet("mail.example:smtp", host, port, why), 0);
    assert_string_equal(buf_str(host), "mail.example");
    assert_string_equal(buf_str(port), "smtp");
    assert_int_equal(sock_split_inet("[::1]:587", host, port, why), 0);
    assert_string_equal(buf_str(host), "::1");
    assert_string_equal(buf_str(port), "587");
    assert_int_equal(sock_split_inet("*:10025", host, port, why), 0);
    assert_string_equal(buf_str(host), "");
    assert_string_equal(buf_str(port), "10025");
    assert_int_equal(sock_split_inet("host:", host, port, why), -1);
    assert_non_null(strstr(buf_str(why), "no port"));
    assert_int_equal(sock_split_inet("::1:25", host, port, why), -1);
    assert_non_null(strstr(buf_str(why), "brackets"));
    assert_int_equal(sock_split_inet("[::1]25", host, port, why), -1);
    buf_free(host);
    buf_free(port);
    buf_free(why);
}

/* check_round_trip - connect to spec, accept, exchange bytes, check peer */
static void
check_round_trip(int lfd, const char *spec, const char *want_addr)
{
    BUF    *why = buf_alloc(0), *addr = buf_alloc(0), *port = buf_alloc(0);
    char    buf[8];
    int     cfd, afd;

    cfd = inet_connect(spec, 2, why);
    assert_true(cfd >= 0);
    assert_int_equal(fcntl(cfd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
    assert_int_equal(fcntl(cfd, F_GETFL) & O_NONBLOCK, 0);
    afd = sock_accept(lfd);
    assert_true(afd >= 0);
    assert_int_equal(fcntl(afd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
    assert_int_equal(write(cfd, "ping", 4), 4);
    assert_int_equal(read(afd, buf, sizeof(buf)), 4);
    assert_memory_equal(buf, "ping", 4);
    sock_peer_addr(afd, addr, port);
    assert_string_equal(buf_str(addr), want_addr);
    assert_int_equal(atoi(buf_str(port)), local_port(cfd));
    close(afd);
    close(cfd);
    buf_free(why);
    buf_free(addr);
    buf_free(port);
}

/* test_inet_ipv4 - listen on 127.0.0.1 port 0, connect, accept */
static void
test_inet_ipv4(void **state)
{
    BUF    *why = buf_alloc(0);
    char    spec[64];
    int     lfd;

    lfd = inet_listen("127.0.0.1:0", 10, why);
    assert_true(lfd >= 0);
    assert_int_equal(fcntl(lfd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
    /* Nothing pending: a non-blocking listener says EAGAIN. */
    errno = 0;
    assert_int_equal(sock_accept(lfd), -1);
    assert_int_equal(errno, EAGAIN);
    snprintf(spec, sizeof(spec), "127.0.0.1:%u", local_port(lfd));
    check_round_trip(lfd, spec, "127.0.0.1");
    close(lfd);
    buf_free(why);
}

/* test_inet_ipv6 - [::1]:port, when the host has IPv6 */
static void
test_inet_ipv6(void **state)
{
    BUF    *why = buf_alloc(0);
    char    spec[64];
    int     lfd;

    if ((lfd = inet_listen("[::1]:0", 10, why)) < 0)
        skip();
    snprintf(spec, sizeof(spec), "[::1]:%u", local_port(lfd));
    check_round_trip(lfd, spec, "::1");
    close(lfd);
    buf_free(why);
}

/* test_inet_wildcard - "*:0" accepts IPv4 clients, shown as IPv4 */
static void
test_inet_wildcard(void **state)
{
    BUF    *why = buf_alloc(0);
    char    spec[64];
    int     lfd;

    lfd = inet_listen("*:0", 10, why);
    assert_true(lfd >= 0);
    snprintf(spec, sizeof(spec), "127.0.0.1:%u", local_port(lfd));
    check_round_trip(lfd, spec, "127.0.0.1");
    close(lfd);
    buf_free(why);
}

/* test_inet_refused - a closed port gives a useful reason */
static void
test_inet_refused(void **state)
{
    BUF    *why = buf_alloc(0);
    char    spec[64], want[80];
    unsigned port;
    int     lfd;

    lfd = inet_listen("127.0.0.1:0", 1, why);
    assert_true(lfd >= 0);
    port = local_port(lfd);
    close(lfd);
    snprintf(spec, sizeof(spec), "127.0.0.1:%u", port);
    snprintf(want, sizeof(want), "connect to 127.0.0.1:%u: Connection refused",
             port);
    assert_int_equal(inet_connect(spec, 2, why), -1);
    assert_string_equal(buf_str(why), want);
    buf_free(why);
}

/* test_inet_service_names - ports may be /etc/services names */
static void
test_inet_service_names(void **state)
{
    BUF    *why = buf_alloc(0);

    /* "discard" is 9/tcp; nothing listens there in the test environment,
     * so the refusal shows that the name was resolved to 9. */
    if (inet_connect("127.0.0.1:discard", 2, why) >= 0)
        skip();
    if (strstr(buf_str(why), "Servname") != NULL)
        skip();                                 /* no /etc/services entry */
    assert_string_equal(buf_str(why),
                        "connect to 127.0.0.1:9: Connection refused");
    assert_int_equal(inet_connect("127.0.0.1:no-such-service-x", 2, why), -1);
    assert_non_null(strstr(buf_str(why), "no-such-service-x"));
    assert_int_equal(inet_listen("127.0.0.1:no-such-service-x", 1, why), -1);
    assert_non_null(strstr(buf_str(why), "no-such-service-x"));
    buf_free(why);
}

/* test_unix_stream - listen, mode, connect, accept, stale socket, refusal */
static void
test_unix_stream(void **state)
{
    BUF    *why = buf_alloc(0), *addr = buf_alloc(0), *port = buf_alloc(0);
    char    path[128], buf[8];
    struct stat st;
    int     lfd, cfd, afd;

    snprintf(path, sizeof(path), "%s/public", tmpdir);
    lfd = unix_listen(path, 10, 0622, why);
    assert_true(lfd >= 0);
    assert_int_equal(lstat(path, &st), 0);
    assert_true(S_ISSOCK(st.st_mode));
    assert_int_equal(st.st_mode & 07777, 0622);
    cfd = unix_connect(path, 2, why);
    assert_true(cfd >= 0);
    assert_int_equal(fcntl(cfd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
    afd = sock_accept(lfd);
    assert_true(afd >= 0);
    assert_int_equal(write(cfd, "hi", 2), 2);
    assert_int_equal(read(afd, buf, sizeof(buf)), 2);
    sock_peer_addr(afd, addr, port);
    assert_string_equal(buf_str(addr), "local");
    assert_string_equal(buf_str(port), "");
    close(afd);
    close(cfd);
    close(lfd);

    /* The socket file is left behind; a new listener replaces it. */
    lfd = unix_listen(path, 10, 0600, why);
    assert_true(lfd >= 0);
    assert_int_equal(lstat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    close(lfd);

    /* Nobody listens on the stale socket. */
    assert_int_equal(unix_connect(path, 1, why), -1);
    assert_non_null(strstr(buf_str(why), "Connection refused"));
    assert_non_null(strstr(buf_str(why), path));
    unlink(path);
    assert_int_equal(unix_connect(path, 1, why), -1);
    assert_non_null(strstr(buf_str(why), "No such file"));
    buf_free(why);
    buf_free(addr);
    buf_free(port);
}

/* test_unix_not_socket - a non-socket file at the path is not removed */
static void
test_unix_not_socket(void **state)
{
    BUF    *why = buf_alloc(0);
    char    path[128];
    struct stat st;
    int     fd;

    snprintf(path, sizeof(path), "%s/regular", tmpdir);
    fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(unix_listen(path, 10, 0666, why), -1);
    assert_non_null(strstr(buf_str(why), "not a socket"));
    assert_int_equal(unix_dgram_listen(path, 0666, why), -1);
    assert_int_equal(lstat(path, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    buf_free(why);
}

/* test_unix_connect_timeout - a full backlog times out after 1 s */
static void
test_unix_connect_timeout(void **state)
{
    BUF    *why = buf_alloc(0);
    char    path[128];
    time_t  start;
    int     lfd, c1, c2;

    snprintf(path, sizeof(path), "%s/full", tmpdir);
    lfd = unix_listen(path, 0, 0600, why);
    assert_true(lfd >= 0);
    c1 = unix_connect(path, 1, why);
    assert_true(c1 >= 0);
    start = time(NULL);
    c2 = unix_connect(path, 1, why);
    if (c2 >= 0) {
        close(c2);                              /* kernel queued more */
        close(c1);
        close(lfd);
        skip();
    }
    assert_true(time(NULL) - start <= 2);
    assert_non_null(strstr(buf_str(why), "timed out"));
    close(c1);
    close(lfd);
    buf_free(why);
}

/* test_unix_dgram - send and receive a datagram */
static void
test_unix_dgram(void **state)
{
    BUF    *why = buf_alloc(0);
    char    path[128], buf[64];
    struct stat st;
    int     fd, n;

    snprintf(path, sizeof(path), "%s/dgram", tmpdir);
    fd = unix_dgram_listen(path, 0620, why);
    assert_true(fd >= 0);
    assert_int_equal(lstat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0620);
    assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
    assert_int_equal(recv(fd, buf, sizeof(buf), 0), -1);
    assert_int_equal(errno, EAGAIN);
    assert_int_equal(unix_dgram_send(path, "log line", 8), 0);
    assert_int_equal(unix_dgram_send(path, "second", 6), 0);
    assert_int_equal(recv(fd, buf, sizeof(buf), 0), 8);
    assert_memory_equal(buf, "log line", 8);
    assert_int_equal(recv(fd, buf, sizeof(buf), 0), 6);
    /* A full receiver makes the sender fail at once, not block. */
    for (n = 0; n < 100000 && unix_dgram_send(path, "fill", 4) == 0; n++)
         /* void */ ;
    assert_true(n < 100000);
    assert_int_equal(errno, EAGAIN);
    close(fd);
    unlink(path);
    assert_int_equal(unix_dgram_send(path, "x", 1), -1);
    assert_int_equal(errno, ENOENT);
    buf_free(why);
}

/* test_fifo - fifo_listen creates a fifo with the mode and reads from it */
static void
test_fifo(void **state)
{
    BUF    *why = buf_alloc(0);
    char    path[128], buf[16];
    struct stat st;
    int     fd, wfd;

    snprintf(path, sizeof(path), "%s/fifo", tmpdir);
    fd = fifo_listen(path, 0622, why);
    assert_true(fd >= 0);
    assert_int_equal(lstat(path, &st), 0);
    assert_true(S_ISFIFO(st.st_mode));
    assert_int_equal(st.st_mode & 07777, 0622);
    assert_int_equal(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
    /* Empty and no writer: EAGAIN, not EOF. */
    assert_int_equal(read(fd, buf, sizeof(buf)), -1);
    assert_int_equal(errno, EAGAIN);
    wfd = open(path, O_WRONLY | O_NONBLOCK);
    assert_true(wfd >= 0);
    assert_int_equal(write(wfd, "W", 1), 1);
    close(wfd);
    assert_int_equal(read(fd, buf, sizeof(buf)), 1);
    assert_int_equal(buf[0], 'W');
    close(fd);
    /* Opening an existing fifo again works. */
    fd = fifo_listen(path, 0600, why);
    assert_true(fd >= 0);
    close(fd);
    buf_free(why);
}

/* test_flags - non_blocking and close_on_exec turn flags on and off */
static void
test_flags(void **state)
{
    int     fds[2];

    assert_int_equal(pipe(fds), 0);
    assert_int_equal(non_blocking(fds[0], true), 0);
    assert_int_equal(fcntl(fds[0], F_GETFL) & O_NONBLOCK, O_NONBLOCK);
    assert_int_equal(non_blocking(fds[0], false), 0);
    assert_int_equal(fcntl(fds[0], F_GETFL) & O_NONBLOCK, 0);
    assert_int_equal(close_on_exec(fds[0], true), 0);
    assert_int_equal(fcntl(fds[0], F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
    assert_int_equal(close_on_exec(fds[0], false), 0);
    assert_int_equal(fcntl(fds[0], F_GETFD) & FD_CLOEXEC, 0);
    close(fds[0]);
    close(fds[1]);
    assert_int_equal(non_blocking(fds[0], true), -1);
    assert_int_equal(close_on_exec(fds[0], true), -1);
}

/* main - run the tests */
int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_inet_ipv4),
        cmocka_unit_test(test_inet_ipv6),
        cmocka_unit_test(test_inet_wildcard),
        cmocka_unit_test(test_inet_refused),
        cmocka_unit_test(test_inet_service_names),
        cmocka_unit_test(test_unix_stream),
        cmocka_unit_test(test_unix_not_socket),
        cmocka_unit_test(test_unix_connect_timeout),
        cmocka_unit_test(test_unix_dgram),
        cmocka_unit_test(test_fifo),
        cmocka_unit_test(test_flags),
    };

    return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
