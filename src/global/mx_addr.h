/* mx_addr - the addresses to try for a next-hop host or domain.
 *
 * The SMTP/LMTP client asks for the address list of a next hop: with an
 * MX lookup for a plain domain, without one for "[host]". DNS goes
 * through c-ares (dns_lookup.h) against /etc/resolv.conf or, when set,
 * the servers in $dns_servers (a Postern extension for tests and split
 * set-ups). The list is best first: MX preference order with equal
 * preferences shuffled, each MX host's addresses in the order of
 * inet_protocols and smtp_address_preference; without MX records the
 * domain's own A/AAAA records; cut at smtp_mx_address_limit.
 *
 * Errors come back in a DSN_BUF with Postfix's status codes and words:
 * temporary DNS failures are 4.4.3 (defer, never bounce), a name that
 * does not exist or has no address 5.4.4 ("Host or domain name not
 * found. Name service error for name=X type=A: Host not found"), a null
 * MX (RFC 7505) 5.1.0 ("Domain X does not accept mail (nullMX)"). With
 * MX_ADDR_FLAG_LOOP (Postfix checks only when delivering to port 25) the
 * list is cut where this host appears (own_inet_addr.h), and a list whose
 * best entry is this host is 5.4.6 ("mail for X loops back to myself").
 * docs/dns.md has every case. Library code: nothing here exits. */
#ifndef MX_ADDR_H
#define MX_ADDR_H

#include <stddef.h>
#include <netinet/in.h>

#include "dsn_buf.h"

typedef struct MX_ADDR {
    char   *name;                       /* MX host, or the name itself */
    unsigned pref;                      /* MX preference; 0 without MX */
    int     family;                     /* AF_INET or AF_INET6 */
    union {
        struct in_addr v4;
        struct in6_addr v6;
    }       addr;
} MX_ADDR;

typedef struct MX_ADDR_LIST {
    MX_ADDR *addr;                      /* best first */
    size_t  count;
} MX_ADDR_LIST;

#define MX_ADDR_FLAG_MX     (1<<0)      /* look up MX records first */
#define MX_ADDR_FLAG_LOOP   (1<<1)      /* detect loops (SMTP to port 25) */

/* mx_addr_lookup - fill list for name (a domain, or a host name when
 * MX_ADDR_FLAG_MX is not set); 0 on success, -1 with why filled */
int     mx_addr_lookup(const char *name, int flags, MX_ADDR_LIST *list,
                       DSN_BUF *why);

/* mx_addr_list_free - release what mx_addr_lookup filled in */
void    mx_addr_list_free(MX_ADDR_LIST *list);

/* mx_addr_text - "192.0.2.1" or "2001:db8::1" into buf (size >= 46) */
const char *mx_addr_text(const MX_ADDR *addr, char *buf, size_t size);

#endif
