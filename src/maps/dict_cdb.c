/* dict_cdb - the "cdb" table type: a constant database NAME.cdb (tinycdb's
 * libcdb), built by postmap or postalias.
 *
 * Keys and values are stored without a trailing NUL, as Postfix's cdb
 * tables are, so either program reads what the other built. Readers map
 * the file (cdb_init on the descriptor); it is never changed in place
 * (dict_index.h). Writers are the common dict_index writer; this file only
 * loads an old index and writes a new one with cdb_make, entries in the
 * order they were first added. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>
#include <cdb.h>
#include "mymalloc.h"
#include "dict_index.h"
#include "dict_types.h"

typedef struct DICT_CDB {
    DICT    dict;
    struct cdb cdb;
    int     fd;
    unsigned seq_pos;                   /* dict_seq position */
    BUF    *key_buf;
    BUF    *value_buf;
} DICT_CDB;

/* dict_cdb_map - open and map path; the descriptor, or -1 with why */
static int
dict_cdb_map(const char *path, struct cdb *cdb, BUF *why)
{
    int     fd;

    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        buf_sprintf(why, "open database %s: %m", path);
        return -1;
    }
    if (cdb_init(cdb, fd) < 0) {
        if (errno == EPROTO)
            buf_sprintf(why, "open database %s: not a cdb file; rebuild it "
                        "with postmap (or postalias for an alias table)",
                        path);
        else
            buf_sprintf(why, "open database %s: %m", path);
        close(fd);
        return -1;
    }
    return fd;
}

/* dict_cdb_read_error - a corrupt file */
static int
dict_cdb_read_error(DICT *dict)
{
    msg_warn("%s:%s: read error: %m", dict->type->name, dict->name);
    dict->error = DICT_ERR_RETRY;
    return -1;
}

/* dict_cdb_find - exact lookup of the key bytes */
static int
dict_cdb_find(DICT *dict, const void *key, size_t klen,
              DICT_INDEX_FOUND *value)
{
    DICT_CDB *dc = (DICT_CDB *) dict;
    int     rc;

    if (klen > UINT_MAX)
        return 0;
    if ((rc = cdb_find(&dc->cdb, key, (unsigned) klen)) <= 0)
        return rc < 0 ? dict_cdb_read_error(dict) : 0;
    value->len = cdb_datalen(&dc->cdb);
    if ((value->data = cdb_getdata(&dc->cdb)) == NULL)
        return dict_cdb_read_error(dict);
    return 1;
}

/* dict_cdb_lookup - the lookup method */
static const char *
dict_cdb_lookup(DICT *dict, const char *key)
{
    DICT_CDB *dc = (DICT_CDB *) dict;

    return dict_index_lookup(dict, key, dict_cdb_find, dc->value_buf);
}

/* dict_cdb_sequence - walk the entries in file order */
static int
dict_cdb_sequence(DICT *dict, int func, const char **key, const char **value)
{
    DICT_CDB *dc = (DICT_CDB *) dict;
    const void *kp;
    const void *vp;
    int     rc;

    if (func == DICT_SEQ_FIRST)
        cdb_seqinit(&dc->seq_pos, &dc->cdb);
    if ((rc = cdb_seqnext(&dc->seq_pos, &dc->cdb)) == 0)
        return 1;
    if (rc < 0 || (kp = cdb_getkey(&dc->cdb)) == NULL
        || (vp = cdb_getdata(&dc->cdb)) == NULL)
        return dict_cdb_read_error(dict);
    *key = dict_index_string(kp, cdb_keylen(&dc->cdb), dc->key_buf);
    *value = dict_index_string(vp, cdb_datalen(&dc->cdb), dc->value_buf);
    return 0;
}

/* dict_cdb_close - unmap and close */
static void
dict_cdb_close(DICT *dict)
{
    DICT_CDB *dc = (DICT_CDB *) dict;

    cdb_free(&dc->cdb);
    close(dc->fd);
    buf_free(dc->key_buf);
    buf_free(dc->value_buf);
    dict_free(dict);
}

