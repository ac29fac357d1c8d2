/* postcat - print queue files in human-readable form, as Postfix's
 * postcat(1).
 *
 * postcat [-bdehoqrv] [-c config_dir] [-s offset] [files...]
 *
 * Files are named on the command line (-q: queue ids, searched in the
 * queues Postfix 3.7 searches, in its order: maildrop, incoming, active,
 * deferred, hold), or read from standard input. The output is Postfix
 * 3.7's, byte for byte, for intact files (docs/postcat.md); this file
 * handles options, configuration and opening, postcat_show.c the
 * printing. Damage inside a record is fatal, as in Postfix ("record read
 * error"); a file without an end record gets a warning and exit status
 * 1 (Postfix says nothing). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mail_conf.h"
#include "mail_params.h"
#include "mail_queue.h"
#include "mail_queue_id.h"
#include "msg.h"
#include "msg_output.h"
#include "postcat.h"

#define PC_USAGE "usage: postcat [-bdehoqrv] [-c config_dir] [-s offset] " \
    "[files...]"

/* Queues searched for -q, in Postfix's order. */
static const char *pc_queues[] = {
    MAIL_QUEUE_MAILDROP, MAIL_QUEUE_INCOMING, MAIL_QUEUE_ACTIVE,
    MAIL_QUEUE_DEFERRED, MAIL_QUEUE_HOLD,
};

#define PC_QUEUE_COUNT  (sizeof(pc_queues) / sizeof(pc_queues[0]))

/* pc_offset - the -s argument: a decimal number, 0 or more */
static off_t
pc_offset(const char *arg)
{
    char   *end;
    long    value;

    errno = 0;
    value = strtol(arg, &end, 10);
    if (errno != 0 || end == arg || *end != 0 || value < 0
        || strchr(arg, '-') != NULL)
        msg_fatal("bad offset: %s", arg);
    return (off_t) value;
}

/* pc_find - open a queue file by id; the descriptor, its path in path */
static int
pc_find(const char *id, BUF *path)
{
    MAIL_QUEUE_CONF qc;
    BUF    *why = buf_alloc(100);
    int     fd = -1;

    if (!mail_queue_id_ok(id))
        msg_fatal("bad mail queue ID: %s", id);
    mail_queue_conf_params(&qc);
    for (size_t i = 0; i < PC_QUEUE_COUNT && fd < 0; i++) {
        if (mail_queue_path(path, &qc, pc_queues[i], id, why) < 0)
            msg_fatal("%s", buf_str(why));
        fd = mail_queue_open(&qc, pc_queues[i], id, O_RDONLY, NULL, why);
    }
    if (fd < 0)
        msg_fatal("open queue file %s: %s", id, strerror(ENOENT));
    buf_free(why);
    return fd;
}

/* pc_one - show one file (or stdin when name is NULL); 0 or 1 */
static int
pc_one(const char *arg, int flags, off_t start, int by_id)
{
    BUF    *path = buf_alloc(100);
    BUF    *why = buf_alloc(100);
    const char *name = arg ? arg : "stdin";
    int     fd;
    int     status;

    if (arg == NULL) {
        fd = dup(0);
    } else if (by_id) {
        fd = pc_find(arg, path);
        name = buf_str(path);
    } else if ((fd = open(arg, O_RDONLY | O_CLOEXEC)) < 0) {
        msg_fatal("open %s: %m", arg);
    }
    if (fd < 0)
        msg_fatal("dup standard input: %m");
    if ((status = pc_show(fd, name, start, flags, why)) < 0) {
        msg_warn("%s: %s", name, buf_str(why));
        msg_fatal("record read error");
    }
    buf_free(path);
    buf_free(why);
    return status;
}

/* pc_config - read main.cf; with -q, go to the queue directory */
static void
pc_config(const char *dir, int by_id)
{
    if (dir)
        mail_conf_set_dir(dir);
    mail_conf_read();
    mail_params_init();
    if (by_id && chdir(var_queue_directory) < 0)
        msg_fatal("chdir %s: %m", var_queue_directory);
}

/* main - postcat [-bdehoqrv] [-c config_dir] [-s offset] [files...] */
int
main(int argc, char **argv)
{
    const char *dir = NULL;
    int     flags = 0;
    int     by_id = 0;
    off_t   start = 0;
    int     status = 0;
    int     ch;

    msg_stderr_init("postcat");
    while ((ch = getopt(argc, argv, "bc:dehoqrs:v")) > 0) {
        switch (ch) {
        case 'b':
            flags |= PC_FLAG_BODY;
            break;
        case 'c':
            dir = optarg;
            break;
        case 'd':
            flags |= PC_FLAG_DEC;
            break;
        case 'e':
            flags |= PC_FLAG_ENV;
            break;
        case 'h':
            flags |= PC_FLAG_HEADER;
            break;
        case 'o':
            flags |= PC_FLAG_OFFSET;
            break;
        case 'q':
            by_id = 1;
            break;
        case 'r':
            flags |= PC_FLAG_RAW;
            break;
        case 's':
            start = pc_offset(optarg);
            break;
        case 'v':
            flags |= PC_FLAG_NAMES;
            msg_verbose++;
            break;
        default:
            msg_fatal(PC_USAGE);
        }
    }
    if ((flags & PC_MASK_ALL) == 0)
        flags |= PC_MASK_ALL;
    pc_config(dir, by_id);
    if (optind == argc && by_id)
        msg_fatal(PC_USAGE);
    if (optind == argc)
        return pc_one(NULL, flags, start, 0);
    for (int i = optind; i < argc; i++)
        status |= pc_one(argv[i], flags, start, by_id);
    return status;
}
