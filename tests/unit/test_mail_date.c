/* test_mail_date - unit tests for mail_date (header dates).
 *
 * The expected text is what Debian's Postfix 3.7 wrote for the same
 * second: its pickup's Received: header said "Sun,  6 Dec 2026 01:40:20
 * +0000 (UTC)" for arrival time 1796521220. Other zones come from POSIX
 * TZ strings (no zone data needed) and from a zone file written here. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "mail_date.h"

#define OBSERVED        1796521220      /* 2026-12-06 01:40:20 UTC */
#define WINTER          1796521015      /* 2026-12-06 01:36:55 UTC */
#define SUMMER          1783159200      /* 2026-07-04 10:00:00 UTC */

static BUF *bp;

/* setup - a result buffer */
static int
setup(void **state)
{
    bp = buf_alloc(10);
    return 0;
}

/* teardown - free it */
static int
teardown(void **state)
{
    buf_free(bp);
    return 0;
}

/* date_in - mail_date(when) with TZ set to zone */
static const char *
date_in(const char *zone, time_t when)
{
    assert_int_equal(setenv("TZ", zone, 1), 0);
    tzset();
    return mail_date(bp, when);
}

static void
test_utc_as_postfix(void **state)
{
    assert_string_equal(date_in("UTC0", OBSERVED),
                        "Sun,  6 Dec 2026 01:40:20 +0000 (UTC)");
    assert_string_equal(date_in("UTC0", WINTER),
                        "Sun,  6 Dec 2026 01:36:55 +0000 (UTC)");
    assert_string_equal(date_in("UTC0", 0),
                        "Thu,  1 Jan 1970 00:00:00 +0000 (UTC)");
    /* Two-digit days are not padded; the buffer is replaced. */
    assert_string_equal(date_in("UTC0", WINTER + 10 * 86400),
                        "Wed, 16 Dec 2026 01:36:55 +0000 (UTC)");
    assert_int_equal(buf_len(bp), strlen(buf_str(bp)));
}

static void
test_negative_zones(void **state)
{
    const char *us = "EST5EDT,M3.2.0,M11.1.0";

    assert_string_equal(date_in(us, WINTER),
                        "Sat,  5 Dec 2026 20:36:55 -0500 (EST)");
    assert_string_equal(date_in(us, SUMMER),
                        "Sat,  4 Jul 2026 06:00:00 -0400 (EDT)");
    assert_string_equal(date_in("NST3:30", WINTER),
                        "Sat,  5 Dec 2026 22:06:55 -0330 (NST)");
}

static void
test_positive_zones(void **state)
{
    assert_string_equal(date_in("<+0530>-5:30", WINTER),
                        "Sun,  6 Dec 2026 07:06:55 +0530 (+0530)");
    assert_string_equal(date_in("CET-1", SUMMER),
                        "Sat,  4 Jul 2026 11:00:00 +0100 (CET)");
    /* Seconds in an offset are dropped, not rounded. */
    assert_string_equal(date_in("<XYZ>-0:59:59", WINTER),
                        "Sun,  6 Dec 2026 02:36:54 +0059 (XYZ)");
}

static void
test_odd_zones(void **state)
{
    /* An offset beyond a day: UTC instead of a bogus "+2459". */
    assert_string_equal(date_in("AAA-24:59", WINTER),
                        "Sun,  6 Dec 2026 01:36:55 +0000 (UTC)");
    /* No abbreviation: no comment. */
    assert_string_equal(date_in("X", WINTER),
                        "Sun,  6 Dec 2026 01:36:55 +0000");
}

/* zone_file - a one-type TZif file whose abbreviation is abbr */
static void
zone_file(const char *path, long offset, const char *abbr)
{
    unsigned char head[44] = "TZif";
    FILE   *fp = fopen(path, "wb");
    size_t  chars = strlen(abbr) + 1;
    unsigned char info[6] = {
        (unsigned char) (offset >> 24), (unsigned char) (offset >> 16),
        (unsigned char) (offset >> 8), (unsigned char) offset, 0, 0,
    };

    assert_non_null(fp);
    head[20 + 4 * 4 + 3] = 1;                   /* one type */
    head[20 + 5 * 4 + 3] = (unsigned char) chars;
    assert_int_equal(fwrite(head, 1, sizeof(head), fp), sizeof(head));
    assert_int_equal(fwrite(info, 1, sizeof(info), fp), sizeof(info));
    assert_int_equal(fwrite(abbr, 1, chars, fp), chars);
    assert_int_equal(fclose(fp), 0);
}

static void
test_hostile_abbreviation(void **state)
{
    char    dir[] = "/tmp/test_mail_date.XXXXXX";
    char    zone[80];
    char    path[64];

    /* Two files at once: the C library rereads a zone file only when
     * its name, inode or time changed. */
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/bad", dir);
    snprintf(zone, sizeof(zone), ":%s", path);
    zone_file(path, 3600, "AB\r\nX: y");
    assert_string_equal(date_in(zone, WINTER),
                        "Sun,  6 Dec 2026 02:36:55 +0100");
    snprintf(path, sizeof(path), "%s/good", dir);
    snprintf(zone, sizeof(zone), ":%s", path);
    zone_file(path, -7200, "A-1");
    assert_string_equal(date_in(zone, WINTER),
                        "Sat,  5 Dec 2026 23:36:55 -0200 (A-1)");
    unlink(path);
    snprintf(path, sizeof(path), "%s/bad", dir);
    unlink(path);
    rmdir(dir);
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_utc_as_postfix),
        T(test_negative_zones),
        T(test_positive_zones),
        T(test_odd_zones),
        T(test_hostile_abbreviation),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
