/* mail_env - the environment that delivery agents give to commands (see
 * mail_env.h).
 *
 * Model: export_environment names what may pass; import_environment is
 * the only source of trusted values (a "NAME=value" word there, or a
 * bare name that lets the inherited value in). Peers: mail_conf (the
 * configuration directory); local(8), pipe(8). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mail_conf.h"
#include "mail_env.h"
#include "mail_params.h"

/* mail_env_value - the value of an exported name into bp; false when it
 * has none */
static bool
mail_env_value(BUF *bp, const char *name)
{
    ARGV   *imports = argv_split(var_import_environment, LIST_DELIM);
    size_t  len = strlen(name);
    const char *value = NULL;
    bool    imported = false;

    for (int i = 0; value == NULL && i < imports->argc; i++) {
        if (strncmp(imports->argv[i], name, len) != 0)
            continue;
        if (imports->argv[i][len] == '=')
            value = imports->argv[i] + len + 1;
        else if (imports->argv[i][len] == 0)
            imported = true;
    }
    if (value == NULL && imported)
        value = getenv(name);
    if (value == NULL && strcmp(name, "MAIL_CONFIG") == 0)
        value = mail_conf_dir();
    if (value != NULL)
        buf_sprintf(bp, "%s=%s", name, value);
    argv_free(imports);
    return value != NULL;
}

/* mail_env_export - PATH and the exported NAME=value pairs */
ARGV   *
mail_env_export(void)
{
    ARGV   *names = argv_split(var_export_environment, LIST_DELIM);
    ARGV   *env = argv_alloc(names->argc + 8);
    BUF    *pair = buf_alloc(100);

    argv_add(env, MAIL_ENV_PATH);
    for (int i = 0; i < names->argc; i++) {
        if (strchr(names->argv[i], '='))
            argv_add(env, names->argv[i]);
        else if (mail_env_value(pair, names->argv[i]))
            argv_add(env, buf_str(pair));
    }
    buf_free(pair);
    argv_free(names);
    return env;
}
