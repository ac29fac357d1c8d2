/* anvil - the connection and rate limit service, as Postfix 3.7's
 * anvil(8).
 *
 * Model: a MULTI server (mail_server.h) on private/anvil (master.cf
 * "anvil unix - - n - 1 anvil": one process holds all counters). It
 * greets each client and answers requests in the plain attribute form of
 * anvil_clnt.h, which Postfix's smtpd speaks:
 *
 *   connect        one more open connection and one more connection in
 *                  the time unit: "status=0 count=N rate=N"
 *   disconnect     one open connection fewer: "status=0"
 *   message, recipient, newtls, auth
 *                  one more event in the time unit: "status=0 rate=N"
 *   newtls_status  the new TLS session rate, not counting one
 *   lookup         all counters: status, count, rate, mail, rcpt, newtls,
 *                  auth (zero for a client not known, and for the rates of
 *                  a past time unit)
 *
 * As in Postfix, a local client (an smtpd process) stands for one remote
 * client at a time: a connect request drops the open connection it
 * reported before, a disconnect counts only for the remote client it
 * reported last, and when the local client goes away its open
 * connection is dropped. An unknown request is logged ("unrecognized
 * request: "x", ignored") and answered "status=4294967295"; a message
 * without request and ident ends that client's connection. Counters and
 * statistics: anvil_remote.c. */
#include <stdio.h>
#include <string.h>

#include "anvil.h"
#include "anvil_clnt.h"
#include "event.h"
#include "htable.h"
#include "mail_params.h"
#include "mail_server.h"
#include "msg.h"
#include "mymalloc.h"

/* What a local client reported last. */
typedef struct ANVIL_LOCAL {
    ANVIL_REMOTE *remote;               /* its open connection, or NULL */
} ANVIL_LOCAL;

typedef void (*ANVIL_REQ_FN) (STREAM *client, ANVIL_LOCAL *local,
                              const char *ident, ANVIL_EVENT event);

static HTABLE *anvil_locals;            /* "fd" -> ANVIL_LOCAL */
static ARGV *anvil_request;

/* anvil_local_key - the table key of a client */
static const char *
anvil_local_key(STREAM *client, char *buf, size_t len)
{
    snprintf(buf, len, "%d", stream_fd(client));
    return buf;
}

/* anvil_local_find - the local client's state (created when new) */
static ANVIL_LOCAL *
anvil_local_find(STREAM *client)
{
    char    key[20];
    ANVIL_LOCAL *local;

    anvil_local_key(client, key, sizeof(key));
    if ((local = htable_find(anvil_locals, key)) == NULL) {
        local = mycalloc(1, sizeof(*local));
        htable_enter(anvil_locals, key, local);
    }
    return local;
}

/* anvil_local_drop - forget the open connection a local client reported */
static void
anvil_local_drop(ANVIL_LOCAL *local)
{
    if (local->remote != NULL) {
        anvil_remote_drop(local->remote);
        local->remote = NULL;
    }
}

/* anvil_reply_rate - "status=0 rate=N" */
static void
anvil_reply_rate(STREAM *client, int rate)
{
    char    num[20];

    snprintf(num, sizeof(num), "%d", rate);
    (void) anvil_proto_send(client, ANVIL_ATTR_STATUS, "0",
                            ANVIL_ATTR_RATE, num, (char *) NULL);
}

/* anvil_connect - a remote client connected */
static void
anvil_connect(STREAM *client, ANVIL_LOCAL *local, const char *ident,
              ANVIL_EVENT event)
{
    ANVIL_REMOTE *remote = anvil_remote_event(ident, ANVIL_EV_CONN);
    char    count[20], rate[20];

    anvil_local_drop(local);
    local->remote = remote;
    snprintf(count, sizeof(count), "%d", remote->count);
    snprintf(rate, sizeof(rate), "%d", remote->rate);
    (void) anvil_proto_send(client, ANVIL_ATTR_STATUS, "0",
                            ANVIL_ATTR_COUNT, count, ANVIL_ATTR_RATE, rate,
                            (char *) NULL);
    anvil_remote_max_count(remote);
}

/* anvil_disconnect - a remote client went away */
static void
anvil_disconnect(STREAM *client, ANVIL_LOCAL *local, const char *ident,
                 ANVIL_EVENT event)
{
    ANVIL_REMOTE *remote = anvil_remote_find(ident);

    if (remote != NULL && local->remote == remote)
        anvil_local_drop(local);
    (void) anvil_proto_send(client, ANVIL_ATTR_STATUS, "0", (char *) NULL);
}

/* anvil_event - count one event and answer its rate */
static void
anvil_event(STREAM *client, ANVIL_LOCAL *local, const char *ident,
            ANVIL_EVENT event)
{
    ANVIL_REMOTE *remote = anvil_remote_event(ident, event);

    (void) local;
    anvil_reply_rate(client, anvil_remote_event_rate(remote, event));
}

/* anvil_newtls_stat - the new TLS session rate, without counting */
static void
anvil_newtls_stat(STREAM *client, ANVIL_LOCAL *local, const char *ident,
                  ANVIL_EVENT event)
{
    ANVIL_REMOTE *remote = anvil_remote_find(ident);

    (void) local;
    if (remote != NULL)
        anvil_remote_fresh(remote);
    anvil_reply_rate(client, remote ? anvil_remote_event_rate(remote, event)
                     : 0);
}

