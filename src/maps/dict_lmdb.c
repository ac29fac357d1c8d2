/* dict_lmdb - the "lmdb" and "hash" table types: an LMDB file NAME.lmdb
 * (lmdb) or NAME.db (hash), built by postmap or postalias.
 *
 * "hash" is LMDB under Postfix's most common type name, so that a main.cf
 * copied from Postfix (hash:/etc/aliases) works after one postmap; a
 * Berkeley DB file left at NAME.db by Postfix is refused with a message
 * that says to rebuild it. Files are LMDB environments with MDB_NOSUBDIR
 * and keys and values with a trailing NUL, as Postfix writes them, so
 * either program reads what the other built.
 *
 * Readers open with MDB_RDONLY | MDB_NOLOCK and keep one read transaction:
 * a published index never changes (dict_index.h), so no lock file is
 * needed. Writers are the common dict_index writer; this file only loads
 * an old index and writes a new one: keys sorted, appended in one
 * transaction (MDB_APPEND), the map grown when it fills. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <lmdb.h>
#include "mail_params.h"
#include "mymalloc.h"
#include "dict_index.h"
#include "dict_types.h"

#define DICT_LMDB_MAX_KEY       511     /* MDB_MAXKEYSIZE of the library */
#define DICT_LMDB_DEF_MAP_SIZE  (16L * 1024 * 1024)
#define DICT_LMDB_NODE_COST     16      /* per entry, beyond its bytes */
#define DICT_LMDB_MIN_FILE      512     /* smaller is not an LMDB file */

typedef struct DICT_LMDB {
    DICT    dict;
    MDB_env *env;
    MDB_txn *txn;                       /* one read transaction */
    MDB_dbi dbi;
    MDB_cursor *cursor;                 /* for dict_seq */
    BUF    *key_buf;
    BUF    *value_buf;
} DICT_LMDB;

/* A read-only view of one file. */
typedef struct DICT_LMDB_VIEW {
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
} DICT_LMDB_VIEW;

/* dict_lmdb_view_close - end the transaction, close the environment */
static void
dict_lmdb_view_close(DICT_LMDB_VIEW *view)
{
    if (view->txn)
        mdb_txn_abort(view->txn);
    if (view->env)
        mdb_env_close(view->env);
    view->txn = NULL;
    view->env = NULL;
}

/* dict_lmdb_too_short - shorter than the two meta pages of LMDB files
 * (LMDB itself gives odd errors for an empty file) */
static int
dict_lmdb_too_short(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && st.st_size < DICT_LMDB_MIN_FILE;
}

/* dict_lmdb_view_open - open path read-only, without a lock file; 0, or
 * -1 with "open database PATH: reason" */
static int
dict_lmdb_view_open(const char *path, DICT_LMDB_VIEW *view, BUF *why)
{
    int     rc;

    memset(view, 0, sizeof(*view));
    if ((rc = mdb_env_create(&view->env)) == 0
        && (rc = mdb_env_open(view->env, path, MDB_RDONLY | MDB_NOLOCK
                              | MDB_NOSUBDIR, 0644)) == 0
        && (rc = mdb_txn_begin(view->env, NULL, MDB_RDONLY, &view->txn)) == 0)
        rc = mdb_dbi_open(view->txn, NULL, 0, &view->dbi);
    if (rc == 0)
        return 0;
    if (rc == MDB_INVALID || rc == MDB_VERSION_MISMATCH
        || dict_lmdb_too_short(path))
        buf_sprintf(why, "open database %s: not an LMDB file; rebuild it "
                    "with postmap (or postalias for an alias table)", path);
    else
        buf_sprintf(why, "open database %s: %s", path, mdb_strerror(rc));
    dict_lmdb_view_close(view);
    return -1;
}

/* dict_lmdb_find - exact lookup of the key bytes */
static int
dict_lmdb_find(DICT *dict, const void *key, size_t klen,
               DICT_INDEX_FOUND *value)
{
    DICT_LMDB *dl = (DICT_LMDB *) dict;
    MDB_val k = {.mv_size = klen,.mv_data = (void *) key};
    MDB_val v;
    int     rc;

    /* Such keys cannot be stored, and LMDB would call them an error. */
    if (klen == 0 || klen > DICT_LMDB_MAX_KEY)
        return 0;
    if ((rc = mdb_get(dl->txn, dl->dbi, &k, &v)) == MDB_NOTFOUND)
        return 0;
    if (rc != 0) {
        msg_warn("%s:%s: read error: %s", dict->type->name, dict->name,
                 mdb_strerror(rc));
        dict->error = DICT_ERR_RETRY;
        return -1;
    }
    value->data = v.mv_data;
    value->len = v.mv_size;
    return 1;
}

/* dict_lmdb_lookup - the lookup method */
static const char *
dict_lmdb_lookup(DICT *dict, const char *key)
{
    DICT_LMDB *dl = (DICT_LMDB *) dict;

    return dict_index_lookup(dict, key, dict_lmdb_find, dl->value_buf);
}

