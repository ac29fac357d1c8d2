"""System tests for TLS in smtpd (src/smtpd/smtpd_tls.c, src/global/tls_*):
a real instance with one smtpd service offering STARTTLS and one in
smtpd_tls_wrappermode (as port 465), certificates from a test CA
(tlsfixture.py), and real clients: Python's smtplib and ssl, `openssl
s_client`, swaks. Replies, log lines and Received: lines are those that
Debian's Postfix 3.7 gave for the same input (docs/tls.md)."""
import re
import shutil
import smtplib
import socket
import ssl
import subprocess
import threading

import pytest

from conftest import free_port, wait_for
from queuefile import content_text, read_records, sections
from test_master import POSTLOG
from test_smtpd import Server, no_crash  # noqa: F401 (autouse fixture)
from tlsfixture import TestPKI

CLEANUP = "cleanup unix n - n - 0 cleanup\n"
REWRITE = "rewrite unix - - n - - trivial-rewrite\n"
ME = "mx.example.test"
# prometheus-postfix-exporter (ecosystem-contracts.md)
EXPORTER_TLS = re.compile(r"TLS connection established (to|from) \S+: (\S+) "
                          r"with cipher (\S+) \((\d+)/(\d+) bits\)")


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return TestPKI(tmp_path_factory.mktemp("pki"))


class TLSServer(Server):
    """An instance with smtpd on two loopback ports: STARTTLS (port) and
    wrapper mode (smtps_port)."""

    def __init__(self, instance, pki, services="", **params):
        self.inst = instance
        self.pki = pki
        self.port = free_port()
        self.smtps_port = free_port()
        master_cf = (POSTLOG + REWRITE + CLEANUP
                     + f"127.0.0.1:{self.port} inet n - n - - smtpd\n"
                     + f"127.0.0.1:{self.smtps_port} inet n - n - - smtpd"
                     " -o smtpd_tls_wrappermode=yes\n" + services)
        settings = dict(mydomain="example.test", smtpd_error_sleep_time="0",
                        mynetworks="127.0.0.0/8", local_recipient_maps="",
                        smtpd_tls_security_level="may",
                        smtpd_tls_cert_file=pki.path("server-rsa.crt"),
                        smtpd_tls_key_file=pki.path("server-rsa.key"),
                        smtpd_tls_eccert_file=pki.path("server-ec.crt"),
                        smtpd_tls_eckey_file=pki.path("server-ec.key"),
                        smtpd_tls_CAfile=pki.path("ca.pem"),
                        smtpd_tls_loglevel="1",
                        smtpd_tls_received_header="yes")
        settings.update(params)
        instance.write_config(master_cf, **settings)
        instance.start()


