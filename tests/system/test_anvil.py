"""System tests for anvil (src/anvil/) and smtpd's client limits
(src/smtpd/smtpd_anvil.c): a real instance with master, anvil, smtpd,
cleanup, trivial-rewrite and postlogd. Replies, log lines and the
protocol bytes are those Debian's Postfix 3.7 gave (docs/anvil.md).

Loopback is in mynetworks, and smtpd_client_event_limit_exceptions
defaults to $mynetworks: the tests that want limits set it empty."""
import socket

import pytest

from conftest import free_port, wait_for
from test_master import POSTLOG
from test_smtpd import CLEANUP, ME, REWRITE, Client

ANVIL = "anvil unix - - n - 1 anvil\n"


class Server:
    """smtpd on a free loopback port, with anvil."""

    def __init__(self, instance, anvil_extra="", **params):
        self.inst = instance
        self.port = free_port()
        self.service = f"127.0.0.1:{self.port}"
        master_cf = (POSTLOG + REWRITE + CLEANUP
                     + ANVIL.rstrip("\n") + anvil_extra + "\n"
                     + f"{self.service} inet n - n - - smtpd\n")
        settings = dict(mydomain="example.test", smtpd_error_sleep_time="0",
                        mynetworks="127.0.0.0/8", local_recipient_maps="",
                        smtpd_client_event_limit_exceptions="")
        settings.update(params)
        instance.write_config(master_cf, **settings)
        instance.start()

    def connect(self):
        return Client(self.port, "127.0.0.1")


class AnvilPeer:
    """A client of private/anvil speaking the plain attribute form."""

    def __init__(self, instance):
        path = str(instance.queue_dir / "private" / "anvil")
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.settimeout(10)
        wait_for(lambda: self._connect(path), what="anvil socket")
        self.file = self.sock.makefile("rb")
        self.greeting = self.read()

    def _connect(self, path):
        try:
            self.sock.connect(path)
            return True
        except OSError:
            return False

    def read(self):
        data = b""
        while not data.endswith(b"\n\n"):
            line = self.file.readline()
            if not line:
                break
            data += line
            if data == b"\n":
                break
        return data

    def ask(self, request, ident=None):
        msg = b"request=" + request.encode() + b"\n"
        if ident is not None:
            msg += b"ident=" + ident.encode() + b"\n"
        self.sock.sendall(msg + b"\n")
        return self.read()

    def close(self):
        self.file.close()
        self.sock.close()


@pytest.fixture(autouse=True)
def no_crash(instance):
    yield
    for line in instance.log_text().splitlines():
        assert not (("smtpd" in line or "anvil" in line)
                    and ("killed by signal" in line
                         or "exit status" in line)), line


# --- the protocol ----------------------------------------------------------
def test_protocol_bytes_as_postfix(instance):
    Server(instance)
    a = AnvilPeer(instance)
    assert a.greeting == b"protocol=anvil_protocol\n\n"
    # The exchange observed with Debian's Postfix 3.7 anvil.
    i = "smtp:1.2.3.4"
    assert a.ask("connect", i) == b"status=0\ncount=1\nrate=1\n\n"
    assert a.ask("connect", i) == b"status=0\ncount=1\nrate=2\n\n"
    assert a.ask("message", i) == b"status=0\nrate=1\n\n"
    assert a.ask("recipient", i) == b"status=0\nrate=1\n\n"
    assert a.ask("recipient", i) == b"status=0\nrate=2\n\n"
    assert a.ask("newtls", i) == b"status=0\nrate=1\n\n"
    assert a.ask("newtls_report", i) == b"status=4294967295\n\n"
    assert a.ask("newtls_status", i) == b"status=0\nrate=1\n\n"
    assert a.ask("auth", i) == b"status=0\nrate=1\n\n"
    assert a.ask("lookup", i) == (b"status=0\ncount=1\nrate=2\nmail=1\n"
                                  b"rcpt=2\nnewtls=1\nauth=1\n\n")
    assert a.ask("disconnect", i) == b"status=0\n\n"
    assert a.ask("lookup", i) == (b"status=0\ncount=0\nrate=2\nmail=1\n"
                                  b"rcpt=2\nnewtls=1\nauth=1\n\n")
    assert a.ask("lookup", "smtp:9.9.9.9") == (
        b"status=0\ncount=0\nrate=0\nmail=0\nrcpt=0\nnewtls=0\nauth=0\n\n")
    assert a.ask("bogus", "smtp:1") == b"status=4294967295\n\n"
    assert a.ask("connect") == b""             # no ident: dropped
    a.close()
    log = instance.wait_log("missing attribute ident")
    assert 'warning: unrecognized request: "newtls_report", ignored' in log
    assert ("warning: missing attribute ident in input from anvil socket"
            in log)


