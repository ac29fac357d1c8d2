/* smtpd_anvil - the client limits, counted by the anvil service.
 *
 * Model: Postfix 3.7's smtpd, as Debian's Postfix replies and logs
 * (docs/anvil.md). When any smtpd_client_*_limit is set (the connection
 * count limit is 50 by default), each session reports its client to
 * anvil (anvil_clnt.h) as "SERVICE:ADDRESS", SERVICE being the master.cf
 * service name; at the greeting:
 *   more than smtpd_client_connection_count_limit open connections, or
 *   more than smtpd_client_connection_rate_limit connections per
 *   anvil_rate_time_unit:
 *     "421 4.7.0 $myhostname Error: too many connections from ADDR", and
 *     "warning: Connection concurrency limit exceeded: 51 from
 *     NAME[ADDR] for service smtp" (or "Connection rate limit
 *     exceeded"); the session ends
 * and, only while their limit is set, at each MAIL and RCPT:
 *   "450 4.7.1 Error: too much mail from ADDR" ("Message delivery
 *   request rate limit exceeded: N from ..."), "450 4.7.1 Error: too many
 *   recipients from ADDR" ("Recipient address rate limit exceeded").
 * and at each AUTH, while smtpd_client_auth_rate_limit is set:
 *   "450 4.7.1 Error: too many AUTH commands from ADDR" ("AUTH command
 *   rate limit exceeded: N from ...").
 * and, while smtpd_client_new_tls_session_rate_limit is set, around each
 * TLS handshake (STARTTLS, or at connect in wrapper mode; smtpd_tls.c):
 *   before it, a client already over the limit is refused (smtpd_tls.c
 *   says how); after it, a new (not resumed) session is counted, and
 *   when that takes the client over the limit: "421 4.7.0 $myhostname
 *   Error: too many new TLS sessions from NAME[ADDR]" (through TLS) and
 *   "warning: New TLS session rate limit exceeded: N from ...", and the
 *   session ends.
 * Clients in smtpd_client_event_limit_exceptions
 * ($mynetworks), clients allowed to use XCLIENT and a client on stdin
 * are not counted. When anvil cannot be reached there is no limit (as in
 * Postfix), and a warning; when master.cf has no anvil service (no
 * private/anvil socket when smtpd starts) there are no limits and no
 * warnings (Postfix warns at each session). */
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "anvil_clnt.h"
#include "mail_params.h"
#include "match_list.h"
#include "msg.h"
#include "mymalloc.h"
#include "smtpd.h"

static ANVIL_CLNT *smtpd_anvil_clnt;    /* NULL: no limits */
static MATCH_LIST *smtpd_anvil_exceptions;

/* smtpd_anvil_init - the client, when there is a limit to enforce */
void
smtpd_anvil_init(void)
{
    BUF    *why;

    if (var_smtpd_client_connection_count_limit <= 0
        && var_smtpd_client_connection_rate_limit <= 0
        && var_smtpd_client_message_rate_limit <= 0
        && var_smtpd_client_recipient_rate_limit <= 0
        && var_smtpd_client_new_tls_session_rate_limit <= 0
        && var_smtpd_client_auth_rate_limit <= 0)
        return;
    if (access(ANVIL_SERVICE, F_OK) < 0)
        return;
    why = buf_alloc(100);
    smtpd_anvil_exceptions =
        match_list_create("smtpd_client_event_limit_exceptions",
                          MATCH_NAMADR, var_smtpd_client_event_limit_exceptions,
                          MATCH_FLAG_PARENT_STYLE, why);
    if (smtpd_anvil_exceptions == NULL)
        msg_fatal("%s", buf_str(why));
    smtpd_anvil_clnt = anvil_clnt_create(ANVIL_SERVICE, var_ipc_timeout);
    buf_free(why);
}

/* smtpd_anvil_network - whether the client came over the network */
static bool
smtpd_anvil_network(SMTPD_STATE *state)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);

    return getpeername(stream_fd(state->client), (struct sockaddr *) &ss,
                       &len) == 0
        && (ss.ss_family == AF_INET || ss.ss_family == AF_INET6);
}

/* smtpd_anvil_counted - whether limits apply to the client */
static bool
smtpd_anvil_counted(SMTPD_STATE *state)
{
    return smtpd_anvil_clnt != NULL && !state->xclient_ok
        && smtpd_anvil_network(state)
        && match_list_match(smtpd_anvil_exceptions, state->name,
                            state->addr, state->why) == 0;
}

/* smtpd_anvil_over - log that a limit was exceeded */
static void
smtpd_anvil_over(SMTPD_STATE *state, const char *what, int value)
{
    msg_warn("%s limit exceeded: %d from %s for service %s", what, value,
             state->namaddr, state->service);
}

/* smtpd_anvil_refuse - the 421 that ends the session */
static int
smtpd_anvil_refuse(SMTPD_STATE *state, const char *what, int value)
{
    smtpd_anvil_over(state, what, value);
    smtpd_reply(state, "421 4.7.0 %s Error: too many connections from %s",
                state->settings->myhostname, state->addr);
    state->quit = true;
    return -1;
}

