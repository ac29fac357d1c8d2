"""A throwaway Debian Postfix 3.7 instance that runs next to Postern in
system tests, so that both can be given the same input and their results
compared (test_postfix_parity.py).

The instance lives in a directory of its own: etc/ (main.cf, master.cf),
q/ (queue_directory), data/ (data_directory) and maillog (written by its
postlogd). Postfix's programs are run by full path only and always with
that configuration directory (postfix -c, sendmail -C), so the system's
own Postfix, if any, is never touched. It needs root: master runs as root
and the daemons drop to mail_owner (postfix).
"""
import os
import pwd
import subprocess
import time
from pathlib import Path

from conftest import children_of, pid_alive, wait_for

POSTFIX = "/usr/sbin/postfix"
SENDMAIL = "/usr/sbin/sendmail"
HAVE_POSTFIX = all(os.access(p, os.X_OK) for p in (POSTFIX, SENDMAIL))


def wait_exit(pids, what, timeout=30):
    """Wait until none of pids is alive."""
    wait_for(lambda: not any(pid_alive(pid) for pid in pids), timeout,
             what=what)


class PostfixPeer:
    """Debian's Postfix with its own config, queue and log under root."""

    def __init__(self, root: Path, master_cf: str):
        self.root = root
        self.config_dir = root / "etc"
        self.main_cf = self.config_dir / "main.cf"
        self.queue_dir = root / "q"
        self.data_dir = root / "data"
        self.maillog = root / "maillog"
        for path in (self.config_dir, self.queue_dir, self.data_dir):
            path.mkdir(parents=True, exist_ok=True)
        os.chown(self.data_dir, pwd.getpwnam("postfix").pw_uid, -1)
        self.base = {
            "compatibility_level": "3.6",
            "queue_directory": str(self.queue_dir),
            "data_directory": str(self.data_dir),
            "mail_owner": "postfix",
            "setgid_group": "postdrop",
            "inet_interfaces": "127.0.0.1",
            "inet_protocols": "ipv4",
            "maillog_file": str(self.maillog),
            "maillog_file_prefixes": str(root),
            # With no qmgr to hand out flow control tokens, cleanup would
            # wait in_flow_delay (1s) before each message.
            "in_flow_delay": "0",
        }
        self.params = None
        (self.config_dir / "master.cf").write_text(master_cf)

    # --- configuration -------------------------------------------------
    def write_config(self, **params):
        """Write main.cf: the base settings plus params (replacing those
        of an earlier call). Return whether anything changed."""
        params = {k: str(v) for k, v in params.items()}
        if params == self.params:
            return False
        self.params = params
        self.main_cf.write_text("".join(
            f"{k} = {v}\n" for k, v in {**self.base, **params}.items()))
        # Postfix's programs wait, in steps of 0.3s, until main.cf is two
        # seconds old (it may still be being edited); an older time stamp
        # spares every sendmail and daemon that wait.
        stamp = time.time() - 60
        os.utime(self.main_cf, (stamp, stamp))
        return True

    # --- master --------------------------------------------------------
    def master_pid(self):
        try:
            return int((self.queue_dir / "pid" / "master.pid").read_text())
        except (OSError, ValueError):
            return None

    def running(self):
        pid = self.master_pid()
        return pid is not None and pid_alive(pid)

    def postfix(self, command, check=True):
        """Run /usr/sbin/postfix -c CONFIG_DIR command; with check, it
        must work (postfix-script reports to the mail log, not stderr:
        its last lines go into the assertion)."""
        res = subprocess.run([POSTFIX, "-c", str(self.config_dir), command],
                             capture_output=True, text=True, timeout=60)
        if check:
            assert res.returncode == 0, (command, res.stderr,
                                         self.log_tail())
        return res.returncode == 0

    def log_tail(self, lines=5):
        """The last lines of the mail log, if any."""
        try:
            return self.maillog.read_text().splitlines()[-lines:]
        except OSError:
            return []

    def start(self):
        """postfix start; once more after a second if it failed: a fresh
        instance's start now and then exits 1 on a loaded machine (about
        one in twenty under parallel test runs, cause not seen yet)."""
        if not self.postfix("start", check=False):
            time.sleep(1)
            self.postfix("start")
        wait_for(self.running, 30, what="Postfix's master")

    def reload(self):
        """postfix reload, then wait until every daemon started with the
        old configuration has exited (master tells them to)."""
        old = children_of(self.master_pid())
        self.postfix("reload")
        wait_exit(old, "Postfix's daemons of the old configuration to exit")

    def stop(self):
        """postfix stop, and wait until master and its daemons are gone."""
        if not self.running():
            return
        pid = self.master_pid()
        kids = children_of(pid)
        self.postfix("stop")
        wait_exit([pid, *kids], "Postfix to stop")

    # --- mail ----------------------------------------------------------
    def sendmail(self, *args, input=b""):
        """/usr/sbin/sendmail -C CONFIG_DIR args, the message on stdin."""
        return subprocess.run([SENDMAIL, "-C", str(self.config_dir), *args],
                              input=input, capture_output=True, timeout=60)

    def log_text(self):
        try:
            return self.maillog.read_text(errors="replace")
        except OSError:
            return ""
