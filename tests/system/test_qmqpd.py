"""System tests for the QMQP server (src/qmqpd/, docs/qmqpd.md): Postfix's
qmqp-source and a raw Python client send requests; the queue file
records, the Received: header, the replies and the log lines are those
Debian's Postfix 3.7 qmqpd produced for the same requests (observed with
strace and postcat, quoted in docs/qmqpd.md). No qmgr runs, so accepted
messages stay in incoming/."""
import os
import re
import socket
import subprocess

import pytest

from conftest import LIBEXEC, free_port, wait_for
from queuefile import content_text, read_records, sections
from test_master import POSTLOG

QMQP_SOURCE = "/usr/sbin/qmqp-source"
pytestmark = pytest.mark.skipif(not (LIBEXEC / "qmqpd").exists(),
                                reason="qmqpd is not built")
QID = r"[0-9A-Za-z]+"


def netstring(data):
    return str(len(data)).encode() + b":" + data + b","


def request(message, sender, rcpts):
    return netstring(netstring(message) + netstring(sender)
                     + b"".join(netstring(r) for r in rcpts))


class Qmqpd:
    """An instance with qmqpd on a free loopback port."""

    def __init__(self, instance, **params):
        self.inst = instance
        self.port = free_port()
        settings = dict(mydomain="example.test", qmqpd_error_delay="0",
                        qmqpd_authorized_clients="127.0.0.1")
        settings.update(params)
        instance.write_config(
            POSTLOG + "cleanup unix n - n - 0 cleanup\n"
            + "rewrite unix - - n - - trivial-rewrite\n"
            + f"127.0.0.1:{self.port} inet n - n - - qmqpd\n", **settings)
        instance.start()

    def send(self, data, source="127.0.0.1"):
        """Send data, half-close, read the reply until EOF."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=20,
                                      source_address=(source, 0)) as sock:
            try:
                sock.sendall(data)
                sock.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            reply = b""
            try:
                while chunk := sock.recv(4096):
                    reply += chunk
            except ConnectionResetError:
                pass
            return reply

    def incoming(self):
        root = self.inst.queue_dir / "incoming"
        return sorted(p for p in root.iterdir() if p.is_file())

    def wait_log(self, pattern):
        return wait_for(lambda: re.search(pattern, self.inst.log_text(),
                                          re.M), 10,
                        what=f"{pattern!r} in the log:\n"
                        f"{self.inst.log_text()}")


@pytest.fixture
def qmqpd(instance):
    return Qmqpd(instance)


def test_one_recipient(qmqpd):
    reply = qmqpd.send(request(b"Subject: hi\n\nbody\n", b"a@example.org",
                               [b"r@example.test"]))
    m = re.fullmatch(rb"(\d+):KOk: queued as (" + QID.encode() + rb"),",
                     reply)
    assert m and int(m[1]) == len(reply) - len(m[1]) - 2, reply
    qid = m[2].decode()
    path, = qmqpd.incoming()
    assert path.name == qid
    envelope, content, _ = sections(read_records(path))
    attrs = [d.decode() for t, d in envelope if t == "A"
             and not d.startswith(b"create_time=")]
    assert attrs[:10] == [
        "log_client_name=localhost", "log_client_address=127.0.0.1",
        attrs[2], "log_message_origin=localhost[127.0.0.1]",
        "log_protocol_name=QMQP", "client_name=localhost",
        "client_address=127.0.0.1", attrs[7], "client_address_type=2",
        "protocol_name=QMQP"]
    assert re.fullmatch(r"log_client_port=\d+", attrs[2])
    assert ("S", b"a@example.org") in envelope
    assert [d for t, d in envelope if t == "R"] == [b"r@example.test"]
    text = content_text(content).decode()
    assert re.match(r"Received: from localhost \(localhost \[127\.0\.0\.1\]\)\n"
                    rf"\tby mx\.example\.test \(Postern\) with QMQP id {qid}\n"
                    r"\tfor <r@example\.test>; \w\w\w, [ \d]\d \w\w\w \d{4} "
                    r"\d\d:\d\d:\d\d [-+]\d{4} \(\w+\)\nSubject: hi\n", text)
    assert text.endswith("\nbody\n")
    qmqpd.wait_log(rf"qmqpd\[\d+\]: disconnect from localhost\[127\.0\.0\.1\]")
    log = qmqpd.inst.log_text()
    assert re.search(r"qmqpd\[\d+\]: connect from localhost\[127\.0\.0\.1\]\n"
                     rf"(.*\n)*.*qmqpd\[\d+\]: {qid}: client=localhost"
                     r"\[127\.0\.0\.1\]\n", log)


@pytest.mark.skipif(not os.access(QMQP_SOURCE, os.X_OK),
                    reason="Postfix's qmqp-source is not installed")
def test_qmqp_source(qmqpd):
    """Postfix's own QMQP client, two recipients, a long body."""
    subprocess.run([QMQP_SOURCE, "-f", "sender@example.org", "-t",
                    "rcpt@example.test", "-r", "2", "-l", "5000", "-m", "3",
                    f"127.0.0.1:{qmqpd.port}"], check=True, timeout=60)
    files = wait_for(lambda: len(qmqpd.incoming()) == 3 and qmqpd.incoming(),
                     10, what="three messages")
    for path in files:
        envelope, content, _ = sections(read_records(path))
        assert [d for t, d in envelope if t == "R"] == [
            b"0rcpt@example.test", b"1rcpt@example.test"]
        lines = content_text(content).decode().split("\n")
        assert lines[1] == "\tby mx.example.test (Postern) with QMQP"
        assert re.fullmatch(rf"\tid {path.name}; .*", lines[2])


