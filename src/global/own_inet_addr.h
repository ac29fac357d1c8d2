/* own_inet_addr - this host's addresses, for mail loop detection.
 *
 * The addresses this mail system receives mail on: those of
 * $inet_interfaces ("all": every address of every interface, from
 * getifaddrs; "loopback-only": 127.0.0.1 and ::1; else addresses, as
 * "[addr]" too, and host names) and those of $proxy_interfaces (a proxy
 * or NAT in front of this host). The lists are built at the first call
 * and kept for the life of the process, as Postfix's own_inet_addr.
 * Library code: nothing here exits. */
#ifndef OWN_INET_ADDR_H
#define OWN_INET_ADDR_H

#include "buf.h"

/* own_inet_addr_match - whether the address (family AF_INET with a
 * struct in_addr, or AF_INET6 with a struct in6_addr) is one of this
 * host's or its proxies': 1 yes, 0 no, -1 when the lists cannot be
 * built (the reason in why: "inet_interfaces: host not found: X") */
int     own_inet_addr_match(int family, const void *addr, BUF *why);

/* own_inet_addr_reset - forget the lists (tests, new configuration) */
void    own_inet_addr_reset(void);

#endif
