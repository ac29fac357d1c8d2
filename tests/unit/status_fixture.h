/* status_fixture - a fake delivery status service for unit tests
 * (test_bounce_clnt.c, test_deliver_result.c).
 *
 * fixture_setup() makes a temporary directory with private/ and works
 * in it (the status clients connect to private/NAME relative to the
 * current directory), sets the service names and $ipc_timeout, and
 * keeps every warning and info line that msg_*() reports.
 * fixture_serve() starts one child that listens on private/NAME for each
 * name given and, for each connection, sends the greeting, reads one
 * attribute message, records it and sends the reply (a NULL greeting or
 * reply: hang up instead).
 * fixture_served() stops the child and loads what it recorded: one
 * entry per request, "NAME" and the raw bytes. Include after
 * <cmocka.h>; everything is static. */
#ifndef STATUS_FIXTURE_H
#define STATUS_FIXTURE_H

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "mail_params.h"
#include "msg_output.h"
#include "sock.h"

#define FIXTURE_UNUSED __attribute__((unused))
#define FIXTURE_MAX_SERVICES    4
#define FIXTURE_MAX_REQUESTS    16

#define GREETING        "protocol\0delivery_status_protocol\0"
#define STATUS_OK       "status\0" "0\0"

static char fixture_dir[64];
static char fixture_olddir[4096];
static BUF *why;
static BUF *fixture_warnings;           /* one per line */
static BUF *fixture_infos;              /* one per line */
static pid_t fixture_pid;
static int fixture_hang;                /* seconds a connection stays */

/* What the fake service read, in order. */
static int fixture_count;
static char fixture_name[FIXTURE_MAX_REQUESTS][32];
static BUF *fixture_got[FIXTURE_MAX_REQUESTS];

/* fixture_msg - keep the text of each warning and info line */
static void
fixture_msg(enum msg_level level, const char *text)
{
    BUF    *bp = level == MSG_WARN ? fixture_warnings
        : level == MSG_INFO ? fixture_infos : NULL;

    if (bp) {
        buf_strcat(bp, text);
        buf_addch(bp, '\n');
    }
}

/* fixture_setup - the directory, the names, the log capture */
static int
fixture_setup(void **state)
{
    snprintf(fixture_dir, sizeof(fixture_dir), "/tmp/test_status.XXXXXX");
    if (getcwd(fixture_olddir, sizeof(fixture_olddir)) == NULL
        || mkdtemp(fixture_dir) == NULL || chdir(fixture_dir) < 0
        || mkdir("private", 0700) < 0)
        return -1;
    var_bounce_service_name = "bounce";
    var_defer_service_name = "defer";
    var_trace_service_name = "trace";
    var_ipc_timeout = 5;
    why = buf_alloc(10);
    fixture_warnings = buf_alloc(100);
    fixture_infos = buf_alloc(100);
    for (int i = 0; i < FIXTURE_MAX_REQUESTS; i++)
        fixture_got[i] = buf_alloc(100);
    fixture_count = 0;
    fixture_pid = -1;
    fixture_hang = 0;
    msg_output_reset();
    msg_output_add(fixture_msg);
    return 0;
}

/* fixture_teardown - stop the child, remove everything */
static int
fixture_teardown(void **state)
{
    char    cmd[100];

    if (fixture_pid > 0) {
        kill(fixture_pid, SIGKILL);
        waitpid(fixture_pid, NULL, 0);
    }
    msg_output_reset();
    snprintf(cmd, sizeof(cmd), "rm -rf %s", fixture_dir);
    if (chdir(fixture_olddir) < 0 || system(cmd) != 0)
        return -1;
    buf_free(why);
    buf_free(fixture_warnings);
    buf_free(fixture_infos);
    for (int i = 0; i < FIXTURE_MAX_REQUESTS; i++)
        buf_free(fixture_got[i]);
    return 0;
}

/* fixture_read_message - one attribute message from fd into bp; 0, or
 * -1 at EOF */
static int
fixture_read_message(int fd, BUF *bp)
{
    bool    in_name = true;
    size_t  field_len = 0;
    char    ch;

    while (read(fd, &ch, 1) == 1) {
        buf_addch(bp, ch);
        if (ch != 0) {
            field_len++;
            continue;
        }
        /* An empty name ends the message. */
        if (in_name && field_len == 0)
            return 0;
        in_name = !in_name;
        field_len = 0;
    }
    return -1;
}

/* fixture_client - the child serves one connection of service name */
static void
fixture_client(int fd, const char *name, const char *greeting,
               size_t greeting_len, const char *reply, size_t reply_len)
{
    BUF    *bp = buf_alloc(100);
    int     out;

    if (greeting && write(fd, greeting, greeting_len) < 0)
        _exit(1);
    if (greeting && fixture_read_message(fd, bp) == 0) {
        /* Record before the reply: the client waits for the reply. */
        out = open("got", O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (dprintf(out, "%s %zu\n", name, buf_len(bp)) < 0
            || write(out, buf_str(bp), buf_len(bp)) < 0)
            _exit(1);
        close(out);
        if (reply && write(fd, reply, reply_len) < 0)
            _exit(1);
    }
    sleep(fixture_hang);
    close(fd);
    buf_free(bp);
}

/* fixture_serve - start the fake service on private/NAME for each name */
static FIXTURE_UNUSED void
fixture_serve(const char *const *names, const char *greeting,
              size_t greeting_len, const char *reply, size_t reply_len)
{
    struct pollfd pfd[FIXTURE_MAX_SERVICES];
    char    path[64];
    int     n;
    int     fd;

    for (n = 0; names[n]; n++) {
        snprintf(path, sizeof(path), "private/%s", names[n]);
        assert_true((pfd[n].fd = unix_listen(path, 5, 0600, why)) >= 0);
        pfd[n].events = POLLIN;
    }
    if ((fixture_pid = fork()) == 0) {
        for (;;) {
            if (poll(pfd, (nfds_t) n, -1) < 0)
                _exit(1);
            for (int i = 0; i < n; i++)
                if ((pfd[i].revents & POLLIN)
                    && (fd = sock_accept(pfd[i].fd)) >= 0)
                    fixture_client(fd, names[i], greeting, greeting_len,
                                   reply, reply_len);
        }
    }
    assert_true(fixture_pid > 0);
    for (int i = 0; i < n; i++)
        close(pfd[i].fd);
}

/* fixture_serve_ok - the usual service: greets and answers status 0 */
static FIXTURE_UNUSED void
fixture_serve_ok(const char *const *names)
{
    fixture_serve(names, GREETING, sizeof(GREETING), STATUS_OK,
                  sizeof(STATUS_OK));
}

/* fixture_served - stop the child and load what it recorded */
static FIXTURE_UNUSED void
fixture_served(void)
{
    FILE   *fp;
    size_t  len;

    kill(fixture_pid, SIGKILL);
    assert_int_equal(waitpid(fixture_pid, NULL, 0), fixture_pid);
    fixture_pid = -1;
    fixture_count = 0;
    if ((fp = fopen("got", "r")) == NULL)
        return;
    while (fixture_count < FIXTURE_MAX_REQUESTS
           && fscanf(fp, "%31s %zu", fixture_name[fixture_count], &len) == 2
           && fgetc(fp) == '\n') {
        BUF    *bp = fixture_got[fixture_count++];
        int     ch;

        buf_reset(bp);
        while (buf_len(bp) < len && (ch = fgetc(fp)) != EOF)
            buf_addch(bp, ch);
        assert_int_equal(buf_len(bp), len);
    }
    fclose(fp);
    unlink("got");
}

#endif
