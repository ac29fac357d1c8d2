/* virtual_expand - virtual alias expansion of one envelope recipient, as
 * Postfix's cleanup does it with virtual_alias_maps: one address becomes
 * the list of its final recipients.
 *
 * Each address is looked up with addr_map (external-form keys, results
 * rewritten in the "local" context, the unmatched extension propagated
 * when propagate_unmatched_extensions names "virtual"). The expansion,
 * as observed from Postfix 3.7.11's cleanup, works on one list that
 * starts as the recipient; for each entry, left to right:
 * - when the table has it, the entry is replaced by the first result
 *   address and looked up again, and the other results go to the END of
 *   the list ("a -> b, c; b -> p, q; c -> r" gives p, r, q);
 * - an address whose result list holds the address itself is kept and
 *   never expanded again ("a -> a, b" gives a and b's expansion);
 * - the expansion of an entry stops when the table does not have it.
 * Limits (each failure defers the message: cleanup logs "ID: REASON --
 * message not accepted, try again later" and answers "451 4.6.0 Alias
 * expansion error"):
 * - recursion_limit: the replacements of one entry (results that went to
 *   the end of the list start again at 0); "unreasonable TITLE map
 *   nesting for RECIPIENT" (so a -> b, b -> a is this error);
 * - expansion_limit: the length of the list, duplicates included, before
 *   each entry is expanded; "unreasonable TITLE map expansion size for
 *   RECIPIENT";
 * - address_length_limit: the length of each result address;
 *   "unreasonable TITLE result ADDRESS..." (the address cut at 300 bytes).
 * A table failure is "TITLE map lookup problem for RECIPIENT" (cleanup:
 * "451 4.3.0 Error: queue file write error"). RECIPIENT is the address
 * that was expanded, TITLE "virtual_alias_maps".
 * The result lists each address once, in the order of first appearance
 * (cleanup drops duplicate recipients with the same original recipient
 * anyway). An address of a virtual alias domain without an entry comes
 * back unchanged: trivial-rewrite's resolve makes it bounce later ("User
 * unknown in virtual alias table").
 *
 * Postfix parameters (3.7 defaults): virtual_alias_maps ($virtual_maps,
 * empty), virtual_alias_recursion_limit (1000),
 * virtual_alias_expansion_limit (1000), virtual_alias_address_length_limit
 * (1000), propagate_unmatched_extensions (canonical, virtual).
 *
 * Library code: nothing here exits. Peers: addr_map, htable; cleanup
 * calls this for envelope recipients only, after canon_addr and
 * masq_addr. */
#ifndef VIRTUAL_EXPAND_H
#define VIRTUAL_EXPAND_H

#include "addr_map.h"
#include "argv.h"
#include "buf.h"

typedef struct VIRTUAL_EXPAND_SETTINGS {
    const char *virtual_alias_maps;
    const char *propagate_unmatched_extensions;
    int     recursion_limit;
    int     expansion_limit;
    int     address_length_limit;
    ADDR_MAP_SETTINGS lookup;           /* copied; see addr_map.h */
} VIRTUAL_EXPAND_SETTINGS;

typedef struct VIRTUAL_EXPAND VIRTUAL_EXPAND;

/* virtual_expand statuses. */
#define VIRTUAL_EXPAND_OK       0
#define VIRTUAL_EXPAND_RETRY    (-1)    /* a table failed */
#define VIRTUAL_EXPAND_LIMIT    (-2)    /* a limit was exceeded */

/* virtual_expand_create - open the tables; NULL with *why for an unknown
 * propagate_unmatched_extensions name */
VIRTUAL_EXPAND *virtual_expand_create(const VIRTUAL_EXPAND_SETTINGS *sp,
                                      BUF *why);

void    virtual_expand_free(VIRTUAL_EXPAND *expand);

/* virtual_expand - the final recipients (internal form) of addr, or
 * NULL with the reason in *why; *status says which. Without tables the
 * result is addr alone. The caller frees the result with argv_free. */
ARGV   *virtual_expand(VIRTUAL_EXPAND *expand, const char *addr,
                       int *status, BUF *why);

#endif
