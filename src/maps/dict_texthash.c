/* dict_texthash - texthash:/path, a postmap(1) source file read into memory
 * when the table is opened, so it needs no postmap run.
 *
 * The file has the "key whitespace value" format that dict_src.c reads
 * (comments, continuation lines, a warning for a line without a value).
 * Entries go into an in-memory table (dict_mem.c), which handles case
 * folding and duplicate keys. The file is watched, so a daemon that uses
 * the table restarts when the file is replaced or edited. Read-only. */
#include "dict_mem.h"
#include "dict_src.h"
#include "dict_types.h"

/* dict_texthash_load - read every entry of src into dict; -1 on a read
 * error, with *why */
static int
dict_texthash_load(DICT *dict, DICT_SRC *src, BUF *why)
{
    const char *key;
    const char *value;
    int     lineno;
    int     status;

    while ((status = dict_src_next(src, &key, &value, &lineno)) > 0)
        dict_mem_enter(dict, key, value, dict_src_path(src), lineno);
    if (status < 0) {
        buf_sprintf(why, "read %s: %m", dict_src_path(src));
        return -1;
    }
    return 0;
}

/* dict_texthash_open - read the file into a new in-memory table */
static DICT *
dict_texthash_open(const char *name, int open_flags, int dict_flags,
                   BUF *why)
{
    DICT   *dict;
    DICT_SRC *src;
    int     status;

    if (dict_mem_need_rdonly(&dict_type_texthash, name, open_flags, why) < 0)
        return NULL;
    dict = dict_mem_create(&dict_type_texthash, name, open_flags, dict_flags);

    /*
     * Watch before reading: a file replaced in between then reads as
     * changed (one needless restart), never as unchanged new contents.
     */
    dict_watch(dict, name);
    if ((src = dict_src_open(name, why)) == NULL) {
        dict_close(dict);
        return NULL;
    }
    status = dict_texthash_load(dict, src, why);
    dict_src_close(src);
    if (status < 0) {
        dict_close(dict);
        return NULL;
    }
    return dict;
}

const DICT_TYPE dict_type_texthash = {
    .name = "texthash",
    .flags = DICT_TYPE_FILE,
    .open = dict_texthash_open,
};
