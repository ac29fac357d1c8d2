/* resolve_addr - trivial-rewrite's "resolve" half, as a library: which
 * address class a recipient has, and which transport, nexthop and
 * recipient mail for it goes to.
 *
 * Input is an address in internal form, already rewritten (cleanup's
 * output). Steps, as Postfix 3.7.11's trivial-rewrite answers them:
 * 1. "" becomes $empty_address_recipient (so does the empty local part of
 *    "@"). One trailing dot of the domain is dropped ("user@host." is
 *    "user@host"; "user@host.." and "user@." stay as they are).
 * 2. An address without '@' is local: a bang path "a!b!user" becomes
 *    "b!user@a" (swap_bangpath) and "user%a%b" becomes "user%a@b"
 *    (allow_percent_hack), and then resolving starts over; otherwise
 *    "@$myhostname" is appended.
 * 3. When the domain is local (mydestination, or a literal [ip] / [IPv6:ip]
 *    that is an inet_interfaces or proxy_interfaces address) and the local
 *    part holds a route ('@' with resolve_dequoted_address, '!' with
 *    swap_bangpath, '%' with allow_percent_hack), the local domain is
 *    stripped and resolving starts over: "user@ext@local" resolves as
 *    "user@ext". An empty local part with a local domain becomes
 *    $empty_address_recipient@domain.
 * 4. A domain that is neither a valid host name (labels of letters,
 *    digits, '-', '_'; not all-numeric) nor a valid address literal is an
 *    error: RESOLVE_FLAG_ERROR with class DEFAULT; transport and nexthop
 *    are then empty (Postfix sends placeholder text).
 * 5. The class: local (as in 3, or no domain), else virtual alias
 *    (virtual_alias_domains: transport "error", nexthop "5.1.1 User
 *    unknown in virtual alias table"), virtual mailbox
 *    (virtual_mailbox_domains), relay (relay_domains), default. A local
 *    domain also listed in virtual_*_domains, or one in both virtual
 *    lists, is logged as Postfix does ("do not list domain X in BOTH
 *    mydestination and virtual_alias_domains"): the first class wins.
 * 6. transport:nexthop comes from local_transport, virtual_transport,
 *    relay_transport or default_transport. Without a nexthop there: for
 *    relay and default the sender's sender_dependent_relayhost_maps
 *    entry, then relayhost, then the recipient domain; for local and
 *    virtual the recipient domain. For the default class an entry of
 *    sender_dependent_default_transport_maps replaces default_transport
 *    (its nexthop too: "uucp:" goes on with the sender's relayhost, not
 *    with default_transport's nexthop).
 *    The sender maps are searched with the sender, then "@domain"; the
 *    null sender is searched as "<>" only.
 * 7. transport_maps (transport(5)): the recipient, the recipient without
 *    its address extension, the domain, its parents (".parent" or
 *    "parent" when transport_maps is in parent_domain_matches_subdomains)
 *    and "*"; pattern tables see the recipient only. A result "t:n"
 *    replaces both; "t:" sets t and resets the nexthop to the recipient
 *    domain; ":n" keeps the transport; ":" changes nothing. The virtual
 *    alias class is never looked up (Postfix keeps its "error").
 * 7a. relocated_maps (relocated(5)), for every class, after transport_maps
 *    (it wins over them and over the virtual alias "error"): the
 *    recipient, without its extension, then (only when the domain is
 *    local or $myorigin) the local part with and without the extension,
 *    then "@domain" (maps_addr.h). A hit gives transport "error" and
 *    nexthop "5.1.6 User has moved to VALUE": the error agent bounces the
 *    recipient with that text, as Postfix 3.7 does (observed: trivial-
 *    rewrite answers the resolve request so, qmgr and the error agent
 *    only pass it on). The class flags stay as they were.
 * 8. RESOLVE_FLAG_ROUTED is set when the final local part holds '@', '%'
 *    or '!' (whatever the hack settings): an "unauthorized relay" candidate
 *    for smtpd.
 * A table that fails sets RESOLVE_FLAG_FAIL: the answer is unknown and the
 * caller must defer (never route on it).
 *
 * Every rule is checked against Postfix's answers in
 * tests/unit/resolve_addr_cases.h. Peers: match_list, maps, maps_addr,
 * cidr_match. */
