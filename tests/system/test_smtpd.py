"""System tests for smtpd (src/smtpd/): a real instance (master, smtpd on
a loopback port, cleanup, trivial-rewrite, postlogd) and real clients:
a raw socket where the exact bytes matter, Python's smtplib, swaks and
Debian's /usr/sbin/smtp-source. Replies and log lines are those Debian's
Postfix 3.7 smtpd gave for the same input (docs/smtpd.md)."""
import shutil
import smtplib
import socket
import subprocess
import time

import pytest

from conftest import free_port, wait_for
from queuefile import content_text, read_records, sections
from test_master import POSTLOG

CLEANUP = "cleanup unix n - n - 0 cleanup\n"
REWRITE = "rewrite unix - - n - - trivial-rewrite\n"
ME = "mx.example.test"


class Server:
    """An instance with smtpd on a free loopback port."""

    def __init__(self, instance, cleanup=True, **params):
        self.inst = instance
        self.port = free_port()
        master_cf = (POSTLOG + REWRITE + (CLEANUP if cleanup else "")
                     + f"127.0.0.1:{self.port} inet n - n - - smtpd\n")
        # No recipient table: these tests are about the protocol, not
        # about which local users exist (test_smtpd_restrictions.py).
        settings = dict(mydomain="example.test", smtpd_error_sleep_time="0",
                        mynetworks="127.0.0.0/8", local_recipient_maps="")
        settings.update(params)
        instance.write_config(master_cf, **settings)
        instance.start()

    def incoming(self):
        root = self.inst.queue_dir / "incoming"
        return sorted(p for p in root.rglob("*") if p.is_file()) \
            if root.exists() else []

    def connect(self, source="127.0.0.1"):
        return Client(self.port, source)


class Client:
    """A raw SMTP client: send bytes, read whole replies."""

    def __init__(self, port, source):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=20,
                                             source_address=(source, 0))
        self.file = self.sock.makefile("rb")
        self.greeting = self.reply()

    def reply(self):
        lines = []
        while True:
            line = self.file.readline()
            if not line:
                break
            lines.append(line.decode(errors="replace").rstrip("\r\n"))
            if len(line) < 4 or line[3:4] != b"-":
                break
        return "\n".join(lines)

    def send(self, data):
        self.sock.sendall(data)

    def cmd(self, line):
        self.send(line.encode() + b"\r\n")
        return self.reply()

    def close(self):
        self.file.close()
        self.sock.close()


def message(path):
    env, content, extra = sections(read_records(path))
    return env, content_text(content), extra


@pytest.fixture(autouse=True)
def no_crash(instance):
    """After each test: no smtpd process died (ASan/UBSan abort)."""
    yield
    for line in instance.log_text().splitlines():
        assert not ("smtpd" in line and ("killed by signal" in line
                                         or "exit status" in line)), line


@pytest.fixture
def server(instance):
    return Server(instance)


def transaction(client, rcpt="user@mx.example.test"):
    assert client.cmd("EHLO client.example").startswith("250-" + ME)
    assert client.cmd("MAIL FROM:<sender@example.org>") == "250 2.1.0 Ok"
    assert client.cmd(f"RCPT TO:<{rcpt}>") == "250 2.1.5 Ok"


