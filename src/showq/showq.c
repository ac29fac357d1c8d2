/* showq - list the mail queue, as Postfix's showq(8).
 *
 * Model: a SINGLE server (mail_server.h) on public/showq, declared in
 * master.cf as "showq unix n - n - - showq"; it runs as mail_owner in
 * the queue directory, which users cannot read: postqueue -p/-j, mailq
 * and "sendmail -bp" connect here instead (and postqueue runs it by hand,
 * with -S, when the mail system is down and the caller is root). Each
 * client gets one listing in Postfix's protocol (showq_proto.h): the
 * greeting, one message per queue file of maildrop, active, incoming,
 * deferred and hold, in that order (Postfix's) and in directory order
 * within a queue, then the end. The client sends nothing; a client that
 * goes away ends the listing. The queue is not locked: files may move
 * while they are listed, and such a file is listed twice or not at all,
 * as with Postfix. The parts are listed in showq.h. Parameters:
 * queue_directory, hash_queue_names, hash_queue_depth,
 * empty_address_recipient, and the skeleton's. */
#include "mail_params.h"
#include "mail_server.h"
#include "msg.h"
#include "queue_scan.h"
#include "showq.h"

/* The queues, in the order Postfix's showq lists them. */
static const char *showq_queues[] = {
    MAIL_QUEUE_MAILDROP, MAIL_QUEUE_ACTIVE, MAIL_QUEUE_INCOMING,
    MAIL_QUEUE_DEFERRED, MAIL_QUEUE_HOLD,
};

#define SHOWQ_QUEUE_COUNT   (sizeof(showq_queues) / sizeof(showq_queues[0]))

static SHOWQ showq;

/* showq_queue - list one queue; 0, or -1 when the client went away */
static int
showq_queue(STREAM *client, const char *queue, SHOWQ_MSG *msg)
{
    BUF    *why = buf_alloc(100);
    BUF    *path = buf_alloc(100);
    QUEUE_SCAN *scan;
    const char *id;
    int     ret = 0;

    if ((scan = queue_scan_open(&showq.queue, queue, why)) == NULL) {
        msg_warn("%s", buf_str(why));
    } else {
        while (ret == 0 && (id = queue_scan_next(scan, path)) != NULL)
            if (showq_file(&showq, queue, id, buf_str(path), msg)
                == SHOWQ_FILE_OK)
                ret = showq_send_msg(client, msg);
        queue_scan_close(scan);
    }
    buf_free(why);
    buf_free(path);
    return ret;
}

/* showq_service - one client: the whole listing */
static void
showq_service(STREAM *client, const char *service, char **argv)
{
    SHOWQ_MSG *msg = showq_msg_create();
    int     ret = showq_send_greeting(client);

    for (size_t i = 0; ret == 0 && i < SHOWQ_QUEUE_COUNT; i++)
        ret = showq_queue(client, showq_queues[i], msg);
    if (ret == 0)
        ret = showq_send_end(client);
    if (ret < 0 && msg_verbose)
        msg_info("the client went away before the end of the listing");
    showq_msg_free(msg);
}

/* showq_post_init - the settings from main.cf */
static void
showq_post_init(const char *service, char **argv)
{
    mail_queue_conf_params(&showq.queue);
    showq.empty_addr = var_empty_address_recipient;
}

/* main - hand over to the skeleton */
int
main(int argc, char **argv)
{
    static const SERVER_SPEC spec = {
        .model = SERVER_SINGLE,
        .post_init = showq_post_init,
        .service = showq_service,
    };

    mail_server_main(argc, argv, &spec);
}
