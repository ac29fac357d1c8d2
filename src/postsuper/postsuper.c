/* postsuper - queue maintenance for the super-user, as Postfix's
 * postsuper(1).
 *
 * postsuper [-psSv] [-c config_dir] [-d queue_id] [-e queue_id]
 *     [-f queue_id] [-h queue_id] [-H queue_id] [-r queue_id] [queue...]
 *
 * Root only ("use of this command is reserved for the superuser"). It
 * reads main.cf, goes to the queue directory and drops to mail_owner
 * (the owner of every queue file) before it touches anything. Options
 * stop at the first argument that is not one, as Postfix's; the rest
 * are queue names ("invalid directory name: NAME" otherwise), checked
 * before anything is done (Postfix checks each when it gets to it).
 * Each operation option may be repeated; its argument is a queue id,
 * "ALL", or "-" for ids read from standard input. -s, -S and -p run
 * first; without any operation, postsuper does -s and -p (what
 * "postern start" needs after a restore). Then, in Postfix's order:
 * delete, hold, release, requeue, expire, force-expire; and the
 * summaries in Postfix's order: "Requeued: N messages", "Deleted",
 * "Force-expired", "Placed on hold", "Released from hold", one for each
 * kind of operation asked for. Messages go to stderr and the mail log.
 * The parts are listed in postsuper.h. */
#include <string.h>
#include <unistd.h>

#include "mail_conf.h"
#include "mail_params.h"
#include "maillog.h"
#include "msg.h"
#include "msg_output.h"
#include "postsuper.h"
#include "priv.h"

#define PS_USAGE "usage: postsuper [-c config_dir] [-d queue_id (delete)] " \
    "[-e queue_id (expire)] [-f queue_id (expire and/or un-hold)] " \
    "[-h queue_id (hold)] [-H queue_id (un-hold)] " \
    "[-p (purge temporary files)] [-r queue_id (requeue)] " \
    "[-s (structure fix)] [-S (redundant structure fix)][-v (verbose)] " \
    "[queue...]"

/* ps_summary - "WHAT: N message(s)" */
static void
ps_summary(const char *what, int count)
{
    msg_info("%s: %d message%s", what, count, count == 1 ? "" : "s");
}

/* ps_asked - whether the command line asked for op */
static bool
ps_asked(const POSTSUPER *ps, PS_OP op)
{
    return ps->ids[op]->argc > 0;
}

/* ps_summaries - the counts, in Postfix's order */
static void
ps_summaries(const POSTSUPER *ps)
{
    if (ps_asked(ps, PS_OP_REQUEUE))
        ps_summary("Requeued", ps->requeued);
    if (ps_asked(ps, PS_OP_DELETE))
        ps_summary("Deleted", ps->deleted);
    if (ps_asked(ps, PS_OP_EXPIRE) || ps_asked(ps, PS_OP_FORCE))
        ps_summary("Force-expired", ps->expired);
    if (ps_asked(ps, PS_OP_HOLD))
        ps_summary("Placed on hold", ps->held);
    if (ps_asked(ps, PS_OP_RELEASE) || ps_asked(ps, PS_OP_FORCE))
        ps_summary("Released from hold", ps->released);
}

/* ps_options - the command line into ps; the config directory or NULL */
static const char *
ps_options(POSTSUPER *ps, int argc, char **argv)
{
    static const char ops[] = "dhHref";
    const char *dir = NULL;
    const char *op;
    int     ch;

    while ((ch = getopt(argc, argv, "+c:d:e:f:h:H:pr:sSv")) > 0) {
        if (ch != ':' && (op = strchr(ops, ch)) != NULL) {
            argv_add(ps->ids[op - ops], optarg);
            continue;
        }
        switch (ch) {
        case 'c': dir = optarg; break;
        case 'p': ps->purge = true; break;
        case 's': ps->fix = true; break;
        case 'S': ps->fix = ps->fix_long = true; break;
        case 'v': msg_verbose++; break;
        default: msg_fatal(PS_USAGE);
        }
    }
    ps->queues = (const char *const *) argv + optind;
    ps->queue_count = argc - optind;
    if (ps->queue_count == 0)
        ps->queues = NULL;
    return dir;
}

/* ps_check_queues - every queue argument must hold queue files */
static void
ps_check_queues(const POSTSUPER *ps)
{
    for (int i = 0; i < ps->queue_count; i++)
        if (!postsuper_message_queue(ps->queues[i]))
            msg_fatal("invalid directory name: %s", ps->queues[i]);
}

/* ps_setup - configuration, logging, queue directory, mail_owner */
static void
ps_setup(POSTSUPER *ps, const char *dir)
{
    uid_t   uid;
    gid_t   gid;

    if (dir)
        mail_conf_set_dir(dir);
    mail_conf_read();
    mail_params_init();
    maillog_init("postsuper", 1);
    mail_queue_conf_params(&ps->queue);
    if (chdir(var_queue_directory) < 0)
        msg_fatal("chdir %s: %m", var_queue_directory);
    if (priv_lookup_user(var_mail_owner, &uid, &gid) < 0)
        msg_fatal("unknown mail_owner user: %s", var_mail_owner);
    priv_drop(uid, gid);
}

/* main - postsuper [options] [queue...] */
int
main(int argc, char **argv)
{
    static POSTSUPER ps;
    const char *dir;
    bool    any = false;

    msg_stderr_init("postsuper");
    for (int op = 0; op < PS_OP_COUNT; op++)
        ps.ids[op] = argv_alloc(2);
    dir = ps_options(&ps, argc, argv);
    if (getuid() != 0)
        msg_fatal("use of this command is reserved for the superuser");
    ps_check_queues(&ps);
    ps_setup(&ps, dir);
    for (int op = 0; op < PS_OP_COUNT; op++)
        any |= ps_asked(&ps, (PS_OP) op);
    if (!any && !ps.fix && !ps.purge)
        ps.fix = ps.purge = true;
    if (ps.fix || ps.purge)
        postsuper_fix_run(&ps);
    for (int op = 0; op < PS_OP_COUNT; op++)
        postsuper_op_run(&ps, (PS_OP) op);
    ps_summaries(&ps);
    return 0;
}
