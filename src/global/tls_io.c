/* tls_io - TLS handshakes, and the STREAM's read and write through TLS.
 *
 * Model: Postfix's tls_bio_ops.c: the socket is non-blocking, and every
 * OpenSSL call that wants to read or write waits with poll() for at most
 * the time left (the handshake's timeout, or the time limit STREAM gives
 * each call). A handshake failure is logged as Postfix does
 * ("SSL_accept error from NAME[ADDR]: ...") and the session dropped. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>

#include "mono_time.h"
#include "msg.h"
#include "mymalloc.h"
#include "tls_int.h"

typedef int (*TLS_OP) (SSL *ssl, void *buf, int len);

/* tls_wait - wait for the socket as OpenSSL asked, until the deadline
 * (0: none); 0, or -1 with errno (ETIMEDOUT) */
static int
tls_wait(int fd, int ssl_err, long long deadline)
{
    struct pollfd pfd;
    long long left = deadline ? deadline - mono_ms() : -1;
    int     n;

    if (deadline && left <= 0) {
        errno = ETIMEDOUT;
        return -1;
    }
    pfd.fd = fd;
    pfd.events = ssl_err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
    while ((n = poll(&pfd, 1, (int) (left > 1000000000 ? 1000000000 : left)))
           < 0 && errno == EINTR)
        /* again */ ;
    if (n == 0)
        errno = ETIMEDOUT;
    return n > 0 ? 0 : -1;
}

/* tls_call - one OpenSSL operation until it completes or fails: >0
 * done, 0 the peer closed, -1 error (errno; EPROTO for a TLS error,
 * with OpenSSL's error queue kept for the caller) */
static int
tls_call(TLS_SESS *sess, TLS_OP op, void *buf, int len, long long deadline)
{
    SSL    *ssl = sess->ssl;
    int     ret;
    int     err;

    for (;;) {
        ERR_clear_error();
        if ((ret = op(ssl, buf, len)) > 0)
            return ret;
        err = SSL_get_error(ssl, ret);
        if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
            if (tls_wait(SSL_get_fd(ssl), err, deadline) < 0)
                return -1;
            continue;
        }
        if (err == SSL_ERROR_ZERO_RETURN)
            return 0;
        if (err == SSL_ERROR_SYSCALL && errno == 0)
            return 0;                   /* EOF without close_notify */
        if (err != SSL_ERROR_SYSCALL)
            errno = EPROTO;
        return -1;
    }
}

/* tls_op_accept - SSL_accept in the shape of tls_call's operations */
static int
tls_op_accept(SSL *ssl, void *buf, int len)
{
    (void) buf;
    (void) len;
    return SSL_accept(ssl);
}

/* tls_op_connect - SSL_connect as an operation */
static int
tls_op_connect(SSL *ssl, void *buf, int len)
{
    (void) buf;
    (void) len;
    return SSL_connect(ssl);
}

/* tls_op_read - SSL_read as an operation */
static int
tls_op_read(SSL *ssl, void *buf, int len)
{
    return SSL_read(ssl, buf, len);
}

/* tls_op_write - SSL_write as an operation */
static int
tls_op_write(SSL *ssl, void *buf, int len)
{
    return SSL_write(ssl, buf, len);
}

/* tls_deadline - the absolute deadline of a per-call limit (-1: none) */
static long long
tls_deadline(int timeout_ms)
{
    return timeout_ms < 0 ? 0 : mono_ms() + (timeout_ms ? timeout_ms : 1);
}

/* tls_stream_read - the STREAM read function */
static ssize_t
tls_stream_read(int fd, void *buf, size_t len, int timeout_ms, void *ctx)
{
    (void) fd;
    return tls_call(ctx, tls_op_read, buf, len > INT_MAX ? INT_MAX : (int) len,
                    tls_deadline(timeout_ms));
}

/* tls_stream_write - the STREAM write function */
static ssize_t
tls_stream_write(int fd, const void *buf, size_t len, int timeout_ms,
                 void *ctx)
{
    int     n;

    (void) fd;
    n = tls_call(ctx, tls_op_write, (void *) buf,
                 len > INT_MAX ? INT_MAX : (int) len, tls_deadline(timeout_ms));
    if (n == 0) {
        errno = EPIPE;
        return -1;
    }
    return n;
}

/* tls_discard_input - drop the plaintext input buffered so far */
size_t
tls_discard_input(STREAM *stream)
{
    size_t  pending = stream_buffered(stream);
    char   *junk;

    if (pending == 0)
        return 0;
    junk = mymalloc(pending);
    (void) stream_read(stream, junk, pending);
    myfree(junk);
    return pending;
}

/* tls_session_new - a session object on the start's stream */
static TLS_SESS *
tls_session_new(TLS_CTX *ctx, const TLS_START *start, BUF *why)
{
    TLS_SESS *sess = mymalloc(sizeof(*sess));
    int     fd = stream_fd(start->stream);
    int     fl;

    memset(sess, 0, sizeof(*sess));
    sess->ctx = ctx;
    sess->stream = start->stream;
    sess->is_server = ctx->server;
    sess->peer = mystrdup(start->peer ? start->peer : "unknown");
    sess->peer_names = argv_alloc(2);
    if ((sess->ssl = SSL_new(ctx->ssl_ctx)) == NULL
        || SSL_set_app_data(sess->ssl, sess) != 1
        || SSL_set_fd(sess->ssl, fd) != 1
        || (fl = fcntl(fd, F_GETFL)) < 0
        || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
        buf_strcpy(why, "cannot start a TLS session: ");
        tls_ssl_reason(why);
        tls_session_free(sess);
        return NULL;
    }
    return sess;
}

