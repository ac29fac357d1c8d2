/* dict - the lookup table ("map") interface: open by "type:name", lookup,
 * optional update/delete/sequence, close.
 *
 * Every table type lives in its own dict_<type>.c and exports one const
 * DICT_TYPE (name, capabilities, open function) that dict_registry.c lists.
 * An open table is a DICT whose method pointers the type fills in; callers
 * use the dict_get/dict_put/dict_del/dict_seq wrappers, which fold key case
 * where the table asks for it and clear the error state before each call.
 *
 * Results: dict_get returns the value (valid until the next call on the same
 * DICT) or NULL. NULL with dict->error == DICT_ERR_NONE means "not found";
 * any other error means the answer is unknown: callers must treat it as a
 * temporary failure, never as "not found". */
#ifndef DICT_H
#define DICT_H
#include <fcntl.h>
#include <sys/types.h>
#include <time.h>
#include "buf.h"

/* dict->error after each call. */
#define DICT_ERR_NONE    0              /* found, or definitely not found */
#define DICT_ERR_RETRY   (-1)           /* temporary failure (I/O, server) */
#define DICT_ERR_CONFIG  (-2)           /* the table is unusable as configured */

/* dict_flags: how the caller wants the table (set at open). */
#define DICT_FLAG_DUP_WARN    (1 << 0)  /* warn about duplicate keys, keep first */
#define DICT_FLAG_DUP_IGNORE  (1 << 1)  /* silently keep the first */
#define DICT_FLAG_DUP_REPLACE (1 << 2)  /* the last one wins */
#define DICT_FLAG_TRY0NULL    (1 << 3)  /* keys/values stored without a NUL */
#define DICT_FLAG_TRY1NULL    (1 << 4)  /* keys/values stored with a NUL */
#define DICT_FLAG_FOLD_FIX    (1 << 5)  /* lowercase keys of fixed-string tables */
#define DICT_FLAG_NO_REGSUB   (1 << 6)  /* reject $n substitution in results */
/* Set by the type's open function, never by callers: */
#define DICT_FLAG_FIXED       (1 << 16) /* exact-key lookups (partial keys ok) */
#define DICT_FLAG_PATTERN     (1 << 17) /* pattern table: whole keys only */

#define DICT_FLAG_DUP_MASK \
        (DICT_FLAG_DUP_WARN | DICT_FLAG_DUP_IGNORE | DICT_FLAG_DUP_REPLACE)
/* The flags every table opened for lookups by daemons gets. */
#define DICT_FLAG_DEFAULT     (DICT_FLAG_DUP_WARN | DICT_FLAG_FOLD_FIX)

/* dict_seq functions. */
#define DICT_SEQ_FIRST   0
#define DICT_SEQ_NEXT    1

typedef struct DICT DICT;
struct DICT {
    const struct DICT_TYPE *type;
    char   *name;                       /* the part after "type:" */
    int     open_flags;                 /* O_RDONLY, O_RDWR | O_CREAT, ... */
    int     flags;                      /* DICT_FLAG_* */
    int     error;                      /* DICT_ERR_* of the last call */
    /* Methods: lookup is required, the rest may be NULL (not supported). */
    const char *(*lookup) (DICT *dict, const char *key);
    int     (*update) (DICT *dict, const char *key, const char *value);
    int     (*delete) (DICT *dict, const char *key);
    int     (*sequence) (DICT *dict, int func, const char **key,
                         const char **value);
    void    (*close) (DICT *dict);      /* frees type data, then dict_free() */
    int     (*changed) (DICT *dict);    /* composites: a member changed */
    /* File watched for changes (NULL if none): set by file-backed types. */
    char   *watch_path;
    ino_t   watch_ino;
    dev_t   watch_dev;
    struct timespec watch_mtime;
    BUF    *fold_buf;                   /* folded key, owned by the wrappers */
};

/* How a type is used; flags of DICT_TYPE. */
#define DICT_TYPE_INDEXED   (1 << 0)    /* postmap/postalias can build it */
#define DICT_TYPE_FILE      (1 << 1)    /* name is a file path */
#define DICT_TYPE_COMPOSITE (1 << 2)    /* name lists other tables */
#define DICT_TYPE_NO_NAME   (1 << 3)    /* name may be empty (fail:, environ:) */

typedef struct DICT_TYPE {
    const char *name;                   /* "lmdb" */
    int     flags;                      /* DICT_TYPE_* */
    const char *suffix;                 /* indexed file suffix: ".lmdb" */
    /* open - return a table or NULL with *why set; never exits */
    DICT   *(*open) (const char *name, int open_flags, int dict_flags,
                               BUF *why);
} DICT_TYPE;

/* dict_type_find - the registered type with this name, or NULL */
const DICT_TYPE *dict_type_find(const char *name);

/* dict_type_list - all registered types, NULL-terminated, in registry order */
const DICT_TYPE *const *dict_type_list(void);

/* dict_open - open "type:name"; NULL with *why on any failure (unknown type,
 * missing file, syntax error in the table). */
DICT   *dict_open(const char *spec, int open_flags, int dict_flags, BUF *why);

/* dict_open_type - the same with type and name already split */
DICT   *dict_open_type(const char *type, const char *name, int open_flags,
                       int dict_flags, BUF *why);

/* dict_split_spec - split "type:name" (name may be "{...}", returned without
 * the braces); 0, or -1 with *why. The caller frees *type and *name. */
int     dict_split_spec(const char *spec, char **type, char **name, BUF *why);

/* dict_get/dict_put/dict_del/dict_seq - call the methods with case folding
 * and error reset; put/del/seq on a table without the method set
 * DICT_ERR_CONFIG and return -1 (put/del) or -1 (seq).
 * dict_put returns 0 on success, 1 for a duplicate that was kept, -1 error.
 * dict_del returns 0 deleted, 1 not found, -1 error.
 * dict_seq returns 0 for an entry, 1 at the end, -1 error. */
const char *dict_get(DICT *dict, const char *key);
int     dict_put(DICT *dict, const char *key, const char *value);
int     dict_del(DICT *dict, const char *key);
int     dict_seq(DICT *dict, int func, const char **key, const char **value);
void    dict_close(DICT *dict);

/* For type implementations. */

/* dict_alloc - a zeroed DICT of size bytes (>= sizeof(DICT)) with type and
 * name set and lookup as given; other methods start NULL */
DICT   *dict_alloc(const DICT_TYPE *type, const char *name, size_t size,
                   int open_flags, int dict_flags);

/* dict_free - free what dict_alloc allocated */
void    dict_free(DICT *dict);

/* dict_watch - remember path's identity so dict_changed() can notice a new
 * file (rebuilt by postmap) or a modified one; path is usually the file the
 * table reads (the index for indexed types) */
void    dict_watch(DICT *dict, const char *path);

/* dict_changed - the watched file was replaced or modified since open (for
 * composite types: the changed method says whether any member changed) */
int     dict_changed(DICT *dict);

/* dict_fold - lowercase key into dict->fold_buf and return it */
const char *dict_fold(DICT *dict, const char *key);

#endif
