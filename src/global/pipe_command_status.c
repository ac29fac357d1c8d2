/* pipe_command_status - what a finished command run means for the
 * delivery: the wait status, the output, the time limit.
 *
 * Model: the output is made printable first (line breaks become
 * spaces, other control bytes '?'), then looked at for an enhanced
 * status code; the wait status is read as sysexits.h says. The words
 * are Postfix 3.7's, as observed (pipe_command.h lists them). Peers:
 * sys_exits, pipe_command.c. */
#include <errno.h>
#include <string.h>
#include <sys/wait.h>
#include <sysexits.h>

#include "dsn.h"
#include "mail_copy.h"
#include "pipe_command_int.h"
#include "sys_exits.h"

/* pipe_command_printable - line breaks to spaces, controls to '?' */
static void
pipe_command_printable(BUF *bp)
{
    for (size_t i = 0; i < buf_len(bp); i++) {
        unsigned char ch = (unsigned char) bp->data[i];

        if (ch == '\n' || ch == '\r' || ch == '\t')
            bp->data[i] = ' ';
        else if (ch < 0x20 || ch == 0x7f)
            bp->data[i] = '?';
    }
}

/* pipe_command_code - length of a leading 4.x.y or 5.x.y code */
static size_t
pipe_command_code(const char *text)
{
    return DSN_CLASS(text) == '2' ? 0 : dsn_valid(text);
}

/* pipe_command_result - PIPE_STAT_* from the status class */
static int
pipe_command_result(const DSN_BUF *why)
{
    return dsb_status_class(why) == '4' ? PIPE_STAT_DEFER : PIPE_STAT_BOUNCE;
}

/* pipe_command_exit - a non-zero exit status */
static int
pipe_command_exit(const char *name, int code, const char *out,
                  DSN_BUF *why)
{
    const SYS_EXITS *sx = sys_exits_info(code);
    size_t  len = pipe_command_code(out);
    const char *sep = *out ? ". Command output: " : "";

    if (len > 0) {
        BUF    *status = buf_alloc(10);
        const char *text = out + len + strspn(out + len, " ");

        buf_append(status, out, len);
        dsb_unix(why, buf_str(status), text, "%s", text);
        buf_free(status);
    } else if (sx != NULL) {
        dsb_unix(why, sx->dsn, *out ? out : sx->text, "%s%s%s", sx->text,
                 sep, out);
    } else {
        dsb_unix(why, "5.3.0", out, "Command died with status %d: \"%s\"%s%s",
                 code, name, sep, out);
    }
    return pipe_command_result(why);
}

/* pipe_command_status - the result of a finished run; frees the output */
int
pipe_command_status(const PIPE_COMMAND *cmd, PIPE_COMMAND_RUN *run,
                    int copy_status, DSN_BUF *why)
{
    const char *name = cmd->command ? cmd->command : cmd->argv[0];
    const char *out;
    int     status = PIPE_STAT_OK;

    pipe_command_printable(run->output);
    out = buf_str(run->output);
    if (copy_status & (MAIL_COPY_STAT_CORRUPT | MAIL_COPY_STAT_READ)) {
        status = PIPE_STAT_CORRUPT;
    } else if (run->timed_out) {
        dsb_unix(why, "5.3.0", sys_exits_info(EX_SOFTWARE)->text,
                 "Command time limit exceeded: \"%s\"", name);
        status = PIPE_STAT_BOUNCE;
    } else if (WIFSIGNALED(run->wait_status)) {
        dsb_unix(why, "4.3.0", out, "Command died with signal %d: \"%s\"%s%s",
                 WTERMSIG(run->wait_status), name,
                 *out ? ". Command output: " : "", out);
        status = PIPE_STAT_DEFER;
    } else if (WEXITSTATUS(run->wait_status) != 0) {
        status = pipe_command_exit(name, WEXITSTATUS(run->wait_status),
                                   out, why);
    } else if (run->write_errno) {
        errno = run->write_errno;
        dsb_simple(why, "4.3.0", "error writing message: %m");
        status = PIPE_STAT_DEFER;
    } else if (cmd->output) {
        buf_strcpy(cmd->output, out);
        buf_trim_right(cmd->output);
    }
    buf_free(run->output);
    run->output = NULL;
    return status;
}
