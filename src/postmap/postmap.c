/* postmap - build, query, list and change lookup tables, as Postfix's
 * postmap(1).
 *
 * Source files hold "key whitespace value" lines (dict_src.h); indexed
 * types are lmdb, hash (LMDB in NAME.db) and cdb. The work is done by the
 * command skeleton shared with postalias (dict_cmd.h); this file says
 * what makes postmap postmap. */
#include "dict_cmd.h"

static const DICT_CMD_SPEC postmap_spec = {
    .name = "postmap",
    .options = "bc:d:fFhimnNopq:rsuUvw",
    .usage = "[-bfFhimnNoprsuUvw] [-c config_dir] [-d key] [-q key] "
        "[map_type:]file...",
    .separator = "\t",
    .source = &dict_build_table_source,
};

/* main - run the skeleton */
int
main(int argc, char **argv)
{
    return dict_cmd_main(&postmap_spec, argc, argv);
}
