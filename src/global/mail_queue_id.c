/* mail_queue_id - queue ids: make, check, decode, and the hash string.
 *
 * Model: Postfix's two id forms, learnt from the names Debian's Postfix
 * 3.7 gives its queue files (the inode numbers and the T records of the
 * same files confirm the fields) and from postconf(5) on
 * enable_long_queue_ids. The long-form alphabet is in ASCII order, so
 * strcmp() of two ids with the same number of time digits orders them by
 * creation time. Peers: mail_queue (names new files, hashes paths). */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "mail_queue_id.h"

/* Digits, then consonants B-Z, then consonants b-z: ASCII order. */
static const char id_alphabet[] =
    "0123456789BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz";

#define ID_BASE_TIME    52              /* seconds and microseconds */
#define ID_BASE_INODE   51              /* the alphabet without 'z' */
#define ID_SEP          'z'
#define ID_SEC_MIN      6               /* at least this many digits */
#define ID_USEC_LEN     4
#define ID_SHORT_USEC   5               /* hex digits in short ids */
#define USEC_LIMIT      1000000

/* id_digit - the value of an alphabet character, or -1 */
static int
id_digit(int ch)
{
    const char *cp;

    if (ch == 0 || (cp = strchr(id_alphabet, ch)) == NULL)
        return -1;
    return (int) (cp - id_alphabet);
}

/* id_encode - append value in base, at least width digits */
static void
id_encode(BUF *bp, unsigned long long value, int base, int width)
{
    char    tmp[64];
    int     n = 0;

    do {
        tmp[n++] = id_alphabet[value % base];
        value /= base;
    } while (value > 0);
    while (n < width)
        tmp[n++] = id_alphabet[0];
    while (n > 0)
        buf_addch(bp, tmp[--n]);
}

/* id_decode - the value of len digits in base; 0, or -1 (bad, overflow) */
static int
id_decode(const char *cp, size_t len, int base, unsigned long long *value)
{
    unsigned long long v = 0;
    int     d;

    if (len == 0)
        return -1;
    for (size_t i = 0; i < len; i++) {
        if ((d = id_digit(cp[i])) < 0 || d >= base)
            return -1;
        if (v > (~0ULL - d) / base)
            return -1;
        v = v * base + d;
    }
    *value = v;
    return 0;
}

/* mail_queue_id_make - the id of a new file */
void
mail_queue_id_make(BUF *id, bool long_form, const struct timeval *tv,
                   unsigned long long ino)
{
    buf_reset(id);
    if (long_form) {
        id_encode(id, (unsigned long long) tv->tv_sec, ID_BASE_TIME,
                  ID_SEC_MIN);
        id_encode(id, (unsigned long long) tv->tv_usec, ID_BASE_TIME,
                  ID_USEC_LEN);
        buf_addch(id, ID_SEP);
        id_encode(id, ino, ID_BASE_INODE, 1);
    } else {
        buf_sprintf(id, "%05lX%llX", (unsigned long) tv->tv_usec, ino);
    }
}

/* mail_queue_id_ok - letters and digits, 1 to MAIL_QUEUE_ID_MAX of them */
bool
mail_queue_id_ok(const char *id)
{
    size_t  len = strspn(id, "0123456789"
                         "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                         "abcdefghijklmnopqrstuvwxyz");

    return len > 0 && len <= MAIL_QUEUE_ID_MAX && id[len] == 0;
}

/* id_decode_long - seconds, microseconds, 'z', inode */
static int
id_decode_long(const char *id, size_t len, MAIL_QUEUE_ID_INFO *info)
{
    const char *sep = strrchr(id, ID_SEP);
    size_t  time_len;
    unsigned long long sec, usec, ino;

    if (sep == NULL || (time_len = sep - id) < ID_SEC_MIN + ID_USEC_LEN)
        return -1;
    if (id_decode(id, time_len - ID_USEC_LEN, ID_BASE_TIME, &sec) < 0
        || id_decode(sep - ID_USEC_LEN, ID_USEC_LEN, ID_BASE_TIME, &usec) < 0
        || id_decode(sep + 1, len - time_len - 1, ID_BASE_INODE, &ino) < 0)
        return -1;
    if (usec >= USEC_LIMIT || sec > (unsigned long long) LLONG_MAX)
        return -1;
    info->long_form = true;
    info->seconds = (long long) sec;
    info->usec = (long) usec;
    info->inode = ino;
    return 0;
}

/* id_hex - the value of len upper-case hex digits; 0, or -1 */
static int
id_hex(const char *cp, size_t len, unsigned long long *value)
{
    unsigned long long v = 0;

    if (len == 0 || len > 16)
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (cp[i] >= '0' && cp[i] <= '9')
            v = v * 16 + (cp[i] - '0');
        else if (cp[i] >= 'A' && cp[i] <= 'F')
            v = v * 16 + (cp[i] - 'A' + 10);
        else
            return -1;
    }
    *value = v;
    return 0;
}

/* id_decode_short - 5 hex digits of microseconds, then the inode in hex */
static int
id_decode_short(const char *id, size_t len, MAIL_QUEUE_ID_INFO *info)
{
    unsigned long long usec, ino;

    if (len <= ID_SHORT_USEC
        || id_hex(id, ID_SHORT_USEC, &usec) < 0
        || id_hex(id + ID_SHORT_USEC, len - ID_SHORT_USEC, &ino) < 0
        || usec >= USEC_LIMIT)
        return -1;
    info->long_form = false;
    info->seconds = -1;
    info->usec = (long) usec;
    info->inode = ino;
    return 0;
}

/* mail_queue_id_decode - split an id in either form */
int
mail_queue_id_decode(const char *id, MAIL_QUEUE_ID_INFO *info)
{
    size_t  len;

    if (!mail_queue_id_ok(id))
        return -1;
    len = strlen(id);
    if (strchr(id, ID_SEP) != NULL)
        return id_decode_long(id, len, info);
    return id_decode_short(id, len, info);
}

/* mail_queue_id_hash - the string that names the hash subdirectories */
const char *
mail_queue_id_hash(const char *id, char *hash)
{
    MAIL_QUEUE_ID_INFO info;

    if (!mail_queue_id_ok(id))
        return NULL;
    if (mail_queue_id_decode(id, &info) == 0)
        snprintf(hash, MAIL_QUEUE_ID_MAX + 1, "%05lX", info.usec);
    else
        snprintf(hash, MAIL_QUEUE_ID_MAX + 1, "%s", id);
    return hash;
}
