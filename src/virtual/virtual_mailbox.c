/* virtual_mailbox - one delivery into a virtual recipient's mailbox.
 *
 * Model (man 8 virtual; observed from Postfix 3.7's virtual, see
 * docs/virtual.md): everything runs with the recipient's uid and gid
 * from the tables (set_eugid.h), lock file and mailbox included, so a
 * new mailbox is 0600 and the recipient's, and the recipient must be
 * able to write the mailbox directory;
 *   - a path that ends in '/' is a Maildir (maildir.h): Return-Path:,
 *     X-Original-To:, Delivered-To:, the message; the directories are
 *     made as needed; a permission problem is also logged, "maildir
 *     access problem for UID/GID=U/G: REASON" and "perhaps you need to
 *     create the maildirs in advance";
 *   - anything else is a UNIX mailbox: virtual_mailbox_lock (lock file
 *     and fcntl lock), the From line, the three headers, ">From "
 *     quoting, an empty line at the end, one write, fsync, cut back on
 *     any error (mail_copy.h); a mailbox that is not the recipient's
 *     defers, 4.2.0 "destination PATH is not owned by recipient", with
 *     the strict_mailbox_ownership warning;
 *   - a full mailbox (virtual_mailbox_limit, a quota: 5.2.2) bounces;
 *     every other problem defers (4.X.Y), as man 8 virtual says.
 * Reasons: "delivery failed to mailbox PATH: ...", "maildir delivery
 * failed: ...". Peers: mbox_open, maildir, mail_copy. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>

#include "mail_copy.h"
#include "mail_params.h"
#include "maildir.h"
#include "msg.h"
#include "set_eugid.h"
#include "virtual.h"

#define VIRTUAL_FULL    "5.2.2"         /* the one permanent failure */

/* virtual_mailbox_job - the copy of this request for this recipient */
static void
virtual_mailbox_job(MAIL_COPY_JOB *job, const DELIVER_REQUEST *req,
                    const RECIPIENT *rcpt, int flags)
{
    job->src.fd = req->fd;
    job->src.offset = req->data_offset;
    job->src.sender = req->sender;
    job->src.orig_rcpt = *DEL_TEXT(rcpt->orig_addr) ? rcpt->orig_addr
        : rcpt->address;
    job->src.delivered = rcpt->address;
    job->flags = flags;
    job->eol = "\n";
}

/* virtual_mailbox_mbox - append to a UNIX mailbox as the recipient */
static int
virtual_mailbox_mbox(const MAIL_COPY_JOB *job, const VIRTUAL_USER *usr,
                     DSN_BUF *why)
{
    struct stat st;
    bool    mismatch = false;
    MBOX   *mp;
    STREAM *sp;
    int     status = MAIL_COPY_STAT_WRITE;

    set_eugid(usr->uid, usr->gid);
    mp = mbox_open(usr->path, 0600, (uid_t) -1, (gid_t) -1,
                   &virtual_conf.mbox, &st, "4.2.0", why);
    if (mp != NULL) {
        if (var_strict_mailbox_ownership && st.st_uid != usr->uid) {
            mismatch = true;
            dsb_simple(why, "4.2.0", "destination %s is not owned by "
                       "recipient", usr->path);
        } else {
            sp = stream_fdopen(mp->fd);
            status = mail_copy(&job->src, sp, job->flags, job->eol, why);
            stream_free(sp);
        }
        mbox_release(mp);
    }
    virtual_as_owner();
    if (mismatch)
        msg_warn("specify \"strict_mailbox_ownership = no\" to ignore "
                 "mailbox ownership mismatch");
    return status;
}

/* virtual_mailbox_maildir - deliver into a Maildir as the recipient */
static int
virtual_mailbox_maildir(MAIL_COPY_JOB *job, const VIRTUAL_USER *usr,
                        DSN_BUF *why)
{
    int     status;
    int     err;

    set_eugid(usr->uid, usr->gid);
    status = maildir_deliver(usr->path, mail_copy_job, job, why);
    err = errno;
    virtual_as_owner();
    if (status != 0 && err == EACCES) {
        msg_warn("maildir access problem for UID/GID=%lu/%lu: %s",
                 (unsigned long) usr->uid, (unsigned long) usr->gid,
                 buf_str(why->reason));
        msg_warn("perhaps you need to create the maildirs in advance");
    }
    return status;
}

/* virtual_mailbox - deliver to usr's mailbox */
int
virtual_mailbox(const DELIVER_REQUEST *req, const RECIPIENT *rcpt,
                const VIRTUAL_USER *usr, DSN_BUF *why)
{
    bool    maildir = usr->path[strlen(usr->path) - 1] == '/';
    MAIL_COPY_JOB job;
    int     status;

    if (maildir) {
        virtual_mailbox_job(&job, req, rcpt, MAIL_COPY_RETURN
                            | MAIL_COPY_ORIG_RCPT | MAIL_COPY_DELIVERED
                            | MAIL_COPY_TOFILE);
        status = virtual_mailbox_maildir(&job, usr, why);
    } else {
        virtual_mailbox_job(&job, req, rcpt, MAIL_COPY_MBOX);
        status = virtual_mailbox_mbox(&job, usr, why);
    }
    if (status == 0 || (status & (MAIL_COPY_STAT_CORRUPT
                                  | MAIL_COPY_STAT_READ)))
        return status;
    if (dsb_status_class(why) == '5'
        && strcmp(buf_str(why->status), VIRTUAL_FULL) != 0)
        why->status->data[0] = '4';
    if (maildir)
        dsb_prepend(why, "maildir delivery failed: ");
    else
        dsb_prepend(why, "delivery failed to mailbox %s: ", usr->path);
    return status;
}
