"""System tests for the local delivery agent (src/local/).

A real master runs cleanup, trivial-rewrite, postlogd, the delivery
status services (the bounce program as bounce, defer and trace) and
local as root ("local unix - n n - - local"), and no qmgr. Each test
queues a message through cleanup, moves the queue file to active/ as
qmgr does, and plays qmgr over private/local (delivery request protocol,
docs/protocols/delivery.md). Test users are made with useradd for the
module (root only; the tests skip otherwise), with homes under the
test's temporary directory.

What is asserted is what Debian's Postfix 3.7 local did with the same
deliveries (docs/local.md, ../notes/deliver-protocol.md section 7): the
mailbox and Maildir bytes, owners and modes, the log lines, the command
environment, forwarded messages as cleanup queues them, the bounce and
defer logs, the done marks and the reply. The parity tests at the end
run the same requests through Debian's local and compare the results.
"""
import os
import pwd
import re
import subprocess
import sys
import threading
import time

import pytest

from attrproto import AttrStream, encode
from conftest import IS_ROOT, LIBEXEC as BUILD_LIBEXEC, wait_for
from queuefile import content_text, read_records, record, sections
from test_cleanup import Cleanup
import test_agents
from test_agents import PEER_MASTER_CF as AGENTS_PEER_MASTER_CF
from test_agents import REPLY_DEFER, REPLY_OK, PeerSide, time_blob
from test_master import POSTLOG

pytestmark = pytest.mark.skipif(not IS_ROOT, reason="local(8) tests need "
                                "root to switch to the test users")

MASTER_CF = (POSTLOG
             + "cleanup unix n - n - 0 cleanup\n"
             + "rewrite unix - - n - - trivial-rewrite\n"
             + "local unix - n n - - local\n"
             + "bounce unix - - n - 0 bounce\n"
             + "defer unix - - n - 0 bounce\n"
             + "trace unix - - n - 0 bounce\n")


MESSAGE = (b"Subject: t1 local mbox\nFrom: Sender Person <sender@example.org>"
           b"\n\nhello mbox\nFrom the start of a line\n>From quoted\n"
           b".dot line\n")
FROM_LINE = re.compile(rb"From (\S+)  [A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d "
                       rb"\d\d:\d\d:\d\d \d{4}\n")


@pytest.fixture(scope="module")
def users(tmp_path_factory):
    """Two login users; their homes are made per test (home())."""
    root = tmp_path_factory.mktemp("users")
    names = []
    try:
        for tag in "ab":
            name = f"plt{os.getpid() % 100000}{tag}"
            subprocess.run(["useradd", "-M", "-d", str(root / name), "-s",
                            "/bin/sh", name], check=True,
                           capture_output=True)
            names.append(name)
        yield names
    finally:
        for name in names:
            subprocess.run(["userdel", name], capture_output=True)


def envelope(qdir, qid):
    """(size, offset, sender, [(orig, rcpt, offset, type)]) of
    active/QID."""
    rcpts, orig, pos, sender = [], "", 0, ""
    for rtype, data in read_records(qdir / "active" / qid):
        if rtype == "C":
            size, offset = map(int, data.split()[:2])
        elif rtype == "S":
            sender = data.decode()
        elif rtype == "O":
            orig = data.decode()
        elif rtype in "RD":
            rcpts.append((orig, data.decode(), pos, rtype))
            orig = ""
        pos += len(record(rtype, data))
    return size, offset, sender, rcpts


def request_bytes(qdir, qid, flags=3, notify=0):
    """qmgr's delivery request for active/QID, as bytes."""
    size, offset, sender, rcpts = envelope(qdir, qid)
    now = time.time_ns() // 1000
    data = encode([
        ("flags", flags), ("queue_name", "active"), ("queue_id", qid),
        ("offset", offset), ("size", size), ("nexthop", "mx.example.test"),
        ("encoding", ""), ("smtputf8", 0), ("sender", sender),
        ("envelope_id", ""), ("ret_flags", 0),
        ("time", time_blob(now - 2 * 10**6, now - 10**6)),
        ("log_client_name", ""), ("log_client_address", ""),
        ("log_client_port", ""), ("log_protocol_name", ""),
        ("log_helo_name", ""), ("sasl_method", ""), ("sasl_username", ""),
        ("sasl_sender", ""), ("log_ident", ""), ("rewrite_context", "local"),
        ("recipient_count", len(rcpts))])
    for orig, rcpt, pos, _ in rcpts:
        data += encode([("original_recipient", orig), ("recipient", rcpt),
                        ("offset", pos), ("dsn_orig_rcpt", "rfc822;" + rcpt),
                        ("notify_flags", notify)])
    return data


def send_request(conn, data):
    """Send a request on a greeted connection; the reply bytes (None:
    the agent hung up)."""
    conn.sock.sendall(data)
    try:
        reply = encode(conn.recv())
    except (EOFError, ConnectionResetError):
        reply = None
    conn.sock.close()
    return reply


def deliver(qdir, qid, flags=3, notify=0):
    """qmgr's part: one delivery request to qdir's private/local for
    active/QID; the reply bytes (None: the agent hung up)."""
    data = request_bytes(qdir, qid, flags, notify)
    conn = AttrStream(qdir / "private" / "local", timeout=60)
    conn.recv()
    return send_request(conn, data)


