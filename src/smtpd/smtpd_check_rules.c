/* smtpd_check_rules - the restrictions by name, and the simple ones.
 *
 * Model: Postfix 3.7's generic_checks() dispatch. Each name has one entry
 * in smtpd_check_rule_table: whether it takes an argument (the next word
 * of the list: a table for check_*_access, a server for
 * check_policy_service, a number for sleep) and its function. A word
 * with ':' stands for the list's own check_*_access with that table; a
 * word that is neither a restriction nor a restriction class is a
 * configuration error found when it is used ("unknown smtpd restriction",
 * 451 4.3.5), as in Postfix. permit, reject and defer warn about
 * restrictions after them, which can never run. A restriction class that
 * (through others) names itself is a configuration error after 100
 * levels (Postfix runs out of stack).
 *
 * reject_unverified_recipient/_sender are in smtpd_check_verify.c, the
 * DNS lists in smtpd_check_rbl.c (a missing list name is warned about and
 * skipped, as Postfix), the other DNS restrictions in smtpd_check_dns.c.
 * permit_sasl_authenticated and the sender login checks
 * (smtpd_sender_login_maps) ask smtpd_sasl.c who logged in (docs/sasl.md). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mail_params.h"
#include "maps_addr.h"
#include "msg.h"
#include "quote_822_local.h"
#include "smtpd_check.h"
#include "smtpd_tls.h"

/* What follows a restriction name. */
typedef enum {
    SMTPD_ARG_NONE, SMTPD_ARG_MAP, SMTPD_ARG_SERVER, SMTPD_ARG_NUMBER,
    SMTPD_ARG_DOMAIN,
} SMTPD_ARG;

typedef struct SMTPD_RULE {
    const char *name;
    SMTPD_ARG arg;
    bool    last;                       /* warn about what follows it */
    SMTPD_CHECK_FN fn;
} SMTPD_RULE;

/* smtpd_check_permit - permit */
static int
smtpd_check_permit(SMTPD_CHECK *check, const char *unused)
{
    return SMTPD_CHECK_OK;
}

/* smtpd_check_reject_all - reject */
static int
smtpd_check_reject_all(SMTPD_CHECK *check, const char *unused)
{
    return smtpd_check_reject(check, SMTPD_ERR_POLICY, var_reject_code,
                              "5.7.1", "<%s>: %s rejected: Access denied",
                              check->reply_name, check->reply_class);
}

/* smtpd_check_defer_all - defer */
static int
smtpd_check_defer_all(SMTPD_CHECK *check, const char *unused)
{
    return smtpd_check_reject(check, SMTPD_ERR_POLICY, var_defer_code,
                              "4.3.2", "<%s>: %s rejected: Try again later",
                              check->reply_name, check->reply_class);
}

/* smtpd_check_dip - defer_if_permit */
static int
smtpd_check_dip(SMTPD_CHECK *check, const char *unused)
{
    return smtpd_check_defer_if_permit(check, SMTPD_ERR_POLICY, 450, "4.7.0",
                            "<%s>: %s rejected: defer_if_permit requested",
                                       check->reply_name, check->reply_class);
}

/* smtpd_check_dir - defer_if_reject */
static int
smtpd_check_dir(SMTPD_CHECK *check, const char *unused)
{
    smtpd_check_defer_if(&check->defer_if_reject, SMTPD_ERR_POLICY, 450,
                         "4.7.0", "<%s>: %s rejected: defer_if_reject "
                         "requested", check->reply_name, check->reply_class);
    return SMTPD_CHECK_DUNNO;
}

/* smtpd_check_pipe - reject_unauth_pipelining */
static int
smtpd_check_pipe(SMTPD_CHECK *check, const char *unused)
{
    if (!check->state->ill_pipelining)
        return SMTPD_CHECK_DUNNO;
    return smtpd_check_reject(check, SMTPD_ERR_PROTOCOL, 503, "5.5.0",
              "<%s>: %s rejected: Improper use of SMTP command pipelining",
                              check->reply_name, check->reply_class);
}

/* smtpd_check_sleep - sleep N */
static int
smtpd_check_sleep(SMTPD_CHECK *check, const char *seconds)
{
    sleep((unsigned) atoi(seconds));
    return SMTPD_CHECK_DUNNO;
}

