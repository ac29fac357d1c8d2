"""System tests for the pickup daemon (src/pickup/) and the client side of
the cleanup protocol (src/global/cleanup_clnt.c).

Each test runs a throwaway instance (conftest.py) whose master.cf has
pickup ("pickup unix n - n 60 1 pickup", as Postfix's) and postlogd.
Mail enters maildrop through build/bin/sendmail (and postdrop), or as a
file written here when a test needs a damaged one; pickup is woken
through public/pickup as postdrop wakes it.

Two kinds of tests:
- end to end, with the real cleanup daemon: what reaches incoming/, what
  stays in maildrop, what goes to corrupt/;
- the error handling of cleanup_clnt, with a stand-in for cleanup on
  public/cleanup (FakeCleanup) that misbehaves on purpose: hangs up,
  never answers, answers temporary and permanent failures.
"""
import os
import pwd
import re
import signal
import socket
import subprocess
import threading
import time

import pytest

from attrproto import encode as attr_message
from conftest import (BIN, IS_ROOT, LIBEXEC, Instance, queue_file_complete,
                      wait_for)
from postfix_peer import HAVE_POSTFIX, PostfixPeer
from queuefile import (content_text, encode_records, read_records, record,
                       sections)
from test_master import POSTLOG, wait_log

PICKUP = "pickup unix n - n 60 1 pickup\n"
CLEANUP = "cleanup unix n - n - 0 cleanup\n"
REWRITE = "rewrite unix - - n - - trivial-rewrite\n"
HAVE_CLEANUP = (LIBEXEC / "cleanup").exists()
needs_cleanup = pytest.mark.skipif(not HAVE_CLEANUP,
                                   reason="no cleanup daemon in the build")

# Status bits (src/global/cleanup_user.h).
STAT_BAD, STAT_WRITE, STAT_RCPT, STAT_DEFER = 1, 2, 64, 256


# --- queue files ------------------------------------------------------------
def drop_records(sender=b"sender@example.test", rcpt=b"rcpt@example.test",
                 subject=b"test", envelope=(), extracted=()):
    """The records postdrop writes for a small message."""
    return ([("T", b"1796521220 665434"), ("A", b"rewrite_context=local"),
             ("S", sender), *envelope, ("R", rcpt), ("M", b""),
             ("N", b"Subject: " + subject), ("N", b""), ("N", b"body"),
             ("X", b""), *extracted, ("E", b"")])


def read_attrs(sock):
    """One attribute message from a socket: a list of (name, value)."""
    buf = b""
    while not buf.endswith(b"\0\0") or buf.count(b"\0") % 2 == 0:
        data = sock.recv(1)
        if not data:
            raise EOFError("connection closed")
        buf += data
    fields = buf[:-1].split(b"\0")[:-1]
    return [(fields[i].decode(), fields[i + 1].decode())
            for i in range(0, len(fields), 2)]


def read_record(sock):
    """One queue file record from a socket: (type, data)."""
    head = sock.recv(1)
    if not head:
        raise EOFError("connection closed")
    length, shift = 0, 0
    while True:
        byte = sock.recv(1)[0]
        length |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            break
    data = b""
    while len(data) < length:
        chunk = sock.recv(length - len(data))
        if not chunk:
            raise EOFError("connection closed inside a record")
        data += chunk
    return chr(head[0]), data


# --- a stand-in for cleanup -------------------------------------------------
class FakeCleanup:
    """Listens on public/cleanup and serves each client by `mode`:
    "ok" answers status 0; ("status", N, reason) answers N; "hangup"
    closes after the flags; "hangup-greeting" closes before greeting;
    "silent" reads everything and never answers; "bad-protocol" greets
    with another protocol name. What clients sent is kept in `sessions`:
    (flags, records)."""

    def __init__(self, instance, mode="ok"):
        self.path = instance.queue_dir / "public" / "cleanup"
        self.mode = mode
        self.sessions = []
        self.count = 0
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(str(self.path))
        os.chmod(self.path, 0o666)
        self.sock.listen(5)
        self.sock.settimeout(0.2)
        self.done = False
        self.held = []
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.done:
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            conn.settimeout(10)
            try:
                self.serve(conn)
            except (OSError, EOFError):
                pass
            if self.mode != "silent":
                conn.close()

    def serve(self, conn):
        self.count += 1
        queue_id = f"FAKE{self.count}"
        if self.mode == "hangup-greeting":
            return
        proto = "other_protocol" if self.mode == "bad-protocol" \
            else "cleanup_protocol"
        conn.sendall(attr_message([("protocol", proto),
                                   ("queue_id", queue_id)]))
        flags = int(dict(read_attrs(conn))["flags"])
        if self.mode == "hangup":
            return
        records = []
        while not records or records[-1][0] != "E":
            records.append(read_record(conn))
        self.sessions.append((flags, records))
        if self.mode == "silent":
            self.held.append(conn)
            return
        status, reason = (0, "") if self.mode == "ok" else self.mode[1:]
        conn.sendall(attr_message([("status", status), ("reason", reason)]))

    def close(self):
        self.done = True
        self.thread.join()
        self.sock.close()
        for conn in self.held:
            conn.close()
        self.path.unlink()


