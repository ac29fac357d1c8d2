/* local_dotforward - the user's own forwarding: ~/.forward.
 *
 * Model (Postfix 3.7's local, observed; man 8 local):
 *   - forward_path is a list of file names, each expanded by
 *     local_expand() with forward_expansion_filter; the first file that
 *     exists is used ($home/.forward+ext before $home/.forward);
 *   - the file is looked at and opened as the user (effective ids), never
 *     through a symbolic link; it must be a regular file owned by the
 *     user or by root, else it is skipped with a warning;
 *   - its lines are destination lists (local_token.c) with the user's
 *     rights, of type "forward" (allow_mail_to_commands/_files);
 *   - a file without destinations ("An empty ~/.forward file means do not
 *     forward mail") leaves the mail to the mailbox, and so does the
 *     user's own name in it (local_resolve.c delivers that to the
 *     mailbox, skipping this file);
 *   - a user's .forward is expanded once per recipient.
 * Peers: local_expand, local_token. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "local.h"
#include "mail_params.h"
#include "msg.h"
#include "set_eugid.h"

/* local_dotforward_open - open path as the user; fd, or -1 (skip). A
 * problem is logged once we are back to our own ids (the log socket is
 * not the user's to use). */
static int
local_dotforward_open(const char *path, const LOCAL_USER *usr)
{
    BUF    *warning = buf_alloc(100);
    struct stat st, fst;
    int     fd = -1;

    set_eugid(usr->uid, usr->gid);
    if (lstat(path, &st) < 0) {
        if (errno != ENOENT && errno != ENOTDIR)
            buf_sprintf(warning, "cannot examine file %s: %m", path);
    } else if (!S_ISREG(st.st_mode)) {
        buf_sprintf(warning, "file %s is not a regular file", path);
    } else if (st.st_uid != 0 && st.st_uid != usr->uid) {
        buf_sprintf(warning, "file %s has bad owner uid %ld", path,
                    (long) st.st_uid);
    } else if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK
                         | O_CLOEXEC)) < 0) {
        buf_sprintf(warning, "cannot open file %s: %m", path);
    } else if (fstat(fd, &fst) < 0 || fst.st_ino != st.st_ino
               || fst.st_dev != st.st_dev) {
        buf_sprintf(warning, "file %s changed while it was opened", path);
        close(fd);
        fd = -1;
    }
    local_as_owner();
    if (buf_len(warning) > 0)
        msg_warn("%s", buf_str(warning));
    buf_free(warning);
    return fd;
}

/* local_dotforward_find - the first forward_path file; fd or -1 */
static int
local_dotforward_find(const LOCAL_STATE *state, const LOCAL_USER *usr)
{
    ARGV   *paths = argv_split(var_forward_path, LIST_DELIM);
    BUF    *path = buf_alloc(100);
    BUF    *prev = buf_alloc(100);
    BUF    *why = buf_alloc(100);
    int     fd = -1;

    for (int i = 0; fd < 0 && i < paths->argc; i++) {
        buf_strcpy(prev, buf_str(path));
        buf_reset(path);
        if (local_expand(path, paths->argv[i], state, usr,
                         var_forward_expansion_filter, why) < 0) {
            msg_warn("forward_path: %s", buf_str(why));
            continue;
        }
        if (buf_len(path) > 0 && strcmp(buf_str(path), buf_str(prev)) != 0)
            fd = local_dotforward_open(buf_str(path), usr);
    }
    argv_free(paths);
    buf_free(prev);
    buf_free(path);
    buf_free(why);
    return fd;
}

/* local_dotforward - expand the user's .forward; false when there is
 * none (or it has no destinations): deliver to the mailbox */
bool
local_dotforward(LOCAL_STATE state, const LOCAL_USER *usr, int *status)
{
    int     count = 0;
    int     fd;

    if (state.exp_type == LOCAL_EXP_FORWARD && state.exp_from
        && strcmp(state.exp_from, state.user) == 0)
        return false;
    if (local_been_here(&state, "forward %s", state.user)) {
        *status = 0;
        return true;
    }
    if ((fd = local_dotforward_find(&state, usr)) < 0)
        return false;
    state.exp_type = LOCAL_EXP_FORWARD;
    state.exp_from = state.user;
    state.level++;
    *status = local_token_stream(state, usr, fd, &count);
    close(fd);
    return count > 0 || *status != 0;
}
