/* dict_fail - fail:label, a table whose every operation fails with a
 * temporary error (DICT_ERR_RETRY), e.g. to defer mail on purpose.
 *
 * The label only names the table in messages. Like Postfix's, the table is
 * marked as a pattern table, so lookups of partial keys (maps_find with
 * DICT_FLAG_FIXED) pass it by. Sequence always fails; update and delete
 * exist, and fail, when the table is opened for writing. */
#include <fcntl.h>
#include "dict_types.h"

/* dict_fail_lookup - fail the lookup */
static const char *
dict_fail_lookup(DICT *dict, const char *key)
{
    dict->error = DICT_ERR_RETRY;
    return NULL;
}

/* dict_fail_update - fail the update */
static int
dict_fail_update(DICT *dict, const char *key, const char *value)
{
    dict->error = DICT_ERR_RETRY;
    return -1;
}

/* dict_fail_delete - fail the delete */
static int
dict_fail_delete(DICT *dict, const char *key)
{
    dict->error = DICT_ERR_RETRY;
    return -1;
}

/* dict_fail_sequence - fail the walk */
static int
dict_fail_sequence(DICT *dict, int func, const char **key,
                   const char **value)
{
    dict->error = DICT_ERR_RETRY;
    return -1;
}

/* dict_fail_open - a table that fails everything */
static DICT *
dict_fail_open(const char *name, int open_flags, int dict_flags, BUF *why)
{
    DICT   *dict;

    dict = dict_alloc(&dict_type_fail, name, sizeof(*dict), open_flags,
                      (dict_flags & ~DICT_FLAG_FIXED) | DICT_FLAG_PATTERN);
    dict->lookup = dict_fail_lookup;
    dict->sequence = dict_fail_sequence;
    dict->close = dict_free;
    if ((open_flags & O_ACCMODE) != O_RDONLY) {
        dict->update = dict_fail_update;
        dict->delete = dict_fail_delete;
    }
    return dict;
}

const DICT_TYPE dict_type_fail = {
    .name = "fail",
    .open = dict_fail_open,
};
