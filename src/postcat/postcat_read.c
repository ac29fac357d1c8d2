/* postcat_read - read the records of one queue file for postcat.
 *
 * Two ways of reading, as Postfix's postcat has them (docs/postcat.md):
 * cooked (without -v) skips padding ('w') and follows pointer records
 * ('p') itself, reporting each record at the offset where the read
 * started, so a record reached through a pointer shows the pointer's
 * offset; raw (with -v) returns every record at its own offset and
 * leaves pointers to the caller, who follows them with pc_read_jump()
 * unless -r asks for file order. Damage is reported in Postfix's words.
 * A budget of one record per two bytes of file ends pointer loops. */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "postcat.h"
#include "rec_stream.h"
#include "rec_type.h"

#define PC_BUDGET_MIN   64              /* records, for tiny files */

/* pc_read_seek - restart the stream at an absolute offset */
static int
pc_read_seek(PC_READER *rd, off_t where, BUF *why)
{
    if (lseek(rd->fd, where, SEEK_SET) < 0) {
        buf_sprintf(why, "seek error: %m");
        return -1;
    }
    if (rd->sp)
        stream_free(rd->sp);
    rd->sp = stream_fdopen(rd->fd);
    rd->pos = where;
    return 0;
}

/* pc_read_open - start reading fd at offset start */
int
pc_read_open(PC_READER *rd, int fd, const char *name, off_t start,
             int flags, BUF *why)
{
    struct stat st;

    rd->fd = fd;
    rd->sp = NULL;
    rd->name = name;
    rd->cooked = (flags & PC_FLAG_NAMES) == 0;
    rd->follow = rd->cooked || (flags & PC_FLAG_RAW) == 0;
    rd->budget = PC_BUDGET_MIN;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
        rd->budget += st.st_size / 2;
    else
        rd->budget = -1;                /* a pipe cannot loop */
    if (start == 0) {
        rd->sp = stream_fdopen(fd);
        rd->pos = 0;
        return 0;
    }
    return pc_read_seek(rd, start, why);
}

/* pc_read_damage - Postfix's words for a record that could not be read */
static void
pc_read_damage(int status, int type, size_t len, off_t used, BUF *why)
{
    off_t   head = (off_t) (rec_size(len) - len);   /* type + length */

    switch (status) {
    case REC_GET_TRUNC:
        if (len > 0 && used >= head)
            buf_sprintf(why, "unexpected EOF in data, record type %d "
                        "length %zu", type, len);
        else
            buf_sprintf(why, "unexpected EOF reading length, "
                        "record type %d", type);
        break;
    case REC_GET_BADLEN:
        if (len == 0)
            buf_sprintf(why, "too many length bits, record type %d", type);
        else
            buf_sprintf(why, "illegal length %zu, record type %d",
                        len, type);
        break;
    default:
        buf_sprintf(why, "%s: %m", rec_get_strerror(status));
        break;
    }
}

/* pc_read_type_at - the type byte of the record at offset (for damage
 * reports; rec_get() does not return it), or -1 */
static int
pc_read_type_at(PC_READER *rd, off_t offset)
{
    unsigned char ch;

    return pread(rd->fd, &ch, 1, offset) == 1 ? ch : -1;
}

/* pc_read_peek - the first byte of a file that allows pread, or -1 */
int
pc_read_peek(PC_READER *rd)
{
    return pc_read_type_at(rd, 0);
}

/* pc_read_one - read one record at the current position; its type,
 * PC_READ_EOF or PC_READ_ERR */
static int
pc_read_one(PC_READER *rd, BUF *bp, BUF *why)
{
    off_t   start = rd->pos;
    size_t  len = 0;
    int     type;

    if (rd->budget == 0) {
        buf_sprintf(why, "too many records (pointer loop?) at offset %ld",
                    (long) start);
        return PC_READ_ERR;
    }
    if (rd->budget > 0)
        rd->budget--;
    type = rec_get(rd->sp, bp, 0, &len, &rd->pos);
    if (type == REC_GET_EOF)
        return PC_READ_EOF;
    if (type < 0) {
        pc_read_damage(type, pc_read_type_at(rd, start), len,
                       rd->pos - start, why);
        return PC_READ_ERR;
    }
    return type;
}

/* pc_read_jump - follow a pointer record */
int
pc_read_jump(PC_READER *rd, const char *data, BUF *why)
{
    char   *end;
    long    where;

    errno = 0;
    where = strtol(data, &end, 10);
    if (errno != 0 || where < 0 || *end != 0 || end == data) {
        buf_sprintf(why, "bad pointer record: %s", data);
        return -1;
    }
    return where == 0 ? 0 : pc_read_seek(rd, (off_t) where, why);
}

/* pc_read_next - the next record, cooked or raw */
int
pc_read_next(PC_READER *rd, BUF *bp, off_t *offset, BUF *why)
{
    int     type;

    *offset = rd->pos;
    while ((type = pc_read_one(rd, bp, why)) >= 0 && rd->cooked) {
        if (type == REC_TYPE_PTR) {
            if (pc_read_jump(rd, buf_str(bp), why) < 0)
                return PC_READ_ERR;
        } else if (type != REC_TYPE_DTXT) {
            break;
        }
    }
    return type;
}

/* pc_read_close - end reading and close the file */
void
pc_read_close(PC_READER *rd)
{
    if (rd->sp)
        stream_close(rd->sp);
    else
        (void) close(rd->fd);
    rd->sp = NULL;
}
