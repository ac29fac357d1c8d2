"""System tests for the fast flush service (src/flush/, docs/flush.md):
ETRN in smtpd, "sendmail -qRsite", "postqueue -s site" and "postqueue -i
id" deliver a destination's deferred mail at once.

The destination's "peer" is a pipe transport whose command exits 75
(EX_TEMPFAIL) until a flag file exists, then writes the message to a
file. Backoff and queue_run_delay are an hour, so only the flush request
can explain a delivery right after the flag appears. The replies and log
lines asserted are those of Debian's Postfix 3.7 for the same requests
(docs/flush.md). """
import os
import re
import smtplib
import socket
import time

import pytest

from attrproto import AttrStream
from conftest import IS_ROOT, LIBEXEC, free_port, wait_for
from smtp_peer import ScriptedPeer
from test_qmgr import MASTER_CF, QID, Mta
from test_master import wait_log

pytestmark = [
    pytest.mark.skipif(not IS_ROOT, reason="pipe(8) runs its command as "
                       "another user"),
    pytest.mark.skipif(not all((LIBEXEC / p).exists()
                               for p in ("flush", "pipe", "smtpd", "qmgr")),
                       reason="flush, pipe, smtpd or qmgr is not built")]

SCRIPT = """#!/bin/sh
[ -e {flag} ] || exit 75
cat > {out}/got.$$
"""

FLUSH_CF = "flush unix n - n 1000? 0 flush\n"


class FlushBox(Mta):
    """qmgr, the agents, smtpd, flush, and the switchable peer."""

    def __init__(self, instance, smtp_port=None):
        super().__init__(instance)
        root = instance.root
        self.flag = root / "peer-up"
        self.out = root / "out"
        self.out.mkdir()
        self.out.chmod(0o1777)
        script = root / "peer.sh"
        script.write_text(SCRIPT.format(flag=self.flag, out=self.out))
        script.chmod(0o755)
        self.port = free_port()
        transport = instance.config_dir / "transport"
        transport.write_text("flush.test peer:\nother.test peer:\n"
                             "sub.flush.test peer:\n"
                             f"smtp.test smtp:[127.0.0.1]:{smtp_port}\n")
        instance.write_config(
            MASTER_CF + FLUSH_CF
            + f"127.0.0.1:{self.port} inet n - n - - smtpd\n"
            + f"peer unix - n n - - pipe\n  user=daemon argv={script}\n"
            + "smtp unix - - n - - smtp\n",
            transport_maps=f"texthash:{transport}",
            fast_flush_domains="flush.test, smtp.test",
            minimal_backoff_time="3600s", maximal_backoff_time="3600s",
            queue_run_delay="3600s")

    def defer(self, rcpt):
        """Submit mail for rcpt and wait until it is deferred; its id."""
        before = self.inst.log_text().count(f"to=<{rcpt}>")
        self.sendmail("-f", "sender@example.test", rcpt)

        def deferred():
            log = self.inst.log_text()
            hits = re.findall(rf"({QID}): to=<{re.escape(rcpt)}>, "
                              r"relay=peer, .*status=deferred", log)
            return len(hits) > before and hits[-1]
        qid = wait_for(deferred, 30, what=f"deferral of {rcpt}")
        wait_for(lambda: self.deferred_file(qid), 30,
                 what=f"{qid} in deferred")
        return qid

    def deferred_file(self, qid):
        return [p for p in self.files("deferred") if p.name == qid]

    def delivered(self, qid, timeout=30):
        return wait_log(self.inst, f"{qid}: removed", timeout=timeout)

    def smtp(self):
        return smtplib.SMTP("127.0.0.1", self.port, timeout=10)

    def flush_log(self, name):
        return self.inst.queue_dir / "flush" / name


@pytest.fixture
def box(instance):
    b = FlushBox(instance)
    instance.start()
    return b


def test_etrn_delivers_deferred_mail_at_once(box):
    """A deferral is logged in flush/flush_test; ETRN flush.test once the
    peer is up: 250 Queuing started, the message is delivered at once
    (an hour before its retry time) and the log is emptied."""
    qid = box.defer("user@flush.test")
    log = box.flush_log("flush_test")
    wait_for(lambda: log.exists() and log.read_text() == f"{qid}\n",
             what="the flush log")
    box.flag.touch()
    with box.smtp() as s:
        s.ehlo("client.test")
        assert s.docmd("ETRN", "flush.test") == (250, b"Queuing started")
    text = box.delivered(qid)
    assert re.search(rf"{qid}: to=<user@flush.test>, relay=peer, .*"
                     r"status=sent", text), text
    assert len(list(box.out.glob("got.*"))) == 1
    assert log.read_text() == ""


@pytest.mark.skipif(not (LIBEXEC / "smtp").exists(),
                    reason="the smtp client is not built")