# --- the instance -------------------------------------------------------------
class Pickup:
    """An instance with pickup (and, with real=True, cleanup)."""

    def __init__(self, instance, real=False, **params):
        self.inst = instance
        self.maildrop = instance.queue_dir / "maildrop"
        self.incoming = instance.queue_dir / "incoming"
        self.corrupt = instance.queue_dir / "corrupt"
        services = POSTLOG + PICKUP + (CLEANUP + REWRITE if real else "")
        instance.write_config(services, **params)

    def start(self):
        self.inst.start()

    def stop(self):
        self.inst.stop()

    def sendmail(self, *args, body=b"Subject: hi\n\nbody\n", user=None):
        argv = [str(BIN / "sendmail"), "-C", str(self.inst.config_dir),
                *args]
        if user:
            argv = ["setpriv", f"--reuid={user}", "--regid=nogroup",
                    "--clear-groups", *argv]
        res = subprocess.run(argv, input=body, capture_output=True,
                             timeout=60)
        assert res.returncode == 0, res.stderr

    def drop(self, name, records=None, raw=None, mode=0o744):
        """Write a file into maildrop as postdrop would (or not)."""
        path = self.maildrop / name
        path.write_bytes(raw if raw is not None
                         else encode_records(records or drop_records()))
        path.chmod(mode)
        return path

    def kick(self):
        """Wake pickup as postdrop does: 'W' on public/pickup."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.connect(str(self.inst.queue_dir / "public" / "pickup"))
            s.sendall(b"W")

    def files(self, queue):
        return sorted(p.name for p in queue.rglob("*") if p.is_file())

    def wait_empty(self, timeout=15):
        wait_for(lambda: not self.files(self.maildrop), timeout,
                 what=f"empty maildrop; log:\n{self.inst.log_text()}")

    def wait_log(self, needle, timeout=15):
        return wait_log(self.inst, needle, timeout)


@pytest.fixture
def fake(instance):
    """An instance with pickup and a FakeCleanup in "ok" mode."""
    px = Pickup(instance)
    px.start()
    px.fake = FakeCleanup(instance)
    yield px
    px.fake.close()


def records_sent(px, session=0):
    flags, records = px.fake.sessions[session]
    return flags, records


# --- cleanup_clnt error handling (FakeCleanup) ------------------------------
def test_protocol_flags_and_received_header(fake):
    """What goes over the socket: flags 627, the file's records in order,
    the Received: header after 'M', no 'E' before the end."""
    fake.drop("AAAA0001", drop_records(
        envelope=[("F", b"Full Name")],
        extracted=[("A", b"notify_flags=2"), ("R", b"x@example.test")]))
    fake.kick()
    fake.wait_empty()
    flags, records = records_sent(fake)
    assert flags == 627
    types = "".join(t for t, _ in records)
    assert types == "TASFRMNNNNNXARE"
    recv, idline = records[6][1].decode(), records[7][1].decode()
    uid = os.getuid()
    assert recv == f"Received: by mx.example.test (Postern, from userid {uid})"
    # The arrival time ('T'), in the local zone, in Postfix's form.
    assert idline == "\tid FAKE1; " + time.strftime(
        "%a, %e %b %Y %H:%M:%S %z (%Z)", time.localtime(1796521220))
    fake.wait_log(f"FAKE1: uid={uid} from=<sender@example.test>")


def test_lost_connection_keeps_the_file(fake):
    """cleanup hangs up after the flags: a temporary error; the file stays
    and goes through on the next wakeup."""
    fake.fake.mode = "hangup"
    path = fake.drop("AAAA0002")
    fake.kick()
    fake.wait_log("maildrop/AAAA0002: error writing FAKE1: queue file "
                  "write error (lost connection with public/cleanup")
    assert path.exists()
    fake.fake.mode = "ok"
    fake.kick()
    fake.wait_empty()
    assert fake.fake.sessions[-1][1][0] == ("T", b"1796521220 665434")


def test_hangup_before_greeting(fake):
    fake.fake.mode = "hangup-greeting"
    path = fake.drop("AAAA0003")
    fake.kick()
    fake.wait_log("cannot start a queue file (lost connection with "
                  "public/cleanup while reading the greeting)")
    assert path.exists()


def test_wrong_protocol(fake):
    fake.fake.mode = "bad-protocol"
    path = fake.drop("AAAA0004")
    fake.kick()
    fake.wait_log('unexpected protocol "other_protocol" from public/cleanup')
    assert path.exists()


def test_timeout(instance):
    """No answer within ipc_timeout: a temporary error."""
    px = Pickup(instance, ipc_timeout="2s")
    px.start()
    px.fake = FakeCleanup(instance, mode="silent")
    try:
        path = px.drop("AAAA0005")
        px.kick()
        px.wait_log("maildrop/AAAA0005: error writing FAKE1: queue file "
                    "write error (timeout on public/cleanup while reading "
                    "the status)")
        assert path.exists()
    finally:
        px.fake.close()


@pytest.mark.parametrize("status,kept", [(STAT_WRITE, True),
                                         (STAT_DEFER, True),
                                         (STAT_RCPT, False)])
def test_status_temporary_or_permanent(fake, status, kept):
    """A temporary status keeps the file; a permanent one (cleanup was
    asked to bounce) removes it; both are logged as Postfix does."""
    fake.fake.mode = ("status", status, "")
    path = fake.drop("AAAA0006")
    fake.kick()
    text = {STAT_WRITE: "queue file write error",
            STAT_DEFER: "service unavailable",
            STAT_RCPT: "no recipients specified"}[status]
    fake.wait_log(f"maildrop/AAAA0006: error writing FAKE1: {text}")
    if kept:
        assert path.exists()
    else:
        wait_for(lambda: not path.exists(), 5, what="file removed")
        assert fake.files(fake.corrupt) == []


def test_status_bad_goes_to_corrupt(fake):
    """cleanup calls the stream malformed: neither retried nor lost."""
    fake.fake.mode = ("status", STAT_BAD, "5.3.0 bad record")
    fake.drop("AAAA0007")
    fake.kick()
    fake.wait_log('saving corrupt file "AAAA0007" from queue "maildrop" '
                  'to queue "corrupt"')
    assert fake.files(fake.corrupt) == ["AAAA0007"]
    assert "AAAA0007: uid=" in fake.inst.log_text()
    assert "error writing FAKE1: 5.3.0 bad record" in fake.inst.log_text()


def test_no_cleanup_service(instance):
    """Nobody on public/cleanup: the file waits, one warning per scan."""
    px = Pickup(instance)
    px.start()
    path = px.drop("AAAA0008")
    px.kick()
    px.wait_log("connect to public/cleanup: ")
    assert path.exists()
    px.fake = FakeCleanup(instance)
    try:
        px.kick()
        px.wait_empty()
    finally:
        px.fake.close()


def test_receive_override_options(instance):
    px = Pickup(instance, receive_override_options=
                "no_header_body_checks, no_milters no_address_mappings,"
                "no_unknown_recipient_checks")
    px.start()
    px.fake = FakeCleanup(instance)
    try:
        px.drop("AAAA0009")
        px.kick()
        px.wait_empty()
        assert px.fake.sessions[0][0] == 627 - 2 - 64 - 16 - 32
    finally:
        px.fake.close()


def test_receive_override_options_typo(instance):
    px = Pickup(instance, receive_override_options="no_milter")
    px.start()
    px.drop("AAAA000B")
    px.kick()
    px.wait_log('fatal: unknown receive_override_options value "no_milter" '
                'in "no_milter"')


def test_hashed_maildrop_refused(instance):
    """As Postfix: subdirectories of maildrop would belong to one user."""
    px = Pickup(instance, hash_queue_names="maildrop, deferred")
    px.start()
    px.kick()
    px.wait_log("fatal: maildrop queue must not be hashed")


# --- end to end, with the real cleanup --------------------------------------
@pytest.fixture
def real(instance):
    """An instance with pickup, cleanup and trivial-rewrite, started once
    and stopped, so that the queue directories exist."""
    px = Pickup(instance, real=True)
    px.start()
    px.stop()
    return px


def incoming_message(px, queue_id):
    """The records of incoming/QUEUEID, split into sections."""
    (path,) = [p for p in px.incoming.rglob(queue_id) if p.is_file()]
    return sections(read_records(path))


def pickup_lines(px):
    """(queue id, uid, sender) of pickup's "uid=... from=<...>" lines."""
    return re.findall(r"pickup\[\d+\]: (\w+): uid=(\d+) from=<([^>]*)>",
                      px.inst.log_text())


