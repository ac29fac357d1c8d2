"""System tests for AUTH in smtpd (src/smtpd/smtpd_sasl.c,
src/global/dovecot_auth.c, docs/sasl.md) against a real Dovecot auth
service (dovecot_auth.py): smtplib and swaks log in with PLAIN and
LOGIN, wrong passwords give Postfix's 535 and the log line fail2ban and
the Prometheus exporter match, relaying and sender addresses follow the
login. The replies and log lines are those Debian's Postfix 3.7.11 gave
with smtpd_sasl_type = dovecot against the same Dovecot."""
import base64
import re
import shutil
import smtplib
import socket
import subprocess

import pytest

from conftest import LIBEXEC, free_port, wait_for
from dovecot_auth import USERS, DovecotAuth, needs_dovecot
from postfix_peer import HAVE_POSTFIX, PostfixPeer
from test_smtpd import ME, Client, Server, message

pytestmark = [needs_dovecot, pytest.mark.skipif(
    not (LIBEXEC / "smtpd").exists(), reason="smtpd is not built")]

BOB_PLAIN = base64.b64encode(b"\0bob\0bob-secret").decode()
# fail2ban 1.0.2 (Debian 12) filter.d/postfix.conf, mdre-auth, with the
# daemon prefix of the journal/syslog line; and kumina's postfix_exporter.
FAIL2BAN = re.compile(
    r"postfix(-\w+)?/(submission/)?smtp[ds]\[\d+\]: warning: [^[]*"
    r"\[(?P<host>[^]]+)\](?::\d+)?: SASL ((?i:LOGIN)|(?i:PLAIN)|"
    r"(?:CRAM|DIGEST)-MD5) authentication failed:"
    r"(?! Connection lost to authentication server"
    r"| Invalid authentication mechanism)")
EXPORTER = re.compile(r"warning: \S+: SASL \S+ authentication failed: ")
PEER_MASTER_CF = (
    "cleanup   unix  n       -       n       -       0       cleanup\n"
    "rewrite   unix  -       -       n       -       -       trivial-rewrite\n"
    "postlog   unix-dgram n  -       n       -       1       postlogd\n"
    "127.0.0.1:{port} inet n -       n       -       -       smtpd\n")


@pytest.fixture(scope="module")
def dovecot(tmp_path_factory):
    """One Dovecot for the module (stopping one takes seconds)."""
    root = tmp_path_factory.mktemp("dovecot")
    root.chmod(0o755)
    server = DovecotAuth(root / "auth", port=free_port())
    yield server
    server.stop()


def sasl_server(instance, dovecot, **params):
    settings = dict(smtpd_sasl_auth_enable="yes", smtpd_sasl_type="dovecot",
                    smtpd_sasl_path=str(dovecot.socket), mynetworks="",
                    smtpd_relay_restrictions="permit_sasl_authenticated, "
                    "reject")
    settings.update(params)
    return Server(instance, **settings)


def ehlo(server):
    """A client of server after its EHLO."""
    client = server.connect()
    client.cmd("EHLO client.example")
    return client


def login_bob(client):
    assert client.cmd(f"AUTH PLAIN {BOB_PLAIN}") == \
        "235 2.7.0 Authentication successful"


def relay_reply(client, sender):
    """The reply to RCPT TO:<x@elsewhere.test> after MAIL FROM:<sender>
    (then RSET)."""
    client.cmd(f"MAIL FROM:<{sender}>")
    reply = client.cmd("RCPT TO:<x@elsewhere.test>")
    client.cmd("RSET")
    return reply


