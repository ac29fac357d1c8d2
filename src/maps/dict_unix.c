/* dict_unix - unix:passwd.byname and unix:group.byname, the system's user
 * and group databases as tables (getpwnam, getgrnam).
 *
 * Model: Postfix 3.7's dict_unix. A user's value is the passwd line
 * "name:passwd:uid:gid:gecos:dir:shell", a group's "name:passwd:gid:
 * member,member". Fixed-string keys: under DICT_FLAG_FOLD_FIX (the daemon
 * default) the key is lowercased, so "Root" finds root. Any other name
 * cannot be opened ("unknown table"). Read-only. Used by the default
 * local_recipient_maps (proxy:unix:passwd.byname $alias_maps). */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>

#include "dict_types.h"

/* The table and its result buffer. */
typedef struct DICT_UNIX {
    DICT    dict;
    BUF    *value;
} DICT_UNIX;

/* dict_unix_passwd - a user's passwd line, or NULL */
static const char *
dict_unix_passwd(DICT *dict, const char *key)
{
    DICT_UNIX *du = (DICT_UNIX *) dict;
    struct passwd *pw;

    errno = 0;
    if ((pw = getpwnam(key)) == NULL) {
        if (errno != 0 && errno != ENOENT && errno != ESRCH)
            dict->error = DICT_ERR_RETRY;
        return NULL;
    }
    buf_sprintf(du->value, "%s:%s:%ld:%ld:%s:%s:%s", pw->pw_name,
                pw->pw_passwd, (long) pw->pw_uid, (long) pw->pw_gid,
                pw->pw_gecos, pw->pw_dir, pw->pw_shell);
    return buf_str(du->value);
}

/* dict_unix_group - a group's line, or NULL */
static const char *
dict_unix_group(DICT *dict, const char *key)
{
    DICT_UNIX *du = (DICT_UNIX *) dict;
    struct group *gr;

    errno = 0;
    if ((gr = getgrnam(key)) == NULL) {
        if (errno != 0 && errno != ENOENT && errno != ESRCH)
            dict->error = DICT_ERR_RETRY;
        return NULL;
    }
    buf_sprintf(du->value, "%s:%s:%ld:", gr->gr_name, gr->gr_passwd,
                (long) gr->gr_gid);
    for (char **mem = gr->gr_mem; *mem != NULL; mem++)
        buf_sprintf_append(du->value, "%s%s", mem == gr->gr_mem ? "" : ",",
                           *mem);
    return buf_str(du->value);
}

/* dict_unix_close - free the buffer and the table */
static void
dict_unix_close(DICT *dict)
{
    buf_free(((DICT_UNIX *) dict)->value);
    dict_free(dict);
}

/* dict_unix_open - passwd.byname or group.byname */
static DICT *
dict_unix_open(const char *name, int open_flags, int dict_flags, BUF *why)
{
    DICT_UNIX *du;
    const char *(*lookup) (DICT *, const char *);

    if (strcmp(name, "passwd.byname") == 0)
        lookup = dict_unix_passwd;
    else if (strcmp(name, "group.byname") == 0)
        lookup = dict_unix_group;
    else {
        buf_sprintf(why, "unknown table: unix:%s", name);
        return NULL;
    }
    du = (DICT_UNIX *) dict_alloc(&dict_type_unix, name, sizeof(*du),
                                  open_flags, (dict_flags & ~DICT_FLAG_PATTERN)
                                  | DICT_FLAG_FIXED);
    du->dict.lookup = lookup;
    du->dict.close = dict_unix_close;
    du->value = buf_alloc(100);
    return &du->dict;
}

const DICT_TYPE dict_type_unix = {
    .name = "unix",
    .open = dict_unix_open,
};
