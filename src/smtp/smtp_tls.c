/* smtp_tls - STARTTLS in the SMTP client, as Postfix 3.7's smtp(8) with
 * smtp_tls_security_level and smtp_tls_policy_maps (observed against a
 * Python STARTTLS peer; docs/smtp.md). The TLS library is src/global/tls.h.
 *
 * Levels: none; may (TLS when offered, any certificate); encrypt (TLS
 * required, any certificate); verify (TLS, a trusted certificate whose
 * name matches smtp_tls_verify_cert_match: "hostname" by default);
 * secure (the same with smtp_tls_secure_cert_match: "nexthop,
 * dot-nexthop"); dane is used as may, with a warning (no DNSSEC/TLSA
 * here); fingerprint, dane-only and half-secure are not supported: such
 * mail is deferred. A policy map entry ("[host]:port  encrypt
 * protocols=... ciphers=... exclude=... match=a:b servername=...") for
 * the next hop as written, or its domain and parents, replaces the
 * default level.
 *
 * Failures, in Postfix's words (all 4.7.x, deferred):
 *   TLS is required, but was not offered by host NAME[ADDR]      4.7.4
 *   Cannot start TLS: handshake failure                          4.7.5
 *   Server certificate not verified                              4.7.5
 * After a handshake failure at "may", the same server is tried again in
 * plaintext on a new connection, but (as Postfix) only for a message
 * that has waited in the queue for minimal_backoff_time already and
 * when no SASL credentials are involved; a fresh message is deferred.
 * After STARTTLS the client says EHLO again. A TLS session is never put
 * into the connection cache (Postfix without tlsproxy does not reuse
 * TLS connections); with any level above none the cache is not used.
 * Only the SMTP personality does TLS (no lmtp_tls_* parameters yet).
 * Peers: smtp_session.c (the caller), smtp_connect.c (the retry). */
#include <string.h>
#include <strings.h>
#include <stddef.h>

#include "argv.h"
#include "mail_params.h"
#include "maps.h"
#include "maps_addr.h"
#include "msg.h"
#include "mymalloc.h"
#include "smtp.h"
#include "tls.h"

static TLS_CTX *smtp_tls_ctx;           /* NULL: no TLS */
static MAPS *smtp_tls_policy_maps;      /* NULL: none */
static int smtp_tls_default_level;

/* smtp_tls_level_code - a level name; SMTP_TLS_BAD for one that is not
 * supported, -1 for an unknown one */
static int
smtp_tls_level_code(const char *name)
{
    static const struct {
        const char *name;
        int     level;
    } levels[] = {
        {"", SMTP_TLS_NONE}, {"none", SMTP_TLS_NONE}, {"may", SMTP_TLS_MAY},
        {"dane", SMTP_TLS_MAY}, {"encrypt", SMTP_TLS_ENCRYPT},
        {"verify", SMTP_TLS_VERIFY}, {"secure", SMTP_TLS_SECURE},
        {"fingerprint", SMTP_TLS_BAD}, {"dane-only", SMTP_TLS_BAD},
        {"half-secure", SMTP_TLS_BAD},
    };

    for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
        if (strcasecmp(name, levels[i].name) == 0) {
            if (strcasecmp(name, "dane") == 0)
                msg_warn("TLS security level \"dane\" is not supported "
                         "(no DNSSEC): using \"may\"");
            return levels[i].level;
        }
    return -1;
}

/* smtp_tls_init - the client context and the policy table (smtp.h) */
void
smtp_tls_init(void)
{
    TLS_CTX_PARAMS params = {
        .server = false,
        .chain_files = var_smtp_tls_chain_files,
        .cert_file = var_smtp_tls_cert_file,
        .key_file = var_smtp_tls_key_file,
        .eccert_file = "", .eckey_file = "",
        .CAfile = var_smtp_tls_CAfile, .CApath = var_smtp_tls_CApath,
        .fingerprint_digest = var_smtp_tls_fingerprint_digest,
        .verify_depth = var_smtp_tls_scert_verifydepth,
        .loglevel = var_smtp_tls_loglevel,
        .ticket_key_file = "",
    };
    BUF    *why;

    if (smtp_conf.lmtp)
        return;
    if ((smtp_tls_default_level =
         smtp_tls_level_code(var_smtp_tls_security_level)) < 0)
        msg_fatal("invalid smtp_tls_security_level value: \"%s\"",
                  var_smtp_tls_security_level);
    if (*var_smtp_tls_policy_maps)
        smtp_tls_policy_maps = maps_create("smtp_tls_policy_maps",
                                           var_smtp_tls_policy_maps, 0);
    if (smtp_tls_default_level == SMTP_TLS_NONE && !smtp_tls_policy_maps)
        return;
    why = buf_alloc(100);
    if ((smtp_tls_ctx = tls_ctx_create(&params, why)) == NULL)
        msg_warn("TLS is off: %s", buf_str(why));
    buf_free(why);
}

