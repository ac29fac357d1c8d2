/* cleanup_missing - headers that a message must have, added at the end of
 * its primary headers when they are missing.
 *
 * As Postfix 3.7 (observed): only for local submissions and clients in
 * local_header_rewrite_clients (rewrite_context=local), or for every
 * client with always_add_missing_headers = yes or when
 * remote_header_rewrite_domain is set. A message with Resent-
 * headers gets the Resent- variants. Order and form:
 *
 *   Message-Id: <20261206013656.QUEUEID@$myhostname>   (UTC, now; with
 *               enable_long_queue_ids just <QUEUEID@$myhostname>)
 *   Date: Sun,  6 Dec 2026 01:36:55 +0000 (UTC)         (arrival time)
 *   From: Full Name <sender@domain>   (From: sender@domain without a
 *         name; From: MAILER-DAEMON for the null sender)
 *   $undisclosed_recipients_header    (when set and there is no To:,
 *         Cc: or Bcc:; empty by default) */
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "header_opts.h"
#include "mail_date.h"
#include "mail_params.h"
#include "msg.h"
#include "mymalloc.h"
#include "quote_822_local.h"

#define CLEANUP_MAILER_DAEMON   "MAILER-DAEMON"

/* Characters that make a display name a quoted string. */
#define CLEANUP_PHRASE_SPECIALS "()<>@,;:\\\".[]"

/* cleanup_seen - whether a primary header of this type was present */
static bool
cleanup_seen(const CLEANUP_STATE *state, int type)
{
    return (state->headers_seen & CLEANUP_HDR_BIT(type)) != 0;
}

/* cleanup_missing_out - write one added header */
static void
cleanup_missing_out(CLEANUP_STATE *state, BUF *header)
{
    cleanup_out_text(state, buf_str(header), buf_len(header));
}

/* cleanup_phrase - a display name, quoted when it needs to be */
static void
cleanup_phrase(BUF *out, const char *name)
{
    const char *cp;
    bool    quote = false;

    for (cp = name; *cp; cp++)
        if (strchr(CLEANUP_PHRASE_SPECIALS, *cp) != NULL
            || (unsigned char) *cp < ' ' || *cp == 0x7f)
            quote = true;
    if (!quote) {
        buf_strcat(out, name);
        return;
    }
    buf_addch(out, '"');
    for (cp = name; *cp; cp++) {
        if (*cp == '"' || *cp == '\\')
            buf_addch(out, '\\');
        buf_addch(out, *cp);
    }
    buf_addch(out, '"');
}

/* cleanup_missing_from - the From: (or Resent-From:) header */
static void
cleanup_missing_from(CLEANUP_STATE *state, const char *prefix, BUF *hdr)
{
    buf_sprintf(hdr, "%sFrom: ", prefix);
    if (*state->sender == 0) {
        buf_strcat(hdr, CLEANUP_MAILER_DAEMON);
    } else if (state->fullname != NULL && *state->fullname) {
        cleanup_phrase(hdr, state->fullname);
        buf_strcat(hdr, " <");
        quote_822_local_flags(hdr, state->sender, QUOTE_822_FLAG_APPEND);
        buf_addch(hdr, '>');
    } else {
        quote_822_local_flags(hdr, state->sender, QUOTE_822_FLAG_APPEND);
    }
    cleanup_missing_out(state, hdr);
}

/* cleanup_missing_headers - add what is missing; called once, at the end
 * of the primary headers */
void
cleanup_missing_headers(CLEANUP_STATE *state)
{
    const char *prefix = state->resent ? "Resent-" : "";
    BUF    *hdr;
    BUF    *date;
    char    stamp[32];
    time_t  now = time(NULL);

    if (state->remote_context && !var_always_add_missing_headers
        && !*var_remote_header_rewrite_domain)
        return;
    hdr = buf_alloc(100);
    date = buf_alloc(50);
    if (!cleanup_seen(state, state->resent ? HDR_RESENT_MESSAGE_ID :
                      HDR_MESSAGE_ID)) {
        if (var_enable_long_queue_ids) {
            /* A long id holds the time already. */
            buf_sprintf(hdr, "%sMessage-Id: <%s@%s>", prefix,
                        buf_str(state->queue_id), var_myhostname);
        } else {
            strftime(stamp, sizeof(stamp), "%Y%m%d%H%M%S", gmtime(&now));
            buf_sprintf(hdr, "%sMessage-Id: <%s.%s@%s>", prefix, stamp,
                        buf_str(state->queue_id), var_myhostname);
        }
        myfree(state->message_id);
        state->message_id = mystrdup(buf_str(hdr) + strlen(prefix)
                                     + strlen("Message-Id: "));
        cleanup_missing_out(state, hdr);
    }
    if (!cleanup_seen(state, state->resent ? HDR_RESENT_DATE : HDR_DATE)) {
        buf_sprintf(hdr, "%sDate: %s", prefix,
                    mail_date(date, state->arrival.tv_sec));
        cleanup_missing_out(state, hdr);
    }
    if (!cleanup_seen(state, state->resent ? HDR_RESENT_FROM : HDR_FROM))
        cleanup_missing_from(state, prefix, hdr);
    if (*var_undisclosed_recipients_header
        && !cleanup_seen(state, state->resent ? HDR_RESENT_TO : HDR_TO)
        && !cleanup_seen(state, state->resent ? HDR_RESENT_CC : HDR_CC)
        && !cleanup_seen(state, state->resent ? HDR_RESENT_BCC : HDR_BCC)) {
        buf_strcpy(hdr, var_undisclosed_recipients_header);
        cleanup_missing_out(state, hdr);
    }
    buf_free(hdr);
    buf_free(date);
}
