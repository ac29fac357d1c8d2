/* readlline - read logical lines of a table or configuration file.
 *
 * A logical line starts at a line that begins with a non-blank character;
 * following lines that begin with white space continue it (the newline is
 * dropped, the leading white space kept). Blank lines and lines whose first
 * non-blank character is '#' are skipped anywhere, also between a line and
 * its continuations. Trailing white space is removed. */
#ifndef READLLINE_H
#define READLLINE_H
#include <stdio.h>
#include "buf.h"

typedef struct LINE_READER LINE_READER;

/* line_reader_open - read from fp (not closed by line_reader_free); path is
 * used in messages only */
LINE_READER *line_reader_open(FILE *fp, const char *path);

/* line_reader_open_file - open path for reading; NULL with "open PATH:
 * reason" in *why. The reader owns the stream: line_reader_free closes it. */
LINE_READER *line_reader_open_file(const char *path, BUF *why);

/* line_reader_free - release the reader (and the stream if it owns it) */
void    line_reader_free(LINE_READER *lr);

/* line_reader_path - the name given at open */
const char *line_reader_path(const LINE_READER *lr);

/* readlline - next logical line into buf; returns 1, or 0 at end of file or
 * on a read error (see line_reader_error). *lineno is the physical line the
 * logical line starts at. A line that starts with white space where no
 * logical line is open is reported with msg_warn("PATH:LINE: ...") and
 * skipped. */
int     readlline(LINE_READER *lr, BUF *buf, int *lineno);

/* line_reader_error - the stream had a read error (errno is kept) */
int     line_reader_error(const LINE_READER *lr);

#endif
