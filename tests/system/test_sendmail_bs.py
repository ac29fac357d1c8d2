"""sendmail -bs: the stand-alone SMTP server on standard input and output.

sendmail runs "$daemon_directory/smtpd -S"; unless it runs as mail_owner,
smtpd runs no restriction, refuses ETRN, and hands each message to
"postdrop -r", which puts it into maildrop. No master runs here. The
replies, log lines and records are those Debian's Postfix 3.7 gave for
the same session ("/usr/sbin/sendmail -C DIR -bs" as root, strace of
smtpd and postdrop; docs/smtpd.md, "Stand-alone mode").
"""
import os
import pwd
import re
import subprocess

import pytest

from conftest import BIN, IS_ROOT, LIBEXEC
from queuefile import read_records

needs_smtpd = pytest.mark.skipif(not (LIBEXEC / "smtpd").exists(),
                                 reason="no smtpd in the build")
needs_root = pytest.mark.skipif(not IS_ROOT, reason="needs root to switch "
                                "users")

SESSION = (b"EHLO client.example\r\n"
           b"MAIL FROM:<sender@example.test>\r\n"
           b"RCPT TO:<someone@elsewhere.example>\r\n"
           b"DATA\r\n"
           b"Subject: hi\r\n\r\nbody\r\n.\r\n"
           b"VRFY nosuchuser@mx.example.test\r\n"
           b"ETRN example.com\r\n"
           b"QUIT\r\n")

REPLIES = [
    "220 mx.example.test ESMTP Postern",
    "250-mx.example.test", "250-PIPELINING", "250-SIZE 10240000",
    "250-VRFY", "250-ETRN", "250-ENHANCEDSTATUSCODES", "250-8BITMIME",
    "250-DSN", "250-SMTPUTF8", "250 CHUNKING",
    "250 2.1.0 Ok", "250 2.1.5 Ok", "354 End data with <CR><LF>.<CR><LF>",
    "250 2.0.0 Ok: queued as ID",
    "252 2.0.0 nosuchuser@mx.example.test",
    "458 Unable to queue messages",
    "221 2.0.0 Bye",
]


class Bs:
    """A configuration and queue for sendmail -bs, no master."""

    def __init__(self, instance):
        self.inst = instance
        self.maildrop = instance.queue_dir / "maildrop"
        self.maildrop.mkdir(parents=True)
        self.maildrop.chmod(0o1777)            # any user's postdrop writes
        (instance.queue_dir / "public").mkdir()
        instance.config_dir.chmod(0o755)
        # Relaying is refused to everyone, so that only skipped
        # restrictions let the test's foreign recipient through.
        # Whoever runs the tests is not mail_owner here (as root the
        # instance's mail_owner is nobody already).
        if not IS_ROOT:
            instance.main["mail_owner"] = "nobody"
        instance.write_config(mynetworks="192.0.2.0/24",
                              smtpd_relay_restrictions="reject",
                              local_recipient_maps="",
                              alias_maps="")

    def run(self, data, user=None):
        argv = [str(BIN / "sendmail"), "-C", str(self.inst.config_dir), "-bs"]
        if user:
            gid = pwd.getpwnam(user).pw_gid
            argv = ["setpriv", f"--reuid={user}", f"--regid={gid}",
                    "--clear-groups", *argv]
        res = subprocess.run(argv, input=data, capture_output=True,
                             timeout=30)
        return res

    def files(self):
        return sorted(p for p in self.maildrop.iterdir() if p.is_file())

    def log(self, res):
        """The log lines, from maillog_file or (a user who may not write
        it) standard error."""
        return self.inst.log_text() + res.stderr.decode(errors="replace")


@pytest.fixture
def bs(instance):
    return Bs(instance)


def replies(res):
    text = res.stdout.decode()
    assert text.endswith("\r\n")
    return text[:-2].split("\r\n")


def queued_id(lines):
    ids = [m.group(1) for line in lines
           for m in [re.match(r"250 2\.0\.0 Ok: queued as (\S+)$", line)] if m]
    assert len(ids) == 1, lines
    return ids[0]


def check_session(bs, res):
    """The whole SESSION: replies, the maildrop file, the log."""
    lines = replies(res)
    qid = queued_id(lines)
    assert [line.replace(qid, "ID") for line in lines] == REPLIES
    files = bs.files()
    assert [p.name for p in files] == [qid]
    records = read_records(files[0])
    assert records[0][0] == "T"
    assert records[1:5] == [
        ("S", b"sender@example.test"),
        ("A", b"dsn_orig_rcpt=rfc822;someone@elsewhere.example"),
        ("R", b"someone@elsewhere.example"),
        ("M", b""),
    ]
    assert records[5] == ("N", b"Received: from client.example "
                          b"(localhost [127.0.0.1])")
    assert records[6] == ("N", b"\tby mx.example.test (Postern) with ESMTP "
                          b"id " + qid.encode())
    assert re.match(rb"\tfor <someone@elsewhere\.example>; \w{3}, [ \d]\d "
                    rb"\w{3} \d{4} \d\d:\d\d:\d\d [-+]\d{4} \(.+\)$",
                    records[7][1])
    assert records[8:] == [("N", b"Subject: hi"), ("N", b""),
                           ("N", b"body"), ("X", b""), ("E", b"")]
    log = bs.log(res)
    assert "postfix/smtpd[" in log
    assert "connect from localhost[127.0.0.1]" in log
    assert f"{qid}: client=localhost[127.0.0.1]" in log
    assert 'warning: do not use ETRN in "sendmail -bs" mode' in log
    assert ("disconnect from localhost[127.0.0.1] ehlo=1 mail=1 rcpt=1 "
            "data=1 vrfy=1 etrn=0/1 quit=1 commands=6/7") in log
    return qid


