/* setid_conf - configuration for set-gid commands. See setid_conf.h.
 *
 * Model: Postfix's postqueue and postdrop (a set-gid postqueue run by a
 * user with -c DIR first reads the default main.cf, then refuses DIR
 * unless alternate_config_directories lists it). Peers: mail_conf. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "argv.h"
#include "mail_conf.h"
#include "mail_params.h"
#include "mymalloc.h"
#include "setid_conf.h"

/* setid_conf_privileged - whether this process runs set-id */
bool
setid_conf_privileged(void)
{
    return getuid() != geteuid() || getgid() != getegid();
}

/* setid_conf_env - a clean environment; MAIL_CONFIG is returned */
char   *
setid_conf_env(int *err)
{
    const char *env = getenv("MAIL_CONFIG");
    char   *dir = env && *env ? mystrdup(env) : NULL;
    const char *tz = getenv("TZ");
    char   *tz_copy = tz ? mystrdup(tz) : NULL;

    *err = 0;
    if (clearenv() != 0 || setenv("PATH", "/usr/bin:/bin", 1) != 0
        || setenv("LANG", "C", 1) != 0
        || (tz_copy && setenv("TZ", tz_copy, 1) != 0))
        *err = -1;
    myfree(tz_copy);
    return dir;
}

/* setid_conf_listed - whether the default main.cf lists dir */
static int
setid_conf_listed(const char *dir, BUF *why)
{
    BUF    *path = buf_alloc(100);
    const char *list;
    ARGV   *dirs;
    int     found = 0;

    buf_sprintf(path, "%s/%s", DEF_CONFIG_DIR, MAIN_CF);
    if (mail_conf_read_file(buf_str(path), why) < 0) {
        buf_free(path);
        mail_conf_reset();
        return -1;
    }
    if ((list = mail_conf_eval("alternate_config_directories")) != NULL) {
        dirs = argv_split(list, LIST_DELIM);
        for (int i = 0; i < dirs->argc && !found; i++)
            found = strcmp(dirs->argv[i], dir) == 0;
        argv_free(dirs);
    }
    mail_conf_reset();
    if (!found)
        buf_sprintf(why, "%s is not listed in alternate_config_directories "
                    "of %s: refusing the alternate configuration directory",
                    dir, buf_str(path));
    buf_free(path);
    return found ? 0 : -1;
}

/* setid_conf_check - whether dir may be used */
int
setid_conf_check(const char *dir, BUF *why)
{
    if (dir == NULL || *dir == 0 || strcmp(dir, DEF_CONFIG_DIR) == 0
        || !setid_conf_privileged() || getuid() == 0)
        return 0;
    return setid_conf_listed(dir, why);
}

/* setid_conf_load - check dir, then read main.cf */
int
setid_conf_load(const char *dir, BUF *why)
{
    if (setid_conf_check(dir, why) < 0)
        return -1;
    if (dir && *dir)
        mail_conf_set_dir(dir);
    mail_conf_read();
    mail_params_init();
    return 0;
}