def wait_pickup_lines(px, count):
    """pickup_lines() once there are count of them (postlogd writes the
    log a moment after the file left maildrop)."""
    wait_for(lambda: len(pickup_lines(px)) >= count, 10,
             what=f"{count} pickup log lines; log:\n{px.inst.log_text()}")
    return pickup_lines(px)


@needs_cleanup
@pytest.mark.skipif(not IS_ROOT, reason="submits as another user")
def test_maildrop_waits_until_pickup_runs(real):
    """sendmail while the system is stopped: the file waits in maildrop;
    after start pickup moves it through cleanup into incoming/."""
    real.sendmail("-f", "sender@example.test", "-F", "Joe User",
                  "rcpt@example.test",
                  body=b"Subject: waiting\nBcc: hidden@example.test\n\nhi\n")
    other = pwd.getpwnam("daemon")
    real.sendmail("-f", "daemon-user@example.test", "rcpt2@example.test",
                  user="daemon")
    assert len(real.files(real.maildrop)) == 2
    real.start()
    real.wait_empty()
    lines = dict((sender, (qid, uid)) for qid, uid, sender in
                 wait_pickup_lines(real, 2))
    qid, uid = lines["sender@example.test"]
    assert uid == "0"
    assert sorted(real.files(real.incoming)) == sorted(
        q for q, _ in lines.values())
    env, content, _ = incoming_message(real, qid)
    assert ("S", b"sender@example.test") in env
    assert ("F", b"Joe User") in env
    text = content_text(content).decode()
    assert text.startswith(
        "Received: by mx.example.test (Postern, from userid 0)\n"
        f"\tid {qid}; ")
    assert "Subject: waiting\n" in text
    qid2, uid2 = lines["daemon-user@example.test"]
    assert uid2 == str(other.pw_uid)
    _, content2, _ = incoming_message(real, qid2)
    assert content_text(content2).decode().startswith(
        f"Received: by mx.example.test (Postern, from userid {uid2})\n")


