/* resolve_addr - trivial-rewrite's "resolve": address class, transport,
 * nexthop and recipient of an internal-form address (see resolve_addr.h
 * for the rules). Lives in src/maps because it builds on match_list and
 * maps, which libpostern_global must not call. */
#include <ctype.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <string.h>
#include <strings.h>
#include "mail_params.h"
#include <sys/socket.h>

#include "addr_map.h"
#include "argv.h"
#include "buf.h"
#include "cidr_match.h"
#include "maps.h"
#include "maps_addr.h"
#include "match_list.h"
#include "msg.h"
#include "mymalloc.h"
#include "resolve_addr.h"

#define RESOLVE_MAX_LOOPS   100         /* route stripping rounds */
#define HOSTNAME_MAX        255
#define LABEL_MAX           63
#define ALIAS_NEXTHOP       "5.1.1 User unknown in virtual alias table"
#define RELOCATED_TRANSPORT "error"
#define RELOCATED_NEXTHOP   "5.1.6 User has moved to "
#define NULL_SENDER_KEY     "<>"

typedef struct IFADDR {
    int     len;                        /* 4 or 16 */
    unsigned char addr[CIDR_MATCH_ADDR_MAX];
} IFADDR;

struct RESOLVE_ADDR {
    char   *myhostname;
    char   *myorigin;
    char   *relayhost;
    char   *local_transport;
    char   *virtual_transport;
    char   *relay_transport;
    char   *default_transport;
    char   *empty_recipient;
    char   *delimiter;
    int     dequoted;
    int     swap_bangpath;
    int     percent_hack;
    MATCH_LIST *mydestination;
    MATCH_LIST *alias_domains;
    MATCH_LIST *mailbox_domains;
    MATCH_LIST *relay_domains;
    MAPS   *transport_maps;             /* NULL when not configured */
    MAPS   *relocated_maps;             /* NULL when not configured */
    MAPS   *sender_relayhost;
    MAPS   *sender_transport;
    IFADDR *ifaddrs;                    /* inet_ + proxy_interfaces */
    int     ifcount;
};

/* The pieces of one resolve request while it is worked on. */
typedef struct RESOLVE_STATE {
    BUF    *local;                      /* local part */
    BUF    *domain;                     /* domain, "" when none */
    int     has_domain;
} RESOLVE_STATE;

/* add_ifaddr - remember one interface address */
static void
add_ifaddr(RESOLVE_ADDR *rp, const unsigned char *addr, int len)
{
    rp->ifaddrs = myrealloc(rp->ifaddrs, (rp->ifcount + 1) * sizeof(IFADDR));
    rp->ifaddrs[rp->ifcount].len = len;
    memcpy(rp->ifaddrs[rp->ifcount].addr, addr, len);
    rp->ifcount++;
}

/* add_sockaddr - remember the address of an IPv4 or IPv6 socket address */
static void
add_sockaddr(RESOLVE_ADDR *rp, const struct sockaddr *sa)
{
    if (sa == NULL)
        return;
    if (sa->sa_family == AF_INET)
        add_ifaddr(rp, (const unsigned char *)
                   &((const struct sockaddr_in *) sa)->sin_addr, 4);
    else if (sa->sa_family == AF_INET6)
        add_ifaddr(rp, (const unsigned char *)
                   &((const struct sockaddr_in6 *) sa)->sin6_addr, 16);
}

/* add_all_interfaces - every address of every local interface */
static int
add_all_interfaces(RESOLVE_ADDR *rp, const char *title, BUF *why)
{
    struct ifaddrs *list;
    struct ifaddrs *ifa;

    if (getifaddrs(&list) < 0) {
        buf_sprintf(why, "%s: cannot list the network interfaces: %m",
                    title);
        return -1;
    }
    for (ifa = list; ifa; ifa = ifa->ifa_next)
        add_sockaddr(rp, ifa->ifa_addr);
    freeifaddrs(list);
    return 0;
}

