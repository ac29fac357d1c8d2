/* dict_surrogate - stand-in for a table that could not be opened.
 *
 * Every lookup logs the reason and fails with DICT_ERR_RETRY, so callers
 * defer mail instead of acting as if the key were absent. When the table is
 * a file, the stand-in watches it, so that maps_changed() restarts a daemon
 * once the administrator has created or rebuilt it. */
#include <stdlib.h>
#include "mymalloc.h"
#include "msg.h"
#include "maps.h"

typedef struct DICT_SURROGATE {
    DICT    dict;
    char   *spec;
    char   *reason;
} DICT_SURROGATE;

static const DICT_TYPE dict_type_surrogate = {
    .name = "unavailable",
};

/* dict_surrogate_lookup - fail, with the reason */
static const char *
dict_surrogate_lookup(DICT *dict, const char *key)
{
    DICT_SURROGATE *sp = (DICT_SURROGATE *) dict;

    msg_warn("%s is unavailable. %s", sp->spec, sp->reason);
    dict->error = DICT_ERR_RETRY;
    return NULL;
}

/* dict_surrogate_close - release the stand-in */
static void
dict_surrogate_close(DICT *dict)
{
    DICT_SURROGATE *sp = (DICT_SURROGATE *) dict;

    free(sp->spec);
    free(sp->reason);
    dict_free(dict);
}

/* dict_surrogate_watch - watch the file behind a file-based spec */
static void
dict_surrogate_watch(DICT *dict, const char *spec)
{
    BUF    *why = buf_alloc(100);
    BUF    *path = buf_alloc(100);
    const DICT_TYPE *type;
    char   *type_name;
    char   *name;

    if (dict_split_spec(spec, &type_name, &name, why) == 0) {
        if ((type = dict_type_find(type_name)) != NULL
            && (type->flags & DICT_TYPE_FILE)) {
            buf_sprintf(path, "%s%s", name, type->suffix ? type->suffix : "");
            dict_watch(dict, buf_str(path));
        }
        free(type_name);
        free(name);
    }
    buf_free(why);
    buf_free(path);
}

/* dict_surrogate - the stand-in for spec */
DICT   *
dict_surrogate(const char *spec, int open_flags, int dict_flags,
               const char *why)
{
    DICT_SURROGATE *sp;

    sp = (DICT_SURROGATE *) dict_alloc(&dict_type_surrogate, spec,
                                       sizeof(*sp), open_flags, dict_flags);
    sp->spec = mystrdup(spec);
    sp->reason = mystrdup(why);
    sp->dict.lookup = dict_surrogate_lookup;
    sp->dict.close = dict_surrogate_close;
    dict_surrogate_watch(&sp->dict, spec);
    return &sp->dict;
}
