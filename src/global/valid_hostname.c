/* valid_hostname - host name and address syntax (see valid_hostname.h).
 *
 * Model: Postfix 3.7's valid_hostname.c, as its smtpd applies it
 * (reject_invalid_helo_hostname, reject_non_fqdn_*): "a_b.example" and
 * "x-1.example" are host names; "-a.example", "a..example",
 * "a.example.", "1.2.3.4" and "bad!name" are not. */
#include <arpa/inet.h>
#include <ctype.h>
#include <string.h>

#include "valid_hostname.h"

#define VALID_HOSTNAME_LEN      255
#define VALID_LABEL_LEN         63

/* valid_utf8_len - the length of the UTF-8 sequence at cp, 0 if bad */
static size_t
valid_utf8_len(const unsigned char *cp)
{
    size_t  len = *cp >= 0xf0 && *cp <= 0xf4 ? 4 : *cp >= 0xe0 ? 3
        : *cp >= 0xc2 && *cp <= 0xdf ? 2 : 0;

    for (size_t i = 1; i < len; i++)
        if ((cp[i] & 0xc0) != 0x80)
            return 0;
    return *cp > 0xf4 ? 0 : len;
}

/* valid_label_char - the length of a letter, digit or '_' at cp (UTF-8
 * sequences count when utf8), 0 for anything else */
static size_t
valid_label_char(const unsigned char *cp, bool utf8)
{
    if (isascii(*cp) && (isalnum(*cp) || *cp == '_'))
        return 1;
    return utf8 && *cp > 127 ? valid_utf8_len(cp) : 0;
}

/* valid_hostname - labels of letters, digits, '_', inner '-' */
bool
valid_hostname(const char *name, bool utf8)
{
    const unsigned char *cp = (const unsigned char *) name;
    size_t  label = 0, n;
    bool    non_numeric = false;

    if (*cp == 0 || strlen(name) > VALID_HOSTNAME_LEN)
        return false;
    for (; *cp != 0; cp += n) {
        n = 1;
        if (*cp == '.') {
            if (label == 0 || cp[1] == 0)
                return false;
            label = 0;
        } else if (*cp == '-') {
            non_numeric = true;
            if (label++ == 0 || cp[1] == 0 || cp[1] == '.')
                return false;
        } else if ((n = valid_label_char(cp, utf8)) != 0) {
            non_numeric |= !isdigit(*cp);
            if (++label > VALID_LABEL_LEN)
                return false;
        } else {
            return false;
        }
    }
    return non_numeric;
}

/* valid_ipv4_hostaddr - a.b.c.d */
bool
valid_ipv4_hostaddr(const char *addr)
{
    int     octets = 0, value = 0;
    bool    in_octet = false;

    for (const char *cp = addr; *cp != 0; cp++) {
        if (isdigit((unsigned char) *cp)) {
            if (!in_octet) {
                in_octet = true;
                value = 0;
                octets++;
            }
            if ((value = value * 10 + (*cp - '0')) > 255)
                return false;
        } else if (*cp == '.') {
            if (!in_octet || cp[1] == 0)
                return false;
            if (octets == 1 && value == 0 && addr[strspn(addr, "0.")] != 0)
                return false;
            in_octet = false;
        } else {
            return false;
        }
    }
    return octets == 4;
}

/* valid_ipv6_hostaddr - an IPv6 address in text form */
bool
valid_ipv6_hostaddr(const char *addr)
{
    unsigned char bin[16];

    return inet_pton(AF_INET6, addr, bin) == 1;
}

/* valid_hostaddr - IPv4 or IPv6 */
bool
valid_hostaddr(const char *addr)
{
    return strchr(addr, ':') ? valid_ipv6_hostaddr(addr)
        : valid_ipv4_hostaddr(addr);
}

/* valid_mailhost_addr - IPv4, or IPv6 after "IPv6:" */
bool
valid_mailhost_addr(const char *addr)
{
    if (strncasecmp(addr, "IPv6:", 5) == 0)
        return valid_ipv6_hostaddr(addr + 5);
    return valid_ipv4_hostaddr(addr);
}
