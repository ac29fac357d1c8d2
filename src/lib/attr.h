/* attr - the attribute request/reply codec of the daemon protocols.
 *
 * Wire form (Postfix's "null" form): each attribute is "name\0value\0";
 * an empty name ("\0") ends a message. Numbers are decimal text; binary
 * data is base64. Scanning is strict: attributes must come in the order
 * asked for, with valid values and within size limits; a malformed or
 * unexpected attribute, a timeout or EOF fails the scan (-1), and the
 * caller drops that client. Protocols are documented in docs/protocols/. */
#ifndef ATTR_H
#define ATTR_H

#include <stdarg.h>

#include "buf.h"
#include "stream.h"

enum attr_type {
    ATTR_TYPE_END = 0,                  /* ends the argument list */
    ATTR_TYPE_INT,                      /* int */
    ATTR_TYPE_LONG,                     /* long */
    ATTR_TYPE_STR,                      /* text without NUL bytes */
    ATTR_TYPE_DATA,                     /* binary (base64 on the wire) */
};

/* Building argument lists for attr_print(). */
#define SEND_ATTR_INT(name, val)        ATTR_TYPE_INT, (const char *) (name), (int) (val)
#define SEND_ATTR_LONG(name, val)       ATTR_TYPE_LONG, (const char *) (name), (long) (val)
#define SEND_ATTR_STR(name, val)        ATTR_TYPE_STR, (const char *) (name), (const char *) (val)
#define SEND_ATTR_DATA(name, len, ptr)  ATTR_TYPE_DATA, (const char *) (name), (size_t) (len), (const void *) (ptr)

/* Building argument lists for attr_scan(). */
#define RECV_ATTR_INT(name, ptr)        ATTR_TYPE_INT, (const char *) (name), (int *) (ptr)
#define RECV_ATTR_LONG(name, ptr)       ATTR_TYPE_LONG, (const char *) (name), (long *) (ptr)
#define RECV_ATTR_STR(name, bp)         ATTR_TYPE_STR, (const char *) (name), (BUF *) (bp)
#define RECV_ATTR_DATA(name, bp)        ATTR_TYPE_DATA, (const char *) (name), (BUF *) (bp)

#define ATTR_FLAG_NONE          0
#define ATTR_FLAG_MORE          (1<<0)  /* print: don't end the message;
                                         * scan: don't expect the end yet */
#define ATTR_FLAG_STRICT        (1<<1)  /* scan: extra attributes are an error */

#define ATTR_NAME_MAX           256     /* longest attribute name */
#define ATTR_VALUE_MAX          (1024*1024)     /* longest value */

/* attr_print - send attributes, then (unless MORE) the end marker, then
 * flush; 0 or -1 */
int     attr_print(STREAM *sp, int flags, ...);
int     attr_vprint(STREAM *sp, int flags, va_list ap);

/* attr_scan - receive the named attributes in order; returns how many
 * were received (a message with fewer ends early), or -1 on error.
 * A name other than the next one asked for is an error. After the last
 * requested attribute (unless MORE) the rest of the message is read up to
 * the end marker: extra attributes are skipped, or with STRICT are an
 * error. INT and LONG must be plain decimal ("-12"; no "+", spaces or
 * junk) within range; DATA must be canonical base64. Protocol violations
 * are logged with msg_warn(); EOF before a message starts is not. */
int     attr_scan(STREAM *sp, int flags, ...);
int     attr_vscan(STREAM *sp, int flags, va_list ap);

/* A whole message into a table, for readers that accept any attributes:
 * returns the count, or -1 (also for a duplicate name); names map to
 * mystrdup'ed values in wire form (DATA stays base64). On -1 the entries
 * read so far stay in the table; free them with myfree. */
struct HTABLE;
int     attr_scan_table(STREAM *sp, struct HTABLE *table);

#endif
