/* own_inet_addr - this host's addresses, for mail loop detection.
 *
 * One flat table of binary addresses (4 or 16 bytes each) holds the
 * addresses of $inet_interfaces and $proxy_interfaces; a match is a
 * linear search (a host has few addresses). */
#include <ifaddrs.h>
#include <netdb.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "argv.h"
#include "cidr_match.h"
#include "mail_params.h"
#include "mymalloc.h"
#include "own_inet_addr.h"

typedef struct OWN_ADDR {
    int     len;                        /* 4 or 16 */
    unsigned char bytes[CIDR_MATCH_ADDR_MAX];
} OWN_ADDR;

static OWN_ADDR *own_addrs;
static size_t own_count;
static int own_ready;

/* own_add - remember len bytes of address, once */
static void
own_add(const void *bytes, int len)
{
    for (size_t i = 0; i < own_count; i++)
        if (own_addrs[i].len == len && memcmp(own_addrs[i].bytes, bytes,
                                              (size_t) len) == 0)
            return;
    own_addrs = myreallocarray(own_addrs, own_count + 1, sizeof(OWN_ADDR));
    own_addrs[own_count].len = len;
    memcpy(own_addrs[own_count].bytes, bytes, (size_t) len);
    own_count++;
}

/* own_add_sockaddr - remember the address of a socket address */
static void
own_add_sockaddr(const struct sockaddr *sa)
{
    if (sa == NULL)
        return;
    if (sa->sa_family == AF_INET)
        own_add(&((const struct sockaddr_in *) sa)->sin_addr, 4);
    else if (sa->sa_family == AF_INET6)
        own_add(&((const struct sockaddr_in6 *) sa)->sin6_addr, 16);
}

/* own_add_all - every address of every interface */
static int
own_add_all(const char *param, BUF *why)
{
    struct ifaddrs *head;

    if (getifaddrs(&head) < 0) {
        buf_sprintf(why, "%s: cannot list the network interfaces: %m",
                    param);
        return -1;
    }
    for (struct ifaddrs *ifa = head; ifa != NULL; ifa = ifa->ifa_next)
        own_add_sockaddr(ifa->ifa_addr);
    freeifaddrs(head);
    return 0;
}

/* own_add_name - an address, "[address]" or a host name */
static int
own_add_name(const char *param, const char *name, BUF *why)
{
    unsigned char bytes[CIDR_MATCH_ADDR_MAX];
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM};
    struct addrinfo *res;
    size_t  len = strlen(name);
    char   *bare = (name[0] == '[' && len > 2 && name[len - 1] == ']') ?
        mystrndup(name + 1, len - 2) : mystrdup(name);
    int     alen;
    int     ret = 0;

    if ((alen = cidr_match_addr(bare, bytes)) != 0) {
        own_add(bytes, alen);
    } else if (getaddrinfo(bare, NULL, &hints, &res) == 0) {
        for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next)
            own_add_sockaddr(ai->ai_addr);
        freeaddrinfo(res);
    } else {
        buf_sprintf(why, "%s: host not found: %s", param, name);
        ret = -1;
    }
    myfree(bare);
    return ret;
}

/* own_add_list - the addresses of an inet_interfaces-style value */
static int
own_add_list(const char *param, const char *value, BUF *why)
{
    static const unsigned char loop4[4] = {127, 0, 0, 1};
    ARGV   *names = argv_split(value ? value : "", LIST_DELIM);
    int     ret = 0;

    for (int i = 0; i < names->argc && ret == 0; i++) {
        if (strcasecmp(names->argv[i], "all") == 0) {
            ret = own_add_all(param, why);
        } else if (strcasecmp(names->argv[i], "loopback-only") == 0) {
            own_add(loop4, 4);
            own_add(&in6addr_loopback, 16);
        } else {
            ret = own_add_name(param, names->argv[i], why);
        }
    }
    argv_free(names);
    return ret;
}

/* own_inet_addr_reset - forget the lists */
void
own_inet_addr_reset(void)
{
    myfree(own_addrs);
    own_addrs = NULL;
    own_count = 0;
    own_ready = 0;
}

/* own_inet_addr_match - whether the address is this host's */
int
own_inet_addr_match(int family, const void *addr, BUF *why)
{
    int     len = family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;

    if (!own_ready) {
        if (own_add_list("inet_interfaces", var_inet_interfaces, why) < 0
            || own_add_list("proxy_interfaces", var_proxy_interfaces,
                            why) < 0) {
            own_inet_addr_reset();
            return -1;
        }
        own_ready = 1;
    }
    for (size_t i = 0; i < own_count; i++)
        if (own_addrs[i].len == len
            && memcmp(own_addrs[i].bytes, addr, (size_t) len) == 0)
            return 1;
    return 0;
}
