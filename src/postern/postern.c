/* postern - the control command of the mail system (also run as "postfix").
 *
 * Usage: postern [-c config_dir] [-v] command
 * Commands: start, start-fg, stop, abort, reload, status, check,
 * set-permissions, address, qshape (postern_qshape.c). Invoked as
 * "postfix" it behaves the same.
 *
 * Model: read main.cf (errors are fatal), set up logging with the tag
 * "$syslog_name/postfix-script" (the tag tools know from Postfix) plus
 * "postern: ..." on stderr, then run one command from the table below.
 * Messages keep Postfix's wording ("the Postfix mail system is running:
 * PID: N"), since scripts look for it. master is found in
 * $daemon_directory and gets "-c DIR" with an absolute DIR. Peers:
 * postern_state (running or not), postern_check, postern_start, master. */
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "argv.h"
#include "buf.h"
#include "mail_conf.h"
#include "mail_dirs.h"
#include "mail_params.h"
#include "maillog.h"
#include "msg.h"
#include "msg_output.h"
#include "postern.h"

ARGV   *postern_master_flags;

#define POSTERN_COMMANDS \
    "start (or start-fg, stop, abort, reload, status, check, set-permissions, " \
    "address ADDRESS..., qshape [options] [queue...])"

/* postern_not_running - the message and status when master is not there */
static int
postern_not_running(void)
{
    msg_fatal("the Postfix mail system is not running");
}

/* postern_stop_wait - wait for master to exit; force it after a while */
static void
postern_stop_wait(pid_t pid, bool force)
{
    if (postern_state_wait_gone(pid, 1000))
        return;
    for (int i = 0; i < 5; i++) {
        msg_info("waiting for the Postfix mail system to terminate");
        if (postern_state_wait_gone(pid, 1000))
            return;
    }
    if (!force)
        msg_fatal("the Postfix mail system did not terminate");
    msg_warn("stopping the Postfix mail system with force");
    (void) postern_state_signal(SIGKILL);
    if (!postern_state_wait_gone(pid, 5000))
        msg_fatal("the Postfix mail system did not terminate");
}

/* postern_cmd_stop - SIGTERM master and wait until it is gone */
static int
postern_cmd_stop(char **args)
{
    pid_t   pid;

    if (postern_state_running() == 0)
        return postern_not_running();
    msg_info("stopping the Postfix mail system");
    if ((pid = postern_state_signal(SIGTERM)) == 0)
        return postern_not_running();
    postern_stop_wait(pid, true);
    return 0;
}

/* postern_cmd_abort - SIGQUIT master and wait until it is gone */
static int
postern_cmd_abort(char **args)
{
    pid_t   pid;

    if (postern_state_running() == 0)
        return postern_not_running();
    msg_info("aborting the Postfix mail system");
    if ((pid = postern_state_signal(SIGQUIT)) == 0)
        return postern_not_running();
    postern_stop_wait(pid, false);
    return 0;
}

/* postern_cmd_reload - check master.cf, then SIGHUP master */
static int
postern_cmd_reload(char **args)
{
    master_conf_free(postern_check_master_cf(true));
    if (postern_state_running() == 0)
        return postern_not_running();
    msg_info("refreshing the Postfix mail system");
    if (postern_state_signal(SIGHUP) == 0)
        return postern_not_running();
    return 0;
}

/* postern_cmd_status - report whether master runs; 0 if it does */
static int
postern_cmd_status(char **args)
{
    pid_t   pid = postern_state_running();

    if (pid == 0) {
        msg_info("the Postfix mail system is not running");
        return 1;
    }
    if (pid < 0)
        msg_info("the Postfix mail system is running: PID: unknown");
    else
        msg_info("the Postfix mail system is running: PID: %ld", (long) pid);
    return 0;
}

/* postern_cmd_check - configuration and queue tree checks */
static int
postern_cmd_check(char **args)
{
    return postern_check_all() > 0 ? 1 : 0;
}

/* postern_set_setgid - as root, make $command_directory/name set-gid
 * $setgid_group (mode 2755), as Postfix's post-install does for postdrop,
 * postqueue and postlog */