def test_one_remote_client_per_local_client(instance):
    Server(instance)
    a = AnvilPeer(instance)
    assert a.ask("connect", "smtp:1.1.1.1") == b"status=0\ncount=1\nrate=1\n\n"
    # A second remote client replaces the first one (as in Postfix).
    assert a.ask("connect", "smtp:2.2.2.2") == b"status=0\ncount=1\nrate=1\n\n"
    b = AnvilPeer(instance)
    assert b.ask("lookup", "smtp:1.1.1.1").startswith(b"status=0\ncount=0\n")
    assert b.ask("lookup", "smtp:2.2.2.2").startswith(b"status=0\ncount=1\n")
    # The local client goes away: its open connection is dropped.
    a.close()
    wait_for(lambda: b.ask("lookup", "smtp:2.2.2.2").startswith(
        b"status=0\ncount=0\n"), what="connection dropped")
    b.close()


def test_statistics_logged_periodically(instance):
    Server(instance, anvil_status_update_time="1s")
    a = AnvilPeer(instance)
    a.ask("connect", "smtp:1.2.3.4")
    a.ask("connect", "smtp:1.2.3.4")
    a.ask("recipient", "smtp:1.2.3.4")
    log = instance.wait_log("statistics: max cache size")
    for text in ("statistics: max connection rate 2/60s for (smtp:1.2.3.4) at ",
                 "statistics: max connection count 1 for (smtp:1.2.3.4) at ",
                 "statistics: max recipient rate 1/60s for (smtp:1.2.3.4) at ",
                 "statistics: max cache size 1 at "):
        assert text in log, text
    assert "max message rate" not in log
    a.close()


def test_statistics_logged_at_exit(instance):
    # The last client leaves; after max_idle anvil exits, with statistics.
    Server(instance, anvil_extra=" -o max_idle=1s")
    a = AnvilPeer(instance)
    a.ask("message", "smtp:5.6.7.8")
    a.close()
    log = instance.wait_log("statistics: max cache size 1 at ")
    assert "statistics: max message rate 1/60s for (smtp:5.6.7.8) at " in log


# --- smtpd's limits --------------------------------------------------------
def test_connection_count_limit(instance):
    s = Server(instance, smtpd_client_connection_count_limit="2")
    c1, c2 = s.connect(), s.connect()
    assert c1.greeting.startswith("220 ") and c2.greeting.startswith("220 ")
    c3 = s.connect()
    assert c3.greeting == \
        f"421 4.7.0 {ME} Error: too many connections from 127.0.0.1"
    assert c3.reply() == ""                    # and the session ends
    log = instance.wait_log("commands=0/0")
    assert (f"warning: Connection concurrency limit exceeded: 3 from "
            f"localhost[127.0.0.1] for service {s.service}") in log
    assert "disconnect from localhost[127.0.0.1] commands=0/0" in log
    # A client that leaves makes room (its disconnect was counted).
    assert c1.cmd("QUIT") == "221 2.0.0 Bye"
    c1.close()
    instance.wait_log("quit=1 commands=1")
    c4 = s.connect()
    assert c4.greeting.startswith("220 ")
    for c in (c2, c3, c4):
        c.close()


@pytest.mark.parametrize("params", [
    # The default exceptions: $mynetworks (loopback here).
    dict(smtpd_client_event_limit_exceptions="$mynetworks"),
    # Clients allowed to use XCLIENT are not counted.
    dict(smtpd_authorized_xclient_hosts="127.0.0.1")])
