/* mx_addr - the addresses to try for a next-hop host or domain.
 *
 * Postfix's smtp_addr.c in behaviour: an MX lookup (dns_lookup.h), the
 * MX hosts by preference, each host's A/AAAA records per inet_protocols
 * (or numeric hosts as they are), loop detection against this host's
 * addresses (own_inet_addr.h), then shuffle, sort by preference and
 * smtp_address_preference, balance the families and cut at
 * smtp_mx_address_limit (mx_addr_list.h). Without MX records the name's
 * own addresses at preference 0. smtp_host_lookup selects DNS and/or
 * the native resolver (getaddrinfo); disable_dns_lookups leaves only the
 * native one. A soft (4.x) error dominates hard ones, as in Postfix.
 *
 * Loop detection runs with MX_ADDR_FLAG_LOOP: the client sets it when it
 * delivers to port 25, where Postfix checks for loops. */
#include <netdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include "argv.h"
#include "cidr_match.h"
#include "dns_lookup.h"
#include "mail_params.h"
#include "msg.h"
#include "mx_addr.h"
#include "mx_addr_list.h"
#include "mymalloc.h"
#include "own_inet_addr.h"

/* The settings one lookup works with. */
typedef struct MX_CONF {
    bool    v4, v6;                     /* inet_protocols */
    bool    mx;                         /* MX lookups: !disable_dns_lookups */
    bool    dns, native;                /* smtp_host_lookup */
    int     prefer;                     /* AF_INET, AF_INET6, AF_UNSPEC */
} MX_CONF;

/* mx_addr_conf - the settings from the parameters */
static void
mx_addr_conf(MX_CONF *conf)
{
    ARGV   *words = argv_split(var_inet_protocols, LIST_DELIM);

    memset(conf, 0, sizeof(*conf));
    for (int i = 0; i < words->argc; i++) {
        if (strcasecmp(words->argv[i], "all") == 0)
            conf->v4 = conf->v6 = true;
        else if (strcasecmp(words->argv[i], "ipv4") == 0)
            conf->v4 = true;
        else if (strcasecmp(words->argv[i], "ipv6") == 0)
            conf->v6 = true;
    }
    argv_free(words);
    if (!conf->v4 && !conf->v6)
        conf->v4 = conf->v6 = true;
    words = argv_split(var_smtp_host_lookup, LIST_DELIM);
    for (int i = 0; i < words->argc; i++) {
        if (strcasecmp(words->argv[i], "dns") == 0)
            conf->dns = !var_disable_dns_lookups;
        else if (strcasecmp(words->argv[i], "native") == 0)
            conf->native = true;
    }
    argv_free(words);
    if (!conf->dns)
        conf->native = true;
    conf->mx = !var_disable_dns_lookups;
    conf->prefer = strcasecmp(var_smtp_address_preference, "ipv6") == 0 ?
        AF_INET6 : strcasecmp(var_smtp_address_preference, "ipv4") == 0 ?
        AF_INET : AF_UNSPEC;
}

/* mx_addr_soft - whether why already holds a soft (4.x) status */
static bool
mx_addr_soft(const DSN_BUF *why)
{
    return buf_len(why->status) > 0 && buf_str(why->status)[0] == '4';
}

/* mx_addr_status - set why from a DNS result and its text; soft and
 * hard are the codes for the result, soft ones kept once seen */
static void
mx_addr_status(DSN_BUF *why, const char *soft, const char *hard,
               const BUF *text)
{
    dsb_simple(why, mx_addr_soft(why) ? soft : hard, "%s", buf_str(text));
}

/* mx_addr_dns - the A/AAAA records of host per inet_protocols; the best
 * result of the lookups by Postfix's precedence (dns_lookup_types), its
 * text in text */
static int
mx_addr_dns(MX_ADDR_LIST *list, const char *host, unsigned pref,
            const MX_CONF *conf, BUF *text)
{
    int     types[3];
    int     count = 0;
    DNS_RR_LIST rrs = {NULL, 0};
    int     result;

    if (conf->v4)
        types[count++] = DNS_TYPE_A;
    if (conf->v6)
        types[count++] = DNS_TYPE_AAAA;
    types[count] = 0;
    result = dns_lookup_types(host, types, 0, &rrs, text);
    for (size_t i = 0; i < rrs.count && list->count < DNS_RR_LIMIT; i++)
        mx_addr_list_add(list, host, pref, rrs.rr[i].type == DNS_TYPE_A ?
                         AF_INET : AF_INET6, &rrs.rr[i].addr);
    dns_rr_list_free(&rrs);
    return result;
}

