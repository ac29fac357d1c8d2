"""System tests for the queue listing: the showq daemon (src/showq/),
postqueue (src/postqueue/), mailq and "sendmail -bp", and postqueue's
flush requests (-f, -s, -i).

A queue is built with the real intake (sendmail -> postdrop -> pickup ->
cleanup into incoming/, no qmgr), then files are placed by hand in
active/, deferred/ (with defer logs in the format the defer service
writes) and hold/, and one is marked force-expired, so that the listing
has every case. Where Debian's Postfix is installed and the tests run as
root, its postqueue reads the SAME queue directory: through Postern's
showq while Postern runs (protocol compatibility), and through its own
showq run by hand once Postern is stopped (the reference); the outputs
must be equal byte for byte.
"""
import json
import os
import pwd
import re
import shutil
import socket
import stat
import subprocess
import threading
from pathlib import Path

import pytest

from attrproto import AttrStream
from conftest import BIN, IS_ROOT, LIBEXEC, wait_for
from queuefile import read_records, record
from test_master import POSTLOG

PICKUP = "pickup unix n - n 60 1 pickup\n"
CLEANUP = "cleanup unix n - n - 0 cleanup\n"
REWRITE = "rewrite unix - - n - - trivial-rewrite\n"
SHOWQ = "showq unix n - n - - showq\n"
INTAKE = POSTLOG + PICKUP + CLEANUP + REWRITE + SHOWQ

PF_POSTQUEUE = "/usr/sbin/postqueue"
HAVE_POSTFIX_USERS = True
try:
    pwd.getpwnam("postfix")
    import grp
    grp.getgrnam("postdrop")
except KeyError:
    HAVE_POSTFIX_USERS = False
COMPARE = IS_ROOT and HAVE_POSTFIX_USERS and os.access(PF_POSTQUEUE, os.X_OK)
needs_postfix = pytest.mark.skipif(not COMPARE, reason="needs root and "
                                   "Debian's Postfix to compare with")
needs_root = pytest.mark.skipif(not IS_ROOT, reason="needs root")

ENV = {"PATH": "/usr/bin:/bin", "TZ": "UTC", "LANG": "C"}
ID_ALPHABET = "0123456789BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz"
REFUSED = "connect to 127.0.0.1[127.0.0.1]:1: Connection refused"


def hash_dir(queue_id):
    """The first hash directory of a queue id (mail_queue_id.h)."""
    if "z" in queue_id:                 # long form: microseconds base 52
        usec = 0
        for ch in queue_id[queue_id.rindex("z") - 4:queue_id.rindex("z")]:
            usec = usec * 52 + ID_ALPHABET.index(ch)
        return "%05X" % usec
    return queue_id


def defer_record(rcpt, reason, offset=0):
    """One record of a defer log as the defer service writes it."""
    return (f"\n<{rcpt}>: {reason}\nrecipient={rcpt}\n"
            + (f"offset={offset}\n" if offset else "")
            + f"status=4.4.1\naction=delayed\nreason={reason}\n\n")


