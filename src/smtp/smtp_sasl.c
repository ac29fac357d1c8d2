/* smtp_sasl - SASL authentication of the SMTP/LMTP client (AUTH, RFC
 * 4954), as Postfix's smtp(8) with smtp_sasl_auth_enable = yes, but with
 * the two mechanisms a relay needs implemented here (PLAIN, RFC 4616, and
 * LOGIN) instead of through Cyrus SASL.
 *
 * After EHLO, when the server offers AUTH and smtp_sasl_password_maps
 * has "user:password" for it, the client authenticates before MAIL FROM.
 * The lookup keys, in the order Postfix 3.7 was observed to use them:
 * the sender (smtp_sender_dependent_authentication; full address, then
 * @domain), the server's host name (for an address literal: the address
 * as text, e.g. "127.0.0.1"), then the next hop as written (e.g.
 * "[relay.example]:587"). No credentials, or no AUTH offered: the mail
 * goes without authentication (as Postfix).
 *
 * The mechanism: PLAIN (with the initial response), else LOGIN, among
 * those the server offers and smtp_sasl_mechanism_filter lets through,
 * and only when smtp_sasl_security_options (smtp_sasl_tls_security_options
 * in a TLS session) allow plaintext ones: noplaintext, noactive,
 * nodictionary and mutual_auth each exclude both (as Cyrus SASL's plugins
 * do), noanonymous excludes neither. Failures, in Postfix's words:
 *   no mechanism   warning: SASL authentication failure: No worthy mechs
 *                  found; 4.7.0 "SASL authentication failed; cannot
 *                  authenticate to server HOST[ADDR]: no mechanism
 *                  available"
 *   refused        "SASL authentication failed; server HOST[ADDR] said:
 *                  535 ...", the reply's status; 5xx becomes 4xx with
 *                  smtp_sasl_auth_soft_bounce = yes (default)
 * Either way the session ends (QUIT) and the next server is tried.
 * Peers: smtp_session.c (the caller), maps, match_list, base64. */
#include <string.h>
#include <strings.h>

#include "argv.h"
#include "base64.h"
#include "maps.h"
#include "maps_addr.h"
#include "match_list.h"
#include "msg.h"
#include "mymalloc.h"
#include "smtp.h"

static MAPS *smtp_sasl_passwd;          /* NULL: SASL off */
static MATCH_LIST *smtp_sasl_filter;    /* NULL: no filter */
static bool smtp_sasl_plain_ok;         /* plaintext mechanisms allowed */
static bool smtp_sasl_tls_plain_ok;     /* the same in a TLS session */

/* smtp_sasl_param - the parameter name of the personality */
static const char *
smtp_sasl_param(const char *name)
{
    static BUF *bp;

    if (bp == NULL)
        bp = buf_alloc(50);
    buf_sprintf(bp, "%s_%s", smtp_conf.proto, name);
    return buf_str(bp);
}

/* smtp_sasl_options - whether a security option list allows plaintext
 * mechanisms; an unknown option is fatal (as Postfix) */
static bool
smtp_sasl_options(const char *name, const char *value)
{
    static const char *const known[] = {
        "noanonymous", "noplaintext", "noactive", "nodictionary",
        "mutual_auth",
    };
    ARGV   *words = argv_split(value, ", \t\r\n");
    bool    plain_ok = true;
    size_t  i;

    for (int w = 0; w < words->argc; w++) {
        for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
            if (strcasecmp(words->argv[w], known[i]) == 0)
                break;
        if (i == sizeof(known) / sizeof(known[0]))
            msg_fatal("unknown %s value \"%s\" in \"%s\"",
                      smtp_sasl_param(name), words->argv[w], value);
        if (i > 0)                      /* all but noanonymous */
            plain_ok = false;
    }
    argv_free(words);
    return plain_ok;
}

/* smtp_sasl_init - the settings (smtp.h) */
void
smtp_sasl_init(void)
{
    BUF    *why = buf_alloc(100);

    if (!smtp_conf.sasl_enable)
        return;
    smtp_sasl_plain_ok = smtp_sasl_options("sasl_security_options",
                                           smtp_conf.sasl_sec_opts);
    smtp_sasl_tls_plain_ok = smtp_sasl_options("sasl_tls_security_options",
                                               smtp_conf.sasl_tls_sec_opts);
    smtp_sasl_passwd = maps_create(smtp_sasl_param("sasl_password_maps"),
                                   smtp_conf.sasl_passwd_maps, 0);
    if (*smtp_conf.sasl_mech_filter
        && (smtp_sasl_filter = match_list_create(
                 smtp_sasl_param("sasl_mechanism_filter"), MATCH_STRING,
                 smtp_conf.sasl_mech_filter, 0, why)) == NULL)
        msg_fatal("%s", buf_str(why));
    buf_free(why);
}

/* smtp_sasl_lookup - the credentials for this session: the value, NULL
 * (none), or NULL with smtp_sasl_passwd->error set */
