/* smtpd_check_access - the check_*_access restrictions: which keys are
 * looked up in which order (access(5)); the result goes to
 * smtpd_check_action.
 *
 * Model: Postfix 3.7 (access(5), observed):
 *  - host names (client, reverse client, HELO, ETRN domain): the name,
 *    then each parent domain: "example.com" for "mail.example.com" when
 *    smtpd_access_maps is in parent_domain_matches_subdomains (the
 *    default), else ".example.com"; not for a name that is an address;
 *  - client addresses: "1.2.3.4", then "1.2.3", "1.2", "1" (IPv6 is cut
 *    at ':' the same way), after the client name;
 *  - mail addresses, after trivial-rewrite resolved them: user+ext@domain,
 *    user@domain, the domain and its parents, user+ext@, user@; the null
 *    sender is looked up as smtpd_null_access_lookup_key ("<>").
 * Only the first key goes to pattern tables (regexp, pcre, cidr); the
 * others are partial keys for fixed-string tables. The first key that is
 * found decides; DUNNO there ends the search too. A table that fails
 * gives "451 4.3.5 Server configuration error". An OK for a source-routed
 * recipient is ignored. The reverse client name may not be allowed by a
 * table: that is a configuration error, as in Postfix. */
#include <string.h>

#include "mail_params.h"
#include "maps_addr.h"
#include "msg.h"
#include "mymalloc.h"
#include "quote_822_local.h"
#include "smtpd_check.h"
#include "valid_hostname.h"

#define SMTPD_ACCESS_PARTIAL    DICT_FLAG_FIXED
#define SMTPD_ACCESS_TEMPFAIL   "451 4.3.5 Server configuration error"

/* One search of one table. */
typedef struct SMTPD_ACCESS {
    SMTPD_CHECK *check;
    const char *table;                  /* "type:name" */
    MAPS   *maps;
    const char *datum;                  /* what is searched, for warnings */
    bool    found;
} SMTPD_ACCESS;

/* smtpd_access_find - look key up; the action's verdict when found */
static int
smtpd_access_find(SMTPD_ACCESS *acc, const char *key, int flags)
{
    const char *value = NULL;
    char   *copy;
    int     status;

    if (acc->maps == NULL)
        msg_warn("check_access: unexpected dictionary: %s", acc->table);
    else if ((value = maps_find(acc->maps, key, flags)) == NULL
             && acc->maps->error == DICT_ERR_NONE)
        return SMTPD_CHECK_DUNNO;
    acc->found = true;
    copy = mystrdup(value ? value : SMTPD_ACCESS_TEMPFAIL);
    status = smtpd_check_action(acc->check, acc->table, copy, acc->datum);
    myfree(copy);
    return status;
}

/* smtpd_access_domain - a host name and its parent domains */
static int
smtpd_access_domain(SMTPD_ACCESS *acc, const char *domain, int flags)
{
    const char *name = domain;
    const char *next;
    bool    numeric = valid_hostaddr(domain);
    int     status;

    while (*name != 0) {
        if ((status = smtpd_access_find(acc, name, flags)) != 0 || acc->found)
            return status;
        if (numeric || (next = strchr(name + 1, '.')) == NULL)
            break;
        name = acc->check->acl->parent_style ? next + 1 : next;
        flags = SMTPD_ACCESS_PARTIAL;
    }
    return SMTPD_CHECK_DUNNO;
}

/* smtpd_access_addr - an address and its shorter network prefixes */
static int
smtpd_access_addr(SMTPD_ACCESS *acc, const char *address, int flags)
{
    char   *addr = mystrdup(address);
    int     delim = strchr(addr, ':') ? ':' : '.';
    char   *cut;
    int     status;

    acc->datum = address;
    for (;;) {
        if ((status = smtpd_access_find(acc, addr, flags)) != 0 || acc->found
            || (cut = strrchr(addr, delim)) == NULL)
            break;
        *cut = 0;
        flags = SMTPD_ACCESS_PARTIAL;
    }
    myfree(addr);
    return status;
}