/* add_named_interface - an address or a host name of inet_interfaces */
static int
add_named_interface(RESOLVE_ADDR *rp, const char *title, const char *name,
                    BUF *why)
{
    unsigned char addr[CIDR_MATCH_ADDR_MAX];
    struct addrinfo hints;
    struct addrinfo *res;
    struct addrinfo *ai;
    BUF    *bare = buf_alloc(50);
    int     len;

    buf_strcpy(bare, name);
    if (*name == '[' && buf_last(bare) == ']') {
        buf_strcpy(bare, name + 1);
        buf_truncate(bare, buf_len(bare) - 1);
    }
    if ((len = cidr_match_addr(buf_str(bare), addr)) != 0) {
        add_ifaddr(rp, addr, len);
        buf_free(bare);
        return 0;
    }
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(buf_str(bare), NULL, &hints, &res) != 0) {
        buf_sprintf(why, "%s: host not found: %s", title, name);
        buf_free(bare);
        return -1;
    }
    for (ai = res; ai; ai = ai->ai_next)
        add_sockaddr(rp, ai->ai_addr);
    freeaddrinfo(res);
    buf_free(bare);
    return 0;
}

/* add_interfaces - the addresses of an inet_interfaces-style list */
static int
add_interfaces(RESOLVE_ADDR *rp, const char *title, const char *value,
               BUF *why)
{
    static const unsigned char v4_loopback[4] = {127, 0, 0, 1};
    ARGV   *names = argv_split(value ? value : "", LIST_DELIM);
    int     ret = 0;
    int     i;

    for (i = 0; i < names->argc && ret == 0; i++) {
        if (strcasecmp(names->argv[i], "all") == 0) {
            ret = add_all_interfaces(rp, title, why);
        } else if (strcasecmp(names->argv[i], "loopback-only") == 0) {
            add_ifaddr(rp, v4_loopback, 4);
            add_ifaddr(rp, in6addr_loopback.s6_addr, 16);
        } else {
            ret = add_named_interface(rp, title, names->argv[i], why);
        }
    }
    argv_free(names);
    return ret;
}

/* copy - a copy of a setting, "" for NULL */
static char *
copy(const char *value)
{
    return mystrdup(value ? value : "");
}

/* create_lists - the four domain lists; -1 with *why on error */
static int
create_lists(RESOLVE_ADDR *rp, const RESOLVE_ADDR_SETTINGS *sp, BUF *why)
{
    const char *empty = "";

    rp->mydestination = match_list_create("mydestination", MATCH_STRING,
                         sp->mydestination ? sp->mydestination : empty, 0,
                                          why);
    if (rp->mydestination == NULL)
        return -1;
    rp->alias_domains =
        match_list_create("virtual_alias_domains", MATCH_STRING,
                          sp->virtual_alias_domains ?
                          sp->virtual_alias_domains : empty, 0, why);
    if (rp->alias_domains == NULL)
        return -1;
    rp->mailbox_domains =
        match_list_create("virtual_mailbox_domains", MATCH_STRING,
                          sp->virtual_mailbox_domains ?
                          sp->virtual_mailbox_domains : empty, 0, why);
    if (rp->mailbox_domains == NULL)
        return -1;
    rp->relay_domains =
        match_list_create("relay_domains", MATCH_DOMAIN,
                          sp->relay_domains ? sp->relay_domains : empty,
                          MATCH_FLAG_PARENT_STYLE, why);
    return rp->relay_domains ? 0 : -1;
}

