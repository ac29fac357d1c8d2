/* postalias - build, query, list and change alias tables, as Postfix's
 * postalias(1); invoked as newaliases, rebuild every table in
 * $alias_database (what Postfix's "sendmail -bi" does).
 *
 * Source files are aliases(5) files (dict_alias_src.h). After the aliases
 * of a build or of -i, the records that Postfix's postalias adds are
 * written too: "@" -> "@" (Sendmail's sign that the table is complete),
 * and, without a NUL and not case-folded, YP_LAST_MODIFIED (the time) and
 * YP_MASTER_NAME ($myhostname) for NIS. The work is done by the command
 * skeleton shared with postmap (dict_cmd.h). */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "mail_params.h"
#include "dict_cmd.h"

#define POSTALIAS_OPTIONS   "c:d:finNopq:rsuvw"

/* postalias_finish - add the "@" and YP_* records (replacing old ones) */
static int
postalias_finish(DICT *dict)
{
    const int nul = DICT_FLAG_TRY1NULL | DICT_FLAG_TRY0NULL;
    int     saved = dict->flags;
    char    now[32];
    int     status;

    dict->flags = (saved & ~DICT_FLAG_DUP_MASK) | DICT_FLAG_DUP_REPLACE;
    status = dict_put(dict, "@", "@");
    dict->flags = (dict->flags & ~(nul | DICT_FLAG_FOLD_FIX))
        | DICT_FLAG_TRY0NULL;
    snprintf(now, sizeof(now), "%ld", (long) time((time_t *) 0));
    if (status == 0)
        status = dict_put(dict, "YP_LAST_MODIFIED", now);
    if (status == 0)
        status = dict_put(dict, "YP_MASTER_NAME", var_myhostname);
    dict->flags = saved;
    return status;
}

static const DICT_CMD_SPEC postalias_spec = {
    .name = "postalias",
    .options = POSTALIAS_OPTIONS,
    .usage = "[-Nfinoprsuvw] [-c config_dir] [-d key] [-q key] "
        "[map_type:]file...",
    .separator = ":\t",
    .source = &dict_build_alias_source,
    .finish = postalias_finish,
};

static const DICT_CMD_SPEC newaliases_spec = {
    .name = "newaliases",
    .options = POSTALIAS_OPTIONS,
    .usage = "[-Nfnoprvw] [-c config_dir]",
    .separator = ":\t",
    .source = &dict_build_alias_source,
    .tables_param = "alias_database",
    .finish = postalias_finish,
};

/* main - postalias, or newaliases by the name we were called */
int
main(int argc, char **argv)
{
    const char *slash = strrchr(argv[0], '/');
    const char *base = slash ? slash + 1 : argv[0];

    if (strcmp(base, "newaliases") == 0)
        return dict_cmd_main(&newaliases_spec, argc, argv);
    return dict_cmd_main(&postalias_spec, argc, argv);
}
