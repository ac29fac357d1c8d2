"""System tests for the delivery status service (src/bounce/).

A real master runs cleanup, trivial-rewrite, postlogd and the bounce
program under its three names (bounce, defer, trace), and no qmgr, so
every notice stays in incoming/ to be read. Each test queues a message
through cleanup (the protocol of test_cleanup.py), moves the queue file
to active/ as qmgr would, then speaks the delivery status protocol from
Python, as agents and qmgr do (docs/bounce.md): appends (nrequest 0),
flushes (1), delay warnings (2) and trace reports (5).

The expected log file bytes, request and reply bytes, notice headers and
delivery-status fields are what Debian's Postfix 3.7 produced for the
same requests (docs/bounce.md); notices are read back with Python's
email package, as a mail client would.
"""
import difflib
import email
import email.policy
import os
import re
import subprocess

import pytest

from attrproto import AttrStream
from conftest import BIN, IS_ROOT, Instance, queue_file_complete, wait_for
from postfix_peer import HAVE_POSTFIX, PostfixPeer
from test_cleanup import Cleanup, envelope
from test_master import POSTLOG, wait_log, wait_log_count
from queuefile import content_text, read_records, record, sections

MASTER_CF = (POSTLOG
             + "cleanup unix n - n - 0 cleanup\n"
             + "rewrite unix - - n - - trivial-rewrite\n"
             + "bounce unix - - n - 0 bounce\n"
             + "defer unix - - n - 0 bounce\n"
             + "trace unix - - n - 0 bounce\n")

FAIL = "4294967295"                     # -1 as Postfix writes it
MESSAGE = (b"Subject: t1\nFrom: Sender <sender@example.org>\nTo: someone\n"
           b"Message-ID: <orig-1@example.org>\n\nhello\nworld\n")


def record_offsets(path):
    """(type, data, offset) of each record of a queue file."""
    out, pos = [], 0
    for rtype, data in read_records(path):
        out.append((rtype, data, pos))
        pos += len(record(rtype, data))
    return out


class StatusClient:
    """The queue directory of an instance, and the status services'
    protocol spoken to it (Postern's or Postfix's)."""

    def __init__(self, queue_dir):
        self.q = queue_dir

    def offsets(self, qid):
        """recipient -> (record type, offset) in the active queue file."""
        return {data.decode(): (rtype, off) for rtype, data, off
                in record_offsets(self.q / "active" / qid) if rtype in "RD"}

    def incoming(self):
        return {p.name for p in (self.q / "incoming").rglob("*")
                if p.is_file()}

    def new_files(self, before):
        """Complete files in incoming/ that were not in before."""
        return sorted(n for n in self.incoming() - before
                      if queue_file_complete(self.q / "incoming" / n))

    def notice(self, qid):
        """(envelope records, parsed message) of a queued notice."""
        path = self.q / "incoming" / qid
        env, content, extra = sections(read_records(path))
        msg = email.message_from_bytes(content_text(content),
                                       policy=email.policy.default)
        return env, msg

    # --- the protocol --------------------------------------------------
    def request(self, service, pairs):
        """One request; the reply as a list of pairs."""
        conn = AttrStream(self.q / "private" / service)
        assert conn.recv() == [("protocol", "delivery_status_protocol")]
        conn.send(pairs)
        reply = conn.recv()
        conn.sock.close()
        return reply

    def append(self, service, qid, rcpt, offset, status="5.1.1",
               action="failed", reason="nope", orig=None, notify=0,
               dsn=("", "", "", ""), orcpt=None, flags=0):
        return self.request(service, [
            ("nrequest", 0), ("flags", flags), ("queue_id", qid),
            ("original_recipient", rcpt if orig is None else orig),
            ("recipient", rcpt), ("offset", offset),
            ("dsn_orig_rcpt", f"rfc822;{rcpt}" if orcpt is None else orcpt),
            ("notify_flags", notify), ("status", status),
            ("diag_type", dsn[0]), ("diag_text", dsn[1]),
            ("mta_type", dsn[2]), ("mta_mname", dsn[3]),
            ("action", action), ("reason", reason)])

    def notify(self, service, nrequest, qid, sender="sender@example.org",
               flags=0, envid="", ret=0, queue="active"):
        return self.request(service, [
            ("nrequest", nrequest), ("flags", flags), ("queue_name", queue),
            ("queue_id", qid), ("encoding", ""), ("smtputf8", 0),
            ("sender", sender), ("envelope_id", envid), ("ret_flags", ret)])