class Queue:
    """An instance whose queue is built for listing tests."""

    def __init__(self, instance, **params):
        self.inst = instance
        self.q = instance.queue_dir
        if COMPARE:
            params.setdefault("mail_owner", "postfix")
            params.setdefault("setgid_group", "postdrop")
        params.setdefault("enable_long_queue_ids", "no")
        self.params = params
        instance.write_config(INTAKE, **params)
        self.owner = pwd.getpwnam(instance.main["mail_owner"]).pw_uid

    def services(self, master_cf):
        self.inst.write_config(master_cf, **self.params)

    def sendmail(self, *args, body=b"Subject: test\n\nbody\n", check=True):
        res = subprocess.run([str(BIN / "sendmail"), "-C",
                              str(self.inst.config_dir), *args], input=body,
                             capture_output=True, timeout=60, env=ENV)
        if check:
            assert res.returncode == 0, res.stderr
        return res

    def files(self, queue):
        return sorted(p.name for p in (self.q / queue).rglob("*")
                      if p.is_file())

    def complete(self, queue):
        """The complete queue files (not temporary names, mode rwx)."""
        names = []
        for p in (self.q / queue).iterdir():
            try:
                if "." not in p.name and p.stat().st_mode & 0o100:
                    names.append(p.name)
            except FileNotFoundError:
                pass
        return sorted(names)

    def intake(self, count_before, *args, **kw):
        """sendmail; wait for the new file in incoming and for pickup to
        have removed the maildrop copy (else stopping the instance may
        leave both); its queue id."""
        self.sendmail(*args, **kw)
        wait_for(lambda: len(self.complete("incoming")) > count_before
                 and not self.files("maildrop"), 15,
                 what=f"a new file in incoming; log:\n{self.inst.log_text()}")
        new = set(self.complete("incoming")) - self.seen
        self.seen |= new
        return new.pop()

    def place(self, queue_id, queue):
        """Move incoming/ID to queue (hashed for deferred)."""
        dest = self.q / queue
        if queue == "deferred":
            dest = dest / hash_dir(queue_id)[0]
        dest.mkdir(parents=True, exist_ok=True)
        os.chown(dest, self.owner, -1)
        (self.q / "incoming" / queue_id).rename(dest / queue_id)
        return dest / queue_id

    def defer_log(self, queue_id, records):
        """Write defer/H/ID as the defer service would."""
        path = self.q / "defer" / hash_dir(queue_id)[0] / queue_id
        path.parent.mkdir(parents=True, exist_ok=True)
        os.chown(path.parent, self.owner, -1)
        path.write_text("".join(defer_record(*r) for r in records))
        os.chown(path, self.owner, -1)
        path.chmod(0o600)

    def postqueue(self, *args, check=True, user=None, binary=None):
        argv = [binary or str(BIN / "postqueue"), "-c",
                str(self.inst.config_dir), *args]
        if user:
            argv = ["setpriv", f"--reuid={user}",
                    f"--regid={self.inst.main['setgid_group']}",
                    "--clear-groups", *argv]
        res = subprocess.run(argv, capture_output=True, text=True,
                             timeout=60, env=ENV)
        if check:
            assert res.returncode == 0, res.stderr
        return res


def build_queue(qu):
    """The listing scenario: every queue, reasons, statuses, addresses
    that need quoting, the null sender, extracted recipients. Returns the
    ids by role. Leaves the instance running with showq but no pickup."""
    qu.inst.start()
    qu.seen = set()
    ids = {}
    ids["incoming"] = qu.intake(0, "-f", "alice@example.org", "a@x.test",
                                "b@x.test")
    ids["active"] = qu.intake(1, "-f", "bob@example.org", "c@x.test")
    ids["deferred"] = qu.intake(2, "-f", "carol@example.org", "d1@x.test",
                                "d2@x.test", "d3@x.test")
    ids["null"] = qu.intake(3, "-f", "", '"sp ace"@x.test')
    ids["hold"] = qu.intake(4, "-f", "erin@example.org", "-t",
                            body=b"To: t1@x.test, t2@x.test\nSubject: t\n\nx\n")
    ids["expired"] = qu.intake(5, "-f", "frank@example.org", "e@x.test")
    qu.inst.stop()
    qu.place(ids["active"], "active")
    qu.place(ids["deferred"], "deferred")
    qu.defer_log(ids["deferred"], [
        ("d1@x.test", REFUSED, 0), ("d3@x.test", "delivery temporarily "
                                    "suspended: " + REFUSED, 0),
        ("gone@x.test", "a recipient no longer in the file", 0)])
    qu.place(ids["null"], "deferred")
    qu.defer_log(ids["null"], [('"sp ace"@x.test', "x" * 90, 0)])
    qu.place(ids["hold"], "hold")
    path = qu.place(ids["expired"], "deferred")
    path.chmod(0o710)
    qu.services(POSTLOG + SHOWQ)
    qu.inst.start()
    qu.sendmail("-f", "gina@example.org", "m@x.test")   # stays in maildrop
    ids["maildrop"] = qu.files("maildrop")[0]
    return ids


@pytest.fixture
def queue(instance):
    return Queue(instance)


