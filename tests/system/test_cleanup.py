"""System tests for the cleanup daemon (src/cleanup/).

Each test runs master with cleanup and trivial-rewrite, and submits
messages over $queue_directory/public/cleanup in the protocol that
pickup, smtpd and qmqpd speak (docs/protocols/cleanup.md): the greeting,
flags, queue file records, and the status reply. The queue files written
to incoming/ are read back with tests/system/queuefile.py. What a message
must look like afterwards was observed on Debian's Postfix 3.7 (see
docs/cleanup.md).
"""
import os
import signal
import time

import pytest

from attrproto import AttrStream
from conftest import children_of, proc_name, wait_for
from queuefile import content_text, read_records, record, sections
from test_master import POSTLOG

MASTER_CF = (POSTLOG
             + "cleanup unix n - n - 0 cleanup\n"
             + "rewrite unix - - n - - trivial-rewrite\n")

# Request flags and status bits (src/global/cleanup_user.h).
FLAG_BOUNCE, FLAG_FILTER, FLAG_HOLD = 1, 2, 4
FLAG_BCC_OK, FLAG_MAP_OK = 16, 32
PICKUP_FLAGS = 627
SMTPD_FLAGS = FLAG_FILTER | FLAG_BCC_OK | FLAG_MAP_OK | 64
STAT_BAD, STAT_WRITE, STAT_SIZE, STAT_CONT, STAT_HOPS = 1, 2, 4, 8, 16
STAT_RCPT = 64


def message_records(text, line_limit=2048):
    """Content records for message text, as postdrop writes them."""
    out = b""
    lines = text.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    for line in lines:
        while len(line) > line_limit:
            out += record("L", line[:line_limit])
            line = line[line_limit:]
        out += record("N", line)
    return out


class Cleanup(AttrStream):
    """One cleanup session."""

    def __init__(self, instance, flags=PICKUP_FLAGS):
        super().__init__(instance.queue_dir / "public" / "cleanup", 60)
        greeting = self.recv()
        assert [n for n, _ in greeting] == ["protocol", "queue_id"]
        assert greeting[0][1] == "cleanup_protocol"
        self.queue_id = greeting[1][1]
        self.send([("flags", flags)])

    def submit(self, envelope, text, extracted=b""):
        """Send a whole message; return (status, reason)."""
        self.sock.sendall(envelope + record("M") + message_records(text)
                          + record("X") + extracted + record("E"))
        reply = self.recv()
        assert [n for n, _ in reply] == ["status", "reason"]
        return int(reply[0][1]), reply[1][1]


def envelope(sender="root", recipients=("bob",), context="local",
             fullname=None, extra=b""):
    """Envelope records as pickup sends them."""
    out = record("T", f"{int(time.time())} 123456")
    out += record("A", f"rewrite_context={context}")
    if fullname is not None:
        out += record("F", fullname)
    out += record("S", sender) + extra
    for rcpt in recipients:
        out += record("R", rcpt)
    return out


class Box:
    """An instance running cleanup and trivial-rewrite."""

    def __init__(self, instance):
        self.inst = instance
        self.params = {"myhostname": "mx.example.test",
                       "mydomain": "example.test"}

    def start(self, **params):
        self.params.update(params)
        self.inst.write_config(MASTER_CF, **self.params)
        self.inst.start()

    def submit(self, text, flags=PICKUP_FLAGS, **kw):
        extracted = kw.pop("extracted", b"")
        client = Cleanup(self.inst, flags)
        status, reason = client.submit(envelope(**kw), text, extracted)
        return client.queue_id, status, reason

    def queue_files(self, queue="incoming"):
        root = self.inst.queue_dir / queue
        return sorted(p for p in root.rglob("*") if p.is_file())

    def only_file(self, queue="incoming"):
        files = self.queue_files(queue)
        assert len(files) == 1, files
        return files[0]

    def message(self, queue="incoming"):
        """(envelope, headers, body, extracted) of the one queue file."""
        path = self.only_file(queue)
        assert path.stat().st_mode & 0o777 == 0o700
        env, content, extra = sections(read_records(path))
        text = content_text(content)
        head, _, body = text.partition(b"\n\n")
        return env, head.decode().split("\n"), body, extra


@pytest.fixture
def box(instance):
    return Box(instance)


