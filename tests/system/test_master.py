"""System tests for master(8) and the server skeleton (src/master/).

Each test runs a throwaway instance (conftest.py) whose master.cf names the
test daemons in $POSTERN_BUILD/tests/daemons: echo (SINGLE model: line
echo, "pid" returns its process id), mecho (MULTI model) and tick (TRIGGER
model, logs each wakeup). Logs are read from the instance's maillog_file,
written by postlogd (the postlog service in every master.cf here).
"""
import os
import pwd
import re
import select
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from conftest import (IS_ROOT, LIBEXEC, TEST_DAEMONS, free_port, pid_alive,
                      wait_for)

POSTLOG = "postlog unix-dgram n - n - 1 postlogd\n"


def wait_log(instance, needle, timeout=10):
    """instance.wait_log, with the log in the message when it fails."""
    try:
        return instance.wait_log(needle, timeout)
    except AssertionError as err:
        raise AssertionError(f"{err}; log:\n{instance.log_text()}") from None


def wait_log_count(instance, pattern, count, timeout=15):
    """Wait until the log has count lines matching the regex pattern."""
    regex = re.compile(pattern)
    try:
        return wait_for(lambda: len(regex.findall(instance.log_text()))
                        >= count, timeout, what=f"{count} x {pattern!r}")
    except AssertionError as err:
        raise AssertionError(f"{err}; log:\n{instance.log_text()}") from None


def daemon(name):
    return str(TEST_DAEMONS / name)


def echo_line(port, extra="", name=None, maxproc="-", unpriv="-",
              wakeup="-"):
    """A master.cf line for the echo test daemon on 127.0.0.1:port."""
    return (f"{port} inet n {unpriv} n {wakeup} {maxproc} "
            f"{daemon(name or 'echo')}{extra}\n")


class LineClient:
    """A line-oriented TCP client of the echo daemons."""

    def __init__(self, port, timeout=10):
        self.sock = socket.create_connection(("127.0.0.1", port),
                                             timeout=timeout)
        self.buf = b""

    def send(self, line):
        self.sock.sendall(line.encode() + b"\n")

    def readable(self, timeout):
        """Whether a reply (or EOF) arrives within timeout seconds."""
        if b"\n" in self.buf:
            return True
        ready, _, _ = select.select([self.sock], [], [], timeout)
        return bool(ready)

    def recv(self):
        while b"\n" not in self.buf:
            data = self.sock.recv(4096)
            if not data:
                raise EOFError("connection closed")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode()

    def talk(self, line):
        self.send(line)
        return self.recv()

    def close(self):
        self.sock.close()


def talk_once(port, line):
    client = LineClient(port)
    try:
        return client.talk(line)
    finally:
        client.close()


def instance_pids(instance):
    """Every live process of this instance: master, and the processes
    whose environment has MAIL_CONFIG set to its configuration."""
    mark = f"MAIL_CONFIG={instance.config_dir}".encode()
    master = instance.master_pid()
    pids = [master] if master and pid_alive(master) else []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            env = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if (mark in env and pid_alive(int(entry.name))
                and int(entry.name) not in pids):
            pids.append(int(entry.name))
    return pids


def processes_running(instance, name):
    """PIDs of the instance's processes whose program is name."""
    found = []
    for pid in instance_pids(instance):
        try:
            exe = os.readlink(f"/proc/{pid}/exe")
        except OSError:
            continue
        if os.path.basename(exe) == name:
            found.append(pid)
    return found