def client_context(pki=None, cert=None):
    """A client TLS context that trusts the test CA (when given) and
    presents cert (a name in the PKI) when asked."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    if pki is None:
        ctx.verify_mode = ssl.CERT_NONE
    else:
        ctx.load_verify_locations(pki.path("ca.pem"))
    if cert:
        ctx.load_cert_chain(pki.path(f"{cert}.crt"), pki.path(f"{cert}.key"))
    return ctx


def received(path):
    """The Received: header of a queue file, unfolded lines kept."""
    _, content, _ = sections(read_records(path))
    text = content_text(content).decode()
    return text.split("\nSubject:", 1)[0]


def tls_message(server, ctx):
    """One message over STARTTLS with the client context ctx; the
    Received: header of the queued message."""
    with smtplib.SMTP("127.0.0.1", server.port, timeout=20) as smtp:
        smtp.starttls(context=ctx)
        smtp.sendmail("sender@example.org", ["user@mx.example.test"],
                      b"Subject: tls\r\n\r\nhello\r\n")
    [path] = wait_for(server.incoming, what="queue file")
    return received(path)


def tls_rcpt(server, ctx, rcpt):
    """MAIL and RCPT after STARTTLS with ctx; the RCPT reply."""
    with smtplib.SMTP("127.0.0.1", server.port, timeout=20) as smtp:
        smtp.starttls(context=ctx)
        smtp.ehlo("client.example")
        assert smtp.docmd("MAIL FROM:<a@example.org>")[0] == 250
        return smtp.docmd(f"RCPT TO:<{rcpt}>")


@pytest.fixture
def server(instance, pki):
    return TLSServer(instance, pki)


def read_reply(fp):
    lines = []
    while True:
        line = fp.readline()
        if not line:
            break
        lines.append(line.decode().rstrip("\r\n"))
        if line[3:4] != b"-":
            break
    return "\n".join(lines)


# --- STARTTLS and wrapper mode with smtplib ---------------------------------

def test_starttls_with_smtplib(server, pki):
    with smtplib.SMTP("127.0.0.1", server.port, timeout=20) as smtp:
        code, text = smtp.ehlo("client.example")
        assert b"STARTTLS" in text.split(b"\n")
        assert smtp.starttls(context=client_context(pki)) == \
            (220, b"2.0.0 Ready to start TLS")
        assert smtp.sock.version() == "TLSv1.3"
        code, text = smtp.ehlo("client.example")
        assert code == 250 and b"STARTTLS" not in text.split(b"\n")
        assert smtp.docmd("STARTTLS") == \
            (554, b"5.5.1 Error: TLS already active")
        smtp.sendmail("sender@example.org", ["user@mx.example.test"],
                      b"Subject: tls\r\n\r\nhello\r\n")
    [path] = wait_for(server.incoming, what="queue file")
    head = received(path)
    assert head.startswith(
        "Received: from client.example (localhost [127.0.0.1])\n"
        "\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)\n"
        "\t key-exchange X25519 server-signature ")
    assert "\n\t(No client certificate requested)\n\tby mx.example.test" \
        in head
    assert " with ESMTPS id " in head
    log = server.inst.wait_log("disconnect from")
    assert "ehlo=2 starttls=1/2 mail=1 rcpt=1 data=1 quit=1" in log


def test_wrappermode_with_smtp_ssl(server, pki):
    with smtplib.SMTP_SSL("127.0.0.1", server.smtps_port, timeout=20,
                          context=client_context(pki)) as smtp:
        assert smtp.sock.version() == "TLSv1.3"
        code, text = smtp.ehlo("client.example")
        assert code == 250 and b"STARTTLS" not in text.split(b"\n")
        smtp.sendmail("sender@example.org", ["user@mx.example.test"],
                      b"Subject: smtps\r\n\r\nhello\r\n")
    [path] = wait_for(server.incoming, what="queue file")
    assert "\t(using TLSv1.3 with cipher " in received(path)
    assert " with ESMTPS id " in received(path)


def test_received_header_off_by_default(instance, pki):
    server = TLSServer(instance, pki, smtpd_tls_received_header="no")
    head = tls_message(server, client_context())
    assert "using" not in head and "\tby mx.example.test" in head


# --- the log -----------------------------------------------------------------

def test_log_line_as_postfix_and_exporter(server, pki):
    with smtplib.SMTP("127.0.0.1", server.port, timeout=20) as smtp:
        smtp.starttls(context=client_context())
        smtp.ehlo("client.example")
    log = server.inst.wait_log("TLS connection established")
    line = next(l for l in log.splitlines() if "TLS connection est" in l)
    # Python's client offers RSA-PSS and ECDSA: OpenSSL picks ECDSA
    # (prime256v1), as Postfix's line on the same certificates shows.
    assert re.search(r"smtpd\[\d+\]: Anonymous TLS connection established "
                     r"from localhost\[127\.0\.0\.1\]: TLSv1\.3 with cipher "
                     r"TLS_AES_256_GCM_SHA384 \(256/256 bits\) key-exchange "
                     r"X25519 server-signature ECDSA \(prime256v1\) "
                     r"server-digest SHA256$", line), line
    m = EXPORTER_TLS.search(line)
    assert m.groups() == ("from", "TLSv1.3", "TLS_AES_256_GCM_SHA384",
                          "256", "256")


def test_loglevel_0_is_quiet(instance, pki):
    server = TLSServer(instance, pki, smtpd_tls_loglevel="0")
    with smtplib.SMTP("127.0.0.1", server.port, timeout=20) as smtp:
        smtp.starttls(context=client_context())
        smtp.ehlo("client.example")
    log = instance.wait_log("disconnect from")
    assert "TLS connection established" not in log


# --- other clients -----------------------------------------------------------

def s_client(args, stdin=b"QUIT\r\n"):
    return subprocess.run(["openssl", "s_client", "-brief", "-ign_eof",
                           *args],
                          input=stdin, capture_output=True, timeout=30)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl")
def test_openssl_s_client_starttls_and_wrapper(server, pki):
    for args in (["-starttls", "smtp", "-connect",
                  f"127.0.0.1:{server.port}"],
                 ["-connect", f"127.0.0.1:{server.smtps_port}"]):
        res = s_client([*args, "-CAfile", str(pki.path("ca.pem")),
                        "-verify_hostname", "localhost"])
        err = res.stderr.decode()
        assert "Protocol version: TLSv1.3" in err, err
        assert "Verification: OK" in err, err
        assert b"221 2.0.0 Bye" in res.stdout


@pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl")
def test_rsa_and_ecdsa_certificates_both_served(server, pki):
    for sigalg, want in (("rsa_pss_rsae_sha256", "server-rsa.crt"),
                         ("ecdsa_secp256r1_sha256", "server-ec.crt")):
        res = subprocess.run(
            ["openssl", "s_client", "-ign_eof", "-connect",
             f"127.0.0.1:{server.smtps_port}", "-sigalgs", sigalg],
            input=b"QUIT\r\n", capture_output=True, timeout=30)
        got = subprocess.run(["openssl", "x509", "-noout", "-fingerprint",
                              "-sha256"], input=res.stdout,
                             capture_output=True).stdout
        wanted = subprocess.run(["openssl", "x509", "-noout", "-fingerprint",
                                 "-sha256", "-in", str(pki.path(want))],
                                capture_output=True).stdout
        assert got and got == wanted, sigalg


@pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl")
def test_tls_1_1_refused(server):
    res = s_client(["-connect", f"127.0.0.1:{server.smtps_port}",
                    "-tls1_1"])
    assert b"220 " not in res.stdout
    server.inst.wait_log("SSL_accept error from localhost[127.0.0.1]: -1")


@pytest.mark.skipif(shutil.which("swaks") is None, reason="no swaks")
def test_swaks_tls(server):
    res = subprocess.run(["swaks", "--server", "127.0.0.1", "--port",
                          str(server.port), "--tls", "--from",
                          "sender@example.org", "--to",
                          "user@mx.example.test", "--helo", "client.example"],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "TLS started with cipher TLSv1.3" in res.stdout
    assert "250 2.0.0 Ok: queued as" in res.stdout
    wait_for(server.incoming, what="queue file")


# --- security ----------------------------------------------------------------

def test_starttls_injection_discarded(server):
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=20)
    fp = sock.makefile("rb")
    assert read_reply(fp).startswith("220 ")
    sock.sendall(b"EHLO client.example\r\n")
    read_reply(fp)
    # CVE-2011-0411: the RSET travels in the same packet as STARTTLS.
    sock.sendall(b"STARTTLS\r\nRSET\r\n")
    assert read_reply(fp) == "220 2.0.0 Ready to start TLS"
    tls = client_context().wrap_socket(sock)
    tfp = tls.makefile("rb")
    tls.sendall(b"NOOP\r\n")
    # The first reply inside TLS answers the NOOP: RSET got none.
    assert read_reply(tfp) == "250 2.0.0 Ok"
    tls.sendall(b"EHLO client.example\r\n")
    assert read_reply(tfp).startswith("250-" + ME)
    tls.sendall(b"QUIT\r\n")
    assert read_reply(tfp) == "221 2.0.0 Bye"
    tls.close()
    log = server.inst.wait_log("disconnect from")
    assert "ehlo=2 starttls=1 noop=1 quit=1 commands=5" in log
    assert "improper command pipelining" not in log     # as Postfix


def test_plaintext_after_starttls_ends_session(server):
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=20)
    fp = sock.makefile("rb")
    read_reply(fp)
    sock.sendall(b"STARTTLS\r\n")
    assert read_reply(fp) == "220 2.0.0 Ready to start TLS"
    sock.sendall(b"RSET\r\n")
    try:
        assert fp.read() == b""
    except ConnectionResetError:
        pass
    log = server.inst.wait_log("disconnect from")
    assert "SSL_accept error from localhost[127.0.0.1]: -1" in log
    assert "warning: TLS library problem: " in log
    assert "lost connection after STARTTLS from localhost[127.0.0.1]" in log
    assert "starttls=0/1 commands=0/1" in log


def test_session_restarts_after_starttls(server):
    with smtplib.SMTP("127.0.0.1", server.port, timeout=20) as smtp:
        smtp.ehlo("client.example")
        assert smtp.docmd("MAIL FROM:<a@example.org>")[0] == 250
        smtp.starttls(context=client_context())
        # The transaction and the EHLO are forgotten.
        assert smtp.docmd("RCPT TO:<user@mx.example.test>") == \
            (503, b"5.5.1 Error: need MAIL command")


def test_encrypt_level_refuses_mail_before_starttls(instance, pki):
    server = TLSServer(instance, pki, smtpd_tls_security_level="encrypt")
    with smtplib.SMTP("127.0.0.1", server.port, timeout=20) as smtp:
        code, text = smtp.ehlo("client.example")
        assert b"STARTTLS" in text.split(b"\n")
        refused = (530, b"5.7.0 Must issue a STARTTLS command first")
        assert smtp.docmd("MAIL FROM:<a@example.org>") == refused
        assert smtp.docmd("RCPT TO:<user@mx.example.test>") == refused
        assert smtp.docmd("VRFY user") == refused
        assert smtp.docmd("RSET") == refused
        assert smtp.docmd("XFORWARD NAME=x") == refused
        assert smtp.docmd("NOOP") == (250, b"2.0.0 Ok")
        smtp.starttls(context=client_context())
        smtp.ehlo("client.example")
        assert smtp.docmd("MAIL FROM:<a@example.org>")[0] == 250


def test_legacy_enforce_tls(instance, pki):
    server = TLSServer(instance, pki, smtpd_tls_security_level="",
                       smtpd_enforce_tls="yes")
    with smtplib.SMTP("127.0.0.1", server.port, timeout=20) as smtp:
        smtp.ehlo("client.example")
        assert smtp.docmd("MAIL FROM:<a@example.org>")[0] == 530


def test_no_tls_level_none(instance, pki):
    server = TLSServer(instance, pki, smtpd_tls_security_level="none")
    with smtplib.SMTP("127.0.0.1", server.port, timeout=20) as smtp:
        code, text = smtp.ehlo("client.example")
        assert b"STARTTLS" not in text.split(b"\n")
        assert smtp.docmd("STARTTLS") == \
            (502, b"5.5.1 Error: command not implemented")


def test_bad_key_gives_454_and_warning(instance, pki):
    server = TLSServer(instance, pki, smtpd_tls_key_file="/nonexistent",
                       smtpd_tls_eccert_file="")
    with smtplib.SMTP("127.0.0.1", server.port, timeout=20) as smtp:
        code, text = smtp.ehlo("client.example")
        assert b"STARTTLS" in text.split(b"\n")
        assert smtp.docmd("STARTTLS") == \
            (454, b"4.7.0 TLS not available due to local problem")
        assert smtp.docmd("MAIL FROM:<a@example.org>")[0] == 250
    log = instance.wait_log("disconnect from")
    assert re.search(r'smtpd\[\d+\]: warning: cannot load private key from '
                     r'file "/nonexistent": .*: disabling TLS support', log)
    assert "starttls=0/1" in log


def test_private_key_never_logged(server, pki):
    with smtplib.SMTP("127.0.0.1", server.port, timeout=20) as smtp:
        smtp.starttls(context=client_context())
    log = server.inst.wait_log("disconnect from")
    key = pki.path("server-rsa.key").read_text().splitlines()[1]
    assert key not in log and "PRIVATE KEY" not in log


# --- client certificates -----------------------------------------------------

def test_client_certificate_asked_and_in_received(instance, pki):
    server = TLSServer(instance, pki, smtpd_tls_ask_ccert="yes")
    head = tls_message(server, client_context(pki, cert="client"))
    assert "\t client-signature RSA-PSS (2048 bits) client-digest SHA256)\n" \
        "\t(Client CN \"client.example.test\", Issuer \"ca\" (verified OK))\n" \
        in head, head
    log = instance.wait_log("disconnect from")
    assert re.search(r"Trusted TLS connection established from "
                     r"localhost\[127.0.0.1\]: .* client-signature RSA-PSS "
                     r"\(2048 bits\) client-digest SHA256", log)


def test_untrusted_client_certificate(instance, pki):
    server = TLSServer(instance, pki, smtpd_tls_ask_ccert="yes")
    head = tls_message(server, client_context(pki, cert="stranger"))
    assert "(Client CN \"stranger.example.test\", Issuer \"other-ca\" " \
        "(not verified))" in head
    assert "Untrusted TLS connection established" in instance.log_text()


def test_client_did_not_present_certificate(instance, pki):
    server = TLSServer(instance, pki, smtpd_tls_ask_ccert="yes")
    head = tls_message(server, client_context())
    assert "\n\t(Client did not present a certificate)\n" in head


def test_req_ccert_refuses_without_certificate(instance, pki):
    server = TLSServer(instance, pki, smtpd_tls_security_level="encrypt",
                       smtpd_tls_req_ccert="yes")
    with smtplib.SMTP("127.0.0.1", server.port, timeout=20) as smtp:
        smtp.ehlo("client.example")
        smtp.starttls(context=client_context())
        reply = read_reply(smtp.sock.makefile("rb"))
    assert reply == f"421 4.7.1 {ME} Error: No client certificate presented"
    assert "NOQUEUE: abort: TLS from localhost[127.0.0.1]: No client " \
        "certificate presented" in instance.wait_log("disconnect from")


# --- resumption --------------------------------------------------------------

@pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl")
def test_session_resumes_on_another_process(instance, pki, tmp_path):
    port = free_port()
    server = TLSServer(instance, pki, services=f"127.0.0.1:{port} inet n - n"
                       " - - smtpd -o smtpd_tls_wrappermode=yes"
                       " -o max_use=1\n")
    sess = tmp_path / "sess.pem"
    first = s_client(["-connect", f"127.0.0.1:{port}", "-sess_out",
                      str(sess)])
    assert b"221 2.0.0 Bye" in first.stdout
    second = subprocess.run(["openssl", "s_client", "-ign_eof", "-connect",
                             f"127.0.0.1:{port}", "-sess_in", str(sess)],
                            input=b"QUIT\r\n", capture_output=True,
                            timeout=30)
    assert b"\nReused, TLSv1.3" in second.stdout, second.stdout.decode()
    pids = re.findall(r"smtpd\[(\d+)\]: Anonymous TLS connection",
                      instance.log_text())
    assert len(set(pids)) == 2
    key = instance.data_dir / "smtpd_tls_ticket.key"
    assert key.stat().st_mode & 0o777 == 0o600
    assert server.port


# --- restrictions on client certificates -------------------------------------

def relay_attempt(server, pki, cert):
    """RCPT to a remote domain after STARTTLS with cert (a PKI name or
    None); the RCPT reply."""
    return tls_rcpt(server, client_context(pki, cert=cert), "x@far.example")


def test_permit_tls_clientcerts_relays_listed_certificate(instance, pki):
    fp = pki.fingerprint("client.crt")
    server = TLSServer(instance, pki, smtpd_tls_ask_ccert="yes",
                       mynetworks="127.0.0.66/32",
                       relay_clientcerts=f"inline:{{ {fp}=client }}",
                       smtpd_relay_restrictions="permit_tls_clientcerts "
                       "reject_unauth_destination")
    assert relay_attempt(server, pki, "client") == (250, b"2.1.5 Ok")
    # A trusted certificate that is not listed, and none at all.
    denied = (554, b"5.7.1 <x@far.example>: Relay access denied")
    assert relay_attempt(server, pki, "stranger") == denied
    assert relay_attempt(server, pki, None) == denied


def test_permit_tls_all_clientcerts(instance, pki):
    server = TLSServer(instance, pki, smtpd_tls_ask_ccert="yes",
                       mynetworks="127.0.0.66/32",
                       smtpd_relay_restrictions="permit_tls_all_clientcerts "
                       "reject_unauth_destination")
    assert relay_attempt(server, pki, "client")[0] == 250
    # Signed by a CA that smtpd_tls_CAfile does not list.
    assert relay_attempt(server, pki, "stranger")[0] == 554


def test_check_ccert_access(instance, pki, tmp_path):
    table = tmp_path / "ccerts"
    table.write_text(f"{pki.fingerprint('stranger.crt')} REJECT go away\n")
    server = TLSServer(instance, pki, smtpd_tls_ask_ccert="yes",
                       smtpd_recipient_restrictions="check_ccert_access "
                       f"texthash:{table}")
    rcpt = "user@mx.example.test"
    assert tls_rcpt(server, client_context(pki, cert="stranger"), rcpt) == \
        (554, b"5.7.1 <stranger.example.test>: Client certificate "
         b"rejected: go away")
    assert tls_rcpt(server, client_context(pki, cert="client"), rcpt) == \
        (250, b"2.1.5 Ok")


def test_policy_service_gets_tls_attributes(instance, pki):
    requests = []
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1)

    def serve():
        conn, _ = sock.accept()
        with conn, conn.makefile("rb") as f:
            request = {}
            for line in iter(f.readline, b"\n"):
                name, _, value = line.decode().rstrip("\n").partition("=")
                request[name] = value
            requests.append(request)
            conn.sendall(b"action=DUNNO\n\n")

    threading.Thread(target=serve, daemon=True).start()
    port = sock.getsockname()[1]
    server = TLSServer(instance, pki, smtpd_tls_ask_ccert="yes",
                       smtpd_recipient_restrictions="check_policy_service "
                       f"inet:127.0.0.1:{port}")
    assert tls_rcpt(server, client_context(pki, cert="client"),
                    "user@mx.example.test")[0] == 250
    sock.close()
    [req] = requests
    assert req["ccert_subject"] == "client.example.test"
    assert req["ccert_issuer"] == "ca"
    assert req["ccert_fingerprint"] == pki.fingerprint("client.crt")
    assert re.fullmatch(r"([0-9A-F]{2}:){31}[0-9A-F]{2}",
                        req["ccert_pubkey_fingerprint"])
    assert req["encryption_protocol"] == "TLSv1.3"
    assert req["encryption_cipher"] == "TLS_AES_256_GCM_SHA384"
    assert req["encryption_keysize"] == "256"


def test_handshake_timeout(instance, pki):
    server = TLSServer(instance, pki, smtpd_starttls_timeout="1s")
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=20)
    fp = sock.makefile("rb")
    read_reply(fp)
    sock.sendall(b"STARTTLS\r\n")
    assert read_reply(fp) == "220 2.0.0 Ready to start TLS"
    assert fp.read() == b""             # no ClientHello: smtpd gives up
    sock.close()
    wrapped = socket.create_connection(("127.0.0.1", server.smtps_port),
                                       timeout=20)
    assert wrapped.recv(100) == b""
    wrapped.close()
    log = instance.wait_log("lost connection after CONNECT")
    assert "SSL_accept error from localhost[127.0.0.1]: Connection timed " \
        "out\n" in log
    assert "lost connection after STARTTLS from localhost[127.0.0.1]" in log


# --- keys: chain files and SNI -----------------------------------------------

def served_fingerprint(port, *args):
    """The SHA-256 fingerprint of the certificate the server presents."""
    res = subprocess.run(["openssl", "s_client", "-ign_eof", "-connect",
                          f"127.0.0.1:{port}", *args], input=b"QUIT\r\n",
                         capture_output=True, timeout=30)
    out = subprocess.run(["openssl", "x509", "-noout", "-fingerprint",
                          "-sha256"], input=res.stdout,
                         capture_output=True).stdout.decode()
    return out.strip().split("=", 1)[1] if "=" in out else None


@pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl")
def test_chain_files(instance, pki):
    server = TLSServer(instance, pki, smtpd_tls_cert_file="",
                       smtpd_tls_eccert_file="",
                       smtpd_tls_chain_files=pki.path("server-chain.pem"))
    assert served_fingerprint(server.smtps_port) == \
        pki.fingerprint("server-rsa.crt")


@pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl")
def test_sni_maps(instance, pki, tmp_path):
    table = tmp_path / "sni"
    table.write_text(f"sni.example.test {pki.sni_value('sni')}\n"
                     f".wild.example.test {pki.sni_value('server-rsa')}\n")
    server = TLSServer(instance, pki, tls_server_sni_maps=f"texthash:{table}")
    port = server.smtps_port
    assert served_fingerprint(port, "-servername", "SNI.example.test") == \
        pki.fingerprint("sni.crt")
    assert served_fingerprint(port, "-servername", "a.b.wild.example.test") \
        == pki.fingerprint("server-rsa.crt")
    assert served_fingerprint(port, "-servername", "other.example.test") == \
        pki.fingerprint("server-ec.crt")
    assert served_fingerprint(port, "-noservername") == \
        pki.fingerprint("server-ec.crt")


@pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl")
def test_protocols_and_mandatory_protocols(instance, pki):
    """At may the protocols apply, in wrapper mode the mandatory ones."""
    server = TLSServer(instance, pki, smtpd_tls_protocols="!SSLv2, !SSLv3",
                       smtpd_tls_mandatory_protocols=">=TLSv1.3")
    res = s_client(["-starttls", "smtp", "-connect",
                    f"127.0.0.1:{server.port}", "-tls1_2"])
    assert "Protocol version: TLSv1.2" in res.stderr.decode()
    res = s_client(["-connect", f"127.0.0.1:{server.smtps_port}", "-tls1_2"])
    assert "Protocol version" not in res.stderr.decode()
    log = instance.wait_log("SSL_accept error from localhost[127.0.0.1]: -1")
    assert "unsupported protocol" in log


# --- smtpd_client_new_tls_session_rate_limit (through anvil) -----------------

ANVIL = "anvil unix - - n - 1 anvil\n"
TOO_MANY = "too many new TLS sessions from localhost[127.0.0.1]"


def rate_limited_server(instance, pki):
    """STARTTLS and wrapper-mode services, one new TLS session per client
    and time unit (loopback is counted)."""
    return TLSServer(instance, pki, services=ANVIL,
                     smtpd_client_new_tls_session_rate_limit="1",
                     smtpd_client_event_limit_exceptions="")


def starttls_replies(port, ctx, after_tls=("EHLO client.example", "QUIT")):
    """The replies to EHLO and STARTTLS, then (after a handshake) what the
    server says unasked, when after_tls is empty, or to after_tls."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=20)
    fp = sock.makefile("rb")
    replies = [read_reply(fp)]
    for line in ("EHLO client.example", "STARTTLS"):
        sock.sendall(line.encode() + b"\r\n")
        replies.append(read_reply(fp))
    if replies[-1].startswith("220"):
        sock = ctx.wrap_socket(sock)
        fp = sock.makefile("rb")
    else:
        after_tls = ("EHLO client.example", "QUIT")
    for line in after_tls:
        sock.sendall(line.encode() + b"\r\n")
        replies.append(read_reply(fp))
    if not after_tls:
        replies.append(read_reply(fp))
    sock.close()
    return replies[2:]


