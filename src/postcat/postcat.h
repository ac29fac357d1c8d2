/* postcat - shared definitions of the postcat command's modules.
 *
 * postcat.c parses the options and opens the files; postcat_read.c reads
 * the records of one file (following pointer records or not, as Postfix's
 * postcat does); postcat_show.c prints them in Postfix 3.7's format
 * (docs/postcat.md). */
#ifndef POSTCAT_H
#define POSTCAT_H

#include <stdbool.h>
#include <sys/types.h>

#include "buf.h"
#include "stream.h"

/* What to print (options). */
#define PC_FLAG_OFFSET  (1 << 0)        /* -o: record offsets */
#define PC_FLAG_ENV     (1 << 1)        /* -e: envelope, banners */
#define PC_FLAG_HEADER  (1 << 2)        /* -h: primary header */
#define PC_FLAG_BODY    (1 << 3)        /* -b: the rest of the content */
#define PC_FLAG_DEC     (1 << 4)        /* -d: decimal record types */
#define PC_FLAG_NAMES   (1 << 5)        /* -v: record type names */
#define PC_FLAG_RAW     (1 << 6)        /* -r: file order (with -v) */
#define PC_MASK_ALL     (PC_FLAG_ENV | PC_FLAG_HEADER | PC_FLAG_BODY)

/* Record reader for one file. */
typedef struct PC_READER {
    int     fd;
    STREAM *sp;
    const char *name;                   /* for messages */
    off_t   pos;                        /* where the next record starts */
    off_t   budget;                     /* records left (pointer loops) */
    bool    follow;                     /* follow pointer records */
    bool    cooked;                     /* skip 'p' and 'w' records */
} PC_READER;

/* pc_read_open - start reading fd (owned by the reader) at offset start;
 * -1 when the offset cannot be reached (the reason in why) */
int     pc_read_open(PC_READER *rd, int fd, const char *name, off_t start,
                     int flags, BUF *why);

/* pc_read_next results besides a record type (0..255). */
#define PC_READ_EOF     (-1)            /* end of the file */
#define PC_READ_ERR     (-2)            /* damage: the reason in why */

/* pc_read_next - the next record: its type (data in bp, its offset in
 * *offset), PC_READ_EOF, or PC_READ_ERR (the reason in why, in Postfix's
 * words) */
int     pc_read_next(PC_READER *rd, BUF *bp, off_t *offset, BUF *why);

/* pc_read_peek - the first byte of the file without reading it (-1 for
 * an empty file or a pipe) */
int     pc_read_peek(PC_READER *rd);

/* pc_read_jump - continue at the offset a pointer record holds (0: no
 * jump); 0, or -1 with the reason in why */
int     pc_read_jump(PC_READER *rd, const char *data, BUF *why);

/* pc_read_close - end reading and close the file */
void    pc_read_close(PC_READER *rd);

/* pc_show - print the file open on fd as Postfix's postcat does; fd is
 * closed. 0, 1 (damaged: warning given, later files still shown), or
 * -1 (read error: the reason in why) */
int     pc_show(int fd, const char *name, off_t start, int flags, BUF *why);

#endif
