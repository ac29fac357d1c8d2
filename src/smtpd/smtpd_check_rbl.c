/* smtpd_check_rbl - the DNS lists: reject_rbl_client, reject_rhsbl_client,
 * reject_rhsbl_reverse_client, reject_rhsbl_helo, reject_rhsbl_sender,
 * reject_rhsbl_recipient, permit_dnswl_client, permit_rhswl_client.
 *
 * Model: Postfix 3.7's smtpd_check.c (find_dnsxl_addr, find_dnsxl_domain,
 * rbl_pagein, rbl_reject_reply):
 *  - the argument is "list.domain" or "list.domain=PATTERN"; the query is
 *    the client address reversed ("2.0.0.127.list.domain", 32 nibbles
 *    for IPv6) or "NAME.list.domain" for a host or mail domain (not for
 *    "[address]" domains, invalid names, or names whose last label is all
 *    digits);
 *  - an A record lists the name; with a PATTERN ("127.0.0.2",
 *    "127.0.0.[2..5]", "127.0.0.[2;4;6..8]") one of the A records must
 *    match it. The TXT records of a listed name (the first string of
 *    each), joined by " / " up to 500 bytes, are $rbl_reason;
 *  - the reply is $default_rbl_reply, or the rbl_reply_maps entry for the
 *    argument as written, expanded with $rbl_code ($maps_rbl_reject_code),
 *    $rbl_domain, $rbl_reason (and $rbl_txt), $rbl_what, $rbl_class and
 *    the client and address names ($client, $client_address, ...). It
 *    must start with a 4XX or 5XX code; the status code defaults to 4.7.1
 *    (class from the reply code): "554 5.7.1 Service unavailable; Client
 *    host [127.0.0.2] blocked using bl.test; TEXT";
 *  - a lookup that fails (not NXDOMAIN, not "no such record") logs
 *    "QUERY: RBL lookup error: TEXT" and lists nothing; for the permit_
 *    lists it holds back a later 5XX refusal as "450 4.7.1 <WHAT>: CLASS
 *    rejected: Service unavailable" (defer_if_reject);
 *  - permit_dnswl_client and permit_rhswl_client never permit a recipient
 *    that permit_auth_destination would not (no open relay through a
 *    white list).
 * Results are kept for the life of the process (at most
 * SMTPD_RBL_CACHE_MAX queries), as Postfix's smtpd does. Everything from
 * the DNS is data: '$' in it is not expanded, characters outside
 * printable ASCII become '_' ($smtpd_expansion_filter's default). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "dns_lookup.h"
#include "ip_match.h"
#include "mac_expand.h"
#include "mail_params.h"
#include "msg.h"
#include "mymalloc.h"
#include "smtpd_check.h"
#include "valid_hostname.h"

#define SMTPD_RBL_CACHE_MAX     100     /* queries remembered */
#define SMTPD_RBL_TXT_LIMIT     500     /* bytes of joined TXT text */

/* What a list said about one name. */
typedef struct SMTPD_RBL {
    int     status;                     /* DNS_OK, DNS_NOTFOUND, DNS_RETRY */
    DNS_RR_LIST a;                      /* the A records */
    char   *txt;                        /* joined TXT text, or NULL */
} SMTPD_RBL;

/* The names a reply template may use. */
typedef struct SMTPD_RBL_EXPAND {
    SMTPD_CHECK *check;
    const char *code;
    const char *domain;                 /* without "=PATTERN" */
    const char *reason;
    const char *what;
    const char *class;
    BUF    *value;                      /* the last value looked up */
    BUF    *part;                       /* part of an address */
} SMTPD_RBL_EXPAND;

static HTABLE *smtpd_rbl_cache;
static size_t smtpd_rbl_cached;
static MAPS *smtpd_rbl_reply_maps;

/* smtpd_rbl_free - one cached result */
static void
smtpd_rbl_free(void *ptr)
{
    SMTPD_RBL *rbl = ptr;

    dns_rr_list_free(&rbl->a);
    myfree(rbl->txt);
    myfree(rbl);
}

