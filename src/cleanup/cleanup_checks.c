/* cleanup_checks - content check actions applied to the message. See
 * cleanup_checks.h. Inspection stops for the rest of the message after
 * REJECT, DISCARD, PASS and REDIRECT, and is done only for clients that ask for it
 * (CLEANUP_FLAG_FILTER: receive_override_options may turn it off). */
#include <string.h>

#include "cleanup_checks.h"
#include "cleanup_user.h"
#include "dict.h"
#include "hbc.h"
#include "mail_params.h"
#include "mime_state.h"
#include "msg.h"
#include "mymalloc.h"
#include "rec_type.h"

static HBC_TABLES *cleanup_hbc;
static HBC_ACTION *cleanup_act;

/* cleanup_checks_init - see cleanup_checks.h */
void
cleanup_checks_init(void)
{
    HBC_SETTINGS settings = {
        .header_checks = var_header_checks,
        .mime_header_checks = var_mime_header_checks,
        .nested_header_checks = var_nested_header_checks,
        .body_checks = var_body_checks,
        .dict_flags = DICT_FLAG_DEFAULT,
    };

    cleanup_hbc = hbc_tables_create(&settings);
    cleanup_act = hbc_action_alloc();
}

/* cleanup_checks_active - whether this message is still inspected */
static bool
cleanup_checks_active(const CLEANUP_STATE *state)
{
    return (state->flags & CLEANUP_FLAG_FILTER) != 0 && !state->checks_done
        && state->errs == 0;
}

/* cleanup_checks_log - the action's log line */
static void
cleanup_checks_log(CLEANUP_STATE *state, int what, const char *line)
{
    HBC_LOG_CTX ctx = {
        .client = state->log_origin,
        .sender = state->sender,
        .recipient = state->last_rcpt,
        .proto = state->log_proto,
        .helo = state->log_helo,
    };

    hbc_log_action(buf_str(state->queue_id), cleanup_act, what, line, &ctx);
}

/* cleanup_checks_replace - a string field from the action's text */
static void
cleanup_checks_replace(char **field, const BUF *text)
{
    myfree(*field);
    *field = mystrdup(buf_str(text));
}

/* cleanup_checks_apply - what the action does to the message; true when
 * the line stays (possibly changed: *line_changed) */
static bool
cleanup_checks_apply(CLEANUP_STATE *state, int what, const char *line,
                     bool *replace)
{
    const BUF *text = cleanup_act->text;

    *replace = false;
    if (cleanup_act->code != HBC_DUNNO)
        cleanup_checks_log(state, what, line);
    switch (cleanup_act->code) {
    case HBC_DUNNO:
    case HBC_WARN:
    case HBC_INFO:
        return true;
    case HBC_REJECT:
        cleanup_error(state, cleanup_act->defer ? CLEANUP_STAT_DEFER :
                      CLEANUP_STAT_CONT, "%s", buf_str(text));
        state->checks_done = true;
        return true;
    case HBC_HOLD:
        state->hold = true;
        return true;
    case HBC_DISCARD:
        state->discard = true;
        state->checks_done = true;
        return true;
    case HBC_PASS:
        state->checks_done = true;
        return true;
    case HBC_IGNORE:
    case HBC_STRIP:
        return false;
    case HBC_REPLACE:
        *replace = true;
        return true;
    case HBC_PREPEND:
        if (what == HBC_WHAT_HEADER)
            cleanup_out_text(state, buf_str(text), buf_len(text));
        else
            cleanup_out_record(state, REC_TYPE_NORM, buf_str(text),
                               buf_len(text));
        return true;
    case HBC_REDIRECT:
        /* As Postfix 3.7: the first REDIRECT ends all inspection. */
        cleanup_checks_replace(&state->redirect, text);
        state->checks_done = true;
        return true;
    case HBC_FILTER:
        cleanup_checks_replace(&state->filter, text);
        return true;
    case HBC_BCC:
        cleanup_addr_add_bcc(state, buf_str(text));
        return true;
    }
    return true;
}

/* cleanup_checks_failed - a table lookup failed: defer the message */
static void
cleanup_checks_failed(CLEANUP_STATE *state, const BUF *why)
{
    msg_warn("%s: %s", buf_str(state->queue_id), buf_str(why));
    cleanup_error(state, CLEANUP_STAT_WRITE, NULL);
}

/* cleanup_checks_header - see cleanup_checks.h */
bool
cleanup_checks_header(CLEANUP_STATE *state, int header_class,
                      const HEADER_OPTS *opts, BUF *header)
{
    bool    replace, keep;

    if (!cleanup_checks_active(state))
        return true;
    if (hbc_check_header(cleanup_hbc, header_class,
                         opts != NULL && (opts->flags & HDR_OPT_MIME),
                         buf_str(header), cleanup_act, state->temp1) < 0) {
        cleanup_checks_failed(state, state->temp1);
        return true;
    }
    keep = cleanup_checks_apply(state, HBC_WHAT_HEADER, buf_str(header),
                                &replace);
    if (replace)
        buf_strcpy(header, buf_str(cleanup_act->text));
    return keep;
}

/* cleanup_checks_body - see cleanup_checks.h */
bool
cleanup_checks_body(CLEANUP_STATE *state, int rec_type, const char *text,
                    size_t len)
{
    bool    replace, keep;

    /* Postfix 3.7 never shows body_checks an empty line. */
    if (!cleanup_checks_active(state) || cleanup_hbc->body_checks == NULL
        || len == 0)
        return true;
    state->body_bytes += (long) len;
    if (var_body_checks_size_limit > 0
        && state->body_bytes > var_body_checks_size_limit)
        return true;
    buf_reset(state->temp2);
    buf_append(state->temp2, text, len);
    if (hbc_check_body(cleanup_hbc, buf_str(state->temp2), cleanup_act,
                       state->temp1) < 0) {
        cleanup_checks_failed(state, state->temp1);
        return true;
    }
    keep = cleanup_checks_apply(state, HBC_WHAT_BODY, buf_str(state->temp2),
                                &replace);
    if (replace) {
        cleanup_out_record(state, rec_type, buf_str(cleanup_act->text),
                           buf_len(cleanup_act->text));
        return false;
    }
    return keep;
}