def test_ehlo_and_smtplib_plain(instance, dovecot):
    """EHLO announces Dovecot's mechanisms; smtplib logs in with PLAIN
    and relays; the queued line, cleanup's attributes and Received: say
    who (smtpd_sasl_authenticated_header)."""
    server = sasl_server(instance, dovecot,
                         smtpd_sasl_authenticated_header="yes")
    with smtplib.SMTP("127.0.0.1", server.port, timeout=20) as smtp:
        smtp.ehlo("client.example")
        assert smtp.esmtp_features["auth"] == " PLAIN LOGIN"
        smtp.hold = True
        assert smtp.login("bob", USERS["bob"],
                          initial_response_ok=True)[0] == 235
        smtp.sendmail("bob@example.test", ["x@elsewhere.test"],
                      b"Subject: hi\r\n\r\nbody\r\n")
    log = instance.wait_log("disconnect from")
    assert re.search(r"postfix/smtpd\[\d+\]: [0-9A-Za-z]+: client=localhost"
                     r"\[127\.0\.0\.1\], sasl_method=PLAIN, "
                     r"sasl_username=bob$", log, re.M), log
    assert re.search(r"disconnect from localhost\[127\.0\.0\.1\] ehlo=1 "
                     r"auth=1 mail=1 rcpt=1 data=1 quit=1 commands=6", log)
    env, text, _ = message(server.incoming()[0])
    attrs = [data.decode() for rtype, data in env if rtype == "A"]
    assert attrs[2:5] == ["rewrite_context=local", "sasl_method=PLAIN",
                          "sasl_username=bob"], attrs
    text = text.decode()
    assert "\n\t(Authenticated sender: bob)\n\tby mx.example.test " \
        "(Postern) with ESMTPA id " in text, text


def test_smtplib_login_mechanism(instance, dovecot):
    """AUTH LOGIN through smtplib."""
    server = sasl_server(instance, dovecot)
    with smtplib.SMTP("127.0.0.1", server.port, timeout=20) as smtp:
        smtp.ehlo("client.example")
        smtp.user, smtp.password = "alice@example.test", USERS[
            "alice@example.test"]
        code, text = smtp.auth("LOGIN", smtp.auth_login,
                               initial_response_ok=False)
        assert (code, text) == (235, b"2.7.0 Authentication successful")
    log = instance.wait_log("disconnect from")
    assert "auth=1 quit=1" in log


def test_wrong_password_fail2ban(instance, dovecot):
    """A wrong password: Postfix's 535, and the warning that fail2ban's
    postfix filter and the exporter match."""
    server = sasl_server(instance, dovecot)
    client = server.connect()
    client.cmd("EHLO client.example")
    bad = base64.b64encode(b"\0bob\0wrong").decode()
    assert client.cmd(f"AUTH PLAIN {bad}") == \
        "535 5.7.8 Error: authentication failed: (reason unavailable)"
    assert client.cmd("QUIT") == "221 2.0.0 Bye"
    log = instance.wait_log("disconnect from")
    line = re.search(r".*SASL PLAIN authentication failed.*", log).group(0)
    assert line.endswith("warning: localhost[127.0.0.1]: SASL PLAIN "
                         "authentication failed: (reason unavailable), "
                         "sasl_username=bob"), line
    match = FAIL2BAN.search(line)
    assert match and match.group("host") == "127.0.0.1", line
    assert EXPORTER.search(line)
    assert "ehlo=1 auth=0/1 quit=1 commands=2/3" in log


