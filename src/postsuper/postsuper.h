/* postsuper.h - the postsuper command's parts.
 *
 *   postsuper.c        main(): options, root check, configuration,
 *                      privilege drop, the order of the operations and
 *                      their summaries
 *   postsuper_ops.c    -d -h -H -r -e -f on one queue id or ALL
 *   postsuper_walk.c   every name in a queue directory tree, bogus ones
 *                      included (temporary files, misplaced files)
 *   postsuper_fix.c    -s/-S (structure check and repair) and -p (purge
 *                      old temporary files)
 *   postsuper_move.c   rename within the tree, making hash directories
 *
 * It works as mail_owner in the queue directory, like the daemons, and
 * takes no locks (as Postfix's postsuper): a file that moves or vanishes
 * while it works is counted only if the operation on it succeeded. */
#ifndef POSTSUPER_H
#define POSTSUPER_H

#include <stdbool.h>
#include <sys/stat.h>

#include "argv.h"
#include "buf.h"
#include "mail_queue.h"

/* The message operations, in the order they run. */
typedef enum {
    PS_OP_DELETE, PS_OP_HOLD, PS_OP_RELEASE, PS_OP_REQUEUE, PS_OP_EXPIRE,
    PS_OP_FORCE, PS_OP_COUNT,
} PS_OP;

/* What one run asked for and achieved. */
typedef struct POSTSUPER {
    MAIL_QUEUE_CONF queue;
    ARGV   *ids[PS_OP_COUNT];           /* ids, "ALL" or "-" per operation */
    const char *const *queues;          /* queue arguments, or NULL */
    int     queue_count;
    bool    fix;                        /* -s */
    bool    fix_long;                   /* -S: long ids must match too */
    bool    purge;                      /* -p */
    PS_OP   walk_op;                    /* the operation of an ALL walk */
    int     deleted, held, released, requeued, expired, renamed;
} POSTSUPER;

/* postsuper_op_run - run one operation on its ids */
void    postsuper_op_run(POSTSUPER *ps, PS_OP op);

/* A walk visits each name that is not a directory: its path, the queue
 * (top directory) it is in, and its name. */
typedef void (*PS_WALK_FN) (POSTSUPER *ps, const char *queue,
                            const char *name, const char *path,
                            const struct stat *st);

/* postsuper_walk - visit every file of queue, descending into
 * one-character subdirectories (hash levels, whatever the current
 * hash_queue_depth); empty subdirectories that the configuration no
 * longer uses are removed afterwards when remove_dirs is set */
void    postsuper_walk(POSTSUPER *ps, const char *queue, PS_WALK_FN fn,
                       bool remove_dirs);

/* postsuper_move - rename from to to (which must not exist), making
 * the missing directories above to; 0, or -1 with errno */
int     postsuper_move(const char *from, const char *to);

/* postsuper_fix_run - -s/-S and -p over the queue arguments (or every
 * message and log directory) */
void    postsuper_fix_run(POSTSUPER *ps);

/* The per-message log directories: bounce, defer, trace. */
#define POSTSUPER_LOG_COUNT 3
extern const char *const postsuper_logs[POSTSUPER_LOG_COUNT];

/* postsuper_message_queue - whether queue holds queue files */
bool    postsuper_message_queue(const char *queue);

#endif
