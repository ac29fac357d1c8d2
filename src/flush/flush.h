/* flush.h - the fast flush service: settings, and its parts.
 *
 *   flush.c       main(): the skeleton, the settings, one request per
 *                 connection (add, send_site, send_file, refresh, purge,
 *                 and master's wakeup), the status reply
 *   flush_site.c  which sites are eligible (fast_flush_domains) and the
 *                 name of a site's log in $queue_directory/flush/
 *   flush_log.c   the per-site logs: append a queue id; deliver what a
 *                 log lists; refresh and purge every log
 *   flush_move.c  one queue file: fresh time stamps, deferred/ ->
 *                 incoming/; the triggers that make qmgr look
 *
 * Nothing here exits on bad input: a request that cannot be served is
 * answered with a FLUSH_STAT_* status (flush_clnt.h). */
#ifndef FLUSH_H
#define FLUSH_H

#include <time.h>

#include "buf.h"
#include "mail_queue.h"
#include "match_list.h"

/* The settings, from main.cf once at start-up (flush.c). */
typedef struct FLUSH_CONF {
    MAIL_QUEUE_CONF queue;              /* the queues (flush/ is flat) */
    MATCH_LIST *domains;                /* $fast_flush_domains */
    char   *qmgr_path;                  /* public/$queue_service_name */
    int     refresh_time;               /* $fast_flush_refresh_time */
    int     purge_time;                 /* $fast_flush_purge_time */
} FLUSH_CONF;

/* How flush_log_send() treats the files a log lists. */
#define FLUSH_HOW_DELIVER   1           /* time stamps, then incoming/ */
#define FLUSH_HOW_REFRESH   2           /* time stamps only */

/* flush_site_ok - whether site is listed in $fast_flush_domains: 1 yes,
 * 0 no, -1 the list could not be searched (reason logged) */
int     flush_site_ok(const FLUSH_CONF *conf, const char *site);

/* flush_site_name - the log's file name for site (letters and digits in
 * lower case, anything else '_', as Postfix); -1 when site is empty or
 * the name would be too long for a file name */
int     flush_site_name(BUF *name, const char *site);

/* flush_site_name_ok - whether a directory entry looks like a log name */
int     flush_site_name_ok(const char *name);

/* flush_log_add - append queue_id to the log called name; FLUSH_STAT_* */
int     flush_log_add(const char *name, const char *queue_id);

/* flush_log_send - schedule the files that the log called name lists
 * (FLUSH_HOW_*), empty the log, and wake qmgr; FLUSH_STAT_* */
int     flush_log_send(const FLUSH_CONF *conf, const char *name, int how);

/* flush_log_refresh - flush_log_send(FLUSH_HOW_REFRESH) every log not
 * touched for max_age seconds; remove empty logs older than
 * $fast_flush_purge_time */
void    flush_log_refresh(const FLUSH_CONF *conf, int max_age);

/* flush_move_file - refresh the time stamps of queue file id (deferred/,
 * or incoming/ where another flush already moved it) and with
 * FLUSH_HOW_DELIVER move it from deferred/ to incoming/; 1 when it is now
 * in incoming/ to be delivered, 0 otherwise */
int     flush_move_file(const FLUSH_CONF *conf, const char *id, int how,
                        time_t now);

/* flush_qmgr - send qmgr one trigger byte ('F': forget dead
 * destinations; 'I': scan incoming/); failure is logged only */
void    flush_qmgr(const FLUSH_CONF *conf, char req);

#endif
