/* anvil_remote - the remote clients that anvil counts, and the peak
 * statistics.
 *
 * Model: Postfix 3.7's anvil(8), as observed: each "service:address"
 * has its open connections and, per anvil_rate_time_unit, its
 * connections, MAIL and RCPT commands, new TLS sessions and AUTH
 * commands. A time unit starts with the first event after the last one
 * ended; then every rate counts from zero again (simpler than a moving
 * average, and as Postfix does). An entry without open connections is
 * removed one time unit after it got there. The peaks ("statistics: max
 * connection rate 2/60s for (smtp:192.0.2.1) at Dec  6 07:46:27") are
 * logged every anvil_status_update_time when there are any, and at
 * exit, then start again from zero. */
#include <limits.h>
#include <time.h>

#include "anvil.h"
#include "event.h"
#include "htable.h"
#include "mail_params.h"
#include "msg.h"
#include "mymalloc.h"

/* A peak. */
typedef struct ANVIL_MAX {
    char   *ident;
    int     value;
    time_t  when;
} ANVIL_MAX;

#define ANVIL_EV_COUNT  (ANVIL_EV_AUTH + 1)

static HTABLE *anvil_remotes;
static ANVIL_MAX anvil_max_rate[ANVIL_EV_COUNT];
static ANVIL_MAX anvil_max_conn;
static size_t anvil_max_cache;
static time_t anvil_max_cache_time;

/* The peaks' names in the log, by event. */
static const char *const anvil_rate_names[ANVIL_EV_COUNT] = {
    "connection rate", "message rate", "recipient rate", "newtls rate",
    "auth rate",
};

/* anvil_remote_init - the empty table */
void
anvil_remote_init(void)
{
    anvil_remotes = htable_create(100);
}

/* anvil_remote_find - the entry of ident */
ANVIL_REMOTE *
anvil_remote_find(const char *ident)
{
    return htable_find(anvil_remotes, ident);
}

/* anvil_remote_free - free an entry (htable callback) */
static void
anvil_remote_free(void *ptr)
{
    ANVIL_REMOTE *remote = ptr;

    myfree(remote->ident);
    myfree(remote);
}

/* anvil_remote_expire - an entry without connections timed out */
static void
anvil_remote_expire(int event, void *ctx)
{
    ANVIL_REMOTE *remote = ctx;

    (void) event;
    if (remote->count == 0)
        htable_delete(anvil_remotes, remote->ident, anvil_remote_free);
}

/* anvil_remote_idle - start the expiry of an entry without connections */
static void
anvil_remote_idle(ANVIL_REMOTE *remote)
{
    event_request_timer(anvil_remote_expire, remote,
                        var_anvil_rate_time_unit * 1000);
}

/* anvil_remote_create - a new entry, counted for the cache peak */
static ANVIL_REMOTE *
anvil_remote_create(const char *ident, time_t now)
{
    ANVIL_REMOTE *remote = mycalloc(1, sizeof(*remote));

    remote->ident = mystrdup(ident);
    remote->start = now;
    htable_enter(anvil_remotes, ident, remote);
    if (anvil_remotes->used > anvil_max_cache) {
        anvil_max_cache = anvil_remotes->used;
        anvil_max_cache_time = now;
    }
    return remote;
}

/* anvil_remote_reset - a new time unit starts at now */
static void
anvil_remote_reset(ANVIL_REMOTE *remote, time_t now)
{
    remote->rate = remote->mail = remote->rcpt = 0;
    remote->ntls = remote->auth = 0;
    remote->start = now;
}

/* anvil_remote_fresh - clear the counters of a past time unit */
void
anvil_remote_fresh(ANVIL_REMOTE *remote)
{
    time_t  now = event_time();

    if (remote->start + var_anvil_rate_time_unit < now)
        anvil_remote_reset(remote, now);
}