/* dict_cdb_reader - open NAME.cdb for lookups */
static DICT *
dict_cdb_reader(const char *name, int open_flags, int dict_flags, BUF *why)
{
    char   *path = dict_index_path(name, dict_type_cdb.suffix);
    struct stat st;
    struct cdb cdb;
    DICT_CDB *dc;
    int     fd;

    if (dict_index_stat(path, &st, why) < 0
        || (fd = dict_cdb_map(path, &cdb, why)) < 0) {
        myfree(path);
        return NULL;
    }
    dict_index_check_source(path, &st, name);
    dc = (DICT_CDB *) dict_alloc(&dict_type_cdb, name, sizeof(*dc),
                                 open_flags,
                                 dict_index_reader_flags(dict_flags));
    dc->cdb = cdb;
    dc->fd = fd;
    cdb_seqinit(&dc->seq_pos, &dc->cdb);
    dc->key_buf = buf_alloc(64);
    dc->value_buf = buf_alloc(100);
    dc->dict.lookup = dict_cdb_lookup;
    dc->dict.sequence = dict_cdb_sequence;
    dc->dict.close = dict_cdb_close;
    dict_watch(&dc->dict, path);
    myfree(path);
    return &dc->dict;
}

/* dict_cdb_load - every entry of the published index into the stage */
static int
dict_cdb_load(const char *index_path, DICT_STAGE *stage, BUF *why)
{
    struct cdb cdb;
    unsigned pos;
    const void *kp;
    const void *vp;
    int     fd;
    int     rc;

    if ((fd = dict_cdb_map(index_path, &cdb, why)) < 0)
        return -1;
    cdb_seqinit(&pos, &cdb);
    while ((rc = cdb_seqnext(&pos, &cdb)) > 0) {
        if ((kp = cdb_getkey(&cdb)) == NULL
            || (vp = cdb_getdata(&cdb)) == NULL) {
            rc = -1;
            break;
        }
        dict_stage_put(stage, kp, cdb_keylen(&cdb), vp, cdb_datalen(&cdb), 1);
    }
    cdb_free(&cdb);
    close(fd);
    if (rc < 0) {
        buf_sprintf(why, "read database %s: corrupt file", index_path);
        return -1;
    }
    return 0;
}

/* dict_cdb_add - one entry into the new file */
static int
dict_cdb_add(const DICT_STAGE_ENTRY *entry, void *ctx)
{
    struct cdb_make *cdbm = ctx;

    if (entry->klen > UINT_MAX || entry->vlen > UINT_MAX) {
        errno = EFBIG;
        return -1;
    }
    return cdb_make_add(cdbm, entry->key, (unsigned) entry->klen,
                        entry->value, (unsigned) entry->vlen) < 0 ? -1 : 0;
}

/* dict_cdb_write - write the stage into the new file */
static int
dict_cdb_write(DICT_STAGE *stage, const char *path, int fd, BUF *why)
{
    struct cdb_make *cdbm = mymalloc(sizeof(*cdbm));
    int     status;

    status = cdb_make_start(cdbm, fd);
    if (status == 0)
        status = dict_stage_walk(stage, DICT_STAGE_INSERTED, dict_cdb_add,
                                 cdbm);
    if (status == 0)
        status = cdb_make_finish(cdbm);
    if (status != 0)
        buf_sprintf(why, "write database %s: %m", path);
    myfree(cdbm);
    return status ? -1 : 0;
}

static const DICT_INDEX_OPS dict_cdb_ops = {
    .min_key = 0,
    .default_null = DICT_FLAG_TRY0NULL,
    .load = dict_cdb_load,
    .write = dict_cdb_write,
};

/* dict_cdb_open - a reader or a writer */
static DICT *
dict_cdb_open(const char *name, int open_flags, int dict_flags, BUF *why)
{
    if ((open_flags & O_ACCMODE) == O_RDONLY && !(open_flags & O_CREAT))
        return dict_cdb_reader(name, open_flags, dict_flags, why);
    return dict_index_writer(&dict_type_cdb, &dict_cdb_ops, name, open_flags,
                             dict_flags, why);
}

const DICT_TYPE dict_type_cdb = {
    .name = "cdb",
    .flags = DICT_TYPE_INDEXED | DICT_TYPE_FILE,
    .suffix = ".cdb",
    .open = dict_cdb_open,
};
