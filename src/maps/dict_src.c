/* dict_src - "key whitespace value" source files for postmap and texthash.
 *
 * The key is the first run of non-blank bytes, or a "quoted string" that
 * may contain blanks (kept with its quotes, as Postfix's postmap does); the
 * value is the rest of the logical line after the blanks that follow. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "mymalloc.h"
#include "msg.h"
#include "readlline.h"
#include "dict_src.h"

struct DICT_SRC {
    LINE_READER *reader;
    BUF    *line;
};

/* dict_src_create - a source over a line reader (NULL passes through) */
static DICT_SRC *
dict_src_create(LINE_READER *reader)
{
    DICT_SRC *src;

    if (reader == NULL)
        return NULL;
    src = mymalloc(sizeof(*src));
    src->reader = reader;
    src->line = buf_alloc(256);
    return src;
}

/* dict_src_fopen - read entries from an open stream */
DICT_SRC *
dict_src_fopen(FILE *fp, const char *path)
{
    return dict_src_create(line_reader_open(fp, path));
}

/* dict_src_open - read entries from a file */
DICT_SRC *
dict_src_open(const char *path, BUF *why)
{
    return dict_src_create(line_reader_open_file(path, why));
}

/* dict_src_key_end - the end of the key that starts line: the first blank,
 * or for a key that starts with '"' the blank after the closing quote
 * (backslash escapes the next byte); NULL when the quote is unbalanced */
static char *
dict_src_key_end(char *line)
{
    char   *cp = line;

    if (*cp == '"') {
        for (cp++; *cp && *cp != '"'; cp++)
            if (*cp == '\\' && cp[1])
                cp++;
        if (*cp++ != '"')
            return NULL;
    }
    return cp + strcspn(cp, " \t\r\n\v\f");
}

/* dict_src_next - split the next logical line into key and value */
int
dict_src_next(DICT_SRC *src, const char **key, const char **value,
              int *lineno)
{
    char   *cp;

    while (readlline(src->reader, src->line, lineno)) {
        if ((cp = dict_src_key_end(buf_str(src->line))) == NULL) {
            msg_warn("%s:%d: unbalanced '\"' in '%s' -- ignoring this line",
                     line_reader_path(src->reader), *lineno, buf_str(src->line));
            continue;
        }
        if (*cp == 0) {
            msg_warn("%s:%d: expected format: key whitespace value",
                     line_reader_path(src->reader), *lineno);
            continue;
        }
        *cp++ = 0;
        while (isspace((unsigned char) *cp))
            cp++;
        *key = buf_str(src->line);
        *value = cp;
        return 1;
    }
    return line_reader_error(src->reader) ? -1 : 0;
}

/* dict_src_path - name for messages */
const char *
dict_src_path(const DICT_SRC *src)
{
    return line_reader_path(src->reader);
}

/* dict_src_close - release the reader; close the file if we opened it */
void
dict_src_close(DICT_SRC *src)
{
    line_reader_free(src->reader);
    buf_free(src->line);
    free(src);
}
