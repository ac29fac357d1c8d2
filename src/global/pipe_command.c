/* pipe_command - deliver a message to a command's standard input.
 *
 * Model: fork; the child sets itself up (pipe_command_child) and execs;
 * the parent writes the message through a stream whose write function
 * also drains the command's output (pipe_command_io), then reads the
 * rest of the output and waits, all against one deadline, and turns the
 * wait status into a delivery status (pipe_command_status.c). Peers:
 * mail_copy (the usual writer), sys_exits, priv, set_eugid; local(8),
 * later pipe(8). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include "argv.h"
#include "mail_copy.h"
#include "mono_time.h"
#include "pipe_command.h"
#include "pipe_command_int.h"
#include "priv.h"
#include "set_eugid.h"

extern char **environ;

#define PIPE_SHELL              "/bin/sh"
#define PIPE_METACHARS          "!\"#$&'()*;<>?[\\]^`{|}~\n"

/* pipe_command_builtin - does the first word name a shell built-in */
static int
pipe_command_builtin(const char *word)
{
    static const char *const builtins[] = {
        ".", ":", "alias", "bg", "break", "case", "cd", "command",
        "continue", "echo", "eval", "exec", "exit", "export", "false",
        "fc", "fg", "for", "getopts", "hash", "if", "jobs", "kill", "pwd",
        "read", "readonly", "return", "set", "shift", "test", "times",
        "trap", "true", "type", "ulimit", "umask", "unalias", "unset",
        "until", "wait", "while", NULL,
    };

    for (int i = 0; builtins[i]; i++)
        if (strcmp(word, builtins[i]) == 0)
            return 1;
    return 0;
}

/* pipe_command_argv - the argv that runs the command text, and in
 * *path the program to exec */
ARGV   *
pipe_command_argv(const char *command, const char *shell, const char **path)
{
    ARGV   *argv;

    if (shell && *shell) {
        argv = argv_split(shell, " \t");
        argv_add(argv, command);
    } else {
        argv = argv_split(command, " \t");
        if (argv->argc == 0 || strpbrk(command, PIPE_METACHARS)
            || pipe_command_builtin(argv->argv[0])) {
            argv_truncate(argv, 0);
            argv_add(argv, "sh");
            argv_add(argv, "-c");
            argv_add(argv, command);
            *path = PIPE_SHELL;
            return argv;
        }
    }
    *path = argv->argc ? argv->argv[0] : PIPE_SHELL;
    return argv;
}

/* pipe_command_child - in the child: set up and exec; never returns */
static void
pipe_command_child(const PIPE_COMMAND *cmd, int in_fd, int out_fd)
{
    static const int sigs[] = {SIGPIPE, SIGHUP, SIGXFSZ, SIGINT, SIGQUIT,
    SIGTERM, SIGCHLD, SIGALRM};
    ARGV   *argv;
    char  **args = cmd->argv;
    const char *path = args ? args[0] : NULL;
    sigset_t none;

    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
        signal(sigs[i], SIG_DFL);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    (void) setsid();
    if (dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(out_fd, 2) < 0)
        _exit(EX_OSERR);
    closefrom(3);
    if (set_eugid_capable())
        set_eugid(0, 0);
    if (cmd->chroot && (chroot(cmd->chroot) < 0 || chdir("/") < 0)) {
        dprintf(2, "chroot %s: %s\n", cmd->chroot, strerror(errno));
        _exit(EX_TEMPFAIL);
    }
    if (set_eugid_capable())
        priv_drop(cmd->uid, cmd->gid);
    if (cmd->cwd && chdir(cmd->cwd) < 0) {
        dprintf(2, "chdir %s: %s\n", cmd->cwd, strerror(errno));
        _exit(EX_TEMPFAIL);
    }
    if (args == NULL) {
        argv = pipe_command_argv(cmd->command, cmd->shell, &path);
        args = argv->argv;
    }
    environ = cmd->env;
    execvp(path, args);
    dprintf(2, "execvp %s: %s\n", path, strerror(errno));
    _exit(EX_OSERR);
}

/* pipe_command_start - pipes and fork; the child's pid or -1 */
static pid_t
pipe_command_start(const PIPE_COMMAND *cmd, int *to_child, int *from_child)
{
    int     in[2], out[2];
    pid_t   pid;

    if (pipe2(in, O_CLOEXEC) < 0)
        return -1;
    if (pipe2(out, O_CLOEXEC) < 0) {
        close(in[0]);
        close(in[1]);
        return -1;
    }
    if ((pid = fork()) == 0)
        pipe_command_child(cmd, in[0], out[1]);
    close(in[0]);
    close(out[1]);
    if (pid < 0) {
        close(in[1]);
        close(out[0]);
        return -1;
    }
    *to_child = in[1];
    *from_child = out[0];
    return pid;
}

/* pipe_command - run the command with the message; PIPE_STAT_* */
int
pipe_command(const PIPE_COMMAND *cmd, DSN_BUF *why)
{
    PIPE_COMMAND_RUN run;
    struct sigaction ign, old;
    STREAM *dst;
    int     to_child;
    int     copy_status;
    int     status;

    memset(&run, 0, sizeof(run));
    run.deadline_ms = mono_ms()
        + 1000LL * (cmd->time_limit > 0 ? cmd->time_limit : 1);
    if ((run.pid = pipe_command_start(cmd, &to_child, &run.out_fd)) < 0) {
        dsb_simple(why, "4.3.0", "cannot run command: %m");
        return PIPE_STAT_DEFER;
    }
    run.output = buf_alloc(PIPE_COMMAND_OUTPUT_MAX);
    /* A command that exits early must give EPIPE, not kill us. */
    memset(&ign, 0, sizeof(ign));
    ign.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &ign, &old);
    dst = stream_fdopen(to_child);
    pipe_command_io(dst, &run);
    copy_status = cmd->write_fn(dst, cmd->ctx, why);
    if ((copy_status & MAIL_COPY_STAT_WRITE) && errno != EPIPE
        && errno != ETIMEDOUT)
        run.write_errno = errno;
    (void) stream_close(dst);
    pipe_command_wait(&run);
    close(run.out_fd);
    status = pipe_command_status(cmd, &run, copy_status, why);
    sigaction(SIGPIPE, &old, NULL);
    return status;
}
