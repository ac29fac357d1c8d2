/* event - single-threaded event loop over epoll, with timers.
 *
 * Model: one epoll instance per process, level-triggered. Each descriptor
 * has a slot in a table indexed by fd with separate read and write
 * callbacks. A slot carries a generation number that is stored in the
 * epoll event data next to the fd; a ready event whose generation no
 * longer matches (the fd was disabled, perhaps closed and reused, by an
 * earlier callback of the same round) is ignored.
 *
 * Timers live in a list sorted by due time (monotonic milliseconds), then
 * by request order. A timer is unlinked before its callback runs, so the
 * callback may request it again; a timer requested during a round never
 * runs in that same round, so a zero delay cannot starve the loop.
 *
 * Peers: used by the master (master.c) and the server skeletons
 * (mail_server*.c); stream.c does its own polling and does not use this. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "event.h"
#include "mono_time.h"
#include "msg.h"
#include "mymalloc.h"

typedef struct EVENT_FD {
    EVENT_FN read_fn;
    void   *read_ctx;
    EVENT_FN write_fn;
    void   *write_ctx;
    uint32_t gen;                       /* bumped when the fd is added */
    int     mask;                       /* EVENT_READ | EVENT_WRITE */
    bool    exclusive;                  /* EPOLLEXCLUSIVE (listeners) */
} EVENT_FD;

typedef struct EVENT_TIMER {
    EVENT_FN fn;
    void   *ctx;
    int64_t due;                        /* monotonic ms */
    uint64_t seq;                       /* request order */
    struct EVENT_TIMER *next;
} EVENT_TIMER;

#define EVENT_MAX_READY 64

static int event_epfd = -1;
static EVENT_FD *event_fds;
static int event_fd_cap;
static uint32_t event_gen;
static EVENT_TIMER *event_timers;
static uint64_t event_timer_seq;
static time_t event_present;

/* event_init - create the epoll instance on first use */
static void
event_init(void)
{
    if (event_epfd >= 0)
        return;
    if ((event_epfd = epoll_create1(EPOLL_CLOEXEC)) < 0)
        msg_fatal("event_init: epoll_create1: %m");
    event_present = time(NULL);
}

/* event_slot - the table entry of fd, growing the table as needed */
static EVENT_FD *
event_slot(int fd)
{
    if (fd < 0)
        msg_panic("event_slot: bad file descriptor %d", fd);
    if (fd >= event_fd_cap) {
        int     new_cap = event_fd_cap ? event_fd_cap : 64;

        while (new_cap <= fd)
            new_cap *= 2;
        event_fds = myreallocarray(event_fds, new_cap, sizeof(*event_fds));
        memset(event_fds + event_fd_cap, 0,
               (new_cap - event_fd_cap) * sizeof(*event_fds));
        event_fd_cap = new_cap;
    }
    return event_fds + fd;
}

/* event_ctl - tell epoll about the mask of fd */
static void
event_ctl(int op, int fd, EVENT_FD *ep)
{
    struct epoll_event ev;

    memset(&ev, 0, sizeof(ev));
    if (ep->mask & EVENT_READ)
        ev.events |= EPOLLIN;
    if (ep->mask & EVENT_WRITE)
        ev.events |= EPOLLOUT;
    if (ep->exclusive)
        ev.events |= EPOLLEXCLUSIVE;    /* allowed with EPOLL_CTL_ADD only */
    ev.data.u64 = ((uint64_t) ep->gen << 32) | (uint32_t) fd;
    if (epoll_ctl(event_epfd, op, fd, &ev) < 0)
        msg_fatal("event: epoll_ctl %s fd %d: %m",
                  op == EPOLL_CTL_ADD ? "add" : "modify", fd);
}

/* event_enable - register a read or write callback for fd */
static void
event_enable(int fd, int kind, EVENT_FN fn, void *ctx)
{
    EVENT_FD *ep;
    int     op;

    event_init();
    ep = event_slot(fd);
    if (ep->mask == 0) {
        op = EPOLL_CTL_ADD;
        ep->gen = ++event_gen;
    } else {
        op = EPOLL_CTL_MOD;
    }
    if (kind == EVENT_READ) {
        ep->read_fn = fn;
        ep->read_ctx = ctx;
    } else {
        ep->write_fn = fn;
        ep->write_ctx = ctx;
    }
    if (op == EPOLL_CTL_MOD && (ep->mask & kind))
        return;                         /* epoll already watches this */
    if (op == EPOLL_CTL_MOD && ep->exclusive)
        msg_panic("event: fd %d is watched for reading only", fd);
    ep->mask |= kind;
    event_ctl(op, fd, ep);
}

/* event_enable_read - call fn when fd is readable */
void
event_enable_read(int fd, EVENT_FN fn, void *ctx)
{
    event_enable(fd, EVENT_READ, fn, ctx);
}

/* event_enable_read_exclusive - call fn when the listening socket fd is
 * readable; a connection wakes one of the processes that watch it so
 * (EPOLLEXCLUSIVE), not every one (the thundering herd) */
void
event_enable_read_exclusive(int fd, EVENT_FN fn, void *ctx)
{
    EVENT_FD *ep;

    event_init();
    ep = event_slot(fd);
    if (ep->mask == 0)
        ep->exclusive = true;
    else if (!ep->exclusive)
        msg_panic("event: fd %d is watched already, not exclusively", fd);
    event_enable(fd, EVENT_READ, fn, ctx);
}

/* event_enable_write - call fn when fd is writable */
void
event_enable_write(int fd, EVENT_FN fn, void *ctx)
{
    event_enable(fd, EVENT_WRITE, fn, ctx);
}

