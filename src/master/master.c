/* master - the resident supervisor: listens for every service in
 * master.cf and starts the daemons that serve them.
 *
 * Usage: master [-c config_dir] [-d] [-t] [-v] [-w]
 *   -c DIR  configuration directory (also passed to children as MAIL_CONFIG)
 *   -d      stay in the foreground, keep stdin/stdout/stderr, log to
 *           stderr too
 *   -t      test: exit 0 if no master runs for this configuration, 1 if
 *           one does
 *   -v      verbose logging (repeatable; passed on to children)
 *   -w      wait: run master in the background; this process exits 0 once
 *           master is fully up (listeners open, master.pid written), or
 *           with master's status after its fatal message on stderr
 * Start-up: main.cf, queue directories, chdir to queue_directory, lock,
 * master.cf, listeners, master.pid, then the event loop. The other
 * master_*.c modules are described in master.h; behaviour is in
 * docs/master.md, the protocol with children in docs/protocols/master.md. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "event.h"
#include "mail_conf.h"
#include "mail_dirs.h"
#include "mail_params.h"
#include "maillog.h"
#include "master.h"
#include "msg.h"
#include "msg_output.h"

#define MASTER_WAIT_SECONDS     120     /* -w: give up after this long */

int     master_debug;

/* master_usage - complain about the command line */
static void __attribute__((noreturn))
master_usage(const char *myname)
{
    msg_fatal("usage: %s [-c config_dir] [-d] [-t] [-v] [-w]", myname);
}

/* master_wait_fork - -w: fork; the parent waits for "ready" and exits */
static int
master_wait_fork(void)
{
    int     pipefd[2];
    int     status;
    pid_t   pid;
    char    ch;
    struct pollfd pfd;

    if (pipe2(pipefd, O_CLOEXEC) < 0)
        msg_fatal("pipe: %m");
    if ((pid = fork()) < 0)
        msg_fatal("fork: %m");
    if (pid == 0) {
        (void) close(pipefd[0]);
        return pipefd[1];
    }
    (void) close(pipefd[1]);
    pfd.fd = pipefd[0];
    pfd.events = POLLIN;
    if (poll(&pfd, 1, MASTER_WAIT_SECONDS * 1000) == 1
        && read(pipefd[0], &ch, 1) == 1)
        exit(0);
    /* No "ready": master died (its message is on stderr) or hangs. */
    if (waitpid(pid, &status, WNOHANG) == pid && WIFEXITED(status)
        && WEXITSTATUS(status) != 0)
        exit(WEXITSTATUS(status));
    if (waitpid(pid, &status, 0) == pid && WIFEXITED(status)
        && WEXITSTATUS(status) != 0)
        exit(WEXITSTATUS(status));
    exit(1);
}

/* master_detach_stdio - point stdin, stdout and stderr at /dev/null */
static void
master_detach_stdio(void)
{
    int     fd;

    if ((fd = open("/dev/null", O_RDWR)) < 0)
        msg_fatal("open /dev/null: %m");
    for (int i = 0; i < 3; i++)
        if (fd != i && dup2(fd, i) < 0)
            msg_fatal("dup2 /dev/null: %m");
    if (fd > 2)
        (void) close(fd);
}

/* master_config - read main.cf and set up logging */
static void
master_config(int also_stderr)
{
    mail_conf_read();
    mail_params_init();
    msg_output_reset();
    maillog_init("master", also_stderr);
}

/* master_init - everything between reading main.cf and the event loop */
static void
master_init(void)
{
    BUF    *why = buf_alloc(100);
    MASTER_CONF *conf;

    if (mail_dirs_create(why) < 0)
        msg_fatal("%s", buf_str(why));
    if (chdir(var_queue_directory) < 0)
        msg_fatal("chdir %s: %m", var_queue_directory);
    master_lock_acquire();
    conf = master_service_read_conf(true);
    master_sig_init();
    master_spawn_init();
    master_service_init(conf);
    master_conf_free(conf);
    master_lock_write_pid();
    buf_free(why);
}

/* main - parse options, start up, run the event loop */
int
main(int argc, char **argv)
{
    int     wait_mode = 0;
    int     test_mode = 0;
    int     ready_fd = -1;
    int     ch;

    msg_stderr_init(argv[0]);
    while ((ch = getopt(argc, argv, "c:dtvw")) != -1) {
        switch (ch) {
        case 'c':
            mail_conf_set_dir(optarg);
            break;
        case 'd':
            master_debug = 1;
            break;
        case 't':
            test_mode = 1;
            break;
        case 'v':
            msg_verbose++;
            break;
        case 'w':
            wait_mode = 1;
            break;
        default:
            master_usage(argv[0]);
        }
    }
    if (optind < argc)
        master_usage(argv[0]);
    /* Children find the configuration through MAIL_CONFIG. */
    if (setenv("MAIL_CONFIG", mail_conf_dir(), 1) < 0)
        msg_fatal("setenv: %m");
    if (test_mode) {
        mail_conf_read();
        mail_params_init();
        exit(master_lock_test());
    }
    if (wait_mode && !master_debug)
        ready_fd = master_wait_fork();
    /* Our own process group, so that a terminal's signals miss us. */
    if (!master_debug && setsid() < 0 && getsid(0) != getpid())
        msg_fatal("setsid: %m");
    umask(022);
    master_config(master_debug || wait_mode);
    master_init();
    msg_info("daemon started -- version %s, configuration %s",
             var_mail_version, var_config_directory);
    if (!master_debug)
        master_detach_stdio();
    if (ready_fd >= 0) {
        if (write(ready_fd, "", 1) != 1)
            msg_warn("tell the -w parent we are ready: %m");
        (void) close(ready_fd);
    }
    for (;;)
        event_loop(-1);
}
