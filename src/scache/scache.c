/* scache - the shared connection cache server, as Postfix's scache(8).
 *
 * Model: a MULTI server (mail_server.h), one process for all clients
 * ("scache unix - - n - 1 scache"). smtp(8) and lmtp(8) processes hand
 * it open sessions after a good transaction and ask it for one before
 * they connect; the protocol is in scache_clnt.h, the cache in
 * scache_cache.c. The time to live a client asks for is cut to
 * connection_cache_ttl_limit. Every connection_cache_status_update_time
 * and at exit the statistics are logged in Postfix's words:
 *   statistics: start interval Dec  6 08:22:01
 *   statistics: domain lookup hits=3 miss=1 success=75%
 *   statistics: address lookup hits=0 miss=1 success=0%
 *   statistics: max simultaneous domains=1 addresses=1 connection=1
 * docs/scache.md says more. */
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "attr.h"
#include "event.h"
#include "mail_params.h"
#include "mail_server.h"
#include "msg.h"
#include "scache.h"
#include "fd_pass.h"
#include "scache_clnt.h"

/* Request parameters. */
static BUF *scache_request;
static BUF *scache_dest_label;
static BUF *scache_dest_prop;
static BUF *scache_endp_label;
static BUF *scache_endp_prop;
static BUF *scache_dummy;

/* Statistics since scache_start_time. */
static int scache_dest_hits;
static int scache_dest_miss;
static int scache_endp_hits;
static int scache_endp_miss;
static SCACHE_SIZE scache_peak;
static time_t scache_start_time;

/* scache_ttl - a client's time to live, within the limit */
static int
scache_ttl(int ttl)
{
    return ttl > var_connection_cache_ttl_limit ?
        var_connection_cache_ttl_limit : ttl;
}

/* scache_peak_update - note the largest sizes */
static void
scache_peak_update(void)
{
    SCACHE_SIZE now;

    scache_size(&now);
    if (now.dest_count > scache_peak.dest_count)
        scache_peak.dest_count = now.dest_count;
    if (now.endp_count > scache_peak.endp_count)
        scache_peak.endp_count = now.endp_count;
    if (now.sess_count > scache_peak.sess_count)
        scache_peak.sess_count = now.sess_count;
}

/* scache_status - reply a bare status */
static int
scache_status(STREAM *client, int status)
{
    return attr_print(client, ATTR_FLAG_NONE,
                      SEND_ATTR_INT(SCACHE_ATTR_STATUS, status),
                      ATTR_TYPE_END);
}

/* scache_save_endp_service - receive a session; 0 or -1 (drop client) */
static int
scache_save_endp_service(STREAM *client)
{
    int     ttl;
    int     fd;

    if (attr_scan(client, ATTR_FLAG_STRICT,
                  RECV_ATTR_INT(SCACHE_ATTR_TTL, &ttl),
                  RECV_ATTR_STR(SCACHE_ATTR_LABEL, scache_endp_label),
                  RECV_ATTR_STR(SCACHE_ATTR_PROP, scache_endp_prop),
                  ATTR_TYPE_END) != 3 || ttl <= 0) {
        msg_warn("scache_save_endp_service: bad or missing request "
                 "parameter");
        return scache_status(client, SCACHE_STAT_BAD);
    }
    if (attr_print(client, ATTR_FLAG_NONE,
                   SEND_ATTR_STR(SCACHE_ATTR_DUMMY, ""), ATTR_TYPE_END) < 0
        || (fd = fd_pass_recv(stream_fd(client),
                                var_connection_cache_protocol_timeout,
                                NULL)) < 0) {
        msg_warn("scache_save_endp_service: unable to receive file "
                 "descriptor: %m");
        return scache_status(client, SCACHE_STAT_FAIL);
    }
    scache_save_endp(scache_ttl(ttl), buf_str(scache_endp_label),
                     buf_str(scache_endp_prop), fd);
    scache_peak_update();
    return scache_status(client, SCACHE_STAT_OK);
}

/* scache_hand_out - "found": the properties, then the descriptor
 * between two dummies; fd is closed here */
