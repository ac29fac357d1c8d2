/* smtpd_check_eval - evaluating one restriction list, and refusing.
 *
 * Model: Postfix 3.7's generic_checks() and smtpd_check_reject(), as
 * Debian's Postfix 3.7 behaves (docs/smtpd.md):
 *  - A list is tried left to right until a restriction says OK or REJECT.
 *    "warn_if_reject" makes the next restriction log "reject_warning"
 *    instead of refusing (never for configuration, resource or lookup
 *    errors). Once DISCARD fired nothing more is checked.
 *  - defer_if_permit: a later permit (explicit, or the end of the lists)
 *    becomes a 4xx with the first reason recorded; defer_if_reject: a
 *    later 5xx refusal in the same list becomes that 4xx instead. A list
 *    stops when both are pending.
 *  - A reply must start with a code 400-599 and a valid enhanced status
 *    code, else "450 4.7.1 Service unavailable" is sent and the mistake
 *    logged; it is cut to 510 bytes; soft_bounce turns 5 into 4; the
 *    status class always follows the reply code.
 *  - Every refusal is logged: "NOQUEUE: reject: RCPT from NAME[ADDR]:
 *    REPLY; from=<S> to=<R> proto=ESMTP helo=<H>" (fail2ban reads it).
 * Peers: smtpd_check_rules (the names), smtpd_log. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mail_params.h"
#include "msg.h"
#include "smtpd_check.h"

#define SMTPD_REPLY_MAX 510

/* smtpd_check_list - evaluate a list: the verdict of the first
 * restriction that has one */
int
smtpd_check_list(SMTPD_CHECK *check, const ARGV *list)
{
    int     status = SMTPD_CHECK_DUNNO;
    int     saved_recursion = check->recursion++;

    for (char **cpp = list->argv; *cpp != NULL && !check->discard; cpp++) {
        if (strcasecmp(*cpp, "warn_if_reject") == 0) {
            if (check->warn_if_reject == 0)
                check->warn_if_reject = check->recursion;
            continue;
        }
        status = smtpd_check_rule(check, &cpp);
        if (check->warn_if_reject >= check->recursion)
            check->warn_if_reject = 0;
        if (status != SMTPD_CHECK_DUNNO)
            break;
        if (check->defer_if_permit.active && check->defer_if_reject.active)
            break;
    }
    check->recursion = saved_recursion;
    if (check->warn_if_reject >= check->recursion)
        check->warn_if_reject = 0;
    return status;
}

/* smtpd_check_log - one "WHAT: CMD from NAME[ADDR]: TEXT; ..." line */
void
smtpd_check_log(SMTPD_CHECK *check, const char *what, const char *text)
{
    smtpd_log_whatsup(check->state, what, text, check->sender,
                      check->recipient, check->helo);
}

/* smtpd_check_printable - control characters become spaces */
static void
smtpd_check_printable(BUF *text)
{
    for (char *cp = buf_str(text); *cp != 0; cp++)
        if ((unsigned char) *cp < ' ' || *cp == 0x7f)
            *cp = ' ';
}

/* smtpd_check_reply_ok - a code 400-599 and a valid status code, else
 * warn and say "Service unavailable" */
static void
smtpd_check_reply_ok(BUF *reply, int code)
{
    if (code < 400 || code > 599) {
        msg_warn("SMTP reply code configuration error: %s", buf_str(reply));
        buf_strcpy(reply, "450 4.7.1 Service unavailable");
    }
    if (dsn_valid(buf_str(reply) + 4) == 0) {
        msg_warn("DSN detail code configuration error: %s", buf_str(reply));
        buf_strcpy(reply, "450 4.7.1 Service unavailable");
    }
}

static int smtpd_check_vreject(SMTPD_CHECK *, int, int, const char *,
                               const char *, va_list) MSG_PRINTF(5, 0);

/* smtpd_check_vreject - format, check and log a refusal */
static int
smtpd_check_vreject(SMTPD_CHECK *check, int class, int code,
                    const char *dsn, const char *fmt, va_list ap)
{
    bool    warn = check->warn_if_reject && !(class & SMTPD_ERR_HARD);
    BUF    *reply = check->reply;
    SMTPD_DEFER *dir = &check->defer_if_reject;

    buf_sprintf(reply, "%d %s ", code, dsn);
    buf_vsprintf_append(reply, fmt, ap);
    smtpd_check_reply_ok(reply, code);
    if (buf_len(reply) > SMTPD_REPLY_MAX)
        buf_truncate(reply, SMTPD_REPLY_MAX);
    smtpd_check_printable(reply);
    if (!warn && dir->active && buf_str(reply)[0] == '5') {
        check->warn_if_reject = 0;
        dir->active = false;
        return smtpd_check_reject(check, dir->class, dir->code, dir->dsn,
                                  "%s", buf_str(dir->reason));
    }
    if (var_soft_bounce && buf_str(reply)[0] == '5')
        buf_str(reply)[0] = '4';
    buf_str(reply)[4] = buf_str(reply)[0];
    smtpd_check_log(check, warn ? "reject_warning" : "reject",
                    buf_str(reply));
    return warn ? SMTPD_CHECK_DUNNO : SMTPD_CHECK_REJECT;
}

