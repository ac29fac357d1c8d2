"""System tests for the trivial-rewrite daemon (src/trivial-rewrite/).

Each test runs a throwaway instance (conftest.py) whose master.cf has the
"rewrite" service, and talks to $queue_directory/private/rewrite with the
attribute protocol of docs/protocols/attr.md: "name\\0value\\0" pairs, an
empty name ends a message. The daemon sends its greeting
(protocol=trivial_rewrite_protocol) as soon as a client connects.
"""
import socket

from attrproto import AttrStream, encode
from test_master import POSTLOG, wait_log

REWRITE = "rewrite unix - - n - - trivial-rewrite\n"

CLASS_LOCAL = 1 << 8
CLASS_DEFAULT = 1 << 12
CLASS_MASK = 0x1f << 8


class AttrClient(AttrStream):
    """A client of private/rewrite."""

    def __init__(self, instance, timeout=10):
        super().__init__(instance.queue_dir / "private" / "rewrite", timeout)
        self.greeted = False

    def request(self, pairs):
        """Send a request; return the reply (the greeting checked once)."""
        if not self.greeted:
            assert self.recv() == [("protocol", "trivial_rewrite_protocol")]
            self.greeted = True
        self.sock.sendall(encode(pairs))
        return self.recv()

    def rewrite(self, rule, address):
        reply = self.request([("request", "rewrite"), ("rule", rule),
                              ("address", address)])
        assert [name for name, _ in reply] == ["flags", "address"]
        assert reply[0][1] == "0"
        return reply[1][1]

    def resolve(self, address, sender="", request="resolve"):
        """(flags, transport, nexthop, recipient)"""
        reply = self.request([("request", request), ("sender", sender),
                              ("address", address)])
        names = [name for name, _ in reply]
        assert names == ["flags", "transport", "nexthop", "recipient",
                         "flags"]
        return int(reply[4][1]), reply[1][1], reply[2][1], reply[3][1]

    def closed(self):
        """Whether the server hung up (EOF within the timeout); the greeting
        may come first."""
        try:
            while self.sock.recv(4096) != b"":
                pass
            return True
        except ConnectionResetError:
            return True
        except socket.timeout:
            return False

    def close(self):
        self.sock.close()


def start(instance, **params):
    instance.write_config(POSTLOG + REWRITE, **params)
    instance.start()


def test_rewrite_bare_user_local_rule(instance):
    start(instance)
    client = AttrClient(instance)
    try:
        assert client.rewrite("local", "user") == "user@mx.example.test"
        # remote rule: remote_header_rewrite_domain is empty, nothing added
        assert client.rewrite("remote", "user") == "user"
        assert client.rewrite("local", "a!b!user") == "b!user@a"
        assert client.rewrite("local", "user@host.") == "user@host"
    finally:
        client.close()


def test_rewrite_myorigin_and_remote_domain(instance):
    start(instance, myorigin="origin.example.test",
          remote_header_rewrite_domain="remote.example.test")
    client = AttrClient(instance)
    try:
        assert client.rewrite("local", "joe") == "joe@origin.example.test"
        assert client.rewrite("remote", "joe") == "joe@remote.example.test"
    finally:
        client.close()


def test_resolve_local_destination(instance):
    start(instance)
    client = AttrClient(instance)
    try:
        flags, transport, nexthop, rcpt = client.resolve(
            "user@mx.example.test")
        assert flags & CLASS_MASK == CLASS_LOCAL
        assert (transport, nexthop, rcpt) == \
            ("local", "mx.example.test", "user@mx.example.test")
        # several requests on one connection; a bare user is local too
        flags, transport, _, rcpt = client.resolve("root")
        assert flags & CLASS_MASK == CLASS_LOCAL
        assert (transport, rcpt) == ("local", "root@mx.example.test")
    finally:
        client.close()


def test_resolve_remote_default_transport(instance):
    start(instance)
    client = AttrClient(instance)
    try:
        flags, transport, nexthop, rcpt = client.resolve(
            "user@example.net", sender="me@mx.example.test")
        assert flags & CLASS_MASK == CLASS_DEFAULT
        assert (transport, nexthop, rcpt) == \
            ("smtp", "example.net", "user@example.net")
        # the sender and verify variants answer the same
        for request in ("resolve_send", "resolve_verify"):
            assert client.resolve("user@example.net", request=request) \
                == (flags, transport, nexthop, rcpt)
    finally:
        client.close()


