/* smtpd_check_addr - restrictions on host names and addresses: their
 * syntax, whether the client's name is known, and whether a sender or
 * recipient in one of our domains exists.
 *
 * Model: Postfix 3.7 as observed (docs/smtpd.md):
 *  - reject_invalid_helo_hostname: "501 5.5.2 <H>: Helo command rejected:
 *    Invalid name" (a host name or a bare address passes; "[addr]" must
 *    be a valid address: "... invalid ip address");
 *  - reject_non_fqdn_helo_hostname: "504 5.5.2 ... need fully-qualified
 *    hostname"; reject_non_fqdn_sender/recipient: "504 5.5.2 <A>: Sender
 *    address rejected: need fully-qualified address" ("[addr]" domains
 *    pass). One trailing dot is ignored;
 *  - reject_unknown_client_hostname: "450 4.7.25 Client host rejected:
 *    cannot find your hostname, [ADDR]", the reverse name: "450 4.7.1 ...
 *    cannot find your reverse hostname, [ADDR]";
 *  - reject_unlisted_recipient (and smtpd_reject_unlisted_recipient, on
 *    by default): a recipient in a local, virtual mailbox or relay domain
 *    must be found in local_recipient_maps, virtual_mailbox_maps or
 *    relay_recipient_maps (when that parameter is not empty), unless a
 *    canonical or virtual alias table knows it; postmaster, MAILER-DAEMON
 *    and the double-bounce address are always local recipients. Virtual
 *    alias domains are refused with trivial-rewrite's text. "550 5.1.1
 *    <R>: Recipient address rejected: User unknown in local recipient
 *    table"; a sender gets 5.1.0 and "Sender address rejected".
 * Addresses are resolved as Postfix's smtpd does: rewritten in the local
 * context, then resolved, both by trivial-rewrite. */
#include <string.h>

#include "mail_params.h"
#include "maps_addr.h"
#include "msg.h"
#include "mymalloc.h"
#include "quote_822_local.h"
#include "smtpd_check.h"
#include "valid_hostname.h"

/* smtpd_check_resolve_init - an empty cache */
void
smtpd_check_resolve_init(SMTPD_CHECK *check)
{
    check->resolved_sender = buf_alloc(100);
    check->resolved_addr = buf_alloc(100);
    resolve_reply_init(&check->resolved);
    check->resolved_valid = false;
}

/* smtpd_check_resolve_free - forget it */
void
smtpd_check_resolve_free(SMTPD_CHECK *check)
{
    buf_free(check->resolved_sender);
    buf_free(check->resolved_addr);
    resolve_reply_free(&check->resolved);
}

/* smtpd_check_resolve_copy - one reply into another */
static void
smtpd_check_resolve_copy(RESOLVE_REPLY *to, const RESOLVE_REPLY *from)
{
    to->flags = from->flags;
    buf_strcpy(to->transport, buf_str(from->transport));
    buf_strcpy(to->nexthop, buf_str(from->nexthop));
    buf_strcpy(to->recipient, buf_str(from->recipient));
}

/* smtpd_check_resolve - rewrite and resolve addr for sender (NULL: not
 * known, sent as ""); the reply flags, with RESOLVE_FLAG_FAIL when
 * trivial-rewrite did not answer. The last answer is kept. */
int
smtpd_check_resolve(SMTPD_CHECK *check, const char *sender,
                    const char *addr, RESOLVE_REPLY *reply)
{
    const SMTPD_SETTINGS *s = check->state->settings;
    BUF    *why = check->state->why;

    if (sender == NULL)
        sender = "";
    if (check->resolved_valid
        && strcmp(sender, buf_str(check->resolved_sender)) == 0
        && strcmp(addr, buf_str(check->resolved_addr)) == 0) {
        smtpd_check_resolve_copy(reply, &check->resolved);
        return reply->flags;
    }
    if (rewrite_clnt_internal(s->rewrite, "local", addr, check->scratch,
                              why) < 0
        || resolve_clnt_query(s->resolve, sender, buf_str(check->scratch),
                              reply, why) < 0) {
        msg_warn("%s", buf_str(why));
        reply->flags = RESOLVE_FLAG_FAIL;
    }
    if ((check->resolved_valid = !(reply->flags & RESOLVE_FLAG_FAIL))) {
        buf_strcpy(check->resolved_sender, sender);
        buf_strcpy(check->resolved_addr, addr);
        smtpd_check_resolve_copy(&check->resolved, reply);
    }
    return reply->flags;
}

