/* bounce_log - write and read the records of a per-message status log.
 *
 * Format (bounce_log.h): observed from Debian's Postfix 3.7 bounce,
 * defer and trace services (docs/bounce.md). Addresses are written in
 * external form (quote_822_local: "\"sp ace\"@x.test"), after control
 * and non-UTF-8 bytes became '?' (so "a\tb@x" is "a?b@x", unquoted), as
 * Postfix sanitises its input before it quotes; the reader returns them
 * as written. What is left out, and when:
 *   recipient            always; "<>" for an empty address
 *   original_recipient   when set and different from the recipient
 *   offset               when above 0 (the first record of a queue file
 *                        is never a recipient)
 *   dsn_orig_rcpt        when set
 *   notify_flags         when not 0
 *   the DSN fields       when set
 * The reader takes the fields in any order and reads records one at a
 * time, so a log of any length needs little memory. */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bounce_log.h"
#include "msg.h"
#include "mymalloc.h"
#include "quote_822_local.h"
#include "stream.h"

/* The fields, in the order they are written. */
enum {
    BL_RCPT, BL_ORIG, BL_OFFSET, BL_ORCPT, BL_NOTIFY, BL_STATUS,
    BL_ACTION, BL_DTYPE, BL_DTEXT, BL_MTYPE, BL_MNAME, BL_REASON,
    BL_COUNT,
};

static const char *const bl_names[BL_COUNT] = {
    "recipient", "original_recipient", "offset", "dsn_orig_rcpt",
    "notify_flags", "status", "action", "diag_type", "diag_text",
    "mta_type", "mta_mname", "reason",
};

/* The largest notify_flags value: NEVER|SUCCESS|FAILURE|DELAY. */
#define BL_NOTIFY_MAX   (DSN_NOTIFY_NEVER | DSN_NOTIFY_SUCCESS \
                         | DSN_NOTIFY_FAILURE | DSN_NOTIFY_DELAY)

struct BOUNCE_LOG_FILE {
    int     fd;
    STREAM *sp;
    char   *name;                       /* for warnings: "bounce/ID" */
    bool    seen_end;                   /* read once: no more warnings */
    BUF    *line;
    BUF    *field[BL_COUNT];
    bool    seen[BL_COUNT];
    RECIPIENT rcpt;                     /* what bounce_log_read returns */
    DSN     dsn;
};

/* bl_put - append "name=value\n" with value made printable */
static void
bl_put(BUF *bp, const char *name, const char *value)
{
    size_t  start;

    buf_sprintf_append(bp, "%s=", name);
    start = buf_len(bp);
    buf_strcat(bp, value);
    msg_printable(buf_str(bp) + start, buf_len(bp) - start);
    buf_addch(bp, '\n');
}

/* bl_put_set - bl_put() when value is not empty */
static void
bl_put_set(BUF *bp, const char *name, const char *value)
{
    if (value && *value)
        bl_put(bp, name, value);
}

/* bl_external - an address made printable, then in external form; the
 * empty address stays empty */
static const char *
bl_external(BUF *ext, BUF *tmp, const char *addr)
{
    buf_strcpy(tmp, addr);
    msg_printable(buf_str(tmp), buf_len(tmp));
    if (*addr)
        quote_822_local(ext, buf_str(tmp));
    else
        buf_reset(ext);
    return buf_str(ext);
}

/* bounce_log_format - one record in the logfile format */
void
bounce_log_format(BUF *bp, const RECIPIENT *rcpt, const DSN *dsn,
                  bool with_text)
{
    BUF    *addr = buf_alloc(100);
    BUF    *tmp = buf_alloc(100);
    size_t  start;

    bl_external(addr, tmp, rcpt->address);
    buf_addch(bp, '\n');
    if (with_text) {
        start = buf_len(bp);
        buf_sprintf_append(bp, "<%s>: %s", buf_str(addr), dsn->reason);
        msg_printable(buf_str(bp) + start, buf_len(bp) - start);
        buf_addch(bp, '\n');
    }
    bl_put(bp, bl_names[BL_RCPT], *rcpt->address ? buf_str(addr) : "<>");
    if (rcpt->orig_addr && *rcpt->orig_addr
        && strcmp(rcpt->orig_addr, rcpt->address) != 0)
        bl_put(bp, bl_names[BL_ORIG], bl_external(addr, tmp,
                                                  rcpt->orig_addr));
    if (rcpt->offset > 0)
        buf_sprintf_append(bp, "%s=%ld\n", bl_names[BL_OFFSET], rcpt->offset);
    bl_put_set(bp, bl_names[BL_ORCPT], rcpt->dsn_orig);
    if (rcpt->dsn_notify != 0)
        buf_sprintf_append(bp, "%s=%d\n", bl_names[BL_NOTIFY],
                           rcpt->dsn_notify);
    bl_put_set(bp, bl_names[BL_STATUS], dsn->status);
    bl_put_set(bp, bl_names[BL_ACTION], dsn->action);
    bl_put_set(bp, bl_names[BL_DTYPE], dsn->dtype);
    bl_put_set(bp, bl_names[BL_DTEXT], dsn->dtext);
    bl_put_set(bp, bl_names[BL_MTYPE], dsn->mtype);
    bl_put_set(bp, bl_names[BL_MNAME], dsn->mname);
    bl_put_set(bp, bl_names[BL_REASON], dsn->reason);
    buf_addch(bp, '\n');
    buf_free(addr);
    buf_free(tmp);
}