def test_etrn_with_an_smtp_peer(instance):
    """The issue's case with a real SMTP hop: mail for smtp.test is
    deferred while its server is down (connection refused); once the
    server listens, ETRN smtp.test delivers it at once, although its retry
    time is an hour away."""
    with socket.socket() as probe:      # a port nobody listens on yet
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    box = FlushBox(instance, smtp_port=port)
    instance.start()
    box.sendmail("-f", "sender@example.test", "user@smtp.test")
    qid = wait_for(lambda: (m := re.search(
        rf"({QID}): to=<user@smtp\.test>, relay=none, .*status=deferred "
        rf"\(connect to 127\.0\.0\.1\[127\.0\.0\.1\]:{port}: Connection "
        r"refused\)", instance.log_text())) and m[1], 30,
        what=f"the deferral; log:\n{instance.log_text()}")
    wait_for(lambda: box.deferred_file(qid), 30, what=f"{qid} in deferred")
    peer = ScriptedPeer(port=port)
    try:
        with box.smtp() as s:
            s.ehlo("client.test")
            assert s.docmd("ETRN", "smtp.test") == (250, b"Queuing started")
        text = box.delivered(qid)
        assert re.search(rf"{qid}: to=<user@smtp\.test>, relay=127\.0\.0\.1"
                         rf"\[127\.0\.0\.1\]:{port}, .*status=sent", text), text
        assert len(peer.messages) == 1
    finally:
        peer.close()


def test_etrn_replies(box):
    """Postfix's replies: '@'/'#' prefixes and subdomains (parent style)
    are accepted, case does not matter; a domain not in
    fast_flush_domains is 459 with a warning; syntax errors; ETRN during
    a MAIL transaction. No HELO is needed (smtpd_helo_required = no)."""
    with box.smtp() as s:
        assert s.docmd("ETRN", "flush.test") == (250, b"Queuing started")
        s.ehlo("client.test")
        for arg in ("@flush.test", "#flush.test", "FLUSH.TEST",
                    "sub.flush.test"):
            assert s.docmd("ETRN", arg) == (250, b"Queuing started"), arg
        assert s.docmd("ETRN", "other.test") == \
            (459, b"<other.test>: service unavailable")
        assert s.docmd("ETRN", "[127.0.0.1]") == \
            (459, b"<[127.0.0.1]>: service unavailable")
        assert s.docmd("ETRN", "") == (500, b"Syntax: ETRN domain")
        assert s.docmd("ETRN", "a b") == (500, b"Syntax: ETRN domain")
        assert s.docmd("ETRN", "ex/ample.test") == \
            (501, b"Error: invalid parameter syntax")
        assert s.docmd("ETRN", "../../etc") == \
            (501, b"Error: invalid parameter syntax")
        s.mail("a@example.test")
        assert s.docmd("ETRN", "flush.test") == \
            (503, b"Error: MAIL transaction in progress")
    text = wait_log(box.inst, "ETRN [127.0.0.1]...")
    assert re.search(r"smtpd\[\d+\]: warning: reject: ETRN other.test\.\.\. "
                     r"from localhost\[127.0.0.1\]", text), text


def test_sendmail_qr_and_postqueue_s(box):
    """sendmail -qRsite and postqueue -s site do what ETRN does."""
    first = box.defer("a@flush.test")
    box.flag.touch()
    box.sendmail("-qRflush.test")
    box.delivered(first)
    box.flag.unlink()
    second = box.defer("b@flush.test")
    box.flag.touch()
    res = box.inst.cmd("postqueue", "-s", "flush.test")
    assert res.returncode == 0 and res.stderr == "", res.stderr
    box.delivered(second)


def test_postqueue_s_refuses_other_domain(box):
    res = box.inst.cmd("postqueue", "-s", "other.test", check=False)
    assert res.returncode == 69
    assert "fatal: Flush service is not configured for destination " \
        "\"other.test\"" in res.stderr


def test_postqueue_i_delivers_one_message(box):
    """postqueue -i ID (and sendmail -qIID) delivers that message only,
    for any domain: the other deferred message stays where it is."""
    other = box.defer("x@other.test")
    mine = box.defer("y@flush.test")
    third = box.defer("z@other.test")
    box.flag.touch()
    res = box.inst.cmd("postqueue", "-i", other)
    assert res.returncode == 0, res.stderr
    box.delivered(other)
    box.sendmail(f"-qI{third}")
    box.delivered(third)
    time.sleep(0.5)
    assert box.deferred_file(mine)
    # An unknown id is not an error (Postfix: status 0).
    assert box.inst.cmd("postqueue", "-i", "ABCDEF12345").returncode == 0


