/* smtpd_sasl - AUTH in the SMTP server, through Dovecot's authentication
 * service (smtpd_sasl_type = dovecot; dovecot_auth.h).
 *
 * Model: Postfix 3.7's smtpd with xsasl_dovecot, as Debian's Postfix
 * replies and logs (docs/sasl.md). Each session connects to
 * smtpd_sasl_path and offers those of Dovecot's mechanisms that
 * smtpd_sasl_security_options (smtpd_sasl_tls_security_options once TLS
 * is on) allow; EHLO announces them
 * ("AUTH PLAIN LOGIN", also "AUTH=PLAIN LOGIN" with
 * broken_sasl_auth_clients) unless the client is in
 * smtpd_sasl_exceptions_networks or smtpd_tls_auth_only holds it back.
 * The AUTH exchange: "334 challenge" lines, "*" cancels ("501 5.7.0
 * Authentication aborted"), "235 2.7.0 Authentication successful";
 * failures are logged as "warning: NAME[ADDR]: SASL PLAIN authentication
 * failed: REASON, sasl_username=U" (fail2ban reads them) and answered
 * "535 5.7.8 Error: authentication failed: REASON", or "454 4.7.0
 * Temporary authentication failure: REASON" when Dovecot cannot answer.
 * Unlike Postfix, an unreachable Dovecot at the start of a session is a
 * warning, not a fatal error: the session goes on without AUTH, and
 * AUTH tries to connect again. A successful XCLIENT forgets an AUTH
 * login (and sets its own with LOGIN=); after an XCLIENT login, AUTH is
 * "503 5.5.1 Error: already authenticated", as in Postfix 3.7. MAIL's
 * AUTH= parameter (smtpd_sasl_mail_opt) gives the transaction's
 * sasl_sender. */
#include <stdio.h>
#include <string.h>

#include "base64.h"
#include "dovecot_auth.h"
#include "mail_params.h"
#include "match_list.h"
#include "msg.h"
#include "mymalloc.h"
#include "smtpd.h"
#include "smtpd_tls.h"

struct SMTPD_SASL {
    DOVECOT_AUTH *auth;                 /* NULL: not connected */
    char   *method;                     /* after AUTH: the mechanism */
    char   *username;                   /* after AUTH: who */
};

/* What a security option list allows. */
typedef struct SMTPD_SASL_OPTS {
    int     forbid;                     /* DOVECOT_MECH_* not allowed */
    int     require;                    /* DOVECOT_MECH_* needed */
} SMTPD_SASL_OPTS;

static bool smtpd_sasl_enabled;
static SMTPD_SASL_OPTS smtpd_sasl_opts;
static SMTPD_SASL_OPTS smtpd_sasl_tls_opts;
static MATCH_LIST *smtpd_sasl_exceptions;       /* NULL: none */

#define SMTPD_SASL_UNAVAILABLE  "(reason unavailable)"
#define SMTPD_SASL_REPLIED      (-2)    /* the exchange ended with a reply */

/* smtpd_sasl_parse_opts - a security option list, or a fatal error */
static void
smtpd_sasl_parse_opts(const char *name, const char *value,
                      SMTPD_SASL_OPTS *opts)
{
    static const struct {
        const char *name;
        int     forbid;
        int     require;
    } table[] = {
        {"noanonymous", DOVECOT_MECH_ANONYMOUS, 0},
        {"noplaintext", DOVECOT_MECH_PLAINTEXT, 0},
        {"nodictionary", DOVECOT_MECH_DICTIONARY, 0},
        {"noactive", DOVECOT_MECH_ACTIVE, 0},
        {"mutual_auth", 0, DOVECOT_MECH_MUTUAL},
        {"forward_secrecy", 0, DOVECOT_MECH_FWD_SECRECY},
    };
    ARGV   *words = argv_split(value, ", \t\r\n");
    size_t  j;

    opts->forbid = DOVECOT_MECH_PRIVATE;
    opts->require = 0;
    for (int i = 0; i < words->argc; i++) {
        for (j = 0; j < sizeof(table) / sizeof(table[0]); j++)
            if (strcasecmp(words->argv[i], table[j].name) == 0)
                break;
        if (j == sizeof(table) / sizeof(table[0]))
            msg_fatal("unknown %s value \"%s\" in \"%s\"", name,
                      words->argv[i], value);
        opts->forbid |= table[j].forbid;
        opts->require |= table[j].require;
    }
    argv_free(words);
}

