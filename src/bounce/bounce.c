/* bounce - the delivery status service, as Postfix's bounce(8).
 *
 * One program under three master.cf names (Postfix's):
 *   bounce unix - - n - 0 bounce     logs in bounce/ (permanent failures)
 *   defer  unix - - n - 0 bounce     logs in defer/H/ (temporary ones)
 *   trace  unix - - n - 0 bounce     logs in trace/ (delivery reports)
 * The service name (-n, compared with $bounce_service_name,
 * $defer_service_name, $trace_service_name) picks the log directory.
 *
 * Model: a SINGLE server: one request per connection, many connections
 * in sequence per process. Postfix's delivery_status_protocol
 * (docs/bounce.md, bounce_clnt.h):
 *   service -> client   protocol=delivery_status_protocol
 *   client  -> service  nrequest=N and the request's attributes
 *   service -> client   status=0, or status=4294967295 (-1 as Postfix
 *                       writes it) when the client must try again
 * nrequest 0 appends to the log (bounce_append.c); 1 (flush), 2 (delay
 * warning) and 5 (trace report) send notices (bounce_notify.c). The
 * parts are listed in bounce.h. Parameters: the ones in BOUNCE_CONF,
 * queue_directory, hash_queue_names, hash_queue_depth,
 * cleanup_service_name, ipc_timeout, myhostname, myorigin, mail_name,
 * bounce_template_file (read before a chroot: bounce_template_file.c). */
#include <string.h>
#include <strings.h>

#include "argv.h"
#include "attr.h"
#include "bounce.h"
#include "bounce_clnt.h"
#include "cleanup_user.h"
#include "mail_params.h"
#include "mail_queue_id.h"
#include "mail_server.h"
#include "msg.h"

/* The reply status that asks the client to try again, as Postfix
 * writes -1 (unsigned). */
#define BOUNCE_STAT_FAIL        "4294967295"

/* Queues whose files a notice may be about. */
static const char *const bounce_msg_queues[] = {
    MAIL_QUEUE_ACTIVE, MAIL_QUEUE_DEFERRED, MAIL_QUEUE_INCOMING,
    MAIL_QUEUE_HOLD, 0,
};

static BOUNCE_CONF bounce_conf;

/* bounce_req_valid - whether a notice request names a message safely;
 * makes its texts printable */
static bool
bounce_req_valid(BOUNCE_REQ *req)
{
    const char *queue = buf_str(req->queue_name);
    int     i;

    for (i = 0; bounce_msg_queues[i]; i++)
        if (strcmp(queue, bounce_msg_queues[i]) == 0)
            break;
    msg_printable(buf_str(req->queue_id), buf_len(req->queue_id));
    msg_printable(buf_str(req->queue_name), buf_len(req->queue_name));
    if (!mail_queue_id_ok(buf_str(req->queue_id))) {
        msg_warn("malformed queue id: %s", buf_str(req->queue_id));
        return false;
    }
    if (bounce_msg_queues[i] == 0) {
        msg_warn("%s: bad queue name: %s", buf_str(req->queue_id), queue);
        return false;
    }
    /* The sender and envid go into header lines. */
    msg_printable(buf_str(req->sender), buf_len(req->sender));
    msg_printable(buf_str(req->envid), buf_len(req->envid));
    return true;
}

/* bounce_request - read and serve a flush, warn or trace request */
static int
bounce_request(STREAM *client, int cmd)
{
    BOUNCE_REQ req = {cmd, 0, buf_alloc(10), buf_alloc(20), buf_alloc(10),
        0, buf_alloc(100), buf_alloc(10), 0};
    int     ret = -1;

    if (attr_scan(client, ATTR_FLAG_STRICT,
                  RECV_ATTR_INT("flags", &req.flags),
                  RECV_ATTR_STR("queue_name", req.queue_name),
                  RECV_ATTR_STR("queue_id", req.queue_id),
                  RECV_ATTR_STR("encoding", req.encoding),
                  RECV_ATTR_INT("smtputf8", &req.smtputf8),
                  RECV_ATTR_STR("sender", req.sender),
                  RECV_ATTR_STR("envelope_id", req.envid),
                  RECV_ATTR_INT("ret_flags", &req.ret),
                  ATTR_TYPE_END) != 8)
        msg_warn("malformed request %d", cmd);
    else if (bounce_req_valid(&req))
        ret = bounce_notify_service(&bounce_conf, &req);
    buf_free(req.queue_name);
    buf_free(req.queue_id);
    buf_free(req.encoding);
    buf_free(req.sender);
    buf_free(req.envid);
    return ret;
}