/* smtpd_access_namadr - a client name, then its address */
static int
smtpd_access_namadr(SMTPD_ACCESS *acc, const char *name, const char *addr)
{
    int     status;

    acc->datum = name;
    if ((status = smtpd_access_domain(acc, name, 0)) != 0 || acc->found)
        return status;
    return smtpd_access_addr(acc, addr, 0);
}

/* smtpd_access_keys - the partial keys of a resolved address (external
 * form): user@domain (only with an extension), the domain and its
 * parents, user+ext@, user@ (only with an extension) */
static int
smtpd_access_keys(SMTPD_ACCESS *acc, const char *addr)
{
    const char *at = strrchr(addr, '@');
    size_t  ext = split_addr_ext(addr, at - addr, var_recipient_delimiter);
    BUF    *key = buf_alloc(100);
    int     status = SMTPD_CHECK_DUNNO;

    if (ext) {
        buf_append(key, addr, ext);
        buf_strcat(key, at);
        status = smtpd_access_find(acc, buf_str(key), SMTPD_ACCESS_PARTIAL);
    }
    if (status == 0 && !acc->found)
        status = smtpd_access_domain(acc, at + 1, SMTPD_ACCESS_PARTIAL);
    for (int pass = 0; pass < (ext ? 2 : 1) && status == 0 && !acc->found;
         pass++) {
        buf_reset(key);
        buf_append(key, addr, pass ? ext : (size_t) (at - addr) + 1);
        if (pass)
            buf_addch(key, '@');
        status = smtpd_access_find(acc, buf_str(key), SMTPD_ACCESS_PARTIAL);
    }
    buf_free(key);
    return status;
}

/* smtpd_access_mail - a mail address: resolved, then every key */
static int
smtpd_access_mail(SMTPD_ACCESS *acc, const char *context, const char *addr,
                  bool recipient)
{
    SMTPD_CHECK *check = acc->check;
    RESOLVE_REPLY reply;
    BUF    *ext = buf_alloc(100);
    int     status;

    resolve_reply_init(&reply);
    if (smtpd_check_resolve(check, context, addr, &reply) & RESOLVE_FLAG_FAIL) {
        status = smtpd_check_dict_retry(check, addr);
    } else if (strrchr(buf_str(reply.recipient), '@') == NULL) {
        msg_warn("check_mail_access: no @domain in address: %s",
                 buf_str(reply.recipient));
        status = SMTPD_CHECK_DUNNO;
    } else {
        quote_822_local(ext, buf_str(reply.recipient));
        acc->datum = buf_str(reply.recipient);
        if ((status = smtpd_access_find(acc, buf_str(ext), 0)) == 0
            && !acc->found)
            status = smtpd_access_keys(acc, buf_str(ext));
        if (status == SMTPD_CHECK_OK && recipient
            && !var_allow_untrusted_routing
            && (reply.flags & RESOLVE_FLAG_ROUTED))
            status = SMTPD_CHECK_DUNNO;
    }
    resolve_reply_free(&reply);
    buf_free(ext);
    return status;
}

/* smtpd_access_init - start a search of table for reply_name/class; the
 * previous reply name and class are kept in saved */
static void
smtpd_access_init(SMTPD_ACCESS *acc, SMTPD_CHECK *check, const char *table,
                  const char *reply_name, const char *reply_class,
                  const char *saved[2])
{
    acc->check = check;
    acc->table = table;
    acc->maps = htable_find(check->acl->maps, table);
    acc->datum = reply_name;
    acc->found = false;
    saved[0] = check->reply_name;
    saved[1] = check->reply_class;
    check->reply_name = reply_name;
    check->reply_class = reply_class;
}

/* smtpd_access_done - restore the reply name and class; status */
static int
smtpd_access_done(SMTPD_ACCESS *acc, const char *saved[2], int status)
{
    acc->check->reply_name = saved[0];
    acc->check->reply_class = saved[1];
    return status;
}

/* smtpd_check_access_host - a host name and/or an address */
int
smtpd_check_access_host(SMTPD_CHECK *check, const char *table,
                        const char *reply_name, const char *reply_class,
                        const char *name, const char *addr, bool *found)
{
    SMTPD_ACCESS acc;
    const char *saved[2];
    int     status = SMTPD_CHECK_DUNNO;

    smtpd_access_init(&acc, check, table, reply_name, reply_class, saved);
    if (name != NULL)
        status = smtpd_access_domain(&acc, name, 0);
    if (status == SMTPD_CHECK_DUNNO && !acc.found && addr != NULL)
        status = smtpd_access_addr(&acc, addr, 0);
    *found = acc.found;
    return smtpd_access_done(&acc, saved, status);
}

