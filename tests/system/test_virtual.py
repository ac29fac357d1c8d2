"""System tests for the virtual delivery agent (src/virtual/,
docs/virtual.md).

Mail goes the whole way: sendmail -> postdrop -> pickup -> cleanup ->
qmgr -> virtual, with bounce/defer/trace recording the results (the
instance of test_qmgr.Mta, plus "virtual unix - n n - - virtual"). The
recipients are in virtual_mailbox_domains; texthash tables give their
mailboxes under virtual_mailbox_base and their numeric ids, which need no
passwd entries. Root only: virtual writes each mailbox as its owner.

What is asserted is what Debian's Postfix 3.7 virtual did with the same
mail (docs/virtual.md; /work/notes/deliver-protocol.md 2.2 and 7.3): the
mbox and Maildir bytes, owners and modes, the log lines and their texts
(delivered, unknown user, configuration errors, lock and ownership
problems, a full mailbox). The parity test at the end sends the same
messages through Debian's Postfix and compares.
"""
import os
import re
import subprocess
import time

import pytest

from conftest import IS_ROOT, LIBEXEC, wait_for
from test_agents import GREETING, REPLY_OK, SERVICES as AGENTS_SERVICES
from test_agents import STATUS as AGENTS_STATUS, Box as AgentsBox
from test_master import wait_log
from test_qmgr import MASTER_CF as QMGR_MASTER_CF, Mta
from test_relocated import PEER_MASTER_CF as MTA_PEER_MASTER_CF

pytestmark = [
    pytest.mark.skipif(not IS_ROOT, reason="virtual(8) writes mailboxes as "
                       "their owners: root only"),
    pytest.mark.skipif(not (LIBEXEC / "virtual").exists()
                       or not (LIBEXEC / "qmgr").exists(),
                       reason="virtual or qmgr is not built")]

MASTER_CF = QMGR_MASTER_CF + "virtual unix - n n - - virtual\n"

MAILBOXES = {
    "u1@virt.test": "virt.test/u1/",            # Maildir
    "u2@virt.test": "virt.test/u2",             # mbox
    "u3+ext@virt.test": "virt.test/u3ext",      # the extension first
    "u3@virt.test": "virt.test/u3",
    "low@virt.test": "virt.test/low",
    "zero@virt.test": "virt.test/zero",
    "nouid@virt.test": "virt.test/nouid",
    "@other.test": "other.test/catchall",       # catch-all
}
UIDS = {
    "u1@virt.test": 5001, "u2@virt.test": 5002, "u3@virt.test": 5003,
    "low@virt.test": 50, "zero@virt.test": 0, "@other.test": 5004,
}
GID = 5000
MESSAGE = b"Subject: v1\nFrom: s@example.org\n\nhello\nFrom here\n"
FROM_LINE = re.compile(rb"From (\S+)  [A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d "
                       rb"\d\d:\d\d:\d\d \d{4}\n")


def table(path, entries):
    path.write_text("".join(f"{k} {v}\n" for k, v in entries.items()))
    return f"texthash:{path}"


class VirtualBox(Mta):
    """An instance with qmgr, virtual and the tables of this module."""

    def __init__(self, instance):
        super().__init__(instance)
        self.base = instance.root / "vmail"

    def start(self, mailboxes=MAILBOXES, uids=UIDS, gids=None,
              master_cf=MASTER_CF, **params):
        for domain in ("virt.test", "other.test"):
            (self.base / domain).mkdir(parents=True, exist_ok=True)
            (self.base / domain).chmod(0o1777)
        etc = self.inst.config_dir
        settings = dict(
            virtual_mailbox_domains="virt.test, other.test",
            virtual_mailbox_base=str(self.base),
            virtual_mailbox_maps=table(etc / "vmailbox", mailboxes),
            virtual_uid_maps=table(etc / "vuid", uids),
            virtual_gid_maps=(table(etc / "vgid", gids) if gids is not None
                              else f"static:{GID}"),
            recipient_delimiter="+")
        settings.update(params)
        self.inst.write_config(master_cf, **settings)
        self.inst.start()

    def send(self, *rcpts, sender="owner@disc.test", text=MESSAGE, args=()):
        self.sendmail("-f", sender, *args, *rcpts, input=text)

    def lines(self, count, what="virtual"):
        """Wait for count to= lines of virtual; return them."""
        def found():
            got = [x for x in self.inst.log_text().splitlines()
                   if f"postfix/{what}[" in x and ": to=<" in x]
            return len(got) >= count and got
        try:
            return wait_for(found, timeout=20,
                            what=f"{count} {what} to= lines")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{self.inst.log_text()}") from None

    def line(self, rcpt):
        """The virtual log line for rcpt (waiting for it)."""
        needle = f": to=<{rcpt}>,"
        log = wait_log(self.inst, needle, timeout=20)
        return next(x for x in log.splitlines()
                    if needle in x and "postfix/virtual[" in x)


