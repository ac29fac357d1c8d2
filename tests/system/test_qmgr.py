"""System tests for the queue manager (src/qmgr/, docs/qmgr.md) with the
real agents: mail enters through sendmail -> postdrop -> pickup ->
cleanup, qmgr hands it to discard, error ("error" bounces, "retry"
defers) and local, and bounce/defer/trace record the results. The log
lines and queue moves asserted here are those Debian's Postfix 3.7
produced for the same steps (/work/notes/deliver-protocol.md, summarised
in docs/qmgr.md)."""
import os
import re
import socket
import time

import pytest

from conftest import LIBEXEC, wait_for
from queuefile import encode_records, read_records
from test_intake import Intake
from test_master import POSTLOG, wait_log, wait_log_count

AGENTS = ("qmgr", "discard", "error", "bounce")
pytestmark = pytest.mark.skipif(
    not all((LIBEXEC / a).exists() for a in AGENTS),
    reason="qmgr and its agents are not all built")

MASTER_CF = (POSTLOG
             + "pickup unix n - n 60 1 pickup\n"
             + "cleanup unix n - n - 0 cleanup\n"
             + "qmgr unix n - n 300 1 qmgr\n"
             + "rewrite unix - - n - - trivial-rewrite\n"
             + "bounce unix - - n - 0 bounce\n"
             + "defer unix - - n - 0 bounce\n"
             + "trace unix - - n - 0 bounce\n"
             + "error unix - - n - - error\n"
             + "retry unix - - n - - error\n"
             + "discard unix - - n - - discard\n")

TRANSPORTS = ("disc.test discard:gone for good\n"
              "err.test error:5.7.1 nope from error\n"
              "later.test retry:4.4.1 try again later\n"
              "none.test nosuch:\n")

QID = r"[0-9A-Za-z]+"