@needs_cleanup
def test_damaged_file_goes_to_corrupt(real):
    """A damaged file is kept in corrupt/; the next good one goes through."""
    real.drop("BAD0001", drop_records(envelope=[("P", b"5")]))
    real.drop("BAD0002", raw=encode_records(drop_records())[:-4])
    real.start()
    real.sendmail("-f", "good@example.test", "rcpt@example.test")
    real.wait_empty()
    assert real.files(real.corrupt) == ["BAD0001", "BAD0002"]
    real.wait_log(f"BAD0001: uid={os.getuid()}: unexpected record type 80 "
                  "at offset")
    real.wait_log('saving corrupt file "BAD0002" from queue "maildrop" to '
                  'queue "corrupt"')
    # The truncated file was logged before its end showed the damage (as
    # Postfix does); cleanup dropped that message when pickup hung up.
    wait_for(lambda: "good@example.test" in [
        s for _, _, s in pickup_lines(real)], 10, what="the good message")
    (qid,) = real.files(real.incoming)
    env, _, _ = incoming_message(real, qid)
    assert ("S", b"good@example.test") in env


@needs_cleanup
def test_cleanup_down_then_back(instance):
    """No cleanup: the file stays in maildrop; once cleanup is back (a
    reload with it in master.cf) the next wakeup moves it."""
    px = Pickup(instance)
    px.start()
    px.sendmail("-f", "later@example.test", "rcpt@example.test")
    px.wait_log("warning: connect to public/cleanup: ")
    assert len(px.files(px.maildrop)) == 1
    instance.write_config(POSTLOG + PICKUP + CLEANUP + REWRITE)
    os.kill(instance.master_pid(), signal.SIGHUP)
    px.wait_log("reload -- version")
    wait_for(lambda: (instance.queue_dir / "public" / "cleanup").exists(),
             10, what="public/cleanup")
    px.kick()
    px.wait_empty()
    assert [s for _, _, s in wait_pickup_lines(px, 1)] == [
        "later@example.test"]
    assert len(px.files(px.incoming)) == 1


