/* dict_stage - in-memory entries of an indexed table being written.
 *
 * Key and value bytes live in large arena blocks (one allocation per
 * megabyte, not per entry); entries are an array in insertion order. While
 * keys arrive in sorted order (a sorted source file) nothing more is
 * needed: a binary search finds a key and the walk in key order needs no
 * sort. From the first key out of order on, an open-addressing hash table
 * of entry numbers finds keys. A deleted entry keeps its place (value
 * NULL) so the hash table needs no tombstones. Peers: dict_index.c (the
 * writer), dict_lmdb.c and dict_cdb.c (the walks that write a file). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "msg.h"
#include "mymalloc.h"
#include "dict_stage.h"

#define STAGE_BLOCK_SIZE    (1024 * 1024)
#define STAGE_MIN_SLOTS     1024

typedef struct STAGE_BLOCK {
    struct STAGE_BLOCK *next;
    size_t  used;
    size_t  cap;
    char    data[];
} STAGE_BLOCK;

typedef struct STAGE_SLOT {
    uint32_t entry;                     /* entry number + 1; 0: empty */
    uint32_t hash;
} STAGE_SLOT;

struct DICT_STAGE {
    STAGE_BLOCK *blocks;                /* newest first */
    DICT_STAGE_ENTRY *entries;          /* value NULL: deleted */
    size_t  entry_count;
    size_t  entry_cap;
    STAGE_SLOT *slots;                  /* hash table; NULL while sorted */
    size_t  slot_count;                 /* a power of two */
    size_t  live;                       /* entries not deleted */
    size_t  bytes;                      /* key + value bytes of live ones */
    int     sorted;                     /* keys were added in sorted order */
};

/* dict_stage_create - an empty stage */
DICT_STAGE *
dict_stage_create(void)
{
    DICT_STAGE *stage = mymalloc(sizeof(*stage));

    memset(stage, 0, sizeof(*stage));
    stage->sorted = 1;
    return stage;
}

/* dict_stage_free - release everything */
void
dict_stage_free(DICT_STAGE *stage)
{
    STAGE_BLOCK *block;

    while ((block = stage->blocks) != NULL) {
        stage->blocks = block->next;
        myfree(block);
    }
    myfree(stage->entries);
    myfree(stage->slots);
    myfree(stage);
}

/* stage_copy - copy len bytes into the arena */
static char *
stage_copy(DICT_STAGE *stage, const void *data, size_t len)
{
    STAGE_BLOCK *block = stage->blocks;
    char   *copy;

    if (block == NULL || block->cap - block->used < len) {
        size_t  cap = len > STAGE_BLOCK_SIZE ? len : STAGE_BLOCK_SIZE;

        block = mymalloc(sizeof(*block) + cap);
        block->cap = cap;
        block->used = 0;
        block->next = stage->blocks;
        stage->blocks = block;
    }
    copy = block->data + block->used;
    if (len > 0)
        memcpy(copy, data, len);
    block->used += len;
    return copy;
}

/* stage_hash - a word-at-a-time hash of the key bytes (in memory only,
 * so byte order does not matter) */
static uint32_t
stage_hash(const void *key, size_t klen)
{
    const unsigned char *cp = key;
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ klen;
    uint64_t w;

    for (; klen >= 8; cp += 8, klen -= 8) {
        memcpy(&w, cp, 8);
        h = (h ^ w) * 0xbf58476d1ce4e5b9ULL;
        h ^= h >> 31;
    }
    w = 0;
    memcpy(&w, cp, klen);
    h = (h ^ w) * 0x94d049bb133111ebULL;
    h ^= h >> 29;
    return (uint32_t) (h ^ (h >> 32));
}

/* stage_compare - bytewise key order, a prefix before its extensions (the
 * order LMDB keeps) */
static int
stage_compare(const void *a, size_t alen, const void *b, size_t blen)
{
    size_t  len = alen < blen ? alen : blen;
    int     diff = len ? memcmp(a, b, len) : 0;

    if (diff != 0)
        return diff;
    return (alen > blen) - (alen < blen);
}

/* stage_find - the slot that holds key, or the empty slot where it goes */
static STAGE_SLOT *
stage_find(const DICT_STAGE *stage, const void *key, size_t klen,
           uint32_t hash)
{
    size_t  mask = stage->slot_count - 1;
    size_t  i = hash & mask;
    STAGE_SLOT *slot;
    const DICT_STAGE_ENTRY *ent;

    for (;; i = (i + 1) & mask) {
        slot = stage->slots + i;
        if (slot->entry == 0)
            return slot;
        if (slot->hash != hash)
            continue;
        ent = stage->entries + slot->entry - 1;
        if (ent->klen == klen
            && (klen == 0 || memcmp(ent->key, key, klen) == 0))
            return slot;
    }
}

