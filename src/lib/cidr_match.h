/* cidr_match - IPv4 and IPv6 network patterns, parsed once and matched
 * against binary addresses: the address part of Postfix's match lists
 * (mynetworks = 192.0.2.0/24 [2001:db8::]/32) and of cidr: tables.
 *
 * Pattern forms: "addr", "addr/len", "[addr]", "[addr]/len" and
 * "[addr/len]" (IPv6 is usually written in brackets because a bare IPv6
 * address looks like "type:table" in a list). A network must have no bits
 * set after its prefix. A network of one family never matches an address
 * of the other, not even an IPv4-mapped IPv6 address: callers that see
 * such addresses convert them first, as Postfix's smtpd does.
 *
 * Error texts read like Postfix's ("bad mask length in \"...\"", "non-null
 * host address bits in \"...\", perhaps you should use \"...\" instead").
 * Pure functions: no logging, no allocation that outlives a call. */
#ifndef CIDR_MATCH_H
#define CIDR_MATCH_H
#include "buf.h"

#define CIDR_MATCH_ADDR_MAX  16         /* bytes of an IPv6 address */

typedef struct CIDR_MATCH {
    unsigned char len;                  /* address bytes: 4 or 16 */
    unsigned char nbytes;               /* bytes the prefix touches */
    unsigned char net[CIDR_MATCH_ADDR_MAX];     /* host bits clear */
    unsigned char mask[CIDR_MATCH_ADDR_MAX];
} CIDR_MATCH;

/* cidr_match_addr - a bare address (no brackets) in binary: returns 4 or
 * 16, the bytes written to addr (CIDR_MATCH_ADDR_MAX bytes long), or 0
 * when text is no address */
int     cidr_match_addr(const char *text, unsigned char *addr);

/* cidr_match_parse - parse a pattern into *cm; 0, or -1 with the reason
 * in *why */
int     cidr_match_parse(CIDR_MATCH *cm, const char *pattern, BUF *why);

/* cidr_match_execute - is the address (len bytes from cidr_match_addr) in
 * the network: 1 yes, 0 no, -1 when it is of the other family */
int     cidr_match_execute(const CIDR_MATCH *cm, const unsigned char *addr,
                           int len);

#endif