@needs_cleanup
def test_forged_attributes_are_dropped(real):
    """A local user cannot pose as a network client."""
    real.drop("FORGED1", drop_records(envelope=[
        ("A", b"client_address=192.0.2.1"), ("A", b"log_ident=FAKEID"),
        ("A", b"envelope_id=kept")]))
    real.start()
    real.kick()
    real.wait_empty()
    real.wait_log("ignoring attribute record: client_address")
    (qid, _, _), = wait_pickup_lines(real, 1)
    env, _, _ = incoming_message(real, qid)
    attrs = [d for t, d in env if t == "A"]
    assert b"envelope_id=kept" in attrs
    assert not any(a.startswith((b"client_address=", b"log_ident="))
                   for a in attrs)


@needs_cleanup
def test_each_file_once_with_several_pickups(instance):
    """With maxproc raised to 3, no file is handed over twice (each file
    is locked while it is being handled)."""
    px = Pickup(instance)
    instance.write_config(POSTLOG + PICKUP.replace(" 1 pickup", " 3 pickup")
                          + CLEANUP + REWRITE)
    px.start()
    for i in range(20):
        px.drop(f"MANY{i:04d}", drop_records(sender=f"s{i}@x.test".encode()))
    kicks = [threading.Thread(target=px.kick) for _ in range(6)]
    for kick in kicks:
        kick.start()
    for kick in kicks:
        kick.join()
    px.wait_empty(30)
    wait_pickup_lines(px, 20)
    time.sleep(1)                       # a duplicate would show up by now
    senders = sorted(s for _, _, s in pickup_lines(px))
    assert senders == sorted(f"s{i}@x.test" for i in range(20))
    assert len(px.files(px.incoming)) == 20


# --- files that "postsuper -r" put back -------------------------------------
#
# Such a file is a whole queue file that cleanup wrote, owned by
# mail_owner and mode 0700. What Postfix 3.7's pickup did with one
# (strace of pickup, postcat of what its cleanup wrote): request flags 51
# (no MILT, no AUTOUTF8), every record as it is but for content filter,
# redirect, Return-Receipt-To, Errors-To and other extracted attributes,
# the Received: header dated by the file's modification time, and the log
# line "NEWID: uid=UID from=<SENDER> orig_id=OLDID".
REQUEUE_MTIME = 1796521300
WARNED = b"%15d" % -1                   # the delay warning was sent


def with_size(records):
    """Records of a queue file with the size record that cleanup writes
    in front: content size, data offset, recipient count."""
    size = b"%15d" % 0
    pos = len(record("C", b" ".join([size] * 6)))
    offsets = []
    for rtype, data in records:
        pos += len(record(rtype, data))
        offsets.append(pos)
    types = [rtype for rtype, _ in records]
    data_offset = offsets[types.index("M")]
    content = offsets[types.index("X") - 1] - data_offset
    fields = [content, data_offset, types.count("R"), 0, content, 0]
    return [("C", b" ".join(b"%15d" % f for f in fields)), *records]


def requeued_records(envelope=(), extracted=()):
    """A queue file as cleanup writes it, after a delivery attempt that
    was done for a@x.test and c@x.test and deferred for the others."""
    return with_size([
        ("T", b"1796521220 665434"), ("A", b"create_time=1796521220"),
        ("A", b"rewrite_context=local"), ("F", b"Full Name"),
        ("S", b"send er@example.org"), ("W", WARNED), *envelope,
        ("A", b"dsn_orig_rcpt=rfc822;a@x.test"), ("O", b"a@x.test"),
        ("D", b"a@x.test"),
        ("A", b"dsn_orig_rcpt=rfc822;b@x.test"), ("O", b"b@x.test"),
        ("R", b"b@x.test"), ("M", b""),
        ("N", b"Received: by mx.example.test (Postern, from userid 0)"),
        ("N", b"\tid OLDQUEUEID; Sun,  6 Dec 2026 01:40:20 +0000 (UTC)"),
        ("N", b"Subject: again"), ("N", b""), ("N", b"body"), ("X", b""),
        ("A", b"dsn_orig_rcpt=rfc822;c@x.test"), ("O", b"c@x.test"),
        ("D", b"c@x.test"),
        ("A", b"notify_flags=2"), ("O", b"d@x.test"), ("R", b"d@x.test"),
        *extracted, ("E", b"")])