/* bounce_service - one client, one request */
static void
bounce_service(STREAM *client, const char *service, char **argv)
{
    int     cmd, status;

    stream_set_timeout(client, var_ipc_timeout);
    if (attr_print(client, ATTR_FLAG_NONE,
                   SEND_ATTR_STR("protocol", BOUNCE_PROTOCOL),
                   ATTR_TYPE_END) < 0
        || attr_scan(client, ATTR_FLAG_MORE,
                     RECV_ATTR_INT("nrequest", &cmd), ATTR_TYPE_END) != 1)
        return;
    switch (cmd) {
    case BOUNCE_CMD_APPEND:
        status = bounce_append_service(&bounce_conf, client);
        break;
    case BOUNCE_CMD_FLUSH:
    case BOUNCE_CMD_WARN:
    case BOUNCE_CMD_TRACE:
        status = bounce_request(client, cmd);
        break;
    default:
        msg_warn("unknown command: %d", cmd);
        status = -1;
        break;
    }
    (void) attr_print(client, ATTR_FLAG_NONE,
                      SEND_ATTR_STR("status", status == 0 ? "0" :
                                    BOUNCE_STAT_FAIL),
                      ATTR_TYPE_END);
}

/* bounce_log_queue - the log directory that a service name serves */
static const char *
bounce_log_queue(const char *service)
{
    if (strcmp(service, var_bounce_service_name) == 0)
        return MAIL_QUEUE_BOUNCE;
    if (strcmp(service, var_defer_service_name) == 0)
        return MAIL_QUEUE_DEFER;
    if (strcmp(service, var_trace_service_name) == 0)
        return MAIL_QUEUE_TRACE;
    msg_fatal("service name %s is none of bounce_service_name (%s), "
              "defer_service_name (%s), trace_service_name (%s)", service,
              var_bounce_service_name, var_defer_service_name,
              var_trace_service_name);
}

/* bounce_listed - whether a list parameter's value holds word */
static bool
bounce_listed(const char *list, const char *word)
{
    ARGV   *words = argv_split(list, LIST_DELIM);
    bool    found = false;

    for (int i = 0; i < words->argc && !found; i++)
        found = (strcasecmp(words->argv[i], word) == 0);
    argv_free(words);
    return found;
}

/* bounce_qualify - addr, with @$myorigin when it has no domain */
static char *
bounce_qualify(const char *addr)
{
    BUF    *bp = buf_alloc(100);

    buf_strcpy(bp, addr);
    if (strchr(addr, '@') == NULL)
        buf_sprintf_append(bp, "@%s", var_myorigin);
    return buf_export(bp);
}

/* bounce_post_init - the settings from main.cf */
static void
bounce_post_init(const char *service, char **argv)
{
    BOUNCE_CONF *conf = &bounce_conf;
    BUF    *path = buf_alloc(100);

    conf->log_queue = bounce_log_queue(service);
    mail_queue_conf_params(&conf->queue);
    buf_sprintf(path, "public/%s", var_cleanup_service_name);
    conf->cleanup_path = buf_export(path);
    conf->cleanup_flags = CLEANUP_FLAG_MAP_OK;
    if (bounce_listed(var_internal_mail_filter_classes, "bounce"))
        conf->cleanup_flags |= CLEANUP_FLAG_FILTER_ALL;
    conf->timeout = var_ipc_timeout;
    conf->myhostname = var_myhostname;
    conf->mail_name = var_mail_name;
    conf->mail_daemon = bounce_qualify("MAILER-DAEMON");
    conf->double_bounce = bounce_qualify(var_double_bounce_sender);
    conf->size_limit = var_bounce_size_limit;
    conf->notify_classes =
        (bounce_listed(var_notify_classes, "bounce") ? BOUNCE_CLASS_BOUNCE : 0)
        | (bounce_listed(var_notify_classes, "2bounce") ?
           BOUNCE_CLASS_2BOUNCE : 0)
        | (bounce_listed(var_notify_classes, "delay") ? BOUNCE_CLASS_DELAY : 0);
    conf->bounce_rcpt = var_bounce_notice_recipient;
    conf->bounce2_rcpt = var_2bounce_notice_recipient;
    conf->delay_rcpt = var_delay_notice_recipient;
    conf->log_text = var_backwards_bounce_logfile_compatibility;
    conf->delay_warning_time = var_delay_warning_time;
    conf->max_queue_lifetime = var_maximal_queue_lifetime;
}

/* bounce_pre_init - bounce_template_file, before a chroot */
static void
bounce_pre_init(const char *service, char **argv)
{
    if (*var_bounce_template_file)
        bounce_template_load(var_bounce_template_file);
}

/* main - hand over to the skeleton */
int
main(int argc, char **argv)
{
    static const SERVER_SPEC spec = {
        .model = SERVER_SINGLE,
        .pre_init = bounce_pre_init,
        .post_init = bounce_post_init,
        .service = bounce_service,
    };

    mail_server_main(argc, argv, &spec);
}