class LocalBox:
    """An instance with local, and qmgr's part played from here."""

    def __init__(self, instance, users):
        self.inst = instance
        self.root = instance.root
        self.q = instance.queue_dir
        self.users = users
        self.spool = self.root / "spool"
        self.out = self.root / "out"
        self.aliases = self.root / "aliases"

    # --- set-up --------------------------------------------------------
    def pw(self, user):
        return pwd.getpwnam(user)

    def home(self, user, mode=0o755):
        """Point the user's home into this test's directory; make it."""
        home = self.root / "home" / user
        home.mkdir(parents=True, exist_ok=True)
        subprocess.run(["usermod", "-d", str(home), user], check=True,
                       capture_output=True)
        os.chown(home, self.pw(user).pw_uid, self.pw(user).pw_gid)
        home.chmod(mode)
        return home

    def start(self, aliases="", master_cf=MASTER_CF, **params):
        for path in (self.spool, self.out):
            path.mkdir(exist_ok=True)
            path.chmod(0o1777)
        (self.root / "home").mkdir(exist_ok=True)
        for user in self.users:
            self.home(user)
        self.aliases.write_text(aliases)
        settings = {"mydomain": "example.test",
                    "mydestination": "$myhostname, localhost",
                    "alias_maps": f"lmdb:{self.aliases}",
                    "mail_spool_directory": str(self.spool),
                    "default_privs": "nobody"}
        settings.update(params)
        self.inst.write_config(master_cf, **settings)
        self.inst.cmd("postalias", f"lmdb:{self.aliases}")
        self.inst.start()

    # --- qmgr's part ---------------------------------------------------
    def queue(self, recipients, sender="sender@example.org", text=MESSAGE):
        """A message queued by cleanup and moved to active/; its id."""
        env = record("T", f"{int(time.time())} 123456")
        env += record("A", "rewrite_context=local") + record("S", sender)
        for rcpt in recipients:
            env += record("R", rcpt)
        client = Cleanup(self.inst)
        status, reason = client.submit(env, text)
        assert (status, reason) == (0, "")
        qid = client.queue_id
        os.rename(self.q / "incoming" / qid, self.q / "active" / qid)
        return qid

    def envelope(self, qid):
        return envelope(self.q, qid)

    def marks(self, qid):
        return "".join(t for *_, t in self.envelope(qid)[3])

    def deliver(self, qid, flags=3, notify=0):
        """One delivery request; the reply bytes (None: hung up)."""
        return deliver(self.q, qid, flags, notify)

    # --- what happened -------------------------------------------------
    def log_text(self):
        return self.inst.log_text()

    def lines(self, qid, count, what="local"):
        """Wait for count log lines of local about qid; return them."""
        def found():
            got = [x for x in self.inst.log_text().splitlines()
                   if f"postfix/{what}[" in x and f"{qid}: to=<" in x]
            return len(got) >= count and got
        try:
            return wait_for(found, what=f"{count} {what} lines for {qid}")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{self.inst.log_text()}") from None

    def status_log(self, kind, qid):
        found = [p for p in (self.q / kind).rglob(qid) if p.is_file()]
        return found[0].read_bytes() if found else None

    def incoming(self):
        """The queue files cleanup made (forwarded messages)."""
        return sorted(p for p in (self.q / "incoming").rglob("*")
                      if p.is_file())


def line_re(qid, rcpt, orig, dsn, status, reason):
    """A local log line, as Postfix 3.7 writes it."""
    orig_to = f", orig_to=<{re.escape(orig)}>" if orig else ""
    return re.compile(rf"postfix/local\[\d+\]: {qid}: to=<{re.escape(rcpt)}>"
                      rf"{orig_to}, relay=local, delay=[\d.]+, "
                      rf"delays=[\d.]+/[\d.]+/0/[\d.]+, dsn={re.escape(dsn)},"
                      rf" status={status} \({re.escape(reason)}\)$")


def assert_lines(lines, *patterns):
    """Each pattern matches one line, in order."""
    assert len(lines) == len(patterns), lines
    for line, pattern in zip(lines, patterns):
        assert pattern.search(line), (line, pattern.pattern)


def mbox_body(sender, orig, delivered):
    """The bytes after the From line of MESSAGE in an mbox."""
    return (f"Return-Path: <{sender}>\nX-Original-To: {orig}\n"
            f"Delivered-To: {delivered}\n").encode()


@pytest.fixture
def box(instance, users):
    return LocalBox(instance, users)


def queued_text(box, qid):
    """The message as cleanup queued it (headers it added included)."""
    _, content, _ = sections(read_records(box.q / "active" / qid))
    return content_text(content)


def mboxed(text):
    """text with ">From " quoting, as in an mbox."""
    return re.sub(rb"(?m)^From ", b">From ", text)


def test_mbox_delivery(box):
    """notes 7.2: the From line, the three headers, >From quoting, the
    trailing empty line; the file is the user's, 0600; no lock left."""
    user = box.users[0]
    box.start()
    qid = box.queue([user])
    text = queued_text(box, qid)
    assert box.deliver(qid) == REPLY_OK
    assert_lines(box.lines(qid, 1), line_re(
        qid, f"{user}@mx.example.test", user, "2.0.0", "sent",
        "delivered to mailbox"))
    mbox = box.spool / user
    data = mbox.read_bytes()
    match = FROM_LINE.match(data)
    assert match and match.group(1) == b"sender@example.org"
    assert data[match.end():] == (mbox_body("sender@example.org", user,
                                            f"{user}@mx.example.test")
                                  + mboxed(text) + b"\n")
    assert b"\n>From the start of a line\n>From quoted\n.dot line\n\n" in data
    st = mbox.stat()
    assert (st.st_uid, st.st_gid) == (box.pw(user).pw_uid,
                                      box.pw(user).pw_gid)
    assert st.st_mode & 0o7777 == 0o600
    assert not (box.spool / f"{user}.lock").exists()
    assert box.marks(qid) == "D"
    # A second message is appended after the first.
    qid2 = box.queue([user], sender="")
    assert box.deliver(qid2) == REPLY_OK
    second = mbox.read_bytes()[len(data):]
    assert second.startswith(b"From MAILER-DAEMON  ")
    assert b"\nReturn-Path: <>\n" in second