# --- a message end to end --------------------------------------------------
def test_message_reaches_incoming_with_postfix_envelope(server, instance):
    with smtplib.SMTP("127.0.0.1", server.port, local_hostname="client.example",
                      timeout=20) as s:
        code, text = s.ehlo()
        assert code == 250
        assert text.decode().split("\n") == [
            ME, "PIPELINING", "SIZE 10240000", "VRFY", "ETRN",
            "ENHANCEDSTATUSCODES", "8BITMIME", "DSN", "SMTPUTF8", "CHUNKING"]
        s.mail("sender@example.org")
        s.rcpt("user@mx.example.test")
        code, text = s.data(b"Subject: hi\r\n\r\n..dot\r\nbody\r\n")
        assert code == 250
    m = text.decode()
    assert m.startswith("2.0.0 Ok: queued as ")
    qid = m.split()[-1]
    [path] = wait_for(server.incoming, what="queue file")
    assert path.name == qid
    env, content, _ = message(path)
    types = [t for t, _ in env]
    assert ("S", b"sender@example.org") in env
    assert ("R", b"user@mx.example.test") in env
    assert ("O", b"user@mx.example.test") in env
    attrs = [d.decode() for t, d in env if t == "A"]
    for a in ("log_client_name=localhost", "client_address=127.0.0.1",
              "helo_name=client.example", "protocol_name=ESMTP",
              "dsn_orig_rcpt=rfc822;user@mx.example.test",
              "rewrite_context=local"):
        assert a in attrs, a
    assert types.index("S") < types.index("R")
    lines = content.decode().split("\n")
    assert lines[0] == "Received: from client.example (localhost [127.0.0.1])"
    assert lines[1] == f"\tby {ME} (Postern) with ESMTP id {qid}"
    assert lines[2].startswith("\tfor <user@mx.example.test>; ")
    assert "Subject: hi" in lines and "..dot" in lines and "body" in lines
    log = instance.wait_log("disconnect from")
    assert "connect from localhost[127.0.0.1]" in log
    assert f"{qid}: client=localhost[127.0.0.1]" in log
    assert ("disconnect from localhost[127.0.0.1] ehlo=1 mail=1 rcpt=1 "
            "data=1 quit=1 commands=5") in log


def test_two_recipients_received_without_for(server):
    c = server.connect()
    transaction(c)
    assert c.cmd("RCPT TO:<other@mx.example.test>") == "250 2.1.5 Ok"
    assert c.cmd("DATA").startswith("354 End data with <CR><LF>.<CR><LF>")
    assert c.cmd("x\r\n.").startswith("250 2.0.0 Ok: queued as ")
    [path] = wait_for(server.incoming, what="queue file")
    lines = message(path)[1].decode().split("\n")
    assert lines[1].endswith(";") and lines[2].startswith("\t")
    assert "for <" not in lines[2]


def test_pipelined_commands_answered_in_order(server):
    c = server.connect()
    c.send(b"EHLO client.example\r\nMAIL FROM:<s@example.org>\r\n"
           b"RCPT TO:<a@mx.example.test>\r\nRCPT TO:<b@mx.example.test>\r\n"
           b"DATA\r\n")
    replies = [c.reply() for _ in range(5)]
    assert replies[1:] == ["250 2.1.0 Ok", "250 2.1.5 Ok", "250 2.1.5 Ok",
                           "354 End data with <CR><LF>.<CR><LF>"]
    c.send(b"Subject: p\r\n\r\nbody\r\n.\r\nQUIT\r\n")
    assert c.reply().startswith("250 2.0.0 Ok: queued as ")
    assert c.reply() == "221 2.0.0 Bye"
    wait_for(server.incoming, what="queue file")


# --- relay control ---------------------------------------------------------
def test_relay_refused_outside_mynetworks(instance):
    server = Server(instance, mynetworks="192.0.2.0/24")
    c = server.connect()
    assert c.cmd("EHLO client.example").startswith("250-")
    assert c.cmd("MAIL FROM:<s@example.org>") == "250 2.1.0 Ok"
    assert c.cmd("RCPT TO:<x@foreign.example>") == \
        "454 4.7.1 <x@foreign.example>: Relay access denied"
    assert c.cmd("RCPT TO:<u@mx.example.test>") == "250 2.1.5 Ok"
    c.cmd("QUIT")
    log = instance.wait_log("disconnect from")
    assert ("NOQUEUE: reject: RCPT from localhost[127.0.0.1]: 454 4.7.1 "
            "<x@foreign.example>: Relay access denied; from=<s@example.org> "
            "to=<x@foreign.example> proto=ESMTP helo=<client.example>") in log
    assert "rcpt=1/2" in log