class Box(StatusClient):
    """An instance with cleanup and the status services."""

    def __init__(self, instance):
        super().__init__(instance.queue_dir)
        self.inst = instance

    def start(self, **params):
        params.setdefault("mydomain", "example.test")
        self.inst.write_config(MASTER_CF, **params)
        self.inst.start()

    def queue(self, sender="sender@example.org", recipients=("r1@x.test",),
              text=MESSAGE, extra=b""):
        """A message queued by cleanup and moved to active/; its id."""
        client = Cleanup(self.inst)
        status, reason = client.submit(
            envelope(sender=sender, recipients=recipients, extra=extra), text)
        assert (status, reason) == (0, "")
        qid = client.queue_id
        os.rename(self.q / "incoming" / qid, self.q / "active" / qid)
        return qid

    def bounce_all(self, qid, service="bounce", **kw):
        """Append a failure for every recipient of qid."""
        for rcpt, (_, off) in self.offsets(qid).items():
            assert self.append(service, qid, rcpt, off, **kw) == [
                ("status", "0")]

    def sent(self, qid, who="sender", words="non-delivery"):
        """The id of the notice the log says was sent about qid."""
        needle = f"{qid}: {who} {words} notification: "
        log = wait_log(self.inst, needle)
        return re.search(re.escape(needle) + r"(\w+)", log).group(1)


@pytest.fixture
def box(instance):
    return Box(instance)


def parts(msg):
    """The three parts of a notice, checked for the report form."""
    assert msg.get_content_type() == "multipart/report"
    assert msg.get_param("report-type") == "delivery-status"
    got = list(msg.iter_parts())
    assert [p.get_content_type() for p in got][:2] == [
        "text/plain", "message/delivery-status"]
    return got


def dsn_fields(part):
    """The per-message and per-recipient field groups of a report, folded
    values joined again with single spaces."""
    return [{name: " ".join(value.split()) for name, value in block.items()}
            for block in part.get_payload()]


def test_append_writes_postfix_log_bytes(box):
    """The bytes Postfix 3.7 wrote for the same appends, fsync'd before
    status 0; defer logs are hashed like deferred/, bounce and trace
    logs are flat; files are 0600."""
    box.start()
    qid = "4jhlxz3VH0z1bcTg"
    assert box.append("bounce", qid, "nosuch@mx.example.test", 242,
                      orig="nosuch", reason='unknown user: "nosuch"') == [
        ("status", "0")]
    reason = ("host 127.0.0.1[127.0.0.1] said: 550 5.1.1 <user> no such "
              "user here (in reply to RCPT TO command)")
    assert box.append("bounce", qid, "hard@rej.test", 317, reason=reason,
                      dsn=("smtp", "550 5.1.1 <user> no such user here",
                           "dns", "127.0.0.1")) == [("status", "0")]
    path = box.q / "bounce" / qid
    assert path.read_bytes() == (
        b'\n<nosuch@mx.example.test>: unknown user: "nosuch"\n'
        b"recipient=nosuch@mx.example.test\noriginal_recipient=nosuch\n"
        b"offset=242\ndsn_orig_rcpt=rfc822;nosuch@mx.example.test\n"
        b'status=5.1.1\naction=failed\nreason=unknown user: "nosuch"\n\n'
        b"\n<hard@rej.test>: " + reason.encode() + b"\n"
        b"recipient=hard@rej.test\noffset=317\n"
        b"dsn_orig_rcpt=rfc822;hard@rej.test\nstatus=5.1.1\naction=failed\n"
        b"diag_type=smtp\ndiag_text=550 5.1.1 <user> no such user here\n"
        b"mta_type=dns\nmta_mname=127.0.0.1\nreason=" + reason.encode()
        + b"\n\n")
    assert path.stat().st_mode & 0o777 == 0o600
    assert box.append("defer", qid, "x@closed.test", 240, "4.4.1", "delayed",
                      "connect to 127.0.0.1[127.0.0.1]:1: Connection refused",
                      notify=2) == [("status", "0")]
    hashed = list((box.q / "defer").rglob(qid))
    assert len(hashed) == 1 and hashed[0].parent.parent == box.q / "defer"
    assert hashed[0].read_bytes() == (
        b"\n<x@closed.test>: connect to 127.0.0.1[127.0.0.1]:1: Connection "
        b"refused\nrecipient=x@closed.test\noffset=240\n"
        b"dsn_orig_rcpt=rfc822;x@closed.test\nnotify_flags=2\nstatus=4.4.1\n"
        b"action=delayed\nreason=connect to 127.0.0.1[127.0.0.1]:1: "
        b"Connection refused\n\n")
    assert box.append("trace", qid, "a\tb@x.test", 260, "2.0.0", "delivered",
                      "line\nbreak") == [("status", "0")]
    assert (box.q / "trace" / qid).read_bytes() == (
        b"\n<a?b@x.test>: line?break\nrecipient=a?b@x.test\noffset=260\n"
        b"dsn_orig_rcpt=rfc822;a?b@x.test\nstatus=2.0.0\naction=delivered\n"
        b"reason=line?break\n\n")


