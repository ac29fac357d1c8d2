"""TLS in smtpd compared with Debian's Postfix 3.7: both servers get the
same certificates (tlsfixture.py) and settings, and the same scripted
sessions from the same client; their replies, their "TLS connection
established" log lines and the TLS lines of their Received: headers must
be equal. Needs root (Postfix's master) and Debian's Postfix."""
import re
import socket
import ssl

import pytest

from conftest import IS_ROOT, free_port, wait_for
from postfix_peer import HAVE_POSTFIX, PostfixPeer
from queuefile import content_text, read_records, sections
from test_master import POSTLOG
from test_smtpd_tls import TLSServer, read_reply
from tlsfixture import TestPKI

if not IS_ROOT:
    pytest.skip("comparing with Postfix needs root", allow_module_level=True)
if not HAVE_POSTFIX:
    pytest.skip("Postfix is not installed", allow_module_level=True)

PORTS = ("port", "smtps_port", "encrypt_port", "badkey_port")
ME = "mx.example.test"


def tls_params(pki):
    return dict(smtpd_tls_security_level="may",
                smtpd_tls_cert_file=pki.path("server-rsa.crt"),
                smtpd_tls_key_file=pki.path("server-rsa.key"),
                smtpd_tls_eccert_file=pki.path("server-ec.crt"),
                smtpd_tls_eckey_file=pki.path("server-ec.key"),
                smtpd_tls_CAfile=pki.path("ca.pem"),
                smtpd_tls_loglevel="1", smtpd_tls_received_header="yes",
                smtpd_tls_ask_ccert="yes")


def services(ports):
    """master.cf lines for the ports beyond the first two."""
    return (f"127.0.0.1:{ports['encrypt_port']} inet n - n - - smtpd"
            " -o smtpd_tls_security_level=encrypt\n"
            f"127.0.0.1:{ports['badkey_port']} inet n - n - - smtpd"
            " -o smtpd_tls_key_file=/nonexistent -o smtpd_tls_eccert_file=\n")


class PostfixTLS:
    """Debian's Postfix with the same services."""

    def __init__(self, root, pki):
        self.port, self.smtps_port = free_port(), free_port()
        ports = {"encrypt_port": free_port(), "badkey_port": free_port()}
        self.encrypt_port = ports["encrypt_port"]
        self.badkey_port = ports["badkey_port"]
        master_cf = (
            "cleanup unix n - n - 0 cleanup\n"
            "rewrite unix - - n - - trivial-rewrite\n"
            "postlog unix-dgram n - n - 1 postlogd\n"
            "proxymap unix - - n - - proxymap\n"
            "anvil unix - - n - 1 anvil\n"
            "tlsmgr unix - - n 1000? 1 tlsmgr\n"
            f"127.0.0.1:{self.port} inet n - n - - smtpd\n"
            f"127.0.0.1:{self.smtps_port} inet n - n - - smtpd"
            " -o smtpd_tls_wrappermode=yes\n" + services(ports))
        self.peer = PostfixPeer(root, master_cf)
        self.peer.write_config(myhostname=ME, mydomain="example.test",
                               mynetworks="127.0.0.0/8",
                               local_recipient_maps="",
                               smtpd_error_sleep_time="0", **tls_params(pki))
        self.peer.start()

    def log_text(self):
        return self.peer.log_text()

    def incoming(self):
        root = self.peer.queue_dir / "incoming"
        return sorted(p for p in root.rglob("*") if p.is_file()) \
            if root.exists() else []


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    root = tmp_path_factory.mktemp("pki")
    root.chmod(0o755)
    return TestPKI(root)


@pytest.fixture
def both(instance, pki, tmp_path):
    ports = {"encrypt_port": free_port(), "badkey_port": free_port()}
    postern = TLSServer(instance, pki, services=services(ports),
                        mail_name="Postfix", **tls_params(pki))
    postern.encrypt_port = ports["encrypt_port"]
    postern.badkey_port = ports["badkey_port"]
    postfix = PostfixTLS(tmp_path / "postfix", pki)
    yield postfix, postern
    postfix.peer.stop()


class Session:
    """A raw SMTP client that can switch to TLS; records every reply."""

    def __init__(self, port, wrapped=False):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=20)
        self.replies = []
        if wrapped:
            self.tls()
        self.file = self.sock.makefile("rb")
        self.replies.append(read_reply(self.file))

    def tls(self):
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        self.sock = ctx.wrap_socket(self.sock)
        self.file = self.sock.makefile("rb")

    def cmd(self, line):
        self.sock.sendall(line.encode() + b"\r\n")
        reply = read_reply(self.file)
        self.replies.append(reply)
        return reply


def script(port, wrapped=False):
    """The scripted session: STARTTLS (unless wrapped) and one message."""
    s = Session(port, wrapped)
    s.cmd("EHLO client.example")
    for line in ("RSET", "VRFY user", "XFORWARD NAME=x", "NOOP"):
        s.cmd(line)
    if not wrapped and s.cmd("STARTTLS").startswith("220"):
        s.tls()
        s.cmd("EHLO client.example")
        s.cmd("STARTTLS")
    s.cmd("MAIL FROM:<a@example.org>")
    s.cmd("RCPT TO:<user@mx.example.test>")
    if s.cmd("DATA").startswith("354"):
        s.cmd("Subject: tls\r\n\r\nhello\r\n.")
    s.cmd("QUIT")
    return [re.sub(r"queued as \w+", "queued as ID",
                   r.replace("ESMTP Postfix", "GREETING"))
            for r in s.replies]


def tls_received(path):
    """The Received: lines after the first up to the "by" line."""
    _, content, _ = sections(read_records(path))
    lines = content_text(content).decode().split("\n")
    end = next(i for i, line in enumerate(lines) if line.startswith("\tby "))
    return lines[1:end]


def established(log):
    return [re.sub(r"^.*?\]: ", "", line) for line in log.splitlines()
            if "TLS connection established" in line]


@pytest.mark.parametrize("which", ["port", "smtps_port", "encrypt_port",
                                   "badkey_port"])
def test_same_replies_as_postfix(both, which):
    postfix, postern = both
    wrapped = which == "smtps_port"
    theirs = script(getattr(postfix, which), wrapped)
    ours = script(getattr(postern, which), wrapped)
    assert ours == theirs


def test_same_log_line_and_received_as_postfix(both):
    postfix, postern = both
    for side in both:
        script(side.port)
        wait_for(side.incoming, what="queue file")
    [theirs] = postfix.incoming()
    [ours] = postern.incoming()
    assert tls_received(ours) == tls_received(theirs)
    wait_for(lambda: established(postern.inst.log_text()), what="log line")
    assert established(postern.inst.log_text()) == \
        established(postfix.log_text())
