/* queue_scan - list the files of one queue. See queue_scan.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mail_queue_id.h"
#include "mymalloc.h"
#include "queue_scan.h"

/* One open directory level. */
typedef struct QUEUE_SCAN_LEVEL {
    DIR    *dir;
    BUF    *path;                       /* the directory's path */
} QUEUE_SCAN_LEVEL;

struct QUEUE_SCAN {
    int     max_depth;                  /* subdirectory levels to enter */
    int     depth;                      /* levels open - 1 */
    QUEUE_SCAN_LEVEL level[MAIL_QUEUE_HASH_DEPTH_MAX + 1];
    char    id[256];
};

/* queue_scan_push - open a directory as the next level; 0 or -1 */
static int
queue_scan_push(QUEUE_SCAN *scan, const char *path)
{
    QUEUE_SCAN_LEVEL *lv = &scan->level[scan->depth + 1];
    int     fd;

    if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
        return -1;
    if ((lv->dir = fdopendir(fd)) == NULL) {
        (void) close(fd);
        return -1;
    }
    lv->path = buf_alloc(50);
    buf_strcpy(lv->path, path);
    scan->depth++;
    return 0;
}

/* queue_scan_pop - close the deepest level */
static void
queue_scan_pop(QUEUE_SCAN *scan)
{
    QUEUE_SCAN_LEVEL *lv = &scan->level[scan->depth];

    (void) closedir(lv->dir);
    buf_free(lv->path);
    scan->depth--;
}

/* queue_scan_open - see queue_scan.h */
QUEUE_SCAN *
queue_scan_open(const MAIL_QUEUE_CONF *conf, const char *queue, BUF *why)
{
    QUEUE_SCAN *scan = mymalloc(sizeof(*scan));

    scan->depth = -1;
    scan->max_depth = mail_queue_hashed(conf, queue) ? conf->hash_depth : 0;
    if (scan->max_depth > MAIL_QUEUE_HASH_DEPTH_MAX)
        scan->max_depth = MAIL_QUEUE_HASH_DEPTH_MAX;
    if (queue_scan_push(scan, queue) < 0) {
        buf_sprintf(why, "open directory %s: %s", queue, strerror(errno));
        myfree(scan);
        return NULL;
    }
    return scan;
}

/* queue_scan_is_dir - whether an entry is a directory (not following
 * a symbolic link) */
static bool
queue_scan_is_dir(const struct dirent *de, const char *path)
{
    struct stat st;

    if (de->d_type != DT_UNKNOWN)
        return de->d_type == DT_DIR;
    return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* queue_scan_next - see queue_scan.h */
const char *
queue_scan_next(QUEUE_SCAN *scan, BUF *path)
{
    QUEUE_SCAN_LEVEL *lv;
    struct dirent *de;

    while (scan->depth >= 0) {
        lv = &scan->level[scan->depth];
        if ((de = readdir(lv->dir)) == NULL) {
            if (scan->depth == 0)
                return NULL;
            queue_scan_pop(scan);
            continue;
        }
        if (de->d_name[0] == '.')
            continue;
        buf_sprintf(path, "%s/%s", buf_str(lv->path), de->d_name);
        if (queue_scan_is_dir(de, buf_str(path))) {
            if (scan->depth < scan->max_depth && de->d_name[1] == 0)
                (void) queue_scan_push(scan, buf_str(path));
            continue;
        }
        if (mail_queue_id_ok(de->d_name)
            && strlen(de->d_name) < sizeof(scan->id)) {
            strcpy(scan->id, de->d_name);
            return scan->id;
        }
    }
    return NULL;
}

/* queue_scan_close - see queue_scan.h */
void
queue_scan_close(QUEUE_SCAN *scan)
{
    while (scan->depth >= 0)
        queue_scan_pop(scan);
    myfree(scan);
}
