"""Mail intake end to end: sendmail -> postdrop -> maildrop -> pickup ->
cleanup -> incoming, with the real programs, as issue 4 asks. What the
queue file holds afterwards is what Debian's Postfix 3.7 wrote for the
same input (docs/cleanup.md)."""
import os
import pwd
import re
import subprocess

import pytest

from conftest import BIN, queue_file_complete, wait_for
from queuefile import content_text, read_records, sections
from test_master import POSTLOG

MASTER_CF = (POSTLOG
             + "pickup unix n - n 60 1 pickup\n"
             + "cleanup unix n - n - 0 cleanup\n"
             + "rewrite unix - - n - - trivial-rewrite\n")


class Intake:
    def __init__(self, instance):
        self.inst = instance
        instance.write_config(MASTER_CF, mydomain="example.test")

    def sendmail(self, *args, input=b""):
        res = subprocess.run([str(BIN / "sendmail"), "-C",
                              str(self.inst.config_dir), *args],
                             input=input, capture_output=True, timeout=120)
        assert res.returncode == 0, res.stderr
        return res

    def files(self, queue):
        root = self.inst.queue_dir / queue
        return sorted(p for p in root.rglob("*") if p.is_file()) \
            if root.exists() else []

    def wait_incoming(self, count=1):
        """The complete (0700) files in incoming, once there are count of
        them and pickup has removed its maildrop copies."""
        def done():
            ready = [p for p in self.files("incoming")
                     if queue_file_complete(p)]
            return (len(ready) == count and not self.files("maildrop")
                    and ready)
        return wait_for(done, timeout=30,
                        what=f"{count} complete file(s) in incoming")

    def message(self, path):
        env, content, extra = sections(read_records(path))
        head, _, body = content_text(content).partition(b"\n\n")
        return env, head.decode().split("\n"), body, extra


@pytest.fixture
def intake(instance):
    return Intake(instance)


def test_mail_waits_in_maildrop_then_reaches_incoming(intake):
    """sendmail while the system is stopped; start; the message arrives
    with pickup's Received: header and cleanup's added headers."""
    intake.inst.start()                 # creates the queue directories
    intake.inst.stop()
    intake.sendmail("-F", "Joe User", "bob",
                    input=b"Subject: hello\nX-Test: 1\n\nbody line\n")
    assert len(intake.files("maildrop")) == 1
    intake.inst.start()
    path = intake.wait_incoming()[0]
    assert intake.files("maildrop") == []
    qid = path.name
    env, head, body, _ = intake.message(path)
    login = pwd.getpwuid(os.getuid()).pw_name
    assert ("S", f"{login}@mx.example.test".encode()) in env
    assert ("R", b"bob@mx.example.test") in env
    assert re.fullmatch(r"Received: by mx\.example\.test \(Postern, from "
                        r"userid \d+\)", head[0])
    assert re.fullmatch(rf"\tid {qid}; \w\w\w, [ \d]\d \w\w\w \d{{4}} "
                        r"\d\d:\d\d:\d\d [+-]\d{4} \(\w+\)", head[1])
    assert head[2:4] == ["Subject: hello", "X-Test: 1"]
    assert head[4].startswith("Message-Id: <")
    assert head[5].startswith("Date: ")
    assert head[6].startswith("From: Joe User <") and head[6].endswith(
        "@mx.example.test>")
    assert body == b"body line\n"
    log = intake.inst.wait_log(f"{qid}: message-id=<")
    assert re.search(rf"pickup\[\d+\]: {qid}: uid=\d+ from=<", log)


def test_sendmail_t_with_to_cc_bcc(intake):
    intake.inst.start()
    intake.sendmail("-t", input=b"To: a@example.org\nCc: c@example.org\n"
                    b"Bcc: hidden@example.org\nSubject: t\n\nb\n")
    env, head, _, extra = intake.message(intake.wait_incoming()[0])
    assert sorted(d for t, d in extra if t == "R") == [
        b"a@example.org", b"c@example.org", b"hidden@example.org"]
    assert "To: a@example.org" in head and "Cc: c@example.org" in head
    assert not any(h.lower().startswith("bcc:") for h in head)


def test_big_message_with_long_lines_byte_for_byte(intake):
    """5 MB with 2000-byte lines: nothing lost or changed but the headers
    that pickup and cleanup add."""
    intake.inst.write_config(message_size_limit=20000000)
    intake.inst.start()
    body = b"".join((b"%05d" % i) + b"y" * 1994 + b"\n" for i in range(2600))
    intake.sendmail("bob", input=b"Subject: big\n\n" + body)
    path = intake.wait_incoming()[0]
    assert intake.message(path)[2] == body


def test_header_checks_rejection_is_kept_not_lost(intake, tmp_path):
    """A local message rejected by header_checks goes back to its sender
    through the bounce service; while that service cannot be reached the
    message stays in maildrop (pickup tries again) and the log says why.
    Nothing reaches incoming."""
    checks = tmp_path / "header_checks"
    checks.write_text("/^Subject: spam/ REJECT no spam please\n")
    intake.inst.write_config(header_checks=f"regexp:{checks}")
    intake.inst.start()
    intake.sendmail("bob", input=b"Subject: spam offer\n\nbody\n")
    log = intake.inst.wait_log("private/bounce")
    assert "reject: header Subject: spam offer from local; " \
        "from=<" in log
    assert ": 5.7.1 no spam please" in log
    assert intake.files("incoming") == []
    assert len(intake.files("maildrop")) == 1


def test_header_checks_rejection_is_returned(intake, tmp_path):
    """With the bounce service: the sender's notice is queued, the
    maildrop file and the rejected queue file are gone, and the recipient
    is logged as bounced, as Postfix 3.7 does."""
    checks = tmp_path / "header_checks"
    checks.write_text("/^Subject: spam/ REJECT no spam please\n")
    intake.inst.write_config(MASTER_CF + "bounce unix - - n - 0 bounce\n",
                             mydomain="example.test",
                             header_checks=f"regexp:{checks}")
    intake.inst.start()
    intake.sendmail("-f", "alice@example.test", "bob",
                    input=b"Subject: spam offer\n\nbody\n")
    log = intake.inst.wait_log("sender non-delivery notification: ")
    assert re.search(r"to=<bob@[^>]+>, orig_to=<bob>, relay=none, "
                     r"delay=[\d.]+, "
                     r"delays=[\d.]+/0/0/0, dsn=5\.7\.1, "
                     r"status=bounced \(no spam please\)", log)
    notice = intake.wait_incoming(1)[0]
    env, head, body, extra = intake.message(notice)
    assert ("R", b"alice@example.test") in env
    assert "Subject: Undelivered Mail Returned to Sender" in head
    assert b"no spam please" in body