static int
scache_hand_out(STREAM *client, int fd, const BUF *dest_prop)
{
    int     ret;

    if (dest_prop)
        ret = attr_print(client, ATTR_FLAG_NONE,
                         SEND_ATTR_INT(SCACHE_ATTR_STATUS, SCACHE_STAT_OK),
                         SEND_ATTR_STR(SCACHE_ATTR_PROP, buf_str(dest_prop)),
                         SEND_ATTR_STR(SCACHE_ATTR_PROP,
                                       buf_str(scache_endp_prop)),
                         ATTR_TYPE_END);
    else
        ret = attr_print(client, ATTR_FLAG_NONE,
                         SEND_ATTR_INT(SCACHE_ATTR_STATUS, SCACHE_STAT_OK),
                         SEND_ATTR_STR(SCACHE_ATTR_PROP,
                                       buf_str(scache_endp_prop)),
                         ATTR_TYPE_END);
    if (ret < 0
        || attr_scan(client, ATTR_FLAG_STRICT,
                     RECV_ATTR_STR(SCACHE_ATTR_DUMMY, scache_dummy),
                     ATTR_TYPE_END) != 1
        || fd_pass_send(stream_fd(client), fd, 0) < 0
        || attr_scan(client, ATTR_FLAG_STRICT,
                     RECV_ATTR_STR(SCACHE_ATTR_DUMMY, scache_dummy),
                     ATTR_TYPE_END) != 1) {
        msg_warn("scache: cannot send file descriptor: %m");
        ret = -1;
    }
    (void) close(fd);
    return ret;
}

/* scache_find_endp_service - hand out a session of an endpoint */
static int
scache_find_endp_service(STREAM *client)
{
    int     fd;

    if (attr_scan(client, ATTR_FLAG_STRICT,
                  RECV_ATTR_STR(SCACHE_ATTR_LABEL, scache_endp_label),
                  ATTR_TYPE_END) != 1) {
        msg_warn("scache_find_endp_service: bad or missing request "
                 "parameter");
        return -1;
    }
    if ((fd = scache_find_endp(buf_str(scache_endp_label),
                               scache_endp_prop)) < 0) {
        scache_endp_miss++;
        return attr_print(client, ATTR_FLAG_NONE,
                          SEND_ATTR_INT(SCACHE_ATTR_STATUS, SCACHE_STAT_FAIL),
                          SEND_ATTR_STR(SCACHE_ATTR_PROP, ""),
                          ATTR_TYPE_END);
    }
    scache_endp_hits++;
    return scache_hand_out(client, fd, NULL);
}

/* scache_save_dest_service - point a destination to an endpoint */
static int
scache_save_dest_service(STREAM *client)
{
    int     ttl;

    if (attr_scan(client, ATTR_FLAG_STRICT,
                  RECV_ATTR_INT(SCACHE_ATTR_TTL, &ttl),
                  RECV_ATTR_STR(SCACHE_ATTR_LABEL, scache_dest_label),
                  RECV_ATTR_STR(SCACHE_ATTR_PROP, scache_dest_prop),
                  RECV_ATTR_STR(SCACHE_ATTR_LABEL, scache_endp_label),
                  ATTR_TYPE_END) != 4 || ttl <= 0) {
        msg_warn("scache_save_dest_service: bad or missing request "
                 "parameter");
        return scache_status(client, SCACHE_STAT_BAD);
    }
    scache_save_dest(scache_ttl(ttl), buf_str(scache_dest_label),
                     buf_str(scache_dest_prop), buf_str(scache_endp_label));
    scache_peak_update();
    return scache_status(client, SCACHE_STAT_OK);
}

/* scache_find_dest_service - hand out a session for a destination */
static int
scache_find_dest_service(STREAM *client)
{
    int     fd;

    if (attr_scan(client, ATTR_FLAG_STRICT,
                  RECV_ATTR_STR(SCACHE_ATTR_LABEL, scache_dest_label),
                  ATTR_TYPE_END) != 1) {
        msg_warn("scache_find_dest_service: bad or missing request "
                 "parameter");
        return -1;
    }
    if ((fd = scache_find_dest(buf_str(scache_dest_label), scache_dest_prop,
                               scache_endp_prop)) < 0) {
        scache_dest_miss++;
        return attr_print(client, ATTR_FLAG_NONE,
                          SEND_ATTR_INT(SCACHE_ATTR_STATUS, SCACHE_STAT_FAIL),
                          SEND_ATTR_STR(SCACHE_ATTR_PROP, ""),
                          SEND_ATTR_STR(SCACHE_ATTR_PROP, ""),
                          ATTR_TYPE_END);
    }
    scache_dest_hits++;
    return scache_hand_out(client, fd, scache_dest_prop);
}

