"""System tests for postsuper (src/postsuper/): hold, release, delete,
requeue and expire, by queue id, from standard input and ALL; the
structure check and repair (-s, -S) and the purge of old temporary files
(-p); who may run it.

Messages come from the real intake (test_showq.Queue). Where Debian's
Postfix is installed and the tests run as root, its postsuper works on a
second copy of the same queue tree and both trees and both reports must
come out the same (queue ids that name inode numbers are compared by
their first five characters, the rest depends on the inode).
"""
import fcntl
import os
import re
import stat
import subprocess
import time

import pytest

from conftest import BIN, IS_ROOT, wait_for
from queuefile import read_records
from test_master import POSTLOG
from test_showq import (COMPARE, ENV, INTAKE, PICKUP, SHOWQ, Queue,
                        hash_dir, needs_postfix)

pytestmark = pytest.mark.skipif(not IS_ROOT, reason="postsuper needs root")

PF_POSTSUPER = "/usr/sbin/postsuper"


class Super(Queue):
    """A Queue with postsuper."""

    def postsuper(self, *args, check=True, input=None, binary=None,
                  config=None):
        argv = [binary or str(BIN / "postsuper"), "-c",
                str(config or self.inst.config_dir), *args]
        res = subprocess.run(argv, capture_output=True, text=True,
                             timeout=60, env=ENV, input=input)
        if check:
            assert res.returncode == 0, res.stderr
        return res

    def messages(self, count):
        """count messages in incoming (the intake, then stopped); ids"""
        self.inst.start()
        self.seen = set()
        ids = [self.intake(i, "-f", f"s{i}@example.org", f"r{i}@x.test")
               for i in range(count)]
        self.inst.stop()
        return ids

    def where(self, queue_id):
        """The queue-relative paths of files named queue_id."""
        return sorted(str(p.relative_to(self.q))
                      for p in self.q.rglob(queue_id))


@pytest.fixture
def sup(instance):
    return Super(instance)


def lines(*texts):
    return "".join(f"postsuper: {t}\n" for t in texts)


# --- hold, release, delete ------------------------------------------------
def test_hold_release_delete(sup):
    qid, other = sup.messages(2)
    sup.place(qid, "deferred")
    sup.defer_log(qid, [("r0@x.test", "later", 0)])
    h = hash_dir(qid)[0]
    sup.services(POSTLOG)               # for the log lines
    sup.inst.start()
    res = sup.postsuper("-h", qid)
    assert res.stderr == lines(f"{qid}: placed on hold",
                               "Placed on hold: 1 message")
    assert sup.where(qid) == [f"defer/{h}/{qid}", f"hold/{qid}"]
    res = sup.postsuper("-h", qid)
    assert res.stderr == lines("Placed on hold: 0 messages")
    res = sup.postsuper("-H", qid)
    assert res.stderr == lines(f"{qid}: released from hold",
                               "Released from hold: 1 message")
    assert sup.where(qid) == [f"defer/{h}/{qid}", f"deferred/{h}/{qid}"]
    res = sup.postsuper("-d", qid, "-d", "NOSUCH1", "-d", "bad/id")
    assert res.stderr == lines(f"{qid}: removed",
                               "warning: invalid mail queue id: bad/id",
                               "Deleted: 1 message")
    assert sup.where(qid) == []
    assert sup.where(other) == [f"incoming/{other}"]
    log = sup.inst.wait_log("Deleted: 1 message")
    assert re.search(rf"postfix/postsuper\[\d+\]: {qid}: removed\n", log)
    assert re.search(r"postfix/postsuper\[\d+\]: Deleted: 1 message\n", log)


def test_ids_from_stdin(sup):
    ids = sup.messages(3)
    res = sup.postsuper("-h", "-", input=f"{ids[0]}\n  {ids[1]}\n\n"
                        f"{ids[2]}")
    assert res.stderr == lines(f"{ids[0]}: placed on hold",
                               f"warning: invalid mail queue id:   {ids[1]}",
                               "warning: invalid mail queue id: ",
                               f"{ids[2]}: placed on hold",
                               "Placed on hold: 2 messages")


def test_all_and_queue_arguments(sup):
    ids = sup.messages(4)
    sup.place(ids[0], "deferred")
    sup.place(ids[1], "deferred")
    sup.place(ids[2], "active")
    res = sup.postsuper("-h", "ALL", "deferred")
    assert res.stderr == lines("Placed on hold: 2 messages")
    res = sup.postsuper("-H", "ALL")
    assert res.stderr == lines("Released from hold: 2 messages")
    res = sup.postsuper("-d", "ALL", "deferred", "active")
    assert res.stderr == lines("Deleted: 3 messages")
    assert sup.files("incoming") == [ids[3]]
    res = sup.postsuper("-d", "ALL", "nosuch", check=False)
    assert (res.returncode, res.stderr) == (
        1, "postsuper: fatal: invalid directory name: nosuch\n")
    assert sup.files("incoming") == [ids[3]]