# --- the listing ---------------------------------------------------------
def test_empty_queue(queue):
    queue.services(POSTLOG + SHOWQ)
    queue.inst.start()
    assert queue.postqueue("-p").stdout == "Mail queue is empty\n"
    assert queue.postqueue("-j").stdout == ""


def test_listing(queue):
    """The text listing: order of the queues, status characters, sizes,
    the reason lines, the defer log's recipients first."""
    ids = build_queue(queue)
    out = queue.postqueue("-p").stdout
    head, *blocks = out.split("\n\n")
    assert head.startswith("-Queue ID-  --Size-- ----Arrival Time---- "
                           "-Sender/Recipient-------\n")
    blocks = [head.split("\n", 1)[1]] + blocks
    assert blocks[-1] == "-- 1 Kbytes in 7 Requests.\n" or \
        re.fullmatch(r"-- \d+ Kbytes in 7 Requests\.\n", blocks[-1])
    firsts = [b.split()[0] for b in blocks[:-1]]
    # maildrop, active, incoming, deferred (directory order), hold
    assert firsts[0] == ids["maildrop"]
    assert firsts[1] == ids["active"] + "*"
    assert firsts[2] == ids["incoming"]
    assert sorted(firsts[3:6]) == sorted([ids["deferred"], ids["null"],
                                          ids["expired"] + "#"])
    assert firsts[6] == ids["hold"] + "!"
    by_id = {b.split()[0].rstrip("*!#"): b for b in blocks[:-1]}
    deferred = by_id[ids["deferred"]].splitlines()
    assert deferred[1:] == [
        " " * 23 + f"({REFUSED})",
        " " * 41 + "d1@x.test",
        f"(delivery temporarily suspended: {REFUSED})",
        " " * 41 + "d3@x.test",
        "(a recipient no longer in the file)".rjust(78),
        " " * 41 + "gone@x.test",
        " " * 58 + "(reason unavailable)",
        " " * 41 + "d2@x.test"]
    null = by_id[ids["null"]].splitlines()
    assert null[0].endswith("  MAILER-DAEMON")
    assert null[1:] == ["(" + "x" * 90 + ")", " " * 41 + '"sp ace"@x.test']
    hold = by_id[ids["hold"]].splitlines()
    assert hold[1:] == [" " * 41 + "t1@x.test", " " * 41 + "t2@x.test"]
    assert re.fullmatch(r"\S+\s+\d+ \w\w\w \w\w\w [ \d]\d \d\d:\d\d:\d\d  "
                        r"erin@example.org", hold[0])


def test_json(queue):
    ids = build_queue(queue)
    lines = queue.postqueue("-j").stdout.splitlines()
    objs = [json.loads(line) for line in lines]
    assert [list(o) for o in objs] == [[
        "queue_name", "queue_id", "arrival_time", "message_size",
        "forced_expire", "sender", "recipients"]] * 7
    by_id = {o["queue_id"]: o for o in objs}
    assert by_id[ids["expired"]]["forced_expire"] is True
    assert by_id[ids["hold"]]["queue_name"] == "hold"
    assert by_id[ids["maildrop"]]["queue_name"] == "maildrop"
    assert by_id[ids["null"]]["sender"] == "MAILER-DAEMON"
    assert by_id[ids["deferred"]]["recipients"] == [
        {"address": "d1@x.test", "delay_reason": REFUSED},
        {"address": "d3@x.test", "delay_reason": "delivery temporarily "
         "suspended: " + REFUSED},
        {"address": "gone@x.test",
         "delay_reason": "a recipient no longer in the file"},
        {"address": "d2@x.test"}]
    assert lines[0].startswith('{"queue_name": "maildrop", "queue_id": ')


def postfix_listing(queue, tmp_path, flag, long_ids="no"):
    """Postfix's postqueue FLAG on the queue directory: through the showq
    that runs there, or its own when none does."""
    pf = tmp_path / "pf-etc"
    pf.mkdir(exist_ok=True)
    (pf / "main.cf").write_text(
        f"compatibility_level = 3.6\nqueue_directory = {queue.q}\n"
        "mail_owner = postfix\nsetgid_group = postdrop\n"
        f"enable_long_queue_ids = {long_ids}\n")
    res = subprocess.run([PF_POSTQUEUE, "-c", str(pf), flag],
                         capture_output=True, text=True, timeout=60, env=ENV)
    assert res.returncode == 0, res.stderr
    return res.stdout


