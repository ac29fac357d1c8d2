/* dict_cmd - the command skeleton of postmap and postalias.
 *
 * Options are parsed into a DICT_CMD; each mode is one function over the
 * list of tables. Writes run with the source file's owner (effective ids)
 * and a umask derived from its mode, as Postfix does, so that a new index
 * gets the source's owner and group/other read bits; -o keeps root, -p
 * the caller's umask. Queries open the tables lazily, in order, as
 * Postfix does: a table after the one that answered is never opened.
 * Peers: dict_build.c (loading a source), dict_index.c (commit, cleanup),
 * src/postmap/postmap.c, src/postalias/postalias.c. */
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "argv.h"
#include "mail_conf.h"
#include "mail_params.h"
#include "msg.h"
#include "msg_output.h"
#include "mymalloc.h"
#include "dict_cmd.h"
#include "dict_index.h"

typedef enum {
    DICT_CMD_BUILD, DICT_CMD_QUERY, DICT_CMD_LIST, DICT_CMD_DELETE,
} DICT_CMD_MODE;

typedef struct DICT_CMD {
    const DICT_CMD_SPEC *spec;
    DICT_CMD_MODE mode;
    const char *key;                    /* -q or -d argument */
    int     dict_flags;
    int     incremental;                /* -i */
    int     as_owner;                   /* not -o */
    int     inherit_perms;              /* not -p */
    ARGV   *tables;
    DICT  **open;                       /* queries: tables opened so far */
} DICT_CMD;

/* Saved identity while writing as a source file's owner. */
typedef struct DICT_CMD_CRED {
    int     switched;
    mode_t  mask;
} DICT_CMD_CRED;

static gid_t *dict_cmd_groups;          /* root's groups, to restore */
static int dict_cmd_ngroups;
static gid_t dict_cmd_egid;

/* dict_cmd_usage - complain about the command line */
static void
dict_cmd_usage(const DICT_CMD_SPEC *spec)
{
    msg_fatal("usage: %s %s", spec->name, spec->usage);
}

/* dict_cmd_set_mode - one of -q, -s, -d */
static void
dict_cmd_set_mode(DICT_CMD *cmd, DICT_CMD_MODE mode, const char *key)
{
    if (cmd->mode != DICT_CMD_BUILD)
        msg_fatal("specify only one of -s -q or -d");
    cmd->mode = mode;
    cmd->key = key;
}

/* The options that choose one of a group of dict_flags. */
typedef struct DICT_CMD_FLAG_OPT {
    int     ch;
    int     group;                      /* the flags chosen among */
    int     flag;                       /* the one chosen (0: none) */
} DICT_CMD_FLAG_OPT;

#define DICT_CMD_NUL_FLAGS  (DICT_FLAG_TRY1NULL | DICT_FLAG_TRY0NULL)

static const DICT_CMD_FLAG_OPT dict_cmd_flag_opts[] = {
    {'f', DICT_FLAG_FOLD_FIX, 0},
    {'N', DICT_CMD_NUL_FLAGS, DICT_FLAG_TRY1NULL},
    {'n', DICT_CMD_NUL_FLAGS, DICT_FLAG_TRY0NULL},
    {'r', DICT_FLAG_DUP_MASK, DICT_FLAG_DUP_REPLACE},
    {'w', DICT_FLAG_DUP_MASK, DICT_FLAG_DUP_IGNORE},
};

#define DICT_CMD_FLAG_OPT_END \
        (dict_cmd_flag_opts + sizeof(dict_cmd_flag_opts) \
         / sizeof(dict_cmd_flag_opts[0]))

/* dict_cmd_flag_option - -f, -N/-n, -r/-w: set the option's flag in its
 * group; 0 for any other option */
static int
dict_cmd_flag_option(DICT_CMD *cmd, int ch)
{
    for (const DICT_CMD_FLAG_OPT *opt = dict_cmd_flag_opts;
         opt < DICT_CMD_FLAG_OPT_END; opt++) {
        if (opt->ch == ch) {
            cmd->dict_flags = (cmd->dict_flags & ~opt->group) | opt->flag;
            return 1;
        }
    }
    return 0;
}