/* bounce_log_fdopen - a reader for the log open on fd */
BOUNCE_LOG_FILE *
bounce_log_fdopen(int fd, const char *name)
{
    BOUNCE_LOG_FILE *bl = mycalloc(1, sizeof(*bl));

    bl->fd = fd;
    bl->sp = stream_fdopen(fd);
    bl->name = mystrdup(name);
    bl->line = buf_alloc(200);
    for (int i = 0; i < BL_COUNT; i++)
        bl->field[i] = buf_alloc(50);
    return bl;
}

/* bounce_log_open - open the log of a message */
BOUNCE_LOG_FILE *
bounce_log_open(const MAIL_QUEUE_CONF *conf, const char *queue,
                const char *id, BUF *why)
{
    BUF    *path = buf_alloc(100);
    BOUNCE_LOG_FILE *bl = NULL;
    int     fd;

    if (mail_queue_path(path, conf, queue, id, why) < 0)
        errno = EINVAL;
    else if ((fd = mail_queue_open(conf, queue, id, O_RDONLY, NULL, why)) >= 0)
        bl = bounce_log_fdopen(fd, buf_str(path));
    buf_free(path);
    return bl;
}

/* bounce_log_rewind - back to the first record */
int
bounce_log_rewind(BOUNCE_LOG_FILE *bl)
{
    stream_free(bl->sp);
    bl->sp = stream_fdopen(bl->fd);
    return lseek(bl->fd, 0, SEEK_SET) < 0 ? -1 : 0;
}

/* bounce_log_close - close and free */
void
bounce_log_close(BOUNCE_LOG_FILE *bl)
{
    (void) stream_close(bl->sp);
    myfree(bl->name);
    buf_free(bl->line);
    for (int i = 0; i < BL_COUNT; i++)
        buf_free(bl->field[i]);
    myfree(bl);
}

/* bl_warn - a warning about the file, the first time it is read */
static void MSG_PRINTF(2, 3)
bl_warn(BOUNCE_LOG_FILE *bl, const char *fmt, ...)
{
    va_list ap;

    if (bl->seen_end)
        return;
    va_start(ap, fmt);
    msg_vprintf(MSG_WARN, fmt, ap);
    va_end(ap);
}

/* bl_number - a decimal number from 0 to max; 0, or -1 when malformed */
static int
bl_number(const char *text, long max, long *value)
{
    long    v = 0;

    if (*text == 0)
        return -1;
    for (; *text; text++) {
        if (*text < '0' || *text > '9' || v > (max - (*text - '0')) / 10)
            return -1;
        v = v * 10 + (*text - '0');
    }
    *value = v;
    return 0;
}

/* bl_get_line - the next line without its newline into bl->line: 1, 0
 * at the end, -1 on a read error; *bad is set when the line is too long
 * (the rest of it is skipped) or has no newline */
static int
bl_get_line(BOUNCE_LOG_FILE *bl, bool *bad)
{
    int     last;

    buf_reset(bl->line);
    if ((last = stream_get_line(bl->sp, bl->line, BOUNCE_LOG_LINE_MAX)) == EOF)
        return stream_error(bl->sp) ? -1 : 0;
    if (last == '\n') {
        buf_truncate(bl->line, buf_len(bl->line) - 1);
        return 1;
    }
    if (buf_len(bl->line) >= BOUNCE_LOG_LINE_MAX) {
        BUF    *rest = buf_alloc(BOUNCE_LOG_LINE_MAX);

        *bad = true;
        do {
            buf_reset(rest);
        } while ((last = stream_get_line(bl->sp, rest, BOUNCE_LOG_LINE_MAX))
                 != EOF && last != '\n');
        buf_free(rest);
    }
    /* A last line without a newline: the record was never finished. */
    if (last != '\n')
        *bad = true;
    return stream_error(bl->sp) ? -1 : 1;
}

