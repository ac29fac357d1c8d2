"""System tests for the postlog command (src/postlog/): records reach the
mail log through postlogd with the tag, priority and text Postfix's
postlog(1) gives them. Where Debian's Postfix is installed, its postlog
logs the same records into the same postlogd, and the lines must match
(but for the time and process id)."""
import os
import re
import subprocess

import pytest

from conftest import BIN, wait_for
from test_master import POSTLOG
from test_showq import ENV

PF_POSTLOG = "/usr/sbin/postlog"
HAVE_PF_POSTLOG = os.access(PF_POSTLOG, os.X_OK) and os.geteuid() == 0

CASES = [
    (["hello", "world"], None),
    (["-t", "mytag", "tagged"], None),
    (["-t", "a/b", "-i", "slash"], None),
    (["-p", "warn", "warnprio"], None),
    (["-p", "WARNING", "upper"], None),
    (["-p", "error", "errprio"], None),
    (["-p", "info", "ctl\x01\tx"], None),
    (["-t", "stdin"], "line1\nline2\n\nline4"),
]


@pytest.fixture
def logged(instance):
    instance.write_config(POSTLOG)
    instance.start()
    instance.wait_log("daemon started")
    return instance


def run(binary, config, args, text=None):
    res = subprocess.run([binary, "-c", str(config), *args], input=text,
                         capture_output=True, text=True, timeout=30, env=ENV)
    return res


def lines_of(instance, marker_count):
    """The maillog lines after the time stamp and host, pid removed."""
    wait_for(lambda: len(instance.log_text().splitlines()) >= marker_count,
             10, what=f"{marker_count} log lines")
    out = []
    for line in instance.log_text().splitlines():
        rest = line.split(" ", 4)[4]
        out.append(re.sub(r"\[\d+\]: ", "[PID]: ", rest, count=1))
    return out


def test_records(logged):
    start = len(logged.log_text().splitlines())
    for args, text in CASES:
        res = run(BIN / "postlog", logged.config_dir, args, text)
        assert res.returncode == 0, res.stderr
        assert res.stderr == ""
    lines = lines_of(logged, start + 11)[start:]
    assert lines == [
        "postfix/postlog[PID]: hello world",
        "mytag[PID]: tagged",
        "a/b[PID]: slash",
        "postfix/postlog[PID]: warning: warnprio",
        "postfix/postlog[PID]: warning: upper",
        "postfix/postlog[PID]: error: errprio",
        "postfix/postlog[PID]: ctl??x",
        "stdin[PID]: line1",
        "stdin[PID]: line2",
        "stdin[PID]: ",
        "stdin[PID]: line4",
    ]


def test_fatal_priority_does_not_exit(logged):
    res = run(BIN / "postlog", logged.config_dir, ["-p", "fatal", "bad"])
    assert res.returncode == 0
    logged.wait_log("postfix/postlog")
    assert "fatal: bad" in logged.log_text()


def test_bad_priority_and_usage(logged):
    res = run(BIN / "postlog", logged.config_dir, ["-p", "bogus", "x"])
    assert (res.returncode, res.stderr) == (
        1, "postlog: fatal: unknown priority value: bogus\n")
    res = run(BIN / "postlog", logged.config_dir, ["-x"])
    assert res.returncode == 1
    assert res.stderr.endswith("postlog: fatal: usage: postlog [-iv] "
                               "[-c config_dir] [-p priority] [-t tag] "
                               "[text...]\n")


@pytest.mark.skipif(not HAVE_PF_POSTLOG, reason="needs root and Postfix")
def test_same_as_postfix(logged, tmp_path):
    """Postfix's postlog, configured with the same queue directory and
    log, sends its records to the same postlogd."""
    pf = tmp_path / "pf-etc"
    pf.mkdir()
    (pf / "main.cf").write_text(
        f"compatibility_level = 3.6\nqueue_directory = {logged.queue_dir}\n"
        f"maillog_file = {logged.maillog}\n"
        f"maillog_file_prefixes = {logged.root}\n"
        "myhostname = mx.example.test\n")
    start = len(logged.log_text().splitlines())
    for args, text in CASES:
        assert run(BIN / "postlog", logged.config_dir, args,
                   text).returncode == 0
    ours = lines_of(logged, start + 11)[start:]
    start = len(logged.log_text().splitlines())
    for args, text in CASES:
        res = run(PF_POSTLOG, pf, args, text)
        assert res.returncode == 0, res.stderr
    theirs = lines_of(logged, start + 11)[start:]
    assert ours == theirs