def drop_requeued(px, name, records, mode=0o700):
    """A file in maildrop as postsuper -r leaves it: owned by
    mail_owner, its modification time that of the requeue."""
    path = px.drop(name, records, mode=mode)
    if IS_ROOT:
        os.chown(path, pwd.getpwnam(px.inst.main["mail_owner"]).pw_uid, -1)
    os.utime(path, (REQUEUE_MTIME, REQUEUE_MTIME))
    return path


def test_requeued_file_goes_as_it_is(fake):
    """Flags 51 and the file's records as Postfix's pickup sends them: the
    size record, done recipients and the delay warning time included;
    content filter, redirect and extracted extras left out."""
    records = requeued_records(
        envelope=[("L", b"smtp:[127.0.0.1]:10025"), (">", b"r@x.test"),
                  ("A", b"log_client_address=192.0.2.1")],
        extracted=[("r", b"receipt@x.test"), ("e", b"errors@x.test"),
                   ("A", b"header_checks_action=x"), ("A", b"envelope_id=E")])
    drop_requeued(fake, "REQUEUED1", records)
    fake.kick()
    fake.wait_empty()
    flags, sent = records_sent(fake)
    assert flags == 51
    owner = pwd.getpwnam(fake.inst.main["mail_owner"]).pw_uid
    left_out = {("L", b"smtp:[127.0.0.1]:10025"), (">", b"r@x.test"),
                ("r", b"receipt@x.test"), ("e", b"errors@x.test"),
                ("A", b"header_checks_action=x")}
    want = [r for r in records if r not in left_out]
    m = want.index(("M", b""))
    date = time.strftime("%a, %e %b %Y %H:%M:%S %z (%Z)",
                         time.localtime(REQUEUE_MTIME))
    want[m + 1:m + 1] = [
        ("N", f"Received: by mx.example.test (Postern, from userid "
              f"{owner})".encode()),
        ("N", f"\tid FAKE1; {date}".encode())]
    assert sent == want
    fake.wait_log(f'FAKE1: uid={owner} from=<"send er"@example.org> '
                  "orig_id=REQUEUED1")


def test_requeued_file_keeps_strict_checks_for_others(fake):
    """Only a file of mail_owner that others cannot read is a requeued
    one: a user's file with a size record (or mail_owner's own postdrop
    file, mode 0744) is damaged; so is a requeued file with a record type
    that cleanup never writes."""
    drop_requeued(fake, "REQUEUED2", requeued_records(), mode=0o744)
    drop_requeued(fake, "REQUEUED3", requeued_records(
        envelope=[("P", b"5")]))
    fake.kick()
    fake.wait_log('saving corrupt file "REQUEUED3"')
    fake.wait_empty()
    assert fake.files(fake.corrupt) == ["REQUEUED2", "REQUEUED3"]
    log = fake.inst.log_text()
    assert "REQUEUED2: uid=" in log and "first record is not the arrival " \
        "time: record type 67 at offset 0" in log
    assert "unexpected record type 80 at offset" in log
    assert fake.fake.sessions == []


@needs_cleanup
def test_requeued_file_with_done_recipients(real):
    """Through the real cleanup: the done recipients are gone (they are
    not delivered again), the arrival time and the delay warning time
    stay, the old Received: lines stay under the new one."""
    drop_requeued(real, "REQUEUED4", requeued_records())
    real.start()
    real.kick()
    real.wait_empty()
    log = real.wait_log("orig_id=REQUEUED4")
    qid = re.search(r"pickup\[\d+\]: (\w+): uid=\d+ from=<\"send "
                    r"er\"@example.org> orig_id=REQUEUED4\n", log).group(1)
    env, content, extracted = incoming_message(real, qid)
    assert [r for r in env + extracted if r[0] in "ORD"] == [
        ("O", b"b@x.test"), ("R", b"b@x.test"),
        ("O", b"d@x.test"), ("R", b"d@x.test")]
    assert env[0][1].split()[2] == b"2"             # recipient count
    assert ("T", b"1796521220 665434") in env
    assert ("W", WARNED) in env and [t for t, _ in env].count("W") == 1
    assert ("A", b"create_time=1796521220") not in env
    text = content_text(content).decode()
    assert text.startswith(
        f"Received: by mx.example.test (Postern, from userid ")
    assert f"\tid {qid}; " in text
    assert ("Received: by mx.example.test (Postern, from userid 0)\n"
            "\tid OLDQUEUEID; Sun,  6 Dec 2026 01:40:20 +0000 (UTC)\n"
            "Subject: again\n") in text


