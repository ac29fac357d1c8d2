/* smtpd_check - the restriction engine.
 *
 * Each smtpd_*_restrictions parameter is a list of restriction names,
 * tried left to right; each says "permit" (the list is done), "reject"
 * (with a reply), or nothing (go on). As with smtpd_delay_reject = yes,
 * all lists run at RCPT time for each recipient, in the order client,
 * helo, sender, relay, recipient; a reject from any of them refuses the
 * recipient. A restriction is one entry of smtpd_check_table: later
 * increments add entries (access maps, DNS lists, policy service) and
 * nothing else. Unknown names are refused when the lists are parsed.
 *
 * Replies and codes are Postfix's (reject_code 554, defer_code 450,
 * relay_domains_reject_code 554, "Relay access denied"). */
#include <string.h>

#include "msg.h"
#include "quote_822_local.h"
#include "smtpd.h"

/* What one restriction decided. */
typedef enum {
    SMTPD_CHECK_DUNNO, SMTPD_CHECK_OK, SMTPD_CHECK_REJECT,
} SMTPD_CHECK_RESULT;

/* The request under evaluation. */
typedef struct SMTPD_CHECK {
    SMTPD_STATE *state;
    SMTPD_LIST_ID list;
    const char *rcpt;                   /* internal form */
    const char *rcpt_ext;               /* external form, for replies */
    BUF    *reply;
} SMTPD_CHECK;

typedef SMTPD_CHECK_RESULT (*SMTPD_CHECK_FN) (SMTPD_CHECK *check);

/* smtpd_check_denied - "CODE DSN <what>: Xxx rejected: Access denied" */
static SMTPD_CHECK_RESULT
smtpd_check_denied(SMTPD_CHECK *check, int code, const char *dsn)
{
    SMTPD_STATE *state = check->state;
    BUF    *sender = buf_alloc(100);

    buf_sprintf(check->reply, "%d %s ", code, dsn);
    switch (check->list) {
    case SMTPD_LIST_CLIENT:
        buf_sprintf_append(check->reply, "<%s>: Client host rejected",
                           state->namaddr);
        break;
    case SMTPD_LIST_HELO:
        buf_sprintf_append(check->reply, "<%s>: Helo command rejected",
                           state->helo_name ? state->helo_name : "");
        break;
    case SMTPD_LIST_SENDER:
        quote_822_local(sender, state->sender);
        buf_sprintf_append(check->reply, "<%s>: Sender address rejected",
                           buf_str(sender));
        break;
    default:
        buf_sprintf_append(check->reply, "<%s>: Recipient address rejected",
                           check->rcpt_ext);
        break;
    }
    buf_strcat(check->reply, ": Access denied");
    buf_free(sender);
    return SMTPD_CHECK_REJECT;
}

/* smtpd_check_permit - permit */
static SMTPD_CHECK_RESULT
smtpd_check_permit(SMTPD_CHECK *check)
{
    (void) check;
    return SMTPD_CHECK_OK;
}

/* smtpd_check_reject - reject */
static SMTPD_CHECK_RESULT
smtpd_check_reject(SMTPD_CHECK *check)
{
    return smtpd_check_denied(check, 554, "5.7.1");
}

/* smtpd_check_defer - defer */
static SMTPD_CHECK_RESULT
smtpd_check_defer(SMTPD_CHECK *check)
{
    return smtpd_check_denied(check, 450, "4.7.1");
}

/* smtpd_check_mynetworks - permit_mynetworks */
static SMTPD_CHECK_RESULT
smtpd_check_mynetworks(SMTPD_CHECK *check)
{
    SMTPD_STATE *state = check->state;
    int     found = match_list_match(state->settings->mynetworks,
                                     state->name, state->addr, state->why);

    if (found < 0)
        msg_warn("%s", buf_str(state->why));
    return found > 0 ? SMTPD_CHECK_OK : SMTPD_CHECK_DUNNO;
}

/* smtpd_check_sasl - permit_sasl_authenticated (no AUTH yet) */
static SMTPD_CHECK_RESULT
smtpd_check_sasl(SMTPD_CHECK *check)
{
    (void) check;
    return SMTPD_CHECK_DUNNO;
}

/* smtpd_check_auth_dest - whether the recipient is ours or a relay
 * destination (trivial-rewrite's class is not "default"); -1 when the
 * question cannot be answered now */
