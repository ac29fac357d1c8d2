/* smtpd_etrn - ETRN domain (RFC 1985): deliver a site's queued mail now.
 *
 * Model: Debian's Postfix 3.7 smtpd, observed on the wire (docs/flush.md):
 *   503 Error: MAIL transaction in progress   (first)
 *   500 Syntax: ETRN domain                   no argument, or more than one
 *   501 Error: invalid parameter syntax       not a host name or an
 *                                             address literal ("[ip]"); a
 *                                             leading '@' or '#' is dropped
 * then, in stand-alone mode (sendmail -bs, not as mail_owner), as in
 * Postfix, "warning: do not use ETRN in "sendmail -bs" mode" and
 *   458 Unable to queue messages
 * otherwise smtpd_etrn_restrictions (their refusal), then, when the domain
 * matches $fast_flush_domains (checked here first, as Postfix's client
 * does, so that other domains cost no connection; the service checks
 * again), a send_site request to the fast flush service (flush_clnt.h):
 *   250 Queuing started                       the service took the request
 *   459 <domain>: service unavailable         not eligible; logged as
 *                                             "warning: reject: ETRN
 *                                             domain... from name[addr]"
 *   458 Unable to queue messages              a malformed request ("bad
 *                                             ETRN ..."), or the service
 *                                             cannot be reached ("unable
 *                                             to talk to fast flush
 *                                             service")
 * Postfix sends these without enhanced status codes. It asks for HELO
 * first only with smtpd_helo_required = yes, which Postern does not have
 * yet (the default, no, is what Postern does). */
#include <string.h>

#include "flush_clnt.h"
#include "mail_params.h"
#include "msg.h"
#include "mymalloc.h"
#include "smtpd.h"
#include "valid_hostname.h"

/* smtpd_etrn_literal - "[address]" */
static bool
smtpd_etrn_literal(const char *name)
{
    size_t  len = strlen(name);
    char   *addr;
    bool    ok;

    if (len < 3 || name[0] != '[' || name[len - 1] != ']')
        return false;
    addr = mystrndup(name + 1, len - 2);
    ok = valid_mailhost_addr(addr);
    myfree(addr);
    return ok;
}

/* smtpd_etrn_eligible - whether domain matches $fast_flush_domains: 1
 * yes, 0 no, -1 the list is broken or a table failed (logged) */
static int
smtpd_etrn_eligible(SMTPD_STATE *state, const char *domain)
{
    static MATCH_LIST *list;
    int     status;

    if (list == NULL
        && (list = match_list_create("fast_flush_domains", MATCH_DOMAIN,
                                     var_fast_flush_domains,
                                     MATCH_FLAG_PARENT_STYLE,
                                     state->why)) == NULL) {
        msg_warn("%s", buf_str(state->why));
        return -1;
    }
    if ((status = match_list_match(list, domain, NULL, state->why)) < 0)
        msg_warn("fast_flush_domains: %s", buf_str(state->why));
    return status;
}

/* smtpd_etrn_flush - ask the flush service; the reply */
static int
smtpd_etrn_flush(SMTPD_STATE *state, const char *domain)
{
    BUF    *path = buf_alloc(100);
    int     status;

    buf_sprintf(path, "public/%s", var_flush_service_name);
    switch (smtpd_etrn_eligible(state, domain)) {
    case 0:
        status = FLUSH_STAT_DENY;
        break;
    case 1:
        status = flush_send_site(buf_str(path), domain,
                                 state->settings->ipc_timeout, state->why);
        break;
    default:
        status = FLUSH_STAT_FAIL;
        break;
    }
    buf_free(path);
    switch (status) {
    case FLUSH_STAT_OK:
        smtpd_reply(state, "250 Queuing started");
        return 0;
    case FLUSH_STAT_DENY:
        msg_warn("reject: ETRN %.100s... from %s", domain, state->namaddr);
        smtpd_reply(state, "459 <%s>: service unavailable", domain);
        return -1;
    case FLUSH_STAT_BAD:
        msg_warn("bad ETRN %.100s... from %s", domain, state->namaddr);
        smtpd_reply(state, "458 Unable to queue messages");
        return -1;
    default:
        if (msg_verbose && status == FLUSH_STAT_FAIL)
            msg_info("%s", buf_str(state->why));
        msg_warn("unable to talk to fast flush service");
        smtpd_reply(state, "458 Unable to queue messages");
        return -1;
    }
}

/* smtpd_etrn - ETRN domain */
int
smtpd_etrn(SMTPD_STATE *state, char *args)
{
    const char *err;

    if (state->sender != NULL) {
        smtpd_reply(state, "503 Error: MAIL transaction in progress");
        return -1;
    }
    if (*args == 0 || strpbrk(args, " \t") != NULL) {
        smtpd_reply(state, "500 Syntax: ETRN domain");
        return -1;
    }
    if (*args == '@' || *args == '#')
        args++;
    if (!valid_hostname(args, false) && !smtpd_etrn_literal(args)) {
        smtpd_reply(state, "501 Error: invalid parameter syntax");
        return -1;
    }
    if (state->standalone) {
        msg_warn("do not use ETRN in \"sendmail -bs\" mode");
        smtpd_reply(state, "458 Unable to queue messages");
        return -1;
    }
    if ((err = smtpd_check_etrn(state, args)) != NULL) {
        smtpd_check_refusal(state, err);
        return -1;
    }
    return smtpd_etrn_flush(state, args);
}
