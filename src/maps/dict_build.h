/* dict_build - fill a table opened for writing from a source file: the
 * "key whitespace value" files of postmap (dict_src.h) and the aliases(5)
 * files of postalias (dict_alias_src.h) alike.
 *
 * Duplicate keys follow the table's DICT_FLAG_DUP_* flags; with
 * DICT_FLAG_DUP_WARN (or none) each later duplicate is reported as
 * "PATH:LINE: duplicate entry: "key"" and the first entry is kept. A key
 * the table cannot store (empty, or longer than LMDB allows) is reported
 * as "PATH:LINE: ..." and skipped. */
#ifndef DICT_BUILD_H
#define DICT_BUILD_H
#include <stdio.h>
#include "dict.h"

/* A kind of source file. */
typedef struct DICT_BUILD_SOURCE {
    /* open - read path; NULL with why */
    void   *(*open) (const char *path, BUF *why);
    /* fopen - read an open stream; path names it in messages */
    void   *(*fopen) (FILE *fp, const char *path);
    /* next - 1 with an entry, 0 at the end, -1 on a read error */
    int     (*next) (void *src, const char **key, const char **value,
                     int *lineno);
    void    (*close) (void *src);
} DICT_BUILD_SOURCE;

extern const DICT_BUILD_SOURCE dict_build_table_source;        /* postmap */
extern const DICT_BUILD_SOURCE dict_build_alias_source;        /* postalias */

/* dict_build_load - dict_put every entry of src (named path in messages);
 * 0, or -1 with why on a read error */
int     dict_build_load(DICT *dict, const DICT_BUILD_SOURCE *kind, void *src,
                        const char *path, BUF *why);

#endif
