/* master_conf - master.cf: the service table.
 *
 * Columns: service type private unpriv chroot wakeup maxproc command+args.
 * "-" takes the default (private y, unpriv y, chroot n, wakeup 0 = never,
 * maxproc $default_process_limit). wakeup may end in "?" (only wake a
 * service that has been used). maxproc 0 means no limit. -o name=value and
 * -o { name = value with spaces } give per-service parameter overrides.
 * Lines that start with white space continue the previous entry; # starts
 * a comment line. Errors read "PATH:LINE: what is wrong". */
#ifndef MASTER_CONF_H
#define MASTER_CONF_H

#include <stdbool.h>

#include "argv.h"
#include "buf.h"

typedef enum {
    MASTER_TYPE_INET, MASTER_TYPE_UNIX, MASTER_TYPE_UNIX_DGRAM,
    MASTER_TYPE_FIFO, MASTER_TYPE_PASS,
} MASTER_TYPE;

/* The columns, in order; field text keeps "-" as written (postconf -F). */
enum {
    MASTER_FIELD_SERVICE, MASTER_FIELD_TYPE, MASTER_FIELD_PRIVATE,
    MASTER_FIELD_UNPRIV, MASTER_FIELD_CHROOT, MASTER_FIELD_WAKEUP,
    MASTER_FIELD_MAXPROC, MASTER_FIELD_COMMAND, MASTER_FIELD_COUNT,
};
extern const char *const master_field_names[MASTER_FIELD_COUNT];
/* "service", "type", "private", "unprivileged", "chroot", "wakeup",
 * "process_limit", "command" (the names postconf -F uses) */

typedef struct MASTER_ENT {
    char   *field[MASTER_FIELD_COUNT];  /* text as written; COMMAND is the
                                         * whole "command + args" text */
    MASTER_TYPE type;
    char   *name;                       /* service name (e.g. "smtp",
                                         * "127.0.0.1:smtp", "private/x") */
    bool    private_;
    bool    unpriv;
    bool    chroot;
    int     wakeup;                     /* seconds, 0 = never */
    bool    wakeup_if_used;             /* trailing "?" */
    int     maxproc;                    /* -1: $default_process_limit; 0: no limit */
    ARGV   *args;                       /* command and its arguments, no -o */
    ARGV   *overrides;                  /* "name=value" from -o, in order */
    int     line;                       /* line of the first column */
} MASTER_ENT;

typedef struct MASTER_CONF {
    MASTER_ENT **ents;
    int     count;
} MASTER_CONF;

/* master_conf_read - parse a master.cf; NULL with "PATH:LINE: ..." in why */
MASTER_CONF *master_conf_read(const char *path, BUF *why);

/* master_conf_load - read $config_directory/master.cf (mail_conf_dir());
 * NULL with "PATH:LINE: ..." in why */
MASTER_CONF *master_conf_load(BUF *why);

/* master_conf_parse - the same, from text in memory (name is used in
 * error messages) */
MASTER_CONF *master_conf_parse(const char *text, const char *name, BUF *why);
void    master_conf_free(MASTER_CONF *conf);

/* master_conf_find - entry by service name and type text, or NULL */
MASTER_ENT *master_conf_find(const MASTER_CONF *conf, const char *name,
                             const char *type);

#endif
