/* ip_match - IPv4 address patterns of the DNS list restrictions
 * ("127.0.0.2", "127.0.0.[2..5]", "127.0.[0;1].[2;4..6]"), as Postfix's
 * ip_match.c. Library code: nothing here exits. */
#ifndef IP_MATCH_H
#define IP_MATCH_H

#include <netinet/in.h>

/* ip_match - whether addr matches pattern: 1 yes, 0 no, -1 when the
 * pattern is malformed */
int     ip_match(const char *pattern, const struct in_addr *addr);

#endif
