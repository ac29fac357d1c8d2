/* mail_date - the date of a message header, as Postfix writes it.
 *
 * RFC 5322 date-time in local time, with the day of the month padded to
 * two characters by a space (strftime's %e), the numeric zone, and the
 * zone abbreviation as a comment:
 *
 *   Sun,  6 Dec 2026 01:36:55 +0000 (UTC)
 *   Sat,  5 Dec 2026 22:06:55 -0330 (NST)
 *
 * This is the form of the Received: headers of Postfix's pickup and
 * smtpd and of the Date: header its cleanup adds. Day and month names are
 * always English, whatever the locale. The comment is left out when the
 * zone has no abbreviation, or one that is not made of letters, digits,
 * '+' and '-' (so a strange TZ setting cannot break the header). A zone
 * offset of a day or more (never seen in real zone data) falls back to
 * UTC. Library code: nothing here exits. */
#ifndef MAIL_DATE_H
#define MAIL_DATE_H

#include <time.h>

#include "buf.h"

/* mail_date - the date of when into bp (replacing its content); returns
 * buf_str(bp) */
const char *mail_date(BUF *bp, time_t when);

#endif
