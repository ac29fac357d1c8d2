"""System tests for the connection cache (src/scache/, src/smtp/
smtp_reuse.c, docs/scache.md): a Postern instance with scache relays many
messages to one Python peer over few sessions, logs conn_use= as Postfix
3.7 does (observed: "relay=127.0.0.1[127.0.0.1]:27125, conn_use=2,
delay=..."), turns caching on by itself when mail piles up (qmgr's
on-demand flags), and loses no mail when the server closed a cached
session."""
import re
import socket
import threading
import time

import pytest

from conftest import LIBEXEC, wait_for
from smtp_peer import Peer
from test_qmgr import MASTER_CF
from test_smtp import DELAYS, QID, SMTP_CF, relay_mta

pytestmark = pytest.mark.skipif(
    not all((LIBEXEC / a).exists() for a in ("qmgr", "smtp", "scache")),
    reason="qmgr, smtp and scache are not all built")

SCACHE_CF = SMTP_CF + "scache unix - - n - 1 scache\n"


class CountingPeer(Peer):
    """An SMTP server that counts sessions and messages; it refuses
    recipients whose address starts with "bad". rset: "ok"
    answers RSET, "drop" hangs up on it (a server that timed the idle
    session out); idle_close: hang up this long after each message
    (None: never); gate: the end-of-data replies wait until it is set."""

    def __init__(self, rset="ok", idle_close=None, gate=None):
        self.rset = rset
        self.idle_close = idle_close
        self.gate = gate
        self.messages = 0
        self.rsets = 0
        self.lock = threading.Lock()
        super().__init__()

    def serve(self, conn):
        f = conn.makefile("rwb", buffering=0)
        f.write(b"220 peer.test ESMTP\r\n")
        accepted = 0
        while True:
            line = f.readline()
            if not line:
                return
            verb = line[:4].upper()
            if verb == b"EHLO":
                f.write(b"250-peer.test\r\n250-PIPELINING\r\n250 8BITMIME\r\n")
            elif verb == b"RSET":
                with self.lock:
                    self.rsets += 1
                if self.rset == "drop":
                    return
                f.write(b"250 2.0.0 Ok\r\n")
            elif verb == b"MAIL":
                accepted = 0
                f.write(b"250 2.1.0 Ok\r\n")
            elif verb == b"RCPT" and b"<bad" in line:
                f.write(b"550 5.1.1 no such user\r\n")
            elif verb == b"RCPT":
                accepted += 1
                f.write(b"250 2.1.5 Ok\r\n")
            elif verb == b"DATA" and not accepted:
                f.write(b"554 5.5.1 Error: no valid recipients\r\n")
            elif verb == b"DATA":
                f.write(b"354 go ahead\r\n")
                while f.readline() not in (b".\r\n", b""):
                    pass
                if self.gate:
                    self.gate.wait(30)
                with self.lock:
                    self.messages += 1
                f.write(b"250 2.0.0 Ok: queued\r\n")
                if self.idle_close is not None:
                    time.sleep(self.idle_close)
                    return
            elif verb == b"QUIT":
                f.write(b"221 2.0.0 Bye\r\n")
                return
            else:
                f.write(b"502 5.5.2 Error\r\n")


@pytest.fixture
def peer():
    peers = []

    def start(**kwargs):
        peers.append(CountingPeer(**kwargs))
        return peers[-1]

    yield start
    for p in peers:
        p.close()


def sent_lines(log):
    """The smtp agent's status=sent lines."""
    return re.findall(rf"smtp\[\d+\]: {QID}: to=<[^>]*>, relay=[^,]*, "
                      r".*status=sent.*", log)


