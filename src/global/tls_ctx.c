/* tls_ctx - TLS contexts: certificates and keys, CA locations, options.
 *
 * Model: Postfix's tls_server_init/tls_client_init and tls_certkey.c.
 * Keys are loaded here, in the caller's pre-init stage (as root); the
 * key material is never logged, only file names and OpenSSL's reasons.
 * Certificates (tls_pem.c): *_tls_chain_files (each file a key followed
 * by its certificate chain; several files for several algorithms), else the
 * RSA pair cert_file/key_file and the ECDSA pair eccert_file/eckey_file,
 * both usable at once (OpenSSL picks by the client's signature
 * algorithms). */
#include <string.h>

#include <openssl/err.h>

#include "msg.h"
#include "mymalloc.h"
#include "tls_int.h"

/* tls_ssl_reason - OpenSSL's error queue as text */
void
tls_ssl_reason(BUF *why)
{
    unsigned long err;
    char    text[256];
    bool    first = true;

    while ((err = ERR_get_error()) != 0) {
        ERR_error_string_n(err, text, sizeof(text));
        buf_sprintf_append(why, "%s%s", first ? "" : "; ", text);
        first = false;
    }
}

/* tls_log_errors - log OpenSSL's queued errors as Postfix does, emptying
 * the queue */
void
tls_log_errors(void)
{
    unsigned long err;
    const char *file, *data;
    int     line, flags;
    char    text[256];

    while ((err = ERR_get_error_all(&file, &line, NULL, &data, &flags)) != 0) {
        ERR_error_string_n(err, text, sizeof(text));
        msg_warn("TLS library problem: %s:%s:%d:%s", text, file, line,
                 (flags & ERR_TXT_STRING) ? data : "");
    }
}

/* tls_load_pair - a key and its certificate chain from files (the same
 * file for chain files) into the context; the number of pairs, or -1 */
static int
tls_load_pair(SSL_CTX *ssl_ctx, const char *cert_file, const char *key_file,
              BUF *why)
{
    BUF    *pem = buf_alloc(4096);
    BUF    *key_origin = buf_alloc(100);
    BUF    *cert_origin = buf_alloc(100);
    int     count = -1;

    buf_sprintf(key_origin, "file \"%s\"", key_file);
    buf_sprintf(cert_origin, "file \"%s\"", cert_file);
    if (tls_pem_read_file(pem, key_file, "private key", why) == 0
        && (strcmp(key_file, cert_file) == 0
            || tls_pem_read_file(pem, cert_file, "certificate", why) == 0))
        count = tls_pem_load(ssl_ctx, pem, buf_str(key_origin),
                             buf_str(cert_origin), why);
    if (count == 0) {
        buf_sprintf(why, "cannot load private key from %s: none found",
                    buf_str(key_origin));
        count = -1;
    }
    tls_pem_wipe(pem);
    buf_free(key_origin);
    buf_free(cert_origin);
    return count;
}

/* tls_load_keys - every certificate and key the settings name; the
 * number of pairs loaded, or -1 */
static int
tls_load_keys(SSL_CTX *ssl_ctx, const TLS_CTX_PARAMS *p, BUF *why)
{
    int     count = 0;

    if (*p->chain_files) {
        ARGV   *files = argv_split(p->chain_files, " \t\r\n,");

        for (int i = 0, n; i < files->argc && count >= 0; i++)
            count = (n = tls_load_pair(ssl_ctx, files->argv[i],
                                       files->argv[i], why)) < 0 ? -1 :
                count + n;
        argv_free(files);
        return count;
    }
    if (*p->cert_file) {
        if (tls_load_pair(ssl_ctx, p->cert_file,
                          *p->key_file ? p->key_file : p->cert_file, why) < 0)
            return -1;
        count++;
    }
    if (*p->eccert_file) {
        if (tls_load_pair(ssl_ctx, p->eccert_file,
                          *p->eckey_file ? p->eckey_file : p->eccert_file,
                          why) < 0)
            return -1;
        count++;
    }
    return count;
}

/* tls_load_ca - CAfile and CApath: whom to trust; a server also names
 * the CAfile's subjects when it asks for client certificates */