/* smtpd_rbl_txt - the TXT records joined by " / ", as Postfix */
static char *
smtpd_rbl_txt(const DNS_RR_LIST *list)
{
    BUF    *buf = buf_alloc(100);
    size_t  room = SMTPD_RBL_TXT_LIMIT;
    size_t  len;

    for (size_t i = 0; i < list->count && room > 0; i++) {
        len = strlen(list->rr[i].text);
        buf_append(buf, list->rr[i].text, len < room ? len : room);
        room = SMTPD_RBL_TXT_LIMIT - buf_len(buf);
        if (i + 1 < list->count && room > 3) {
            buf_strcat(buf, " / ");
            room -= 3;
        }
    }
    return buf_export(buf);
}

/* smtpd_rbl_query - ask the DNS about query (a name under a list) */
static SMTPD_RBL *
smtpd_rbl_query(const char *query)
{
    SMTPD_RBL *rbl = mycalloc(1, sizeof(*rbl));
    BUF    *why = buf_alloc(100);
    DNS_RR_LIST txt;

    rbl->status = dns_lookup(query, DNS_TYPE_A, &rbl->a, why);
    if (rbl->status != DNS_OK && rbl->status != DNS_NOTFOUND) {
        msg_warn("%s: RBL lookup error: %s", query, buf_str(why));
        rbl->status = DNS_RETRY;
    }
    if (rbl->status == DNS_OK) {
        if (dns_lookup(query, DNS_TYPE_TXT, &txt, why) == DNS_OK)
            rbl->txt = smtpd_rbl_txt(&txt);
        dns_rr_list_free(&txt);
    }
    buf_free(why);
    return rbl;
}

/* smtpd_rbl_find - the cached or fresh result for query */
static const SMTPD_RBL *
smtpd_rbl_find(const char *query)
{
    SMTPD_RBL *rbl;

    if (smtpd_rbl_cache != NULL
        && (rbl = htable_find(smtpd_rbl_cache, query)) != NULL)
        return rbl;
    if (smtpd_rbl_cache == NULL || smtpd_rbl_cached >= SMTPD_RBL_CACHE_MAX) {
        if (smtpd_rbl_cache != NULL)
            htable_free(smtpd_rbl_cache, smtpd_rbl_free);
        smtpd_rbl_cache = htable_create(SMTPD_RBL_CACHE_MAX);
        smtpd_rbl_cached = 0;
    }
    rbl = smtpd_rbl_query(query);
    htable_enter(smtpd_rbl_cache, query, rbl);
    smtpd_rbl_cached++;
    return rbl;
}

/* smtpd_rbl_lookup - the result for name under the list (argument
 * "domain[=PATTERN]"): NULL when not listed (or the lookup failed: then
 * *soft is set), -1 in *soft for a bad pattern */
static const SMTPD_RBL *
smtpd_rbl_lookup(const char *name, const char *list, int *soft)
{
    const char *eq = strchr(list, '=');
    BUF    *query = buf_alloc(100);
    const SMTPD_RBL *rbl;
    int     match = 0;

    buf_sprintf(query, "%s.", name);
    buf_append(query, list, eq ? (size_t) (eq - list) : strlen(list));
    rbl = smtpd_rbl_find(buf_str(query));
    buf_free(query);
    *soft = rbl->status == DNS_RETRY;
    if (rbl->status != DNS_OK)
        return NULL;
    if (eq == NULL)
        return rbl;
    for (size_t i = 0; i < rbl->a.count && match == 0; i++)
        match = ip_match(eq + 1, &rbl->a.rr[i].addr.v4);
    if (match < 0) {
        msg_warn("RBL reply error: bad address pattern: %s", eq + 1);
        *soft = -1;
    }
    return match > 0 ? rbl : NULL;
}

/* smtpd_rbl_client - the lookup for the client address */
static const SMTPD_RBL *
smtpd_rbl_client(SMTPD_CHECK *check, const char *list, int *soft)
{
    BUF    *name = buf_alloc(100);
    const SMTPD_RBL *rbl = NULL;

    *soft = 0;
    if (dns_reverse_name(check->state->addr, name) > 0) {
        buf_truncate(name, buf_len(name) - 1);  /* the last dot */
        rbl = smtpd_rbl_lookup(buf_str(name), list, soft);
    }
    buf_free(name);
    return rbl;
}

/* smtpd_rbl_domain - the lookup for a host name or the domain of a mail
 * address; names that a list cannot hold are not looked up */
