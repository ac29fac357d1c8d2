/* mail_queue - queue names, queue file paths, and the queue file life cycle.
 *
 * Queues are directories under $queue_directory. A queue listed in
 * $hash_queue_names spreads its files over $hash_queue_depth levels of
 * one-character subdirectories named after the first hex digits of the
 * file's creation microseconds ("incoming/0/C/4jhlyq0M5Zz1bc77"), as
 * Postfix does; the other queues are flat.
 *
 * Life cycle of a queue file (docs/queue-format.md):
 *   mail_queue_enter()   create it, mode 0600, named by a fresh queue id;
 *   rec_put() ...        write the records (queue_file.h has a writer);
 *   mail_queue_commit()  flush, fchmod 0700 (the completion mark), fsync,
 *                        close: only now is the file complete;
 *   mail_queue_rename()  move it between queues; mail_queue_remove().
 * Readers skip files that are not complete (mail_queue_ready()).
 *
 * The caller passes the configuration (the daemons pass var_*). A NULL,
 * empty or "." directory means paths relative to the current directory
 * (daemons chdir to $queue_directory). Library code: nothing here exits;
 * errors go to why, and errno is kept from the call that failed. */
#ifndef MAIL_QUEUE_H
#define MAIL_QUEUE_H

#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "buf.h"
#include "stream.h"

/* Queues that hold queue files. */
#define MAIL_QUEUE_MAILDROP     "maildrop"
#define MAIL_QUEUE_INCOMING     "incoming"
#define MAIL_QUEUE_ACTIVE       "active"
#define MAIL_QUEUE_DEFERRED     "deferred"
#define MAIL_QUEUE_HOLD         "hold"
#define MAIL_QUEUE_CORRUPT      "corrupt"
/* Per-message logs, named like the queue file. */
#define MAIL_QUEUE_BOUNCE       "bounce"
#define MAIL_QUEUE_DEFER        "defer"
#define MAIL_QUEUE_TRACE        "trace"
#define MAIL_QUEUE_FLUSH        "flush"
#define MAIL_QUEUE_SAVED        "saved"

/* File modes: written, and complete (owner bits only are compared). */
#define MAIL_QUEUE_STAT_NEW     (S_IRUSR | S_IWUSR)             /* 0600 */
#define MAIL_QUEUE_STAT_READY   (S_IRUSR | S_IWUSR | S_IXUSR)   /* 0700 */

#define MAIL_QUEUE_HASH_DEPTH_MAX 5     /* hex digits of the microseconds */

/* Where the queues are and how they are named. */
typedef struct MAIL_QUEUE_CONF {
    const char *dir;                    /* $queue_directory, or NULL/"." */
    const char *hash_names;             /* $hash_queue_names */
    int     hash_depth;                 /* $hash_queue_depth, 1..5 */
    bool    long_ids;                   /* $enable_long_queue_ids */
} MAIL_QUEUE_CONF;

/* mail_queue_conf_params - the configuration from main.cf (queue
 * directory ".": daemons and postdrop work from inside it) */
void    mail_queue_conf_params(MAIL_QUEUE_CONF *conf);

/* mail_queue_name_ok - whether queue is one of the names above */
bool    mail_queue_name_ok(const char *queue);

/* mail_queue_hashed - whether queue is listed in hash_names */
bool    mail_queue_hashed(const MAIL_QUEUE_CONF *conf, const char *queue);

/* mail_queue_path - the path of a queue file into path; 0, or -1 (bad
 * queue name, bad id, bad hash depth) with the reason in why */
int     mail_queue_path(BUF *path, const MAIL_QUEUE_CONF *conf,
                        const char *queue, const char *id, BUF *why);

/* mail_queue_enter - create a new queue file: a temporary name in the
 * queue directory (O_CREAT|O_EXCL, never through a symlink), then renamed
 * to its queue id in the right (hash) subdirectory, which is created when
 * missing. mode is MAIL_QUEUE_STAT_NEW, or 0644 for maildrop files that
 * another user must read; the umask does not change it. Returns a stream
 * open for reading and writing, with the id in id; or NULL with the
 * reason in why. */
STREAM *mail_queue_enter(const MAIL_QUEUE_CONF *conf, const char *queue,
                         mode_t mode, BUF *id, BUF *why);

/* mail_queue_commit - make a written file complete: flush, fchmod (the
 * creation mode plus owner rwx: 0700), fsync, close. The stream is closed
 * and freed in every case. 0, or -1 with the reason in why and errno from
 * the failed call (EFBIG: too big; anything else: write error); the
 * caller then removes the file. */
int     mail_queue_commit(STREAM *sp, BUF *why);

/* mail_queue_open - open an existing queue file (flags O_RDONLY or
 * O_RDWR; never through a symlink; it must be a regular file); the
 * descriptor, or -1 with the reason in why. st, if not NULL, gets its
 * status. */
int     mail_queue_open(const MAIL_QUEUE_CONF *conf, const char *queue,
                        const char *id, int flags, struct stat *st, BUF *why);

/* mail_queue_ready - whether a file status says complete: a regular file
 * whose owner bits are rwx (files being written are rw-) */
bool    mail_queue_ready(const struct stat *st);

/* mail_queue_rename - move a queue file to another queue (creating hash
 * subdirectories there); never replaces an existing file (EEXIST). 0, or
 * -1 with the reason in why */
int     mail_queue_rename(const MAIL_QUEUE_CONF *conf, const char *id,
                          const char *old_queue, const char *new_queue,
                          BUF *why);

/* mail_queue_remove - delete a queue file; 0, or -1 with the reason in
 * why (errno ENOENT when it was not there) */
int     mail_queue_remove(const MAIL_QUEUE_CONF *conf, const char *queue,
                          const char *id, BUF *why);

#endif
