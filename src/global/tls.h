/* tls - TLS over OpenSSL 3 for the SMTP server and client.
 *
 * Model: Postfix's libtls (tls_server.c, tls_client.c, tls_misc.c,
 * tls_verify.c) reduced to what Postern uses. A TLS_CTX holds an OpenSSL
 * context built from one program's settings (keys loaded once, before the
 * privilege drop); a TLS_SESS is one handshake on one STREAM, after which
 * the stream reads and writes through TLS (stream_set_io). Files:
 *   tls_ctx.c     contexts: keys and certificates, CA, protocols, ciphers
 *   tls_proto.c   Postfix's protocol and cipher-grade syntax
 *   tls_io.c      handshakes, and the STREAM read/write functions
 *   tls_pem.c     keys and certificate chains from PEM text
 *   tls_sni.c     the server's keys chosen by SNI (tls_server_sni_maps)
 *   tls_ticket.c  RFC 5077 ticket keys shared by all processes
 *   tls_verify.c  peer certificate facts, fingerprints, name matching
 *   tls_log.c     Postfix's "... TLS connection established ..." lines
 * Library code: nothing here exits; errors go into a caller's BUF *why.
 * Private keys are never logged. OpenSSL writes to the socket with
 * write(2): the program must ignore SIGPIPE (the server skeleton does). */
#ifndef TLS_H
#define TLS_H

#include <stdbool.h>

#include "argv.h"
#include "buf.h"
#include "stream.h"

/* Protocol versions as bits of a mask (tls_protocol_mask). */
#define TLS_PROTO_SSLv2     (1<<0)
#define TLS_PROTO_SSLv3     (1<<1)
#define TLS_PROTO_TLSv1     (1<<2)
#define TLS_PROTO_TLSv1_1   (1<<3)
#define TLS_PROTO_TLSv1_2   (1<<4)
#define TLS_PROTO_TLSv1_3   (1<<5)
#define TLS_PROTO_ALL       ((1<<6) - 1)
/* Postern's floor: below TLS 1.2 is never negotiated (docs/tls.md). */
#define TLS_PROTO_INSECURE  (TLS_PROTO_SSLv2 | TLS_PROTO_SSLv3 \
                             | TLS_PROTO_TLSv1 | TLS_PROTO_TLSv1_1)

/* tls_protocol_mask - the protocols a *_tls_protocols value excludes, in
 * either Postfix syntax: "!SSLv2, !SSLv3" or "TLSv1.2 TLSv1.3" (a list:
 * names listed without '!' are the only ones allowed) or ">=TLSv1.2",
 * "<=TLSv1.3" bounds. Returns the mask of EXCLUDED protocols (0 = none),
 * or -1 with the reason in why (unknown name). */
int     tls_protocol_mask(const char *spec, BUF *why);

/* tls_cipher_list - the OpenSSL cipher string of a Postfix cipher grade
 * ("high", "medium", "low", "export", "null": the tls_<grade>_cipherlist
 * parameter) with the exclusions of *_tls_exclude_ciphers appended as
 * ":!NAME"; the result is in out. 0, or -1 with the reason in why. */
int     tls_cipher_list(const char *grade, const char *exclude, BUF *out,
                        BUF *why);

/* Settings of a context. Strings may be "" (not set), never NULL. */
typedef struct TLS_CTX_PARAMS {
    bool    server;                     /* server or client role */
    const char *chain_files;            /* *_tls_chain_files: key+chain */
    const char *cert_file;              /* *_tls_cert_file (RSA) */
    const char *key_file;               /* *_tls_key_file */
    const char *eccert_file;            /* *_tls_eccert_file (ECDSA) */
    const char *eckey_file;             /* *_tls_eckey_file */
    const char *CAfile;                 /* *_tls_CAfile */
    const char *CApath;                 /* *_tls_CApath */
    const char *fingerprint_digest;     /* *_tls_fingerprint_digest */
    int     verify_depth;               /* *_tls_*cert_verifydepth */
    int     loglevel;                   /* *_tls_loglevel */
    /* Server: RFC 5077 tickets with keys from this file (created 0600
     * at first use; "" = tickets with a per-process key). */
    const char *ticket_key_file;
    int     ticket_lifetime;            /* seconds, key rotation period */
} TLS_CTX_PARAMS;

typedef struct TLS_CTX TLS_CTX;

/* tls_ctx_create - a context from the settings: keys and certificates
 * loaded (call before dropping privileges), CA locations set. NULL with
 * "cannot load ...: reason" in why on error. A server needs at least one
 * certificate; a client certificate is optional. */
TLS_CTX *tls_ctx_create(const TLS_CTX_PARAMS *params, BUF *why);
void    tls_ctx_free(TLS_CTX *ctx);

/* tls_sni_setup - a server context chooses its keys by the client's SNI
 * name: lookup(name, context, &error) returns a table value (base64 PEM,
 * as `postmap -F` makes it) or NULL (error set on a table failure); it is
 * asked for the name, then ".parent" domains (tls_sni.c). */
typedef const char *(*TLS_SNI_LOOKUP) (const char *name, void *context,
                                       int *error);
void    tls_sni_setup(TLS_CTX *ctx, TLS_SNI_LOOKUP lookup, void *context);

/* Per-handshake settings. */
typedef struct TLS_START {
    STREAM *stream;                     /* plaintext input must be drained */
    int     timeout;                    /* seconds for the handshake */
    const char *peer;                   /* "name[addr]" for the log */
    const char *protocols;              /* *_tls_(mandatory_)protocols */
    const char *cipher_grade;           /* *_tls_(mandatory_)ciphers */
    const char *exclude_ciphers;        /* *_tls_(mandatory_)exclude_ciphers */
    const char *servername;             /* client: SNI name or NULL */
    bool    ask_ccert;                  /* server: ask for a certificate */
} TLS_START;

