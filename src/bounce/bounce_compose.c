/* bounce_compose - the content of a delivery status notification.
 *
 * RFC 3464 form, laid out as Debian's Postfix 3.7 lays it out (observed
 * record for record, docs/bounce.md), because mail clients, bounce
 * processors and people's filters read it:
 *
 *   header: Received, Date, From, Subject, To, Auto-Submitted,
 *           MIME-Version, Content-Type: multipart/report;
 *           report-type=delivery-status; boundary="QUEUEID.TIME/HOST",
 *           Content-Transfer-Encoding: 8bit
 *   part 1: text/plain, "Notification": the template text, then one
 *           folded line per recipient: <ADDR> (expanded from <ORIG>): WHY
 *   part 2: message/delivery-status, "Delivery report": Reporting-MTA,
 *           Original-Envelope-Id, X-Postfix-Queue-ID, X-Postfix-Sender,
 *           Arrival-Date; per recipient Final-Recipient,
 *           Original-Recipient, Action, Status, Remote-MTA,
 *           Diagnostic-Code (folded), Will-Retry-Until (warnings)
 *   part 3: the original as message/rfc822, or its header as
 *           text/rfc822-headers, after a Return-Path: line
 *
 * Recipients come from a delivery log (bounce_log.h) in external form
 * and are shown as written there, as Postfix shows them; the sender and
 * the notice's recipient are quoted here.
 *
 * Differences from Postfix: the prose is Postern's (bounce_template.c);
 * when the log is gone the text part says so in Postern's words; when
 * the queue file is gone part 3 is left out (Postfix sends a
 * message/rfc822 part that holds no message). */
#include <string.h>

#include "bounce.h"
#include "mail_date.h"
#include "quote_822_local.h"

#define BOUNCE_PREAMBLE "This is a delivery status notification in MIME format."
#define BOUNCE_NO_LOG   "(No details are available: the delivery log of " \
                        "this message is missing.)"

/* The actions a delivery report may name (RFC 3464, Postfix's verify). */
static const char *const bounce_report_actions[] = {
    "delivered", "relayed", "expanded", "deliverable", "undeliverable", 0,
};

/* Composition state. */
typedef struct BOUNCE_COMPOSE {
    BOUNCE_OUT *out;
    const BOUNCE_CONF *conf;
    const BOUNCE_NOTICE *notice;
    const BOUNCE_TEMPLATE *tpl;
    BUF    *boundary;
    BUF    *scratch;                    /* one line being built */
    BUF    *addr;                       /* an address in external form */
    BUF    *date;
    BUF    *why;
} BOUNCE_COMPOSE;

/* bounce_compose_wanted - whether a recipient belongs in the notice */
bool
bounce_compose_wanted(const BOUNCE_NOTICE *notice, const RECIPIENT *rcpt)
{
    static const int wants[] = {
        [BOUNCE_NOTICE_FAILURE] = DSN_NOTIFY_FAILURE,
        [BOUNCE_NOTICE_DELAY] = DSN_NOTIFY_DELAY,
        [BOUNCE_NOTICE_SUCCESS] = DSN_NOTIFY_SUCCESS,
        [BOUNCE_NOTICE_VERIFY] = ~0,
    };

    return notice->postmaster || rcpt->dsn_notify == 0
        || (rcpt->dsn_notify & wants[notice->kind]) != 0;
}

/* bounce_status_ok - "C.S.D": class 2, 4 or 5, then 1-3 digits twice */
static bool
bounce_status_ok(const char *status)
{
    const char *cp = status + 2;

    if (DSN_CLASS(status) == 0)
        return false;
    for (int part = 0; part < 2; part++) {
        size_t  n = strspn(cp, "0123456789");

        if (n < 1 || n > 3 || cp[n] != (part == 0 ? '.' : 0))
            return false;
        cp += n + 1;
    }
    return true;
}

/* bounce_status - the Status: of a recipient, a default when the log's
 * does not fit the kind of notice */
