"""System tests for local(8) handing mail to other transports:
mailbox_transport, mailbox_transport_maps, fallback_transport,
fallback_transport_maps (src/global/deliver_pass.c, src/local/local_pass.c)
and mailbox_command_maps.

As in test_local.py, a real master runs cleanup, trivial-rewrite,
postlogd, the status services and local as root, plus the discard and
error agents (error also as "retry"), and the test plays qmgr. What is
asserted is what Debian's Postfix 3.7 did with the same settings
(observed under strace, docs/local.md "Other transports"): local logs
"QID: passing <ADDR> to transport=NAME" and sends the request again to
private/NAME with the next-hop of "NAME:NEXTHOP" and the one recipient,
its offset written "18446744073709551615"; the other agent logs the
recipient and records it (bounce and defer logs without an offset line)
but does not mark it; local marks its own recipient done when nothing
was deferred, and replies "deferred" otherwise. The tables are searched
with the user name, without the extension.
"""
import re
import socket
import threading

import pytest

from attrproto import AttrStream, encode
from conftest import IS_ROOT, wait_for
from test_agents import REPLY_DEFER, REPLY_OK
from test_local import (MASTER_CF, PEER_MASTER_CF, LocalBox, PeerLocal,
                        command_output, command_script, deliver, envelope,
                        line_re, users)  # noqa: F401 (a fixture)

pytestmark = pytest.mark.skipif(not IS_ROOT, reason="local(8) tests need "
                                "root to switch to the test users")

AGENTS_CF = (MASTER_CF
             + "discard unix - - n - - discard\n"
             + "error unix - - n - - error\n"
             + "retry unix - - n - - error\n")

OFFSET_NONE = "18446744073709551615"


@pytest.fixture
def box(instance, users):
    return LocalBox(instance, users)


def agent_re(agent, qid, rcpt, orig, dsn, status, reason):
    """The other agent's log line (relay=none for discard and error)."""
    orig_to = f", orig_to=<{re.escape(orig)}>" if orig else ""
    return re.compile(rf"postfix/{agent}\[\d+\]: {qid}: "
                      rf"to=<{re.escape(rcpt)}>{orig_to}, relay=none, "
                      rf"delay=[\d.]+, delays=[\d.]+/[\d.]+/0/[\d.]+, "
                      rf"dsn={re.escape(dsn)}, status={status} "
                      rf"\({re.escape(reason)}\)$", re.M)


def passing_re(qid, rcpt, transport):
    return re.compile(rf"postfix/local\[\d+\]: {qid}: passing "
                      rf"<{re.escape(rcpt)}> to transport={transport}$", re.M)


def wait_match(box, pattern):
    """Wait until the log has a line matching pattern; return the log."""
    try:
        return wait_for(lambda: pattern.search(box.log_text())
                        and box.log_text(), what=pattern.pattern)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n{box.log_text()}") from None


def test_mailbox_transport_discard(box):
    """mailbox_transport = discard:TEXT: local passes the recipient,
    discard logs it with local's orig_to and TEXT as reason, nothing is
    written to the mailbox, and local marks the recipient done."""
    a = box.users[0]
    box.start(master_cf=AGENTS_CF,
              mailbox_transport="discard:mbox discarded here")
    qid = box.queue([a])
    assert box.deliver(qid) == REPLY_OK
    rcpt = f"{a}@mx.example.test"
    log = wait_match(box, agent_re("discard", qid, rcpt, a, "2.0.0", "sent",
                                   "mbox discarded here"))
    assert passing_re(qid, rcpt, "discard").search(log)
    assert not re.search(rf"local\[\d+\]: {qid}: to=", log), log
    assert not (box.spool / a).exists()
    assert box.marks(qid) == "D"


