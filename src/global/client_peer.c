/* client_peer - who a network client is: address, port, host name.
 *
 * The lookups use the system resolver (getnameinfo, getaddrinfo: the
 * hosts file, then DNS), as Postfix; with $dns_servers set they go to
 * those servers through dns_lookup (PTR, then A or AAAA) and log
 * Postfix's warnings when the forward lookup fails ("hostname X does not
 * resolve to address Y[: why]"). */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "buf.h"
#include "client_peer.h"
#include "dns_lookup.h"
#include "mail_params.h"
#include "msg.h"
#include "mymalloc.h"

/* client_peer_numeric - numeric address and port of ss; 0 or -1 */
static int
client_peer_numeric(const struct sockaddr_storage *ss, socklen_t len,
                    char *host, size_t hlen, char *serv, size_t slen)
{
    if (getnameinfo((const struct sockaddr *) ss, len, host, hlen, serv,
                    slen, NI_NUMERICHOST | NI_NUMERICSERV) != 0)
        return -1;
    if (strncmp(host, "::ffff:", 7) == 0 && strchr(host + 7, ':') == NULL)
        memmove(host, host + 7, strlen(host + 7) + 1);
    return 0;
}

/* client_peer_confirmed - whether name resolves back to addr (system
 * resolver) */
static bool
client_peer_confirmed(const char *name, const char *addr)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM};
    struct addrinfo *res;
    char    host[NI_MAXHOST], serv[NI_MAXSERV];
    bool    found = false;

    if (getaddrinfo(name, NULL, &hints, &res) != 0)
        return false;
    for (struct addrinfo *ai = res; ai != NULL && !found; ai = ai->ai_next) {
        struct sockaddr_storage ss;

        memcpy(&ss, ai->ai_addr, ai->ai_addrlen);
        found = client_peer_numeric(&ss, ai->ai_addrlen, host, sizeof(host),
                                    serv, sizeof(serv)) == 0
            && strcmp(host, addr) == 0;
    }
    freeaddrinfo(res);
    return found;
}

/* client_peer_forward - whether name's A or AAAA records (the family of
 * the client address) hold the address ($dns_servers); warns as Postfix
 * when not */
static bool
client_peer_forward(const char *name, const char *addr, int family, BUF *why)
{
    DNS_RR_LIST list;
    char    text[INET6_ADDRSTRLEN];
    bool    found = false;
    int     result = dns_lookup(name, family == AF_INET ? DNS_TYPE_A
                                : DNS_TYPE_AAAA, &list, why);

    for (size_t i = 0; i < list.count && !found; i++)
        found = inet_ntop(family, &list.rr[i].addr, text, sizeof(text))
            && strcmp(text, addr) == 0;
    dns_rr_list_free(&list);
    if (result != DNS_OK)
        msg_warn("hostname %s does not resolve to address %s: %s", name,
                 addr, dns_gai_text(result, why));
    else if (!found)
        msg_warn("hostname %s does not resolve to address %s", name, addr);
    return found;
}

/* client_peer_dns_names - the names through dns_lookup ($dns_servers) */
static void
client_peer_dns_names(CLIENT_PEER *peer)
{
    BUF    *query = buf_alloc(100);
    BUF    *why = buf_alloc(100);
    DNS_RR_LIST ptr = {NULL, 0};
    int     family = dns_reverse_name(peer->addr, query);

    if (family > 0)
        buf_strcat(query, family == AF_INET ? "in-addr.arpa" : "ip6.arpa");
    if (family < 0 || dns_lookup(buf_str(query), DNS_TYPE_PTR, &ptr, why)
        != DNS_OK) {
        peer->reverse_name = mystrdup("unknown");
        peer->name = mystrdup("unknown");
    } else {
        peer->reverse_name = mystrdup(ptr.rr[0].host);
        peer->name = mystrdup(client_peer_forward(ptr.rr[0].host, peer->addr,
                                                  family, why) ?
                              ptr.rr[0].host : "unknown");
    }
    dns_rr_list_free(&ptr);
    buf_free(why);
    buf_free(query);
}