static int
tls_load_ca(SSL_CTX *ssl_ctx, const TLS_CTX_PARAMS *p, BUF *why)
{
    const char *file = *p->CAfile ? p->CAfile : NULL;
    const char *path = *p->CApath ? p->CApath : NULL;

    if (file == NULL && path == NULL)
        return 0;
    if (SSL_CTX_load_verify_locations(ssl_ctx, file, path) != 1) {
        buf_sprintf(why, "cannot load Certification Authority data, "
                    "CAfile=\"%s\", CApath=\"%s\": ", p->CAfile, p->CApath);
        tls_ssl_reason(why);
        return -1;
    }
    if (p->server && file != NULL)
        SSL_CTX_set_client_CA_list(ssl_ctx, SSL_load_client_CA_file(file));
    return 0;
}

/* tls_verify_cb - never stop the handshake for the chain's verdict
 * (SSL_get_verify_result keeps it): the caller decides what an untrusted
 * peer may do */
int
tls_verify_cb(int ok, X509_STORE_CTX *store)
{
    (void) ok;
    (void) store;
    return 1;
}

/* tls_ctx_options - protocol floor, options, verification mode */
static void
tls_ctx_options(TLS_CTX *ctx, const TLS_CTX_PARAMS *p)
{
    SSL_CTX *ssl_ctx = ctx->ssl_ctx;

    SSL_CTX_set_min_proto_version(ssl_ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ssl_ctx, SSL_OP_NO_COMPRESSION
                        | SSL_OP_NO_RENEGOTIATION
                        | SSL_OP_IGNORE_UNEXPECTED_EOF);
    SSL_CTX_set_verify(ssl_ctx, p->server ? SSL_VERIFY_NONE :
                       SSL_VERIFY_PEER, tls_verify_cb);
    SSL_CTX_set_verify_depth(ssl_ctx, p->verify_depth > 0 ?
                             p->verify_depth : 9);
    if (p->server) {
        SSL_CTX_set_session_id_context(ssl_ctx,
                                       (const unsigned char *) TLS_SID_CTX,
                                       sizeof(TLS_SID_CTX) - 1);
        SSL_CTX_set_session_cache_mode(ssl_ctx, SSL_SESS_CACHE_OFF);
        SSL_CTX_set_dh_auto(ssl_ctx, 1);
    } else {
        SSL_CTX_set_session_cache_mode(ssl_ctx, SSL_SESS_CACHE_CLIENT
                                       | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    }
}

/* tls_ctx_create - a context from the settings, keys loaded */
TLS_CTX *
tls_ctx_create(const TLS_CTX_PARAMS *p, BUF *why)
{
    TLS_CTX *ctx = mymalloc(sizeof(*ctx));
    int     pairs;

    memset(ctx, 0, sizeof(*ctx));
    ctx->server = p->server;
    ctx->loglevel = p->loglevel;
    ctx->fingerprint_digest = mystrdup(*p->fingerprint_digest ?
                                       p->fingerprint_digest : "sha256");
    ctx->ssl_ctx = SSL_CTX_new(p->server ? TLS_server_method() :
                               TLS_client_method());
    if (ctx->ssl_ctx == NULL) {
        buf_strcpy(why, "cannot allocate a TLS context: ");
        tls_ssl_reason(why);
        tls_ctx_free(ctx);
        return NULL;
    }
    tls_ctx_options(ctx, p);
    if ((pairs = tls_load_keys(ctx->ssl_ctx, p, why)) < 0
        || tls_load_ca(ctx->ssl_ctx, p, why) < 0
        || (p->server && tls_ticket_setup(ctx, p->ticket_key_file,
                                          p->ticket_lifetime, why) < 0)) {
        tls_ctx_free(ctx);
        return NULL;
    }
    if (p->server && pairs == 0) {
        buf_strcpy(why, "no server certificate: set smtpd_tls_chain_files "
                   "or smtpd_tls_cert_file");
        tls_ctx_free(ctx);
        return NULL;
    }
    return ctx;
}

/* tls_ctx_free - release a context */
void
tls_ctx_free(TLS_CTX *ctx)
{
    if (ctx == NULL)
        return;
    tls_sni_cleanup(ctx);
    SSL_CTX_free(ctx->ssl_ctx);
    OPENSSL_cleanse(ctx->ticket_secret, sizeof(ctx->ticket_secret));
    myfree(ctx->fingerprint_digest);
    myfree(ctx);
}
