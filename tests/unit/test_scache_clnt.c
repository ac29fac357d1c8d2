/* test_scache_clnt - the connection cache client against the bytes
 * Debian's Postfix 3.7 scache(8) and smtp(8) exchanged (strace,
 * docs/scache.md): a child process plays the server from a script of
 * expected requests and canned replies, and passes or takes descriptors
 * where Postfix's did. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fd_pass.h"
#include "scache_clnt.h"
#include "sock.h"

#define GREETING    "protocol\0connection_cache_protocol\0\0"
#define DEST_LABEL  "smtp\n[127.0.0.1]:27125\n"
#define ENDP_LABEL  "smtp\n127.0.0.1\n27125\n0\n"
#define ENDP_PROP   "tls_level=0\nreuse_count=0\n"
#define DEST_PROP   "destination=[127.0.0.1]:27125\nhost_name=127.0.0.1\n"

/* The observed requests and replies (sizeof - 1: the literal's own NUL
 * is not sent). */
#define FIND_DEST   "request\0find_dest\0label\0" DEST_LABEL "\0\0"
#define NOT_FOUND   "status\0" "2\0property\0\0property\0\0\0"
#define SAVE_ENDP   "request\0save_endp\0ttl\0" "2\0label\0" ENDP_LABEL \
                    "\0property\0" ENDP_PROP "\0\0"
#define DUMMY       "dummy\0\0\0"
#define STATUS_OK   "status\0" "0\0\0"
#define SAVE_DEST   "request\0save_dest\0ttl\0" "2\0label\0" DEST_LABEL \
                    "\0property\0" DEST_PROP "\0label\0" ENDP_LABEL "\0\0"
#define FOUND       "status\0" "0\0property\0" DEST_PROP "\0property\0" \
                    ENDP_PROP "\0\0"
#define FIND_ENDP   "request\0find_endp\0label\0" ENDP_LABEL "\0\0"
#define ENDP_NONE   "status\0" "2\0property\0\0\0"

static char sock_path[sizeof(((struct sockaddr_un *) 0)->sun_path)];

/* expect - read exactly the bytes of want; exit 1 when they differ */
static void
expect(int fd, const char *want, size_t len)
{
    char   *got = malloc(len);
    size_t  done = 0;
    ssize_t n;

    while (done < len && (n = read(fd, got + done, len - done)) > 0)
        done += (size_t) n;
    if (done != len || memcmp(got, want, len) != 0)
        _exit(1);
    free(got);
}

/* say - write the bytes of text */
static void
say(int fd, const char *text, size_t len)
{
    if (write(fd, text, len) != (ssize_t) len)
        _exit(2);
}

#define EXPECT(fd, s)   expect((fd), (s), sizeof(s) - 1)
#define SAY(fd, s)      say((fd), (s), sizeof(s) - 1)

/* server - the child: one client, the script of the test */
static void
server(int listen_fd)
{
    int     fd = sock_accept(listen_fd);
    int     kept;

    while (fd < 0)
        fd = sock_accept(listen_fd);
    SAY(fd, GREETING);
    EXPECT(fd, FIND_DEST);              /* nothing cached yet */
    SAY(fd, NOT_FOUND);
    EXPECT(fd, SAVE_DEST);
    SAY(fd, STATUS_OK);
    EXPECT(fd, SAVE_ENDP);
    SAY(fd, DUMMY);
    if ((kept = fd_pass_recv(fd, 5, NULL)) < 0)
        _exit(3);
    SAY(fd, STATUS_OK);
    EXPECT(fd, FIND_DEST);              /* hand it back */
    SAY(fd, FOUND);
    EXPECT(fd, DUMMY);
    if (fd_pass_send(fd, kept, 0) < 0)
        _exit(4);
    EXPECT(fd, DUMMY);
    (void) close(kept);
    EXPECT(fd, FIND_ENDP);
    SAY(fd, ENDP_NONE);
    _exit(0);
}

/* listen_start - a socket in a new directory; its descriptor */
static int
listen_start(BUF *why)
{
    int     fd;

    strcpy(sock_path, "/tmp/test_scache_clnt.XXXXXX");
    assert_non_null(mkdtemp(sock_path));
    strcat(sock_path, "/s");
    fd = unix_listen(sock_path, 5, 0600, why);
    assert_true(fd >= 0);
    return fd;
}

