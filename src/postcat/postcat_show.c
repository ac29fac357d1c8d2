/* postcat_show - print one queue file as Debian's Postfix 3.7 postcat.
 *
 * Model: a walk over the records (postcat_read.c) with a small state
 * machine: envelope, primary header, body, extracted. Envelope and
 * extracted records print as "name: data" (times as dates, attributes as
 * "named_attribute: name=value", create_time as a date), section markers
 * as "*** ... FILE ***" banners (only with -e), message text as text.
 * Two output shapes exist, as in Postfix: record by record (-v names
 * each record, -o prefixes its offset; each record on its own line), and
 * joined (otherwise: a partial line 'L' runs into the next record). The
 * primary header ends at the first record that is neither "Name:" nor
 * indented; in the joined shape -h keeps the rest of a logical line that
 * began in the header while -b starts at that record all the same
 * (observed; docs/postcat.md). Damage: see pc_show(). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "msg.h"
#include "postcat.h"
#include "rec_type.h"

/* Where the walk is. */
typedef enum {
    PC_ENV, PC_HEADER, PC_BODY, PC_XTRA,
} PC_SECT;

typedef struct PC_STATE {
    const char *name;
    int     flags;
    PC_SECT sect;
    int     hdr_open;                   /* -h in joined shape: header */
    int     prev_type;                  /* previous text record */
    int     sizes;                      /* size records seen */
    int     partial;                    /* a line was left open */
} PC_STATE;

#define PC_BY_RECORD(f) (((f) & (PC_FLAG_NAMES | PC_FLAG_OFFSET)) != 0)
#define PC_FIRST_TYPES  "/<>ACDFIKLMORSTVWcino"

/* pc_prefix - end a line left open; the offset and decimal type columns */
static void
pc_prefix(PC_STATE *st, off_t offset, int type)
{
    if (st->partial)
        putchar('\n');
    st->partial = 0;
    if (st->flags & PC_FLAG_OFFSET)
        printf("%9ld ", (long) offset);
    if (st->flags & PC_FLAG_DEC)
        printf("%3d ", type);
}

/* pc_banner - a section banner, with -e only */
static void
pc_banner(PC_STATE *st, off_t offset, int type, const char *what)
{
    if (st->flags & PC_FLAG_ENV) {
        pc_prefix(st, offset, type);
        printf("*** %s %s ***\n", what, st->name);
    }
}

/* pc_date - "name: " and the asctime() form of a number of seconds */
static void
pc_date(const char *label, const char *data)
{
    time_t  when = (time_t) strtol(data, NULL, 10);
    struct tm *tm = localtime(&when);
    char    text[64];

    if (tm && strftime(text, sizeof(text), "%a %b %e %H:%M:%S %Y", tm) > 0)
        printf("%s: %s\n", label, text);
    else
        printf("%s: %s\n", label, data);
}

/* pc_trim - skip leading white space; drop trailing white space */
static char *
pc_trim(char *s)
{
    char   *end;

    s += strspn(s, " \t\r\n");
    for (end = s + strlen(s); end > s && strchr(" \t\r\n", end[-1]); end--)
        /* void */ ;
    *end = 0;
    return s;
}

/* pc_attr - a named attribute "name=value" (create_time as a date) */
static void
pc_attr(const PC_STATE *st, char *data)
{
    char   *name = data + strspn(data, " \t\r\n");
    char   *eq = strchr(name, '=');
    const char *why = NULL;

    if (*name == 0 || *name == '=')
        why = "missing attribute name";
    else if (eq == NULL)
        why = "missing '=' after attribute name";
    if (why) {
        fflush(stdout);
        msg_warn("%s: malformed attribute: %s: %s", st->name, why, data);
        return;
    }
    *eq = 0;
    name = pc_trim(name);
    if (strcmp(name, "create_time") == 0)
        pc_date("create_time", pc_trim(eq + 1));
    else
        printf("named_attribute: %s=%s\n", name, pc_trim(eq + 1));
}

