/* dict_unionmap - unionmap:{ type:name, type:name, ... }: the key is looked
 * up in every member, and the values found are joined with ",", in member
 * order. Not found when no member has the key; an error in any member is
 * the union's error. Members are handled by dict_composite.c. */
#include "dict_composite.h"
#include "dict_types.h"

/* dict_unionmap_lookup - every member's value, joined */
static const char *
dict_unionmap_lookup(DICT *dict, const char *key)
{
    DICT_COMPOSITE *dc = (DICT_COMPOSITE *) dict;
    BUF    *joined = buf_alloc(64);
    const char *value;
    DICT   *member;
    int     found = 0;

    /* A new buffer each time: key may be the previous answer. */
    for (int i = 0; i < dc->count; i++) {
        member = dc->members[i];
        if ((value = dict_get(member, key)) != NULL) {
            if (found++)
                buf_addch(joined, ',');
            buf_strcat(joined, value);
        } else if (member->error != DICT_ERR_NONE) {
            dict->error = member->error;
            buf_free(joined);
            return NULL;
        }
    }
    if (!found) {
        buf_free(joined);
        return NULL;
    }
    if (dc->result)
        buf_free(dc->result);
    dc->result = joined;
    return buf_str(joined);
}

/* dict_type_unionmap - opened by dict_composite_open */
DICT_COMPOSITE_TYPE(dict_type_unionmap, "unionmap", dict_unionmap_lookup);