def line_re(rcpt, dsn, status, reason):
    """A virtual log line, as Postfix 3.7 writes it."""
    return re.compile(rf"postfix/virtual\[\d+\]: \w+: to=<{re.escape(rcpt)}>"
                      rf", relay=virtual, delay=[\d.]+, "
                      rf"delays=[\d.]+/[\d.]+/0/[\d.]+, dsn={re.escape(dsn)},"
                      rf" status={status} \({re.escape(reason)}\)$")


def assert_line(box, rcpt, dsn, status, reason):
    got = box.line(rcpt)
    assert line_re(rcpt, dsn, status, reason).search(got), got


@pytest.fixture
def box(instance):
    return VirtualBox(instance)


def envelope(sender, orig, delivered):
    return (f"Return-Path: <{sender}>\nX-Original-To: {orig}\n"
            f"Delivered-To: {delivered}\n").encode()


def test_mbox_and_maildir(box):
    """notes 2.2, 7.3: a path ending in "/" is a Maildir (no From line,
    no quoting), anything else an mbox (From line, >From, an empty line
    at the end); each file is the table's uid and gid, 0600; the log says
    relay=virtual and "delivered to maildir"/"delivered to mailbox"."""
    box.start()
    box.send("u1@virt.test", "u2@virt.test", sender="sender@disc.test")
    assert_line(box, "u1@virt.test", "2.0.0", "sent", "delivered to maildir")
    assert_line(box, "u2@virt.test", "2.0.0", "sent", "delivered to mailbox")
    maildir = box.base / "virt.test" / "u1"
    [name] = os.listdir(maildir / "new")
    host = os.uname().nodename.replace("/", "\\057").replace(":", "\\072")
    assert re.fullmatch(r"\d+\.V[0-9a-f]+I[0-9a-f]+M\d+\." + re.escape(host),
                        name)
    data = (maildir / "new" / name).read_bytes()
    assert data.startswith(envelope("sender@disc.test", "u1@virt.test",
                                    "u1@virt.test") + b"Received: ")
    assert data.endswith(b"\n\nhello\nFrom here\n")
    for path in (maildir, maildir / "new", maildir / "cur", maildir / "tmp"):
        st = path.stat()
        assert (st.st_uid, st.st_gid, st.st_mode & 0o7777) == (5001, GID,
                                                               0o700)
    st = (maildir / "new" / name).stat()
    assert (st.st_uid, st.st_gid, st.st_mode & 0o7777) == (5001, GID, 0o600)
    mbox = box.base / "virt.test" / "u2"
    data = mbox.read_bytes()
    match = FROM_LINE.match(data)
    assert match and match.group(1) == b"sender@disc.test"
    assert data[match.end():].startswith(envelope(
        "sender@disc.test", "u2@virt.test", "u2@virt.test") + b"Received: ")
    assert data.endswith(b"\n\nhello\n>From here\n\n")
    st = mbox.stat()
    assert (st.st_uid, st.st_gid, st.st_mode & 0o7777) == (5002, GID, 0o600)
    assert not (box.base / "virt.test" / "u2.lock").exists()
    box.wait_empty()


