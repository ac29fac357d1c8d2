/* dict_stage - the in-memory entries of an indexed table being written.
 *
 * postmap and postalias never change a published index in place: a writer
 * collects every entry here (the old ones first, for incremental changes),
 * then writes a fresh index from it in one pass (see dict_index.h). Keys
 * and values are byte strings (a trailing NUL, when the table stores one,
 * is part of them). A hash index finds duplicates as they arrive; the
 * entries can then be walked in insertion order (cdb) or in key order
 * (LMDB, which appends sorted keys much faster than random ones). */
#ifndef DICT_STAGE_H
#define DICT_STAGE_H
#include <stddef.h>

typedef struct DICT_STAGE DICT_STAGE;

/* One entry as the walk function sees it. */
typedef struct DICT_STAGE_ENTRY {
    const char *key;
    size_t  klen;
    const char *value;
    size_t  vlen;
} DICT_STAGE_ENTRY;

/* dict_stage_put results */
#define DICT_STAGE_ADDED    0           /* a new key */
#define DICT_STAGE_EXISTS   1           /* the key was there (kept/replaced) */

/* dict_stage_walk orders */
#define DICT_STAGE_INSERTED 0           /* order of first insertion */
#define DICT_STAGE_SORTED   1           /* bytewise key order, shorter first */

typedef int (*DICT_STAGE_FN) (const DICT_STAGE_ENTRY *entry, void *ctx);

DICT_STAGE *dict_stage_create(void);
void    dict_stage_free(DICT_STAGE *stage);

/* dict_stage_put - add key; an existing key gets the new value only when
 * replace is set */
int     dict_stage_put(DICT_STAGE *stage, const void *key, size_t klen,
                       const void *value, size_t vlen, int replace);

/* dict_stage_get - the value of key (not NUL-terminated unless stored so),
 * or NULL */
const char *dict_stage_get(DICT_STAGE *stage, const void *key, size_t klen,
                           size_t *vlen);

/* dict_stage_del - 0 deleted, 1 not found */
int     dict_stage_del(DICT_STAGE *stage, const void *key, size_t klen);

/* dict_stage_count - live entries; dict_stage_bytes - their key and value
 * bytes together */
size_t  dict_stage_count(const DICT_STAGE *stage);
size_t  dict_stage_bytes(const DICT_STAGE *stage);

/* dict_stage_walk - call fn for every live entry in the given order; stops
 * at the first non-zero result of fn and returns it, else 0 */
int     dict_stage_walk(DICT_STAGE *stage, int order, DICT_STAGE_FN fn,
                        void *ctx);

#endif