def test_requests_cannot_name_other_paths(box):
    """A queue id is a file name: anything else is refused, as Postfix
    refuses it, and nothing is written outside the log directories."""
    box.start()
    for bad in ("../active/x", "a/b", "", "a.b", "x" * 41):
        assert box.append("bounce", bad, "r@x.test", 200) == [
            ("status", FAIL)]
        assert box.notify("bounce", 1, bad) == [("status", FAIL)]
    assert box.notify("bounce", 1, "ABCDE12345", queue="../etc") == [
        ("status", FAIL)]
    assert box.notify("bounce", 1, "ABCDE12345", queue="bounce") == [
        ("status", FAIL)]
    assert box.request("bounce", [("nrequest", 9)]) == [("status", FAIL)]
    log = wait_log(box.inst, "unknown command: 9")
    assert "warning: malformed queue id: ../active/x" in log
    assert "bad queue name: ../etc" in log
    assert list((box.q / "bounce").iterdir()) == []


def test_ndr_for_bounced_recipients(box):
    """A flush of bounce/ID: an RFC 3464 report to the sender with the
    observed header, report fields and the whole original; the log goes;
    the queue file is left alone (qmgr removes it)."""
    box.start()
    qid = box.queue(recipients=("nosuch@mx.example.test", "hard@rej.test"))
    offsets = box.offsets(qid)
    assert box.append("bounce", qid, "nosuch@mx.example.test",
                      offsets["nosuch@mx.example.test"][1], orig="nosuch",
                      reason='unknown user: "nosuch"') == [("status", "0")]
    assert box.append("bounce", qid, "hard@rej.test",
                      offsets["hard@rej.test"][1],
                      reason="host 127.0.0.1[127.0.0.1] said: 550 5.1.1 "
                      "<user> no such user here (in reply to RCPT TO "
                      "command)", dsn=("smtp", "550 5.1.1 <user> no such "
                                       "user here", "dns", "127.0.0.1")) == [
        ("status", "0")]
    assert box.notify("bounce", 1, qid) == [("status", "0")]
    new = box.sent(qid)
    assert not (box.q / "bounce" / qid).exists()
    assert box.offsets(qid) == offsets
    env, msg = box.notice(new)
    assert ("S", b"") in env
    assert ("R", b"sender@example.org") in env
    assert ("A", b"log_message_origin=local") in env
    assert msg["Subject"] == "Undelivered Mail Returned to Sender"
    assert msg["From"] == "Mail Delivery System <MAILER-DAEMON@mx.example.test>"
    assert msg["To"] == "sender@example.org"
    assert msg["Auto-Submitted"] == "auto-replied"
    assert msg.get_boundary().startswith(f"{qid}.")
    assert msg.get_boundary().endswith("/mx.example.test")
    text, report, original = parts(msg)
    assert "Content-Description: Notification" in str(text)
    body = text.get_content()
    assert ('<nosuch@mx.example.test> (expanded from <nosuch>): unknown user: '
            '"nosuch"\n') in body
    assert ("<hard@rej.test>: host 127.0.0.1[127.0.0.1] said: 550 5.1.1 "
            "<user> no such user\n    here (in reply to RCPT TO command)"
            in body)
    head, first, second = dsn_fields(report)
    assert head["Reporting-MTA"] == "dns; mx.example.test"
    assert head["X-Postfix-Queue-ID"] == qid
    assert head["X-Postfix-Sender"] == "rfc822; sender@example.org"
    assert "Arrival-Date" in head and "Original-Envelope-Id" not in head
    assert first == {
        "Final-Recipient": "rfc822; nosuch@mx.example.test",
        "Original-Recipient": "rfc822;nosuch@mx.example.test",
        "Action": "failed", "Status": "5.1.1",
        "Diagnostic-Code": 'X-Postfix; unknown user: "nosuch"'}
    assert second == {
        "Final-Recipient": "rfc822; hard@rej.test",
        "Original-Recipient": "rfc822;hard@rej.test",
        "Action": "failed", "Status": "5.1.1",
        "Remote-MTA": "dns; 127.0.0.1",
        "Diagnostic-Code": "smtp; 550 5.1.1 <user> no such user here"}
    assert original.get_content_type() == "message/rfc822"
    assert original["Content-Description"] == "Undelivered Message"
    inner = original.get_content()
    assert inner["Return-Path"] == "<sender@example.org>"
    assert inner["Message-ID"] == "<orig-1@example.org>"
    assert inner.get_content() == "hello\nworld\n"


