/* sendmail - the Sendmail-compatible submission command, as Postfix's
 * sendmail(1): read a message on standard input and hand it to postdrop,
 * which puts it into the maildrop queue for pickup.
 *
 * Options are those scripts use (docs/sendmail.md has the list and the
 * differences from Postfix); they end at the first argument that is not
 * an option, the rest are recipients. The configuration comes from -C
 * (main.cf or its directory), -c, MAIL_CONFIG or the default, and is
 * passed to postdrop in MAIL_CONFIG. The message goes to "postdrop -r"
 * as the records of a queue file (mail_submit.h): the envelope, the
 * text as content records (rec_text.h), with -t the recipients found in
 * the headers (hdr_rcpt.h), and the end record. Exit status: sysexits.h,
 * as Postfix's (every fatal error is EX_TEMPFAIL, as there). -bv
 * (address verification) reads no input: as Postfix's sendmail it queues
 * a small probe message with "trace_flags=512", which the agents only
 * report on (docs/verify.md), and says where the report goes. -bs runs
 * "$daemon_directory/smtpd -S", the stand-alone SMTP server on our
 * standard input and output (it submits through postdrop too); -bd
 * fails with EX_UNAVAILABLE; -bi runs newaliases; -bp (and the name mailq), -q,
 * -qRsite and -qIid run postqueue -p, -f, -s site and -i id. */
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "argv.h"
#include "hdr_rcpt.h"
#include "mail_conf.h"
#include "mail_params.h"
#include "mail_submit.h"
#include "msg.h"
#include "msg_output.h"
#include "mymalloc.h"
#include "rec_stream.h"
#include "rec_text.h"
#include "rec_type.h"
#include "sendmail.h"

/* sm_fatal - a fatal error: EX_TEMPFAIL, as Postfix's sendmail */
#define sm_fatal(...)   msg_fatal_status(EX_TEMPFAIL, __VA_ARGS__)

/* sm_command - the path of a command in $command_directory */
static char *
sm_command(const char *name)
{
    BUF    *bp = buf_alloc(100);

    buf_sprintf(bp, "%s/%s", var_command_directory, name);
    return buf_export(bp);
}

/* sm_newaliases - -bi: run newaliases; does not return */
static void MSG_NORETURN
sm_newaliases(void)
{
    char   *path = sm_command("newaliases");
    char   *args[] = {path, NULL};

    execve(path, args, mail_submit_env());
    sm_fatal("execute %s: %m", path);
}

/* sm_postqueue - -bp, mailq, -q, -qR, -qI: run "postqueue -p" (or -f,
 * -s site, -i id) instead, as Postfix's sendmail; does not return */
static void MSG_NORETURN
sm_postqueue(const SM_OPTS *opts)
{
    static const char *const flags[] = {
        [SM_MODE_MAILQ] = "-p", [SM_MODE_FLUSH] = "-f",
        [SM_MODE_FLUSH_SITE] = "-s", [SM_MODE_FLUSH_ID] = "-i",
    };
    char   *path = sm_command("postqueue");
    char   *args[] = {"postqueue", (char *) flags[opts->mode],
        (char *) opts->queue_arg, NULL};

    execve(path, args, mail_submit_env());
    sm_fatal("execute %s: %m", path);
}

/* sm_who - "sender(uid)" for messages */
static const char *
sm_who(const SM_OPTS *opts)
{
    static BUF *bp;

    if (bp == NULL)
        bp = buf_alloc(100);
    buf_sprintf(bp, "%s(%ld)", opts->sender, (long) getuid());
    return buf_str(bp);
}

/* sm_put_rcpt - a recipient record, with its DSN notify attribute */
static void
sm_put_rcpt(STREAM *to, const SM_OPTS *opts, const char *rcpt)
{
    if (opts->notify)
        (void) rec_printf(to, REC_TYPE_ATTR, "notify_flags=%d", opts->notify);
    (void) rec_puts(to, REC_TYPE_RCPT, rcpt);
}