def test_maildir_delivery(box):
    """notes 7.3: tmp/ then new/ names, no From line or quoting, the
    directories made 0700 by the user."""
    user = box.users[1]
    box.start(home_mailbox="Maildir/")
    qid = box.queue([user])
    text = queued_text(box, qid)
    assert box.deliver(qid) == REPLY_OK
    assert_lines(box.lines(qid, 1), line_re(
        qid, f"{user}@mx.example.test", user, "2.0.0", "sent",
        "delivered to maildir"))
    maildir = box.root / "home" / user / "Maildir"
    assert sorted(os.listdir(maildir)) == ["cur", "new", "tmp"]
    assert os.listdir(maildir / "tmp") == []
    [name] = os.listdir(maildir / "new")
    host = os.uname().nodename.replace("/", "\\057").replace(":", "\\072")
    match = re.fullmatch(r"(\d+)\.V([0-9a-f]+)I([0-9a-f]+)M(\d+)\." +
                         re.escape(host), name)
    assert match and not match.group(4).startswith("0") or \
        match.group(4) == "0"
    st = (maildir / "new" / name).stat()
    assert int(match.group(2), 16) == st.st_dev
    assert int(match.group(3), 16) == st.st_ino
    assert abs(int(match.group(1)) - time.time()) < 60
    assert (maildir / "new" / name).read_bytes() == mbox_body(
        "sender@example.org", user, f"{user}@mx.example.test") + text
    for path in (maildir, maildir / "new", maildir / "tmp"):
        assert path.stat().st_mode & 0o7777 == 0o700
        assert path.stat().st_uid == box.pw(user).pw_uid
    assert st.st_mode & 0o7777 == 0o600
    assert box.marks(qid) == "D"


def test_spool_directory_with_slash_is_maildir(box):
    """mail_spool_directory ending in "/" means a Maildir per user,
    SPOOL/USER/new/... (postconf(5))."""
    user = box.users[0]
    box.start(mail_spool_directory=f"{box.spool}/")
    qid = box.queue([user])
    assert box.deliver(qid) == REPLY_OK
    assert_lines(box.lines(qid, 1), line_re(
        qid, f"{user}@mx.example.test", user, "2.0.0", "sent",
        "delivered to maildir"))
    assert len(os.listdir(box.spool / user / "new")) == 1
    assert not (box.spool / user).is_file()


def test_unknown_user_bounces(box):
    """5.1.1 unknown user: "name" (folded, no extension); the bounce log
    record; the recipient is done."""
    box.start(recipient_delimiter="+")
    qid = box.queue(["NoSuch+ext"])
    _, _, _, [(_, rcpt, offset, _)] = box.envelope(qid)
    assert box.deliver(qid) == REPLY_OK
    assert_lines(box.lines(qid, 1), line_re(
        qid, "NoSuch+ext@mx.example.test", "NoSuch+ext", "5.1.1", "bounced",
        'unknown user: "nosuch"'))
    assert box.status_log("bounce", qid) == (
        f'\n<NoSuch+ext@mx.example.test>: unknown user: "nosuch"\n'
        f"recipient=NoSuch+ext@mx.example.test\n"
        f"original_recipient=NoSuch+ext\noffset={offset}\n"
        f"dsn_orig_rcpt=rfc822;NoSuch+ext@mx.example.test\nstatus=5.1.1\n"
        f'action=failed\nreason=unknown user: "nosuch"\n\n').encode()
    assert box.marks(qid) == "D"


def test_delivered_to_loop(box):
    """A Delivered-To: header naming the recipient (in any case) bounces
    with 5.4.6; nothing is delivered."""
    user = box.users[0]
    box.start()
    qid = box.queue([user], text=b"Subject: loop\nDelivered-To: "
                    + f"{user.upper()}@MX.example.test".encode()
                    + b"\n\nbody\n")
    assert box.deliver(qid) == REPLY_OK
    assert_lines(box.lines(qid, 1), line_re(
        qid, f"{user}@mx.example.test", user, "5.4.6", "bounced",
        f"mail forwarding loop for {user}@mx.example.test"))
    assert not (box.spool / user).exists()


def test_case_and_extension(box):
    """The local part is folded for the lookup; the log keeps the case;
    X-Original-To and Delivered-To keep it too (observed)."""
    user = box.users[0]
    box.start(recipient_delimiter="+")
    qid = box.queue([f"{user.upper()}+Bar"])
    assert box.deliver(qid) == REPLY_OK
    rcpt = f"{user.upper()}+Bar@mx.example.test"
    assert_lines(box.lines(qid, 1), line_re(
        qid, rcpt, f"{user.upper()}+Bar", "2.0.0", "sent",
        "delivered to mailbox"))
    data = (box.spool / user).read_bytes()
    assert f"\nX-Original-To: {user.upper()}+Bar\nDelivered-To: {rcpt}\n" \
        .encode() in data


CMD_SCRIPT = """#!/bin/sh
out={out}/cmdout.$$
{{ echo "ARGV: $*"; echo "ID: $(id -u) $(id -g) $(id -G)"; echo "PWD: $(pwd)";
  env | sort | grep -v '^SHLVL=\\|^_='; echo STDIN:; cat; }} > $out
exit ${{EXITCODE:-0}}
"""


def command_script(box):
    """A command that writes its argv, ids, cwd, environment and input."""
    script = box.root / "cmd.sh"
    script.write_text(CMD_SCRIPT.format(out=box.out))
    script.chmod(0o755)
    return script


def command_output(box):
    """The one output file of command_script(), parsed."""
    [path] = box.out.glob("cmdout.*")
    text = path.read_text()
    head, _, stdin = text.partition("STDIN:\n")
    lines = head.splitlines()
    env = dict(x.split("=", 1) for x in lines[3:])
    return lines[0], lines[1], lines[2], env, stdin.encode()


def test_alias_list_in_process(box):
    """notes 7.4: an alias to two users is delivered here, one line per
    user with orig_to=<alias>; Delivered-To: stays the alias."""
    a, b = box.users
    box.start(aliases=f"team: {a}, {b}\n")
    qid = box.queue(["team"])
    assert box.deliver(qid) == REPLY_OK
    assert_lines(box.lines(qid, 2),
                 line_re(qid, f"{a}@mx.example.test", "team", "2.0.0", "sent",
                         "delivered to mailbox"),
                 line_re(qid, f"{b}@mx.example.test", "team", "2.0.0", "sent",
                         "delivered to mailbox"))
    for user in (a, b):
        data = (box.spool / user).read_bytes()
        assert mbox_body("sender@example.org", "team",
                         "team@mx.example.test") in data
        assert (box.spool / user).stat().st_uid == box.pw(user).pw_uid
    assert box.incoming() == []
    assert box.marks(qid) == "D"