def test_not_eligible_domain_has_no_log(box):
    """Deferrals for a domain outside fast_flush_domains are not logged."""
    box.defer("x@other.test")
    box.defer("y@flush.test")
    names = sorted(p.name for p in (box.inst.queue_dir / "flush").iterdir())
    assert names == ["flush_test"]


def flush_request(box, pairs):
    """One request to public/flush; the status."""
    conn = AttrStream(box.inst.queue_dir / "public" / "flush")
    assert conn.recv() == [("protocol", "queue_flush_protocol")]
    conn.send(pairs)
    reply = conn.recv()
    assert len(reply) == 1 and reply[0][0] == "status", reply
    return int(reply[0][1])


def test_protocol_statuses(box):
    """add/send_site/send_file answers: 0 ok, 3 bad request, 4 denied.
    A site never names another path: "../../x" is logged as flush/______x
    (letters and digits kept, in lower case; the rest '_')."""
    assert flush_request(box, [("request", "add"), ("site", "other.test"),
                               ("queue_id", "ABC123")]) == 4
    assert flush_request(box, [("request", "add"), ("site", "flush.test"),
                               ("queue_id", "../x")]) == 3
    assert flush_request(box, [("request", "add"), ("site", ""),
                               ("queue_id", "ABC123")]) == 3
    assert flush_request(box, [("request", "send_site"),
                               ("site", "other.test")]) == 4
    assert flush_request(box, [("request", "send_site"),
                               ("site", "nothing.flush.test")]) == 0
    assert flush_request(box, [("request", "send_file"),
                               ("queue_id", "a/b")]) == 3
    assert flush_request(box, [("request", "frobnicate")]) == 3
    box.inst.write_config(fast_flush_domains="flush.test, ../../x")
    box.inst.stop()
    box.inst.start()
    assert flush_request(box, [("request", "add"), ("site", "../../X"),
                               ("queue_id", "ABC123")]) == 0
    assert box.flush_log("______x").read_text() == "ABC123\n"
    assert not (box.inst.root / "x").exists()


def age(path, seconds):
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_purge_refreshes_every_log(box):
    """request=purge: status 0, then every log (touched before this
    second) is sent with fresh time stamps only: the deferred file's
    mtime (its retry time, an hour ahead) becomes now, the file stays in
    deferred/ for qmgr's next run, and the log is emptied."""
    qid = box.defer("user@flush.test")
    path = box.deferred_file(qid)[0]
    assert path.stat().st_mtime > time.time() + 3000
    log = box.flush_log("flush_test")
    wait_for(lambda: log.exists() and log.read_text(), what="flush log")
    age(log, 10)
    assert flush_request(box, [("request", "purge")]) == 0
    wait_for(lambda: log.read_text() == "", what="an empty log")
    assert abs(path.stat().st_mtime - time.time()) < 5
    assert box.deferred_file(qid)


def due_now(box, qid):
    """Whether the deferred file of qid has fresh time stamps (it was due
    in an hour), or qmgr, finding it due, has already tried it again."""
    if box.inst.log_text().count(f"{qid}: to=<user@flush.test>, "
                                 "relay=peer") > 1:
        return True
    try:
        return box.deferred_file(qid)[0].stat().st_mtime < time.time() + 5
    except (IndexError, FileNotFoundError):
        return False


def test_wakeup_refreshes_old_logs_and_removes_stale_empty_ones(box):
    """master's wakeup (every second here, without "?"): a log untouched
    for fast_flush_refresh_time (12h) is refreshed (its files get fresh
    time stamps, so qmgr's deferred run takes them); an empty one
    untouched for fast_flush_purge_time (7d) is removed; a recent one is
    left alone."""
    qid = box.defer("user@flush.test")
    log = box.flush_log("flush_test")
    wait_for(lambda: log.exists() and log.read_text(), what="flush log")
    box.inst.stop()
    age(log, 13 * 3600)
    stale = box.flush_log("stale_test")
    stale.write_text("")
    age(stale, 8 * 86400)
    recent = box.flush_log("recent_test")
    recent.write_text("ABC\n")
    box.inst.write_config(box.inst.master_cf.replace(FLUSH_CF,
                          "flush unix n - n 1 0 flush\n"))
    box.inst.start()
    wait_for(lambda: not stale.exists(), what="stale log removed")
    wait_for(lambda: due_now(box, qid), what="fresh time stamps")
    assert recent.read_text() == "ABC\n"


def test_bare_wakeup_request(box):
    """A client that writes "W" and hangs up at once (as master does) gets
    a refresh all the same."""
    stale = box.flush_log("stale_test")
    stale.write_text("")
    age(stale, 8 * 86400)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.connect(str(box.inst.queue_dir / "public" / "flush"))
        sock.sendall(b"W")
    wait_for(lambda: not stale.exists(), what="stale log removed")