def test_rejected_local_submission_is_returned(box):
    """pickup's request (CLEANUP_FLAG_BOUNCE) refused by header_checks:
    as Postfix 3.7, cleanup logs each recipient as bounced (relay=none,
    delays=D/0/0/0), the sender gets a notice with the rejection as the
    reason, pickup hears success, and the rejected file is gone."""
    table = box.inst.root / "hc"
    table.write_text("/^Subject: .*badword/ REJECT no bad words here\n")
    box.start(header_checks=f"regexp:{table}")
    client = Cleanup(box.inst)           # pickup's flags
    status, reason = client.submit(
        envelope(sender="pfbob@mx.example.test",
                 recipients=("someone@mx.example.test", "other@x.test")),
        b"Subject: this has badword\nFrom: pfbob@example.test\n\nbody\n")
    qid = client.queue_id
    assert (status, reason) == (0, "")
    log = wait_log(box.inst, f"{qid}: sender non-delivery notification: ")
    assert re.search(
        rf"cleanup\[\d+\]: {qid}: reject: header Subject: this has badword "
        rf"from local; from=<pfbob@mx.example.test> "
        rf"to=<other@x\.test>: 5\.7\.1 no bad words here", log)
    for rcpt in ("someone@mx.example.test", "other@x.test"):
        assert re.search(
            rf"cleanup\[\d+\]: {qid}: to=<{re.escape(rcpt)}>, relay=none, "
            rf"delay=[\d.]+, delays=[\d.]+/0/0/0, dsn=5\.7\.1, "
            rf"status=bounced \(no bad words here\)", log)
    assert qid not in box.incoming()
    assert not (box.q / "bounce" / qid).exists()
    env, msg = box.notice(box.sent(qid))
    assert ("R", b"pfbob@mx.example.test") in env
    text, report, original = parts(msg)
    assert ("<someone@mx.example.test>: no bad words here"
            in text.get_content())
    head, first, second = dsn_fields(report)
    assert head["X-Postfix-Queue-ID"] == qid
    assert first["Status"] == second["Status"] == "5.7.1"
    assert first["Action"] == "failed"
    assert first["Diagnostic-Code"] == "X-Postfix; no bad words here"
    assert "Subject: this has badword" not in original.as_string()


def test_ret_hdrs_envid_and_size_limit(box):
    """RET=HDRS, or a message above bounce_size_limit, returns only the
    header; ENVID comes back as Original-Envelope-Id."""
    box.start(bounce_size_limit=400)
    qid = box.queue()
    box.bounce_all(qid)
    assert box.notify("bounce", 1, qid, envid="envid123", ret=2) == [
        ("status", "0")]
    _, msg = box.notice(box.sent(qid))
    _, report, headers = parts(msg)
    assert dsn_fields(report)[0]["Original-Envelope-Id"] == "envid123"
    assert headers.get_content_type() == "text/rfc822-headers"
    assert headers["Content-Description"] == "Undelivered Message Headers"
    returned = headers.get_payload()
    assert "Subject: t1\n" in returned and "hello" not in returned
    big = box.queue(text=MESSAGE + b"x" * 400 + b"\n")
    box.bounce_all(big)
    assert box.notify("bounce", 1, big) == [("status", "0")]
    _, msg = box.notice(box.sent(big))
    assert parts(msg)[2].get_content_type() == "text/rfc822-headers"


def test_expired_message_marks_recipients_done(box):
    """qmgr's flush of defer/ID with flags 2 (maximal_queue_lifetime
    passed): a report with the last temporary status, the logged
    recipients marked D in the queue file, the log removed."""
    box.start()
    qid = box.queue(recipients=("r1@x.test", "r2@x.test"))
    offsets = box.offsets(qid)
    reason = "connect to 127.0.0.1[127.0.0.1]:1: Connection refused"
    assert box.append("defer", qid, "r1@x.test", offsets["r1@x.test"][1],
                      "4.4.1", "delayed", reason) == [("status", "0")]
    assert box.notify("defer", 1, qid, flags=2) == [("status", "0")]
    _, msg = box.notice(box.sent(qid))
    text, report, _ = parts(msg)
    assert dsn_fields(report)[1] == {
        "Final-Recipient": "rfc822; r1@x.test",
        "Original-Recipient": "rfc822;r1@x.test",
        "Action": "failed", "Status": "4.4.1",
        "Diagnostic-Code": "X-Postfix; " + reason}
    assert ("Diagnostic-Code: X-Postfix; connect to 127.0.0.1[127.0.0.1]:1: "
            "Connection\n    refused\n") in report.as_string()
    after = box.offsets(qid)
    assert after["r1@x.test"] == ("D", offsets["r1@x.test"][1])
    assert after["r2@x.test"] == offsets["r2@x.test"]
    assert list((box.q / "defer").rglob(qid)) == []


def test_null_sender_gets_nothing(box):
    """A bounce of a bounce is never sent: the log goes, an expired
    message is still marked done, status 0."""
    box.start()
    qid = box.queue(sender="")
    box.bounce_all(qid)
    before = box.incoming()
    assert box.notify("bounce", 1, qid, sender="") == [("status", "0")]
    assert not (box.q / "bounce" / qid).exists()
    box.bounce_all(qid, service="defer", status="4.4.1", action="delayed")
    assert box.notify("defer", 1, qid, sender="", flags=2) == [
        ("status", "0")]
    assert {t for t, _ in box.offsets(qid).values()} == {"D"}
    assert box.incoming() == before
    assert "notification" not in box.inst.log_text()


