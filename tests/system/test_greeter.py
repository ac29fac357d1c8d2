"""System tests for greeter (src/greeter/, docs/greeter.md): it greets
SMTP clients, holds them idle in one process and hands each to the smtpd
"pass" service when it speaks. A real instance: master, greeter, smtpd,
cleanup, trivial-rewrite, postlogd; clients are smtplib and raw sockets.

What a client sees and what the log says must be what a plain smtpd
gives (docs/smtpd.md); the differences greeter documents are tested
here too (the connect-time checks run when the client first speaks)."""
import os
import smtplib
import socket
import ssl
import subprocess
import time

import pytest

from conftest import LIBEXEC, children_of, free_port, proc_name, wait_for
from test_master import POSTLOG
from test_smtpd import CLEANUP, ME, REWRITE, Client
from tlsfixture import TestPKI

BANNER = f"220 {ME} ESMTP Postern"


class Server:
    """greeter on a free loopback port, passing to "smtpd pass"."""

    def __init__(self, instance, greeter_args="", smtpd_maxproc="-",
                 **params):
        self.inst = instance
        self.port = free_port()
        master_cf = (POSTLOG + REWRITE + CLEANUP
                     + f"127.0.0.1:{self.port} inet n - n - 1 greeter"
                     + greeter_args + "\n"
                     + f"smtpd pass - - n - {smtpd_maxproc} smtpd\n")
        settings = dict(mydomain="example.test", smtpd_error_sleep_time="0",
                        mynetworks="127.0.0.0/8", local_recipient_maps="")
        settings.update(params)
        instance.write_config(master_cf, **settings)
        instance.start()

    def connect(self):
        return Client(self.port, "127.0.0.1")

    def incoming(self):
        return sorted((self.inst.queue_dir / "incoming").glob("*"))

    def processes(self, name):
        master = self.inst.master_pid()
        return [pid for pid in children_of(master) if proc_name(pid) == name]


@pytest.fixture(autouse=True)
def no_crash(instance, request):
    """After each test: no daemon died (ASan/UBSan abort), unless the
    test makes greeter exit on purpose."""
    yield
    exits_on_purpose = request.node.name == "test_wrappermode_refused"
    for line in instance.log_text().splitlines():
        assert "killed by signal" not in line, line
        assert exits_on_purpose or "exit status" not in line, line


@pytest.fixture
def server(instance):
    return Server(instance)


def session_lines(log, addr="127.0.0.1"):
    """The smtpd lines about one client, without the process prefix."""
    return [line.split(": ", 1)[1] for line in log.splitlines()
            if "/smtpd[" in line and f"[{addr}]" in line]


def test_message_through_greeter(server, instance):
    with smtplib.SMTP("127.0.0.1", server.port, local_hostname="client.example",
                      timeout=20) as smtp:
        assert smtp.ehlo()[0] == 250
        assert b"PIPELINING" in smtp.ehlo_resp
        smtp.sendmail("sender@example.org", ["user@mx.example.test"],
                      b"Subject: via greeter\r\n\r\nhello\r\n")
    wait_for(server.incoming, what="queue file")
    log = instance.wait_log("disconnect from")
    lines = session_lines(log)
    assert lines[0] == "connect from localhost[127.0.0.1]"
    assert lines[-1].startswith("disconnect from localhost[127.0.0.1] ehlo=1 "
                                "mail=1 rcpt=1 data=1 quit=1 commands=5")


def test_one_greeting_then_replies_in_order(server):
    """The client sees greeter's 220 once, then smtpd's replies; a
    pipelined group sent as the first bytes is answered in order."""
    client = server.connect()
    assert client.greeting == BANNER
    client.send(b"EHLO client.example\r\nNOOP\r\nQUIT\r\n")
    assert client.reply().startswith(f"250-{ME}")
    assert client.reply() == "250 2.0.0 Ok"
    assert client.reply() == "221 2.0.0 Bye"
    assert client.file.read() == b""
    client.close()


def test_idle_sessions_take_no_smtpd(server):
    """Greeted clients that say nothing cost no smtpd process; the one
    that speaks gets one, and the others are still served afterwards."""
    idle = [server.connect() for _ in range(30)]
    assert all(c.greeting == BANNER for c in idle)
    assert len(server.processes("greeter")) == 1
    assert server.processes("smtpd") == []
    talker = server.connect()
    assert talker.cmd("EHLO client.example").startswith(f"250-{ME}")
    assert len(server.processes("smtpd")) == 1
    assert talker.cmd("QUIT") == "221 2.0.0 Bye"
    for client in idle:
        assert client.cmd("HELO client.example") == f"250 {ME}"
        client.close()
    talker.close()


def test_client_that_leaves_silently(server, instance):
    client = server.connect()
    client.close()
    log = instance.wait_log("disconnect from")
    assert session_lines(log) == [
        "connect from localhost[127.0.0.1]",
        "lost connection after CONNECT from localhost[127.0.0.1]",
        "disconnect from localhost[127.0.0.1] commands=0/0",
    ]


