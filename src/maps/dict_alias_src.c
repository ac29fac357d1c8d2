/* dict_alias_src - aliases(5) source files: "name: value, ..." lines.
 *
 * Each logical line is split into RFC 822 tokens by tok822_scan (no
 * token limit) and the tokens before the first ':' and after it are
 * written out again in the canonical form that Postfix's postalias
 * stores: the name in internal form (no quotes), the value in external
 * form (one space between words, ", " after each comma, quotes where an
 * atom needs them). The spacing and quoting rules are tok822's (see
 * tok822.h); this module only splits the line and checks it.
 * Peers: readlline.c (logical lines), tok822 (tokens and their text),
 * dict_build.c (the caller). */
#include <string.h>
#include "msg.h"
#include "mymalloc.h"
#include "readlline.h"
#include "tok822.h"
#include "dict_alias_src.h"

struct DICT_ALIAS_SRC {
    LINE_READER *reader;
    BUF    *line;
    BUF    *name;
    BUF    *value;
};

/* alias_split - the name and value of the tokens of a line, or a
 * problem; deletes the name and the colon from toks */
static const char *
alias_split(DICT_ALIAS_SRC *src, TOK822_LIST *toks)
{
    ssize_t colon = tok822_find(toks, 0, toks->count, ':');
    ssize_t comma = tok822_find(toks, 0, toks->count, ',');
    TOK822_LIST *name;

    if (colon <= 0 || (size_t) colon + 1 >= toks->count
        || (comma >= 0 && comma < colon))
        return "need name:value pair";
    if (tok822_find(toks, 0, (size_t) colon, '@') >= 0)
        return "name must be local";
    name = tok822_alloc();
    tok822_splice(name, 0, 0, toks, 0, (size_t) colon);
    buf_reset(src->name);
    tok822_internalize(src->name, name, TOK822_STR_NONE);
    tok822_free(name);
    tok822_splice(toks, 0, (size_t) colon + 1, NULL, 0, 0);
    buf_reset(src->value);
    tok822_externalize(src->value, toks, TOK822_STR_NONE);
    return NULL;
}

/* dict_alias_src_create - a source over a line reader (NULL passes) */
static DICT_ALIAS_SRC *
dict_alias_src_create(LINE_READER *reader)
{
    DICT_ALIAS_SRC *src;

    if (reader == NULL)
        return NULL;
    src = mymalloc(sizeof(*src));
    memset(src, 0, sizeof(*src));
    src->reader = reader;
    src->line = buf_alloc(256);
    src->name = buf_alloc(64);
    src->value = buf_alloc(256);
    return src;
}

/* dict_alias_src_fopen - read aliases from an open stream */
DICT_ALIAS_SRC *
dict_alias_src_fopen(FILE *fp, const char *path)
{
    return dict_alias_src_create(line_reader_open(fp, path));
}

/* dict_alias_src_open - read aliases from a file */
DICT_ALIAS_SRC *
dict_alias_src_open(const char *path, BUF *why)
{
    return dict_alias_src_create(line_reader_open_file(path, why));
}

/* dict_alias_src_next - the next well-formed alias */
int
dict_alias_src_next(DICT_ALIAS_SRC *src, const char **name,
                    const char **value, int *lineno)
{
    const char *problem;
    TOK822_LIST *toks;

    while (readlline(src->reader, src->line, lineno)) {
        toks = tok822_scan(buf_str(src->line), buf_len(src->line), 0);
        problem = alias_split(src, toks);
        tok822_free(toks);
        if (problem != NULL) {
            msg_warn("%s:%d: %s", line_reader_path(src->reader), *lineno,
                     problem);
            continue;
        }
        *name = buf_str(src->name);
        *value = buf_str(src->value);
        return 1;
    }
    return line_reader_error(src->reader) ? -1 : 0;
}

/* dict_alias_src_close - release the reader; close the file if ours */
void
dict_alias_src_close(DICT_ALIAS_SRC *src)
{
    line_reader_free(src->reader);
    buf_free(src->line);
    buf_free(src->name);
    buf_free(src->value);
    myfree(src);
}