/* mx_addr_native - host's addresses from getaddrinfo */
static void
mx_addr_native(MX_ADDR_LIST *list, const char *host, unsigned pref,
               const MX_CONF *conf, DSN_BUF *why)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM};
    struct addrinfo *res;
    int     err;
    int     found = 0;
    bool    retry;
    bool    nohost;

    if ((err = getaddrinfo(host, NULL, &hints, &res)) != 0) {
        retry = err == EAI_AGAIN || err == EAI_MEMORY || err == EAI_SYSTEM;
        nohost = err == EAI_AGAIN || err == EAI_NODATA || err == EAI_NONAME;
        dsb_simple(why, mx_addr_soft(why) || retry ?
                   (nohost ? "4.4.4" : "4.3.0") : (nohost ? "5.4.4" : "5.3.0"),
                   "unable to look up host %s: %s", host, gai_strerror(err));
        return;
    }
    for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
        if (list->count >= DNS_RR_LIMIT)
            break;
        if (ai->ai_family == AF_INET && conf->v4)
            mx_addr_list_add(list, host, pref, AF_INET,
                          &((struct sockaddr_in *) ai->ai_addr)->sin_addr);
        else if (ai->ai_family == AF_INET6 && conf->v6)
            mx_addr_list_add(list, host, pref, AF_INET6,
                        &((struct sockaddr_in6 *) ai->ai_addr)->sin6_addr);
        else
            continue;
        found++;
    }
    freeaddrinfo(res);
    if (found == 0)
        dsb_simple(why, mx_addr_soft(why) ? "4.4.4" : "5.4.4",
                   "%s: host not found", host);
}

/* mx_addr_one - append the addresses of one host at preference pref */
static void
mx_addr_one(MX_ADDR_LIST *list, const char *host, unsigned pref,
            const MX_CONF *conf, DSN_BUF *why)
{
    unsigned char bytes[CIDR_MATCH_ADDR_MAX];
    int     len = cidr_match_addr(host, bytes);
    BUF    *text;
    int     result;

    if ((len == 4 && conf->v4) || (len == 16 && conf->v6)) {
        if (list->count < DNS_RR_LIMIT)
            mx_addr_list_add(list, host, pref, len == 4 ? AF_INET : AF_INET6,
                             bytes);
        return;
    }
    if (conf->dns) {
        text = buf_alloc(100);
        result = mx_addr_dns(list, host, pref, conf, text);
        if (result == DNS_RETRY)
            dsb_simple(why, "4.4.3", "%s", buf_str(text));
        else if (result == DNS_FAIL)
            mx_addr_status(why, "4.4.3", "5.4.3", text);
        else if (result == DNS_INVAL || result == DNS_NOTFOUND)
            mx_addr_status(why, "4.4.4", "5.4.4", text);
        buf_free(text);
        if (result != DNS_NOTFOUND)
            return;
    }
    if (conf->native)
        mx_addr_native(list, host, pref, conf, why);
}

/* mx_addr_find_self - index of the first own address in list: 1 found,
 * 0 not, -1 with why set when own addresses are unknown */
static int
mx_addr_find_self(const MX_ADDR_LIST *list, size_t *index, DSN_BUF *why)
{
    BUF    *reason = buf_alloc(100);
    int     found = 0;

    for (size_t i = 0; i < list->count && found == 0; i++) {
        found = own_inet_addr_match(list->addr[i].family,
                                    &list->addr[i].addr, reason);
        *index = i;
    }
    if (found < 0)
        dsb_simple(why, "4.3.0", "%s", buf_str(reason));
    buf_free(reason);
    return found;
}

/* mx_addr_order - shuffle, sort, balance and cut a found list */
static void
mx_addr_order(MX_ADDR_LIST *list, const MX_CONF *conf)
{
    size_t  limit = var_smtp_mx_address_limit > 0 ?
        (size_t) var_smtp_mx_address_limit : 0;

    if (list->count > 1) {
        if (var_smtp_randomize_addresses)
            mx_addr_list_shuffle(list);
        mx_addr_list_sort(list, conf->prefer);
        if (var_smtp_balance_inet_protocols)
            mx_addr_list_balance(list, limit);
    }
    mx_addr_list_limit(list, limit);
}

/* mx_addr_host - the addresses of a host at preference 0 */
static int
mx_addr_host(const char *host, const MX_CONF *conf, bool loop,
             MX_ADDR_LIST *list, DSN_BUF *why)
{
    size_t  self;
    int     found;

    dsb_reset(why);
    mx_addr_one(list, host, 0, conf, why);
    if (list->count == 0)
        return -1;
    if (loop && (found = mx_addr_find_self(list, &self, why)) != 0) {
        mx_addr_list_free(list);
        if (found > 0)
            dsb_simple(why, "5.4.6", "mail for %s loops back to myself",
                       host);
        return -1;
    }
    mx_addr_order(list, conf);
    dsb_reset(why);
    return 0;
}

