"""Shared fixtures for the system tests: throwaway Postern instances.

An Instance is a temporary directory holding a config directory (main.cf,
master.cf), a queue directory, a data directory and a mail log. It runs the
binaries from $POSTERN_BUILD (default: build/ in the source tree). Tests only
use loopback addresses and ports that were free when picked.
"""
import os
import pwd
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("POSTERN_BUILD", SRC / "build"))
BIN = BUILD / "bin"
LIBEXEC = BUILD / "libexec"
TEST_DAEMONS = BUILD / "tests" / "daemons"
FIXTURES = SRC / "tests" / "fixtures"
IS_ROOT = os.geteuid() == 0


@pytest.fixture(autouse=True)
def traversable_tmp(tmp_path):
    """pytest makes its base temp directories 0700; children that dropped
    privileges (unpriv=y) must still reach files under tmp_path (tables,
    $queue_directory/public/postlog) by absolute path, so let others search
    (not read) them."""
    if IS_ROOT:
        for parent in (tmp_path.parent, tmp_path.parent.parent):
            if parent.name.startswith("pytest-"):
                parent.chmod(parent.stat().st_mode | 0o111)


def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout=10.0, interval=0.05, what="condition"):
    """Poll predicate until it returns a true value; fail after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def queue_file_complete(path):
    """Whether a queue file is complete (its owner execute bit, mode 0700);
    False when it is gone: a directory listing and a stat are never
    atomic, and cleanup and qmgr rename files all the time."""
    try:
        return bool(path.stat().st_mode & 0o100)
    except FileNotFoundError:
        return False


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie is not alive for our purposes.
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    except OSError:
        return False


def children_of(pid):
    """PIDs whose parent is pid."""
    kids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            kids.append(int(entry.name))
    return kids


def proc_name(pid):
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


class Instance:
    """A throwaway Postern instance in a temporary directory."""

    def __init__(self, root: Path):
        self.root = root
        self.config_dir = root / "etc"
        self.queue_dir = root / "queue"
        self.data_dir = root / "data"
        self.maillog = root / "maillog"
        self.config_dir.mkdir()
        user = "nobody" if IS_ROOT else pwd.getpwuid(os.getuid()).pw_name
        group = "nogroup" if IS_ROOT else None
        self.main = {
            "queue_directory": str(self.queue_dir),
            "data_directory": str(self.data_dir),
            "daemon_directory": str(LIBEXEC),
            "command_directory": str(BIN),
            "mail_owner": user,
            "maillog_file": str(self.maillog),
            "maillog_file_prefixes": str(root),
            "myhostname": "mx.example.test",
            "mynetworks": "127.0.0.1/32",
            "inet_interfaces": "127.0.0.1",
            "service_throttle_time": "2s",
        }
        if group:
            self.main["setgid_group"] = group
        self.master_cf = ""

    # --- configuration -------------------------------------------------
    def write_config(self, master_cf=None, **params):
        """Write main.cf (defaults plus params) and master.cf."""
        self.main.update({k: str(v) for k, v in params.items()})
        if master_cf is not None:
            self.master_cf = master_cf
        main = dict(self.main)
        # Without qmgr nobody hands out inflow tokens and cleanup would
        # wait in_flow_delay per message: tests of intake alone run
        # unpaced unless they set it (test_inflow.py).
        if not any(line.startswith("qmgr ")
                   for line in self.master_cf.splitlines()):
            main.setdefault("in_flow_delay", "0")
        self.main_written = main
        text = "".join(f"{k} = {v}\n" for k, v in main.items())
        (self.config_dir / "main.cf").write_text(text)
        (self.config_dir / "master.cf").write_text(self.master_cf)

    def cmd(self, name, *args, check=True, input=None, timeout=30, env=None):
        """Run build/bin/NAME -c CONFIG_DIR args; return CompletedProcess."""
        argv = [str(BIN / name), "-c", str(self.config_dir), *map(str, args)]
        return subprocess.run(argv, capture_output=True, text=True, check=check,
                              input=input, timeout=timeout, env=env)

    # --- master --------------------------------------------------------
    @property
    def pid_file(self):
        return self.queue_dir / "pid" / "master.pid"

    def master_pid(self):
        try:
            return int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None

    def start(self, extra_args=()):
        """Start master in the background (master -w returns when ready)."""
        subprocess.run([str(LIBEXEC / "master"), "-c", str(self.config_dir),
                        "-w", *extra_args], check=True, timeout=30,
                       capture_output=True, text=True)
        pid = wait_for(self.master_pid, what="master.pid")
        assert pid_alive(pid)
        return pid

    def stop(self, timeout=15):
        """SIGTERM master and wait until it and its children are gone."""
        pid = self.master_pid()
        if pid is None or not pid_alive(pid):
            return
        kids = children_of(pid)
        os.kill(pid, signal.SIGTERM)
        wait_for(lambda: not pid_alive(pid), timeout, what="master exit")
        wait_for(lambda: not any(pid_alive(k) for k in kids), timeout,
                 what="children exit")

    def log_text(self):
        try:
            return self.maillog.read_text(errors="replace")
        except OSError:
            return ""

    def wait_log(self, needle, timeout=10):
        """Wait until the mail log contains needle; return the log text."""
        return wait_for(lambda: needle in self.log_text() and self.log_text(),
                        timeout, what=f"log line containing {needle!r}")


@pytest.fixture
def instance(tmp_path):
    tmp_path.chmod(0o755)
    inst = Instance(tmp_path)
    yield inst
    try:
        inst.stop()
    except Exception:
        pid = inst.master_pid()
        if pid and pid_alive(pid):
            os.killpg(os.getpgid(pid), signal.SIGKILL)
        raise