static const char *
bounce_status(BOUNCE_NOTICE_KIND kind, const char *status)
{
    bool    ok = bounce_status_ok(status);

    switch (kind) {
    case BOUNCE_NOTICE_FAILURE:
        /* An expired message keeps its last temporary status. */
        return ok && DSN_CLASS(status) != '2' ? status : "5.0.0";
    case BOUNCE_NOTICE_DELAY:
        return ok && DSN_CLASS(status) == '4' ? status : "4.0.0";
    default:
        return ok ? status : "2.0.0";
    }
}

/* bounce_action - the Action: of a recipient */
static const char *
bounce_action(BOUNCE_NOTICE_KIND kind, const char *action)
{
    if (kind == BOUNCE_NOTICE_FAILURE)
        return "failed";
    if (kind == BOUNCE_NOTICE_DELAY)
        return "delayed";
    for (int i = 0; bounce_report_actions[i]; i++)
        if (strcmp(action, bounce_report_actions[i]) == 0)
            return action;
    return kind == BOUNCE_NOTICE_VERIFY ? "deliverable" : "delivered";
}

/* bounce_external - an address in external (quoted) form, in bc->addr */
static const char *
bounce_external(BOUNCE_COMPOSE *bc, const char *addr)
{
    quote_822_local(bc->addr, addr);
    return buf_str(bc->addr);
}

/* bounce_sender - the original sender as shown: MAILER-DAEMON for <> */
static const char *
bounce_sender(BOUNCE_COMPOSE *bc)
{
    const char *sender = bc->notice->orig->sender;

    return bounce_external(bc, *sender ? sender : bc->conf->mail_daemon);
}

/* bounce_header - the message header and the MIME preamble */
static int
bounce_header(BOUNCE_COMPOSE *bc)
{
    const BOUNCE_NOTICE *n = bc->notice;
    BOUNCE_OUT *out = bc->out;

    mail_date(bc->date, n->now.tv_sec);
    return bounce_out_printf(out, "Received: by %s (%s)",
                             bc->conf->myhostname, bc->conf->mail_name)
        || bounce_out_printf(out, "\tid %s; %s", n->notice_id,
                             buf_str(bc->date))
        || bounce_out_printf(out, "Date: %s", buf_str(bc->date))
        || bounce_out_printf(out, "From: %s", bc->tpl->from)
        || bounce_out_printf(out, "Subject: %s", n->postmaster ?
                             bc->tpl->postmaster_subject : bc->tpl->subject)
        || bounce_out_printf(out, "To: %s", bounce_external(bc, n->to))
        || bounce_out_printf(out, "Auto-Submitted: %s", n->postmaster ?
                             "auto-generated" : "auto-replied")
        || bounce_out_line(out, "MIME-Version: 1.0")
        || bounce_out_line(out, "Content-Type: multipart/report; "
                           "report-type=delivery-status;")
        || bounce_out_printf(out, "\tboundary=\"%s\"", buf_str(bc->boundary))
        || bounce_out_line(out, "Content-Transfer-Encoding: 8bit")
        || bounce_out_line(out, "")
        || bounce_out_line(out, BOUNCE_PREAMBLE)
        || bounce_out_line(out, "") ? -1 : 0;
}

/* bounce_template_text - the expanded template text, line by line */
static int
bounce_template_text(BOUNCE_COMPOSE *bc)
{
    BUF    *text = buf_alloc(1000);
    char   *line, *next;
    int     ret = 0;

    if (bounce_template_expand(text, bc->conf, bc->tpl->text, bc->why) < 0) {
        buf_free(text);
        return -1;
    }
    if (buf_last(text) == '\n')
        buf_truncate(text, buf_len(text) - 1);
    for (line = buf_str(text); ret == 0 && line; line = next) {
        if ((next = strchr(line, '\n')) != NULL)
            *next++ = 0;
        ret = bounce_out_line(bc->out, line);
    }
    buf_free(text);
    return ret;
}

