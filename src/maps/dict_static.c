/* dict_static - static:text or static:{text with spaces}: every key is
 * found, and the answer is always the text.
 *
 * dict.c hands over the name without the braces and trimmed, so the text
 * is the table's name. A fixed-string table: it may answer partial keys
 * too. No update, delete or sequence. */
#include "dict_types.h"

/* dict_static_lookup - the text, whatever the key */
static const char *
dict_static_lookup(DICT *dict, const char *key)
{
    return dict->name;
}

/* dict_static_open - a table that always answers with its name */
static DICT *
dict_static_open(const char *name, int open_flags, int dict_flags, BUF *why)
{
    DICT   *dict;

    dict = dict_alloc(&dict_type_static, name, sizeof(*dict), open_flags,
                      (dict_flags & ~DICT_FLAG_PATTERN) | DICT_FLAG_FIXED);
    dict->lookup = dict_static_lookup;
    dict->close = dict_free;
    return dict;
}

const DICT_TYPE dict_type_static = {
    .name = "static",
    .open = dict_static_open,
};
