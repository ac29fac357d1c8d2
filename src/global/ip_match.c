/* ip_match - IPv4 address patterns of the DNS list restrictions
 * ("reject_rbl_client bl.example=127.0.0.[2..5]"), as Postfix's
 * ip_match.c: four octets separated by '.', each a decimal number 0-255
 * or "[" a ';'-separated list of numbers and N..M ranges "]". Library
 * code: nothing here exits. */
#include <ctype.h>
#include <string.h>

#include "ip_match.h"

/* ip_match_number - a decimal byte value at *cp; -1 when there is none */
static int
ip_match_number(const char **cp)
{
    int     value = 0;
    int     digits = 0;

    while (isdigit((unsigned char) **cp) && digits < 4) {
        value = value * 10 + *(*cp)++ - '0';
        digits++;
    }
    return digits == 0 || digits > 3 || value > 255 ? -1 : value;
}

/* ip_match_octet - whether byte matches the octet pattern at *cp ("N"
 * or "[N;N..M;...]"); -1 for a syntax error */
static int
ip_match_octet(const char **cp, int byte)
{
    int     lo;
    int     hi;
    int     match = 0;

    if (**cp != '[')
        return (lo = ip_match_number(cp)) < 0 ? -1 : lo == byte;
    for (++*cp;; ++*cp) {
        if ((lo = hi = ip_match_number(cp)) < 0)
            return -1;
        if (strncmp(*cp, "..", 2) == 0) {
            *cp += 2;
            if ((hi = ip_match_number(cp)) < lo)
                return -1;
        }
        match |= byte >= lo && byte <= hi;
        if (**cp == ']') {
            ++*cp;
            return match;
        }
        if (**cp != ';')
            return -1;
    }
}

/* ip_match - whether addr matches pattern */
int
ip_match(const char *pattern, const struct in_addr *addr)
{
    const unsigned char *bytes = (const unsigned char *) &addr->s_addr;
    const char *cp = pattern;
    int     match = 1;
    int     one;

    for (int i = 0; i < 4; i++) {
        if (i > 0 && *cp++ != '.')
            return -1;
        if ((one = ip_match_octet(&cp, bytes[i])) < 0)
            return -1;
        match &= one;
    }
    return *cp == 0 ? match : -1;
}