def test_relay_matrix_from_127_0_0_66(instance):
    server = Server(instance, mynetworks="127.0.0.1/32",
                    relay_domains="relay.example")
    c = server.connect(source="127.0.0.66")
    transaction(c, "local@mx.example.test")
    assert c.cmd("RCPT TO:<x@relay.example>") == "250 2.1.5 Ok"
    assert c.cmd("RCPT TO:<x@foreign.example>") == \
        "454 4.7.1 <x@foreign.example>: Relay access denied"
    c.cmd("DATA")
    assert c.cmd("x\r\n.").startswith("250 2.0.0 Ok: queued as ")
    [path] = wait_for(server.incoming, what="queue file")
    env = message(path)[0]
    assert ("A", b"rewrite_context=remote") in env
    assert ("R", b"x@relay.example") in env
    assert b"x@foreign.example" not in b"".join(d for _, d in env)
    inside = server.connect()
    transaction(inside, "x@foreign.example")


def test_reject_unauth_destination_554(instance):
    server = Server(instance, mynetworks="192.0.2.0/24",
                    smtpd_relay_restrictions="reject_unauth_destination")
    c = server.connect()
    transaction(c)
    assert c.cmd("RCPT TO:<x@foreign.example>") == \
        "554 5.7.1 <x@foreign.example>: Relay access denied"


def test_relay_allowed_from_mynetworks(server):
    c = server.connect()
    transaction(c, "x@foreign.example")


def test_recipient_restrictions_reject(instance):
    server = Server(instance, smtpd_recipient_restrictions="reject")
    c = server.connect()
    c.cmd("EHLO client.example")
    c.cmd("MAIL FROM:<s@example.org>")
    assert c.cmd("RCPT TO:<u@mx.example.test>") == \
        ("554 5.7.1 <u@mx.example.test>: Recipient address rejected: "
         "Access denied")


# --- limits and bad input --------------------------------------------------
def test_size_limit(instance):
    server = Server(instance, message_size_limit=2000)
    c = server.connect()
    assert "250-SIZE 2000" in c.cmd("EHLO client.example")
    assert c.cmd("MAIL FROM:<s@example.org> SIZE=5000") == \
        "552 5.3.4 Message size exceeds fixed limit"
    assert c.cmd("MAIL FROM:<s@example.org> SIZE=100") == "250 2.1.0 Ok"
    assert c.cmd("RCPT TO:<u@mx.example.test>") == "250 2.1.5 Ok"
    c.cmd("DATA")
    c.send(b"x" * 100 + b"\r\n" * 1)
    c.send((b"y" * 70 + b"\r\n") * 60)
    assert c.cmd(".") == "552 5.3.4 Message size exceeds fixed limit"
    assert c.cmd("NOOP") == "250 2.0.0 Ok"
    time.sleep(0.5)
    assert server.incoming() == []


def test_smuggling_sequences_do_not_end_data(server):
    c = server.connect()
    transaction(c)
    c.cmd("DATA")
    c.send(b"Subject: s\r\n\r\nline\n.\nMAIL FROM:<evil@example.org>\r\n"
           b"a\r\n.\rb\r\nc\n.\r\nRCPT TO:<x@y>\r\n.\r\n")
    assert c.reply().startswith("250 2.0.0 Ok: queued as ")
    assert c.cmd("QUIT") == "221 2.0.0 Bye"
    [path] = wait_for(server.incoming, what="queue file")
    text = message(path)[1]
    assert b"MAIL FROM:<evil@example.org>" in text
    assert b"RCPT TO:<x@y>" in text
    time.sleep(0.5)
    assert len(server.incoming()) == 1


def test_bare_lf_reject(instance):
    server = Server(instance, smtpd_forbid_bare_newline="reject",
                    smtpd_forbid_bare_newline_exclusions="")
    c = server.connect()
    transaction(c)
    c.cmd("DATA")
    c.send(b"a\nb\r\n.\r\n")
    assert c.reply() == f"521 5.5.2 {ME} Error: bare <LF> received"
    assert c.reply() == ""
    time.sleep(0.5)
    assert server.incoming() == []


