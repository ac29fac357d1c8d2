/* buf - growable byte buffer, always NUL-terminated. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "mymalloc.h"

/* buf_alloc - create an empty buffer */
BUF *
buf_alloc(size_t initial)
{
    BUF    *bp = mymalloc(sizeof(*bp));

    bp->cap = initial ? initial : 16;
    bp->data = mymalloc(bp->cap + 1);
    bp->len = 0;
    bp->data[0] = 0;
    return bp;
}

/* buf_free - destroy a buffer */
void
buf_free(BUF *bp)
{
    if (bp) {
        myfree(bp->data);
        myfree(bp);
    }
}

/* buf_export - destroy the buffer, return its string for the caller to free */
char *
buf_export(BUF *bp)
{
    char   *data = bp->data;

    myfree(bp);
    return data;
}

/* buf_reset - empty the buffer, keep the memory */
void
buf_reset(BUF *bp)
{
    bp->len = 0;
    bp->data[0] = 0;
}

/* buf_reserve - make room for more bytes after len */
void
buf_reserve(BUF *bp, size_t more)
{
    size_t  need;

    if (more > (size_t) -1 / 2 - bp->len)
        msg_panic("buf_reserve: size overflow");
    need = bp->len + more;
    if (need <= bp->cap)
        return;
    while (bp->cap < need)
        bp->cap *= 2;
    bp->data = myrealloc(bp->data, bp->cap + 1);
}

/* buf_truncate - shorten to len bytes (never lengthens) */
void
buf_truncate(BUF *bp, size_t len)
{
    if (len < bp->len) {
        bp->len = len;
        bp->data[len] = 0;
    }
}

/* buf_append - add bytes */
void
buf_append(BUF *bp, const void *data, size_t len)
{
    buf_reserve(bp, len);
    memcpy(bp->data + bp->len, data, len);
    bp->len += len;
    bp->data[bp->len] = 0;
}

/* buf_strcat - add a string */
void
buf_strcat(BUF *bp, const char *str)
{
    buf_append(bp, str, strlen(str));
}

/* buf_strcpy - replace the content with a string */
void
buf_strcpy(BUF *bp, const char *str)
{
    buf_reset(bp);
    buf_strcat(bp, str);
}

/* buf_addch - add one byte */
void
buf_addch(BUF *bp, int ch)
{
    buf_reserve(bp, 1);
    bp->data[bp->len++] = (char) ch;
    bp->data[bp->len] = 0;
}

/* buf_vsprintf_append - add formatted text */
void
buf_vsprintf_append(BUF *bp, const char *fmt, va_list ap)
{
    va_list ap2;
    int     len;

    va_copy(ap2, ap);
    len = vsnprintf(bp->data + bp->len, bp->cap - bp->len + 1, fmt, ap2);
    va_end(ap2);
    if (len < 0)
        msg_panic("buf_vsprintf_append: bad format \"%s\"", fmt);
    if ((size_t) len > bp->cap - bp->len) {
        buf_reserve(bp, len);
        vsnprintf(bp->data + bp->len, bp->cap - bp->len + 1, fmt, ap);
    }
    bp->len += len;
}

/* buf_sprintf_append - add formatted text */
void
buf_sprintf_append(BUF *bp, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    buf_vsprintf_append(bp, fmt, ap);
    va_end(ap);
}

/* buf_sprintf - replace the content with formatted text */
void
buf_sprintf(BUF *bp, const char *fmt, ...)
{
    va_list ap;

    buf_reset(bp);
    va_start(ap, fmt);
    buf_vsprintf_append(bp, fmt, ap);
    va_end(ap);
}

/* buf_trim_right - drop trailing white space */
void
buf_trim_right(BUF *bp)
{
    while (bp->len > 0 && isspace((unsigned char) bp->data[bp->len - 1]))
        bp->len--;
    bp->data[bp->len] = 0;
}

/* buf_lowercase - fold ASCII letters to lower case in place */
void
buf_lowercase(BUF *bp)
{
    for (size_t i = 0; i < bp->len; i++)
        bp->data[i] = (char) tolower((unsigned char) bp->data[i]);
}