/* bounce_text_rcpt - one recipient's line of the text part */
static int
bounce_text_rcpt(BOUNCE_COMPOSE *bc, const RECIPIENT *rcpt, const DSN *dsn)
{
    buf_sprintf(bc->scratch, "<%s>", rcpt->address);
    if (*rcpt->orig_addr && strcmp(rcpt->orig_addr, rcpt->address) != 0)
        buf_sprintf_append(bc->scratch, " (expanded from <%s>)",
                           rcpt->orig_addr);
    buf_sprintf_append(bc->scratch, ": %s", dsn->reason);
    return bounce_out_folded(bc->out, buf_str(bc->scratch))
        || bounce_out_line(bc->out, "") ? -1 : 0;
}

/* bounce_dsn_rcpt - one recipient's fields of the delivery report */
static int
bounce_dsn_rcpt(BOUNCE_COMPOSE *bc, const RECIPIENT *rcpt, const DSN *dsn)
{
    BOUNCE_NOTICE_KIND kind = bc->notice->kind;
    BOUNCE_OUT *out = bc->out;

    if (bounce_out_printf(out, "Final-Recipient: rfc822; %s", rcpt->address)
        || (strchr(rcpt->dsn_orig, ';') != NULL
            && bounce_out_printf(out, "Original-Recipient: %s",
                                 rcpt->dsn_orig))
        || bounce_out_printf(out, "Action: %s",
                             bounce_action(kind, dsn->action))
        || bounce_out_printf(out, "Status: %s",
                             bounce_status(kind, dsn->status))
        || (*dsn->mtype && *dsn->mname
            && bounce_out_printf(out, "Remote-MTA: %s; %s", dsn->mtype,
                                 dsn->mname)))
        return -1;
    if (*dsn->dtype && *dsn->dtext)
        buf_sprintf(bc->scratch, "Diagnostic-Code: %s; %s", dsn->dtype,
                    dsn->dtext);
    else if (*dsn->reason)
        buf_sprintf(bc->scratch, "Diagnostic-Code: X-Postfix; %s", dsn->reason);
    else
        buf_reset(bc->scratch);
    if (buf_len(bc->scratch)
        && bounce_out_folded(out, buf_str(bc->scratch)) < 0)
        return -1;
    if (kind == BOUNCE_NOTICE_DELAY && bc->notice->orig) {
        mail_date(bc->date, bc->notice->orig->arrival.tv_sec
                  + bc->conf->max_queue_lifetime);
        if (bounce_out_printf(out, "Will-Retry-Until: %s", buf_str(bc->date)))
            return -1;
    }
    return bounce_out_line(out, "");
}

/* bounce_each_rcpt - fn() for each wanted recipient in the log */
static int
bounce_each_rcpt(BOUNCE_COMPOSE *bc, BOUNCE_LOG_FILE *log,
                 int (*fn) (BOUNCE_COMPOSE *, const RECIPIENT *, const DSN *))
{
    const RECIPIENT *rcpt;
    const DSN *dsn;
    int     status;

    if (bounce_log_rewind(log) < 0) {
        buf_sprintf(bc->why, "read delivery log: %m");
        return -1;
    }
    while ((status = bounce_log_read(log, &rcpt, &dsn)) > 0)
        if (bounce_compose_wanted(bc->notice, rcpt) && fn(bc, rcpt, dsn) < 0)
            return -1;
    if (status < 0)
        buf_sprintf(bc->why, "read delivery log: %m");
    return status;
}

/* bounce_part - a boundary and the part header; eight_bit adds the
 * Content-Transfer-Encoding (the delivery report has none) */
static int
bounce_part(BOUNCE_COMPOSE *bc, const char *description, const char *type,
            bool eight_bit)
{
    return bounce_out_printf(bc->out, "--%s", buf_str(bc->boundary))
        || bounce_out_printf(bc->out, "Content-Description: %s", description)
        || bounce_out_printf(bc->out, "Content-Type: %s", type)
        || (eight_bit
            && bounce_out_line(bc->out, "Content-Transfer-Encoding: 8bit"))
        || bounce_out_line(bc->out, "") ? -1 : 0;
}