/* smtpd_anvil_connect - count the connection; 0, or -1 after the 421 */
int
smtpd_anvil_connect(SMTPD_STATE *state)
{
    int     count, rate;

    smtpd_anvil_disconnect(state);              /* XCLIENT: a new client */
    if (!smtpd_anvil_counted(state))
        return 0;
    if (anvil_clnt_connect(smtpd_anvil_clnt, state->service, state->addr,
                           &count, &rate, state->why) != ANVIL_STAT_OK) {
        msg_warn("%s", buf_str(state->why));
        return 0;
    }
    state->anvil_addr = mystrdup(state->addr);
    if (var_smtpd_client_connection_count_limit > 0
        && count > var_smtpd_client_connection_count_limit)
        return smtpd_anvil_refuse(state, "Connection concurrency", count);
    if (var_smtpd_client_connection_rate_limit > 0
        && rate > var_smtpd_client_connection_rate_limit)
        return smtpd_anvil_refuse(state, "Connection rate", rate);
    return 0;
}

/* smtpd_anvil_disconnect - the counted client went away */
void
smtpd_anvil_disconnect(SMTPD_STATE *state)
{
    if (state->anvil_addr == NULL)
        return;
    if (anvil_clnt_disconnect(smtpd_anvil_clnt, state->service,
                              state->anvil_addr, state->why) != ANVIL_STAT_OK)
        msg_warn("%s", buf_str(state->why));
    myfree(state->anvil_addr);
    state->anvil_addr = NULL;
}

/* smtpd_anvil_rate - ask anvil (request counts an event, or only reads
 * the rate): the rate when it is over limit, else 0 */
static int
smtpd_anvil_rate(SMTPD_STATE *state, const char *request, int limit)
{
    int     rate;

    if (limit <= 0 || !smtpd_anvil_counted(state))
        return 0;
    if (anvil_clnt_rate(smtpd_anvil_clnt, request, state->service,
                        state->addr, &rate, state->why) != ANVIL_STAT_OK) {
        msg_warn("%s", buf_str(state->why));
        return 0;
    }
    return rate > limit ? rate : 0;
}

/* smtpd_anvil_event - count an event against limit: whether the rate is
 * over it (logged as what) */
static bool
smtpd_anvil_event(SMTPD_STATE *state, const char *request, int limit,
                  const char *what)
{
    int     rate = smtpd_anvil_rate(state, request, limit);

    if (rate == 0)
        return false;
    smtpd_anvil_over(state, what, rate);
    return true;
}

/* smtpd_anvil_mail - a MAIL command; 0, or -1 after "450" */
int
smtpd_anvil_mail(SMTPD_STATE *state)
{
    if (!smtpd_anvil_event(state, ANVIL_REQ_MAIL,
                           var_smtpd_client_message_rate_limit,
                           "Message delivery request rate"))
        return 0;
    smtpd_reply(state, "450 4.7.1 Error: too much mail from %s", state->addr);
    return -1;
}

/* smtpd_anvil_rcpt - a RCPT command; 0, or -1 after "450" */
int
smtpd_anvil_rcpt(SMTPD_STATE *state)
{
    if (!smtpd_anvil_event(state, ANVIL_REQ_RCPT,
                           var_smtpd_client_recipient_rate_limit,
                           "Recipient address rate"))
        return 0;
    smtpd_reply(state, "450 4.7.1 Error: too many recipients from %s",
                state->addr);
    return -1;
}

/* smtpd_anvil_auth - an AUTH command; 0, or -1 after "450" */
int
smtpd_anvil_auth(SMTPD_STATE *state)
{
    if (!smtpd_anvil_event(state, ANVIL_REQ_AUTH,
                           var_smtpd_client_auth_rate_limit,
                           "AUTH command rate"))
        return 0;
    smtpd_reply(state, "450 4.7.1 Error: too many AUTH commands from %s",
                state->addr);
    return -1;
}

/* smtpd_anvil_tls_over - before a TLS handshake: whether the client is
 * already over smtpd_client_new_tls_session_rate_limit (not logged) */
bool
smtpd_anvil_tls_over(SMTPD_STATE *state)
{
    return smtpd_anvil_rate(state, ANVIL_REQ_NTLS_STAT,
                            var_smtpd_client_new_tls_session_rate_limit) > 0;
}

/* smtpd_anvil_tls_new - after a handshake: count a new (not resumed)
 * session; 0, or -1 after the "421" (the session ends) */
int
smtpd_anvil_tls_new(SMTPD_STATE *state, bool reused)
{
    if (reused
        || !smtpd_anvil_event(state, ANVIL_REQ_NTLS,
                              var_smtpd_client_new_tls_session_rate_limit,
                              "New TLS session rate"))
        return 0;
    smtpd_reply(state, "421 4.7.0 %s Error: too many new TLS sessions "
                "from %s", state->settings->myhostname, state->namaddr);
    state->quit = true;
    return -1;
}
