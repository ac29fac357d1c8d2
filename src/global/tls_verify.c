/* tls_verify - what a handshake tells about the peer, and name matching.
 *
 * Model: Postfix's tls_verify.c, tls_fprint.c, and match_servername() of
 * tls_client.c. After a handshake tls_session_facts records the protocol,
 * cipher, key exchange and signatures (for the log and Received:), and
 * the peer certificate: present, trusted (its chain verified), subject and
 * issuer CN, fingerprints, DNS names. */
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "mymalloc.h"
#include "tls_int.h"

/* tls_fingerprint - "AB:CD:..." of data under a digest */
char   *
tls_fingerprint(const unsigned char *data, size_t len, const char *digest,
                BUF *why)
{
    EVP_MD *md = EVP_MD_fetch(NULL, digest, NULL);
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int outlen = 0;
    BUF    *text;

    if (md == NULL || EVP_Digest(data, len, out, &outlen, md, NULL) != 1) {
        buf_sprintf(why, "unsupported fingerprint digest: %s", digest);
        EVP_MD_free(md);
        return NULL;
    }
    EVP_MD_free(md);
    text = buf_alloc(3 * outlen + 1);
    for (unsigned i = 0; i < outlen; i++)
        buf_sprintf_append(text, "%s%02X", i ? ":" : "", out[i]);
    return buf_export(text);
}

/* tls_text_entry - the first entry of a name's field, or NULL */
static char *
tls_text_entry(X509_NAME *name, int nid)
{
    int     pos = X509_NAME_get_index_by_NID(name, nid, -1);
    unsigned char *utf8 = NULL;
    char   *text;
    int     len;

    if (pos < 0)
        return NULL;
    len = ASN1_STRING_to_UTF8(&utf8,
                X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, pos)));
    if (len < 0)
        return NULL;
    /* A NUL inside a name is an attack on C string handling; other
     * controls, quotes and non-ASCII would end up in headers and logs. */
    if (memchr(utf8, 0, len)) {
        OPENSSL_free(utf8);
        return NULL;
    }
    text = mystrdup((char *) utf8);
    OPENSSL_free(utf8);
    for (char *cp = text; *cp; cp++)
        if ((unsigned char) *cp < 0x20 || (unsigned char) *cp >= 0x7f
            || *cp == '"')
            *cp = '?';
    return text;
}

/* tls_cert_names - DNS names of the certificate, its CN if none */
static void
tls_cert_names(X509 *cert, const char *cn, ARGV *names)
{
    GENERAL_NAMES *gens = X509_get_ext_d2i(cert, NID_subject_alt_name,
                                           NULL, NULL);

    for (int i = 0; gens && i < sk_GENERAL_NAME_num(gens); i++) {
        const GENERAL_NAME *gen = sk_GENERAL_NAME_value(gens, i);
        const ASN1_IA5STRING *dns;

        if (gen->type != GEN_DNS)
            continue;
        dns = gen->d.dNSName;
        if (memchr(ASN1_STRING_get0_data(dns), 0, ASN1_STRING_length(dns)))
            continue;
        argv_add(names, (const char *) ASN1_STRING_get0_data(dns));
    }
    GENERAL_NAMES_free(gens);
    if (names->argc == 0 && cn)
        argv_add(names, cn);
}

/* tls_cert_fprints - the certificate's and its public key's fingerprints */
static void
tls_cert_fprints(TLS_SESS *sess, X509 *cert)
{
    const char *digest = sess->ctx->fingerprint_digest;
    unsigned char *der = NULL;
    BUF    *why = buf_alloc(50);
    int     len;

    if ((len = i2d_X509(cert, &der)) > 0)
        sess->peer_cert_fprint = tls_fingerprint(der, len, digest, why);
    OPENSSL_free(der);
    der = NULL;
    if ((len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der)) > 0)
        sess->peer_pkey_fprint = tls_fingerprint(der, len, digest, why);
    OPENSSL_free(der);
    buf_free(why);
}

/* tls_peer_cert - the facts about the peer's certificate */
static void
tls_peer_cert(TLS_SESS *sess)
{
    SSL    *ssl = sess->ssl;
    X509   *cert = SSL_get0_peer_certificate(ssl);
    long    result;

    if (cert == NULL)
        return;
    sess->peer_status |= TLS_CERT_PRESENT;
    if ((result = SSL_get_verify_result(ssl)) == X509_V_OK)
        sess->peer_status |= TLS_CERT_TRUSTED;
    else
        sess->verify_error = mystrdup(X509_verify_cert_error_string(result));
    sess->peer_CN = tls_text_entry(X509_get_subject_name(cert), NID_commonName);
    if ((sess->issuer_CN = tls_text_entry(X509_get_issuer_name(cert),
                                          NID_commonName)) == NULL)
        sess->issuer_CN = tls_text_entry(X509_get_issuer_name(cert),
                                         NID_organizationName);
    tls_cert_names(cert, sess->peer_CN, sess->peer_names);
    tls_cert_fprints(sess, cert);
}

