/* dict_index - index file names, the lookup protocol and the common
 * writer of the indexed table types (see dict_index.h).
 *
 * The writer is a DICT of its own: lookups, updates and deletes work on a
 * DICT_STAGE; dict_index_commit() asks the type to write the stage into a
 * temporary file, syncs it, renames it over the index and syncs the
 * directory. Temporary files are listed in a fixed array so that a fatal
 * error or a signal can remove them. Peers: dict_lmdb.c, dict_cdb.c. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "lock_file.h"
#include "msg.h"
#include "mymalloc.h"
#include "dict_index.h"

#define DICT_INDEX_MAX_PENDING  64
#define DICT_INDEX_SOURCE_GRACE 100     /* seconds, as Postfix */

typedef struct DICT_INDEX_WRITER {
    DICT    dict;
    const DICT_INDEX_OPS *ops;
    DICT_STAGE *stage;
    char   *index_path;
    char   *tmp_path;
    int     tmp_fd;
    int     lock_fd;                    /* the published index, or -1 */
    int     changed;                    /* an update or delete succeeded */
    BUF    *result;
} DICT_INDEX_WRITER;

static void dict_index_writer_close(DICT *dict);

static char *volatile dict_index_pending[DICT_INDEX_MAX_PENDING];
static MSG_CLEANUP_FN dict_index_saved_cleanup;
static int dict_index_hooked;

/* dict_index_path - NAME + suffix */
char   *
dict_index_path(const char *name, const char *suffix)
{
    size_t  nlen = strlen(name);
    size_t  slen = strlen(suffix);
    char   *path = mymalloc(nlen + slen + 1);

    memcpy(path, name, nlen);
    memcpy(path + nlen, suffix, slen + 1);
    return path;
}

/* dict_index_cleanup - unlink every pending temporary file */
void
dict_index_cleanup(void)
{
    for (int i = 0; i < DICT_INDEX_MAX_PENDING; i++)
        if (dict_index_pending[i] != NULL)
            (void) unlink(dict_index_pending[i]);
}

/* dict_index_fatal_hook - the msg_cleanup hook: our files, then the
 * previous hook */
static void
dict_index_fatal_hook(void)
{
    dict_index_cleanup();
    if (dict_index_saved_cleanup)
        dict_index_saved_cleanup();
}

/* dict_index_remember - list a temporary file for cleanup; -1 if full */
static int
dict_index_remember(char *path)
{
    if (!dict_index_hooked) {
        dict_index_saved_cleanup = msg_cleanup(dict_index_fatal_hook);
        dict_index_hooked = 1;
    }
    for (int i = 0; i < DICT_INDEX_MAX_PENDING; i++) {
        if (dict_index_pending[i] == NULL) {
            dict_index_pending[i] = path;
            return 0;
        }
    }
    return -1;
}

/* dict_index_forget - the file was published or removed */
static void
dict_index_forget(const char *path)
{
    for (int i = 0; i < DICT_INDEX_MAX_PENDING; i++)
        if (dict_index_pending[i] == path)
            dict_index_pending[i] = NULL;
}

/* dict_index_lock - open and exclusively lock the published index, making
 * sure the lock is on the file that the name still refers to; the
 * descriptor, or -1 with errno (ENOENT: no index yet) */
static int
dict_index_lock(const char *path, struct stat *st)
{
    struct stat now;
    int     fd;

    for (;;) {
        if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
            return -1;
        if (lock_file(fd, LOCK_STYLE_FLOCK, LOCK_OP_EXCLUSIVE) < 0
            || fstat(fd, st) < 0) {
            int     saved = errno;

            close(fd);
            errno = saved;
            return -1;
        }
        if (stat(path, &now) == 0 && now.st_dev == st->st_dev
            && now.st_ino == st->st_ino)
            return fd;
        /* Another writer published a new file while we waited. */
        close(fd);
    }
}

/* dict_index_create_tmp - a new empty file next to the index, with the
 * old index's permissions (and owner, when root) if there is one; Postfix
 * rewrote indexes in place, which kept both */