def test_resolve_with_relayhost(instance):
    start(instance, relayhost="[relay.example.test]:2525")
    client = AttrClient(instance)
    try:
        flags, transport, nexthop, _ = client.resolve("user@example.net")
        assert flags & CLASS_MASK == CLASS_DEFAULT
        assert (transport, nexthop) == ("smtp", "[relay.example.test]:2525")
    finally:
        client.close()


def test_resolve_syntax_error_flag(instance):
    start(instance)
    client = AttrClient(instance)
    try:
        flags, _, _, _ = client.resolve("user@bad..domain")
        assert flags & (1 << 2)         # RESOLVE_FLAG_ERROR
    finally:
        client.close()


def check_dropped_then_ok(instance, payload, warning):
    """payload makes the server hang up on that client only; the warning
    is logged and a new connection is served by the same daemon."""
    good = AttrClient(instance)
    assert good.rewrite("local", "a") == "a@mx.example.test"
    bad = AttrClient(instance)
    try:
        bad.sock.sendall(payload)
        assert bad.closed()
    finally:
        bad.close()
    wait_log(instance, warning)
    # the client connected before is still served, and so is a new one
    assert good.rewrite("local", "b") == "b@mx.example.test"
    good.close()
    fresh = AttrClient(instance)
    try:
        assert fresh.rewrite("local", "c") == "c@mx.example.test"
    finally:
        fresh.close()
    assert "fatal" not in instance.log_text()
    assert "panic" not in instance.log_text()


def test_unknown_request_drops_only_that_client(instance):
    start(instance)
    check_dropped_then_ok(instance, encode([("request", "explode")]),
                          'unknown request: "explode"')


def test_unknown_rule_drops_only_that_client(instance):
    start(instance)
    check_dropped_then_ok(instance,
                          encode([("request", "rewrite"),
                                  ("rule", "sideways"), ("address", "x")]),
                          "unknown context: sideways")


def test_wrong_attribute_drops_only_that_client(instance):
    start(instance)
    check_dropped_then_ok(instance,
                          encode([("request", "resolve"),
                                  ("address", "x@y"), ("sender", "")]),
                          "malformed resolve request")


def test_garbage_drops_only_that_client(instance):
    start(instance)
    check_dropped_then_ok(instance, encode([("bogus", "1")]),
                          "malformed request")


def test_transport_table_change_restarts(instance):
    table = instance.root / "transport"
    table.write_text("example.org relay:[mx1.example.org]\n")
    start(instance, transport_maps=f"texthash:{table}")
    client = AttrClient(instance)
    try:
        _, transport, nexthop, _ = client.resolve("u@example.org")
        assert (transport, nexthop) == ("relay", "[mx1.example.org]")
    finally:
        client.close()
    table.write_text("example.org smtp:[mx2.example.org]\n")
    wait_log(instance, "has changed -- restarting")
    client = AttrClient(instance)
    try:
        _, transport, nexthop, _ = client.resolve("u@example.org")
        assert (transport, nexthop) == ("smtp", "[mx2.example.org]")
    finally:
        client.close()


def test_postern_address(instance):
    """postern address shows rewriting and resolving without a daemon."""
    instance.write_config(relayhost="[relay.example.test]:2525")
    out = instance.cmd("postern", "address", "joe", "b@example.net").stdout
    assert out == (
        "joe\n"
        "  rewrite local:  joe@mx.example.test\n"
        "  rewrite remote: joe\n"
        "  resolve:        class local, transport local, "
        "nexthop mx.example.test, recipient joe@mx.example.test\n"
        "b@example.net\n"
        "  rewrite local:  b@example.net\n"
        "  rewrite remote: b@example.net\n"
        "  resolve:        class default, transport smtp, "
        "nexthop [relay.example.test]:2525, recipient b@example.net\n")
    res = instance.cmd("postern", "address", check=False)
    assert res.returncode != 0 and "usage" in res.stderr