def test_hundred_messages_few_sessions(instance, peer):
    """100 messages to a destination in smtp_connection_cache_destinations
    go over far fewer than 100 sessions; the reused ones log conn_use=N
    right after the relay; scache logs its statistics at exit."""
    p = peer()
    mta = relay_mta(instance, p.port, master_cf=SCACHE_CF, max_idle="2s",
                    smtp_connection_cache_destinations="127.0.0.1")
    for i in range(100):
        mta.sendmail("-f", "s@example.org", f"r{i}@remote.test",
                     input=b"Subject: m%d\n\nbody\n" % i)
    wait_for(lambda: p.messages == 100, 60, what="100 messages")
    mta.wait_empty()
    log = instance.log_text()
    assert len(sent_lines(log)) == 100
    assert p.sessions <= 25, p.sessions
    reused = re.findall(rf"relay=127\.0\.0\.1\[127\.0\.0\.1\]:{p.port}, "
                        rf"conn_use=(\d+), {DELAYS}, dsn=2\.0\.0, "
                        r"status=sent \(250 2\.0\.0 Ok: queued\)", log)
    assert len(reused) + p.sessions == 100, (len(reused), p.sessions)
    assert min(int(n) for n in reused) == 2
    # scache logs its statistics when it exits (as Postfix's did when it
    # went idle, observed): with max_idle=2s once the smtp processes left.
    log = instance.wait_log("statistics: max simultaneous", 30)
    assert re.search(r"scache\[\d+\]: statistics: start interval "
                     r"\w{3} [ \d]\d \d\d:\d\d:\d\d", log), log
    assert re.search(r"scache\[\d+\]: statistics: domain lookup hits=\d+ "
                     r"miss=\d+ success=\d+%", log), log
    assert re.search(r"scache\[\d+\]: statistics: max simultaneous "
                     r"domains=\d+ addresses=\d+ connection=\d+", log), log


def test_on_demand_caching_when_mail_piles_up(instance, peer):
    """Without smtp_connection_cache_destinations: a backlog for one
    destination (the server holds the first message until 20 are in the
    active queue; one delivery at a time) makes qmgr ask for cached
    sessions, and smtp reuses them."""
    gate = threading.Event()
    p = peer(gate=gate)
    mta = relay_mta(instance, p.port, master_cf=SCACHE_CF,
                    smtp_destination_concurrency_limit="1",
                    smtp_data_done_timeout="40s")
    for i in range(20):
        mta.sendmail("-f", "s@example.org", f"r{i}@remote.test")
    wait_for(lambda: instance.log_text().count("(queue active)") == 20, 30,
             what="20 active messages")
    gate.set()
    wait_for(lambda: p.messages == 20, 60, what="20 messages")
    mta.wait_empty()
    assert p.sessions <= 3, p.sessions
    reused = re.findall(r"conn_use=\d+, ", instance.log_text())
    assert len(reused) + p.sessions == 20


def test_no_cache_without_backlog(instance, peer):
    """One message at a time, nothing listed: one session per message
    and no conn_use (Postfix's default behaviour)."""
    p = peer()
    mta = relay_mta(instance, p.port, master_cf=SCACHE_CF)
    for i in range(3):
        mta.sendmail("-f", "s@example.org", f"r{i}@remote.test")
        wait_for(lambda: p.messages == i + 1, 20, what=f"message {i}")
    mta.wait_empty()
    assert p.sessions == 3
    assert "conn_use=" not in instance.log_text()


@pytest.mark.parametrize("kind", ["drop_on_rset", "idle_close"])
def test_server_closed_cached_session(instance, peer, kind):
    """The server closes a cached session: on RSET (the check before
    reuse), or by itself while it waits in the cache (scache sees the
    hang-up). Every message is still delivered, over a new session,
    and nothing is deferred."""
    p = peer(rset="drop") if kind == "drop_on_rset" else \
        peer(idle_close=0.05)
    mta = relay_mta(instance, p.port, master_cf=SCACHE_CF,
                    smtp_connection_cache_destinations="127.0.0.1")
    for i in range(4):
        mta.sendmail("-f", "s@example.org", f"r{i}@remote.test")
        wait_for(lambda: p.messages == i + 1, 20, what=f"message {i}")
        time.sleep(0.2)
    mta.wait_empty()
    log = instance.log_text()
    assert len(sent_lines(log)) == 4
    assert "status=deferred" not in log
    assert p.sessions == 4
    if kind == "drop_on_rset":
        assert p.rsets == 3
    assert "conn_use=" not in log


def _read_exactly(sock, n):
    data = b""
    while len(data) < n:
        piece = sock.recv(n - len(data))
        assert piece, data
        data += piece
    return data