/* resolve_addr_create - compile the lists, open the tables */
RESOLVE_ADDR *
resolve_addr_create(const RESOLVE_ADDR_SETTINGS *sp, BUF *why)
{
    RESOLVE_ADDR *rp = mymalloc(sizeof(*rp));

    memset(rp, 0, sizeof(*rp));
    rp->myhostname = copy(sp->myhostname);
    rp->myorigin = copy(sp->myorigin);
    rp->relayhost = copy(sp->relayhost);
    rp->local_transport = copy(sp->local_transport);
    rp->virtual_transport = copy(sp->virtual_transport);
    rp->relay_transport = copy(sp->relay_transport);
    rp->default_transport = copy(sp->default_transport);
    rp->empty_recipient = copy(sp->empty_address_recipient);
    rp->delimiter = copy(sp->recipient_delimiter);
    rp->dequoted = sp->resolve_dequoted_address;
    rp->swap_bangpath = sp->swap_bangpath;
    rp->percent_hack = sp->allow_percent_hack;
    if (create_lists(rp, sp, why) < 0
        || add_interfaces(rp, "inet_interfaces", sp->inet_interfaces,
                          why) < 0
        || add_interfaces(rp, "proxy_interfaces", sp->proxy_interfaces,
                          why) < 0) {
        resolve_addr_free(rp);
        return NULL;
    }
    rp->transport_maps = addr_map_open("transport_maps", sp->transport_maps);
    rp->relocated_maps = addr_map_open("relocated_maps", sp->relocated_maps);
    rp->sender_relayhost = addr_map_open("sender_dependent_relayhost_maps",
                                   sp->sender_dependent_relayhost_maps);
    rp->sender_transport =
        addr_map_open("sender_dependent_default_transport_maps",
                  sp->sender_dependent_default_transport_maps);
    return rp;
}

