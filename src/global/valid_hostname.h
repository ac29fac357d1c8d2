/* valid_hostname - the syntax of host names and address literals, as
 * Postfix's valid_hostname(3) checks them (smtpd's HELO and address
 * restrictions).
 *
 * A host name is at most 255 bytes of labels separated by single dots;
 * a label is 1-63 letters, digits, '_' and '-', and neither starts nor
 * ends with '-'. A name of digits and dots only is an address, not a
 * host name. With utf8, bytes above 127 of valid UTF-8 count as letters
 * (what Postfix allows for SMTPUTF8 clients). An IPv4 address is four
 * decimal octets of at most 255 ("0.0.0.0" is allowed, other addresses
 * must not start with 0); an IPv6 address is what inet_pton accepts. A
 * mail host address is IPv4, or "IPv6:" and an IPv6 address. */
#ifndef VALID_HOSTNAME_H
#define VALID_HOSTNAME_H

#include <stdbool.h>

bool    valid_hostname(const char *name, bool utf8);
bool    valid_ipv4_hostaddr(const char *addr);
bool    valid_ipv6_hostaddr(const char *addr);
bool    valid_hostaddr(const char *addr);       /* IPv4 or IPv6 */
bool    valid_mailhost_addr(const char *addr);  /* IPv4 or IPv6:addr */

#endif
