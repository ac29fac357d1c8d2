/* smtp - the SMTP/LMTP delivery agent, as Postfix's smtp(8)/lmtp(8).
 *
 * Model: a SINGLE server (mail_server.h) on private/smtp (and under the
 * name lmtp on private/lmtp): "smtp unix - - n - - smtp". Each
 * connection from qmgr carries one delivery request for one next hop
 * (delivery_request_protocol, deliver_request.h); smtp_connect.c tries
 * the next hop's addresses, then smtp_fallback_relay, until every
 * recipient has an outcome, and each outcome is reported through
 * deliver_result.h. The parts are listed in smtp.h; docs/smtp.md says
 * what is Postfix's behaviour and where Postern differs. */
#include <string.h>

#include "deliver_log.h"
#include "deliver_result.h"
#include "mail_server.h"
#include "mymalloc.h"
#include "smtp.h"

static const char *smtp_program = "smtp";

/* smtp_state_init - the per-request state */
static void
smtp_state_init(SMTP_STATE *state, DELIVER_REQUEST *req)
{
    memset(state, 0, sizeof(*state));
    state->req = req;
    state->rcpts = mycalloc((size_t) req->rcpt_count, sizeof(SMTP_RCPT));
    for (int i = 0; i < req->rcpt_count; i++) {
        state->rcpts[i].rcpt = req->rcpt + i;
        state->rcpts[i].dsb = dsb_create();
        state->rcpts[i].relay = buf_alloc(50);
        state->rcpts[i].mname = buf_alloc(50);
    }
    state->pending = req->rcpt_count;
    state->namaddr = buf_alloc(100);
    state->relay = buf_alloc(100);
    state->cmd = buf_alloc(200);
    state->reply = smtp_reply_alloc();
    state->dsb = dsb_create();
    state->fail_relay = buf_alloc(50);
    state->fail_mname = buf_alloc(50);
    state->cache_name = buf_alloc(50);
    state->cache_path = buf_alloc(50);
    state->auth_mechs = buf_alloc(50);
}

/* smtp_state_free - release the per-request state */
static void
smtp_state_free(SMTP_STATE *state)
{
    for (int i = 0; i < state->req->rcpt_count; i++) {
        dsb_free(state->rcpts[i].dsb);
        buf_free(state->rcpts[i].relay);
        buf_free(state->rcpts[i].mname);
    }
    myfree(state->rcpts);
    buf_free(state->namaddr);
    buf_free(state->relay);
    buf_free(state->cmd);
    smtp_reply_free(state->reply);
    dsb_free(state->dsb);
    buf_free(state->fail_relay);
    buf_free(state->fail_mname);
    buf_free(state->cache_name);
    buf_free(state->cache_path);
    buf_free(state->auth_mechs);
    smtp_tls_policy_free(state);
}

/* smtp_deliver - deliver one request; the hop DSN for the reply */
static const DSN *
smtp_deliver(DELIVER_REQUEST *req, void *ctx)
{
    static char hop_status[DSN_STATUS_SIZE];
    static BUF *hop_reason;
    DSN    *hop_dsn = ctx;
    SMTP_STATE state;
    const DSN *result;

    smtp_state_init(&state, req);
    result = smtp_connect_deliver(&state, hop_dsn);
    if (result) {
        /* The DSN points into state: copy what qmgr is told. */
        if (hop_reason == NULL)
            hop_reason = buf_alloc(100);
        strncpy(hop_status, result->status, sizeof(hop_status) - 1);
        buf_strcpy(hop_reason, result->reason);
        *hop_dsn = (DSN) {
            .status = hop_status, .action = result->action,
            .reason = buf_str(hop_reason), .dtype = "", .dtext = "",
            .mtype = "", .mname = "",
        };
        result = hop_dsn;
    }
    smtp_state_free(&state);
    return result;
}

/* smtp_service - one delivery request */
static void
smtp_service(STREAM *client, const char *service, char **argv)
{
    DSN     hop_dsn;

    deliver_request_serve(client, &smtp_conf.queue, smtp_deliver, &hop_dsn);
}

/* smtp_pre_init - the settings of the personality, and the TLS keys
 * and CA file, read while the process still has its privileges */
static void
smtp_pre_init(const char *service, char **argv)
{
    smtp_conf_init(service, smtp_program);
    smtp_tls_init();
}

/* smtp_post_init - the clients and tables */
static void
smtp_post_init(const char *service, char **argv)
{
    smtp_reuse_init();
    smtp_sasl_init();
}

/* main - note the program name, hand over to the skeleton */
int
main(int argc, char **argv)
{
    static const SERVER_SPEC spec = {
        .model = SERVER_SINGLE,
        .pre_init = smtp_pre_init,
        .post_init = smtp_post_init,
        .service = smtp_service,
    };

    if (argc > 0 && argv[0])
        smtp_program = argv[0];
    mail_server_main(argc, argv, &spec);
}
