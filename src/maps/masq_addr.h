/* masq_addr - address masquerading: strip the subdomain structure of an
 * address's domain, as Postfix's cleanup does with masquerade_domains,
 * masquerade_exceptions and masquerade_classes.
 *
 * Observed from Postfix 3.7.11's cleanup:
 * - only addresses of the classes in masquerade_classes (addr_map.h's
 *   ADDR_CLASS_*), and only when they have a domain (after the last '@');
 * - masquerade_exceptions is a match list (MATCH_STRING, "/file" and
 *   type:table allowed) of local parts: the whole local part, extension
 *   included, quoted as in external form, ignoring case ("root" keeps
 *   root@a.example.com but not root+x@a.example.com). It is consulted
 *   before the domains, for every address with a domain; when a table of
 *   it fails, Postfix logs "ID: masquerade_exceptions map lookup problem
 *   -- message not accepted, try again later" (at info level) and answers
 *   "451 4.3.0 Error: queue file write error";
 * - masquerade_domains is a plain list of names (no tables: "type:name"
 *   is just a name), tried left to right; the first that matches decides:
 *   a domain equal to the name is left alone, a domain that ends in
 *   ".name" becomes the name (lowercased, as Postfix keeps the list), a
 *   name with a leading "!" leaves both alone. So "foo.example.com
 *   example.com" turns a.b.foo.example.com into foo.example.com and
 *   a.example.com into example.com, "example.com foo.example.com" turns
 *   both into example.com, and ".example.com" matches nothing.
 * - an unknown class: "unknown masquerade_classes value "X" in "VALUE""
 *   (fatal in Postfix); an empty masquerade_classes turns masquerading
 *   off.
 *
 * Postfix parameters (3.7 defaults): masquerade_domains (empty),
 * masquerade_exceptions (empty), masquerade_classes (envelope_sender,
 * header_sender, header_recipient).
 *
 * Library code: nothing here exits. Peers: match_list, quote_822_local;
 * cleanup calls this after canon_addr. */
#ifndef MASQ_ADDR_H
#define MASQ_ADDR_H

#include "buf.h"

typedef struct MASQ_ADDR_SETTINGS {
    const char *masquerade_domains;
    const char *masquerade_exceptions;
    const char *masquerade_classes;
} MASQ_ADDR_SETTINGS;

typedef struct MASQ_ADDR MASQ_ADDR;

/* masq_addr_create - parse the lists; NULL with *why for an unknown
 * class or a bad exception list (see match_list_create) */
MASQ_ADDR *masq_addr_create(const MASQ_ADDR_SETTINGS *settings, BUF *why);

void    masq_addr_free(MASQ_ADDR *masq);

/* masq_addr - result = addr (internal form) masqueraded when its class
 * (one ADDR_CLASS_* bit) is subject to masquerading; addr must not point
 * into result. Returns 1 when the address changed, 0 when not, -1 when
 * an exception table failed ("masquerade_exceptions map lookup problem"
 * in *why). */
int     masq_addr(MASQ_ADDR *masq, int addr_class, const char *addr,
                  BUF *result, BUF *why);

#endif