@pytest.mark.parametrize("service,agent,dsn,status,log,action,reply,marks", [
    ("error:5.7.1 no mailboxes here", "error", "5.7.1", "bounced", "bounce",
     "failed", REPLY_OK, "D"),
    ("retry:4.2.1 no mailboxes here", "error", "4.2.1", "deferred", "defer",
     "delayed", REPLY_DEFER, "R"),
], ids=["error", "retry"])
def test_mailbox_transport_error_and_retry(box, service, agent, dsn, status,
                                           log, action, reply, marks):
    """error bounces: the recipient is done, the reply is OK; retry
    defers: local does not mark its recipient and replies "deferred".
    Either way the other agent records the result, without an offset
    line (Postfix's bytes)."""
    a = box.users[0]
    box.start(master_cf=AGENTS_CF, mailbox_transport=service)
    qid = box.queue([a])
    assert box.deliver(qid) == reply
    rcpt = f"{a}@mx.example.test"
    wait_match(box, agent_re(agent, qid, rcpt, a, dsn, status,
                             "no mailboxes here"))
    assert box.status_log(log, qid) == (
        f"\n<{rcpt}>: no mailboxes here\nrecipient={rcpt}\n"
        f"original_recipient={a}\ndsn_orig_rcpt=rfc822;{rcpt}\n"
        f"status={dsn}\naction={action}\nreason=no mailboxes here\n\n"
    ).encode()
    assert box.marks(qid) == marks


def test_fallback_transport_for_unknown_users(box):
    """fallback_transport takes names that are neither aliases nor
    passwd users; a passwd user still gets the mailbox; a transport
    without a next-hop gets the request's ("mx.example.test")."""
    a = box.users[0]
    box.start(master_cf=AGENTS_CF, fallback_transport="discard")
    qid = box.queue(["nosuch", a])
    assert box.deliver(qid) == REPLY_OK
    wait_match(box, agent_re("discard", qid, "nosuch@mx.example.test",
                             "nosuch", "2.0.0", "sent", "mx.example.test"))
    [line] = box.lines(qid, 1)
    assert line_re(qid, f"{a}@mx.example.test", a, "2.0.0", "sent",
                   "delivered to mailbox").search(line), line
    assert (box.spool / a).exists()
    assert box.marks(qid) == "DD"


def test_tables_are_searched_by_user(box):
    """mailbox_transport_maps (also for names not in the passwd file),
    fallback_transport_maps and mailbox_command_maps are searched with
    the user name without extension, folded; mailbox_transport_maps
    comes before mailbox_command."""
    a, b = box.users
    script = command_script(box)
    maps = box.root / "mtmap"
    maps.write_text(f"{a} discard:by user\n{a}+ext discard:by ext\n"
                    f"{a}@mx.example.test discard:by address\n"
                    "ghost discard:ghost mailbox\n")
    fmap = box.root / "ftmap"
    fmap.write_text("nosuch3 discard:by fallback map\n")
    cmap = box.root / "cmmap"
    cmap.write_text(f"{b} {script} from-map $EXTENSION\n")
    box.start(master_cf=AGENTS_CF, recipient_delimiter="+",
              mailbox_transport_maps=f"texthash:{maps}",
              fallback_transport_maps=f"texthash:{fmap}",
              fallback_transport="discard:fallback text",
              mailbox_command_maps=f"texthash:{cmap}",
              mailbox_command="/bin/false")
    rcpts = [f"{a.upper()}+Ext", "ghost", "nosuch3+x", "nosuch4", f"{b}+zz"]
    qid = box.queue(rcpts)
    assert box.deliver(qid) == REPLY_OK
    for rcpt, reason in ((f"{a.upper()}+Ext", "by user"),
                         ("ghost", "ghost mailbox"),
                         ("nosuch3+x", "by fallback map"),
                         ("nosuch4", "fallback text")):
        wait_match(box, agent_re("discard", qid, f"{rcpt}@mx.example.test",
                                 rcpt, "2.0.0", "sent", reason))
    [line] = box.lines(qid, 1)
    assert line_re(qid, f"{b}+zz@mx.example.test", f"{b}+zz", "2.0.0",
                   "sent", f"delivered to command: {script} from-map "
                   "$EXTENSION").search(line), line
    argv, ids, _, _, _ = command_output(box)
    uid, gid = box.pw(b).pw_uid, box.pw(b).pw_gid
    assert (argv, ids) == ("ARGV: from-map zz", f"ID: {uid} {gid} {gid}")
    assert box.marks(qid) == "DDDDD"


