"""Mail submission as issue 9 asks for it: a mail client submits through
a submission port (STARTTLS required, AUTH required) and a port with
implicit TLS (as 465), authenticating against a real Dovecot, with
Python's smtplib and with swaks. The master.cf entries are those of
Postfix's own submission and smtps examples (conf/master.cf)."""
import shutil
import smtplib
import subprocess

import pytest

from conftest import free_port, wait_for
from dovecot_auth import HAVE_DOVECOT, USERS, DovecotAuth, needs_dovecot
from test_master import POSTLOG
from test_smtpd import no_crash  # noqa: F401 (autouse fixture)
from test_smtpd_tls import client_context, received
from tlsfixture import TestPKI

USER, PASSWORD = "bob", USERS["bob"]
RELAYED = "someone@example.net"         # not ours: needs AUTH to relay


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return TestPKI(tmp_path_factory.mktemp("pki"))


class Submission:
    """An instance with a submission smtpd (port) and an smtps one
    (smtps_port), both requiring AUTH to relay; no qmgr, so accepted
    messages stay in incoming/."""

    def __init__(self, instance, pki, auth):
        self.inst = instance
        self.port = free_port()
        self.smtps_port = free_port()
        submission = (" -o smtpd_tls_security_level=encrypt"
                      " -o smtpd_sasl_auth_enable=yes"
                      " -o smtpd_relay_restrictions="
                      "permit_sasl_authenticated,reject")
        master_cf = (POSTLOG
                     + "rewrite unix - - n - - trivial-rewrite\n"
                     + "cleanup unix n - n - 0 cleanup\n"
                     + f"127.0.0.1:{self.port} inet n - n - - smtpd"
                     + submission + "\n"
                     + f"127.0.0.1:{self.smtps_port} inet n - n - - smtpd"
                     + submission + " -o smtpd_tls_wrappermode=yes\n")
        instance.write_config(
            master_cf, mydomain="example.test", mynetworks="127.0.0.0/8",
            smtpd_error_sleep_time="0", local_recipient_maps="",
            smtpd_tls_cert_file=pki.path("server-rsa.crt"),
            smtpd_tls_key_file=pki.path("server-rsa.key"),
            smtpd_tls_received_header="yes",
            smtpd_sasl_type="dovecot", smtpd_sasl_path=str(auth.socket))
        instance.start()

    def incoming(self):
        root = self.inst.queue_dir / "incoming"
        return sorted(p for p in root.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def auth(tmp_path_factory):
    """One Dovecot for the module (stopping one takes seconds)."""
    if not HAVE_DOVECOT:
        pytest.skip("dovecot is not installed, or not root")
    root = tmp_path_factory.mktemp("dovecot")
    root.chmod(0o755)                   # smtpd (nobody) reaches the socket
    server = DovecotAuth(root)
    yield server
    server.stop()


@pytest.fixture
def submission(instance, pki, auth):
    return Submission(instance, pki, auth)


@needs_dovecot
def test_submission_port_starttls_then_auth(submission, pki):
    """Before STARTTLS: no AUTH offered, MAIL refused; after it: AUTH,
    and the authenticated client relays; Received: says ESMTPSA."""
    with smtplib.SMTP("127.0.0.1", submission.port, timeout=20) as smtp:
        code, text = smtp.ehlo("client.example")
        assert not any(k.startswith(b"AUTH") for k in text.split(b"\n"))
        assert smtp.docmd("MAIL FROM:<bob@example.test>") == (
            530, b"5.7.0 Must issue a STARTTLS command first")
        smtp.starttls(context=client_context(pki))
        code, text = smtp.ehlo("client.example")
        assert b"AUTH PLAIN LOGIN" in text.split(b"\n")
        assert smtp.login(USER, PASSWORD)[0] == 235
        smtp.sendmail("bob@example.test", [RELAYED],
                      b"Subject: submitted\r\n\r\nhello\r\n")
    [path] = wait_for(submission.incoming, what="queued message")
    head = received(path)
    assert "(Authenticated sender: bob)" not in head   # header is off
    assert " with ESMTPSA id " in head
    log = submission.inst.wait_log("sasl_username=bob")
    assert "sasl_method=PLAIN, sasl_username=bob" in log


@needs_dovecot
def test_submission_refuses_relay_without_auth(submission, pki):
    with smtplib.SMTP("127.0.0.1", submission.port, timeout=20) as smtp:
        smtp.starttls(context=client_context(pki))
        smtp.ehlo("client.example")
        assert smtp.docmd("MAIL FROM:<bob@example.test>")[0] == 250
        code, _ = smtp.docmd(f"RCPT TO:<{RELAYED}>")
        assert code == 554
    assert submission.incoming() == []


@needs_dovecot
def test_submission_wrong_password(submission, pki):
    with smtplib.SMTP("127.0.0.1", submission.port, timeout=20) as smtp:
        smtp.starttls(context=client_context(pki))
        smtp.ehlo("client.example")
        with pytest.raises(smtplib.SMTPAuthenticationError) as err:
            smtp.login(USER, "wrong")
        assert err.value.smtp_code == 535
    submission.inst.wait_log("SASL LOGIN authentication failed: ")


@needs_dovecot
def test_smtps_port_with_auth(submission, pki):
    with smtplib.SMTP_SSL("127.0.0.1", submission.smtps_port, timeout=20,
                          context=client_context(pki)) as smtp:
        code, text = smtp.ehlo("client.example")
        assert b"AUTH PLAIN LOGIN" in text.split(b"\n")
        assert b"STARTTLS" not in text.split(b"\n")
        assert smtp.login(USER, PASSWORD)[0] == 235
        smtp.sendmail("bob@example.test", [RELAYED],
                      b"Subject: smtps\r\n\r\nhello\r\n")
    [path] = wait_for(submission.incoming, what="queued message")
    assert " with ESMTPSA id " in received(path)


@needs_dovecot
@pytest.mark.skipif(shutil.which("swaks") is None, reason="no swaks")
@pytest.mark.parametrize("port_name, tls_flag", [("port", "--tls"),
                                                 ("smtps_port", "--tlsc")])
def test_swaks_submits_with_auth(submission, port_name, tls_flag):
    port = getattr(submission, port_name)
    res = subprocess.run(
        ["swaks", "--server", f"127.0.0.1:{port}", tls_flag,
         "--auth", "LOGIN", "--auth-user", USER, "--auth-password", PASSWORD,
         "--from", "bob@example.test", "--to", RELAYED,
         "--helo", "client.example", "--timeout", "20"],
        capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "235 2.7.0 Authentication successful" in res.stdout
    wait_for(submission.incoming, what="queued message")
