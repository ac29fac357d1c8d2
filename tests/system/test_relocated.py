"""System test for relocated_maps (relocated(5); src/maps/resolve_addr.c,
docs/virtual.md "relocated_maps").

Observed on Debian's Postfix 3.7: trivial-rewrite answers qmgr's resolve
request for a relocated recipient with transport "error" and nexthop
"5.1.6 User has moved to NEW", whatever the address class and over
transport_maps; the error agent then bounces the recipient with that
text. This test sends the same message through Postern (sendmail ->
pickup -> cleanup -> qmgr -> error) and, when it is installed, through
Debian's Postfix, and compares the error agent's log lines.
"""
import re
import subprocess

import pytest

from conftest import IS_ROOT, LIBEXEC, wait_for
from test_agents import PEER_MASTER_CF as AGENTS_PEER_MASTER_CF
from test_qmgr import Mta

pytestmark = pytest.mark.skipif(
    not (LIBEXEC / "qmgr").exists(), reason="qmgr is not built")

RELOCATED = {
    "gone@mx.example.test": "new@elsewhere.test",
    "local1": "moved-local",
    "@oldco.test": "call 555-1234",
}
RCPTS = ("gone@mx.example.test", "Gone+foo@mx.example.test", "local1",
         "x@oldco.test")
EXPECTED = [
    ("Gone+foo@mx.example.test", None, "new@elsewhere.test"),
    ("gone@mx.example.test", None, "new@elsewhere.test"),
    ("local1@mx.example.test", "local1", "moved-local"),
    ("x@oldco.test", None, "call 555-1234"),
]


def error_lines(text):
    """The error agent's to= lines, normalised and sorted."""
    out = []
    for line in text.splitlines():
        if "postfix/error[" in line and ": to=<" in line:
            line = line[line.index("postfix/error["):]
            line = re.sub(r"\[\d+\]: \w+:", "[PID]: QID:", line)
            out.append(re.sub(r"delay=[\d.]+, delays=[\d./]+", "DELAYS",
                              line))
    return sorted(out)


def write_tables(etc):
    (etc / "relocated").write_text("".join(f"{k} {v}\n"
                                           for k, v in RELOCATED.items()))
    (etc / "transport").write_text("disc.test discard:gone\n"
                                   "oldco.test discard:not this\n")
    return dict(relocated_maps=f"texthash:{etc}/relocated",
                transport_maps=f"texthash:{etc}/transport",
                recipient_delimiter="+", mydomain="example.test")


def postern_lines(instance):
    """Send RCPTS through Postern; the error agent's lines."""
    mta = Mta(instance)
    mta.inst.write_config(**write_tables(mta.inst.config_dir))
    mta.inst.start()
    mta.sendmail("-f", "owner@disc.test", *RCPTS)
    lines = wait_for(lambda: len(error_lines(mta.inst.log_text())) == 4
                     and error_lines(mta.inst.log_text()), timeout=20,
                     what="four error lines")
    return mta, lines


def test_relocated_users_bounce(instance):
    """Each relocated recipient bounces through the error agent, 5.1.6
    "User has moved to NEW", relocated winning over transport_maps; the
    sender gets the notice."""
    mta, got = postern_lines(instance)
    want = sorted(
        f"postfix/error[PID]: QID: to=<{rcpt}>, "
        + (f"orig_to=<{orig}>, " if orig else "")
        + f"relay=none, DELAYS, dsn=5.1.6, status=bounced (User has moved "
        f"to {new})" for rcpt, orig, new in EXPECTED)
    assert got == want
    mta.inst.wait_log("sender non-delivery notification")
    mta.wait_empty()


# Debian's Postfix with qmgr and the agents of test_agents.
PEER_MASTER_CF = (AGENTS_PEER_MASTER_CF
                  + "qmgr      unix  n       -       n       300     1       "
                  "qmgr\n")


@pytest.mark.skipif(not IS_ROOT, reason="comparing with Postfix needs root")
def test_parity_with_postfix(tmp_path, instance):
    """Debian's Postfix logs the same lines for the same mail."""
    from postfix_peer import HAVE_POSTFIX, PostfixPeer
    if not HAVE_POSTFIX:
        pytest.skip("Postfix is not installed")
    ours = postern_lines(instance)[1]
    peer = PostfixPeer(tmp_path / "postfix", PEER_MASTER_CF)
    try:
        peer.write_config(myhostname="mx.example.test",
                          **write_tables(peer.config_dir))
        peer.start()
        res = subprocess.run(["/usr/sbin/sendmail", "-C",
                              str(peer.config_dir), "-f", "owner@disc.test",
                              *RCPTS], input=b"Subject: r\n\nbody\n",
                             capture_output=True, timeout=60)
        assert res.returncode == 0, res.stderr
        theirs = wait_for(lambda: len(error_lines(peer.log_text())) == 4
                          and error_lines(peer.log_text()), timeout=30,
                          what="Postfix's error lines")
    finally:
        peer.stop()
    assert ours == theirs