def test_lookup_order_and_case(box):
    """user+ext@domain first, then user@domain, then @domain; the lookup
    uses the folded address, the headers and the log keep its case."""
    box.start()
    box.send("U3+Ext@Virt.Test", "u3+foo@virt.test", "Anyone@other.test")
    assert_line(box, "U3+Ext@Virt.Test", "2.0.0", "sent",
                "delivered to mailbox")
    assert_line(box, "u3+foo@virt.test", "2.0.0", "sent",
                "delivered to mailbox")
    assert_line(box, "Anyone@other.test", "2.0.0", "sent",
                "delivered to mailbox")
    assert b"\nDelivered-To: U3+Ext@Virt.Test\n" in \
        (box.base / "virt.test" / "u3ext").read_bytes()
    assert b"\nDelivered-To: u3+foo@virt.test\n" in \
        (box.base / "virt.test" / "u3").read_bytes()
    assert (box.base / "other.test" / "catchall").stat().st_uid == 5004
    box.wait_empty()


def test_unknown_user_bounces(box):
    """No virtual_mailbox_maps entry: 5.1.1 "unknown user: "ADDR"" with
    the folded address and its extension; the sender gets the notice."""
    box.start()
    box.send("NoSuch+Ext@Virt.Test")
    assert_line(box, "NoSuch+Ext@Virt.Test", "5.1.1", "bounced",
                'unknown user: "nosuch+ext@virt.test"')
    wait_log(box.inst, "sender non-delivery notification")
    box.wait_empty()


def test_configuration_errors_defer(box):
    """A uid below virtual_minimum_uid (root's included), no uid, no gid:
    Postfix's warnings and 4.3.5 "mail system configuration error"; the
    recipients stay in the queue, nothing is written."""
    box.start(gids={"u2@virt.test": GID, "low@virt.test": GID,
                    "zero@virt.test": GID, "nouid@virt.test": GID})
    box.send("low@virt.test", "zero@virt.test", "nouid@virt.test",
             "u1@virt.test")
    for rcpt in ("low@virt.test", "zero@virt.test", "nouid@virt.test",
                 "u1@virt.test"):
        assert_line(box, rcpt, "4.3.5", "deferred",
                    "mail system configuration error")
    log = box.inst.log_text()
    for warning in ("recipient low@virt.test: bad uid 50 in virtual_uid_maps",
                    "recipient zero@virt.test: bad uid 0 in virtual_uid_maps",
                    "recipient nouid@virt.test: not found in "
                    "virtual_uid_maps",
                    "recipient u1@virt.test: not found in virtual_gid_maps"):
        assert "postfix/virtual[" in log and f"warning: {warning}" in log, \
            warning
    assert sorted(os.listdir(box.base / "virt.test")) == []
    wait_for(lambda: box.files("deferred"), what="deferred file")


def test_minimum_uid(box):
    """virtual_minimum_uid is the lowest uid accepted."""
    box.start(virtual_minimum_uid="5003")
    box.send("u2@virt.test", "u3@virt.test")
    assert_line(box, "u2@virt.test", "4.3.5", "deferred",
                "mail system configuration error")
    assert_line(box, "u3@virt.test", "2.0.0", "sent", "delivered to mailbox")
    assert "warning: recipient u2@virt.test: bad uid 5002 in " \
        "virtual_uid_maps" in box.inst.log_text()


def test_mailbox_problems_defer(box):
    """As the recipient: a lock file that cannot be made, a mailbox that
    is not the recipient's (strict_mailbox_ownership), a Maildir that
    cannot be made; all deferred with 4.2.0 and Postfix's texts."""
    ro = box.base / "ro"
    ro.mkdir(parents=True)
    ro.chmod(0o755)
    boxes = dict(MAILBOXES, **{"ro@virt.test": "ro/box",
                               "rom@virt.test": "ro/mdir/",
                               "other@virt.test": "virt.test/u2"})
    uids = dict(UIDS, **{"ro@virt.test": 5011, "rom@virt.test": 5011,
                         "other@virt.test": 5012})
    box.start(mailboxes=boxes, uids=uids)
    mbox = box.base / "virt.test" / "u2"
    mbox.write_bytes(b"")
    os.chown(mbox, 5002, GID)
    mbox.chmod(0o666)
    box.send("ro@virt.test", "rom@virt.test", "other@virt.test")
    path = f"{ro}/box"
    assert_line(box, "ro@virt.test", "4.2.0", "deferred",
                f"delivery failed to mailbox {path}: unable to create lock "
                f"file {path}.lock: Permission denied")
    got = box.line("rom@virt.test")
    assert re.search(r"dsn=4\.2\.0, status=deferred \(maildir delivery "
                     rf"failed: create maildir file {ro}/mdir/tmp/\d+\.P\d+\."
                     r"[^:]+: Permission denied\)$", got), got
    assert_line(box, "other@virt.test", "4.2.0", "deferred",
                f"delivery failed to mailbox {mbox}: destination {mbox} is "
                "not owned by recipient")
    log = box.inst.log_text()
    assert re.search(r"warning: maildir access problem for UID/GID=5011/5000:"
                     rf" create maildir file {ro}/mdir/tmp/\S+: Permission "
                     r"denied\n.*warning: perhaps you need to create the "
                     r"maildirs in advance", log), log
    assert 'warning: specify "strict_mailbox_ownership = no" to ignore ' \
        "mailbox ownership mismatch" in log
    assert mbox.read_bytes() == b""