/* smtpd_check_mynetworks - permit_mynetworks */
static int
smtpd_check_mynetworks(SMTPD_CHECK *check, const char *unused)
{
    SMTPD_STATE *state = check->state;
    int     found = match_list_match(state->settings->mynetworks,
                                     state->name, state->addr, state->why);

    if (found < 0)
        return smtpd_check_dict_retry(check, check->reply_name);
    return found ? SMTPD_CHECK_OK : SMTPD_CHECK_DUNNO;
}

/* smtpd_check_interfaces - permit_inet_interfaces: the client is this
 * host (the test that chose the local rewrite context) */
static int
smtpd_check_interfaces(SMTPD_CHECK *check, const char *unused)
{
    return check->state->local_rewrite ? SMTPD_CHECK_OK : SMTPD_CHECK_DUNNO;
}

/* smtpd_check_sasl - permit_sasl_authenticated: a login other than
 * ANONYMOUS (AUTH, or XCLIENT LOGIN) */
static int
smtpd_check_sasl(SMTPD_CHECK *check, const char *unused)
{
    const char *method = smtpd_sasl_method(check->state);

    return method != NULL && strcasecmp(method, "ANONYMOUS") != 0 ?
        SMTPD_CHECK_OK : SMTPD_CHECK_DUNNO;
}

/* smtpd_check_login_owners - the owners of the sender address in
 * smtpd_sender_login_maps (NULL: none); -1 after a refusal because the
 * lookup failed, else 0 */
static int
smtpd_check_login_owners(SMTPD_CHECK *check, BUF *owners, int *status)
{
    static MAPS *login_maps;
    RESOLVE_REPLY reply;
    BUF    *key = buf_alloc(100);
    const char *value;
    int     local;

    if (login_maps == NULL)
        login_maps = maps_create("smtpd_sender_login_maps",
                                 var_smtpd_sender_login_maps,
                                 DICT_FLAG_DEFAULT);
    resolve_reply_init(&reply);
    buf_reset(owners);
    *status = 0;
    if (smtpd_check_resolve(check, check->recipient, check->sender, &reply)
        & RESOLVE_FLAG_FAIL) {
        *status = smtpd_check_dict_retry(check, check->sender);
    } else {
        quote_822_local(key, buf_str(reply.recipient));
        local = (reply.flags & RESOLVE_CLASS_LOCAL) != 0;
        if ((value = maps_find_addr(login_maps, buf_str(key), local, NULL)))
            buf_strcpy(owners, value);
        else if (login_maps->error != DICT_ERR_NONE)
            *status = smtpd_check_dict_retry(check, check->sender);
    }
    resolve_reply_free(&reply);
    buf_free(key);
    return *status ? -1 : 0;
}

/* smtpd_check_login_owned - whether user is among the owners */
static bool
smtpd_check_login_owned(const char *owners, const char *user)
{
    ARGV   *names = argv_split(owners, ", \t\r\n");
    bool    found = false;

    for (int i = 0; i < names->argc && !found; i++)
        found = strcasecmp(names->argv[i], user) == 0;
    argv_free(names);
    return found;
}

/* smtpd_check_login_mismatch - the sender login rules: a logged-in
 * client must own the sender address (an address without owners is
 * refused unless allow_unknown); a client not logged in must not use an
 * address that has owners */
static int
smtpd_check_login_mismatch(SMTPD_CHECK *check, bool authenticated,
                           bool unauthenticated, bool allow_unknown)
{
    const char *user = smtpd_sasl_username(check->state);
    BUF    *owners;
    int     status;

    if (check->sender == NULL || *check->sender == 0
        || *var_smtpd_sender_login_maps == 0
        || (user ? !authenticated : !unauthenticated))
        return SMTPD_CHECK_DUNNO;
    owners = buf_alloc(100);
    if (smtpd_check_login_owners(check, owners, &status) == 0) {
        if (user && (buf_len(owners) || !allow_unknown)
            && !smtpd_check_login_owned(buf_str(owners), user))
            status = smtpd_check_reject(check, SMTPD_ERR_POLICY, 553, "5.7.1",
                     "<%s>: Sender address rejected: not owned by user %s",
                                        check->sender, user);
        else if (!user && buf_len(owners))
            status = smtpd_check_reject(check, SMTPD_ERR_POLICY, 553, "5.7.1",
                         "<%s>: Sender address rejected: not logged in",
                                        check->sender);
    }
    buf_free(owners);
    return status;
}

