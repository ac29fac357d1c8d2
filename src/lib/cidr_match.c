/* cidr_match - parse network patterns and test addresses against them.
 *
 * A pattern is kept as the network and its mask in binary, with the host
 * bits cleared, and the number of bytes the prefix covers, so a test
 * compares only those bytes and allocates nothing. Parsing works on a
 * copy of the pattern. Users: match_list (address lists) and dict_cidr
 * (cidr: tables). */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "mymalloc.h"
#include "cidr_match.h"

/* cidr_match_addr - text address to binary; its length, or 0 */
int
cidr_match_addr(const char *text, unsigned char *addr)
{
    if (inet_pton(AF_INET, text, addr) == 1)
        return 4;
    if (inet_pton(AF_INET6, text, addr) == 1)
        return 16;
    return 0;
}

/* cidr_match_prefix - the prefix length: digits only; -1 otherwise */
static int
cidr_match_prefix(const char *text)
{
    int     n = 0;

    if (*text == 0)
        return -1;
    for (; *text; text++) {
        if (!isdigit((unsigned char) *text))
            return -1;
        if (n <= 8 * CIDR_MATCH_ADDR_MAX)
            n = 10 * n + (*text - '0');
    }
    return n;
}

/* cidr_match_mask - set the mask for prefix bits and clear the host bits
 * of the network; returns whether any host bit was set */
static int
cidr_match_mask(CIDR_MATCH *cm, int prefix)
{
    int     host_bits = 0;
    int     i;

    cm->nbytes = 0;
    for (i = 0; i < cm->len; i++, prefix -= 8) {
        cm->mask[i] = prefix >= 8 ? 0xff
            : prefix <= 0 ? 0 : (unsigned char) (0xff << (8 - prefix));
        if (cm->net[i] & ~cm->mask[i])
            host_bits = 1;
        cm->net[i] &= cm->mask[i];
        if (cm->mask[i])
            cm->nbytes = (unsigned char) (i + 1);
    }
    return host_bits;
}

/* cidr_match_network - "net/mask" into *cm; -1 with *why */
static int
cidr_match_network(CIDR_MATCH *cm, const char *net, const char *mask,
                   BUF *why)
{
    char    text[INET6_ADDRSTRLEN];
    int     prefix;

    if ((prefix = cidr_match_prefix(mask)) < 0) {
        buf_sprintf(why, "bad mask value in \"%s/%s\"", net, mask);
        return -1;
    }
    if ((cm->len = (unsigned char) cidr_match_addr(net, cm->net)) == 0) {
        buf_sprintf(why, "bad network value in \"%s/%s\"", net, mask);
        return -1;
    }
    if (prefix > 8 * cm->len) {
        buf_sprintf(why, "bad mask length in \"%s/%s\"", net, mask);
        return -1;
    }
    if (cidr_match_mask(cm, prefix)) {
        inet_ntop(cm->len == 4 ? AF_INET : AF_INET6, cm->net, text,
                  sizeof(text));
        buf_sprintf(why, "non-null host address bits in \"%s/%s\","
                    " perhaps you should use \"%s/%d\" instead",
                    net, mask, text, prefix);
        return -1;
    }
    return 0;
}

/* cidr_match_host - a single address into *cm; -1 with *why */
static int
cidr_match_host(CIDR_MATCH *cm, const char *addr, BUF *why)
{
    if ((cm->len = (unsigned char) cidr_match_addr(addr, cm->net)) == 0) {
        buf_sprintf(why, "bad address pattern: \"%s\"", addr);
        return -1;
    }
    cidr_match_mask(cm, 8 * cm->len);
    return 0;
}

/* cidr_match_split - find the address and the prefix text in the copy of
 * a pattern (brackets removed, '/' replaced); -1 with *why */
static int
cidr_match_split(char *copy, char **net, char **mask, BUF *why)
{
    char   *end;

    *net = copy;
    *mask = NULL;
    if (*copy == '[') {
        if ((end = strchr(copy, ']')) == NULL) {
            buf_sprintf(why, "missing ']' character after \"%s\"", copy);
            return -1;
        }
        if (end[1] != 0 && end[1] != '/') {
            buf_sprintf(why, "garbage after \"%.*s\"",
                        (int) (end - copy + 1), copy);
            return -1;
        }
        *end = 0;
        *net = copy + 1;
        *mask = end[1] == '/' ? end + 2 : NULL;
    }
    if (*mask == NULL && (end = strchr(*net, '/')) != NULL) {
        *end = 0;
        *mask = end + 1;
    }
    return 0;
}

/* cidr_match_parse - parse any pattern form */
int
cidr_match_parse(CIDR_MATCH *cm, const char *pattern, BUF *why)
{
    char   *copy = mystrdup(pattern);
    char   *net;
    char   *mask;
    int     status;

    memset(cm, 0, sizeof(*cm));
    if ((status = cidr_match_split(copy, &net, &mask, why)) == 0)
        status = mask ? cidr_match_network(cm, net, mask, why)
            : cidr_match_host(cm, net, why);
    free(copy);
    return status;
}

/* cidr_match_execute - compare the bytes the prefix covers */
int
cidr_match_execute(const CIDR_MATCH *cm, const unsigned char *addr, int len)
{
    int     i;

    if (len != cm->len)
        return -1;
    for (i = 0; i < cm->nbytes; i++)
        if ((addr[i] & cm->mask[i]) != cm->net[i])
            return 0;
    return 1;
}