/* stage_index - (re)build the hash table with room for the entries */
static void
stage_index(DICT_STAGE *stage)
{
    const DICT_STAGE_ENTRY *ent;
    STAGE_SLOT *slot;
    uint32_t hash;

    myfree(stage->slots);
    if (stage->slot_count == 0)
        stage->slot_count = STAGE_MIN_SLOTS;
    while (stage->slot_count < stage->entry_count * 2)
        stage->slot_count *= 2;
    stage->slots = mycalloc(stage->slot_count, sizeof(STAGE_SLOT));
    for (size_t i = 0; i < stage->entry_count; i++) {
        ent = stage->entries + i;
        hash = stage_hash(ent->key, ent->klen);
        slot = stage_find(stage, ent->key, ent->klen, hash);
        slot->entry = (uint32_t) (i + 1);
        slot->hash = hash;
    }
}

/* stage_bsearch - the entry of key while entries are sorted, or NULL */
static DICT_STAGE_ENTRY *
stage_bsearch(DICT_STAGE *stage, const void *key, size_t klen)
{
    size_t  lo = 0;
    size_t  hi = stage->entry_count;
    size_t  mid;
    int     cmp;

    while (lo < hi) {
        mid = lo + (hi - lo) / 2;
        cmp = stage_compare(stage->entries[mid].key, stage->entries[mid].klen,
                            key, klen);
        if (cmp == 0)
            return stage->entries + mid;
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* stage_append - a new entry at the end */
static void
stage_append(DICT_STAGE *stage, const void *key, size_t klen,
             const void *value, size_t vlen)
{
    DICT_STAGE_ENTRY *ent;

    if (stage->entry_count >= UINT32_MAX - 1)
        msg_fatal("dict_stage: too many entries");
    if (stage->entry_count == stage->entry_cap) {
        stage->entry_cap = stage->entry_cap ? stage->entry_cap * 2 : 1024;
        stage->entries = myreallocarray(stage->entries, stage->entry_cap,
                                        sizeof(*stage->entries));
    }
    ent = stage->entries + stage->entry_count++;
    ent->key = stage_copy(stage, key, klen);
    ent->klen = klen;
    ent->value = stage_copy(stage, value, vlen);
    ent->vlen = vlen;
    stage->live++;
    stage->bytes += klen + vlen;
}

/* stage_existing - the key is there: revive a deleted entry, replace the
 * value, or keep it */
static int
stage_existing(DICT_STAGE *stage, DICT_STAGE_ENTRY *ent, const void *value,
               size_t vlen, int replace)
{
    int     status;

    if (ent->value == NULL) {
        status = DICT_STAGE_ADDED;
        stage->live++;
        stage->bytes += ent->klen;
    } else if (!replace) {
        return DICT_STAGE_EXISTS;
    } else {
        status = DICT_STAGE_EXISTS;
        stage->bytes -= ent->vlen;
    }
    ent->value = stage_copy(stage, value, vlen);
    ent->vlen = vlen;
    stage->bytes += vlen;
    return status;
}

/* dict_stage_put - add or (with replace) update an entry. While keys
 * arrive in order, a duplicate can only be the last key and a binary
 * search finds any other; the first key out of order builds the hash
 * table. */
int
dict_stage_put(DICT_STAGE *stage, const void *key, size_t klen,
               const void *value, size_t vlen, int replace)
{
    DICT_STAGE_ENTRY *last;
    STAGE_SLOT *slot;
    uint32_t hash;
    int     cmp;

    if (stage->sorted) {
        last = stage->entry_count ?
            stage->entries + stage->entry_count - 1 : NULL;
        cmp = last ? stage_compare(last->key, last->klen, key, klen) : -1;
        if (cmp == 0)
            return stage_existing(stage, last, value, vlen, replace);
        if (cmp < 0) {
            stage_append(stage, key, klen, value, vlen);
            return DICT_STAGE_ADDED;
        }
        stage->sorted = 0;
        stage_index(stage);
    }
    hash = stage_hash(key, klen);
    slot = stage_find(stage, key, klen, hash);
    if (slot->entry != 0)
        return stage_existing(stage, stage->entries + slot->entry - 1, value,
                              vlen, replace);
    stage_append(stage, key, klen, value, vlen);
    slot->entry = (uint32_t) stage->entry_count;
    slot->hash = hash;
    if (stage->entry_count * 10 > stage->slot_count * 7)
        stage_index(stage);
    return DICT_STAGE_ADDED;
}

/* dict_stage_live - the live entry of key, or NULL */
static DICT_STAGE_ENTRY *
dict_stage_live(DICT_STAGE *stage, const void *key, size_t klen)
{
    DICT_STAGE_ENTRY *ent;
    STAGE_SLOT *slot;

    if (stage->sorted) {
        ent = stage_bsearch(stage, key, klen);
    } else {
        slot = stage_find(stage, key, klen, stage_hash(key, klen));
        ent = slot->entry ? stage->entries + slot->entry - 1 : NULL;
    }
    return ent && ent->value ? ent : NULL;
}

/* dict_stage_get - look a key up */
const char *
dict_stage_get(DICT_STAGE *stage, const void *key, size_t klen, size_t *vlen)
{
    DICT_STAGE_ENTRY *ent = dict_stage_live(stage, key, klen);

    if (ent == NULL)
        return NULL;
    *vlen = ent->vlen;
    return ent->value;
}

/* dict_stage_del - forget a key */
int
dict_stage_del(DICT_STAGE *stage, const void *key, size_t klen)
{
    DICT_STAGE_ENTRY *ent = dict_stage_live(stage, key, klen);

    if (ent == NULL)
        return 1;
    stage->bytes -= ent->klen + ent->vlen;
    stage->live--;
    ent->value = NULL;
    return 0;
}

/* dict_stage_count - live entries */
size_t
dict_stage_count(const DICT_STAGE *stage)
{
    return stage->live;
}

/* dict_stage_bytes - key and value bytes of the live entries */
size_t
dict_stage_bytes(const DICT_STAGE *stage)
{
    return stage->bytes;
}

/* An entry to sort, with 8 key bytes from the current depth on. */
typedef struct STAGE_SORT {
    uint64_t prefix;                    /* big-endian, zero-padded */
    unsigned rest;                      /* key bytes from depth on, max 9 */
    DICT_STAGE_ENTRY *ent;
} STAGE_SORT;

#define STAGE_SORT_MAX_DEPTH    256     /* then compare whole keys */

/* stage_sort_prefix - the 8 key bytes at depth; rest is how many bytes
 * are left (9 meaning "more than 8") */
static void
stage_sort_prefix(STAGE_SORT *item, size_t depth)
{
    const unsigned char *cp = (const unsigned char *) item->ent->key + depth;
    size_t  left = item->ent->klen > depth ? item->ent->klen - depth : 0;
    size_t  take = left < 8 ? left : 8;
    uint64_t prefix = 0;

    for (size_t i = 0; i < 8; i++)
        prefix = (prefix << 8) | (i < take ? cp[i] : 0);
    item->prefix = prefix;
    item->rest = left > 8 ? 9 : (unsigned) left;
}

/* stage_sort_compare - by prefix, then the shorter key first: two keys
 * with the same zero-padded prefix differ only in length there */
static int
stage_sort_compare(const void *a, const void *b)
{
    const STAGE_SORT *x = a;
    const STAGE_SORT *y = b;

    if (x->prefix != y->prefix)
        return x->prefix < y->prefix ? -1 : 1;
    return (x->rest > y->rest) - (x->rest < y->rest);
}

/* stage_sort_whole - qsort comparison of whole keys */
static int
stage_sort_whole(const void *a, const void *b)
{
    const DICT_STAGE_ENTRY *x = ((const STAGE_SORT *) a)->ent;
    const DICT_STAGE_ENTRY *y = ((const STAGE_SORT *) b)->ent;

    return stage_compare(x->key, x->klen, y->key, y->klen);
}

/* stage_sort - sort items by key, 8 bytes at a time: compare integers
 * (no key access) and go deeper only where prefixes tie */
static void
stage_sort(STAGE_SORT *items, size_t n, size_t depth)
{
    size_t  j;

    if (depth >= STAGE_SORT_MAX_DEPTH) {
        qsort(items, n, sizeof(*items), stage_sort_whole);
        return;
    }
    for (size_t i = 0; i < n; i++)
        stage_sort_prefix(items + i, depth);
    qsort(items, n, sizeof(*items), stage_sort_compare);
    for (size_t i = 0; i < n; i = j) {
        for (j = i + 1; j < n && stage_sort_compare(items + i, items + j) == 0;
             j++)
             /* void */ ;
        if (j - i > 1 && items[i].rest > 8)
            stage_sort(items + i, j - i, depth + 8);
    }
}

/* stage_walk_sorted - collect the live entries, sort, call fn */
static int
stage_walk_sorted(DICT_STAGE *stage, DICT_STAGE_FN fn, void *ctx)
{
    STAGE_SORT *items = mycalloc(stage->live + 1, sizeof(*items));
    size_t  n = 0;
    int     status = 0;

    for (size_t i = 0; i < stage->entry_count; i++)
        if (stage->entries[i].value != NULL)
            items[n++].ent = stage->entries + i;
    stage_sort(items, n, 0);
    for (size_t i = 0; i < n && status == 0; i++)
        status = fn(items[i].ent, ctx);
    myfree(items);
    return status;
}

/* dict_stage_walk - visit the live entries */
int
dict_stage_walk(DICT_STAGE *stage, int order, DICT_STAGE_FN fn, void *ctx)
{
    int     status = 0;

    if (order == DICT_STAGE_SORTED && !stage->sorted)
        return stage_walk_sorted(stage, fn, ctx);
    for (size_t i = 0; i < stage->entry_count && status == 0; i++)
        if (stage->entries[i].value != NULL)
            status = fn(stage->entries + i, ctx);
    return status;
}