def test_alias_file_and_command(box):
    """A /file in mbox form and a |command, both as default_privs (the
    alias table belongs to root); the command's environment, argv (shell
    form because of the quotes), working directory and input."""
    script = command_script(box)
    box.start(aliases=f"alfile: {box.out}/aliasfile.txt\n"
              f"alpipe: \"|{script} a1 'b 2'\"\n")
    qid = box.queue(["alfile", "alpipe"])
    text = queued_text(box, qid)
    assert box.deliver(qid) == REPLY_OK
    assert_lines(box.lines(qid, 2),
                 line_re(qid, "alfile@mx.example.test", "alfile", "2.0.0",
                         "sent", f"delivered to file: {box.out}/aliasfile.txt"),
                 line_re(qid, "alpipe@mx.example.test", "alpipe", "2.0.0",
                         "sent", f"delivered to command: {script} a1 'b 2'"))
    nobody = pwd.getpwnam("nobody")
    path = box.out / "aliasfile.txt"
    data = path.read_bytes()
    match = FROM_LINE.match(data)
    assert data[match.end():] == mbox_body(
        "sender@example.org", "alfile", "alfile@mx.example.test") \
        + mboxed(text) + b"\n"
    assert (path.stat().st_uid, path.stat().st_mode & 0o7777) == \
        (nobody.pw_uid, 0o600)
    argv, ids, cwd, env, stdin = command_output(box)
    assert argv == "ARGV: a1 b 2"
    assert ids == f"ID: {nobody.pw_uid} {nobody.pw_gid} {nobody.pw_gid}"
    assert cwd == f"PWD: {box.q}"
    assert env == {
        "DOMAIN": "mx.example.test", "LANG": "C", "LOCAL": "alpipe",
        "LOGNAME": "alpipe", "MAIL_CONFIG": str(box.inst.config_dir),
        "ORIGINAL_RECIPIENT": "alpipe", "PATH": "/usr/bin:/bin",
        "PWD": str(box.q), "RECIPIENT": "alpipe@mx.example.test",
        "SENDER": "sender@example.org", "USER": "alpipe"}
    match = FROM_LINE.match(stdin)
    assert stdin[match.end():] == mbox_body(
        "sender@example.org", "alpipe", "alpipe@mx.example.test") + text
    assert box.marks(qid) == "DD"


def test_command_exit_status(box):
    """sysexits.h words, output in the reason, the defer/bounce logs; a
    deferred recipient stays to do and the reply says so."""
    box.start(aliases='tmp: "|echo some output; echo more >&2; exit 75"\n'
              'nouser: "|exit 67"\n'
              'died: "|echo out; exit 13"\n')
    qid = box.queue(["tmp", "nouser", "died"])
    assert box.deliver(qid) == REPLY_DEFER
    assert_lines(
        box.lines(qid, 3),
        line_re(qid, "tmp@mx.example.test", "tmp", "4.3.0", "deferred",
                "temporary failure. Command output: some output more "),
        line_re(qid, "nouser@mx.example.test", "nouser", "5.1.1", "bounced",
                "user unknown"),
        line_re(qid, "died@mx.example.test", "died", "5.3.0", "bounced",
                'Command died with status 13: "echo out; exit 13". '
                "Command output: out "))
    assert b"\ndiag_type=x-unix\ndiag_text=some output more \n" in \
        box.status_log("defer", qid)
    assert box.marks(qid) == "RDD"


def test_restrictions_and_include(box):
    """:include: files may not name files or commands (default
    allow_mail_to_*); their addresses are forwarded as a new message.
    (Postfix logs the bounces first; Postern reports bounces when the
    recipient is finished, after the forwarding: docs/local.md.)"""
    a = box.users[0]
    incl = box.root / "incl.txt"
    incl.write_text(f"{a}\n/tmp/never\n\"|/bin/true\"\n")
    box.start(aliases=f"alincl: :include:{incl}\n")
    qid = box.queue(["alincl"])
    assert box.deliver(qid) == REPLY_OK
    lines = box.lines(qid, 3)
    [new] = box.incoming()
    assert_lines(lines,
                 line_re(qid, "alincl@mx.example.test", "alincl", "2.0.0",
                         "sent", f"forwarded as {new.name}"),
                 line_re(qid, "alincl@mx.example.test", "alincl", "5.7.1",
                         "bounced", "mail to file is restricted"),
                 line_re(qid, "alincl@mx.example.test", "alincl", "5.7.1",
                         "bounced", "mail to command is restricted"))
    assert not os.path.exists("/tmp/never")
    assert box.marks(qid) == "D"


def forwarded(box, path):
    """(sender, [(type, data)] of O/R/A records, content) of a queued
    forwarded message."""
    env, content, _ = sections(read_records(path))
    sender = next(d for t, d in env if t == "S").decode()
    rcpts = [(t, d.decode()) for t, d in env
             if t in "OR" or (t == "A" and d.startswith(b"dsn_orig_rcpt="))]
    return sender, rcpts, content_text(content)


def received_re(qid):
    """The Received: header local puts on a forwarded message."""
    return re.compile(rb"Received: by mx\.example\.test \(Postern\)\n\tid "
                      + re.escape(qid.encode())
                      + rb"; [A-Z][a-z]{2}, [ \d]\d [A-Z][a-z]{2} \d{4} "
                      rb"\d\d:\d\d:\d\d [+-]\d{4} \(\w+\)\n")


