/* test_tls_session - unit tests for TLS contexts and handshakes: keys
 * loaded or refused, a server and a client (a child process) over a
 * socketpair, the session facts, Postfix's log and Received: lines, the
 * client's certificate checks, and the ticket key file. Certificates are
 * made here with OpenSSL (self-signed, so the certificate is its own CA). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "mail_params.h"
#include "msg.h"
#include "msg_capture.h"
#include "mymalloc.h"
#include "tls.h"
#include "tls_int.h"

static char dir[] = "/tmp/test_tls_session.XXXXXX";
static char path_chain[100], path_cert[100], path_key[100], path_ticket[100];

/* write_pem - the key and/or certificate into a file */
static void
write_pem(const char *path, EVP_PKEY *key, X509 *cert)
{
    FILE   *fp = fopen(path, "w");

    assert_non_null(fp);
    if (key)
        assert_int_equal(PEM_write_PrivateKey(fp, key, NULL, NULL, 0, NULL,
                                              NULL), 1);
    if (cert)
        assert_int_equal(PEM_write_X509(fp, cert), 1);
    fclose(fp);
}

/* make_cert - a self-signed ECDSA P-256 certificate for mx.example.com */
static void
make_cert(void)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509   *x = X509_new();
    X509_NAME *name = X509_get_subject_name(x);
    X509V3_CTX v3;
    X509_EXTENSION *ext;

    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), -60);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_set_pubkey(x, key);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               (const unsigned char *) "mx.example.com", -1,
                               -1, 0);
    X509_set_issuer_name(x, name);
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
    ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name,
                              "DNS:mx.example.com, DNS:*.wild.example.com");
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
    X509_sign(x, key, EVP_sha256());
    write_pem(path_chain, key, x);
    write_pem(path_cert, NULL, x);
    write_pem(path_key, key, NULL);
    X509_free(x);
    EVP_PKEY_free(key);
}

/* setup - the certificate files and a captured log */
static int
setup(void **state)
{
    signal(SIGPIPE, SIG_IGN);           /* as the server skeleton does */
    assert_non_null(mkdtemp(dir));
    snprintf(path_chain, sizeof(path_chain), "%s/chain.pem", dir);
    snprintf(path_cert, sizeof(path_cert), "%s/cert.pem", dir);
    snprintf(path_key, sizeof(path_key), "%s/key.pem", dir);
    snprintf(path_ticket, sizeof(path_ticket), "%s/ticket.key", dir);
    make_cert();
    var_tls_medium_cipherlist = "aNULL:-aNULL:HIGH:MEDIUM:+RC4:@STRENGTH";
    logged = buf_alloc(100);
    msg_output_add(capture);
    return 0;
}

/* teardown - remove the files */
static int
teardown(void **state)
{
    unlink(path_chain);
    unlink(path_cert);
    unlink(path_key);
    unlink(path_ticket);
    rmdir(dir);
    buf_free(logged);
    return 0;
}

/* params - settings with nothing set */
static TLS_CTX_PARAMS
params(bool server)
{
    TLS_CTX_PARAMS p = {
        .server = server, .chain_files = "", .cert_file = "", .key_file = "",
        .eccert_file = "", .eckey_file = "", .CAfile = "", .CApath = "",
        .fingerprint_digest = "sha256", .verify_depth = 9, .loglevel = 1,
        .ticket_key_file = "", .ticket_lifetime = 3600,
    };

    return p;
}

/* test_bad_keys - errors name the file, never the key */
static void
test_bad_keys(void **state)
{
    BUF    *why = buf_alloc(10);
    BUF    *want = buf_alloc(10);
    TLS_CTX_PARAMS p = params(true);

    p.cert_file = path_cert;
    p.key_file = "/nonexistent/key.pem";
    assert_null(tls_ctx_create(&p, why));
    assert_string_equal(buf_str(why), "cannot load private key from file "
                        "\"/nonexistent/key.pem\": No such file or directory");
    buf_reset(why);
    p.key_file = path_cert;             /* a certificate, not a key */
    assert_null(tls_ctx_create(&p, why));
    buf_sprintf(want, "cannot load private key from file \"%s\": none found",
                path_cert);
    assert_string_equal(buf_str(why), buf_str(want));
    buf_reset(why);
    p.cert_file = "";
    assert_null(tls_ctx_create(&p, why));
    assert_string_equal(buf_str(why), "no server certificate: set "
                        "smtpd_tls_chain_files or smtpd_tls_cert_file");
    buf_free(want);
    buf_free(why);
}

