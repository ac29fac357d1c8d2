/* dict_build - fill a table for writing from a source file.
 *
 * The table reports duplicates by its own name; here the source file and
 * line are known, so while loading, the table is told to ignore
 * duplicates quietly and this module reports them as "PATH:LINE: ...".
 * Peers: dict_src.c, dict_alias_src.c (the sources), dict_cmd.c (the
 * caller). */
#include <string.h>
#include "msg.h"
#include "dict_alias_src.h"
#include "dict_build.h"
#include "dict_src.h"

/* DICT_BUILD_SOURCE_OF - define the DICT_BUILD_SOURCE VAR for the source
 * module whose functions are PREFIX_open, PREFIX_fopen, PREFIX_next and
 * PREFIX_close; the adapters VAR_open etc. only pass the module's own
 * handle type as void * (calling the module's functions through pointers
 * of another type would be undefined). */
#define DICT_BUILD_SOURCE_OF(VAR, PREFIX) \
    static void * \
    VAR##_open(const char *path, BUF *why) \
    { \
        return PREFIX##_open(path, why); \
    } \
    static void * \
    VAR##_fopen(FILE *fp, const char *path) \
    { \
        return PREFIX##_fopen(fp, path); \
    } \
    static int \
    VAR##_next(void *src, const char **key, const char **value, \
               int *lineno) \
    { \
        return PREFIX##_next(src, key, value, lineno); \
    } \
    static void \
    VAR##_close(void *src) \
    { \
        PREFIX##_close(src); \
    } \
    const DICT_BUILD_SOURCE VAR = { \
        .open = VAR##_open, \
        .fopen = VAR##_fopen, \
        .next = VAR##_next, \
        .close = VAR##_close, \
    }

/* dict_build_table_source - postmap's "key whitespace value" files */
DICT_BUILD_SOURCE_OF(dict_build_table_source, dict_src);

/* dict_build_alias_source - postalias's aliases(5) files */
DICT_BUILD_SOURCE_OF(dict_build_alias_source, dict_alias_src);

/* dict_build_put - one entry, with the problems reported by line */
static int
dict_build_put(DICT *dict, const char *key, const char *value,
               const char *path, int lineno, int warn_dups)
{
    switch (dict_put(dict, key, value)) {
    case 0:
        return 0;
    case 1:
        if (warn_dups)
            msg_warn("%s:%d: duplicate entry: \"%s\"", path, lineno,
                     (dict->flags & DICT_FLAG_FOLD_FIX) ?
                     dict_fold(dict, key) : key);
        return 0;
    default:
        if (dict->error != DICT_ERR_CONFIG)
            return -1;
        msg_warn("%s:%d: %s:%s cannot store key \"%s\" (empty or too "
                 "long): entry skipped", path, lineno, dict->type->name,
                 dict->name, key);
        return 0;
    }
}

/* dict_build_load - every entry of the source into the table */
int
dict_build_load(DICT *dict, const DICT_BUILD_SOURCE *kind, void *src,
                const char *path, BUF *why)
{
    int     saved_flags = dict->flags;
    int     warn_dups = !(dict->flags & (DICT_FLAG_DUP_IGNORE
                                         | DICT_FLAG_DUP_REPLACE));
    const char *key;
    const char *value;
    int     lineno = 0;
    int     status;

    /* Duplicates are reported here, with the line, not by the table. */
    if (warn_dups)
        dict->flags = (dict->flags & ~DICT_FLAG_DUP_MASK)
            | DICT_FLAG_DUP_IGNORE;
    while ((status = kind->next(src, &key, &value, &lineno)) > 0) {
        if (dict_build_put(dict, key, value, path, lineno, warn_dups) < 0) {
            buf_sprintf(why, "%s:%d: write error on %s:%s", path, lineno,
                        dict->type->name, dict->name);
            break;
        }
    }
    /* The table may have remembered a NUL form meanwhile: keep that. */
    dict->flags = (dict->flags & ~DICT_FLAG_DUP_MASK)
        | (saved_flags & DICT_FLAG_DUP_MASK);
    if (status < 0)
        buf_sprintf(why, "read %s: %m", path);
    return status != 0 ? -1 : 0;
}