/* dict_cmd_options - parse the command line */
static void
dict_cmd_options(DICT_CMD *cmd, int argc, char **argv)
{
    int     ch;

    while ((ch = getopt(argc, argv, cmd->spec->options)) > 0) {
        if (dict_cmd_flag_option(cmd, ch))
            continue;
        switch (ch) {
        case 'c':
            mail_conf_set_dir(optarg);
            break;
        case 'd':
            dict_cmd_set_mode(cmd, DICT_CMD_DELETE, optarg);
            break;
        case 'i':
            cmd->incremental = 1;
            break;
        case 'o':
            cmd->as_owner = 0;
            break;
        case 'p':
            cmd->inherit_perms = 0;
            break;
        case 'q':
            dict_cmd_set_mode(cmd, DICT_CMD_QUERY, optarg);
            break;
        case 's':
            dict_cmd_set_mode(cmd, DICT_CMD_LIST, NULL);
            break;
        case 'u':
        case 'U':
            break;                      /* no UTF-8 checks to switch */
        case 'v':
            msg_verbose++;
            break;
        case 'b':
        case 'F':
        case 'h':
        case 'm':
            msg_fatal("option -%c is not supported", ch);
        default:
            dict_cmd_usage(cmd->spec);
        }
    }
}

/* dict_cmd_tables - the tables: arguments, or a parameter's list */
static void
dict_cmd_tables(DICT_CMD *cmd, char **args)
{
    const char *err = NULL;
    const char *value;
    char   *list;
    char   *bp;
    char   *table;

    cmd->tables = argv_alloc(4);
    if (cmd->spec->tables_param == NULL) {
        for (; *args; args++)
            argv_add(cmd->tables, *args);
        if (cmd->tables->argc == 0)
            dict_cmd_usage(cmd->spec);
        return;
    }
    if (*args)
        dict_cmd_usage(cmd->spec);
    value = mail_conf_eval(cmd->spec->tables_param);
    bp = list = mystrdup(value ? value : "");
    while ((table = mystrtok_grouped(&bp, LIST_DELIM, &err)) != NULL)
        argv_add(cmd->tables, table);
    if (err)
        msg_fatal("parameter %s: %s", cmd->spec->tables_param, err);
    myfree(list);
}

/* dict_cmd_split - "type:name", or a name of $default_database_type */
static void
dict_cmd_split(const char *table, char **type, char **name)
{
    BUF    *why;

    if (strchr(table, ':') == NULL) {
        *type = mystrdup(var_default_database_type);
        *name = mystrdup(table);
        return;
    }
    why = buf_alloc(100);
    if (dict_split_spec(table, type, name, why) < 0)
        msg_fatal("%s", buf_str(why));
    buf_free(why);
}

/* dict_cmd_open - open a table or die */
static DICT *
dict_cmd_open(const char *type, const char *name, int open_flags,
              int dict_flags)
{
    BUF    *why = buf_alloc(100);
    DICT   *dict;

    dict = dict_open_type(type, name, open_flags, dict_flags, why);
    if (dict == NULL)
        msg_fatal("%s", buf_str(why));
    buf_free(why);
    return dict;
}

/* dict_cmd_commit - publish a written table or die */
static void
dict_cmd_commit(DICT *dict)
{
    BUF    *why = buf_alloc(100);

    if (dict_index_commit(dict, why) < 0)
        msg_fatal("%s", buf_str(why));
    buf_free(why);
}

/* dict_cmd_become_owner - write as the owner of the source file */
static void
dict_cmd_become_owner(const DICT_CMD *cmd, const char *source,
                      DICT_CMD_CRED *cred)
{
    struct stat st;

    cred->switched = 0;
    cred->mask = umask(022);
    umask(cred->mask);
    if (stat(source, &st) < 0)
        return;
    if (cmd->inherit_perms)
        umask(022 | (~st.st_mode & 077));
    if (!cmd->as_owner || getuid() != 0 || st.st_uid == 0)
        return;
    if (setgroups(1, &st.st_gid) < 0 || setegid(st.st_gid) < 0
        || seteuid(st.st_uid) < 0)
        msg_fatal("set effective ids to %ld:%ld: %m", (long) st.st_uid,
                  (long) st.st_gid);
    cred->switched = 1;
}

/* dict_cmd_restore - back to the identity we started with */
static void
dict_cmd_restore(const DICT_CMD_CRED *cred)
{
    umask(cred->mask);
    if (cred->switched
        && (seteuid(0) < 0 || setegid(dict_cmd_egid) < 0
            || setgroups(dict_cmd_ngroups, dict_cmd_groups) < 0))
        msg_fatal("restore root privileges: %m");
}

/* dict_cmd_getline - the next line of standard input without its
 * newline: its length, or -1 at the end */
static ssize_t
dict_cmd_getline(char **line, size_t *cap)
{
    ssize_t len = getline(line, cap, stdin);

    if (len < 0) {
        if (ferror(stdin))
            msg_fatal("read standard input: %m");
        return -1;
    }
    if (len > 0 && (*line)[len - 1] == '\n')
        (*line)[--len] = 0;
    return len;
}

