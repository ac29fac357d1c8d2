/* verify_clnt - query and update the address verification service. See
 * verify_clnt.h.
 *
 * Model: smtpd's queries and local(8)'s updates in Debian's Postfix 3.7
 * (strace): connect to private/$address_verify_service_name, read the
 * greeting, write the request, read the answer. Postern connects once
 * per request (Postfix keeps the connection; the bytes are the same).
 * Every wait is limited by $ipc_timeout. */
#include <string.h>

#include "attr.h"
#include "mail_params.h"
#include "sock.h"
#include "stream.h"
#include "verify_clnt.h"

/* verify_clnt_path - "private/NAME" of the service */
void
verify_clnt_path(BUF *path)
{
    buf_sprintf(path, "private/%s", var_address_verify_service_name);
}

/* verify_clnt_fail - why an exchange failed; VRFY_STAT_FAIL */
static int
verify_clnt_fail(STREAM *sp, const char *path, const char *doing, BUF *why)
{
    buf_sprintf(why, "%s %s while %s", stream_timedout(sp) ? "timeout on" :
                stream_eof(sp) || stream_error(sp) ? "lost connection with" :
                "malformed reply from", path, doing);
    return VRFY_STAT_FAIL;
}

/* verify_clnt_open - connect and check the greeting; NULL with why */
static STREAM *
verify_clnt_open(const char *path, BUF *why)
{
    BUF    *proto = buf_alloc(40);
    STREAM *sp;
    int     fd;

    if ((fd = unix_connect(path, var_ipc_timeout, why)) < 0) {
        buf_free(proto);
        return NULL;
    }
    sp = stream_fdopen(fd);
    stream_set_timeout(sp, var_ipc_timeout);
    if (attr_scan(sp, ATTR_FLAG_STRICT,
                  RECV_ATTR_STR(VRFY_ATTR_PROTOCOL, proto),
                  ATTR_TYPE_END) != 1) {
        (void) verify_clnt_fail(sp, path, "reading the greeting", why);
    } else if (strcmp(buf_str(proto), VRFY_PROTOCOL) != 0) {
        buf_sprintf(why, "unexpected protocol \"%.100s\" from %s",
                    buf_str(proto), path);
    } else {
        buf_free(proto);
        return sp;
    }
    buf_free(proto);
    (void) stream_close(sp);
    return NULL;
}

/* verify_clnt_done - after an exchange (sent: the request went out;
 * got, want: how many answer attributes came, were expected): close, and
 * the status of the answer, VRFY_STAT_FAIL or _BAD with why */
static int
verify_clnt_done(STREAM *sp, const char *path, int sent, int got, int want,
                 int status, BUF *why)
{
    if (sent < 0)
        status = verify_clnt_fail(sp, path, "sending the request", why);
    else if (got != want)
        status = verify_clnt_fail(sp, path, "reading the answer", why);
    else if (status != VRFY_STAT_OK) {
        buf_sprintf(why, "%s answered status %d", path, status);
        status = VRFY_STAT_BAD;
    }
    (void) stream_close(sp);
    return status;
}

/* verify_clnt_query - ask for the status of addr */
int
verify_clnt_query(const char *addr, int *addr_status, BUF *reason)
{
    BUF    *path = buf_alloc(30);
    STREAM *sp;
    int     status = VRFY_STAT_FAIL;
    int     sent, got = 0;

    verify_clnt_path(path);
    if ((sp = verify_clnt_open(buf_str(path), reason)) != NULL) {
        if ((sent = attr_print(sp, ATTR_FLAG_NONE,
                               SEND_ATTR_STR(VRFY_ATTR_REQ, VRFY_REQ_QUERY),
                               SEND_ATTR_STR(VRFY_ATTR_ADDR, addr),
                               ATTR_TYPE_END)) == 0)
            got = attr_scan(sp, ATTR_FLAG_STRICT,
                            RECV_ATTR_INT(VRFY_ATTR_STATUS, &status),
                            RECV_ATTR_INT(VRFY_ATTR_ADDR_STATUS, addr_status),
                            RECV_ATTR_STR(VRFY_ATTR_REASON, reason),
                            ATTR_TYPE_END);
        status = verify_clnt_done(sp, buf_str(path), sent, got, 3, status,
                                  reason);
    }
    buf_free(path);
    return status;
}

/* verify_clnt_update - record a probe's result */
int
verify_clnt_update(const char *addr, int addr_status, const char *text,
                   BUF *why)
{
    BUF    *path = buf_alloc(30);
    STREAM *sp;
    int     status = VRFY_STAT_FAIL;
    int     sent, got = 0;

    verify_clnt_path(path);
    if ((sp = verify_clnt_open(buf_str(path), why)) != NULL) {
        if ((sent = attr_print(sp, ATTR_FLAG_NONE,
                               SEND_ATTR_STR(VRFY_ATTR_REQ, VRFY_REQ_UPDATE),
                               SEND_ATTR_STR(VRFY_ATTR_ADDR, addr),
                               SEND_ATTR_INT(VRFY_ATTR_ADDR_STATUS,
                                             addr_status),
                               SEND_ATTR_STR(VRFY_ATTR_REASON, text),
                               ATTR_TYPE_END)) == 0)
            got = attr_scan(sp, ATTR_FLAG_STRICT,
                            RECV_ATTR_INT(VRFY_ATTR_STATUS, &status),
                            ATTR_TYPE_END);
        status = verify_clnt_done(sp, buf_str(path), sent, got, 1, status,
                                  why);
    }
    buf_free(path);
    return status;
}