/* sm_put_envelope - the envelope records, up to and including 'M' */
static void
sm_put_envelope(STREAM *to, const SM_OPTS *opts)
{
    if (opts->envid)
        (void) rec_printf(to, REC_TYPE_ATTR, "envelope_id=%s", opts->envid);
    if (opts->ret)
        (void) rec_printf(to, REC_TYPE_ATTR, "ret_flags=%d", opts->ret);
    (void) rec_printf(to, REC_TYPE_ATTR, "rewrite_context=%s",
                      opts->gateway ? "remote" : "local");
    if (opts->fullname && *opts->fullname)
        (void) rec_puts(to, REC_TYPE_FULL, opts->fullname);
    (void) rec_puts(to, REC_TYPE_FROM, opts->sender);
    if (opts->verify)
        (void) rec_printf(to, REC_TYPE_ATTR, "trace_flags=%d",
                          SM_TRACE_USR_VRFY);
    if (opts->encoding)
        (void) rec_printf(to, REC_TYPE_ATTR, "encoding=%s", opts->encoding);
    if (opts->verp)
        (void) rec_puts(to, REC_TYPE_VERP, opts->verp);
    for (int i = 0; i < opts->rcpt->argc; i++)
        sm_put_rcpt(to, opts, opts->rcpt->argv[i]);
    (void) rec_put(to, REC_TYPE_MESG, "", 0);
}

/* sm_put_message - the content from standard input, 'X', the extracted
 * recipients, 'E'; false when the message is too big */
static bool
sm_put_message(STREAM *to, const SM_OPTS *opts)
{
    STREAM *in = stream_fdopen(0);
    HDR_RCPT *hr = opts->extract ? hdr_rcpt_create() : NULL;
    REC_TEXT_OPTS topts = {
        .line_limit = (size_t) var_line_length_limit,
        .dot_ends = opts->dot_ends,
        .skip_from_lines = true,
        .size_limit = var_message_size_limit,
        .hdr_fn = hr ? hdr_rcpt_line : NULL,
        .hdr_ctx = hr,
    };
    ARGV   *found;
    long    size;
    int     status;

    status = rec_text_copy(in, to, &topts, &size);
    if (status == REC_TEXT_READ_ERR)
        sm_fatal("%s: error reading input: %m", sm_who(opts));
    stream_free(in);
    if (hr) {
        found = hdr_rcpt_finish(hr);
        if (status == REC_TEXT_OK) {
            (void) rec_put(to, REC_TYPE_XTRA, "", 0);
            for (int i = 0; i < found->argc; i++)
                sm_put_rcpt(to, opts, found->argv[i]);
        }
        argv_free(found);
    }
    if (status == REC_TEXT_TOOBIG)
        return false;
    if (!hr)
        (void) rec_put(to, REC_TYPE_XTRA, "", 0);
    (void) rec_put(to, REC_TYPE_END, "", 0);
    return true;
}

/* sm_put_probe - -bv: instead of standard input, the headers Postfix's
 * sendmail writes ("From: sender", "Subject: probe", a "To:" header
 * with one recipient a line), 'X', 'E' */
static void
sm_put_probe(STREAM *to, const SM_OPTS *opts)
{
    const ARGV *rcpt = opts->rcpt;

    (void) rec_printf(to, REC_TYPE_NORM, "From: %s", opts->sender);
    (void) rec_puts(to, REC_TYPE_NORM, "Subject: probe");
    (void) rec_puts(to, REC_TYPE_CONT, "To:");
    for (int i = 0; i < rcpt->argc; i++)
        (void) rec_printf(to, REC_TYPE_NORM, "\t%s%s", rcpt->argv[i],
                          i + 1 < rcpt->argc ? "," : "");
    (void) rec_put(to, REC_TYPE_XTRA, "", 0);
    (void) rec_put(to, REC_TYPE_END, "", 0);
}

/* sm_enqueue - hand the message to postdrop and report its answer */
static void
sm_enqueue(const SM_OPTS *opts)
{
    char   *path = sm_command("postdrop");
    BUF    *why = buf_alloc(100);
    MAIL_SUBMIT *ms;
    STREAM *to;
    char   *id;

    if ((ms = mail_submit_open(path, why)) == NULL)
        sm_fatal("%s: %s", sm_who(opts), buf_str(why));
    to = mail_submit_stream(ms);
    sm_put_envelope(to, opts);
    if (opts->verify)
        sm_put_probe(to, opts);
    else if (!sm_put_message(to, opts)) {
        mail_submit_abort(ms);
        sm_fatal("%s: message file too big", sm_who(opts));
    }
    id = mystrdup(mail_submit_queue_id(ms));
    if (mail_submit_close(ms, why) < 0)
        sm_fatal("%s: %s", sm_who(opts), buf_str(why));
    if (msg_verbose)
        msg_info("%s: queued as %s", sm_who(opts), id);
    if (opts->verify)
        printf("Mail Delivery Status Report will be mailed to <%s>.\n",
               opts->sender);
    myfree(id);
    myfree(path);
    buf_free(why);
}

