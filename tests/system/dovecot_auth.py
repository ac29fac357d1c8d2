"""Debian's Dovecot (dovecot-core) started by system tests, in a
directory of its own: the authentication service for SASL tests (smtpd's
AUTH, the smtp client against a Postfix peer that requires AUTH) and,
through the same starter, the LMTP server of test_lmtp.py.

API (import from tests/system; needs root and /usr/sbin/dovecot):

    from dovecot_auth import DovecotAuth, USERS, needs_dovecot, dovecot_auth

    @needs_dovecot                    # skip unless root and dovecot exist
    def test_x(dovecot_auth):         # fixture: DovecotAuth in tmp_path
        dovecot_auth.socket           # Path of the auth socket (mode 0666)
        dovecot_auth.log              # Path of Dovecot's log file
        USERS                         # {user: password} known to Dovecot
        dovecot_auth.stop()           # idempotent; the fixture calls it

    auth = DovecotAuth(root, socket=Path(...), users={"u": "p"},
                       mechanisms="plain login", port=None)
        root      a fresh directory for Dovecot's files (created)
        socket    where the auth listener goes (default ROOT/auth); for a
                  Postfix or Postern instance, QUEUE_DIR/private/auth lets
                  smtpd_sasl_path = private/auth work unchanged
        users     passwd-file users with {PLAIN} passwords
        mechanisms auth_mechanisms
        port      also listen on 127.0.0.1:PORT (inet:127.0.0.1:PORT)
        auth.start() / auth.stop() start and stop it again (Dovecot down)

    Failed logins are answered at once (auth_failure_delay = 0, no auth
    penalty), so tests may fail on purpose. Stopping Dovecot takes about
    three seconds: a module-scoped fixture saves that per test.

    Dovecot(root, conf_text) is the generic starter: it writes
    ROOT/dovecot.conf (base_dir ROOT/run, state_dir ROOT/state, log_path
    ROOT/dovecot.log, ssl = no are prepended), starts /usr/sbin/dovecot
    and waits for the socket the caller names in start(path).
    PASSWD_FILE_DBS is the passdb/userdb text for ROOT/users.

Everything is loopback or UNIX sockets under the test's directory; the
users have no system accounts (uid/gid 65534).
"""
import os
import subprocess
from pathlib import Path

import pytest

from conftest import free_port, wait_for

DOVECOT = "/usr/sbin/dovecot"
HAVE_DOVECOT = os.access(DOVECOT, os.X_OK) and os.geteuid() == 0
needs_dovecot = pytest.mark.skipif(
    not HAVE_DOVECOT, reason="dovecot is not installed, or not root")

USERS = {
    "alice@example.test": "alice-secret",
    "bob": "bob-secret",
}

BASE_CONF = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
ssl = no
"""

# Users and passwords from ROOT/users (format with root=...).
PASSWD_FILE_DBS = """\
passdb {{
  driver = passwd-file
  args = {root}/users
}}
userdb {{
  driver = passwd-file
  args = {root}/users
}}
"""

AUTH_CONF = PASSWD_FILE_DBS + """\
protocols =
auth_mechanisms = {mechanisms}
auth_verbose = yes
auth_failure_delay = 0
# No growing delay after failures from the same address (auth penalty):
# tests fail on purpose, and must stay quick.
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service auth {{
  unix_listener {socket} {{
    mode = 0666
  }}
{inet}}}
"""

INET_LISTENER = """\
  inet_listener {{
    address = 127.0.0.1
    port = {port}
  }}
"""


class Dovecot:
    """A Dovecot master with its own configuration under root."""

    def __init__(self, root: Path, conf_text: str):
        self.root = root
        self.log = root / "dovecot.log"
        for sub in ("run", "state"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        self.conf = root / "dovecot.conf"
        self.conf.write_text(BASE_CONF.format(root=root) + conf_text)
        self.running = False

    def start(self, wait_path: Path):
        """Start Dovecot and wait until wait_path (a listener) exists."""
        if wait_path.exists() or wait_path.is_symlink():
            wait_path.unlink()
        subprocess.run([DOVECOT, "-c", str(self.conf)], check=True,
                       timeout=30)
        self.running = True
        wait_for(wait_path.exists, 10, what=f"dovecot's socket {wait_path}")

    def stop(self):
        """Stop Dovecot and wait until its master is gone."""
        if not self.running:
            return
        subprocess.run([DOVECOT, "-c", str(self.conf), "stop"], timeout=30,
                       capture_output=True)
        self.running = False
        pid_file = self.root / "run" / "master.pid"
        wait_for(lambda: not pid_file.exists(), 10,
                 what="dovecot to stop")

    def log_text(self):
        return self.log.read_text() if self.log.exists() else ""


class DovecotAuth(Dovecot):
    """Dovecot's authentication service only, with passwd-file users."""

    def __init__(self, root: Path, socket: Path = None, users=None,
                 mechanisms="plain login", port=None):
        root.mkdir(parents=True, exist_ok=True)
        self.users = dict(USERS if users is None else users)
        self.socket = Path(socket) if socket else root / "auth"
        self.socket.parent.mkdir(parents=True, exist_ok=True)
        self.port = port
        (root / "users").write_text("".join(
            f"{user}:{{PLAIN}}{password}:65534:65534::/nonexistent::\n"
            for user, password in self.users.items()))
        inet = INET_LISTENER.format(port=port) if port else ""
        super().__init__(root, AUTH_CONF.format(
            root=root, socket=self.socket, mechanisms=mechanisms,
            inet=inet))
        self.start()

    def start(self):
        super().start(self.socket)


@pytest.fixture
def dovecot_auth(tmp_path):
    """Dovecot's auth service with USERS; socket at TMP/dovecot/auth."""
    server = DovecotAuth(tmp_path / "dovecot", port=free_port())
    yield server
    server.stop()
