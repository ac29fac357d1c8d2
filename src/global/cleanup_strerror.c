/* cleanup_strerror - texts for cleanup's status bits. See
 * cleanup_strerror.h. */
#include <stddef.h>

#include "cleanup_strerror.h"
#include "cleanup_user.h"

/* Most serious first. */
static const CLEANUP_STAT_DETAIL cleanup_stat_details[] = {
    {CLEANUP_STAT_DEFER, 451, "4.7.1", "service unavailable"},
    {CLEANUP_STAT_PROXY, 451, "4.3.0", "proxy reject"},
    {CLEANUP_STAT_BAD, 451, "4.3.0", "internal protocol error"},
    {CLEANUP_STAT_RCPT, 550, "5.1.0", "no recipients specified"},
    {CLEANUP_STAT_HOPS, 554, "5.4.0", "too many hops"},
    {CLEANUP_STAT_SIZE, 552, "5.3.4", "message file too big"},
    {CLEANUP_STAT_CONT, 550, "5.7.1", "message content rejected"},
    {CLEANUP_STAT_NOPERM, 550, "5.7.1", "service denied"},
    {CLEANUP_STAT_WRITE, 451, "4.3.0", "queue file write error"},
};

static const CLEANUP_STAT_DETAIL cleanup_stat_success = {
    0, 250, "2.0.0", "Success",
};

static const CLEANUP_STAT_DETAIL cleanup_stat_unknown = {
    0, 451, "4.3.0", "unknown cleanup error",
};

/* cleanup_stat_detail - see cleanup_strerror.h */
const CLEANUP_STAT_DETAIL *
cleanup_stat_detail(int status)
{
    size_t  i;

    if (status == 0)
        return &cleanup_stat_success;
    for (i = 0; i < sizeof(cleanup_stat_details)
         / sizeof(cleanup_stat_details[0]); i++)
        if (status & cleanup_stat_details[i].status)
            return &cleanup_stat_details[i];
    return &cleanup_stat_unknown;
}

/* cleanup_strerror - see cleanup_strerror.h */
const char *
cleanup_strerror(int status)
{
    return cleanup_stat_detail(status)->text;
}
