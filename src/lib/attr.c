/* attr - the attribute request/reply codec of the daemon protocols.
 *
 * Model: a message is a sequence of "name\0value\0" pairs ended by an
 * empty name ("\0"); see docs/protocols/attr.md. attr_print() formats the
 * pairs into the stream buffer and flushes once. attr_scan() reads each
 * field with stream_get_delim() bounded by the size limit of its kind, so
 * a peer can never make us buffer more than ATTR_VALUE_MAX (plus base64
 * overhead) per field. A protocol violation is logged with msg_warn() and
 * fails the scan; an EOF before the first byte of a message is a normal
 * disconnect and is not logged.
 *
 * Peers: stream.c (I/O), base64.c (DATA values), htable.c. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "attr.h"
#include "base64.h"
#include "htable.h"
#include "msg.h"
#include "mymalloc.h"

#define ATTR_NUM_MAX    24              /* digits of a long, sign, slack */

/* attr_print_name - send "name\0"; panics on a name no peer could read */
static void
attr_print_name(STREAM *sp, const char *name)
{
    size_t  len = strlen(name);

    if (len == 0 || len > ATTR_NAME_MAX)
        msg_panic("attr_print: bad attribute name length %zu", len);
    stream_write(sp, name, len + 1);
}

/* attr_vprint - send attributes from a va_list */
int
attr_vprint(STREAM *sp, int flags, va_list ap)
{
    BUF    *tmp = NULL;
    enum attr_type type;
    const char *name;
    const char *str;
    const void *data;
    size_t  len;

    while ((type = va_arg(ap, int)) != ATTR_TYPE_END) {
        name = va_arg(ap, const char *);
        attr_print_name(sp, name);
        switch (type) {
        case ATTR_TYPE_INT:
            stream_printf(sp, "%d", va_arg(ap, int));
            break;
        case ATTR_TYPE_LONG:
            stream_printf(sp, "%ld", va_arg(ap, long));
            break;
        case ATTR_TYPE_STR:
            str = va_arg(ap, const char *);
            if (strlen(str) > ATTR_VALUE_MAX)
                msg_panic("attr_print: attribute %s: value too long", name);
            stream_puts(sp, str);
            break;
        case ATTR_TYPE_DATA:
            len = va_arg(ap, size_t);
            data = va_arg(ap, const void *);
            if (len > ATTR_VALUE_MAX)
                msg_panic("attr_print: attribute %s: value too long", name);
            if (tmp == NULL)
                tmp = buf_alloc(base64_encoded_len(len));
            buf_reset(tmp);
            base64_encode(tmp, data, len);
            stream_write(sp, buf_str(tmp), buf_len(tmp));
            break;
        default:
            msg_panic("attr_print: unknown attribute type %d", type);
        }
        stream_putc(sp, 0);
    }
    buf_free(tmp);
    if ((flags & ATTR_FLAG_MORE) == 0)
        stream_putc(sp, 0);
    return stream_flush(sp);
}

/* attr_print - send attributes */
int
attr_print(STREAM *sp, int flags, ...)
{
    va_list ap;
    int     status;

    va_start(ap, flags);
    status = attr_vprint(sp, flags, ap);
    va_end(ap);
    return status;
}

/* attr_get_field - read one NUL-terminated field of at most limit bytes
 * into bp (without the NUL); 0, or -1 (EOF, error, too long). An EOF
 * before the first byte is not logged when quiet_eof is set. */
static int
attr_get_field(STREAM *sp, BUF *bp, size_t limit, const char *what,
               const char *name, bool quiet_eof)
{
    buf_reset(bp);
    if (stream_get_delim(sp, bp, 0, limit + 1) == 0) {
        buf_truncate(bp, buf_len(bp) - 1);
        return 0;
    }
    if (stream_timedout(sp))
        msg_warn("timeout while reading attribute %s%s", what, name);
    else if (stream_error(sp))
        msg_warn("read error while reading attribute %s%s: %m", what, name);
    else if (stream_eof(sp)) {
        if (buf_len(bp) > 0 || !quiet_eof)
            msg_warn("premature end-of-input while reading attribute %s%s",
                     what, name);
    } else
        msg_warn("attribute %s%s is longer than %zu bytes", what, name, limit);
    return -1;
}

/* attr_get_number - strict decimal long in [min, max]; 0 or -1 */
static int
attr_get_number(const char *text, long min, long max, long *result)
{
    char   *end;
    long    val;

    /* Digits, optionally after a '-'; no spaces, no '+', nothing after. */
    if (!(text[0] >= '0' && text[0] <= '9')
        && !(text[0] == '-' && text[1] >= '0' && text[1] <= '9'))
        return -1;
    errno = 0;
    val = strtol(text, &end, 10);
    if (*end != 0 || errno == ERANGE || val < min || val > max)
        return -1;
    *result = val;
    return 0;
}