/* smtpd_check_reject - refuse: "CODE DSN text" into check->reply, logged;
 * REJECT, or DUNNO when warn_if_reject made it a warning */
int
smtpd_check_reject(SMTPD_CHECK *check, int class, int code, const char *dsn,
                   const char *fmt, ...)
{
    va_list ap;
    int     status;

    va_start(ap, fmt);
    status = smtpd_check_vreject(check, class, code, dsn, fmt, ap);
    va_end(ap);
    return status;
}

/* smtpd_check_defer_if - remember the first reason for a deferral */
void
smtpd_check_defer_if(SMTPD_DEFER *defer, int class, int code,
                     const char *dsn, const char *fmt, ...)
{
    va_list ap;

    if (defer->active)
        return;
    defer->active = true;
    defer->class = class;
    defer->code = code;
    snprintf(defer->dsn, sizeof(defer->dsn), "%s", dsn);
    if (defer->reason == NULL)
        defer->reason = buf_alloc(100);
    buf_reset(defer->reason);
    va_start(ap, fmt);
    buf_vsprintf_append(defer->reason, fmt, ap);
    va_end(ap);
}

/* smtpd_check_defer_if_permit - defer_if_permit, or under warn_if_reject
 * the warning right away; DUNNO */
int
smtpd_check_defer_if_permit(SMTPD_CHECK *check, int class, int code,
                            const char *dsn, const char *fmt, ...)
{
    va_list ap;
    int     status = SMTPD_CHECK_DUNNO;

    va_start(ap, fmt);
    if (check->warn_if_reject == 0) {
        BUF    *text = buf_alloc(100);

        buf_vsprintf_append(text, fmt, ap);
        smtpd_check_defer_if(&check->defer_if_permit, class, code, dsn,
                             "%s", buf_str(text));
        buf_free(text);
    } else {
        status = smtpd_check_vreject(check, class, code, dsn, fmt, ap);
    }
    va_end(ap);
    return status;
}

/* smtpd_check_server_error - a configuration mistake: 451 4.3.5 */
int
smtpd_check_server_error(SMTPD_CHECK *check)
{
    return smtpd_check_reject(check, SMTPD_ERR_SOFTWARE, 451, "4.3.5",
                              "Server configuration error");
}

/* smtpd_check_dict_retry - a table or resolver failed: 451 4.3.0 */
int
smtpd_check_dict_retry(SMTPD_CHECK *check, const char *name)
{
    return smtpd_check_reject(check, SMTPD_ERR_DATA, 451, "4.3.0",
                              "<%s>: Temporary lookup failure", name);
}

/* Sender and recipient versions of address status codes (the last digit
 * of X.1.N). */
static const struct {
    char    micro;
    const char *sender;
    const char *rcpt;
}       smtpd_dsn_map[] = {
    {'1', "4.1.0", "4.1.1"}, {'2', "4.1.8", "4.1.2"},
    {'3', "4.1.7", "4.1.3"}, {'4', "4.1.0", "4.1.4"},
    {'5', "4.1.0", "4.1.5"}, {'6', "4.1.0", "4.1.6"},
    {'7', "4.1.7", "4.1.3"}, {'8', "4.1.8", "4.1.2"},
};

/* smtpd_dsn_fix - an address status code as what is refused needs it:
 * the sender or recipient form, "4.0.0" for anything else (logged as
 * Postfix does); other codes as they are. The class digit is set later,
 * from the reply code. */
const char *
smtpd_dsn_fix(const char *status, const char *reply_class)
{
    const char *result = "4.1.0";
    bool    sender = strcmp(reply_class, SMTPD_NAME_SENDER) == 0;

    if (strncmp(status + 1, ".1.", 3) != 0)
        return status;
    if (!sender && strcmp(reply_class, SMTPD_NAME_RECIPIENT) != 0) {
        result = "4.0.0";
    } else if (strlen(status + 4) == 1) {
        for (size_t i = 0; i < sizeof(smtpd_dsn_map) / sizeof(smtpd_dsn_map[0]);
             i++)
            if (smtpd_dsn_map[i].micro == status[4])
                result = sender ? smtpd_dsn_map[i].sender
                    : smtpd_dsn_map[i].rcpt;
    }
    if (strcmp(status + 2, result + 2) != 0)
        msg_info("mapping DSN status %s into %s status %c%s", status,
                 reply_class, status[0], result + 1);
    return result;
}
