/* postdrop - write a message from sendmail into the maildrop queue, as
 * Postfix's postdrop(1).
 *
 * The only program that creates files in $queue_directory/maildrop. It
 * is installed set-group-id $setgid_group (never set-user-id), so it
 * trusts nothing from its caller: the environment and the choice of an
 * alternate configuration directory (-c, MAIL_CONFIG) go through
 * setid_conf.h, as for postqueue and postlog, and the record stream on
 * standard input is checked strictly (mail_submit.h has the protocol):
 * known record types in their sections, lengths within limits, the
 * content within message_size_limit, the end record, then nothing.
 * Anything wrong removes the file: only complete messages ever reach
 * maildrop. Input that ends cleanly between records, before the end
 * record, is a cancelled request: the file is removed without a word and
 * the exit status is 0, as Postfix's. The file gets an arrival time record first, then the records
 * as received; mail_queue_commit() marks it complete (0744). Then pickup
 * is woken through public/pickup. Like Postfix's postdrop it logs
 * nothing on success. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "attr.h"
#include "mail_params.h"
#include "mail_queue.h"
#include "mail_submit.h"
#include "mail_trigger.h"
#include "msg.h"
#include "msg_output.h"
#include "mymalloc.h"
#include "queue_file.h"
#include "rec_stream.h"
#include "setid_conf.h"

#define POSTDROP_MODE   0644            /* pickup reads it as mail_owner */
#define POSTDROP_REC_MIN 4096           /* envelope records may be this long */

/* The file being written, removed on a fatal error or a signal. */
static char *postdrop_path;

/* postdrop_cleanup - remove the incomplete file (msg_cleanup hook) */
static void
postdrop_cleanup(void)
{
    if (postdrop_path)
        (void) unlink(postdrop_path);
}

/* postdrop_sig - a signal: remove the incomplete file and exit */
static void
postdrop_sig(int sig)
{
    (void) sig;
    if (postdrop_path)
        (void) unlink(postdrop_path);
    _exit(1);
}

/* postdrop_config - a safe configuration directory and main.cf */
static void
postdrop_config(const char *dir)
{
    BUF    *why = buf_alloc(100);

    if (setid_conf_load(dir, why) < 0)
        msg_fatal("%s", buf_str(why));
    buf_free(why);
}

/* Input checking state. */
typedef struct POSTDROP_IN {
    REC_SECTION section;
    int     senders;                    /* 'S' records */
    long    size;                       /* content bytes */
} POSTDROP_IN;

/* postdrop_type_ok - whether sendmail may send this record type here */
static int
postdrop_type_ok(int type, REC_SECTION section)
{
    switch (section) {
    case REC_SECT_ENVELOPE:
        return strchr("AFSVRO" "M", type) != NULL;
    case REC_SECT_CONTENT:
        return strchr("NL" "X", type) != NULL;
    case REC_SECT_EXTRACTED:
        return strchr("ARO" "E", type) != NULL;
    default:
        return 0;
    }
}

/* postdrop_check and postdrop_copy results besides 0 */
#define POSTDROP_BAD        (-1)        /* malformed input */
#define POSTDROP_TOOBIG     (-2)        /* above message_size_limit */
#define POSTDROP_CANCEL     (-3)        /* input ended between records */

/* postdrop_check - check one input record; 0, or POSTDROP_BAD or
 * POSTDROP_TOOBIG with the reason in why */
