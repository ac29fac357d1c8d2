/* dict_mem - in-memory table on a string hash table (htable.h).
 *
 * Keys and values are copied into the table; lookup results point into it
 * and stay valid until that entry is replaced or deleted. A sequence walk
 * works on a sorted snapshot of the entries (htable_list), so its order
 * does not depend on the hash seed. Peers: dict_texthash.c and
 * dict_inline.c fill a table at open and then only read it. */
#include <fcntl.h>
#include <stdlib.h>
#include "htable.h"
#include "msg.h"
#include "mymalloc.h"
#include "dict_mem.h"

typedef struct DICT_MEM {
    DICT    dict;
    HTABLE *table;                      /* key -> mystrdup'd value */
    HTABLE_INFO **walk;                 /* sequence snapshot, or NULL */
    size_t  walk_pos;
} DICT_MEM;

/* dict_mem_lookup - the value stored for key, or NULL */
static const char *
dict_mem_lookup(DICT *dict, const char *key)
{
    DICT_MEM *dm = (DICT_MEM *) dict;

    return htable_find(dm->table, key);
}

/* dict_mem_dup_warn - report a duplicate key where it was found */
static void
dict_mem_dup_warn(DICT *dict, const char *key, const char *path, int lineno)
{
    if (path != NULL)
        msg_warn("%s:%d: duplicate entry: \"%s\"", path, lineno, key);
    else
        msg_warn("table %s:%s: duplicate entry: \"%s\"",
                 dict->type->name, dict->name, key);
}

/* dict_mem_store - store key (already folded as needed); shown is the key
 * as the input spelled it, for the duplicate warning */
static int
dict_mem_store(DICT *dict, const char *key, const char *value,
               const char *shown, const char *path, int lineno)
{
    DICT_MEM *dm = (DICT_MEM *) dict;
    HTABLE_INFO *ht = htable_locate(dm->table, key);

    if (ht == NULL) {
        htable_enter(dm->table, key, mystrdup(value));
        return 0;
    }
    if (dict->flags & DICT_FLAG_DUP_REPLACE) {
        myfree(ht->value);
        ht->value = mystrdup(value);
        return 0;
    }
    if (!(dict->flags & DICT_FLAG_DUP_IGNORE))
        dict_mem_dup_warn(dict, shown, path, lineno);
    return 1;
}

/* dict_mem_update - the update method (dict.c has folded the key) */
static int
dict_mem_update(DICT *dict, const char *key, const char *value)
{
    return dict_mem_store(dict, key, value, key, NULL, 0);
}

/* dict_mem_walk_end - forget the sequence snapshot */
static void
dict_mem_walk_end(DICT_MEM *dm)
{
    myfree(dm->walk);
    dm->walk = NULL;
}

/* dict_mem_delete - remove key; 0 deleted, 1 not found */
static int
dict_mem_delete(DICT *dict, const char *key)
{
    DICT_MEM *dm = (DICT_MEM *) dict;

    if (htable_locate(dm->table, key) == NULL)
        return 1;
    dict_mem_walk_end(dm);
    htable_delete(dm->table, key, myfree);
    return 0;
}

/* dict_mem_sequence - walk the entries in key order; 0 entry, 1 at end */
static int
dict_mem_sequence(DICT *dict, int func, const char **key, const char **value)
{
    DICT_MEM *dm = (DICT_MEM *) dict;
    HTABLE_INFO *ht;

    if (func == DICT_SEQ_FIRST) {
        dict_mem_walk_end(dm);
        dm->walk = htable_list(dm->table);
        dm->walk_pos = 0;
    } else if (func != DICT_SEQ_NEXT) {
        msg_panic("dict_mem_sequence: unknown function %d", func);
    }
    if (dm->walk == NULL)
        return 1;
    if ((ht = dm->walk[dm->walk_pos]) == NULL) {
        dict_mem_walk_end(dm);
        return 1;
    }
    dm->walk_pos++;
    *key = ht->key;
    *value = ht->value;
    return 0;
}

/* dict_mem_close - free the entries and the table */
static void
dict_mem_close(DICT *dict)
{
    DICT_MEM *dm = (DICT_MEM *) dict;

    dict_mem_walk_end(dm);
    htable_free(dm->table, myfree);
    dict_free(dict);
}

/* dict_mem_create - an empty table */
DICT   *
dict_mem_create(const DICT_TYPE *type, const char *name, int open_flags,
                int dict_flags)
{
    DICT_MEM *dm;

    dm = (DICT_MEM *) dict_alloc(type, name, sizeof(*dm), open_flags,
                                 (dict_flags & ~DICT_FLAG_PATTERN)
                                 | DICT_FLAG_FIXED);
    dm->table = htable_create(13);
    dm->dict.lookup = dict_mem_lookup;
    dm->dict.sequence = dict_mem_sequence;
    dm->dict.close = dict_mem_close;
    if ((open_flags & O_ACCMODE) != O_RDONLY) {
        dm->dict.update = dict_mem_update;
        dm->dict.delete = dict_mem_delete;
    }
    return &dm->dict;
}

/* dict_mem_enter - add an entry while loading */
int
dict_mem_enter(DICT *dict, const char *key, const char *value,
               const char *path, int lineno)
{
    const char *stored = key;

    if (dict->flags & DICT_FLAG_FOLD_FIX)
        stored = dict_fold(dict, key);
    return dict_mem_store(dict, stored, value, key, path, lineno);
}

/* dict_mem_need_rdonly - refuse to open a loaded table for writing */
int
dict_mem_need_rdonly(const DICT_TYPE *type, const char *name,
                     int open_flags, BUF *why)
{
    if ((open_flags & O_ACCMODE) == O_RDONLY
        && !(open_flags & (O_CREAT | O_TRUNC)))
        return 0;
    buf_sprintf(why, "%s:%s map requires O_RDONLY access mode",
                type->name, name);
    return -1;
}
