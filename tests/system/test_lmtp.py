"""System tests for the LMTP personality of the delivery agent
(src/smtp/, docs/smtp.md): the same program under the name lmtp, LHLO,
one reply per recipient after the message (RFC 2033), over TCP and a
UNIX socket. The receiving end is Debian's Dovecot LMTP server, started
by the test with its own configuration, delivering into Maildirs; and a
scripted peer for per-recipient failures after the data."""
import re
from pathlib import Path

import pytest

from conftest import LIBEXEC, free_port, wait_for
from dovecot_auth import PASSWD_FILE_DBS, Dovecot, needs_dovecot
from smtp_peer import ScriptedPeer
from test_master import wait_log
from test_qmgr import MASTER_CF, Mta

pytestmark = [
    pytest.mark.skipif(not all((LIBEXEC / a).exists()
                               for a in ("qmgr", "lmtp", "bounce")),
                       reason="qmgr and lmtp are not all built"),
]
LMTP_CF = MASTER_CF + "lmtp unix - - n - - lmtp\n"
QID = r"[0-9A-Za-z]+"
DELAYS = r"delay=[0-9.]+, delays=[0-9.]+/[0-9.]+/[0-9.]+/[0-9.]+"

DOVECOT_CONF = PASSWD_FILE_DBS + """\
protocols = lmtp
listen = 127.0.0.1
mail_location = maildir:{root}/mail/%u
service lmtp {{
  unix_listener lmtp {{
    mode = 0666
  }}
  inet_listener lmtp {{
    address = 127.0.0.1
    port = {port}
  }}
}}
"""


class LmtpDovecot(Dovecot):
    """Dovecot's LMTP server with its own directory; one user,
    alice@lmtp.test, whose mail goes to ROOT/mail/alice@lmtp.test."""

    def __init__(self, root: Path):
        self.port = free_port()
        (root / "mail").mkdir(parents=True)
        (root / "mail").chmod(0o777)
        (root / "users").write_text(
            f"alice@lmtp.test:{{PLAIN}}x:65534:65534::{root}/mail/alice::\n")
        super().__init__(root, DOVECOT_CONF.format(root=root, port=self.port))
        self.socket = root / "run" / "lmtp"
        self.start(self.socket)

    def maildir_new(self, user):
        new = self.root / "mail" / user / "new"
        return sorted(new.iterdir()) if new.exists() else []


@pytest.fixture
def dovecot(tmp_path):
    root = tmp_path / "dovecot"
    server = LmtpDovecot(root)
    yield server
    server.stop()


def lmtp_mta(instance, transports, **params):
    """An instance whose lmtp.test mail goes where transports says."""
    mta = Mta(instance)
    table = instance.config_dir / "lmtp_transport"
    table.write_text(transports)
    settings = dict(transport_maps=f"texthash:{table}",
                    lmtp_lhlo_timeout="3s", lmtp_mail_timeout="3s",
                    lmtp_rcpt_timeout="3s", lmtp_data_init_timeout="3s",
                    lmtp_data_xfer_timeout="3s", lmtp_data_done_timeout="5s",
                    lmtp_connect_timeout="3s")
    settings.update(params)
    instance.write_config(LMTP_CF, **settings)
    instance.start()
    return mta


def agent_line(mta, rcpt, timeout=20):
    log = wait_log(mta.inst, f"to=<{rcpt}>, relay=", timeout)
    match = re.search(rf"lmtp\[\d+\]: {QID}: to=<{re.escape(rcpt)}>.*", log)
    assert match, log
    return match.group(0)