/* tls_session_settings - protocols and ciphers of this handshake */
static int
tls_session_settings(TLS_SESS *sess, const TLS_START *start, BUF *why)
{
    static const int versions[] = {TLS1_2_VERSION, TLS1_3_VERSION};
    static const int bits[] = {TLS_PROTO_TLSv1_2, TLS_PROTO_TLSv1_3};
    int     exclude = tls_protocol_mask(start->protocols ?
                                        start->protocols : "", why);
    int     min = 0, max = 0;
    BUF    *list;
    int     ok;

    if (exclude < 0)
        return -1;
    for (int i = 0; i < 2; i++) {
        if (exclude & bits[i])
            continue;
        if (min == 0)
            min = versions[i];
        max = versions[i];
    }
    if (min == 0) {
        buf_sprintf(why, "no TLS protocol left (TLS 1.2 or later) in \"%s\"",
                    start->protocols);
        return -1;
    }
    SSL_set_min_proto_version(sess->ssl, min);
    SSL_set_max_proto_version(sess->ssl, max);
    list = buf_alloc(100);
    ok = tls_cipher_list(start->cipher_grade ? start->cipher_grade : "medium",
                         start->exclude_ciphers, list, why) == 0;
    if (ok && SSL_set_cipher_list(sess->ssl, buf_str(list)) != 1) {
        buf_sprintf(why, "invalid cipher list: \"%s\": ", buf_str(list));
        tls_ssl_reason(why);
        ok = false;
    }
    buf_free(list);
    return ok ? 0 : -1;
}

/* tls_handshake - the handshake, then the facts and the stream's I/O */
static TLS_SESS *
tls_handshake(TLS_SESS *sess, const TLS_START *start, BUF *why)
{
    const char *what = sess->is_server ? "SSL_accept" : "SSL_connect";
    long long deadline = tls_deadline(start->timeout > 0 ?
                                      start->timeout * 1000 : -1);
    int     ret;

    if (stream_flush(start->stream) < 0) {
        buf_sprintf(why, "%s error %s %s: lost connection", what,
                    sess->is_server ? "from" : "to", sess->peer);
        tls_session_free(sess);
        return NULL;
    }
    ret = tls_call(sess, sess->is_server ? tls_op_accept : tls_op_connect,
                   NULL, 0, deadline);
    if (ret <= 0) {
        buf_sprintf(why, "%s error %s %s: ", what,
                    sess->is_server ? "from" : "to", sess->peer);
        if (ret == 0)
            buf_strcat(why, "lost connection");
        else if (errno == EPROTO)
            buf_strcat(why, "-1");
        else
            buf_sprintf_append(why, "%m");
        msg_info("%s", buf_str(why));
        tls_log_errors();
        tls_session_free(sess);
        return NULL;
    }
    tls_session_facts(sess);
    stream_set_io(sess->stream, tls_stream_read, tls_stream_write, sess);
    if (sess->is_server)
        tls_log_established(sess);
    return sess;
}

/* tls_server_start - the server side of a handshake */
TLS_SESS *
tls_server_start(TLS_CTX *ctx, const TLS_START *start, BUF *why)
{
    TLS_SESS *sess = tls_session_new(ctx, start, why);

    if (sess == NULL)
        return NULL;
    if (tls_session_settings(sess, start, why) < 0) {
        tls_session_free(sess);
        return NULL;
    }
    if (start->ask_ccert)
        SSL_set_verify(sess->ssl, SSL_VERIFY_PEER | SSL_VERIFY_CLIENT_ONCE,
                       tls_verify_cb);
    return tls_handshake(sess, start, why);
}

/* tls_client_start - the client side of a handshake */
TLS_SESS *
tls_client_start(TLS_CTX *ctx, const TLS_START *start, BUF *why)
{
    TLS_SESS *sess = tls_session_new(ctx, start, why);

    if (sess == NULL)
        return NULL;
    if (tls_session_settings(sess, start, why) < 0
        || (start->servername && *start->servername
            && SSL_set_tlsext_host_name(sess->ssl, start->servername) != 1)) {
        if (buf_len(why) == 0)
            buf_sprintf(why, "invalid TLS server name: %s", start->servername);
        tls_session_free(sess);
        return NULL;
    }
    return tls_handshake(sess, start, why);
}

/* tls_session_stop - close_notify, plain I/O again, free */
void
tls_session_stop(TLS_SESS *sess)
{
    if (sess == NULL)
        return;
    if (!stream_error(sess->stream) && stream_flush(sess->stream) == 0) {
        ERR_clear_error();
        (void) SSL_shutdown(sess->ssl);
    }
    tls_session_free(sess);
}

/* tls_session_free - free without a shutdown */
void
tls_session_free(TLS_SESS *sess)
{
    if (sess == NULL)
        return;
    if (sess->ssl)
        stream_set_io(sess->stream, NULL, NULL, NULL);
    SSL_free(sess->ssl);
    ERR_clear_error();
    myfree(sess->peer);
    myfree(sess->kex_name);
    myfree(sess->kex_curve);
    myfree(sess->peer_sig);
    myfree(sess->peer_sig_curve);
    myfree(sess->peer_sig_digest);
    myfree(sess->own_sig);
    myfree(sess->own_sig_curve);
    myfree(sess->own_sig_digest);
    myfree(sess->peer_CN);
    myfree(sess->issuer_CN);
    myfree(sess->peer_cert_fprint);
    myfree(sess->peer_pkey_fprint);
    myfree(sess->verify_error);
    argv_free(sess->peer_names);
    myfree(sess);
}