def test_double_bounce_goes_to_postmaster(box):
    """notify_classes = 2bounce: an undeliverable bounce becomes a
    postmaster notice from double_bounce_sender, with the bounce; mail from
    double_bounce_sender itself gets nothing, so nothing loops."""
    box.start(notify_classes="2bounce, resource, software")
    qid = box.queue(sender="")
    box.bounce_all(qid)
    assert box.notify("bounce", 1, qid, sender="") == [("status", "0")]
    env, msg = box.notice(box.sent(qid, "postmaster"))
    assert ("S", b"double-bounce@mx.example.test") in env
    assert ("R", b"postmaster@mx.example.test") in env
    assert msg["Subject"] == "Postmaster Copy: Undelivered Mail"
    assert msg["Auto-Submitted"] == "auto-generated"
    text, report, headers = parts(msg)
    assert text.get_content().strip() == "<r1@x.test>: nope"
    assert (dsn_fields(report)[0]["X-Postfix-Sender"]
            == "rfc822; MAILER-DAEMON@mx.example.test")
    assert headers.get_content_type() == "message/rfc822"
    loop = box.queue(sender="double-bounce@mx.example.test")
    box.bounce_all(loop)
    before = box.incoming()
    assert box.notify("bounce", 1, loop,
                      sender="double-bounce@mx.example.test") == [
        ("status", "0")]
    assert box.incoming() == before


def test_delay_warning_keeps_the_log(box):
    """nrequest 2 on defer: "Delayed Mail (still being retried)" with
    Action delayed and Will-Retry-Until, headers only; the log stays for
    the next attempt; notify_classes = delay adds a postmaster copy."""
    box.start(delay_warning_time="4h", notify_classes="delay")
    qid = box.queue()
    box.bounce_all(qid, service="defer", status="4.4.1", action="delayed",
                   reason="later", dsn=("smtp", "451 4.4.1 later", "dns",
                                        "mx.x.test"))
    assert box.notify("defer", 2, qid) == [("status", "0")]
    _, msg = box.notice(box.sent(qid, words="delay"))
    assert msg["Subject"] == "Delayed Mail (still being retried)"
    text, report, headers = parts(msg)
    assert "for more than 4 hours.\n" in text.get_content()
    fields = dsn_fields(report)[1]
    assert fields["Action"] == "delayed" and fields["Status"] == "4.4.1"
    assert fields["Remote-MTA"] == "dns; mx.x.test"
    assert fields["Diagnostic-Code"] == "smtp; 451 4.4.1 later"
    assert "Will-Retry-Until" in fields
    assert headers.get_content_type() == "text/rfc822-headers"
    _, copy = box.notice(box.sent(qid, "postmaster", "delay"))
    assert copy["Subject"] == "Postmaster Warning: Delayed Mail"
    assert len(list((box.q / "defer").rglob(qid))) == 1


def test_dsn_notify_never_and_delay(box):
    """Only recipients whose NOTIFY asked for it are reported: NEVER
    gives no notice at all (the log still goes)."""
    box.start()
    qid = box.queue(recipients=("a@x.test", "b@x.test"))
    offsets = box.offsets(qid)
    box.append("bounce", qid, "a@x.test", offsets["a@x.test"][1], notify=1)
    box.append("bounce", qid, "b@x.test", offsets["b@x.test"][1], notify=1)
    before = box.incoming()
    assert box.notify("bounce", 1, qid) == [("status", "0")]
    assert box.incoming() == before
    assert not (box.q / "bounce" / qid).exists()
    box.append("bounce", qid, "a@x.test", offsets["a@x.test"][1], notify=1)
    box.append("bounce", qid, "b@x.test", offsets["b@x.test"][1], notify=4)
    assert box.notify("bounce", 1, qid) == [("status", "0")]
    _, msg = box.notice(box.sent(qid))
    rcpts = [f["Final-Recipient"] for f in dsn_fields(parts(msg)[1])[1:]]
    assert rcpts == ["rfc822; b@x.test"]


def test_trace_reports(box):
    """nrequest 5 on trace: "Successful Mail Delivery Report" (NOTIFY=
    SUCCESS), or "Mail Delivery Status Report" for sendmail -bv (flags
    512); headers only; the trace log goes."""
    box.start()
    qid = box.queue()
    off = box.offsets(qid)["r1@x.test"][1]
    box.append("trace", qid, "r1@x.test", off, "2.0.0", "delivered",
               "delivery via local: delivered to mailbox", orig="r1",
               notify=2)
    assert box.notify("trace", 5, qid) == [("status", "0")]
    _, msg = box.notice(box.sent(qid, words="delivery status"))
    assert msg["Subject"] == "Successful Mail Delivery Report"
    text, report, headers = parts(msg)
    assert ("<r1@x.test> (expanded from <r1>): delivery via local: "
            "delivered to mailbox") in text.get_content()
    fields = dsn_fields(report)[1]
    assert fields["Action"] == "delivered" and fields["Status"] == "2.0.0"
    assert headers["Content-Description"] == "Message Headers"
    assert not (box.q / "trace" / qid).exists()
    box.append("trace", qid, "r1@x.test", off, "2.0.0", "deliverable",
               "delivery via local: delivers to maildir", flags=512)
    assert box.notify("trace", 5, qid, flags=512) == [("status", "0")]
    needle = qid + r": sender delivery status notification: (\w+)"
    wait_log_count(box.inst, needle, 2)
    ids = re.findall(needle, box.inst.log_text())
    assert len(ids) == 2
    _, msg = box.notice(ids[1])
    assert msg["Subject"] == "Mail Delivery Status Report"
    assert dsn_fields(parts(msg)[1])[1]["Action"] == "deliverable"


