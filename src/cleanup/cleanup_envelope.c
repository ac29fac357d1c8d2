/* cleanup_envelope - the client's envelope records, up to 'M'.
 *
 * Written in the order they arrive, as Postfix's cleanup does: 'T' (then
 * "create_time"), attributes, 'F', 'S' (mapped by
 * cleanup_addr), recipients ('O' and 'R' with their DSN attributes, mapped
 * and expanded by cleanup_addr). Attributes that describe the client are
 * also kept for log lines. Records a client has no business sending are a
 * protocol error.
 *
 * A file that "postsuper -r" put back reaches us whole through pickup
 * (as from Postfix's pickup): its size record and "create_time" are
 * dropped (ours are new), a done recipient ('D', '/') is dropped with
 * the 'O' and attributes before it, and its delay warning time 'W' is
 * kept (the first one wins), so that a warning already sent is not sent
 * again. Observed from Postfix 3.7 (postcat of what its cleanup wrote). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "cleanup.h"
#include "cleanup_user.h"
#include "mail_params.h"
#include "mymalloc.h"
#include "rec_type.h"

/* Attribute names with a meaning here. */
#define ATTR_REWRITE_CONTEXT    "rewrite_context"
#define ATTR_NOTIFY_FLAGS       "notify_flags"
#define ATTR_DSN_ORIG_RCPT      "dsn_orig_rcpt"
#define ATTR_CREATE_TIME        "create_time"
#define ATTR_ENCODING           "encoding"
#define ATTR_LOG_CLIENT_NAME    "log_client_name"
#define ATTR_LOG_CLIENT_ADDR    "log_client_address"
#define ATTR_LOG_PROTO          "log_protocol_name"
#define ATTR_LOG_HELO           "log_helo_name"

/* cleanup_replace - replace a string field */
static void
cleanup_replace(char **field, const char *value)
{
    myfree(*field);
    *field = mystrdup(value);
}

/* cleanup_attr_name - the name of a "name=value" record, into name; the
 * value, or NULL when the record is malformed */
static const char *
cleanup_attr_name(const char *data, BUF *name)
{
    const char *eq = strchr(data, '=');

    if (eq == NULL || eq == data)
        return NULL;
    buf_reset(name);
    buf_append(name, data, (size_t) (eq - data));
    return eq + 1;
}

/* cleanup_recipient_forget - drop the 'O' record and the DSN attributes
 * that came before a recipient, once it is dealt with */
void
cleanup_recipient_forget(CLEANUP_STATE *state)
{
    myfree(state->pend_orcpt);
    myfree(state->pend_orig);
    state->pend_orcpt = state->pend_orig = NULL;
    state->pend_notify = 0;
}

/* cleanup_recipient_record - 'O', 'R', 'D', '/' and the per-recipient
 * attributes, in the envelope or extracted section; true when the record
 * was one */
bool
cleanup_recipient_record(CLEANUP_STATE *state, int type, const char *data)
{
    const char *value;

    switch (type) {
    case REC_TYPE_ORCP:
        cleanup_replace(&state->pend_orig, data);
        return true;
    case REC_TYPE_RCPT:
        if (state->sender == NULL) {
            cleanup_error(state, CLEANUP_STAT_BAD, NULL);
            return true;
        }
        cleanup_addr_recipient(state, data);
        return true;
    case REC_TYPE_DONE:
    case REC_TYPE_DRCP:
        /* A requeued file's recipient that needs nothing more. */
        cleanup_recipient_forget(state);
        return true;
    case REC_TYPE_ATTR:
        if ((value = cleanup_attr_name(data, state->temp1)) == NULL)
            return false;
        if (strcmp(buf_str(state->temp1), ATTR_NOTIFY_FLAGS) == 0) {
            /* The client's NOTIFY counts in the summary even without an
             * ORCPT (smtpd's BCC action), as in Postfix. */
            state->pend_notify = atoi(value);
            state->qmgr_flags |= cleanup_addr_notify_summary(state->pend_notify);
            return true;
        }
        if (strcmp(buf_str(state->temp1), ATTR_DSN_ORIG_RCPT) == 0) {
            cleanup_replace(&state->pend_orcpt, value);
            return true;
        }
        return false;
    default:
        return false;
    }
}

/* cleanup_time - the arrival time, then when this file was made */
static void
cleanup_time(CLEANUP_STATE *state, const char *data)
{
    long    sec, usec;
    char    junk;

    if (state->have_time
        || sscanf(data, "%ld %ld%c", &sec, &usec, &junk) != 2
        || sec < 0 || usec < 0 || usec > 999999) {
        cleanup_error(state, CLEANUP_STAT_BAD, NULL);
        return;
    }
    state->arrival.tv_sec = sec;
    state->arrival.tv_usec = usec;
    state->have_time = true;
    if (cleanup_writing(state)
        && queue_file_out_time(&state->out, &state->arrival) < 0)
        cleanup_error(state, CLEANUP_STAT_WRITE, NULL);
    cleanup_out_format(state, REC_TYPE_ATTR, "%s=%ld", ATTR_CREATE_TIME,
                       (long) time(NULL));
}

