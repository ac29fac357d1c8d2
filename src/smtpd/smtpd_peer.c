/* smtpd_peer - who the client is: address, port, and host name.
 *
 * The name is what Postfix logs: the reverse (PTR) name of the address
 * when a forward lookup of that name gives the address back, otherwise
 * "unknown". The reverse name alone is kept for reverse_client_name.
 * The lookups use the system resolver (getnameinfo, getaddrinfo: the
 * hosts file, then DNS), as Postfix; with $dns_servers set they go to
 * those servers through dns_lookup (PTR, then A or AAAA) and log
 * Postfix's warnings when the forward lookup fails ("hostname X does not
 * resolve to address Y[: why]").
 * The rewrite context is "local" when the client address is one of this
 * host's interface addresses (local_header_rewrite_clients =
 * permit_inet_interfaces, Postfix's default), "remote" otherwise. A
 * client on stdin that is no socket (stand-alone mode, sendmail -bs) is
 * "localhost[127.0.0.1]", as Postfix shows it. */
#include <ifaddrs.h>
#include <netdb.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "dns_lookup.h"
#include "mail_params.h"
#include "msg.h"
#include "mymalloc.h"
#include "smtpd.h"

/* smtpd_peer_numeric - numeric address and port of sa, IPv4-mapped IPv6
 * shown as IPv4; 0 or -1 */
static int
smtpd_peer_numeric(struct sockaddr_storage *ss, socklen_t len,
                   char *host, size_t hlen, char *serv, size_t slen)
{
    if (getnameinfo((struct sockaddr *) ss, len, host, hlen, serv, slen,
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0)
        return -1;
    if (strncmp(host, "::ffff:", 7) == 0 && strchr(host + 7, ':') == NULL)
        memmove(host, host + 7, strlen(host + 7) + 1);
    return 0;
}

/* smtpd_peer_confirmed - whether name resolves back to addr */
static bool
smtpd_peer_confirmed(const char *name, const char *addr)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM};
    struct addrinfo *res, *ai;
    char    host[NI_MAXHOST], serv[NI_MAXSERV];
    bool    found = false;

    if (getaddrinfo(name, NULL, &hints, &res) != 0)
        return false;
    for (ai = res; ai != NULL && !found; ai = ai->ai_next) {
        struct sockaddr_storage ss;

        memcpy(&ss, ai->ai_addr, ai->ai_addrlen);
        found = smtpd_peer_numeric(&ss, ai->ai_addrlen, host, sizeof(host),
                                   serv, sizeof(serv)) == 0
            && strcmp(host, addr) == 0;
    }
    freeaddrinfo(res);
    return found;
}

/* smtpd_peer_forward - whether name's A or AAAA records (the family of
 * the client address) hold the address; warns as Postfix when not */
static bool
smtpd_peer_forward(const char *name, const char *addr, int family, BUF *why)
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

/* smtpd_peer_dns_names - the names through dns_lookup ($dns_servers) */
static void
smtpd_peer_dns_names(SMTPD_STATE *state)
{
    BUF    *query = buf_alloc(100);
    BUF    *why = buf_alloc(100);
    DNS_RR_LIST ptr = {NULL, 0};
    int     family = dns_reverse_name(state->addr, query);

    if (family > 0)
        buf_strcat(query, family == AF_INET ? "in-addr.arpa" : "ip6.arpa");
    if (family < 0 || dns_lookup(buf_str(query), DNS_TYPE_PTR, &ptr, why)
        != DNS_OK) {
        state->reverse_name = mystrdup("unknown");
        state->name = mystrdup("unknown");
    } else {
        state->reverse_name = mystrdup(ptr.rr[0].host);
        state->name = mystrdup(smtpd_peer_forward(ptr.rr[0].host,
                                                  state->addr, family, why) ?
                               ptr.rr[0].host : "unknown");
    }
    dns_rr_list_free(&ptr);
    buf_free(why);
    buf_free(query);
}

/* smtpd_peer_names - reverse and verified names of the client */
static void
smtpd_peer_names(SMTPD_STATE *state, struct sockaddr_storage *ss,
                 socklen_t len)
{
    char    host[NI_MAXHOST];

    if (*var_dns_servers != 0) {
        smtpd_peer_dns_names(state);
        return;
    }
    if (getnameinfo((struct sockaddr *) ss, len, host, sizeof(host),
                    NULL, 0, NI_NAMEREQD) != 0) {
        state->reverse_name = mystrdup("unknown");
        state->name = mystrdup("unknown");
        return;
    }
    state->reverse_name = mystrdup(host);
    state->name = mystrdup(smtpd_peer_confirmed(host, state->addr) ?
                           host : "unknown");
}

/* smtpd_peer_is_interface - whether addr belongs to this host */
static bool
smtpd_peer_is_interface(const char *addr)
{
    struct ifaddrs *list, *ifa;
    char    host[NI_MAXHOST], serv[NI_MAXSERV];
    bool    found = false;

    if (getifaddrs(&list) != 0)
        return false;
    for (ifa = list; ifa != NULL && !found; ifa = ifa->ifa_next) {
        struct sockaddr_storage ss;
        socklen_t len;

        if (ifa->ifa_addr == NULL || (ifa->ifa_addr->sa_family != AF_INET
                                      && ifa->ifa_addr->sa_family != AF_INET6))
            continue;
        len = ifa->ifa_addr->sa_family == AF_INET ?
            sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
        memcpy(&ss, ifa->ifa_addr, len);
        found = smtpd_peer_numeric(&ss, len, host, sizeof(host), serv,
                                   sizeof(serv)) == 0
            && strcmp(host, addr) == 0;
    }
    freeifaddrs(list);
    return found;
}

/* smtpd_peer_server - the local end of the connection */
static void
smtpd_peer_server(SMTPD_STATE *state, int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    char    host[NI_MAXHOST], serv[NI_MAXSERV];

    if (getsockname(fd, (struct sockaddr *) &ss, &len) == 0
        && smtpd_peer_numeric(&ss, len, host, sizeof(host), serv,
                              sizeof(serv)) == 0) {
        state->server_addr = mystrdup(host);
        state->server_port = mystrdup(serv);
    } else {
        state->server_addr = mystrdup("127.0.0.1");
        state->server_port = mystrdup("25");
    }
}

/* smtpd_peer_init - fill in the peer fields of state */
void
smtpd_peer_init(SMTPD_STATE *state)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    char    host[NI_MAXHOST], serv[NI_MAXSERV];
    int     fd = stream_fd(state->client);

    if (getpeername(fd, (struct sockaddr *) &ss, &len) == 0
        && (ss.ss_family == AF_INET || ss.ss_family == AF_INET6)
        && smtpd_peer_numeric(&ss, len, host, sizeof(host), serv,
                              sizeof(serv)) == 0) {
        state->addr = mystrdup(host);
        state->port = mystrdup(serv);
        smtpd_peer_names(state, &ss, len);
        state->local_rewrite = smtpd_peer_is_interface(host);
    } else {
        state->addr = mystrdup("127.0.0.1");
        state->port = mystrdup("unknown");
        state->name = mystrdup("localhost");
        state->reverse_name = mystrdup("localhost");
        state->local_rewrite = true;
    }
    smtpd_peer_server(state, fd);
    buf_sprintf(state->buf, "%s[%s]", state->name, state->addr);
    state->namaddr = mystrdup(buf_str(state->buf));
}
