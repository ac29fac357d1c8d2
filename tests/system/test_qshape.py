"""System tests for "postern qshape" (src/postern/postern_qshape*.c,
docs/qshape.md): the age by domain table of a queue, compared with
Debian's Postfix qshape (/usr/sbin/qshape, a Perl script that reads the
queue files itself) run on the SAME queue directory, and with the table
written out by hand.

Messages enter through sendmail -> pickup -> cleanup and stay in
incoming/ (no qmgr runs); their arrival times ('T' records) are then set
to known ages, away from bucket boundaries."""
import os
import re
import subprocess
import time

import pytest

from conftest import BIN, Instance
from queuefile import encode_records, read_records
from test_intake import Intake

QSHAPE = "/usr/sbin/qshape"

# (age in minutes, sender, recipients)
MESSAGES = [
    (1, "a@snd.test", ["x@example.org", "y@example.org", "z@other.net"]),
    (7, "b@snd.test", ["x@example.org"]),
    (14, "<>", ["w@b.example.org"]),
    (30, "c@Snd2.test", ["q@EXAMPLE.ORG"]),
    (100, "d@snd.test", ["r@c.example.org"]),
    (3000, "e@snd.test", ["s@d.example.org", "t@e.example.org",
                          "u@f.example.org", "v@g.example.org"]),
]


def set_arrival(path, seconds):
    """Rewrite the seconds of the 'T' record (same width: no offset in
    the file moves)."""
    records = read_records(path)
    for n, (rtype, data) in enumerate(records):
        if rtype == "T":
            old, rest = data.split(b" ", 1)
            new = str(seconds).encode()
            assert len(new) == len(old)
            records[n] = (rtype, new + b" " + rest)
    path.write_bytes(encode_records(records))


@pytest.fixture(scope="module")
def queue(tmp_path_factory):
    """A stopped instance whose incoming/ holds MESSAGES with their ages."""
    root = tmp_path_factory.mktemp("qshape")
    root.chmod(0o755)
    inst = Instance(root)
    intake = Intake(inst)
    inst.start()
    try:
        for _, sender, rcpts in MESSAGES:
            intake.sendmail("-f", sender, *rcpts,
                            input=b"Subject: qshape\n\nbody\n")
        files = intake.wait_incoming(len(MESSAGES))
    finally:
        inst.stop()
    now = int(time.time())
    for path in files:
        rcpts = [d.decode() for t, d in read_records(path) if t == "R"]
        age = next(a for a, _, r in MESSAGES if r == rcpts)
        set_arrival(path, now - age * 60 - 30)
    return inst


def postern_qshape(inst, *args):
    res = subprocess.run([str(BIN / "postern"), "-c", str(inst.config_dir),
                          "qshape", *args], capture_output=True, text=True,
                         timeout=30)
    assert res.returncode == 0, res.stderr
    return res.stdout


def postfix_qshape(inst, tmp_path, *args):
    """Debian's qshape on the same queue directory."""
    conf = tmp_path / "pf"
    conf.mkdir(exist_ok=True)
    (conf / "main.cf").write_text(
        f"compatibility_level = 3.6\nqueue_directory = {inst.queue_dir}\n")
    (conf / "master.cf").write_text("")
    env = dict(os.environ, PATH="/usr/sbin:/usr/bin:/bin")
    res = subprocess.run([QSHAPE, "-c", str(conf), *args],
                         capture_output=True, text=True, env=env, timeout=30)
    assert res.returncode == 0, res.stderr
    return res.stdout


def rows(text):
    """(header, set of lines, [(total, name length)] in order)."""
    lines = text.splitlines()
    keys = [(-int(line.split()[1]), len(line.split()[0]))
            for line in lines[1:]]
    return lines[0], sorted(lines[1:]), keys


EXPECTED = """\
                                         T  5 10 20 40 80 160 320 640 1280 1280+
                                  TOTAL 11  3  1  1  1  0   1   0   0    0     4
                            example.org  4  2  1  0  1  0   0   0   0    0     0
                              other.net  1  1  0  0  0  0   0   0   0    0     0
                          b.example.org  1  0  0  1  0  0   0   0   0    0     0
                          c.example.org  1  0  0  0  0  0   1   0   0    0     0
                          d.example.org  1  0  0  0  0  0   0   0   0    0     1
                          e.example.org  1  0  0  0  0  0   0   0   0    0     1
                          f.example.org  1  0  0  0  0  0   0   0   0    0     1
                          g.example.org  1  0  0  0  0  0   0   0   0    0     1
"""


def test_recipient_domains(queue):
    """The default table of the incoming queue, by hand: ages in buckets
    [0,5) [5,10) [10,20) ... minutes, the last open-ended; domains in
    lower case, most recipients first."""
    assert postern_qshape(queue, "incoming") == EXPECTED


def test_sender_domains(queue):
    """-s: one count per message, by sender domain; the null sender is
    MAILER-DAEMON."""
    out = postern_qshape(queue, "-s", "incoming").splitlines()
    assert re.fullmatch(r" +TOTAL +6 +1 +1 +1 +1 +0 +1( +0){3} +1", out[1])
    assert re.fullmatch(r" +snd\.test +4 +1 +1( +0){3} +1( +0){3} +1",
                        out[2])
    names = sorted(line.split()[0] for line in out[3:])
    assert names == ["MAILER-DAEMON", "snd2.test"]


def test_parent_domains(queue):
    """-p: parents (".example.org") with at least -m subdomains."""
    out = postern_qshape(queue, "-p", "incoming")
    assert re.search(r"^ +\.example\.org +6 ", out, re.M), out
    out = postern_qshape(queue, "-p", "-m", "7", "incoming")
    assert not re.search(r"^ +\.example\.org", out, re.M), out


def test_buckets_and_width(queue):
    """-b, -t, -l change the columns; -w widens the domain column;
    -n keeps the first N domains."""
    out = postern_qshape(queue, "-b", "3", "-t", "10", "incoming")
    assert out.splitlines()[0].split() == ["T", "10", "20", "20+"]
    out = postern_qshape(queue, "-l", "-b", "4", "incoming")
    assert out.splitlines()[0].split() == ["T", "5", "10", "15", "15+"]
    out = postern_qshape(queue, "-w", "100", "incoming")
    assert len(out.splitlines()[0]) == 100
    out = postern_qshape(queue, "-n", "2", "incoming")
    assert len(out.splitlines()) == 3


def test_empty_queue(queue):
    """Queues without mail: the heads and a TOTAL line of zeros."""
    out = postern_qshape(queue, "active", "hold")
    assert out.splitlines()[1].split() == ["TOTAL"] + ["0"] * 11
    assert len(out.splitlines()) == 2


@pytest.mark.skipif(not os.path.exists(QSHAPE) or os.geteuid() != 0,
                    reason="Debian's qshape is not installed")
@pytest.mark.parametrize("args", [(), ("-s",), ("-p",), ("-p", "-m", "3"),
                                  ("-b", "5", "-t", "2"), ("-l",),
                                  ("-w", "120")])
def test_same_as_postfix_qshape(queue, tmp_path, args):
    """The same table as Debian's qshape on the same queue (lines of
    equal count and length may come in another order: qshape leaves that
    to Perl's hash order)."""
    mine = postern_qshape(queue, *args, "incoming")
    theirs = postfix_qshape(queue, tmp_path, *args, "incoming")
    assert rows(mine)[:2] == rows(theirs)[:2], theirs
    assert rows(mine)[2] == sorted(rows(mine)[2])