static int
dict_index_create_tmp(DICT_INDEX_WRITER *wr, const struct stat *old,
                      BUF *why)
{
    static unsigned counter;
    BUF    *path = buf_alloc(strlen(wr->index_path) + 32);
    int     fd;

    for (int tries = 0; /* void */ ; tries++) {
        buf_sprintf(path, "%s.%ld.%u.tmp", wr->index_path, (long) getpid(),
                    counter++);
        fd = open(buf_str(path), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC
                  | O_NOFOLLOW, 0644);
        if (fd >= 0 || errno != EEXIST || tries > 100)
            break;
    }
    if (fd < 0) {
        buf_sprintf(why, "open database %s: cannot create %s: %m",
                    wr->index_path, buf_str(path));
        buf_free(path);
        return -1;
    }
    wr->tmp_path = buf_export(path);
    wr->tmp_fd = fd;
    if (dict_index_remember(wr->tmp_path) < 0) {
        buf_sprintf(why, "open database %s: too many tables open for writing",
                    wr->index_path);
        return -1;
    }
    if (old != NULL && (fchmod(fd, old->st_mode & 07777) < 0
                        || (geteuid() == 0
                            && fchown(fd, old->st_uid, old->st_gid) < 0))) {
        buf_sprintf(why, "open database %s: set permissions of %s: %m",
                    wr->index_path, wr->tmp_path);
        return -1;
    }
    return 0;
}

/* dict_index_discard - remove the temporary file */
static void
dict_index_discard(DICT_INDEX_WRITER *wr)
{
    if (wr->tmp_fd >= 0)
        close(wr->tmp_fd);
    wr->tmp_fd = -1;
    if (wr->tmp_path) {
        dict_index_forget(wr->tmp_path);
        (void) unlink(wr->tmp_path);
        myfree(wr->tmp_path);
        wr->tmp_path = NULL;
    }
}

/* dict_index_writer_free - release a writer (temporary file already gone
 * or published) */
static void
dict_index_writer_free(DICT_INDEX_WRITER *wr)
{
    dict_index_discard(wr);
    if (wr->lock_fd >= 0)
        close(wr->lock_fd);
    if (wr->stage)
        dict_stage_free(wr->stage);
    if (wr->result)
        buf_free(wr->result);
    myfree(wr->index_path);
    dict_free(&wr->dict);
}

/* dict_index_sync_dir - make the rename durable */
static int
dict_index_sync_dir(const char *path)
{
    char   *copy = mystrdup(path);
    int     fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int     status = 0;

    if (fd < 0 || fsync(fd) < 0)
        status = -1;
    if (fd >= 0)
        close(fd);
    myfree(copy);
    return status;
}

/* dict_index_publish - write, sync and rename the temporary file */
static int
dict_index_publish(DICT_INDEX_WRITER *wr, BUF *why)
{
    if (wr->ops->write(wr->stage, wr->tmp_path, wr->tmp_fd, why) < 0)
        return -1;
    if (fsync(wr->tmp_fd) < 0 || close(wr->tmp_fd) < 0) {
        wr->tmp_fd = -1;
        buf_sprintf(why, "write database %s: %m", wr->tmp_path);
        return -1;
    }
    wr->tmp_fd = -1;
    if (rename(wr->tmp_path, wr->index_path) < 0) {
        buf_sprintf(why, "rename %s to %s: %m", wr->tmp_path,
                    wr->index_path);
        return -1;
    }
    dict_index_forget(wr->tmp_path);
    myfree(wr->tmp_path);
    wr->tmp_path = NULL;
    if (dict_index_sync_dir(wr->index_path) < 0) {
        buf_sprintf(why, "sync directory of %s: %m", wr->index_path);
        return -1;
    }
    if (wr->ops->lock_suffix) {
        char   *lock_path = dict_index_path(wr->index_path,
                                            wr->ops->lock_suffix);

        (void) unlink(lock_path);
        myfree(lock_path);
    }
    return 0;
}

/* dict_index_is_writer - our close method marks a writer */
int
dict_index_is_writer(const DICT *dict)
{
    return dict->close == dict_index_writer_close;
}

/* dict_index_commit - publish unless nothing changed, then close */
int
dict_index_commit(DICT *dict, BUF *why)
{
    DICT_INDEX_WRITER *wr = (DICT_INDEX_WRITER *) dict;
    int     status = 0;

    if (!dict_index_is_writer(dict)) {
        dict_close(dict);
        return 0;
    }
    if (wr->changed || (dict->open_flags & O_TRUNC) || wr->lock_fd < 0)
        status = dict_index_publish(wr, why);
    dict_index_writer_free(wr);
    return status;
}

