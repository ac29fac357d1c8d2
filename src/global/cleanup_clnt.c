/* cleanup_clnt - talk to the cleanup service as a client.
 *
 * Model: the exchange between Debian's Postfix 3.7 pickup and cleanup,
 * seen with strace (docs/protocols/cleanup.md):
 *
 *   cleanup -> client   protocol=cleanup_protocol  queue_id=ID
 *   client  -> cleanup  flags=627
 *   client  -> cleanup  records 'T' ... 'E' (rec_stream framing)
 *   cleanup -> client   status=0  reason=
 *
 * The greeting and the reply are attribute messages (attr.h); the records
 * in between are raw queue file records. A connection that fails in any
 * way is a temporary error for the client, as it is for Postfix's
 * clients ("queue file write error"). Peers: cleanup (the server), pickup,
 * later smtpd and qmqpd. See cleanup_clnt.h. */
#include <string.h>

#include "argv.h"
#include "attr.h"
#include "cleanup_clnt.h"
#include "cleanup_strerror.h"
#include "mail_queue_id.h"
#include "mymalloc.h"
#include "sock.h"

struct CLEANUP_CLNT {
    STREAM *stream;
    char   *service;                    /* the socket path, for reasons */
    BUF    *queue_id;
};

/* What the words of receive_override_options switch off. */
static const struct {
    const char *word;
    int     flags;
} cleanup_clnt_overrides[] = {
    {"no_unknown_recipient_checks", 0},         /* smtpd's business */
    {"no_address_mappings", CLEANUP_FLAG_MAP_OK | CLEANUP_FLAG_BCC_OK},
    {"no_header_body_checks", CLEANUP_FLAG_FILTER},
    {"no_milters", CLEANUP_FLAG_MILT},
};

#define CLEANUP_CLNT_COUNT(a)   (sizeof(a) / sizeof((a)[0]))

/* cleanup_clnt_free - close the connection and free everything */
static void
cleanup_clnt_free(CLEANUP_CLNT *cc)
{
    (void) stream_close(cc->stream);
    myfree(cc->service);
    buf_free(cc->queue_id);
    myfree(cc);
}

/* cleanup_clnt_io_error - why an exchange with cleanup failed: "WHAT
 * (timeout on SERVICE while DOING)" and the like */
static void
cleanup_clnt_io_error(const CLEANUP_CLNT *cc, BUF *why, const char *what,
                      const char *doing)
{
    const char *how;

    if (stream_timedout(cc->stream))
        how = "timeout on";
    else if (stream_error(cc->stream) || stream_eof(cc->stream))
        how = "lost connection with";
    else
        how = "malformed reply from";
    buf_sprintf(why, "%s (%s %s while %s)", what, how, cc->service, doing);
}

/* cleanup_clnt_greeting - read and check the greeting; 0, or -1 with
 * the reason in why */
static int
cleanup_clnt_greeting(CLEANUP_CLNT *cc, BUF *why)
{
    BUF    *proto = buf_alloc(20);
    int     ret = -1;

    if (attr_scan(cc->stream, ATTR_FLAG_STRICT,
                  RECV_ATTR_STR(CLEANUP_ATTR_PROTOCOL, proto),
                  RECV_ATTR_STR(CLEANUP_ATTR_QUEUE_ID, cc->queue_id),
                  ATTR_TYPE_END) != 2)
        cleanup_clnt_io_error(cc, why, "cannot start a queue file",
                              "reading the greeting");
    else if (strcmp(buf_str(proto), CLEANUP_PROTOCOL) != 0)
        buf_sprintf(why, "unexpected protocol \"%.100s\" from %s",
                    buf_str(proto), cc->service);
    else if (!mail_queue_id_ok(buf_str(cc->queue_id)))
        buf_sprintf(why, "malformed queue id \"%.100s\" from %s",
                    buf_str(cc->queue_id), cc->service);
    else
        ret = 0;
    buf_free(proto);
    return ret;
}

