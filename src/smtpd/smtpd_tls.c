/* smtpd_tls - TLS in the SMTP server: STARTTLS and smtpd_tls_wrappermode.
 *
 * Model: Postfix 3.7's smtpd (smtpd_tls_security_level none, may,
 * encrypt; the legacy smtpd_use_tls and smtpd_enforce_tls when the level
 * is empty). Keys are loaded before the privilege drop; a key that does
 * not load disables TLS with a warning, and STARTTLS then gets "454 4.7.0
 * TLS not available due to local problem", as in Postfix. After STARTTLS
 * the plaintext the client pipelined behind it is thrown away
 * (CVE-2011-0411) and the session starts again from EHLO. TLS is active
 * when state->tls != NULL (smtpd_sasl.c uses that for
 * smtpd_tls_auth_only); the session's facts are in smtpd_tls_session().
 * The ticket keys that let a client resume on another smtpd process come
 * from $data_directory/smtpd_tls_ticket.key (tls_ticket.c). The SNI
 * table, like the keys, is opened before the privilege drop.
 * smtpd_client_new_tls_session_rate_limit (smtpd_anvil.c) as Postfix 3.7:
 * a client already over the limit gets "454 4.7.0 Error: too many new
 * TLS sessions from NAME[ADDR]" to STARTTLS ("warning: Refusing STARTTLS
 * request from NAME[ADDR] for service S"; the session goes on in
 * plaintext), or in wrapper mode no handshake and no reply ("warning:
 * Refusing TLS service request from ..."); a new session that takes it
 * over the limit ends with a 421 after the handshake. */
#include <string.h>

#include "mail_params.h"
#include "maps.h"
#include "msg.h"
#include "mymalloc.h"
#include "smtpd.h"
#include "smtpd_tls.h"
#include "tls.h"

#define SMTPD_TLS_NONE      0
#define SMTPD_TLS_MAY       1
#define SMTPD_TLS_ENCRYPT   2

struct SMTPD_TLS {
    TLS_SESS *sess;
};

static int smtpd_tls_level = SMTPD_TLS_NONE;
static TLS_CTX *smtpd_tls_ctx;          /* NULL: TLS broken or off */
static MAPS *smtpd_tls_sni_maps;        /* tls_server_sni_maps */

/* smtpd_tls_level_of - the effective security level */
static int
smtpd_tls_level_of(void)
{
    const char *level = var_smtpd_tls_security_level;

    if (*level == 0)
        return var_smtpd_enforce_tls ? SMTPD_TLS_ENCRYPT :
            var_smtpd_use_tls || var_smtpd_tls_wrappermode ?
            SMTPD_TLS_MAY : SMTPD_TLS_NONE;
    if (strcmp(level, "none") == 0)
        return var_smtpd_tls_wrappermode ? SMTPD_TLS_MAY : SMTPD_TLS_NONE;
    if (strcmp(level, "may") == 0)
        return SMTPD_TLS_MAY;
    if (strcmp(level, "encrypt") == 0)
        return SMTPD_TLS_ENCRYPT;
    msg_fatal("invalid smtpd_tls_security_level value: \"%s\"", level);
}

/* smtpd_tls_sni_lookup - tls_server_sni_maps for the library */
static const char *
smtpd_tls_sni_lookup(const char *name, void *context, int *error)
{
    const char *value = maps_find(smtpd_tls_sni_maps, name, 0);

    (void) context;
    *error = smtpd_tls_sni_maps->error;
    return value;
}

/* smtpd_tls_pre_init - load keys and certificates, before the drop */
void
smtpd_tls_pre_init(void)
{
    BUF    *why;
    BUF    *ticket_file;
    TLS_CTX_PARAMS p = {
        .server = true,
        .chain_files = var_smtpd_tls_chain_files,
        .cert_file = var_smtpd_tls_cert_file,
        .key_file = var_smtpd_tls_key_file,
        .eccert_file = var_smtpd_tls_eccert_file,
        .eckey_file = var_smtpd_tls_eckey_file,
        .CAfile = var_smtpd_tls_CAfile,
        .CApath = var_smtpd_tls_CApath,
        .fingerprint_digest = var_smtpd_tls_fingerprint_digest,
        .verify_depth = var_smtpd_tls_ccert_verifydepth,
        .loglevel = var_smtpd_tls_loglevel,
        .ticket_lifetime = var_smtpd_tls_session_cache_timeout,
    };

    if ((smtpd_tls_level = smtpd_tls_level_of()) == SMTPD_TLS_NONE)
        return;
    why = buf_alloc(100);
    ticket_file = buf_alloc(100);
    buf_sprintf(ticket_file, "%s/smtpd_tls_ticket.key", var_data_directory);
    p.ticket_key_file = buf_str(ticket_file);
    if ((smtpd_tls_ctx = tls_ctx_create(&p, why)) == NULL) {
        msg_warn("%s: disabling TLS support", buf_str(why));
    } else if (*var_tls_server_sni_maps) {
        smtpd_tls_sni_maps = maps_create("tls_server_sni_maps",
                                         var_tls_server_sni_maps,
                                         DICT_FLAG_DEFAULT);
        tls_sni_setup(smtpd_tls_ctx, smtpd_tls_sni_lookup, NULL);
    }
    buf_free(ticket_file);
    buf_free(why);
}

