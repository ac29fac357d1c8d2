/* postern_qshape_scan - read queue files into the qshape table.
 *
 * As Postfix's qshape: a file counts when its name is a queue id of at
 * least 6 characters, it is complete (mode 0700 of 0733), and it has an
 * arrival time, a sender and at least one recipient still to deliver
 * ('R'; done recipients do not count). Each of its recipients (with -s,
 * its sender once) adds 1 to the row "TOTAL" and to the row of its
 * domain, in the column of the message's age. The domain is what follows
 * the last '@', in lower case, ".." squeezed to ".", without one leading
 * and one trailing dot; the null sender is "MAILER-DAEMON". With -p the
 * parents count too (".example.com" for "a.b.example.com" and
 * "b.example.com"; never a top-level domain), and a parent learns how
 * many distinct children it has. The age column of t is 1 for less than
 * one tick, else 2 + log2(age / tick) (linear: 1 + age / tick), at most
 * the bucket count. Damaged files and files that vanish are skipped. */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "argv.h"
#include "buf.h"
#include "msg.h"
#include "mymalloc.h"
#include "postern_qshape.h"
#include "queue_file.h"
#include "queue_scan.h"
#include "rec_type.h"

#define QSHAPE_ID_MIN   6               /* qshape's [A-Za-z0-9]{6,} */

/* What the walk collects. */
typedef struct QSHAPE_MSG {
    BUF    *sender;
    int     have_sender;
    ARGV   *rcpts;
} QSHAPE_MSG;

/* qshape_bucket - the age column of a message that arrived at t */
static int
qshape_bucket(const QSHAPE *qs, time_t t)
{
    double  m = (double) (qs->now - t) / (60.0 * qs->opts->tick);
    long    b = 2;

    if (m < 1)
        return 1;
    if (qs->opts->linear)
        b = m + 1 < qs->opts->buckets ? (long) (m + 1) : qs->opts->buckets;
    else
        for (; m >= 2 && b < qs->opts->buckets; m /= 2)
            b++;                        /* 2 + log2(m), rounded down */
    return b < qs->opts->buckets ? (int) b : qs->opts->buckets;
}

/* qshape_domain - the domain of an address, as qshape shows it */
static void
qshape_domain(BUF *out, const char *addr)
{
    const char *at = strrchr(addr, '@');
    const char *cp = at ? at + 1 : addr;
    size_t  len;

    buf_reset(out);
    if (*addr == 0) {
        buf_strcpy(out, "MAILER-DAEMON");
        return;
    }
    for (; *cp; cp++) {
        buf_addch(out, *cp);
        if (cp[0] == '.' && cp[1] == '.')
            cp++;                       /* ".." -> "." */
    }
    buf_lowercase(out);
    len = buf_len(out);
    if (len > 1 && buf_str(out)[len - 1] == '.')
        buf_truncate(out, --len);
    if (len > 1 && buf_str(out)[0] == '.') {
        memmove(buf_str(out), buf_str(out) + 1, len);
        buf_truncate(out, len - 1);
    }
}

/* qshape_parent - ".b.example.com" for "a.b.example.com" or
 * ".a.b.example.com"; false for a name with fewer than three labels */
static bool
qshape_parent(BUF *name)
{
    const char *start = buf_str(name) + (buf_str(name)[0] == '.');
    const char *dot = strchr(start, '.');
    char   *copy;

    if (dot == NULL || dot == start || strchr(dot + 1, '.') == NULL)
        return false;
    copy = mystrdup(dot);
    buf_strcpy(name, copy);
    myfree(copy);
    return true;
}

/* qshape_count - one address (or sender) in column b */
static void
qshape_count(QSHAPE *qs, const char *addr, int b)
{
    BUF    *name = buf_alloc(100);
    QSHAPE_ROW *row = qshape_row(qs, QSHAPE_TOTAL);
    bool    new_child = false;

    row->counts[0]++;
    row->counts[b]++;
    qshape_domain(name, addr);
    do {
        row = qshape_row(qs, buf_str(name));
        if (new_child)
            row->subdomains++;
        new_child = ++row->counts[0] == 1;
        row->counts[b]++;
    } while (qs->opts->parents && qshape_parent(name));
    buf_free(name);
}

/* qshape_record - queue_file_walk_envelope() callback: sender, recipients */
static int
qshape_record(int type, const char *data, size_t len, off_t offset,
              REC_SECTION section, void *ctx)
{
    QSHAPE_MSG *msg = ctx;

    if (type == REC_TYPE_FROM) {
        buf_strcpy(msg->sender, data);
        msg->have_sender = 1;
    } else if (type == REC_TYPE_RCPT) {
        argv_add(msg->rcpts, data);
    }
    return 0;
}

/* qshape_file - count one queue file */
static void
qshape_file(QSHAPE *qs, const char *path, QSHAPE_MSG *msg)
{
    BUF    *why = buf_alloc(100);
    QUEUE_FILE_INFO info;
    struct stat st;
    int     fd, b;

    if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK))
        < 0) {
        buf_free(why);
        return;
    }
    msg->have_sender = 0;
    argv_truncate(msg->rcpts, 0);
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)
        && (st.st_mode & 0733) == 0700
        && queue_file_walk_envelope(fd, 0, qshape_record, msg, &info,
                                    why) == QUEUE_FILE_OK
        && msg->have_sender && msg->rcpts->argc > 0) {
        b = qshape_bucket(qs, info.arrival.tv_sec);
        if (qs->opts->senders)
            qshape_count(qs, buf_str(msg->sender), b);
        else
            for (int i = 0; i < msg->rcpts->argc; i++)
                qshape_count(qs, msg->rcpts->argv[i], b);
    }
    (void) close(fd);
    buf_free(why);
}

/* qshape_scan - count every message of a queue (in the queue directory) */
int
qshape_scan(QSHAPE *qs, const char *queue)
{
    MAIL_QUEUE_CONF conf;
    QSHAPE_MSG msg;
    QUEUE_SCAN *scan;
    BUF    *why = buf_alloc(100);
    BUF    *path = buf_alloc(100);
    const char *id;

    mail_queue_conf_params(&conf);
    if (!mail_queue_name_ok(queue)
        || (scan = queue_scan_open(&conf, queue, why)) == NULL) {
        msg_warn("%s: %s", queue, buf_len(why) ? buf_str(why) :
                 "unknown queue name");
        buf_free(why);
        buf_free(path);
        return -1;
    }
    msg.sender = buf_alloc(100);
    msg.rcpts = argv_alloc(10);
    while ((id = queue_scan_next(scan, path)) != NULL)
        if (strlen(id) >= QSHAPE_ID_MIN)
            qshape_file(qs, buf_str(path), &msg);
    queue_scan_close(scan);
    buf_free(msg.sender);
    argv_free(msg.rcpts);
    buf_free(why);
    buf_free(path);
    return 0;
}