def test_clients_not_counted(instance, params):
    s = Server(instance, smtpd_client_connection_count_limit="1", **params)
    clients = [s.connect() for _ in range(3)]
    assert all(c.greeting.startswith("220 ") for c in clients)
    for c in clients:
        c.close()


def test_connection_rate_limit(instance):
    s = Server(instance, smtpd_client_connection_count_limit="0",
               smtpd_client_connection_rate_limit="2")
    for _ in range(2):
        c = s.connect()
        assert c.greeting.startswith("220 ")
        assert c.cmd("QUIT") == "221 2.0.0 Bye"
        c.close()
    c = s.connect()
    assert c.greeting == \
        f"421 4.7.0 {ME} Error: too many connections from 127.0.0.1"
    c.close()
    log = instance.wait_log("Connection rate limit exceeded")
    assert (f"warning: Connection rate limit exceeded: 3 from "
            f"localhost[127.0.0.1] for service {s.service}") in log


def test_message_and_recipient_rate_limits(instance):
    s = Server(instance, smtpd_client_message_rate_limit="2",
               smtpd_client_recipient_rate_limit="3")
    c = s.connect()
    rcpt = "RCPT TO:<root@mx.example.test>"
    replies = [c.cmd(x) for x in (
        "HELO a", "MAIL FROM:<a@example.org>", rcpt, rcpt, "RSET",
        "MAIL FROM:<a@example.org>", rcpt, rcpt, "RSET",
        "MAIL FROM:<a@example.org>", "MAIL FROM:<a@example.org>", "QUIT")]
    # What Debian's Postfix 3.7 answered to the same commands.
    assert replies == [
        f"250 {ME}", "250 2.1.0 Ok", "250 2.1.5 Ok", "250 2.1.5 Ok",
        "250 2.0.0 Ok", "250 2.1.0 Ok", "250 2.1.5 Ok",
        "450 4.7.1 Error: too many recipients from 127.0.0.1",
        "250 2.0.0 Ok",
        "450 4.7.1 Error: too much mail from 127.0.0.1",
        "450 4.7.1 Error: too much mail from 127.0.0.1", "221 2.0.0 Bye"]
    c.close()
    log = instance.wait_log("disconnect from")
    svc = s.service
    for text in (
            "warning: Recipient address rate limit exceeded: 4 from "
            f"localhost[127.0.0.1] for service {svc}",
            "warning: Message delivery request rate limit exceeded: 3 from "
            f"localhost[127.0.0.1] for service {svc}",
            "warning: Message delivery request rate limit exceeded: 4 from "
            f"localhost[127.0.0.1] for service {svc}",
            "disconnect from localhost[127.0.0.1] helo=1 mail=2/4 rcpt=3/4 "
            "rset=2 quit=1 commands=9/12"):
        assert text in log, text


def test_no_anvil_service_means_no_limit(instance):
    """A master.cf without anvil: no limits, and no warnings (docs)."""
    port = free_port()
    instance.write_config(
        POSTLOG + REWRITE + CLEANUP + f"127.0.0.1:{port} inet n - n - - smtpd\n",
        smtpd_client_connection_count_limit="1",
        smtpd_client_event_limit_exceptions="")
    instance.start()
    c1, c2 = Client(port, "127.0.0.1"), Client(port, "127.0.0.1")
    assert c1.greeting.startswith("220 ") and c2.greeting.startswith("220 ")
    assert c2.cmd("QUIT") == "221 2.0.0 Bye"
    log = instance.wait_log("disconnect from")
    assert "private/anvil" not in log
    c1.close()
    c2.close()


def test_serves_more_clients_than_max_use(instance):
    """Every smtpd keeps its anvil connection for its life: anvil has no
    max_use (as in Postfix), or newer smtpd processes would wait for an
    anvil that stopped accepting."""
    Server(instance, max_use="2")
    held = AnvilPeer(instance)
    for _ in range(4):
        AnvilPeer(instance).close()
    held.close()