/* tls_key_facts - algorithm name, curve or bits of a signing key */
static void
tls_key_facts(EVP_PKEY *key, int sig_type, char **name, int *bits,
              char **curve)
{
    char    group[80];
    size_t  glen = 0;

    if (key == NULL)
        return;
    if (EVP_PKEY_is_a(key, "RSA"))
        *name = mystrdup(sig_type == EVP_PKEY_RSA_PSS ? "RSA-PSS" : "RSA");
    else if (EVP_PKEY_is_a(key, "EC"))
        *name = mystrdup("ECDSA");
    else
        *name = mystrdup(EVP_PKEY_get0_type_name(key) ?
                         EVP_PKEY_get0_type_name(key) : "unknown");
    if (EVP_PKEY_is_a(key, "EC")
        && EVP_PKEY_get_group_name(key, group, sizeof(group), &glen) == 1)
        *curve = mystrdup(group);
    else if (EVP_PKEY_is_a(key, "RSA") || EVP_PKEY_is_a(key, "DSA"))
        *bits = EVP_PKEY_get_bits(key);
}

/* tls_digest_name - the short name of a signature digest, or NULL */
static char *
tls_digest_name(int ok, int nid)
{
    return ok == 1 && nid != NID_undef ? mystrdup(OBJ_nid2sn(nid)) : NULL;
}

/* tls_sig_facts - both sides' signature keys and digests */
static void
tls_sig_facts(TLS_SESS *sess)
{
    SSL    *ssl = sess->ssl;
    int     peer_type = NID_undef, own_type = NID_undef;
    int     peer_md = NID_undef, own_md = NID_undef;
    int     peer_ok = SSL_get_peer_signature_nid(ssl, &peer_md);
    int     own_ok = SSL_get_signature_nid(ssl, &own_md);
    X509   *peer = SSL_get0_peer_certificate(ssl);
    X509   *own = SSL_get_certificate(ssl);

    (void) SSL_get_peer_signature_type_nid(ssl, &peer_type);
    (void) SSL_get_signature_type_nid(ssl, &own_type);
    if (peer) {
        tls_key_facts(X509_get0_pubkey(peer), peer_type, &sess->peer_sig,
                      &sess->peer_sig_bits, &sess->peer_sig_curve);
        sess->peer_sig_digest = tls_digest_name(peer_ok, peer_md);
    }
    /* A client's certificate counts only when the server asked for it. */
    if (own && (sess->is_server || own_ok == 1)) {
        tls_key_facts(X509_get0_pubkey(own), own_type, &sess->own_sig,
                      &sess->own_sig_bits, &sess->own_sig_curve);
        sess->own_sig_digest = tls_digest_name(own_ok, own_md);
    }
}

/* tls_kex_facts - the key exchange: X25519, X448, ECDHE (curve), DHE */
static void
tls_kex_facts(TLS_SESS *sess)
{
    EVP_PKEY *key = NULL;
    char    group[80];
    size_t  glen = 0;

    if (SSL_get_peer_tmp_key(sess->ssl, &key) != 1 || key == NULL)
        return;
    if (EVP_PKEY_is_a(key, "EC")) {
        sess->kex_name = mystrdup("ECDHE");
        if (EVP_PKEY_get_group_name(key, group, sizeof(group), &glen) == 1)
            sess->kex_curve = mystrdup(group);
    } else if (EVP_PKEY_is_a(key, "DH")) {
        sess->kex_name = mystrdup("DHE");
        sess->kex_bits = EVP_PKEY_get_bits(key);
    } else if (EVP_PKEY_get0_type_name(key)) {
        sess->kex_name = mystrdup(EVP_PKEY_get0_type_name(key));
    }
    EVP_PKEY_free(key);
}

/* tls_session_facts - the facts after a handshake */
void
tls_session_facts(TLS_SESS *sess)
{
    const SSL_CIPHER *cipher = SSL_get_current_cipher(sess->ssl);

    sess->protocol = SSL_get_version(sess->ssl);
    sess->cipher_name = SSL_CIPHER_get_name(cipher);
    sess->cipher_usebits = SSL_CIPHER_get_bits(cipher, &sess->cipher_algbits);
    sess->reused = SSL_session_reused(sess->ssl) == 1;
    tls_kex_facts(sess);
    tls_sig_facts(sess);
    tls_peer_cert(sess);
}