def test_exchange_replies(instance, dovecot):
    """The exchange as Debian's Postfix answers it, byte for byte."""
    server = sasl_server(instance, dovecot)
    c = server.connect()
    assert c.cmd("AUTH PLAIN") == "334 "
    assert c.cmd("*") == "501 5.7.0 Authentication aborted"
    c.cmd("EHLO client.example")
    assert c.cmd("AUTH") == "501 5.5.4 Syntax: AUTH mechanism"
    assert c.cmd("AUTH FOO") == \
        "535 5.7.8 Error: authentication failed: Invalid authentication " \
        "mechanism"
    assert c.cmd("AUTH PLAIN ===") == (
        "535 5.7.8 Error: authentication failed: Invalid base64 data in "
        "initial response")
    assert c.cmd("AUTH PLAIN") == "334 "
    assert c.cmd("!!!") == ("535 5.7.8 Error: authentication failed: "
                            "Invalid base64 data in continued response")
    assert c.cmd("AUTH PLAIN =") == \
        "535 5.7.8 Error: authentication failed: (reason unavailable)"
    assert c.cmd("AUTH LOGIN") == "334 VXNlcm5hbWU6"
    assert c.cmd(base64.b64encode(b"bob").decode()) == "334 UGFzc3dvcmQ6"
    assert c.cmd("*") == "501 5.7.0 Authentication aborted"
    assert c.cmd("MAIL FROM:<a@example.test>") == "250 2.1.0 Ok"
    assert c.cmd(f"AUTH PLAIN {BOB_PLAIN}") == \
        "503 5.5.1 Error: MAIL transaction in progress"
    assert c.cmd("RSET") == "250 2.0.0 Ok"
    assert c.cmd(f"AUTH PLAIN {BOB_PLAIN}") == \
        "235 2.7.0 Authentication successful"
    assert c.cmd(f"AUTH PLAIN {BOB_PLAIN}") == \
        "503 5.5.1 Error: already authenticated"
    c.cmd("QUIT")
    log = instance.wait_log("disconnect from")
    assert "warning: localhost[127.0.0.1]: SASL PLAIN authentication " \
        "aborted" in log
    assert "warning: localhost[127.0.0.1]: SASL LOGIN authentication " \
        "aborted" in log
    assert "SASL FOO authentication failed: Invalid authentication " \
        "mechanism, sasl_username=(unavailable)" in log
    assert "auth=1/10" in log


def test_relay_needs_auth(instance, dovecot):
    """smtpd_relay_restrictions = permit_sasl_authenticated, reject."""
    server = sasl_server(instance, dovecot)
    c = ehlo(server)
    assert relay_reply(c, "bob@example.test") == \
        "554 5.7.1 <x@elsewhere.test>: Recipient address rejected: " \
        "Access denied"
    login_bob(c)
    assert relay_reply(c, "bob@example.test") == "250 2.1.5 Ok"
    c.cmd("QUIT")


def test_sender_login_mismatch(instance, dovecot):
    """reject_sender_login_mismatch with smtpd_sender_login_maps."""
    table = instance.root / "login_maps"
    table.write_text("alice@example.test alice@example.test\n"
                     "bob@example.test bob\n")
    server = sasl_server(instance, dovecot,
                         smtpd_sender_login_maps=f"texthash:{table}",
                         smtpd_sender_restrictions="reject_sender_login_"
                         "mismatch")
    c = ehlo(server)
    assert relay_reply(c, "alice@example.test") == \
        "553 5.7.1 <alice@example.test>: Sender address rejected: " \
        "not logged in"
    login_bob(c)
    for sender in ("alice@example.test", "carol@example.test"):
        assert relay_reply(c, sender) == \
            f"553 5.7.1 <{sender}>: Sender address rejected: not owned " \
            "by user bob"
    assert relay_reply(c, "bob@example.test") == "250 2.1.5 Ok"
    c.cmd("QUIT")


def test_dovecot_down(instance, tmp_path):
    """Dovecot unreachable: a warning in Postfix's words, no AUTH in EHLO
    (Postfix exits with a fatal error instead), and AUTH gets Postfix's
    454."""
    class Down:
        socket = tmp_path / "no-dovecot"
    server = sasl_server(instance, Down)
    c = server.connect()
    assert "AUTH" not in c.cmd("EHLO client.example")
    assert c.cmd(f"AUTH PLAIN {BOB_PLAIN}") == \
        "454 4.7.0 Temporary authentication failure: (reason unavailable)"
    c.cmd("QUIT")
    log = instance.wait_log("disconnect from")
    assert f"warning: SASL: Connect to Dovecot auth socket " \
        f"'{Down.socket}' failed: No such file or directory" in log
    assert "SASL PLAIN authentication failed: (reason unavailable), " \
        "sasl_username=(unavailable)" in log