@needs_dovecot
def test_lmtp_inet_into_dovecot(instance, dovecot):
    """lmtp:inet:127.0.0.1:PORT: alice is saved into her Maildir, the
    unknown bob bounces with Dovecot's RCPT reply."""
    mta = lmtp_mta(instance,
                   f"lmtp.test lmtp:inet:127.0.0.1:{dovecot.port}\n")
    mta.sendmail("-f", "owner@disc.test", "alice@lmtp.test", "bob@lmtp.test",
                 input=b"Subject: lmtp test\n\nhello alice\n")
    alice = agent_line(mta, "alice@lmtp.test")
    bob = agent_line(mta, "bob@lmtp.test")
    relay = rf"relay=127\.0\.0\.1\[127\.0\.0\.1\]:{dovecot.port}"
    assert re.search(rf"{relay}, {DELAYS}, dsn=2\.0\.0, status=sent \(250 "
                     r"2\.0\.0 <alice@lmtp\.test> \S+ Saved\)$", alice), alice
    assert re.search(rf"{relay}, {DELAYS}, dsn=5\.1\.1, status=bounced "
                     rf"\(host 127\.0\.0\.1\[127\.0\.0\.1\] said: 550 5\.1\.1 "
                     r"<bob@lmtp\.test> User doesn't exist: bob@lmtp\.test "
                     r"\(in reply to RCPT TO command\)\)$", bob), bob
    files = wait_for(lambda: dovecot.maildir_new("alice@lmtp.test"), 10,
                     what="alice's message")
    text = files[0].read_bytes()
    assert b"Subject: lmtp test" in text and b"hello alice" in text


@needs_dovecot
def test_lmtp_unix_socket_into_dovecot(instance, dovecot):
    """lmtp:unix:/path: relay=MYHOSTNAME[/path] as Postfix logs it."""
    mta = lmtp_mta(instance, f"lmtp.test lmtp:unix:{dovecot.socket}\n")
    mta.sendmail("-f", "owner@disc.test", "alice@lmtp.test")
    alice = agent_line(mta, "alice@lmtp.test")
    assert re.search(rf"relay=mx\.example\.test\[{re.escape(str(dovecot.socket))}"
                     rf"\], {DELAYS}, dsn=2\.0\.0, status=sent \(250 2\.0\.0 "
                     r"<alice@lmtp\.test> \S+ Saved\)$", alice), alice
    wait_for(lambda: dovecot.maildir_new("alice@lmtp.test"), 10,
             what="alice's message")


def test_lmtp_reply_per_recipient_after_data(instance):
    """RFC 2033: after the data each accepted recipient has its own
    reply; a 452 for one defers only that one, a 552 bounces only that
    one, "(in reply to end of DATA command)"."""
    peer = ScriptedPeer(lmtp_replies={
        "full@lmtp.test": "452 4.2.2 <full@lmtp.test> Mailbox is full",
        "gone@lmtp.test": "552 5.2.2 <gone@lmtp.test> Quota exceeded"})
    try:
        mta = lmtp_mta(instance, f"lmtp.test lmtp:[127.0.0.1]:{peer.port}\n")
        mta.sendmail("-f", "owner@disc.test", "ok@lmtp.test",
                     "full@lmtp.test", "gone@lmtp.test")
        ok = agent_line(mta, "ok@lmtp.test")
        full = agent_line(mta, "full@lmtp.test")
        gone = agent_line(mta, "gone@lmtp.test")
    finally:
        peer.close()
    assert ok.endswith("dsn=2.0.0, status=sent (250 2.0.0 Ok)"), ok
    assert full.endswith("dsn=4.2.2, status=deferred (host 127.0.0.1"
                         "[127.0.0.1] said: 452 4.2.2 <full@lmtp.test> Mailbox "
                         "is full (in reply to end of DATA command))"), full
    assert gone.endswith("dsn=5.2.2, status=bounced (host 127.0.0.1"
                         "[127.0.0.1] said: 552 5.2.2 <gone@lmtp.test> Quota "
                         "exceeded (in reply to end of DATA command))"), gone
    assert peer.commands[0] == "LHLO mx.example.test", peer.commands
    assert len(peer.messages) == 1


def test_lmtp_by_program_name(instance):
    """A service of another name running the lmtp program speaks LMTP
    (the program name decides, as in Postfix)."""
    peer = ScriptedPeer()
    try:
        mta = lmtp_mta(instance, f"lmtp.test store:[127.0.0.1]:{peer.port}\n")
        instance.write_config(LMTP_CF + "store unix - - n - - lmtp\n")
        instance.stop()
        instance.start()
        mta.sendmail("-f", "owner@disc.test", "named@lmtp.test")
        line = wait_log(mta.inst, "to=<named@lmtp.test>, relay=", 20)
    finally:
        peer.close()
    assert "status=sent (250 2.0.0 Ok)" in line, line
    assert peer.commands[0] == "LHLO mx.example.test", peer.commands
