/* postqueue - the unprivileged queue command, as Postfix's postqueue(1).
 *
 * postqueue [-v] [-c config_dir] -f | -i queue_id | -j | -p | -s site
 *
 * Any user may list the queue (-p, -j; mailq and "sendmail -bp" run
 * "postqueue -p") and ask for delivery (-f, -s, -i) as far as
 * authorized_mailq_users and authorized_flush_users allow; root always
 * may. It reads no queue file itself: it talks to the public/ sockets of
 * showq, qmgr, pickup and flush, which is why it is installed set-gid
 * $setgid_group and never set-uid; as such it trusts no environment
 * and no alternate configuration directory (setid_conf.h). Messages go
 * to stderr and the mail log; every fatal error exits with
 * EX_UNAVAILABLE, as Postfix's. The parts are listed in postqueue.h. */
#include <stdbool.h>
#include <stdlib.h>
#include <sysexits.h>
#include <unistd.h>

#include "mail_params.h"
#include "mail_submit.h"
#include "maillog.h"
#include "match_list.h"
#include "msg.h"
#include "msg_output.h"
#include "mymalloc.h"
#include "postqueue.h"
#include "setid_conf.h"

#define PQ_USAGE "usage: postqueue -f | postqueue -i queueid | " \
    "postqueue -j | postqueue -p | postqueue -s site"

/* What to do. */
typedef enum {
    PQ_NONE, PQ_LIST, PQ_JSON, PQ_FLUSH, PQ_SITE, PQ_ID,
} PQ_MODE;

/* postqueue_mode - record the one mode of the command line */
static void
postqueue_mode(PQ_MODE *mode, PQ_MODE want)
{
    if (*mode != PQ_NONE)
        postqueue_fatal(PQ_USAGE);
    *mode = want;
}

/* postqueue_config - a safe configuration directory, main.cf, logging,
 * then the queue directory */
static void
postqueue_config(const char *dir)
{
    BUF    *why = buf_alloc(100);

    if (setid_conf_load(dir, why) < 0)
        postqueue_fatal("%s", buf_str(why));
    maillog_init("postqueue", 1);
    if (chdir(var_queue_directory) < 0)
        postqueue_fatal("chdir %s: %m", var_queue_directory);
    buf_free(why);
}

/* postqueue_allowed - whether the real user matches a user list (root
 * always does); fatal with Postfix's words when not */
static void
postqueue_allowed(const char *title, const char *patterns, const char *what)
{
    BUF    *why = buf_alloc(100);
    BUF    *login = buf_alloc(32);
    MATCH_LIST *list;
    int     status;

    if (getuid() == 0) {
        buf_free(why);
        buf_free(login);
        return;
    }
    if (mail_submit_login(getuid(), login, why) < 0)
        postqueue_fatal("%s", buf_str(why));
    if ((list = match_list_create(title, MATCH_STRING, patterns, 0,
                                  why)) == NULL
        || (status = match_list_match(list, buf_str(login), NULL, why)) < 0)
        postqueue_fatal("%s", buf_str(why));
    if (status == 0)
        postqueue_fatal("User %s(%ld) is not allowed to %s", buf_str(login),
                        (long) getuid(), what);
    match_list_free(list);
    buf_free(why);
    buf_free(login);
}

/* postqueue_run - do what the command line asked */
static void
postqueue_run(PQ_MODE mode, const char *arg)
{
    switch (mode) {
    case PQ_LIST:
    case PQ_JSON:
        postqueue_allowed("authorized_mailq_users",
                          var_authorized_mailq_users, "view the mail queue");
        postqueue_show(mode == PQ_JSON);
        break;
    case PQ_FLUSH:
    case PQ_SITE:
    case PQ_ID:
        postqueue_allowed("authorized_flush_users",
                          var_authorized_flush_users, "flush the mail queue");
        if (mode == PQ_FLUSH)
            postqueue_flush();
        else if (mode == PQ_SITE)
            postqueue_flush_site(arg);
        else
            postqueue_flush_id(arg);
        break;
    default:
        msg_panic("postqueue_run: mode %d", (int) mode);
    }
}

/* main - postqueue [-v] [-c config_dir] -f|-i id|-j|-p|-s site */
int
main(int argc, char **argv)
{
    PQ_MODE mode = PQ_NONE;
    const char *arg = NULL;
    char   *dir;
    int     err;
    int     ch;

    msg_stderr_init("postqueue");
    dir = setid_conf_env(&err);
    if (err < 0)
        postqueue_fatal("cannot set up the environment: %m");
    while ((ch = getopt(argc, argv, "c:fi:jps:v")) > 0) {
        switch (ch) {
        case 'c':
            myfree(dir);
            dir = mystrdup(optarg);
            break;
        case 'f': postqueue_mode(&mode, PQ_FLUSH); break;
        case 'i': postqueue_mode(&mode, PQ_ID); arg = optarg; break;
        case 'j': postqueue_mode(&mode, PQ_JSON); break;
        case 'p': postqueue_mode(&mode, PQ_LIST); break;
        case 's': postqueue_mode(&mode, PQ_SITE); arg = optarg; break;
        case 'v':
            if (getuid() == 0)
                msg_verbose++;
            break;
        default:
            postqueue_fatal(PQ_USAGE);
        }
    }
    if (optind < argc || mode == PQ_NONE)
        postqueue_fatal(PQ_USAGE);
    postqueue_config(dir);
    postqueue_run(mode, arg);
    myfree(dir);
    return EX_OK;
}
