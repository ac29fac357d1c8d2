/* postern_qshape.h - "postern qshape": the age by domain histogram of
 * mail queues, as Postfix's qshape(1) prints it.
 *
 *   postern_qshape.c       options, the table, printing
 *   postern_qshape_scan.c  reading the queue files into the table */
#ifndef POSTERN_QSHAPE_H
#define POSTERN_QSHAPE_H

#include <stdbool.h>
#include <time.h>

#include "htable.h"

/* Options (qshape's letters). */
typedef struct QSHAPE_OPTS {
    bool    senders;                    /* -s: sender domains */
    bool    parents;                    /* -p: parent domains too */
    bool    linear;                     /* -l: linear buckets */
    int     buckets;                    /* -b: bucket count (10) */
    int     tick;                       /* -t: bucket time, minutes (5) */
    int     width;                      /* -w: terminal width (80) */
    int     minsub;                     /* -m: subdomains for a parent (5) */
    int     top;                        /* -n: domains shown, 0: all */
} QSHAPE_OPTS;

/* One row: counts[0] is the total, counts[1..buckets] by age. */
typedef struct QSHAPE_ROW {
    long   *counts;
    long    subdomains;                 /* -p: children seen */
} QSHAPE_ROW;

/* The table: domain name -> QSHAPE_ROW; "TOTAL" counts every address. */
typedef struct QSHAPE {
    const QSHAPE_OPTS *opts;
    HTABLE *rows;
    time_t  now;
} QSHAPE;

#define QSHAPE_TOTAL    "TOTAL"

/* qshape_row - the row of name, made when missing */
QSHAPE_ROW *qshape_row(QSHAPE *qs, const char *name);

/* qshape_scan - count every message of queue (a queue name; the caller
 * works in $queue_directory); 0, or -1 when the queue cannot be read (reason
 * logged) */
int     qshape_scan(QSHAPE *qs, const char *queue);

#endif
