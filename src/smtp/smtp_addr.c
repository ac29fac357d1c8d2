/* smtp_addr - the addresses to try for one next hop.
 *
 * A numeric literal ("127.0.0.1", "::1") is used as it is, without DNS
 * (inet_pton); a UNIX socket path is one "address"; a name goes through
 * mx_addr_lookup() (src/global/mx_addr.h): with an MX lookup for SMTP
 * unless the next hop was bracketed, without one for LMTP. The name in
 * logs is the MX host (or the name itself); for a literal it is the
 * literal, for a socket $myhostname, as Postfix logs them. */
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include "mail_params.h"
#include "mx_addr.h"
#include "mymalloc.h"
#include "smtp.h"

/* smtp_addr_one - a list of one address */
static void
smtp_addr_one(SMTP_ADDR_LIST *list, const char *name, int family,
              const char *text, unsigned port)
{
    list->addr = mycalloc(1, sizeof(SMTP_ADDR));
    list->count = 1;
    list->addr->name = mystrdup(name);
    list->addr->family = family;
    list->addr->port = port;
    if (text)
        strncpy(list->addr->text, text, sizeof(list->addr->text) - 1);
}

/* smtp_addr_dns - the addresses of a name from mx_addr_lookup() */
static int
smtp_addr_dns(const SMTP_NEXTHOP *hop, SMTP_ADDR_LIST *list, DSN_BUF *why)
{
    MX_ADDR_LIST mx = {0};
    int     flags = (hop->bracketed || smtp_conf.lmtp) ? 0 : MX_ADDR_FLAG_MX;

    /* Postfix looks for mail looping back to this host on port 25 only. */
    if (!smtp_conf.lmtp && hop->port == 25)
        flags |= MX_ADDR_FLAG_LOOP;

    if (mx_addr_lookup(hop->host, flags, &mx, why) < 0)
        return -1;
    list->addr = mycalloc(mx.count ? mx.count : 1, sizeof(SMTP_ADDR));
    list->count = mx.count;
    for (size_t i = 0; i < mx.count; i++) {
        list->addr[i].name = mystrdup(mx.addr[i].name);
        list->addr[i].family = mx.addr[i].family;
        list->addr[i].port = hop->port;
        mx_addr_text(mx.addr + i, list->addr[i].text,
                     sizeof(list->addr[i].text));
    }
    mx_addr_list_free(&mx);
    return 0;
}

/* smtp_addr_list - the addresses of hop (see smtp.h) */
int
smtp_addr_list(const SMTP_NEXTHOP *hop, SMTP_ADDR_LIST *list, DSN_BUF *why)
{
    unsigned char bin[sizeof(struct in6_addr)];

    memset(list, 0, sizeof(*list));
    if (hop->is_unix) {
        smtp_addr_one(list, var_myhostname, AF_UNIX, NULL, 0);
        list->addr->path = hop->host;
        return 0;
    }
    if (inet_pton(AF_INET, hop->host, bin) == 1) {
        smtp_addr_one(list, hop->host, AF_INET, hop->host, hop->port);
        return 0;
    }
    if (inet_pton(AF_INET6, hop->host, bin) == 1) {
        smtp_addr_one(list, hop->host, AF_INET6, hop->host, hop->port);
        return 0;
    }
    return smtp_addr_dns(hop, list, why);
}

/* smtp_addr_list_free - release a list */
void
smtp_addr_list_free(SMTP_ADDR_LIST *list)
{
    for (size_t i = 0; i < list->count; i++)
        myfree(list->addr[i].name);
    myfree(list->addr);
    memset(list, 0, sizeof(*list));
}