/* client_side - the child: connect, check the certificate, talk; the
 * exit status says which check failed */
static int
client_side(int fd, const char *protocols)
{
    TLS_CTX_PARAMS p = params(false);
    TLS_START start = {.timeout = 10, .peer = "mx.example.com[127.0.0.1]:25",
        .protocols = protocols, .cipher_grade = "medium",
        .exclude_ciphers = "", .servername = "mx.example.com"};
    BUF    *why = buf_alloc(10);
    BUF    *line = buf_alloc(10);
    TLS_CTX *ctx;
    TLS_SESS *sess;
    ARGV   *names;

    p.CAfile = path_cert;
    if ((ctx = tls_ctx_create(&p, why)) == NULL)
        return 2;
    start.stream = stream_fdopen(fd);
    buf_reset(logged);
    if ((sess = tls_client_start(ctx, &start, why)) == NULL)
        return 3;
    if (!(sess->peer_status & TLS_CERT_TRUSTED))
        return 4;
    names = tls_match_names("nexthop, dot-nexthop", "example.com", NULL);
    if (!tls_cert_match(sess, names, false)
        || strcmp(tls_level(sess), "Verified") != 0)
        return 5;
    argv_free(names);
    /* The client's line is the caller's, after the name check. */
    if (strstr(buf_str(logged), "established") != NULL)
        return 7;
    tls_log_established(sess);
    if (strstr(buf_str(logged), "Verified TLS connection established to "
               "mx.example.com[127.0.0.1]:25: TLSv1.3 with cipher ") == NULL)
        return 8;
    stream_puts(start.stream, "hello\r\n");
    if (stream_get_line(start.stream, line, 100) != '\n'
        || strcmp(buf_str(line), "bye\r\n") != 0)
        return 6;
    tls_session_stop(sess);
    stream_close(start.stream);
    tls_ctx_free(ctx);
    return 0;
}

/* handshake - a server session against a client child; the server's
 * session (NULL if the handshake failed) and the child's exit status */
static TLS_SESS *
handshake(TLS_CTX *ctx, STREAM **stream, const char *server_protocols,
          const char *client_protocols, int *status)
{
    TLS_START start = {.timeout = 10, .peer = "client[127.0.0.1]",
        .protocols = server_protocols, .cipher_grade = "medium",
        .exclude_ciphers = ""};
    BUF    *why = buf_alloc(10);
    int     pair[2];
    pid_t   pid;
    TLS_SESS *sess;

    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
    if ((pid = fork()) == 0) {
        close(pair[0]);
        _exit(client_side(pair[1], client_protocols));
    }
    close(pair[1]);
    *stream = start.stream = stream_fdopen(pair[0]);
    sess = tls_server_start(ctx, &start, why);
    if (sess == NULL)
        stream_close(*stream);
    buf_free(why);
    *status = pid;
    return sess;
}

