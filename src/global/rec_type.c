/* rec_type - names of queue file record types and the sections they go in.
 *
 * Model: one table, one row per letter, with postcat's name for it and a
 * mask of the sections where it may appear. The names and the envelope
 * set come from observing Debian's Postfix 3.7: postcat -v on a file with
 * each of the 256 byte values as a record type, and which first bytes it
 * accepts as a queue file. The section masks follow the order cleanup
 * writes (docs/queue-format.md). Peers: rec_stream (framing), queue_file
 * (integrity check and writer), qcat-like tools (names). */
#include <stddef.h>

#include "rec_type.h"

#define IN_ENV  (1 << REC_SECT_ENVELOPE)
#define IN_CONT (1 << REC_SECT_CONTENT)
#define IN_XTRA (1 << REC_SECT_EXTRACTED)
#define IN_META (IN_ENV | IN_XTRA)     /* envelope-style information */
#define IN_ALL  (IN_ENV | IN_CONT | IN_XTRA)

typedef struct REC_TYPE_INFO {
    int     type;
    const char *name;
    int     sections;                   /* mask of REC_SECTION bits */
} REC_TYPE_INFO;

/* 'L' is listed once here as the content filter; the content section
 * meaning is handled in rec_type_name(). */
static const REC_TYPE_INFO rec_types[] = {
    {REC_TYPE_SIZE, "message_size", IN_ENV},
    {REC_TYPE_TIME, "message_arrival_time", IN_ENV},
    {REC_TYPE_CTIME, "queue_file_create_time", IN_ENV},
    {REC_TYPE_FULL, "sender_fullname", IN_META},
    {REC_TYPE_INSP, "content_inspector", IN_META},
    {REC_TYPE_FILT, "content_filter", IN_META},
    {REC_TYPE_FROM, "sender", IN_ENV},
    {REC_TYPE_DONE, "done_recipient", IN_META},
    {REC_TYPE_RCPT, "recipient", IN_META},
    {REC_TYPE_ORCP, "original_recipient", IN_META},
    {REC_TYPE_DRCP, "canceled_recipient", IN_META},
    {REC_TYPE_WARN, "warning_message_time", IN_ENV},
    {REC_TYPE_ATTR, "named_attribute", IN_META},
    {REC_TYPE_KILL, "killed_record", IN_META},
    {REC_TYPE_RDR, "redirect_to", IN_META},
    {REC_TYPE_FLGS, "flags", IN_META},
    {REC_TYPE_VERP, "verp_delimiters", IN_META},
    {REC_TYPE_PRIO, "priority", IN_META},
    {REC_TYPE_DSN_RET, "dsn_return_flags", IN_META},
    {REC_TYPE_DSN_ENVID, "dsn_envelope_id", IN_META},
    {REC_TYPE_DSN_ORCPT, "dsn_original_recipient", IN_META},
    {REC_TYPE_DSN_NOTIFY, "dsn_notify_flags", IN_META},
    {REC_TYPE_MESG, "message_content", IN_ENV},
    {REC_TYPE_XTRA, "header_extracted", IN_CONT},
    {REC_TYPE_END, "message_end", IN_XTRA},
    {REC_TYPE_NORM, "regular_text", IN_CONT},
    {REC_TYPE_RRTO, "return_receipt", IN_XTRA},
    {REC_TYPE_ERTO, "errors_to", IN_XTRA},
    {REC_TYPE_PTR, "pointer_record", IN_ALL},
    {REC_TYPE_DTXT, "padding", IN_ALL},
};

#define REC_TYPE_COUNT  (sizeof(rec_types) / sizeof(rec_types[0]))

/* rec_type_find - the table row of a type, or NULL */
static const REC_TYPE_INFO *
rec_type_find(int type)
{
    for (size_t i = 0; i < REC_TYPE_COUNT; i++)
        if (rec_types[i].type == type)
            return rec_types + i;
    return NULL;
}

/* rec_type_name - postcat's name for a type in a section */
const char *
rec_type_name(int type, REC_SECTION section)
{
    const REC_TYPE_INFO *ip;

    if (type == REC_TYPE_CONT && section == REC_SECT_CONTENT)
        return "unterminated_text";
    return (ip = rec_type_find(type)) ? ip->name : "unknown_record_type";
}

/* rec_type_allowed - whether a type may appear in a section */
bool
rec_type_allowed(int type, REC_SECTION section)
{
    const REC_TYPE_INFO *ip;

    if (section == REC_SECT_DONE)
        return false;
    if (type == REC_TYPE_CONT && section == REC_SECT_CONTENT)
        return true;
    return (ip = rec_type_find(type)) != NULL
        && (ip->sections & (1 << section)) != 0;
}

/* rec_type_next_section - the section that follows a marker record */
REC_SECTION
rec_type_next_section(int type, REC_SECTION section)
{
    switch (type) {
    case REC_TYPE_MESG:
        return section == REC_SECT_ENVELOPE ? REC_SECT_CONTENT : section;
    case REC_TYPE_XTRA:
        return section == REC_SECT_CONTENT ? REC_SECT_EXTRACTED : section;
    case REC_TYPE_END:
        return section == REC_SECT_EXTRACTED ? REC_SECT_DONE : section;
    default:
        return section;
    }
}
