/* tls_log - Postfix's words for a TLS session: the log line and Received:.
 *
 * Model: Postfix 3.7's tls_log_summary() and smtpd's Received: header:
 *   Trusted TLS connection established from NAME[ADDR]: TLSv1.3 with
 *   cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519
 *   server-signature ECDSA (prime256v1) server-digest SHA256
 *   client-signature RSA-PSS (2048 bits) client-digest SHA256
 * The prometheus postfix exporter parses this line. */
#include <string.h>

#include "msg.h"
#include "tls_int.h"

/* tls_level - the first word of the established line */
const char *
tls_level(const TLS_SESS *sess)
{
    if (sess->peer_status & TLS_CERT_MATCHED)
        return "Verified";
    if (sess->peer_status & TLS_CERT_TRUSTED)
        return "Trusted";
    if (sess->peer_status & TLS_CERT_PRESENT)
        return "Untrusted";
    return "Anonymous";
}

/* tls_log_key - " NAME (curve)" or " NAME (N bits)" or " NAME" */
static void
tls_log_key(BUF *out, const char *name, const char *curve, int bits)
{
    buf_sprintf_append(out, " %s", name);
    if (curve)
        buf_sprintf_append(out, " (%s)", curve);
    else if (bits > 0)
        buf_sprintf_append(out, " (%d bits)", bits);
}

/* tls_log_sig - " server-signature ... server-digest D" of one side */
static void
tls_log_sig(BUF *out, const char *side, const char *sig, const char *curve,
            int bits, const char *digest)
{
    if (sig == NULL)
        return;
    buf_sprintf_append(out, " %s-signature", side);
    tls_log_key(out, sig, curve, bits);
    if (digest)
        buf_sprintf_append(out, " %s-digest %s", side, digest);
}

/* tls_log_server_sig - the server's signature, whichever side we are */
static void
tls_log_server_sig(BUF *out, const TLS_SESS *s)
{
    if (s->is_server)
        tls_log_sig(out, "server", s->own_sig, s->own_sig_curve,
                    s->own_sig_bits, s->own_sig_digest);
    else
        tls_log_sig(out, "server", s->peer_sig, s->peer_sig_curve,
                    s->peer_sig_bits, s->peer_sig_digest);
}

/* tls_log_client_sig - the client's signature (a client certificate) */
static void
tls_log_client_sig(BUF *out, const TLS_SESS *s)
{
    if (s->is_server)
        tls_log_sig(out, "client", s->peer_sig, s->peer_sig_curve,
                    s->peer_sig_bits, s->peer_sig_digest);
    else
        tls_log_sig(out, "client", s->own_sig, s->own_sig_curve,
                    s->own_sig_bits, s->own_sig_digest);
}

/* tls_log_kex - " key-exchange X25519" */
static void
tls_log_kex(BUF *out, const TLS_SESS *s)
{
    if (s->kex_name == NULL)
        return;
    buf_strcat(out, " key-exchange");
    tls_log_key(out, s->kex_name, s->kex_curve, s->kex_bits);
}

/* tls_log_established - the "... TLS connection established ..." line,
 * at loglevel >= 1 */
void
tls_log_established(const TLS_SESS *s)
{
    BUF    *line;

    if (s->ctx->loglevel < 1)
        return;
    line = buf_alloc(256);

    buf_sprintf(line, "%s TLS connection established %s %s: %s with cipher "
                "%s (%d/%d bits)", tls_level(s), s->is_server ? "from" : "to",
                s->peer, s->protocol, s->cipher_name, s->cipher_usebits,
                s->cipher_algbits);
    tls_log_kex(line, s);
    tls_log_server_sig(line, s);
    tls_log_client_sig(line, s);
    msg_info("%s", buf_str(line));
    buf_free(line);
}

/* tls_received_lines - the "(using ..." lines of Received: */
void
tls_received_lines(const TLS_SESS *s, ARGV *lines)
{
    BUF    *line = buf_alloc(128);
    BUF    *client = buf_alloc(128);

    buf_sprintf(line, "\t(using %s with cipher %s (%d/%d bits)", s->protocol,
                s->cipher_name, s->cipher_usebits, s->cipher_algbits);
    buf_strcpy(client, "\t");
    tls_log_client_sig(client, s);
    if (s->kex_name || s->own_sig || s->peer_sig) {
        argv_add(lines, buf_str(line));
        buf_strcpy(line, "\t");
        tls_log_kex(line, s);
        tls_log_server_sig(line, s);
    }
    if (buf_len(client) > 1) {
        argv_add(lines, buf_str(line));
        buf_strcpy(line, buf_str(client));
    }
    buf_addch(line, ')');
    argv_add(lines, buf_str(line));
    buf_free(line);
    buf_free(client);
}
