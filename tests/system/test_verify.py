"""System tests for address verification (docs/verify.md): sendmail -bv
and the verify service with smtpd's reject_unverified_recipient.

A whole Postern runs: sendmail -> postdrop -> pickup -> cleanup -> qmgr
-> local (with an alias table and two test users) -> trace -> bounce,
which mails the report. The expected texts are those Debian's Postfix
3.7 produced for the same cases (docs/verify.md): the sendmail message,
the log lines ("status=deliverable (delivers to mailbox)",
"status=undeliverable (unknown user: ...)"), the report's Subject and
per-recipient lines and its delivery-status fields.
"""
import email
import email.policy
import re
import subprocess
import time

import pytest

from conftest import BIN, IS_ROOT, LIBEXEC, free_port, wait_for
from test_local import LocalBox, users  # noqa: F401 (fixture)
from test_qmgr import MASTER_CF as QMGR_MASTER_CF
from test_smtpd import Client

pytestmark = pytest.mark.skipif(
    not IS_ROOT or not all((LIBEXEC / a).exists() for a in
                           ("qmgr", "local", "bounce", "pickup")),
    reason="needs root (local users) and qmgr, local, bounce, pickup")

# qmgr's test set-up (error, retry, discard and the status services),
# plus local and verify.
MASTER_CF = (QMGR_MASTER_CF
             + "local unix - n n - - local\n"
             + "verify unix - - n - 1 verify\n")


@pytest.fixture
def mta(instance, users):  # noqa: F811 (fixture)
    box = LocalBox(instance, users)
    a, b = users
    box.start(aliases=f"team: {a}, nosuchx\n", master_cf=MASTER_CF,
              queue_run_delay="300s")
    return box


def sendmail(box, *args):
    return subprocess.run([str(BIN / "sendmail"), "-C",
                           str(box.inst.config_dir), *args],
                          capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL)


def mailbox(box, user):
    path = box.spool / user
    return path.read_text() if path.exists() else ""


def report(box, user):
    """The one report in user's mbox, parsed."""
    text = wait_for(lambda: "\n\n--" in mailbox(box, user)
                    and mailbox(box, user).rstrip().endswith("--")
                    and mailbox(box, user), timeout=30,
                    what=f"a report for {user}; log:\n{box.log_text()}")
    raw = text.split("\n", 1)[1]            # drop the From_ line
    return email.message_from_string(raw, policy=email.policy.default)


def test_bv_reports_and_delivers_nothing(mta):
    a, b = mta.users
    res = sendmail(mta, "-bv", "-f", b, a, "team", "nosuch")
    assert res.returncode == 0, res.stderr
    assert res.stdout == f"Mail Delivery Status Report will be mailed " \
                         f"to <{b}>.\n"
    msg = report(mta, b)
    assert msg["Subject"] == "Mail Delivery Status Report"
    assert msg.get_content_type() == "multipart/report"
    text, status, headers = msg.iter_parts()
    human = text.get_content()
    # Postern's own words (docs/bounce.md); Postfix: "Enclosed is the
    # mail delivery report that you requested."
    assert "Here is the delivery report that you asked for." in human
    flat = re.sub(r"\s+", " ", human)
    dom = "mx.example.test"
    assert (f"<{a}@{dom}> (expanded from <{a}>): delivery via local: "
            f"delivers to mailbox") in flat
    assert (f"<{a}@{dom}> (expanded from <team>): delivery via local: "
            f"delivers to mailbox") in flat
    assert (f"<nosuchx@{dom}> (expanded from <team>): delivery via local: "
            f"unknown user: \"nosuchx\"") in flat
    assert (f"<nosuch@{dom}> (expanded from <nosuch>): delivery via "
            f"local: unknown user: \"nosuch\"") in flat
    fields = [dict(p.items()) for p in status.get_payload()[1:]]
    actions = {(f["Final-Recipient"], f["Action"], f["Status"])
               for f in fields}
    assert actions == {
        (f"rfc822; {a}@{dom}", "deliverable", "2.0.0"),
        (f"rfc822; nosuchx@{dom}", "undeliverable", "5.1.1"),
        (f"rfc822; nosuch@{dom}", "undeliverable", "5.1.1")}
    assert headers["Content-Type"].startswith("text/rfc822-headers")
    assert "Subject: probe" in headers.get_payload()
    log = mta.log_text()
    assert re.search(rf"to=<{a}@{dom}>, orig_to=<{a}>, relay=local, .*"
                     r"dsn=2\.0\.0, status=deliverable \(delivers to "
                     r"mailbox\)", log)
    assert re.search(rf"to=<nosuch@{dom}>, orig_to=<nosuch>, relay=local, "
                     r".*dsn=5\.1\.1, status=undeliverable \(unknown user: "
                     r"\"nosuch\"\)", log)
    assert "status=sent" not in log.split("sender delivery status")[0]
    assert mailbox(mta, a) == ""            # nothing was delivered
    wait_for(lambda: not any(p.is_file() for p in
                             mta.q.glob("*/**/*") if p.parent.name in
                             ("incoming", "active", "deferred")),
             timeout=20, what="an empty queue")


