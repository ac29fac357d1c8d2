/* smtpd_check_verify - reject_unverified_recipient and
 * reject_unverified_sender: ask the verify service (verify_clnt.h).
 *
 * Model: Postfix 3.7's reject_unverified_address(), observed on Debian's
 * Postfix 3.7 (docs/verify.md). The service is asked up to
 * $address_verify_poll_count times, $address_verify_poll_delay apart,
 * while the answer is "to do" (a probe is under way). Then:
 *   - deliverable: DUNNO;
 *   - to do or deferred: $unverified_*_defer_code with "<ADDR>: CLASS
 *     rejected: unverified address: TEXT";
 *   - undeliverable: $unverified_*_reject_code, with "unverified
 *     address" for a 4XX code and "undeliverable address" for a 5XX one;
 *   - the service cannot be reached: 450 "address verification
 *     problem" after "verify service failure".
 * A non-empty $unverified_*_reject_reason replaces TEXT. 4XX verdicts
 * follow $unverified_*_tempfail_action: defer_if_permit (the default,
 * from $reject_tempfail_action) holds them back as defer_if_permit does
 * (unless under warn_if_reject), defer applies them at once. The
 * enhanced status is X.1.1 for a recipient, X.1.7 for a sender. The
 * null sender and an empty recipient are not checked. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mail_params.h"
#include "msg.h"
#include "smtpd_check.h"
#include "verify_clnt.h"

/* What one of the two restrictions uses. */
typedef struct SMTPD_VRFY {
    const char *reply_class;            /* SMTPD_NAME_* */
    char    detail;                     /* '1' (recipient), '7' (sender) */
    int    *defer_code;
    int    *reject_code;
    char  **reason;                     /* replaces the service's text */
    char  **tempfail_action;
} SMTPD_VRFY;

static const SMTPD_VRFY smtpd_vrfy_rcpt = {
    SMTPD_NAME_RECIPIENT, '1', &var_unverified_recipient_defer_code,
    &var_unverified_recipient_reject_code,
    &var_unverified_recipient_reject_reason,
    &var_unverified_recipient_tempfail_action,
};

static const SMTPD_VRFY smtpd_vrfy_sender = {
    SMTPD_NAME_SENDER, '7', &var_unverified_sender_defer_code,
    &var_unverified_sender_reject_code,
    &var_unverified_sender_reject_reason,
    &var_unverified_sender_tempfail_action,
};

/* smtpd_vrfy_query - ask, and ask again while a probe is under way */
static int
smtpd_vrfy_query(const char *addr, int *addr_status, BUF *text)
{
    int     status;

    for (int count = 1;; count++) {
        status = verify_clnt_query(addr, addr_status, text);
        if (status != VRFY_STAT_OK || *addr_status != VRFY_ADDR_TODO
            || count >= var_address_verify_poll_count)
            return status;
        sleep((unsigned) var_address_verify_poll_delay);
    }
}

/* smtpd_vrfy_verdict - a refusal: 4XX per the tempfail action, else at
 * once */
static int
smtpd_vrfy_verdict(SMTPD_CHECK *check, const char *addr,
                   const SMTPD_VRFY *v, int code, const char *what,
                   const char *text)
{
    char    dsn[DSN_STATUS_SIZE];
    BUF    *msg = buf_alloc(100);
    int     status;

    snprintf(dsn, sizeof(dsn), "%c.1.%c", code >= 500 ? '5' : '4',
             v->detail);
    buf_sprintf(msg, "<%s>: %s rejected: %s", addr, v->reply_class, what);
    if (text)
        buf_sprintf_append(msg, ": %.250s", text);
    if (code / 100 == 4 && strcmp(*v->tempfail_action, "defer") != 0) {
        if (strcmp(*v->tempfail_action, "defer_if_permit") != 0)
            msg_warn("unknown tempfail action \"%s\": using "
                     "defer_if_permit", *v->tempfail_action);
        status = smtpd_check_defer_if_permit(check, SMTPD_ERR_POLICY, code,
                                             dsn, "%s", buf_str(msg));
    } else {
        status = smtpd_check_reject(check, SMTPD_ERR_POLICY, code, dsn, "%s",
                                    buf_str(msg));
    }
    buf_free(msg);
    return status;
}

/* smtpd_vrfy_code - the reply code for an address status (0: none) */
static int
smtpd_vrfy_code(const SMTPD_VRFY *v, int addr_status)
{
    switch (addr_status) {
    case VRFY_ADDR_OK:
        return 0;
    case VRFY_ADDR_TODO:
    case VRFY_ADDR_DEFER:
        return *v->defer_code;
    case VRFY_ADDR_BOUNCE:
        return *v->reject_code;
    default:
        msg_warn("unknown address verification status %d", addr_status);
        return 0;
    }
}

/* smtpd_unverified - the common part; no address: DUNNO */
static int
smtpd_unverified(SMTPD_CHECK *check, const char *addr, const SMTPD_VRFY *v)
{
    BUF    *text;
    int     addr_status = VRFY_ADDR_TODO;
    int     code;
    int     status = SMTPD_CHECK_DUNNO;

    if (addr == NULL || *addr == 0)
        return SMTPD_CHECK_DUNNO;
    text = buf_alloc(100);
    if (smtpd_vrfy_query(addr, &addr_status, text) != VRFY_STAT_OK) {
        msg_warn("%s service failure", var_address_verify_service_name);
        status = smtpd_vrfy_verdict(check, addr, v, 450,
                                    "address verification problem", NULL);
    } else if ((code = smtpd_vrfy_code(v, addr_status)) >= 400) {
        if (**v->reason)
            buf_strcpy(text, *v->reason);
        status = smtpd_vrfy_verdict(check, addr, v, code, code < 500 ?
                                    "unverified address" :
                                    "undeliverable address", buf_str(text));
    }
    buf_free(text);
    return status;
}

/* smtpd_check_unverified_rcpt - reject_unverified_recipient */
int
smtpd_check_unverified_rcpt(SMTPD_CHECK *check, const char *unused)
{
    return smtpd_unverified(check, check->recipient, &smtpd_vrfy_rcpt);
}

/* smtpd_check_unverified_sender - reject_unverified_sender */
int
smtpd_check_unverified_sender(SMTPD_CHECK *check, const char *unused)
{
    return smtpd_unverified(check, check->sender, &smtpd_vrfy_sender);
}