def test_message_being_delivered(sup):
    """Postern: a message in active/ that an agent holds (shared lock,
    as deliver_request.c takes) is not pulled away."""
    qid, = sup.messages(1)
    path = sup.place(qid, "active")
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
        for op in ("-d", "-h", "-r"):
            res = sup.postsuper(op, qid)
            assert res.stderr.startswith(lines(
                f"warning: {qid}: the message is being delivered; try "
                "again later"))
            assert path.exists()
    finally:
        os.close(fd)
    res = sup.postsuper("-d", qid)
    assert res.stderr == lines(f"{qid}: removed", "Deleted: 1 message")


def test_expire(sup):
    """-e marks the file (group execute bit), showq shows '#'; -f also
    releases a message on hold."""
    a, b = sup.messages(2)
    sup.place(a, "deferred")
    sup.place(b, "hold")
    res = sup.postsuper("-e", a, "-e", b)
    assert res.stderr == lines(f"{a}: expired", f"{b}: expired",
                               "Force-expired: 2 messages")
    res = sup.postsuper("-e", a)
    assert res.stderr == lines("Force-expired: 0 messages")
    res = sup.postsuper("-f", b)
    assert res.stderr == lines(f"{b}: released from hold",
                               "Force-expired: 0 messages",
                               "Released from hold: 1 message")
    path = sup.q / "deferred" / hash_dir(b)[0] / b
    assert stat.S_IMODE(path.stat().st_mode) == 0o710
    sup.services(POSTLOG + SHOWQ)
    sup.inst.start()
    out = subprocess.run([str(BIN / "postqueue"), "-c",
                          str(sup.inst.config_dir), "-p"], env=ENV,
                         capture_output=True, text=True).stdout
    assert f"\n{a}#" in out and f"\n{b}#" in out


def test_requeue_moves_to_maildrop(sup):
    qid, = sup.messages(1)
    sup.place(qid, "deferred")
    path = sup.q / "deferred" / hash_dir(qid)[0] / qid
    os.utime(path, (1, 1))
    res = sup.postsuper("-r", qid)
    assert res.stderr == lines(f"{qid}: requeued", "Requeued: 1 message")
    moved = sup.q / "maildrop" / qid
    assert moved.exists() and time.time() - moved.stat().st_mtime < 60


def test_requeue_reruns_rewriting(sup):
    """-r ALL: pickup and cleanup handle the message again, with the
    canonical_maps of now."""
    qid, = sup.messages(1)
    sup.place(qid, "deferred")
    sup.params["recipient_canonical_maps"] = "inline:{r0@x.test=new@x.test}"
    sup.services(INTAKE)
    sup.postsuper("-r", "ALL")
    sup.inst.start()
    sup.seen = set()
    wait_for(lambda: sup.complete("incoming"), 8,
             what=f"the requeued message; log:\n{sup.inst.log_text()}")
    new, = sup.complete("incoming")
    rcpts = [d for t, d in read_records(sup.q / "incoming" / new) if t == "R"]
    assert rcpts == [b"new@x.test"]


# --- structure check and repair -----------------------------------------------
def test_structure_repair(sup):
    ids = sup.messages(4)
    # A file in the wrong hash directory.
    wrong = sup.place(ids[0], "deferred")
    misplaced = wrong.parent.parent / "Z" / ids[0]
    misplaced.parent.mkdir()
    os.chown(misplaced.parent, sup.owner, -1)
    wrong.rename(misplaced)
    # A hash directory in a queue that is not hashed.
    flat = sup.q / "incoming" / "0" / ids[3]
    flat.parent.mkdir()
    os.chown(flat.parent, sup.owner, -1)
    (sup.q / "incoming" / ids[3]).rename(flat)
    # A file (with a defer log) whose name does not hold its inode.
    renamed = sup.place(ids[1], "hold")
    sup.defer_log(ids[1], [("r1@x.test", "later", 0)])
    old = ids[1][:5] + "ABC"
    renamed.rename(renamed.parent / old)
    log = sup.q / "defer" / hash_dir(ids[1])[0] / ids[1]
    log.rename(log.parent / old)
    # A file others may read.
    (sup.q / "incoming" / ids[2]).chmod(0o744)
    res = sup.postsuper("-s")
    inode = (sup.q / "hold").iterdir().__next__().stat().st_ino
    new = "%s%X" % (ids[1][:5], inode)
    assert res.stderr == lines(
        f"warning: incoming/{ids[2]}: file mode was 0744, changed to 0700",
        "Renamed to match inode number: 1 message",
        "warning: QUEUE FILE NAMES WERE CHANGED TO MATCH INODE NUMBERS")
    assert sup.where(ids[0]) == [f"deferred/{hash_dir(ids[0])[0]}/{ids[0]}"]
    assert sup.where(new) == [f"defer/{new[0]}/{new}", f"hold/{new}"]
    assert sup.where(ids[3]) == [f"incoming/{ids[3]}"]
    assert not flat.parent.exists()
    assert stat.S_IMODE((sup.q / "incoming" / ids[2]).stat().st_mode) == 0o700