@needs_postfix
@pytest.mark.parametrize("long_ids", ["no", "yes"])
def test_same_as_postfix(queue, tmp_path, long_ids):
    """Postfix's postqueue on the same queue directory: through Postern's
    showq, and with its own showq; Postern's postqueue through its showq
    and through the showq it runs by hand when the system is down."""
    build_queue(queue)
    queue.params["enable_long_queue_ids"] = long_ids
    queue.services(POSTLOG + SHOWQ)

    def pf_postqueue(flag):
        return postfix_listing(queue, tmp_path, flag, long_ids)

    up = {f: (queue.postqueue(f).stdout, pf_postqueue(f)) for f in ("-p",
                                                                     "-j")}
    queue.inst.stop()
    for flag in ("-p", "-j"):
        down = queue.postqueue(flag)
        assert "Mail system is down -- accessing queue directly" \
            in down.stderr
        reference = pf_postqueue(flag)
        assert up[flag][0] == reference
        assert up[flag][1] == reference
        assert down.stdout == reference


def test_defer_service_log_of_a_quoted_recipient(queue, tmp_path):
    """The defer service writes a recipient in external form, as Postfix
    3.7 does (recipient="sp ace"@closed.test); showq matches that with
    the queue file's recipient: listed once, with its reason."""
    queue.inst.start()
    queue.seen = set()
    qid = queue.intake(0, "-f", "s@example.org", '"sp ace"@closed.test',
                       "b@closed.test")
    queue.inst.stop()
    path = queue.place(qid, "deferred")
    offset = 0
    for rtype, data in read_records(path):
        if (rtype, data) == ("R", b"sp ace@closed.test"):
            break
        offset += len(record(rtype, data))
    queue.services(POSTLOG + SHOWQ + "defer unix - - n - 0 bounce\n")
    queue.inst.start()
    conn = AttrStream(queue.q / "private" / "defer")
    assert conn.recv() == [("protocol", "delivery_status_protocol")]
    conn.send([("nrequest", 0), ("flags", 0), ("queue_id", qid),
               ("original_recipient", "sp ace@closed.test"),
               ("recipient", "sp ace@closed.test"), ("offset", offset),
               ("dsn_orig_rcpt", "rfc822;sp ace@closed.test"),
               ("notify_flags", 0), ("status", "4.4.1"), ("diag_type", ""),
               ("diag_text", ""), ("mta_type", ""), ("mta_mname", ""),
               ("action", "delayed"), ("reason", REFUSED)])
    assert conn.recv() == [("status", "0")]
    conn.sock.close()
    log = queue.q / "defer" / hash_dir(qid)[0] / qid
    assert log.read_text() == (
        f'\n<"sp ace"@closed.test>: {REFUSED}\n'
        f'recipient="sp ace"@closed.test\noffset={offset}\n'
        "dsn_orig_rcpt=rfc822;sp ace@closed.test\nstatus=4.4.1\n"
        f"action=delayed\nreason={REFUSED}\n\n")
    out = queue.postqueue("-p").stdout
    assert out.splitlines()[2:] == [
        " " * 23 + f"({REFUSED})",
        " " * 41 + '"sp ace"@closed.test',
        " " * 58 + "(reason unavailable)",
        " " * 41 + "b@closed.test",
        "", "-- 0 Kbytes in 1 Request."]
    if COMPARE:
        assert out == postfix_listing(queue, tmp_path, "-p")


def test_showq_protocol_bytes(queue):
    """The service speaks first; one message per file, then an empty one."""
    queue.services(POSTLOG + SHOWQ)
    queue.inst.start()
    with socket.socket(socket.AF_UNIX) as s:
        s.connect(str(queue.q / "public" / "showq"))
        data = b""
        while chunk := s.recv(4096):
            data += chunk
    assert data == b"protocol\0mail_queue_list_protocol\0\0\0"


