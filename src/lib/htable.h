/* htable - string-keyed hash table (keys are copied, values are not). */
#ifndef HTABLE_H
#define HTABLE_H

#include <stddef.h>

typedef struct HTABLE_INFO {
    char   *key;
    void   *value;
    struct HTABLE_INFO *next;           /* same bucket */
} HTABLE_INFO;

typedef struct HTABLE {
    size_t  size;                       /* buckets */
    size_t  used;                       /* entries */
    HTABLE_INFO **buckets;
} HTABLE;

typedef void (*HTABLE_FREE_FN) (void *value);

HTABLE *htable_create(size_t size);
void    htable_free(HTABLE *table, HTABLE_FREE_FN free_fn);
HTABLE_INFO *htable_enter(HTABLE *table, const char *key, void *value);
HTABLE_INFO *htable_locate(const HTABLE *table, const char *key);
void   *htable_find(const HTABLE *table, const char *key);
void    htable_delete(HTABLE *table, const char *key, HTABLE_FREE_FN free_fn);

/* htable_list - all entries, NULL-terminated, sorted by key; caller frees
 * the array (not the entries) with myfree() */
HTABLE_INFO **htable_list(const HTABLE *table);

#endif
