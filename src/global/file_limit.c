/* file_limit - a mailbox size limit as the process's file size limit (see
 * file_limit.h).
 *
 * Model: one setrlimit() for the life of the agent process; the queue
 * file's done marks are written near its start and stay far below any
 * sane limit. Peers: local(8), virtual(8). */
#include <signal.h>
#include <sys/resource.h>

#include "file_limit.h"
#include "mail_params.h"

/* file_limit_set - make limit the file size limit of this process */
int
file_limit_set(const char *name, long limit, BUF *why)
{
    struct rlimit rl;

    if (limit == 0)
        return 0;
    if (limit < var_message_size_limit) {
        buf_sprintf(why, "configuration error: %s is smaller than "
                    "message_size_limit", name);
        return -1;
    }
    rl.rlim_cur = rl.rlim_max = (rlim_t) limit;
    if (setrlimit(RLIMIT_FSIZE, &rl) < 0) {
        buf_sprintf(why, "setrlimit RLIMIT_FSIZE %ld: %m", limit);
        return -1;
    }
    signal(SIGXFSZ, SIG_IGN);
    return 0;
}