/* scache_dispatch - one request; 0, or -1 to drop the client */
static int
scache_dispatch(STREAM *client)
{
    static const struct {
        const char *name;
        int     (*fn) (STREAM *);
    } requests[] = {
        {SCACHE_REQ_SAVE_DEST, scache_save_dest_service},
        {SCACHE_REQ_FIND_DEST, scache_find_dest_service},
        {SCACHE_REQ_SAVE_ENDP, scache_save_endp_service},
        {SCACHE_REQ_FIND_ENDP, scache_find_endp_service},
    };

    if (attr_scan(client, ATTR_FLAG_MORE | ATTR_FLAG_STRICT,
                  RECV_ATTR_STR(SCACHE_ATTR_REQ, scache_request),
                  ATTR_TYPE_END) != 1)
        return -1;
    for (size_t i = 0; i < sizeof(requests) / sizeof(requests[0]); i++)
        if (strcmp(buf_str(scache_request), requests[i].name) == 0)
            return requests[i].fn(client);
    msg_warn("unrecognized request: \"%.100s\", ignored",
             buf_str(scache_request));
    return -1;
}

/* scache_service - the requests a client has sent */
static void
scache_service(STREAM *client, const char *service, char **argv)
{
    (void) service;
    if (argv[0])
        msg_fatal("unexpected command-line argument: %s", argv[0]);
    do {
        if (scache_dispatch(client) < 0) {
            mail_server_disconnect(client);
            return;
        }
    } while (stream_buffered(client) > 0);
}

/* scache_greet - the greeting of a new client */
static void
scache_greet(STREAM *client, const char *service, char **argv)
{
    (void) service;
    (void) argv;
    stream_set_timeout(client, var_connection_cache_protocol_timeout);
    if (attr_print(client, ATTR_FLAG_NONE,
                   SEND_ATTR_STR(SCACHE_ATTR_PROTOCOL, SCACHE_PROTOCOL),
                   ATTR_TYPE_END) < 0)
        mail_server_disconnect(client);
}

/* scache_status_dump - log and reset the statistics */
static void
scache_status_dump(void)
{
    if (scache_dest_hits || scache_dest_miss || scache_endp_hits
        || scache_endp_miss || scache_peak.dest_count
        || scache_peak.endp_count || scache_peak.sess_count)
        msg_info("statistics: start interval %.15s",
                 ctime(&scache_start_time) + 4);
    if (scache_dest_hits || scache_dest_miss) {
        msg_info("statistics: domain lookup hits=%d miss=%d success=%d%%",
                 scache_dest_hits, scache_dest_miss, scache_dest_hits * 100
                 / (scache_dest_hits + scache_dest_miss));
        scache_dest_hits = scache_dest_miss = 0;
    }
    if (scache_endp_hits || scache_endp_miss) {
        msg_info("statistics: address lookup hits=%d miss=%d success=%d%%",
                 scache_endp_hits, scache_endp_miss, scache_endp_hits * 100
                 / (scache_endp_hits + scache_endp_miss));
        scache_endp_hits = scache_endp_miss = 0;
    }
    if (scache_peak.dest_count || scache_peak.endp_count
        || scache_peak.sess_count) {
        msg_info("statistics: max simultaneous domains=%d addresses=%d "
                 "connection=%d", scache_peak.dest_count,
                 scache_peak.endp_count, scache_peak.sess_count);
        memset(&scache_peak, 0, sizeof(scache_peak));
    }
    scache_start_time = time(NULL);
}

/* scache_status_update - the statistics every so often */
static void
scache_status_update(int event, void *ctx)
{
    (void) event;
    scache_status_dump();
    event_request_timer(scache_status_update, ctx,
                        var_connection_cache_status_update_time * 1000);
}

/* scache_pre_exit - last statistics, close the sessions */
static void
scache_pre_exit(void)
{
    scache_status_dump();
    scache_close_all();
}

/* scache_post_init - buffers and the statistics timer */
static void
scache_post_init(const char *service, char **argv)
{
    (void) service;
    (void) argv;
    scache_request = buf_alloc(20);
    scache_dest_label = buf_alloc(100);
    scache_dest_prop = buf_alloc(100);
    scache_endp_label = buf_alloc(100);
    scache_endp_prop = buf_alloc(100);
    scache_dummy = buf_alloc(10);
    scache_start_time = time(NULL);
    event_request_timer(scache_status_update, NULL,
                        var_connection_cache_status_update_time * 1000);
}

/* main - hand over to the skeleton */
int
main(int argc, char **argv)
{
    static const SERVER_SPEC spec = {
        .model = SERVER_MULTI,
        .no_use_limit = 1,
        .post_init = scache_post_init,
        .service = scache_service,
        .post_accept = scache_greet,
        .pre_exit = scache_pre_exit,
    };

    mail_server_main(argc, argv, &spec);
}
