"""System tests for STARTTLS in the SMTP client (src/smtp/smtp_tls.c,
docs/smtp.md): Postern relays to Debian's Postfix with TLS (certificates
from the test PKI of tlsfixture.py) at may, encrypt and verify, and to
Python peers without STARTTLS or with a broken handshake. The log lines
and deferral texts are the ones observed from Postfix 3.7's smtp(8)."""
import re

import pytest

from conftest import free_port, wait_for
from smtp_peer import ScriptedPeer
from test_smtp import (DELAYS, POSTFIX_RECEIVER_CF, SMTP_CF,  # noqa: F401
                       _listening, peers, relay_mta, wait_agent)
from test_smtp_8bit import make_postfix
from tlsfixture import TestPKI

# The exporter's regex (ecosystem-contracts.md).
EXPORTER = re.compile(r"TLS connection established (to|from) \S+: (\S+) with "
                      r"cipher (\S+) \((\d+)/(\d+) bits\)")


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return TestPKI(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def tls_receiver(tmp_path, pki):
    """Debian's Postfix on 127.0.0.1:PORT offering STARTTLS with the
    test PKI's "localhost" certificate; mail for remote.test is
    discarded."""
    port = free_port()
    pf = make_postfix(tmp_path, POSTFIX_RECEIVER_CF.format(port=port)
                      + "tlsmgr unix - - n 1000? 1 tlsmgr\n")
    pf.write_config(myhostname="receiver.test", mydestination="remote.test",
                    local_recipient_maps="static:all",
                    local_transport="discard",
                    smtpd_tls_security_level="may",
                    smtpd_tls_cert_file=pki.path("server-rsa.crt"),
                    smtpd_tls_key_file=pki.path("server-rsa.key"),
                    smtpd_tls_loglevel="1")
    pf.start()
    wait_for(lambda: _listening(port), 20, what="Postfix's smtpd")
    pf.port = port
    yield pf
    pf.stop()


def tls_mta(instance, port, **params):
    settings = dict(smtp_tls_loglevel="1")
    settings.update(params)
    return relay_mta(instance, port, SMTP_CF, **settings)


def send(mta, rcpt):
    mta.sendmail("-f", "a@example.org", rcpt, input=b"Subject: tls\n\nhi\n")
    return wait_agent(mta, rcpt)


def established(instance, port):
    """Postern's "... TLS connection established to ..." line: one per
    session (smtp_tls.c logs it after the name check, the library not)."""
    matches = list(re.finditer(rf"smtp\[\d+\]: (\w+) TLS connection "
                               rf"established to 127\.0\.0\.1\[127\.0\.0\.1\]:"
                               rf"{port}: .*", instance.log_text()))
    assert len(matches) == 1, instance.log_text()
    match = matches[0]
    assert EXPORTER.search(match.group(0)), match.group(0)
    return match


@pytest.mark.parametrize("params,level", [
    (dict(smtp_tls_security_level="may"), "Untrusted"),
    (dict(smtp_tls_security_level="encrypt"), "Untrusted"),
    ("CA may", "Trusted"),
    ("CA verify", "Verified"),
])
def test_tls_to_postfix(instance, tls_receiver, pki, params, level):
    """The mail goes over TLS (Postfix logs the session from its side);
    the established line's first word says how far the certificate was
    checked: Untrusted without a CA file, Trusted with one, Verified
    when the name matches too (smtp_tls_verify_cert_match = localhost,
    the certificate's name)."""
    if isinstance(params, str):
        params = dict(smtp_tls_security_level=params.split()[1],
                      smtp_tls_CAfile=pki.path("ca.pem"),
                      smtp_tls_verify_cert_match="localhost")
    mta = tls_mta(instance, tls_receiver.port, **params)
    line = send(mta, "t@remote.test")
    assert re.search(rf"relay=127\.0\.0\.1\[127\.0\.0\.1\]:"
                     rf"{tls_receiver.port}, {DELAYS}, dsn=2\.0\.0, "
                     r"status=sent \(250 2\.0\.0 Ok: queued as \w+\)$",
                     line), line
    match = established(instance, tls_receiver.port)
    assert match.group(1) == level, match.group(0)
    assert re.search(r": TLSv1\.[23] with cipher \S+ \(\d+/\d+ bits\)",
                     match.group(0)), match.group(0)
    wait_for(lambda: "TLS connection established from localhost"
             in tls_receiver.log_text(), 10,
             what=f"Postfix's TLS line:\n{tls_receiver.log_text()}")


@pytest.mark.parametrize("params,note", [
    (dict(smtp_tls_verify_cert_match="other.test"),
     "num=62:hostname mismatch"),
    (dict(smtp_tls_verify_cert_match="hostname"),
     "num=62:hostname mismatch"),
    ("other-ca", "certificate verification failed for"),
])
def test_verify_fails(instance, tls_receiver, pki, params, note):
    """verify with a name the certificate does not have (or the host
    name 127.0.0.1), or a CA that did not sign it: deferred, 4.7.5
    "Server certificate not verified", the session logged as Untrusted
    (Postfix 3.7's lines)."""
    if params == "other-ca":
        params = dict(smtp_tls_CAfile=pki.path("other-ca.pem"),
                      smtp_tls_verify_cert_match="localhost")
    else:
        params["smtp_tls_CAfile"] = pki.path("ca.pem")
    mta = tls_mta(instance, tls_receiver.port,
                  smtp_tls_security_level="verify", **params)
    line = send(mta, "v@remote.test")
    assert re.search(rf"relay=127\.0\.0\.1\[127\.0\.0\.1\]:"
                     rf"{tls_receiver.port}, {DELAYS}, dsn=4\.7\.5, "
                     r"status=deferred \(Server certificate not verified\)$",
                     line), line
    assert established(instance, tls_receiver.port).group(1) == "Untrusted"
    assert note in instance.log_text()


def test_policy_map(instance, tls_receiver, pki):
    """smtp_tls_policy_maps: the next hop as written gets "verify
    match=localhost" over the default "may"."""
    table = instance.config_dir / "tls_policy"
    table.write_text(f"[127.0.0.1]:{tls_receiver.port} verify "
                     "match=nomatch.test:localhost\n")
    mta = tls_mta(instance, tls_receiver.port, smtp_tls_security_level="may",
                  smtp_tls_CAfile=pki.path("ca.pem"),
                  smtp_tls_policy_maps=f"texthash:{table}")
    assert "status=sent" in send(mta, "p@remote.test")
    assert established(instance, tls_receiver.port).group(1) == "Verified"


def test_encrypt_without_starttls(instance, peers):
    """encrypt and a server that does not offer STARTTLS: 4.7.4, as
    Postfix; may sends in plaintext."""
    peer = ScriptedPeer(ehlo_lines=("PIPELINING",))
    peers.append(peer)
    mta = tls_mta(instance, peer.port, smtp_tls_security_level="encrypt")
    line = send(mta, "e@remote.test")
    assert re.search(r"dsn=4\.7\.4, status=deferred \(TLS is required, but "
                     r"was not offered by host 127\.0\.0\.1\[127\.0\.0\.1\]"
                     r"\)$", line), line
    assert not any(c.startswith("MAIL") for c in peer.commands)


class BrokenTLSPeer(ScriptedPeer):
    """Offers STARTTLS, answers 220, and hangs up instead of the
    handshake (the client sees the connection end); takes mail in
    plaintext."""

    def serve(self, conn):
        f = conn.makefile("rwb", buffering=0)
        f.write(b"220 peer.test ESMTP\r\n")
        while line := f.readline():
            cmd = line.decode("latin-1").strip()
            self.commands.append(cmd)
            verb = cmd.split(" ")[0].split(":")[0].upper()
            if verb == "EHLO":
                f.write(b"250-peer.test\r\n250 STARTTLS\r\n")
            elif verb == "STARTTLS":
                f.write(b"220 2.0.0 Ready to start TLS\r\n")
                # Read the ClientHello first: closing with unread data
                # would reset the connection instead of ending it.
                conn.settimeout(5)
                conn.recv(65536)
                return
            elif verb in ("MAIL", "RCPT"):
                f.write(b"250 2.0.0 Ok\r\n")
            elif verb == "DATA":
                f.write(b"354 go\r\n")
                while f.readline() not in (b"", b".\r\n"):
                    pass
                self.messages.append(b"")
                f.write(b"250 2.0.0 Ok: queued as XYZ\r\n")
            else:
                f.write(b"221 2.0.0 Bye\r\n")
                return


def test_may_handshake_failure(instance, peers):
    """may, and the handshake fails: Postfix's lines ("SSL_connect error
    to ...: lost connection", 4.7.5 "Cannot start TLS: handshake
    failure"); a message that just arrived is deferred, not retried in
    plaintext (Postfix does that only after minimal_backoff_time)."""
    peer = BrokenTLSPeer()
    peers.append(peer)
    mta = tls_mta(instance, peer.port, smtp_tls_security_level="may")
    line = send(mta, "h@remote.test")
    assert re.search(r"dsn=4\.7\.5, status=deferred \(Cannot start TLS: "
                     r"handshake failure\)$", line), line
    assert re.search(rf"SSL_connect error to 127\.0\.0\.1\[127\.0\.0\.1\]:"
                     rf"{peer.port}: lost connection", instance.log_text())
    assert peer.commands.count("STARTTLS") == 1
    assert not any(c.startswith("MAIL") for c in peer.commands)


def test_may_plaintext_retry(instance, peers):
    """may, the handshake fails, and the message has waited
    minimal_backoff_time (here 1s) before this attempt: the same server
    again in plaintext on a new connection, as Postfix."""
    peer = BrokenTLSPeer()
    peers.append(peer)
    mta = tls_mta(instance, peer.port, smtp_tls_security_level="may",
                  minimal_backoff_time="1s", maximal_backoff_time="1s",
                  queue_run_delay="1s")
    mta.sendmail("-f", "a@example.org", "w@remote.test",
                 input=b"Subject: tls\n\nhi\n")
    wait_for(lambda: "to=<w@remote.test>, relay=127.0.0.1[127.0.0.1]:"
             f"{peer.port}, " in instance.log_text()
             and "status=sent" in instance.log_text(), 30,
             what=f"the plaintext retry; log:\n{instance.log_text()}")
    # Not "Cannot start TLS": when the first attempt comes late (a slow
    # machine) the message is already old enough for the plaintext retry.
    assert f"SSL_connect error to 127.0.0.1[127.0.0.1]:{peer.port}: " \
        "lost connection" in instance.log_text()
    last = len(peer.commands) - peer.commands[::-1].index("STARTTLS")
    assert [c.split(":")[0] for c in peer.commands[last:]] == \
        ["EHLO mx.example.test", "MAIL FROM", "RCPT TO", "DATA", "QUIT"], \
        peer.commands