static int
postdrop_check(POSTDROP_IN *in, int type, const BUF *data, BUF *why)
{
    const char *eq;

    if (type == 0 || !postdrop_type_ok(type, in->section)) {
        buf_sprintf(why, "unexpected record type %d", type);
        return POSTDROP_BAD;
    }
    if (strchr("MXE", type) && buf_len(data) != 0) {
        buf_sprintf(why, "record type %c is not empty", type);
        return POSTDROP_BAD;
    }
    if (type == REC_TYPE_NORM || type == REC_TYPE_CONT) {
        if (buf_len(data) > (size_t) var_line_length_limit) {
            buf_sprintf(why, "text record longer than line_length_limit");
            return POSTDROP_BAD;
        }
        in->size += (long) buf_len(data) + (type == REC_TYPE_NORM);
        if (var_message_size_limit > 0 && in->size > var_message_size_limit) {
            buf_sprintf(why, "File too large");
            return POSTDROP_TOOBIG;
        }
        return 0;
    }
    if (memchr(buf_str(data), 0, buf_len(data)) != NULL) {
        buf_sprintf(why, "record type %c contains a null byte", type);
        return POSTDROP_BAD;
    }
    if (type == REC_TYPE_ATTR && ((eq = strchr(buf_str(data), '=')) == NULL
                                  || eq == buf_str(data))) {
        buf_sprintf(why, "malformed attribute record");
        return POSTDROP_BAD;
    }
    if (type == REC_TYPE_FROM && ++in->senders > 1) {
        buf_sprintf(why, "more than one sender record");
        return POSTDROP_BAD;
    }
    if (type == REC_TYPE_MESG && in->senders == 0) {
        buf_sprintf(why, "no sender record before the content");
        return POSTDROP_BAD;
    }
    return 0;
}

/* postdrop_copy - copy and check the records from in to the file;
 * 0, POSTDROP_CANCEL, or POSTDROP_BAD or POSTDROP_TOOBIG with the reason
 * in why */
static int
postdrop_copy(STREAM *in, QUEUE_FILE_OUT *qf, BUF *why)
{
    POSTDROP_IN st = {REC_SECT_ENVELOPE, 0, 0};
    size_t  maxlen = var_line_length_limit > POSTDROP_REC_MIN ?
        (size_t) var_line_length_limit : POSTDROP_REC_MIN;
    BUF    *data = buf_alloc(256);
    size_t  len = 0;
    int     type;
    int     status = 0;

    while (status == 0 && st.section != REC_SECT_DONE) {
        type = rec_get(in, data, maxlen, &len, NULL);
        if (type == REC_GET_EOF) {
            status = POSTDROP_CANCEL;
        } else if (type < 0) {
            buf_sprintf(why, "stdin: %s, record length %zu",
                        rec_get_strerror(type), len);
            status = POSTDROP_BAD;
        } else if ((status = postdrop_check(&st, type, data, why)) < 0) {
            break;
        } else if (type == REC_TYPE_END) {
            st.section = REC_SECT_DONE;
        } else if (queue_file_out_rec(qf, type, buf_str(data), len) < 0) {
            buf_sprintf(why, "write queue file: %m");
            status = POSTDROP_BAD;
        } else {
            st.section = rec_type_next_section(type, st.section);
        }
    }
    if (status == 0 && stream_buffered(in) > 0) {   /* sendmail waits */
        buf_sprintf(why, "stdin: data after the end record");
        status = POSTDROP_BAD;
    }
    buf_free(data);
    return status;
}

/* postdrop_wakeup - tell pickup there is mail; a missing or idle pickup
 * finds it later on its own timer */
static void
postdrop_wakeup(void)
{
    static const char req[] = {MAIL_TRIGGER_WAKEUP};
    BUF    *why = buf_alloc(100);

    if (mail_trigger("public/pickup", req, sizeof(req), why) < 0
        && errno == ENOENT)
        msg_warn("%s", buf_str(why));
    buf_free(why);
}

/* postdrop_signals - remove the incomplete file on these signals */
static void
postdrop_signals(void)
{
    static const int sigs[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM};

    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
        (void) signal(sigs[i], postdrop_sig);
    (void) signal(SIGPIPE, SIG_IGN);
}