def test_alias_half_passed_half_deferred(box):
    """The reason for offset -1: an alias whose first member is passed
    (and delivered) and whose second is deferred leaves the recipient
    to be tried again; the other agent never marks local's recipient."""
    a, b = box.users
    maps = box.root / "mtmap"
    maps.write_text(f"{a} discard:done\n{b} retry:4.2.1 not yet\n")
    box.start(master_cf=AGENTS_CF, aliases=f"team: {a}, {b}\n",
              mailbox_transport_maps=f"texthash:{maps}")
    qid = box.queue(["team"])
    assert box.deliver(qid) == REPLY_DEFER
    wait_match(box, agent_re("discard", qid, f"{a}@mx.example.test", "team",
                             "2.0.0", "sent", "done"))
    wait_match(box, agent_re("error", qid, f"{b}@mx.example.test", "team",
                             "4.2.1", "deferred", "not yet"))
    assert box.marks(qid) == "R"


class FakeAgent:
    """A delivery agent played by the test on private/NAME: it greets,
    reads one request and sends reply."""

    def __init__(self, box, name, reply):
        path = box.q / "private" / name
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(str(path))
        path.chmod(0o666)
        self.listener.listen(1)
        self.listener.settimeout(20)
        self.reply = reply
        self.request = None
        self.thread = threading.Thread(target=self.serve)
        self.thread.start()

    def serve(self):
        conn, _ = self.listener.accept()
        stream = AttrStream.__new__(AttrStream)
        stream.sock, stream.buf = conn, b""
        conn.settimeout(20)
        conn.sendall(encode([("protocol", "delivery_request_protocol")]))
        message = stream.recv()
        count = int(dict(message)["recipient_count"])
        self.request = [message] + [stream.recv() for _ in range(count)]
        conn.sendall(self.reply)
        conn.close()

    def join(self):
        self.thread.join(30)
        self.listener.close()
        return self.request


@pytest.mark.parametrize("reply,want,marks", [
    (REPLY_OK, REPLY_OK, "D"), (REPLY_DEFER, REPLY_DEFER, "R")],
    ids=["done", "deferred"])
def test_request_bytes(box, reply, want, marks):
    """The request local sends is qmgr's, with the next-hop of the
    setting and one recipient whose offset is Postfix's unsigned -1; the
    reply decides the mark."""
    a = box.users[0]
    box.start(mailbox_transport="fake:unix:private/dovecot-lmtp")
    agent = FakeAgent(box, "fake", reply)
    qid = box.queue([a])
    _, offset, _, _ = box.envelope(qid)
    assert box.deliver(qid, notify=2) == want
    message, rcpt = agent.join()
    names = [n for n, _ in message]
    assert names == [
        "flags", "queue_name", "queue_id", "offset", "size", "nexthop",
        "encoding", "smtputf8", "sender", "envelope_id", "ret_flags",
        "time", "log_client_name", "log_client_address", "log_client_port",
        "log_protocol_name", "log_helo_name", "sasl_method", "sasl_username",
        "sasl_sender", "log_ident", "rewrite_context", "recipient_count"]
    fields = dict(message)
    assert (fields["flags"], fields["queue_name"], fields["queue_id"],
            fields["offset"], fields["nexthop"], fields["sender"],
            fields["recipient_count"]) == (
        "3", "active", qid, str(offset), "unix:private/dovecot-lmtp",
        "sender@example.org", "1")
    assert rcpt == [("original_recipient", a),
                    ("recipient", f"{a}@mx.example.test"),
                    ("offset", "18446744073709551615"),
                    ("dsn_orig_rcpt", f"rfc822;{a}@mx.example.test"),
                    ("notify_flags", "2")]
    assert box.marks(qid) == marks