def test_damaged_and_incomplete_files(queue):
    """A file still being written is skipped quietly, a damaged one and a
    symbolic link with a warning; the listing goes on."""
    queue.services(POSTLOG + SHOWQ)
    queue.inst.start()
    hold = queue.q / "hold"
    (hold / "ABCDEF123").write_bytes(b"garbage\n" * 4)
    (hold / "ABCDEF123").chmod(0o700)
    (hold / "ABCDEF124").write_bytes(b"T\x0c1796531161 0")
    (hold / "ABCDEF124").chmod(0o600)
    (hold / "ABCDEF125").symlink_to(hold / "ABCDEF123")
    for p in hold.iterdir():
        os.lchown(p, queue.owner, -1)
    assert queue.postqueue("-p").stdout == "Mail queue is empty\n"
    log = queue.inst.wait_log("hold/ABCDEF125: uid")
    assert "warning: hold/ABCDEF123: " in log
    assert "not a regular file" in log
    assert "ABCDEF124" not in log


# --- who may list ----------------------------------------------------------
@needs_root
def test_user_can_list_but_not_read(queue):
    """A user (with setgid_group, as a set-gid postqueue has) lists the
    queue; the queue files stay unreadable to that user."""
    ids = build_queue(queue)
    user = "daemon"
    as_root = queue.postqueue("-p").stdout
    assert queue.postqueue("-p", user=user).stdout == as_root
    path = queue.q / "hold" / ids["hold"]
    res = subprocess.run(["setpriv", f"--reuid={user}",
                          f"--regid={queue.inst.main['setgid_group']}",
                          "--clear-groups", "cat", str(path)],
                         capture_output=True, text=True)
    assert res.returncode != 0 and "Permission denied" in res.stderr


@needs_root
def test_user_when_system_is_down(queue):
    queue.services(POSTLOG + SHOWQ)
    queue.inst.start()                  # makes the queue directory tree
    queue.inst.stop()
    res = queue.postqueue("-p", user="daemon", check=False)
    assert res.returncode == 69
    assert res.stderr == ("postqueue: fatal: Queue report unavailable - "
                          "mail system is down\n")
    # Root gets the listing from a showq run by hand.
    res = queue.postqueue("-p")
    assert res.stdout == "Mail queue is empty\n"
    assert "postqueue: warning: Mail system is down -- accessing queue " \
        "directly (Connect to the Postfix showq service: " in res.stderr


@needs_root
def test_authorized_mailq_users(queue):
    queue.params["authorized_mailq_users"] = "root"
    queue.params["authorized_flush_users"] = "!daemon, static:anyone"
    queue.services(POSTLOG + SHOWQ)
    queue.inst.start()
    res = queue.postqueue("-p", user="daemon", check=False)
    uid = pwd.getpwnam("daemon").pw_uid
    assert res.returncode == 69
    assert res.stderr.endswith(f"postqueue: fatal: User daemon({uid}) is "
                               "not allowed to view the mail queue\n")
    res = queue.postqueue("-f", user="daemon", check=False)
    assert res.stderr.endswith(f"User daemon({uid}) is not allowed to "
                               "flush the mail queue\n")


# --- mailq and sendmail -bp --------------------------------------------------
def test_mailq_and_sendmail_bp(queue, tmp_path):
    build_queue(queue)
    expected = queue.postqueue("-p").stdout
    assert queue.sendmail("-bp").stdout.decode() == expected
    mailq = tmp_path / "mailq"
    mailq.symlink_to(BIN / "sendmail")
    res = subprocess.run([str(mailq), "-C", str(queue.inst.config_dir)],
                         capture_output=True, text=True, env=ENV, timeout=60)
    assert res.returncode == 0 and res.stdout == expected


