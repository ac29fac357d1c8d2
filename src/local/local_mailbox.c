/* local_mailbox - delivery to the user's mailbox.
 *
 * Model (Postfix 3.7's local, observed; man 8 local): in order of
 * precedence, mailbox_transport_maps and mailbox_transport (another
 * transport's agent, local_pass.c), mailbox_command_maps (searched with
 * the user name) and mailbox_command (run as the user,
 * local_command.c), then home_mailbox (relative to the home directory),
 * then
 * mail_spool_directory/USER. A name that ends in '/' is a Maildir
 * (maildir.h: no From line, no quoting), anything else a UNIX mailbox:
 * lock file and fcntl lock (mailbox_delivery_lock), the From line,
 * Return-Path:, X-Original-To:, Delivered-To: (prepend_delivered_header
 * "file"), ">From " quoting, an empty line at the end, one write, fsync;
 * on any error the file is cut back to its old size.
 *   - Everything runs as the recipient (root's own mail as root), so a
 *     new mailbox is 0600 and the user's. When the spool directory is
 *     not world-writable (Debian's /var/mail is 2775 root:mail) the lock
 *     file and a new mailbox are made as root and the mailbox is given
 *     to the user; the message is still written as the user.
 *   - strict_mailbox_ownership: a mailbox that is not the recipient's
 *     defers, 4.2.0 "destination PATH is not owned by recipient".
 *   - mailbox_size_limit is the process's file size limit
 *     (local_conf.c): a mailbox that would grow past it bounces, 5.2.2
 *     "cannot update mailbox PATH for user USER. error writing message:
 *     File too large".
 * Results: "delivered to mailbox", "delivered to maildir"; when
 * verifying "delivers to mailbox" / "delivers to maildir" / "delivers
 * to command: CMD". Peers: mbox_open, maildir, mail_copy (local_copy). */
#include <string.h>
#include <sys/stat.h>

#include "local.h"
#include "mail_copy.h"
#include "mail_params.h"
#include "maildir.h"
#include "msg.h"
#include "set_eugid.h"

/* local_mailbox_flags - the mail_copy() flags of a file or mailbox */
static int
local_mailbox_flags(int flags)
{
    if ((local_conf.hdr_mask & LOCAL_HDR_FILE) == 0)
        flags &= ~MAIL_COPY_DELIVERED;
    return flags;
}

/* local_maildir - deliver into a Maildir as usr; MAIL_COPY_STAT_* */
int
local_maildir(LOCAL_STATE state, const LOCAL_USER *usr, const char *path,
              DSN_BUF *why)
{
    LOCAL_COPY copy;
    int     status;

    copy.state = &state;
    copy.flags = local_mailbox_flags(MAIL_COPY_RETURN | MAIL_COPY_ORIG_RCPT
                                     | MAIL_COPY_DELIVERED
                                     | MAIL_COPY_TOFILE);
    set_eugid(usr->uid, usr->gid);
    status = maildir_deliver(path, local_copy_fn, &copy, why);
    local_as_owner();
    if (status != 0 && !(status & (MAIL_COPY_STAT_CORRUPT
                                   | MAIL_COPY_STAT_READ)))
        dsb_prepend(why, "maildir delivery failed: ");
    return status;
}

/* local_mailbox_root - must the spool lock and file be made as root */
static bool
local_mailbox_root(const char *spool)
{
    struct stat st;

    return spool != NULL && set_eugid_capable() && stat(spool, &st) == 0
        && (st.st_mode & S_IWOTH) == 0;
}

/* local_mailbox_write - append to the open, locked mailbox as usr (the
 * ownership warning is logged by the caller, back with its own ids) */
static int
local_mailbox_write(LOCAL_STATE *state, const LOCAL_USER *usr,
                    const MBOX *mp, const struct stat *st, bool *mismatch,
                    DSN_BUF *why)
{
    STREAM *sp;
    int     status;

    if (var_strict_mailbox_ownership && st->st_uid != usr->uid) {
        *mismatch = true;
        dsb_simple(why, "4.2.0", "destination %s is not owned by recipient",
                   mp->path);
        return MAIL_COPY_STAT_WRITE;
    }
    set_eugid(usr->uid, usr->gid);
    sp = stream_fdopen(mp->fd);
    status = local_copy(state, sp, local_mailbox_flags(MAIL_COPY_MBOX), why);
    stream_free(sp);
    return status;
}

