/* flush - the fast flush service, as Postfix's flush(8).
 *
 * Model: a SINGLE server (mail_server.h) on public/$flush_service_name,
 * declared in master.cf as "flush unix n - n 1000? 0 flush"; it runs as
 * mail_owner inside the queue directory. It keeps a log per eligible
 * destination ($fast_flush_domains) of the queue files with mail
 * deferred for it, so that "ETRN site", "sendmail -qRsite" and
 * "postqueue -s site" deliver that site's mail now without a run over
 * the whole deferred queue (flush_log.c). The protocol (flush_clnt.h),
 * observed with Debian's Postfix 3.7: the greeting
 * "protocol=queue_flush_protocol", one request, "status=N":
 *
 *   add site queue_id   a recipient at site was deferred (the defer
 *                       service sends this: src/bounce/bounce_flush.c)
 *   send_site site      deliver the site's logged mail now
 *   send_file queue_id  deliver this message now (postqueue -i)
 *   refresh, purge      the status first, then the work
 *
 * An ineligible site is FLUSH_STAT_DENY; a malformed request
 * FLUSH_STAT_BAD. master's wakeup (a bare "W", every 1000 seconds when
 * the service was used) is a refresh. Parameters: fast_flush_domains,
 * fast_flush_refresh_time, fast_flush_purge_time,
 * parent_domain_matches_subdomains, queue_service_name, ipc_timeout, the
 * queue's and the skeleton's. */
#include <string.h>

#include "attr.h"
#include "flush.h"
#include "flush_clnt.h"
#include "mail_params.h"
#include "mail_queue_id.h"
#include "mail_server.h"
#include "msg.h"
#include "mymalloc.h"

#define FLUSH_REQ_MAX       32          /* longest request name */

/* What the first field of a connection asks for. */
typedef enum {
    FLUSH_READ_BAD, FLUSH_READ_WAKEUP, FLUSH_READ_REQUEST,
} FLUSH_READ;

static FLUSH_CONF flush_conf;

/* flush_add_service - log a deferral of queue_id for site */
static int
flush_add_service(const char *site, const char *queue_id)
{
    BUF    *name = buf_alloc(100);
    int     status;

    if (!mail_queue_id_ok(queue_id) || flush_site_name(name, site) < 0)
        status = FLUSH_STAT_BAD;
    else if ((status = flush_site_ok(&flush_conf, site)) <= 0)
        status = status < 0 ? FLUSH_STAT_FAIL : FLUSH_STAT_DENY;
    else
        status = flush_log_add(buf_str(name), queue_id);
    buf_free(name);
    return status;
}

/* flush_send_site_service - deliver the mail logged for site */
static int
flush_send_site_service(const char *site)
{
    BUF    *name = buf_alloc(100);
    int     status;

    if (flush_site_name(name, site) < 0)
        status = FLUSH_STAT_BAD;
    else if ((status = flush_site_ok(&flush_conf, site)) <= 0)
        status = status < 0 ? FLUSH_STAT_FAIL : FLUSH_STAT_DENY;
    else
        status = flush_log_send(&flush_conf, buf_str(name),
                                FLUSH_HOW_DELIVER);
    buf_free(name);
    return status;
}

/* flush_send_file_service - deliver one message */
static int
flush_send_file_service(const char *queue_id)
{
    if (!mail_queue_id_ok(queue_id))
        return FLUSH_STAT_BAD;
    if (flush_move_file(&flush_conf, queue_id, FLUSH_HOW_DELIVER,
                        time(NULL)))
        flush_qmgr(&flush_conf, 'I');
    return FLUSH_STAT_OK;
}

/* flush_read_field - one NUL-terminated field; its terminator or EOF */
static int
flush_read_field(STREAM *client, BUF *field)
{
    buf_reset(field);
    return stream_get_delim(client, field, 0, FLUSH_REQ_MAX);
}

/* flush_read_request - master's wakeup, or "request" and its value */
static FLUSH_READ
flush_read_request(STREAM *client, BUF *req)
{
    int     end = flush_read_field(client, req);

    if (strcmp(buf_str(req), "W") == 0)
        return FLUSH_READ_WAKEUP;
    if (end != 0 || strcmp(buf_str(req), FLUSH_ATTR_REQ) != 0
        || flush_read_field(client, req) != 0)
        return FLUSH_READ_BAD;
    return FLUSH_READ_REQUEST;
}

