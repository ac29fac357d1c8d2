/* deliver_log - the per-recipient delivery log line (see deliver_log.h).
 *
 * Model: the lines of Postfix 3.7's agents, and its delay numbers
 * measured by feeding its discard(8) requests with chosen time stamps
 * (docs/protocols/delivery.md): a delay is rounded half up, once, to as
 * many decimals as give two significant digits (none from 10 s up, one
 * from 1 s), but at most $delay_logging_resolution_limit; trailing zeros
 * go, so 0.015 s is "0.02", 0.0949 s "0.09", 0.995 s "1", 9.95 s "10",
 * 99.5 s "100", 1234.5 s "1235", and anything below the resolution "0".
 * Addresses are shown in external form (quoted local part), as
 * info_log_address_format's default says; orig_to appears when the
 * original recipient is set and differs from the recipient ignoring
 * case. Peers: the agents through deliver_result.c; qmgr for the
 * recipients it settles itself. */
#include <strings.h>

#include "deliver_log.h"
#include "mail_params.h"
#include "msg.h"
#include "quote_822_local.h"

#define DELIVER_LOG_USEC        1000000LL       /* microseconds a second */

/* deliver_log_decimals - decimals for two significant digits of usec,
 * at most limit */
static int
deliver_log_decimals(long long usec, int limit)
{
    long long step = DELIVER_LOG_USEC;
    int     decimals = 0;

    /* Two digits at and above 10 s need none; each power of ten below
     * needs one more, down to the microsecond. */
    while (step > 1 && usec < 10 * step) {
        step /= 10;
        decimals++;
    }
    if (limit < 0)
        limit = 0;
    return decimals < limit ? decimals : limit;
}

/* deliver_log_usec - append a delay in microseconds */
static void
deliver_log_usec(BUF *bp, long long usec)
{
    long long unit = DELIVER_LOG_USEC;
    long long scale = 1;
    long long rounded;
    int     decimals;

    if (usec < 0)
        usec = 0;
    decimals = deliver_log_decimals(usec, var_delay_logging_resolution_limit);
    for (int i = 0; i < decimals; i++) {
        unit /= 10;
        scale *= 10;
    }
    rounded = (usec + unit / 2) / unit;
    while (decimals > 0 && rounded % 10 == 0) {
        rounded /= 10;
        scale /= 10;
        decimals--;
    }
    buf_sprintf_append(bp, "%lld", rounded / scale);
    if (decimals > 0)
        buf_sprintf_append(bp, ".%0*lld", decimals, rounded % scale);
}

/* deliver_delay_format - append one delay in seconds */
void
deliver_delay_format(BUF *bp, double seconds)
{
    deliver_log_usec(bp, (long long) (seconds * DELIVER_LOG_USEC + 0.5));
}

/* deliver_log_diff - later minus earlier, in microseconds */
static long long
deliver_log_diff(const struct timeval *later, const struct timeval *earlier)
{
    return ((long long) later->tv_sec - earlier->tv_sec) * DELIVER_LOG_USEC
        + later->tv_usec - earlier->tv_usec;
}

/* deliver_log_delays - append "delay=D, delays=a/b/c/d" */
static void
deliver_log_delays(BUF *bp, const DELIVER_TIMES *t,
                   const struct timeval *now)
{
    const struct timeval *last = &t->agent;

    buf_strcat(bp, "delay=");
    deliver_log_usec(bp, deliver_log_diff(now, &t->arrival));
    buf_strcat(bp, ", delays=");
    deliver_log_usec(bp, deliver_log_diff(&t->active, &t->arrival));
    buf_addch(bp, '/');
    deliver_log_usec(bp, deliver_log_diff(&t->agent, &t->active));
    buf_addch(bp, '/');
    if (timerisset(&t->conn_setup)) {
        deliver_log_usec(bp, deliver_log_diff(&t->conn_setup, &t->agent));
        last = &t->conn_setup;
    } else {
        buf_addch(bp, '0');
    }
    buf_addch(bp, '/');
    deliver_log_usec(bp, deliver_log_diff(now, last));
}

/* deliver_log_addr - append "NAME=<ADDRESS>, " in external form (the
 * empty address stays empty: "to=<>") */
static void
deliver_log_addr(BUF *bp, const char *name, const char *addr)
{
    buf_sprintf_append(bp, "%s=<", name);
    if (*addr)
        quote_822_local_flags(bp, addr, QUOTE_822_FLAG_APPEND);
    buf_strcat(bp, ">, ");
}

/* deliver_log_format - the line without the queue id */
void
deliver_log_format(BUF *bp, const RECIPIENT *rcpt, const char *relay,
                   const DELIVER_TIMES *times, const struct timeval *now,
                   const char *word, const DSN *dsn)
{
    buf_reset(bp);
    deliver_log_addr(bp, "to", rcpt->address);
    if (rcpt->orig_addr && *rcpt->orig_addr
        && strcasecmp(rcpt->orig_addr, rcpt->address) != 0)
        deliver_log_addr(bp, "orig_to", rcpt->orig_addr);
    buf_sprintf_append(bp, "relay=%s, ", relay);
    if (times->conn_use > 1)
        buf_sprintf_append(bp, "conn_use=%d, ", times->conn_use);
    deliver_log_delays(bp, times, now);
    buf_sprintf_append(bp, ", dsn=%s, status=%s (%s)", dsn->status, word,
                       dsn->reason ? dsn->reason : "");
}

/* deliver_log - log the line for one recipient */
void
deliver_log(const char *queue_id, const RECIPIENT *rcpt, const char *relay,
            const DELIVER_TIMES *times, const char *word, const DSN *dsn)
{
    BUF    *line = buf_alloc(200);
    struct timeval now;

    gettimeofday(&now, NULL);
    deliver_log_format(line, rcpt, relay, times, &now, word, dsn);
    msg_info("%s: %s", queue_id, buf_str(line));
    buf_free(line);
}