/* anvil_remote_counter - the counter of an event */
static int *
anvil_remote_counter(ANVIL_REMOTE *remote, ANVIL_EVENT event)
{
    switch (event) {
    case ANVIL_EV_CONN:
        return &remote->rate;
    case ANVIL_EV_MAIL:
        return &remote->mail;
    case ANVIL_EV_RCPT:
        return &remote->rcpt;
    case ANVIL_EV_NTLS:
        return &remote->ntls;
    case ANVIL_EV_AUTH:
        return &remote->auth;
    }
    msg_panic("anvil_remote_counter: bad event %d", (int) event);
}

/* anvil_remote_event_rate - the counter that event raises */
int
anvil_remote_event_rate(const ANVIL_REMOTE *remote, ANVIL_EVENT event)
{
    return *anvil_remote_counter((ANVIL_REMOTE *) remote, event);
}

/* anvil_max_update - raise a peak to value (only when higher) */
static void
anvil_max_update(ANVIL_MAX *max, int value, const char *ident)
{
    if (value > max->value) {
        max->value = value;
        myfree(max->ident);
        max->ident = mystrdup(ident);
        max->when = event_time();
    }
}

/* anvil_remote_event - count an event */
ANVIL_REMOTE *
anvil_remote_event(const char *ident, ANVIL_EVENT event)
{
    time_t  now = event_time();
    ANVIL_REMOTE *remote = anvil_remote_find(ident);
    int    *counter;

    if (remote == NULL) {
        remote = anvil_remote_create(ident, now);
        if (event != ANVIL_EV_CONN)
            anvil_remote_idle(remote);
    } else {
        anvil_remote_fresh(remote);
    }
    counter = anvil_remote_counter(remote, event);
    if (*counter < INT_MAX)
        *counter += 1;
    if (event == ANVIL_EV_CONN) {
        if (remote->count == 0)
            (void) event_cancel_timer(anvil_remote_expire, remote);
        remote->count++;
    }
    anvil_max_update(&anvil_max_rate[event], *counter, ident);
    return remote;
}

/* anvil_remote_drop - one open connection fewer */
void
anvil_remote_drop(ANVIL_REMOTE *remote)
{
    if (remote->count > 0 && --remote->count == 0)
        anvil_remote_idle(remote);
}

/* anvil_remote_max_count - note the open connections */
void
anvil_remote_max_count(const ANVIL_REMOTE *remote)
{
    anvil_max_update(&anvil_max_conn, remote->count, remote->ident);
}

/* anvil_stats_time - Postfix's "Dec  6 07:46:27" (ctime without the day
 * and year) */
static const char *
anvil_stats_time(time_t when, char *buf, size_t len)
{
    struct tm tm;

    localtime_r(&when, &tm);
    if (strftime(buf, len, "%b %e %H:%M:%S", &tm) == 0)
        buf[0] = 0;
    return buf;
}

/* anvil_max_log - log one rate peak and reset it */
static void
anvil_max_log(ANVIL_MAX *max, const char *name, bool rate)
{
    char    when[40];

    if (max->value <= 0)
        return;
    anvil_stats_time(max->when, when, sizeof(when));
    if (rate)
        msg_info("statistics: max %s %d/%ds for (%s) at %s", name,
                 max->value, var_anvil_rate_time_unit, max->ident, when);
    else
        msg_info("statistics: max %s %d for (%s) at %s", name, max->value,
                 max->ident, when);
    max->value = 0;
}

/* anvil_remote_stats - log and reset the peaks */
void
anvil_remote_stats(void)
{
    char    when[40];

    anvil_max_log(&anvil_max_rate[ANVIL_EV_CONN],
                  anvil_rate_names[ANVIL_EV_CONN], true);
    anvil_max_log(&anvil_max_conn, "connection count", false);
    for (int ev = ANVIL_EV_MAIL; ev < ANVIL_EV_COUNT; ev++)
        anvil_max_log(&anvil_max_rate[ev], anvil_rate_names[ev], true);
    if (anvil_max_cache > 0) {
        msg_info("statistics: max cache size %zu at %s", anvil_max_cache,
                 anvil_stats_time(anvil_max_cache_time, when, sizeof(when)));
        anvil_max_cache = 0;
    }
}