/* flush_request - read the rest of request req and serve it */
static int
flush_request(STREAM *client, const char *req, int *refresh)
{
    BUF    *site = buf_alloc(100), *id = buf_alloc(20);
    int     status = FLUSH_STAT_BAD;

    if (strcmp(req, FLUSH_REQ_ADD) == 0) {
        if (attr_scan(client, ATTR_FLAG_STRICT,
                      RECV_ATTR_STR(FLUSH_ATTR_SITE, site),
                      RECV_ATTR_STR(FLUSH_ATTR_QUEUEID, id),
                      ATTR_TYPE_END) == 2)
            status = flush_add_service(buf_str(site), buf_str(id));
    } else if (strcmp(req, FLUSH_REQ_SEND_SITE) == 0) {
        if (attr_scan(client, ATTR_FLAG_STRICT,
                      RECV_ATTR_STR(FLUSH_ATTR_SITE, site),
                      ATTR_TYPE_END) == 1)
            status = flush_send_site_service(buf_str(site));
    } else if (strcmp(req, FLUSH_REQ_SEND_FILE) == 0) {
        if (attr_scan(client, ATTR_FLAG_STRICT,
                      RECV_ATTR_STR(FLUSH_ATTR_QUEUEID, id),
                      ATTR_TYPE_END) == 1)
            status = flush_send_file_service(buf_str(id));
    } else if (strcmp(req, FLUSH_REQ_REFRESH) == 0
               || strcmp(req, FLUSH_REQ_PURGE) == 0) {
        if (attr_scan(client, ATTR_FLAG_STRICT, ATTR_TYPE_END) == 0) {
            *refresh = strcmp(req, FLUSH_REQ_PURGE) == 0 ? 0 :
                flush_conf.refresh_time;
            status = FLUSH_STAT_OK;
        }
    } else {
        msg_warn("unrecognized request: \"%.100s\", ignored", req);
    }
    buf_free(site);
    buf_free(id);
    return status;
}

/* flush_service - one client, one request */
static void
flush_service(STREAM *client, const char *service, char **argv)
{
    BUF    *req = buf_alloc(FLUSH_REQ_MAX);
    int     refresh = -1;
    int     status = FLUSH_STAT_BAD;

    stream_set_timeout(client, var_ipc_timeout);
    /* master's wakeup writes "W" and hangs up without reading this. */
    if (attr_print(client, ATTR_FLAG_NONE,
                   SEND_ATTR_STR(FLUSH_ATTR_PROTOCOL, FLUSH_PROTOCOL),
                   ATTR_TYPE_END) < 0)
        stream_clearerr(client);
    switch (flush_read_request(client, req)) {
    case FLUSH_READ_WAKEUP:
        flush_log_refresh(&flush_conf, flush_conf.refresh_time);
        buf_free(req);
        return;
    case FLUSH_READ_REQUEST:
        msg_printable(buf_str(req), strlen(buf_str(req)));
        status = flush_request(client, buf_str(req), &refresh);
        break;
    case FLUSH_READ_BAD:
        break;
    }
    (void) attr_print(client, ATTR_FLAG_NONE,
                      SEND_ATTR_INT(FLUSH_ATTR_STATUS, status),
                      ATTR_TYPE_END);
    if (refresh >= 0)
        flush_log_refresh(&flush_conf, refresh);
    buf_free(req);
}

/* flush_post_init - the settings from main.cf */
static void
flush_post_init(const char *service, char **argv)
{
    BUF    *why = buf_alloc(100);
    BUF    *path = buf_alloc(100);

    mail_queue_conf_params(&flush_conf.queue);
    if ((flush_conf.domains = match_list_create("fast_flush_domains",
                                                MATCH_DOMAIN,
                                                var_fast_flush_domains,
                                                MATCH_FLAG_PARENT_STYLE,
                                                why)) == NULL)
        msg_fatal("%s", buf_str(why));
    buf_sprintf(path, "public/%s", var_queue_service_name);
    flush_conf.qmgr_path = buf_export(path);
    flush_conf.refresh_time = var_fast_flush_refresh_time;
    flush_conf.purge_time = var_fast_flush_purge_time;
    buf_free(why);
}

/* main - hand over to the skeleton */
int
main(int argc, char **argv)
{
    static const SERVER_SPEC spec = {
        .model = SERVER_SINGLE,
        .post_init = flush_post_init,
        .service = flush_service,
    };

    mail_server_main(argc, argv, &spec);
}
