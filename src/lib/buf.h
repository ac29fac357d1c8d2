/* buf - growable byte buffer, always NUL-terminated.
 *
 * Holds binary data (len counts the bytes) and is always followed by a
 * NUL byte, so buf_str() can be passed to string functions. */
#ifndef BUF_H
#define BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "msg.h"

typedef struct BUF {
    char   *data;                       /* len bytes, then a NUL */
    size_t  len;
    size_t  cap;                        /* allocated, excluding the NUL */
} BUF;

BUF    *buf_alloc(size_t initial);
void    buf_free(BUF *bp);
char   *buf_export(BUF *bp);            /* free the BUF, keep its string */
void    buf_reset(BUF *bp);
void    buf_reserve(BUF *bp, size_t more);
void    buf_truncate(BUF *bp, size_t len);
void    buf_append(BUF *bp, const void *data, size_t len);
void    buf_strcat(BUF *bp, const char *str);
void    buf_strcpy(BUF *bp, const char *str);
void    buf_addch(BUF *bp, int ch);
void    buf_sprintf(BUF *bp, const char *fmt, ...) MSG_PRINTF(2, 3);
void    buf_sprintf_append(BUF *bp, const char *fmt, ...) MSG_PRINTF(2, 3);
void    buf_vsprintf_append(BUF *bp, const char *fmt, va_list ap) MSG_PRINTF(2, 0);
void    buf_trim_right(BUF *bp);         /* drop trailing white space */
void    buf_lowercase(BUF *bp);

#define buf_str(bp)   ((bp)->data)
#define buf_len(bp)   ((bp)->len)
#define buf_last(bp)  ((bp)->len ? (bp)->data[(bp)->len - 1] : 0)

#endif
