/* smtpd_check_dns - restrictions that ask the DNS about names (the DNS
 * lists are in smtpd_check_rbl.c):
 *  - reject_unknown_helo_hostname: the HELO name needs an A, AAAA or MX
 *    record (a null MX will do): "450 4.7.1 <H>: Helo command rejected:
 *    Host not found" ($unknown_hostname_reject_code); "[address]" must be
 *    a valid address;
 *  - reject_unknown_sender_domain / _recipient_domain: the domain of an
 *    address that is not ours needs an MX, A or AAAA record: "450 4.1.8
 *    <S>: Sender address rejected: Domain not found"
 *    ($unknown_address_reject_code; 4.1.2 for a recipient); a null MX is
 *    "550 5.7.27 ... Domain D does not accept mail (nullMX)" for a sender,
 *    "556 5.1.10 ..." for a recipient; a malformed reply "Malformed DNS
 *    server reply";
 *  - a temporary DNS failure is "450 ... Host not found" / "Domain not
 *    found" as $unknown_helo_hostname_tempfail_action /
 *    $unknown_address_tempfail_action says: defer_if_permit (the default)
 *    or defer;
 *  - permit_mx_backup: the recipient's domain is ours or a relay domain,
 *    or this host is one of its MX hosts, but not a best one; with
 *    $permit_mx_backup_networks the best MX hosts' addresses must all be
 *    in it. DNS failures hold back a later 5XX refusal ("450 4.4.4 ...
 *    Unable to look up mail exchanger information: ...");
 *  - check_{client,reverse_client_hostname,helo,sender,recipient}_
 *    {ns,mx,a}_access table: the NS or MX hosts of the name (a name
 *    without MX records is its own MX host; a name without NS records
 *    takes its parent domain's), or the name itself for _a_, are looked up
 *    in the table, each by its name (not for _a_) and then by each of its
 *    addresses; "[address]" domains are their own MX/A host. OK is not
 *    allowed (a configuration error, as in Postfix).
 * Model: Postfix 3.7's smtpd_check.c (reject_unknown_hostname,
 * reject_unknown_mailhost, permit_mx_backup, check_server_access). Where
 * Postfix asks the system resolver (getaddrinfo) for host addresses,
 * Postern asks dns_lookup, so that $dns_servers applies. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>

#include "dns_lookup.h"
#include "mail_params.h"
#include "match_list.h"
#include "msg.h"
#include "mymalloc.h"
#include "own_inet_addr.h"
#include "smtpd_check.h"
#include "valid_hostname.h"

/* What a check_*_{ns,mx,a}_access restriction looks at. */
typedef enum {
    SMTPD_DNS_CLIENT, SMTPD_DNS_REV_CLIENT, SMTPD_DNS_HELO,
    SMTPD_DNS_SENDER, SMTPD_DNS_RCPT,
} SMTPD_DNS_TARGET;

/* One check_*_{ns,mx,a}_access search. */
typedef struct SMTPD_DNS_ACL {
    SMTPD_CHECK *check;
    const char *table;
    int     type;                       /* DNS_TYPE_NS, _MX or _A */
    const char *name;                   /* what the hosts are found for */
    const char *reply_name;
    const char *reply_class;
    bool    found;                      /* a key matched: stop */
} SMTPD_DNS_ACL;

static MATCH_LIST *smtpd_dns_mydest;
static MATCH_LIST *smtpd_dns_mx_networks;

static int smtpd_dns_tempfail(SMTPD_CHECK *, const char *, const char *,
                              const char *, ...) MSG_PRINTF(4, 5);

/* smtpd_dns_tempfail - a temporary DNS failure: "450 DSN text", at once
 * with "defer", else held back as defer_if_permit does */
