/* lock_file - advisory locks on an open file (fcntl or flock style). */
#ifndef LOCK_FILE_H
#define LOCK_FILE_H

#define LOCK_STYLE_FCNTL        1
#define LOCK_STYLE_FLOCK        2

#define LOCK_OP_NONE            0       /* release */
#define LOCK_OP_SHARED          1
#define LOCK_OP_EXCLUSIVE       2
#define LOCK_OP_NOWAIT          4       /* or'ed: fail with EAGAIN instead of waiting */

/* lock_file - 0 on success, -1 with errno (EAGAIN: held by another) */
int     lock_file(int fd, int style, int op);

#endif