/* bl_field - take one "name=value" line; false when it is malformed */
static bool
bl_field(BOUNCE_LOG_FILE *bl, const char *line)
{
    const char *eq = strchr(line, '=');

    if (eq == NULL || eq == line)
        return false;
    for (int i = 0; i < BL_COUNT; i++) {
        if (strncmp(bl_names[i], line, eq - line) == 0
            && bl_names[i][eq - line] == 0) {
            buf_strcpy(bl->field[i], eq + 1);
            bl->seen[i] = true;
            return true;
        }
    }
    bl_warn(bl, "%s: unknown attribute name: %.*s, ignored", bl->name,
            (int) (eq - line), line);
    return true;
}

/* bl_finish - turn the fields into rcpt and dsn; false when unusable */
static bool
bl_finish(BOUNCE_LOG_FILE *bl)
{
    long    offset = 0, notify = 0;

    if (!bl->seen[BL_RCPT]) {
        bl_warn(bl, "%s: record without a recipient, skipped", bl->name);
        return false;
    }
    if ((bl->seen[BL_OFFSET]
         && bl_number(buf_str(bl->field[BL_OFFSET]), LONG_MAX, &offset) < 0)
        || (bl->seen[BL_NOTIFY]
            && bl_number(buf_str(bl->field[BL_NOTIFY]), BL_NOTIFY_MAX,
                         &notify) < 0)) {
        bl_warn(bl, "%s: record for %s has a malformed number, skipped",
                bl->name, buf_str(bl->field[BL_RCPT]));
        return false;
    }
    if (strcmp(buf_str(bl->field[BL_RCPT]), "<>") == 0)
        buf_reset(bl->field[BL_RCPT]);
    bl->rcpt.address = buf_str(bl->field[BL_RCPT]);
    bl->rcpt.orig_addr = buf_str(bl->field[BL_ORIG]);
    bl->rcpt.offset = offset;
    bl->rcpt.dsn_orig = buf_str(bl->field[BL_ORCPT]);
    bl->rcpt.dsn_notify = (int) notify;
    bl->dsn.status = buf_str(bl->field[BL_STATUS]);
    bl->dsn.action = buf_str(bl->field[BL_ACTION]);
    bl->dsn.dtype = buf_str(bl->field[BL_DTYPE]);
    bl->dsn.dtext = buf_str(bl->field[BL_DTEXT]);
    bl->dsn.mtype = buf_str(bl->field[BL_MTYPE]);
    bl->dsn.mname = buf_str(bl->field[BL_MNAME]);
    bl->dsn.reason = buf_str(bl->field[BL_REASON]);
    return true;
}

/* bl_clear - forget the fields of the previous record */
static void
bl_clear(BOUNCE_LOG_FILE *bl)
{
    for (int i = 0; i < BL_COUNT; i++) {
        buf_reset(bl->field[i]);
        bl->seen[i] = false;
    }
}

/* bounce_log_read - the next usable record */
int
bounce_log_read(BOUNCE_LOG_FILE *bl, const RECIPIENT **rcpt, const DSN **dsn)
{
    bool    have = false, bad = false;
    int     status;

    bl_clear(bl);
    for (;;) {
        if ((status = bl_get_line(bl, &bad)) < 0)
            return -1;
        if (status > 0 && buf_len(bl->line) > 0) {
            have = true;
            if (*buf_str(bl->line) != '<' && !bl_field(bl, buf_str(bl->line)))
                bad = true;
            continue;
        }
        /* An empty line ends a record; the end of the file cuts one. */
        if (have && (bad || status == 0))
            bl_warn(bl, "%s: damaged record, skipped", bl->name);
        else if (have && bl_finish(bl)) {
            *rcpt = &bl->rcpt;
            *dsn = &bl->dsn;
            return 1;
        }
        if (status == 0) {
            bl->seen_end = true;
            return 0;
        }
        have = bad = false;
        bl_clear(bl);
    }
}