/* smtpd_check_client_access - check_client_access type:table */
int
smtpd_check_client_access(SMTPD_CHECK *check, const char *table)
{
    SMTPD_STATE *state = check->state;
    SMTPD_ACCESS acc;
    const char *saved[2];

    smtpd_access_init(&acc, check, table, state->namaddr, SMTPD_NAME_CLIENT,
                      saved);
    return smtpd_access_done(&acc, saved,
                             smtpd_access_namadr(&acc, state->name,
                                                 state->addr));
}

/* smtpd_check_rev_client_access - check_reverse_client_hostname_access */
int
smtpd_check_rev_client_access(SMTPD_CHECK *check, const char *table)
{
    SMTPD_STATE *state = check->state;
    SMTPD_ACCESS acc;
    const char *saved[2];
    int     status;

    smtpd_access_init(&acc, check, table, state->reverse_name,
                      SMTPD_NAME_REV_CLIENT, saved);
    status = smtpd_access_namadr(&acc, state->reverse_name, state->addr);
    if (status == SMTPD_CHECK_OK && !check->discard) {
        msg_warn("restriction %s returns OK for %s", SMTPD_ACL_REV_CLIENT,
                 state->reverse_name);
        msg_warn("this is not allowed for security reasons");
        msg_warn("use DUNNO instead of OK if you want to make an exception");
        status = smtpd_check_server_error(check);
    }
    return smtpd_access_done(&acc, saved, status);
}

/* smtpd_check_helo_access - check_helo_access type:table */
int
smtpd_check_helo_access(SMTPD_CHECK *check, const char *table)
{
    SMTPD_ACCESS acc;
    const char *saved[2];

    if (check->helo == NULL)
        return SMTPD_CHECK_DUNNO;
    smtpd_access_init(&acc, check, table, check->helo, SMTPD_NAME_HELO,
                      saved);
    return smtpd_access_done(&acc, saved,
                             smtpd_access_domain(&acc, check->helo, 0));
}

/* smtpd_check_sender_access - check_sender_access type:table */
int
smtpd_check_sender_access(SMTPD_CHECK *check, const char *table)
{
    SMTPD_ACCESS acc;
    const char *saved[2];
    int     status;

    if (check->sender == NULL)
        return SMTPD_CHECK_DUNNO;
    smtpd_access_init(&acc, check, table, check->sender, SMTPD_NAME_SENDER,
                      saved);
    acc.datum = var_smtpd_null_access_lookup_key;
    if (*check->sender == 0)
        status = smtpd_access_find(&acc, acc.datum, 0);
    else
        status = smtpd_access_mail(&acc, check->recipient, check->sender,
                                   false);
    return smtpd_access_done(&acc, saved, status);
}

/* smtpd_check_rcpt_access - check_recipient_access type:table */
int
smtpd_check_rcpt_access(SMTPD_CHECK *check, const char *table)
{
    SMTPD_ACCESS acc;
    const char *saved[2];

    if (check->recipient == NULL)
        return SMTPD_CHECK_DUNNO;
    smtpd_access_init(&acc, check, table, check->recipient,
                      SMTPD_NAME_RECIPIENT, saved);
    return smtpd_access_done(&acc, saved,
                             smtpd_access_mail(&acc, check->sender,
                                               check->recipient, true));
}

/* smtpd_check_etrn_access - check_etrn_access type:table */
int
smtpd_check_etrn_access(SMTPD_CHECK *check, const char *table)
{
    SMTPD_ACCESS acc;
    const char *saved[2];

    if (check->etrn == NULL)
        return SMTPD_CHECK_DUNNO;
    smtpd_access_init(&acc, check, table, check->etrn, SMTPD_NAME_ETRN,
                      saved);
    return smtpd_access_done(&acc, saved,
                             smtpd_access_domain(&acc, check->etrn, 0));
}