/* event_disable_readwrite - forget every callback of fd */
void
event_disable_readwrite(int fd)
{
    EVENT_FD *ep;

    if (fd < 0 || fd >= event_fd_cap || event_fds[fd].mask == 0)
        return;
    ep = event_fds + fd;
    /* The fd may already be closed, which removed it from epoll. */
    if (epoll_ctl(event_epfd, EPOLL_CTL_DEL, fd, NULL) < 0
        && errno != EBADF && errno != ENOENT)
        msg_fatal("event: epoll_ctl delete fd %d: %m", fd);
    memset(ep, 0, sizeof(*ep));
}

/* event_timer_unlink - remove the (fn, ctx) timer from the list */
static EVENT_TIMER *
event_timer_unlink(EVENT_FN fn, void *ctx)
{
    EVENT_TIMER **link;

    for (link = &event_timers; *link; link = &(*link)->next) {
        EVENT_TIMER *tp = *link;

        if (tp->fn == fn && tp->ctx == ctx) {
            *link = tp->next;
            return tp;
        }
    }
    return NULL;
}

/* event_request_timer - call fn after delay_ms; moves an existing timer */
void
event_request_timer(EVENT_FN fn, void *ctx, int delay_ms)
{
    EVENT_TIMER *tp;
    EVENT_TIMER **link;

    event_init();
    if ((tp = event_timer_unlink(fn, ctx)) == NULL) {
        tp = mymalloc(sizeof(*tp));
        tp->fn = fn;
        tp->ctx = ctx;
    }
    tp->due = mono_ms() + (delay_ms > 0 ? delay_ms : 0);
    tp->seq = ++event_timer_seq;
    for (link = &event_timers; *link; link = &(*link)->next)
        if ((*link)->due > tp->due)
            break;
    tp->next = *link;
    *link = tp;
}

/* event_cancel_timer - forget a timer; 1 if it existed */
int
event_cancel_timer(EVENT_FN fn, void *ctx)
{
    EVENT_TIMER *tp = event_timer_unlink(fn, ctx);

    if (tp == NULL)
        return 0;
    myfree(tp);
    return 1;
}

/* event_wait_ms - how long epoll may sleep, given timers and the limit */
static int
event_wait_ms(int timeout_ms)
{
    int64_t until;

    if (event_timers == NULL)
        return timeout_ms < 0 ? -1 : timeout_ms;
    until = event_timers->due - mono_ms();
    if (until < 0)
        until = 0;
    if (timeout_ms >= 0 && timeout_ms < until)
        return timeout_ms;
    return until > INT32_MAX ? INT32_MAX : (int) until;
}

/* event_run_timers - run the timers that are due; returns how many */
static int
event_run_timers(void)
{
    int64_t now = mono_ms();
    uint64_t last_seq = event_timer_seq;
    int     count = 0;

    /* Sorted by due time, ties by seq; timers added now sort after us. */
    while (event_timers && event_timers->due <= now
           && event_timers->seq <= last_seq) {
        EVENT_TIMER *tp = event_timers;
        EVENT_FN fn = tp->fn;
        void   *ctx = tp->ctx;

        event_timers = tp->next;
        myfree(tp);
        fn(EVENT_TIME, ctx);
        count++;
    }
    return count;
}

/* event_dispatch - run the callbacks of one ready epoll event */
static int
event_dispatch(const struct epoll_event *ev)
{
    int     fd = (int) (uint32_t) ev->data.u64;
    uint32_t gen = (uint32_t) (ev->data.u64 >> 32);
    int     trouble = (ev->events & (EPOLLERR | EPOLLHUP)) != 0;
    int     count = 0;
    EVENT_FD *ep;

    ep = event_fds + fd;
    if ((ep->mask & EVENT_READ) && ep->gen == gen
        && (ev->events & (EPOLLIN | EPOLLERR | EPOLLHUP))) {
        ep->read_fn((ev->events & EPOLLIN) ? EVENT_READ : EVENT_XCPT,
                    ep->read_ctx);
        count++;
    }
    /* The read callback may have changed anything; look again. */
    ep = event_fds + fd;
    if ((ep->mask & EVENT_WRITE) && ep->gen == gen
        && ((ev->events & EPOLLOUT) || (trouble && count == 0))) {
        ep->write_fn((ev->events & EPOLLOUT) && !trouble ?
                     EVENT_WRITE : EVENT_XCPT, ep->write_ctx);
        count++;
    }
    return count;
}

/* event_loop - wait for events or timers, run the callbacks that are due */
int
event_loop(int timeout_ms)
{
    struct epoll_event ready[EVENT_MAX_READY];
    int     nready;
    int     count;

    event_init();
    nready = epoll_wait(event_epfd, ready, EVENT_MAX_READY,
                        event_wait_ms(timeout_ms));
    if (nready < 0) {
        if (errno != EINTR)
            msg_fatal("event_loop: epoll_wait: %m");
        nready = 0;
    }
    event_present = time(NULL);
    count = event_run_timers();
    for (int i = 0; i < nready; i++)
        count += event_dispatch(ready + i);
    return count;
}

/* event_time - wall-clock time at the last wakeup */
time_t
event_time(void)
{
    if (event_present == 0)
        event_present = time(NULL);
    return event_present;
}

/* event_fork - give a child its own epoll instance with the same events */
void
event_fork(void)
{
    if (event_epfd < 0)
        return;
    /* The parent still uses the old instance: close it, never modify it. */
    (void) close(event_epfd);
    event_epfd = -1;
    event_init();
    for (int fd = 0; fd < event_fd_cap; fd++)
        if (event_fds[fd].mask)
            event_ctl(EPOLL_CTL_ADD, fd, event_fds + fd);
}