/* smtpd_check_dot - a copy of name without one trailing dot ("a." but
 * not "a.."); the caller frees it */
static char *
smtpd_check_dot(const char *name)
{
    size_t  len = strlen(name);

    if (len > 1 && name[len - 1] == '.' && name[len - 2] != '.')
        return mystrndup(name, len - 1);
    return mystrdup(name);
}

/* smtpd_check_hostaddr - "[addr]" (or a bare addr) must be an address */
static int
smtpd_check_hostaddr(SMTPD_CHECK *check, const char *addr)
{
    size_t  len = strlen(addr);
    char   *bare = addr[0] == '[' && len > 2 && addr[len - 1] == ']' ?
    mystrndup(addr + 1, len - 2) : mystrdup(addr);
    int     status = SMTPD_CHECK_DUNNO;

    if (!valid_mailhost_addr(bare))
        status = smtpd_check_reject(check, SMTPD_ERR_POLICY,
                                    var_invalid_hostname_reject_code, "5.5.2",
                                    "<%s>: %s rejected: invalid ip address",
                                    addr, SMTPD_NAME_HELO);
    myfree(bare);
    return status;
}

/* smtpd_check_name_ok - whether name (one trailing dot ignored) is a
 * fully qualified host name (fqdn), or else a host name or an address */
static bool
smtpd_check_name_ok(SMTPD_CHECK *check, const char *name, bool fqdn)
{
    char   *test = smtpd_check_dot(name);
    bool    ok;

    if (fqdn)
        ok = *test && valid_hostname(test, check->state->smtputf8)
            && strchr(test, '.') != NULL;
    else
        ok = valid_hostname(test, false) || valid_hostaddr(test);
    myfree(test);
    return ok;
}

/* smtpd_check_helo_name - the HELO name must be a (fully qualified)
 * host name; "[addr]" must be an address */
static int
smtpd_check_helo_name(SMTPD_CHECK *check, bool fqdn)
{
    const char *helo = check->helo;

    if (helo == NULL)
        return SMTPD_CHECK_DUNNO;
    if (*helo == '[')
        return smtpd_check_hostaddr(check, helo);
    if (smtpd_check_name_ok(check, helo, fqdn))
        return SMTPD_CHECK_DUNNO;
    return smtpd_check_reject(check, SMTPD_ERR_POLICY, fqdn ?
                              var_non_fqdn_reject_code :
                              var_invalid_hostname_reject_code, "5.5.2",
                              "<%s>: %s rejected: %s", helo, SMTPD_NAME_HELO,
                              fqdn ? "need fully-qualified hostname"
                              : "Invalid name");
}

/* smtpd_check_invalid_helo - reject_invalid_helo_hostname */
int
smtpd_check_invalid_helo(SMTPD_CHECK *check, const char *unused)
{
    return smtpd_check_helo_name(check, false);
}

/* smtpd_check_non_fqdn_helo - reject_non_fqdn_helo_hostname */
int
smtpd_check_non_fqdn_helo(SMTPD_CHECK *check, const char *unused)
{
    return smtpd_check_helo_name(check, true);
}

/* smtpd_check_non_fqdn_addr - the domain of addr must be a full name */
static int
smtpd_check_non_fqdn_addr(SMTPD_CHECK *check, const char *addr,
                          const char *reply_class)
{
    const char *at = strrchr(addr, '@');
    const char *domain = at ? at + 1 : "";
    size_t  len = strlen(domain);

    if ((len > 0 && domain[0] == '[' && domain[len - 1] == ']')
        || smtpd_check_name_ok(check, domain, true))
        return SMTPD_CHECK_DUNNO;
    return smtpd_check_reject(check, SMTPD_ERR_POLICY,
                              var_non_fqdn_reject_code, "4.5.2",
                           "<%s>: %s rejected: need fully-qualified address",
                              addr, reply_class);
}

/* smtpd_check_non_fqdn_sender - reject_non_fqdn_sender */
int
smtpd_check_non_fqdn_sender(SMTPD_CHECK *check, const char *unused)
{
    if (check->sender == NULL || *check->sender == 0)
        return SMTPD_CHECK_DUNNO;
    return smtpd_check_non_fqdn_addr(check, check->sender, SMTPD_NAME_SENDER);
}

