/* header_opts - the message headers that cleanup knows by name.
 *
 * header_opts_find() looks up a header line ("Name: value") by its name,
 * ignoring case, and returns the entry with a type id (HDR_FROM, ...)
 * and flags that say what cleanup does with such a header. Unknown
 * names give NULL. The flags were learnt by observing Postfix 3.7's
 * cleanup (sendmail -t, canonical maps on headers, header_checks versus
 * mime_header_checks), not taken from its code:
 *
 *   HDR_OPT_SENDER   names a sender: rewritten with sender_canonical_maps
 *                    (From, Sender, Reply-To, Errors-To, Return-Path,
 *                    Return-Receipt-To, Disposition-Notification-To,
 *                    Mail-Followup-To, Resent-From, Resent-Sender)
 *   HDR_OPT_RECIP    names a recipient: recipient_canonical_maps (To, Cc,
 *                    Bcc, Apparently-To, Resent-To/-Cc/-Bcc/-Reply-To)
 *   HDR_OPT_EXTRACT  its addresses are the recipients of sendmail -t (To,
 *                    Cc, Bcc; the Resent- forms when there are any)
 *   HDR_OPT_RR       a Resent- header
 *   HDR_OPT_DROP     removed from the primary headers, however the mail
 *                    arrived (Bcc, Resent-Bcc, Return-Path, Content-Length)
 *   HDR_OPT_MIME     a MIME header: mime_header_checks, not header_checks
 *                    (Content-Type, Content-Transfer-Encoding,
 *                    Content-Disposition, Content-Description, Content-ID,
 *                    MIME-Version; other Content-* headers are not)
 *
 * Delivered-To, X-Original-To, Received, Date, Message-Id, Subject and
 * the other Resent- headers are known without flags.
 *
 * header_name_len() tells whether a line starts a header: an RFC 5322
 * field name (one or more printable ASCII characters other than ':'),
 * optional spaces or tabs, then ':'. Postfix 3.7 treats "Name : value"
 * as a header (and cleanup writes it as "Name: value"); a name with a
 * byte outside printable ASCII makes the line a body line.
 * Library code: nothing here exits or allocates. */
#ifndef HEADER_OPTS_H
#define HEADER_OPTS_H

#include <stddef.h>

/* Header type ids; all below 64 so that a caller can keep one bit per
 * type in a 64-bit mask. */
enum {
    HDR_APPARENTLY_TO = 1,
    HDR_BCC,
    HDR_CC,
    HDR_CONTENT_DESCRIPTION,
    HDR_CONTENT_DISPOSITION,
    HDR_CONTENT_ID,
    HDR_CONTENT_LENGTH,
    HDR_CONTENT_TRANSFER_ENCODING,
    HDR_CONTENT_TYPE,
    HDR_DATE,
    HDR_DELIVERED_TO,
    HDR_DISP_NOTIFICATION,
    HDR_ERRORS_TO,
    HDR_FROM,
    HDR_MAIL_FOLLOWUP_TO,
    HDR_MESSAGE_ID,
    HDR_MIME_VERSION,
    HDR_RECEIVED,
    HDR_REPLY_TO,
    HDR_RESENT_BCC,
    HDR_RESENT_CC,
    HDR_RESENT_DATE,
    HDR_RESENT_FROM,
    HDR_RESENT_MESSAGE_ID,
    HDR_RESENT_REPLY_TO,
    HDR_RESENT_SENDER,
    HDR_RESENT_TO,
    HDR_RETURN_PATH,
    HDR_RETURN_RECEIPT_TO,
    HDR_SENDER,
    HDR_SUBJECT,
    HDR_TO,
    HDR_X_ORIGINAL_TO,
    HDR_TYPE_COUNT                      /* one more than the last id */
};

/* Flags. */
#define HDR_OPT_SENDER  (1<<0)          /* sender address header */
#define HDR_OPT_RECIP   (1<<1)          /* recipient address header */
#define HDR_OPT_EXTRACT (1<<2)          /* recipients for sendmail -t */
#define HDR_OPT_RR      (1<<3)          /* Resent- header */
#define HDR_OPT_DROP    (1<<4)          /* cleanup removes it */
#define HDR_OPT_MIME    (1<<5)          /* MIME header */

typedef struct HEADER_OPTS {
    const char *name;                   /* as usually written */
    int     type;                       /* HDR_* */
    int     flags;                      /* HDR_OPT_* */
} HEADER_OPTS;

/* HEADER_NAME_CHAR - whether a byte may be part of a field name */
#define HEADER_NAME_CHAR(ch) \
    ((unsigned char) (ch) > ' ' && (unsigned char) (ch) < 0x7f && (ch) != ':')

/* header_opts_find - the entry for the name of a header line (text up to
 * a NUL), or NULL when the name is unknown or the line is no header */
const HEADER_OPTS *header_opts_find(const char *header_text);

/* header_name_len - the length of the field name that starts a header
 * line of len bytes (without the white space before ':'), or 0 when the
 * line does not start a header */
size_t  header_name_len(const char *text, size_t len);

#endif