def test_bv_reports_what_qmgr_settles(instance, users):  # noqa: F811
    """A recipient whose transport has no master.cf entry never reaches
    an agent: qmgr defers it itself, and reports it like an agent would,
    so the report has it and the probe leaves the queue."""
    box = LocalBox(instance, users)
    a, b = users
    box.start(master_cf=MASTER_CF, queue_run_delay="300s",
              transport_maps="inline:{nowhere.test=nosuch:}")
    res = sendmail(box, "-bv", "-f", b, "x@nowhere.test")
    assert res.returncode == 0, res.stderr
    msg = report(box, b)
    flat = re.sub(r"\s+", " ", msg.iter_parts().__next__().get_content())
    assert "<x@nowhere.test>: mail transport unavailable" in flat
    assert re.search(r"to=<x@nowhere\.test>, relay=none, .*dsn=4\.3\.0, "
                     r"status=undeliverable \(mail transport unavailable\)",
                     box.log_text())
    wait_for(lambda: not any(p.is_file() for p in
                             box.q.glob("*/**/*") if p.parent.name in
                             ("incoming", "active", "deferred")),
             timeout=20, what="an empty queue")


def test_bv_needs_recipients(mta):
    res = sendmail(mta, "-bv")
    assert res.returncode == 75
    assert "Recipient addresses must be specified" in res.stderr
    time.sleep(0.2)
    assert not list((mta.q / "maildrop").iterdir())


# --- the verify service and reject_unverified_recipient -----------------

@pytest.fixture
def smtp(instance, users):  # noqa: F811 (fixture)
    box = LocalBox(instance, users)
    box.port = free_port()
    master_cf = MASTER_CF + f"127.0.0.1:{box.port} inet n - n - - smtpd\n"
    box.start(aliases="", master_cf=master_cf, queue_run_delay="300s",
              smtpd_recipient_restrictions="reject_unverified_recipient",
              address_verify_poll_count="1", smtpd_error_sleep_time="0")
    return box


def rcpt_replies(box, *addrs, sender="a@b.test"):
    """One session: a RCPT per address; the replies."""
    c = Client(box.port, "127.0.0.1")
    c.cmd("EHLO c.test")
    c.cmd(f"MAIL FROM:<{sender}>")
    out = [c.cmd(f"RCPT TO:<{a}>") for a in addrs]
    c.cmd("QUIT")
    c.close()
    return out


def wait_probed(box, count):
    """count probe results logged by local (status=(un)deliverable)."""
    return wait_for(lambda: len(re.findall(r"status=(?:un)?deliverable",
                                           box.log_text())) >= count,
                    timeout=30, what=f"{count} probe results; log:\n"
                    f"{box.log_text()}")


