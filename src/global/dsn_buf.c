/* dsn_buf - a delivery status under construction, owned by its builder.
 *
 * Model: four buffers that are overwritten as a delivery step learns
 * more (a writer says "error writing message: File too large", its
 * caller prepends "cannot update mailbox X for user Y. "). Peers: dsn.h
 * (the borrowed view), deliver_result.h. */
#include <errno.h>
#include <stdarg.h>

#include "dsn_buf.h"
#include "mymalloc.h"

/* dsb_create - an empty status */
DSN_BUF *
dsb_create(void)
{
    DSN_BUF *dsb = mymalloc(sizeof(*dsb));

    dsb->status = buf_alloc(10);
    dsb->reason = buf_alloc(100);
    dsb->dtype = buf_alloc(10);
    dsb->dtext = buf_alloc(100);
    return dsb;
}

/* dsb_free - release a status */
void
dsb_free(DSN_BUF *dsb)
{
    buf_free(dsb->status);
    buf_free(dsb->reason);
    buf_free(dsb->dtype);
    buf_free(dsb->dtext);
    myfree(dsb);
}

/* dsb_reset - empty every part */
void
dsb_reset(DSN_BUF *dsb)
{
    buf_reset(dsb->status);
    buf_reset(dsb->reason);
    buf_reset(dsb->dtype);
    buf_reset(dsb->dtext);
}

/* dsb_simple - status and reason, no diagnostic */
void
dsb_simple(DSN_BUF *dsb, const char *status, const char *fmt, ...)
{
    va_list ap;

    buf_strcpy(dsb->status, status);
    buf_reset(dsb->reason);
    va_start(ap, fmt);
    buf_vsprintf_append(dsb->reason, fmt, ap);
    va_end(ap);
    buf_reset(dsb->dtype);
    buf_reset(dsb->dtext);
}

/* dsb_unix - status, reason and an "x-unix" diagnostic */
void
dsb_unix(DSN_BUF *dsb, const char *status, const char *dtext,
         const char *fmt, ...)
{
    va_list ap;

    buf_strcpy(dsb->status, status);
    buf_reset(dsb->reason);
    va_start(ap, fmt);
    buf_vsprintf_append(dsb->reason, fmt, ap);
    va_end(ap);
    buf_strcpy(dsb->dtype, DSB_TYPE_UNIX);
    buf_strcpy(dsb->dtext, dtext);
}

/* dsb_prepend - put formatted text before the reason */
void
dsb_prepend(DSN_BUF *dsb, const char *fmt, ...)
{
    BUF    *text = buf_alloc(100);
    va_list ap;

    va_start(ap, fmt);
    buf_vsprintf_append(text, fmt, ap);
    va_end(ap);
    buf_append(text, buf_str(dsb->reason), buf_len(dsb->reason));
    buf_strcpy(dsb->reason, buf_str(text));
    buf_free(text);
}

/* dsb_dsn - a borrowed view for deliver_result.h */
const DSN *
dsb_dsn(const DSN_BUF *dsb, DSN *dsn, const char *action)
{
    dsn->status = buf_str(dsb->status);
    dsn->action = action;
    dsn->reason = buf_str(dsb->reason);
    dsn->dtype = buf_str(dsb->dtype);
    dsn->dtext = buf_str(dsb->dtext);
    dsn->mtype = "";
    dsn->mname = "";
    return dsn;
}

/* dsb_status_class - '2', '4' or '5' of the status (4 when malformed) */
int
dsb_status_class(const DSN_BUF *dsb)
{
    int     cls = DSN_CLASS(buf_str(dsb->status));

    return cls ? cls : '4';
}

/* dsn_errno_status - the status of a failed file operation */
const char *
dsn_errno_status(int err, const char *def)
{
    switch (err) {
    case EAGAIN:
    case ESTALE:
        return "4.2.0";
    case ENOSPC:
        return "4.3.0";
    case EDQUOT:
    case EFBIG:
        return "5.2.2";
    default:
        return def;
    }
}
