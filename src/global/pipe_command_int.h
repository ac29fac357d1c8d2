/* pipe_command_int - what the parts of pipe_command share: the state of
 * one run (the child, its output, the deadline). */
#ifndef PIPE_COMMAND_INT_H
#define PIPE_COMMAND_INT_H

#include <stdbool.h>
#include <sys/types.h>

#include "buf.h"
#include "pipe_command.h"
#include "stream.h"

typedef struct PIPE_COMMAND_RUN {
    pid_t   pid;
    int     out_fd;                     /* the command's stdout/stderr */
    bool    out_eof;
    BUF    *output;                     /* up to PIPE_COMMAND_OUTPUT_MAX */
    long long deadline_ms;              /* monotonic clock */
    bool    timed_out;
    int     wait_status;
    int     write_errno;                /* a write error other than EPIPE */
} PIPE_COMMAND_RUN;

/* pipe_command_io - make dst's writes drain the output meanwhile and
 * stop at the deadline (pipe_command_io.c) */
void    pipe_command_io(STREAM *dst, PIPE_COMMAND_RUN *run);

/* pipe_command_wait - read the output to its end, reap the child; kill
 * its process group at the deadline */
void    pipe_command_wait(PIPE_COMMAND_RUN *run);

/* pipe_command_status - the result of a finished run; frees the output
 * (pipe_command_status.c) */
int     pipe_command_status(const PIPE_COMMAND *cmd, PIPE_COMMAND_RUN *run,
                            int copy_status, DSN_BUF *why);

#endif
