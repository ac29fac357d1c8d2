/* qmgr_queue - transports, destination queues, and choosing what to
 * deliver next.
 *
 * A transport is a master.cf service of a delivery agent; its requests
 * out at once are bounded by the service's maxproc (else
 * $default_process_limit). Each next hop of a transport has a queue of
 * delivery requests (entries). Per-transport settings are read as
 * Postfix names them, "TRANSPORT_destination_concurrency_limit" and so
 * on, falling back to the "default_destination_..." parameters.
 *
 * Concurrency (Postfix's slow start and feedback): a destination starts
 * with $initial_destination_concurrency requests at once; each delivery
 * that did not fail for the whole destination adds the positive feedback
 * ("1", or "1/concurrency"), each that did subtracts the negative one,
 * and the window moves by one when the sum reaches one, within 1 and
 * the concurrency limit. Every whole-destination failure adds 1/window
 * to the failed cohort count; at $..._failed_cohort_limit the
 * destination is dead: what waits for it is deferred with the reason
 * ("delivery temporarily suspended: ...") until the queue is empty, or
 * an "F" trigger forgets it. With a rate delay, one delivery at a time
 * and a pause between them. Queues of a transport are served round
 * robin. A transport whose agent cannot be reached is dead for
 * $transport_retry_time. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "conv.h"
#include "event.h"
#include "mail_conf.h"
#include "mail_params.h"
#include "match_list.h"
#include "msg.h"
#include "mymalloc.h"
#include "qmgr.h"

#define QMGR_NO_LIMIT   INT_MAX

/* qmgr_transport_setting - the text of TRANSPORT_SUFFIX, or NULL */
static const char *
qmgr_transport_setting(const char *transport, const char *suffix)
{
    BUF    *name = buf_alloc(100);
    const char *value;

    buf_sprintf(name, "%s_%s", transport, suffix);
    value = mail_conf_lookup(buf_str(name)) ? mail_conf_eval(buf_str(name))
        : NULL;
    buf_free(name);
    return value;
}

/* qmgr_transport_int - a per-transport number or time, else def */
static int
qmgr_transport_int(const char *transport, const char *suffix, int def,
                   bool is_time)
{
    const char *text = qmgr_transport_setting(transport, suffix);
    long    value;

    if (text == NULL)
        return def;
    if ((is_time ? conv_time(text, 's', &value) : conv_long(text, &value)) < 0
        || value < 0 || value > INT_MAX) {
        msg_warn("bad numerical configuration: %s_%s = %s; using %d",
                 transport, suffix, text, def);
        return def;
    }
    return (int) value;
}

/* qmgr_transport_text - a per-transport text, else def (copied) */
static char *
qmgr_transport_text(const char *transport, const char *suffix,
                    const char *def)
{
    const char *text = qmgr_transport_setting(transport, suffix);

    return mystrdup(text ? text : def);
}

/* qmgr_transport_create - a transport with its settings */
static QMGR_TRANSPORT *
qmgr_transport_create(const char *name)
{
    QMGR_TRANSPORT *transport = mycalloc(1, sizeof(*transport));
    const char *proc = htable_find(qmgr.proc_limits, name);

    transport->name = mystrdup(name);
    transport->proc_limit = proc ? atoi(proc) : var_default_process_limit;
    if (transport->proc_limit <= 0)
        transport->proc_limit = QMGR_NO_LIMIT;
    transport->dest_limit = qmgr_transport_int(name,
                   "destination_concurrency_limit",
                   var_default_destination_concurrency_limit, false);
    if (transport->dest_limit == 0)
        transport->dest_limit = QMGR_NO_LIMIT;
    transport->rcpt_limit = qmgr_transport_int(name,
                   "destination_recipient_limit",
                   var_default_destination_recipient_limit, false);
    if (transport->rcpt_limit == 0)
        transport->rcpt_limit = QMGR_NO_LIMIT;
    transport->init_window = qmgr_transport_int(name,
                   "initial_destination_concurrency",
                   var_initial_destination_concurrency, false);
    transport->rate_delay = qmgr_transport_int(name,
                   "destination_rate_delay",
                   var_default_destination_rate_delay, true);
    transport->cohort_limit = qmgr_transport_int(name,
                   "destination_concurrency_failed_cohort_limit",
                   var_default_destination_concurrency_failed_cohort_limit,
                                                 false);
    transport->pos_feedback = qmgr_transport_text(name,
                   "destination_concurrency_positive_feedback",
                   var_default_destination_concurrency_positive_feedback);
    transport->neg_feedback = qmgr_transport_text(name,
                   "destination_concurrency_negative_feedback",
                   var_default_destination_concurrency_negative_feedback);
    transport->queue_byname = htable_create(20);
    transport->next = qmgr.transports;
    qmgr.transports = transport;
    htable_enter(qmgr.transport_byname, name, transport);
    return transport;
}

