/* smtpd_peer - who the client is: address, port, host name, and the
 * rewrite context.
 *
 * The lookups are client_peer.h's (Postfix's verified name, "unknown"
 * otherwise; $dns_servers honoured). The rewrite context is "local" when
 * the client address is one of this host's interface addresses
 * (local_header_rewrite_clients = permit_inet_interfaces, Postfix's
 * default), "remote" otherwise. A client on stdin that is no socket
 * (stand-alone mode, sendmail -bs) is "localhost[127.0.0.1]", as Postfix
 * shows it. */
#include "client_peer.h"
#include "smtpd.h"

/* smtpd_peer_init - fill in the peer fields of state (state owns the
 * strings) */
void
smtpd_peer_init(SMTPD_STATE *state)
{
    CLIENT_PEER peer;

    client_peer_init(&peer, stream_fd(state->client));
    state->addr = peer.addr;
    state->port = peer.port;
    state->name = peer.name;
    state->reverse_name = peer.reverse_name;
    state->namaddr = peer.namaddr;
    state->server_addr = peer.server_addr;
    state->server_port = peer.server_port;
    state->local_rewrite = peer.is_local;
}