/* smtpd_check_auth_login - reject_authenticated_sender_login_mismatch */
static int
smtpd_check_auth_login(SMTPD_CHECK *check, const char *unused)
{
    return smtpd_check_login_mismatch(check, true, false, false);
}

/* smtpd_check_known_login - reject_known_sender_login_mismatch */
static int
smtpd_check_known_login(SMTPD_CHECK *check, const char *unused)
{
    return smtpd_check_login_mismatch(check, true, true, true);
}

/* smtpd_check_unauth_login - reject_unauthenticated_sender_login_mismatch */
static int
smtpd_check_unauth_login(SMTPD_CHECK *check, const char *unused)
{
    return smtpd_check_login_mismatch(check, false, true, false);
}

/* smtpd_check_auth_dest - permit_auth_destination's question: OK when the
 * recipient is ours or a relay destination, DUNNO when not, REJECT after
 * a lookup failure */
int
smtpd_check_auth_dest(SMTPD_CHECK *check)
{
    RESOLVE_REPLY reply;
    int     status = SMTPD_CHECK_DUNNO;

    resolve_reply_init(&reply);
    if (smtpd_check_resolve(check, check->sender, check->recipient,
                            &reply) & RESOLVE_FLAG_FAIL)
        status = smtpd_check_dict_retry(check, check->recipient);
    else if (strrchr(buf_str(reply.recipient), '@') == NULL)
        status = SMTPD_CHECK_OK;
    else if (!var_allow_untrusted_routing
             && (reply.flags & RESOLVE_FLAG_ROUTED))
        status = SMTPD_CHECK_DUNNO;
    else if (reply.flags & RESOLVE_CLASS_FINAL)
        status = SMTPD_CHECK_OK;
    resolve_reply_free(&reply);
    return status;
}

/* smtpd_check_permit_auth - permit_auth_destination */
static int
smtpd_check_permit_auth(SMTPD_CHECK *check, const char *unused)
{
    return check->recipient ? smtpd_check_auth_dest(check)
        : SMTPD_CHECK_DUNNO;
}

/* smtpd_check_unauth - reject/defer_unauth_destination */
static int
smtpd_check_unauth(SMTPD_CHECK *check, int code, const char *dsn)
{
    int     status;

    if (check->recipient == NULL)
        return SMTPD_CHECK_DUNNO;
    if ((status = smtpd_check_auth_dest(check)) == SMTPD_CHECK_OK)
        return SMTPD_CHECK_DUNNO;
    if (status == SMTPD_CHECK_REJECT)
        return status;
    return smtpd_check_reject(check, SMTPD_ERR_POLICY, code, dsn,
                              "<%s>: Relay access denied", check->recipient);
}

/* smtpd_check_reject_unauth - reject_unauth_destination */
static int
smtpd_check_reject_unauth(SMTPD_CHECK *check, const char *unused)
{
    return smtpd_check_unauth(check, var_relay_domains_reject_code, "5.7.1");
}

/* smtpd_check_defer_unauth - defer_unauth_destination */
static int
smtpd_check_defer_unauth(SMTPD_CHECK *check, const char *unused)
{
    return smtpd_check_unauth(check, var_relay_domains_reject_code - 100,
                              "4.7.1");
}

/* smtpd_check_bounce - reject_multi_recipient_bounce */
static int
smtpd_check_bounce(SMTPD_CHECK *check, const char *unused)
{
    SMTPD_STATE *state = check->state;
    int     more = strcmp(state->where, "RCPT") != 0;

    if (check->sender == NULL || *check->sender != 0
        || state->rcpt_count <= more)
        return SMTPD_CHECK_DUNNO;
    return smtpd_check_reject(check, SMTPD_ERR_POLICY,
                              var_multi_recipient_bounce_reject_code, "5.5.3",
                              "<%s>: %s rejected: Multi-recipient bounce",
                              check->reply_name, check->reply_class);
}