static const SMTPD_RBL *
smtpd_rbl_domain(const char *what, const char *list, int *soft)
{
    const char *at = strrchr(what, '@');
    const char *domain = at ? at + 1 : what;
    const char *last;

    *soft = 0;
    if (*domain == 0 || *domain == '[' || !valid_hostname(domain, false))
        return NULL;
    last = strrchr(domain, '.');
    last = last ? last + 1 : domain;
    if (strspn(last, "0123456789") == strlen(last))
        return NULL;
    return smtpd_rbl_lookup(domain, list, soft);
}

/* smtpd_rbl_value - a value for the template: '$' doubled (the value is
 * expanded again), outside characters replaced */
static const char *
smtpd_rbl_value(SMTPD_RBL_EXPAND *exp, const char *text)
{
    buf_reset(exp->value);
    for (const char *cp = text; *cp != 0; cp++) {
        if (*cp == '$')
            buf_addch(exp->value, '$');
        buf_addch(exp->value, (*cp >= ' ' && *cp < 0x7f) || *cp == '\t' ?
                  *cp : '_');
    }
    return buf_str(exp->value);
}

/* smtpd_rbl_addr_part - $sender, $sender_name (the local part) and
 * $sender_domain, and the recipient's; NULL for another suffix */
static const char *
smtpd_rbl_addr_part(SMTPD_RBL_EXPAND *exp, const char *addr,
                    const char *suffix)
{
    bool    name = strcmp(suffix, "_name") == 0;
    bool    domain = strcmp(suffix, "_domain") == 0;
    const char *at;

    if (*suffix != 0 && !name && !domain)
        return NULL;
    if (addr == NULL)
        return "";
    if (*addr == 0)
        addr = "MAILER-DAEMON";
    if ((at = strrchr(addr, '@')) == NULL)
        return domain ? "" : addr;
    if (domain)
        return at + 1;
    if (!name)
        return addr;
    buf_reset(exp->part);
    buf_append(exp->part, addr, (size_t) (at - addr));
    return buf_str(exp->part);
}

/* smtpd_rbl_lookup_name - a $name of the reply template */
static const char *
smtpd_rbl_lookup_name(const char *name, void *ctx)
{
    SMTPD_RBL_EXPAND *exp = ctx;
    SMTPD_CHECK *check = exp->check;
    SMTPD_STATE *state = check->state;
    const char *value = NULL;

    if (strcmp(name, "rbl_code") == 0)
        value = exp->code;
    else if (strcmp(name, "rbl_domain") == 0)
        value = exp->domain;
    else if (strcmp(name, "rbl_reason") == 0 || strcmp(name, "rbl_txt") == 0)
        value = exp->reason;
    else if (strcmp(name, "rbl_what") == 0)
        value = exp->what;
    else if (strcmp(name, "rbl_class") == 0)
        value = exp->class;
    else if (strcmp(name, "client") == 0)
        value = state->namaddr;
    else if (strcmp(name, "client_address") == 0)
        value = state->addr;
    else if (strcmp(name, "client_name") == 0)
        value = state->name;
    else if (strcmp(name, "reverse_client_name") == 0)
        value = state->reverse_name;
    else if (strcmp(name, "helo_name") == 0)
        value = check->helo ? check->helo : "";
    else if (strncmp(name, "sender", 6) == 0)
        value = smtpd_rbl_addr_part(exp, check->sender, name + 6);
    else if (strncmp(name, "recipient", 9) == 0)
        value = smtpd_rbl_addr_part(exp, check->recipient, name + 9);
    return value ? smtpd_rbl_value(exp, value) : NULL;
}

/* smtpd_rbl_template - the reply template for the list; NULL after a
 * table failure */
static const char *
smtpd_rbl_template(const char *list, bool *failed)
{
    const char *template = NULL;

    *failed = false;
    if (*var_rbl_reply_maps == 0)
        return var_default_rbl_reply;
    if (smtpd_rbl_reply_maps == NULL)
        smtpd_rbl_reply_maps = maps_create("rbl_reply_maps",
                                           var_rbl_reply_maps,
                                           DICT_FLAG_DEFAULT);
    template = maps_find(smtpd_rbl_reply_maps, list, 0);
    *failed = smtpd_rbl_reply_maps->error != DICT_ERR_NONE;
    return template ? template : var_default_rbl_reply;
}