/* smtpd_check_non_fqdn_rcpt - reject_non_fqdn_recipient */
int
smtpd_check_non_fqdn_rcpt(SMTPD_CHECK *check, const char *unused)
{
    if (check->recipient == NULL)
        return SMTPD_CHECK_DUNNO;
    return smtpd_check_non_fqdn_addr(check, check->recipient,
                                     SMTPD_NAME_RECIPIENT);
}

/* smtpd_check_unknown_client - reject_unknown_client_hostname */
int
smtpd_check_unknown_client(SMTPD_CHECK *check, const char *unused)
{
    SMTPD_STATE *state = check->state;

    if (strcmp(state->name, "unknown") != 0)
        return SMTPD_CHECK_DUNNO;
    return smtpd_check_reject(check, SMTPD_ERR_POLICY,
                              var_unknown_client_reject_code, "4.7.25",
                     "Client host rejected: cannot find your hostname, [%s]",
                              state->addr);
}

/* smtpd_check_unknown_rev_client - reject_unknown_reverse_client_hostname */
int
smtpd_check_unknown_rev_client(SMTPD_CHECK *check, const char *unused)
{
    SMTPD_STATE *state = check->state;

    if (strcmp(state->reverse_name, "unknown") != 0)
        return SMTPD_CHECK_DUNNO;
    return smtpd_check_reject(check, SMTPD_ERR_POLICY,
                              var_unknown_client_reject_code, "4.7.1",
             "Client host rejected: cannot find your reverse hostname, [%s]",
                              state->addr);
}

/* One address lookup for the unlisted checks. */
typedef struct SMTPD_RCPT_LOOKUP {
    SMTPD_CHECK *check;
    const char *addr;                   /* as the client gave it */
    BUF    *key;                        /* resolved, external form */
    int     local;                      /* the domain is ours */
} SMTPD_RCPT_LOOKUP;

/* smtpd_check_rcpt_match - 1 when maps know the address, 0 when not (or
 * no maps), -1 after a refusal because a table failed */
static int
smtpd_check_rcpt_match(SMTPD_RCPT_LOOKUP *lk, MAPS *maps, int *status)
{
    if (maps == NULL)
        return 0;
    if (maps_find_addr(maps, buf_str(lk->key), lk->local, NULL) != NULL)
        return 1;
    if (maps->error == DICT_ERR_NONE)
        return 0;
    *status = maps->error == DICT_ERR_RETRY ?
        smtpd_check_dict_retry(lk->check, lk->addr)
        : smtpd_check_server_error(lk->check);
    return -1;
}

/* smtpd_check_rcpt_special - local parts that are always accepted */
static bool
smtpd_check_rcpt_special(const char *resolved)
{
    const char *names[] = {var_double_bounce_sender, "postmaster",
    "MAILER-DAEMON"};
    size_t  len;

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        len = strlen(names[i]);
        if (strncasecmp(names[i], resolved, len) == 0 && resolved[len] == '@')
            return true;
    }
    return false;
}

/* smtpd_check_rcpt_error - trivial-rewrite says "error" or "retry" */
static int
smtpd_check_rcpt_error(SMTPD_CHECK *check, const char *addr,
                       const char *reply_class, RESOLVE_REPLY *reply)
{
    bool    sender = strcmp(reply_class, SMTPD_NAME_SENDER) == 0;
    bool    retry = strcmp(buf_str(reply->transport), "retry") == 0;
    char    dsn[DSN_STATUS_SIZE];
    const char *text;
    int     code;

    text = dsn_split(dsn, retry ? (sender ? "4.1.0" : "4.1.1")
                     : (sender ? "5.1.0" : "5.1.1"),
                     buf_str(reply->nexthop));
    code = retry ? 450 : (reply->flags & RESOLVE_CLASS_ALIAS) ?
        var_unknown_virtual_alias_reject_code : 550;
    return smtpd_check_reject(check, SMTPD_ERR_BOUNCE, code,
                              smtpd_dsn_fix(dsn, reply_class),
                              "<%s>: %s rejected: %s", addr, reply_class,
                              text);
}

/* smtpd_check_rcpt_table - the table for the address class; the code
 * and the table's name in the reply; NULL: no check */
static MAPS *
smtpd_check_rcpt_table(const SMTPD_ACL *acl, int flags, const char *resolved,
                       int *code, const char **table)
{
    switch (flags & RESOLVE_CLASS_MASK) {
    case RESOLVE_CLASS_LOCAL:
        *code = var_unknown_local_recipient_reject_code;
        *table = " in local recipient table";
        return smtpd_check_rcpt_special(resolved) ? NULL
            : acl->local_rcpt_maps;
    case RESOLVE_CLASS_VIRTUAL:
        *code = var_unknown_virtual_mailbox_reject_code;
        *table = " in virtual mailbox table";
        return acl->virt_mailbox_maps;
    case RESOLVE_CLASS_RELAY:
        *code = var_unknown_relay_recipient_reject_code;
        *table = " in relay recipient table";
        return acl->relay_rcpt_maps;
    default:
        return NULL;
    }
}