/* Every restriction Postern knows. */
static const SMTPD_RULE smtpd_check_rule_table[] = {
    {"permit", SMTPD_ARG_NONE, true, smtpd_check_permit},
    {"reject", SMTPD_ARG_NONE, true, smtpd_check_reject_all},
    {"defer", SMTPD_ARG_NONE, true, smtpd_check_defer_all},
    {"defer_if_permit", SMTPD_ARG_NONE, false, smtpd_check_dip},
    {"defer_if_reject", SMTPD_ARG_NONE, false, smtpd_check_dir},
    {"reject_unauth_pipelining", SMTPD_ARG_NONE, false, smtpd_check_pipe},
    {"sleep", SMTPD_ARG_NUMBER, false, smtpd_check_sleep},
    {SMTPD_CHECK_POLICY, SMTPD_ARG_SERVER, false, smtpd_check_policy},
    /* The client. */
    {"permit_mynetworks", SMTPD_ARG_NONE, false, smtpd_check_mynetworks},
    {"permit_inet_interfaces", SMTPD_ARG_NONE, false,
    smtpd_check_interfaces},
    {"reject_unknown_client_hostname", SMTPD_ARG_NONE, false,
    smtpd_check_unknown_client},
    {"reject_unknown_client", SMTPD_ARG_NONE, false,
    smtpd_check_unknown_client},
    {"reject_unknown_reverse_client_hostname", SMTPD_ARG_NONE, false,
    smtpd_check_unknown_rev_client},
    {"reject_rbl_client", SMTPD_ARG_DOMAIN, false, smtpd_check_rbl_client},
    {"reject_rbl", SMTPD_ARG_DOMAIN, false, smtpd_check_rbl_client},
    {"permit_dnswl_client", SMTPD_ARG_DOMAIN, false,
    smtpd_check_dnswl_client},
    {"reject_rhsbl_client", SMTPD_ARG_DOMAIN, false,
    smtpd_check_rhsbl_client},
    {"permit_rhswl_client", SMTPD_ARG_DOMAIN, false,
    smtpd_check_rhswl_client},
    {"reject_rhsbl_reverse_client", SMTPD_ARG_DOMAIN, false,
    smtpd_check_rhsbl_rev_client},
    {"check_client_ns_access", SMTPD_ARG_MAP, false, smtpd_check_client_ns},
    {"check_client_mx_access", SMTPD_ARG_MAP, false, smtpd_check_client_mx},
    {"check_client_a_access", SMTPD_ARG_MAP, false, smtpd_check_client_a},
    {"check_reverse_client_hostname_ns_access", SMTPD_ARG_MAP, false,
    smtpd_check_rev_client_ns},
    {"check_reverse_client_hostname_mx_access", SMTPD_ARG_MAP, false,
    smtpd_check_rev_client_mx},
    {"check_reverse_client_hostname_a_access", SMTPD_ARG_MAP, false,
    smtpd_check_rev_client_a},
    {SMTPD_ACL_CLIENT, SMTPD_ARG_MAP, false, smtpd_check_client_access},
    {SMTPD_ACL_REV_CLIENT, SMTPD_ARG_MAP, false,
    smtpd_check_rev_client_access},
    {"permit_sasl_authenticated", SMTPD_ARG_NONE, false, smtpd_check_sasl},
    {"permit_tls_clientcerts", SMTPD_ARG_NONE, false,
    smtpd_check_tls_clientcerts},
    {"permit_tls_all_clientcerts", SMTPD_ARG_NONE, false,
    smtpd_check_tls_all_clientcerts},
    {"check_ccert_access", SMTPD_ARG_MAP, false, smtpd_check_ccert_access},
    /* HELO. */
    {SMTPD_ACL_HELO, SMTPD_ARG_MAP, false, smtpd_check_helo_access},
    {"reject_invalid_helo_hostname", SMTPD_ARG_NONE, false,
    smtpd_check_invalid_helo},
    {"reject_invalid_hostname", SMTPD_ARG_NONE, false,
    smtpd_check_invalid_helo},
    {"reject_non_fqdn_helo_hostname", SMTPD_ARG_NONE, false,
    smtpd_check_non_fqdn_helo},
    {"reject_non_fqdn_hostname", SMTPD_ARG_NONE, false,
    smtpd_check_non_fqdn_helo},
    {"reject_unknown_helo_hostname", SMTPD_ARG_NONE, false,
    smtpd_check_unknown_helo},
    {"reject_unknown_hostname", SMTPD_ARG_NONE, false,
    smtpd_check_unknown_helo},
    {"reject_rhsbl_helo", SMTPD_ARG_DOMAIN, false, smtpd_check_rhsbl_helo},
    {"check_helo_ns_access", SMTPD_ARG_MAP, false, smtpd_check_helo_ns},
    {"check_helo_mx_access", SMTPD_ARG_MAP, false, smtpd_check_helo_mx},
    {"check_helo_a_access", SMTPD_ARG_MAP, false, smtpd_check_helo_a},
    /* The sender. */
    {SMTPD_ACL_SENDER, SMTPD_ARG_MAP, false, smtpd_check_sender_access},
    {"reject_non_fqdn_sender", SMTPD_ARG_NONE, false,
    smtpd_check_non_fqdn_sender},
    {"reject_unlisted_sender", SMTPD_ARG_NONE, false,
    smtpd_check_unlisted_sender},
    {"reject_unverified_sender", SMTPD_ARG_NONE, false,
    smtpd_check_unverified_sender},
    {"reject_unknown_sender_domain", SMTPD_ARG_NONE, false,
    smtpd_check_unknown_sender},
    {"reject_unknown_address", SMTPD_ARG_NONE, false,
    smtpd_check_unknown_sender},
    {"reject_rhsbl_sender", SMTPD_ARG_DOMAIN, false,
    smtpd_check_rhsbl_sender},
    {"check_sender_ns_access", SMTPD_ARG_MAP, false, smtpd_check_sender_ns},
    {"check_sender_mx_access", SMTPD_ARG_MAP, false, smtpd_check_sender_mx},
    {"check_sender_a_access", SMTPD_ARG_MAP, false, smtpd_check_sender_a},
    {"reject_authenticated_sender_login_mismatch", SMTPD_ARG_NONE, false,
    smtpd_check_auth_login},
    {"reject_known_sender_login_mismatch", SMTPD_ARG_NONE, false,
    smtpd_check_known_login},
    {"reject_unauthenticated_sender_login_mismatch", SMTPD_ARG_NONE, false,
    smtpd_check_unauth_login},
    /* The recipient. */
    {SMTPD_ACL_RECIPIENT, SMTPD_ARG_MAP, false, smtpd_check_rcpt_access},
    {"permit_auth_destination", SMTPD_ARG_NONE, false,
    smtpd_check_permit_auth},
    {"reject_unauth_destination", SMTPD_ARG_NONE, false,
    smtpd_check_reject_unauth},
    {"defer_unauth_destination", SMTPD_ARG_NONE, false,
    smtpd_check_defer_unauth},
    {"reject_non_fqdn_recipient", SMTPD_ARG_NONE, false,
    smtpd_check_non_fqdn_rcpt},
    {"reject_unlisted_recipient", SMTPD_ARG_NONE, false,
    smtpd_check_unlisted_rcpt},
    {"check_recipient_maps", SMTPD_ARG_NONE, false,
    smtpd_check_unlisted_rcpt},
    {"reject_unverified_recipient", SMTPD_ARG_NONE, false,
    smtpd_check_unverified_rcpt},
    {"reject_multi_recipient_bounce", SMTPD_ARG_NONE, false,
    smtpd_check_bounce},
    {"reject_unknown_recipient_domain", SMTPD_ARG_NONE, false,
    smtpd_check_unknown_rcpt},
    {"permit_mx_backup", SMTPD_ARG_NONE, false, smtpd_check_mx_backup},
    {"reject_rhsbl_recipient", SMTPD_ARG_DOMAIN, false,
    smtpd_check_rhsbl_rcpt},
    {"check_recipient_ns_access", SMTPD_ARG_MAP, false, smtpd_check_rcpt_ns},
    {"check_recipient_mx_access", SMTPD_ARG_MAP, false, smtpd_check_rcpt_mx},
    {"check_recipient_a_access", SMTPD_ARG_MAP, false, smtpd_check_rcpt_a},
    /* ETRN. */
    {SMTPD_ACL_ETRN, SMTPD_ARG_MAP, false, smtpd_check_etrn_access},
};

