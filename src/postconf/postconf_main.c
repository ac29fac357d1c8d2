/* postconf_main - print main.cf parameters (postconf, -d, -n, -h, -x).
 *
 * The values come from mail_conf.c: main.cf text or the built-in default,
 * or only the defaults with -d (main.cf is then not read at all, so -x
 * expands against the defaults too). Names that main.cf sets but that are
 * neither parameters nor referenced anywhere are warned about, as Postfix
 * does, with their file and line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "argv.h"
#include "buf.h"
#include "mail_conf.h"
#include "mail_params.h"
#include "msg.h"
#include "mymalloc.h"
#include "postconf.h"

/* pcf_read_main - read main.cf unless -d, then apply -o overrides */
void
pcf_read_main(const PCF_OPTS *opts, bool need_file)
{
    const char *path = mail_conf_main_path();
    BUF    *why = buf_alloc(100);

    if (!opts->defaults
        && (need_file || access(path, F_OK) == 0 || errno != ENOENT)
        && mail_conf_read_file(path, why) < 0)
        msg_fatal("%s", buf_str(why));
    for (int i = 0; opts->overrides && i < opts->overrides->argc; i++)
        if (mail_conf_override(opts->overrides->argv[i], why) < 0)
            msg_fatal("-o %s", buf_str(why));
    buf_free(why);
}

/* pcf_print_param - "name = value", "name =", or the value alone (-h) */
void
pcf_print_param(const PCF_OPTS *opts, const char *name, const char *value)
{
    if (opts->hide_name)
        printf("%s\n", value);
    else if (*value)
        printf("%s = %s\n", name, value);
    else
        printf("%s =\n", name);
}

/* pcf_value - the text to show for name, or NULL */
static const char *
pcf_value(const PCF_OPTS *opts, const char *name)
{
    if (opts->defaults)
        return param_default(name);
    if (opts->nondefault)
        return mail_conf_lookup_set(name);
    return mail_conf_lookup(name);
}

/* pcf_show_one - print one parameter, expanded with -x */
static void
pcf_show_one(const PCF_OPTS *opts, const char *name, const char *value)
{
    const PARAM_INFO *info = param_info(name);
    BUF    *result;
    BUF    *why;

    if (!opts->expand || (info && info->type == PARAM_TYPE_RAW)) {
        pcf_print_param(opts, name, value);
        return;
    }
    result = buf_alloc(256);
    why = buf_alloc(64);
    if (mail_conf_expand(result, value, why) < 0) {
        if (mail_conf_path(name))
            msg_fatal("%s:%d: %s = %s: %s", mail_conf_path(name),
                      mail_conf_line(name), name, value, buf_str(why));
        msg_fatal("%s = %s: %s", name, value, buf_str(why));
    }
    pcf_print_param(opts, name, buf_str(result));
    buf_free(result);
    buf_free(why);
}

/* pcf_compare - qsort comparison of strings */
static int
pcf_compare(const void *a, const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

/* pcf_all_names - table names plus the used names that main.cf adds */
static ARGV *
pcf_all_names(const PCF_OPTS *opts, const ARGV *unused)
{
    ARGV   *names = argv_alloc(param_table_size + 10);
    const char **set;

    for (int i = 0; i < param_table_size; i++)
        argv_add(names, param_table[i].name);
    if (opts->defaults)
        return names;
    set = mail_conf_names();
    for (int i = 0; set[i]; i++) {
        bool    skip = param_info(set[i]) != NULL;

        for (int j = 0; !skip && j < unused->argc; j++)
            skip = strcmp(unused->argv[j], set[i]) == 0;
        if (!skip)
            argv_add(names, set[i]);
    }
    myfree(set);
    qsort(names->argv, names->argc, sizeof(char *), pcf_compare);
    return names;
}

/* pcf_show_main - print the named parameters, or all of them */
void
pcf_show_main(const PCF_OPTS *opts, char **names)
{
    ARGV   *settings;
    ARGV   *unused;
    ARGV   *all;
    const char *value;

    settings = opts->defaults ? argv_alloc(1) : pcf_master_settings();
    unused = opts->defaults ? argv_alloc(1) : mail_conf_unused(settings);
    if (!opts->defaults)
        mail_conf_warn_unused(settings);
    if (names && *names) {
        for (; *names; names++) {
            if ((value = pcf_value(opts, *names)) != NULL)
                pcf_show_one(opts, *names, value);
            else if (param_info(*names) == NULL)
                msg_warn("%s: unknown parameter", *names);
        }
    } else {
        all = pcf_all_names(opts, unused);
        for (int i = 0; i < all->argc; i++)
            if ((value = pcf_value(opts, all->argv[i])) != NULL)
                pcf_show_one(opts, all->argv[i], value);
        argv_free(all);
    }
    argv_free(unused);
    argv_free(settings);
}
