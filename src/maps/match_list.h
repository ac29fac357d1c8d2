/* match_list - Postfix's "match lists": the list syntax of parameters such
 * as relay_domains, mynetworks, debug_peer_list, authorized_submit_users.
 *
 * A list holds patterns separated by commas and/or white space, tried left
 * to right; the first pattern that matches decides:
 *
 *      pattern         the name (or address) matches: result 1
 *      !pattern        the name matches: result 0, the search stops
 *                      ("!!pattern" is pattern again)
 *      /file/name      replaced by the file's patterns: each line is a list
 *                      (white space and commas separate), a line that
 *                      starts with '#' is a comment; files may name other
 *                      files (up to MATCH_LIST_MAX_DEPTH deep); "!/file"
 *                      negates every pattern in the file
 *      type:table      matches when a lookup key is found (the value is
 *                      ignored); "inline:{ a=b, c=d }" is one pattern
 *
 * "#text" where a pattern should start is not a comment: it is warned
 * about ("comment at end of line is not supported") and ends the line
 * (the rest of the parameter value, or of the file line).
 *
 * How a pattern matches depends on the kind of list:
 *
 * MATCH_STRING (user names, mydestination, virtual_alias_domains, ...):
 *      the name equals the pattern, ignoring case; tables are looked up
 *      with the name.
 *
 * MATCH_DOMAIN (relay_domains, fast_flush_domains): the name equals the
 *      pattern (ignoring case), or is a subdomain of it:
 *      - with MATCH_FLAG_PARENT_STYLE and the list's title listed in
 *        parent_domain_matches_subdomains: "example.com" matches
 *        "mail.example.com", and ".example.com" matches no subdomain;
 *      - otherwise ".example.com" matches "mail.example.com" (not
 *        "example.com"), and "example.com" matches only itself.
 *      Tables are looked up with the name, then (fixed-string tables only)
 *      each parent: "example.com" in parent style, else ".example.com"
 *      (maps_find_domain's order). This is what Postfix 3.7 does.
 *
 * MATCH_NAMADR (debug_peer_list, mynetworks, smtpd_*_hosts, ...): a
 *      client's host name and address. Host name patterns match the name
 *      as in MATCH_DOMAIN. Address patterns match the address:
 *      "192.0.2.1", "192.0.2.0/24", "[2001:db8::1]", "[2001:db8::]/32",
 *      "[2001:db8::/32]" (IPv6 must be in brackets: a bare IPv6 address
 *      looks like type:table). A pattern made of address characters only
 *      (hex digits . : [ ] /) that starts with '[' or holds a '/' must be
 *      a valid network; other patterns are host names. A table is looked
 *      up with the name (and parents, as for domains), then with the
 *      address as written.
 *
 * MATCH_ADDR (address-only lists): as MATCH_NAMADR without the name: host
 *      name patterns never match, tables are looked up by address.
 *
 * Names are matched as given; addresses are bare ("192.0.2.1",
 * "2001:db8::1", no brackets), and the caller converts IPv4-mapped IPv6
 * addresses to IPv4 first (Postfix's smtpd does).
 *
 * Postfix 3.7's parameters by kind ("*": pass MATCH_FLAG_PARENT_STYLE;
 * "=": observed with Postfix 3.7, the rest from its documentation):
 *      MATCH_STRING    authorized_submit_users=, authorized_mailq_users,
 *                      authorized_flush_users, mydestination=,
 *                      virtual_alias_domains=, virtual_mailbox_domains=,
 *                      masquerade_exceptions, smtpd_log_access_permit_actions,
 *                      smtp_/lmtp_connection_cache_destinations,
 *                      smtp_/lmtp_/smtpd_sasl_mechanism_filter
 *      MATCH_DOMAIN    relay_domains*=, fast_flush_domains*
 *      MATCH_NAMADR    mynetworks*=, debug_peer_list*,
 *                      permit_mx_backup_networks*, qmqpd_authorized_clients*,
 *                      smtpd_client_event_limit_exceptions*,
 *                      smtpd_authorized_xclient_hosts=,
 *                      smtpd_authorized_xforward_hosts,
 *                      smtpd_authorized_verp_clients,
 *                      smtpd_sasl_exceptions_networks
 *      MATCH_ADDR      postscreen_allowlist_interfaces,
 *                      smtpd_forbid_bare_newline_exclusions
 *
 * Errors: match_list_create fails (NULL, "title: what is wrong" in *why)
 * for a bad network pattern, "!" without a pattern, unbalanced braces,
 * a /file that cannot be read, and files nested too deeply; a bad pattern
 * inside a file reads "title: PATH:LINE: what is wrong". A table that
 * cannot be opened does not fail creation (as in Postfix): it is logged,
 * and its lookups fail. match_list_match returns -1 when a table lookup
 * fails before the search ends: the answer is unknown and callers must
 * treat it as a temporary failure, never as "no match".
 *
 * Tables are opened through maps_create, so maps_changed() reports a
 * rebuilt table; /file contents are read once, at create time. */
#ifndef MATCH_LIST_H
#define MATCH_LIST_H
#include "buf.h"

/* Kinds of list (match_list_create's kind). */
#define MATCH_STRING    1
#define MATCH_DOMAIN    2
#define MATCH_NAMADR    3
#define MATCH_ADDR      4

/* Flags. */
#define MATCH_FLAG_PARENT_STYLE (1 << 0)  /* title may be listed in
                                           * parent_domain_matches_subdomains */

#define MATCH_LIST_MAX_DEPTH    10      /* /file inside /file ... */

typedef struct MATCH_LIST MATCH_LIST;

/* match_list_create - parse patterns (a parameter value); title (the
 * parameter name) starts every message and is the feature name looked
 * up in parent_domain_matches_subdomains. NULL with *why on error. */
MATCH_LIST *match_list_create(const char *title, int kind,
                              const char *patterns, int flags, BUF *why);

/* match_list_match - 1 match, 0 no match, -1 a table failed ("title:
 * type:name: table lookup problem" in *why, which may be NULL). name is
 * the string (MATCH_STRING), the domain (MATCH_DOMAIN) or the host name
 * (MATCH_NAMADR; ignored by MATCH_ADDR); addr is the address (MATCH_NAMADR,
 * MATCH_ADDR; ignored by the others). Either may be NULL or empty: it
 * then matches nothing. */
int     match_list_match(MATCH_LIST *list, const char *name,
                         const char *addr, BUF *why);

/* match_list_free - close the tables and free the list */
void    match_list_free(MATCH_LIST *list);

#endif