def test_new_tls_session_rate_limit_starttls(instance, pki):
    """As Debian's Postfix 3.7 (observed): the new session that takes the
    client over the limit ends with a 421 after the handshake; a client
    already over it gets 454 to STARTTLS and stays in plaintext."""
    server = rate_limited_server(instance, pki)
    ctx = client_context()
    first = starttls_replies(server.port, ctx)
    assert first[0] == "220 2.0.0 Ready to start TLS"
    assert first[1].startswith("250-") and first[2] == "221 2.0.0 Bye"
    assert starttls_replies(server.port, ctx, after_tls=()) == [
        "220 2.0.0 Ready to start TLS", f"421 4.7.0 {ME} Error: {TOO_MANY}"]
    third = starttls_replies(server.port, ctx)
    assert third[0] == f"454 4.7.0 Error: {TOO_MANY}"
    assert "250-STARTTLS" in third[1] and third[2] == "221 2.0.0 Bye"
    log = instance.wait_log("starttls=0/1 quit=1")
    service = f"127.0.0.1:{server.port}"
    assert ("warning: New TLS session rate limit exceeded: 2 from "
            f"localhost[127.0.0.1] for service {service}") in log
    assert "disconnect from localhost[127.0.0.1] ehlo=1 starttls=0/1 " \
        "commands=1/2" in log
    assert ("warning: Refusing STARTTLS request from localhost[127.0.0.1] "
            f"for service {service}") in log
    assert "ehlo=2 starttls=0/1 quit=1 commands=3/4" in log