#define SMTPD_RULE_COUNT \
    (sizeof(smtpd_check_rule_table) / sizeof(smtpd_check_rule_table[0]))

/* smtpd_check_rule_find - the entry for a name, or NULL */
static const SMTPD_RULE *
smtpd_check_rule_find(const char *name)
{
    for (size_t i = 0; i < SMTPD_RULE_COUNT; i++)
        if (strcasecmp(smtpd_check_rule_table[i].name, name) == 0)
            return smtpd_check_rule_table + i;
    return NULL;
}

/* smtpd_check_arg_ok - whether next suits the argument kind; warns as
 * Postfix does when it does not */
static bool
smtpd_check_arg_ok(const SMTPD_RULE *rule, const char *next)
{
    switch (rule->arg) {
    case SMTPD_ARG_MAP:
        if (next != NULL && strchr(next, ':') != NULL)
            return true;
        msg_warn("restriction %s: bad argument \"%s\": need maptype:mapname",
                 rule->name, next ? next : rule->name);
        return false;
    case SMTPD_ARG_SERVER:
        if (next != NULL && strchr(next, ':') != NULL)
            return true;
        msg_warn("restriction %s must be followed by transport:server",
                 rule->name);
        return false;
    case SMTPD_ARG_DOMAIN:
        if (next != NULL)
            return true;
        msg_warn("restriction %s requires domain name argument", rule->name);
        return false;
    case SMTPD_ARG_NUMBER:
        if (next != NULL && *next != 0
            && strspn(next, "0123456789") == strlen(next))
            return true;
        msg_warn("restriction %s must be followed by number", rule->name);
        return false;
    default:
        return true;
    }
}