/* cleanup_log_attr - remember what log lines say about the client */
static void
cleanup_log_attr(CLEANUP_STATE *state, const char *name, const char *value)
{
    if (strcmp(name, ATTR_REWRITE_CONTEXT) == 0)
        state->remote_context = (strcmp(value, REWRITE_REMOTE) == 0);
    else if (strcmp(name, ATTR_LOG_CLIENT_NAME) == 0)
        cleanup_replace(&state->log_origin, value);
    else if (strcmp(name, ATTR_LOG_CLIENT_ADDR) == 0 && state->log_origin) {
        buf_sprintf(state->temp2, "%s[%s]", state->log_origin, value);
        cleanup_replace(&state->log_origin, buf_str(state->temp2));
    } else if (strcmp(name, ATTR_LOG_PROTO) == 0)
        cleanup_replace(&state->log_proto, value);
    else if (strcmp(name, ATTR_LOG_HELO) == 0)
        cleanup_replace(&state->log_helo, value);
    else
        cleanup_bounce_attr(state, name, value);
}

/* cleanup_attr - a named attribute: kept in order, noted for the log */
static void
cleanup_attr(CLEANUP_STATE *state, const char *data, size_t len)
{
    const char *value;

    if (strlen(data) != len
        || (value = cleanup_attr_name(data, state->temp1)) == NULL) {
        cleanup_error(state, CLEANUP_STAT_BAD, NULL);
        return;
    }
    if (strcmp(buf_str(state->temp1), ATTR_CREATE_TIME) == 0)
        return;                         /* ours, written with 'T' */
    if (strcmp(buf_str(state->temp1), ATTR_ENCODING) == 0)
        cleanup_replace(&state->encoding, value);
    cleanup_log_attr(state, buf_str(state->temp1), value);
    cleanup_out(state, REC_TYPE_ATTR, data, len);
}

/* cleanup_envelope_client_warn - a requeued file's delay warning time
 * (-1 once the warning was sent): the first one wins, as in Postfix, and
 * cleanup_envelope_warn() then adds none */
static void
cleanup_envelope_client_warn(CLEANUP_STATE *state, const char *data,
                             size_t len)
{
    if (state->warn_written)
        return;
    state->warn_written = true;
    cleanup_out(state, REC_TYPE_WARN, data, len);
}

/* cleanup_extra_flags - an 'f' record: smtpd's HOLD and DISCARD access
 * actions (envelope or extracted section); other bits are ignored with
 * Postfix's warning. The record itself is not written. */
void
cleanup_extra_flags(CLEANUP_STATE *state, const char *data)
{
    char   *end;
    long    flags = strtol(data, &end, 10);

    if (*data == 0 || *end != 0 || flags < 0
        || (flags & ~(CLEANUP_FLAG_HOLD | CLEANUP_FLAG_DISCARD)) != 0) {
        msg_warn("%s: ignoring bad extra flags: %.30s",
                 buf_str(state->queue_id), data);
        return;
    }
    if (flags & CLEANUP_FLAG_HOLD)
        state->hold = true;
    if (flags & CLEANUP_FLAG_DISCARD)
        state->discard = true;
}

/* cleanup_envelope - one envelope record */
void
cleanup_envelope(CLEANUP_STATE *state, int type, const char *data,
                 size_t len)
{
    if (type == REC_TYPE_SIZE)
        return;                         /* a requeued file's: ours is new */
    if (type != REC_TYPE_TIME && !state->have_time) {
        cleanup_error(state, CLEANUP_STAT_BAD, NULL);
        return;
    }
    if (cleanup_recipient_record(state, type, data))
        return;
    switch (type) {
    case REC_TYPE_TIME:
        cleanup_time(state, data);
        break;
    case REC_TYPE_ATTR:
        cleanup_attr(state, data, len);
        break;
    case REC_TYPE_FULL:
        cleanup_replace(&state->fullname, data);
        cleanup_out(state, type, data, len);
        break;
    case REC_TYPE_FROM:
        if (state->sender != NULL || strlen(data) != len) {
            cleanup_error(state, CLEANUP_STAT_BAD, NULL);
            break;
        }
        cleanup_addr_sender(state, data);
        break;
    case REC_TYPE_WARN:
        cleanup_envelope_client_warn(state, data, len);
        break;
    case REC_TYPE_FLGS:
        cleanup_extra_flags(state, data);
        break;
    case REC_TYPE_VERP:
    case REC_TYPE_FILT:
    case REC_TYPE_INSP:
    case REC_TYPE_RDR:
        cleanup_out(state, type, data, len);
        break;
    default:
        cleanup_error(state, CLEANUP_STAT_BAD, NULL);
        break;
    }
}

/* cleanup_envelope_warn - the delay warning time (delay_warning_time),
 * once, before the first recipient or else before 'M', as Postfix 3.7
 * writes it; fixed width, so that qmgr can rewrite it in place */
void
cleanup_envelope_warn(CLEANUP_STATE *state)
{
    if (state->warn_written || var_delay_warning_time <= 0
        || state->out.section != REC_SECT_ENVELOPE)
        return;
    state->warn_written = true;
    cleanup_out_format(state, REC_TYPE_WARN, "%15ld",
                       (long) state->arrival.tv_sec + var_delay_warning_time);
}

/* cleanup_envelope_end - the 'M' record: the envelope must be complete */
void
cleanup_envelope_end(CLEANUP_STATE *state)
{
    if (!state->have_time || state->sender == NULL) {
        cleanup_error(state, CLEANUP_STAT_BAD, NULL);
        return;
    }
    cleanup_envelope_warn(state);
    cleanup_out(state, REC_TYPE_MESG, "", 0);
}
