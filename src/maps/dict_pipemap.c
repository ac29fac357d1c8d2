/* dict_pipemap - pipemap:{ type:name, type:name, ... }: the key is looked
 * up in the first member, its value in the second, and so on; the last
 * member's value is the answer. Not found as soon as a member does not
 * have its key (later members are not asked); an error in a member is the
 * pipe's error. Members are handled by dict_composite.c. */
#include "dict_composite.h"
#include "dict_types.h"

/* dict_pipemap_lookup - feed each member's value to the next */
static const char *
dict_pipemap_lookup(DICT *dict, const char *key)
{
    DICT_COMPOSITE *dc = (DICT_COMPOSITE *) dict;

    for (int i = 0; i < dc->count && key != NULL; i++) {
        if ((key = dict_get(dc->members[i], key)) == NULL)
            dict->error = dc->members[i]->error;
    }
    return key;
}

/* dict_type_pipemap - opened by dict_composite_open */
DICT_COMPOSITE_TYPE(dict_type_pipemap, "pipemap", dict_pipemap_lookup);
