/* scache_cache - the connection cache: open sessions by endpoint, and
 * destinations pointing to the endpoint of their last good session.
 *
 * As Postfix's scache_multi: each entry lives until its time to live
 * runs out; a session whose server speaks or hangs up while it waits
 * (its descriptor becomes readable) is closed at once, so that a dead
 * connection is not handed out; a session that is found leaves the
 * cache (the client owns it). A destination stays when its sessions are
 * gone: a later save of the endpoint makes it useful again. The lists
 * are short (one entry per concurrent session), so they are plain lists,
 * newest first. */
#include <stdbool.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "event.h"
#include "mono_time.h"
#include "mymalloc.h"
#include "scache.h"

typedef struct SCACHE_SESS {
    char   *label;                      /* endpoint */
    char   *prop;
    int     fd;
    long long expire;                   /* monotonic ms */
    struct SCACHE_SESS *next;
} SCACHE_SESS;

typedef struct SCACHE_DEST {
    char   *label;                      /* destination */
    char   *prop;
    char   *endp_label;
    long long expire;
    struct SCACHE_DEST *next;
} SCACHE_DEST;

static SCACHE_SESS *scache_sessions;
static SCACHE_DEST *scache_dests;

static void scache_expire_event(int event, void *ctx);

/* scache_schedule - the expiry timer for the earliest entry */
static void
scache_schedule(void)
{
    long long first = -1;
    long long wait;

    for (SCACHE_SESS *s = scache_sessions; s; s = s->next)
        if (first < 0 || s->expire < first)
            first = s->expire;
    for (SCACHE_DEST *d = scache_dests; d; d = d->next)
        if (first < 0 || d->expire < first)
            first = d->expire;
    if (first < 0) {
        (void) event_cancel_timer(scache_expire_event, NULL);
        return;
    }
    wait = first - mono_ms();
    event_request_timer(scache_expire_event, NULL,
                        wait > 0 ? (int) wait + 1 : 1);
}

/* scache_sess_unlink - take s out of the list and stop watching it;
 * the caller closes or hands out its fd */
static void
scache_sess_unlink(SCACHE_SESS *s)
{
    SCACHE_SESS **pp;

    for (pp = &scache_sessions; *pp && *pp != s; pp = &(*pp)->next)
         /* void */ ;
    if (*pp)
        *pp = s->next;
    event_disable_readwrite(s->fd);
}

/* scache_sess_free - free an unlinked session, closing fd if asked */
static void
scache_sess_free(SCACHE_SESS *s, bool close_fd)
{
    if (close_fd)
        (void) close(s->fd);
    myfree(s->label);
    myfree(s->prop);
    myfree(s);
}

/* scache_sess_event - a waiting session's server spoke or hung up */
static void
scache_sess_event(int event, void *ctx)
{
    SCACHE_SESS *s = ctx;

    (void) event;
    scache_sess_unlink(s);
    scache_sess_free(s, true);
    scache_schedule();
}

/* scache_dest_free - free a destination entry */
static void
scache_dest_free(SCACHE_DEST *d)
{
    myfree(d->label);
    myfree(d->prop);
    myfree(d->endp_label);
    myfree(d);
}

/* scache_expire_event - drop what has lived long enough */
static void
scache_expire_event(int event, void *ctx)
{
    long long now = mono_ms();
    SCACHE_SESS *s, *snext;
    SCACHE_DEST **dp = &scache_dests;
    SCACHE_DEST *d;

    (void) event;
    (void) ctx;
    for (s = scache_sessions; s; s = snext) {
        snext = s->next;
        if (s->expire <= now) {
            scache_sess_unlink(s);
            scache_sess_free(s, true);
        }
    }
    while ((d = *dp) != NULL) {
        if (d->expire <= now) {
            *dp = d->next;
            scache_dest_free(d);
        } else {
            dp = &d->next;
        }
    }
    scache_schedule();
}

/* scache_save_endp - keep a session (scache.h) */
void
scache_save_endp(int ttl, const char *label, const char *prop, int fd)
{
    SCACHE_SESS *s = mymalloc(sizeof(*s));

    s->label = mystrdup(label);
    s->prop = mystrdup(prop);
    s->fd = fd;
    s->expire = mono_ms() + (long long) ttl * 1000;
    s->next = scache_sessions;
    scache_sessions = s;
    event_enable_read(fd, scache_sess_event, s);
    scache_schedule();
}

/* scache_find_endp - take a session of an endpoint (scache.h) */
int
scache_find_endp(const char *label, BUF *prop)
{
    int     fd;

    for (SCACHE_SESS *s = scache_sessions; s; s = s->next) {
        if (strcmp(s->label, label) == 0) {
            scache_sess_unlink(s);
            buf_strcpy(prop, s->prop);
            fd = s->fd;
            scache_sess_free(s, false);
            scache_schedule();
            return fd;
        }
    }
    return -1;
}

/* scache_dest_find - the entry of a destination, or NULL */
static SCACHE_DEST *
scache_dest_find(const char *label)
{
    for (SCACHE_DEST *d = scache_dests; d; d = d->next)
        if (strcmp(d->label, label) == 0)
            return d;
    return NULL;
}

/* scache_save_dest - point a destination to an endpoint (scache.h) */
void
scache_save_dest(int ttl, const char *label, const char *prop,
                 const char *endp_label)
{
    SCACHE_DEST *d = scache_dest_find(label);

    if (d == NULL) {
        d = mymalloc(sizeof(*d));
        d->label = mystrdup(label);
        d->next = scache_dests;
        scache_dests = d;
    } else {
        myfree(d->prop);
        myfree(d->endp_label);
    }
    d->prop = mystrdup(prop);
    d->endp_label = mystrdup(endp_label);
    d->expire = mono_ms() + (long long) ttl * 1000;
    scache_schedule();
}

/* scache_find_dest - take a session for a destination (scache.h) */
int
scache_find_dest(const char *label, BUF *dest_prop, BUF *endp_prop)
{
    SCACHE_DEST *d = scache_dest_find(label);
    int     fd;

    if (d == NULL || (fd = scache_find_endp(d->endp_label, endp_prop)) < 0)
        return -1;
    buf_strcpy(dest_prop, d->prop);
    return fd;
}

/* scache_size - what the cache holds (scache.h) */
void
scache_size(SCACHE_SIZE *size)
{
    memset(size, 0, sizeof(*size));
    for (SCACHE_DEST *d = scache_dests; d; d = d->next)
        size->dest_count++;
    for (SCACHE_SESS *s = scache_sessions; s; s = s->next) {
        bool    seen = false;

        size->sess_count++;
        for (SCACHE_SESS *t = scache_sessions; t != s && !seen; t = t->next)
            seen = strcmp(t->label, s->label) == 0;
        if (!seen)
            size->endp_count++;
    }
}

/* scache_close_all - close every session (scache.h) */
void
scache_close_all(void)
{
    SCACHE_SESS *s;

    while ((s = scache_sessions) != NULL) {
        scache_sess_unlink(s);
        scache_sess_free(s, true);
    }
}
