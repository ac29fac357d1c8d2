/* maps - search a list of lookup tables in order.
 *
 * Every MAPS of the process is kept on one list so that maps_changed() can
 * tell a long-running daemon that a table it uses was rebuilt. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include "argv.h"
#include "mymalloc.h"
#include "msg.h"
#include "maps.h"

typedef struct MAPS_LINK {
    MAPS   *maps;
    struct MAPS_LINK *next;
} MAPS_LINK;

static MAPS_LINK *maps_all;             /* every live MAPS */

/* maps_open_one - open a table, or its stand-in when that fails */
static DICT *
maps_open_one(const char *title, const char *spec, int dict_flags)
{
    BUF    *why = buf_alloc(100);
    DICT   *dict;

    if ((dict = dict_open(spec, O_RDONLY, dict_flags, why)) == NULL) {
        msg_warn("%s: %s: %s", title, spec, buf_str(why));
        dict = dict_surrogate(spec, O_RDONLY, dict_flags, buf_str(why));
    }
    buf_free(why);
    return dict;
}

/* maps_create - open the tables of a list */
MAPS   *
maps_create(const char *title, const char *map_names, int dict_flags)
{
    MAPS   *maps = mymalloc(sizeof(*maps));
    MAPS_LINK *link = mymalloc(sizeof(*link));
    char   *names = mystrdup(map_names);
    char   *cp = names;
    char   *spec;
    const char *err;
    ARGV   *specs = argv_alloc(4);
    int     i;

    while ((spec = mystrtok_braced(&cp, LIST_DELIM, &err)) != NULL)
        argv_add(specs, spec);
    if (err != NULL) {
        msg_warn("%s: \"%s\": %s", title, map_names, err);
        argv_add(specs, map_names);
    }
    maps->title = mystrdup(title);
    maps->count = specs->argc;
    maps->dicts = mymalloc(sizeof(DICT *) * (specs->argc + 1));
    maps->error = DICT_ERR_NONE;
    for (i = 0; i < specs->argc; i++)
        maps->dicts[i] = maps_open_one(title, specs->argv[i], dict_flags);
    argv_free(specs);
    free(names);
    link->maps = maps;
    link->next = maps_all;
    maps_all = link;
    return maps;
}

/* maps_find - first table that has the key wins; an error stops the search */
const char *
maps_find(MAPS *maps, const char *key, int flags)
{
    const char *value;
    DICT   *dict;
    int     i;

    maps->error = DICT_ERR_NONE;
    if (*key == 0)
        return NULL;
    for (i = 0; i < maps->count; i++) {
        dict = maps->dicts[i];
        if ((flags & DICT_FLAG_FIXED) && (dict->flags & DICT_FLAG_PATTERN))
            continue;
        if ((value = dict_get(dict, key)) != NULL) {
            if (*value != 0)
                return value;
            msg_warn("table %s:%s: key %s: empty string result is not "
                     "allowed", dict->type->name, dict->name, key);
            maps->error = DICT_ERR_CONFIG;
            return NULL;
        }
        if (dict->error != DICT_ERR_NONE) {
            msg_warn("%s:%s lookup error for \"%s\"",
                     dict->type->name, dict->name, key);
            maps->error = dict->error;
            return NULL;
        }
    }
    return NULL;
}

/* maps_free - close the tables and forget the list */
void
maps_free(MAPS *maps)
{
    MAPS_LINK **lp;
    MAPS_LINK *link;
    int     i;

    for (lp = &maps_all; (link = *lp) != NULL; lp = &link->next) {
        if (link->maps == maps) {
            *lp = link->next;
            free(link);
            break;
        }
    }
    for (i = 0; i < maps->count; i++)
        dict_close(maps->dicts[i]);
    free(maps->dicts);
    free(maps->title);
    free(maps);
}

/* maps_changed - name a table of this process that changed on disk */
const char *
maps_changed(void)
{
    static BUF *name;
    MAPS_LINK *link;
    DICT   *dict;
    int     i;

    for (link = maps_all; link; link = link->next) {
        for (i = 0; i < link->maps->count; i++) {
            dict = link->maps->dicts[i];
            if (dict_changed(dict)) {
                if (name == NULL)
                    name = buf_alloc(100);
                buf_sprintf(name, "%s:%s", dict->type->name, dict->name);
                return buf_str(name);
            }
        }
    }
    return NULL;
}
