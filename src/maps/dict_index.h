/* dict_index - what the indexed table types (lmdb, hash, cdb) share.
 *
 * An indexed table "type:NAME" is the file NAME + suffix, built from the
 * source file NAME by postmap or postalias. A published index is never
 * changed in place: a writer (a table opened with O_CREAT or O_RDWR)
 * collects the entries in memory (dict_stage.h; the published ones first
 * unless O_TRUNC), and dict_index_commit() writes a new index into a
 * temporary file in the same directory, syncs it and renames it over the
 * old one. A reader that opened the old file keeps reading the old inode;
 * a new reader sees the complete new file. Writers of one index take turns
 * through an exclusive lock on the published file.
 *
 * NUL bytes: Postfix stores keys and values with a trailing NUL in LMDB
 * (and Berkeley DB) files and without one in cdb files; postmap -N and -n
 * choose. DICT_FLAG_TRY1NULL/TRY0NULL say which forms a lookup tries; the
 * first form that is found is remembered (the other flag is cleared). */
#ifndef DICT_INDEX_H
#define DICT_INDEX_H
#include <sys/stat.h>
#include "dict.h"
#include "dict_stage.h"

/* What a type plugs into the common writer. */
typedef struct DICT_INDEX_OPS {
    size_t  max_key;                    /* longest key stored, 0: no limit */
    size_t  min_key;                    /* shortest key stored */
    int     default_null;               /* DICT_FLAG_TRY1NULL or TRY0NULL */
    const char *lock_suffix;            /* NAME.suffix + this: a lock file
                                         * of the old index, removed when a
                                         * new one is published (or NULL) */
    /* load - put every entry of the published index into stage */
    int     (*load) (const char *index_path, DICT_STAGE *stage, BUF *why);
    /* write - write stage into the new, empty file tmp_path (open as fd);
     * the caller syncs and publishes it */
    int     (*write) (DICT_STAGE *stage, const char *tmp_path, int fd,
                      BUF *why);
} DICT_INDEX_OPS;

/* A found key or value as a string. */
typedef struct DICT_INDEX_FOUND {
    const void *data;
    size_t  len;
} DICT_INDEX_FOUND;

/* dict_index_find - look up exactly these key bytes; 1 found (*value
 * set), 0 not found, -1 error (the function sets dict->error) */
typedef int (*DICT_INDEX_FIND_FN) (DICT *dict, const void *key,
                                   size_t klen, DICT_INDEX_FOUND *value);

/* dict_index_path - NAME + suffix (caller frees) */
char   *dict_index_path(const char *name, const char *suffix);

/* dict_index_writer - open type:name for writing (see above); NULL with
 * why when the index cannot be locked, loaded or its temporary file
 * created */
DICT   *dict_index_writer(const DICT_TYPE *type, const DICT_INDEX_OPS *ops,
                          const char *name, int open_flags, int dict_flags,
                          BUF *why);

/* dict_index_is_writer - dict came from dict_index_writer */
int     dict_index_is_writer(const DICT *dict);

/* dict_index_commit - publish a writer's table and close it: 0, or -1
 * with why (the temporary file is removed, the old index is unchanged).
 * A writer with no changes since it loaded an existing index publishes
 * nothing. Any other table is just closed. dict_close() on a writer does
 * the same and logs a failure with msg_warn. */
int     dict_index_commit(DICT *dict, BUF *why);

/* dict_index_reader_flags - the NUL flags of a table opened for lookups:
 * both forms unless the caller chose one */
int     dict_index_reader_flags(int dict_flags);

/* dict_index_lookup - the lookup protocol for key with the NUL forms that
 * dict->flags allows; returns the value as a string (in place when it
 * ends with a NUL, else copied into buf) or NULL */
const char *dict_index_lookup(DICT *dict, const char *key,
                              DICT_INDEX_FIND_FN find, BUF *buf);

/* dict_index_string - data as a string: in place when it ends with a NUL
 * (stored by -N), else copied into buf */
const char *dict_index_string(const void *data, size_t len, BUF *buf);

/* dict_index_stat - stat the index for a reader: 0, or -1 with
 * "open database PATH: reason" in why */
int     dict_index_stat(const char *index_path, struct stat *st, BUF *why);

/* dict_index_check_source - warn "database INDEX is older than source
 * file SOURCE" when the source changed after the index was built (and
 * more than 100 seconds ago, so an edit being indexed right now is not
 * flagged), as Postfix does */
void    dict_index_check_source(const char *index_path,
                                const struct stat *index_st,
                                const char *source_path);

/* dict_index_cleanup - remove every temporary index file that is not yet
 * published; async-signal-safe. The first writer also installs it as the
 * msg_cleanup() hook (chaining any hook set before), so a fatal error
 * leaves no stray file. */
void    dict_index_cleanup(void);

#endif