static int
smtpd_dns_tempfail(SMTPD_CHECK *check, const char *action, const char *dsn,
                   const char *fmt, ...)
{
    BUF    *text = buf_alloc(100);
    va_list ap;
    int     status;

    va_start(ap, fmt);
    buf_vsprintf_append(text, fmt, ap);
    va_end(ap);
    if (strcmp(action, "defer") == 0) {
        status = smtpd_check_reject(check, SMTPD_ERR_POLICY, 450, dsn, "%s",
                                    buf_str(text));
    } else {
        if (strcmp(action, "defer_if_permit") != 0)
            msg_warn("unknown tempfail action \"%s\": using "
                     "defer_if_permit", action);
        status = smtpd_check_defer_if_permit(check, SMTPD_ERR_POLICY, 450,
                                             dsn, "%s", buf_str(text));
    }
    buf_free(text);
    return status;
}

/* smtpd_dns_exists - the result of looking up types for name (records
 * are not needed) */
static int
smtpd_dns_exists(const char *name, const int *types, int stop)
{
    DNS_RR_LIST list;
    BUF    *why = buf_alloc(100);
    int     result = dns_lookup_types(name, types, stop, &list, why);

    dns_rr_list_free(&list);
    buf_free(why);
    return result;
}

/* smtpd_check_unknown_helo - reject_unknown_helo_hostname */
int
smtpd_check_unknown_helo(SMTPD_CHECK *check, const char *unused)
{
    static const int types[] = {DNS_TYPE_A, DNS_TYPE_AAAA, DNS_TYPE_MX, 0};
    const char *helo = check->helo;
    int     result;

    if (helo == NULL)
        return SMTPD_CHECK_DUNNO;
    if (*helo == '[')
        return smtpd_check_invalid_helo(check, unused);
    result = smtpd_dns_exists(helo, types, DNS_STOP_OK);
    if (result == DNS_OK || result == DNS_NULLMX)
        return SMTPD_CHECK_DUNNO;
    if (result != DNS_RETRY)
        return smtpd_check_reject(check, SMTPD_ERR_POLICY,
                                  var_unknown_hostname_reject_code, "4.7.1",
                                  "<%s>: %s rejected: %s", helo,
                                  SMTPD_NAME_HELO, result == DNS_INVAL ?
                                  "Malformed DNS server reply" :
                                  "Host not found");
    return smtpd_dns_tempfail(check, var_unknown_helo_hostname_tempfail_action,
                              "4.7.1", "<%s>: %s rejected: Host not found",
                              helo, SMTPD_NAME_HELO);
}

/* smtpd_dns_mailhost - the domain of addr must have MX or address
 * records */
static int
smtpd_dns_mailhost(SMTPD_CHECK *check, const char *domain, const char *addr,
                   const char *reply_class)
{
    static const int types[] = {DNS_TYPE_MX, DNS_TYPE_A, DNS_TYPE_AAAA, 0};
    bool    sender = strcmp(reply_class, SMTPD_NAME_SENDER) == 0;
    int     result;

    result = smtpd_dns_exists(domain, types, DNS_STOP_OK | DNS_STOP_INVAL
                              | DNS_STOP_NULLMX);
    if (result == DNS_OK)
        return SMTPD_CHECK_DUNNO;
    if (result == DNS_NULLMX)
        return smtpd_check_reject(check, SMTPD_ERR_POLICY,
                                  sender ? 550 : 556,
                                  sender ? "4.7.27" : "4.1.10",
                                  "<%s>: %s rejected: Domain %s does not "
                                  "accept mail (nullMX)", addr, reply_class,
                                  domain);
    if (result != DNS_RETRY)
        return smtpd_check_reject(check, SMTPD_ERR_POLICY,
                                  var_unknown_address_reject_code,
                                  sender ? "4.1.8" : "4.1.2",
                                  "<%s>: %s rejected: %s", addr, reply_class,
                                  result == DNS_INVAL ?
                                  "Malformed DNS server reply" :
                                  "Domain not found");
    return smtpd_dns_tempfail(check, var_unknown_address_tempfail_action,
                              sender ? "4.1.8" : "4.1.2",
                              "<%s>: %s rejected: Domain not found", addr,
                              reply_class);
}

/* smtpd_dns_unknown_addr - reject_unknown_{sender,recipient}_domain:
 * addresses in our domains, and [address] domains, pass */
