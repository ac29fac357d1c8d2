/* tls_ticket - RFC 5077 session ticket keys shared by all smtpd processes.
 *
 * Postfix shares ticket keys between its smtpd processes through tlsmgr.
 * Postern has no tlsmgr: every process reads one secret from a key file
 * (32 random bytes, created 0600 by the first process that needs it,
 * read before the privilege drop) and derives the keys of each period
 * of `lifetime` seconds from it with HMAC-SHA256. Tickets are issued
 * under the current period's key and accepted under the current and the
 * previous one (a ticket from the previous period is renewed), so keys
 * rotate without coordination and a ticket lives at most two periods.
 * Without a key file (none named, or one that cannot be created or read:
 * a warning) the secret is random per process, and tickets resume only on
 * the same process. A lifetime of 0 turns tickets off
 * (smtpd_tls_session_cache_timeout = 0). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "msg.h"
#include "tls_int.h"

#define TLS_TICKET_NAME_LEN 16
#define TLS_TICKET_KEY_LEN  32

/* tls_ticket_derive - HMAC-SHA256(secret, label || period) */
static void
tls_ticket_derive(const TLS_CTX *ctx, const char *label, long period,
                  unsigned char out[32])
{
    unsigned char msg[64];
    unsigned int len = 32;
    int     n = snprintf((char *) msg, sizeof(msg), "%s %ld", label, period);

    HMAC(EVP_sha256(), ctx->ticket_secret, sizeof(ctx->ticket_secret),
         msg, (size_t) n, out, &len);
}

/* tls_ticket_keys - set up the cipher and MAC of a period */
static int
tls_ticket_keys(const TLS_CTX *ctx, long period, unsigned char *iv,
                EVP_CIPHER_CTX *cctx, EVP_MAC_CTX *hctx, int enc)
{
    unsigned char aes[32];
    unsigned char mac[32];
    OSSL_PARAM params[3];
    int     ok;

    tls_ticket_derive(ctx, "aes", period, aes);
    tls_ticket_derive(ctx, "mac", period, mac);
    params[0] = OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, mac,
                                                  sizeof(mac));
    params[1] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                                 (char *) "SHA256", 0);
    params[2] = OSSL_PARAM_construct_end();
    ok = EVP_CipherInit_ex(cctx, EVP_aes_256_cbc(), NULL, aes, iv, enc) == 1
        && EVP_MAC_CTX_set_params(hctx, params) == 1;
    OPENSSL_cleanse(aes, sizeof(aes));
    OPENSSL_cleanse(mac, sizeof(mac));
    return ok;
}

/* tls_ticket_cb - OpenSSL's ticket key callback: 1 ok, 2 ok and renew,
 * 0 unknown key (full handshake), -1 error */
static int
tls_ticket_cb(SSL *ssl, unsigned char name[16], unsigned char *iv,
              EVP_CIPHER_CTX *cctx, EVP_MAC_CTX *hctx, int enc)
{
    const TLS_SESS *sess = SSL_get_app_data(ssl);
    const TLS_CTX *ctx = sess->ctx;     /* not SSL_get_SSL_CTX: SNI */
    long    now = (long) (time(NULL) / ctx->ticket_lifetime);
    unsigned char want[32];

    if (enc) {
        tls_ticket_derive(ctx, "name", now, want);
        memcpy(name, want, TLS_TICKET_NAME_LEN);
        if (RAND_bytes(iv, EVP_CIPHER_get_iv_length(EVP_aes_256_cbc())) != 1)
            return -1;
        return tls_ticket_keys(ctx, now, iv, cctx, hctx, 1) ? 1 : -1;
    }
    for (long period = now; period >= now - 1; period--) {
        tls_ticket_derive(ctx, "name", period, want);
        if (CRYPTO_memcmp(name, want, TLS_TICKET_NAME_LEN) == 0)
            return !tls_ticket_keys(ctx, period, iv, cctx, hctx, 0) ? -1 :
                period == now ? 1 : 2;
    }
    return 0;
}

/* tls_ticket_read - the secret from the key file, creating it first */
static int
tls_ticket_read(TLS_CTX *ctx, const char *path, BUF *why)
{
    unsigned char fresh[TLS_TICKET_SECRET_LEN];
    int     fd;
    ssize_t n;

    if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                   0600)) >= 0) {
        int     ok = RAND_bytes(fresh, sizeof(fresh)) == 1
            && write(fd, fresh, sizeof(fresh)) == (ssize_t) sizeof(fresh)
            && fsync(fd) == 0;

        OPENSSL_cleanse(fresh, sizeof(fresh));
        if (close(fd) < 0 || !ok) {
            buf_sprintf(why, "cannot create TLS ticket key file %s: %m", path);
            (void) unlink(path);
            return -1;
        }
    } else if (errno != EEXIST) {
        buf_sprintf(why, "cannot create TLS ticket key file %s: %m", path);
        return -1;
    }
    if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
        buf_sprintf(why, "cannot open TLS ticket key file %s: %m", path);
        return -1;
    }
    n = read(fd, ctx->ticket_secret, sizeof(ctx->ticket_secret));
    (void) close(fd);
    if (n != (ssize_t) sizeof(ctx->ticket_secret)) {
        buf_sprintf(why, "TLS ticket key file %s: short or unreadable", path);
        return -1;
    }
    ctx->ticket_shared = true;
    return 0;
}

/* tls_ticket_setup - ticket keys for a server context; a key file that
 * cannot be used is warned about and tickets stay per process */
int
tls_ticket_setup(TLS_CTX *ctx, const char *key_file, int lifetime, BUF *why)
{
    BUF    *file_why;

    if (lifetime <= 0) {
        SSL_CTX_set_options(ctx->ssl_ctx, SSL_OP_NO_TICKET);
        return 0;
    }
    ctx->ticket_lifetime = lifetime;
    if (key_file != NULL && *key_file) {
        file_why = buf_alloc(100);
        if (tls_ticket_read(ctx, key_file, file_why) < 0)
            msg_warn("%s: TLS sessions resume only on the same process",
                     buf_str(file_why));
        buf_free(file_why);
    }
    if (!ctx->ticket_shared && RAND_bytes(ctx->ticket_secret,
                                          sizeof(ctx->ticket_secret)) != 1) {
        buf_strcpy(why, "cannot make a TLS ticket key: no random bytes");
        return -1;
    }
    SSL_CTX_set_timeout(ctx->ssl_ctx, ctx->ticket_lifetime);
    SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx->ssl_ctx, tls_ticket_cb);
    return 0;
}
