/* safe_open - open a file without symlink or hard-link tricks.
 *
 * Opening an existing file: the path must not be a symlink (O_NOFOLLOW),
 * must be a regular file with exactly one link, and the descriptor must be
 * the file that lstat() saw (same device and inode). If user/group are not
 * -1 the file must be owned by them. O_TRUNC truncates only after the
 * checks passed. Creating: O_CREAT|O_EXCL, never through a symlink; if
 * user/group are not -1 the new file is given that owner (fchown). With O_CREAT without O_EXCL, an existing file is
 * opened under the rules above, otherwise it is created. Returns the
 * descriptor (close-on-exec) or -1 with the reason in why. */
#ifndef SAFE_OPEN_H
#define SAFE_OPEN_H

#include <sys/stat.h>
#include <sys/types.h>

#include "buf.h"

int     safe_open(const char *path, int flags, mode_t mode, struct stat *st,
                  uid_t user, gid_t group, BUF *why);

#endif
