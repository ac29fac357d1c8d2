"""System test for "make run" (scripts/make-run, docs/postern.md): the
issue's "done when" for the SMTP server: a copy of the script runs a
throwaway instance in a tmp directory, swaks submits to 127.0.0.1:2525,
and the message lands in the Maildir run/mail/USER/. Then the test user
that make run prints submits with swaks over 2587 (STARTTLS) and 2465
(implicit TLS) with AUTH, and relaying without AUTH is refused. Skipped
when port 2525 is taken (a developer's own "make run")."""
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess

import pytest

from conftest import BIN, wait_for

SWAKS = "/usr/bin/swaks"
DOVECOT = "/usr/sbin/dovecot"
SCRIPT = os.path.join(os.path.dirname(__file__), "..", "..", "scripts",
                      "make-run")


def port_free(port):
    """Whether nothing listens on 127.0.0.1:port (connections of an
    earlier run in TIME-WAIT do not count, as for master's bind)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def swaks(*args):
    """swaks with args; its output (it must succeed)."""
    res = subprocess.run([SWAKS, "--from", "tester@example.test",
                          "--to", "someone@example.net", *args],
                         capture_output=True, text=True, timeout=60)
    return res.returncode, res.stdout + res.stderr


def submit_with_auth(log_path):
    """The printed test user relays through 2587 and 2465; without AUTH
    the relay is refused."""
    log = log_path.read_text()
    match = re.search(r'test user "(\S+)", password "(\S+)"', log)
    assert match, log
    auth = ["--auth", "PLAIN", "--auth-user", match.group(1),
            "--auth-password", match.group(2)]
    for server, tls in (("127.0.0.1:2587", "--tls"),
                        ("127.0.0.1:2465", "--tlsc")):
        status, out = swaks("--server", server, tls, *auth)
        assert status == 0, out
        assert "235 2.7.0 Authentication successful" in out
        assert "250 2.0.0 Ok: queued as" in out
    status, out = swaks("--server", "127.0.0.1:2587", "--tls")
    assert status != 0 and "<~* 554 5.7.1 <someone@example.net>" in out, out


@pytest.mark.skipif(not os.access(SWAKS, os.X_OK), reason="needs swaks")
@pytest.mark.skipif(not port_free(2525), reason="port 2525 is in use")
def test_make_run_delivers_swaks_mail(tmp_path):
    (tmp_path / "scripts").mkdir()
    shutil.copy(SCRIPT, tmp_path / "scripts" / "make-run")
    build = BIN.parent
    log = open(tmp_path / "make-run.log", "wb")
    proc = subprocess.Popen([str(tmp_path / "scripts" / "make-run"),
                             str(build)], stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    etc = tmp_path / "run" / "etc"
    user = pwd.getpwuid(os.getuid()).pw_name
    maildir = tmp_path / "run" / "mail" / user / "new"
    try:
        wait_for(lambda: not port_free(2525), 30,
                 what="smtpd on 127.0.0.1:2525")
        res = subprocess.run([SWAKS, "--server", "127.0.0.1:2525", "--to",
                              f"{user}@localhost", "--from",
                              "tester@example.test", "--h-Subject",
                              "make run"], capture_output=True, text=True,
                             timeout=60)
        assert res.returncode == 0, res.stdout + res.stderr
        assert "250 2.0.0 Ok: queued as" in res.stdout
        files = wait_for(lambda: maildir.exists() and list(maildir.iterdir()),
                         30, what=f"the message in {maildir}; log:\n"
                         + (tmp_path / "make-run.log").read_text())
        text = files[0].read_text()
        assert "Subject: make run" in text
        assert f"Delivered-To: {user}@localhost" in text
        if os.access(DOVECOT, os.X_OK):
            submit_with_auth(tmp_path / "make-run.log")
    finally:
        subprocess.run([str(BIN / "postern"), "-c", str(etc), "stop"],
                       capture_output=True, timeout=60)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()
    text = (tmp_path / "make-run.log").read_text()
    assert "fatal:" not in text and "panic:" not in text, text
    # qmgr reads master.cf before it drops privileges: the directories
    # above run/etc here are closed to nobody.
    assert "using default_process_limit for every transport" not in text
