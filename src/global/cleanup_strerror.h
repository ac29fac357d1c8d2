/* cleanup_strerror - what cleanup's status bits mean: the SMTP reply
 * code, the enhanced status code and the text, as Postfix words them.
 * One table for cleanup (its default reasons) and its clients (pickup,
 * smtpd: a reply when cleanup gave no reason). When several bits are set
 * the most serious one speaks. */
#ifndef CLEANUP_STRERROR_H
#define CLEANUP_STRERROR_H

typedef struct CLEANUP_STAT_DETAIL {
    int     status;                     /* one CLEANUP_STAT_* bit, or 0 */
    int     smtp;                       /* SMTP reply code */
    const char *dsn;                    /* enhanced status code */
    const char *text;                   /* "queue file write error" */
} CLEANUP_STAT_DETAIL;

/* cleanup_stat_detail - the entry of the most serious bit in status */
const CLEANUP_STAT_DETAIL *cleanup_stat_detail(int status);

/* cleanup_strerror - its text */
const char *cleanup_strerror(int status);

#endif