# --- flush requests ------------------------------------------------------------
class FakeService:
    """Listens on public/NAME, keeps what each client wrote; with a
    greeting and a reply, plays the flush service."""

    def __init__(self, queue, name, greeting=b"", reply=b""):
        self.path = queue.q / "public" / name
        self.greeting, self.reply = greeting, reply
        self.got = []
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.bind(str(self.path))
        self.path.chmod(0o666)
        self.sock.listen(5)
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        try:
            conn, _ = self.sock.accept()
        except OSError:
            return
        with conn:
            conn.settimeout(5)
            if self.greeting:
                conn.sendall(self.greeting)
            data = b""
            while not data.endswith(b"\0\0" if self.greeting else b"\0"):
                chunk = conn.recv(4096)
                if not chunk:
                    break
                data += chunk
            self.got.append(data)
            if self.reply:
                conn.sendall(self.reply)

    def close(self):
        self.thread.join(10)
        self.sock.close()
        self.path.unlink()


def flush_setup(queue, **params):
    queue.params.update(params)
    queue.services(POSTLOG)
    queue.inst.start()


@pytest.mark.parametrize("args", [["postqueue", "-f"], ["sendmail", "-q"]])
def test_flush_triggers(queue, args):
    flush_setup(queue)
    qmgr = FakeService(queue, "qmgr")
    pickup = FakeService(queue, "pickup")
    if args[0] == "postqueue":
        queue.postqueue(*args[1:])
    else:
        queue.sendmail(*args[1:])
    qmgr.close()
    pickup.close()
    assert qmgr.got == [b"FADI\0"]
    assert pickup.got == [b"W\0"]


def test_flush_when_qmgr_is_down(queue):
    flush_setup(queue)
    res = queue.postqueue("-f", check=False)
    assert res.returncode == 69
    assert res.stderr.endswith("postqueue: fatal: Cannot flush mail queue - "
                               "mail system is down\n")


FLUSH_GREETING = b"protocol\0queue_flush_protocol\0\0"


@pytest.mark.parametrize("args,request_", [
    (["postqueue", "-s", "example.com"],
     b"request\0send_site\0site\0example.com\0\0"),
    (["sendmail", "-qRexample.com"],
     b"request\0send_site\0site\0example.com\0\0"),
    (["postqueue", "-i", "ABCDEF123"],
     b"request\0send_file\0queue_id\0ABCDEF123\0\0"),
    (["sendmail", "-qIABCDEF123"],
     b"request\0send_file\0queue_id\0ABCDEF123\0\0"),
])
def test_flush_service_requests(queue, args, request_):
    flush_setup(queue, fast_flush_domains="example.com")
    flush = FakeService(queue, "flush", FLUSH_GREETING, b"status\0000\0\0")
    if args[0] == "postqueue":
        queue.postqueue(*args[1:])
    else:
        queue.sendmail(*args[1:])
    flush.close()
    assert flush.got == [request_]


def test_flush_site_refusals(queue):
    flush_setup(queue, fast_flush_domains="example.com")
    res = queue.postqueue("-s", "other.com", check=False)
    assert (res.returncode, res.stderr) == (69, 'postqueue: fatal: Flush '
        'service is not configured for destination "other.com"\n')
    res = queue.postqueue("-i", "bad/id", check=False)
    assert (res.returncode, res.stderr) == (69, 'postqueue: fatal: Cannot '
        'flush queue ID - invalid name: "bad/id"\n')
    # No flush service (Postern has none yet): Postfix's words.
    res = queue.postqueue("-s", "example.com", check=False)
    assert res.returncode == 69
    assert "postqueue: warning: connect to public/flush: " in res.stderr
    assert res.stderr.endswith("postqueue: fatal: Cannot flush mail queue "
                               "- mail system is down\n")
    # The service says the site is not eligible.
    flush = FakeService(queue, "flush", FLUSH_GREETING, b"status\0004\0\0")
    res = queue.postqueue("-s", "example.com", check=False)
    flush.close()
    assert (res.returncode, res.stderr) == (69, 'postqueue: fatal: Flush '
        'service is not configured for destination "example.com"\n')


def test_usage(queue):
    queue.services(POSTLOG)
    for args in ([], ["-p", "-f"], ["-p", "extra"]):
        res = queue.postqueue(*args, check=False)
        assert res.returncode == 69
        assert res.stderr.endswith(
            "postqueue: fatal: usage: postqueue -f | postqueue -i queueid | "
            "postqueue -j | postqueue -p | postqueue -s site\n")