def test_forward_to_remote(box):
    """notes 7.4 and the observed cleanup exchange: a remote member of an
    alias is resubmitted through cleanup with the same content, a
    Received: and a Delivered-To: header; the local member is delivered
    here; "forwarded as ID" for the request recipient."""
    a = box.users[0]
    box.start(aliases=f"alremote: someone@remote.example, {a}\n")
    qid = box.queue(["alremote"])
    text = queued_text(box, qid)
    assert box.deliver(qid) == REPLY_OK
    [new] = box.incoming()
    assert_lines(box.lines(qid, 2),
                 line_re(qid, f"{a}@mx.example.test", "alremote", "2.0.0",
                         "sent", "delivered to mailbox"),
                 line_re(qid, "alremote@mx.example.test", "alremote",
                         "2.0.0", "sent", f"forwarded as {new.name}"))
    sender, rcpts, content = forwarded(box, new)
    assert sender == "sender@example.org"
    assert rcpts == [("A", "dsn_orig_rcpt=rfc822;alremote@mx.example.test"),
                     ("O", "alremote"), ("R", "someone@remote.example")]
    match = received_re(new.name).match(content)
    assert match
    assert content[match.end():] == \
        b"Delivered-To: alremote@mx.example.test\n" + text
    assert box.marks(qid) == "D"


def test_owner_alias(box):
    """owner-LIST: the expansion is forwarded as one message with sender
    owner-LIST@$myorigin and without the original recipient's DSN data;
    expand_owner_alias uses the owner's expansion instead."""
    a, b = box.users
    box.start(aliases=f"owner-list: {b}@elsewhere.example\n"
              f"list: {a}, {b}\n")
    qid = box.queue(["list"])
    assert box.deliver(qid) == REPLY_OK
    [new] = box.incoming()
    assert_lines(box.lines(qid, 1), line_re(
        qid, "list@mx.example.test", "list", "2.0.0", "sent",
        f"forwarded as {new.name}"))
    sender, rcpts, content = forwarded(box, new)
    assert sender == "owner-list@mx.example.test"
    # cleanup gives each recipient its own address as original
    # recipient: local sent no O or dsn_orig_rcpt for them.
    assert rcpts == [x for u in (a, b) for x in (
        ("A", f"dsn_orig_rcpt=rfc822;{u}@mx.example.test"),
        ("O", f"{u}@mx.example.test"), ("R", f"{u}@mx.example.test"))]
    assert b"\nDelivered-To: list@mx.example.test\n" in content
    assert not (box.spool / a).exists()


def test_dotforward(box):
    """notes 7.5: ~/.forward read as the user: the user's own name goes
    to the mailbox, a file and a command run as the user (HOME and SHELL
    in the environment), another user is forwarded."""
    a, b = box.users
    script = command_script(box)
    home = box.root / "home" / a
    box.start()
    forward = home / ".forward"
    forward.write_text(f"\\{a}, {home}/fwd.txt, \"|{script} fwd\", {b}\n")
    os.chown(forward, box.pw(a).pw_uid, box.pw(a).pw_gid)
    qid = box.queue([a])
    assert box.deliver(qid) == REPLY_OK
    [new] = box.incoming()
    rcpt = f"{a}@mx.example.test"
    assert_lines(box.lines(qid, 4),
                 line_re(qid, rcpt, a, "2.0.0", "sent", "delivered to mailbox"),
                 line_re(qid, rcpt, a, "2.0.0", "sent",
                         f"delivered to file: {home}/fwd.txt"),
                 line_re(qid, rcpt, a, "2.0.0", "sent",
                         f"delivered to command: {script} fwd"),
                 line_re(qid, rcpt, a, "2.0.0", "sent",
                         f"forwarded as {new.name}"))
    uid, gid = box.pw(a).pw_uid, box.pw(a).pw_gid
    assert (home / "fwd.txt").stat().st_uid == uid
    assert (home / "fwd.txt").stat().st_mode & 0o7777 == 0o600
    argv, ids, _, env, _ = command_output(box)
    assert (argv, ids) == ("ARGV: fwd", f"ID: {uid} {gid} {gid}")
    assert (env["HOME"], env["SHELL"], env["USER"], env["LOGNAME"]) == \
        (str(home), "/bin/sh", a, a)
    assert env["ORIGINAL_RECIPIENT"] == a
    sender, rcpts, _ = forwarded(box, new)
    assert rcpts == [("A", f"dsn_orig_rcpt=rfc822;{rcpt}"), ("O", a),
                     ("R", f"{b}@mx.example.test")]
    assert (box.spool / a).exists() and not (box.spool / b).exists()


def test_dotforward_checks(box):
    """A .forward that is a symbolic link or belongs to someone else is
    ignored (warning); an empty one means the mailbox; .forward+ext is
    used for an extension."""
    a, b = box.users
    home = box.root / "home" / a
    box.start(recipient_delimiter="+")
    (box.root / "elsewhere").write_text(f"{b}\n")
    (home / ".forward").symlink_to(box.root / "elsewhere")
    qid = box.queue([a])
    box.deliver(qid)
    box.lines(qid, 1)
    assert f"warning: file {home}/.forward is not a regular file" in \
        box.inst.log_text()
    (home / ".forward").unlink()
    (home / ".forward").write_text(f"{b}\n")       # owned by root: fine
    (home / ".forward+ext").write_text(f"{home}/ext.txt\n")
    os.chown(home / ".forward+ext", box.pw(b).pw_uid, -1)
    qid = box.queue([f"{a}+ext"])
    box.deliver(qid)
    box.lines(qid, 1)
    assert f"warning: file {home}/.forward+ext has bad owner uid " \
        f"{box.pw(b).pw_uid}" in box.inst.log_text()
    os.chown(home / ".forward+ext", box.pw(a).pw_uid, -1)
    qid = box.queue([f"{a}+ext"])
    box.deliver(qid)
    assert_lines(box.lines(qid, 1), line_re(
        qid, f"{a}+ext@mx.example.test", f"{a}+ext", "2.0.0", "sent",
        f"delivered to file: {home}/ext.txt"))
    (home / ".forward").write_text("# nothing\n")
    qid = box.queue([a])
    box.deliver(qid)
    assert_lines(box.lines(qid, 1), line_re(
        qid, f"{a}@mx.example.test", a, "2.0.0", "sent",
        "delivered to mailbox"))


