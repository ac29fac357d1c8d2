/* anvil_clnt - the anvil protocol's wire form, and smtpd's client of the
 * service. See anvil_clnt.h.
 *
 * Model: smtpd in Debian's Postfix 3.7 (strace): one connection to
 * private/anvil kept for the life of the process, the greeting read
 * once, then one request and one answer at a time. A request that
 * fails on a kept connection is tried once more on a new one (the
 * service may have been restarted); every wait is limited by the
 * timeout given at creation. */
#include <limits.h>
#include <stdarg.h>
#include <string.h>

#include "anvil_clnt.h"
#include "conv.h"
#include "mymalloc.h"
#include "sock.h"

struct ANVIL_CLNT {
    char   *path;
    int     timeout;
    STREAM *stream;                     /* NULL: not connected */
    ARGV   *reply;                      /* the last answer */
    BUF    *ident;
};

/* anvil_proto_send - one message in the plain form */
int
anvil_proto_send(STREAM *sp, ...)
{
    va_list ap;
    const char *name, *value;

    va_start(ap, sp);
    while ((name = va_arg(ap, const char *)) != NULL) {
        value = va_arg(ap, const char *);
        (void) stream_printf(sp, "%s=%s\n", name, value);
    }
    va_end(ap);
    (void) stream_putc(sp, '\n');
    return stream_flush(sp) == 0 && !stream_error(sp) ? 0 : -1;
}

/* anvil_proto_line - one line without its newline into line; 1 for an
 * attribute, 0 for the empty line, -1 on error */
static int
anvil_proto_line(STREAM *sp, BUF *line)
{
    buf_reset(line);
    if (stream_get_line(sp, line, ANVIL_LINE_MAX) != '\n')
        return -1;
    buf_truncate(line, buf_len(line) - 1);
    if (buf_len(line) == 0)
        return 0;
    if (memchr(buf_str(line), 0, buf_len(line)) != NULL
        || strchr(buf_str(line), '=') == NULL)
        return -1;
    return 1;
}

/* anvil_proto_read - one message into name/value pairs */
int
anvil_proto_read(STREAM *sp, ARGV *pairs)
{
    BUF    *line = buf_alloc(100);
    int     count = 0, status;
    char   *eq;

    argv_truncate(pairs, 0);
    while ((status = anvil_proto_line(sp, line)) > 0
           && count < ANVIL_ATTR_COUNT_MAX) {
        eq = strchr(buf_str(line), '=');
        argv_addn(pairs, buf_str(line), (size_t) (eq - buf_str(line)));
        argv_add(pairs, eq + 1);
        count++;
    }
    buf_free(line);
    return status == 0 ? count : -1;
}

/* anvil_proto_find - the value of name in pairs */
const char *
anvil_proto_find(const ARGV *pairs, const char *name)
{
    for (int i = 0; i + 1 < pairs->argc; i += 2)
        if (strcmp(pairs->argv[i], name) == 0)
            return pairs->argv[i + 1];
    return NULL;
}

/* anvil_clnt_create - a client; connects on first use */
ANVIL_CLNT *
anvil_clnt_create(const char *path, int timeout)
{
    ANVIL_CLNT *clnt = mymalloc(sizeof(*clnt));

    clnt->path = mystrdup(path);
    clnt->timeout = timeout;
    clnt->stream = NULL;
    clnt->reply = argv_alloc(14);
    clnt->ident = buf_alloc(50);
    return clnt;
}

/* anvil_clnt_close - drop the connection */
static void
anvil_clnt_close(ANVIL_CLNT *clnt)
{
    if (clnt->stream != NULL) {
        (void) stream_close(clnt->stream);
        clnt->stream = NULL;
    }
}

/* anvil_clnt_free - close and free */
void
anvil_clnt_free(ANVIL_CLNT *clnt)
{
    anvil_clnt_close(clnt);
    myfree(clnt->path);
    argv_free(clnt->reply);
    buf_free(clnt->ident);
    myfree(clnt);
}

/* anvil_clnt_open - connect and check the greeting; 0 or -1 with why */
static int
anvil_clnt_open(ANVIL_CLNT *clnt, BUF *why)
{
    const char *proto;
    int     fd;

    if ((fd = unix_connect(clnt->path, clnt->timeout, why)) < 0)
        return -1;
    clnt->stream = stream_fdopen(fd);
    stream_set_timeout(clnt->stream, clnt->timeout);
    if (anvil_proto_read(clnt->stream, clnt->reply) < 0) {
        buf_sprintf(why, "%s: no greeting from the anvil service",
                    clnt->path);
    } else if ((proto = anvil_proto_find(clnt->reply, ANVIL_ATTR_PROTOCOL))
               == NULL || strcmp(proto, ANVIL_PROTOCOL) != 0) {
        buf_sprintf(why, "%s: unexpected protocol \"%.100s\"", clnt->path,
                    proto ? proto : "");
    } else {
        return 0;
    }
    anvil_clnt_close(clnt);
    return -1;
}

