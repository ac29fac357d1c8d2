/* postconf_master - print master.cf (postconf -M, -F, -P).
 *
 * The file is parsed by master_conf.c exactly as master reads it, so any
 * error postconf reports is one master would hit. -M prints each entry in
 * Postfix's column layout (optionally folded, -f), -F one line per column
 * ("service/type/field = value"), -P one line per -o setting
 * ("service/type/name = value"). Selectors have the form
 * service[/type[/field-or-parameter]]; an empty part matches anything. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "argv.h"
#include "buf.h"
#include "mail_conf.h"
#include "master_conf.h"
#include "msg.h"
#include "mymalloc.h"
#include "postconf.h"

static MASTER_CONF *pcf_master;         /* parsed once */

/* pcf_read_master - parse DIR/master.cf; NULL if absent and not needed */
MASTER_CONF *
pcf_read_master(bool need_file)
{
    BUF    *path;
    BUF    *why;

    if (pcf_master)
        return pcf_master;
    path = buf_alloc(100);
    why = buf_alloc(100);
    buf_sprintf(path, "%s/%s", mail_conf_dir(), MASTER_CF);
    if (need_file || access(buf_str(path), F_OK) == 0 || errno != ENOENT)
        if ((pcf_master = master_conf_read(buf_str(path), why)) == NULL)
            msg_fatal("%s", buf_str(why));
    buf_free(path);
    buf_free(why);
    return pcf_master;
}

/* pcf_master_settings - every -o "name=value" of master.cf */
ARGV   *
pcf_master_settings(void)
{
    MASTER_CONF *conf = pcf_read_master(false);
    ARGV   *settings = argv_alloc(10);

    for (int i = 0; conf && i < conf->count; i++)
        for (int j = 0; j < conf->ents[i]->overrides->argc; j++)
            argv_add(settings, conf->ents[i]->overrides->argv[j]);
    return settings;
}

/* pcf_part_match - one selector part: empty or missing matches all */
static bool
pcf_part_match(const ARGV *parts, int index, const char *text)
{
    return parts->argc <= index || *parts->argv[index] == 0
        || strcmp(parts->argv[index], text) == 0;
}

/* pcf_selector - split "a/b/c" into at most want parts, keeping empties */
static ARGV *
pcf_selector(const char *text, int want)
{
    ARGV   *parts = argv_alloc(want);
    const char *slash;

    for (int i = 1; i < want && (slash = strchr(text, '/')) != NULL; i++) {
        argv_addn(parts, text, (size_t) (slash - text));
        text = slash + 1;
    }
    argv_add(parts, text);
    return parts;
}

/* pcf_each - call fn for each entry and each selector that matches it */
static void
pcf_each(const PCF_OPTS *opts, char **selectors, int parts,
         void (*fn) (const PCF_OPTS *, const MASTER_ENT *, const ARGV *))
{
    MASTER_CONF *conf = pcf_read_master(true);
    ARGV   *all = argv_alloc(1);

    argv_add(all, "");
    for (int i = 0; i < conf->count; i++) {
        const MASTER_ENT *ent = conf->ents[i];
        char  **sel = selectors && *selectors ? selectors : all->argv;

        for (; *sel; sel++) {
            ARGV   *part = pcf_selector(*sel, parts);

            if (pcf_part_match(part, 0, ent->name)
                && pcf_part_match(part, 1, ent->field[MASTER_FIELD_TYPE])) {
                fn(opts, ent, part);
                if (parts == 2) {
                    argv_free(part);
                    break;              /* -M prints an entry once */
                }
            }
            argv_free(part);
        }
    }
    argv_free(all);
}

/* pcf_fold_command - command on the first line, each -o on its own line */
static void
pcf_fold_command(BUF *line, const char *command)
{
    char   *copy = mystrdup(command);
    char   *cp = copy;
    char   *word;
    const char *err;
    bool    after_o = false;

    for (;;) {
        char   *start = cp + strspn(cp, " \t");
        bool    braced = *start == '{';

        if ((word = mystrtok_grouped(&cp, " \t", &err)) == NULL)
            break;
        if (!after_o && !braced && strncmp(word, "-o", 2) == 0
            && buf_len(line))
            buf_strcat(line, "\n  ");
        else if (buf_len(line) && buf_last(line) != '\n')
            buf_addch(line, ' ');
        if (braced)
            buf_sprintf_append(line, "{ %s }", word);
        else
            buf_strcat(line, word);
        after_o = !braced && strcmp(word, "-o") == 0;
    }
    myfree(copy);
}

