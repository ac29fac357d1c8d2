/* client_peer - who a network client is: address, port, host name.
 *
 * The name is what Postfix logs: the reverse (PTR) name of the address
 * when a forward lookup of that name gives the address back, otherwise
 * "unknown"; the reverse name alone is kept as reverse_name. IPv4-mapped
 * IPv6 addresses are shown as IPv4. is_local says whether the address
 * is one of this host's interface addresses (for Postfix's
 * local_header_rewrite_clients default, permit_inet_interfaces). A
 * descriptor that is no network socket (stand-alone use on a pipe,
 * sendmail -bs) is "localhost[127.0.0.1]" and local, as Postfix shows
 * it. Used by the servers that take mail from the network (smtpd,
 * qmqpd). Library code: nothing here exits. */
#ifndef CLIENT_PEER_H
#define CLIENT_PEER_H

#include <stdbool.h>

typedef struct CLIENT_PEER {
    char   *addr;                       /* "192.0.2.1", "2001:db8::1" */
    char   *port;                       /* "34567" or "unknown" */
    char   *name;                       /* verified name or "unknown" */
    char   *reverse_name;               /* PTR name or "unknown" */
    char   *namaddr;                    /* "name[addr]" */
    char   *server_addr;                /* the local end */
    char   *server_port;
    bool    is_inet;                    /* an IPv4/IPv6 socket */
    bool    is_local;                   /* this host's address */
} CLIENT_PEER;

/* client_peer_init - fill peer for the client on fd */
void    client_peer_init(CLIENT_PEER *peer, int fd);

/* client_peer_free - release what client_peer_init filled in */
void    client_peer_free(CLIENT_PEER *peer);

#endif