static const char *
smtp_sasl_lookup(const SMTP_STATE *state)
{
    const char *sender = state->req->sender;
    const char *keys[] = {state->addr->name, state->dest};
    const char *value = NULL;

    if (smtp_conf.sender_auth && *sender)
        value = maps_find_addr(smtp_sasl_passwd, sender, 0, NULL);
    for (size_t i = 0; value == NULL && smtp_sasl_passwd->error == 0
         && i < sizeof(keys) / sizeof(keys[0]); i++)
        if (keys[i] && *keys[i])
            value = maps_find(smtp_sasl_passwd, keys[i], 0);
    return value;
}

/* smtp_sasl_offered - whether the server offers a mechanism and the
 * filter and security options let it through */
static bool
smtp_sasl_offered(const SMTP_STATE *state, const char *mech)
{
    ARGV   *offered = argv_split(buf_str(state->auth_mechs), " \t");
    bool    found = false;

    for (int i = 0; i < offered->argc && !found; i++)
        found = strcasecmp(offered->argv[i], mech) == 0;
    argv_free(offered);
    if (found && smtp_sasl_filter)
        found = match_list_match(smtp_sasl_filter, mech, NULL, NULL) > 0;
    return found && (state->tls_active ? smtp_sasl_tls_plain_ok :
                     smtp_sasl_plain_ok);
}

/* smtp_sasl_step - send text base64-encoded after prefix ("" for a
 * bare response), read the reply; SMTP_REPLY_* */
static int
smtp_sasl_step(SMTP_STATE *state, const char *prefix, const char *text,
               size_t len)
{
    BUF    *cmd = buf_alloc(100);
    int     status;

    buf_strcpy(cmd, prefix);
    base64_encode(cmd, text, len);
    status = smtp_chat(state, buf_str(cmd), smtp_conf.helo_timeout);
    buf_free(cmd);
    return status;
}

/* smtp_sasl_plain - AUTH PLAIN with the initial response */
static int
smtp_sasl_plain(SMTP_STATE *state, const char *user, const char *pass)
{
    BUF    *resp = buf_alloc(100);
    int     status;

    buf_addch(resp, 0);
    buf_strcat(resp, user);
    buf_addch(resp, 0);
    buf_strcat(resp, pass);
    status = smtp_sasl_step(state, "AUTH PLAIN ", buf_str(resp),
                            buf_len(resp));
    buf_free(resp);
    return status;
}

/* smtp_sasl_login - AUTH LOGIN: the user name and the password, each
 * after a 334 challenge */
static int
smtp_sasl_login(SMTP_STATE *state, const char *user, const char *pass)
{
    int     status;

    if ((status = smtp_chat(state, "AUTH LOGIN", smtp_conf.helo_timeout))
        != SMTP_REPLY_OK || state->reply->code != 334)
        return status;
    if ((status = smtp_sasl_step(state, "", user, strlen(user)))
        != SMTP_REPLY_OK || state->reply->code != 334)
        return status;
    return smtp_sasl_step(state, "", pass, strlen(pass));
}

/* smtp_sasl_refused - the server refused: Postfix's text, a permanent
 * refusal soft with smtp_sasl_auth_soft_bounce */
static int
smtp_sasl_refused(SMTP_STATE *state)
{
    SMTP_REPLY *reply = state->reply;

    if (smtp_conf.sasl_soft_bounce && reply->status[0] == '5')
        reply->status[0] = '4';
    return smtp_session_reply_fail(state, "SASL authentication failed; "
                                   "server %s said: %s",
                                   buf_str(state->namaddr),
                                   buf_str(reply->text));
}

/* smtp_sasl_run - authenticate with user:pass from value */
static int
smtp_sasl_run(SMTP_STATE *state, const char *value)
{
    const char *colon = strchr(value, ':');
    char   *user = colon ? mystrndup(value, (size_t) (colon - value))
        : mystrdup(value);
    const char *pass = colon ? colon + 1 : "";
    int     status;

    if (smtp_sasl_offered(state, "PLAIN")) {
        status = smtp_sasl_plain(state, user, pass);
    } else if (smtp_sasl_offered(state, "LOGIN")) {
        status = smtp_sasl_login(state, user, pass);
    } else {
        myfree(user);
        msg_warn("SASL authentication failure: No worthy mechs found");
        dsb_simple(state->dsb, "4.7.0", "SASL authentication failed; cannot "
                   "authenticate to server %s: no mechanism available",
                   buf_str(state->namaddr));
        return -1;
    }
    myfree(user);
    if (status != SMTP_REPLY_OK)
        return smtp_session_io_fail(state, status,
                                    "performing the SASL authentication");
    return state->reply->code == 235 ? 0 : smtp_sasl_refused(state);
}

/* smtp_sasl_auth - authenticate if this session should (smtp.h) */
int
smtp_sasl_auth(SMTP_STATE *state)
{
    const char *value;

    if (smtp_sasl_passwd == NULL || !(state->features & SMTP_FEAT_AUTH))
        return 0;
    if ((value = smtp_sasl_lookup(state)) != NULL)
        return smtp_sasl_run(state, value);
    if (smtp_sasl_passwd->error == 0)
        return 0;
    msg_warn("%s: %s lookup error", state->req->queue_id,
             smtp_sasl_passwd->title);
    dsb_simple(state->dsb, "4.3.0", "%s lookup error",
               smtp_sasl_passwd->title);
    return -1;
}
