/* showq_file - one queue file as a listed message.
 *
 * Model: what Debian's Postfix 3.7 showq does with each directory entry
 * (strace, and files made for the purpose, docs/queue-tools.md):
 *   - lstat first: a file that is not a regular file gets "warning:
 *     PATH: uid N: not a regular file"; one whose owner bits are not rwx
 *     (still being written) is skipped quietly, as is one that vanished;
 *   - open refused: "warning: open QUEUE ID: REASON";
 *   - the records are read to the end: the sender ($empty_address_
 *     recipient when null), the arrival time (the file's mtime when the
 *     time record says 0), the message size (the file's size when there
 *     is no size record, as in maildrop), and the recipients still to do
 *     ('R', in the envelope and the extracted section); done recipients
 *     are not listed;
 *   - the group execute bit is the forced-expiration mark
 *     (postsuper -e/-f);
 *   - the recipients of the defer log come first, with their reasons,
 *     then the recipients that the log does not name.
 * Where Postfix still lists a file whose records end early (no end
 * record), Postern skips it with the reason: queue_file_walk_envelope()
 * checks the envelope and the extracted records (skipping the content,
 * as Postfix's showq), and such a file is damaged. So is a file with an
 * envelope record longer than SHOWQ_REC_MAX: what showq sends must fit
 * in an attribute value after quoting (which may double its length). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "argv.h"
#include "attr.h"
#include "msg.h"
#include "queue_file.h"
#include "quote_822_local.h"
#include "rec_type.h"
#include "showq.h"

#define SHOWQ_REC_MAX   (ATTR_VALUE_MAX / 4)

/* What the walk collects. */
typedef struct SHOWQ_LOAD {
    BUF    *sender;
    ARGV   *rcpts;
} SHOWQ_LOAD;

/* showq_address - external, printable form of a queue file address */
void
showq_address(const SHOWQ *sq, BUF *out, const char *addr)
{
    if (*addr == 0) {
        buf_strcpy(out, sq->empty_addr);
        return;
    }
    quote_822_local(out, addr);
    msg_printable(buf_str(out), buf_len(out));
}

/* showq_file_record - queue_file_walk_envelope() callback: sender, recipients */
static int
showq_file_record(int type, const char *data, size_t len, off_t offset,
                  REC_SECTION section, void *ctx)
{
    SHOWQ_LOAD *load = ctx;

    if (type == REC_TYPE_FROM)
        buf_strcpy(load->sender, data);
    else if (type == REC_TYPE_RCPT)
        argv_add(load->rcpts, data);
    return 0;
}

/* showq_file_open - open the file that lstat saw; fd, or -1 (skip) */
static int
showq_file_open(const char *queue, const char *id, const char *path,
                struct stat *st)
{
    struct stat fst;
    int     fd;

    if (lstat(path, st) < 0)
        return -1;
    if (!S_ISREG(st->st_mode)) {
        msg_warn("%s: uid %ld: not a regular file", path,
                 (long) st->st_uid);
        return -1;
    }
    if (!mail_queue_ready(st))
        return -1;
    if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
        if (errno != ENOENT)
            msg_warn("open %s %s: %m", queue, id);
        return -1;
    }
    if (fstat(fd, &fst) < 0 || fst.st_dev != st->st_dev
        || fst.st_ino != st->st_ino) {
        (void) close(fd);
        return -1;
    }
    return fd;
}

/* showq_file_rcpts - the log's recipients, then the others */
static void
showq_file_rcpts(const SHOWQ *sq, const char *id, const ARGV *rcpts,
                 SHOWQ_MSG *msg)
{
    HTABLE *seen = htable_create(16);
    BUF    *addr = buf_alloc(64);

    if (rcpts->argc > 0)
        showq_reasons(sq, id, msg, seen);
    for (int i = 0; i < rcpts->argc; i++) {
        showq_address(sq, addr, rcpts->argv[i]);
        if (htable_locate(seen, buf_str(addr)) == NULL)
            showq_msg_add_rcpt(msg, buf_str(addr), "");
    }
    buf_free(addr);
    htable_free(seen, NULL);
}

/* showq_file - read one queue file into msg */
int
showq_file(const SHOWQ *sq, const char *queue, const char *id,
           const char *path, SHOWQ_MSG *msg)
{
    SHOWQ_LOAD load;
    QUEUE_FILE_INFO info;
    struct stat st;
    BUF    *why;
    int     fd, status;

    if ((fd = showq_file_open(queue, id, path, &st)) < 0)
        return SHOWQ_FILE_SKIP;
    why = buf_alloc(100);
    load.sender = buf_alloc(64);
    load.rcpts = argv_alloc(4);
    status = queue_file_walk_envelope(fd, SHOWQ_REC_MAX, showq_file_record,
                                      &load, &info, why);
    (void) close(fd);
    if (status != QUEUE_FILE_OK) {
        msg_warn("%s: %s", path, buf_str(why));
    } else {
        showq_msg_reset(msg);
        buf_strcpy(msg->queue, queue);
        buf_strcpy(msg->id, id);
        msg->time = info.arrival.tv_sec ? (long) info.arrival.tv_sec
            : (long) st.st_mtime;
        msg->size = info.has_size ? info.size.msg_size : (long) st.st_size;
        msg->forced_expire = (st.st_mode & S_IXGRP) != 0;
        showq_address(sq, msg->sender, buf_str(load.sender));
        showq_file_rcpts(sq, id, load.rcpts, msg);
    }
    buf_free(why);
    buf_free(load.sender);
    argv_free(load.rcpts);
    return status == QUEUE_FILE_OK ? SHOWQ_FILE_OK : SHOWQ_FILE_SKIP;
}
