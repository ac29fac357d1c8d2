/* mx_addr_list - the pure steps that order and cut an address list of
 * mx_addr.h: appending, shuffling, sorting by preference and address
 * family, truncating at this host's preference, balancing IPv4 against
 * IPv6 and the address limit. No DNS and no configuration here, so the
 * unit tests drive each step with a made-up list. */
#ifndef MX_ADDR_LIST_H
#define MX_ADDR_LIST_H

#include "mx_addr.h"

/* mx_addr_list_add - append one address (4 or 16 bytes by family) */
void    mx_addr_list_add(MX_ADDR_LIST *list, const char *name, unsigned pref,
                         int family, const void *addr);

/* mx_addr_list_shuffle - put the entries in a random order */
void    mx_addr_list_shuffle(MX_ADDR_LIST *list);

/* mx_addr_list_sort - stable sort by preference, then, at equal
 * preference, family first (AF_INET6 or AF_INET; AF_UNSPEC: no order) */
void    mx_addr_list_sort(MX_ADDR_LIST *list, int family);

/* mx_addr_list_truncate - drop every entry whose preference is pref or
 * worse (the list is sorted by preference) */
void    mx_addr_list_truncate(MX_ADDR_LIST *list, unsigned pref);

/* mx_addr_list_balance - when the list holds both families and more than
 * limit entries, keep limit entries with both families represented
 * (Postfix's smtp_balance_inet_protocols); the order is kept */
void    mx_addr_list_balance(MX_ADDR_LIST *list, size_t limit);

/* mx_addr_list_limit - keep the first limit entries (0: no limit) */
void    mx_addr_list_limit(MX_ADDR_LIST *list, size_t limit);

#endif