/* dict_lmdb_sequence - walk the entries in key order */
static int
dict_lmdb_sequence(DICT *dict, int func, const char **key, const char **value)
{
    DICT_LMDB *dl = (DICT_LMDB *) dict;
    MDB_val k;
    MDB_val v;
    int     rc;

    if (dl->cursor == NULL
        && (rc = mdb_cursor_open(dl->txn, dl->dbi, &dl->cursor)) != 0) {
        msg_warn("%s:%s: read error: %s", dict->type->name, dict->name,
                 mdb_strerror(rc));
        dict->error = DICT_ERR_RETRY;
        return -1;
    }
    rc = mdb_cursor_get(dl->cursor, &k, &v,
                        func == DICT_SEQ_FIRST ? MDB_FIRST : MDB_NEXT);
    if (rc == MDB_NOTFOUND)
        return 1;
    if (rc != 0) {
        msg_warn("%s:%s: read error: %s", dict->type->name, dict->name,
                 mdb_strerror(rc));
        dict->error = DICT_ERR_RETRY;
        return -1;
    }
    *key = dict_index_string(k.mv_data, k.mv_size, dl->key_buf);
    *value = dict_index_string(v.mv_data, v.mv_size, dl->value_buf);
    return 0;
}

/* dict_lmdb_close - release the reader */
static void
dict_lmdb_close(DICT *dict)
{
    DICT_LMDB *dl = (DICT_LMDB *) dict;
    DICT_LMDB_VIEW view = {.env = dl->env,.txn = dl->txn};

    if (dl->cursor)
        mdb_cursor_close(dl->cursor);
    dict_lmdb_view_close(&view);
    buf_free(dl->key_buf);
    buf_free(dl->value_buf);
    dict_free(dict);
}

/* dict_lmdb_reader - open NAME.suffix for lookups */
static DICT *
dict_lmdb_reader(const DICT_TYPE *type, const char *name, int open_flags,
                 int dict_flags, BUF *why)
{
    char   *path = dict_index_path(name, type->suffix);
    DICT_LMDB_VIEW view;
    DICT_LMDB *dl;
    struct stat st;

    if (dict_index_stat(path, &st, why) < 0
        || dict_lmdb_view_open(path, &view, why) < 0) {
        myfree(path);
        return NULL;
    }
    dict_index_check_source(path, &st, name);
    dl = (DICT_LMDB *) dict_alloc(type, name, sizeof(*dl), open_flags,
                                  dict_index_reader_flags(dict_flags));
    dl->env = view.env;
    dl->txn = view.txn;
    dl->dbi = view.dbi;
    dl->key_buf = buf_alloc(64);
    dl->value_buf = buf_alloc(100);
    dl->dict.lookup = dict_lmdb_lookup;
    dl->dict.sequence = dict_lmdb_sequence;
    dl->dict.close = dict_lmdb_close;
    dict_watch(&dl->dict, path);
    myfree(path);
    return &dl->dict;
}

/* dict_lmdb_load - every entry of the published index into the stage */
static int
dict_lmdb_load(const char *index_path, DICT_STAGE *stage, BUF *why)
{
    DICT_LMDB_VIEW view;
    MDB_cursor *cursor;
    MDB_val k;
    MDB_val v;
    int     rc;

    if (dict_lmdb_view_open(index_path, &view, why) < 0)
        return -1;
    if ((rc = mdb_cursor_open(view.txn, view.dbi, &cursor)) == 0) {
        for (rc = mdb_cursor_get(cursor, &k, &v, MDB_FIRST); rc == 0;
             rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT))
            dict_stage_put(stage, k.mv_data, k.mv_size, v.mv_data,
                           v.mv_size, 1);
        mdb_cursor_close(cursor);
    }
    dict_lmdb_view_close(&view);
    if (rc != MDB_NOTFOUND) {
        buf_sprintf(why, "read database %s: %s", index_path, mdb_strerror(rc));
        return -1;
    }
    return 0;
}

/* A write in progress. */
typedef struct DICT_LMDB_WRITE {
    MDB_txn *txn;
    MDB_dbi dbi;
    int     rc;
} DICT_LMDB_WRITE;

/* dict_lmdb_append - add one entry at the end of the sorted file */
static int
dict_lmdb_append(const DICT_STAGE_ENTRY *entry, void *ctx)
{
    DICT_LMDB_WRITE *wr = ctx;
    MDB_val k = {.mv_size = entry->klen,.mv_data = (void *) entry->key};
    MDB_val v = {.mv_size = entry->vlen,.mv_data = (void *) entry->value};

    return wr->rc = mdb_put(wr->txn, wr->dbi, &k, &v, MDB_APPEND);
}

