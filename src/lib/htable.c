/* htable - string-keyed hash table with chaining.
 *
 * FNV-1a hashing with a per-process random seed, so a peer that picks keys
 * cannot force every key into one bucket. The table doubles when it is
 * fuller than one entry per bucket. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "htable.h"
#include "msg.h"
#include "mymalloc.h"

static uint64_t htable_seed;

/* htable_hash - seeded FNV-1a */
static size_t
htable_hash(const char *key, size_t size)
{
    uint64_t h = 1469598103934665603ULL ^ htable_seed;

    while (*key) {
        h ^= (unsigned char) *key++;
        h *= 1099511628211ULL;
    }
    return (size_t) (h % size);
}

/* htable_create - create an empty table */
HTABLE *
htable_create(size_t size)
{
    HTABLE *table = mymalloc(sizeof(*table));

    if (htable_seed == 0 && getrandom(&htable_seed, sizeof(htable_seed), 0) < 0)
        htable_seed = (uint64_t) (uintptr_t) table;
    table->size = size < 13 ? 13 : size;
    table->used = 0;
    table->buckets = mycalloc(table->size, sizeof(HTABLE_INFO *));
    return table;
}

/* htable_grow - rehash into twice as many buckets */
static void
htable_grow(HTABLE *table)
{
    size_t  new_size = table->size * 2 + 1;
    HTABLE_INFO **new_buckets = mycalloc(new_size, sizeof(HTABLE_INFO *));

    for (size_t i = 0; i < table->size; i++) {
        HTABLE_INFO *ht, *next;

        for (ht = table->buckets[i]; ht; ht = next) {
            size_t  n = htable_hash(ht->key, new_size);

            next = ht->next;
            ht->next = new_buckets[n];
            new_buckets[n] = ht;
        }
    }
    myfree(table->buckets);
    table->buckets = new_buckets;
    table->size = new_size;
}

/* htable_enter - add an entry; the key must not be present */
HTABLE_INFO *
htable_enter(HTABLE *table, const char *key, void *value)
{
    HTABLE_INFO *ht;
    size_t  n;

    if (table->used >= table->size)
        htable_grow(table);
    ht = mymalloc(sizeof(*ht));
    ht->key = mystrdup(key);
    ht->value = value;
    n = htable_hash(key, table->size);
    ht->next = table->buckets[n];
    table->buckets[n] = ht;
    table->used++;
    return ht;
}

/* htable_locate - find an entry */
HTABLE_INFO *
htable_locate(const HTABLE *table, const char *key)
{
    HTABLE_INFO *ht;

    for (ht = table->buckets[htable_hash(key, table->size)]; ht; ht = ht->next)
        if (strcmp(ht->key, key) == 0)
            return ht;
    return NULL;
}

/* htable_find - find a value, or NULL */
void *
htable_find(const HTABLE *table, const char *key)
{
    HTABLE_INFO *ht = htable_locate(table, key);

    return ht ? ht->value : NULL;
}

/* htable_delete - remove an entry, freeing its value with free_fn if given */
void
htable_delete(HTABLE *table, const char *key, HTABLE_FREE_FN free_fn)
{
    HTABLE_INFO **link = &table->buckets[htable_hash(key, table->size)];

    for (HTABLE_INFO *ht = *link; ht; link = &ht->next, ht = ht->next) {
        if (strcmp(ht->key, key) == 0) {
            *link = ht->next;
            if (free_fn)
                free_fn(ht->value);
            myfree(ht->key);
            myfree(ht);
            table->used--;
            return;
        }
    }
}

/* htable_free - destroy the table */
void
htable_free(HTABLE *table, HTABLE_FREE_FN free_fn)
{
    if (table == NULL)
        return;
    for (size_t i = 0; i < table->size; i++) {
        HTABLE_INFO *ht, *next;

        for (ht = table->buckets[i]; ht; ht = next) {
            next = ht->next;
            if (free_fn)
                free_fn(ht->value);
            myfree(ht->key);
            myfree(ht);
        }
    }
    myfree(table->buckets);
    myfree(table);
}

/* htable_compare - qsort by key */
static int
htable_compare(const void *a, const void *b)
{
    return strcmp((*(HTABLE_INFO * const *) a)->key,
                  (*(HTABLE_INFO * const *) b)->key);
}

/* htable_list - every entry sorted by key, NULL-terminated */
HTABLE_INFO **
htable_list(const HTABLE *table)
{
    HTABLE_INFO **list = myreallocarray(NULL, table->used + 1, sizeof(*list));
    size_t  count = 0;

    for (size_t i = 0; i < table->size; i++)
        for (HTABLE_INFO *ht = table->buckets[i]; ht; ht = ht->next)
            list[count++] = ht;
    qsort(list, count, sizeof(*list), htable_compare);
    list[count] = NULL;
    return list;
}
