"""System tests for inflow pacing (in_flow_delay, src/global/mail_flow.c,
src/qmgr/qmgr_flow.c, docs/protocols/master.md): cleanup takes one token
from master's flow pipe per message; qmgr hands tokens out as it takes
mail from incoming. Without qmgr no token ever comes, so each message
waits the full in_flow_delay (and is still accepted); with qmgr running,
a burst goes through without waiting."""
import time

from test_qmgr import MASTER_CF, Mta

NO_QMGR = "".join(line + "\n" for line in MASTER_CF.splitlines()
                  if not line.startswith("qmgr "))


def submit(mta, count):
    """count messages through sendmail; seconds until all are in a queue
    past maildrop (incoming, active, or delivered and gone)"""
    start = time.monotonic()
    for i in range(count):
        mta.sendmail("-f", "a@example.test", "x@disc.test")
    deadline = start + 120
    while time.monotonic() < deadline:
        if not mta.files("maildrop"):
            return time.monotonic() - start
        time.sleep(0.05)
    raise AssertionError(f"maildrop not drained; log:\n{mta.inst.log_text()}")


def test_no_tokens_without_qmgr(instance):
    """Nobody hands out tokens: every message waits in_flow_delay, and
    is accepted all the same."""
    mta = Mta(instance, in_flow_delay="2s")
    instance.write_config(NO_QMGR)
    instance.start()
    elapsed = submit(mta, 2)
    assert elapsed >= 3.5, elapsed
    assert len(mta.files("incoming")) == 2


def test_qmgr_hands_out_tokens(instance):
    """With qmgr the pipe is topped up: a burst of 20 messages is not
    paced, although one message without a token would wait 10 s."""
    mta = Mta(instance, in_flow_delay="10s")
    instance.start()
    elapsed = submit(mta, 20)
    assert elapsed < 60, elapsed
    mta.wait_empty(60)
    assert mta.inst.log_text().count("status=sent") == 20