/* dict_index_writer_close - dict_close on a writer: commit, log failure */
static void
dict_index_writer_close(DICT *dict)
{
    BUF    *why = buf_alloc(100);

    if (dict_index_commit(dict, why) < 0)
        msg_warn("%s", buf_str(why));
    buf_free(why);
}

/* dict_index_key_len - the stored length of key under dict's NUL flag */
static size_t
dict_index_key_len(const DICT *dict, const char *key)
{
    return strlen(key) + ((dict->flags & DICT_FLAG_TRY1NULL) ? 1 : 0);
}

/* dict_index_writer_find - lookup in the stage */
static int
dict_index_writer_find(DICT *dict, const void *key, size_t klen,
                       DICT_INDEX_FOUND *value)
{
    DICT_INDEX_WRITER *wr = (DICT_INDEX_WRITER *) dict;

    value->data = dict_stage_get(wr->stage, key, klen, &value->len);
    return value->data != NULL;
}

/* dict_index_writer_lookup - the lookup method of a writer */
static const char *
dict_index_writer_lookup(DICT *dict, const char *key)
{
    DICT_INDEX_WRITER *wr = (DICT_INDEX_WRITER *) dict;

    return dict_index_lookup(dict, key, dict_index_writer_find, wr->result);
}

/* dict_index_writer_update - add or replace, following the DUP flags */
static int
dict_index_writer_update(DICT *dict, const char *key, const char *value)
{
    DICT_INDEX_WRITER *wr = (DICT_INDEX_WRITER *) dict;
    size_t  klen = dict_index_key_len(dict, key);
    size_t  vlen = strlen(value) + ((dict->flags & DICT_FLAG_TRY1NULL) ? 1 : 0);
    int     replace = (dict->flags & DICT_FLAG_DUP_REPLACE) != 0;

    if (klen < wr->ops->min_key
        || (wr->ops->max_key && klen > wr->ops->max_key)) {
        dict->error = DICT_ERR_CONFIG;
        return -1;
    }
    if (dict_stage_put(wr->stage, key, klen, value, vlen, replace)
        == DICT_STAGE_ADDED || replace) {
        wr->changed = 1;
        return 0;
    }
    if (!(dict->flags & (DICT_FLAG_DUP_IGNORE | DICT_FLAG_DUP_REPLACE)))
        msg_warn("%s:%s: duplicate entry: \"%s\"", dict->type->name,
                 dict->name, key);
    return 1;
}

/* dict_index_writer_delete - remove an entry */
static int
dict_index_writer_delete(DICT *dict, const char *key)
{
    DICT_INDEX_WRITER *wr = (DICT_INDEX_WRITER *) dict;

    if (dict_stage_del(wr->stage, key, dict_index_key_len(dict, key)) != 0)
        return 1;
    wr->changed = 1;
    return 0;
}

/* dict_index_writer_nul - the one NUL form a writer stores: the caller's
 * choice, else the form of the loaded entries, else the type's default */
static int
dict_index_writer_nul(int dict_flags, const DICT_INDEX_OPS *ops,
                      int loaded_null)
{
    int     both = DICT_FLAG_TRY1NULL | DICT_FLAG_TRY0NULL;
    int     nul = dict_flags & both;

    if (nul == 0 || nul == both)
        nul = loaded_null ? loaded_null : ops->default_null;
    return (dict_flags & ~both) | nul;
}

/* dict_index_first_null - the NUL form of a loaded entry (0 if empty) */
static int
dict_index_first_null(const DICT_STAGE_ENTRY *entry, void *ctx)
{
    int    *nul = ctx;

    *nul = (entry->klen > 0 && entry->key[entry->klen - 1] == 0) ?
        DICT_FLAG_TRY1NULL : DICT_FLAG_TRY0NULL;
    return 1;
}