/* qmgr_transport_find - the transport by name, created on first use */
QMGR_TRANSPORT *
qmgr_transport_find(const char *name)
{
    QMGR_TRANSPORT *transport = htable_find(qmgr.transport_byname, name);

    return transport ? transport : qmgr_transport_create(name);
}

/* qmgr_transport_deferred - whether $defer_transports lists name */
bool
qmgr_transport_deferred(const char *name)
{
    static ARGV *list;

    if (list == NULL)
        list = argv_split(var_defer_transports, ", \t\r\n");
    for (int i = 0; i < list->argc; i++)
        if (strcmp(list->argv[i], name) == 0)
            return true;
    return false;
}

/* qmgr_queue_find - the queue of a next hop, created on first use */
QMGR_QUEUE *
qmgr_queue_find(QMGR_TRANSPORT *transport, const char *name)
{
    QMGR_QUEUE *queue = htable_find(transport->queue_byname, name);

    if (queue != NULL)
        return queue;
    queue = mycalloc(1, sizeof(*queue));
    queue->name = mystrdup(name);
    queue->transport = transport;
    queue->window = transport->rate_delay > 0 ? 1 : transport->init_window;
    if (queue->window > transport->dest_limit)
        queue->window = transport->dest_limit;
    htable_enter(transport->queue_byname, name, queue);
    if (transport->ring == NULL) {
        queue->prev = queue->next = queue;
        transport->ring = queue;
    } else {
        queue->next = transport->ring;
        queue->prev = transport->ring->prev;
        queue->prev->next = queue;
        transport->ring->prev = queue;
    }
    return queue;
}

/* qmgr_queue_free - forget an empty queue (and whether it was dead) */
static void
qmgr_queue_free(QMGR_QUEUE *queue)
{
    QMGR_TRANSPORT *transport = queue->transport;

    if (queue->next == queue)
        transport->ring = NULL;
    else {
        queue->prev->next = queue->next;
        queue->next->prev = queue->prev;
        if (transport->ring == queue)
            transport->ring = queue->next;
    }
    htable_delete(transport->queue_byname, queue->name, NULL);
    myfree(queue->name);
    myfree(queue->dead_reason);
    myfree(queue->dead_status);
    myfree(queue);
}

/* qmgr_transport_alive - whether a transport may be used; a dead one
 * comes back after $transport_retry_time */
static bool
qmgr_transport_alive(QMGR_TRANSPORT *transport)
{
    if (transport->dead_reason && time(NULL) >= transport->dead_until) {
        myfree(transport->dead_reason);
        transport->dead_reason = NULL;
    }
    return transport->dead_reason == NULL;
}

/* qmgr_queue_add - one recipient of message for this queue; deferred
 * right away when the destination or its transport is dead */