def test_daemon_speaks_postfix_bytes(instance):
    """Postern's scache answers the requests Postfix 3.7's smtp sent
    (strace) with the bytes Postfix's scache sent: greeting, not found,
    the dummy before a descriptor, found with both properties, and the
    descriptor that comes back is the one that went in."""
    instance.write_config(MASTER_CF + "scache unix - - n - 1 scache\n")
    instance.start()
    path = str(instance.queue_dir / "private" / "scache")
    dest = b"smtp\n[127.0.0.1]:27125\n"
    endp = b"smtp\n127.0.0.1\n27125\n0\n"
    dprop = b"destination=[127.0.0.1]:27125\nhost_name=127.0.0.1\n"
    eprop = b"tls_level=0\nreuse_count=0\n"
    left, right = socket.socketpair()
    with socket.socket(socket.AF_UNIX) as s:
        wait_for(lambda: s.connect_ex(path) == 0, 10, what="scache socket")
        s.settimeout(10)
        greeting = b"protocol\0connection_cache_protocol\0\0"
        assert _read_exactly(s, len(greeting)) == greeting
        s.sendall(b"request\0find_dest\0label\0" + dest + b"\0\0")
        miss = b"status\x002\0property\0\0property\0\0\0"
        assert _read_exactly(s, len(miss)) == miss
        s.sendall(b"request\0save_dest\0ttl\x002\0label\0" + dest
                  + b"\0property\0" + dprop + b"\0label\0" + endp + b"\0\0")
        assert _read_exactly(s, 10) == b"status\x000\0\0"
        s.sendall(b"request\0save_endp\0ttl\x002\0label\0" + endp
                  + b"\0property\0" + eprop + b"\0\0")
        assert _read_exactly(s, 8) == b"dummy\0\0\0"
        socket.send_fds(s, [b"\0"], [left.fileno()])
        assert _read_exactly(s, 10) == b"status\x000\0\0"
        left.close()
        s.sendall(b"request\0find_dest\0label\0" + dest + b"\0\0")
        found = (b"status\x000\0property\0" + dprop + b"\0property\0" + eprop
                 + b"\0\0")
        assert _read_exactly(s, len(found)) == found
        s.sendall(b"dummy\0\0\0")
        _, fds, _, _ = socket.recv_fds(s, 1, 1)
        s.sendall(b"dummy\0\0\0")
        assert len(fds) == 1
        with socket.socket(fileno=fds[0]) as back:
            back.sendall(b"x")
            assert right.recv(1) == b"x"
    right.close()


def test_session_with_pending_replies_is_not_cached(instance, peer):
    """Every recipient refused with PIPELINING: the DATA reply is not
    read, so the session must not serve another message (its reply would
    answer the wrong command). The next message gets a new session and
    each result is right."""
    p = peer()
    mta = relay_mta(instance, p.port, master_cf=SCACHE_CF,
                    smtp_connection_cache_destinations="127.0.0.1")
    # The sender's domain goes to discard (test_qmgr's transport map):
    # the bounce notice stays away from the peer.
    mta.sendmail("-f", "s@disc.test", "bad@remote.test")
    log = instance.wait_log("to=<bad@remote.test>, relay=", 20)
    mta.sendmail("-f", "s@disc.test", "good@remote.test")
    wait_for(lambda: p.messages == 1, 20, what="the good message")
    mta.wait_empty()
    log = instance.log_text()
    assert re.search(r"to=<bad@remote\.test>, relay=[^,]*, " + DELAYS
                     + r", dsn=5\.1\.1, status=bounced \(host 127\.0\.0\.1"
                     r"\[127\.0\.0\.1\] said: 550 5\.1\.1 no such user "
                     r"\(in reply to RCPT TO command\)\)", log), log
    assert re.search(r"to=<good@remote\.test>, relay=[^,]*, " + DELAYS
                     + r", dsn=2\.0\.0, status=sent", log), log
    assert p.sessions == 2 and p.messages == 1


def test_serves_more_clients_than_max_use(instance):
    """smtp processes keep their scache connection for their life: a
    scache that stopped accepting at max_use (as other daemons do) would
    leave every newer smtp process waiting until it timed out and gave up
    caching (seen in make bench). As in Postfix, scache has no max_use."""
    instance.write_config(MASTER_CF + "scache unix - - n - 1 scache\n",
                          max_use="2")
    instance.start()
    path = str(instance.queue_dir / "private" / "scache")
    greeting = b"protocol\0connection_cache_protocol\0\0"
    held = socket.socket(socket.AF_UNIX)
    wait_for(lambda: held.connect_ex(path) == 0, 10, what="scache socket")
    held.settimeout(10)
    assert _read_exactly(held, len(greeting)) == greeting
    for _ in range(4):
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(5)
            s.connect(path)
            assert _read_exactly(s, len(greeting)) == greeting
    held.close()
