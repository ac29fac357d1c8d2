/* mail_queue_id - queue ids: make, check, decode, and the hash string.
 *
 * A queue id names a queue file, so it is unique on the host for as long
 * as the file exists, and safe as a file name. Two forms, as Postfix's
 * (observed with Debian's Postfix 3.7, see docs/queue-format.md):
 *
 *   long  (enable_long_queue_ids = yes): "4jhlxz3VH0z1bcTg" = the creation
 *         time in seconds (at least 6 characters) and microseconds (4),
 *         base 52, most significant first, then 'z', then the file's inode
 *         number in base 51. Alphabet: 0-9, B-Z and b-z without vowels,
 *         in ASCII order, so ids of the same length sort by creation time;
 *         the inode part never contains 'z'.
 *   short (the default): "BC3E1A7422E" = the microseconds as 5 upper-case
 *         hex digits, then the inode number in hex. Unique, not sortable.
 *
 * The inode makes an id unique while the file exists; the time makes it
 * unique over time. Library code: nothing here exits. */
#ifndef MAIL_QUEUE_ID_H
#define MAIL_QUEUE_ID_H

#include <stdbool.h>
#include <sys/time.h>

#include "buf.h"

#define MAIL_QUEUE_ID_MAX       40      /* longest id accepted */
#define MAIL_QUEUE_ID_HASH_LEN  5       /* hex digits of the microseconds */

/* What an id says about its file. */
typedef struct MAIL_QUEUE_ID_INFO {
    bool    long_form;
    long long seconds;                  /* long form; -1 for short ids */
    long    usec;                       /* 0..999999 */
    unsigned long long inode;
} MAIL_QUEUE_ID_INFO;

/* mail_queue_id_make - the id of a file created at tv with inode ino */
void    mail_queue_id_make(BUF *id, bool long_form, const struct timeval *tv,
                           unsigned long long ino);

/* mail_queue_id_ok - whether id is usable as a queue file name: 1 to
 * MAIL_QUEUE_ID_MAX characters, letters and digits only */
bool    mail_queue_id_ok(const char *id);

/* mail_queue_id_decode - split a long or short id; 0, or -1 when id is
 * in neither form */
int     mail_queue_id_decode(const char *id, MAIL_QUEUE_ID_INFO *info);

/* mail_queue_id_hash - the string whose first characters name the hash
 * subdirectories: the microseconds in 5 upper-case hex digits (for both
 * forms; a short id starts with them), or for a valid id in neither form
 * the id itself. Returns hash, a buffer of MAIL_QUEUE_ID_MAX + 1 bytes,
 * or NULL when the id is not valid. */
const char *mail_queue_id_hash(const char *id, char *hash);

#endif