static int
smtpd_dns_unknown_addr(SMTPD_CHECK *check, const char *context,
                       const char *addr, const char *reply_class)
{
    RESOLVE_REPLY reply;
    const char *at;
    const char *domain;
    int     status = SMTPD_CHECK_DUNNO;

    resolve_reply_init(&reply);
    if (smtpd_check_resolve(check, context, addr, &reply) & RESOLVE_FLAG_FAIL)
        status = smtpd_check_dict_retry(check, addr);
    else if ((at = strrchr(buf_str(reply.recipient), '@')) != NULL
             && !(reply.flags & RESOLVE_CLASS_FINAL)
             && *(domain = at + 1) != '[')
        status = smtpd_dns_mailhost(check, domain, addr, reply_class);
    resolve_reply_free(&reply);
    return status;
}

/* smtpd_check_unknown_sender - reject_unknown_sender_domain */
int
smtpd_check_unknown_sender(SMTPD_CHECK *check, const char *unused)
{
    if (check->sender == NULL || *check->sender == 0)
        return SMTPD_CHECK_DUNNO;
    return smtpd_dns_unknown_addr(check, check->recipient, check->sender,
                                  SMTPD_NAME_SENDER);
}

/* smtpd_check_unknown_rcpt - reject_unknown_recipient_domain */
int
smtpd_check_unknown_rcpt(SMTPD_CHECK *check, const char *unused)
{
    if (check->recipient == NULL)
        return SMTPD_CHECK_DUNNO;
    return smtpd_dns_unknown_addr(check, check->sender, check->recipient,
                                  SMTPD_NAME_RECIPIENT);
}

/* smtpd_dns_addr_text - an A or AAAA record as text */
static const char *
smtpd_dns_addr_text(const DNS_RR *rr, char *buf, size_t len)
{
    return inet_ntop(rr->type == DNS_TYPE_A ? AF_INET : AF_INET6,
                     &rr->addr, buf, (socklen_t) len);
}

/* smtpd_dns_error - the resolver's words at the end of a lookup text
 * ("... type=A: Host not found" gives "Host not found") */
static const char *
smtpd_dns_error(const BUF *why)
{
    const char *colon = strrchr(buf_str(why), ':');

    return colon && colon[1] == ' ' ? colon + 2 : buf_str(why);
}

/* smtpd_dns_name_mine - whether host is this host by name
 * ($mydestination) */
static bool
smtpd_dns_name_mine(const char *host)
{
    BUF    *why = buf_alloc(100);
    bool    mine;

    if (smtpd_dns_mydest == NULL
        && (smtpd_dns_mydest = match_list_create("mydestination",
                                                 MATCH_STRING,
                                                 var_mydestination, 0,
                                                 why)) == NULL)
        msg_warn("%s", buf_str(why));
    mine = smtpd_dns_mydest != NULL
        && match_list_match(smtpd_dns_mydest, host, NULL, why) > 0;
    buf_free(why);
    return mine;
}

/* smtpd_dns_addr_mine - whether one of host's addresses is this host's;
 * a failed lookup holds back a 5XX refusal */
static bool
smtpd_dns_addr_mine(SMTPD_CHECK *check, const char *host)
{
    BUF    *why = buf_alloc(100);
    DNS_RR_LIST addrs;
    bool    mine = false;

    if (dns_lookup_addrs(host, &addrs, why) != DNS_OK)
        smtpd_check_defer_if(&check->defer_if_reject, SMTPD_ERR_POLICY, 450,
                             "4.4.4", "<%s>: %s rejected: Unable to look up "
                             "mail exchanger host %s: %s", check->recipient,
                             SMTPD_NAME_RECIPIENT, host, smtpd_dns_error(why));
    for (size_t i = 0; i < addrs.count && !mine; i++)
        mine = own_inet_addr_match(addrs.rr[i].type == DNS_TYPE_A ?
                                   AF_INET : AF_INET6, &addrs.rr[i].addr,
                                   why) > 0;
    dns_rr_list_free(&addrs);
    buf_free(why);
    return mine;
}

/* smtpd_dns_i_am_mx - whether this host is one of the MX hosts from
 * first to last (exclusive): names first, then addresses */