/* local_mailbox_mbox - deliver to a UNIX mailbox; MAIL_COPY_STAT_* */
static int
local_mailbox_mbox(LOCAL_STATE state, const LOCAL_USER *usr,
                   const char *path, const char *spool, DSN_BUF *why)
{
    bool    as_root = local_mailbox_root(spool);
    uid_t   lock_uid = as_root ? 0 : usr->uid;
    gid_t   lock_gid = as_root ? 0 : usr->gid;
    struct stat st;
    bool    mismatch = false;
    MBOX   *mp;
    int     status = MAIL_COPY_STAT_WRITE;

    set_eugid(lock_uid, lock_gid);
    mp = mbox_open(path, 0600, as_root ? usr->uid : (uid_t) -1,
                   as_root ? usr->gid : (gid_t) -1, &local_conf.mbox, &st,
                   "5.2.0", why);
    if (mp != NULL) {
        status = local_mailbox_write(&state, usr, mp, &st, &mismatch, why);
        set_eugid(lock_uid, lock_gid);
        mbox_release(mp);
    }
    local_as_owner();
    if (mismatch)
        msg_warn("specify \"strict_mailbox_ownership = no\" to ignore "
                 "mailbox ownership mismatch");
    if (status != 0 && !(status & (MAIL_COPY_STAT_CORRUPT
                                   | MAIL_COPY_STAT_READ)))
        dsb_prepend(why, "cannot update mailbox %s for user %s. ", path,
                    state.user);
    return status;
}

/* local_mailbox_path - where the mailbox is; NULL spool for home */
static const char *
local_mailbox_path(LOCAL_STATE *state, const LOCAL_USER *usr,
                   const char **spool)
{
    BUF    *path = buf_alloc(100);
    const char *result;

    if (*var_home_mailbox) {
        *spool = NULL;
        buf_sprintf(path, "%s/%s", strcmp(usr->home, "/") ? usr->home : "",
                    var_home_mailbox);
    } else {
        /* A spool name ending in '/' asks for a Maildir per user. */
        size_t  len = strlen(var_mail_spool_directory);
        bool    maildir = len > 0 && var_mail_spool_directory[len - 1] == '/';

        while (len > 1 && var_mail_spool_directory[len - 1] == '/')
            len--;
        *spool = var_mail_spool_directory;
        buf_sprintf(path, "%.*s/%s%s", (int) len, var_mail_spool_directory,
                    state->user, maildir ? "/" : "");
    }
    result = local_save(state, buf_str(path));
    buf_free(path);
    return result;
}

/* local_mailbox - deliver to the user's mailbox */
int
local_mailbox(LOCAL_STATE state, const LOCAL_USER *usr)
{
    DSN_BUF *why;
    const char *spool;
    const char *path;
    const char *command;
    bool    maildir;
    bool    failed;
    int     status;

    if (local_pass_mailbox(state, &status))
        return status;
    command = local_per_user(&state, local_conf.mailbox_command_maps,
                             var_mailbox_command, &failed);
    if (failed)
        return local_status(state, "4.3.0", "table lookup failure");
    if (command != NULL)
        return local_command(state, usr, command);
    if (local_been_here(&state, "mailbox %s", state.user))
        return 0;
    why = dsb_create();
    path = local_mailbox_path(&state, usr, &spool);
    maildir = path[strlen(path) - 1] == '/';
    if (DEL_REQ_TRACE_ONLY(state.lr->req->flags)) {
        dsb_simple(why, "2.0.0", "delivers to %s",
                   maildir ? "maildir" : "mailbox");
        status = local_sent(state, why);
    } else {
        status = maildir ? local_maildir(state, usr, path, why) :
            local_mailbox_mbox(state, usr, path, spool, why);
        status = local_written(state, status, why, "delivered to %s",
                               maildir ? "maildir" : "mailbox");
    }
    dsb_free(why);
    return status;
}