def test_auth_options(instance, dovecot):
    """broken_sasl_auth_clients; smtpd_tls_auth_only without TLS;
    noplaintext leaves no mechanism."""
    server = sasl_server(instance, dovecot, broken_sasl_auth_clients="yes")
    c = server.connect()
    ehlo = c.cmd("EHLO client.example").split("\n")
    assert "250-AUTH PLAIN LOGIN" in ehlo and "250-AUTH=PLAIN LOGIN" in ehlo
    c.cmd("QUIT")
    instance.stop()
    server = sasl_server(instance, dovecot, broken_sasl_auth_clients="no",
                         smtpd_tls_auth_only="yes")
    c = server.connect()
    assert "AUTH" not in c.cmd("EHLO client.example")
    assert c.cmd(f"AUTH PLAIN {BOB_PLAIN}") == \
        "504 5.5.4 Encryption required for requested authentication mechanism"
    c.cmd("QUIT")
    instance.stop()
    server = sasl_server(instance, dovecot, smtpd_tls_auth_only="no",
                         smtpd_sasl_security_options="noanonymous, "
                         "noplaintext")
    c = server.connect()
    assert "AUTH" not in c.cmd("EHLO client.example")
    assert c.cmd(f"AUTH PLAIN {BOB_PLAIN}") == \
        "535 5.7.8 Error: authentication failed: Invalid authentication " \
        "mechanism"
    c.cmd("QUIT")


