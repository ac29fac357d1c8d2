/* postconf - print and edit main.cf, print master.cf.
 *
 * Command line as Postfix's postconf(1): no flag prints main.cf
 * parameters, -e/-X/-# edit main.cf, -M/-F/-P print master.cf entries,
 * fields and -o settings; -T params-md prints docs/parameters.md. This
 * file only parses options and picks the mode; see postconf.h for the
 * files that do the work. Errors in main.cf or master.cf end the command
 * with status 1 and a "FILE:LINE: what is wrong" message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "argv.h"
#include "dict.h"
#include "mail_conf.h"
#include "msg.h"
#include "msg_output.h"
#include "postconf.h"

typedef enum {
    PCF_MODE_MAIN, PCF_MODE_EDIT, PCF_MODE_REMOVE, PCF_MODE_COMMENT,
    PCF_MODE_MASTER, PCF_MODE_FIELDS, PCF_MODE_PARAMS, PCF_MODE_DOCS,
    PCF_MODE_MAP_TYPES,
} PCF_MODE;

/* pcf_usage - complain about the command line and exit */
static void
pcf_usage(const char *progname)
{
    msg_fatal("usage: %s [-c config_dir] [-dfhnvx] [-o name=value] "
              "[name ...] | -e name=value ... | -X name ... | -# name ... "
              "| -M [service[/type] ...] | -F [service[/type[/field]] ...] "
              "| -P [service[/type[/name]] ...] | -T params-md | -m", progname);
}

/* pcf_set_mode - one mode flag per command; -M with -e etc. is refused */
static void
pcf_set_mode(PCF_MODE *mode, PCF_MODE want)
{
    if (*mode != PCF_MODE_MAIN && *mode != want)
        msg_fatal("conflicting options: only one of -e, -X, -#, -M, -F, "
                  "-P, -T or -m may be given");
    *mode = want;
}

/* pcf_show_map_types - the lookup table types, one per line (-m) */
static void
pcf_show_map_types(void)
{
    const DICT_TYPE *const *tp;

    for (tp = dict_type_list(); *tp; tp++)
        printf("%s\n", (*tp)->name);
}

/* pcf_has_assignment - any argument of the form name=value */
static bool
pcf_has_assignment(char **args)
{
    for (; *args; args++)
        if (strchr(*args, '='))
            return true;
    return false;
}

/* main - parse options, run the selected mode */
int
main(int argc, char **argv)
{
    PCF_OPTS opts = {0};
    PCF_MODE mode = PCF_MODE_MAIN;
    const char *docs_mode = NULL;
    int     ch;

    msg_stderr_init(argv[0]);
    opts.overrides = argv_alloc(2);
    while ((ch = getopt(argc, argv, "#c:deFfhMmno:PT:vXx")) > 0) {
        switch (ch) {
        case '#':
            pcf_set_mode(&mode, PCF_MODE_COMMENT);
            break;
        case 'c':
            mail_conf_set_dir(optarg);
            break;
        case 'd':
            opts.defaults = true;
            break;
        case 'e':
            pcf_set_mode(&mode, PCF_MODE_EDIT);
            break;
        case 'F':
            pcf_set_mode(&mode, PCF_MODE_FIELDS);
            break;
        case 'f':
            opts.fold = true;
            break;
        case 'h':
            opts.hide_name = true;
            break;
        case 'M':
            pcf_set_mode(&mode, PCF_MODE_MASTER);
            break;
        case 'm':
            pcf_set_mode(&mode, PCF_MODE_MAP_TYPES);
            break;
        case 'n':
            opts.nondefault = true;
            break;
        case 'o':
            argv_add(opts.overrides, optarg);
            break;
        case 'P':
            pcf_set_mode(&mode, PCF_MODE_PARAMS);
            break;
        case 'T':
            pcf_set_mode(&mode, PCF_MODE_DOCS);
            docs_mode = optarg;
            break;
        case 'v':
            msg_verbose++;
            break;
        case 'X':
            pcf_set_mode(&mode, PCF_MODE_REMOVE);
            break;
        case 'x':
            opts.expand = true;
            break;
        default:
            pcf_usage(argv[0]);
        }
    }
    if (opts.defaults && opts.nondefault)
        msg_fatal("specify one of -d and -n");
    /* As in Postfix, "postconf name=value" edits without -e. */
    if (mode == PCF_MODE_MAIN && optind < argc
        && pcf_has_assignment(argv + optind))
        mode = PCF_MODE_EDIT;

    switch (mode) {
    case PCF_MODE_MAIN:
        pcf_read_main(&opts, true);
        pcf_show_main(&opts, argv + optind);
        break;
    case PCF_MODE_EDIT:
        pcf_edit_main(PCF_EDIT_SET, argv + optind);
        break;
    case PCF_MODE_REMOVE:
        pcf_edit_main(PCF_EDIT_REMOVE, argv + optind);
        break;
    case PCF_MODE_COMMENT:
        pcf_edit_main(PCF_EDIT_COMMENT, argv + optind);
        break;
    case PCF_MODE_MASTER:
        pcf_read_main(&opts, false);
        pcf_show_master_entries(&opts, argv + optind);
        break;
    case PCF_MODE_FIELDS:
        pcf_read_main(&opts, false);
        pcf_show_master_fields(&opts, argv + optind);
        break;
    case PCF_MODE_PARAMS:
        pcf_read_main(&opts, false);
        pcf_show_master_params(&opts, argv + optind);
        break;
    case PCF_MODE_DOCS:
        pcf_show_docs(docs_mode);
        break;
    case PCF_MODE_MAP_TYPES:
        pcf_show_map_types();
        break;
    }
    if (fflush(stdout) != 0 || ferror(stdout))
        msg_fatal("write error on standard output: %m");
    argv_free(opts.overrides);
    return 0;
}