def test_full_mailbox_bounces(box):
    """virtual_mailbox_limit: a delivery that would make the mailbox
    larger bounces, 5.2.2 "... error writing message: File too large",
    and the mailbox is cut back to its old size."""
    box.start(virtual_mailbox_limit="2000", message_size_limit="2000")
    mbox = box.base / "virt.test" / "u2"
    mbox.write_bytes(b"x" * 1900)
    os.chown(mbox, 5002, GID)
    mbox.chmod(0o600)
    box.send("u2@virt.test")
    assert_line(box, "u2@virt.test", "5.2.2", "bounced",
                f"delivery failed to mailbox {mbox}: error writing message: "
                "File too large")
    assert mbox.read_bytes() == b"x" * 1900


def test_limit_below_message_size_is_fatal(box):
    """Postfix's words; the agent does not start."""
    box.start(virtual_mailbox_limit="1000")
    box.send("u2@virt.test")
    wait_log(box.inst, "postfix/virtual[")
    wait_log(box.inst, "fatal: configuration error: virtual_mailbox_limit "
             "is smaller than message_size_limit")


def test_delivered_to_loop(box):
    """A Delivered-To: header with the recipient (any case) bounces, 5.4.6
    (Postern; Postfix's virtual delivers, docs/virtual.md)."""
    box.start()
    box.send("u2@virt.test", text=b"Subject: loop\nDelivered-To: "
             b"U2@VIRT.test\n\nbody\n")
    assert_line(box, "u2@virt.test", "5.4.6", "bounced",
                "mail forwarding loop for u2@virt.test")
    assert not (box.base / "virt.test" / "u2").exists()


def test_verify_delivers_nothing(box):
    """A verification request (sendmail -bv, request flags 515), played
    from here as qmgr would send it: "deliverable (delivers to
    maildir)", "undeliverable (unknown user: ...)"; every recipient is
    finished and no mailbox is touched."""
    box.start(master_cf=AGENTS_SERVICES + AGENTS_STATUS
              + "virtual unix - n n - - virtual\n")
    side = AgentsBox(box.inst)
    qid = side.queue(["u1@virt.test", "u2@virt.test", "nosuch@virt.test"])
    greeting, reply = side.request("virtual", qid, "virt.test", flags=515)
    assert (greeting, reply) == (GREETING, REPLY_OK)
    got = box.lines(3)
    for rcpt, status, reason in (
            ("u1@virt.test", "deliverable", "delivers to maildir"),
            ("u2@virt.test", "deliverable", "delivers to mailbox"),
            ("nosuch@virt.test", "undeliverable",
             'unknown user: "nosuch@virt.test"')):
        dsn = "5.1.1" if status == "undeliverable" else "2.0.0"
        assert any(line_re(rcpt, dsn, status, reason).search(x)
                   for x in got), (rcpt, got)
    assert side.marks(qid) == "DDD"
    assert os.listdir(box.base / "virt.test") == []


# --- Postern against Debian's Postfix ---
PEER_MASTER_CF = (MTA_PEER_MASTER_CF
                  + "virtual   unix  -       n       n       -       -       "
                  "virtual\n")