def test_silent_client_times_out(instance):
    server = Server(instance, smtpd_timeout="2s")
    client = server.connect()
    start = time.monotonic()
    assert client.reply() == f"421 4.4.2 {ME} Error: timeout exceeded"
    assert 1.5 <= time.monotonic() - start < 10
    assert client.file.read() == b""
    log = instance.wait_log("disconnect from")
    assert session_lines(log) == [
        "connect from localhost[127.0.0.1]",
        "timeout after CONNECT from localhost[127.0.0.1]",
        "disconnect from localhost[127.0.0.1] commands=0/0",
    ]
    client.close()


def test_no_false_pipelining_after_connect(instance):
    """A client that waits for greeter's 220 did not talk early, though
    its EHLO is already waiting when smtpd starts."""
    server = Server(instance,
                    smtpd_data_restrictions="reject_unauth_pipelining")
    client = server.connect()
    assert client.cmd("EHLO client.example").startswith(f"250-{ME}")
    assert client.cmd("MAIL FROM:<a@example.org>") == "250 2.1.0 Ok"
    assert client.cmd("RCPT TO:<user@mx.example.test>") == "250 2.1.5 Ok"
    assert client.cmd("DATA").startswith("354 ")
    assert client.cmd("hi\r\n.") .startswith("250 2.0.0 Ok: queued as ")
    assert client.cmd("QUIT") == "221 2.0.0 Bye"
    client.close()
    log = instance.wait_log("disconnect from")
    assert "improper command pipelining" not in log


def test_busy_smtpd_client_waits_its_turn(instance):
    """With one smtpd, a second client that speaks waits until the
    first is done, then is served in full."""
    server = Server(instance, smtpd_maxproc="1")
    first = server.connect()
    assert first.cmd("EHLO one.example").startswith(f"250-{ME}")
    second = server.connect()
    assert second.greeting == BANNER
    second.send(b"HELO two.example\r\n")
    second.sock.settimeout(1)
    with pytest.raises(socket.timeout):
        second.sock.recv(1, socket.MSG_PEEK)
    second.sock.settimeout(20)
    assert first.cmd("QUIT") == "221 2.0.0 Bye"
    assert second.reply() == f"250 {ME}"
    assert second.cmd("QUIT") == "221 2.0.0 Bye"
    first.close()
    second.close()


def test_missing_smtpd_service(instance):
    """No pass service to hand the client to: 421 and a warning, as
    Postfix's postscreen says, and greeter goes on."""
    server = Server(instance, smtpd_service_name="nosuch")
    client = server.connect()
    assert client.cmd("EHLO client.example") == \
        "421 4.3.2 All server ports are busy"
    client.close()
    log = instance.wait_log("cannot connect to service private/nosuch")
    assert "warning: cannot connect to service private/nosuch: " in log
    again = server.connect()
    assert again.greeting == BANNER
    again.close()


def test_connect_refusal_shows_at_first_command(instance):
    """smtpd_delay_reject = no and a client refused at connect: it was
    greeted already, so its commands get 503 (docs/greeter.md); the
    reject is logged as a plain smtpd logs it."""
    server = Server(instance, smtpd_delay_reject="no",
                    smtpd_client_restrictions="reject")
    client = server.connect()
    assert client.greeting == BANNER
    assert client.cmd("HELO client.example") == \
        "503 5.7.0 Error: access denied for localhost[127.0.0.1]"
    assert client.cmd("QUIT") == "221 2.0.0 Bye"
    client.close()
    log = instance.wait_log("disconnect from")
    assert ("NOQUEUE: reject: CONNECT from localhost[127.0.0.1]: "
            "554 5.7.1 <localhost[127.0.0.1]>: Client host rejected: "
            "Access denied; proto=SMTP") in log


def test_starttls_through_greeter(instance, tmp_path):
    pki = TestPKI(tmp_path / "pki")
    server = Server(instance, smtpd_tls_security_level="may",
                    smtpd_tls_chain_files=pki.path("server-chain.pem"))
    ctx = ssl.create_default_context(cafile=str(pki.path("ca.pem")))
    ctx.check_hostname = False
    with smtplib.SMTP("127.0.0.1", server.port, timeout=20) as smtp:
        smtp.ehlo("client.example")
        assert smtp.starttls(context=ctx)[0] == 220
        assert smtp.sock.version() == "TLSv1.3"
        smtp.ehlo("client.example")
        smtp.sendmail("a@example.org", ["user@mx.example.test"],
                      b"Subject: tls\r\n\r\nhi\r\n")
    wait_for(server.incoming, what="queue file")


def test_wrappermode_refused(instance):
    """TLS comes before the greeting on a wrapper-mode port: greeter
    refuses to serve one, with the reason in the log (master starts it
    for the first client)."""
    port = free_port()
    instance.write_config(
        POSTLOG + f"127.0.0.1:{port} inet n - n - 1 greeter"
        " -o smtpd_tls_wrappermode=yes\n", mydomain="example.test")
    instance.start()
    with socket.create_connection(("127.0.0.1", port), timeout=20):
        log = instance.wait_log("greeter cannot serve smtpd_tls_wrappermode")
    assert f"fatal: service 127.0.0.1:{port}: greeter cannot serve " in log