def test_sendmail_message_gets_postfix_headers(box):
    """As Postfix 3.7 wrote it: Message-Id, Date and From appended, the
    sender and bare recipient qualified with $myhostname, Bcc removed."""
    box.start()
    qid, status, reason = box.submit(
        b"Subject: hello\nTo: bob\nBcc: secret@example.org\n\nbody line\n",
        fullname="Joe User")
    assert (status, reason) == (0, "")
    env, head, body, extra = box.message()
    assert ("S", b"root@mx.example.test") in env
    assert ("O", b"bob") in env and ("R", b"bob@mx.example.test") in env
    assert ("A", b"dsn_orig_rcpt=rfc822;bob@mx.example.test") in env
    assert env[0][0] == "C" and env[1][0] == "T"
    assert env[2][1].startswith(b"create_time=")
    assert head[0] == "Subject: hello"
    assert head[1] == "To: bob@mx.example.test"
    assert not any(h.startswith("Bcc:") for h in head)
    # Long queue ids (Postern's default) hold the time already: Postfix
    # then writes just the id.
    assert head[2] == f"Message-Id: <{qid}@mx.example.test>"
    assert head[3].startswith("Date: ") and head[3].endswith("(UTC)")
    assert head[4] == "From: Joe User <root@mx.example.test>"
    assert body == b"body line\n"
    assert extra == []
    log = box.inst.wait_log(f"{qid}: message-id=<")
    assert "warning" not in log.split(f"{qid}:")[0][-200:]


def test_from_header_forms(box):
    box.start()
    box.submit(b"Subject: x\n\nb\n", sender="", fullname="root")
    head = box.message()[1]
    assert "From: MAILER-DAEMON" in head
    for path in box.queue_files():
        path.unlink()
    box.submit(b"Subject: x\n\nb\n", sender="joe",
               fullname='Joe (x) "Q" User, Jr.')
    head = box.message()[1]
    assert 'From: "Joe (x) \\"Q\\" User, Jr." <joe@mx.example.test>' in head


def test_remote_client_gets_no_missing_headers(box):
    box.start()
    box.submit(b"Subject: x\n\nb\n", context="remote", sender="a@b.example",
               recipients=["c@d.example"])
    head = box.message()[1]
    assert head == ["Subject: x"]


def test_address_headers_rewritten(box):
    box.start()
    box.submit(b"To: a,\n  b@x (comment), \"Q Q\" <c>\nReply-To: me\n"
               b"Subject: s\n\nb\n")
    head = box.message()[1]
    assert head[0] == ('To: a@mx.example.test, b@x (comment), '
                       '"Q Q" <c@mx.example.test>')
    assert head[1] == "Reply-To: me@mx.example.test"


def test_extracted_recipients(box):
    """sendmail -t sends the recipients after the content."""
    box.start()
    extracted = (record("R", "a@example.org")
                 + record("R", "hidden@example.org"))
    box.submit(b"To: a@example.org\nBcc: hidden@example.org\n\nb\n",
               recipients=(), extracted=extracted)
    env, head, _, extra = box.message()
    assert not any(t == "R" for t, _ in env)
    assert [d for t, d in extra if t == "R"] == [b"a@example.org",
                                                  b"hidden@example.org"]
    assert head[0] == "To: a@example.org"
    assert not any(h.startswith("Bcc:") for h in head)


def test_duplicate_recipients_removed(box):
    box.start()
    box.submit(b"Subject: d\n\nb\n", recipients=("bob", "bob",
                                                 "bob@mx.example.test"))
    env = box.message()[0]
    assert [d for t, d in env if t == "R"] == [b"bob@mx.example.test"] * 2
    # "bob" twice is one recipient; "bob@mx..." has another original.


def test_no_recipients_is_an_error(box):
    box.start()
    qid, status, reason = box.submit(b"Subject: x\n\nb\n", recipients=(),
                                     flags=SMTPD_FLAGS)
    assert status == STAT_RCPT
    assert reason.startswith("5.1.0")
    assert box.queue_files() == []