/* anvil_clnt_exchange - one request and its answer on the connection
 * (opened if needed); 0 or -1 with why */
static int
anvil_clnt_exchange(ANVIL_CLNT *clnt, const char *request, BUF *why)
{
    if (clnt->stream == NULL && anvil_clnt_open(clnt, why) < 0)
        return -1;
    if (anvil_proto_send(clnt->stream, ANVIL_ATTR_REQ, request,
                         ANVIL_ATTR_IDENT, buf_str(clnt->ident),
                         (char *) NULL) == 0
        && anvil_proto_read(clnt->stream, clnt->reply) >= 0)
        return 0;
    buf_sprintf(why, "%s: %s while talking to the anvil service",
                clnt->path, stream_timedout(clnt->stream) ? "timeout" :
                "lost connection");
    anvil_clnt_close(clnt);
    return -1;
}

/* anvil_clnt_number - a numeric attribute of the answer; 0 or -1 */
static int
anvil_clnt_number(ANVIL_CLNT *clnt, const char *name, int *value)
{
    const char *text = anvil_proto_find(clnt->reply, name);
    long    num;

    if (text == NULL || conv_long(text, &num) < 0 || num < 0
        || num > INT_MAX)
        return -1;
    *value = (int) num;
    return 0;
}

/* anvil_clnt_request - send request for service:addr; then read the
 * named numbers of the answer (NULL-terminated name, int * pairs) */
static int
anvil_clnt_request(ANVIL_CLNT *clnt, const char *request,
                   const char *service, const char *addr, BUF *why, ...)
{
    va_list ap;
    const char *name;
    int    *value;
    int     status = 0, ok;

    buf_sprintf(clnt->ident, "%s:%s", service, addr);
    if (anvil_clnt_exchange(clnt, request, why) < 0
        && anvil_clnt_exchange(clnt, request, why) < 0)
        return ANVIL_STAT_FAIL;
    if (anvil_clnt_number(clnt, ANVIL_ATTR_STATUS, &ok) < 0
        || ok != ANVIL_STAT_OK) {
        buf_sprintf(why, "%s: request %s failed", clnt->path, request);
        return ANVIL_STAT_FAIL;
    }
    va_start(ap, why);
    while (status == 0 && (name = va_arg(ap, const char *)) != NULL) {
        value = va_arg(ap, int *);
        if ((status = anvil_clnt_number(clnt, name, value)) < 0)
            buf_sprintf(why, "%s: malformed %s answer: no %s", clnt->path,
                        request, name);
    }
    va_end(ap);
    return status == 0 ? ANVIL_STAT_OK : ANVIL_STAT_FAIL;
}

/* anvil_clnt_connect - a remote client connected */
int
anvil_clnt_connect(ANVIL_CLNT *clnt, const char *service, const char *addr,
                   int *count, int *rate, BUF *why)
{
    return anvil_clnt_request(clnt, ANVIL_REQ_CONN, service, addr, why,
                              ANVIL_ATTR_COUNT, count, ANVIL_ATTR_RATE, rate,
                              (char *) NULL);
}

/* anvil_clnt_disconnect - a remote client went away */
int
anvil_clnt_disconnect(ANVIL_CLNT *clnt, const char *service,
                      const char *addr, BUF *why)
{
    return anvil_clnt_request(clnt, ANVIL_REQ_DISC, service, addr, why,
                              (char *) NULL);
}

/* anvil_clnt_rate - count one event (or only read the new TLS rate) */
int
anvil_clnt_rate(ANVIL_CLNT *clnt, const char *request, const char *service,
                const char *addr, int *rate, BUF *why)
{
    return anvil_clnt_request(clnt, request, service, addr, why,
                              ANVIL_ATTR_RATE, rate, (char *) NULL);
}

/* anvil_clnt_lookup - all counters of service:addr */
int
anvil_clnt_lookup(ANVIL_CLNT *clnt, const char *service, const char *addr,
                  ANVIL_COUNTS *counts, BUF *why)
{
    return anvil_clnt_request(clnt, ANVIL_REQ_LOOKUP, service, addr, why,
                              ANVIL_ATTR_COUNT, &counts->count,
                              ANVIL_ATTR_RATE, &counts->rate,
                              ANVIL_ATTR_MAIL, &counts->mail,
                              ANVIL_ATTR_RCPT, &counts->rcpt,
                              ANVIL_ATTR_NTLS, &counts->newtls,
                              ANVIL_ATTR_AUTH, &counts->auth,
                              (char *) NULL);
}