/* smtpd_sasl_post_init - settings */
void
smtpd_sasl_post_init(void)
{
    BUF    *why;

    if (!(smtpd_sasl_enabled = var_smtpd_sasl_auth_enable))
        return;
    if (strcmp(var_smtpd_sasl_type, "dovecot") != 0)
        msg_fatal("unsupported SASL server implementation: %s",
                  var_smtpd_sasl_type);
    smtpd_sasl_parse_opts("smtpd_sasl_security_options",
                          var_smtpd_sasl_security_options, &smtpd_sasl_opts);
    smtpd_sasl_parse_opts("smtpd_sasl_tls_security_options",
                          var_smtpd_sasl_tls_security_options,
                          &smtpd_sasl_tls_opts);
    if (*var_smtpd_sasl_exceptions_networks) {
        why = buf_alloc(100);
        smtpd_sasl_exceptions =
            match_list_create("smtpd_sasl_exceptions_networks", MATCH_NAMADR,
                              var_smtpd_sasl_exceptions_networks,
                              MATCH_FLAG_PARENT_STYLE, why);
        if (smtpd_sasl_exceptions == NULL)
            msg_fatal("%s", buf_str(why));
        buf_free(why);
    }
}

/* smtpd_sasl_disconnect - forget the Dovecot connection */
static void
smtpd_sasl_disconnect(SMTPD_SASL *sasl)
{
    if (sasl->auth != NULL)
        dovecot_auth_close(sasl->auth);
    sasl->auth = NULL;
}

/* smtpd_sasl_connect - connect to Dovecot unless connected; 0, or -1
 * after a warning */
static int
smtpd_sasl_connect(const SMTPD_STATE *state)
{
    SMTPD_SASL *sasl = state->sasl;

    if (sasl->auth != NULL)
        return 0;
    sasl->auth = dovecot_auth_connect(var_smtpd_sasl_path, var_smtpd_timeout,
                                      state->why);
    if (sasl->auth == NULL) {
        msg_warn("SASL: %s", buf_str(state->why));
        return -1;
    }
    return 0;
}

/* smtpd_sasl_mechs - the mechanisms that the security options for this
 * session (TLS or not) allow */
static ARGV *
smtpd_sasl_mechs(const SMTPD_STATE *state)
{
    const SMTPD_SASL_OPTS *opts = state->tls ? &smtpd_sasl_tls_opts
    : &smtpd_sasl_opts;
    DOVECOT_AUTH *auth = state->sasl->auth;
    const DOVECOT_MECH *mech;
    ARGV   *mechs = argv_alloc(4);

    for (int i = 0; auth != NULL && i < dovecot_auth_mech_count(auth); i++) {
        mech = dovecot_auth_mech(auth, i);
        if ((mech->flags & opts->forbid) == 0
            && (mech->flags & opts->require) == opts->require)
            argv_add(mechs, mech->name);
    }
    return mechs;
}

/* smtpd_sasl_logout - forget the login */
static void
smtpd_sasl_logout(SMTPD_SASL *sasl)
{
    if (sasl->method != NULL)
        myfree(sasl->method);
    if (sasl->username != NULL)
        myfree(sasl->username);
    sasl->method = sasl->username = NULL;
}

/* smtpd_sasl_session_start - a new client */
void
smtpd_sasl_session_start(SMTPD_STATE *state)
{
    state->sasl = NULL;
    if (!smtpd_sasl_enabled || state->standalone)
        return;
    state->sasl = mymalloc(sizeof(*state->sasl));
    state->sasl->auth = NULL;
    state->sasl->method = state->sasl->username = NULL;
    (void) smtpd_sasl_connect(state);
}

