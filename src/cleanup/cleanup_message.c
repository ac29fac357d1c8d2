/* cleanup_message - the message content, from 'M' to 'X'.
 *
 * Every content record goes through mime_state, which hands back whole
 * headers (to cleanup_header), the end of the primary headers (where the
 * missing headers are added and the message id is logged), and body
 * lines, which are checked by body_checks and written as they came.
 * MIME errors reject the message only when a strict_* parameter asks. */
#include <string.h>

#include "cleanup.h"
#include "cleanup_checks.h"
#include "cleanup_user.h"
#include "header_opts.h"
#include "mail_params.h"
#include "mime_state.h"
#include "msg.h"
#include "rec_type.h"

/* cleanup_head_out - mime_state: one header */
static void
cleanup_head_out(void *ctx, int header_class, const HEADER_OPTS *opts,
                 BUF *header, off_t offset)
{
    cleanup_header((CLEANUP_STATE *) ctx, header_class, opts, header);
}

/* cleanup_head_end - mime_state: the primary headers are done */
static void
cleanup_head_end(void *ctx)
{
    CLEANUP_STATE *state = ctx;

    cleanup_missing_headers(state);
    if (state->message_id != NULL)
        msg_info("%s: %smessage-id=%s", buf_str(state->queue_id),
                 state->resent ? "resent-" : "", state->message_id);
}

/* cleanup_body_out - mime_state: one body record */
static void
cleanup_body_out(void *ctx, int rec_type, const char *text, size_t len,
                 off_t offset)
{
    CLEANUP_STATE *state = ctx;

    /* After headers that we added, the message needs its empty line. */
    if (!state->body_started) {
        state->body_started = true;
        if (rec_type != REC_TYPE_NORM || len != 0)
            cleanup_out_record(state, REC_TYPE_NORM, "", 0);
    }
    if (cleanup_checks_body(state, rec_type, text, len))
        cleanup_out_record(state, rec_type, text, len);
    state->last_type = rec_type;
}

/* cleanup_body_end - mime_state: end of content */
static void
cleanup_body_end(void *ctx)
{
}

/* cleanup_mime_error - mime_state: a MIME error that a strict_* setting
 * makes fatal. As Postfix 3.7: one log line per kind of error, and the
 * reply names the lowest error bit of all seen so far. */
static void
cleanup_mime_error(void *ctx, int err_code, const char *text, size_t len)
{
    CLEANUP_STATE *state = ctx;

    msg_info("%s: reject: mime-error %s: %.*s from %s; from=<%s>%s%s%s",
             buf_str(state->queue_id), mime_state_error(err_code),
             (int) (len > 100 ? 100 : len), text,
             state->log_origin ? state->log_origin : "local",
             state->sender ? state->sender : "",
             state->last_rcpt ? " to=<" : "",
             state->last_rcpt ? state->last_rcpt : "",
             state->last_rcpt ? ">" : "");
    state->mime_errs |= err_code;
    if (state->errs == 0) {
        cleanup_error(state, CLEANUP_STAT_CONT, NULL);
        state->mime_reason = true;
    }
    if (state->mime_reason)
        buf_sprintf(state->reason, "5.6.0 %s",
                    mime_state_error(state->mime_errs));
}

/* cleanup_mime_options - MIME_OPT_* from the strict_* parameters */
static int
cleanup_mime_options(void)
{
    int     opts = MIME_OPT_REPORT_NESTING;

    if (var_disable_mime_input_processing)
        opts |= MIME_OPT_DISABLE_MIME;
    if (var_strict_8bitmime || var_strict_7bit_headers)
        opts |= MIME_OPT_REPORT_8BIT_IN_HEADER;
    if (var_strict_8bitmime || var_strict_8bitmime_body)
        opts |= MIME_OPT_REPORT_8BIT_IN_7BIT_BODY;
    if (var_strict_mime_encoding_domain)
        opts |= MIME_OPT_REPORT_ENCODING_DOMAIN;
    return opts;
}

/* cleanup_message_start - the 'M' record */
void
cleanup_message_start(CLEANUP_STATE *state)
{
    MIME_LIMITS limits = {
        .header_size_limit = var_header_size_limit,
        .mime_nesting_limit = var_mime_nesting_limit,
        .mime_boundary_length_limit = var_mime_boundary_length_limit,
    };

    cleanup_envelope_end(state);
    state->mime = mime_state_alloc(cleanup_mime_options(), &limits,
                                   cleanup_head_out, cleanup_head_end,
                                   cleanup_body_out, cleanup_body_end,
                                   cleanup_mime_error, state);
}

/* cleanup_message - one content record. A CR or LF inside a line
 * (cleanup_replace_stray_cr_lf, Postfix 3.9's default) becomes a space,
 * so that no later SMTP hop can read it as an end of line (SMTP
 * smuggling). */
void
cleanup_message(CLEANUP_STATE *state, int type, const char *data,
                size_t len)
{
    char   *cp;

    if (var_cleanup_replace_stray_cr_lf && (memchr(data, '\r', len)
                                            || memchr(data, '\n', len))) {
        buf_reset(state->temp1);
        buf_append(state->temp1, data, len);
        for (cp = buf_str(state->temp1); cp < buf_str(state->temp1) + len; cp++)
            if (*cp == '\r' || *cp == '\n')
                *cp = ' ';
        data = buf_str(state->temp1);
    }
    (void) mime_state_update(state->mime, type, data, len);
}

/* cleanup_message_end - the 'X' record. A last line without a newline
 * gets one (an empty 'N' after its 'L'), and what the checks decided
 * comes right after 'X', before the recipients the client sends there:
 * the FILTER and REDIRECT targets, and the encoding: "8bit" when a
 * Content-Transfer-Encoding header says 8bit or binary (even when the
 * client said BODY=7BIT: observed in Postfix 3.7 with postcat), else the
 * client's again (Postfix 3.7's order) */
void
cleanup_message_end(CLEANUP_STATE *state)
{
    (void) mime_state_update(state->mime, REC_TYPE_END, "", 0);
    if (state->last_type == REC_TYPE_CONT)
        cleanup_out_record(state, REC_TYPE_NORM, "", 0);
    cleanup_out(state, REC_TYPE_XTRA, "", 0);
    if (state->filter != NULL)
        cleanup_out_string(state, REC_TYPE_FILT, state->filter);
    if (state->redirect != NULL)
        cleanup_out_string(state, REC_TYPE_RDR, state->redirect);
    if (state->encoding_8bit)
        cleanup_out_string(state, REC_TYPE_ATTR, "encoding=8bit");
    else if (state->encoding != NULL)
        cleanup_out_format(state, REC_TYPE_ATTR, "encoding=%s",
                           state->encoding);
}
