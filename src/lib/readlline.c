/* readlline - logical lines of table and configuration files.
 *
 * One physical line of look-ahead is kept so that a logical line ends only
 * when the next non-comment line does not start with white space. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "mymalloc.h"
#include "msg.h"
#include "readlline.h"

struct LINE_READER {
    FILE   *fp;
    int     own_fp;                     /* close fp on free */
    char   *path;
    char   *line;                       /* the look-ahead line (getline) */
    size_t  cap;
    ssize_t len;                        /* -1: no look-ahead held */
    int     lineno;                     /* physical line of the look-ahead */
    int     error;
};

/* line_reader_open - start reading fp */
LINE_READER *
line_reader_open(FILE *fp, const char *path)
{
    LINE_READER *lr = mymalloc(sizeof(*lr));

    memset(lr, 0, sizeof(*lr));
    lr->fp = fp;
    lr->path = mystrdup(path);
    lr->len = -1;
    return lr;
}

/* line_reader_open_file - open a file and read it */
LINE_READER *
line_reader_open_file(const char *path, BUF *why)
{
    FILE   *fp;
    LINE_READER *lr;

    if ((fp = fopen(path, "re")) == NULL) {
        buf_sprintf(why, "open %s: %m", path);
        return NULL;
    }
    lr = line_reader_open(fp, path);
    lr->own_fp = 1;
    return lr;
}

/* line_reader_path - name for messages */
const char *
line_reader_path(const LINE_READER *lr)
{
    return lr->path;
}

/* line_reader_free - release the reader, and the stream if we opened it */
void
line_reader_free(LINE_READER *lr)
{
    if (lr->own_fp)
        fclose(lr->fp);
    free(lr->line);
    free(lr->path);
    free(lr);
}

/* line_reader_fill - read the next physical line that is not blank and not
 * a comment into the look-ahead; 0 at end of input */
static int
line_reader_fill(LINE_READER *lr)
{
    const char *cp;

    while (lr->len < 0) {
        if ((lr->len = getline(&lr->line, &lr->cap, lr->fp)) < 0) {
            lr->error = ferror(lr->fp);
            return 0;
        }
        lr->lineno++;
        while (lr->len > 0 && isspace((unsigned char) lr->line[lr->len - 1]))
            lr->line[--lr->len] = 0;
        for (cp = lr->line; isspace((unsigned char) *cp); cp++)
             /* void */ ;
        if (*cp == 0 || *cp == '#')
            lr->len = -1;
    }
    return 1;
}

/* readlline - next logical line */
int
readlline(LINE_READER *lr, BUF *buf, int *lineno)
{
    buf_reset(buf);
    for (;;) {
        if (line_reader_fill(lr) == 0)
            return 0;
        if (!isspace((unsigned char) lr->line[0]))
            break;
        msg_warn("%s:%d: logical line must not start with white space",
                 lr->path, lr->lineno);
        lr->len = -1;
    }
    *lineno = lr->lineno;
    buf_append(buf, lr->line, lr->len);
    lr->len = -1;
    while (line_reader_fill(lr) && isspace((unsigned char) lr->line[0])) {
        buf_append(buf, lr->line, lr->len);
        lr->len = -1;
    }
    return 1;
}

/* line_reader_error - a read error ended the input */
int
line_reader_error(const LINE_READER *lr)
{
    return lr->error;
}
