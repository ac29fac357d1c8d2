/* dict_environ - environ:label, the process environment as a table: the
 * value of a key is getenv(key).
 *
 * The label is not used. A fixed-string table, so under DICT_FLAG_FOLD_FIX
 * (the default for daemons and postmap -q) dict.c lowercases the key and
 * only lowercase variable names can be found, as in Postfix. No update,
 * delete or sequence. */
#include <stdlib.h>
#include "dict_types.h"

/* dict_environ_lookup - the variable's value, or NULL when it is unset */
static const char *
dict_environ_lookup(DICT *dict, const char *key)
{
    return getenv(key);
}

/* dict_environ_open - a view of the environment */
static DICT *
dict_environ_open(const char *name, int open_flags, int dict_flags,
                  BUF *why)
{
    DICT   *dict;

    dict = dict_alloc(&dict_type_environ, name, sizeof(*dict), open_flags,
                      (dict_flags & ~DICT_FLAG_PATTERN) | DICT_FLAG_FIXED);
    dict->lookup = dict_environ_lookup;
    dict->close = dict_free;
    return dict;
}

const DICT_TYPE dict_type_environ = {
    .name = "environ",
    .open = dict_environ_open,
};