static bool
smtpd_dns_i_am_mx(SMTPD_CHECK *check, const DNS_RR_LIST *mx, size_t first,
                  size_t last)
{
    for (size_t i = first; i < last; i++)
        if (smtpd_dns_name_mine(mx->rr[i].host))
            return true;
    for (size_t i = first; i < last; i++)
        if (smtpd_dns_addr_mine(check, mx->rr[i].host))
            return true;
    return false;
}

/* smtpd_dns_auth_mx - whether every address of host is in
 * $permit_mx_backup_networks */
static bool
smtpd_dns_auth_mx(SMTPD_CHECK *check, const char *host)
{
    BUF    *why = buf_alloc(100);
    DNS_RR_LIST addrs;
    char    addr[INET6_ADDRSTRLEN];
    bool    ok = true;
    int     match;

    if (dns_lookup_addrs(host, &addrs, why) != DNS_OK) {
        smtpd_check_defer_if(&check->defer_if_reject, SMTPD_ERR_POLICY, 450,
                             "4.4.4", "<%s>: %s rejected: Unable to look up "
                             "host %s as mail exchanger: %s",
                             check->recipient, SMTPD_NAME_RECIPIENT, host,
                             smtpd_dns_error(why));
        ok = false;
    }
    for (size_t i = 0; i < addrs.count && ok; i++) {
        smtpd_dns_addr_text(addrs.rr + i, addr, sizeof(addr));
        if ((match = match_list_match(smtpd_dns_mx_networks, host, addr,
                                      why)) > 0)
            continue;
        ok = false;
        if (match < 0) {
            msg_warn("permit_mx_backup: permit_mx_backup_networks lookup "
                     "error for address %s for %s", addr, host);
            smtpd_check_defer_if(&check->defer_if_reject, SMTPD_ERR_POLICY,
                                 450, "4.4.4", "<%s>: %s rejected: Unable "
                                 "to verify host %s as mail exchanger",
                                 check->recipient, SMTPD_NAME_RECIPIENT,
                                 host);
        }
    }
    dns_rr_list_free(&addrs);
    buf_free(why);
    return ok;
}

/* smtpd_dns_primaries_ok - $permit_mx_backup_networks, when set, must
 * hold every address of the best MX hosts */
static bool
smtpd_dns_primaries_ok(SMTPD_CHECK *check, const DNS_RR_LIST *mx,
                       size_t count)
{
    BUF    *why;

    if (*var_permit_mx_backup_networks == 0)
        return true;
    if (smtpd_dns_mx_networks == NULL) {
        why = buf_alloc(100);
        smtpd_dns_mx_networks = match_list_create("permit_mx_backup_networks",
                                                  MATCH_NAMADR,
                                                var_permit_mx_backup_networks,
                                                  MATCH_FLAG_PARENT_STYLE,
                                                  why);
        if (smtpd_dns_mx_networks == NULL)
            msg_fatal("%s", buf_str(why));
        buf_free(why);
    }
    for (size_t i = 0; i < count; i++)
        if (!smtpd_dns_auth_mx(check, mx->rr[i].host))
            return false;
    return true;
}

/* smtpd_dns_pref_order - MX records by preference */
static int
smtpd_dns_pref_order(const void *a, const void *b)
{
    const DNS_RR *ra = a;
    const DNS_RR *rb = b;

    return (ra->pref > rb->pref) - (ra->pref < rb->pref);
}

