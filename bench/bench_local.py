#!/usr/bin/python3
"""bench_local - local delivery to Maildir, Postern and Postfix side by side.

Scenario 2: small messages (one line of body) to one local user made for
the run (removed after it) with home_mailbox = Maildir/, through pickup,
cleanup, qmgr and local, in three ways:

  - sendmail, sequential: one sendmail command after the other;
  - sendmail, 8 in parallel: 8 sendmail commands at a time;
  - SMTP, 10 sessions: smtp-source into the MTA's smtpd.

Each rate is end to end: messages / time from the first submission until
the last message is in the user's Maildir/new and the queue is empty.
CPU per message is the MTA's processes' plus, for sendmail, the sendmail
and postdrop commands' (getrusage of the benchmark's children). sendmail
runs send BENCH_MSGS / 5 messages (default 200), SMTP runs BENCH_MSGS
(default 1000).

Usage: bench_local.py BUILD_DIR (as root: local delivers as the user).
"""
import os
import pwd
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import harness

USER = "pbench%d" % (os.getpid() % 100000)


class LocalUser:
    """A user made for the run, home under the benchmark's directory."""

    def __init__(self, tmp):
        self.home = os.path.join(tmp, "home")
        subprocess.run(["useradd", "-M", "-d", self.home, "-s", "/bin/sh",
                        USER], check=True, capture_output=True)
        harness.LIVE.append(self)
        os.makedirs(self.home)
        user = pwd.getpwnam(USER)
        os.chown(self.home, user.pw_uid, user.pw_gid)
        self.new = os.path.join(self.home, "Maildir", "new")

    def delivered(self):
        """Messages in Maildir/new."""
        try:
            return len(os.listdir(self.new))
        except FileNotFoundError:
            return 0

    def empty(self):
        """Remove the messages delivered so far."""
        shutil.rmtree(os.path.join(self.home, "Maildir"), ignore_errors=True)

    def stop(self):
        """Remove the user (its home goes with the benchmark's tree)."""
        subprocess.run(["userdel", USER], capture_output=True)


def message(n):
    """The n-th test message: two header lines, one line of body."""
    return (f"Subject: bench {n}\nFrom: {harness.SENDER}\n\n"
            f"message {n}\n").encode()


def delivery_run(side, user, count, inject, client_cpu):
    """(rate, cpu ms) of inject(side, count), until all are delivered."""
    user.empty()
    ticks = side.cpu_ticks()
    children = harness.children_cpu_ticks()
    start = time.perf_counter()
    inject(side, count)
    harness.wait(lambda: user.delivered() >= count and side.queued() == 0,
                 f"{side.name} to deliver {count} messages")
    elapsed = time.perf_counter() - start
    client = harness.children_cpu_ticks() - children if client_cpu else 0.0
    return count / elapsed, harness.cpu_ms(side, ticks, count, client)


def sendmail_injector(workers):
    """inject(side, count): count sendmail commands, workers at a time."""
    def inject(side, count):
        recipient = f"{USER}@localhost"
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(lambda n: side.sendmail(recipient, message(n)),
                          range(count)))
    return inject


def smtp_inject(side, count):
    """count messages to the user with smtp-source, 10 sessions."""
    harness.smtp_source(side.port, count, 10, 100, f"{USER}@localhost")


def scenario(ctx):
    """Scenario 2: three ways of submitting, each end to end."""
    count = harness.setting("BENCH_MSGS", 1000)
    user = LocalUser(ctx.tmp)
    sides = harness.instances(ctx, {"home_mailbox": "Maildir/"})
    for side in sides:                              # warm up
        delivery_run(side, user, 10, sendmail_injector(2), True)
    for label, n, inject, client_cpu in (
            ("local sendmail sequential", count // 5, sendmail_injector(1),
             True),
            ("local sendmail 8 parallel", count // 5, sendmail_injector(8),
             True),
            ("local SMTP 10 sess", count, smtp_inject, False)):
        result = harness.pairs(
            sides, lambda s: delivery_run(s, user, n, inject, client_cpu),
            label)
        harness.add_pair_row(ctx.table, label, "msg/s", result)
    user.empty()


if __name__ == "__main__":
    harness.main([scenario], sys.argv)