/* pc_size_check - warn about a bad or repeated size record */
static void
pc_size_check(PC_STATE *st, const char *data)
{
    long    size, offset;

    fflush(stdout);
    if (st->sizes++ > 0)
        msg_warn("file contains multiple size records");
    else if (sscanf(data, "%ld %ld", &size, &offset) != 2
             || size < 0 || offset < 0)
        msg_warn("invalid size record: %s", data);
}

/* pc_meta - a record other than text or a marker, printed if show */
static void
pc_meta(PC_STATE *st, off_t offset, int type, BUF *data, int show)
{
    REC_SECTION sect = st->sect == PC_XTRA ? REC_SECT_EXTRACTED :
        REC_SECT_ENVELOPE;

    if (type == REC_TYPE_SIZE)
        pc_size_check(st, buf_str(data));
    if (!show)
        return;
    pc_prefix(st, offset, type);
    switch (type) {
    case REC_TYPE_TIME:
        pc_date("message_arrival_time", buf_str(data));
        break;
    case REC_TYPE_WARN:
        pc_date("warning_message_time", buf_str(data));
        break;
    case REC_TYPE_ATTR:
        pc_attr(st, buf_str(data));
        break;
    case REC_TYPE_SIZE:
        printf("message_size: %s\n", buf_str(data));
        break;
    default:
        printf("%s: %s\n", rec_type_name(type, sect), buf_str(data));
        break;
    }
}

/* pc_is_header - whether a text record may belong to a header: indented,
 * or a name of printable characters, optional blanks, a colon */
static int
pc_is_header(const char *s)
{
    const char *cp;

    if (*s == ' ' || *s == '\t')
        return 1;
    for (cp = s; *cp > ' ' && *cp < 127 && *cp != ':'; cp++)
        /* void */ ;
    if (cp == s)
        return 0;
    cp += strspn(cp, " \t");
    return *cp == ':';
}

/* pc_in_header - whether the header is still open for -h */
static int
pc_in_header(const PC_STATE *st)
{
    return PC_BY_RECORD(st->flags) ? st->sect == PC_HEADER : st->hdr_open;
}

/* pc_wanted - whether -h/-b want a record at this point of the content */
static int
pc_wanted(const PC_STATE *st)
{
    return (pc_in_header(st) && (st->flags & PC_FLAG_HEADER))
        || (st->sect != PC_HEADER && (st->flags & PC_FLAG_BODY));
}

/* pc_text_wanted - update the header state; whether -h/-b want it */
static int
pc_text_wanted(PC_STATE *st, int type, const char *data)
{
    if (st->sect == PC_HEADER && !pc_is_header(data))
        st->sect = PC_BODY;
    if (st->hdr_open && st->prev_type != REC_TYPE_CONT && !pc_is_header(data))
        st->hdr_open = 0;
    st->prev_type = type;
    return pc_wanted(st);
}

/* pc_done - whether nothing more can be printed: only -h, and the
 * header is over; or no -e, and the content is over */
static int
pc_done(const PC_STATE *st)
{
    if (st->flags & PC_FLAG_ENV)
        return 0;
    if (st->sect == PC_XTRA)
        return 1;
    return (st->flags & PC_FLAG_BODY) == 0 && st->sect != PC_ENV
        && !pc_in_header(st);
}

/* pc_text - a message text record */
static void
pc_text(PC_STATE *st, off_t offset, int type, BUF *data)
{
    if (!pc_text_wanted(st, type, buf_str(data)))
        return;
    st->partial = 0;                    /* text continues an open line */
    pc_prefix(st, offset, type);
    if (st->flags & PC_FLAG_NAMES)
        printf("%s: %s\n", rec_type_name(type, REC_SECT_CONTENT),
               buf_str(data));
    else if (type == REC_TYPE_NORM || PC_BY_RECORD(st->flags))
        printf("%s\n", buf_str(data));
    else {
        fputs(buf_str(data), stdout);
        st->partial = 1;
    }
}