def test_reject_unverified_recipient(smtp):
    a, _ = smtp.users
    good, bad = f"{a}@mx.example.test", "nosuch@mx.example.test"
    assert rcpt_replies(smtp, good, bad) == [
        f"450 4.1.1 <{good}>: Recipient address rejected: unverified "
        f"address: Address verification in progress",
        f"450 4.1.1 <{bad}>: Recipient address rejected: unverified "
        f"address: Address verification in progress"]
    wait_probed(smtp, 2)
    log = smtp.log_text()
    # The probes: from the double-bounce sender, results only logged.
    assert re.search(r"from=<double-bounce@mx\.example\.test>, size=\d+, "
                     r"nrcpt=1 \(queue active\)", log)
    assert f"to=<{good}>, relay=local" in log
    assert re.search(r"status=deliverable \(delivers to mailbox\)", log)
    assert mailbox(smtp, a) == ""
    assert rcpt_replies(smtp, good, bad) == [
        "250 2.1.5 Ok",
        f"450 4.1.1 <{bad}>: Recipient address rejected: unverified "
        f"address: unknown user: \"nosuch\""]
    assert (smtp.inst.data_dir / "verify_cache.lmdb").exists()

    # The cache outlives a restart: answers at once, no new probes.
    smtp.inst.stop()
    smtp.inst.write_config(unverified_recipient_reject_code="550")
    smtp.inst.start()
    assert rcpt_replies(smtp, good, bad) == [
        "250 2.1.5 Ok",
        f"550 5.1.1 <{bad}>: Recipient address rejected: undeliverable "
        f"address: unknown user: \"nosuch\""]
    time.sleep(0.5)
    assert smtp.log_text().count("(queue active)") == 2


def test_reject_reason_and_tempfail(smtp):
    smtp.inst.stop()
    smtp.inst.write_config(
        unverified_recipient_reject_reason="Address lookup failure",
        unverified_recipient_tempfail_action="defer")
    smtp.inst.start()
    (bad,) = rcpt_replies(smtp, "nosuch@mx.example.test")
    assert bad == ("450 4.1.1 <nosuch@mx.example.test>: Recipient address "
                   "rejected: unverified address: Address lookup failure")
    # No verify service: "address verification problem".
    smtp.inst.stop()
    smtp.inst.write_config(MASTER_CF.replace("verify unix", "#verify unix")
                           + f"127.0.0.1:{smtp.port} inet n - n - - smtpd\n")
    smtp.inst.start()
    (bad,) = rcpt_replies(smtp, "x@mx.example.test")
    assert bad == ("450 4.1.1 <x@mx.example.test>: Recipient address "
                   "rejected: address verification problem")
    smtp.inst.wait_log("warning: verify service failure")


def ttl_sender(now, ttl=3600):
    """The probe sender's local part with address_verify_sender_ttl."""
    digits, n, out = "0123456789BCDFGHJKLMNPQRSTVWXYZ", int(now) // ttl, ""
    while n:
        out, n = digits[n % 31] + out, n // 31
    return "double-bounce" + out


def test_reject_unverified_sender(smtp):
    """Postfix 3.7's replies for the same session (docs/verify.md)."""
    smtp.inst.stop()
    smtp.inst.write_config(
        smtpd_sender_restrictions="reject_unverified_sender",
        smtpd_recipient_restrictions="permit_mynetworks",
        unverified_sender_reject_code="550", address_verify_sender_ttl="1h")
    smtp.inst.start()
    before = ttl_sender(time.time())
    bad = "nosuch2@mx.example.test"
    rcpt = f"{smtp.users[0]}@mx.example.test"
    assert rcpt_replies(smtp, rcpt, sender=bad) == [
        f"450 4.1.7 <{bad}>: Sender address rejected: unverified address: "
        f"Address verification in progress"]
    wait_probed(smtp, 1)
    # The probe's sender has the time-dependent part (Postfix observed:
    # double-bounceJR91@mx.example.test at 1796543331 with a ttl of 1h).
    assert ttl_sender(1796543331) == "double-bounceJR91"
    senders = {before, ttl_sender(time.time())}
    assert any(f"from=<{s}@mx.example.test>" in smtp.log_text()
               for s in senders), smtp.log_text()
    assert rcpt_replies(smtp, rcpt, sender=bad) == [
        f"550 5.1.7 <{bad}>: Sender address rejected: undeliverable "
        f"address: unknown user: \"nosuch2\""]
    assert rcpt_replies(smtp, rcpt, sender="") == ["250 2.1.5 Ok"]