class Mta(Intake):
    """An instance with qmgr and the agents; submission as in intake."""

    def __init__(self, instance, **params):
        super().__init__(instance)
        transport = instance.config_dir / "transport"
        transport.write_text(TRANSPORTS)
        settings = dict(mydomain="example.test",
                        transport_maps=f"texthash:{transport}",
                        minimal_backoff_time="300s",
                        maximal_backoff_time="4000s",
                        queue_run_delay="300s")
        settings.update(params)
        instance.write_config(MASTER_CF, **settings)

    def sendmail(self, *args, input=b"Subject: test\n\nbody\n"):
        return super().sendmail(*args, input=input)

    def queued(self):
        return {q: self.files(q) for q in
                ("maildrop", "incoming", "active", "deferred", "hold")}

    def wait_empty(self, timeout=20):
        return wait_for(lambda: not any(self.queued().values()), timeout,
                        what=f"an empty queue; log:\n{self.inst.log_text()}")

    def trigger(self, request):
        """Write request bytes and a NUL to public/qmgr, as postqueue -f."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.connect(str(self.inst.queue_dir / "public" / "qmgr"))
            sock.sendall(request + b"\0")


@pytest.fixture
def mta(instance):
    return Mta(instance)


def queue_id_of(log, recipient):
    match = re.search(rf"({QID}): to=<{re.escape(recipient)}>", log)
    assert match, log
    return match.group(1)


def test_discard_delivers_and_removes(mta):
    """discard: the agent logs sent with the nexthop text as reason; qmgr
    logs (queue active) and removed; the queue is empty."""
    mta.inst.start()
    mta.sendmail("-f", "sender@example.org", "x@disc.test")
    log = wait_log(mta.inst, ": removed")
    qid = queue_id_of(log, "x@disc.test")
    assert re.search(rf"qmgr\[\d+\]: {qid}: from=<sender@example.org>, "
                     rf"size=\d+, nrcpt=1 \(queue active\)", log), log
    assert re.search(rf"discard\[\d+\]: {qid}: to=<x@disc.test>, "
                     r"relay=none, delay=[0-9.]+, "
                     r"delays=[0-9.]+/[0-9.]+/[0-9.]+/[0-9.]+, dsn=2.0.0, "
                     r"status=sent \(gone for good\)", log), log
    mta.wait_empty()


def test_error_bounces_and_sender_gets_notice(mta):
    """error: status=bounced with the nexthop's code and text; the bounce
    service sends the non-delivery notice (a new message from <>); the
    original is removed."""
    mta.inst.start()
    mta.sendmail("-f", "owner@disc.test", "x@err.test")
    log = wait_log(mta.inst, "sender non-delivery notification")
    qid = queue_id_of(log, "x@err.test")
    assert re.search(rf"error\[\d+\]: {qid}: to=<x@err.test>, relay=none, "
                     r".*dsn=5.7.1, status=bounced \(nope from error\)",
                     log), log
    wait_log(mta.inst, f"{qid}: removed")
    # The notice goes to the sender, whose domain discards it.
    log = wait_log(mta.inst, "to=<owner@disc.test>")
    assert re.search(r"from=<>, size=\d+, nrcpt=1 \(queue active\)", log)
    mta.wait_empty()


def test_deferred_mail_waits_then_retries_on_trigger(mta):
    """retry: status=deferred; the file moves to deferred/ with its
    times set to the next retry (now + minimal_backoff_time for a new
    message), the defer log holds the reason; "FADI" brings it back at
    once (queue active logged again)."""
    mta.inst.start()
    before = time.time()
    mta.sendmail("-f", "owner@disc.test", "x@later.test")
    log = wait_log(mta.inst, "status=deferred")
    qid = queue_id_of(log, "x@later.test")
    assert re.search(rf"{qid}: to=<x@later.test>, relay=none, .*dsn=4.4.1, "
                     r"status=deferred \(try again later\)", log), log
    deferred = wait_for(lambda: mta.files("deferred"), what="deferred file")
    assert [p.name for p in deferred] == [qid]
    mtime = deferred[0].stat().st_mtime
    assert before + 300 - 2 <= mtime <= time.time() + 300 + 2
    defer_log = [p for p in mta.files("defer") if p.name == qid]
    assert defer_log and b"reason=try again later\n" in \
        defer_log[0].read_bytes()
    mta.trigger(b"FADI")
    wait_log_count(mta.inst, rf"{qid}: from=<owner@disc.test>.*queue active",
                   2)
    wait_log_count(mta.inst, rf"{qid}: to=<x@later.test>.*status=deferred",
                   2)


def test_expired_message_is_returned_and_removed(mta):
    """Past maximal_queue_lifetime a deferral ends the message: qmgr
    logs status=expired, the defer service returns it to the sender, and
    the file is removed."""
    mta.inst.write_config(maximal_queue_lifetime="0s")
    mta.inst.start()
    mta.sendmail("-f", "owner@disc.test", "x@later.test")
    log = wait_log(mta.inst, "status=expired, returned to sender")
    qid = queue_id_of(log, "x@later.test")
    assert re.search(rf"qmgr\[\d+\]: {qid}: from=<owner@disc.test>, "
                     r"status=expired, returned to sender", log), log
    wait_log(mta.inst, f"{qid}: removed")
    mta.wait_empty()


def test_unknown_transport_defers(mta):
    """A transport master.cf does not have: the recipient is deferred
    with "mail transport unavailable" and the message waits."""
    mta.inst.start()
    mta.sendmail("-f", "owner@disc.test", "x@none.test")
    log = wait_log(mta.inst, "status=deferred")
    assert re.search(r"to=<x@none.test>, relay=none, .*dsn=4.3.0, "
                     r"status=deferred \(mail transport unavailable\)", log)
    wait_for(lambda: mta.files("deferred"), what="deferred file")


def test_mixed_recipients_each_get_their_result(mta):
    """One message, three transports: sent, bounced and deferred are
    each logged once; the message stays deferred with only the deferred
    recipient left to do."""
    mta.inst.start()
    mta.sendmail("-f", "owner@disc.test", "a@disc.test", "b@err.test",
                 "c@later.test")
    log = wait_log(mta.inst, "to=<c@later.test>")
    wait_log(mta.inst, "to=<a@disc.test>")
    log = wait_log(mta.inst, "to=<b@err.test>")
    deferred = wait_for(lambda: mta.files("deferred"), what="deferred file")
    recs = read_records(deferred[0])
    kinds = {data.decode(): kind for kind, data in recs if kind in "RD"}
    assert kinds == {"a@disc.test": "D", "b@err.test": "D",
                     "c@later.test": "R"}, kinds


def test_crash_recovery_keeps_done_recipients_done(mta, tmp_path):
    """A file left in active/ (a crash) goes back through incoming/ when
    qmgr starts; a recipient already marked done is not delivered again."""
    now = int(time.time())
    records = [("T", b"%d 0" % now), ("A", b"rewrite_context=local"),
               ("S", b"owner@disc.test"),
               ("O", b"done@disc.test"), ("D", b"done@disc.test"),
               ("O", b"todo@disc.test"), ("R", b"todo@disc.test"),
               ("M", b""), ("N", b"Subject: x"), ("N", b""), ("N", b"y"),
               ("X", b""), ("E", b"")]
    data = encode_records(records)
    mta.inst.start()
    mta.inst.stop()
    active = mta.inst.queue_dir / "active"
    path = active / "4jhlyq0M5Zz1bc77"
    path.write_bytes(data)
    path.chmod(0o700)
    if os.geteuid() == 0:
        os.chown(path, *owner_of(mta.inst.queue_dir / "incoming"))
    mta.inst.start()
    log = wait_log(mta.inst, "4jhlyq0M5Zz1bc77: removed")
    assert "to=<todo@disc.test>" in log
    assert "to=<done@disc.test>" not in log


def owner_of(path):
    st = path.stat()
    return st.st_uid, st.st_gid


def test_corrupt_file_goes_to_corrupt(mta):
    """A complete file with junk in incoming/ moves to corrupt/ with
    Postfix's warnings; other mail still flows."""
    mta.inst.start()
    mta.inst.stop()
    bad = mta.inst.queue_dir / "incoming" / "4jhlyq0M5Zz1bc78"
    bad.write_bytes(b"this is no queue file")
    bad.chmod(0o700)
    if os.geteuid() == 0:
        os.chown(bad, *owner_of(mta.inst.queue_dir / "incoming"))
    mta.inst.start()
    log = wait_log(mta.inst, 'saving corrupt file "4jhlyq0M5Zz1bc78" '
                   'from queue "active" to queue "corrupt"')
    assert (mta.inst.queue_dir / "corrupt" / "4jhlyq0M5Zz1bc78").exists()
    mta.sendmail("-f", "owner@disc.test", "x@disc.test")
    wait_log(mta.inst, "to=<x@disc.test>")