/* attr_value_limit - the longest wire value of a type */
static size_t
attr_value_limit(enum attr_type type)
{
    switch (type) {
    case ATTR_TYPE_INT:
    case ATTR_TYPE_LONG:
        return ATTR_NUM_MAX;
    case ATTR_TYPE_DATA:
        return base64_encoded_len(ATTR_VALUE_MAX);
    default:
        return ATTR_VALUE_MAX;
    }
}

/* attr_store - convert a received value and store it through ptr */
static int
attr_store(enum attr_type type, const char *name, BUF *value, void *ptr)
{
    long    num;

    switch (type) {
    case ATTR_TYPE_INT:
        if (attr_get_number(buf_str(value), INT_MIN, INT_MAX, &num) < 0)
            break;
        *(int *) ptr = (int) num;
        return 0;
    case ATTR_TYPE_LONG:
        if (attr_get_number(buf_str(value), LONG_MIN, LONG_MAX, &num) < 0)
            break;
        *(long *) ptr = num;
        return 0;
    case ATTR_TYPE_STR:
        buf_strcpy((BUF *) ptr, buf_str(value));
        return 0;
    case ATTR_TYPE_DATA:
        buf_reset((BUF *) ptr);
        if (base64_decode((BUF *) ptr, buf_str(value), buf_len(value)) < 0)
            break;
        return 0;
    default:
        msg_panic("attr_scan: unknown attribute type %d", type);
    }
    msg_warn("malformed value of attribute %s", name);
    return -1;
}

/* attr_skip_rest - read and drop attributes up to the end of the message */
static int
attr_skip_rest(STREAM *sp, BUF *name, BUF *value, int flags)
{
    for (;;) {
        if (attr_get_field(sp, name, ATTR_NAME_MAX, "name", "", false) < 0)
            return -1;
        if (buf_len(name) == 0)
            return 0;
        if (flags & ATTR_FLAG_STRICT) {
            msg_warn("unexpected attribute %s", buf_str(name));
            return -1;
        }
        if (attr_get_field(sp, value, attr_value_limit(ATTR_TYPE_DATA),
                           "value of ", buf_str(name), false) < 0)
            return -1;
    }
}

/* attr_vscan - receive the named attributes in order */
int
attr_vscan(STREAM *sp, int flags, va_list ap)
{
    BUF    *name = buf_alloc(64);
    BUF    *value = buf_alloc(64);
    enum attr_type type;
    const char *want;
    void   *ptr;
    int     count = 0;

    while ((type = va_arg(ap, int)) != ATTR_TYPE_END) {
        want = va_arg(ap, const char *);
        ptr = va_arg(ap, void *);
        if (attr_get_field(sp, name, ATTR_NAME_MAX, "name", "",
                           count == 0) < 0) {
            count = -1;
            goto done;
        }
        if (buf_len(name) == 0)
            goto done;                  /* the message ended early */
        if (strcmp(buf_str(name), want) != 0) {
            msg_warn("unexpected attribute %s (expecting: %s)",
                     buf_str(name), want);
            count = -1;
            goto done;
        }
        if (attr_get_field(sp, value, attr_value_limit(type), "value of ",
                           want, false) < 0
            || attr_store(type, want, value, ptr) < 0) {
            count = -1;
            goto done;
        }
        count++;
    }
    if ((flags & ATTR_FLAG_MORE) == 0
        && attr_skip_rest(sp, name, value, flags) < 0)
        count = -1;

done:
    buf_free(name);
    buf_free(value);
    return count;
}

/* attr_scan - receive the named attributes in order */
int
attr_scan(STREAM *sp, int flags, ...)
{
    va_list ap;
    int     count;

    va_start(ap, flags);
    count = attr_vscan(sp, flags, ap);
    va_end(ap);
    return count;
}

/* attr_scan_table - a whole message into a table of mystrdup'ed values */
int
attr_scan_table(STREAM *sp, struct HTABLE *table)
{
    BUF    *name = buf_alloc(64);
    BUF    *value = buf_alloc(64);
    int     count = 0;

    for (;;) {
        if (attr_get_field(sp, name, ATTR_NAME_MAX, "name", "",
                           count == 0) < 0) {
            count = -1;
            break;
        }
        if (buf_len(name) == 0)
            break;
        if (attr_get_field(sp, value, attr_value_limit(ATTR_TYPE_DATA),
                           "value of ", buf_str(name), false) < 0) {
            count = -1;
            break;
        }
        if (htable_locate(table, buf_str(name)) != NULL) {
            msg_warn("duplicate attribute %s", buf_str(name));
            count = -1;
            break;
        }
        htable_enter(table, buf_str(name), mystrdup(buf_str(value)));
        count++;
    }
    buf_free(name);
    buf_free(value);
    return count;
}