def test_purge(sup):
    sup.messages(1)
    incoming = sup.q / "incoming"
    for name, age in (("123456.789", 8), ("123457.789", 1)):
        path = incoming / name
        path.write_bytes(b"T")
        path.chmod(0o600)
        os.utime(path, (time.time() - age * 86400,) * 2)
    res = sup.postsuper("-p")
    assert res.stderr == lines("warning: bogus file name: "
                               "incoming/123457.789")
    assert not (incoming / "123456.789").exists()
    # Without options postsuper does -s and -p.
    res = sup.postsuper()
    assert res.stderr == lines("warning: bogus file name: "
                               "incoming/123457.789")


def test_user_and_usage(sup):
    res = subprocess.run(["setpriv", "--reuid=daemon", "--regid=daemon",
                          "--clear-groups", str(BIN / "postsuper"), "-c",
                          str(sup.inst.config_dir), "-d", "ALL"],
                         capture_output=True, text=True, env=ENV)
    assert (res.returncode, res.stderr) == (
        1, "postsuper: fatal: use of this command is reserved for the "
        "superuser\n")
    res = sup.postsuper("-x", check=False)
    assert res.returncode == 1
    assert "postsuper: fatal: usage: postsuper [-c config_dir]" in res.stderr


# --- the same as Postfix's postsuper --------------------------------------------
def plant(root, owner):
    """The same tree in two places: files in every queue, a defer log,
    a misplaced file, temporary files young and old."""
    files = {
        "deferred/A/A1234B": 0o700, "hold/B1234C": 0o700,
        "incoming/C1234D": 0o700, "active/D1234E": 0o700,
        "deferred/7/E1234F": 0o700, "maildrop/F1234A": 0o744,
        "incoming/123.456": 0o600, "hold/777.888": 0o600,
        "defer/A/A1234B": 0o600,
    }
    for q in ("maildrop", "incoming", "active", "deferred", "hold", "defer",
              "bounce", "trace", "flush"):
        (root / q).mkdir(parents=True, exist_ok=True)
    for name, mode in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"C\x00T\x00S\x00M\x00X\x00E\x00")
        path.chmod(mode)
    os.utime(root / "incoming/123.456", (time.time() - 9 * 86400,) * 2)
    for dirpath, dirs, names in os.walk(root):
        for n in dirs + names:
            os.chown(os.path.join(dirpath, n), owner, -1)
        os.chown(dirpath, owner, -1)


def tree(root):
    """Files and their modes, inode-numbered names cut to 5 characters."""
    out = []
    for dirpath, _, names in os.walk(root):
        for n in names:
            path = os.path.join(dirpath, n)
            rel = os.path.relpath(path, root)
            out.append((re.sub(r"([0-9A-F]{5})A[0-9A-F]{4,}", r"\1#", rel),
                        stat.S_IMODE(os.stat(path).st_mode)))
    return sorted(out)


@needs_postfix
@pytest.mark.parametrize("args", [
    ["-d", "A1234B", "-d", "B1234C", "-d", "NOPE"], ["-h", "A1234B"],
    ["-H", "B1234C"], ["-r", "A1234B"], ["-e", "A1234B", "-f", "B1234C"],
    ["-d", "ALL"], ["-d", "ALL", "deferred"], ["-h", "ALL"],
    ["-H", "ALL"], ["-r", "ALL"], ["-e", "ALL"], ["-f", "ALL"], ["-p"],
])
def test_same_as_postfix(sup, tmp_path, args):
    owner = sup.owner
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    plant(ours, owner)
    plant(theirs, owner)
    pf = tmp_path / "pf-etc"
    pf.mkdir()
    (pf / "main.cf").write_text(
        f"compatibility_level = 3.6\nqueue_directory = {theirs}\n"
        "mail_owner = postfix\nsetgid_group = postdrop\n"
        "enable_long_queue_ids = no\n")
    sup.params["queue_directory"] = str(ours)
    sup.services(POSTLOG)
    res_ours = sup.postsuper(*args)
    res_theirs = sup.postsuper(*args, binary=PF_POSTSUPER, config=pf)
    assert res_ours.stderr == res_theirs.stderr
    assert tree(ours) == tree(theirs)
