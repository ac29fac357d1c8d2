/* dict_alias_src - read aliases(5) source files for postalias.
 *
 * A logical line (see readlline.h: continuation lines start with white
 * space, # comment lines and blank lines are skipped) has the form
 * "name: value, value, ...". The line is split into RFC 822 tokens by
 * tok822 (atoms, "quoted strings", (comments), [domain literals] and the
 * specials < > @ , ; : . ) ] % !); the name is everything before the first
 * ":" and the value everything after it. Both are written back in the
 * canonical form that Postfix's postalias stores: the name without
 * quotes ("foo bar": x gives the key foo bar), the value with one space
 * between words, ", " after each comma and quotes where an atom needs
 * them (|/bin/prog "arg 1", :include:/path, "a b"@example.com, and
 * "a!b" for a\!b: like Postfix, '!' and '%' are specials, so "a ! b"
 * is stored as a!b).
 *
 * Problems are reported with msg_warn and the line is skipped:
 * "PATH:LINE: need name:value pair" (no ":", a "," before it, or nothing
 * on one side) and "PATH:LINE: name must be local" (an unquoted "@" in
 * the name). */
#ifndef DICT_ALIAS_SRC_H
#define DICT_ALIAS_SRC_H
#include <stdio.h>
#include "buf.h"

typedef struct DICT_ALIAS_SRC DICT_ALIAS_SRC;

/* dict_alias_src_open - open path for reading; NULL with *why */
DICT_ALIAS_SRC *dict_alias_src_open(const char *path, BUF *why);

/* dict_alias_src_fopen - read an open stream (not closed by
 * dict_alias_src_close); path names it in messages */
DICT_ALIAS_SRC *dict_alias_src_fopen(FILE *fp, const char *path);

/* dict_alias_src_next - next alias: 1 with *name and *value (valid until
 * the next call), 0 at the end, -1 on a read error (errno set) */
int     dict_alias_src_next(DICT_ALIAS_SRC *src, const char **name,
                            const char **value, int *lineno);

void    dict_alias_src_close(DICT_ALIAS_SRC *src);

#endif