/* smtpd_tls_post_init - the client certificate checks */
void
smtpd_tls_post_init(void)
{
    smtpd_check_tls_init();
    if (var_smtpd_tls_req_ccert && smtpd_tls_level != SMTPD_TLS_ENCRYPT
        && smtpd_tls_level != SMTPD_TLS_NONE)
        msg_warn("smtpd_tls_req_ccert requires smtpd_tls_security_level = "
                 "encrypt: ignored");
}

/* smtpd_tls_ccert_refused - smtpd_tls_req_ccert: the certificate the
 * handshake brought is not good enough; replied and logged */
static bool
smtpd_tls_ccert_refused(SMTPD_STATE *state, const TLS_SESS *sess)
{
    const char *what;

    if (!var_smtpd_tls_req_ccert || smtpd_tls_level != SMTPD_TLS_ENCRYPT
        || (sess->peer_status & TLS_CERT_TRUSTED))
        return false;
    what = (sess->peer_status & TLS_CERT_PRESENT) ?
        "Client certificate not trusted" : "No client certificate presented";
    msg_info("NOQUEUE: abort: TLS from %s: %s", state->namaddr, what);
    smtpd_reply(state, "421 4.7.1 %s Error: %s",
                state->settings->myhostname, what);
    state->quit = true;
    return true;
}

/* smtpd_tls_handshake - TLS on the client stream; 0, or -1 (logged) */
static int
smtpd_tls_handshake(SMTPD_STATE *state)
{
    /* Wrapper mode always requires TLS: the mandatory settings apply. */
    bool    mandatory = smtpd_tls_level == SMTPD_TLS_ENCRYPT
    || var_smtpd_tls_wrappermode;
    TLS_START start = {
        .stream = state->client,
        .timeout = var_smtpd_starttls_timeout,
        .peer = state->namaddr,
        .protocols = mandatory ? var_smtpd_tls_mandatory_protocols :
            var_smtpd_tls_protocols,
        .cipher_grade = mandatory ? var_smtpd_tls_mandatory_ciphers :
            var_smtpd_tls_ciphers,
        .exclude_ciphers = mandatory ? var_smtpd_tls_mandatory_exclude_ciphers :
            var_smtpd_tls_exclude_ciphers,
        .ask_ccert = var_smtpd_tls_ask_ccert
            || (var_smtpd_tls_req_ccert
                && smtpd_tls_level == SMTPD_TLS_ENCRYPT),
    };
    TLS_SESS *sess;

    (void) tls_discard_input(state->client);
    if ((sess = tls_server_start(smtpd_tls_ctx, &start, state->why)) == NULL)
        return -1;
    state->tls = mymalloc(sizeof(*state->tls));
    state->tls->sess = sess;
    if (smtpd_tls_ccert_refused(state, sess))
        return -1;
    return smtpd_anvil_tls_new(state, sess->reused);
}

/* smtpd_tls_rate_refused - whether the client is over
 * smtpd_client_new_tls_session_rate_limit before a handshake (logged:
 * what = "STARTTLS" or "TLS service") */
static bool
smtpd_tls_rate_refused(SMTPD_STATE *state, const char *what)
{
    if (!smtpd_anvil_tls_over(state))
        return false;
    msg_warn("Refusing %s request from %s for service %s", what,
             state->namaddr, state->service);
    return true;
}

/* smtpd_tls_session_start - TLS at connect (smtpd_tls_wrappermode) */
int
smtpd_tls_session_start(SMTPD_STATE *state)
{
    state->tls = NULL;
    if (!var_smtpd_tls_wrappermode || state->standalone)
        return 0;
    if (smtpd_tls_ctx == NULL) {
        msg_warn("TLS not available due to local problem: disconnecting %s",
                 state->namaddr);
        return -1;
    }
    if (smtpd_tls_rate_refused(state, "TLS service"))
        return -1;
    if (smtpd_tls_handshake(state) < 0) {
        if (!state->quit)
            smtpd_log_lost(state);
        smtpd_reply_flush(state);
        return -1;
    }
    return 0;
}

/* smtpd_tls_ehlo - the STARTTLS keyword, before TLS */
void
smtpd_tls_ehlo(const SMTPD_STATE *state, ARGV *keywords)
{
    if (smtpd_tls_level != SMTPD_TLS_NONE && state->tls == NULL
        && !state->standalone)
        argv_add(keywords, "STARTTLS");
}

