/* tls_pem - private keys and certificate chains from PEM text.
 *
 * Model: Postfix's tls_certkey.c (load_pem_chain): the text holds one or
 * more groups, each a private key with its certificate chain (the first
 * certificate is the key's, the others its issuers); a new key starts a
 * new group. The text comes from files (*_tls_chain_files, or a cert_file
 * and key_file pair read one after the other) or from a table
 * (tls_server_sni_maps). The buffers that held key material are wiped
 * before they are freed. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "mymalloc.h"
#include "tls_int.h"

#define TLS_PEM_FILE_MAX    (1024 * 1024)

/* One group being collected. */
typedef struct TLS_PEM_GROUP {
    EVP_PKEY *key;
    X509   *leaf;
    STACK_OF(X509) *chain;
} TLS_PEM_GROUP;

/* tls_pem_read_file - append a file's text to pem; 0, or -1 with why */
int
tls_pem_read_file(BUF *pem, const char *path, const char *what, BUF *why)
{
    int     fd = open(path, O_RDONLY | O_CLOEXEC);
    char    block[4096];
    ssize_t n = 0;

    if (fd < 0) {
        buf_sprintf(why, "cannot load %s from file \"%s\": %m", what, path);
        return -1;
    }
    while (buf_len(pem) <= TLS_PEM_FILE_MAX
           && (n = read(fd, block, sizeof(block))) > 0)
        buf_append(pem, block, (size_t) n);
    OPENSSL_cleanse(block, sizeof(block));
    (void) close(fd);
    if (n < 0 || buf_len(pem) > TLS_PEM_FILE_MAX) {
        if (n >= 0)
            errno = EFBIG;
        buf_sprintf(why, "cannot load %s from file \"%s\": %m", what, path);
        return -1;
    }
    buf_addch(pem, '\n');
    return 0;
}

/* tls_pem_wipe - clear and free a buffer that held key material */
void
tls_pem_wipe(BUF *pem)
{
    OPENSSL_cleanse(buf_str(pem), buf_len(pem));
    buf_free(pem);
}

/* tls_pem_clear - free a group's objects */
static void
tls_pem_clear(TLS_PEM_GROUP *g)
{
    EVP_PKEY_free(g->key);
    X509_free(g->leaf);
    sk_X509_pop_free(g->chain, X509_free);
    memset(g, 0, sizeof(*g));
}

/* tls_pem_use - install a complete group; 1, 0 (empty), or -1 */
static int
tls_pem_use(SSL_CTX *ssl_ctx, TLS_PEM_GROUP *g, const char *key_origin,
            const char *cert_origin, BUF *why)
{
    int     status = 1;

    if (g->key == NULL && g->leaf == NULL)
        return 0;
    if (g->key == NULL) {
        buf_sprintf(why, "cannot load private key from %s: none found",
                    key_origin);
        status = -1;
    } else if (g->leaf == NULL) {
        buf_sprintf(why, "cannot load certificate from %s: none found",
                    cert_origin);
        status = -1;
    } else if (SSL_CTX_use_cert_and_key(ssl_ctx, g->leaf, g->key, g->chain,
                                        1) != 1) {
        buf_sprintf(why, "cannot use the private key from %s with the "
                    "certificate from %s: ", key_origin, cert_origin);
        tls_ssl_reason(why);
        status = -1;
    }
    tls_pem_clear(g);
    return status;
}

/* tls_pem_object - add one PEM object to the group; 0, 1 (a key that
 * starts the next group), or -1 (not decodable) */
static int
tls_pem_object(TLS_PEM_GROUP *g, const char *name, const unsigned char *data,
               long len)
{
    const unsigned char *p = data;
    X509   *cert;

    if (strstr(name, "PRIVATE KEY") != NULL) {
        if (g->key != NULL)
            return 1;
        return (g->key = d2i_AutoPrivateKey(NULL, &p, len)) ? 0 : -1;
    }
    if (strcmp(name, "CERTIFICATE") != 0)
        return 0;                       /* parameters etc.: not ours */
    if ((cert = d2i_X509(NULL, &p, len)) == NULL)
        return -1;
    if (g->leaf == NULL)
        g->leaf = cert;
    else
        sk_X509_push(g->chain ? g->chain : (g->chain = sk_X509_new_null()),
                     cert);
    return 0;
}

/* tls_pem_load - every key and chain of the text into the context; the
 * number of groups, or -1 with why */
int
tls_pem_load(SSL_CTX *ssl_ctx, const BUF *pem, const char *key_origin,
             const char *cert_origin, BUF *why)
{
    BIO    *bio = BIO_new_mem_buf(buf_str(pem), (int) buf_len(pem));
    TLS_PEM_GROUP g = {0};
    char   *name, *header;
    unsigned char *data;
    long    len;
    int     count = 0, step = 0, used = 0;

    while (step >= 0 && used >= 0
           && PEM_read_bio(bio, &name, &header, &data, &len) == 1) {
        if ((step = tls_pem_object(&g, name, data, len)) == 1) {
            /* A second key: the group before it is complete. */
            if ((used = tls_pem_use(ssl_ctx, &g, key_origin, cert_origin,
                                    why)) > 0) {
                count += used;
                step = tls_pem_object(&g, name, data, len);
            }
        }
        if (step < 0) {
            buf_sprintf(why, "cannot decode %s from %s: ", name,
                        strstr(name, "KEY") ? key_origin : cert_origin);
            tls_ssl_reason(why);
        }
        OPENSSL_cleanse(data, (size_t) len);
        OPENSSL_free(name);
        OPENSSL_free(header);
        OPENSSL_free(data);
    }
    ERR_clear_error();                  /* the end of the text */
    BIO_free(bio);
    if (step >= 0 && used >= 0
        && (used = tls_pem_use(ssl_ctx, &g, key_origin, cert_origin,
                               why)) >= 0)
        return count + used;
    tls_pem_clear(&g);
    return -1;
}