/* smtpd_dns_backup - whether this host is a backup MX host of domain */
static int
smtpd_dns_backup(SMTPD_CHECK *check, const char *domain)
{
    BUF    *why = buf_alloc(100);
    DNS_RR_LIST mx;
    size_t  best = 1;
    int     result = dns_lookup(domain, DNS_TYPE_MX, &mx, why);
    int     status = SMTPD_CHECK_DUNNO;

    if (result == DNS_RETRY)
        smtpd_check_defer_if(&check->defer_if_reject, SMTPD_ERR_POLICY, 450,
                             "4.4.4", "<%s>: %s rejected: Unable to look up "
                             "mail exchanger information: %s",
                             check->recipient, SMTPD_NAME_RECIPIENT,
                             smtpd_dns_error(why));
    if (result == DNS_OK) {
        qsort(mx.rr, mx.count, sizeof(*mx.rr), smtpd_dns_pref_order);
        while (best < mx.count && mx.rr[best].pref == mx.rr[0].pref)
            best++;
        if (!smtpd_dns_i_am_mx(check, &mx, 0, best)
            && smtpd_dns_i_am_mx(check, &mx, best, mx.count)
            && smtpd_dns_primaries_ok(check, &mx, best))
            status = SMTPD_CHECK_OK;
    }
    dns_rr_list_free(&mx);
    buf_free(why);
    return status;
}

/* smtpd_check_mx_backup - permit_mx_backup */
int
smtpd_check_mx_backup(SMTPD_CHECK *check, const char *unused)
{
    RESOLVE_REPLY reply;
    const char *at;
    int     status;

    if (check->recipient == NULL)
        return SMTPD_CHECK_DUNNO;
    resolve_reply_init(&reply);
    if (smtpd_check_resolve(check, check->sender, check->recipient, &reply)
        & RESOLVE_FLAG_FAIL)
        status = smtpd_check_dict_retry(check, check->recipient);
    else if ((at = strrchr(buf_str(reply.recipient), '@')) == NULL)
        status = SMTPD_CHECK_OK;
    else if (!var_allow_untrusted_routing
             && (reply.flags & RESOLVE_FLAG_ROUTED))
        status = SMTPD_CHECK_DUNNO;
    else if (reply.flags & (RESOLVE_CLASS_FINAL | RESOLVE_CLASS_RELAY))
        status = SMTPD_CHECK_OK;
    else if (at[1] == '[')
        status = SMTPD_CHECK_DUNNO;
    else
        status = smtpd_dns_backup(check, at + 1);
    resolve_reply_free(&reply);
    return status;
}

/* smtpd_dns_acl_find - look up a host name or an address */
static int
smtpd_dns_acl_find(SMTPD_DNS_ACL *acl, const char *name, const char *addr)
{
    return smtpd_check_access_host(acl->check, acl->table, acl->reply_name,
                                   acl->reply_class, name, addr, &acl->found);
}

/* smtpd_dns_acl_host - one server: its name (not for _a_), then each of
 * its addresses */
static int
smtpd_dns_acl_host(SMTPD_DNS_ACL *acl, const char *host)
{
    BUF    *why;
    DNS_RR_LIST addrs;
    char    addr[INET6_ADDRSTRLEN];
    int     status = SMTPD_CHECK_DUNNO;
    int     result;

    if (valid_hostaddr(host))
        return smtpd_dns_acl_find(acl, NULL, host);
    if (acl->type != DNS_TYPE_A
        && ((status = smtpd_dns_acl_find(acl, host, NULL)) != 0
            || acl->found))
        return status;
    why = buf_alloc(100);
    if ((result = dns_lookup_addrs(host, &addrs, why)) != DNS_OK
        && acl->type != DNS_TYPE_A)
        msg_warn("Unable to look up %s host %s for %s %s: %s",
                 dns_type_name(acl->type), host, acl->reply_class,
                 acl->reply_name, dns_gai_text(result, why));
    for (size_t i = 0; i < addrs.count && status == 0 && !acl->found; i++)
        status = smtpd_dns_acl_find(acl, NULL,
                                    smtpd_dns_addr_text(addrs.rr + i, addr,
                                                        sizeof(addr)));
    dns_rr_list_free(&addrs);
    buf_free(why);
    return status;
}

/* smtpd_dns_self - domain as its own (MX or A) host */
static void
smtpd_dns_self(DNS_RR_LIST *list, const char *domain)
{
    list->rr = mycalloc(1, sizeof(*list->rr));
    list->rr->type = DNS_TYPE_MX;
    list->rr->host = mystrdup(domain);
    list->count = 1;
}

/* smtpd_dns_servers - the NS or MX hosts of domain: a domain without MX
 * records is its own, one without NS records has its nearest parent's;
 * DNS_OK, DNS_NULLMX, or a failure that was warned about */