/* cleanup_clnt_flags - send the request flags; 0, or -1 with the
 * reason in why */
static int
cleanup_clnt_flags(CLEANUP_CLNT *cc, int flags, BUF *why)
{
    if (attr_print(cc->stream, ATTR_FLAG_NONE,
                   SEND_ATTR_INT(CLEANUP_ATTR_FLAGS, flags),
                   ATTR_TYPE_END) == 0)
        return 0;
    cleanup_clnt_io_error(cc, why, "cannot start a queue file",
                          "sending the flags");
    return -1;
}

/* cleanup_open - connect, check the greeting, send the flags */
CLEANUP_CLNT *
cleanup_open(const char *service_path, int timeout, int flags, BUF *why)
{
    CLEANUP_CLNT *cc;
    int     fd;

    if ((fd = unix_connect(service_path, timeout, why)) < 0)
        return NULL;
    cc = (CLEANUP_CLNT *) mymalloc(sizeof(*cc));
    cc->stream = stream_fdopen(fd);
    cc->service = mystrdup(service_path);
    cc->queue_id = buf_alloc(20);
    stream_set_timeout(cc->stream, timeout);
    if (cleanup_clnt_greeting(cc, why) == 0
        && cleanup_clnt_flags(cc, flags, why) == 0)
        return cc;
    cleanup_clnt_free(cc);
    return NULL;
}

/* cleanup_queue_id - the new message's queue id */
const char *
cleanup_queue_id(const CLEANUP_CLNT *cc)
{
    return buf_str(cc->queue_id);
}

/* cleanup_stream - the stream for the records */
STREAM *
cleanup_stream(CLEANUP_CLNT *cc)
{
    return cc->stream;
}

/* cleanup_close - read the verdict; free cc */
int
cleanup_close(CLEANUP_CLNT *cc, BUF *reason)
{
    int     status = CLEANUP_STAT_WRITE;
    const char *write_error = cleanup_strerror(CLEANUP_STAT_WRITE);

    if (stream_flush(cc->stream) < 0)
        cleanup_clnt_io_error(cc, reason, write_error, "sending the message");
    else if (attr_scan(cc->stream, ATTR_FLAG_STRICT,
                       RECV_ATTR_INT(CLEANUP_ATTR_STATUS, &status),
                       RECV_ATTR_STR(CLEANUP_ATTR_REASON, reason),
                       ATTR_TYPE_END) != 2 || status < 0) {
        status = CLEANUP_STAT_WRITE;
        cleanup_clnt_io_error(cc, reason, write_error, "reading the status");
    } else if (status != 0 && buf_len(reason) == 0) {
        buf_strcpy(reason, cleanup_strerror(status));
    }
    cleanup_clnt_free(cc);
    return status;
}

/* cleanup_abort - drop the connection: cleanup discards the message */
void
cleanup_abort(CLEANUP_CLNT *cc)
{
    cleanup_clnt_free(cc);
}

/* cleanup_override_word - the flags one word switches off, or -1 */
static int
cleanup_override_word(const char *word)
{
    for (size_t i = 0; i < CLEANUP_CLNT_COUNT(cleanup_clnt_overrides); i++)
        if (strcmp(word, cleanup_clnt_overrides[i].word) == 0)
            return cleanup_clnt_overrides[i].flags;
    return -1;
}

/* cleanup_override - apply receive_override_options to flags */
int
cleanup_override(int flags, const char *options, BUF *why)
{
    ARGV   *words = argv_split(options, LIST_DELIM);
    int     off;

    for (int i = 0; i < words->argc; i++) {
        if ((off = cleanup_override_word(words->argv[i])) < 0) {
            buf_sprintf(why, "unknown receive_override_options value "
                        "\"%.100s\" in \"%.200s\"", words->argv[i], options);
            flags = -1;
            break;
        }
        flags &= ~off;
    }
    argv_free(words);
    return flags;
}