/* smtpd_check_rcpt_known - the canonical and alias tables, then the
 * table of the address class */
static int
smtpd_check_rcpt_known(SMTPD_RCPT_LOOKUP *lk, const char *reply_class,
                       RESOLVE_REPLY *reply)
{
    const SMTPD_ACL *acl = lk->check->acl;
    MAPS   *aliases[] = {acl->rcpt_canon_maps,
        strcmp(reply_class, SMTPD_NAME_SENDER) == 0 ? acl->send_canon_maps
    : NULL, acl->canonical_maps, acl->virt_alias_maps};
    const char *table;
    int     status = SMTPD_CHECK_DUNNO, code, found;
    MAPS   *maps;

    for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
        if ((found = smtpd_check_rcpt_match(lk, aliases[i], &status)) != 0)
            return status;
    if (strcmp(buf_str(reply->transport), "error") == 0
        || strcmp(buf_str(reply->transport), "retry") == 0)
        return smtpd_check_rcpt_error(lk->check, lk->addr, reply_class,
                                      reply);
    maps = smtpd_check_rcpt_table(acl, reply->flags, buf_str(reply->recipient),
                                  &code, &table);
    if ((found = smtpd_check_rcpt_match(lk, maps, &status)) != 0 || !maps)
        return status;
    return smtpd_check_reject(lk->check, SMTPD_ERR_BOUNCE, code,
                            strcmp(reply_class, SMTPD_NAME_SENDER) == 0 ?
                              "5.1.0" : "5.1.1",
                              "<%s>: %s rejected: User unknown%s", lk->addr,
                              reply_class,
                              var_show_user_unknown_table_name ? table : "");
}

/* smtpd_check_rcpt_maps - is addr (resolved for context) a known address
 * of ours; DUNNO or a refusal */
static int
smtpd_check_rcpt_maps(SMTPD_CHECK *check, const char *context,
                      const char *addr, const char *reply_class)
{
    RESOLVE_REPLY reply;
    SMTPD_RCPT_LOOKUP lk = {.check = check, .addr = addr};
    const char *at;
    int     status;

    resolve_reply_init(&reply);
    if (smtpd_check_resolve(check, context, addr, &reply) & RESOLVE_FLAG_FAIL) {
        resolve_reply_free(&reply);
        return smtpd_check_dict_retry(check, addr);
    }
    lk.key = buf_alloc(100);
    quote_822_local(lk.key, buf_str(reply.recipient));
    at = strrchr(buf_str(reply.recipient), '@');
    lk.local = (reply.flags & RESOLVE_CLASS_LOCAL)
        || (at && strcasecmp(at + 1, var_myorigin) == 0);
    status = smtpd_check_rcpt_known(&lk, reply_class, &reply);
    buf_free(lk.key);
    resolve_reply_free(&reply);
    return status;
}

/* smtpd_check_unlisted_sender - reject_unlisted_sender (once per MAIL) */
int
smtpd_check_unlisted_sender(SMTPD_CHECK *check, const char *unused)
{
    if (check->sender == NULL || *check->sender == 0
        || check->sender_rcptmap_checked || check->acl->no_unknown_rcpt)
        return SMTPD_CHECK_DUNNO;
    if (check->warn_if_reject == 0)
        check->sender_rcptmap_checked = true;
    return smtpd_check_rcpt_maps(check, check->recipient, check->sender,
                                 SMTPD_NAME_SENDER);
}

/* smtpd_check_unlisted_rcpt - reject_unlisted_recipient (once per RCPT) */
int
smtpd_check_unlisted_rcpt(SMTPD_CHECK *check, const char *unused)
{
    if (check->recipient == NULL || *check->recipient == 0
        || check->recipient_rcptmap_checked || check->acl->no_unknown_rcpt)
        return SMTPD_CHECK_DUNNO;
    if (check->warn_if_reject == 0)
        check->recipient_rcptmap_checked = true;
    return smtpd_check_rcpt_maps(check, check->sender, check->recipient,
                                 SMTPD_NAME_RECIPIENT);
}
