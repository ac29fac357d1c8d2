/* netstring - D. J. Bernstein's netstrings ("5:hello,") on a stream. */
#include <ctype.h>
#include <stdio.h>

#include "netstring.h"

/* netstring_fail - the error for a failed or short read */
static int
netstring_fail(STREAM *sp)
{
    if (stream_timedout(sp))
        return NETSTRING_ERR_TIME;
    return NETSTRING_ERR_EOF;
}

/* netstring_get_length - read "LEN:" */
int
netstring_get_length(STREAM *sp, size_t *len)
{
    size_t  value = 0;
    int     digits = 0;
    int     ch;

    while ((ch = stream_getc(sp)) != ':') {
        if (ch == EOF)
            return netstring_fail(sp);
        if (!isdigit(ch) || ++digits > NETSTRING_LEN_DIGITS)
            return NETSTRING_ERR_FORMAT;
        value = value * 10 + (size_t) (ch - '0');
    }
    if (digits == 0)
        return NETSTRING_ERR_FORMAT;
    *len = value;
    return 0;
}

/* netstring_get_data - read len bytes and the closing "," into bp */
int
netstring_get_data(STREAM *sp, BUF *bp, size_t len)
{
    char    chunk[4096];
    size_t  want;
    int     ch;

    while (len > 0) {
        want = len < sizeof(chunk) ? len : sizeof(chunk);
        if (stream_read(sp, chunk, want) != (ssize_t) want)
            return netstring_fail(sp);
        buf_append(bp, chunk, want);
        len -= want;
    }
    if ((ch = stream_getc(sp)) == EOF)
        return netstring_fail(sp);
    return ch == ',' ? 0 : NETSTRING_ERR_FORMAT;
}

/* netstring_get - a whole netstring of at most limit bytes */
int
netstring_get(STREAM *sp, BUF *bp, size_t limit, size_t *used)
{
    size_t  len;
    int     err;

    buf_reset(bp);
    if ((err = netstring_get_length(sp, &len)) != 0)
        return err;
    if (len > limit)
        return NETSTRING_ERR_SIZE;
    if ((err = netstring_get_data(sp, bp, len)) != 0)
        return err;
    if (used != NULL)
        *used = (size_t) snprintf(NULL, 0, "%zu", len) + len + 2;
    return 0;
}

/* netstring_put - write data as a netstring */
int
netstring_put(STREAM *sp, const char *data, size_t len)
{
    if (stream_printf(sp, "%zu:", len) < 0
        || stream_write(sp, data, len) < 0 || stream_putc(sp, ',') < 0)
        return -1;
    return 0;
}

/* netstring_strerror - the text of a NETSTRING_ERR_* value */
const char *
netstring_strerror(int err)
{
    switch (err) {
    case NETSTRING_ERR_EOF:
        return "unexpected disconnect";
    case NETSTRING_ERR_TIME:
        return "time limit exceeded";
    case NETSTRING_ERR_FORMAT:
        return "format error";
    case NETSTRING_ERR_SIZE:
        return "length exceeds storage limit";
    default:
        return "unknown error";
    }
}
