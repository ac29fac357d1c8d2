/* canon_addr - canonical address mapping through three table lists (see
 * canon_addr.h for the rules, observed from Postfix 3.7.11's cleanup).
 *
 * A CANON_ADDR holds the lists in the order they apply (sender_, then
 * recipient_, then canonical_maps), each with the classes it serves; one
 * function maps an address through one list. Peers: addr_map. */
#include <string.h>

#include "canon_addr.h"
#include "msg.h"
#include "mymalloc.h"

/* One table list and the classes it applies to. */
typedef struct CANON_LIST {
    MAPS   *maps;                       /* NULL: no tables */
    int     classes;
} CANON_LIST;

#define CANON_LISTS 3

struct CANON_ADDR {
    ADDR_MAP_SETTINGS lookup;
    bool    propagate;
    CANON_LIST lists[CANON_LISTS];      /* in the order they apply */
};

/* canon_list_init - open one list; -1 with *why for bad classes */
static int
canon_list_init(CANON_LIST *list, const char *maps_title,
                const char *maps_value, const char *classes, int allowed,
                BUF *why)
{
    /* Postfix names canonical_classes for all three class lists. */
    if (addr_map_classes("canonical_classes", classes ? classes : "",
                         allowed, &list->classes, why) < 0)
        return -1;
    list->maps = addr_map_open(maps_title, maps_value);
    return 0;
}

/* canon_addr_create - parse the classes, open the tables */
CANON_ADDR *
canon_addr_create(const CANON_ADDR_SETTINGS *sp, BUF *why)
{
    CANON_ADDR *canon = mycalloc(1, sizeof(*canon));
    int     ext;

    canon->lookup = sp->lookup;
    if (addr_map_propagate(sp->propagate_unmatched_extensions ?
                        sp->propagate_unmatched_extensions : "", &ext, why)
        < 0
        || canon_list_init(canon->lists + 0, "sender_canonical_maps",
                           sp->sender_canonical_maps,
                           sp->sender_canonical_classes,
                           ADDR_CLASS_SENDER, why) < 0
        || canon_list_init(canon->lists + 1, "recipient_canonical_maps",
                           sp->recipient_canonical_maps,
                           sp->recipient_canonical_classes,
                           ADDR_CLASS_RCPT, why) < 0
        || canon_list_init(canon->lists + 2, "canonical_maps",
                           sp->canonical_maps, sp->canonical_classes,
                           ADDR_CLASS_ALL, why) < 0) {
        canon_addr_free(canon);
        return NULL;
    }
    canon->propagate = (ext & ADDR_MAP_EXT_CANONICAL) != 0;
    return canon;
}

/* canon_addr_free - close the tables */
void
canon_addr_free(CANON_ADDR *canon)
{
    int     i;

    for (i = 0; i < CANON_LISTS; i++)
        if (canon->lists[i].maps)
            maps_free(canon->lists[i].maps);
    myfree(canon);
}

/* canon_map_once - one lookup: 1 changed, 0 done, -1 failed */
static int
canon_map_once(CANON_ADDR *canon, MAPS *maps, const char *log_id,
               BUF *result, BUF *why)
{
    int     status;
    int     changed;
    ARGV   *found = addr_map(maps, &canon->lookup, buf_str(result),
                             canon->propagate, &status);

    if (status == ADDR_MAP_RETRY) {
        buf_sprintf(why, "%s map lookup problem for %s", maps->title,
                    buf_str(result));
        return -1;
    }
    if (found == NULL)
        return 0;
    if (found->argc > 1)
        msg_warn("%s: multi-valued %s entry for %s", log_id, maps->title,
                 buf_str(result));
    changed = strcmp(found->argv[0], buf_str(result)) != 0;
    if (changed)
        buf_strcpy(result, found->argv[0]);
    argv_free(found);
    return changed;
}

/* canon_map_list - map result through one list while it changes */
static int
canon_map_list(CANON_ADDR *canon, MAPS *maps, const char *log_id,
               BUF *result, BUF *why)
{
    int     count;
    int     status;

    for (count = 0; count < CANON_ADDR_NESTING; count++)
        if ((status = canon_map_once(canon, maps, log_id, result, why)) <= 0)
            return status;
    msg_warn("%s: unreasonable %s map nesting for %s -- message not "
             "accepted, try again later", log_id, maps->title,
             buf_str(result));
    return 0;
}

/* canon_addr_map - every list that applies to the class, in order */
int
canon_addr_map(CANON_ADDR *canon, int addr_class, const char *log_id,
               const char *addr, BUF *result, BUF *why)
{
    const CANON_LIST *list;
    int     i;

    buf_strcpy(result, addr);
    for (i = 0; i < CANON_LISTS; i++) {
        list = canon->lists + i;
        if (list->maps && (list->classes & addr_class)
            && canon_map_list(canon, list->maps, log_id, result, why) < 0)
            return -1;
    }
    return strcmp(buf_str(result), addr) != 0;
}
