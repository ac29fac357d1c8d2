/* dict_regsub - the result text of regexp and pcre rules, with $n, ${n}
 * and $(n) replaced by what group n of the pattern matched, and "$$" by
 * "$".
 *
 * The text is parsed once when the table is read; a lookup only copies the
 * literal pieces and the groups into the caller's buffer. A group that did
 * not take part in the match contributes nothing. A reference name runs
 * over letters, digits and "_" (so "$1a" is the name "1a", which is not a
 * number: write "${1}a"); a name must be a decimal number from 1 up. */
#ifndef DICT_REGSUB_H
#define DICT_REGSUB_H
#include <stddef.h>
#include "buf.h"

typedef struct DICT_REGSUB DICT_REGSUB;

/* dict_regsub_parse - parse text; NULL with *why on bad syntax */
DICT_REGSUB *dict_regsub_parse(const char *text, BUF *why);

/* dict_regsub_max - the highest group referenced (0: none) */
int     dict_regsub_max(const DICT_REGSUB *rs);

/* dict_regsub_literal - the result when it references no group (with "$$"
 * already replaced), else NULL */
const char *dict_regsub_literal(const DICT_REGSUB *rs);

/* DICT_REGSUB_GROUP_FN - the text of group n of the last match, or NULL
 * when the group did not take part */
typedef const char *(*DICT_REGSUB_GROUP_FN) (void *ctx, int n, size_t *len);

/* dict_regsub_expand - the result of a match into out (reset first) */
void    dict_regsub_expand(const DICT_REGSUB *rs, BUF *out,
                           DICT_REGSUB_GROUP_FN group, void *ctx);

void    dict_regsub_free(DICT_REGSUB *rs);

#endif
