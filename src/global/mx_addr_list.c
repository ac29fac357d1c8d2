/* mx_addr_list - the pure steps that order and cut an address list.
 *
 * The list is an array; every step rewrites it in place. Sorting is a
 * stable insertion sort: lists are short (DNS_RR_LIMIT entries at most)
 * and stability keeps the shuffled order among equals. */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "mx_addr_list.h"
#include "mymalloc.h"

/* mx_addr_list_add - append one address */
void
mx_addr_list_add(MX_ADDR_LIST *list, const char *name, unsigned pref,
                 int family, const void *addr)
{
    MX_ADDR *ap;

    list->addr = myreallocarray(list->addr, list->count + 1,
                                sizeof(MX_ADDR));
    ap = list->addr + list->count++;
    memset(ap, 0, sizeof(*ap));
    ap->name = mystrdup(name);
    ap->pref = pref;
    ap->family = family;
    if (family == AF_INET)
        memcpy(&ap->addr.v4, addr, sizeof(ap->addr.v4));
    else
        memcpy(&ap->addr.v6, addr, sizeof(ap->addr.v6));
}

/* mx_addr_list_shuffle - Fisher-Yates with the kernel's randomness */
void
mx_addr_list_shuffle(MX_ADDR_LIST *list)
{
    MX_ADDR tmp;

    for (size_t i = list->count; i > 1; i--) {
        size_t  j = arc4random_uniform((uint32_t) i);

        tmp = list->addr[i - 1];
        list->addr[i - 1] = list->addr[j];
        list->addr[j] = tmp;
    }
}

/* mx_addr_before - whether a goes strictly before b */
static int
mx_addr_before(const MX_ADDR *a, const MX_ADDR *b, int family)
{
    if (a->pref != b->pref)
        return a->pref < b->pref;
    return family != AF_UNSPEC && a->family == family && b->family != family;
}

/* mx_addr_list_sort - stable sort by preference, then family */
void
mx_addr_list_sort(MX_ADDR_LIST *list, int family)
{
    MX_ADDR tmp;
    size_t  j;

    for (size_t i = 1; i < list->count; i++) {
        tmp = list->addr[i];
        for (j = i; j > 0 && mx_addr_before(&tmp, list->addr + j - 1, family);
             j--)
            list->addr[j] = list->addr[j - 1];
        list->addr[j] = tmp;
    }
}

/* mx_addr_list_cut - free the entries from index keep on */
static void
mx_addr_list_cut(MX_ADDR_LIST *list, size_t keep)
{
    for (size_t i = keep; i < list->count; i++)
        myfree(list->addr[i].name);
    if (keep < list->count)
        list->count = keep;
}

/* mx_addr_list_free - release what mx_addr_lookup filled in */
void
mx_addr_list_free(MX_ADDR_LIST *list)
{
    mx_addr_list_cut(list, 0);
    myfree(list->addr);
    list->addr = NULL;
}

/* mx_addr_list_truncate - drop entries of preference pref or worse */
void
mx_addr_list_truncate(MX_ADDR_LIST *list, unsigned pref)
{
    size_t  keep = 0;

    while (keep < list->count && list->addr[keep].pref < pref)
        keep++;
    mx_addr_list_cut(list, keep);
}

/* mx_addr_list_limit - keep the first limit entries */
void
mx_addr_list_limit(MX_ADDR_LIST *list, size_t limit)
{
    if (limit > 0)
        mx_addr_list_cut(list, limit);
}

/* mx_addr_list_balance - keep both families within the limit */
void
mx_addr_list_balance(MX_ADDR_LIST *list, size_t limit)
{
    size_t  v4 = 0;
    size_t  v6 = 0;
    size_t  want4;
    size_t  want6;
    size_t  out = 0;

    for (size_t i = 0; i < list->count; i++)
        list->addr[i].family == AF_INET ? v4++ : v6++;
    if (limit == 0 || v4 == 0 || v6 == 0 || v4 + v6 <= limit)
        return;
    if (v6 <= limit / 2) {
        want4 = limit - v6;
        want6 = v6;
    } else if (v4 <= limit / 2) {
        want4 = v4;
        want6 = limit - v4;
    } else {
        want4 = (limit + (list->addr[0].family == AF_INET)) / 2;
        want6 = limit - want4;
    }
    for (size_t i = 0; i < list->count; i++) {
        size_t *want = list->addr[i].family == AF_INET ? &want4 : &want6;

        if (*want > 0) {
            (*want)--;
            list->addr[out++] = list->addr[i];
        } else {
            myfree(list->addr[i].name);
        }
    }
    list->count = out;
}