def test_unknown_nul_and_long_commands(server):
    c = server.connect()
    assert c.cmd("FOO") == "500 5.5.2 Error: command not recognized"
    assert c.cmd("") == "500 5.5.2 Error: bad syntax"
    assert c.cmd("MAIL\0 FROM:<a@b>") == \
        "500 5.5.2 Error: command not recognized"
    assert c.cmd("X" * 100000) == "500 5.5.2 Error: command not recognized"
    assert c.cmd("NOOP") == "250 2.0.0 Ok"
    assert c.cmd("RCPT TO:<a@b>") == "503 5.5.1 Error: need MAIL command"
    assert c.cmd("DATA") == "503 5.5.1 Error: need RCPT command"
    assert c.cmd("MAIL FROM:<a@b> BODY=FOO") == \
        "555 5.5.4 Unsupported option: BODY=FOO"
    assert c.cmd("MAIL TO:<a@b>") == "501 5.5.4 Syntax: MAIL FROM:<address>"
    assert c.cmd("HELO") == "501 Syntax: HELO hostname"


def test_recipient_limit_and_unicode_sender(instance):
    server = Server(instance, smtpd_recipient_limit=3)
    c = server.connect()
    c.cmd("EHLO client.example")
    assert c.cmd("MAIL FROM:<\u00e4@example.org>") == \
        "553 5.6.7 Must declare SMTPUTF8 to send unicode address"
    assert c.cmd("MAIL FROM:<\u00e4@example.org> SMTPUTF8") == "250 2.1.0 Ok"
    c.send(b"".join(b"RCPT TO:<u%d@mx.example.test>\r\n" % i
                    for i in range(5)))
    replies = [c.reply() for _ in range(5)]
    assert replies == ["250 2.1.5 Ok"] * 3 + \
        ["452 4.5.3 Error: too many recipients"] * 2
    c.cmd("DATA")
    assert c.cmd("x\r\n.").startswith("250 2.0.0 Ok: queued as ")
    [path] = wait_for(server.incoming, what="queue file")
    assert "with UTF8SMTP id" in message(path)[1].decode()


def test_long_line_and_nul_in_content(server):
    c = server.connect()
    transaction(c)
    c.cmd("DATA")
    c.send(b"Subject: long\r\n\r\n" + b"z" * 1000000 + b"\r\na\0b\r\n.\r\n")
    assert c.reply().startswith("250 2.0.0 Ok: queued as ")
    [path] = wait_for(server.incoming, what="queue file")
    records = read_records(path)
    assert ("L", b"z" * 2048) in records
    body = message(path)[1].split(b"\n\n", 1)[1]
    assert body == b"z" * 1000000 + b"\na\0b\n"


def test_hard_error_limit(instance, tmp_path):
    server = Server(instance, smtpd_hard_error_limit=3)
    c = server.connect()
    for _ in range(3):
        assert c.cmd("BOGUS").startswith("500 5.5.2")
    assert c.reply() == f"421 4.7.0 {ME} Error: too many errors"
    log = instance.wait_log("disconnect from")
    assert "too many errors after UNKNOWN from localhost[127.0.0.1]" in log
    assert "unknown=0/3 commands=0/3" in log


def test_timeout(instance):
    server = Server(instance, smtpd_timeout="2s")
    c = server.connect()
    c.cmd("EHLO client.example")
    assert c.reply() == f"421 4.4.2 {ME} Error: timeout exceeded"
    log = instance.wait_log("disconnect from")
    assert "timeout after EHLO from localhost[127.0.0.1]" in log


