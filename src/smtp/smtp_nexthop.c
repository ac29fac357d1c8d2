/* smtp_nexthop - the next-hop syntax of smtp(8) and lmtp(8).
 *
 * What trivial-rewrite hands over (relayhost, transport_maps, the
 * recipient domain) or smtp_fallback_relay lists:
 *   host            MX lookup (SMTP), port 25 (LMTP: 24, no MX)
 *   host:port       the same on another port; the port may be a
 *                   service name from /etc/services
 *   [host]:port     no MX lookup; host may be an IPv4 literal, an IPv6
 *                   literal, with or without Postfix's "ipv6:" prefix
 *   inet:host:port  LMTP only: the same as host:port
 *   unix:/path      LMTP only: a UNIX-domain socket
 * Pure code: unit tested by tests/unit/test_smtp_nexthop.c. */
#include <ctype.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mymalloc.h"
#include "smtp.h"

/* smtp_nexthop_port - a port number or service name; 0 when bad */
static unsigned
smtp_nexthop_port(const char *text)
{
    struct servent *sp;
    const char *cp;
    unsigned long port;

    if (*text == 0)
        return 0;
    for (cp = text; isdigit((unsigned char) *cp); cp++)
         /* skip */ ;
    if (*cp == 0) {
        if (cp - text > 5 || (port = strtoul(text, NULL, 10)) == 0
            || port > 65535)
            return 0;
        return (unsigned) port;
    }
    if ((sp = getservbyname(text, "tcp")) == NULL)
        return 0;
    return ntohs((unsigned short) sp->s_port);
}

/* smtp_nexthop_inet - "[host]:port", "host:port" or "host" */
static int
smtp_nexthop_inet(const char *text, unsigned def_port, SMTP_NEXTHOP *hop,
                  BUF *why)
{
    const char *host = text;
    const char *end;
    const char *port = NULL;

    if (*text == '[') {
        host = text + 1;
        if ((end = strchr(host, ']')) == NULL || (end[1] && end[1] != ':')) {
            buf_sprintf(why, "malformed next-hop destination: %s", text);
            return -1;
        }
        if (end[1] == ':')
            port = end + 2;
        if (strncasecmp(host, "ipv6:", 5) == 0)
            host += 5;
        hop->bracketed = true;
    } else {
        if ((end = strchr(text, ':')) != NULL) {
            port = end + 1;
            if (strchr(port, ':')) {
                buf_sprintf(why, "malformed next-hop destination: %s", text);
                return -1;
            }
        } else {
            end = text + strlen(text);
        }
    }
    if (end == host) {
        buf_sprintf(why, "empty host name in next-hop destination: %s", text);
        return -1;
    }
    hop->port = port ? smtp_nexthop_port(port) : def_port;
    if (hop->port == 0) {
        buf_sprintf(why, "bad port in next-hop destination: %s", text);
        return -1;
    }
    hop->host = mystrndup(host, (size_t) (end - host));
    return 0;
}

/* smtp_nexthop_parse - parse one next hop (see smtp.h) */
int
smtp_nexthop_parse(const char *text, bool lmtp, unsigned def_port,
                   SMTP_NEXTHOP *hop, BUF *why)
{
    memset(hop, 0, sizeof(*hop));
    if (lmtp && strncmp(text, "unix:", 5) == 0) {
        if (text[5] == 0) {
            buf_sprintf(why, "empty socket path in next-hop destination: %s",
                        text);
            return -1;
        }
        hop->is_unix = true;
        hop->host = mystrdup(text + 5);
        return 0;
    }
    if (lmtp && strncmp(text, "inet:", 5) == 0)
        text += 5;
    return smtp_nexthop_inet(text, def_port, hop, why);
}

/* smtp_nexthop_free - release what smtp_nexthop_parse() filled */
void
smtp_nexthop_free(SMTP_NEXTHOP *hop)
{
    myfree(hop->host);
    hop->host = NULL;
}
