/* dict_cmd - the command skeleton of postmap and postalias (and
 * newaliases, which is postalias under another name).
 *
 * Both commands take the same options (see postmap(1)): build an indexed
 * table from its source file (default), add entries from standard input
 * (-i), query (-q key, -q -), list (-s) or delete (-d key, -d -), for one
 * or more "[type:]name" tables; without a type, $default_database_type.
 * They differ in the source format, the separator of "key value" output
 * lines and in the records postalias adds. A command's main() fills a
 * DICT_CMD_SPEC and calls dict_cmd_main().
 *
 * Like the server skeleton, this is program code: a problem ends the
 * process with msg_fatal(), and a fatal error or a signal removes the
 * temporary file of a table being written (dict_index_cleanup). */
#ifndef DICT_CMD_H
#define DICT_CMD_H
#include "dict.h"
#include "dict_build.h"

typedef struct DICT_CMD_SPEC {
    const char *name;                   /* program name in messages */
    const char *options;                /* getopt string */
    const char *usage;                  /* what follows "usage: NAME " */
    const char *separator;              /* between key and value lines */
    const DICT_BUILD_SOURCE *source;    /* source file format */
    /* tables_param - when set, the tables are this parameter's value and
     * the command line names none (newaliases: alias_database) */
    const char *tables_param;
    /* finish - after a build or -i: add records; 0, or -1 */
    int     (*finish) (DICT *dict);
} DICT_CMD_SPEC;

/* dict_cmd_main - run the command; returns the exit status */
int     dict_cmd_main(const DICT_CMD_SPEC *spec, int argc, char **argv);

#endif
