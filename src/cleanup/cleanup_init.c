/* cleanup_init - the tables and settings of a cleanup process, opened
 * once after the privilege drop (a changed table restarts the process:
 * see maps_changed() in the server skeleton). A bad setting (an unknown
 * class name) is fatal, as in Postfix: cleanup must not guess. */
#include <stdio.h>
#include <string.h>

#include "addr_map.h"
#include "canon_addr.h"
#include "cleanup.h"
#include "cleanup_checks.h"
#include "mail_params.h"
#include "masq_addr.h"
#include "msg.h"
#include "resolve_addr.h"
#include "rewrite_addr.h"
#include "virtual_expand.h"

CLEANUP_CONF cleanup_conf;

/* How long cleanup waits for trivial-rewrite before it gives up on a
 * message (the client then sees a temporary error): 30 seconds, or
 * ipc_timeout when that is shorter. */
#define CLEANUP_REWRITE_TIMEOUT 30

static REWRITE_ADDR_SETTINGS cleanup_rewrite_settings;
static ADDR_MAP_SETTINGS cleanup_lookup;
static RESOLVE_ADDR *cleanup_resolver;

/* cleanup_is_local - whether a domain is this host's (for the "user"
 * lookup forms of canonical and virtual tables), as trivial-rewrite's
 * resolver decides it */
static int
cleanup_is_local(void *context, const char *domain)
{
    return resolve_addr_is_local(cleanup_resolver, domain);
}

/* cleanup_lookup_settings - how addr_map looks addresses up */
static void
cleanup_lookup_settings(BUF *why)
{
    RESOLVE_ADDR_SETTINGS resolve;

    rewrite_addr_settings_init(&cleanup_rewrite_settings);
    resolve_addr_settings_init(&resolve);
    if ((cleanup_resolver = resolve_addr_create(&resolve, why)) == NULL)
        msg_fatal("%s", buf_str(why));
    cleanup_lookup = (ADDR_MAP_SETTINGS) {
        .myorigin = var_myorigin,
        .is_local = cleanup_is_local,
        .recipient_delimiter = var_recipient_delimiter,
        .rewrite = &cleanup_rewrite_settings,
    };
    cleanup_conf.lookup = &cleanup_lookup;
}

/* cleanup_address_init - canonical, masquerade, virtual alias tables */
static void
cleanup_address_init(BUF *why)
{
    CANON_ADDR_SETTINGS canon = {
        .canonical_maps = var_canonical_maps,
        .sender_canonical_maps = var_sender_canonical_maps,
        .recipient_canonical_maps = var_recipient_canonical_maps,
        .canonical_classes = var_canonical_classes,
        .sender_canonical_classes = var_sender_canonical_classes,
        .recipient_canonical_classes = var_recipient_canonical_classes,
        .propagate_unmatched_extensions = var_propagate_unmatched_extensions,
    };
    MASQ_ADDR_SETTINGS masq = {
        .masquerade_domains = var_masquerade_domains,
        .masquerade_exceptions = var_masquerade_exceptions,
        .masquerade_classes = var_masquerade_classes,
    };
    VIRTUAL_EXPAND_SETTINGS virt = {
        .virtual_alias_maps = var_virtual_alias_maps,
        .propagate_unmatched_extensions = var_propagate_unmatched_extensions,
        .recursion_limit = var_virtual_alias_recursion_limit,
        .expansion_limit = var_virtual_alias_expansion_limit,
        .address_length_limit = var_virtual_alias_address_length_limit,
    };

    cleanup_lookup_settings(why);
    canon.lookup = virt.lookup = cleanup_lookup;
    if ((cleanup_conf.canon = canon_addr_create(&canon, why)) == NULL
        || (cleanup_conf.masq = masq_addr_create(&masq, why)) == NULL)
        msg_fatal("%s", buf_str(why));
    if (*var_virtual_alias_maps
        && (cleanup_conf.virtual = virtual_expand_create(&virt, why)) == NULL)
        msg_fatal("%s", buf_str(why));
}

/* cleanup_init - see cleanup.h */
void
cleanup_init(void)
{
    BUF    *why = buf_alloc(100);
    char    path[256];

    snprintf(path, sizeof(path), "private/%s", var_rewrite_service_name);
    cleanup_conf.rewrite = rewrite_clnt_create(path,
                                    var_ipc_timeout < CLEANUP_REWRITE_TIMEOUT ?
                                    var_ipc_timeout : CLEANUP_REWRITE_TIMEOUT);
    cleanup_address_init(why);
    cleanup_conf.sender_bcc = addr_map_open("sender_bcc_maps",
                                            var_sender_bcc_maps);
    cleanup_conf.recipient_bcc = addr_map_open("recipient_bcc_maps",
                                               var_recipient_bcc_maps);
    cleanup_checks_init();
    buf_free(why);
}