def test_unreachable_and_looping_transports_defer(box):
    """A transport nobody serves defers at once (Postfix's local would
    retry for 100 s and exit); passing to local itself, or a malformed
    name, is a configuration error. Nothing is marked."""
    a, b = box.users
    maps = box.root / "mtmap"
    maps.write_text(f"{a} nosuch:x\n{b} local\nbad ../../x:y\n")
    box.start(master_cf=AGENTS_CF,
              mailbox_transport_maps=f"texthash:{maps}")
    qid = box.queue([a, b, "bad"])
    assert box.deliver(qid) == REPLY_DEFER
    lines = box.lines(qid, 3)
    for line, (rcpt, dsn, reason) in zip(lines, (
            (a, "4.3.0", "mail transport unavailable"),
            (b, "4.3.5", "mail system configuration error"),
            ("bad", "4.3.5", "mail system configuration error"))):
        assert line_re(qid, f"{rcpt}@mx.example.test", rcpt, dsn,
                       "deferred", reason).search(line), line
    log = box.log_text()
    assert f"warning: {qid}: connect to private/nosuch: " in log, log
    assert f"warning: {qid}: transport local for <{b}@mx.example.test> " \
        "is this delivery agent: mail would loop" in log
    assert f"warning: {qid}: malformed transport name in \"../../x:y\"" \
        in log
    assert box.marks(qid) == "RRR"


# --- Postern against Debian's Postfix ---
class PeerPass(PeerLocal):
    """Debian's Postfix with local, discard and error, and the settings
    of the parity test."""

    def __init__(self, root, users, settings):
        super().__init__(root, users)
        self.peer.base.update(settings)


def pass_outcome(side, rcpts):
    """One request through a side's local: whether the reply said done,
    the normalised log lines of local and the agents, the status logs,
    the marks."""
    start = len(side.log_text())
    qid = side.queue(rcpts)
    reply = deliver(side.q, qid)

    def lines():
        return [x[x.index("postfix/"):] for x in
                side.log_text()[start:].splitlines()
                if f"{qid}: " in x and re.search(
                    r"postfix/(local|discard|error)\[", x)]
    got = wait_for(lambda: sum("to=<" in x for x in lines()) >= len(rcpts)
                   and lines(), what="the agents' log lines")
    got = sorted(re.sub(r"delay=[\d.]+, delays=[\d./]+", "DELAYS",
                        re.sub(r"\[\d+\]", "[PID]", x.replace(qid, "QID")))
                 for x in got)
    logs = {kind: side.status_log(kind, qid) for kind in ("bounce", "defer")}
    marks = "".join(t for *_, t in envelope(side.q, qid)[3])
    return reply == REPLY_OK, got, logs, marks


def test_parity_with_postfix(tmp_path_factory, users):
    """mailbox_transport_maps (discard, error) and fallback_transport
    (retry) through Debian's local and Postern's: the same log lines of
    local and the agents, the same bounce and defer logs (no offset
    lines), the same marks. The replies differ in form only: Postfix's
    local answers "status 1" after a deferred hand-off, Postern's
    "4294967295" (docs/local.md)."""
    from conftest import Instance
    from postfix_peer import HAVE_POSTFIX
    if not HAVE_POSTFIX:
        pytest.skip("Postfix is not installed")
    root = tmp_path_factory.mktemp("passpeers")
    for path in (root, *root.parents):
        if path.name.startswith("pytest-") or path == root:
            path.chmod(path.stat().st_mode | 0o111)
    a, b = users
    (root / "mtmap").write_text(f"{a} discard:by map\n"
                                f"{b} error:5.7.1 no mailbox here\n")
    settings = {"mailbox_transport_maps": f"texthash:{root}/mtmap",
                "fallback_transport": "retry:4.2.1 try later"}
    (root / "postern").mkdir()
    (root / "postern").chmod(0o755)
    peer = PeerPass(root / "postfix", users, settings)
    (peer.peer.config_dir / "master.cf").write_text(PEER_MASTER_CF)
    postern = LocalBox(Instance(root / "postern"), users)
    try:
        peer.start(aliases="")
        postern.start(master_cf=AGENTS_CF, **settings)
        results = [pass_outcome(side, [a, b, "nosuch"])
                   for side in (peer, postern)]
    finally:
        try:
            postern.inst.stop()
        finally:
            peer.peer.stop()
    assert results[0] == results[1]
    assert results[1][0] is False and results[1][3] == "DDR"
