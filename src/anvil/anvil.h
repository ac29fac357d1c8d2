/* anvil - the connection and rate limit service: what its two files
 * share.
 *
 *   anvil.c         main(), the protocol (anvil_clnt.h), which remote
 *                   client each local client (an smtpd) stands for
 *   anvil_remote.c  the table of remote clients ("service:address"):
 *                   counters per anvil_rate_time_unit, expiry, and the
 *                   peak statistics logged every anvil_status_update_time
 *                   and at exit */
#ifndef ANVIL_H
#define ANVIL_H

#include <stdbool.h>
#include <time.h>

/* One remote client. */
typedef struct ANVIL_REMOTE {
    char   *ident;                      /* service:address */
    int     count;                      /* open connections */
    int     rate;                       /* connections this time unit */
    int     mail;                       /* MAIL commands this time unit */
    int     rcpt;                       /* RCPT commands this time unit */
    int     ntls;                       /* new TLS sessions ... */
    int     auth;                       /* AUTH commands ... */
    time_t  start;                      /* the time unit's start */
} ANVIL_REMOTE;

/* The counters that requests raise. */
typedef enum {
    ANVIL_EV_CONN, ANVIL_EV_MAIL, ANVIL_EV_RCPT, ANVIL_EV_NTLS,
    ANVIL_EV_AUTH,
} ANVIL_EVENT;

/* anvil_remote.c */
void    anvil_remote_init(void);
/* anvil_remote_find - the entry of ident, or NULL */
ANVIL_REMOTE *anvil_remote_find(const char *ident);
/* anvil_remote_event - count an event of ident (created when new); for
 * ANVIL_EV_CONN also one more open connection. Returns the entry. */
ANVIL_REMOTE *anvil_remote_event(const char *ident, ANVIL_EVENT event);
/* anvil_remote_event_rate - the counter that event raises */
int     anvil_remote_event_rate(const ANVIL_REMOTE *remote, ANVIL_EVENT event);
/* anvil_remote_drop - one open connection fewer; an entry without open
 * connections expires after a time unit */
void    anvil_remote_drop(ANVIL_REMOTE *remote);
/* anvil_remote_fresh - clear counters of a past time unit (lookups do
 * not report stale rates) */
void    anvil_remote_fresh(ANVIL_REMOTE *remote);
/* anvil_remote_max_count - note the open connections for the statistics */
void    anvil_remote_max_count(const ANVIL_REMOTE *remote);
/* anvil_remote_stats - log and reset the peak statistics */
void    anvil_remote_stats(void);

#endif
