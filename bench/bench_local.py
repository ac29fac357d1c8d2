#!/usr/bin/python3
"""bench_local - sendmail to Maildir, Postern and Postfix side by side.

Runs a throwaway instance of each (Postern from BUILD_DIR, Debian's
Postfix from /usr/sbin and /usr/lib/postfix/sbin, never from PATH) with
the same settings: pickup, cleanup, trivial-rewrite, the status services,
qmgr and local, home_mailbox = Maildir/, everything else at its default
but in_flow_delay = 0. N small messages (one line of body) go to one
local user made for the run (and removed after it), in two timed steps:

  1. submission: each message with its own sendmail command, from
     WORKERS processes at once (sendmail -> postdrop -> maildrop ->
     pickup -> cleanup -> incoming), with no qmgr running, until all N
     are in incoming/;
  2. delivery: master is restarted with qmgr, which delivers the N
     messages through local (incoming -> active -> Maildir/new); timed
     from the first message in the user's Maildir/new (so that the start
     of master and of "postfix start" does not count) until the N-th is
     there and the queue is empty.

Prints seconds and messages per second for each step and for both, and
the ratio Postern/Postfix (above 1.00x means Postern is faster). Needs
root (local delivers as the user). The machine should be otherwise idle:
the numbers are wall-clock times.

Usage: bench_local.py BUILD_DIR [N] (N defaults to 10000).
"""
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

POSTFIX_SBIN = "/usr/sbin"
POSTFIX_DAEMONS = "/usr/lib/postfix/sbin"
USER = "pbench%d" % (os.getpid() % 100000)
WORKERS = 4
TIMEOUT = 600

QMGR = "qmgr      unix  n       -       n       300     1       qmgr\n"
SERVICES = """\
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
postlog   unix-dgram n  -       n       -       1       postlogd
"""


class Side:
    """One MTA: its config directory, its sendmail, how to start and stop
    it, and where the user's Maildir is."""

    def __init__(self, name, root, home):
        self.name = name
        self.root = root
        self.etc = os.path.join(root, "etc")
        self.queue = os.path.join(root, "queue")
        self.maildir_new = os.path.join(home, "Maildir", "new")
        for path in (self.etc, self.queue, os.path.join(root, "data")):
            os.makedirs(path)
        self.write_master(False)

    def write_master(self, with_qmgr):
        with open(os.path.join(self.etc, "master.cf"), "w") as out:
            out.write(SERVICES + (QMGR if with_qmgr else ""))

    def write_main(self, owner, group, extra):
        params = {
            "compatibility_level": "3.6",
            "queue_directory": self.queue,
            "data_directory": os.path.join(self.root, "data"),
            "mail_owner": owner,
            "setgid_group": group,
            "myhostname": "mx.example.test",
            "mydomain": "example.test",
            "mydestination": "$myhostname, localhost",
            "inet_interfaces": "127.0.0.1",
            "inet_protocols": "ipv4",
            "maillog_file": os.path.join(self.root, "maillog"),
            "maillog_file_prefixes": self.root,
            "alias_maps": "",
            "alias_database": "",
            "home_mailbox": "Maildir/",
            "biff": "no",
            "in_flow_delay": "0",
        }
        params.update(extra)
        with open(os.path.join(self.etc, "main.cf"), "w") as out:
            out.writelines(f"{k} = {v}\n" for k, v in params.items())
        owner_pw = pwd.getpwnam(owner)
        os.chown(os.path.join(self.root, "data"), owner_pw.pw_uid, -1)
        # Postfix waits until main.cf is two seconds old.
        stamp = time.time() - 60
        os.utime(os.path.join(self.etc, "main.cf"), (stamp, stamp))

    def delivered(self):
        try:
            return len(os.listdir(self.maildir_new))
        except FileNotFoundError:
            return 0

    def queued(self, queues=("maildrop", "incoming", "active", "deferred",
                             "hold")):
        return sum(len(files) for queue in queues
                   for _, _, files in os.walk(os.path.join(self.queue,
                                                           queue)))


class Postern(Side):
    def __init__(self, root, home, build):
        super().__init__("postern", root, home)
        self.build = build
        self.write_main("nobody", "nogroup", {
            "daemon_directory": os.path.join(build, "libexec"),
            "command_directory": os.path.join(build, "bin")})
        self.sendmail_argv = [os.path.join(build, "bin", "sendmail"),
                              "-C", self.etc]

    def start(self):
        subprocess.run([os.path.join(self.build, "libexec", "master"), "-c",
                        self.etc, "-w"], check=True, capture_output=True)

    def stop(self):
        subprocess.run([os.path.join(self.build, "bin", "postern"), "-c",
                        self.etc, "stop"], capture_output=True)