/* client_peer_names - reverse and verified names */
static void
client_peer_names(CLIENT_PEER *peer, const struct sockaddr_storage *ss,
                  socklen_t len)
{
    char    host[NI_MAXHOST];

    if (*var_dns_servers != 0) {
        client_peer_dns_names(peer);
        return;
    }
    if (getnameinfo((const struct sockaddr *) ss, len, host, sizeof(host),
                    NULL, 0, NI_NAMEREQD) != 0) {
        peer->reverse_name = mystrdup("unknown");
        peer->name = mystrdup("unknown");
        return;
    }
    peer->reverse_name = mystrdup(host);
    peer->name = mystrdup(client_peer_confirmed(host, peer->addr) ?
                          host : "unknown");
}

/* client_peer_is_interface - whether addr belongs to this host */
static bool
client_peer_is_interface(const char *addr)
{
    struct ifaddrs *list;
    char    host[NI_MAXHOST], serv[NI_MAXSERV];
    bool    found = false;

    if (getifaddrs(&list) != 0)
        return false;
    for (struct ifaddrs *ifa = list; ifa != NULL && !found;
         ifa = ifa->ifa_next) {
        struct sockaddr_storage ss;
        socklen_t len;

        if (ifa->ifa_addr == NULL || (ifa->ifa_addr->sa_family != AF_INET
                                      && ifa->ifa_addr->sa_family != AF_INET6))
            continue;
        len = ifa->ifa_addr->sa_family == AF_INET ?
            sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
        memcpy(&ss, ifa->ifa_addr, len);
        found = client_peer_numeric(&ss, len, host, sizeof(host), serv,
                                    sizeof(serv)) == 0
            && strcmp(host, addr) == 0;
    }
    freeifaddrs(list);
    return found;
}

/* client_peer_server - the local end of the connection */
static void
client_peer_server(CLIENT_PEER *peer, int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    char    host[NI_MAXHOST], serv[NI_MAXSERV];

    if (getsockname(fd, (struct sockaddr *) &ss, &len) == 0
        && client_peer_numeric(&ss, len, host, sizeof(host), serv,
                               sizeof(serv)) == 0) {
        peer->server_addr = mystrdup(host);
        peer->server_port = mystrdup(serv);
    } else {
        peer->server_addr = mystrdup("127.0.0.1");
        peer->server_port = mystrdup("25");
    }
}

/* client_peer_init - fill peer for the client on fd */
void
client_peer_init(CLIENT_PEER *peer, int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    char    host[NI_MAXHOST], serv[NI_MAXSERV];
    BUF    *namaddr = buf_alloc(100);

    memset(peer, 0, sizeof(*peer));
    if (getpeername(fd, (struct sockaddr *) &ss, &len) == 0
        && (ss.ss_family == AF_INET || ss.ss_family == AF_INET6)
        && client_peer_numeric(&ss, len, host, sizeof(host), serv,
                               sizeof(serv)) == 0) {
        peer->is_inet = true;
        peer->addr = mystrdup(host);
        peer->port = mystrdup(serv);
        client_peer_names(peer, &ss, len);
        peer->is_local = client_peer_is_interface(host);
    } else {
        peer->addr = mystrdup("127.0.0.1");
        peer->port = mystrdup("unknown");
        peer->name = mystrdup("localhost");
        peer->reverse_name = mystrdup("localhost");
        peer->is_local = true;
    }
    client_peer_server(peer, fd);
    buf_sprintf(namaddr, "%s[%s]", peer->name, peer->addr);
    peer->namaddr = mystrdup(buf_str(namaddr));
    buf_free(namaddr);
}

/* client_peer_free - release what client_peer_init filled in */
void
client_peer_free(CLIENT_PEER *peer)
{
    char  **fields[] = {&peer->addr, &peer->port, &peer->name,
        &peer->reverse_name, &peer->namaddr, &peer->server_addr,
    &peer->server_port};

    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        myfree(*fields[i]);
        *fields[i] = NULL;
    }
}
