/* dict_src - read the source format of postmap(1) tables and texthash:
 * logical lines (see readlline.h) of the form "key whitespace value"; a
 * key that starts with '"' runs to the closing quote and keeps its quotes
 * (an unbalanced quote is warned about and the line skipped).
 * A line without a value is reported as "PATH:LINE: expected format: key
 * whitespace value" (msg_warn) and skipped. */
#ifndef DICT_SRC_H
#define DICT_SRC_H
#include <stdio.h>
#include "buf.h"

typedef struct DICT_SRC DICT_SRC;

/* dict_src_open - open path for reading; NULL with *why */
DICT_SRC *dict_src_open(const char *path, BUF *why);

/* dict_src_fopen - read an open stream (not closed by dict_src_close);
 * path names it in messages, e.g. "-" for standard input */
DICT_SRC *dict_src_fopen(FILE *fp, const char *path);

/* dict_src_next - next entry: 1 with *key and *value (valid until the next
 * call), 0 at the end, -1 on a read error (errno set) */
int     dict_src_next(DICT_SRC *src, const char **key, const char **value,
                      int *lineno);

/* dict_src_path - the name given at open */
const char *dict_src_path(const DICT_SRC *src);

void    dict_src_close(DICT_SRC *src);

#endif
