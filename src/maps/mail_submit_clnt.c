/* mail_submit_clnt - the submitting side of the postdrop protocol
 * (mail_submit.h), shared by sendmail and by smtpd in stand-alone mode.
 *
 * "postdrop -r" runs with pipes to its standard input and from its
 * standard output, in the environment of mail_submit_env(); it greets
 * with its protocol name and the maildrop queue id, takes the records,
 * and answers with a status and a reason. A caller that gives up closes
 * postdrop's input early: postdrop then removes its unfinished file.
 * Library code: nothing here exits. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "attr.h"
#include "mail_conf.h"
#include "mail_submit.h"
#include "msg.h"
#include "mymalloc.h"

struct MAIL_SUBMIT {
    pid_t   pid;
    STREAM *to;                         /* postdrop's standard input */
    STREAM *from;                       /* postdrop's standard output */
    char   *queue_id;
};

/* mail_submit_env - the child environment */
char  **
mail_submit_env(void)
{
    static char *env[5];
    BUF    *bp;
    const char *tz = getenv("TZ");

    if (env[0] != NULL)
        return env;
    bp = buf_alloc(100);
    buf_sprintf(bp, "MAIL_CONFIG=%s", mail_conf_dir());
    env[0] = buf_export(bp);
    env[1] = "LANG=C";
    env[2] = "PATH=/usr/bin:/bin";
    if (tz) {
        bp = buf_alloc(40);
        buf_sprintf(bp, "TZ=%s", tz);
        env[3] = buf_export(bp);
    }
    return env;
}

/* mail_submit_wait - wait for postdrop and free ms; its exit status */
static int
mail_submit_wait(MAIL_SUBMIT *ms)
{
    int     status = 0;
    pid_t   pid;

    if (ms->to)
        (void) stream_close(ms->to);
    (void) stream_close(ms->from);
    while ((pid = waitpid(ms->pid, &status, 0)) < 0 && errno == EINTR)
         /* void */ ;
    myfree(ms->queue_id);
    myfree(ms);
    if (pid < 0)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* mail_submit_refused - postdrop broke the protocol: wait for it; -1
 * with the reason */
static int
mail_submit_refused(MAIL_SUBMIT *ms, BUF *why)
{
    int     status = mail_submit_wait(ms);

    buf_sprintf(why, "postdrop did not accept the message (exit status %d)",
                status);
    return -1;
}

/* mail_submit_close_pair - close both ends of a pipe */
static void
mail_submit_close_pair(int *fds)
{
    (void) close(fds[0]);
    (void) close(fds[1]);
}

/* mail_submit_spawn - fork and exec postdrop -r; 0 or -1 */
static int
mail_submit_spawn(MAIL_SUBMIT *ms, const char *postdrop, BUF *why)
{
    char   *args[] = {(char *) postdrop, "-r", NULL};
    int     in[2], out[2];

    if (pipe2(in, O_CLOEXEC) < 0) {
        buf_sprintf(why, "pipe: %m");
        return -1;
    }
    if (pipe2(out, O_CLOEXEC) < 0) {
        buf_sprintf(why, "pipe: %m");
        mail_submit_close_pair(in);
        return -1;
    }
    if ((ms->pid = fork()) < 0) {
        buf_sprintf(why, "fork: %m");
        mail_submit_close_pair(in);
        mail_submit_close_pair(out);
        return -1;
    }
    if (ms->pid == 0) {
        if (dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0)
            _exit(1);
        execve(postdrop, args, mail_submit_env());
        msg_warn("execute %s: %m", postdrop);
        _exit(1);
    }
    (void) close(in[0]);
    (void) close(out[1]);
    ms->to = stream_fdopen(in[1]);
    ms->from = stream_fdopen(out[0]);
    return 0;
}

/* mail_submit_open - run postdrop and read its greeting */
MAIL_SUBMIT *
mail_submit_open(const char *postdrop, BUF *why)
{
    MAIL_SUBMIT *ms = mycalloc(1, sizeof(*ms));
    BUF    *proto = buf_alloc(40);
    BUF    *id = buf_alloc(40);

    if (mail_submit_spawn(ms, postdrop, why) < 0) {
        myfree(ms);
        ms = NULL;
    } else if (attr_scan(ms->from, ATTR_FLAG_STRICT,
                         RECV_ATTR_STR(MAIL_ATTR_PROTO, proto),
                         RECV_ATTR_STR(MAIL_ATTR_QUEUEID, id),
                         ATTR_TYPE_END) != 2
               || strcmp(buf_str(proto), MAIL_SUBMIT_PROTOCOL) != 0) {
        (void) mail_submit_refused(ms, why);
        ms = NULL;
    } else {
        ms->queue_id = buf_export(id);
        id = NULL;
    }
    buf_free(proto);
    if (id)
        buf_free(id);
    return ms;
}

/* mail_submit_stream - where the records go */
STREAM *
mail_submit_stream(MAIL_SUBMIT *ms)
{
    return ms->to;
}

/* mail_submit_queue_id - the maildrop queue id */
const char *
mail_submit_queue_id(const MAIL_SUBMIT *ms)
{
    return ms->queue_id;
}

/* mail_submit_close - postdrop's verdict */
int
mail_submit_close(MAIL_SUBMIT *ms, BUF *why)
{
    int     status = -1;

    if (stream_flush(ms->to) < 0
        || attr_scan(ms->from, ATTR_FLAG_STRICT,
                     RECV_ATTR_INT(MAIL_ATTR_STATUS, &status),
                     RECV_ATTR_STR(MAIL_ATTR_REASON, why),
                     ATTR_TYPE_END) != 2)
        return mail_submit_refused(ms, why);
    if (mail_submit_wait(ms) != 0 || status != 0) {
        if (buf_len(why) == 0)
            buf_strcpy(why, "postdrop reported an error");
        return -1;
    }
    return 0;
}

/* mail_submit_abort - give up on the message */
void
mail_submit_abort(MAIL_SUBMIT *ms)
{
    (void) mail_submit_wait(ms);
}