@needs_smtpd
def test_session_as_root(bs):
    """Root is not mail_owner: stand-alone, through postdrop."""
    res = bs.run(SESSION)
    assert res.returncode == 0, res.stderr
    check_session(bs, res)


@needs_smtpd
@needs_root
def test_session_as_user(bs):
    """An unprivileged user (not mail_owner): the same."""
    res = bs.run(SESSION, user="daemon")
    assert res.returncode == 0, res.stderr
    check_session(bs, res)
    assert bs.files()[0].stat().st_uid == 1        # daemon's postdrop


@needs_smtpd
@needs_root
def test_mail_owner_gets_restrictions(bs):
    """As mail_owner the restrictions run (and cleanup, not postdrop,
    would get the message), as in Postfix."""
    owner = bs.inst.main["mail_owner"]
    res = bs.run(b"HELO x\r\nMAIL FROM:<a@b>\r\n"
                 b"RCPT TO:<someone@elsewhere.example>\r\nQUIT\r\n",
                 user=owner)
    lines = replies(res)
    assert lines[2] == "250 2.1.0 Ok"
    assert lines[3].startswith("554 5.7.1 <someone@elsewhere.example>: ")
    assert lines[4] == "221 2.0.0 Bye"
    assert bs.files() == []


@needs_smtpd
def test_quit_ends_session(bs):
    res = bs.run(b"NOOP\r\nQUIT\r\nNOOP\r\n")
    assert replies(res) == ["220 mx.example.test ESMTP Postern",
                            "250 2.0.0 Ok", "221 2.0.0 Bye"]
    assert res.returncode == 0


@needs_smtpd
def test_etrn_syntax_before_refusal(bs):
    """ETRN's syntax errors come first; then the stand-alone refusal."""
    res = bs.run(b"ETRN\r\nETRN -bad-\r\nETRN @example.com\r\nQUIT\r\n")
    assert replies(res)[1:] == ["500 Syntax: ETRN domain",
                                "501 Error: invalid parameter syntax",
                                "458 Unable to queue messages",
                                "221 2.0.0 Bye"]


@needs_smtpd
def test_unfinished_message_is_dropped(bs):
    """Input that ends inside DATA leaves nothing in maildrop."""
    res = bs.run(b"HELO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n"
                 b"Subject: half\r\n")
    lines = replies(res)
    assert lines[-1] == "354 End data with <CR><LF>.<CR><LF>"
    assert bs.files() == []
    assert "lost connection after DATA (15 bytes) from localhost[127.0.0.1]" \
        in bs.log(res)


@needs_smtpd
def test_two_messages_rset_and_bdat(bs):
    """Each message gets its own postdrop; RSET drops an open one."""
    res = bs.run(b"EHLO x\r\n"
                 b"MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nRSET\r\n"
                 b"MAIL FROM:<a@b>\r\nRCPT TO:<c@d> NOTIFY=SUCCESS,FAILURE\r\n"
                 b"BDAT 9 LAST\r\nSubject:\n"
                 b"MAIL FROM:<>\r\nRCPT TO:<e@f>\r\nDATA\r\nx\r\n.\r\n"
                 b"QUIT\r\n")
    lines = replies(res)
    ids = [m.group(1) for line in lines
           for m in [re.match(r"250 2\.0\.0 Ok: queued as (\S+)$", line)] if m]
    assert len(ids) == 2
    assert [p.name for p in bs.files()] == sorted(ids)
    first = read_records(bs.maildrop / ids[0])
    assert ("A", b"notify_flags=6") in first
    assert [d for t, d in first if t == "R"] == [b"c@d"]
    assert ("N", b"Subject:") in first
    second = read_records(bs.maildrop / ids[1])
    assert ("S", b"") in second


@needs_smtpd
def test_postdrop_missing(bs):
    """No postdrop: a temporary error, nothing queued, the session goes
    on."""
    bs.inst.write_config(command_directory=str(bs.inst.root / "nowhere"),
                         daemon_directory=str(LIBEXEC))
    # sendmail itself is started by path; only smtpd looks for postdrop.
    res = bs.run(b"HELO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nQUIT\r\n")
    lines = replies(res)
    assert lines[3] == "451 4.3.0 Error: queue file write error"
    assert lines[4] == "221 2.0.0 Bye"
    assert bs.files() == []


@needs_smtpd
def test_bs_needs_authorized_user(bs):
    login = pwd.getpwuid(os.getuid()).pw_name
    bs.inst.write_config(authorized_submit_users=f"!{login}, static:all")
    res = bs.run(b"QUIT\r\n")
    assert res.returncode == 75
    assert b"is not allowed to submit mail" in res.stderr
    assert res.stdout == b""