def test_verify_reports_without_delivering(box):
    """sendmail -bv (flags 515): "deliverable (delivers to ...)" for each
    final destination, "forwards to ADDR" with to=<ADDR>, nothing
    written anywhere."""
    a, b = box.users
    box.start(aliases=f"al: {a}, {box.out}/f.txt, someone@remote.example\n"
              "alpipe: \"|/bin/true\"\n")
    qid = box.queue(["al", "alpipe", "nosuch"])
    assert box.deliver(qid, flags=515) == REPLY_OK
    lines = box.lines(qid, 5)
    assert_lines(
        lines,
        line_re(qid, f"{a}@mx.example.test", "al", "2.0.0", "deliverable",
                "delivers to mailbox"),
        line_re(qid, "al@mx.example.test", "al", "2.0.0", "deliverable",
                f"delivers to file: {box.out}/f.txt"),
        line_re(qid, "someone@remote.example", "al", "2.0.0", "deliverable",
                "forwards to someone@remote.example"),
        line_re(qid, "alpipe@mx.example.test", "alpipe", "2.0.0",
                "deliverable", "delivers to command: /bin/true"),
        line_re(qid, "nosuch@mx.example.test", "nosuch", "5.1.1",
                "undeliverable", 'unknown user: "nosuch"'))
    assert not (box.spool / a).exists() and not (box.out / "f.txt").exists()
    assert box.incoming() == []
    assert b"action=deliverable\nreason=delivery via local: delivers to " \
        b"mailbox\n" in box.status_log("trace", qid)


def test_luser_relay_and_mailbox_command(box):
    """luser_relay (expanded, delivered here as an alias would be) and
    mailbox_command (run as the user, no $name expansion: the shell sees
    $EXTENSION)."""
    a = box.users[0]
    script = command_script(box)
    box.start(recipient_delimiter="+", luser_relay=f"{a}+$user",
              mailbox_command=f"{script} mbx $EXTENSION")
    qid = box.queue(["nobody2+ext"])
    assert box.deliver(qid) == REPLY_OK
    assert_lines(box.lines(qid, 1), line_re(
        qid, f"{a}+nobody2@mx.example.test", "nobody2+ext", "2.0.0", "sent",
        f"delivered to command: {script} mbx $EXTENSION"))
    argv, ids, _, env, _ = command_output(box)
    uid, gid = box.pw(a).pw_uid, box.pw(a).pw_gid
    assert (argv, ids) == ("ARGV: mbx nobody2", f"ID: {uid} {gid} {gid}")
    assert (env["EXTENSION"], env["HOME"], env["LOCAL"]) == \
        ("nobody2", str(box.root / "home" / a), f"{a}+nobody2")


def test_mailbox_size_limit(box):
    """mailbox_size_limit is the file size limit: the delivery bounces
    with 5.2.2 and the mailbox is cut back to its old size."""
    a = box.users[0]
    box.start(mailbox_size_limit=1500, message_size_limit=1000)
    mbox = box.spool / a
    mbox.write_bytes(b"x" * 1200)
    os.chown(mbox, box.pw(a).pw_uid, box.pw(a).pw_gid)
    qid = box.queue([a])
    assert box.deliver(qid) == REPLY_OK
    assert_lines(box.lines(qid, 1), line_re(
        qid, f"{a}@mx.example.test", a, "5.2.2", "bounced",
        f"cannot update mailbox {mbox} for user {a}. error writing "
        "message: File too large"))
    assert mbox.read_bytes() == b"x" * 1200