/* smtpd_sasl_reset - after STARTTLS or XCLIENT: forget the login (the
 * mechanisms follow the TLS security options after STARTTLS) */
void
smtpd_sasl_reset(SMTPD_STATE *state)
{
    if (state->sasl != NULL)
        smtpd_sasl_logout(state->sasl);
}

/* smtpd_sasl_session_end - disconnect */
void
smtpd_sasl_session_end(SMTPD_STATE *state)
{
    if (state->sasl == NULL)
        return;
    smtpd_sasl_logout(state->sasl);
    smtpd_sasl_disconnect(state->sasl);
    myfree(state->sasl);
    state->sasl = NULL;
}

/* smtpd_sasl_needs_tls - AUTH waits for STARTTLS: smtpd_tls_auth_only,
 * or the encrypt level (observed: Postfix 3.7 then announces no AUTH
 * before STARTTLS) */
static bool
smtpd_sasl_needs_tls(const SMTPD_STATE *state)
{
    return state->tls == NULL
        && (var_smtpd_tls_auth_only || smtpd_tls_required());
}

/* smtpd_sasl_hidden - whether AUTH is not for this client now */
static bool
smtpd_sasl_hidden(const SMTPD_STATE *state)
{
    return state->sasl == NULL || smtpd_sasl_needs_tls(state);
}

/* smtpd_sasl_ehlo - the AUTH keywords */
void
smtpd_sasl_ehlo(const SMTPD_STATE *state, ARGV *keywords)
{
    BUF    *line;
    ARGV   *mechs;

    if (smtpd_sasl_hidden(state)
        || (smtpd_sasl_exceptions != NULL
            && match_list_match(smtpd_sasl_exceptions, state->name,
                                state->addr, state->why) != 0))
        return;
    (void) smtpd_sasl_connect(state);
    mechs = smtpd_sasl_mechs(state);
    if (mechs->argc > 0) {
        line = buf_alloc(100);
        buf_strcpy(line, "AUTH");
        for (int i = 0; i < mechs->argc; i++)
            buf_sprintf_append(line, " %s", mechs->argv[i]);
        argv_add(keywords, buf_str(line));
        if (var_broken_sasl_auth_clients) {
            buf_str(line)[4] = '=';
            argv_add(keywords, buf_str(line));
        }
        buf_free(line);
    }
    argv_free(mechs);
}

/* smtpd_sasl_mail_opt - MAIL's AUTH=value: the sasl_sender; 0 or -1
 * after a reply */
int
smtpd_sasl_mail_opt(SMTPD_STATE *state, const char *value)
{
    if (state->sasl_sender != NULL) {
        smtpd_reply(state, "503 5.5.4 Error: multiple AUTH= options");
        return -1;
    }
    if (strcmp(value, "<>") != 0) {
        state->sasl_sender = mystrdup(value);
        msg_printable(state->sasl_sender, strlen(state->sasl_sender));
    }
    return 0;
}

/* smtpd_sasl_username - who logged in (AUTH, else XCLIENT LOGIN), or
 * NULL */
const char *
smtpd_sasl_username(const SMTPD_STATE *state)
{
    if (state->sasl != NULL && state->sasl->username != NULL)
        return state->sasl->username;
    return state->login;
}

/* smtpd_sasl_method - how (the mechanism, or "XCLIENT"), or NULL */
const char *
smtpd_sasl_method(const SMTPD_STATE *state)
{
    if (state->sasl != NULL && state->sasl->method != NULL)
        return state->sasl->method;
    return state->login ? "XCLIENT" : NULL;
}

/* smtpd_sasl_proto_suffix - "A" for the Received: protocol (RFC 3848)
 * after a login (AUTH or XCLIENT LOGIN, as Postfix) */
const char *
smtpd_sasl_proto_suffix(const SMTPD_STATE *state)
{
    return smtpd_sasl_username(state) != NULL ? "A" : "";
}