void
qmgr_queue_add(QMGR_QUEUE *queue, QMGR_MESSAGE *message, RECIPIENT *rcpt)
{
    QMGR_ENTRY *entry = queue->todo_tail;

    if (!qmgr_transport_alive(queue->transport)) {
        qmgr_defer_rcpt(message, rcpt, "4.3.0", "mail transport unavailable");
        return;
    }
    if (queue->dead_reason) {
        qmgr_defer_rcpt(message, rcpt, queue->dead_status,
                        queue->dead_reason);
        return;
    }
    if (entry == NULL || entry->message != message
        || entry->rcpt_count >= queue->transport->rcpt_limit) {
        entry = mycalloc(1, sizeof(*entry));
        entry->message = message;
        entry->queue = queue;
        if (queue->todo_tail)
            queue->todo_tail->next = entry;
        else
            queue->todo_head = entry;
        queue->todo_tail = entry;
        queue->todo++;
        message->refcount++;
    }
    entry->rcpt = myreallocarray(entry->rcpt, entry->rcpt_count + 1,
                                 sizeof(*entry->rcpt));
    entry->rcpt[entry->rcpt_count++] = *rcpt;
}

/* qmgr_queue_pop - take the first waiting entry */
static QMGR_ENTRY *
qmgr_queue_pop(QMGR_QUEUE *queue)
{
    QMGR_ENTRY *entry = queue->todo_head;

    queue->todo_head = entry->next;
    if (queue->todo_head == NULL)
        queue->todo_tail = NULL;
    queue->todo--;
    entry->next = NULL;
    return entry;
}

/* qmgr_feedback - the amount one delivery moves the window */
static double
qmgr_feedback(const char *how, double window)
{
    double  value;
    char   *end;

    if (strcmp(how, "1/concurrency") == 0)
        return 1.0 / window;
    value = strtod(how, &end);
    return (*end == 0 && value >= 0) ? value : 1.0;
}

/* qmgr_queue_flush - defer what waits in a queue */
static void
qmgr_queue_flush(QMGR_QUEUE *queue, const char *status, const char *reason)
{
    while (queue->todo > 0)
        qmgr_defer_entry(qmgr_queue_pop(queue), status, reason);
}

/* qmgr_queue_release - an entry is no longer out; an idle empty queue
 * is forgotten */
void
qmgr_queue_release(QMGR_QUEUE *queue)
{
    queue->busy--;
    queue->transport->busy--;
    if (queue->todo == 0 && queue->busy == 0)
        qmgr_queue_free(queue);
}

/* qmgr_queue_feedback - adjust the window after a delivery; a NULL
 * hop_reason means the destination itself was fine */
static void
qmgr_queue_feedback(QMGR_QUEUE *queue, const char *hop_reason)
{
    QMGR_TRANSPORT *transport = queue->transport;

    if (hop_reason == NULL) {
        queue->fail_cohorts = 0;
        queue->success += qmgr_feedback(transport->pos_feedback,
                                        queue->window);
        if (queue->success >= 1) {
            queue->success = 0;
            if (queue->window < transport->dest_limit
                && transport->rate_delay == 0)
                queue->window++;
        }
    } else {
        queue->fail_cohorts += 1.0 / queue->window;
        queue->failure += qmgr_feedback(transport->neg_feedback,
                                        queue->window);
        if (queue->failure >= 1) {
            queue->failure = 0;
            if (queue->window > 1)
                queue->window--;
        }
    }
}

/* qmgr_queue_done - an entry of this queue came back from its agent;
 * hop_reason is set when the whole destination failed */
void
qmgr_queue_done(QMGR_QUEUE *queue, const char *hop_status,
                const char *hop_reason)
{
    QMGR_TRANSPORT *transport = queue->transport;
    struct timeval now;

    qmgr_queue_feedback(queue, hop_reason);
    if (hop_reason && transport->cohort_limit > 0
        && queue->dead_reason == NULL
        && queue->fail_cohorts >= transport->cohort_limit) {
        queue->dead_status = mystrdup(hop_status);
        queue->dead_reason = mystrdup(hop_reason);
        qmgr_queue_flush(queue, queue->dead_status, queue->dead_reason);
    }
    if (transport->rate_delay > 0) {
        gettimeofday(&now, NULL);
        queue->next_start = now;
        queue->next_start.tv_sec += transport->rate_delay;
    }
    qmgr_queue_release(queue);
}

