/* postqueue_flush - postqueue -f, -s site and -i queue_id.
 *
 * Model: Debian's Postfix 3.7 postqueue (strace, docs/queue-tools.md):
 *   -f  writes "FADI" and a NUL to public/$queue_service_name (qmgr:
 *       forget dead destinations, ignore the deferred time stamps, scan
 *       deferred and incoming), then "W" and a NUL to
 *       public/$pickup_service_name; "Cannot flush mail queue - mail
 *       system is down" when qmgr cannot be reached;
 *   -s  the site must match $fast_flush_domains ("Flush service is not
 *       configured for destination "SITE"" otherwise, without asking),
 *       then a send_site request to public/$flush_service_name;
 *   -i  the id must be a valid queue id ("Cannot flush queue ID -
 *       invalid name: "ID""), then a send_file request.
 * The flush service answers with a status (flush_clnt.h); an unreachable
 * service is "Cannot flush mail queue - mail system is down". */
#include <signal.h>
#include <sysexits.h>

#include "flush_clnt.h"
#include "mail_params.h"
#include "mail_queue_id.h"
#include "mail_trigger.h"
#include "match_list.h"
#include "msg.h"
#include "postqueue.h"

#define POSTQUEUE_DOWN  "Cannot flush mail queue - mail system is down"
#define POSTQUEUE_DENY  "Flush service is not configured for destination " \
    "\"%s\""

/* postqueue_trigger - send req (with its NUL) to public/service */
static int
postqueue_trigger(const char *service, const char *req, size_t len)
{
    BUF    *path = buf_alloc(100);
    BUF    *why = buf_alloc(100);
    int     ret;

    buf_sprintf(path, "public/%s", service);
    if ((ret = mail_trigger(buf_str(path), req, len, why)) < 0 && msg_verbose)
        msg_info("%s", buf_str(why));
    buf_free(path);
    buf_free(why);
    return ret;
}

/* postqueue_flush - -f: wake qmgr for a full queue run, and pickup */
void
postqueue_flush(void)
{
    static const char qmgr_req[] = "FADI";      /* with its NUL */
    static const char pickup_req[] = "W";

    (void) signal(SIGPIPE, SIG_IGN);
    if (postqueue_trigger(var_queue_service_name, qmgr_req,
                          sizeof(qmgr_req)) < 0)
        postqueue_fatal(POSTQUEUE_DOWN);
    (void) postqueue_trigger(var_pickup_service_name, pickup_req,
                             sizeof(pickup_req));
}

/* postqueue_flush_status - report the flush service's answer */
static void
postqueue_flush_status(int status, const char *arg, BUF *why)
{
    switch (status) {
    case FLUSH_STAT_OK:
        return;
    case FLUSH_STAT_FAIL:
        msg_warn("%s", buf_str(why));
        postqueue_fatal(POSTQUEUE_DOWN);
    case FLUSH_STAT_DENY:
        postqueue_fatal(POSTQUEUE_DENY, arg);
    case FLUSH_STAT_BAD:
        msg_fatal_status(EX_USAGE, "Invalid request: \"%s\"", arg);
    default:
        msg_fatal_status(EX_SOFTWARE, "Unknown flush server reply status "
                         "%d", status);
    }
}

/* postqueue_site_ok - whether site matches $fast_flush_domains */
static int
postqueue_site_ok(const char *site)
{
    BUF    *why = buf_alloc(100);
    MATCH_LIST *list;
    int     status;

    if ((list = match_list_create("fast_flush_domains", MATCH_DOMAIN,
                                  var_fast_flush_domains,
                                  MATCH_FLAG_PARENT_STYLE, why)) == NULL)
        postqueue_fatal("%s", buf_str(why));
    if ((status = match_list_match(list, site, NULL, why)) < 0)
        postqueue_fatal("%s", buf_str(why));
    match_list_free(list);
    buf_free(why);
    return status;
}

/* postqueue_flush_request - one request to the flush service */
static void
postqueue_flush_request(int (*send) (const char *, const char *, int,
                                     BUF *), const char *arg)
{
    BUF    *path = buf_alloc(100);
    BUF    *why = buf_alloc(100);

    buf_sprintf(path, "public/%s", var_flush_service_name);
    postqueue_flush_status(send(buf_str(path), arg, var_ipc_timeout, why),
                           arg, why);
    buf_free(path);
    buf_free(why);
}

/* postqueue_flush_site - -s: deliver the mail queued for site */
void
postqueue_flush_site(const char *site)
{
    (void) signal(SIGPIPE, SIG_IGN);
    if (postqueue_site_ok(site) == 0)
        postqueue_fatal(POSTQUEUE_DENY, site);
    postqueue_flush_request(flush_send_site, site);
}

/* postqueue_flush_id - -i: deliver the message with this queue id */
void
postqueue_flush_id(const char *id)
{
    (void) signal(SIGPIPE, SIG_IGN);
    if (!mail_queue_id_ok(id))
        postqueue_fatal("Cannot flush queue ID - invalid name: "
                              "\"%s\"", id);
    postqueue_flush_request(flush_send_file, id);
}
