/* netstring - D. J. Bernstein's netstrings ("5:hello,") on a stream.
 *
 * QMQP (qmqpd) sends a request as a netstring of netstrings. Reads are
 * bounded: a length is at most NETSTRING_LEN_DIGITS digits, and a caller
 * passes the largest length it accepts, so no input makes memory grow
 * beyond that. Errors are NETSTRING_ERR_* values; netstring_strerror()
 * gives the words Postfix logs ("format error", "length exceeds storage
 * limit", ...). The stream's own timeout limits each read. */
#ifndef NETSTRING_H
#define NETSTRING_H

#include <stddef.h>

#include "buf.h"
#include "stream.h"

#define NETSTRING_ERR_EOF       (-1)    /* the peer went away */
#define NETSTRING_ERR_TIME      (-2)    /* the stream timed out */
#define NETSTRING_ERR_FORMAT    (-3)    /* not a netstring */
#define NETSTRING_ERR_SIZE      (-4)    /* longer than the caller takes */

#define NETSTRING_LEN_DIGITS    10

/* netstring_get_length - read "LEN:"; 0 with *len, or NETSTRING_ERR_* */
int     netstring_get_length(STREAM *sp, size_t *len);

/* netstring_get_data - read len bytes and the closing ",", appending the
 * bytes to bp; 0 or NETSTRING_ERR_* */
int     netstring_get_data(STREAM *sp, BUF *bp, size_t len);

/* netstring_get - a whole netstring of at most limit bytes into bp (which
 * is emptied first); *used (may be NULL) gets the bytes it took on the
 * stream; 0 or NETSTRING_ERR_* */
int     netstring_get(STREAM *sp, BUF *bp, size_t limit, size_t *used);

/* netstring_put - write data as a netstring; 0 or -1 */
int     netstring_put(STREAM *sp, const char *data, size_t len);

/* netstring_strerror - the text of a NETSTRING_ERR_* value */
const char *netstring_strerror(int err);

#endif