class Postfix(Side):
    def __init__(self, root, home):
        super().__init__("postfix", root, home)
        self.write_main("postfix", "postdrop", {})
        self.sendmail_argv = [os.path.join(POSTFIX_SBIN, "sendmail"),
                              "-C", self.etc]

    def postfix(self, command):
        subprocess.run([os.path.join(POSTFIX_SBIN, "postfix"), "-c",
                        self.etc, command], check=True, capture_output=True)

    def start(self):
        self.postfix("start")

    def stop(self):
        subprocess.run([os.path.join(POSTFIX_SBIN, "postfix"), "-c",
                        self.etc, "stop"], capture_output=True)


def submit(side, n):
    """One message through the side's sendmail."""
    message = (f"Subject: bench {n}\nFrom: sender@example.org\n\n"
               f"message {n}\n").encode()
    proc = subprocess.run(side.sendmail_argv + ["-f", "sender@example.org",
                                                f"{USER}@localhost"],
                          input=message, capture_output=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{side.name} sendmail: {proc.stderr!r}")


def wait(predicate, what):
    deadline = time.monotonic() + TIMEOUT
    while not predicate():
        if time.monotonic() > deadline:
            sys.exit(f"bench_local: timed out waiting for {what}")
        time.sleep(0.05)


def started(side):
    side.start()
    wait(lambda: os.path.exists(os.path.join(side.queue, "public",
                                             "pickup")), f"{side.name}")


def run(side, count):
    """(submission seconds, delivery seconds)."""
    started(side)
    try:
        start = time.perf_counter()
        with ThreadPoolExecutor(WORKERS) as pool:
            list(pool.map(lambda n: submit(side, n), range(count)))
        wait(lambda: side.queued(("incoming",)) >= count
             and side.queued(("maildrop",)) == 0,
             f"{side.name} to queue {count} messages")
        submitted = time.perf_counter() - start
    finally:
        side.stop()
    side.write_master(True)
    started(side)
    try:
        wait(lambda: side.delivered() > 0, f"{side.name}'s first delivery")
        start = time.perf_counter()
        wait(lambda: side.delivered() >= count and side.queued() == 0,
             f"{side.name} to deliver {count} messages")
        return submitted, time.perf_counter() - start
    finally:
        side.stop()


def row(name, postern, postfix, count):
    ratio = postfix / postern if postern > 0 else float("inf")
    print(f"{name:<28} {postern:8.2f} s {postfix:8.2f} s  "
          f"{count / postern:>8,.0f}/s {count / postfix:>8,.0f}/s  "
          f"{ratio:5.2f}x", flush=True)


def main():
    if os.geteuid() != 0:
        sys.exit("bench_local: run as root (local delivers as the user)")
    if not os.access(os.path.join(POSTFIX_SBIN, "postfix"), os.X_OK):
        sys.exit("bench_local: Debian's postfix is not installed")
    build = os.path.abspath(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
    tmp = tempfile.mkdtemp(prefix="bench-local-")
    os.chmod(tmp, 0o755)
    try:
        results = {}
        for kind in ("postern", "postfix"):
            home = os.path.join(tmp, kind + "-home")
            subprocess.run(["useradd", "-M", "-d", home, "-s", "/bin/sh",
                            USER], check=True, capture_output=True)
            try:
                os.makedirs(home)
                user = pwd.getpwnam(USER)
                os.chown(home, user.pw_uid, user.pw_gid)
                root = os.path.join(tmp, kind)
                side = Postern(root, home, build) if kind == "postern" \
                    else Postfix(root, home)
                results[kind] = run(side, count)
            finally:
                subprocess.run(["userdel", USER], capture_output=True)
        print(f"local: {count:,} messages, sendmail -> Maildir, {WORKERS} "
              f"submitting processes; ratio = Postfix time / Postern time")
        print(f"{'step':<28} {'postern':>10} {'postfix':>10}  "
              f"{'postern':>10} {'postfix':>10}  ratio")
        (pt_sub, pt_del), (pf_sub, pf_del) = (results["postern"],
                                              results["postfix"])
        row("submission (to incoming)", pt_sub, pf_sub, count)
        row("delivery (qmgr + local)", pt_del, pf_del, count)
        row("sendmail to Maildir", pt_sub + pt_del, pf_sub + pf_del, count)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