/* smtp_tls_attr - one name=value of a policy entry */
static void
smtp_tls_attr(SMTP_TLS_POLICY *pol, const char *attr, const char *where)
{
    static const struct {
        const char *name;
        size_t  offset;
    } attrs[] = {
        {"match", offsetof(SMTP_TLS_POLICY, match)},
        {"protocols", offsetof(SMTP_TLS_POLICY, protocols)},
        {"ciphers", offsetof(SMTP_TLS_POLICY, ciphers)},
        {"exclude", offsetof(SMTP_TLS_POLICY, exclude)},
        {"servername", offsetof(SMTP_TLS_POLICY, servername)},
    };
    const char *eq = strchr(attr, '=');
    char  **field;

    for (size_t i = 0; eq && i < sizeof(attrs) / sizeof(attrs[0]); i++) {
        if (strlen(attrs[i].name) == (size_t) (eq - attr)
            && strncasecmp(attr, attrs[i].name, (size_t) (eq - attr)) == 0) {
            field = (char **) ((char *) pol + attrs[i].offset);
            myfree(*field);
            *field = mystrdup(eq + 1);
            return;
        }
    }
    msg_warn("%s: ignoring unknown TLS policy attribute \"%s\"", where, attr);
}

/* smtp_tls_lookup - the policy entry of a next hop: as written, then
 * (no brackets) its domain and parents; NULL if none */
static const char *
smtp_tls_lookup(const char *text, const SMTP_NEXTHOP *hop)
{
    const char *value;

    if (smtp_tls_policy_maps == NULL)
        return NULL;
    if ((value = maps_find(smtp_tls_policy_maps, text, 0)) == NULL
        && smtp_tls_policy_maps->error == 0 && !hop->bracketed)
        value = maps_find_domain(smtp_tls_policy_maps, hop->host,
                                 "smtp_tls_policy_maps");
    return value;
}

/* smtp_tls_policy - the policy of one next hop (smtp.h) */
void
smtp_tls_policy(SMTP_STATE *state, const char *text, const SMTP_NEXTHOP *hop)
{
    SMTP_TLS_POLICY *pol = &state->tls_policy;
    const char *value = smtp_tls_lookup(text, hop);
    ARGV   *words;

    smtp_tls_policy_free(state);
    pol->level = smtp_conf.lmtp ? SMTP_TLS_NONE : smtp_tls_default_level;
    pol->nexthop = mystrdup(hop->host);
    if (smtp_tls_policy_maps && smtp_tls_policy_maps->error) {
        msg_warn("smtp_tls_policy_maps lookup error for \"%s\"", text);
        pol->level = SMTP_TLS_BAD;
    }
    if (value == NULL)
        return;
    words = argv_split(value, " \t\r\n");
    if (words->argc > 0 && (pol->level = smtp_tls_level_code(words->argv[0]))
        < 0) {
        msg_warn("smtp_tls_policy_maps: %s: invalid TLS security level "
                 "\"%s\"", text, words->argv[0]);
        pol->level = SMTP_TLS_BAD;
    }
    for (int i = 1; i < words->argc; i++)
        smtp_tls_attr(pol, words->argv[i], text);
    argv_free(words);
}

/* smtp_tls_policy_free - forget the policy (smtp.h) */
void
smtp_tls_policy_free(SMTP_STATE *state)
{
    SMTP_TLS_POLICY *pol = &state->tls_policy;

    myfree(pol->match);
    myfree(pol->protocols);
    myfree(pol->ciphers);
    myfree(pol->exclude);
    myfree(pol->servername);
    myfree(pol->nexthop);
    memset(pol, 0, sizeof(*pol));
}

/* smtp_tls_fail - a session failure of ours (soft), the session ends */
static int
smtp_tls_fail(SMTP_STATE *state, const char *status, const char *text)
{
    dsb_simple(state->dsb, status, "%s", text);
    return -1;
}

/* smtp_tls_fallback_ok - may a failed handshake at "may" be retried in
 * plaintext: the message waited minimal_backoff_time before it became
 * active (a fresh one is deferred: Postfix's PREACTIVE_DELAY test), and
 * no SASL credentials are involved */
static bool
smtp_tls_fallback_ok(const SMTP_STATE *state)
{
    const DELIVER_TIMES *t = &state->req->times;

    return state->tls_policy.level == SMTP_TLS_MAY && !smtp_conf.sasl_enable
        && t->active.tv_sec - t->arrival.tv_sec >= var_minimal_backoff_time;
}

/* smtp_tls_verified - the certificate check of verify and secure: a
 * trusted chain and a matching name; the log lines, Postfix's */
