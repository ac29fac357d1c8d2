/* postqueue_show - postqueue -p and -j: print the showq listing.
 *
 * Model: Debian's Postfix 3.7 postqueue (strace): connect to
 * public/$showq_service_name and print each message as it arrives
 * (showq_format.h has the formats). When the service cannot be reached
 * a user gets "Queue report unavailable - mail system is down"; root
 * gets a warning and the listing from a showq run by hand
 * ("$daemon_directory/showq -u -S" on a socket pair, with a clean
 * environment), as Postfix does. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include "mail_conf.h"
#include "mail_params.h"
#include "msg.h"
#include "postqueue.h"
#include "showq_format.h"
#include "showq_proto.h"
#include "sock.h"

/* postqueue_showq_env - the environment of a showq run by hand */
static char **
postqueue_showq_env(void)
{
    static char *env[5];
    BUF    *bp = buf_alloc(100);
    const char *tz = getenv("TZ");
    int     n = 0;

    buf_sprintf(bp, "MAIL_CONFIG=%s", mail_conf_dir());
    env[n++] = buf_export(bp);
    env[n++] = "LANG=C";
    env[n++] = "PATH=/usr/bin:/bin";
    if (tz) {
        bp = buf_alloc(40);
        buf_sprintf(bp, "TZ=%s", tz);
        env[n++] = buf_export(bp);
    }
    env[n] = NULL;
    return env;
}

/* postqueue_run_showq - start showq -u -S; our end of its socket pair */
static int
postqueue_run_showq(pid_t *pid)
{
    BUF    *path = buf_alloc(100);
    char   *args[] = {"showq", "-u", "-S", NULL};
    int     pair[2];

    buf_sprintf(path, "%s/showq", var_daemon_directory);
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
        postqueue_fatal("socketpair: %m");
    if ((*pid = fork()) < 0)
        postqueue_fatal("fork: %m");
    if (*pid == 0) {
        if (dup2(pair[1], STDIN_FILENO) < 0
            || dup2(pair[1], STDOUT_FILENO) < 0)
            _exit(EX_OSERR);
        execve(buf_str(path), args, postqueue_showq_env());
        msg_warn("execute %s: %m", buf_str(path));
        _exit(EX_OSERR);
    }
    (void) close(pair[1]);
    buf_free(path);
    return pair[0];
}

/* postqueue_connect - the showq service, or for root a showq by hand */
static int
postqueue_connect(pid_t *pid)
{
    BUF    *path = buf_alloc(100);
    BUF    *why = buf_alloc(100);
    int     fd;

    *pid = 0;
    buf_sprintf(path, "public/%s", var_showq_service_name);
    if ((fd = unix_connect(buf_str(path), var_ipc_timeout, why)) < 0) {
        if (getuid() != 0)
            postqueue_fatal("Queue report unavailable - mail system is "
                            "down");
        msg_warn("Mail system is down -- accessing queue directly "
                 "(Connect to the Postfix showq service: %m)");
        fd = postqueue_run_showq(pid);
    }
    buf_free(path);
    buf_free(why);
    return fd;
}

/* postqueue_write - one message's output; fatal when stdout fails */
static void
postqueue_write(STREAM *out, BUF *text)
{
    if (stream_write(out, buf_str(text), buf_len(text)) < 0
        || stream_flush(out) < 0)
        postqueue_fatal("write error on standard output: %m");
    buf_reset(text);
}

/* postqueue_list - read the listing from sp and print it */
static void
postqueue_list(STREAM *sp, bool json)
{
    STREAM *out = stream_fdopen(STDOUT_FILENO);
    SHOWQ_MSG *msg = showq_msg_create();
    BUF    *text = buf_alloc(1000);
    BUF    *why = buf_alloc(100);
    long long bytes = 0;
    long    count = 0;
    int     status;

    if (showq_read_greeting(sp, why) < 0)
        postqueue_fatal("%s", buf_str(why));
    while ((status = showq_read_msg(sp, msg, why)) > 0) {
        if (json) {
            showq_format_json(text, msg);
        } else {
            if (count == 0)
                showq_format_head(text, var_enable_long_queue_ids);
            showq_format_text(text, msg, var_enable_long_queue_ids,
                              count == 0);
        }
        bytes += msg->size;
        count++;
        postqueue_write(out, text);
    }
    if (status < 0)
        postqueue_fatal("%s", buf_str(why));
    if (!json) {
        showq_format_tail(text, bytes, count);
        postqueue_write(out, text);
    }
    stream_free(out);
    showq_msg_free(msg);
    buf_free(text);
    buf_free(why);
}

/* postqueue_show - print the queue listing */
void
postqueue_show(bool json)
{
    STREAM *sp;
    pid_t   pid;
    int     status;

    sp = stream_fdopen(postqueue_connect(&pid));
    stream_set_timeout(sp, var_ipc_timeout);
    postqueue_list(sp, json);
    (void) stream_close(sp);
    while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
         /* void */ ;
}
