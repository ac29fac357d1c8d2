/* maps - a list of lookup tables searched in order, as every parameter that
 * takes tables ("virtual_alias_maps = lmdb:/etc/x, pcre:/etc/y") uses them.
 *
 * maps_create never fails: a table that cannot be opened is logged and
 * replaced by one that answers every lookup with DICT_ERR_RETRY, so mail is
 * deferred, never misrouted, until the administrator fixes the table (as
 * Postfix does). maps_find stops at the first table that has the key, or at
 * the first table that fails. */
#ifndef MAPS_H
#define MAPS_H
#include "dict.h"

typedef struct MAPS {
    char   *title;                      /* parameter name, for messages */
    DICT  **dicts;
    int     count;
    int     error;                      /* DICT_ERR_* of the last search */
} MAPS;

/* maps_create - open every "type:name" of the comma/space separated list
 * (braced names such as "inline:{ a=b, c=d }" are one table) */
MAPS   *maps_create(const char *title, const char *map_names, int dict_flags);

/* maps_find - the value of key in the first table that has it, or NULL;
 * flags DICT_FLAG_FIXED skips pattern tables (for partial keys such as
 * "@domain" or ".example.com"). NULL with maps->error != DICT_ERR_NONE is
 * a temporary failure, never "not found". */
const char *maps_find(MAPS *maps, const char *key, int flags);

void    maps_free(MAPS *maps);

/* maps_changed - the name ("type:name") of a table opened through any MAPS
 * of this process that changed on disk since it was opened, or NULL.
 * Long-running daemons call it between requests and exit to be restarted
 * with fresh tables when it says so. */
const char *maps_changed(void);

/* dict_surrogate - a table that fails every lookup with DICT_ERR_RETRY and
 * logs why; what maps_create uses in place of a table that cannot be
 * opened */
DICT   *dict_surrogate(const char *spec, int open_flags, int dict_flags,
                       const char *why);

#endif