static int
smtpd_dns_servers(SMTPD_DNS_ACL *acl, const char *domain, DNS_RR_LIST *list)
{
    BUF    *why = buf_alloc(100);
    const char *shown = domain;
    int     result = dns_lookup(domain, acl->type, list, why);

    if (result == DNS_NOTFOUND && acl->type == DNS_TYPE_MX) {
        smtpd_dns_self(list, domain);
        result = DNS_OK;
    }
    while (result == DNS_NOTFOUND && acl->type == DNS_TYPE_NS) {
        if ((shown = strchr(shown, '.')) == NULL || shown[1] == 0) {
            shown = acl->name;
            break;
        }
        result = dns_lookup(++shown, acl->type, list, why);
    }
    if (result != DNS_OK && result != DNS_NULLMX)
        msg_warn("Unable to look up %s host for %s: %s",
                 dns_type_name(acl->type), shown, smtpd_dns_error(why));
    buf_free(why);
    return result;
}

/* smtpd_dns_literal - "[address]": its own MX or A host */
static int
smtpd_dns_literal(SMTPD_DNS_ACL *acl, const char *domain)
{
    size_t  len = strlen(domain);
    char   *bare;
    const char *addr;
    int     status = SMTPD_CHECK_DUNNO;

    if (acl->type == DNS_TYPE_NS || len < 2 || domain[len - 1] != ']')
        return SMTPD_CHECK_DUNNO;
    bare = mystrndup(domain + 1, len - 2);
    addr = strncasecmp(bare, "IPv6:", 5) == 0 ? bare + 5 : bare;
    if (valid_mailhost_addr(bare))
        status = smtpd_dns_acl_find(acl, NULL, addr);
    myfree(bare);
    return status;
}

/* smtpd_dns_acl_search - every host of the name, until one decides */
static int
smtpd_dns_acl_search(SMTPD_DNS_ACL *acl)
{
    const char *at = strrchr(acl->name, '@');
    const char *domain = at ? at + 1 : acl->name;
    DNS_RR_LIST hosts;
    int     status = SMTPD_CHECK_DUNNO;

    if (*domain == '[')
        return smtpd_dns_literal(acl, domain);
    if (acl->type == DNS_TYPE_A)
        smtpd_dns_self(&hosts, domain);
    else if (smtpd_dns_servers(acl, domain, &hosts) != DNS_OK)
        return SMTPD_CHECK_DUNNO;
    for (size_t i = 0; i < hosts.count && status == 0 && !acl->found; i++)
        status = smtpd_dns_acl_host(acl, hosts.rr[i].host);
    dns_rr_list_free(&hosts);
    return status;
}

/* smtpd_dns_acl_target - what the restriction looks at, and how it is
 * named in a refusal; false when there is nothing to look at */
static bool
smtpd_dns_acl_target(SMTPD_DNS_ACL *acl, SMTPD_DNS_TARGET target)
{
    SMTPD_STATE *state = acl->check->state;
    SMTPD_CHECK *check = acl->check;

    switch (target) {
    case SMTPD_DNS_CLIENT:
    case SMTPD_DNS_REV_CLIENT:
        acl->name = target == SMTPD_DNS_CLIENT ? state->name
            : state->reverse_name;
        acl->reply_name = state->namaddr;
        acl->reply_class = target == SMTPD_DNS_CLIENT ? SMTPD_NAME_CLIENT
            : SMTPD_NAME_REV_CLIENT;
        return strcasecmp(acl->name, "unknown") != 0;
    case SMTPD_DNS_HELO:
        acl->name = acl->reply_name = check->helo;
        acl->reply_class = SMTPD_NAME_HELO;
        return acl->name != NULL;
    case SMTPD_DNS_SENDER:
        acl->name = acl->reply_name = check->sender;
        acl->reply_class = SMTPD_NAME_SENDER;
        return acl->name != NULL && *acl->name != 0;
    default:
        acl->name = acl->reply_name = check->recipient;
        acl->reply_class = SMTPD_NAME_RECIPIENT;
        return acl->name != NULL && *acl->name != 0;
    }
}