/* bounce_text_part - part 1, for people */
static int
bounce_text_part(BOUNCE_COMPOSE *bc, BOUNCE_LOG_FILE *log)
{
    buf_sprintf(bc->scratch, "text/plain; charset=%s", bc->tpl->charset);
    if (bounce_part(bc, "Notification", buf_str(bc->scratch), true) < 0
        || (!bc->notice->postmaster && bounce_template_text(bc) < 0)
        || bounce_out_line(bc->out, "") < 0)
        return -1;
    if (log == NULL)
        return bounce_out_line(bc->out, BOUNCE_NO_LOG)
            || bounce_out_line(bc->out, "") ? -1 : 0;
    return bounce_each_rcpt(bc, log, bounce_text_rcpt);
}

/* bounce_dsn_part - part 2, for programs */
static int
bounce_dsn_part(BOUNCE_COMPOSE *bc, BOUNCE_LOG_FILE *log)
{
    const BOUNCE_NOTICE *n = bc->notice;
    BOUNCE_OUT *out = bc->out;

    if (bounce_part(bc, "Delivery report", "message/delivery-status",
                    false) < 0
        || bounce_out_printf(out, "Reporting-MTA: dns; %s",
                             bc->conf->myhostname) < 0
        || (*n->envid && bounce_out_printf(out, "Original-Envelope-Id: %s",
                                           n->envid) < 0)
        || bounce_out_printf(out, "X-Postfix-Queue-ID: %s", n->queue_id) < 0)
        return -1;
    if (n->orig) {
        mail_date(bc->date, n->orig->arrival.tv_sec);
        if (bounce_out_printf(out, "X-Postfix-Sender: rfc822; %s",
                              bounce_sender(bc)) < 0
            || bounce_out_printf(out, "Arrival-Date: %s",
                                 buf_str(bc->date)) < 0)
            return -1;
    }
    if (bounce_out_line(out, "") < 0)
        return -1;
    return log ? bounce_each_rcpt(bc, log, bounce_dsn_rcpt) : 0;
}

/* bounce_body_part - part 3: the original, or its header */
static int
bounce_body_part(BOUNCE_COMPOSE *bc)
{
    const BOUNCE_ORIG *orig = bc->notice->orig;
    bool    headers = bc->notice->body == BOUNCE_BODY_HEADERS;

    if (orig == NULL)
        return 0;
    if (bounce_part(bc, headers ? bc->tpl->headers_label : bc->tpl->body_label,
                    headers ? "text/rfc822-headers" : "message/rfc822",
                    true) < 0
        || bounce_out_printf(bc->out, "Return-Path: <%s>",
                             bounce_sender(bc)) < 0)
        return -1;
    if (orig->copy(orig->ctx, headers, bc->out) < 0) {
        buf_sprintf(bc->why, "read the original message: %m");
        return -1;
    }
    return bounce_out_line(bc->out, "");
}

/* bounce_compose - the whole content of a notice */
int
bounce_compose(BOUNCE_OUT *out, const BOUNCE_CONF *conf,
               const BOUNCE_NOTICE *notice, BOUNCE_LOG_FILE *log, BUF *why)
{
    BOUNCE_COMPOSE bc = {out, conf, notice, bounce_template(notice->kind),
        buf_alloc(100), buf_alloc(100), buf_alloc(100), buf_alloc(50), why};
    int     ret;

    buf_reset(why);
    buf_sprintf(bc.boundary, "%s.%ld/%s", notice->queue_id,
                (long) notice->now.tv_sec, conf->myhostname);
    ret = bounce_header(&bc) < 0
        || bounce_text_part(&bc, log) < 0
        || bounce_dsn_part(&bc, log) < 0
        || bounce_body_part(&bc) < 0
        || bounce_out_printf(out, "--%s--", buf_str(bc.boundary)) < 0 ? -1 : 0;
    if (ret < 0 && buf_len(why) == 0)
        buf_strcpy(why, "write the notice: lost connection to cleanup");
    buf_free(bc.boundary);
    buf_free(bc.scratch);
    buf_free(bc.addr);
    buf_free(bc.date);
    return ret;
}