def proc_uids(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Uid:"):
            return [int(x) for x in line.split()[1:]]
    raise AssertionError("no Uid line")


def run_master(instance, *args):
    return subprocess.run([str(LIBEXEC / "master"), "-c",
                           str(instance.config_dir), *args],
                          capture_output=True, text=True, timeout=30)


def test_start_serve_and_log(instance):
    port = free_port()
    instance.write_config(POSTLOG + echo_line(port))
    pid = instance.start()
    assert instance.pid_file.read_text() == "%32d\n" % pid
    assert talk_once(port, "hello world") == "hello world"
    log = wait_log(instance, "echo: connect from 127.0.0.1")
    assert (f"postfix/master[{pid}]: daemon started -- version "
            in log)
    assert f"configuration {instance.config_dir}" in log


def test_killed_child_is_logged_and_replaced(instance):
    port = free_port()
    instance.write_config(POSTLOG + echo_line(port))
    instance.start()
    client = LineClient(port)
    child = int(client.talk("pid"))
    os.kill(child, signal.SIGKILL)
    wait_log(instance, f"warning: process {daemon('echo')} pid {child} "
                      "killed by signal 9")
    client.close()
    assert int(talk_once(port, "pid")) != child
    assert talk_once(port, "again") == "again"


def test_reload_keeps_open_connection(instance):
    kept, removed, added = free_port(), free_port(), free_port()
    instance.write_config(POSTLOG + echo_line(kept) + echo_line(removed))
    instance.start()
    client = LineClient(kept)
    old_child = int(client.talk("pid"))
    assert talk_once(removed, "b") == "b"

    instance.write_config(POSTLOG + echo_line(kept) + echo_line(added))
    os.kill(instance.master_pid(), signal.SIGHUP)
    wait_log(instance, "reload -- version")

    def refused():
        try:
            socket.create_connection(("127.0.0.1", removed), timeout=2).close()
            return False
        except ConnectionRefusedError:
            return True
    wait_for(refused, what="removed service to close its port")

    def added_serves():                 # master may still be opening it
        try:
            return talk_once(added, "c") == "c"
        except ConnectionRefusedError:
            return False
    wait_for(added_serves, what="added service to answer")
    # The connection opened before the reload is still served...
    assert client.talk("still there") == "still there"
    # ...while new clients of the kept service get a new child.
    assert int(talk_once(kept, "pid")) != old_child
    client.close()
    # The retired child exits once its client is gone.
    wait_for(lambda: not pid_alive(old_child), what="retired child exit")


def test_reload_with_bad_master_cf_keeps_services(instance):
    port = free_port()
    instance.write_config(POSTLOG + echo_line(port))
    instance.start()
    instance.write_config(POSTLOG + echo_line(port) + "bogus line\n")
    os.kill(instance.master_pid(), signal.SIGHUP)
    wait_log(instance, "not reloaded")
    assert talk_once(port, "x") == "x"


def test_stop_leaves_no_process(instance):
    port = free_port()
    instance.write_config(POSTLOG + echo_line(port)
                          + f"tick unix n - n 1 1 {daemon('tick')}\n")
    master = instance.start()
    client = LineClient(port)
    assert client.talk("busy") == "busy"
    wait_log(instance, "tick: wakeup")
    assert len(instance_pids(instance)) >= 4    # master postlogd echo tick
    instance.stop()
    assert instance_pids(instance) == []
    assert not instance.pid_file.exists()
    assert f"postfix/master[{master}]: terminating on signal 15" \
        in instance.log_text()
    client.close()


def test_second_master_is_refused(instance):
    port = free_port()
    instance.write_config(POSTLOG + echo_line(port))
    master = instance.start()
    assert run_master(instance, "-t").returncode == 1
    second = run_master(instance, "-w")
    assert second.returncode == 1
    assert "fatal: the Postfix mail system is already running" in second.stderr
    assert instance.master_pid() == master and pid_alive(master)
    assert talk_once(port, "ok") == "ok"
    instance.stop()
    assert run_master(instance, "-t").returncode == 0


def test_master_cf_error_is_fatal(instance):
    instance.write_config("ok unix - - n - - echo\nbroken\n")
    result = run_master(instance, "-w")
    assert result.returncode == 1
    assert "master.cf:2:" in result.stderr
    assert instance.master_pid() is None


@pytest.mark.parametrize("kind", ["unix", "fifo", "unix-dgram"])
def test_wakeup(instance, kind):
    instance.write_config(POSTLOG + f"tick {kind} n - n 1 1 {daemon('tick')}\n")
    instance.start()
    wait_log_count(instance, r"tick: wakeup \d+: W", 3)
    assert "bad command startup" not in instance.log_text()


def test_wakeup_only_when_used(instance):
    instance.write_config(POSTLOG + f"tick unix - - n 1? 1 {daemon('tick')}\n")
    instance.start()
    time.sleep(2.5)
    assert "tick: wakeup" not in instance.log_text()
    # Someone else uses the service once; from then on master wakes it up.
    with socket.socket(socket.AF_UNIX) as s:
        s.connect(str(instance.queue_dir / "private" / "tick"))
        s.sendall(b"X")
    wait_log(instance, ": X (1 bytes")
    wait_log_count(instance, r"tick: wakeup \d+: W", 2)


def test_maxproc_limit(instance):
    port = free_port()
    instance.write_config(POSTLOG + echo_line(port, maxproc=2))
    instance.start()
    first, second = LineClient(port), LineClient(port)
    pids = {int(first.talk("pid")), int(second.talk("pid"))}
    assert len(pids) == 2
    third = LineClient(port)
    third.send("pid")
    assert not third.readable(1.5), "a third child was started"
    assert len(processes_running(instance, "echo")) == 2
    first.close()
    assert third.readable(10)
    assert int(third.recv()) in pids
    second.close()
    third.close()


def test_max_use(instance):
    port = free_port()
    instance.write_config(POSTLOG + echo_line(port, " -o max_use=2", maxproc=1))
    instance.start()
    child = int(talk_once(port, "pid"))
    assert int(talk_once(port, "pid")) == child
    wait_for(lambda: not pid_alive(child), what="child exit after max_use")
    assert int(talk_once(port, "pid")) != child


def test_max_idle(instance):
    port = free_port()
    instance.write_config(POSTLOG + echo_line(port, " -o max_idle=1"))
    instance.start()
    child = int(talk_once(port, "pid"))
    wait_for(lambda: not pid_alive(child), timeout=5,
             what="child exit after max_idle")
    log = instance.log_text()
    assert f"pid {child} exit status" not in log
    assert f"pid {child} killed" not in log


def test_multi_model_shares_one_process(instance):
    port = free_port()
    # maxproc 1: both clients must be served by one process at once.
    instance.write_config(POSTLOG + echo_line(port, name="mecho", maxproc=1))
    instance.start()
    a, b = LineClient(port), LineClient(port)
    assert a.talk("pid") == b.talk("pid")
    assert a.talk("one") == "one" and b.talk("two") == "two"
    a.close()
    assert b.talk("three") == "three"
    b.close()


def test_bad_command_is_throttled(instance):
    port = free_port()
    instance.write_config(POSTLOG + f"{port} inet n - n - - /nonexistent/cmd\n")
    instance.start()
    client = socket.create_connection(("127.0.0.1", port), timeout=5)
    log = wait_log(instance, "/nonexistent/cmd: bad command startup "
                            "-- throttling")
    assert "exit status 1" in log
    client.close()


def test_disabled_service_is_skipped(instance):
    port, other = free_port(), free_port()
    instance.write_config(POSTLOG + echo_line(port) + echo_line(other),
                          master_service_disable=f"{port}/inet")
    instance.start()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2)
    assert talk_once(other, "on") == "on"


