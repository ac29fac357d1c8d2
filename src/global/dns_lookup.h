/* dns_lookup - DNS queries through c-ares, blocking, with Postfix's
 * result classes and error texts.
 *
 * One query for one name and record type (MX, A, AAAA, TXT, NS or PTR),
 * sent to the
 * servers of /etc/resolv.conf or, when $dns_servers is set (a Postern
 * extension: "127.0.0.1:5353, [::1]:53"), to those. The caller waits
 * while c-ares works (ares_process_fd over poll), bounded by the
 * resolver's timeout and attempts. A reply that holds only a CNAME for
 * the name is followed as the system resolver does, up to 10 links.
 *
 * Nothing from the network is trusted: names are checked with
 * valid_hostname.h, replies are parsed by c-ares's parsers, at most
 * DNS_RR_LIMIT records are kept. Error texts are Postfix's ("Host or
 * domain name not found. Name service error for name=X type=MX: Host not
 * found, try again"). Library code: nothing here exits. */
#ifndef DNS_LOOKUP_H
#define DNS_LOOKUP_H

#include <stddef.h>
#include <netinet/in.h>

#include "buf.h"

/* Record types (the DNS numbers). */
#define DNS_TYPE_A      1
#define DNS_TYPE_NS     2
#define DNS_TYPE_CNAME  5
#define DNS_TYPE_PTR    12
#define DNS_TYPE_MX     15
#define DNS_TYPE_TXT    16
#define DNS_TYPE_AAAA   28

/* Results, best first: when several lookups are combined, the one with
 * the greater value wins (as Postfix's dns_lookup_v). */
#define DNS_OK          0               /* records found */
#define DNS_NOTFOUND    (-1)            /* NXDOMAIN, or no such record */
#define DNS_FAIL        (-2)            /* permanent server error */
#define DNS_INVAL       (-3)            /* malformed name or reply */
#define DNS_RETRY       (-4)            /* SERVFAIL, REFUSED, timeout, net */
#define DNS_NULLMX      (-5)            /* MX "0 ." (RFC 7505) */

#define DNS_RR_LIMIT    100             /* records kept per lookup */

typedef struct DNS_RR {
    int     type;                       /* DNS_TYPE_xxx */
    unsigned pref;                      /* MX preference, else 0 */
    char   *host;                       /* MX exchange, NS or PTR name */
    char   *text;                       /* TXT: its first string */
    union {
        struct in_addr v4;              /* DNS_TYPE_A */
        struct in6_addr v6;             /* DNS_TYPE_AAAA */
    }       addr;
} DNS_RR;

typedef struct DNS_RR_LIST {
    DNS_RR *rr;                         /* in the order of the reply */
    size_t  count;
} DNS_RR_LIST;

/* dns_lookup - look up records of type for name into list (which must
 * be empty or freed); DNS_OK, or another result with Postfix's text in
 * why. A null MX gives DNS_NULLMX and "Domain X does not accept mail
 * (nullMX)". */
int     dns_lookup(const char *name, int type, DNS_RR_LIST *list, BUF *why);

/* Results that end dns_lookup_types early. */
#define DNS_STOP_OK     (1 << 0)
#define DNS_STOP_INVAL  (1 << 1)
#define DNS_STOP_NULLMX (1 << 2)

/* dns_lookup_types - look up each type of the 0-terminated list in turn
 * (until a result in stop: DNS_STOP_*), the records of all appended to
 * list (which must be empty or freed). The result is the best by
 * Postfix's precedence (dns.h: found, then temporary error, malformed
 * reply, permanent error, null MX, not found; the later of equals), its
 * text in why. */
int     dns_lookup_types(const char *name, const int *types, int stop,
                         DNS_RR_LIST *list, BUF *why);

/* dns_lookup_addrs - the A and/or AAAA records of name, as
 * $inet_protocols asks, with dns_lookup_types */
int     dns_lookup_addrs(const char *name, DNS_RR_LIST *list, BUF *why);

/* dns_gai_text - what getaddrinfo (gai_strerror) says where this
 * address lookup result (text in why) was reached through DNS: "Name or
 * service not known", "No address associated with hostname", "Temporary
 * failure in name resolution", "Non-recoverable failure in name
 * resolution". For messages that Postfix words with the system resolver's
 * error. */
const char *dns_gai_text(int result, const BUF *why);

/* dns_rr_list_free - release the records of list, leave it empty */
void    dns_rr_list_free(DNS_RR_LIST *list);

/* dns_reverse_name - the labels for addr in a reverse (PTR) or DNS list
 * query, ending in a dot: "4.3.2.1." for 1.2.3.4, 32 nibbles for IPv6
 * ("b.a.9.8. ... .8.b.d.0.1.0.0.2."); AF_INET or AF_INET6, or -1 when
 * addr is not a numeric address */
int     dns_reverse_name(const char *addr, BUF *name);

/* dns_type_name - "MX", "A", "AAAA", "TXT", "NS", "PTR", "CNAME" */
const char *dns_type_name(int type);

#endif
