/* pipe_deliver - one delivery request: one command run for all its
 * recipients.
 *
 * Model (man 8 pipe; observed from Postfix 3.7's pipe, docs/pipe.md).
 * In this order, each step ending the request when it applies:
 *   1. size=: a larger message bounces every recipient, 5.2.3 "message
 *      too large";
 *   2. flags D or O with more than one recipient cannot name "the"
 *      recipient: every recipient is deferred, 4.3.5 "mail system
 *      configuration error", then the warning "pipe flag `D' requires
 *      SERVICE_destination_recipient_limit = 1";
 *   3. flag D: a Delivered-To: header with the recipient bounces it,
 *      5.4.6 "mail forwarding loop for ADDR";
 *   4. the argv= macros (pipe_argv.c); a bad one is a warning "file
 *      DIR/master.cf: service SERVICE: unknown macro name: "x"" and a
 *      4.3.5 deferral;
 *   5. verification (sendmail -bv): "delivers to command: ARGV0";
 *   6. the command runs (pipe_command.h) as user=, in directory= (the
 *      queue directory by default) under chroot=, with PATH and the
 *      export_environment variables only, SERVICE_time_limit (default
 *      command_time_limit), the message as the flags ask for it, lines
 *      ending in eol=, the null sender as null_sender=.
 * Exit 0: every recipient "delivered via SERVICE service", with
 * " (OUTPUT)" when the command said something; DSN action "delivered"
 * with flag X (final delivery), else "relayed". Otherwise the
 * pipe_command.h words and statuses: sysexits codes (75 defers), "4.X.Y
 * text" output, "Command died with status N: "ARGV0". Command output:
 * ...". relay= is the service name. Peers: pipe_argv, pipe_command,
 * mail_copy, delivered_hdr, deliver_result. */
#include <string.h>

#include "deliver_result.h"
#include "delivered_hdr.h"
#include "dsn_buf.h"
#include "mail_conf.h"
#include "mail_copy.h"
#include "mail_env.h"
#include "msg.h"
#include "pipe.h"
#include "pipe_command.h"

/* pipe_report - every recipient gets the result in why */
static void
pipe_report(DELIVER_REQUEST *req, const PIPE_SERVICE *svc, DSN_BUF *why,
            const char *action)
{
    DSN     dsn;

    for (int i = 0; i < req->rcpt_count; i++)
        (void) deliver_result(req, req->rcpt + i, svc->name,
                              dsb_dsn(why, &dsn, action));
}

/* pipe_job - the copy of the message the command reads */
static void
pipe_job(MAIL_COPY_JOB *job, const DELIVER_REQUEST *req,
         const PIPE_ATTR *attr)
{
    const RECIPIENT *rcpt = req->rcpt;

    job->src.fd = req->fd;
    job->src.offset = req->data_offset;
    job->src.sender = *req->sender ? req->sender : attr->null_sender;
    job->src.orig_rcpt = *DEL_TEXT(rcpt->orig_addr) ? rcpt->orig_addr
        : rcpt->address;
    job->src.delivered = rcpt->address;
    job->flags = attr->copy_flags;
    job->eol = attr->eol;
}

/* pipe_run - run the command; PIPE_STAT_*, the reason in why, and on
 * success the command's output in output */
static int
pipe_run(const DELIVER_REQUEST *req, const PIPE_SERVICE *svc, ARGV *args,
         BUF *output, DSN_BUF *why)
{
    const PIPE_ATTR *attr = &svc->attr;
    ARGV   *env = mail_env_export();
    MAIL_COPY_JOB job;
    PIPE_COMMAND cmd;
    int     status;

    pipe_job(&job, req, attr);
    memset(&cmd, 0, sizeof(cmd));
    cmd.argv = args->argv;
    cmd.env = env->argv;
    cmd.chroot = attr->chroot && *attr->chroot ? attr->chroot : NULL;
    cmd.cwd = attr->directory && *attr->directory ? attr->directory : NULL;
    cmd.uid = attr->uid;
    cmd.gid = attr->gid;
    cmd.time_limit = svc->time_limit;
    cmd.write_fn = mail_copy_job;
    cmd.ctx = &job;
    cmd.output = output;
    status = pipe_command(&cmd, why);
    argv_free(env);
    return status;
}