@pytest.mark.skipif(not shutil.which("swaks"), reason="swaks is missing")
def test_swaks_auth(instance, dovecot):
    """swaks --auth LOGIN submits a message."""
    server = sasl_server(instance, dovecot)
    out = subprocess.run(
        ["swaks", "-s", "127.0.0.1", "-p", str(server.port), "--auth",
         "LOGIN", "--au", "bob", "--ap", USERS["bob"], "-f",
         "bob@example.test", "-t", "x@elsewhere.test", "--h-Subject", "x"],
        capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "235 2.7.0 Authentication successful" in out.stdout
    log = instance.wait_log("disconnect from")
    assert "sasl_method=LOGIN, sasl_username=bob" in log


def test_unsupported_type(instance, dovecot):
    """smtpd_sasl_type other than dovecot: Postfix's fatal error."""
    server = sasl_server(instance, dovecot, smtpd_sasl_type="cyrus")
    socket.create_connection(("127.0.0.1", server.port), timeout=5).close()
    log = instance.wait_log("fatal:")
    assert "fatal: unsupported SASL server implementation: cyrus" in log


PARITY_SCRIPT = [
    "AUTH PLAIN", "*", "EHLO client.example", "AUTH", "AUTH FOO",
    "AUTH PLAIN ===", "AUTH PLAIN", "!!!", "AUTH PLAIN =", "AUTH LOGIN",
    base64.b64encode(b"bob").decode(), "*",
    "AUTH PLAIN " + base64.b64encode(b"\0bob\0wrong").decode(),
    "MAIL FROM:<a@example.test>", f"AUTH PLAIN {BOB_PLAIN}", "RSET",
    f"AUTH plain {BOB_PLAIN}", f"AUTH PLAIN {BOB_PLAIN}",
    # MAIL's AUTH= (RFC 4954 section 5), and XCLIENT against a login.
    "MAIL FROM:<a@example.test> AUTH=a AUTH=b",
    "XCLIENT HELO=client.example", f"AUTH PLAIN {BOB_PLAIN}",
    "XCLIENT LOGIN=alice", f"AUTH PLAIN {BOB_PLAIN}", "EHLO client.example",
    "MAIL FROM:<a@example.test> AUTH=<> AUTH=x+2By@example.test",
    f"RCPT TO:<postmaster@{ME}>", "RSET", "XCLIENT LOGIN=[UNAVAILABLE]",
    f"AUTH PLAIN {BOB_PLAIN}", "QUIT",
]
SASL_LOG = re.compile(r"(warning: .*SASL.*|client=.*|disconnect from .*)$",
                      re.M)


def run_script(port):
    """The replies to PARITY_SCRIPT, after the greeting."""
    client = Client(port, "127.0.0.1")
    replies = [client.cmd(line) for line in PARITY_SCRIPT]
    client.close()
    return replies


@pytest.mark.skipif(not HAVE_POSTFIX, reason="Postfix is not installed")
def test_same_as_postfix(instance, dovecot, tmp_path):
    """The same exchange with Debian's Postfix 3.7 on the same Dovecot:
    the same replies, byte for byte, and the same SASL log lines."""
    port = free_port()
    peer = PostfixPeer(tmp_path / "postfix", PEER_MASTER_CF.format(port=port))
    common = dict(smtpd_sasl_auth_enable="yes", smtpd_sasl_type="dovecot",
                  smtpd_sasl_path=str(dovecot.socket),
                  smtpd_error_sleep_time="0", myhostname=ME,
                  mydomain="example.test", local_recipient_maps="",
                  smtpd_authorized_xclient_hosts="127.0.0.1",
                  smtpd_banner="$myhostname ESMTP")
    peer.write_config(**common)
    peer.start()
    try:
        theirs = run_script(port)
        wait_for(lambda: "disconnect from" in peer.log_text(), 10,
                 what="Postfix's disconnect line")
        their_log = SASL_LOG.findall(peer.log_text())
    finally:
        peer.stop()
    server = Server(instance, **common, mynetworks="")
    ours = run_script(server.port)
    our_log = SASL_LOG.findall(instance.wait_log("disconnect from"))
    assert ours == theirs
    assert our_log == their_log


def test_auth_rate_limit(instance, dovecot):
    """smtpd_client_auth_rate_limit through anvil: Postfix's 450 and
    warning once the client is over the limit."""
    from test_anvil import Server as AnvilServer
    server = AnvilServer(instance, smtpd_sasl_auth_enable="yes",
                         smtpd_sasl_type="dovecot",
                         smtpd_sasl_path=str(dovecot.socket),
                         smtpd_client_auth_rate_limit="2")
    c = ehlo(server)
    for _ in range(2):
        assert c.cmd("AUTH PLAIN =").startswith("535 ")
    for _ in range(2):
        assert c.cmd("AUTH PLAIN =") == \
            "450 4.7.1 Error: too many AUTH commands from 127.0.0.1"
    c.cmd("QUIT")
    log = instance.wait_log("disconnect from")
    assert "warning: AUTH command rate limit exceeded: 3 from " \
        f"localhost[127.0.0.1] for service {server.service}" in log
    assert "ehlo=1 auth=0/4 quit=1 commands=2/6" in log


def policy_client(instance, dovecot, policy):
    """A server that asks policy at RCPT (local mail needs no login), and
    a client of it after EHLO."""
    server = sasl_server(
        instance, dovecot, smtpd_recipient_restrictions="check_policy_"
        f"service inet:127.0.0.1:{policy.port}",
        smtpd_relay_restrictions="permit_sasl_authenticated, "
        "permit_auth_destination, reject")
    return server, ehlo(server)


def test_policy_attributes(instance, dovecot):
    """The policy service hears sasl_method and sasl_username."""
    from test_smtpd_restrictions import PolicyServer
    policy = PolicyServer(lambda request: "action=DUNNO\n\n")
    try:
        server, c = policy_client(instance, dovecot, policy)
        c.cmd("MAIL FROM:<bob@example.test>")
        assert c.cmd(f"RCPT TO:<postmaster@{ME}>") == "250 2.1.5 Ok"
        c.cmd("RSET")
        login_bob(c)
        c.cmd("MAIL FROM:<bob@example.test>")
        assert c.cmd("RCPT TO:<x@elsewhere.test>") == "250 2.1.5 Ok"
        c.cmd("QUIT")
    finally:
        policy.close()
    before, after = (r for _, r in policy.requests)
    assert (before["sasl_method"], before["sasl_username"]) == ("", "")
    assert (after["sasl_method"], after["sasl_username"]) == ("PLAIN", "bob")
    assert after["sasl_sender"] == ""


def test_mail_auth_parameter(instance, dovecot):
    """MAIL FROM:<s> AUTH=<addr> (RFC 4954 section 5) as Debian's Postfix
    3.7 (observed): taken from any client, as sent (no xtext decoding),
    "<>" gives none; a second AUTH= after a
    value is "503 5.5.4 Error: multiple AUTH= options". The value is the
    policy service's sasl_sender, the ", sasl_sender=" of the client=
    line and cleanup's sasl_sender attribute; it ends with the
    transaction."""
    from test_smtpd_restrictions import PolicyServer
    policy = PolicyServer(lambda request: "action=DUNNO\n\n")
    try:
        server, c = policy_client(instance, dovecot, policy)
        replies = [c.cmd(line) for line in (
            "MAIL FROM:<a@example.test> AUTH=a AUTH=b", "RSET",
            "MAIL FROM:<a@example.test> AUTH=a AUTH=<>", "RSET",
            "MAIL FROM:<a@example.test> auth=<> AUTH=x+2By@example.test",
            f"RCPT TO:<postmaster@{ME}>", "DATA", "Subject: x\r\n\r\nhi\r\n.",
            "MAIL FROM:<a@example.test>", f"RCPT TO:<postmaster@{ME}>",
            "RSET", f"AUTH PLAIN {BOB_PLAIN}",
            "MAIL FROM:<a@example.test> AUTH=bob@example.test",
            "RCPT TO:<x@elsewhere.test>", "QUIT")]
    finally:
        policy.close()
    assert replies[:5] == [
        "503 5.5.4 Error: multiple AUTH= options", "250 2.0.0 Ok",
        "503 5.5.4 Error: multiple AUTH= options", "250 2.0.0 Ok",
        "250 2.1.0 Ok"]
    assert replies[7].startswith("250 2.0.0 Ok: queued as ")
    assert replies[-2:] == ["250 2.1.5 Ok", "221 2.0.0 Bye"]
    senders = [(r["sasl_username"], r["sasl_sender"])
               for _, r in policy.requests]
    assert senders == [("", "x+2By@example.test"), ("", ""),
                       ("bob", "bob@example.test")]
    log = instance.wait_log("disconnect from")
    assert re.search(r": client=localhost\[127\.0\.0\.1\], "
                     r"sasl_sender=x\+2By@example\.test$", log, re.M)
    assert re.search(r": client=localhost\[127\.0\.0\.1\]$", log, re.M)
    assert re.search(r": client=localhost\[127\.0\.0\.1\], "
                     r"sasl_method=PLAIN, sasl_username=bob, "
                     r"sasl_sender=bob@example\.test$", log, re.M)
    env, _, _ = message(server.incoming()[0])
    attrs = [data.decode() for rtype, data in env if rtype == "A"]
    assert "sasl_sender=x+2By@example.test" in attrs


def test_mail_auth_parameter_without_sasl(instance):
    """With smtpd_sasl_auth_enable = no, Postfix 3.7 still takes AUTH=
    (observed; its "503 5.5.4 Error: authentication disabled" is gone)."""
    server = Server(instance, mynetworks="", local_recipient_maps="")
    c = ehlo(server)
    assert c.cmd("MAIL FROM:<a@example.test> AUTH=a AUTH=b") == \
        "503 5.5.4 Error: multiple AUTH= options"
    assert c.cmd("MAIL FROM:<a@example.test> AUTH=a@example.test") == \
        "250 2.1.0 Ok"
    assert c.cmd(f"RCPT TO:<postmaster@{ME}>") == "250 2.1.5 Ok"
    c.cmd("QUIT")
    log = instance.wait_log("disconnect from")
    assert re.search(r": client=localhost\[127\.0\.0\.1\], "
                     r"sasl_sender=a@example\.test$", log, re.M)


def test_xclient_forgets_auth_login(instance, dovecot):
    """A successful XCLIENT forgets an AUTH login; LOGIN=name sets its
    own, LOGIN=[UNAVAILABLE] none; after an XCLIENT login AUTH is
    "503 5.5.1 Error: already authenticated" (Postfix 3.7, observed)."""
    server = sasl_server(instance, dovecot,
                         smtpd_authorized_xclient_hosts="127.0.0.1")
    c = ehlo(server)
    for xclient, relayed in (("NAME=foo.example", False),
                             ("LOGIN=alice", True),
                             ("LOGIN=[UNAVAILABLE]", False)):
        login_bob(c)
        assert c.cmd(f"XCLIENT {xclient}").startswith("220 ")
        c.cmd("EHLO client.example")
        assert (relay_reply(c, "a@example.test") == "250 2.1.5 Ok") == \
            relayed
        reply = c.cmd(f"AUTH PLAIN {BOB_PLAIN}")
        if xclient == "LOGIN=alice":
            assert reply == "503 5.5.1 Error: already authenticated"
            c.cmd("XCLIENT LOGIN=[UNAVAILABLE]")
        else:
            assert reply == "235 2.7.0 Authentication successful"
            c.cmd("XCLIENT HELO=client.example")
        c.cmd("EHLO client.example")
    c.cmd("QUIT")


def test_exceptions_networks(instance, dovecot):
    """smtpd_sasl_exceptions_networks: no AUTH announced to those
    clients, but AUTH still works."""
    server = sasl_server(instance, dovecot,
                         smtpd_sasl_exceptions_networks="127.0.0.0/8")
    c = server.connect()
    assert "AUTH" not in c.cmd("EHLO client.example")
    login_bob(c)
    c.cmd("QUIT")


@pytest.mark.parametrize("where", ["relative", "inet"])
def test_sasl_path_forms(instance, dovecot, where):
    """smtpd_sasl_path relative to the queue directory (private/auth, as
    in SASL_README), and inet:host:port."""
    path = "private/auth" if where == "relative" \
        else f"inet:127.0.0.1:{dovecot.port}"
    server = sasl_server(instance, dovecot, smtpd_sasl_path=path)
    if where == "relative":
        (instance.queue_dir / "private" / "auth").symlink_to(dovecot.socket)
    c = server.connect()
    assert "250-AUTH PLAIN LOGIN" in c.cmd("EHLO client.example")
    assert c.cmd(f"AUTH PLAIN {BOB_PLAIN}") == \
        "235 2.7.0 Authentication successful"
    c.cmd("QUIT")


def test_xclient_login(instance, dovecot):
    """XCLIENT LOGIN counts as a login, as in Postfix 3.7 (observed):
    permit_sasl_authenticated, sasl_method=XCLIENT in the log and for
    cleanup, "(Authenticated sender: bob)" and ESMTPA."""
    server = sasl_server(instance, dovecot,
                         smtpd_authorized_xclient_hosts="127.0.0.1",
                         smtpd_sasl_authenticated_header="yes")
    c = ehlo(server)
    assert c.cmd("XCLIENT LOGIN=bob").startswith("220 ")
    c.cmd("EHLO client.example")
    c.cmd("MAIL FROM:<bob@example.test>")
    assert c.cmd("RCPT TO:<x@elsewhere.test>") == "250 2.1.5 Ok"
    c.cmd("DATA")
    assert c.cmd("Subject: x\r\n\r\nhi\r\n.").startswith("250 2.0.0 Ok")
    c.cmd("QUIT")
    log = instance.wait_log("disconnect from")
    assert re.search(r": client=localhost\[127\.0\.0\.1\], "
                     r"sasl_method=XCLIENT, sasl_username=bob$", log, re.M)
    env, text, _ = message(server.incoming()[0])
    attrs = [data.decode() for rtype, data in env if rtype == "A"]
    assert "sasl_method=XCLIENT" in attrs and "sasl_username=bob" in attrs
    assert "\t(Authenticated sender: bob)\n\tby mx.example.test (Postern) " \
        "with ESMTPA id " in text.decode()


def test_known_sender_login_mismatch(instance, dovecot):
    """reject_known_sender_login_mismatch: addresses nobody owns are free
    for a logged-in client."""
    table = instance.root / "login_maps"
    table.write_text("alice@example.test alice@example.test, bob\n"
                     "@admin.example.test alice@example.test\n")
    server = sasl_server(instance, dovecot,
                         smtpd_sender_login_maps=f"texthash:{table}",
                         smtpd_sender_restrictions="reject_known_sender_"
                         "login_mismatch")
    c = ehlo(server)
    login_bob(c)
    assert relay_reply(c, "carol@example.test") == "250 2.1.5 Ok"
    assert relay_reply(c, "alice@example.test") == "250 2.1.5 Ok"
    assert relay_reply(c, "root@admin.example.test") == \
        "553 5.7.1 <root@admin.example.test>: Sender address rejected: " \
        "not owned by user bob"
    c.cmd("QUIT")
