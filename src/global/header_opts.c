/* header_opts - the message headers that cleanup knows by name.
 *
 * One table sorted by name (ignoring case), searched by bisection; the
 * unit test checks the order. See header_opts.h for what the flags mean
 * and where they come from. Peers: mime_state (looks up every header it
 * hands out), cleanup. */
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "header_opts.h"

#define SENDER  HDR_OPT_SENDER
#define RECIP   HDR_OPT_RECIP
#define EXTRACT HDR_OPT_EXTRACT
#define RR      HDR_OPT_RR
#define DROP    HDR_OPT_DROP
#define MIME    HDR_OPT_MIME

/* Sorted by name, ignoring case ('-' sorts before letters). */
static const HEADER_OPTS header_opts_table[] = {
    {"Apparently-To", HDR_APPARENTLY_TO, RECIP},
    {"Bcc", HDR_BCC, RECIP | EXTRACT | DROP},
    {"Cc", HDR_CC, RECIP | EXTRACT},
    {"Content-Description", HDR_CONTENT_DESCRIPTION, MIME},
    {"Content-Disposition", HDR_CONTENT_DISPOSITION, MIME},
    {"Content-ID", HDR_CONTENT_ID, MIME},
    {"Content-Length", HDR_CONTENT_LENGTH, DROP},
    {"Content-Transfer-Encoding", HDR_CONTENT_TRANSFER_ENCODING, MIME},
    {"Content-Type", HDR_CONTENT_TYPE, MIME},
    {"Date", HDR_DATE, 0},
    {"Delivered-To", HDR_DELIVERED_TO, 0},
    {"Disposition-Notification-To", HDR_DISP_NOTIFICATION, SENDER},
    {"Errors-To", HDR_ERRORS_TO, SENDER},
    {"From", HDR_FROM, SENDER},
    {"Mail-Followup-To", HDR_MAIL_FOLLOWUP_TO, SENDER},
    {"Message-Id", HDR_MESSAGE_ID, 0},
    {"MIME-Version", HDR_MIME_VERSION, MIME},
    {"Received", HDR_RECEIVED, 0},
    {"Reply-To", HDR_REPLY_TO, SENDER},
    {"Resent-Bcc", HDR_RESENT_BCC, RECIP | EXTRACT | DROP | RR},
    {"Resent-Cc", HDR_RESENT_CC, RECIP | EXTRACT | RR},
    {"Resent-Date", HDR_RESENT_DATE, RR},
    {"Resent-From", HDR_RESENT_FROM, SENDER | RR},
    {"Resent-Message-Id", HDR_RESENT_MESSAGE_ID, RR},
    {"Resent-Reply-To", HDR_RESENT_REPLY_TO, RECIP | RR},
    {"Resent-Sender", HDR_RESENT_SENDER, SENDER | RR},
    {"Resent-To", HDR_RESENT_TO, RECIP | EXTRACT | RR},
    {"Return-Path", HDR_RETURN_PATH, SENDER | DROP},
    {"Return-Receipt-To", HDR_RETURN_RECEIPT_TO, SENDER},
    {"Sender", HDR_SENDER, SENDER},
    {"Subject", HDR_SUBJECT, 0},
    {"To", HDR_TO, RECIP | EXTRACT},
    {"X-Original-To", HDR_X_ORIGINAL_TO, 0},
};

#define HEADER_OPTS_COUNT \
    (sizeof(header_opts_table) / sizeof(header_opts_table[0]))

/* header_name_len - the length of the field name that starts a line */
size_t
header_name_len(const char *text, size_t len)
{
    size_t  name_len;
    size_t  pos;

    /* A NUL is not a name character, so the scan also stops at one. */
    for (name_len = 0; name_len < len; name_len++)
        if (!HEADER_NAME_CHAR(text[name_len]))
            break;
    if (name_len == 0)
        return 0;
    for (pos = name_len; pos < len && (text[pos] == ' ' || text[pos] == '\t');
         pos++)
         /* void */ ;
    return (pos < len && text[pos] == ':') ? name_len : 0;
}

/* header_opts_compare - order a name of len bytes against an entry */
static int
header_opts_compare(const char *name, size_t len, const char *entry)
{
    int     diff = strncasecmp(name, entry, len);

    if (diff != 0)
        return diff;
    return entry[len] == '\0' ? 0 : -1;
}

/* header_opts_find - the entry for the name of a header line */
const HEADER_OPTS *
header_opts_find(const char *header_text)
{
    size_t  len = header_name_len(header_text, SIZE_MAX);
    size_t  lo = 0;
    size_t  hi = HEADER_OPTS_COUNT;

    /* The name scan stops at the NUL, so SIZE_MAX never reads past it. */
    if (len == 0)
        return NULL;
    while (lo < hi) {
        size_t  mid = lo + (hi - lo) / 2;
        int     diff = header_opts_compare(header_text, len,
                                           header_opts_table[mid].name);

        if (diff == 0)
            return header_opts_table + mid;
        if (diff < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}