/* pc_marker - a section marker: banner, order check, new section */
static void
pc_marker(PC_STATE *st, off_t offset, int type)
{
    int     in_text = st->sect == PC_HEADER || st->sect == PC_BODY;

    fflush(stdout);
    if (type == REC_TYPE_MESG) {
        if (st->sect != PC_ENV)
            msg_warn("%s: out-of-order message content marker", st->name);
        pc_banner(st, offset, type, "MESSAGE CONTENTS");
        st->sect = PC_HEADER;
        st->hdr_open = 1;
        st->prev_type = 0;
    } else if (type == REC_TYPE_XTRA) {
        if (!in_text)
            msg_warn("%s: out-of-order extracted segment marker", st->name);
        pc_banner(st, offset, type, "HEADER EXTRACTED");
        st->sect = PC_XTRA;
    } else {
        pc_banner(st, offset, type, "MESSAGE FILE END");
    }
}

/* pc_record - one record; 1 when it ends the walk */
static int
pc_record(PC_STATE *st, PC_READER *rd, off_t offset, int type, BUF *data,
          BUF *why)
{
    int     in_text = st->sect == PC_HEADER || st->sect == PC_BODY;

    if (type == REC_TYPE_MESG || type == REC_TYPE_XTRA
        || type == REC_TYPE_END) {
        pc_marker(st, offset, type);
        return (type == REC_TYPE_END && rd->follow) || pc_done(st);
    }
    if (type == REC_TYPE_NORM || (type == REC_TYPE_CONT && in_text)) {
        pc_text(st, offset, type, data);
        return pc_done(st);
    }
    pc_meta(st, offset, type, data, in_text ? pc_wanted(st) :
            (st->flags & PC_FLAG_ENV) != 0);
    if (type == REC_TYPE_PTR && rd->follow
        && pc_read_jump(rd, buf_str(data), why) < 0)
        return -1;
    return 0;
}

/* pc_first_ok - whether a queue file may start with this type */
static int
pc_first_ok(int type)
{
    return type != 0 && strchr(PC_FIRST_TYPES, type) != NULL;
}

/* pc_walk - read and print every record; 0, 1 (no end record), -1 */
static int
pc_walk(PC_STATE *st, PC_READER *rd, off_t start, BUF *why)
{
    BUF    *data = buf_alloc(256);
    off_t   offset;
    int     type;
    int     status = 0;
    int     ended = 0;
    int     first;

    if (start == 0 && (first = pc_read_peek(rd)) >= 0 && !pc_first_ok(first)) {
        msg_warn("%s: input is not a valid queue file", st->name);
        buf_free(data);
        return 0;
    }
    for (int n = 0; status == 0; n++) {
        if ((type = pc_read_next(rd, data, &offset, why)) < 0) {
            status = type == PC_READ_EOF ? 0 : -1;
            break;
        }
        if (n == 0 && start == 0) {
            if (!pc_first_ok(type)) {
                msg_warn("%s: input is not a valid queue file", st->name);
                ended = 1;
                break;
            }
            if (st->flags & PC_FLAG_ENV)
                printf("*** ENVELOPE RECORDS %s ***\n", st->name);
        }
        if ((status = pc_record(st, rd, offset, type, data, why)) > 0
            || type == REC_TYPE_END)
            ended = 1;
    }
    buf_free(data);
    fflush(stdout);
    if (status < 0)
        return -1;
    if (!ended && start == 0) {
        msg_warn("%s: missing end record", st->name);
        return 1;
    }
    return 0;
}

/* pc_show - print one file */
int
pc_show(int fd, const char *name, off_t start, int flags, BUF *why)
{
    PC_STATE st = {name, flags, PC_ENV, 0, 0, 0, 0};
    PC_READER rd;
    int     status;

    if (pc_read_open(&rd, fd, name, start, flags, why) < 0) {
        pc_read_close(&rd);
        return -1;
    }
    status = pc_walk(&st, &rd, start, why);
    pc_read_close(&rd);
    return status;
}