def mark_done(path, rcpts):
    """The bytes of a queue file with the 'R' records of rcpts turned into
    'D' in place, as qmgr marks them, and the delay warning time -1."""
    out, pos = bytearray(path.read_bytes()), 0
    for rtype, value in read_records(path):
        if rtype == "R" and value in rcpts:
            out[pos] = ord("D")
        elif rtype == "W":
            out[pos + 2:pos + 2 + len(WARNED)] = WARNED
        pos += len(record(rtype, value))
    return bytes(out)


def requeue_into(queue_dir, name, data):
    """A file in queue_dir's maildrop as postsuper -r leaves it; wake
    pickup."""
    path = queue_dir / "maildrop" / name
    path.write_bytes(data)
    os.chown(path, pwd.getpwnam("postfix").pw_uid, -1)
    path.chmod(0o700)
    os.utime(path, (REQUEUE_MTIME, REQUEUE_MTIME))
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(str(queue_dir / "public" / "pickup"))
        s.sendall(b"W")


def requeued_result(queue_dir, log_text):
    """The queue file that a requeued file became, normalised, and the
    pickup log line's uid, sender and old id."""
    from test_postfix_parity import normalise

    def done():
        files = [p for p in (queue_dir / "incoming").iterdir()
                 if queue_file_complete(p)]
        empty = not list((queue_dir / "maildrop").iterdir())
        return empty and len(files) == 1 and files

    path, = wait_for(done, 15, what=f"the requeued message in {queue_dir}")
    line = wait_for(lambda: re.search(
        rf"pickup\[\d+\]: {path.name}: (uid=\d+ from=<.*> orig_id=\w+)\n",
        log_text()), 10, what="the pickup log line")
    return normalise(path), line.group(1), dict(read_records(path))["W"]


@needs_cleanup
@pytest.mark.skipif(not (IS_ROOT and HAVE_POSTFIX),
                    reason="comparing with Postfix needs root and Postfix")
def test_requeued_file_same_as_postfix(tmp_path):
    """A queue file that Postfix's cleanup wrote, some recipients done,
    put into both maildrops as postsuper -r does: Debian's Postfix 3.7
    and Postern queue the same message and log the same line."""
    from test_postfix_parity import (POSTERN_ONLY, POSTFIX_MASTER_CF, SAME,
                                     traversable)

    traversable(tmp_path)
    params = {**SAME, "delay_warning_time": "1h"}
    peer = PostfixPeer(tmp_path / "postfix", POSTFIX_MASTER_CF)
    peer.write_config(**params)
    (tmp_path / "postern").mkdir()
    inst = Instance(tmp_path / "postern")
    inst.write_config(POSTLOG + PICKUP + CLEANUP + REWRITE,
                      mail_owner="postfix", setgid_group="postdrop",
                      **params, **POSTERN_ONLY)
    try:
        peer.start()
        inst.start()
        res = peer.sendmail("-f", '"send er"@example.org', "-t", "a@x.test",
                            '"sp ace"@x.test', input=b"To: c@x.test, "
                            b"d@x.test\nSubject: again\n\nbody\n")
        assert res.returncode == 0, res.stderr
        old, = wait_for(lambda: [p for p in (peer.queue_dir / "incoming")
                                 .iterdir() if queue_file_complete(p)],
                        15, what="Postfix's queue file")
        data = mark_done(old, {b"a@x.test", b"c@x.test"})
        old.unlink()
        requeue_into(peer.queue_dir, old.name, data)
        requeue_into(inst.queue_dir, old.name, data)
        want = requeued_result(peer.queue_dir, peer.log_text)
        got = requeued_result(inst.queue_dir, inst.log_text)
    finally:
        try:
            inst.stop()
        finally:
            peer.stop()
    assert got == want
    assert got[1] == (f"uid={pwd.getpwnam('postfix').pw_uid} "
                      f'from=<"send er"@example.org> orig_id={old.name}')
    assert got[2] == WARNED
    assert not [line for line in got[0] if line[0] == "D"]
