/* client_peer - who a network client is: address, port, host name.
 *
 * Lookups go through the system resolver (getnameinfo/getaddrinfo), as
 * the names only serve logging and access lists. */
#include <netdb.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "buf.h"
#include "client_peer.h"
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

/* client_peer_confirmed - whether name resolves back to addr */
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

/* client_peer_names - reverse and verified names */
static void
client_peer_names(CLIENT_PEER *peer, const struct sockaddr_storage *ss,
                  socklen_t len)
{
    char    host[NI_MAXHOST];

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

/* client_peer_server - the local end of the connection */
static void
client_peer_server(CLIENT_PEER *peer, int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    char    host[NI_MAXHOST], serv[NI_MAXSERV];

    if (peer->is_inet && getsockname(fd, (struct sockaddr *) &ss, &len) == 0
        && client_peer_numeric(&ss, len, host, sizeof(host), serv,
                               sizeof(serv)) == 0) {
        peer->server_addr = mystrdup(host);
        peer->server_port = mystrdup(serv);
    } else {
        peer->server_addr = mystrdup("127.0.0.1");
        peer->server_port = mystrdup("unknown");
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
    } else {
        peer->addr = mystrdup("127.0.0.1");
        peer->port = mystrdup("unknown");
        peer->name = mystrdup("localhost");
        peer->reverse_name = mystrdup("localhost");
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
