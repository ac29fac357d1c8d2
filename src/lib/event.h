/* event - single-threaded event loop over epoll, with timers.
 *
 * One loop per process (global state, as the daemons are single-threaded).
 * Callbacks get the event kind and the context pointer given when they were
 * registered. A callback may add or remove any event, including its own.
 * A failure of epoll itself (no memory, no descriptors, an fd that cannot
 * be polled such as a regular file) is fatal, like running out of memory.
 * Timers use the monotonic clock; due timers run before I/O callbacks. */
#ifndef EVENT_H
#define EVENT_H

#include <time.h>

#define EVENT_READ      (1<<0)
#define EVENT_WRITE     (1<<1)
#define EVENT_XCPT      (1<<2)          /* error or hang-up on the fd */
#define EVENT_TIME      (1<<3)

typedef void (*EVENT_FN) (int event, void *ctx);

void    event_enable_read(int fd, EVENT_FN fn, void *ctx);
void    event_enable_write(int fd, EVENT_FN fn, void *ctx);

/* event_enable_read_exclusive - a listening socket that several processes
 * watch: a new connection wakes one waiting process, not all (read only;
 * EPOLLEXCLUSIVE) */
void    event_enable_read_exclusive(int fd, EVENT_FN fn, void *ctx);
void    event_disable_readwrite(int fd);

/* Timers: one per (fn, ctx) pair; requesting it again moves it. */
void    event_request_timer(EVENT_FN fn, void *ctx, int delay_ms);
int     event_cancel_timer(EVENT_FN fn, void *ctx);     /* 1 if found */

/* event_loop - wait up to timeout_ms (-1: until an event) and run the
 * callbacks that are due; returns the number run. */
int     event_loop(int timeout_ms);

time_t  event_time(void);               /* time at the last wakeup */
void    event_fork(void);               /* call in a child after fork() */

#endif