def test_big_message_survives_byte_for_byte(box):
    """5 MB of 2000-byte lines: split nowhere, nothing lost."""
    box.start()
    line = b"x" * 1999
    body = b"".join(line[:-4] + b"%04d" % i + b"\n" for i in range(2600))
    qid, status, reason = box.submit(b"Subject: big\n\n" + body)
    assert status == 0, reason
    assert box.message()[2] == body


def test_long_lines_are_split_not_truncated(box):
    box.start()
    long_line = bytes(range(33, 127)) * 100
    qid, status, _ = box.submit(b"Subject: long\n\n" + long_line + b"\n")
    assert status == 0
    env, content, _ = sections(read_records(box.only_file()))
    assert max(len(d) for _, d in content) <= 2048
    assert content_text(content).endswith(long_line + b"\n")


def test_message_size_limit(box):
    box.start(message_size_limit=10000)
    qid, status, reason = box.submit(b"Subject: big\n\n" + b"y" * 20000
                                     + b"\n", flags=SMTPD_FLAGS)
    assert status == STAT_SIZE
    assert reason.startswith("5.3.4")
    assert box.queue_files() == []


def test_too_many_hops(box):
    box.start(hopcount_limit=5)
    head = b"".join(b"Received: from h%d by x\n" % i for i in range(6))
    qid, status, reason = box.submit(head + b"Subject: loop\n\nb\n",
                                     flags=SMTPD_FLAGS)
    assert status == STAT_HOPS
    assert box.queue_files() == []


def test_protocol_error_keeps_nothing(box):
    box.start()
    client = Cleanup(box.inst)
    client.sock.sendall(record("T", "1 2") + record("Q", "junk")
                        + record("E"))
    reply = client.recv()
    assert int(reply[0][1]) & STAT_BAD
    assert box.queue_files() == []


def test_killed_cleanup_leaves_nothing_complete(box):
    """kill -9 in the middle of a large message: the client sees the
    connection drop (a temporary error), and no complete file exists."""
    box.start()
    client = Cleanup(box.inst)
    client.sock.sendall(envelope() + record("M")
                        + message_records(b"Subject: big\n\n"
                                          + b"z" * 100000 + b"\n"))
    qid = client.queue_id
    master = box.inst.master_pid()
    victims = wait_for(lambda: [p for p in children_of(master)
                                if proc_name(p) == "cleanup"],
                       what="the cleanup process")
    for pid in victims:
        os.kill(pid, signal.SIGKILL)
    with pytest.raises((EOFError, ConnectionResetError, BrokenPipeError)):
        client.sock.sendall(record("X") + record("E"))
        client.recv()
    for path in box.queue_files():
        assert path.stat().st_mode & 0o100 == 0, f"{qid} looks complete"


def checks_table(box, name, rules):
    path = box.inst.root / name
    path.write_text("".join(f"{pattern} {action}\n"
                            for pattern, action in rules))
    return f"regexp:{path}"


def test_header_checks_reject_reaches_the_client(box):
    """smtpd-style client (no BOUNCE flag): the reason comes back, no
    queue file stays, and the log has Postfix's reject line."""
    box.start(header_checks=checks_table(box, "hc", [
        ("/^Subject: buy now/", "REJECT no spam here")]))
    qid, status, reason = box.submit(b"Subject: buy now\n\nb\n",
                                     flags=SMTPD_FLAGS)
    assert status == STAT_CONT
    assert reason == "5.7.1 no spam here"
    assert box.queue_files() == []
    box.inst.wait_log(f"{qid}: reject: header Subject: buy now from local; "
                      f"from=<root@mx.example.test> "
                      f"to=<bob@mx.example.test>: 5.7.1 no spam here")


def test_rejection_with_bounce_flag_is_kept_for_later(box):
    """pickup's flags ask cleanup to return a rejected message; when the
    bounce service cannot take it (none runs here), the message must not
    be lost: a temporary error, and pickup tries again later."""
    box.start(header_checks=checks_table(box, "hc", [
        ("/^Subject: buy now/", "REJECT")]))
    qid, status, reason = box.submit(b"Subject: buy now\n\nb\n")
    assert status == STAT_WRITE
    assert reason.startswith("4.3.0")
    assert box.queue_files() == []
    box.inst.wait_log(f"warning: {qid}: ")