def test_child_arguments(instance):
    port = free_port()
    instance.write_config(POSTLOG + echo_line(port, " -o max_idle=50 extra"))
    instance.start()
    client = LineClient(port)           # stays open: the fd list is stable
    child = int(client.talk("pid"))
    argv = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")[:-1]
    assert [a.decode() for a in argv] == [
        daemon("echo"), "-n", str(port), "-t", "inet", "-u", "-s", "1",
        "-o", "max_idle=50", "extra"]
    links = {int(fd): os.readlink(f"/proc/{child}/fd/{fd}")
             for fd in os.listdir(f"/proc/{child}/fd")}
    client.close()
    assert links[5].startswith("socket:") and links[6].startswith("socket:")
    assert links[0] == links[1] == links[2] == "/dev/null"
    # The inflow token pipe: read end on 3, write end on 4, one pipe.
    assert links[3].startswith("pipe:") and links[3] == links[4]
    # Nothing else of master's leaks: no lock file, no self-pipe.
    assert not any("master.lock" in l or (fd > 4 and l.startswith("pipe:"))
                   for fd, l in links.items())


@pytest.mark.skipif(not IS_ROOT, reason="needs root")
def test_unpriv_drops_to_mail_owner(instance):
    low, high = free_port(), free_port()
    instance.write_config(POSTLOG + echo_line(low, unpriv="y")
                          + echo_line(high, unpriv="n"))
    instance.start()
    owner = pwd.getpwnam(instance.main["mail_owner"]).pw_uid
    client = LineClient(low)
    assert proc_uids(int(client.talk("pid"))) == [owner] * 4
    client.close()
    client = LineClient(high)
    assert proc_uids(int(client.talk("pid"))) == [0] * 4
    client.close()


def test_abort_kills_children(instance):
    port = free_port()
    instance.write_config(POSTLOG + echo_line(port))
    master = instance.start()
    client = LineClient(port)
    child = int(client.talk("pid"))
    os.kill(master, signal.SIGQUIT)
    wait_for(lambda: not pid_alive(master), what="master exit")
    wait_for(lambda: not pid_alive(child), what="child killed")
    assert instance_pids(instance) == []
    client.close()


def test_standalone_single_and_trigger(instance):
    instance.write_config(POSTLOG)
    env = dict(os.environ, MAIL_CONFIG=str(instance.config_dir))
    result = subprocess.run([daemon("echo"), "-S"], input="hi\nquit\n",
                            capture_output=True, text=True, env=env,
                            timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "hi\nbye\n"
    result = subprocess.run([daemon("tick"), "-S"], input="QQ",
                            capture_output=True, text=True, env=env,
                            timeout=30)
    assert result.returncode == 0, result.stderr
    wait_log(instance, "tick: wakeup 1: Q (2 bytes")