def test_many_idle_sessions_in_one_process(instance):
    """More sessions than the default process limit, all greeted and held
    by greeter alone; each can still be served."""
    server = Server(instance)
    count = 300
    clients = [server.connect() for _ in range(count)]
    assert all(c.greeting == BANNER for c in clients)
    assert server.processes("smtpd") == []
    [greeter] = server.processes("greeter")
    assert len(os.listdir(f"/proc/{greeter}/fd")) > count
    for client in clients[::50]:
        assert client.cmd("QUIT") == "221 2.0.0 Bye"
    for client in clients:
        client.close()


def test_out_of_descriptors_pauses_accept(instance):
    """At its open-file limit greeter stops accepting for a second
    (one warning, no busy loop); waiting clients are greeted once some
    leave."""
    server = Server(instance)
    instance.stop()
    subprocess.run(["prlimit", "--nofile=64:64", "--",
                    str(LIBEXEC / "master"), "-c", str(instance.config_dir),
                    "-w"], check=True, timeout=30)
    wait_for(instance.master_pid, what="master.pid")
    held = []
    for _ in range(80):
        sock = socket.create_connection(("127.0.0.1", server.port), 20)
        sock.settimeout(0.5)
        try:
            if sock.recv(512).startswith(b"220"):
                held.append(sock)
                continue
        except socket.timeout:
            pass
        break
    waiting = sock
    assert 30 < len(held) < 64
    log = instance.wait_log("no new clients for 1000 ms")
    assert "warning: accept: Too many open files: no new clients" in log
    for sock in held[:10]:
        sock.close()
    waiting.settimeout(5)
    assert waiting.recv(512).startswith(b"220")
    time.sleep(1)
    warnings = instance.log_text().count("Too many open files")
    assert warnings <= 5, warnings
    for sock in held[10:] + [waiting]:
        sock.close()


def test_idle_sessions_per_client_limited(instance):
    """greeter holds smtpd_client_connection_count_limit idle sessions of
    one client; more go to smtpd ungreeted, where anvil's limit refuses
    them as a plain smtpd does. anvil counts the sessions smtpd serves,
    so a held session that speaks while the client has its limit there
    is refused too (docs/greeter.md)."""
    port = free_port()
    instance.write_config(
        POSTLOG + REWRITE + CLEANUP + "anvil unix - - n - 1 anvil\n"
        + f"127.0.0.1:{port} inet n - n - 1 greeter\n"
        + "smtpd pass - - n - - smtpd\n",
        mydomain="example.test", smtpd_error_sleep_time="0",
        smtpd_client_connection_count_limit="3",
        smtpd_client_event_limit_exceptions="")
    instance.start()
    master = instance.master_pid()
    clients = [Client(port, "127.0.0.1") for _ in range(6)]
    assert all(c.greeting == BANNER for c in clients)
    smtpds = [pid for pid in children_of(master) if proc_name(pid) == "smtpd"]
    assert len(smtpds) == 3
    refused = Client(port, "127.0.0.1")
    assert refused.greeting == \
        f"421 4.7.0 {ME} Error: too many connections from 127.0.0.1"
    log = instance.wait_log("Connection concurrency limit exceeded")
    assert ("warning: Connection concurrency limit exceeded: 4 from "
            "localhost[127.0.0.1] for service smtpd") in log
    for client in clients[3:]:
        assert client.cmd("QUIT") == "221 2.0.0 Bye"
    # smtpd tells anvil before it logs "disconnect from".
    wait_for(lambda: instance.log_text().count("disconnect from") >= 4,
             what="three sessions ended")
    assert clients[0].cmd("HELO client.example") == f"250 {ME}"
    for client in clients + [refused]:
        client.close()


def test_reload_keeps_held_sessions(instance):
    """After a reload the old greeter stops accepting but keeps the
    sessions it holds and hands them on when they speak; new clients
    meet a new greeter with the new banner; the old one exits once its
    sessions are gone."""
    server = Server(instance)
    held = server.connect()
    [old] = server.processes("greeter")
    instance.write_config(smtpd_banner="$myhostname ESMTP reloaded")
    instance.cmd("postern", "reload")
    instance.wait_log("reload -- version")
    fresh = wait_for(lambda: _greeting_if(server, "reloaded"),
                     what="a greeting with the new banner")
    assert old in server.processes("greeter")
    assert held.cmd("HELO client.example") == f"250 {ME}"
    assert held.cmd("QUIT") == "221 2.0.0 Bye"
    held.close()
    wait_for(lambda: old not in server.processes("greeter"),
             what="the old greeter gone")
    assert fresh.cmd("QUIT") == "221 2.0.0 Bye"
    fresh.close()


def _greeting_if(server, word):
    """A new client whose greeting has word, or None (closed)."""
    client = server.connect()
    if word in client.greeting:
        return client
    client.close()
    return None