/* smtpd_rbl_expand - the reply text from the template */
static void
smtpd_rbl_expand(SMTPD_RBL_EXPAND *exp, const char *list,
                 const char *template, BUF *reply)
{
    BUF    *why = buf_alloc(100);

    while (buf_reset(reply), mac_expand(reply, template,
                                        smtpd_rbl_lookup_name, NULL, exp,
                                        why) < 0) {
        if (template == var_default_rbl_reply)
            msg_fatal("rbl_reject_reply: bad default rbl reply template: %s",
                      var_default_rbl_reply);
        msg_warn("rbl_reject_reply: bad rbl reply template for domain %s: "
                 "%s", list, template);
        template = var_default_rbl_reply;
    }
    buf_free(why);
}

/* smtpd_rbl_verdict - refuse with the expanded reply text */
static int
smtpd_rbl_verdict(SMTPD_CHECK *check, const char *reply,
                  const char *reply_class)
{
    char    dsn[DSN_STATUS_SIZE];
    const char *text;

    if ((reply[0] != '4' && reply[0] != '5')
        || !isdigit((unsigned char) reply[1])
        || !isdigit((unsigned char) reply[2]) || reply[3] != ' ') {
        msg_warn("rbl response code configuration error: %s", reply);
        return smtpd_check_reject(check, SMTPD_ERR_POLICY, 450, "4.7.1",
                                  "Service unavailable");
    }
    text = dsn_split(dsn, "4.7.1", reply + 4);
    return smtpd_check_reject(check, SMTPD_ERR_POLICY, atoi(reply),
                              smtpd_dsn_fix(dsn, reply_class), "%s",
                              *text ? text : "Service unavailable");
}

/* smtpd_rbl_reply - refuse what a list holds */
static int
smtpd_rbl_reply(SMTPD_CHECK *check, const SMTPD_RBL *rbl, const char *list,
                const char *what, const char *reply_class)
{
    SMTPD_RBL_EXPAND exp = {.check = check, .what = what,
    .class = reply_class, .reason = rbl->txt ? rbl->txt : ""};
    const char *template;
    BUF    *reply;
    BUF    *code;
    char   *domain;
    bool    failed;
    int     status;

    template = smtpd_rbl_template(list, &failed);
    if (failed)
        return smtpd_check_server_error(check);
    reply = buf_alloc(100);
    code = buf_alloc(10);
    buf_sprintf(code, "%d", var_maps_rbl_reject_code);
    exp.code = buf_str(code);
    exp.domain = domain = mystrndup(list, strcspn(list, "="));
    exp.value = buf_alloc(100);
    exp.part = buf_alloc(100);
    smtpd_rbl_expand(&exp, list, template, reply);
    status = smtpd_rbl_verdict(check, buf_str(reply), reply_class);
    buf_free(exp.value);
    buf_free(exp.part);
    buf_free(code);
    buf_free(reply);
    myfree(domain);
    return status;
}

/* smtpd_rbl_reject - reject_rbl_* / reject_rhsbl_*: the verdict for what
 * given the lookup */
static int
smtpd_rbl_reject(SMTPD_CHECK *check, const SMTPD_RBL *rbl, int soft,
                 const char *list, const char *what, const char *reply_class)
{
    if (soft < 0)
        return smtpd_check_server_error(check);
    if (rbl == NULL)
        return SMTPD_CHECK_DUNNO;
    return smtpd_rbl_reply(check, rbl, list, what, reply_class);
}

/* smtpd_rbl_permit - permit_dnswl_client / permit_rhswl_client: OK when
 * listed; a failed lookup holds back a later 5XX refusal */
static int
smtpd_rbl_permit(SMTPD_CHECK *check, const SMTPD_RBL *rbl, int soft,
                 const char *what, const char *reply_class)
{
    if (soft < 0)
        return smtpd_check_server_error(check);
    if (soft)
        smtpd_check_defer_if(&check->defer_if_reject, SMTPD_ERR_POLICY, 450,
                             "4.7.1", "<%s>: %s rejected: Service unavailable",
                             what, reply_class);
    return rbl != NULL ? SMTPD_CHECK_OK : SMTPD_CHECK_DUNNO;
}

/* smtpd_rbl_relay - a white list must not open the relay: at RCPT only
 * for a recipient that permit_auth_destination allows. OK to go on, DUNNO
 * for another recipient, REJECT when the resolver failed (refused) */