/* smtpd_dns_acl - check_*_{ns,mx,a}_access: OK from the table is a
 * configuration error */
static int
smtpd_dns_acl(SMTPD_CHECK *check, const char *restriction, const char *table,
              SMTPD_DNS_TARGET target, int type)
{
    SMTPD_DNS_ACL acl = {.check = check, .table = table, .type = type};
    int     status;

    if (!smtpd_dns_acl_target(&acl, target))
        return SMTPD_CHECK_DUNNO;
    if ((status = smtpd_dns_acl_search(&acl)) != SMTPD_CHECK_OK
        || check->discard)
        return status;
    msg_warn("restriction %s returns OK for %s", restriction, acl.name);
    msg_warn("this is not allowed for security reasons");
    msg_warn("use DUNNO instead of OK if you want to make an exception");
    return smtpd_check_server_error(check);
}

/* SMTPD_DNS_ACL_FN - one restriction's entry point */
#define SMTPD_DNS_ACL_FN(fn, restriction, target, type) \
int \
fn(SMTPD_CHECK *check, const char *table) \
{ \
    return smtpd_dns_acl(check, restriction, table, target, type); \
}

SMTPD_DNS_ACL_FN(smtpd_check_client_ns, "check_client_ns_access",
                 SMTPD_DNS_CLIENT, DNS_TYPE_NS)
SMTPD_DNS_ACL_FN(smtpd_check_client_mx, "check_client_mx_access",
                 SMTPD_DNS_CLIENT, DNS_TYPE_MX)
SMTPD_DNS_ACL_FN(smtpd_check_client_a, "check_client_a_access",
                 SMTPD_DNS_CLIENT, DNS_TYPE_A)
SMTPD_DNS_ACL_FN(smtpd_check_rev_client_ns,
                 "check_reverse_client_hostname_ns_access",
                 SMTPD_DNS_REV_CLIENT, DNS_TYPE_NS)
SMTPD_DNS_ACL_FN(smtpd_check_rev_client_mx,
                 "check_reverse_client_hostname_mx_access",
                 SMTPD_DNS_REV_CLIENT, DNS_TYPE_MX)
SMTPD_DNS_ACL_FN(smtpd_check_rev_client_a,
                 "check_reverse_client_hostname_a_access",
                 SMTPD_DNS_REV_CLIENT, DNS_TYPE_A)
SMTPD_DNS_ACL_FN(smtpd_check_helo_ns, "check_helo_ns_access",
                 SMTPD_DNS_HELO, DNS_TYPE_NS)
SMTPD_DNS_ACL_FN(smtpd_check_helo_mx, "check_helo_mx_access",
                 SMTPD_DNS_HELO, DNS_TYPE_MX)
SMTPD_DNS_ACL_FN(smtpd_check_helo_a, "check_helo_a_access",
                 SMTPD_DNS_HELO, DNS_TYPE_A)
SMTPD_DNS_ACL_FN(smtpd_check_sender_ns, "check_sender_ns_access",
                 SMTPD_DNS_SENDER, DNS_TYPE_NS)
SMTPD_DNS_ACL_FN(smtpd_check_sender_mx, "check_sender_mx_access",
                 SMTPD_DNS_SENDER, DNS_TYPE_MX)
SMTPD_DNS_ACL_FN(smtpd_check_sender_a, "check_sender_a_access",
                 SMTPD_DNS_SENDER, DNS_TYPE_A)
SMTPD_DNS_ACL_FN(smtpd_check_rcpt_ns, "check_recipient_ns_access",
                 SMTPD_DNS_RCPT, DNS_TYPE_NS)
SMTPD_DNS_ACL_FN(smtpd_check_rcpt_mx, "check_recipient_mx_access",
                 SMTPD_DNS_RCPT, DNS_TYPE_MX)
SMTPD_DNS_ACL_FN(smtpd_check_rcpt_a, "check_recipient_a_access",
                 SMTPD_DNS_RCPT, DNS_TYPE_A)