def test_damaged_log_and_missing_queue_file(box):
    """A damaged log never stops the report: bad records are skipped
    with a warning. When the queue file is gone, the report goes out
    without the original."""
    box.start()
    qid = box.queue()
    off = box.offsets(qid)["r1@x.test"][1]
    (box.q / "bounce" / qid).write_text(
        "garbage\n\nnonsense=1\n\nrecipient=r1@x.test\noffset=%d\n"
        "status=5.1.1\naction=failed\nreason=good one\n\n"
        "recipient=r2@x.test\noffset=12x\n\n" % off)
    assert box.notify("bounce", 1, qid) == [("status", "0")]
    _, msg = box.notice(box.sent(qid))
    fields = dsn_fields(parts(msg)[1])
    assert [f["Final-Recipient"] for f in fields[1:]] == ["rfc822; r1@x.test"]
    log = box.inst.log_text()
    assert f"warning: bounce/{qid}: damaged record, skipped" in log
    assert f"warning: bounce/{qid}: unknown attribute name: nonsense" in log
    gone = "ABCDEF12345"
    box.append("bounce", gone, "r9@x.test", 200)
    assert box.notify("bounce", 1, gone) == [("status", "0")]
    _, msg = box.notice(box.sent(gone))
    got = parts(msg)
    assert len(got) == 2
    assert "X-Postfix-Sender" not in dsn_fields(got[1])[0]


# --- side by side with Debian's Postfix 3.7 ---------------------------
#
# Both run pickup, cleanup, trivial-rewrite, postlogd and the status
# services, no qmgr. Each case submits the same message with each side's
# sendmail, sends the same appends (at the offsets of each side's queue
# file) and the same notice request, and compares: the replies, the log
# bytes, the queue file marks, and every notice record for record, after
# normalising what must differ: queue ids, times, dates, the size record,
# and the prose (the template text, the MIME preamble), which is
# Postern's own.

PARITY = {
    "myhostname": "mx.example.test", "mydomain": "example.test",
    "myorigin": "$myhostname", "enable_long_queue_ids": "no",
    "notify_classes": "bounce, 2bounce, delay", "bounce_size_limit": "1000",
}
PARITY_POSTFIX_CF = (
    "pickup    unix  n       -       n       60      1       pickup\n"
    "cleanup   unix  n       -       n       -       0       cleanup\n"
    "rewrite   unix  -       -       n       -       -       trivial-rewrite\n"
    "postlog   unix-dgram n  -       n       -       1       postlogd\n"
    "bounce    unix  -       -       n       -       0       bounce\n"
    "defer     unix  -       -       n       -       0       bounce\n"
    "trace     unix  -       -       n       -       0       bounce\n")
DATE = re.compile(rb"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [ \d]\d "
                  rb"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
                  rb"\d{4} \d\d:\d\d:\d\d [+-]\d{4} \([A-Za-z]+\)")
PARITY_MESSAGE = (b"Subject: parity\nFrom: Sender <sender@example.org>\n"
                  b"To: someone\n\nhello\nworld\n")


class ParitySide(StatusClient):
    """One side: its queue, its sendmail, its status services."""

    def __init__(self, name, queue_dir, sendmail, log_text):
        super().__init__(queue_dir)
        self.name = name
        self.sendmail = sendmail
        self.log_text = log_text

    def submit(self, args, message):
        """A message through sendmail, moved to active/; its id."""
        before = self.incoming()
        res = self.sendmail(args, message)
        assert res.returncode == 0, (self.name, res.stderr)
        qid = wait_for(lambda: self.new_files(before), what="the message")[0]
        os.rename(self.q / "incoming" / qid, self.q / "active" / qid)
        return qid

    def originals(self, qid):
        """recipient -> (original recipient, offset)"""
        out, orig = {}, None
        for rtype, data, off in record_offsets(self.q / "active" / qid):
            if rtype == "O":
                orig = data.decode()
            elif rtype == "R":
                out[data.decode()] = (orig, off)
                orig = None
        return out