static void
postern_set_setgid(const char *name)
{
    BUF    *path = buf_alloc(100);
    struct group *gr;
    int     fd;

    buf_sprintf(path, "%s/%s", var_command_directory, name);
    if ((gr = getgrnam(var_setgid_group)) == NULL)
        msg_fatal("unknown setgid_group: %s", var_setgid_group);
    if ((fd = open(buf_str(path), O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
        msg_warn("open %s: %m", buf_str(path));
    else if (fchown(fd, 0, gr->gr_gid) < 0 || fchmod(fd, 02755) < 0)
        msg_warn("set-gid %s: %m", buf_str(path));
    if (fd >= 0)
        close(fd);
    buf_free(path);
}

/* postern_cmd_set_permissions - re-apply owners and modes of the tree and
 * of the set-gid programs */
static int
postern_cmd_set_permissions(char **args)
{
    BUF    *why = buf_alloc(100);

    if (mail_dirs_create(why) < 0)
        msg_fatal("%s", buf_str(why));
    buf_free(why);
    if (geteuid() == 0) {
        postern_set_setgid("postdrop");
        postern_set_setgid("postqueue");
        postern_set_setgid("postlog");
    }
    return 0;
}

/* postern_cmd_start - start master in the background */
static int
postern_cmd_start(char **args)
{
    return postern_start(false);
}

/* postern_cmd_start_fg - run master in the foreground */
static int
postern_cmd_start_fg(char **args)
{
    return postern_start(true);
}

/* postern_cmd_address - show rewriting and resolving of addresses */
static int
postern_cmd_address(char **args)
{
    return postern_address(args);
}

/* postern_cmd_qshape - the age by domain histogram of queues */
static int
postern_cmd_qshape(char **args)
{
    return postern_qshape(args);
}

static const struct {
    const char *name;
    int     (*fn) (char **args);        /* args: what follows the name */
    bool    takes_args;
} postern_commands[] = {
    {"start", postern_cmd_start, false},
    {"start-fg", postern_cmd_start_fg, false},
    {"stop", postern_cmd_stop, false},
    {"abort", postern_cmd_abort, false},
    {"reload", postern_cmd_reload, false},
    {"status", postern_cmd_status, false},
    {"check", postern_cmd_check, false},
    {"set-permissions", postern_cmd_set_permissions, false},
    {"address", postern_cmd_address, true},
    {"qshape", postern_cmd_qshape, true},
};

/* postern_config - read main.cf and set up logging */
static void
postern_config(const char *dir)
{
    char    abs[PATH_MAX];

    if (dir != NULL) {
        if (realpath(dir, abs) == NULL)
            msg_fatal("config directory %s: %m", dir);
        mail_conf_set_dir(abs);
    }
    if (setenv("MAIL_CONFIG", mail_conf_dir(), 1) < 0)
        msg_fatal("setenv: %m");
    mail_conf_read();
    mail_params_init();
    maillog_init("postfix-script", 0);
    msg_stderr_init("postern");
    maillog_stderr_fallback(0);
}

/* main - options, configuration, one command */
int
main(int argc, char **argv)
{
    const char *dir = NULL;
    const char *command;
    int     ch;

    msg_stderr_init("postern");
    umask(022);
    postern_master_flags = argv_alloc(2);
    while ((ch = getopt(argc, argv, "+c:v")) != -1) {
        switch (ch) {
        case 'c':
            dir = optarg;
            break;
        case 'v':
            msg_verbose++;
            argv_add(postern_master_flags, "-v");
            break;
        default:
            msg_fatal("usage: postern [-c config_dir] [-v] command");
        }
    }
    if (optind >= argc)
        msg_fatal("usage: postern [-c config_dir] [-v] command");
    command = argv[optind];
    for (size_t i = 0; i < sizeof(postern_commands)
         / sizeof(postern_commands[0]); i++) {
        if (strcmp(command, postern_commands[i].name) != 0)
            continue;
        if (!postern_commands[i].takes_args && optind != argc - 1)
            msg_fatal("usage: postern [-c config_dir] [-v] command");
        postern_config(dir);
        exit(postern_commands[i].fn(argv + optind + 1));
    }
    msg_fatal("unknown command: '%s'. Usage: postern %s", command,
              POSTERN_COMMANDS);
}