/* anvil_lookup - all counters */
static void
anvil_lookup(STREAM *client, ANVIL_LOCAL *local, const char *ident,
             ANVIL_EVENT event)
{
    ANVIL_REMOTE *remote = anvil_remote_find(ident);
    ANVIL_REMOTE none = {0};
    char    num[6][20];

    (void) local;
    if (remote != NULL)
        anvil_remote_fresh(remote);
    else
        remote = &none;
    snprintf(num[0], sizeof(num[0]), "%d", remote->count);
    snprintf(num[1], sizeof(num[1]), "%d", remote->rate);
    snprintf(num[2], sizeof(num[2]), "%d", remote->mail);
    snprintf(num[3], sizeof(num[3]), "%d", remote->rcpt);
    snprintf(num[4], sizeof(num[4]), "%d", remote->ntls);
    snprintf(num[5], sizeof(num[5]), "%d", remote->auth);
    (void) anvil_proto_send(client, ANVIL_ATTR_STATUS, "0",
                            ANVIL_ATTR_COUNT, num[0], ANVIL_ATTR_RATE, num[1],
                            ANVIL_ATTR_MAIL, num[2], ANVIL_ATTR_RCPT, num[3],
                            ANVIL_ATTR_NTLS, num[4], ANVIL_ATTR_AUTH, num[5],
                            (char *) NULL);
}

/* The requests, and the events that they count. */
static const struct {
    const char *name;
    ANVIL_REQ_FN fn;
    ANVIL_EVENT event;
}       anvil_requests[] = {
    {ANVIL_REQ_CONN, anvil_connect, ANVIL_EV_CONN},
    {ANVIL_REQ_DISC, anvil_disconnect, ANVIL_EV_CONN},
    {ANVIL_REQ_MAIL, anvil_event, ANVIL_EV_MAIL},
    {ANVIL_REQ_RCPT, anvil_event, ANVIL_EV_RCPT},
    {ANVIL_REQ_NTLS, anvil_event, ANVIL_EV_NTLS},
    {ANVIL_REQ_NTLS_STAT, anvil_newtls_stat, ANVIL_EV_NTLS},
    {ANVIL_REQ_AUTH, anvil_event, ANVIL_EV_AUTH},
    {ANVIL_REQ_LOOKUP, anvil_lookup, ANVIL_EV_CONN},
};

/* anvil_dispatch - run a request */
static void
anvil_dispatch(STREAM *client, const char *request, const char *ident)
{
    for (size_t i = 0; i < sizeof(anvil_requests) / sizeof(anvil_requests[0]);
         i++) {
        if (strcmp(anvil_requests[i].name, request) == 0) {
            anvil_requests[i].fn(client, anvil_local_find(client), ident,
                                 anvil_requests[i].event);
            return;
        }
    }
    msg_warn("unrecognized request: \"%.100s\", ignored", request);
    (void) anvil_proto_send(client, ANVIL_ATTR_STATUS, ANVIL_STAT_FAIL_TEXT,
                            (char *) NULL);
}

/* anvil_goodbye - a local client went away: drop its open connection */
static void
anvil_goodbye(STREAM *client)
{
    char    key[20];
    ANVIL_LOCAL *local;

    anvil_local_key(client, key, sizeof(key));
    if ((local = htable_find(anvil_locals, key)) != NULL) {
        anvil_local_drop(local);
        htable_delete(anvil_locals, key, myfree);
    }
    mail_server_disconnect(client);
}

/* anvil_service - one request from a local client */
static void
anvil_service(STREAM *client, const char *service, char **argv)
{
    const char *request, *ident;
    int     count;

    (void) service;
    (void) argv;
    if ((count = anvil_proto_read(client, anvil_request)) < 0) {
        if (!stream_eof(client))
            msg_warn("malformed request from anvil client");
        anvil_goodbye(client);
        return;
    }
    request = anvil_proto_find(anvil_request, ANVIL_ATTR_REQ);
    ident = anvil_proto_find(anvil_request, ANVIL_ATTR_IDENT);
    if (count != 2 || request == NULL || ident == NULL) {
        msg_warn("missing attribute %s in input from anvil socket",
                 request == NULL ? ANVIL_ATTR_REQ : ANVIL_ATTR_IDENT);
        anvil_goodbye(client);
        return;
    }
    anvil_dispatch(client, request, ident);
}

/* anvil_greet - the greeting of a new client */
static void
anvil_greet(STREAM *client, const char *service, char **argv)
{
    (void) service;
    (void) argv;
    if (anvil_proto_send(client, ANVIL_ATTR_PROTOCOL, ANVIL_PROTOCOL,
                         (char *) NULL) < 0)
        anvil_goodbye(client);
}

/* anvil_status_update - log the peaks every anvil_status_update_time */
static void
anvil_status_update(int event, void *ctx)
{
    (void) event;
    anvil_remote_stats();
    event_request_timer(anvil_status_update, ctx,
                        var_anvil_status_update_time * 1000);
}

/* anvil_post_init - tables and the statistics timer */
static void
anvil_post_init(const char *service, char **argv)
{
    (void) service;
    (void) argv;
    anvil_locals = htable_create(50);
    anvil_request = argv_alloc(8);
    anvil_remote_init();
    event_request_timer(anvil_status_update, NULL,
                        var_anvil_status_update_time * 1000);
}

/* main - hand over to the skeleton */
int
main(int argc, char **argv)
{
    static const SERVER_SPEC spec = {
        .model = SERVER_MULTI,
        .no_use_limit = 1,
        .post_init = anvil_post_init,
        .service = anvil_service,
        .post_accept = anvil_greet,
        .pre_exit = anvil_remote_stats,
    };

    mail_server_main(argc, argv, &spec);
}
