/* pickup_rules - which records of a maildrop file go to cleanup.
 *
 * Two kinds of file reach maildrop, and pickup_file.c tells them apart
 * (pickup_requeued()):
 *
 * A user's file, written by postdrop. It comes from a user, so it is
 * checked more strictly than Postfix does: it must hold what postdrop
 * writes (docs/sendmail.md) and nothing else: 'T' first and only there;
 * envelope 'A F S V O R' with exactly one 'S'; content 'N L'; extracted
 * 'A O R'; empty 'M X E'; no null bytes outside the content; nothing
 * after 'E' (checked by pickup_copy.c). Anything else makes the file
 * damaged. Where Postfix's pickup passes any attribute record, this one
 * passes only those sendmail writes (rewrite_context, envelope_id,
 * ret_flags, encoding, notify_flags, dsn_orig_rcpt) and drops the others
 * with a warning: a local user must not pose as a network client
 * (client_address=...) or fake a log id. sendmail -bv's
 * "trace_flags=512" (user verification: report, deliver nothing) passes
 * too, but no other trace flags: a user must not make an address probe
 * (256) whose result would go into the verify service's cache.
 *
 * A file that "postsuper -r" put back: a whole queue file that cleanup
 * wrote, owned by mail_owner. Model: Debian's Postfix 3.7 pickup (strace
 * of what it sent cleanup for such a file): the records as they are,
 * the size record, done recipients ('D', '/', with their 'O' and
 * attributes), the delay warning time and every envelope attribute
 * included; cleanup drops what it replaces (cleanup_envelope.c). Left
 * out, as there: content filter ('L') and redirect ('>') records, and in
 * the extracted section the Return-Receipt-To and Errors-To records and
 * attributes other than the per-recipient and DSN ones. Pointer and
 * padding records only steer the reading (queue_file.c follows them).
 * Record types that Postern's cleanup never writes make the file
 * damaged. The walk in queue_file.c has already checked the framing,
 * the order of the sections, and that the size record, if any, comes
 * first and matches the content. */
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include "msg.h"
#include "pickup.h"

/* The attributes a local user may pass on. */
static const char *const pickup_user_attrs[] = {
    "rewrite_context", "envelope_id", "ret_flags", "encoding",
    "notify_flags", "dsn_orig_rcpt", NULL,
};

/* The one trace_flags record a local user may pass on: sendmail -bv
 * (DEL_REQ_FLAG_USR_VRFY). */
#define PICKUP_USER_TRACE   "trace_flags=512"

/* The attributes of a requeued file's extracted section that are kept:
 * Postfix's rec_attr_map() names. */
static const char *const pickup_extracted_attrs[] = {
    "dsn_orig_rcpt", "notify_flags", "envelope_id", "ret_flags",
    "create_time", NULL,
};

/* pickup_rules_bad - a damaged file: why = "WHAT at offset OFFSET" */
static int MSG_PRINTF(3, 4)
pickup_rules_bad(PICKUP_RULES *r, off_t offset, const char *fmt, ...)
{
    va_list ap;

    buf_reset(r->why);
    va_start(ap, fmt);
    buf_vsprintf_append(r->why, fmt, ap);
    va_end(ap);
    buf_sprintf_append(r->why, " at offset %lld", (long long) offset);
    return PICKUP_COPY_BAD;
}

/* pickup_rules_listed - whether the name of "name=value" is in list */
static bool
pickup_rules_listed(const char *const *list, const char *data)
{
    size_t  len = strcspn(data, "=");

    for (; *list; list++)
        if (strlen(*list) == len && strncmp(data, *list, len) == 0)
            return true;
    return false;
}

/* pickup_rules_in - whether type is one of types in this section */
static bool
pickup_rules_in(int type, REC_SECTION section, const char *const types[])
{
    return type != 0 && section < REC_SECT_DONE
        && strchr(types[section], type) != NULL;
}

/* pickup_rules_postdrop_type - postdrop's rules for the record type; 0,
 * or PICKUP_COPY_BAD */
static int
pickup_rules_postdrop_type(PICKUP_RULES *r, int type, size_t len,
                           off_t offset, REC_SECTION section)
{
    static const char *const types[] = {
        [REC_SECT_ENVELOPE] = "TAFSVOR" "M",
        [REC_SECT_CONTENT] = "NL" "X",
        [REC_SECT_EXTRACTED] = "AOR" "E",
    };
    bool    first = ++r->records == 1;

    if (first && type != REC_TYPE_TIME)
        return pickup_rules_bad(r, offset, "first record is not the arrival "
                                "time: record type %d", type);
    if (!first && type == REC_TYPE_TIME)
        return pickup_rules_bad(r, offset, "second arrival time record");
    if (!pickup_rules_in(type, section, types))
        return pickup_rules_bad(r, offset, "unexpected record type %d", type);
    if (strchr("MXE", type) != NULL && len != 0)
        return pickup_rules_bad(r, offset, "record type %d is not empty",
                                type);
    return 0;
}

/* pickup_rules_postdrop - a record of a user's file */
int
pickup_rules_postdrop(PICKUP_RULES *r, int type, const char *data,
                      size_t len, off_t offset, REC_SECTION section)
{
    size_t  name_len;

    if (pickup_rules_postdrop_type(r, type, len, offset, section) != 0)
        return PICKUP_COPY_BAD;
    if (section != REC_SECT_CONTENT && memchr(data, 0, len) != NULL)
        return pickup_rules_bad(r, offset, "null byte in record type %d",
                                type);
    if (type == REC_TYPE_FROM && ++r->senders > 1)
        return pickup_rules_bad(r, offset, "second sender record");
    if (type == REC_TYPE_MESG && r->senders == 0)
        return pickup_rules_bad(r, offset, "no sender record before the "
                                "content");
    if (type == REC_TYPE_ATTR && strcmp(data, PICKUP_USER_TRACE) != 0
        && !pickup_rules_listed(pickup_user_attrs, data)) {
        name_len = strcspn(data, "=");
        msg_warn("%s: uid=%ld: ignoring attribute record: %.*s", r->queue_id,
                 r->uid, name_len > 100 ? 100 : (int) name_len, data);
        return PICKUP_RULE_DROP;
    }
    return PICKUP_RULE_SEND;
}

/* pickup_rules_requeued - a record of a file that cleanup wrote */
int
pickup_rules_requeued(PICKUP_RULES *r, int type, const char *data,
                      size_t len, off_t offset, REC_SECTION section)
{
    static const char *const send[] = {
        [REC_SECT_ENVELOPE] = "CTAFSDRO/WVI" "M",
        [REC_SECT_CONTENT] = "NL" "X",
        [REC_SECT_EXTRACTED] = "DRO/A" "E",
    };
    static const char *const drop[] = {
        [REC_SECT_ENVELOPE] = "L>" "pw",
        [REC_SECT_CONTENT] = "pw",
        [REC_SECT_EXTRACTED] = "L>re" "pw",
    };

    (void) len;
    if (pickup_rules_in(type, section, drop))
        return PICKUP_RULE_DROP;
    if (!pickup_rules_in(type, section, send))
        return pickup_rules_bad(r, offset, "unexpected record type %d", type);
    if (type == REC_TYPE_ATTR && section == REC_SECT_EXTRACTED
        && !pickup_rules_listed(pickup_extracted_attrs, data))
        return PICKUP_RULE_DROP;
    return PICKUP_RULE_SEND;
}