def test_delay_warning_once_then_cleared(mta):
    """delay_warning_time: the first deferral after the warning time asks
    the defer service for a delay notice ("sender delay notification"),
    and the message's 'W' record is set to -1 so that it is sent once."""
    mta.inst.write_config(delay_warning_time="1s")
    mta.inst.start()
    mta.sendmail("-f", "owner@disc.test", "x@later.test")
    log = wait_log(mta.inst, "status=deferred")
    qid = queue_id_of(log, "x@later.test")
    time.sleep(1.2)
    mta.trigger(b"A")
    mta.trigger(b"D")
    log = wait_log(mta.inst, f"{qid}: sender delay notification")
    wait_log_count(mta.inst, rf"{qid}: to=<x@later.test>.*status=deferred",
                   2)
    deferred = wait_for(lambda: [p for p in mta.files("deferred")
                                 if p.name == qid], what="deferred file")
    warn = [data for kind, data in read_records(deferred[0]) if kind == "W"]
    assert warn == [b"%15d" % -1], warn
    mta.trigger(b"FADI")
    wait_log_count(mta.inst, rf"{qid}: to=<x@later.test>.*status=deferred",
                   3)
    assert mta.inst.log_text().count(f"{qid}: sender delay notification") == 1


def test_postsuper_expire_returns_message(mta):
    """postsuper -e marks a deferred message; the next attempt defers its
    recipients "message is administratively expired" without trying,
    logs status=force-expired and returns it to the sender."""
    mta.inst.start()
    mta.sendmail("-f", "owner@disc.test", "x@later.test")
    log = wait_log(mta.inst, "status=deferred")
    qid = queue_id_of(log, "x@later.test")
    wait_for(lambda: mta.files("deferred"), what="deferred file")
    res = mta.inst.cmd("postsuper", "-e", qid)
    assert "Force-expired: 1 message" in res.stderr, res.stderr
    mta.trigger(b"FADI")
    log = wait_log(mta.inst, f"{qid}: removed")
    assert re.search(rf"qmgr\[\d+\]: {qid}: to=<x@later.test>, relay=none, "
                     r".*dsn=4.7.0, status=deferred \(message is "
                     r"administratively expired\)", log), log
    assert f"{qid}: from=<owner@disc.test>, status=force-expired, " \
        "returned to sender" in log
    assert f"{qid}: sender non-delivery notification" in log
