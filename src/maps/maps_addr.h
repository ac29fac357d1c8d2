/* maps_addr - Postfix's lookup order for addresses and domains, used by
 * every caller that searches tables with an address or a domain.
 *
 * Addresses (aliases, canonical, virtual, relocated, ...): the full address
 * user+ext@domain, then user@domain, then (only when the caller says the
 * domain is local) user+ext and user, then @domain. Pattern tables see the
 * full address only; the partial forms go to fixed-string tables only.
 * The extension is split off at the first recipient_delimiter byte (never
 * in "owner-..." or "...-request" when '-' is a delimiter, as Postfix).
 *
 * Domains (transport, access): the name itself, then each parent domain:
 * "example.com" for "mail.example.com" when the feature (a parameter name)
 * is listed in parent_domain_matches_subdomains, else ".example.com". */
#ifndef MAPS_ADDR_H
#define MAPS_ADDR_H
#include "maps.h"

/* maps_find_addr - look up address in order. When the match used a form
 * without the extension, *extp (if extp is not NULL) receives a copy of the
 * extension including its delimiter ("+foo"), for the caller to propagate;
 * otherwise *extp is NULL. The caller frees *extp. maps->error as in
 * maps_find. */
const char *maps_find_addr(MAPS *maps, const char *address, int local,
                           char **extp);

/* maps_find_domain - look up a domain name and its parents in order */
const char *maps_find_domain(MAPS *maps, const char *domain,
                             const char *feature);

/* parent_domain_matches - feature is listed in
 * parent_domain_matches_subdomains */
int     parent_domain_matches(const char *feature);

/* split_addr_ext - the offset of the extension (the delimiter byte) in a
 * local part, or 0 when there is none; delimiters is recipient_delimiter */
size_t  split_addr_ext(const char *localpart, size_t len,
                       const char *delimiters);

#endif