/* pcf_print_entry - one entry in Postfix's column layout */
static void
pcf_print_entry(const PCF_OPTS *opts, const MASTER_ENT *ent,
                const ARGV *part)
{
    BUF    *line = buf_alloc(128);
    char  *const *f = ent->field;
    BUF    *command = buf_alloc(64);

    if (opts->fold)
        pcf_fold_command(command, f[MASTER_FIELD_COMMAND]);
    else
        buf_strcpy(command, f[MASTER_FIELD_COMMAND]);
    buf_sprintf(line, "%-10s %-5s %-7s %-7s %-7s %-7s %-7s %s",
                f[MASTER_FIELD_SERVICE], f[MASTER_FIELD_TYPE],
                f[MASTER_FIELD_PRIVATE], f[MASTER_FIELD_UNPRIV],
                f[MASTER_FIELD_CHROOT], f[MASTER_FIELD_WAKEUP],
                f[MASTER_FIELD_MAXPROC], buf_str(command));
    printf("%s\n", buf_str(line));
    buf_free(command);
    buf_free(line);
}

/* pcf_print_fields - "service/type/field = value" for selected fields */
static void
pcf_print_fields(const PCF_OPTS *opts, const MASTER_ENT *ent,
                 const ARGV *part)
{
    BUF    *name = buf_alloc(64);

    for (int i = 0; i < MASTER_FIELD_COUNT; i++) {
        if (!pcf_part_match(part, 2, master_field_names[i]))
            continue;
        buf_sprintf(name, "%s/%s/%s", ent->name,
                    ent->field[MASTER_FIELD_TYPE], master_field_names[i]);
        pcf_print_param(opts, buf_str(name), ent->field[i]);
    }
    buf_free(name);
}

/* pcf_print_params - "service/type/name = value" for each -o setting */
static void
pcf_print_params(const PCF_OPTS *opts, const MASTER_ENT *ent,
                 const ARGV *part)
{
    BUF    *name = buf_alloc(64);
    BUF    *value = buf_alloc(64);
    BUF    *why = buf_alloc(64);

    for (int i = 0; i < ent->overrides->argc; i++) {
        const char *setting = ent->overrides->argv[i];
        const char *eq = strchr(setting, '=');

        buf_strcpy(name, "");
        buf_append(name, setting, (size_t) (eq - setting));
        if (!pcf_part_match(part, 2, buf_str(name)))
            continue;
        buf_reset(value);
        /* $service_name in a setting means this entry's name. */
        if (opts->expand)
            mail_conf_update("service_name", ent->name);
        if (!opts->expand)
            buf_strcpy(value, eq + 1);
        else if (mail_conf_expand(value, eq + 1, why) < 0)
            msg_fatal("%s/%s/%s: %s", ent->name,
                      ent->field[MASTER_FIELD_TYPE], buf_str(name),
                      buf_str(why));
        buf_sprintf(name, "%s/%s/%.*s", ent->name,
                    ent->field[MASTER_FIELD_TYPE], (int) (eq - setting),
                    setting);
        pcf_print_param(opts, buf_str(name), buf_str(value));
    }
    buf_free(name);
    buf_free(value);
    buf_free(why);
}

/* pcf_show_master_entries - postconf -M [service[/type] ...] */
void
pcf_show_master_entries(const PCF_OPTS *opts, char **selectors)
{
    pcf_each(opts, selectors, 2, pcf_print_entry);
}

/* pcf_show_master_fields - postconf -F [service[/type[/field]] ...] */
void
pcf_show_master_fields(const PCF_OPTS *opts, char **selectors)
{
    pcf_each(opts, selectors, 3, pcf_print_fields);
}

/* pcf_show_master_params - postconf -P [service[/type[/name]] ...] */
void
pcf_show_master_params(const PCF_OPTS *opts, char **selectors)
{
    pcf_each(opts, selectors, 3, pcf_print_params);
}