/* sm_smtpd - -bs: run "$daemon_directory/smtpd -S" on our standard input
 * and output, as Postfix's sendmail; does not return */
static void MSG_NORETURN
sm_smtpd(void)
{
    BUF    *bp = buf_alloc(100);
    ARGV   *args = argv_alloc(4);

    buf_sprintf(bp, "%s/smtpd", var_daemon_directory);
    argv_add(args, "smtpd");
    argv_add(args, "-S");
    for (int i = 0; i < msg_verbose; i++)
        argv_add(args, "-v");
    execve(buf_str(bp), args->argv, mail_submit_env());
    sm_fatal("execute %s: %m", buf_str(bp));
}

/* sm_fullname - -F, else $NAME, else the first GECOS field with '&'
 * replaced by the capitalised login name */
static char *
sm_fullname(const struct passwd *pw)
{
    const char *name = getenv("NAME");
    BUF    *bp = buf_alloc(64);

    if (name && *name) {
        buf_strcpy(bp, name);
        return buf_export(bp);
    }
    for (const char *cp = pw->pw_gecos; cp && *cp && *cp != ','; cp++) {
        if (*cp != '&') {
            buf_addch(bp, *cp);
        } else if (*pw->pw_name) {
            buf_addch(bp, *pw->pw_name >= 'a' && *pw->pw_name <= 'z' ?
                      *pw->pw_name - 'a' + 'A' : *pw->pw_name);
            buf_strcat(bp, pw->pw_name + 1);
        }
    }
    return buf_export(bp);
}

/* sm_identity - the login name (the default sender), the full name, and
 * the authorized_submit_users check */
static void
sm_identity(SM_OPTS *opts)
{
    struct passwd *pw;
    BUF    *why = buf_alloc(100);

    if ((pw = getpwuid(getuid())) == NULL)
        sm_fatal("no login name found for user ID %ld", (long) getuid());
    if (mail_submit_check(var_authorized_submit_users, pw->pw_name, getuid(),
                          why) < 0)
        sm_fatal("%s", buf_str(why));
    if (opts->sender == NULL)
        opts->sender = mystrdup(pw->pw_name);
    if (opts->fullname == NULL)
        opts->fullname = sm_fullname(pw);
    buf_free(why);
}

/* sm_config - the configuration directory from -C or -c, then main.cf */
static void
sm_config(const char *path)
{
    struct stat st;
    char   *dir;
    char   *slash;

    if (path) {
        dir = mystrdup(path);
        if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode)
            && (slash = strrchr(dir, '/')) != NULL)
            *(slash == dir ? slash + 1 : slash) = 0;
        else if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode))
            strcpy(dir, ".");
        mail_conf_set_dir(dir);
        myfree(dir);
    }
    mail_conf_read();
    mail_params_init();
}

/* main - sendmail [options] [recipient ...] */
int
main(int argc, char **argv)
{
    SM_OPTS opts;
    const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1
        : argv[0];

    msg_stderr_init("sendmail");
    argv[0] = "sendmail";
    (void) signal(SIGPIPE, SIG_IGN);
    sendmail_opts_parse(&opts, argc, argv);
    if (strcmp(name, "mailq") == 0)
        opts.mode = SM_MODE_MAILQ;
    sm_config(opts.config);
    switch (opts.mode) {
    case SM_MODE_NEWALIASES:
        sm_newaliases();
    case SM_MODE_MAILQ:
    case SM_MODE_FLUSH:
    case SM_MODE_FLUSH_SITE:
    case SM_MODE_FLUSH_ID:
        sm_postqueue(&opts);
    case SM_MODE_UNAVAILABLE:
        msg_fatal_status(EX_UNAVAILABLE, "%s is not yet supported: it needs "
                         "%s", opts.unavailable, opts.needs);
    default:
        break;
    }
    sm_identity(&opts);
    if (opts.mode == SM_MODE_SMTPD)
        sm_smtpd();
    if (opts.rcpt->argc == 0 && (!opts.extract || opts.verify))
        sm_fatal("%s: Recipient addresses must be specified on the command "
                 "line or via the -t option", sm_who(&opts));
    sm_enqueue(&opts);
    sendmail_opts_free(&opts);
    return EX_OK;
}
