/* tls_int - what the tls_*.c files share, and no one else.
 *
 * The context structure, and the internal steps of a handshake: ticket
 * keys (tls_ticket.c), the session facts (tls_verify.c), OpenSSL's error
 * queue as text. */
#ifndef TLS_INT_H
#define TLS_INT_H

#include <openssl/ssl.h>

#include "htable.h"
#include "tls.h"

#define TLS_TICKET_SECRET_LEN 32
#define TLS_SID_CTX "postern"           /* server session id context */

struct TLS_CTX {
    SSL_CTX *ssl_ctx;
    bool    server;
    int     loglevel;
    char   *fingerprint_digest;
    int     ticket_lifetime;            /* seconds */
    bool    ticket_shared;              /* secret from the key file */
    unsigned char ticket_secret[TLS_TICKET_SECRET_LEN];
    TLS_SNI_LOOKUP sni_lookup;          /* NULL: no SNI maps */
    void   *sni_context;
    HTABLE *sni_cache;                  /* table value -> SSL_CTX * */
};

/* tls_sni_cleanup - free the SNI contexts (tls_sni.c) */
void    tls_sni_cleanup(TLS_CTX *ctx);

/* tls_ssl_reason - append OpenSSL's queued errors to why ("; "-separated),
 * emptying the queue */
void    tls_ssl_reason(BUF *why);

/* tls_log_errors - "warning: TLS library problem: ..." for each queued
 * OpenSSL error, emptying the queue */
void    tls_log_errors(void);

/* tls_pem.c: tls_pem_read_file appends a file (limited to 1 MB) to pem,
 * "cannot load WHAT from file ..." in why on error; tls_pem_load installs
 * the key+chain groups of pem (key_origin, cert_origin name the sources
 * in errors), returning how many, or -1; tls_pem_wipe clears and frees */
int     tls_pem_read_file(BUF *pem, const char *path, const char *what,
                          BUF *why);
int     tls_pem_load(SSL_CTX *ssl_ctx, const BUF *pem, const char *key_origin,
                     const char *cert_origin, BUF *why);
void    tls_pem_wipe(BUF *pem);

/* tls_verify_cb - the verify callback: never fails the handshake */
int     tls_verify_cb(int ok, X509_STORE_CTX *store);

/* tls_ticket_setup - RFC 5077 ticket keys for a server context: from
 * the key file (created 0600 with random bytes at first use) when one
 * is named and usable (else a warning), else per process. 0, or -1 with
 * why (no random bytes). */
int     tls_ticket_setup(TLS_CTX *ctx, const char *key_file, int lifetime,
                         BUF *why);

/* tls_session_facts - fill in a session's facts after its handshake */
void    tls_session_facts(TLS_SESS *sess);

#endif
