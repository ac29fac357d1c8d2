/* postern_start - "postern start" and "postern start-fg".
 *
 * Model: check what would make master fail at once (master.cf syntax,
 * maillog_file prefix, a running master), create or repair the queue
 * tree, then run "$daemon_directory/master -c DIR -w" and return its exit
 * status (master -w returns once it is ready, or fails with its fatal
 * message on stderr). start-fg instead replaces this process with
 * "master -c DIR -d", so a container's init or make run supervises master
 * directly. Peers: postern_check (checks), postern_state (running),
 * mail_dirs (the tree), master (its command line). */
#include <errno.h>
#include <stdbool.h>
#include <sys/wait.h>
#include <unistd.h>

#include "argv.h"
#include "buf.h"
#include "mail_conf.h"
#include "mail_dirs.h"
#include "mail_params.h"
#include "maillog.h"
#include "msg.h"
#include "postern.h"

/* postern_start_checks - everything that must hold before master runs */
static void
postern_start_checks(void)
{
    MASTER_CONF *conf;
    BUF    *why = buf_alloc(100);

    conf = postern_check_master_cf(true);
    master_conf_free(conf);
    if (*var_maillog_file && maillog_file_allowed(var_maillog_file,
                                   var_maillog_file_prefixes, why) < 0)
        msg_fatal("%s", buf_str(why));
    if (postern_state_running() != 0)
        msg_fatal("the Postfix mail system is already running");
    if (mail_dirs_create(why) < 0)
        msg_fatal("%s", buf_str(why));
    buf_free(why);
}

/* postern_start_argv - the master command line */
static ARGV *
postern_start_argv(const char *path, bool foreground)
{
    ARGV   *args = argv_alloc(8);

    argv_add(args, path);
    argv_add(args, "-c");
    argv_add(args, mail_conf_dir());
    argv_add(args, foreground ? "-d" : "-w");
    for (int i = 0; i < postern_master_flags->argc; i++)
        argv_add(args, postern_master_flags->argv[i]);
    return args;
}

/* postern_start_wait - run master -w; its exit status */
static int
postern_start_wait(ARGV *args)
{
    pid_t   pid;
    int     status;

    if ((pid = fork()) < 0)
        msg_fatal("fork: %m");
    if (pid == 0) {
        execv(args->argv[0], args->argv);
        msg_fatal("exec %s: %m", args->argv[0]);
    }
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            msg_fatal("waitpid: %m");
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    msg_warn("%s was killed by signal %d", args->argv[0], WTERMSIG(status));
    return 1;
}

/* postern_start - start master (in the background or in the foreground) */
int
postern_start(bool foreground)
{
    BUF    *path = buf_alloc(100);
    ARGV   *args;
    int     status;

    postern_start_checks();
    buf_sprintf(path, "%s/master", var_daemon_directory);
    if (access(buf_str(path), X_OK) < 0)
        msg_fatal("cannot run %s: %m", buf_str(path));
    args = postern_start_argv(buf_str(path), foreground);
    msg_info("starting the Postfix mail system");
    if (foreground) {
        execv(args->argv[0], args->argv);
        msg_fatal("exec %s: %m", args->argv[0]);
    }
    status = postern_start_wait(args);
    argv_free(args);
    buf_free(path);
    return status;
}
