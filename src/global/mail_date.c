/* mail_date - RFC 5322 dates for message headers, in Postfix's form.
 *
 * Model: the dates Debian's Postfix 3.7 writes ("Sun,  6 Dec 2026
 * 01:36:55 +0000 (UTC)" in pickup's Received: header and cleanup's
 * Date: header). The names come from fixed tables rather than strftime,
 * whose %a and %b follow the locale. Peers: pickup (Received:), cleanup
 * (Date:), later smtpd. See mail_date.h. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "mail_date.h"

#define MAIL_DATE_DAY_SECS      86400

static const char mail_date_days[7][4] = {
    "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat",
};

static const char mail_date_months[12][4] = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun",
    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

/* mail_date_zone_ok - whether a zone abbreviation may go into a header */
static int
mail_date_zone_ok(const char *zone)
{
    if (zone == NULL || *zone == 0)
        return 0;
    for (const char *cp = zone; *cp; cp++)
        if (!isalnum((unsigned char) *cp) && *cp != '+' && *cp != '-')
            return 0;
    return 1;
}

/* mail_date_local - local time of when, and its offset from UTC in
 * seconds; UTC when the local time is unknown or its offset absurd */
static long
mail_date_local(time_t when, struct tm *tm)
{
    if (localtime_r(&when, tm) != NULL
        && labs(tm->tm_gmtoff) < MAIL_DATE_DAY_SECS)
        return tm->tm_gmtoff;
    if (gmtime_r(&when, tm) == NULL) {
        when = 0;                               /* beyond any calendar */
        (void) gmtime_r(&when, tm);
    }
    tm->tm_zone = "UTC";
    return 0;
}

/* mail_date - "Sun,  6 Dec 2026 01:36:55 +0000 (UTC)" */
const char *
mail_date(BUF *bp, time_t when)
{
    struct tm tm;
    long    offset = mail_date_local(when, &tm);
    long    minutes = labs(offset) / 60;

    buf_sprintf(bp, "%s, %2d %s %d %02d:%02d:%02d %c%02ld%02ld",
                mail_date_days[tm.tm_wday % 7], tm.tm_mday,
                mail_date_months[tm.tm_mon % 12], tm.tm_year + 1900,
                tm.tm_hour, tm.tm_min, tm.tm_sec, offset < 0 ? '-' : '+',
                minutes / 60, minutes % 60);
    if (mail_date_zone_ok(tm.tm_zone))
        buf_sprintf_append(bp, " (%s)", tm.tm_zone);
    return buf_str(bp);
}
