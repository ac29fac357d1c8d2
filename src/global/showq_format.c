/* showq_format - the text and JSON queue listings. See showq_format.h.
 *
 * Model: Postfix 3.7's postqueue -p and -j on the same queue (observed
 * with short and long queue ids, every status character, reasons of
 * every length, sizes wider than their column). Column layout:
 *
 *   short ids: "%-11s %7ld %s  %s"   recipients indented 41 columns
 *   long ids:  "%-17s %8ld %s %s"    recipients indented 47 columns
 *
 * where the first field is the queue id with its status characters and
 * the date is "%a %b %e %H:%M:%S" in local time. Nothing is wrapped or
 * cut: a long field pushes the rest of its line to the right. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "mail_queue.h"
#include "showq_format.h"

#define SHOWQ_FORMAT_REASON_WIDTH 78    /* "(reason)" right-aligned */
#define SHOWQ_FORMAT_DATE_LEN   64

/* The two column layouts. */
typedef struct SHOWQ_LAYOUT {
    const char *head;
    int     id_width;
    int     size_width;
    const char *date_gap;               /* between date and sender */
    int     indent;                     /* recipients */
} SHOWQ_LAYOUT;

static const SHOWQ_LAYOUT showq_short = {
    "-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------",
    11, 7, "  ", 41,
};

static const SHOWQ_LAYOUT showq_long = {
    "----Queue ID----- --Size-- ---Arrival Time---- --Sender/Recipient------",
    17, 8, " ", 47,
};

/* showq_format_head - append the column header line */
void
showq_format_head(BUF *out, bool long_ids)
{
    buf_strcat(out, (long_ids ? &showq_long : &showq_short)->head);
    buf_addch(out, '\n');
}

/* showq_format_date - the arrival time as Postfix prints it */
static void
showq_format_date(char *date, size_t size, long when)
{
    time_t  t = (time_t) when;
    struct tm tm;

    if (localtime_r(&t, &tm) == NULL
        || strftime(date, size, "%a %b %e %H:%M:%S", &tm) == 0)
        snprintf(date, size, "%ld", when);
}

/* showq_format_id - the queue id and its status characters */
static void
showq_format_id(BUF *id, const SHOWQ_MSG *msg)
{
    buf_strcpy(id, buf_str(msg->id));
    if (strcmp(buf_str(msg->queue), MAIL_QUEUE_ACTIVE) == 0)
        buf_addch(id, '*');
    if (strcmp(buf_str(msg->queue), MAIL_QUEUE_HOLD) == 0)
        buf_addch(id, '!');
    if (msg->forced_expire)
        buf_addch(id, '#');
}

/* showq_format_reason - the "(reason)" line of a recipient group */
static void
showq_format_reason(BUF *out, const char *reason)
{
    size_t  len = strlen(*reason ? reason : "reason unavailable") + 2;

    for (size_t i = len; i < SHOWQ_FORMAT_REASON_WIDTH; i++)
        buf_addch(out, ' ');
    buf_sprintf_append(out, "(%s)\n", *reason ? reason :
                       "reason unavailable");
}

/* showq_format_text - append one message */
void
showq_format_text(BUF *out, const SHOWQ_MSG *msg, bool long_ids, bool first)
{
    const SHOWQ_LAYOUT *lay = long_ids ? &showq_long : &showq_short;
    char    date[SHOWQ_FORMAT_DATE_LEN];
    BUF    *id = buf_alloc(40);
    const char *last = "";

    showq_format_id(id, msg);
    showq_format_date(date, sizeof(date), msg->time);
    if (!first)
        buf_addch(out, '\n');
    buf_sprintf_append(out, "%-*s %*ld %s%s%s\n", lay->id_width, buf_str(id),
                       lay->size_width, msg->size, date, lay->date_gap,
                       buf_str(msg->sender));
    for (size_t i = 0; i < msg->rcpt_count; i++) {
        if (strcmp(msg->rcpt[i].reason, last) != 0)
            showq_format_reason(out, msg->rcpt[i].reason);
        last = msg->rcpt[i].reason;
        buf_sprintf_append(out, "%*s%s\n", lay->indent, "",
                           msg->rcpt[i].address);
    }
    buf_free(id);
}

/* showq_format_tail - append the summary */
void
showq_format_tail(BUF *out, long long bytes, long count)
{
    if (count == 0) {
        buf_strcat(out, "Mail queue is empty\n");
        return;
    }
    buf_sprintf_append(out, "\n-- %lld Kbytes in %ld Request%s.\n",
                       bytes / 1024, count, count == 1 ? "" : "s");
}

/* showq_format_json_string - append text as a quoted JSON string */
void
showq_format_json_string(BUF *out, const char *text)
{
    static const char shorts[] = "\b\f\n\r\t";
    static const char letters[] = "bfnrt";
    const char *hit;

    buf_addch(out, '"');
    for (const unsigned char *cp = (const unsigned char *) text; *cp; cp++) {
        if (*cp == '"' || *cp == '\\') {
            buf_addch(out, '\\');
            buf_addch(out, *cp);
        } else if ((hit = strchr(shorts, *cp)) != NULL) {
            buf_addch(out, '\\');
            buf_addch(out, letters[hit - shorts]);
        } else if (*cp < ' ' || *cp == 0x7f) {
            buf_sprintf_append(out, "\\u%04x", *cp);
        } else {
            buf_addch(out, *cp);
        }
    }
    buf_addch(out, '"');
}

/* showq_format_json_name - append ", " (unless first), "name" and ": " */
static void
showq_format_json_name(BUF *out, const char *name, bool first)
{
    if (!first)
        buf_strcat(out, ", ");
    showq_format_json_string(out, name);
    buf_strcat(out, ": ");
}

/* showq_format_json_rcpt - one recipient object */
static void
showq_format_json_rcpt(BUF *out, const SHOWQ_RCPT *rcpt)
{
    buf_addch(out, '{');
    showq_format_json_name(out, "address", true);
    showq_format_json_string(out, rcpt->address);
    if (*rcpt->reason) {
        showq_format_json_name(out, "delay_reason", false);
        showq_format_json_string(out, rcpt->reason);
    }
    buf_addch(out, '}');
}

/* showq_format_json - append one message as a JSON object */
void
showq_format_json(BUF *out, const SHOWQ_MSG *msg)
{
    buf_addch(out, '{');
    showq_format_json_name(out, "queue_name", true);
    showq_format_json_string(out, buf_str(msg->queue));
    showq_format_json_name(out, "queue_id", false);
    showq_format_json_string(out, buf_str(msg->id));
    showq_format_json_name(out, "arrival_time", false);
    buf_sprintf_append(out, "%ld", msg->time);
    showq_format_json_name(out, "message_size", false);
    buf_sprintf_append(out, "%ld", msg->size);
    showq_format_json_name(out, "forced_expire", false);
    buf_strcat(out, msg->forced_expire ? "true" : "false");
    showq_format_json_name(out, "sender", false);
    showq_format_json_string(out, buf_str(msg->sender));
    showq_format_json_name(out, "recipients", false);
    buf_addch(out, '[');
    for (size_t i = 0; i < msg->rcpt_count; i++) {
        if (i > 0)
            buf_strcat(out, ", ");
        showq_format_json_rcpt(out, msg->rcpt + i);
    }
    buf_strcat(out, "]}\n");
}
