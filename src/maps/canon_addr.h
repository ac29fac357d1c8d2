/* canon_addr - canonical address mapping, as Postfix's cleanup applies
 * sender_canonical_maps, recipient_canonical_maps and canonical_maps to
 * envelope and header addresses.
 *
 * Which tables apply depends on the class of the address (addr_map.h's
 * ADDR_CLASS_*): a sender class goes through sender_canonical_maps when
 * sender_canonical_classes lists it, a recipient class through
 * recipient_canonical_maps when recipient_canonical_classes lists it;
 * then either goes through canonical_maps when canonical_classes lists
 * it. Each table list is searched by addr_map (external-form keys,
 * results rewritten in the "local" context, the unmatched extension
 * propagated when propagate_unmatched_extensions names "canonical").
 *
 * Each list maps one address to one address, repeatedly while the result
 * changes. Observed from Postfix 3.7.11's cleanup:
 * - at most CANON_ADDR_NESTING (10) changes; when the 10th lookup still
 *   changed the address, "ID: unreasonable TITLE map nesting for ADDR
 *   -- message not accepted, try again later" is logged, yet the message
 *   IS accepted with the address reached so far;
 * - a result list of several addresses uses the first one, with the
 *   warning "ID: multi-valued TITLE entry for ADDR";
 * - a result equal to the address ends the mapping (no warning);
 * - the null address is looked up too, as "\"\"";
 * - a table failure is "TITLE map lookup problem for ADDR" (ADDR is the
 *   address being looked up at that step): cleanup logs it with
 *   " -- message not accepted, try again later" and answers
 *   "451 4.3.0 Error: queue file write error" (CLEANUP_STAT_WRITE).
 * - an unknown class name: "unknown canonical_classes value "X" in
 *   "VALUE"" (fatal in Postfix); Postfix names canonical_classes in this
 *   message for the sender_ and recipient_ lists too, and so does this
 *   module. Postfix refuses an empty *canonical_classes value ("bad
 *   string length 0 < 1"); here it means no classes.
 *
 * Postfix parameters (3.7 defaults): canonical_maps, sender_canonical_maps,
 * recipient_canonical_maps (empty); canonical_classes (envelope_sender,
 * envelope_recipient, header_sender, header_recipient);
 * sender_canonical_classes (envelope_sender, header_sender);
 * recipient_canonical_classes (envelope_recipient, header_recipient);
 * propagate_unmatched_extensions (canonical, virtual).
 *
 * Library code: nothing here exits. Peers: addr_map; cleanup calls this
 * after trivial-rewrite's rewrite and before masq_addr. */
#ifndef CANON_ADDR_H
#define CANON_ADDR_H

#include "addr_map.h"
#include "buf.h"

#define CANON_ADDR_NESTING  10          /* changes per table list */

typedef struct CANON_ADDR_SETTINGS {
    const char *canonical_maps;
    const char *sender_canonical_maps;
    const char *recipient_canonical_maps;
    const char *canonical_classes;
    const char *sender_canonical_classes;
    const char *recipient_canonical_classes;
    const char *propagate_unmatched_extensions;
    ADDR_MAP_SETTINGS lookup;           /* copied; see addr_map.h */
} CANON_ADDR_SETTINGS;

typedef struct CANON_ADDR CANON_ADDR;

/* canon_addr_create - parse the class lists and open the tables; NULL
 * with *why for an unknown class or extension name */
CANON_ADDR *canon_addr_create(const CANON_ADDR_SETTINGS *settings,
                              BUF *why);

void    canon_addr_free(CANON_ADDR *canon);

/* canon_addr_map - result = addr (internal form) after the tables that
 * apply to addr_class (one ADDR_CLASS_* bit); addr must not point into
 * result. log_id (the queue id) starts the warnings. Returns 1 when the
 * address changed, 0 when not, -1 when a table failed (the reason in
 * *why; result is then unspecified). */
int     canon_addr_map(CANON_ADDR *canon, int addr_class,
                       const char *log_id, const char *addr, BUF *result,
                       BUF *why);

#endif