/* Facts about the peer's certificate (TLS_SESS.peer_status). */
#define TLS_CERT_PRESENT    (1<<0)      /* the peer sent one */
#define TLS_CERT_TRUSTED    (1<<1)      /* its chain verified to a CA */
#define TLS_CERT_MATCHED    (1<<2)      /* client: name matched (set by
                                         * tls_cert_match) */

/* One TLS session. All fields are read-only for callers. */
typedef struct TLS_SESS {
    void   *ssl;                        /* SSL * */
    STREAM *stream;
    const TLS_CTX *ctx;
    char   *peer;                       /* "name[addr]" for the log */
    const char *protocol;               /* "TLSv1.3" */
    const char *cipher_name;            /* "TLS_AES_256_GCM_SHA384" */
    int     cipher_usebits;
    int     cipher_algbits;
    char   *kex_name;                   /* "X25519", "ECDHE", or NULL */
    char   *kex_curve;                  /* ECDHE: "prime256v1", or NULL */
    int     kex_bits;                   /* DHE only, else 0 */
    char   *peer_sig;                   /* peer's key: "RSA-PSS", ... */
    int     peer_sig_bits;
    char   *peer_sig_curve;             /* "P-256" or NULL */
    char   *peer_sig_digest;            /* "SHA256" or NULL */
    char   *own_sig;                    /* the other direction */
    int     own_sig_bits;
    char   *own_sig_curve;
    char   *own_sig_digest;
    int     peer_status;                /* TLS_CERT_* */
    char   *peer_CN;                    /* subject CN, or NULL */
    char   *issuer_CN;                  /* issuer CN (or O), or NULL */
    char   *peer_cert_fprint;           /* "AB:CD:..." or NULL */
    char   *peer_pkey_fprint;           /* of the public key, or NULL */
    ARGV   *peer_names;                 /* DNS names, CN if none; never
                                         * NULL */
    char   *verify_error;               /* why not trusted, or NULL */
    bool    reused;                     /* resumed session */
    bool    is_server;
} TLS_SESS;

/* tls_server_start, tls_client_start - the handshake on start->stream
 * (after the plaintext buffered input was discarded by the caller;
 * tls_discard_input does it). On success the stream reads and writes
 * through TLS and the facts above are filled in. The server logs the
 * "... TLS connection established from ..." line here; a client logs
 * its line itself with tls_log_established (once it has checked the
 * server's name, which decides "Verified"). NULL with
 * the reason in why ("SSL_accept error from NAME[ADDR]: ..." logged as
 * Postfix does at loglevel >= 0). */
TLS_SESS *tls_server_start(TLS_CTX *ctx, const TLS_START *start, BUF *why);
TLS_SESS *tls_client_start(TLS_CTX *ctx, const TLS_START *start, BUF *why);

/* tls_session_stop - send close_notify (when the session is healthy),
 * give the stream back its plain I/O, free the session */
void    tls_session_stop(TLS_SESS *sess);
/* tls_session_free - free without a shutdown (after an I/O error) */
void    tls_session_free(TLS_SESS *sess);

/* tls_discard_input - drop the plaintext the stream has buffered; the
 * number of bytes dropped (CVE-2011-0411: never read as if encrypted) */
size_t  tls_discard_input(STREAM *stream);

/* tls_fingerprint - "AB:CD:.." of data with a digest name ("sha256",
 * "sha1", "md5"); NULL with why for an unknown digest */
char   *tls_fingerprint(const unsigned char *data, size_t len,
                        const char *digest, BUF *why);

/* Name matching (client side), as Postfix's smtp_tls_verify_cert_match
 * and smtp_tls_secure_cert_match. tls_match_names expands a pattern list:
 * "hostname" -> the server's host name, "nexthop" -> the next-hop domain,
 * "dot-nexthop" -> "." + next hop, anything else literally (".domain"
 * means any sub-domain). tls_name_match tells whether one certificate
 * name matches one expanded pattern (case-insensitive; "*.d" wildcard
 * certificate names; multi_label = tls_wildcard_matches_multiple_labels).
 * tls_cert_match checks every name of the peer certificate against every
 * pattern, sets TLS_CERT_MATCHED and returns true on a match. */
ARGV   *tls_match_names(const char *patterns, const char *nexthop,
                        const char *hostname);
bool    tls_name_match(const char *certname, const char *pattern,
                       bool multi_label);
bool    tls_cert_match(TLS_SESS *sess, const ARGV *patterns,
                       bool multi_label);

/* tls_level - "Anonymous", "Untrusted", "Trusted" or (client, matched)
 * "Verified": the first word of Postfix's log line */
const char *tls_level(const TLS_SESS *sess);

/* tls_log_established - "Anonymous TLS connection established from
 * NAME[ADDR]: TLSv1.3 with cipher ... (256/256 bits) key-exchange X25519
 * server-signature RSA-PSS (2048 bits) server-digest SHA256" (server:
 * "from", client: "to"); only at the context's loglevel >= 1 */
void    tls_log_established(const TLS_SESS *sess);

/* tls_received_line - Postfix's smtpd_tls_received_header text:
 * "(using TLSv1.3 with cipher ... (256/256 bits)" and the key-exchange
 * lines, one ARGV entry per header line, indented with a tab */
void    tls_received_lines(const TLS_SESS *sess, ARGV *lines);

#endif