/* resolve_addr_free - close everything */
void
resolve_addr_free(RESOLVE_ADDR *rp)
{
    char  **strings[] = {&rp->myhostname, &rp->myorigin, &rp->relayhost,
        &rp->local_transport, &rp->virtual_transport, &rp->relay_transport,
    &rp->default_transport, &rp->empty_recipient, &rp->delimiter};
    MATCH_LIST *lists[] = {rp->mydestination, rp->alias_domains,
    rp->mailbox_domains, rp->relay_domains};
    MAPS   *maps[] = {rp->transport_maps, rp->relocated_maps,
    rp->sender_relayhost, rp->sender_transport};
    size_t  i;

    for (i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
        myfree(*strings[i]);
    for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
        if (lists[i])
            match_list_free(lists[i]);
    for (i = 0; i < sizeof(maps) / sizeof(maps[0]); i++)
        if (maps[i])
            maps_free(maps[i]);
    myfree(rp->ifaddrs);
    myfree(rp);
}

/* resolve_reply_init - allocate the reply's buffers */
void
resolve_reply_init(RESOLVE_REPLY *reply)
{
    reply->flags = 0;
    reply->transport = buf_alloc(20);
    reply->nexthop = buf_alloc(50);
    reply->recipient = buf_alloc(100);
}

/* resolve_reply_free - free the reply's buffers */
void
resolve_reply_free(RESOLVE_REPLY *reply)
{
    buf_free(reply->transport);
    buf_free(reply->nexthop);
    buf_free(reply->recipient);
}

/* split_address - local part and domain (after the last '@'); one
 * trailing dot of the domain is dropped, but not from "." or "x.." */
static void
split_address(RESOLVE_STATE *st, const char *addr)
{
    const char *at = strrchr(addr, '@');

    st->has_domain = (at != NULL);
    buf_reset(st->local);
    buf_append(st->local, addr, at ? (size_t) (at - addr) : strlen(addr));
    buf_strcpy(st->domain, at ? at + 1 : "");
    if (buf_len(st->domain) > 1 && buf_last(st->domain) == '.'
        && buf_str(st->domain)[buf_len(st->domain) - 2] != '.')
        buf_truncate(st->domain, buf_len(st->domain) - 1);
}

/* literal_addr - the binary address of "[a.b.c.d]" or "[IPv6:...]": 4 or
 * 16, 0 when domain is no valid literal */
static int
literal_addr(const char *domain, unsigned char *addr)
{
    size_t  len = strlen(domain);
    BUF    *bare;
    int     ret;
    int     v6;

    if (len < 2 || domain[0] != '[' || domain[len - 1] != ']')
        return 0;
    v6 = strncasecmp(domain + 1, "IPv6:", 5) == 0;
    bare = buf_alloc(len);
    buf_append(bare, domain + 1 + (v6 ? 5 : 0), len - 2 - (v6 ? 5 : 0));
    ret = cidr_match_addr(buf_str(bare), addr);
    buf_free(bare);
    return ret == (v6 ? 16 : 4) ? ret : 0;
}

/* valid_label - one host name label */
static int
valid_label(const char *label, size_t len)
{
    size_t  i;

    if (len == 0 || len > LABEL_MAX || label[0] == '-'
        || label[len - 1] == '-')
        return 0;
    for (i = 0; i < len; i++) {
        unsigned char ch = label[i];

        if (!isalnum(ch) && ch != '-' && ch != '_')
            return 0;
    }
    return 1;
}

/* valid_hostname - labels separated by dots, not all-numeric */
static int
valid_hostname(const char *name)
{
    const char *cp = name;
    const char *dot;
    size_t  len = strlen(name);

    if (len == 0 || len > HOSTNAME_MAX
        || strspn(name, "0123456789.") == len)
        return 0;
    for (;;) {
        dot = strchr(cp, '.');
        if (!valid_label(cp, dot ? (size_t) (dot - cp) : strlen(cp)))
            return 0;
        if (dot == NULL)
            return 1;
        cp = dot + 1;
    }
}

/* valid_domain - a host name or an address literal */
static int
valid_domain(const char *domain)
{
    unsigned char addr[CIDR_MATCH_ADDR_MAX];

    if (*domain == '[')
        return literal_addr(domain, addr) != 0;
    return valid_hostname(domain);
}

/* local_interface - domain is a literal of an interface address */
static int
local_interface(RESOLVE_ADDR *rp, const char *domain)
{
    unsigned char addr[CIDR_MATCH_ADDR_MAX];
    int     len = literal_addr(domain, addr);
    int     i;

    for (i = 0; len && i < rp->ifcount; i++)
        if (rp->ifaddrs[i].len == len
            && memcmp(rp->ifaddrs[i].addr, addr, len) == 0)
            return 1;
    return 0;
}

/* resolve_addr_is_local - see resolve_addr.h */
int
resolve_addr_is_local(RESOLVE_ADDR *rp, const char *domain)
{
    int     ret = match_list_match(rp->mydestination, domain, NULL, NULL);

    if (ret != 0)
        return ret;
    return local_interface(rp, domain);
}

/* has_route - the local part is a route to another host */
static int
has_route(RESOLVE_ADDR *rp, const char *local)
{
    return (rp->dequoted && strchr(local, '@'))
        || (rp->swap_bangpath && strchr(local, '!'))
        || (rp->percent_hack && strchr(local, '%'));
}

/* unroute - turn a local part without '@' into an address, when a bang
 * path or percent route says where it goes; 0 when it does not */
static int
unroute(RESOLVE_ADDR *rp, const char *local, BUF *addr)
{
    const char *cp;

    if (rp->swap_bangpath && (cp = strchr(local, '!')) != NULL) {
        buf_strcpy(addr, cp + 1);
        buf_addch(addr, '@');
        buf_append(addr, local, cp - local);
        return 1;
    }
    if (rp->percent_hack && (cp = strrchr(local, '%')) != NULL) {
        buf_reset(addr);
        buf_append(addr, local, cp - local);
        buf_addch(addr, '@');
        buf_strcat(addr, cp + 1);
        return 1;
    }
    return 0;
}

/* strip_routes - steps 1-3: the final local part and domain; returns
 * 1 local, 0 not local, -1 a table failed */
static int
strip_routes(RESOLVE_ADDR *rp, const char *addr, RESOLVE_STATE *st)
{
    BUF    *work = buf_alloc(100);
    int     local = 0;
    int     loops;

    buf_strcpy(work, *addr ? addr : rp->empty_recipient);
    for (loops = 0; loops < RESOLVE_MAX_LOOPS; loops++) {
        split_address(st, buf_str(work));
        if (!st->has_domain) {
            if (unroute(rp, buf_str(st->local), work))
                continue;
            buf_strcpy(st->domain, rp->myhostname);
            local = 1;
            break;
        }
        if ((local = resolve_addr_is_local(rp, buf_str(st->domain))) <= 0) {
            if (local == 0 && buf_len(st->local) == 0
                && buf_len(st->domain) == 0)
                buf_strcpy(st->local, rp->empty_recipient);
            break;
        }
        if (buf_len(st->local) == 0) {
            buf_strcpy(st->local, rp->empty_recipient);
            break;
        }
        if (!has_route(rp, buf_str(st->local)))
            break;
        buf_strcpy(work, buf_str(st->local));
    }
    buf_free(work);
    return local;
}

/* split_transport - "transport:nexthop" into its halves */
static void
split_transport(const char *value, BUF *transport, BUF *nexthop)
{
    const char *colon = strchr(value, ':');

    buf_reset(transport);
    buf_append(transport, value, colon ? (size_t) (colon - value)
               : strlen(value));
    buf_strcpy(nexthop, colon ? colon + 1 : "");
}

/* find_sender - a sender-dependent table's entry for sender: the address,
 * then "@domain"; "<>" for the null sender. NULL with *fail set when the
 * table failed. */
static const char *
find_sender(MAPS *maps, const char *sender, int *fail)
{
    const char *value;
    const char *at;
    BUF    *key;

    if (maps == NULL || sender == NULL)
        return NULL;
    if (*sender == 0)
        value = maps_find(maps, NULL_SENDER_KEY, 0);
    else if ((value = maps_find(maps, sender, 0)) == NULL
             && maps->error == DICT_ERR_NONE
             && (at = strrchr(sender, '@')) != NULL) {
        key = buf_alloc(50);
        buf_strcpy(key, at);
        value = maps_find(maps, buf_str(key), DICT_FLAG_FIXED);
        buf_free(key);
    }
    if (maps->error != DICT_ERR_NONE)
        *fail = 1;
    return value;
}

/* default_nexthop - no nexthop yet: sender's relayhost, relayhost or the
 * recipient domain, for the relay and default classes */
static void
default_nexthop(RESOLVE_ADDR *rp, const char *sender, const char *domain,
                RESOLVE_REPLY *reply)
{
    const char *value;
    int     fail = 0;

    if (buf_len(reply->nexthop) > 0)
        return;
    value = find_sender(rp->sender_relayhost, sender, &fail);
    if (fail)
        reply->flags |= RESOLVE_FLAG_FAIL;
    else if (value && *value)
        buf_strcpy(reply->nexthop, value);
    else if (*rp->relayhost)
        buf_strcpy(reply->nexthop, rp->relayhost);
    else
        buf_strcpy(reply->nexthop, domain);
}

/* virtual_class - 1 with the class set for a virtual alias or mailbox
 * domain, 0 when it is neither */
static int
virtual_class(RESOLVE_ADDR *rp, const char *domain, RESOLVE_REPLY *reply)
{
    int     alias = match_list_match(rp->alias_domains, domain, NULL, NULL);
    int     mailbox = alias ? 0
    : match_list_match(rp->mailbox_domains, domain, NULL, NULL);

    if (alias < 0 || mailbox < 0) {
        reply->flags |= RESOLVE_FLAG_FAIL;
        return 1;
    }
    if (alias) {
        if (match_list_match(rp->mailbox_domains, domain, NULL, NULL) > 0)
            msg_warn("do not list domain %s in BOTH virtual_alias_domains"
                     " and virtual_mailbox_domains", domain);
        reply->flags |= RESOLVE_CLASS_ALIAS;
        buf_strcpy(reply->transport, "error");
        buf_strcpy(reply->nexthop, ALIAS_NEXTHOP);
        return 1;
    }
    if (mailbox) {
        reply->flags |= RESOLVE_CLASS_VIRTUAL;
        split_transport(rp->virtual_transport, reply->transport,
                        reply->nexthop);
        if (buf_len(reply->nexthop) == 0)
            buf_strcpy(reply->nexthop, domain);
        return 1;
    }
    return 0;
}

/* remote_class - step 5-6 for a domain that is not local */
static void
remote_class(RESOLVE_ADDR *rp, const char *sender, const char *domain,
             RESOLVE_REPLY *reply)
{
    const char *value;
    int     ret;
    int     fail = 0;

    if (virtual_class(rp, domain, reply))
        return;
    if ((ret = match_list_match(rp->relay_domains, domain, NULL, NULL)) < 0) {
        reply->flags |= RESOLVE_FLAG_FAIL;
        return;
    }
    if (ret > 0) {
        reply->flags |= RESOLVE_CLASS_RELAY;
        split_transport(rp->relay_transport, reply->transport,
                        reply->nexthop);
    } else {
        reply->flags |= RESOLVE_CLASS_DEFAULT;
        value = find_sender(rp->sender_transport, sender, &fail);
        if (fail) {
            reply->flags |= RESOLVE_FLAG_FAIL;
            return;
        }
        split_transport(value && *value ? value : rp->default_transport,
                        reply->transport, reply->nexthop);
    }
    default_nexthop(rp, sender, domain, reply);
}

/* local_class - step 5-6 for a local domain, with Postfix's warnings */
static void
local_class(RESOLVE_ADDR *rp, const char *domain, RESOLVE_REPLY *reply)
{
    static const char *names[] = {"virtual_alias_domains",
    "virtual_mailbox_domains"};
    MATCH_LIST *lists[] = {rp->alias_domains, rp->mailbox_domains};
    int     i;

    for (i = 0; i < 2; i++)
        if (match_list_match(lists[i], domain, NULL, NULL) > 0)
            msg_warn("do not list domain %s in BOTH mydestination and %s",
                     domain, names[i]);
    reply->flags |= RESOLVE_CLASS_LOCAL;
    split_transport(rp->local_transport, reply->transport, reply->nexthop);
    if (buf_len(reply->nexthop) == 0)
        buf_strcpy(reply->nexthop, domain);
}

/* find_domain - the domain, then its parents, in fixed-string tables */
static const char *
find_domain(MAPS *maps, const char *domain)
{
    int     bare = parent_domain_matches("transport_maps");
    const char *value;
    const char *dot;

    if ((value = maps_find(maps, domain, DICT_FLAG_FIXED)) != NULL
        || maps->error != DICT_ERR_NONE || *domain == '[')
        return value;
    for (dot = strchr(domain, '.'); dot && dot[1]; dot = strchr(dot + 1, '.'))
        if ((value = maps_find(maps, bare ? dot + 1 : dot,
                               DICT_FLAG_FIXED)) != NULL
            || maps->error != DICT_ERR_NONE)
            break;
    return value;
}

/* find_transport - transport(5) search order; NULL when not found (or
 * the table failed: maps->error) */
static const char *
find_transport(RESOLVE_ADDR *rp, const char *recipient, const char *domain)
{
    MAPS   *maps = rp->transport_maps;
    const char *at = strrchr(recipient, '@');
    const char *value;
    size_t  ext;
    BUF    *key;

    if ((value = maps_find(maps, recipient, 0)) != NULL
        || maps->error != DICT_ERR_NONE)
        return value;
    key = buf_alloc(100);
    ext = at ? split_addr_ext(recipient, at - recipient, rp->delimiter) : 0;
    if (ext > 0) {
        buf_append(key, recipient, ext);
        buf_strcat(key, at);
        value = maps_find(maps, buf_str(key), DICT_FLAG_FIXED);
    }
    if (value == NULL && maps->error == DICT_ERR_NONE && *domain)
        value = find_domain(maps, domain);
    if (value == NULL && maps->error == DICT_ERR_NONE)
        value = maps_find(maps, "*", DICT_FLAG_FIXED);
    buf_free(key);
    return value;
}

/* apply_transport_maps - step 7 */
static void
apply_transport_maps(RESOLVE_ADDR *rp, const char *domain,
                     RESOLVE_REPLY *reply)
{
    const char *value;
    BUF    *transport;
    BUF    *nexthop;

    if (rp->transport_maps == NULL)
        return;
    value = find_transport(rp, buf_str(reply->recipient), domain);
    if (rp->transport_maps->error != DICT_ERR_NONE) {
        reply->flags |= RESOLVE_FLAG_FAIL;
        return;
    }
    if (value == NULL)
        return;
    transport = buf_alloc(20);
    nexthop = buf_alloc(50);
    split_transport(value, transport, nexthop);
    if (buf_len(transport) > 0) {
        buf_strcpy(reply->transport, buf_str(transport));
        buf_strcpy(reply->nexthop, buf_len(nexthop) ? buf_str(nexthop)
                   : domain);
    } else if (buf_len(nexthop) > 0) {
        buf_strcpy(reply->nexthop, buf_str(nexthop));
    }
    buf_free(transport);
    buf_free(nexthop);
}

/* apply_relocated_maps - step 7a */
static void
apply_relocated_maps(RESOLVE_ADDR *rp, const char *domain,
                     RESOLVE_REPLY *reply)
{
    int     local = (reply->flags & RESOLVE_CLASS_LOCAL)
    || strcasecmp(domain, rp->myorigin) == 0;
    const char *value;

    if (rp->relocated_maps == NULL)
        return;
    value = maps_find_addr(rp->relocated_maps, buf_str(reply->recipient),
                           local, NULL);
    if (rp->relocated_maps->error != DICT_ERR_NONE) {
        reply->flags |= RESOLVE_FLAG_FAIL;
        return;
    }
    if (value == NULL)
        return;
    buf_strcpy(reply->transport, RELOCATED_TRANSPORT);
    buf_strcpy(reply->nexthop, RELOCATED_NEXTHOP);
    buf_strcat(reply->nexthop, value);
}

/* resolve_addr - the whole resolve request */
int
resolve_addr(RESOLVE_ADDR *rp, const char *sender, const char *addr,
             RESOLVE_REPLY *reply)
{
    RESOLVE_STATE st;
    const char *domain;
    int     local;

    st.local = buf_alloc(100);
    st.domain = buf_alloc(100);
    reply->flags = 0;
    buf_reset(reply->transport);
    buf_reset(reply->nexthop);
    local = strip_routes(rp, addr, &st);
    domain = buf_str(st.domain);
    buf_sprintf(reply->recipient, "%s@%s", buf_str(st.local), domain);
    if (strpbrk(buf_str(st.local), "@%!"))
        reply->flags |= RESOLVE_FLAG_ROUTED;
    if (local < 0)
        reply->flags |= RESOLVE_FLAG_FAIL;
    else if (local)
        local_class(rp, domain, reply);
    else if (!valid_domain(domain))
        reply->flags |= RESOLVE_FLAG_ERROR | RESOLVE_CLASS_DEFAULT;
    else
        remote_class(rp, sender, domain, reply);
    if ((reply->flags & (RESOLVE_FLAG_FAIL | RESOLVE_FLAG_ERROR
                         | RESOLVE_CLASS_ALIAS)) == 0)
        apply_transport_maps(rp, domain, reply);
    if ((reply->flags & (RESOLVE_FLAG_FAIL | RESOLVE_FLAG_ERROR)) == 0)
        apply_relocated_maps(rp, domain, reply);
    buf_free(st.local);
    buf_free(st.domain);
    return reply->flags;
}

/* resolve_addr_settings_init - the resolver's parameters from var_* */
void
resolve_addr_settings_init(RESOLVE_ADDR_SETTINGS *s)
{
    *s = (RESOLVE_ADDR_SETTINGS) {
        .myhostname = var_myhostname,
        .mydestination = var_mydestination,
        .inet_interfaces = var_inet_interfaces,
        .proxy_interfaces = var_proxy_interfaces,
        .virtual_alias_domains = var_virtual_alias_domains,
        .virtual_mailbox_domains = var_virtual_mailbox_domains,
        .relay_domains = var_relay_domains,
        .transport_maps = var_transport_maps,
        .relocated_maps = var_relocated_maps,
        .myorigin = var_myorigin,
        .relayhost = var_relayhost,
        .local_transport = var_local_transport,
        .virtual_transport = var_virtual_transport,
        .relay_transport = var_relay_transport,
        .default_transport = var_default_transport,
        .sender_dependent_relayhost_maps = var_sender_dependent_relayhost_maps,
        .sender_dependent_default_transport_maps =
            var_sender_dependent_default_transport_maps,
        .empty_address_recipient = var_empty_address_recipient,
        .recipient_delimiter = var_recipient_delimiter,
        .resolve_dequoted_address = var_resolve_dequoted_address,
        .swap_bangpath = var_swap_bangpath,
        .allow_percent_hack = var_allow_percent_hack,
    };
}