/* child_status - the exit status of the client child */
static int
child_status(pid_t pid)
{
    int     status;

    assert_int_equal(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* server_ctx - a server context from the chain file */
static TLS_CTX *
server_ctx(void)
{
    TLS_CTX_PARAMS p = params(true);
    BUF    *why = buf_alloc(10);
    TLS_CTX *ctx;

    p.chain_files = path_chain;
    p.ticket_key_file = path_ticket;
    ctx = tls_ctx_create(&p, why);
    assert_non_null(ctx);
    buf_free(why);
    return ctx;
}

/* test_handshake - both sides, the facts, the log and Received: lines */
static void
test_handshake(void **state)
{
    TLS_CTX *ctx = server_ctx();
    STREAM *stream;
    BUF    *line = buf_alloc(10);
    ARGV   *lines = argv_alloc(3);
    struct stat st;
    int     pid;
    TLS_SESS *sess = handshake(ctx, &stream, ">=TLSv1.2", "", &pid);

    assert_non_null(sess);
    assert_int_equal(stream_get_line(stream, line, 100), '\n');
    assert_string_equal(buf_str(line), "hello\r\n");
    stream_puts(stream, "bye\r\n");
    stream_flush(stream);
    assert_string_equal(sess->protocol, "TLSv1.3");
    assert_string_equal(sess->cipher_name, "TLS_AES_256_GCM_SHA384");
    assert_int_equal(sess->cipher_usebits, 256);
    assert_string_equal(sess->kex_name, "X25519");
    assert_string_equal(sess->own_sig, "ECDSA");
    assert_string_equal(sess->own_sig_curve, "prime256v1");
    assert_string_equal(sess->own_sig_digest, "SHA256");
    assert_int_equal(sess->peer_status, 0);
    assert_string_equal(tls_level(sess), "Anonymous");
    assert_non_null(strstr(buf_str(logged), "Anonymous TLS connection "
                           "established from client[127.0.0.1]: TLSv1.3 with "
                           "cipher TLS_AES_256_GCM_SHA384 (256/256 bits) "
                           "key-exchange X25519 server-signature ECDSA "
                           "(prime256v1) server-digest SHA256\n"));
    tls_received_lines(sess, lines);
    assert_int_equal(lines->argc, 2);
    assert_string_equal(lines->argv[0], "\t(using TLSv1.3 with cipher "
                        "TLS_AES_256_GCM_SHA384 (256/256 bits)");
    assert_string_equal(lines->argv[1], "\t key-exchange X25519 "
                        "server-signature ECDSA (prime256v1) server-digest "
                        "SHA256)");
    assert_int_equal(stream_get_line(stream, line, 100), EOF);
    tls_session_stop(sess);
    stream_close(stream);
    assert_int_equal(child_status(pid), 0);
    assert_int_equal(stat(path_ticket, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(st.st_size, 32);
    argv_free(lines);
    buf_free(line);
    tls_ctx_free(ctx);
}

/* test_protocol_mismatch - no common protocol: logged as Postfix does */
static void
test_protocol_mismatch(void **state)
{
    TLS_CTX *ctx = server_ctx();
    STREAM *stream;
    int     pid;

    buf_reset(logged);
    assert_null(handshake(ctx, &stream, "", "<=TLSv1.1", &pid));
    assert_int_equal(child_status(pid), 3);
    assert_non_null(strstr(buf_str(logged), "SSL_accept error from "
                           "client[127.0.0.1]: lost connection\n"));
    buf_reset(logged);
    assert_null(handshake(ctx, &stream, ">=TLSv1.3", "!TLSv1.3", &pid));
    assert_int_equal(child_status(pid), 3);
    assert_non_null(strstr(buf_str(logged), "SSL_accept error from "
                           "client[127.0.0.1]: -1\nwarning: TLS library "
                           "problem: error:"));
    assert_non_null(strstr(buf_str(logged), "unsupported protocol"));
    tls_ctx_free(ctx);
}

/* test_ticket_file_unusable - a warning, and per-process tickets */
static void
test_ticket_file_unusable(void **state)
{
    TLS_CTX_PARAMS p = params(true);
    BUF    *why = buf_alloc(10);
    TLS_CTX *ctx;

    p.chain_files = path_chain;
    p.ticket_key_file = "/nonexistent/ticket.key";
    buf_reset(logged);
    ctx = tls_ctx_create(&p, why);
    assert_non_null(ctx);
    assert_string_equal(buf_str(logged), "warning: cannot create TLS ticket "
                        "key file /nonexistent/ticket.key: No such file or "
                        "directory: TLS sessions resume only on the same "
                        "process\n");
    tls_ctx_free(ctx);
    buf_free(why);
}

/* test_pem_groups - several keys with their chains in one text, in
 * either order within a group; a key without a certificate */
static void
test_pem_groups(void **state)
{
    SSL_CTX *ssl_ctx = SSL_CTX_new(TLS_server_method());
    BUF    *pem = buf_alloc(100);
    BUF    *why = buf_alloc(10);
    int     pairs;

    assert_int_equal(tls_pem_read_file(pem, path_chain, "chain", why), 0);
    assert_int_equal(tls_pem_read_file(pem, path_key, "key", why), 0);
    assert_int_equal(tls_pem_read_file(pem, path_cert, "cert", why), 0);
    pairs = tls_pem_load(ssl_ctx, pem, "K", "C", why);
    assert_int_equal(pairs, 2);
    assert_int_equal(tls_pem_read_file(pem, path_key, "key", why), 0);
    assert_int_equal(tls_pem_load(ssl_ctx, pem, "K", "C", why), -1);
    assert_string_equal(buf_str(why), "cannot load certificate from C: none "
                        "found");
    assert_int_equal(tls_pem_read_file(pem, "/nonexistent", "key", why), -1);
    assert_string_equal(buf_str(why), "cannot load key from file "
                        "\"/nonexistent\": No such file or directory");
    tls_pem_wipe(pem);
    buf_free(why);
    SSL_CTX_free(ssl_ctx);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_keys),
        cmocka_unit_test(test_handshake),
        cmocka_unit_test(test_protocol_mismatch),
        cmocka_unit_test(test_ticket_file_unusable),
        cmocka_unit_test(test_pem_groups),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
