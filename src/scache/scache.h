/* scache - the parts of the connection cache server.
 *   scache.c        the skeleton, the protocol, the statistics
 *   scache_cache.c  the cache itself: sessions by endpoint, destinations
 *                   pointing to endpoints, expiry
 * docs/scache.md says what is Postfix's behaviour. */
#ifndef SCACHE_H
#define SCACHE_H

#include "buf.h"

/* The sizes the statistics report. */
typedef struct SCACHE_SIZE {
    int     dest_count;                 /* destinations */
    int     endp_count;                 /* endpoints with sessions */
    int     sess_count;                 /* sessions */
} SCACHE_SIZE;

/* scache_save_endp - keep session fd of endpoint label for ttl seconds
 * (the cache owns fd from now on) */
void    scache_save_endp(int ttl, const char *label, const char *prop,
                         int fd);

/* scache_find_endp - take the newest session of an endpoint: its fd
 * with its properties in prop, or -1 */
int     scache_find_endp(const char *label, BUF *prop);

/* scache_save_dest - point destination label to an endpoint for ttl
 * seconds */
void    scache_save_dest(int ttl, const char *label, const char *prop,
                         const char *endp_label);

/* scache_find_dest - take a session of the endpoint that destination
 * label points to: its fd with the two property texts, or -1 */
int     scache_find_dest(const char *label, BUF *dest_prop, BUF *endp_prop);

/* scache_size - what the cache holds now */
void    scache_size(SCACHE_SIZE *size);

/* scache_close_all - close every session (at exit) */
void    scache_close_all(void);

#endif
