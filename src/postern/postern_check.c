/* postern_check - the configuration checks of start, reload and check.
 *
 * Model: main.cf was already read (a syntax error there is fatal before
 * any command runs). Here: master.cf must parse; every master.cf command
 * should exist in $daemon_directory; main.cf names and master.cf -o names
 * that no parameter uses are reported as "unused parameter" (a name is
 * used when it is a known parameter or another value refers to it as
 * $name); the queue tree is checked (mail_dirs_check); as root,
 * mail_owner and setgid_group must exist and must not be root (sharing
 * one group between them is only a warning). Problems that stop the
 * system are errors; the rest are warnings.
 * Peers: mail_conf, master_conf, mail_dirs, priv. */
#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "mail_conf.h"
#include "mail_dirs.h"
#include "mail_params.h"
#include "maillog.h"
#include "master_conf.h"
#include "msg.h"
#include "mymalloc.h"
#include "postern.h"
#include "priv.h"

/* postern_check_master_cf - parse master.cf; an error is fatal or, when
 * not fatal, reported and NULL returned */
MASTER_CONF *
postern_check_master_cf(bool fatal)
{
    BUF    *why = buf_alloc(100);
    MASTER_CONF *conf;

    if ((conf = master_conf_load(why)) == NULL) {
        if (fatal)
            msg_fatal("%s", buf_str(why));
        msg_error("%s", buf_str(why));
    }
    buf_free(why);
    return conf;
}

/* postern_check_refers - whether text refers to $name, ${name} or $(name) */
static bool
postern_check_refers(const char *text, const char *name)
{
    size_t  len = strlen(name);

    for (const char *cp = text; (cp = strchr(cp, '$')) != NULL; cp++) {
        const char *start = cp + 1;

        if (*start == '{' || *start == '(')
            start++;
        if (strncmp(start, name, len) == 0
            && !(isalnum((unsigned char) start[len]) || start[len] == '_'))
            return true;
    }
    return false;
}

/* postern_check_used - whether a parameter name is used anywhere */
static bool
postern_check_used(const char *name, const char **names,
                   const MASTER_CONF *conf)
{
    const char *value;

    if (param_info(name) != NULL)
        return true;
    for (int i = 0; names[i]; i++)
        if ((value = mail_conf_lookup_set(names[i])) != NULL
            && postern_check_refers(value, name))
            return true;
    for (int i = 0; conf && i < conf->count; i++) {
        const MASTER_ENT *ent = conf->ents[i];

        for (int j = 0; j < ent->overrides->argc; j++)
            if (postern_check_refers(ent->overrides->argv[j], name))
                return true;
        for (int j = 0; j < ent->args->argc; j++)
            if (postern_check_refers(ent->args->argv[j], name))
                return true;
    }
    return false;
}

/* postern_check_unused - warn about parameters that nothing uses */
static void
postern_check_unused(const MASTER_CONF *conf)
{
    const char **names = mail_conf_names();
    ARGV   *more = argv_alloc(10);
    BUF    *name = buf_alloc(50);

    /* main.cf: names that are not parameters and that nothing refers to. */
    for (int i = 0; conf && i < conf->count; i++)
        for (int j = 0; j < conf->ents[i]->overrides->argc; j++)
            argv_add(more, conf->ents[i]->overrides->argv[j]);
    (void) mail_conf_warn_unused(more);

    /* master.cf: -o names that are not parameters nor referred to. */
    for (int i = 0; conf && i < conf->count; i++) {
        const MASTER_ENT *ent = conf->ents[i];

        for (int j = 0; j < ent->overrides->argc; j++) {
            const char *text = ent->overrides->argv[j];
            const char *eq = strchr(text, '=');

            buf_reset(name);
            buf_append(name, text, eq ? (size_t) (eq - text) : strlen(text));
            buf_trim_right(name);
            if (!postern_check_used(buf_str(name), names, conf))
                msg_warn("%s/%s:%d: unused parameter: %s", mail_conf_dir(),
                         MASTER_CF, ent->line, text);
        }
    }
    argv_free(more);
    buf_free(name);
    myfree(names);
}

/* postern_check_commands - warn about master.cf commands that are missing */
static void
postern_check_commands(const MASTER_CONF *conf)
{
    BUF    *path = buf_alloc(100);

    for (int i = 0; conf && i < conf->count; i++) {
        const MASTER_ENT *ent = conf->ents[i];
        const char *cmd = ent->args->argc > 0 ? ent->args->argv[0] : "";

        if (*cmd == '/')
            buf_strcpy(path, cmd);
        else
            buf_sprintf(path, "%s/%s", var_daemon_directory, cmd);
        if (access(buf_str(path), X_OK) < 0)
            msg_warn("%s/%s:%d: service %s: command not found: %s",
                     mail_conf_dir(), MASTER_CF, ent->line, ent->name,
                     buf_str(path));
    }
    buf_free(path);
}

/* postern_check_users - as root: mail_owner and setgid_group; errors */
static int
postern_check_users(void)
{
    uid_t   uid;
    gid_t   gid, setgid;
    int     errors = 0;

    if (geteuid() != 0)
        return 0;
    if (priv_lookup_user(var_mail_owner, &uid, &gid) < 0) {
        msg_error("unknown mail_owner user: %s", var_mail_owner);
        return 1;
    }
    if (uid == 0) {
        msg_error("mail_owner (%s) must not be the super-user",
                  var_mail_owner);
        errors++;
    }
    if (priv_lookup_group(var_setgid_group, &setgid) < 0) {
        msg_error("unknown setgid_group group: %s", var_setgid_group);
        return errors + 1;
    }
    if (setgid == 0) {
        msg_error("setgid_group (%s) must not be the super-user group",
                 var_setgid_group);
        errors++;
    }
    if (setgid == gid)
        msg_warn("setgid_group (%s) should not be the group of mail_owner "
                 "(%s)", var_setgid_group, var_mail_owner);
    return errors;
}

/* postern_check_all - everything "postern check" checks; error count */
int
postern_check_all(void)
{
    MASTER_CONF *conf;
    BUF    *path = buf_alloc(100);
    BUF    *why = buf_alloc(100);
    int     errors = 0;

    if ((conf = postern_check_master_cf(false)) == NULL)
        errors++;
    postern_check_commands(conf);
    postern_check_unused(conf);
    errors += postern_check_users();
    buf_sprintf(path, "%s/master", var_daemon_directory);
    if (access(buf_str(path), X_OK) < 0) {
        msg_error("cannot run %s: %m", buf_str(path));
        errors++;
    }
    if (*var_maillog_file && maillog_file_allowed(var_maillog_file,
                                   var_maillog_file_prefixes, why) < 0) {
        msg_error("%s", buf_str(why));
        errors++;
    }
    (void) mail_dirs_check();
    if (conf)
        master_conf_free(conf);
    buf_free(path);
    buf_free(why);
    return errors;
}