/* dict_cmd_read_keys - the -d - keys from standard input */
static ARGV *
dict_cmd_read_keys(void)
{
    ARGV   *keys = argv_alloc(16);
    char   *line = NULL;
    size_t  cap = 0;
    ssize_t len;

    while ((len = dict_cmd_getline(&line, &cap)) >= 0)
        argv_addn(keys, line, len);
    free(line);
    return keys;
}

/* dict_cmd_print - one "key<separator>value" line */
static void
dict_cmd_print(const DICT_CMD *cmd, const char *key, const char *value)
{
    fputs(key, stdout);
    fputs(cmd->spec->separator, stdout);
    fputs(value, stdout);
    putchar('\n');
}

/* dict_cmd_find - the first table that has key; opens tables as needed */
static const char *
dict_cmd_find(DICT_CMD *cmd, const char *key)
{
    const char *value;
    char   *type;
    char   *name;

    for (int i = 0; i < cmd->tables->argc; i++) {
        if (cmd->open[i] == NULL) {
            dict_cmd_split(cmd->tables->argv[i], &type, &name);
            cmd->open[i] = dict_cmd_open(type, name, O_RDONLY,
                                         cmd->dict_flags);
            myfree(type);
            myfree(name);
        }
        if ((value = dict_get(cmd->open[i], key)) != NULL)
            return value;
        if (cmd->open[i]->error)
            msg_fatal("table %s: query error", cmd->tables->argv[i]);
    }
    return NULL;
}

/* dict_cmd_query - -q key: print the value; -q -: "key value" lines */
static int
dict_cmd_query(DICT_CMD *cmd)
{
    const char *value;
    char   *line = NULL;
    size_t  cap = 0;
    int     found = 0;

    cmd->open = mycalloc(cmd->tables->argc, sizeof(DICT *));
    if (strcmp(cmd->key, "-") != 0) {
        if ((value = dict_cmd_find(cmd, cmd->key)) != NULL) {
            puts(value);
            found = 1;
        }
    } else {
        while (dict_cmd_getline(&line, &cap) >= 0) {
            if ((value = dict_cmd_find(cmd, line)) != NULL) {
                dict_cmd_print(cmd, line, value);
                found = 1;
            }
        }
        free(line);
    }
    for (int i = 0; i < cmd->tables->argc; i++)
        if (cmd->open[i])
            dict_close(cmd->open[i]);
    myfree(cmd->open);
    return found ? 0 : 1;
}

/* dict_cmd_list - -s: every entry of every table */
static int
dict_cmd_list(DICT_CMD *cmd)
{
    const char *key;
    const char *value;
    char   *type;
    char   *name;
    DICT   *dict;
    int     status;

    for (int i = 0; i < cmd->tables->argc; i++) {
        dict_cmd_split(cmd->tables->argv[i], &type, &name);
        dict = dict_cmd_open(type, name, O_RDONLY, cmd->dict_flags);
        if (dict->sequence == NULL)
            msg_fatal("table %s: sequence operation is not supported",
                      cmd->tables->argv[i]);
        for (status = dict_seq(dict, DICT_SEQ_FIRST, &key, &value);
             status == 0;
             status = dict_seq(dict, DICT_SEQ_NEXT, &key, &value))
            dict_cmd_print(cmd, key, value);
        if (status < 0)
            msg_fatal("table %s: read error", cmd->tables->argv[i]);
        dict_close(dict);
        myfree(type);
        myfree(name);
    }
    return 0;
}

/* dict_cmd_delete - -d key / -d -: remove keys from every table */
static int
dict_cmd_delete(DICT_CMD *cmd)
{
    ARGV   *keys;
    DICT_CMD_CRED cred;
    char   *type;
    char   *name;
    DICT   *dict;
    int     found = 0;

    if (strcmp(cmd->key, "-") == 0) {
        keys = dict_cmd_read_keys();
    } else {
        keys = argv_alloc(1);
        argv_add(keys, cmd->key);
    }
    for (int i = 0; i < cmd->tables->argc; i++) {
        dict_cmd_split(cmd->tables->argv[i], &type, &name);
        dict_cmd_become_owner(cmd, name, &cred);
        dict = dict_cmd_open(type, name, O_RDWR, cmd->dict_flags);
        for (int k = 0; k < keys->argc; k++) {
            switch (dict_del(dict, keys->argv[k])) {
            case 0:
                found = 1;
                break;
            case -1:
                msg_fatal("table %s: delete error", cmd->tables->argv[i]);
            }
        }
        dict_cmd_commit(dict);
        dict_cmd_restore(&cred);
        myfree(type);
        myfree(name);
    }
    argv_free(keys);
    return found ? 0 : 1;
}