/* postdrop_enqueue - create the file, copy the records, commit */
static void
postdrop_enqueue(STREAM *in, STREAM *out, long uid)
{
    MAIL_QUEUE_CONF qc;
    BUF    *id = buf_alloc(40);
    BUF    *why = buf_alloc(100);
    BUF    *path = buf_alloc(100);
    QUEUE_FILE_OUT qf;
    struct timeval now;
    STREAM *fp;

    mail_queue_conf_params(&qc);
    if ((fp = mail_queue_enter(&qc, MAIL_QUEUE_MAILDROP, POSTDROP_MODE, id,
                               why)) == NULL)
        msg_fatal("uid=%ld: %s", uid, buf_str(why));
    if (mail_queue_path(path, &qc, MAIL_QUEUE_MAILDROP, buf_str(id), why) < 0)
        msg_fatal("uid=%ld: %s", uid, buf_str(why));
    postdrop_path = buf_export(path);
    if (attr_print(out, ATTR_FLAG_NONE,
                   SEND_ATTR_STR(MAIL_ATTR_PROTO, MAIL_SUBMIT_PROTOCOL),
                   SEND_ATTR_STR(MAIL_ATTR_QUEUEID, buf_str(id)),
                   ATTR_TYPE_END) < 0)
        msg_fatal("uid=%ld: write standard output: %m", uid);
    queue_file_out_init(&qf, fp);
    gettimeofday(&now, NULL);
    if (queue_file_out_time(&qf, &now) < 0)
        msg_fatal("uid=%ld: write queue file: %m", uid);
    switch (postdrop_copy(in, &qf, why)) {
    case POSTDROP_TOOBIG:
        msg_fatal("uid=%ld: %s", uid, buf_str(why));
    case POSTDROP_BAD:
        msg_warn("%s", buf_str(why));
        msg_fatal("uid=%ld: malformed input", uid);
    case POSTDROP_CANCEL:
        /* The client gave up between records (sendmail -bs after RSET or
         * a lost connection): as Postfix, quietly drop the file. */
        postdrop_cleanup();
        exit(0);
    }
    if (queue_file_out_end(&qf, 0, 0) < 0 || mail_queue_commit(fp, why) < 0)
        msg_fatal("uid=%ld: %s", uid, errno == EFBIG ?
                  "File too large" : "queue file write error");
    myfree(postdrop_path);
    postdrop_path = NULL;
    buf_free(id);
    buf_free(why);
}

/* postdrop_submit_check - authorized_submit_users */
static void
postdrop_submit_check(uid_t uid)
{
    BUF    *login = buf_alloc(32);
    BUF    *why = buf_alloc(100);

    if (mail_submit_login(uid, login, why) < 0
        || mail_submit_check(var_authorized_submit_users, buf_str(login),
                             uid, why) < 0)
        msg_fatal("%s", buf_str(why));
    buf_free(login);
    buf_free(why);
}

/* main - postdrop [-rv] [-c config_dir] */
int
main(int argc, char **argv)
{
    char   *dir;
    STREAM *in;
    STREAM *out;
    int     ch, err;

    msg_stderr_init("postdrop");
    dir = setid_conf_env(&err);
    if (err < 0)
        msg_fatal("cannot set up the environment: %m");
    while ((ch = getopt(argc, argv, "c:rv")) > 0) {
        switch (ch) {
        case 'c':
            myfree(dir);
            dir = mystrdup(optarg);
            break;
        case 'r':                               /* the only protocol */
            break;
        case 'v':
            if (getuid() == 0)
                msg_verbose++;
            break;
        default:
            msg_fatal("usage: postdrop [-rv] [-c config_dir]");
        }
    }
    postdrop_config(dir);
    myfree(dir);
    postdrop_submit_check(getuid());
    if (chdir(var_queue_directory) < 0)
        msg_fatal("chdir %s: %m", var_queue_directory);
    umask(077);
    postdrop_signals();
    msg_cleanup(postdrop_cleanup);
    in = stream_fdopen(0);
    out = stream_fdopen(1);
    postdrop_enqueue(in, out, (long) getuid());
    postdrop_wakeup();
    if (attr_print(out, ATTR_FLAG_NONE, SEND_ATTR_INT(MAIL_ATTR_STATUS, 0),
                   SEND_ATTR_STR(MAIL_ATTR_REASON, ""), ATTR_TYPE_END) < 0)
        msg_fatal("uid=%ld: write standard output: %m", (long) getuid());
    stream_free(in);
    stream_free(out);
    return 0;
}
