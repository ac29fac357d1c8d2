/* verify - what the files of the address verification daemon share.
 *
 *   verify.c        the service: requests, the cache policy (expiry,
 *                   refresh, when to probe)
 *   verify_cache.c  the address cache in $address_verify_map
 *   verify_probe.c  a probe message through cleanup */
#ifndef VERIFY_H
#define VERIFY_H

#include "buf.h"

/* One cache entry: Postfix's "STATUS:PROBED:UPDATED:TEXT" value. */
typedef struct VERIFY_ENTRY {
    int     status;                     /* VRFY_ADDR_* */
    long    probed;                     /* when the last probe went out
                                         * (0: none outstanding) */
    long    updated;                    /* when a result came in (0: none) */
    const char *text;                   /* the result's reason */
} VERIFY_ENTRY;

/* verify_cache_open - open spec for update ("" keeps the cache in
 * memory only); fatal when it cannot be opened */
void    verify_cache_open(const char *spec);

/* verify_cache_get - the entry of addr: 1 found, 0 not found or not
 * usable (a malformed entry is logged), -1 the table failed. entry->text
 * stays valid until the next call. */
int     verify_cache_get(const char *addr, VERIFY_ENTRY *entry);

/* verify_cache_put - store the entry of addr durably; 0, or -1 after a
 * warning */
int     verify_cache_put(const char *addr, const VERIFY_ENTRY *entry);

/* verify_cache_del - forget addr */
void    verify_cache_del(const char *addr);

/* verify_entry_parse - text into entry (entry->text points into text);
 * 0, or -1 when the text is not a valid entry */
int     verify_entry_parse(const char *text, VERIFY_ENTRY *entry);

/* verify_probe - queue a probe message to addr from
 * $address_verify_sender (with $address_verify_sender_ttl); 0, or -1
 * with the reason in why */
int     verify_probe(const char *addr, BUF *why);

#endif
