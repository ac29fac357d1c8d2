/* dict - open tables by "type:name" and call their methods.
 *
 * The wrappers here are the only callers of the method pointers: they fold
 * key case for fixed-string tables opened with DICT_FLAG_FOLD_FIX, reset the
 * error state before every call, and answer "not supported" for methods a
 * type does not have. Types are found in dict_registry.c. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "mymalloc.h"
#include "dict.h"

/* dict_split_spec - split "type:name", unwrapping a "{...}" name */
int
dict_split_spec(const char *spec, char **type, char **name, BUF *why)
{
    const char *colon = strchr(spec, ':');
    const char *start;
    const char *end;

    if (colon == NULL || colon == spec) {
        buf_sprintf(why, "expecting \"type:name\" form instead of \"%s\"", spec);
        return -1;
    }
    start = colon + 1;
    end = start + strlen(start);
    if (*start == '{') {
        if (end[-1] != '}' || end - start < 2) {
            buf_sprintf(why, "missing '}' in \"%s\"", spec);
            return -1;
        }
        for (start++, end--; isspace((unsigned char) *start); start++)
             /* void */ ;
        while (end > start && isspace((unsigned char) end[-1]))
            end--;
    }
    *type = mystrndup(spec, colon - spec);
    *name = mystrndup(start, end - start);
    return 0;
}

/* dict_open_type - find the type and let it open the table */
DICT   *
dict_open_type(const char *type, const char *name, int open_flags,
               int dict_flags, BUF *why)
{
    const DICT_TYPE *tp = dict_type_find(type);

    if (tp == NULL) {
        buf_sprintf(why, "unsupported dictionary type: %s", type);
        return NULL;
    }
    if (*name == 0 && !(tp->flags & DICT_TYPE_NO_NAME)) {
        buf_sprintf(why, "table %s: needs a name after \"%s:\"", type, type);
        return NULL;
    }
    return tp->open(name, open_flags, dict_flags, why);
}

/* dict_open - open "type:name" */
DICT   *
dict_open(const char *spec, int open_flags, int dict_flags, BUF *why)
{
    char   *type;
    char   *name;
    DICT   *dict;

    if (dict_split_spec(spec, &type, &name, why) < 0)
        return NULL;
    dict = dict_open_type(type, name, open_flags, dict_flags, why);
    free(type);
    free(name);
    return dict;
}

/* dict_fold - lowercase key into the table's fold buffer */
const char *
dict_fold(DICT *dict, const char *key)
{
    if (dict->fold_buf == NULL)
        dict->fold_buf = buf_alloc(64);
    buf_strcpy(dict->fold_buf, key);
    buf_lowercase(dict->fold_buf);
    return buf_str(dict->fold_buf);
}

/* dict_key - the key as the table wants to see it */
static const char *
dict_key(DICT *dict, const char *key)
{
    if ((dict->flags & (DICT_FLAG_FIXED | DICT_FLAG_FOLD_FIX))
        == (DICT_FLAG_FIXED | DICT_FLAG_FOLD_FIX))
        return dict_fold(dict, key);
    return key;
}

/* dict_get - look up a key */
const char *
dict_get(DICT *dict, const char *key)
{
    dict->error = DICT_ERR_NONE;
    return dict->lookup(dict, dict_key(dict, key));
}

/* dict_unsupported - a method the type lacks */
static int
dict_unsupported(DICT *dict)
{
    dict->error = DICT_ERR_CONFIG;
    return -1;
}

/* dict_put - add or replace an entry */
int
dict_put(DICT *dict, const char *key, const char *value)
{
    dict->error = DICT_ERR_NONE;
    if (dict->update == NULL)
        return dict_unsupported(dict);
    return dict->update(dict, dict_key(dict, key), value);
}

/* dict_del - remove an entry */
int
dict_del(DICT *dict, const char *key)
{
    dict->error = DICT_ERR_NONE;
    if (dict->delete == NULL)
        return dict_unsupported(dict);
    return dict->delete(dict, dict_key(dict, key));
}

/* dict_seq - walk the entries */
int
dict_seq(DICT *dict, int func, const char **key, const char **value)
{
    dict->error = DICT_ERR_NONE;
    if (dict->sequence == NULL)
        return dict_unsupported(dict);
    return dict->sequence(dict, func, key, value);
}

/* dict_close - close the table (a writer commits here) */
void
dict_close(DICT *dict)
{
    dict->close(dict);
}

/* dict_alloc - the common part of every open table */
DICT   *
dict_alloc(const DICT_TYPE *type, const char *name, size_t size,
           int open_flags, int dict_flags)
{
    DICT   *dict;

    if (size < sizeof(DICT))
        msg_panic("dict_alloc: size %zu too small", size);
    dict = mymalloc(size);
    memset(dict, 0, size);
    dict->type = type;
    dict->name = mystrdup(name);
    dict->open_flags = open_flags;
    dict->flags = dict_flags;
    dict->error = DICT_ERR_NONE;
    return dict;
}

/* dict_free - release the common part */
void
dict_free(DICT *dict)
{
    free(dict->name);
    free(dict->watch_path);
    if (dict->fold_buf)
        buf_free(dict->fold_buf);
    free(dict);
}

/* dict_watch - remember the file's identity for dict_changed */
void
dict_watch(DICT *dict, const char *path)
{
    struct stat st;

    free(dict->watch_path);
    dict->watch_path = mystrdup(path);
    if (stat(path, &st) < 0) {
        dict->watch_ino = 0;
        dict->watch_dev = 0;
        memset(&dict->watch_mtime, 0, sizeof(dict->watch_mtime));
        return;
    }
    dict->watch_ino = st.st_ino;
    dict->watch_dev = st.st_dev;
    dict->watch_mtime = st.st_mtim;
}

/* dict_changed - the watched file is not the one that was opened */
int
dict_changed(DICT *dict)
{
    struct stat st;

    if (dict->changed)
        return dict->changed(dict);
    if (dict->watch_path == NULL)
        return 0;
    if (stat(dict->watch_path, &st) < 0)
        return errno == ENOENT && dict->watch_ino != 0;
    return st.st_ino != dict->watch_ino || st.st_dev != dict->watch_dev
        || st.st_mtim.tv_sec != dict->watch_mtime.tv_sec
        || st.st_mtim.tv_nsec != dict->watch_mtime.tv_nsec;
}
