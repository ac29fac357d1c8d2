/* tls_sni - the server's keys chosen by the client's SNI name.
 *
 * Model: Postfix's tls_server_sni_maps (tls_server.c, server_sni_callback):
 * the name the client sent is looked up (lowercased, as a host name), then
 * its parent domains with a leading dot (".example.com", ".com"); the
 * value is PEM text of private keys and certificate chains, base64-encoded
 * as `postmap -F` stores it (each whitespace-separated word one file's
 * content). A match switches the session to a context with those keys
 * (cached per value for the life of the process); no match keeps the
 * default certificate; a table error or a value that does not load ends
 * the handshake with an internal_error alert. The caller supplies the
 * lookup, so this file needs no tables. */
#include <ctype.h>
#include <string.h>

#include "base64.h"
#include "htable.h"
#include "msg.h"
#include "mymalloc.h"
#include "tls_int.h"

#define TLS_SNI_NAME_MAX    255

/* tls_sni_name - the SNI name lowercased into out; false if not a host
 * name (letters, digits, '-', '.') */
static bool
tls_sni_name(const char *sni, BUF *out)
{
    size_t  len = strlen(sni);

    if (len == 0 || len > TLS_SNI_NAME_MAX || sni[0] == '.')
        return false;
    buf_reset(out);
    for (const char *cp = sni; *cp; cp++) {
        if (!isalnum((unsigned char) *cp) && *cp != '-' && *cp != '.')
            return false;
        buf_addch(out, tolower((unsigned char) *cp));
    }
    return true;
}

/* tls_sni_decode - the PEM text of a table value; -1 if not base64 */
static int
tls_sni_decode(const char *value, BUF *pem)
{
    ARGV   *words = argv_split(value, " \t\r\n,");
    int     status = 0;

    for (int i = 0; i < words->argc && status == 0; i++) {
        status = base64_decode(pem, words->argv[i], strlen(words->argv[i]));
        buf_addch(pem, '\n');
    }
    argv_free(words);
    return status;
}

/* tls_sni_ctx - the cached context of a value, made at first use */
static SSL_CTX *
tls_sni_ctx(TLS_CTX *ctx, const char *name, const char *value)
{
    SSL_CTX *sni_ctx = htable_find(ctx->sni_cache, value);
    BUF    *pem;
    BUF    *origin;
    BUF    *why;

    if (sni_ctx != NULL)
        return sni_ctx;
    pem = buf_alloc(4096);
    origin = buf_alloc(100);
    why = buf_alloc(100);
    buf_sprintf(origin, "tls_server_sni_maps entry for %s", name);
    sni_ctx = SSL_CTX_new(TLS_server_method());
    /* SSL_set_SSL_CTX takes this context's session id context. */
    SSL_CTX_set_session_id_context(sni_ctx,
                                   (const unsigned char *) TLS_SID_CTX,
                                   sizeof(TLS_SID_CTX) - 1);
    if (tls_sni_decode(value, pem) < 0) {
        buf_sprintf(why, "%s: malformed BASE64 value", buf_str(origin));
    } else if (tls_pem_load(sni_ctx, pem, buf_str(origin), buf_str(origin),
                            why) > 0) {
        htable_enter(ctx->sni_cache, value, sni_ctx);
    } else if (buf_len(why) == 0) {
        buf_sprintf(why, "%s: no keys", buf_str(origin));
    }
    if (htable_find(ctx->sni_cache, value) != sni_ctx) {
        msg_warn("%s", buf_str(why));
        SSL_CTX_free(sni_ctx);
        sni_ctx = NULL;
    }
    tls_pem_wipe(pem);
    buf_free(origin);
    buf_free(why);
    return sni_ctx;
}

/* tls_sni_find - look the name up, then its parent domains */
static const char *
tls_sni_find(TLS_CTX *ctx, const char *name, int *error)
{
    const char *value;
    const char *cp = name;

    do {
        value = ctx->sni_lookup(cp, ctx->sni_context, error);
    } while (value == NULL && *error == 0
             && (cp = strchr(cp + 1, '.')) != NULL);
    return value;
}

/* tls_sni_cb - OpenSSL's servername callback */
static int
tls_sni_cb(SSL *ssl, int *alert, void *arg)
{
    TLS_CTX *ctx = arg;
    const TLS_SESS *sess = SSL_get_app_data(ssl);
    const char *sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    BUF    *name;
    const char *value;
    SSL_CTX *sni_ctx = NULL;
    int     error = 0;
    int     status = SSL_TLSEXT_ERR_NOACK;

    if (sni == NULL || *sni == 0)
        return SSL_TLSEXT_ERR_NOACK;
    name = buf_alloc(64);
    if (!tls_sni_name(sni, name)) {
        msg_warn("TLS SNI from %s is invalid: %s", sess->peer, sni);
    } else if ((value = tls_sni_find(ctx, buf_str(name), &error)) == NULL) {
        if (error) {
            msg_warn("tls_server_sni_maps: %s map lookup problem",
                     buf_str(name));
            *alert = SSL_AD_INTERNAL_ERROR;
            status = SSL_TLSEXT_ERR_ALERT_FATAL;
        } else if (ctx->loglevel >= 2) {
            msg_info("TLS SNI %s from %s not matched, using default chain",
                     buf_str(name), sess->peer);
        }
    } else if ((sni_ctx = tls_sni_ctx(ctx, buf_str(name), value)) == NULL) {
        *alert = SSL_AD_INTERNAL_ERROR;
        status = SSL_TLSEXT_ERR_ALERT_FATAL;
    } else {
        SSL_set_SSL_CTX(ssl, sni_ctx);
        status = SSL_TLSEXT_ERR_OK;
    }
    buf_free(name);
    return status;
}

/* tls_sni_free - free a cached context (htable_free) */
static void
tls_sni_free(void *value)
{
    SSL_CTX_free(value);
}

/* tls_sni_setup - choose keys by SNI name through lookup */
void
tls_sni_setup(TLS_CTX *ctx, TLS_SNI_LOOKUP lookup, void *context)
{
    ctx->sni_lookup = lookup;
    ctx->sni_context = context;
    ctx->sni_cache = htable_create(10);
    SSL_CTX_set_tlsext_servername_callback(ctx->ssl_ctx, tls_sni_cb);
    SSL_CTX_set_tlsext_servername_arg(ctx->ssl_ctx, ctx);
}

/* tls_sni_cleanup - the cache, when the context goes */
void
tls_sni_cleanup(TLS_CTX *ctx)
{
    if (ctx->sni_cache)
        htable_free(ctx->sni_cache, tls_sni_free);
}