def parity_notice(path, qid):
    """A notice as comparable lines: ids, times and prose replaced."""
    lines, prose = [], None
    for rtype, data in read_records(path):
        if rtype == "C":
            continue
        data = data.replace(qid.encode(), b"QUEUEID")
        data = data.replace(path.name.encode(), b"NOTICEID")
        data = re.sub(rb"QUEUEID\.\d+/", b"QUEUEID.TIME/", DATE.sub(
            b"DATE", data))
        data = re.sub(rb"<\d{14}\.(QUEUEID|NOTICEID)@", rb"<STAMP.\1@", data)
        if rtype == "T":
            data = b"SEC USEC"
        elif rtype == "A" and data.startswith(b"create_time="):
            data = b"create_time=TIME"
        text = data.decode("utf-8", "backslashreplace")
        if rtype == "N" and prose == "preamble" and text:
            text, prose = "PREAMBLE", None
        elif rtype == "N" and prose == "text":
            if text.startswith(("<", "--")):
                prose = None
            else:
                continue
        if rtype == "N" and text == "" and "header" not in lines:
            lines.append("header")
            prose = "preamble"
        elif text == "Content-Type: text/plain; charset=utf-8":
            prose = "notification"
        elif prose == "notification" and text == "":
            prose = "text"
            lines.append("N TEXT")
        lines.append(f"{rtype} {text}")
    return lines


def parity_run(side, case):
    """One case on one side: what must be equal on both."""
    qid = side.submit(case["args"], case.get("message", PARITY_MESSAGE))
    rcpts = side.originals(qid)
    replies, logs = [], []
    for service, rcpt, kw in case["appends"]:
        orig, off = rcpts[rcpt]
        replies.append(side.append(service, qid, rcpt, off, orig=orig, **kw))
    for path in sorted(p for service in {a[0] for a in case["appends"]}
                       for p in (side.q / service).rglob(qid)):
        text = path.read_bytes()
        for _, off in rcpts.values():
            text = text.replace(b"\noffset=%d\n" % off, b"\noffset=OFF\n")
        logs.extend(text.decode().split("\n"))
    service, nrequest, kw = case["request"]
    before = side.incoming()
    replies.append(side.notify(service, nrequest, qid, **kw))
    # The reply comes after cleanup has queued every notice.
    assert len(side.new_files(before)) == case["notices"], side.name
    notices = sorted(parity_notice(side.q / "incoming" / n, qid)
                     for n in side.new_files(before))
    marks = [t for t, _, _ in record_offsets(side.q / "active" / qid)
             if t in "RD"]
    left = sorted(re.sub(r"/./", "/H/", str(p.relative_to(side.q)))
                  .replace(qid, "QUEUEID")
                  for s in ("bounce", "defer", "trace")
                  for p in (side.q / s).rglob(qid))
    return {"replies": replies, "logs": logs, "notices": notices,
            "marks": marks, "logs left": left}


def bounce(rcpt, reason="nope", status="5.1.1", **kw):
    return ("bounce", rcpt, dict(status=status, reason=reason, **kw))


def defer(rcpt, reason="later", status="4.4.1", **kw):
    return ("defer", rcpt, dict(status=status, action="delayed",
                                reason=reason, **kw))


SMTP_550 = ("smtp", "550 5.1.1 <user> no such user here", "dns", "127.0.0.1")
LONG_REASON = ("host 127.0.0.1[127.0.0.1] said: 550 5.1.1 <user> no such user "
               "here (in reply to RCPT TO command)")
