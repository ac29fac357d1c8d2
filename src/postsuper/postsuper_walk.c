/* postsuper_walk - visit every file under a queue directory.
 *
 * Unlike queue_scan (which lists queue files for the daemons), this
 * walk also returns names that are not queue ids (temporary files,
 * leftovers, dot files) and enters one-character subdirectories down to
 * the deepest hash level Postern supports, so that files written under
 * an older hash_queue_depth or hash_queue_names are found. Symbolic
 * links are never followed into; other directories are left alone. The
 * names of a directory are read before any is visited, so a file that
 * the caller moves within the tree is not visited twice in the same
 * directory. Afterwards subdirectories deeper than the queue's hash
 * depth (all of them in a queue that is not hashed) are removed when
 * empty, as Postfix's postsuper does after a hash change. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "msg.h"
#include "postsuper.h"

/* postsuper_walk_names - the names in a directory, or NULL */
static ARGV *
postsuper_walk_names(const char *dir)
{
    ARGV   *names;
    DIR    *dp;
    struct dirent *de;
    int     fd;

    if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0
        || (dp = fdopendir(fd)) == NULL) {
        if (fd >= 0)
            (void) close(fd);
        if (errno != ENOENT)
            msg_warn("open directory %s: %m", dir);
        return NULL;
    }
    names = argv_alloc(16);
    while ((de = readdir(dp)) != NULL)
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
            argv_add(names, de->d_name);
    (void) closedir(dp);
    return names;
}

/* postsuper_walk_dir - visit one directory level */
static void
postsuper_walk_dir(POSTSUPER *ps, const char *queue, const char *dir,
                   int depth, int keep, PS_WALK_FN fn, bool remove_dirs)
{
    ARGV   *names = postsuper_walk_names(dir);
    BUF    *path = buf_alloc(100);
    struct stat st;

    for (int i = 0; names && i < names->argc; i++) {
        buf_sprintf(path, "%s/%s", dir, names->argv[i]);
        if (lstat(buf_str(path), &st) < 0)
            continue;
        if (!S_ISDIR(st.st_mode)) {
            fn(ps, queue, names->argv[i], buf_str(path), &st);
        } else if (names->argv[i][1] == 0 && depth < MAIL_QUEUE_HASH_DEPTH_MAX) {
            postsuper_walk_dir(ps, queue, buf_str(path), depth + 1, keep, fn,
                               remove_dirs);
            if (remove_dirs && depth >= keep)
                (void) rmdir(buf_str(path));
        }
    }
    if (names)
        argv_free(names);
    buf_free(path);
}

/* postsuper_walk - visit every file of queue */
void
postsuper_walk(POSTSUPER *ps, const char *queue, PS_WALK_FN fn,
               bool remove_dirs)
{
    int     keep = mail_queue_hashed(&ps->queue, queue) ?
        ps->queue.hash_depth : 0;

    postsuper_walk_dir(ps, queue, queue, 0, keep, fn, remove_dirs);
}
