"""System tests for logging: the line format, postlogd, the syslog_name
tag of a service, the fallback without postlogd, and maillog_file =
/dev/stdout with start-fg.
"""
import re
import socket
import subprocess

from conftest import BIN, children_of, proc_name, wait_for

POSTLOG = "postlog   unix-dgram n  -       n       -       1       postlogd\n"

STAMP = r"[A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d"
MASTER_STARTED = re.compile(
    r"^" + STAMP + r" mx postfix/master\[\d+\]: daemon started -- version ",
    re.M)


def start(inst):
    r = inst.cmd("postern", "start", check=False)
    assert r.returncode == 0, r.stderr
    return wait_for(inst.master_pid, what="master.pid")


def send_datagram(inst, data, service="postlog"):
    path = str(inst.queue_dir / "public" / service)
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        s.sendto(data, path)


def postlogd_running(master_pid):
    return [p for p in children_of(master_pid) if proc_name(p) == "postlogd"]


def test_lines_through_postlogd(instance):
    instance.write_config(master_cf=POSTLOG)
    pid = start(instance)
    text = instance.wait_log("daemon started -- version")
    assert MASTER_STARTED.search(text), text
    # postern's own line travels as a datagram; master starts postlogd.
    r = instance.cmd("postern", "status", check=False)
    assert r.returncode == 0
    text = instance.wait_log("the Postfix mail system is running")
    assert re.search(r"^" + STAMP + r" mx "
                     r"postfix/postfix-script\[\d+\]: the Postfix mail "
                     r"system is running: PID: %d$" % pid, text, re.M), text
    assert wait_for(lambda: postlogd_running(pid), what="postlogd")
    # Every line of the file is a complete, well-formed line.
    for line in instance.log_text().splitlines():
        assert re.match(r"^" + STAMP + r" \S+ postfix/[\w/-]+\[\d+\]: ",
                        line), line


def test_postlogd_cleans_records(instance):
    instance.write_config(master_cf=POSTLOG)
    start(instance)
    send_datagram(instance, b"first record without newline")
    send_datagram(instance, b"second\x00record\x01with junk\n\n")
    send_datagram(instance, b"")
    send_datagram(instance, b"L" * 20000)
    send_datagram(instance, b"last record\n")
    text = instance.wait_log("last record")
    lines = text.splitlines()
    assert "first record without newline" in lines
    assert "second?record?with junk" in lines
    long_lines = [ln for ln in lines if ln.startswith("LLLL")]
    assert len(long_lines) == 1 and len(long_lines[0]) == 8192
    assert "\x00" not in text
    assert text.endswith("last record\n")


def test_service_syslog_name(instance):
    """-o syslog_name=postfix/submission gives postfix/submission/PROCESS."""
    second = ("postlog2  unix-dgram n  -       n       -       1       "
              "postlogd -v -o syslog_name=postfix/submission\n")
    instance.write_config(master_cf=POSTLOG + second)
    start(instance)
    send_datagram(instance, b"hello through the second service",
                  service="postlog2")
    text = instance.wait_log("hello through the second service")
    assert re.search(r"^" + STAMP + r" mx "
                     r"postfix/submission/postlogd\[\d+\]: ", text, re.M), text


def test_fallback_without_postlogd(instance):
    """No postlog service: master appends to maillog_file itself."""
    instance.write_config(master_cf="")
    start(instance)
    text = instance.wait_log("daemon started -- version")
    assert MASTER_STARTED.search(text), text


def test_maillog_file_prefix_enforced(instance):
    """postlogd refuses a maillog_file outside maillog_file_prefixes.

    Run in the foreground, where children keep master's stderr: that is
    where postlogd reports the refusal (it has no log file)."""
    instance.write_config(
        master_cf=POSTLOG.rstrip("\n") + " -o maillog_file_prefixes=/var\n")
    argv = [str(BIN / "postern"), "-c", str(instance.config_dir), "start-fg"]
    err = instance.root / "stderr"
    with open(err, "wb") as errf:
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=errf)
    try:
        wait_for(instance.master_pid, what="master.pid")
        send_datagram(instance, b"must not be written")
        wait_for(lambda: "postlogd: fatal: maillog_file" in err.read_text(),
                 what="postlogd refusal")
        assert "does not match any prefix in maillog_file_prefixes (/var)" \
            in err.read_text()
        assert "must not be written" not in instance.log_text()
        instance.cmd("postern", "stop", check=False)
        proc.wait(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_dev_stdout_with_start_fg(instance):
    instance.write_config(master_cf=POSTLOG, maillog_file="/dev/stdout",
                          maillog_file_prefixes="/dev/stdout")
    argv = [str(BIN / "postern"), "-c", str(instance.config_dir), "start-fg"]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    try:
        wait_for(instance.master_pid, what="master.pid")
        r = instance.cmd("postern", "status", check=False)
        assert r.returncode == 0
        instance.cmd("postern", "stop", check=False)
        out, _ = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    out = out.decode(errors="replace")
    assert MASTER_STARTED.search(out), out
    # This line went postern -> datagram -> postlogd -> master's stdout.
    assert re.search(r"postfix/postfix-script\[\d+\]: the Postfix mail "
                     r"system is running: PID: \d+$", out, re.M), out