def test_header_checks_actions(box):
    box.start(header_checks=checks_table(box, "hc", [
        ("/^X-Drop:/", "IGNORE"),
        ("/^X-Old: (.*)/", "REPLACE X-New: $1"),
        ("/^Subject:/", "PREPEND X-Seen: yes"),
        ("/^X-Filter:/", "FILTER smtp:[127.0.0.1]:10025"),
        ("/^X-Bcc:/", "BCC archive@example.org"),
        ("/^X-Warn:/", "WARN looked at it"),
    ]))
    qid, status, _ = box.submit(b"X-Drop: 1\nX-Old: value\nSubject: s\n"
                                b"X-Filter: 1\nX-Bcc: 1\nX-Warn: 1\n\nb\n")
    assert status == 0
    env, head, _, extra = box.message()
    assert head[:5] == ["X-New: value", "X-Seen: yes", "Subject: s",
                        "X-Filter: 1", "X-Bcc: 1"]
    assert ("L", b"smtp:[127.0.0.1]:10025") in extra
    assert ("R", b"archive@example.org") in extra
    assert ("A", b"notify_flags=1") in extra
    log = box.inst.wait_log(f"{qid}: warning: header X-Warn: 1 from local")
    assert f"{qid}: replace: header X-Old: value" in log


def test_header_checks_hold_and_discard(box):
    box.start(header_checks=checks_table(box, "hc", [
        ("/^Subject: hold/", "HOLD"),
        ("/^Subject: drop/", "DISCARD"),
    ]))
    qid, status, _ = box.submit(b"Subject: hold me\n\nb\n")
    assert status == 0
    assert box.queue_files() == []
    assert box.only_file("hold").name == qid
    qid2, status, _ = box.submit(b"Subject: drop me\n\nb\n")
    assert status == 0
    assert box.queue_files() == [] and len(box.queue_files("hold")) == 1
    box.inst.wait_log(f"{qid2}: discard: header Subject: drop me")


def test_body_checks(box):
    box.start(body_checks=checks_table(box, "bc", [
        ("/^secret/", "REPLACE [redacted]"),
        ("/^forbidden/", "REJECT 5.7.0 not this"),
    ]))
    qid, status, _ = box.submit(b"Subject: s\n\nhello\nsecret words\n",
                                flags=FLAG_FILTER)
    assert status == 0
    assert box.message()[2] == b"hello\n[redacted]\n"
    qid, status, reason = box.submit(b"Subject: s\n\nforbidden\n",
                                     flags=FLAG_FILTER)
    assert (status, reason) == (STAT_CONT, "5.7.0 not this")


def test_no_checks_without_filter_flag(box):
    box.start(header_checks=checks_table(box, "hc", [
        ("/^Subject:/", "REJECT")]))
    qid, status, _ = box.submit(b"Subject: s\n\nb\n", flags=FLAG_MAP_OK)
    assert status == 0


def table(box, name, text):
    path = box.inst.root / name
    path.write_text(text)
    return f"texthash:{path}"


def test_canonical_and_masquerade(box):
    box.start(
        sender_canonical_maps=table(box, "sc", "root joe.admin@example.test\n"),
        recipient_canonical_maps=table(box, "rc",
                                       "bob@mx.example.test robert@x.example\n"),
        masquerade_domains="example.test")
    box.submit(b"From: root\nTo: bob\n\nb\n")
    env, head, _, _ = box.message()
    assert ("S", b"joe.admin@example.test") in env
    assert ("O", b"bob") in env and ("R", b"robert@x.example") in env
    assert head[0] == "From: joe.admin@example.test"
    assert head[1] == "To: robert@x.example"


def test_virtual_alias_expansion(box):
    box.start(virtual_alias_maps=table(
        box, "va", "team@example.org a@example.org, b@example.org\n"
                   "b@example.org b@example.org, c@example.org\n"))
    box.submit(b"Subject: v\n\nb\n", recipients=["team@example.org"])
    env = box.message()[0]
    assert [d for t, d in env if t == "R"] == [
        b"a@example.org", b"b@example.org", b"c@example.org"]
    assert [d for t, d in env if t == "O"] == [b"team@example.org"] * 3