static bool
smtp_tls_verified(SMTP_STATE *state, TLS_SESS *sess)
{
    SMTP_TLS_POLICY *pol = &state->tls_policy;
    const char *patterns = pol->match ? pol->match :
        pol->level == SMTP_TLS_SECURE ? var_smtp_tls_secure_cert_match :
        var_smtp_tls_verify_cert_match;
    ARGV   *names;
    bool    matched;

    if (pol->level < SMTP_TLS_VERIFY)
        return true;
    if (!(sess->peer_status & TLS_CERT_TRUSTED)) {
        msg_info("certificate verification failed for %s: %s",
                 buf_str(state->relay), sess->verify_error ?
                 sess->verify_error : "no certificate");
        return false;
    }
    names = tls_match_names(patterns, pol->nexthop, state->addr->name);
    matched = tls_cert_match(sess, names,
                             var_tls_wildcard_matches_multiple_labels);
    argv_free(names);
    if (!matched) {
        /* As in Postfix, where OpenSSL checks the name with the chain. */
        sess->peer_status &= ~TLS_CERT_TRUSTED;
        msg_info("server certificate verification failed for %s: "
                 "num=62:hostname mismatch", buf_str(state->relay));
    }
    return matched;
}

/* smtp_tls_handshake - the TLS handshake after "220 Ready"; 1 (TLS is
 * on), or -1 */
static int
smtp_tls_handshake(SMTP_STATE *state)
{
    SMTP_TLS_POLICY *pol = &state->tls_policy;
    bool    mandatory = pol->level >= SMTP_TLS_ENCRYPT;
    TLS_START start = {
        .stream = state->sp, .timeout = var_smtp_starttls_timeout,
        .peer = buf_str(state->relay),
        .protocols = pol->protocols ? pol->protocols : mandatory ?
            var_smtp_tls_mandatory_protocols : var_smtp_tls_protocols,
        .cipher_grade = pol->ciphers ? pol->ciphers : mandatory ?
            var_smtp_tls_mandatory_ciphers : var_smtp_tls_ciphers,
        .exclude_ciphers = pol->exclude ? pol->exclude : mandatory ?
            var_smtp_tls_mandatory_exclude_ciphers :
            var_smtp_tls_exclude_ciphers,
        .servername = pol->servername ? pol->servername :
            var_smtp_tls_servername,
    };
    BUF    *why = buf_alloc(100);
    TLS_SESS *sess;
    bool    verified;

    /* "servername=hostname": the server's name (MTA-STS policies). */
    if (start.servername && strcasecmp(start.servername, "hostname") == 0)
        start.servername = state->addr->name;
    (void) tls_discard_input(state->sp);
    sess = tls_client_start(smtp_tls_ctx, &start, why);
    buf_free(why);
    if (sess == NULL) {
        state->broken = true;
        state->tls_retry_plain = smtp_tls_fallback_ok(state);
        return smtp_tls_fail(state, "4.7.5",
                             "Cannot start TLS: handshake failure");
    }
    state->tls = sess;
    state->tls_active = true;
    verified = smtp_tls_verified(state, sess);
    tls_log_established(sess);
    if (!verified)
        return smtp_tls_fail(state, "4.7.5", "Server certificate not "
                             "verified");
    return 1;
}

/* smtp_tls_start - STARTTLS when the policy says so (smtp.h) */
int
smtp_tls_start(SMTP_STATE *state)
{
    SMTP_TLS_POLICY *pol = &state->tls_policy;
    BUF    *text;
    int     status;

    if (pol->level == SMTP_TLS_NONE || state->tls_plain_only)
        return 0;
    if (pol->level == SMTP_TLS_BAD || smtp_tls_ctx == NULL)
        return smtp_tls_fail(state, "4.7.5", "TLS is required, but no TLS "
                             "support or policy is usable here");
    if (!(state->features & SMTP_FEAT_STARTTLS)) {
        if (pol->level == SMTP_TLS_MAY)
            return 0;
        text = buf_alloc(100);
        buf_sprintf(text, "TLS is required, but was not offered by host %s",
                    buf_str(state->namaddr));
        (void) smtp_tls_fail(state, "4.7.4", buf_str(text));
        buf_free(text);
        return -1;
    }
    if ((status = smtp_chat(state, "STARTTLS", var_smtp_starttls_timeout))
        != SMTP_REPLY_OK)
        return smtp_session_io_fail(state, status,
                                    "receiving the STARTTLS response");
    if (state->reply->code == 220)
        return smtp_tls_handshake(state);
    if (pol->level == SMTP_TLS_MAY)
        return 0;
    text = buf_alloc(100);
    buf_sprintf(text, "TLS is required, but host %s refused to start TLS: %s",
                buf_str(state->namaddr), buf_str(state->reply->text));
    (void) smtp_tls_fail(state, "4.7.5", buf_str(text));
    buf_free(text);
    return -1;
}

/* smtp_tls_stop - end the TLS session of a closing connection (smtp.h) */
void
smtp_tls_stop(SMTP_STATE *state)
{
    if (state->tls == NULL)
        return;
    if (state->broken)
        tls_session_free(state->tls);
    else
        tls_session_stop(state->tls);
    state->tls = NULL;
}
