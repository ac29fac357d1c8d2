/* dict_types - the table types that dict_registry.c lists, one per
 * dict_<type>.c file. A new type adds its line here and in the registry. */
#ifndef DICT_TYPES_H
#define DICT_TYPES_H
#include "dict.h"

extern const DICT_TYPE dict_type_cdb;
extern const DICT_TYPE dict_type_cidr;
extern const DICT_TYPE dict_type_environ;
extern const DICT_TYPE dict_type_fail;
extern const DICT_TYPE dict_type_hash;
extern const DICT_TYPE dict_type_inline;
extern const DICT_TYPE dict_type_lmdb;
extern const DICT_TYPE dict_type_pcre;
extern const DICT_TYPE dict_type_pipemap;
extern const DICT_TYPE dict_type_proxy;
extern const DICT_TYPE dict_type_regexp;
extern const DICT_TYPE dict_type_static;
extern const DICT_TYPE dict_type_texthash;
extern const DICT_TYPE dict_type_unionmap;
extern const DICT_TYPE dict_type_unix;

#endif