/* dict_index_writer_load - the published entries, unless O_TRUNC */
static int
dict_index_writer_load(DICT_INDEX_WRITER *wr, int *loaded_null, BUF *why)
{
    *loaded_null = 0;
    if (wr->lock_fd < 0) {
        if (!(wr->dict.open_flags & O_CREAT)) {
            errno = ENOENT;
            buf_sprintf(why, "open database %s: %m", wr->index_path);
            return -1;
        }
        return 0;
    }
    if (wr->dict.open_flags & O_TRUNC)
        return 0;
    if (wr->ops->load(wr->index_path, wr->stage, why) < 0)
        return -1;
    dict_stage_walk(wr->stage, DICT_STAGE_INSERTED, dict_index_first_null,
                    loaded_null);
    return 0;
}

/* dict_index_writer - open a table for writing */
DICT   *
dict_index_writer(const DICT_TYPE *type, const DICT_INDEX_OPS *ops,
                  const char *name, int open_flags, int dict_flags, BUF *why)
{
    DICT_INDEX_WRITER *wr;
    struct stat st;
    int     loaded_null;

    wr = (DICT_INDEX_WRITER *) dict_alloc(type, name, sizeof(*wr), open_flags,
                                          dict_flags | DICT_FLAG_FIXED);
    wr->ops = ops;
    wr->index_path = dict_index_path(name, type->suffix);
    wr->tmp_fd = -1;
    wr->stage = dict_stage_create();
    wr->result = buf_alloc(100);
    if ((wr->lock_fd = dict_index_lock(wr->index_path, &st)) < 0
        && errno != ENOENT) {
        buf_sprintf(why, "open database %s: %m", wr->index_path);
        dict_index_writer_free(wr);
        return NULL;
    }
    if (dict_index_writer_load(wr, &loaded_null, why) < 0
        || dict_index_create_tmp(wr, wr->lock_fd >= 0 ? &st : NULL, why) < 0) {
        dict_index_writer_free(wr);
        return NULL;
    }
    wr->dict.flags = dict_index_writer_nul(wr->dict.flags, ops, loaded_null);
    wr->dict.lookup = dict_index_writer_lookup;
    wr->dict.update = dict_index_writer_update;
    wr->dict.delete = dict_index_writer_delete;
    wr->dict.close = dict_index_writer_close;
    return &wr->dict;
}

/* dict_index_reader_flags - try both NUL forms unless one was chosen */
int
dict_index_reader_flags(int dict_flags)
{
    if ((dict_flags & (DICT_FLAG_TRY1NULL | DICT_FLAG_TRY0NULL)) == 0)
        dict_flags |= DICT_FLAG_TRY1NULL | DICT_FLAG_TRY0NULL;
    return dict_flags | DICT_FLAG_FIXED;
}

/* dict_index_string - stored bytes as a C string */
const char *
dict_index_string(const void *data, size_t len, BUF *buf)
{
    if (len > 0 && ((const char *) data)[len - 1] == 0)
        return data;
    buf_reset(buf);
    buf_append(buf, data, len);
    return buf_str(buf);
}

/* dict_index_lookup - try the key with and/or without its NUL */
const char *
dict_index_lookup(DICT *dict, const char *key, DICT_INDEX_FIND_FN find,
                  BUF *buf)
{
    static const int forms[] = {DICT_FLAG_TRY1NULL, DICT_FLAG_TRY0NULL};
    size_t  len = strlen(key);
    DICT_INDEX_FOUND value;

    for (int i = 0; i < 2; i++) {
        if (!(dict->flags & forms[i]))
            continue;
        switch (find(dict, key, len + (forms[i] == DICT_FLAG_TRY1NULL),
                     &value)) {
        case 1:
            dict->flags &= ~forms[1 - i];
            return dict_index_string(value.data, value.len, buf);
        case -1:
            return NULL;
        }
    }
    return NULL;
}

/* dict_index_stat - the index must exist */
int
dict_index_stat(const char *index_path, struct stat *st, BUF *why)
{
    if (stat(index_path, st) < 0) {
        buf_sprintf(why, "open database %s: %m", index_path);
        return -1;
    }
    return 0;
}

/* dict_index_check_source - warn about a stale index */
void
dict_index_check_source(const char *index_path, const struct stat *index_st,
                        const char *source_path)
{
    struct stat st;

    if (stat(source_path, &st) == 0
        && st.st_mtime > index_st->st_mtime
        && st.st_mtime < time((time_t *) 0) - DICT_INDEX_SOURCE_GRACE)
        msg_warn("database %s is older than source file %s", index_path,
                 source_path);
}