FOLD_RCPTS = [f"f{n}@x.test" for n in range(7)]
FOLD_REASONS = [
    ("a" * 62 + " c", {}),                              # 79 in the text
    ("a" * 63 + " c", {}),                              # 80
    ("z" * 70 + " " + "b" * 73 + " c", {}),             # continuation 79
    ("z" * 70 + " " + "b" * 74 + " c", {}),             # continuation 80
    ("A" * 100 + " tail end", {}),                      # a long word
    ("w" * 5 + "  " + "w" * 60 + "   tail", {}),        # runs of spaces
    ("see the diagnostic", dict(dsn=("smtp", "550 " + "d" * 46 + " tail "
                                     + "e" * 10, "dns", "mx.x.test"))),
]
PARITY_CASES = {
    "ndr": dict(
        args=["-f", "sender@example.org", "nosuch", "hard@rej.test"],
        appends=[bounce("nosuch@mx.example.test",
                        'unknown user: "nosuch"'),
                 bounce("hard@rej.test", LONG_REASON, dsn=SMTP_550)],
        request=("bounce", 1, {}), notices=2),
    "hdrs-envid": dict(
        args=["-f", "sender@example.org", "-V", "envid123", "-R", "hdrs",
              "r1@x.test"],
        appends=[bounce("r1@x.test", "x " + "B" * 90)],
        request=("bounce", 1, dict(envid="envid123", ret=2)), notices=2),
    "expired": dict(
        args=["-f", "sender@example.org", "r1@x.test", "r2@x.test"],
        appends=[defer("r1@x.test", "connect to 127.0.0.1[127.0.0.1]:1: "
                       "Connection refused")],
        request=("defer", 1, dict(flags=2)), notices=2),
    "delay": dict(
        args=["-f", "sender@example.org", "r1@x.test"],
        appends=[defer("r1@x.test", dsn=("smtp", "451 4.4.1 later", "dns",
                                         "mx.x.test"))],
        request=("defer", 2, {}), notices=2),
    "success": dict(
        args=["-f", "sender@example.org", "-N", "success", "r1"],
        appends=[("trace", "r1@mx.example.test",
                  dict(status="2.0.0", action="delivered", notify=2,
                       reason="delivery via local: delivered to mailbox"))],
        request=("trace", 5, {}), notices=1),
    "verify": dict(
        args=["-f", "sender@example.org", "r1@x.test"],
        appends=[("trace", "r1@x.test",
                  dict(status="2.0.0", action="deliverable", flags=512,
                       reason="delivery via local: delivers to maildir"))],
        request=("trace", 5, dict(flags=512)), notices=1),
    "double-bounce": dict(
        args=["-f", "<>", "r1@x.test"],
        appends=[bounce("r1@x.test")],
        request=("bounce", 1, dict(sender="")), notices=1),
    "folding": dict(
        args=["-f", "sender@example.org", *FOLD_RCPTS],
        appends=[bounce(rcpt, reason, **kw)
                 for rcpt, (reason, kw) in zip(FOLD_RCPTS, FOLD_REASONS)],
        request=("bounce", 1, {}), notices=2),
    "too-big": dict(
        args=["-f", "sender@example.org", "r1@x.test"],
        message=PARITY_MESSAGE + b"0123456789" * 100 + b"\n",
        appends=[bounce("r1@x.test", "tab\there, caf\u00e9\r\x1b")],
        request=("bounce", 1, {}), notices=2),
    "expired-without-log": dict(
        args=["-f", "sender@example.org", "r1@x.test"], appends=[],
        request=("defer", 1, dict(flags=2)), notices=2),
    "quoted": dict(
        args=["-f", "sender@example.org", '"sp ace"@x.test',
              '"a\\"b"@x.test', "r1@x.test"],
        appends=[bounce("sp ace@x.test"), bounce('a"b@x.test'),
                 defer("r1@x.test")],
        request=("bounce", 1, {}), notices=2),
    "notify-never": dict(
        args=["-f", "sender@example.org", "-N", "never", "r1@x.test"],
        appends=[bounce("r1@x.test", notify=1)],
        request=("bounce", 1, {}), notices=1),
}


@pytest.fixture(scope="module")
def parity_sides(tmp_path_factory):
    """Debian's Postfix and Postern, started once for these cases."""
    if not IS_ROOT or not HAVE_POSTFIX:
        pytest.skip("comparing with Postfix needs root and Postfix")
    root = tmp_path_factory.mktemp("bounce-parity")
    for parent in (root, *root.parents):
        if parent.name.startswith("pytest-") or parent == root:
            parent.chmod(parent.stat().st_mode | 0o111)
    peer = PostfixPeer(root / "postfix", PARITY_POSTFIX_CF)
    peer.write_config(**PARITY)
    (root / "postern").mkdir()
    inst = Instance(root / "postern")
    inst.write_config(MASTER_CF + "pickup unix n - n 60 1 pickup\n",
                      mail_name="Postfix", **PARITY)

    def postern_sendmail(args, message):
        return subprocess.run([str(BIN / "sendmail"), "-C",
                               str(inst.config_dir), *args], input=message,
                              capture_output=True, timeout=60)

    try:
        peer.start()
        inst.start()
        yield (ParitySide("Postfix", peer.queue_dir,
                          lambda a, m: peer.sendmail(*a, input=m),
                          peer.log_text),
               ParitySide("Postern", inst.queue_dir, postern_sendmail,
                          inst.log_text))
    finally:
        try:
            inst.stop()
        finally:
            peer.stop()


@pytest.mark.parametrize("name", list(PARITY_CASES))
def test_same_as_postfix(parity_sides, name):
    """The same requests give the same replies, logs, marks and notices
    (but for the prose) on Debian's Postfix 3.7 and on Postern."""
    postfix, postern = parity_sides
    want = parity_run(postfix, PARITY_CASES[name])
    got = parity_run(postern, PARITY_CASES[name])
    for key in want:
        if got[key] != want[key]:
            diff = difflib.unified_diff(
                [repr(x) for x in flat(want[key])],
                [repr(x) for x in flat(got[key])], "Postfix", "Postern",
                lineterm="")
            pytest.fail(f"{key} differ:\n" + "\n".join(diff))


def flat(value):
    """Nested lists as one list of lines."""
    if not isinstance(value, list):
        return [value]
    return [line for item in value for line in flat(item) + ["--"]]
