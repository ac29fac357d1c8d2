/* dict_registry - the one list of table types, by name.
 *
 * Order is the order `postconf -m` prints. Database-backed types (pgsql,
 * mysql, sqlite, ldap, socketmap, tcp) add their DICT_TYPE here. */
#include <string.h>
#include "dict_types.h"

static const DICT_TYPE *const dict_types[] = {
    &dict_type_cdb,
    &dict_type_cidr,
    &dict_type_environ,
    &dict_type_fail,
    &dict_type_hash,
    &dict_type_inline,
    &dict_type_lmdb,
    &dict_type_pcre,
    &dict_type_pipemap,
    &dict_type_proxy,
    &dict_type_regexp,
    &dict_type_static,
    &dict_type_texthash,
    &dict_type_unionmap,
    &dict_type_unix,
    NULL,
};

/* dict_type_find - look up a type by name */
const DICT_TYPE *
dict_type_find(const char *name)
{
    const DICT_TYPE *const *tp;

    for (tp = dict_types; *tp; tp++)
        if (strcmp((*tp)->name, name) == 0)
            return *tp;
    return NULL;
}

/* dict_type_list - every registered type */
const DICT_TYPE *const *
dict_type_list(void)
{
    return dict_types;
}