/* qmgr_transport_dead - the agent could not be reached: defer what
 * waits for it, and new recipients for $transport_retry_time */
void
qmgr_transport_dead(QMGR_TRANSPORT *transport, const char *reason)
{
    HTABLE_INFO **list = htable_list(transport->queue_byname);

    myfree(transport->dead_reason);
    transport->dead_reason = mystrdup(reason);
    transport->dead_until = time(NULL) + var_transport_retry_time;
    for (HTABLE_INFO **ht = list; *ht; ht++)
        qmgr_queue_flush((QMGR_QUEUE *) (*ht)->value, "4.3.0",
                         "mail transport unavailable");
    for (HTABLE_INFO **ht = list; *ht; ht++)
        if (((QMGR_QUEUE *) (*ht)->value)->busy == 0)
            qmgr_queue_free((QMGR_QUEUE *) (*ht)->value);
    myfree(list);
}

/* qmgr_forget_dead - the "F" trigger: try every destination again */
void
qmgr_forget_dead(void)
{
    for (QMGR_TRANSPORT *t = qmgr.transports; t; t = t->next) {
        myfree(t->dead_reason);
        t->dead_reason = NULL;
        if (t->ring == NULL)
            continue;
        for (QMGR_QUEUE *q = t->ring;;) {
            myfree(q->dead_reason);
            myfree(q->dead_status);
            q->dead_reason = q->dead_status = NULL;
            q->fail_cohorts = 0;
            if ((q = q->next) == t->ring)
                break;
        }
    }
}

/* qmgr_schedule_event - a rate delay ended */
static void
qmgr_schedule_event(int event, void *ctx)
{
    qmgr_schedule();
}

/* qmgr_schedule_later - schedule from the event loop */
void
qmgr_schedule_later(void)
{
    event_request_timer(qmgr_schedule_event, NULL, 0);
}

/* qmgr_queue_ready - whether a queue may start a delivery now; sets
 * *wait_ms when only the rate delay stops it */
static bool
qmgr_queue_ready(const QMGR_QUEUE *queue, const struct timeval *now,
                 long *wait_ms)
{
    long    ms;

    if (queue->todo == 0 || queue->busy >= (int) queue->window)
        return false;
    ms = (queue->next_start.tv_sec - now->tv_sec) * 1000
        + (queue->next_start.tv_usec - now->tv_usec) / 1000;
    if (ms > 0) {
        if (*wait_ms < 0 || ms < *wait_ms)
            *wait_ms = ms;
        return false;
    }
    return true;
}

/* qmgr_transport_next - the next queue of a transport that may start a
 * delivery, round robin; NULL if none */
static QMGR_QUEUE *
qmgr_transport_next(QMGR_TRANSPORT *transport, const struct timeval *now,
                    long *wait_ms)
{
    QMGR_QUEUE *queue = transport->ring;

    if (queue == NULL)
        return NULL;
    do {
        if (qmgr_queue_ready(queue, now, wait_ms)) {
            transport->ring = queue->next;
            return queue;
        }
        queue = queue->next;
    } while (queue != transport->ring);
    return NULL;
}

/* qmgr_schedule - start every delivery the limits allow */
void
qmgr_schedule(void)
{
    struct timeval now;
    long    wait_ms = -1;
    QMGR_QUEUE *queue;

    gettimeofday(&now, NULL);
    for (QMGR_TRANSPORT *t = qmgr.transports; t; t = t->next) {
        if (!qmgr_transport_alive(t))
            continue;
        while (t->busy < t->proc_limit
               && (queue = qmgr_transport_next(t, &now, &wait_ms)) != NULL) {
            queue->busy++;
            t->busy++;
            qmgr_deliver(qmgr_queue_pop(queue));
            if (t->dead_reason)
                break;
        }
    }
    if (wait_ms >= 0)
        event_request_timer(qmgr_schedule_event, NULL, (int) wait_ms + 1);
}