/* dict_cmd_build_one - (re)build one table from its source or stdin */
static void
dict_cmd_build_one(DICT_CMD *cmd, const char *type, const char *name)
{
    const DICT_BUILD_SOURCE *kind = cmd->spec->source;
    const DICT_TYPE *tp = dict_type_find(type);
    const char *path = cmd->incremental ? "stdin" : name;
    BUF    *why = buf_alloc(100);
    void   *src;
    DICT   *dict;

    if (tp == NULL)
        msg_fatal("unsupported dictionary type: %s", type);
    if (!(tp->flags & DICT_TYPE_INDEXED))
        msg_fatal("unsupported dictionary type: %s does not support "
                  "bulk-mode creation.", type);
    if (cmd->incremental)
        src = kind->fopen(stdin, path);
    else if ((src = kind->open(name, why)) == NULL)
        msg_fatal("%s", buf_str(why));
    dict = dict_cmd_open(type, name, O_RDWR | O_CREAT
                         | (cmd->incremental ? 0 : O_TRUNC), cmd->dict_flags);
    if (dict_build_load(dict, kind, src, path, why) < 0)
        msg_fatal("%s", buf_str(why));
    kind->close(src);
    if (cmd->spec->finish && cmd->spec->finish(dict) < 0)
        msg_fatal("%s:%s: write error", type, name);
    dict_cmd_commit(dict);
    buf_free(why);
}

/* dict_cmd_build - build every table */
static int
dict_cmd_build(DICT_CMD *cmd)
{
    DICT_CMD_CRED cred;
    char   *type;
    char   *name;

    for (int i = 0; i < cmd->tables->argc; i++) {
        dict_cmd_split(cmd->tables->argv[i], &type, &name);
        dict_cmd_become_owner(cmd, name, &cred);
        dict_cmd_build_one(cmd, type, name);
        dict_cmd_restore(&cred);
        myfree(type);
        myfree(name);
    }
    return 0;
}

/* dict_cmd_on_signal - remove temporary files, then die of the signal */
static void
dict_cmd_on_signal(int sig)
{
    dict_index_cleanup();
    signal(sig, SIG_DFL);
    raise(sig);
}

/* dict_cmd_prepare_writes - signals and saved ids for the write modes */
static void
dict_cmd_prepare_writes(void)
{
    static const int sigs[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM};
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = dict_cmd_on_signal;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
        sigaction(sigs[i], &sa, NULL);
    if (getuid() != 0)
        return;
    dict_cmd_egid = getegid();
    if ((dict_cmd_ngroups = getgroups(0, NULL)) < 0)
        msg_fatal("getgroups: %m");
    dict_cmd_groups = mycalloc(dict_cmd_ngroups + 1, sizeof(gid_t));
    if (getgroups(dict_cmd_ngroups, dict_cmd_groups) < 0)
        msg_fatal("getgroups: %m");
}

/* dict_cmd_main - options, configuration, then the selected mode */
int
dict_cmd_main(const DICT_CMD_SPEC *spec, int argc, char **argv)
{
    DICT_CMD cmd = {
        .spec = spec,
        .mode = DICT_CMD_BUILD,
        .dict_flags = DICT_FLAG_DUP_WARN | DICT_FLAG_FOLD_FIX,
        .as_owner = 1,
        .inherit_perms = 1,
    };
    int     status;

    msg_stderr_init(spec->name);
    argv[0] = (char *) spec->name;      /* getopt's messages say "postmap" */
    if (getenv("MAIL_VERBOSE"))
        msg_verbose++;
    dict_cmd_options(&cmd, argc, argv);
    mail_conf_read();
    mail_params_init();
    dict_cmd_tables(&cmd, argv + optind);
    if (cmd.mode == DICT_CMD_BUILD || cmd.mode == DICT_CMD_DELETE)
        dict_cmd_prepare_writes();
    switch (cmd.mode) {
    case DICT_CMD_QUERY:
        status = dict_cmd_query(&cmd);
        break;
    case DICT_CMD_LIST:
        status = dict_cmd_list(&cmd);
        break;
    case DICT_CMD_DELETE:
        status = dict_cmd_delete(&cmd);
        break;
    default:
        status = dict_cmd_build(&cmd);
        break;
    }
    if (fflush(stdout) != 0 || ferror(stdout))
        msg_fatal("write error on standard output: %m");
    argv_free(cmd.tables);
    myfree(dict_cmd_groups);
    return status;
}
