/* postsuper_move - rename a file within the queue directory tree.
 *
 * postsuper moves files between queues and within one (a misplaced
 * file to its hash directory, a file to the name that matches its
 * inode). The source may be anywhere in the tree, so the target path is
 * computed by the caller (mail_queue_path) and its missing directory
 * levels are made here (mode 0700, as the queue's). An existing target
 * is never replaced: the move fails with EEXIST. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "postsuper.h"

/* postsuper_make_parents - make the missing directories above path */
static int
postsuper_make_parents(const char *path)
{
    BUF    *dir = buf_alloc(100);
    const char *slash = path;
    int     ret = 0;

    /* The first component is the queue itself, which must exist. */
    while (ret == 0 && (slash = strchr(slash, '/')) != NULL) {
        buf_reset(dir);
        buf_append(dir, path, (size_t) (slash - path));
        slash++;
        if (strchr(buf_str(dir), '/') != NULL && mkdir(buf_str(dir), 0700) < 0
            && errno != EEXIST)
            ret = -1;
    }
    buf_free(dir);
    return ret;
}

/* postsuper_move - rename from to to; 0, or -1 with errno */
int
postsuper_move(const char *from, const char *to)
{
    struct stat st;

    if (lstat(to, &st) == 0) {
        errno = EEXIST;
        return -1;
    }
    if (rename(from, to) == 0)
        return 0;
    if (errno != ENOENT || lstat(from, &st) < 0
        || postsuper_make_parents(to) < 0)
        return -1;
    return rename(from, to);
}