/* listen_end - remove the socket and its directory */
static void
listen_end(int fd)
{
    (void) close(fd);
    (void) unlink(sock_path);
    *strrchr(sock_path, '/') = 0;
    (void) rmdir(sock_path);
}

/* test_protocol - the whole script; the descriptor that comes back is
 * the pipe end that went out */
static void
test_protocol(void **state)
{
    BUF    *why = buf_alloc(10);
    BUF    *dest_prop = buf_alloc(10);
    BUF    *endp_prop = buf_alloc(10);
    int     listen_fd;
    int     pipe_fds[2];
    int     fd;
    int     status;
    pid_t   pid;
    char    byte;
    SCACHE_CLNT *clnt;

    (void) state;
    listen_fd = listen_start(why);
    if ((pid = fork()) == 0)
        server(listen_fd);
    clnt = scache_clnt_create(sock_path, 5);
    assert_int_equal(scache_clnt_find_dest(clnt, DEST_LABEL, dest_prop,
                                           endp_prop, why), SCACHE_NOTFOUND);
    assert_int_equal(scache_clnt_save_dest(clnt, 2, DEST_LABEL, DEST_PROP,
                                           ENDP_LABEL, why), 0);
    assert_int_equal(pipe(pipe_fds), 0);
    assert_int_equal(scache_clnt_save_endp(clnt, 2, ENDP_LABEL, ENDP_PROP,
                                           pipe_fds[1], why), 0);
    fd = scache_clnt_find_dest(clnt, DEST_LABEL, dest_prop, endp_prop, why);
    assert_true(fd >= 0);
    assert_string_equal(buf_str(dest_prop), DEST_PROP);
    assert_string_equal(buf_str(endp_prop), ENDP_PROP);
    assert_int_equal(write(fd, "x", 1), 1);
    assert_int_equal(read(pipe_fds[0], &byte, 1), 1);
    assert_int_equal(byte, 'x');
    assert_int_equal(scache_clnt_find_endp(clnt, ENDP_LABEL, endp_prop, why),
                     SCACHE_NOTFOUND);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    (void) close(fd);
    (void) close(pipe_fds[0]);
    scache_clnt_free(clnt);
    listen_end(listen_fd);
    buf_free(why);
    buf_free(dest_prop);
    buf_free(endp_prop);
}

/* test_no_service - no server: an error with a reason, not a crash */
static void
test_no_service(void **state)
{
    BUF    *why = buf_alloc(10);
    BUF    *prop = buf_alloc(10);
    SCACHE_CLNT *clnt = scache_clnt_create("/nonexistent/scache", 1);
    int     fds[2];

    (void) state;
    assert_int_equal(scache_clnt_find_endp(clnt, ENDP_LABEL, prop, why),
                     SCACHE_ERROR);
    assert_true(buf_len(why) > 0);
    assert_int_equal(pipe(fds), 0);
    assert_int_equal(scache_clnt_save_endp(clnt, 2, ENDP_LABEL, ENDP_PROP,
                                           fds[1], why), -1);
    assert_int_equal(close(fds[1]), -1);        /* closed by the call */
    (void) close(fds[0]);
    scache_clnt_free(clnt);
    buf_free(why);
    buf_free(prop);
}

/* test_bad_greeting - a server of another protocol is an error */
static void
test_bad_greeting(void **state)
{
    BUF    *why = buf_alloc(10);
    BUF    *prop = buf_alloc(10);
    int     listen_fd;
    int     status;
    pid_t   pid;
    SCACHE_CLNT *clnt;

    (void) state;
    listen_fd = listen_start(why);
    if ((pid = fork()) == 0) {
        int     fd = sock_accept(listen_fd);

        while (fd < 0)
            fd = sock_accept(listen_fd);
        SAY(fd, "protocol\0anvil_protocol\0\0");
        _exit(0);
    }
    clnt = scache_clnt_create(sock_path, 5);
    assert_int_equal(scache_clnt_find_endp(clnt, ENDP_LABEL, prop, why),
                     SCACHE_ERROR);
    assert_non_null(strstr(buf_str(why), "problem talking to service"));
    assert_int_equal(waitpid(pid, &status, 0), pid);
    scache_clnt_free(clnt);
    listen_end(listen_fd);
    buf_free(why);
    buf_free(prop);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_protocol),
        cmocka_unit_test(test_no_service),
        cmocka_unit_test(test_bad_greeting),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
