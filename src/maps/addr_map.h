/* addr_map - one address through a list of tables, the way Postfix's
 * cleanup looks up canonical_maps, sender_canonical_maps,
 * recipient_canonical_maps and virtual_alias_maps; plus the class and
 * extension lists that decide when those tables apply.
 *
 * Addresses come and go in internal form (the local part unquoted, as in
 * queue files). Observed from Postfix 3.7.11's cleanup:
 *
 * Keys are in EXTERNAL form: every local part is quoted as
 * quote_822_local() quotes it, so "a b@x" is looked up as "\"a b\"@x"
 * and a table key written a..b@x never matches. The order:
 *      user+ext@domain     every table (pattern tables see only this)
 *      user@domain
 *      user+ext, user      only when the domain is local (see below) or
 *                          the address has no domain
 *      @domain
 * The extension starts at the first recipient_delimiter byte
 * (split_addr_ext: not in "owner-x" or "x-request" when '-' is one).
 * A domain is local when it equals $myorigin (ignoring case) or the
 * caller's is_local says so ($mydestination, $inet_interfaces and
 * $proxy_interfaces in Postfix); it is asked only when the first forms
 * did not match.
 *
 * Results are address lists in external form. In this order:
 * 1. "<>" is the null address "".
 * 2. A result that starts with '@' gets the local part of the key that
 *    matched: "@other" for user+ext@domain matched as user@domain gives
 *    user@other, matched as @domain gives user+ext@other. Only the first
 *    address of a list gets it (the text is simply prefixed).
 * 3. The list is parsed (hdr_rcpt_parse) into internal addresses; a
 *    result without any address (",", "()") is a table problem: the
 *    warning "TITLE lookup of ADDR returns non-address result "VALUE""
 *    and ADDR_MAP_RETRY.
 * 4. Each address is rewritten in trivial-rewrite's "local" context
 *    (append @$myorigin, bang path, percent hack, ...) when the caller
 *    gives rewrite settings.
 * 5. With propagate, when the match dropped the extension (user@domain
 *    or user), the extension with the delimiter that was found is put
 *    back before the last '@' of every address, or at the end when there
 *    is none: "x@b" gives "x+ext@b", "x+foo@b" gives "x+foo+ext@b",
 *    "u%h" gives "u+ext@h" (rewritten first).
 *
 * Library code: nothing here exits. Peers: maps, maps_addr
 * (split_addr_ext), quote_822_local, hdr_rcpt (tok822), rewrite_addr;
 * users: canon_addr, virtual_expand. */
#ifndef ADDR_MAP_H
#define ADDR_MAP_H

#include <stdbool.h>

#include "argv.h"
#include "buf.h"
#include "maps.h"
#include "rewrite_addr.h"

/* is_local - 1 when domain is one of this host's own names, 0 when not,
 * -1 when that cannot be known (a table failed) */
typedef int (*ADDR_MAP_LOCAL_FN) (void *context, const char *domain);

/* How lookups are done. Pointed-to data must outlive every user. */
typedef struct ADDR_MAP_SETTINGS {
    const char *myorigin;               /* a local domain; NULL: none */
    ADDR_MAP_LOCAL_FN is_local;         /* other local domains; NULL: none */
    void   *local_context;              /* passed to is_local */
    const char *recipient_delimiter;    /* NULL or "": no extensions */
    const REWRITE_ADDR_SETTINGS *rewrite;   /* NULL: results as they are */
} ADDR_MAP_SETTINGS;

/* addr_map statuses. */
#define ADDR_MAP_NOTFOUND   0
#define ADDR_MAP_FOUND      1
#define ADDR_MAP_RETRY      (-1)        /* a table failed: defer */

/* addr_map - the result addresses (internal form, at least one) when
 * addr is found; NULL when not found or on a failure. *status says which.
 * The caller frees the result with argv_free. */
ARGV   *addr_map(MAPS *maps, const ADDR_MAP_SETTINGS *settings,
                 const char *addr, bool propagate, int *status);

/* addr_map_open - the tables of a parameter (title), or NULL when its
 * value names none; a table that cannot be opened fails every lookup */
MAPS   *addr_map_open(const char *title, const char *value);

/* Address classes: canonical_classes, sender_canonical_classes,
 * recipient_canonical_classes, masquerade_classes. */
#define ADDR_CLASS_ENV_SENDER   (1 << 0)        /* envelope_sender */
#define ADDR_CLASS_ENV_RCPT     (1 << 1)        /* envelope_recipient */
#define ADDR_CLASS_HDR_SENDER   (1 << 2)        /* header_sender */
#define ADDR_CLASS_HDR_RCPT     (1 << 3)        /* header_recipient */
#define ADDR_CLASS_SENDER       (ADDR_CLASS_ENV_SENDER | ADDR_CLASS_HDR_SENDER)
#define ADDR_CLASS_RCPT         (ADDR_CLASS_ENV_RCPT | ADDR_CLASS_HDR_RCPT)
#define ADDR_CLASS_ALL          (ADDR_CLASS_SENDER | ADDR_CLASS_RCPT)

/* addr_map_classes - the classes named in value (separated by commas
 * and/or white space; names are case-sensitive, as in Postfix); names
 * outside allowed are unknown. 0, or -1 with
 * "unknown TITLE value "NAME" in "VALUE"" in *why. */
int     addr_map_classes(const char *title, const char *value, int allowed,
                         int *classes, BUF *why);

/* propagate_unmatched_extensions names. */
#define ADDR_MAP_EXT_CANONICAL  (1 << 0)
#define ADDR_MAP_EXT_VIRTUAL    (1 << 1)
#define ADDR_MAP_EXT_ALIAS      (1 << 2)
#define ADDR_MAP_EXT_FORWARD    (1 << 3)
#define ADDR_MAP_EXT_INCLUDE    (1 << 4)
#define ADDR_MAP_EXT_GENERIC    (1 << 5)

/* addr_map_propagate - parse propagate_unmatched_extensions: 0, or -1
 * with "unknown propagate_unmatched_extensions value ..." in *why */
int     addr_map_propagate(const char *value, int *mask, BUF *why);

#endif
