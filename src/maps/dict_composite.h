/* dict_composite - what the composite types unionmap and pipemap share: a
 * table whose name lists other tables, "type:name, type:{...}, ...".
 *
 * dict_composite_open splits the list (white space or commas separate the
 * members; braces nest, so members may be inline: or composite tables
 * themselves) and opens every member through dict_open() with the
 * composite's open_flags and dict_flags. An error in a member's open is
 * the composite's error, with the member named.
 *
 * The composite is a pattern table (DICT_FLAG_PATTERN) when any member is
 * one, so that lookups of partial keys pass it by, and a fixed-string
 * table (DICT_FLAG_FIXED) only when every member is. A fixed composite
 * gets its keys folded by dict.c; a pattern one passes them on as given.
 * Either way each member folds the key again as its own flags ask, since
 * the composite looks up through dict_get(). dict_changed() on the
 * composite asks every member. */
#ifndef DICT_COMPOSITE_H
#define DICT_COMPOSITE_H
#include "dict.h"

typedef struct DICT_COMPOSITE {
    DICT    dict;
    DICT  **members;                    /* count open tables, in order */
    int     count;
    BUF    *result;                     /* an answer built by the type */
} DICT_COMPOSITE;

/* A composite type's lookup method. */
typedef const char *(*DICT_COMPOSITE_LOOKUP) (DICT *dict, const char *key);

/* dict_composite_open - open the members listed in name as a table of the
 * given type with the given lookup method. NULL with *why on a syntax
 * error or when a member cannot be opened. */
DICT   *dict_composite_open(const DICT_TYPE *type, const char *name,
                            int open_flags, int dict_flags,
                            DICT_COMPOSITE_LOOKUP lookup, BUF *why);

/* DICT_COMPOSITE_TYPE - define the composite table type VAR (declared in
 * dict_types.h) named NAME with the lookup method LOOKUP, and its open
 * function VAR_open, which hands the type to dict_composite_open (a
 * DICT_TYPE's open function is not told its type):
 *     DICT_COMPOSITE_TYPE(dict_type_pipemap, "pipemap", dict_pipemap_lookup);
 */
#define DICT_COMPOSITE_TYPE(VAR, NAME, LOOKUP) \
    static DICT * \
    VAR##_open(const char *name, int open_flags, int dict_flags, BUF *why) \
    { \
        return dict_composite_open(&VAR, name, open_flags, dict_flags, \
                                   (LOOKUP), why); \
    } \
    const DICT_TYPE VAR = { \
        .name = (NAME), \
        .flags = DICT_TYPE_COMPOSITE, \
        .open = VAR##_open, \
    }

#endif