#ifndef RESOLVE_ADDR_H
#define RESOLVE_ADDR_H

#include "buf.h"

/* Reply flags: the values of Postfix's resolve protocol. */
#define RESOLVE_FLAG_ROUTED     (1 << 1)        /* route in the local part */
#define RESOLVE_FLAG_ERROR      (1 << 2)        /* bad address syntax */
#define RESOLVE_FLAG_FAIL       (1 << 3)        /* table lookup failed */
#define RESOLVE_CLASS_LOCAL     (1 << 8)
#define RESOLVE_CLASS_ALIAS     (1 << 9)        /* virtual alias domain */
#define RESOLVE_CLASS_VIRTUAL   (1 << 10)       /* virtual mailbox domain */
#define RESOLVE_CLASS_RELAY     (1 << 11)
#define RESOLVE_CLASS_DEFAULT   (1 << 12)
#define RESOLVE_CLASS_MASK      (0x1f << 8)
/* the classes whose mail this host accepts as final or relay destination
 * (what smtpd's reject_unauth_destination allows) */
#define RESOLVE_CLASS_FINAL \
        (RESOLVE_CLASS_LOCAL | RESOLVE_CLASS_ALIAS | RESOLVE_CLASS_VIRTUAL \
         | RESOLVE_CLASS_RELAY)

/* The parameters; daemons pass var_* (the last three are not in
 * mail_params.def yet; Postfix 3.7 defaults in brackets). */
typedef struct RESOLVE_ADDR_SETTINGS {
    const char *myhostname;
    const char *mydestination;
    const char *inet_interfaces;        /* "all", "loopback-only" or a list */
    const char *proxy_interfaces;
    const char *virtual_alias_domains;
    const char *virtual_mailbox_domains;
    const char *relay_domains;
    const char *transport_maps;
    const char *relocated_maps;
    const char *myorigin;               /* for relocated_maps "user" keys */
    const char *relayhost;
    const char *local_transport;
    const char *virtual_transport;
    const char *relay_transport;
    const char *default_transport;
    const char *sender_dependent_relayhost_maps;
    const char *sender_dependent_default_transport_maps;
    const char *empty_address_recipient;
    const char *recipient_delimiter;
    int     resolve_dequoted_address;
    int     swap_bangpath;              /* [yes] */
    int     allow_percent_hack;         /* [yes] */
} RESOLVE_ADDR_SETTINGS;

typedef struct RESOLVE_ADDR RESOLVE_ADDR;

typedef struct RESOLVE_REPLY {
    int     flags;                      /* RESOLVE_FLAG_* | RESOLVE_CLASS_* */
    BUF    *transport;
    BUF    *nexthop;
    BUF    *recipient;
} RESOLVE_REPLY;

/* resolve_addr_create - compile the lists and open the tables. The
 * settings strings are copied. NULL with "parameter: what is wrong" in
 * *why for a bad list or an inet_interfaces/proxy_interfaces entry that
 * is no address (or, for "all", when the interfaces cannot be read). */
RESOLVE_ADDR *resolve_addr_create(const RESOLVE_ADDR_SETTINGS *settings,
                                  BUF *why);

void    resolve_addr_free(RESOLVE_ADDR *resolver);

/* resolve_addr_settings_init - settings from the main.cf parameters
 * (var_*), for trivial-rewrite and "postern address" */
void    resolve_addr_settings_init(RESOLVE_ADDR_SETTINGS *settings);

/* resolve_reply_init, resolve_reply_free - the reply's buffers */
void    resolve_reply_init(RESOLVE_REPLY *reply);
void    resolve_reply_free(RESOLVE_REPLY *reply);

/* resolve_addr - resolve addr (internal form) for sender (internal form,
 * "" for the null sender, NULL when unknown: no sender-dependent lookup)
 * into *reply. Returns reply->flags; with RESOLVE_FLAG_FAIL the other
 * fields are unspecified. */
/* resolve_addr_is_local - 1 when domain is this host's (mydestination,
 * or an [address] literal of inet_interfaces or proxy_interfaces), 0 when
 * not, -1 when a table failed */
int     resolve_addr_is_local(RESOLVE_ADDR *resolver, const char *domain);

int     resolve_addr(RESOLVE_ADDR *resolver, const char *sender,
                     const char *addr, RESOLVE_REPLY *reply);

#endif