def test_lost_connection_in_data_queues_nothing(server, instance):
    c = server.connect()
    transaction(c)
    c.cmd("DATA")
    c.send(b"Subject: x\r\n\r\npartial")
    c.close()
    log = instance.wait_log("disconnect from")
    assert "lost connection after DATA (" in log
    time.sleep(0.5)
    assert server.incoming() == []


def test_bdat(server, instance):
    c = server.connect()
    transaction(c)
    c.send(b"BDAT 12\r\nSubject: b\r\n")
    assert c.reply() == "250 2.0.0 Ok: 12 bytes"
    c.send(b"BDAT 8 LAST\r\n\r\nbody\r\n")
    queued = c.reply()
    assert queued.startswith("250 2.0.0 Ok: queued as ")
    assert c.cmd("DATA") == "503 5.5.1 Error: need RCPT command"
    transaction(c)
    c.send(b"BDAT 1\r\nx")
    assert c.reply() == "250 2.0.0 Ok: 1 bytes"
    assert c.cmd("DATA") == "503 5.5.1 Error: DATA after BDAT"
    assert c.cmd("BDAT x") == "521 5.5.4 Syntax: BDAT count [LAST]"
    assert c.reply() == ""
    time.sleep(0.5)
    [path] = wait_for(server.incoming, what="queue file")
    assert path.name == queued.split()[-1]
    assert "malformed BDAT command syntax from localhost[127.0.0.1]: BDAT x" \
        in instance.wait_log("malformed BDAT")
    text = message(path)[1]
    assert b"\nSubject: b\n" in text and text.endswith(b"\n\nbody\n")


def test_vrfy_etrn_rset(instance):
    server = Server(instance)
    c = server.connect()
    assert c.cmd("VRFY root") == "252 2.0.0 root"
    assert c.cmd("VRFY <root>") == "252 2.0.0 <root>"
    assert c.cmd("VRFY") == "501 5.5.4 Syntax: VRFY address [SMTPUTF8]"
    assert c.cmd("ETRN") == "500 Syntax: ETRN domain"
    c.cmd("EHLO client.example")
    assert c.cmd("ETRN example.com") == "459 <example.com>: service unavailable"
    assert c.cmd("RSET") == "250 2.0.0 Ok"
    assert c.cmd("QUIT") == "221 2.0.0 Bye"


def test_vrfy_disabled_and_discarded_keywords(instance):
    server = Server(instance, disable_vrfy_command="yes",
                    smtpd_discard_ehlo_keywords="chunking, dsn")
    c = server.connect()
    ehlo = c.cmd("EHLO client.example").split("\n")
    assert "250-VRFY" not in ehlo and "250-DSN" not in ehlo
    assert ehlo[-1] == "250 SMTPUTF8"
    assert c.cmd("VRFY root") == "502 5.5.1 VRFY command is disabled"


def test_no_cleanup_gives_451_never_250(instance):
    server = Server(instance, cleanup=False, ipc_timeout="2s")
    c = server.connect()
    c.cmd("EHLO client.example")
    c.cmd("MAIL FROM:<s@example.org>")
    assert c.cmd("RCPT TO:<u@mx.example.test>") == \
        "451 4.3.0 Error: queue file write error"
    assert c.cmd("DATA") == "503 5.5.1 Error: need RCPT command"


# --- other real clients ----------------------------------------------------
@pytest.mark.skipif(not shutil.which("swaks"), reason="no swaks")
def test_swaks(server):
    res = subprocess.run(["swaks", "--server", f"127.0.0.1:{server.port}",
                          "--to", "you@mx.example.test", "--from",
                          "me@example.org", "--helo", "client.example"],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stdout
    assert "250 2.0.0 Ok: queued as" in res.stdout
    wait_for(server.incoming, what="queue file")


def test_smtp_source(server):
    res = subprocess.run(["/usr/sbin/smtp-source", "-m", "3", "-c",
                          "-f", "s@example.org", "-t", "u@mx.example.test",
                          f"127.0.0.1:{server.port}"],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    wait_for(lambda: len(server.incoming()) == 3, what="3 queue files")