/* smtpd_check_named - a restriction from the table; its argument is
 * taken from the list */
static int
smtpd_check_named(SMTPD_CHECK *check, const SMTPD_RULE *rule, char ***cpp)
{
    const char *arg = rule->name;
    int     status;

    if (rule->arg != SMTPD_ARG_NONE) {
        if (!smtpd_check_arg_ok(rule, (*cpp)[1]))
            return rule->arg == SMTPD_ARG_DOMAIN ? SMTPD_CHECK_DUNNO
                : smtpd_check_server_error(check);
        arg = *++*cpp;
    }
    status = rule->fn(check, arg);
    if (rule->last && (*cpp)[1] != NULL
        && (status == SMTPD_CHECK_OK || check->warn_if_reject == 0))
        msg_warn("restriction `%s' after `%s' is ignored", (*cpp)[1],
                 rule->name);
    return status;
}

/* smtpd_check_rule - one restriction of a list: a name from the table, a
 * bare table, or a restriction class */
int
smtpd_check_rule(SMTPD_CHECK *check, char ***cpp)
{
    const char *name = **cpp;
    const SMTPD_RULE *rule;
    const ARGV *class;

    if (strchr(name, ':') != NULL) {
        if (check->def_acl == NULL) {
            msg_warn("specify one of (%s, %s, %s, %s, %s, %s) before %s "
                     "restriction \"%s\"", SMTPD_ACL_CLIENT,
                     SMTPD_ACL_REV_CLIENT, SMTPD_ACL_HELO, SMTPD_ACL_SENDER,
                     SMTPD_ACL_RECIPIENT, SMTPD_ACL_ETRN, check->reply_class,
                     name);
            return smtpd_check_server_error(check);
        }
        return smtpd_check_rule_find(check->def_acl)->fn(check, name);
    }
    if ((rule = smtpd_check_rule_find(name)) != NULL)
        return smtpd_check_named(check, rule, cpp);
    if ((class = htable_find(check->acl->classes, name)) != NULL) {
        if (check->recursion <= 100)
            return smtpd_check_list(check, class);
        msg_warn("restriction class %s causes unreasonable recursion", name);
        return smtpd_check_server_error(check);
    }
    msg_warn("unknown smtpd restriction: \"%s\"", name);
    return smtpd_check_server_error(check);
}