def wrapped_greeting(port, ctx, session=None):
    """The greeting in wrapper mode, and the TLS session; the greeting is
    None when the server closed the connection before the handshake."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=20)
    try:
        tls = ctx.wrap_socket(sock, session=session)
    except (ssl.SSLError, OSError):
        sock.close()
        return None, None
    fp = tls.makefile("rb")
    greeting = read_reply(fp)
    if greeting.startswith("220"):
        tls.sendall(b"QUIT\r\n")
        read_reply(fp)
    reused = tls.session_reused
    session = tls.session
    tls.close()
    return greeting, (session, reused)


def test_new_tls_session_rate_limit_wrappermode(instance, pki):
    """Wrapper mode: resumed sessions are not counted; over the limit a
    new session gets the 421 instead of the greeting, and a client already
    over it no handshake at all ("Refusing TLS service request")."""
    server = rate_limited_server(instance, pki)
    ctx = client_context()
    greeting, (session, _) = wrapped_greeting(server.smtps_port, ctx)
    assert greeting.startswith("220 ")
    for _ in range(2):
        greeting, (_, reused) = wrapped_greeting(server.smtps_port, ctx,
                                                 session)
        assert greeting.startswith("220 ") and reused
    greeting, _ = wrapped_greeting(server.smtps_port, ctx)
    assert greeting == f"421 4.7.0 {ME} Error: {TOO_MANY}"
    assert wrapped_greeting(server.smtps_port, ctx) == (None, None)
    log = instance.wait_log("Refusing TLS service request")
    service = f"127.0.0.1:{server.smtps_port}"
    assert ("warning: New TLS session rate limit exceeded: 2 from "
            f"localhost[127.0.0.1] for service {service}") in log
    assert ("warning: Refusing TLS service request from "
            f"localhost[127.0.0.1] for service {service}") in log
