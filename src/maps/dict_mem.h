/* dict_mem - an in-memory table of string keys and values: the store behind
 * the texthash and inline types, which read all their entries at open.
 *
 * The table is a fixed-string table (DICT_FLAG_FIXED): dict.c folds keys
 * when DICT_FLAG_FOLD_FIX is set, and dict_mem_enter folds the keys it is
 * given while loading. Duplicate keys follow the DICT_FLAG_DUP_* flags
 * (none set counts as DICT_FLAG_DUP_WARN). Lookup and sequence are always
 * there; update and delete only when the table is opened for writing.
 * dict_seq walks the keys in sorted order; a delete ends a walk in
 * progress. */
#ifndef DICT_MEM_H
#define DICT_MEM_H
#include "dict.h"

/* dict_mem_create - an empty table that answers as type:name */
DICT   *dict_mem_create(const DICT_TYPE *type, const char *name,
                        int open_flags, int dict_flags);

/* dict_mem_enter - add an entry while loading the table: the key is folded
 * under DICT_FLAG_FOLD_FIX, and a duplicate is reported as
 * "PATH:LINE: duplicate entry: "KEY"" (path may be NULL: then the table is
 * named). Returns 0 when stored, 1 for a duplicate that was kept. */
int     dict_mem_enter(DICT *dict, const char *key, const char *value,
                       const char *path, int lineno);

/* dict_mem_need_rdonly - 0 when open_flags only read; otherwise -1 with
 * *why, for types whose contents come from their source (texthash,
 * inline) and cannot be written */
int     dict_mem_need_rdonly(const DICT_TYPE *type, const char *name,
                             int open_flags, BUF *why);

#endif