@pytest.mark.parametrize("data, reply, log", [
    (b"xyz", b"Dnetstring format error while receiving QMQP packet header",
     "netstring format error while receiving QMQP packet header"),
    (b"5:hello,", b"Dnetstring format error while receiving message content",
     "netstring format error while receiving message content"),
    (b"100:5:hel", b"", "lost connection while receiving message content"),
    (b"100:5:hello,3:a@b,", b"",
     "lost connection while receiving recipient address"),
    (b"29:5:hello,3:a@b,2:ab,3:x@y,X",
     b"Dnetstring format error while receiving recipient address",
     "netstring format error while receiving recipient address"),
    (netstring(netstring(b"x") + netstring(b"a\0b") + netstring(b"r@x")),
     b"Dnetstring format error while receiving sender address",
     "netstring format error while receiving sender address"),
    (request(b"x" * 3000, b"a@b", [b"r@x"]),
     b"Dnetstring length exceeds storage limit while receiving message "
     b"content", "netstring length exceeds storage limit while receiving "
     "message content"),
    (request(b"x", b"s" * 3000, [b"r@x"]),
     b"Dnetstring length exceeds storage limit while receiving sender "
     b"address", "netstring length exceeds storage limit while receiving "
     "sender address"),
    (request(b"x", b"a@b", []), b"DError: no recipients specified",
     "warning: " + QID + ": localhost\\[127.0.0.1\\]: Error: no recipients "
     "specified"),
], ids=["header", "content-format", "content-eof", "rcpt-eof", "rcpt-format",
        "sender-nul", "content-size", "sender-size", "no-rcpt"])
def test_bad_requests(instance, data, reply, log):
    """Each is answered (when the client is still there) and logged as
    Postfix does; nothing is queued."""
    qmqpd = Qmqpd(instance, message_size_limit="2000")
    got = qmqpd.send(data)
    assert got == (netstring(reply) if reply else b""), got
    qmqpd.wait_log(rf"qmqpd\[\d+\]: (\w+: )?{QID}: (localhost\[127\.0\.0\.1\]"
                   rf": )?{log}" if "warning" not in log
                   else rf"qmqpd\[\d+\]: {log}")
    qmqpd.wait_log(r"disconnect from localhost")
    # cleanup removes the partial file once it sees the connection go.
    wait_for(lambda: qmqpd.incoming() == [], 10, what="an empty incoming/")


def test_unauthorized_client(qmqpd):
    got = qmqpd.send(request(b"x", b"a@b", [b"r@x"]), source="127.0.0.2")
    m = re.fullmatch(rb"\d+:DError: (\S+)\[127\.0\.0\.2\] is not authorized "
                     rb"to use this service,", got)
    assert m, got
    qmqpd.wait_log(r"disconnect from \S+\[127\.0\.0\.2\]")
    assert "client=" not in qmqpd.inst.log_text()
    assert qmqpd.incoming() == []


def test_content_rejected(instance, tmp_path):
    checks = tmp_path / "header_checks"
    checks.write_text("/^Subject: reject me/ REJECT go away\n")
    qmqpd = Qmqpd(instance, header_checks=f"regexp:{checks}")
    got = qmqpd.send(request(b"Subject: reject me\n\nx\n", b"a@b",
                             [b"r@example.test"]))
    assert got == netstring(b"DError: 5.7.1 go away")
    wait_for(lambda: qmqpd.incoming() == [], 10, what="an empty incoming/")