/* mx_addr_cut_self - cut the list where this host appears; -1 with why
 * set when nothing is left */
static int
mx_addr_cut_self(const char *name, unsigned best_pref, MX_ADDR_LIST *list,
                 DSN_BUF *why)
{
    unsigned best_found = list->addr[0].pref;
    size_t  self;
    int     found;

    if ((found = mx_addr_find_self(list, &self, why)) < 0)
        return -1;
    if (found == 0)
        return 0;
    mx_addr_list_truncate(list, list->addr[self].pref);
    if (list->count > 0)
        return 0;
    if (best_pref != best_found)
        dsb_simple(why, "4.4.4", "unable to find primary relay for %s", name);
    else
        dsb_simple(why, "5.4.6", "mail for %s loops back to myself", name);
    return -1;
}

/* mx_addr_by_pref - qsort order of MX records */
static int
mx_addr_by_pref(const void *a, const void *b)
{
    unsigned pa = ((const DNS_RR *) a)->pref;
    unsigned pb = ((const DNS_RR *) b)->pref;

    return pa < pb ? -1 : pa > pb;
}

/* mx_addr_exchangers - the addresses of the MX hosts of name */
static int
mx_addr_exchangers(const char *name, DNS_RR_LIST *mx, const MX_CONF *conf,
                   bool loop, MX_ADDR_LIST *list, DSN_BUF *why)
{
    qsort(mx->rr, mx->count, sizeof(DNS_RR), mx_addr_by_pref);
    for (size_t i = 0; i < mx->count; i++)
        mx_addr_one(list, mx->rr[i].host, mx->rr[i].pref, conf, why);
    if (list->count == 0) {
        if (var_smtp_defer_if_no_mx_address_found && !mx_addr_soft(why))
            buf_strcpy(why->status, "4.4.4");
        msg_warn("no MX host for %s has a valid address record", name);
        return -1;
    }
    if (loop && mx_addr_cut_self(name, mx->rr[0].pref, list, why) < 0)
        return -1;
    mx_addr_order(list, conf);
    dsb_reset(why);
    return 0;
}

/* mx_addr_domain - MX lookup, else the domain's own addresses */
static int
mx_addr_domain(const char *name, const MX_CONF *conf, bool loop,
               MX_ADDR_LIST *list, DSN_BUF *why)
{
    DNS_RR_LIST mx;
    BUF    *text = buf_alloc(100);
    int     result = dns_lookup(name, DNS_TYPE_MX, &mx, text);
    int     ret = -1;

    if (result == DNS_OK)
        ret = mx_addr_exchangers(name, &mx, conf, loop, list, why);
    else if (result == DNS_NOTFOUND
             || (result != DNS_NULLMX && var_ignore_mx_lookup_error))
        ret = mx_addr_host(name, conf, loop, list, why);
    else
        dsb_simple(why, result == DNS_NULLMX ? "5.1.0" :
                   result == DNS_FAIL ? "5.4.3" :
                   result == DNS_INVAL ? "5.4.4" : "4.4.3",
                   "%s", buf_str(text));
    dns_rr_list_free(&mx);
    buf_free(text);
    return ret;
}

/* mx_addr_lookup - fill list for name */
int
mx_addr_lookup(const char *name, int flags, MX_ADDR_LIST *list, DSN_BUF *why)
{
    MX_CONF conf;
    bool    loop = (flags & MX_ADDR_FLAG_LOOP) != 0;
    size_t  len = strlen(name);
    char   *host;
    int     ret;

    list->addr = NULL;
    list->count = 0;
    dsb_reset(why);
    mx_addr_conf(&conf);
    if (name[0] == '[' && len > 2 && name[len - 1] == ']') {
        host = mystrndup(name + 1, len - 2);
        ret = mx_addr_host(host, &conf, loop, list, why);
        myfree(host);
    } else if ((flags & MX_ADDR_FLAG_MX) && conf.mx) {
        ret = mx_addr_domain(name, &conf, loop, list, why);
    } else {
        ret = mx_addr_host(name, &conf, loop, list, why);
    }
    if (ret < 0)
        mx_addr_list_free(list);
    return ret;
}

/* mx_addr_text - the address as text */
const char *
mx_addr_text(const MX_ADDR *addr, char *buf, size_t size)
{
    if (inet_ntop(addr->family, &addr->addr, buf, (socklen_t) size) == NULL)
        snprintf(buf, size, "?");
    return buf;
}