/* smtpd_sasl_received - "(Authenticated sender: U)" */
void
smtpd_sasl_received(SMTPD_STATE *state, ARGV *lines)
{
    const char *user = smtpd_sasl_username(state);

    if (var_smtpd_sasl_authenticated_header && user != NULL) {
        buf_sprintf(state->buf, "\t(Authenticated sender: %s)", user);
        argv_add(lines, buf_str(state->buf));
    }
}

/* smtpd_sasl_allowed - whether the client may use mechanism name */
static bool
smtpd_sasl_allowed(const SMTPD_STATE *state, const char *name)
{
    ARGV   *mechs = smtpd_sasl_mechs(state);
    bool    found = false;

    for (int i = 0; i < mechs->argc && !found; i++)
        found = strcasecmp(mechs->argv[i], name) == 0;
    argv_free(mechs);
    return found;
}

/* smtpd_sasl_base64_ok - whether a client response is base64 */
static bool
smtpd_sasl_base64_ok(SMTPD_STATE *state, const char *text)
{
    buf_reset(state->buf);
    return base64_decode(state->buf, text, strlen(text)) == 0;
}

/* smtpd_sasl_failed - log and answer a failure (DOVECOT_AUTH_FAIL or
 * _TEMP); always -1 */
static int
smtpd_sasl_failed(SMTPD_STATE *state, const char *mech, int status,
                  const char *reason, const char *user)
{
    if (*reason == 0)
        reason = SMTPD_SASL_UNAVAILABLE;
    msg_warn("%s: SASL %s authentication failed: %s, sasl_username=%s",
             state->namaddr, mech, reason, *user ? user : "(unavailable)");
    if (status == DOVECOT_AUTH_TEMP)
        smtpd_reply(state, "454 4.7.0 Temporary authentication failure: %s",
                    reason);
    else
        smtpd_reply(state, "535 5.7.8 Error: authentication failed: %s",
                    reason);
    return -1;
}

/* smtpd_sasl_read - one response line of at most smtpd_sasl_response_limit
 * bytes into state->line; 0, -1 (connection lost) or -2 (too long) */
static int
smtpd_sasl_read(SMTPD_STATE *state)
{
    size_t  limit = (size_t) var_smtpd_sasl_response_limit + 2;
    int     last;

    buf_reset(state->line);
    last = stream_get_line(state->client, state->line, limit);
    if (last == EOF)
        return -1;
    if (last != '\n') {
        do {
            buf_reset(state->line);
            last = stream_get_line(state->client, state->line, limit);
        } while (last != EOF && last != '\n');
        return last == EOF ? -1 : -2;
    }
    buf_trim_right(state->line);
    return buf_len(state->line) > limit - 2 ? -2 : 0;
}

/* smtpd_sasl_exchange - the 334 challenges until Dovecot decides;
 * the final status, or SMTPD_SASL_REPLIED (aborted, too long, lost) */
static int
smtpd_sasl_exchange(SMTPD_STATE *state, const char *mech,
                    DOVECOT_AUTH_REPLY *reply, int status)
{
    int     got;

    while (status == DOVECOT_AUTH_CONT) {
        smtpd_reply(state, "334 %s", buf_str(reply->data));
        smtpd_reply_flush(state);
        if ((got = smtpd_sasl_read(state)) == -1)
            return SMTPD_SASL_REPLIED;
        if (got == -2) {
            smtpd_reply(state,
                        "500 5.5.6 Authentication exchange line is too long");
            return SMTPD_SASL_REPLIED;
        }
        if (strcmp(buf_str(state->line), "*") == 0) {
            msg_warn("%s: SASL %s authentication aborted", state->namaddr,
                     mech);
            smtpd_reply(state, "501 5.7.0 Authentication aborted");
            return SMTPD_SASL_REPLIED;
        }
        if (!smtpd_sasl_base64_ok(state, buf_str(state->line))) {
            buf_strcpy(reply->reason,
                       "Invalid base64 data in continued response");
            return DOVECOT_AUTH_FAIL;
        }
        status = dovecot_auth_continue(state->sasl->auth,
                                       buf_str(state->line), reply,
                                       state->why);
    }
    return status;
}