static int
smtpd_check_auth_dest(SMTPD_CHECK *check)
{
    SMTPD_STATE *state = check->state;
    RESOLVE_REPLY reply;
    int     ret;

    resolve_reply_init(&reply);
    if (resolve_clnt_query(state->settings->resolve, state->sender,
                           check->rcpt, &reply, state->why) < 0) {
        msg_warn("%s", buf_str(state->why));
        ret = -1;
    } else if (reply.flags & RESOLVE_FLAG_FAIL) {
        ret = -1;
    } else {
        ret = (reply.flags & RESOLVE_CLASS_MASK) != RESOLVE_CLASS_DEFAULT;
    }
    resolve_reply_free(&reply);
    return ret;
}

/* smtpd_check_unauth - reject/defer_unauth_destination */
static SMTPD_CHECK_RESULT
smtpd_check_unauth(SMTPD_CHECK *check, int code, const char *dsn)
{
    int     auth;

    if (check->list < SMTPD_LIST_RELAY)
        return SMTPD_CHECK_DUNNO;
    if ((auth = smtpd_check_auth_dest(check)) < 0) {
        buf_sprintf(check->reply, "451 4.3.0 <%s>: Temporary lookup failure",
                    check->rcpt_ext);
        return SMTPD_CHECK_REJECT;
    }
    if (auth)
        return SMTPD_CHECK_DUNNO;
    buf_sprintf(check->reply, "%d %s <%s>: Relay access denied", code, dsn,
                check->rcpt_ext);
    return SMTPD_CHECK_REJECT;
}

/* smtpd_check_reject_unauth - reject_unauth_destination */
static SMTPD_CHECK_RESULT
smtpd_check_reject_unauth(SMTPD_CHECK *check)
{
    return smtpd_check_unauth(check, 554, "5.7.1");
}

/* smtpd_check_defer_unauth - defer_unauth_destination */
static SMTPD_CHECK_RESULT
smtpd_check_defer_unauth(SMTPD_CHECK *check)
{
    return smtpd_check_unauth(check, 454, "4.7.1");
}

/* The restrictions by name. */
static const struct {
    const char *name;
    SMTPD_CHECK_FN fn;
}       smtpd_check_table[] = {
    {"permit", smtpd_check_permit},
    {"reject", smtpd_check_reject},
    {"defer", smtpd_check_defer},
    {"permit_mynetworks", smtpd_check_mynetworks},
    {"permit_sasl_authenticated", smtpd_check_sasl},
    {"reject_unauth_destination", smtpd_check_reject_unauth},
    {"defer_unauth_destination", smtpd_check_defer_unauth},
};

#define SMTPD_CHECK_COUNT \
    (sizeof(smtpd_check_table) / sizeof(smtpd_check_table[0]))

/* smtpd_check_find - the function of a restriction name, or NULL */
static SMTPD_CHECK_FN
smtpd_check_find(const char *name)
{
    for (size_t i = 0; i < SMTPD_CHECK_COUNT; i++)
        if (strcasecmp(smtpd_check_table[i].name, name) == 0)
            return smtpd_check_table[i].fn;
    return NULL;
}

/* smtpd_check_parse - split a restriction list; -1 with "unknown smtpd
 * restriction" in why for a name not in the table */
int
smtpd_check_parse(SMTPD_SETTINGS *settings, SMTPD_LIST_ID list,
                  const char *value, BUF *why)
{
    ARGV   *names = argv_split(value, ", \t\r\n");

    for (int i = 0; i < names->argc; i++) {
        if (smtpd_check_find(names->argv[i]) == NULL) {
            buf_sprintf(why, "unknown smtpd restriction: \"%s\"",
                        names->argv[i]);
            argv_free(names);
            return -1;
        }
    }
    settings->restrictions[list] = names;
    return 0;
}

/* smtpd_check_list - one list; the verdict of the first restriction
 * that had one */
static SMTPD_CHECK_RESULT
smtpd_check_list(SMTPD_CHECK *check)
{
    const ARGV *names = check->state->settings->restrictions[check->list];
    SMTPD_CHECK_RESULT result = SMTPD_CHECK_DUNNO;

    for (int i = 0; result == SMTPD_CHECK_DUNNO && i < names->argc; i++)
        result = smtpd_check_find(names->argv[i]) (check);
    return result;
}

/* smtpd_check_rcpt - all lists for one recipient (internal and external
 * form); 0 to accept it, -1 with the SMTP reply in reply */
int
smtpd_check_rcpt(SMTPD_STATE *state, const char *rcpt, const char *ext,
                 BUF *reply)
{
    SMTPD_CHECK check = {.state = state, .rcpt = rcpt, .rcpt_ext = ext,
    .reply = reply};

    for (int list = 0; list < SMTPD_LIST_COUNT; list++) {
        check.list = (SMTPD_LIST_ID) list;
        if (smtpd_check_list(&check) == SMTPD_CHECK_REJECT)
            return -1;
    }
    return 0;
}
