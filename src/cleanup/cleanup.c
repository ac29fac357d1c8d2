/* cleanup - the single entrance to the incoming queue.
 *
 * One client per connection (pickup, smtpd, qmqpd), in Postfix's protocol
 * (src/global/cleanup_user.h, docs/protocols/cleanup.md):
 *
 *   cleanup -> client   protocol=cleanup_protocol  queue_id=ID
 *   client  -> cleanup  flags=N
 *   client  -> cleanup  records: envelope, 'M', content, 'X', extracted, 'E'
 *   cleanup -> client   status=N  reason=TEXT
 *
 * The queue file is created before the greeting (its name is the queue
 * id), written while the records arrive, and committed (fsync) before
 * status 0 is sent: a client that sees 0 may promise delivery. See
 * cleanup.h for the parts. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "attr.h"
#include "buf.h"
#include "cleanup.h"
#include "cleanup_user.h"
#include "mail_flow.h"
#include "mail_params.h"
#include "mail_server.h"
#include "msg.h"
#include "rec_stream.h"
#include "rec_type.h"

/* The largest record a client may send: text records are at most
 * line_length_limit, attributes (client names, DSN values) are short. */
#define CLEANUP_REC_MIN_LIMIT   102400

/* cleanup_record_limit - the record length limit for client input */
static size_t
cleanup_record_limit(void)
{
    return var_line_length_limit > CLEANUP_REC_MIN_LIMIT ?
        (size_t) var_line_length_limit : CLEANUP_REC_MIN_LIMIT;
}

/* cleanup_dispatch - one client record, by section; the new section */
static REC_SECTION
cleanup_dispatch(CLEANUP_STATE *state, REC_SECTION section, int type,
                 const char *data, size_t len)
{
    switch (section) {
    case REC_SECT_ENVELOPE:
        if (type == REC_TYPE_MESG) {
            cleanup_message_start(state);
            return REC_SECT_CONTENT;
        }
        cleanup_envelope(state, type, data, len);
        return section;
    case REC_SECT_CONTENT:
        if (type == REC_TYPE_XTRA) {
            cleanup_message_end(state);
            return REC_SECT_EXTRACTED;
        }
        if (type == REC_TYPE_NORM || type == REC_TYPE_CONT) {
            cleanup_message(state, type, data, len);
            return section;
        }
        break;
    case REC_SECT_EXTRACTED:
        if (type == REC_TYPE_END) {
            cleanup_extracted_end(state);
            return REC_SECT_DONE;
        }
        cleanup_extracted(state, type, data, len);
        return section;
    case REC_SECT_DONE:
        break;
    }
    cleanup_error(state, CLEANUP_STAT_BAD,
                  "unexpected record type %d in the %s", type,
                  section == REC_SECT_CONTENT ? "message content" :
                  "message envelope");
    return section;
}

/* cleanup_read - read the client's records up to 'E'; 0, or -1 when the
 * connection broke (no reply can be sent) */
static int
cleanup_read(CLEANUP_STATE *state)
{
    REC_SECTION section = REC_SECT_ENVELOPE;
    BUF    *buf = buf_alloc(1024);
    size_t  len;
    int     type;

    while (section != REC_SECT_DONE) {
        type = rec_get(state->src, buf, cleanup_record_limit(), &len, NULL);
        if (type < 0) {
            msg_warn("%s: %s from client while reading the message",
                     buf_str(state->queue_id), rec_get_strerror(type));
            cleanup_error(state, CLEANUP_STAT_BAD, "lost connection");
            buf_free(buf);
            return -1;
        }
        if (state->errs & CLEANUP_STAT_BAD) {
            /* Out of step: stop at the end record, take nothing. */
            if (type == REC_TYPE_END)
                section = REC_SECT_DONE;
            continue;
        }
        section = cleanup_dispatch(state, section, type, buf_str(buf), len);
    }
    buf_free(buf);
    return 0;
}

/* cleanup_service - one client, one message */
static void
cleanup_service(STREAM *client, const char *service, char **argv)
{
    CLEANUP_STATE *state = cleanup_state_alloc(client);
    BUF    *why = buf_alloc(100);
    bool    connected;

    stream_set_timeout(client, var_ipc_timeout);
    /* Pace intake to delivery (mail_flow.h): wait for qmgr's token. */
    if (var_in_flow_delay > 0)
        (void) mail_flow_wait(var_in_flow_delay * 1000);
    state->dst = mail_queue_enter(&state->qconf, MAIL_QUEUE_INCOMING,
                                  MAIL_QUEUE_STAT_NEW, state->queue_id, why);
    if (state->dst == NULL) {
        /* The client sees a lost connection: a temporary error. */
        msg_warn("cannot create a queue file: %s", buf_str(why));
        buf_free(why);
        cleanup_state_free(state);
        return;
    }
    queue_file_out_init(&state->out, state->dst);
    if (queue_file_out_size(&state->out) < 0)
        cleanup_error(state, CLEANUP_STAT_WRITE, NULL);
    /* Postfix 3.7 writes the default content filter right after 'C'. */
    if (*var_content_filter)
        cleanup_out_string(state, REC_TYPE_FILT, var_content_filter);
    if (attr_print(client, ATTR_FLAG_NONE,
                   SEND_ATTR_STR(CLEANUP_ATTR_PROTOCOL, CLEANUP_PROTOCOL),
                   SEND_ATTR_STR(CLEANUP_ATTR_QUEUE_ID,
                                 buf_str(state->queue_id)),
                   ATTR_TYPE_END) < 0
        || attr_scan(client, ATTR_FLAG_STRICT,
                     RECV_ATTR_INT(CLEANUP_ATTR_FLAGS, &state->flags),
                     ATTR_TYPE_END) != 1) {
        msg_warn("%s: no request flags from client", buf_str(state->queue_id));
        cleanup_error(state, CLEANUP_STAT_BAD, "lost connection");
        connected = false;
    } else {
        /* smtpd's access HOLD and DISCARD actions come as flags. */
        state->hold = (state->flags & CLEANUP_FLAG_HOLD) != 0;
        state->discard = (state->flags & CLEANUP_FLAG_DISCARD) != 0;
        connected = (cleanup_read(state) == 0);
    }
    cleanup_final(state);
    if (connected)
        (void) attr_print(client, ATTR_FLAG_NONE,
                          SEND_ATTR_INT(CLEANUP_ATTR_STATUS, state->errs),
                          SEND_ATTR_STR(CLEANUP_ATTR_REASON,
                                        buf_str(state->reason)),
                          ATTR_TYPE_END);
    buf_free(why);
    cleanup_state_free(state);
}

/* cleanup_post_init - tables and settings */
static void
cleanup_post_init(const char *service, char **argv)
{
    cleanup_init();
}

/* main - hand over to the skeleton */
int
main(int argc, char **argv)
{
    static const SERVER_SPEC spec = {
        .model = SERVER_SINGLE,
        .post_init = cleanup_post_init,
        .service = cleanup_service,
    };

    mail_server_main(argc, argv, &spec);
}