static int
smtpd_rbl_relay(SMTPD_CHECK *check)
{
    if (check->recipient == NULL || strcmp(check->state->where, "RCPT") != 0)
        return SMTPD_CHECK_OK;
    return smtpd_check_auth_dest(check);
}

/* smtpd_check_rbl_client - reject_rbl_client list[=PATTERN] */
int
smtpd_check_rbl_client(SMTPD_CHECK *check, const char *list)
{
    int     soft;
    const SMTPD_RBL *rbl = smtpd_rbl_client(check, list, &soft);

    return smtpd_rbl_reject(check, rbl, soft, list, check->state->addr,
                            SMTPD_NAME_CLIENT);
}

/* smtpd_check_dnswl_client - permit_dnswl_client list[=PATTERN] */
int
smtpd_check_dnswl_client(SMTPD_CHECK *check, const char *list)
{
    const SMTPD_RBL *rbl;
    int     soft;
    int     status;

    if ((status = smtpd_rbl_relay(check)) != SMTPD_CHECK_OK)
        return status;
    rbl = smtpd_rbl_client(check, list, &soft);
    return smtpd_rbl_permit(check, rbl, soft, check->state->addr,
                            SMTPD_NAME_CLIENT);
}

/* smtpd_rbl_domain_reject - reject_rhsbl_* for name (NULL: nothing) */
static int
smtpd_rbl_domain_reject(SMTPD_CHECK *check, const char *list,
                        const char *name, const char *reply_class)
{
    const SMTPD_RBL *rbl;
    int     soft;

    if (name == NULL)
        return SMTPD_CHECK_DUNNO;
    rbl = smtpd_rbl_domain(name, list, &soft);
    return smtpd_rbl_reject(check, rbl, soft, list, name, reply_class);
}

/* smtpd_rbl_known - the client's name, NULL when "unknown" */
static const char *
smtpd_rbl_known(const char *name)
{
    return strcasecmp(name, "unknown") != 0 ? name : NULL;
}

/* smtpd_check_rhsbl_client - reject_rhsbl_client list[=PATTERN] */
int
smtpd_check_rhsbl_client(SMTPD_CHECK *check, const char *list)
{
    return smtpd_rbl_domain_reject(check, list,
                                   smtpd_rbl_known(check->state->name),
                                   SMTPD_NAME_CLIENT);
}

/* smtpd_check_rhsbl_rev_client - reject_rhsbl_reverse_client */
int
smtpd_check_rhsbl_rev_client(SMTPD_CHECK *check, const char *list)
{
    return smtpd_rbl_domain_reject(check, list,
                               smtpd_rbl_known(check->state->reverse_name),
                                   SMTPD_NAME_REV_CLIENT);
}

/* smtpd_check_rhsbl_helo - reject_rhsbl_helo list[=PATTERN] */
int
smtpd_check_rhsbl_helo(SMTPD_CHECK *check, const char *list)
{
    return smtpd_rbl_domain_reject(check, list, check->helo,
                                   SMTPD_NAME_HELO);
}

/* smtpd_check_rhsbl_sender - reject_rhsbl_sender list[=PATTERN] */
int
smtpd_check_rhsbl_sender(SMTPD_CHECK *check, const char *list)
{
    return smtpd_rbl_domain_reject(check, list, check->sender
                                   && *check->sender ? check->sender : NULL,
                                   SMTPD_NAME_SENDER);
}

/* smtpd_check_rhsbl_rcpt - reject_rhsbl_recipient list[=PATTERN] */
int
smtpd_check_rhsbl_rcpt(SMTPD_CHECK *check, const char *list)
{
    return smtpd_rbl_domain_reject(check, list, check->recipient,
                                   SMTPD_NAME_RECIPIENT);
}

/* smtpd_check_rhswl_client - permit_rhswl_client list[=PATTERN] */
int
smtpd_check_rhswl_client(SMTPD_CHECK *check, const char *list)
{
    const char *name = smtpd_rbl_known(check->state->name);
    const SMTPD_RBL *rbl;
    int     soft;
    int     status;

    if (name == NULL)
        return SMTPD_CHECK_DUNNO;
    if ((status = smtpd_rbl_relay(check)) != SMTPD_CHECK_OK)
        return status;
    rbl = smtpd_rbl_domain(name, list, &soft);
    return smtpd_rbl_permit(check, rbl, soft, name, SMTPD_NAME_CLIENT);
}