/* smtpd_tls_received - the "(using TLS...)" Received: lines */
void
smtpd_tls_received(SMTPD_STATE *state, ARGV *lines)
{
    const TLS_SESS *sess;
    BUF    *line;

    if (state->tls == NULL || !var_smtpd_tls_received_header)
        return;
    sess = state->tls->sess;
    tls_received_lines(sess, lines);
    line = buf_alloc(100);
    if (sess->peer_status & TLS_CERT_PRESENT)
        buf_sprintf(line, "\t(Client CN \"%s\", Issuer \"%s\" (%s))",
                    sess->peer_CN ? sess->peer_CN : "",
                    sess->issuer_CN ? sess->issuer_CN : "",
                    (sess->peer_status & TLS_CERT_TRUSTED) ?
                    "verified OK" : "not verified");
    else if (var_smtpd_tls_ask_ccert)
        buf_strcpy(line, "\t(Client did not present a certificate)");
    else
        buf_strcpy(line, "\t(No client certificate requested)");
    argv_add(lines, buf_str(line));
    buf_free(line);
}

/* smtpd_tls_session_end - shut TLS down */
void
smtpd_tls_session_end(SMTPD_STATE *state)
{
    if (state->tls == NULL)
        return;
    if (smtpd_reply_broken(state))
        tls_session_free(state->tls->sess);
    else
        tls_session_stop(state->tls->sess);
    myfree(state->tls);
    state->tls = NULL;
}

/* smtpd_tls_proto_suffix - "S" for the Received: protocol (RFC 3848)
 * under TLS: "ESMTPS", "UTF8SMTPS"; HELO's "SMTP" stays, as in Postfix */
const char *
smtpd_tls_proto_suffix(const SMTPD_STATE *state)
{
    return state->tls != NULL && (state->smtputf8
                                  || strcmp(state->protocol, "SMTP") != 0) ?
        "S" : "";
}

/* smtpd_tls_session - the TLS session's facts, or NULL in plaintext */
const TLS_SESS *
smtpd_tls_session(const SMTPD_STATE *state)
{
    return state->tls ? state->tls->sess : NULL;
}

/* smtpd_tls_required - the encrypt level */
bool
smtpd_tls_required(void)
{
    return smtpd_tls_level == SMTPD_TLS_ENCRYPT;
}

/* smtpd_tls_refuse - smtpd_tls_security_level = encrypt: whether a
 * command must wait for STARTTLS (replied "530 ..."); as in Postfix,
 * only HELO, EHLO, STARTTLS, NOOP and QUIT may come first (and XCLIENT,
 * which answers for itself) */
bool
smtpd_tls_refuse(SMTPD_STATE *state, SMTPD_CMD_ID id)
{
    if (smtpd_tls_level != SMTPD_TLS_ENCRYPT || state->tls != NULL
        || state->standalone)
        return false;
    switch (id) {
    case SMTPD_CMD_HELO:
    case SMTPD_CMD_EHLO:
    case SMTPD_CMD_STARTTLS:
    case SMTPD_CMD_NOOP:
    case SMTPD_CMD_QUIT:
    case SMTPD_CMD_XCLIENT:
        return false;
    default:
        smtpd_reply(state, "530 5.7.0 Must issue a STARTTLS command first");
        return true;
    }
}

/* smtpd_tls_restart - after the handshake, the session starts over:
 * HELO name, protocol, transaction and SASL state are forgotten */
static void
smtpd_tls_restart(SMTPD_STATE *state)
{
    smtpd_state_reset(state);
    if (state->helo_name) {
        myfree(state->helo_name);
        state->helo_name = NULL;
    }
    state->protocol = "SMTP";
    smtpd_sasl_reset(state);
}

/* smtpd_starttls - STARTTLS */
int
smtpd_starttls(SMTPD_STATE *state, char *args)
{
    if (*args) {
        smtpd_reply(state, "501 5.5.4 Syntax: STARTTLS");
        return -1;
    }
    if (state->tls != NULL) {
        smtpd_reply(state, "554 5.5.1 Error: TLS already active");
        return -1;
    }
    if (smtpd_tls_level == SMTPD_TLS_NONE || state->standalone) {
        smtpd_reply(state, "502 5.5.1 Error: command not implemented");
        return -1;
    }
    if (smtpd_tls_ctx == NULL) {
        smtpd_reply(state, "454 4.7.0 TLS not available due to local problem");
        return -1;
    }
    if (smtpd_tls_rate_refused(state, "STARTTLS")) {
        smtpd_reply(state, "454 4.7.0 Error: too many new TLS sessions "
                    "from %s", state->namaddr);
        return -1;
    }
    smtpd_reply(state, "220 2.0.0 Ready to start TLS");
    smtpd_reply_flush(state);
    if (smtpd_tls_handshake(state) < 0) {
        if (!state->quit)
            smtpd_log_lost(state);
        state->quit = true;
        return -1;
    }
    smtpd_tls_restart(state);
    return 0;
}
