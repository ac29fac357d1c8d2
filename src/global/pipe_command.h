/* pipe_command - deliver a message to a command's standard input.
 *
 * The command runs in a child: its own session (setsid), the given
 * user and group for good (when this process runs as root), a clean
 * environment (exactly env), the given working directory, standard input
 * from the message, standard output and error to one pipe back to us,
 * no other descriptors, default signal handling. It is started directly
 * (split on white space) unless the text has shell metacharacters or
 * starts with a shell built-in, then as "/bin/sh -c TEXT"; with a shell
 * configured (local_command_shell) always as "SHELL ARGS... TEXT".
 * pipe(8) passes an argv instead, which is never given to a shell.
 *
 * While the message is written, the command's output is read, so a
 * command that talks before it reads cannot deadlock us; at most
 * PIPE_COMMAND_OUTPUT_MAX bytes of it are kept, with line breaks as
 * spaces. The whole run is limited to time_limit seconds; then the
 * command's process group is killed.
 *
 * Results, with Postfix 3.7's words (observed, docs/local.md):
 *   exit 0                       PIPE_STAT_OK (a command that did not
 *                                read its input is fine too)
 *   output "4.x.y text"/"5..."   that status, reason and diagnostic
 *                                "text" (the code overrides the exit)
 *   a sysexits.h code            its status and "TEXT. Command output:
 *                                OUTPUT" (sys_exits.h)
 *   another code                 5.3.0 "Command died with status N:
 *                                "CMD". Command output: OUTPUT"
 *   a signal                     4.3.0 "Command died with signal N:
 *                                "CMD""
 *   time limit                   5.3.0 "Command time limit exceeded:
 *                                "CMD""
 * The diagnostic is type "x-unix", text the output (or the sysexits
 * text without output). PIPE_STAT_DEFER for a 4.x.y status, else
 * PIPE_STAT_BOUNCE; PIPE_STAT_CORRUPT when the queue file could not be
 * read (the write function said MAIL_COPY_STAT_CORRUPT or _READ).
 * A command that exits 0 may still have said something: pipe(8) reports
 * it ("delivered via SERVICE service (OUTPUT)"), so it goes to output
 * when the caller gives one (printable, trailing white space dropped).
 * chroot (pipe(8)'s chroot=) is entered before the ids are dropped and
 * before cwd; a failure there defers ("temporary failure").
 * Library code: nothing here exits. */
#ifndef PIPE_COMMAND_H
#define PIPE_COMMAND_H

#include <sys/types.h>

#include "dsn_buf.h"
#include "stream.h"

#define PIPE_COMMAND_OUTPUT_MAX 4096    /* output kept for the reason */

#define PIPE_STAT_OK            0
#define PIPE_STAT_DEFER         1
#define PIPE_STAT_BOUNCE        2
#define PIPE_STAT_CORRUPT       3

/* The message writer: put the message on dst; 0 or MAIL_COPY_STAT_*. */
typedef int (*PIPE_COMMAND_WRITE_FN) (STREAM *dst, void *ctx, DSN_BUF *why);

typedef struct PIPE_COMMAND {
    const char *command;                /* command text (logs, shell) */
    char  **argv;                       /* or an argv, never via a shell */
    const char *shell;                  /* "": automatic, else "sh -c" */
    char  **env;                        /* the whole environment */
    const char *chroot;                 /* new root directory, or NULL */
    const char *cwd;                    /* working directory, or NULL */
    uid_t   uid;                        /* run as, when we may switch */
    gid_t   gid;
    int     time_limit;                 /* seconds */
    PIPE_COMMAND_WRITE_FN write_fn;
    void   *ctx;
    BUF    *output;                     /* NULL, or gets the output of a
                                         * command that exited 0 */
} PIPE_COMMAND;

/* pipe_command - run the command with the message; PIPE_STAT_*, the
 * reason in why unless PIPE_STAT_OK */
int     pipe_command(const PIPE_COMMAND *cmd, DSN_BUF *why);

/* pipe_command_argv - how the command text is started: the argv that
 * pipe_command() would exec, and in *path the program ("/bin/sh" for
 * the shell form); the caller frees the argv with argv_free */
struct ARGV *pipe_command_argv(const char *command, const char *shell,
                               const char **path);

#endif