/* dict_lmdb_write_once - write the whole stage with this map size and
 * report the bytes used; an LMDB status (MDB_MAP_FULL: try a larger map).
 * MDB_WRITEMAP writes pages straight into the file's mapping; that makes
 * the file as large as the map, so the caller cuts it to *used after. */
static int
dict_lmdb_write_once(DICT_STAGE *stage, const char *path, size_t map_size,
                     size_t *used)
{
    DICT_LMDB_WRITE wr = {0};
    MDB_envinfo info;
    MDB_stat st;
    MDB_env *env;
    int     rc;

    if ((rc = mdb_env_create(&env)) != 0)
        return rc;
    if ((rc = mdb_env_set_mapsize(env, map_size)) == 0
        && (rc = mdb_env_open(env, path, MDB_NOSUBDIR | MDB_NOLOCK
                              | MDB_NOSYNC | MDB_WRITEMAP, 0644)) == 0
        && (rc = mdb_txn_begin(env, NULL, 0, &wr.txn)) == 0) {
        if ((rc = mdb_dbi_open(wr.txn, NULL, MDB_CREATE, &wr.dbi)) == 0
            && dict_stage_walk(stage, DICT_STAGE_SORTED, dict_lmdb_append,
                               &wr) != 0)
            rc = wr.rc;
        if (rc == 0)
            rc = mdb_txn_commit(wr.txn);
        else
            mdb_txn_abort(wr.txn);
    }
    if (rc == 0 && (rc = mdb_env_info(env, &info)) == 0
        && (rc = mdb_env_stat(env, &st)) == 0)
        *used = (info.me_last_pgno + 1) * (size_t) st.ms_psize;
    mdb_env_close(env);
    return rc;
}

/* dict_lmdb_map_size - lmdb_map_size, or more if the entries need it */
static size_t
dict_lmdb_map_size(DICT_STAGE *stage)
{
    size_t  want = dict_stage_bytes(stage)
        + dict_stage_count(stage) * DICT_LMDB_NODE_COST;
    size_t  size = var_lmdb_map_size > 0 ? (size_t) var_lmdb_map_size :
        DICT_LMDB_DEF_MAP_SIZE;

    want += want / 4 + 1024 * 1024;
    while (size < want)
        size *= 2;
    return size;
}

/* dict_lmdb_write - write the stage into a new file, growing the map */
static int
dict_lmdb_write(DICT_STAGE *stage, const char *path, int fd, BUF *why)
{
    size_t  map_size = dict_lmdb_map_size(stage);
    size_t  used = 0;
    int     rc;

    while ((rc = dict_lmdb_write_once(stage, path, map_size, &used))
           == MDB_MAP_FULL) {
        if (map_size > SIZE_MAX / 2 || ftruncate(fd, 0) < 0)
            break;
        map_size *= 2;
    }
    if (rc != 0) {
        buf_sprintf(why, "write database %s: %s", path, mdb_strerror(rc));
        return -1;
    }
    if (ftruncate(fd, (off_t) used) < 0) {
        buf_sprintf(why, "write database %s: %m", path);
        return -1;
    }
    return 0;
}

static const DICT_INDEX_OPS dict_lmdb_ops = {
    .max_key = DICT_LMDB_MAX_KEY,
    .min_key = 1,
    .default_null = DICT_FLAG_TRY1NULL,
    .lock_suffix = "-lock",
    .load = dict_lmdb_load,
    .write = dict_lmdb_write,
};

/* dict_lmdb_open_type - a reader or a writer of the given type */
static DICT *
dict_lmdb_open_type(const DICT_TYPE *type, const char *name, int open_flags,
                    int dict_flags, BUF *why)
{
    if ((open_flags & O_ACCMODE) == O_RDONLY && !(open_flags & O_CREAT))
        return dict_lmdb_reader(type, name, open_flags, dict_flags, why);
    return dict_index_writer(type, &dict_lmdb_ops, name, open_flags,
                             dict_flags, why);
}

/* dict_lmdb_open - open an lmdb: table */
static DICT *
dict_lmdb_open(const char *name, int open_flags, int dict_flags, BUF *why)
{
    return dict_lmdb_open_type(&dict_type_lmdb, name, open_flags, dict_flags,
                               why);
}

/* dict_hash_open - open a hash: table (LMDB in NAME.db) */
static DICT *
dict_hash_open(const char *name, int open_flags, int dict_flags, BUF *why)
{
    return dict_lmdb_open_type(&dict_type_hash, name, open_flags, dict_flags,
                               why);
}

const DICT_TYPE dict_type_lmdb = {
    .name = "lmdb",
    .flags = DICT_TYPE_INDEXED | DICT_TYPE_FILE,
    .suffix = ".lmdb",
    .open = dict_lmdb_open,
};

const DICT_TYPE dict_type_hash = {
    .name = "hash",
    .flags = DICT_TYPE_INDEXED | DICT_TYPE_FILE,
    .suffix = ".db",
    .open = dict_hash_open,
};