def test_virtual_alias_loop_defers(box):
    box.start(virtual_alias_maps=table(
        box, "va", "a@example.org b@example.org\n"
                   "b@example.org a@example.org\n"))
    qid, status, reason = box.submit(b"Subject: v\n\nb\n",
                                     recipients=["a@example.org"],
                                     flags=SMTPD_FLAGS)
    assert status & (STAT_WRITE | 256)
    assert reason.startswith("4.")
    assert box.queue_files() == []
    box.inst.wait_log("message not accepted, try again later")


def test_blind_copies(box):
    """As Postfix 3.7: a sender_bcc_maps copy right after the sender, a
    recipient_bcc_maps copy right after its recipient (both in the
    envelope), always_bcc at the end; no dsn_orig_rcpt for any of them,
    and NOTIFY=NEVER."""
    box.start(always_bcc="archive@example.org",
              sender_bcc_maps=table(box, "sb",
                                    "root@mx.example.test sent@example.org\n"),
              recipient_bcc_maps=table(box, "rb",
                                       "bob@mx.example.test got@example.org\n"))
    qid, status, reason = box.submit(b"Subject: b\n\nb\n")
    assert status == 0, reason
    env, _, _, extra = box.message()
    assert [d for t, d in env if t == "R"] == [
        b"sent@example.org", b"bob@mx.example.test", b"got@example.org"]
    assert [d for t, d in extra if t == "R"] == [b"archive@example.org"]
    assert [d for t, d in env + extra if t == "A"
            and d.startswith(b"dsn_orig_rcpt=")] == [
        b"dsn_orig_rcpt=rfc822;bob@mx.example.test"]
    for path in box.queue_files():
        path.unlink()
    qid, status, reason = box.submit(b"Subject: b\n\nb\n", flags=FLAG_MAP_OK)
    assert status == 0, reason
    env, _, _, extra = box.message()
    assert [d for t, d in env + extra if t == "R"] == [b"bob@mx.example.test"]


def test_no_trivial_rewrite_is_a_temporary_error(box):
    """cleanup cannot rewrite addresses: it must not guess; the client
    hears a temporary error after the wait (ipc_timeout, here 2s)."""
    box.inst.write_config(POSTLOG + "cleanup unix n - n - 0 cleanup\n",
                          ipc_timeout="2s", **box.params)
    box.inst.start()
    client = Cleanup(box.inst, SMTPD_FLAGS)
    status, reason = client.submit(envelope(), b"Subject: x\n\nb\n")
    assert status == STAT_WRITE and reason.startswith("4.3.0")
    assert box.queue_files() == []
    box.inst.wait_log("private/rewrite")


def test_hold_and_discard_flags(box):
    """smtpd's access-table HOLD and DISCARD reach cleanup as flags."""
    box.start()
    qid, status, _ = box.submit(b"Subject: h\n\nb\n",
                                flags=SMTPD_FLAGS | FLAG_HOLD)
    assert status == 0 and box.only_file("hold").name == qid
    qid, status, _ = box.submit(b"Subject: d\n\nb\n", flags=SMTPD_FLAGS | 8)
    assert status == 0
    assert box.queue_files() == [] and len(box.queue_files("hold")) == 1


def test_stray_cr_lf_become_spaces(box):
    """cleanup_replace_stray_cr_lf = yes (Postfix 3.9's default): a CR or
    LF inside a line cannot end a line on a later SMTP hop."""
    box.start()
    client = Cleanup(box.inst, SMTPD_FLAGS)
    client.sock.sendall(envelope() + record("M")
                        + record("N", "Subject: s") + record("N", "")
                        + record("N", "a\rb\nc") + record("N", ".\r")
                        + record("X") + record("E"))
    assert client.recv()[0] == ("status", "0")
    assert box.message()[2] == b"a b c\n. \n"


def test_strict_mime_errors(box):
    """strict_8bitmime: 8-bit text in a 7bit body is rejected with 5.6.0,
    logged as Postfix 3.7 does."""
    box.start(strict_8bitmime="yes")
    qid, status, reason = box.submit(
        b"Subject: s\nMIME-Version: 1.0\n\ncaf\xc3\xa9\n",
        flags=SMTPD_FLAGS)
    assert status == STAT_CONT
    assert reason == "5.6.0 improper use of 8-bit data in message body"
    box.inst.wait_log(f"{qid}: reject: mime-error improper use of 8-bit "
                      f"data in message body: ")
    assert box.queue_files() == []