/* smtpd_sasl_start - the AUTH request to Dovecot: its first answer */
static int
smtpd_sasl_start(SMTPD_STATE *state, const char *mech, const char *resp,
                 DOVECOT_AUTH_REPLY *reply)
{
    DOVECOT_AUTH_REQ req = {
        .mech = mech, .service = var_smtpd_sasl_service,
        .local_ip = state->server_addr, .remote_ip = state->addr,
        .secured = state->tls != NULL, .resp = resp,
    };

    if (smtpd_sasl_connect(state) < 0)
        return DOVECOT_AUTH_TEMP;
    if (!smtpd_sasl_allowed(state, mech)) {
        buf_strcpy(reply->reason, "Invalid authentication mechanism");
        return DOVECOT_AUTH_FAIL;
    }
    if (resp != NULL && strcmp(resp, "=") == 0)
        req.resp = "";
    else if (resp != NULL && !smtpd_sasl_base64_ok(state, resp)) {
        buf_strcpy(reply->reason, "Invalid base64 data in initial response");
        return DOVECOT_AUTH_FAIL;
    }
    return dovecot_auth_start(state->sasl->auth, &req, reply, state->why);
}

/* smtpd_sasl_authenticate - run the exchange for mechanism mech */
static int
smtpd_sasl_authenticate(SMTPD_STATE *state, const char *mech,
                        const char *resp)
{
    SMTPD_SASL *sasl = state->sasl;
    DOVECOT_AUTH_REPLY reply;
    int     status;

    dovecot_auth_reply_init(&reply);
    status = smtpd_sasl_start(state, mech, resp, &reply);
    status = smtpd_sasl_exchange(state, mech, &reply, status);
    if (status == DOVECOT_AUTH_ERROR) {
        msg_warn("SASL: %s", buf_str(state->why));
        buf_strcpy(reply.reason, buf_str(state->why));
        smtpd_sasl_disconnect(sasl);
        status = DOVECOT_AUTH_TEMP;
    }
    if (status == DOVECOT_AUTH_OK) {
        sasl->method = mystrdup(mech);
        sasl->username = mystrdup(buf_str(reply.user));
        smtpd_reply(state, "235 2.7.0 Authentication successful");
    } else if (status == DOVECOT_AUTH_FAIL || status == DOVECOT_AUTH_TEMP) {
        status = smtpd_sasl_failed(state, mech, status, buf_str(reply.reason),
                                   buf_str(reply.user));
    }
    dovecot_auth_reply_free(&reply);
    return status == DOVECOT_AUTH_OK ? 0 : -1;
}

/* smtpd_auth - AUTH mechanism [initial-response] */
int
smtpd_auth(SMTPD_STATE *state, char *args)
{
    ARGV   *words;
    int     status;

    if (state->sasl == NULL) {
        smtpd_reply(state, "503 5.5.1 Error: authentication not enabled");
        return -1;
    }
    if (state->sender != NULL) {
        smtpd_reply(state, "503 5.5.1 Error: MAIL transaction in progress");
        return -1;
    }
    if (smtpd_sasl_needs_tls(state)) {
        smtpd_reply(state, "504 5.5.4 Encryption required for requested "
                    "authentication mechanism");
        return -1;
    }
    if (smtpd_sasl_username(state) != NULL) {
        smtpd_reply(state, "503 5.5.1 Error: already authenticated");
        return -1;
    }
    words = argv_split(args, " \t");
    if (words->argc < 1 || words->argc > 2) {
        argv_free(words);
        smtpd_reply(state, "501 5.5.4 Syntax: AUTH mechanism");
        return -1;
    }
    if (smtpd_anvil_auth(state) < 0)
        status = -1;
    else
        status = smtpd_sasl_authenticate(state, words->argv[0],
                                         words->argc > 1 ? words->argv[1]
                                         : NULL);
    argv_free(words);
    return status;
}