/* pipe_outcome - run the command and report the recipients */
static void
pipe_outcome(DELIVER_REQUEST *req, const PIPE_SERVICE *svc, ARGV *args,
             DSN_BUF *why)
{
    BUF    *output = buf_alloc(100);

    if (pipe_run(req, svc, args, output, why) != PIPE_STAT_OK) {
        pipe_report(req, svc, why, NULL);
    } else {
        dsb_simple(why, "2.0.0", "delivered via %s service", svc->name);
        if (buf_len(output) > 0)
            buf_sprintf_append(why->reason, " (%s)", buf_str(output));
        pipe_report(req, svc, why, (svc->attr.opts & PIPE_OPT_FINAL) ?
                    "delivered" : "relayed");
    }
    buf_free(output);
}

/* pipe_single_flag - the D or O flag that needs one recipient, or 0 */
static int
pipe_single_flag(const DELIVER_REQUEST *req, const PIPE_ATTR *attr)
{
    if (req->rcpt_count < 2)
        return 0;
    if (attr->copy_flags & MAIL_COPY_DELIVERED)
        return 'D';
    if (attr->copy_flags & MAIL_COPY_ORIG_RCPT)
        return 'O';
    return 0;
}

/* pipe_loop - flag D: does the message already have our Delivered-To */
static bool
pipe_loop(const DELIVER_REQUEST *req, const PIPE_ATTR *attr)
{
    DELIVERED_HDR *hdr;
    bool    found;

    if ((attr->copy_flags & MAIL_COPY_DELIVERED) == 0)
        return false;
    hdr = delivered_hdr_read(req->fd, req->data_offset);
    found = delivered_hdr_find(hdr, req->rcpt->address);
    delivered_hdr_free(hdr);
    return found;
}

/* pipe_expanded - steps 4-6: expand the argv, then verify or run */
static void
pipe_expanded(DELIVER_REQUEST *req, const PIPE_SERVICE *svc, DSN_BUF *why)
{
    BUF    *err = buf_alloc(100);
    ARGV   *args = pipe_argv_expand(&svc->attr, req, err);

    if (args && args->argc == 0) {
        buf_strcpy(err, "the command expands to nothing");
        argv_free(args);
        args = NULL;
    }
    if (args == NULL) {
        msg_warn("file %s/%s: service %s: %s", mail_conf_dir(), MASTER_CF,
                 svc->name, buf_str(err));
        dsb_simple(why, "4.3.5", "mail system configuration error");
        pipe_report(req, svc, why, NULL);
    } else if (DEL_REQ_TRACE_ONLY(req->flags)) {
        dsb_simple(why, "2.0.0", "delivers to command: %s", args->argv[0]);
        pipe_report(req, svc, why, NULL);
    } else {
        pipe_outcome(req, svc, args, why);
    }
    if (args)
        argv_free(args);
    buf_free(err);
}

/* pipe_deliver - the DELIVER_FN of deliver_request_serve() */
const DSN *
pipe_deliver(DELIVER_REQUEST *req, void *ctx)
{
    const PIPE_SERVICE *svc = ctx;
    DSN_BUF *why = dsb_create();
    int     flag;

    if (svc->attr.size_limit > 0 && req->data_size > svc->attr.size_limit) {
        dsb_simple(why, "5.2.3", "message too large");
        pipe_report(req, svc, why, NULL);
    } else if ((flag = pipe_single_flag(req, &svc->attr)) != 0) {
        dsb_simple(why, "4.3.5", "mail system configuration error");
        pipe_report(req, svc, why, NULL);
        msg_warn("pipe flag `%c' requires %s_destination_recipient_limit "
                 "= 1", flag, svc->name);
    } else if (pipe_loop(req, &svc->attr)) {
        dsb_simple(why, "5.4.6", "mail forwarding loop for %s",
                   req->rcpt->address);
        pipe_report(req, svc, why, NULL);
    } else {
        pipe_expanded(req, svc, why);
    }
    dsb_free(why);
    return NULL;
}
