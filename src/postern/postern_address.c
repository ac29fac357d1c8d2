/* postern_address - "postern address ADDRESS...": show administrators how
 * trivial-rewrite would rewrite and resolve each address.
 *
 * Runs the same library code as the trivial-rewrite daemon (rewrite_addr,
 * resolve_addr) in this process, with the current main.cf, so no daemon
 * needs to run. One block per address:
 *
 *   ADDRESS
 *     rewrite local:  REWRITTEN
 *     rewrite remote: REWRITTEN
 *     resolve:        class CLASS, transport T, nexthop N, recipient R
 *
 * The resolve line takes the local-context rewrite in its internal form,
 * as cleanup would hand it over. Exit status 0, or 1 when a table failed. */
#include <stdio.h>

#include "buf.h"
#include "msg.h"
#include "postern.h"
#include "quote_822_local.h"
#include "resolve_addr.h"
#include "rewrite_addr.h"

/* postern_address_class - the name of an address class */
static const char *
postern_address_class(int flags)
{
    if (flags & RESOLVE_FLAG_ERROR)
        return "error (bad address syntax)";
    if (flags & RESOLVE_CLASS_LOCAL)
        return "local";
    if (flags & RESOLVE_CLASS_ALIAS)
        return "virtual alias";
    if (flags & RESOLVE_CLASS_VIRTUAL)
        return "virtual mailbox";
    if (flags & RESOLVE_CLASS_RELAY)
        return "relay";
    return "default";
}

/* postern_address - print rewriting and resolving of each address */
int
postern_address(char **addresses)
{
    REWRITE_ADDR_SETTINGS rewrite;
    RESOLVE_ADDR_SETTINGS settings;
    RESOLVE_ADDR *resolver;
    RESOLVE_REPLY reply;
    BUF    *why = buf_alloc(100);
    BUF    *local = buf_alloc(100);
    BUF    *remote = buf_alloc(100);
    BUF    *internal = buf_alloc(100);
    int     status = 0;
    int     flags;

    if (*addresses == NULL)
        msg_fatal("usage: postern [-c config_dir] address ADDRESS...");
    rewrite_addr_settings_init(&rewrite);
    resolve_addr_settings_init(&settings);
    if ((resolver = resolve_addr_create(&settings, why)) == NULL)
        msg_fatal("%s", buf_str(why));
    resolve_reply_init(&reply);
    for (; *addresses; addresses++) {
        rewrite_addr(&rewrite, REWRITE_ADDR_LOCAL, *addresses, local);
        rewrite_addr(&rewrite, REWRITE_ADDR_REMOTE, *addresses, remote);
        unquote_822_local(internal, buf_str(local));
        flags = resolve_addr(resolver, "", buf_str(internal), &reply);
        if (flags & RESOLVE_FLAG_FAIL)
            status = 1;
        printf("%s\n  rewrite local:  %s\n  rewrite remote: %s\n"
               "  resolve:        class %s, transport %s, nexthop %s, "
               "recipient %s%s\n", *addresses, buf_str(local),
               buf_str(remote), postern_address_class(flags),
               buf_str(reply.transport), buf_str(reply.nexthop),
               buf_str(reply.recipient),
               (flags & RESOLVE_FLAG_FAIL) ? " (table lookup failed)" : "");
    }
    resolve_reply_free(&reply);
    resolve_addr_free(resolver);
    buf_free(why);
    buf_free(local);
    buf_free(remote);
    buf_free(internal);
    return status;
}
