/* local_file - delivery to a /file named in an alias, .forward or
 * :include: file.
 *
 * Model (Postfix 3.7's local, observed; man 8 local):
 *   - allowed only where allow_mail_to_files names the expansion type,
 *     else 5.7.1 "mail to file is restricted";
 *   - written with the rights of the alias owner or user (default_privs
 *     instead of root), so a new file is 0600 and theirs;
 *   - a name that ends in '/' is a Maildir; anything else gets the mbox
 *     form (From line, headers, quoting, empty line) under the lock file
 *     and the kernel lock; when the lock file cannot be made (the
 *     directory is not writable) a warning is logged and the kernel lock
 *     alone is used; a character device (/dev/null) is written as it is;
 *   - the file is never reached through a symbolic link, and must have
 *     one link (stricter than Postfix, docs/local.md);
 *   - on a problem: "cannot append message to file PATH: REASON", 5.2.0
 *     unless the error is temporary (a busy lock, a full disk).
 * Results: "delivered to file: PATH" ("delivered to maildir" for a
 * directory), "delivers to file: PATH" when verifying. Peers:
 * mbox_open, local_mailbox (local_maildir). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "local.h"
#include "mail_copy.h"
#include "msg.h"
#include "set_eugid.h"

/* local_file_device - write to a character device (no locks) */
static int
local_file_device(LOCAL_STATE *state, const char *path, int flags,
                  DSN_BUF *why)
{
    STREAM *sp;
    int     fd;
    int     status;

    if ((fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
        dsb_simple(why, dsn_errno_status(errno, "5.2.0"), "%m");
        return MAIL_COPY_STAT_WRITE;
    }
    sp = stream_fdopen(fd);
    status = local_copy(state, sp, flags & ~MAIL_COPY_TOFILE, why);
    (void) stream_close(sp);
    return status;
}

/* local_file_mbox - append in mbox form; MAIL_COPY_STAT_*; a lock file
 * problem goes to warning */
static int
local_file_mbox(LOCAL_STATE *state, const char *path, BUF *warning,
                DSN_BUF *why)
{
    MBOX_CONF conf = local_conf.mbox;
    int     flags = MAIL_COPY_MBOX;
    struct stat st;
    STREAM *sp;
    MBOX   *mp;
    int     status;

    if ((local_conf.hdr_mask & LOCAL_HDR_FILE) == 0)
        flags &= ~MAIL_COPY_DELIVERED;
    if (lstat(path, &st) == 0 && S_ISCHR(st.st_mode))
        return local_file_device(state, path, flags, why);
    conf.locks |= MBOX_LOCK_DOT_MAY_FAIL;
    if ((mp = mbox_open(path, 0600, (uid_t) -1, (gid_t) -1, &conf, &st,
                        "5.2.0", why)) == NULL)
        return MAIL_COPY_STAT_WRITE;
    if (mp->warning)
        buf_strcpy(warning, mp->warning);
    sp = stream_fdopen(mp->fd);
    status = local_copy(state, sp, flags, why);
    stream_free(sp);
    mbox_release(mp);
    return status;
}

/* local_file_write - deliver as the rights say; MAIL_COPY_STAT_* */
static int
local_file_write(LOCAL_STATE *state, const LOCAL_USER *usr,
                 const char *path, DSN_BUF *why)
{
    LOCAL_USER rights = *usr;
    BUF    *warning;
    int     status;

    local_unprivileged(&rights.uid, &rights.gid);
    if (path[strlen(path) - 1] == '/')
        return local_maildir(*state, &rights, path, why);
    warning = buf_alloc(100);
    set_eugid(rights.uid, rights.gid);
    status = local_file_mbox(state, path, warning, why);
    local_as_owner();
    if (buf_len(warning) > 0)
        msg_warn("%s", buf_str(warning));
    buf_free(warning);
    if (status != 0 && !(status & (MAIL_COPY_STAT_CORRUPT
                                   | MAIL_COPY_STAT_READ)))
        dsb_prepend(why, "cannot append message to file %s: ", path);
    return status;
}

/* local_file - deliver to a file */
int
local_file(LOCAL_STATE state, const LOCAL_USER *usr, const char *path)
{
    DSN_BUF *why = dsb_create();
    bool    maildir = path[strlen(path) - 1] == '/';
    int     status;

    if ((local_conf.file_mask & state.exp_type) == 0) {
        dsb_simple(why, "5.7.1", "mail to file is restricted");
        status = local_result(state, why);
    } else if (local_been_here(&state, "file %s", path)) {
        status = 0;
    } else if (DEL_REQ_TRACE_ONLY(state.lr->req->flags)) {
        dsb_simple(why, "2.0.0", "delivers to file: %s", path);
        status = local_sent(state, why);
    } else {
        status = local_file_write(&state, usr, path, why);
        status = maildir ? local_written(state, status, why,
                                         "delivered to maildir") :
            local_written(state, status, why, "delivered to file: %s", path);
    }
    dsb_free(why);
    return status;
}