def test_mailbox_ownership_and_locks(box):
    """strict_mailbox_ownership defers (4.2.0); a mailbox locked by a
    mail reader defers (4.2.0) once the lock attempts are used up; a
    mailbox that is a symbolic link is refused."""
    a, b = box.users
    box.start(deliver_lock_attempts=2, deliver_lock_delay="1s")
    mbox = box.spool / a
    mbox.write_bytes(b"")
    mbox.chmod(0o666)                   # writable, but not a's
    os.chown(mbox, box.pw(b).pw_uid, -1)
    qid = box.queue([a])
    assert box.deliver(qid) == REPLY_DEFER
    assert_lines(box.lines(qid, 1), line_re(
        qid, f"{a}@mx.example.test", a, "4.2.0", "deferred",
        f"cannot update mailbox {mbox} for user {a}. destination {mbox} "
        "is not owned by recipient"))
    assert 'warning: specify "strict_mailbox_ownership = no" to ignore ' \
        'mailbox ownership mismatch' in box.inst.log_text()
    assert box.marks(qid) == "R"
    os.chown(mbox, box.pw(a).pw_uid, -1)
    # The reader is a process of its own: a POSIX lock held here would
    # go whenever this process closed any descriptor of the file.
    reader = subprocess.Popen(
        [sys.executable, "-c", "import fcntl, sys\n"
         "fp = open(sys.argv[1], 'r+b')\nfcntl.lockf(fp, fcntl.LOCK_EX)\n"
         "print('locked', flush=True)\nsys.stdin.read()\n", str(mbox)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline() == "locked\n"
        qid = box.queue([a])
        start = time.monotonic()
        assert box.deliver(qid) == REPLY_DEFER
        assert time.monotonic() - start >= 1
    finally:
        reader.communicate("", timeout=30)
    assert_lines(box.lines(qid, 1), line_re(
        qid, f"{a}@mx.example.test", a, "4.2.0", "deferred",
        f"cannot update mailbox {mbox} for user {a}. unable to lock for "
        "exclusive access: Resource temporarily unavailable"))
    assert mbox.read_bytes() == b""
    mbox.unlink()
    mbox.symlink_to(box.root / "target")
    qid = box.queue([a])
    assert box.deliver(qid) == REPLY_OK
    assert "is a symbolic link" in box.lines(qid, 1)[0]
    assert not (box.root / "target").exists()


def test_concurrent_deliveries_never_interleave(box):
    """Four local processes append to one mbox at the same moment: each
    message is whole (the lock file and the fcntl lock). The overlap is
    made certain: four connections are greeted first (each greeting is a
    local process of its own, blocked reading its request), then the four
    requests go out together; each 600 KB message takes about 75 writes.
    Without the locks this test fails (checked by building local with
    mbox_open()'s locking removed: the messages interleave)."""
    a = box.users[0]
    big = b"Subject: big\n\n" + b"".join(b"line %06d of a long message\n" % i
                                         for i in range(20000))
    box.start()
    qids = [box.queue([a], text=big) for _ in range(4)]
    conns = []
    for _ in qids:
        conn = AttrStream(box.q / "private" / "local", timeout=60)
        conn.recv()
        conns.append(conn)
    requests = [request_bytes(box.q, qid) for qid in qids]
    start = threading.Barrier(len(conns))
    replies = []

    def run(conn, data):
        start.wait()
        replies.append(send_request(conn, data))
    threads = [threading.Thread(target=run, args=pair)
               for pair in zip(conns, requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert replies == [REPLY_OK] * 4
    pids = {re.search(r"local\[(\d+)\]", line).group(1)
            for qid in qids for line in box.lines(qid, 1)}
    assert len(pids) == 4
    data = (box.spool / a).read_bytes()
    messages = re.split(rb"(?m)^From sender@example\.org  ", data)[1:]
    assert len(messages) == 4
    for message in messages:
        body = message.split(b"\n\n", 1)[1]
        assert body == big.split(b"\n\n", 1)[1] + b"\n"


def test_mixed_bounce_and_defer(box):
    """One alias, a command that fails for good and one that must be
    tried again: the recipient is not marked done, the permanent failure
    is reported as a deferral with its text (docs/local.md), and the
    reply says defer."""
    box.start(aliases='mixed: "|exit 67", "|exit 75"\n')
    qid = box.queue(["mixed"])
    assert box.deliver(qid) == REPLY_DEFER
    assert_lines(box.lines(qid, 2),
                 line_re(qid, "mixed@mx.example.test", "mixed", "4.3.0",
                         "deferred", "temporary failure"),
                 line_re(qid, "mixed@mx.example.test", "mixed", "4.1.1",
                         "deferred", "user unknown"))
    assert box.marks(qid) == "R"
    assert box.status_log("bounce", qid) is None


def test_root_and_closed_spool(box):
    """Root's own mail goes to root's mailbox as root; with a spool
    directory that users may not write (Debian's /var/mail is 2775
    root:mail) the lock file and new mailbox are made as root and the
    mailbox is given to the user."""
    a = box.users[0]
    box.start()
    box.spool.chmod(0o2775)
    qid = box.queue(["root", a])
    assert box.deliver(qid) == REPLY_OK
    assert_lines(box.lines(qid, 2),
                 line_re(qid, "root@mx.example.test", "root", "2.0.0", "sent",
                         "delivered to mailbox"),
                 line_re(qid, f"{a}@mx.example.test", a, "2.0.0", "sent",
                         "delivered to mailbox"))
    assert (box.spool / "root").stat().st_uid == 0
    st = (box.spool / a).stat()
    assert (st.st_uid, st.st_gid, st.st_mode & 0o7777) == (
        box.pw(a).pw_uid, box.pw(a).pw_gid, 0o600)


# --- Postern against Debian's Postfix ---
PEER_MASTER_CF = (AGENTS_PEER_MASTER_CF
                  + "local     unix  -       n       n       -       -       local\n")


class PeerLocal(PeerSide):
    """Debian's Postfix with local, the same users and aliases."""

    def __init__(self, root, users):
        super().__init__(root)
        (self.peer.config_dir / "master.cf").write_text(PEER_MASTER_CF)
        self.root = root
        self.users = users
        self.spool = root / "spool"
        self.out = root / "out"

    def start(self, aliases):
        for path in (self.spool, self.out):
            path.mkdir(exist_ok=True)
            path.chmod(0o1777)
        (self.root / "aliases").write_text(aliases)
        self.peer.write_config(
            myhostname="mx.example.test", mydomain="example.test",
            mydestination="$myhostname, localhost",
            alias_maps=f"hash:{self.root}/aliases",
            alias_database=f"hash:{self.root}/aliases",
            mail_spool_directory=self.spool, default_privs="nobody",
            biff="no", local_recipient_maps="")
        subprocess.run(["/usr/sbin/postalias", "-c",
                        str(self.peer.config_dir), str(self.root / "aliases")],
                       check=True)
        super().start()

    def queue(self, recipients):
        """PeerSide's queue(), with this module's message (it has lines
        that an mbox quotes)."""
        saved, test_agents.MESSAGE = test_agents.MESSAGE, MESSAGE
        try:
            return super().queue(recipients)
        finally:
            test_agents.MESSAGE = saved


def envelope_part(data, text):
    """What local put around the queued text in a mailbox or command
    input, with the From line's date made neutral."""
    data = FROM_LINE.sub(lambda m: b"From " + m.group(1) + b"  DATE\n",
                         data, count=1)
    assert text in data
    head, _, tail = data.partition(text)
    return head, tail


def peer_outcome(side, qid, start, count):
    """The normalised local log lines of a request."""
    def lines():
        return [x[x.index("postfix/local["):]
                for x in side.log_text()[start:].splitlines()
                if "postfix/local[" in x and f"{qid}: to=<" in x]
    got = wait_for(lambda: len(lines()) >= count and lines(),
                   what="local's log lines")
    return [re.sub(r"delay=[\d.]+, delays=[\d./]+", "DELAYS",
                   re.sub(r"\[\d+\]", "[PID]", x.replace(qid, "QID")
                          .replace(str(side.root), "ROOT")))
            for x in got]


@pytest.fixture(scope="module")
def peers(tmp_path_factory, users):
    """Postfix and Postern, each with local, for the module."""
    from postfix_peer import HAVE_POSTFIX
    from conftest import Instance
    if not HAVE_POSTFIX:
        pytest.skip("Postfix is not installed")
    root = tmp_path_factory.mktemp("localpeers")
    for path in (root, *root.parents):
        if path.name.startswith("pytest-") or path == root:
            path.chmod(path.stat().st_mode | 0o111)
    (root / "postern").mkdir()
    (root / "postern").chmod(0o755)
    script = root / "cmd.sh"
    script.write_text(CMD_SCRIPT.format(out="$OUTDIR"))
    script.chmod(0o755)
    a, b = users
    sides = (PeerLocal(root / "postfix", users),
             LocalBox(Instance(root / "postern"), users))
    try:
        for side in sides:
            side.start(aliases=f"team: {a}, {b}\n"
                       f"alfile: {side.out}/aliasfile.txt\n"
                       f"alpipe: \"|OUTDIR={side.out} {script} x 'y z'\"\n"
                       "alfail: \"|echo 4.7.1 not now; exit 1\"\n")
        yield sides
    finally:
        try:
            sides[1].inst.stop()
        finally:
            sides[0].peer.stop()


def side_text(side, qid, quoted=True):
    """The queued message of a side, as an mbox or a command gets it."""
    _, content, _ = sections(read_records(side.q / "active" / qid))
    text = content_text(content)
    return mboxed(text) if quoted else text


@pytest.mark.parametrize("rcpts,lines", [
    (("USER0",), 1), (("team",), 2), (("alfile",), 1), (("nosuch",), 1),
    (("alfail",), 1)])
def test_parity_with_postfix(peers, rcpts, lines):
    """The same deliveries through Debian's local and Postern's: equal
    log lines, mailbox and file envelopes, status logs and done marks."""
    results = []
    for side in peers:
        users = side.users
        rcpt = [r.replace("USER0", users[0]) for r in rcpts]
        start = len(side.log_text())
        qid = side.queue(rcpt)
        text = side_text(side, qid)
        reply = deliver(side.q, qid)
        got = peer_outcome(side, qid, start, lines)
        files = {}
        for path in [side.spool / u for u in users] + [
                side.out / "aliasfile.txt"]:
            if path.exists():
                files[path.name] = envelope_part(path.read_bytes(), text)
                path.unlink()
        logs = {}
        for kind in ("bounce", "defer"):
            found = [p for p in (side.q / kind).rglob(qid) if p.is_file()]
            logs[kind] = found and re.sub(rb"offset=\d+", b"offset=N",
                                          found[0].read_bytes())
        marks = "".join(t for *_, t in envelope(side.q, qid)[3])
        results.append((reply, got, files, logs, marks))
    assert results[0] == results[1]


def test_parity_command(peers):
    """The command's environment and input envelope are Postfix's."""
    results = []
    for side in peers:
        for old in side.out.glob("cmdout.*"):
            old.unlink()
        start = len(side.log_text())
        qid = side.queue(["alpipe"])
        text = side_text(side, qid, quoted=False)
        assert deliver(side.q, qid) == REPLY_OK
        got = peer_outcome(side, qid, start, 1)
        argv, ids, cwd, env, stdin = command_output(side)
        for name in ("MAIL_CONFIG", "PWD", "OUTDIR"):
            env.pop(name, None)
        results.append((got, argv, ids, env,
                        envelope_part(stdin, text)))
    assert results[0] == results[1]


def test_more_destinations(box):
    """A /dir/ is a Maildir; ~/file in a .forward is in the home; an
    :include: in a .forward keeps the user's rights (and with "include"
    in allow_mail_to_files it may name files); /dev/null; the
    command_time_limit (a bounce, reported when the recipient is
    finished)."""
    a = box.users[0]
    home = box.root / "home" / a
    incl = box.root / "incl.txt"
    incl.write_text(f"{home}/from-include.txt\n")
    box.start(aliases=f"aldir: {box.out}/mdir/\nslow: \"|sleep 30\"\n"
              "devnull: /dev/null\n",
              allow_mail_to_files="alias, forward, include",
              command_time_limit="1s")
    (home / ".forward").write_text(f"~/tilde.txt, :include:{incl}\n")
    os.chown(home / ".forward", box.pw(a).pw_uid, -1)
    qid = box.queue(["aldir", a, "slow", "devnull"])
    assert box.deliver(qid) == REPLY_OK
    assert_lines(
        box.lines(qid, 5),
        line_re(qid, "aldir@mx.example.test", "aldir", "2.0.0", "sent",
                "delivered to maildir"),
        line_re(qid, f"{a}@mx.example.test", a, "2.0.0", "sent",
                f"delivered to file: {home}/tilde.txt"),
        line_re(qid, f"{a}@mx.example.test", a, "2.0.0", "sent",
                f"delivered to file: {home}/from-include.txt"),
        line_re(qid, "slow@mx.example.test", "slow", "5.3.0", "bounced",
                'Command time limit exceeded: "sleep 30"'),
        line_re(qid, "devnull@mx.example.test", "devnull", "2.0.0", "sent",
                "delivered to file: /dev/null"))
    [name] = os.listdir(box.out / "mdir" / "new")
    assert (box.out / "mdir" / "new" / name).stat().st_uid == \
        pwd.getpwnam("nobody").pw_uid
    for name in ("tilde.txt", "from-include.txt"):
        assert (home / name).stat().st_uid == box.pw(a).pw_uid
    assert box.marks(qid) == "DDDD"


@pytest.mark.skipif(not (BUILD_LIBEXEC / "qmgr").exists(),
                    reason="no qmgr in this build")
def test_end_to_end_with_qmgr(box):
    """sendmail -> pickup -> cleanup -> qmgr -> local: the message is in
    the mbox and the queue is empty."""
    a = box.users[0]
    box.start(master_cf=MASTER_CF + "pickup unix n - n 60 1 pickup\n"
              "qmgr unix n - n 300 1 qmgr\n")
    res = box.inst.cmd("sendmail", "-f", "sender@example.org", a,
                       input="Subject: e2e\n\nend to end\n")
    assert res.returncode == 0, res.stderr
    box.inst.wait_log(" removed")
    data = wait_for(lambda: (box.spool / a).exists()
                    and (box.spool / a).read_bytes())
    assert b"\nSubject: e2e\n" in data and data.endswith(b"end to end\n\n")
    assert re.search(rf"postfix/local\[\d+\]: \w+: to=<{a}@mx\.example\.test>"
                     rf", orig_to=<{a}>, relay=local, .* status=sent "
                     rf"\(delivered to mailbox\)", box.inst.log_text())
