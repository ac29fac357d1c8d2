/* virtual_expand - virtual alias expansion (see virtual_expand.h for the
 * rules, observed from Postfix 3.7.11's cleanup).
 *
 * One ARGV is the work list; an htable remembers the addresses that
 * mapped to themselves. Each entry is expanded in place (first result)
 * while the others are appended, then the list loses its duplicates.
 * Peers: addr_map, htable. */
#include <string.h>

#include "htable.h"
#include "mymalloc.h"
#include "virtual_expand.h"

struct VIRTUAL_EXPAND {
    MAPS   *maps;                       /* NULL: no tables */
    ADDR_MAP_SETTINGS lookup;
    bool    propagate;
    int     recursion_limit;
    int     expansion_limit;
    int     address_length_limit;
};

/* One expansion in progress. */
typedef struct VIRTUAL_STATE {
    VIRTUAL_EXPAND *expand;
    const char *recipient;              /* what is being expanded */
    ARGV   *list;                       /* the work list */
    HTABLE *kept;                       /* addresses that map to themselves */
    BUF    *why;
} VIRTUAL_STATE;

/* virtual_expand_create - open the tables */
VIRTUAL_EXPAND *
virtual_expand_create(const VIRTUAL_EXPAND_SETTINGS *sp, BUF *why)
{
    VIRTUAL_EXPAND *expand;
    int     ext;

    if (addr_map_propagate(sp->propagate_unmatched_extensions ?
                        sp->propagate_unmatched_extensions : "", &ext, why)
        < 0)
        return NULL;
    expand = mymalloc(sizeof(*expand));
    expand->maps = addr_map_open("virtual_alias_maps",
                                 sp->virtual_alias_maps);
    expand->lookup = sp->lookup;
    expand->propagate = (ext & ADDR_MAP_EXT_VIRTUAL) != 0;
    expand->recursion_limit = sp->recursion_limit;
    expand->expansion_limit = sp->expansion_limit;
    expand->address_length_limit = sp->address_length_limit;
    return expand;
}

/* virtual_expand_free - close the tables */
void
virtual_expand_free(VIRTUAL_EXPAND *expand)
{
    if (expand->maps)
        maps_free(expand->maps);
    myfree(expand);
}

/* check_lengths - every result is short enough; -1 with *why if not */
static int
check_lengths(VIRTUAL_STATE *st, const ARGV *results)
{
    int     i;

    for (i = 0; i < results->argc; i++) {
        if (strlen(results->argv[i])
            > (size_t) st->expand->address_length_limit) {
            buf_sprintf(st->why, "unreasonable %s result %.300s...",
                        st->expand->maps->title, results->argv[i]);
            return -1;
        }
    }
    return 0;
}

/* replace_entry - entry = first result, the others to the end; an
 * address among its own results is kept from now on */
static void
replace_entry(VIRTUAL_STATE *st, int entry, const ARGV *results)
{
    ARGV   *list = st->list;
    int     i;

    for (i = 0; i < results->argc; i++)
        if (strcmp(results->argv[i], list->argv[entry]) == 0
            && htable_locate(st->kept, list->argv[entry]) == NULL)
            htable_enter(st->kept, list->argv[entry], NULL);
    myfree(list->argv[entry]);
    list->argv[entry] = mystrdup(results->argv[0]);
    for (i = 1; i < results->argc; i++)
        argv_add(list, results->argv[i]);
}

/* expand_entry - expand one entry of the list in place */
static int
expand_entry(VIRTUAL_STATE *st, int entry)
{
    VIRTUAL_EXPAND *expand = st->expand;
    ARGV   *results;
    int     count;
    int     status;

    for (count = 0; /* void */ ; count++) {
        if (htable_locate(st->kept, st->list->argv[entry]))
            return VIRTUAL_EXPAND_OK;
        if (count >= expand->recursion_limit) {
            buf_sprintf(st->why, "unreasonable %s map nesting for %s",
                        expand->maps->title, st->recipient);
            return VIRTUAL_EXPAND_LIMIT;
        }
        results = addr_map(expand->maps, &expand->lookup,
                           st->list->argv[entry], expand->propagate,
                           &status);
        if (status == ADDR_MAP_RETRY) {
            buf_sprintf(st->why, "%s map lookup problem for %s",
                        expand->maps->title, st->recipient);
            return VIRTUAL_EXPAND_RETRY;
        }
        if (results == NULL)
            return VIRTUAL_EXPAND_OK;
        if (check_lengths(st, results) < 0) {
            argv_free(results);
            return VIRTUAL_EXPAND_LIMIT;
        }
        replace_entry(st, entry, results);
        argv_free(results);
    }
}

/* expand_list - expand every entry, the list growing as it goes */
static int
expand_list(VIRTUAL_STATE *st)
{
    int     entry;
    int     status;

    for (entry = 0; entry < st->list->argc; entry++) {
        if (st->list->argc > st->expand->expansion_limit) {
            buf_sprintf(st->why, "unreasonable %s map expansion size for %s",
                        st->expand->maps->title, st->recipient);
            return VIRTUAL_EXPAND_LIMIT;
        }
        if ((status = expand_entry(st, entry)) != VIRTUAL_EXPAND_OK)
            return status;
    }
    return VIRTUAL_EXPAND_OK;
}

/* unique - the list without repeated addresses, first ones kept */
static ARGV *
unique(const ARGV *list)
{
    ARGV   *out = argv_alloc(list->argc);
    HTABLE *seen = htable_create(list->argc + 1);
    int     i;

    for (i = 0; i < list->argc; i++) {
        if (htable_locate(seen, list->argv[i]) == NULL) {
            htable_enter(seen, list->argv[i], NULL);
            argv_add(out, list->argv[i]);
        }
    }
    htable_free(seen, NULL);
    return out;
}

/* virtual_expand - the final recipients of addr */
ARGV   *
virtual_expand(VIRTUAL_EXPAND *expand, const char *addr, int *status,
               BUF *why)
{
    VIRTUAL_STATE st;
    ARGV   *result = NULL;

    st.expand = expand;
    st.recipient = addr;
    st.list = argv_alloc(4);
    st.kept = htable_create(4);
    st.why = why;
    argv_add(st.list, addr);
    *status = expand->maps ? expand_list(&st) : VIRTUAL_EXPAND_OK;
    if (*status == VIRTUAL_EXPAND_OK)
        result = unique(st.list);
    argv_free(st.list);
    htable_free(st.kept, NULL);
    return result;
}