PARITY_RCPTS = ("u1@virt.test", "u2@virt.test", "U3+Ext@virt.test",
                "u3+foo@virt.test", "x@other.test", "nosuch@virt.test",
                "low@virt.test", "nouid@virt.test")


def normal_lines(text, start):
    """virtual's to= lines after start, normalised, sorted."""
    out = []
    for line in text[start:].splitlines():
        if "postfix/virtual[" in line and ": to=<" in line:
            line = line[line.index("postfix/virtual["):]
            line = re.sub(r"\[\d+\]: \w+:", "[PID]: QID:", line)
            out.append(re.sub(r"delay=[\d.]+, delays=[\d./]+", "DELAYS",
                              line))
        elif "postfix/virtual[" in line and "warning:" in line:
            out.append(line[line.index("warning:"):])
    return sorted(out)


def normal_mail(data):
    """Mailbox bytes with times and queue ids made neutral."""
    data = FROM_LINE.sub(lambda m: b"From " + m.group(1) + b"  DATE\n", data)
    data = data.replace(b"(Postern, ", b"(Postfix, ")     # mail_name
    data = re.sub(rb"(?m)^Date: .*$", b"Date: DATE", data)
    data = re.sub(rb"(?m)^\tid \w+; .*$", b"\tid QID; DATE", data)
    return re.sub(rb"(?m)^(Message-Id: <)[^>]*", rb"\1ID", data)


def mailboxes(base):
    """Every file under base: (relative name, uid, gid, mode, bytes);
    Maildir files by their directory."""
    found = []
    for path in sorted(p for p in base.rglob("*") if p.is_file()):
        st = path.stat()
        rel = str(path.relative_to(base))
        if "/new/" in rel:
            rel = rel[:rel.index("/new/") + 5] + "NAME"
        found.append((rel, st.st_uid, st.st_gid, st.st_mode & 0o7777,
                      normal_mail(path.read_bytes())))
    return found


@pytest.fixture
def peers(tmp_path, instance):
    from postfix_peer import HAVE_POSTFIX, PostfixPeer
    if not HAVE_POSTFIX:
        pytest.skip("Postfix is not installed")
    peer = PostfixPeer(tmp_path / "postfix", PEER_MASTER_CF)
    yield peer, VirtualBox(instance)
    peer.stop()


def test_parity_with_postfix(peers):
    """The same message through Debian's Postfix and Postern: the same
    log lines and warnings, the same mailboxes (bytes, owners, modes)."""
    peer, box = peers
    results = []
    # Postern
    box.start()
    start = len(box.inst.log_text())
    box.send(*PARITY_RCPTS, sender="sender@disc.test")
    box.lines(len(PARITY_RCPTS))
    results.append((normal_lines(box.inst.log_text(), start),
                    mailboxes(box.base)))
    # Postfix
    base = peer.root / "vmail"
    for domain in ("virt.test", "other.test"):
        (base / domain).mkdir(parents=True)
        (base / domain).chmod(0o1777)
    etc = peer.config_dir
    peer.write_config(
        myhostname="mx.example.test", mydomain="example.test",
        mydestination="$myhostname", biff="no",
        transport_maps=table(etc / "transport",
                             {"disc.test": "discard:gone"}),
        virtual_mailbox_domains="virt.test, other.test",
        virtual_mailbox_base=base,
        virtual_mailbox_maps=table(etc / "vmailbox", MAILBOXES),
        virtual_uid_maps=table(etc / "vuid", UIDS),
        virtual_gid_maps=f"static:{GID}", recipient_delimiter="+")
    peer.start()
    res = subprocess.run(["/usr/sbin/sendmail", "-C", str(etc), "-f",
                          "sender@disc.test", *PARITY_RCPTS], input=MESSAGE,
                         capture_output=True, timeout=60)
    assert res.returncode == 0, res.stderr
    wait_for(lambda: len([x for x in peer.log_text().splitlines()
                          if "postfix/virtual[" in x and ": to=<" in x])
             >= len(PARITY_RCPTS), timeout=30, what="Postfix's virtual")
    time.sleep(0.2)
    results.append((normal_lines(peer.log_text(), 0), mailboxes(base)))
    assert results[0] == results[1]
