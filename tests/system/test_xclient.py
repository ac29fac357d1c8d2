"""System tests for XCLIENT, XFORWARD (src/smtpd/smtpd_xclient.c) and the
HANGUP access action: a real instance with smtpd, cleanup,
trivial-rewrite and postlogd. Replies, log lines and queue file
attributes are those Debian's Postfix 3.7 gave for the same sessions
(docs/smtpd.md)."""
import pytest

from test_smtpd import ME, Server, message, wait_for

XCLIENT_KW = ("XCLIENT NAME ADDR PROTO HELO REVERSE_NAME PORT LOGIN "
              "DESTADDR DESTPORT")
XFORWARD_KW = "XFORWARD NAME ADDR PROTO HELO SOURCE PORT IDENT"
ACCESS = ("check_client_access inline:{192.0.2.8=REJECT, 192.0.2.9=HANGUP, "
          "{192.0.2.10=HANGUP go away}}")
RCPT = "RCPT TO:<root@mx.example.test>"


@pytest.fixture
def server(instance):
    return Server(instance, smtpd_authorized_xclient_hosts="127.0.0.1",
                  smtpd_authorized_xforward_hosts="127.0.0.1",
                  smtpd_client_restrictions=ACCESS)


def ehlo_keywords(client, name="c.example"):
    return client.cmd(f"EHLO {name}").split("\n")


def attrs(path):
    """The named attributes, without cleanup's create_time."""
    env = message(path)[0]
    return [d.decode() for t, d in env
            if t == "A" and not d.startswith(b"create_time=")]


def send_message(client, text="x"):
    """One message through a session after EHLO; the DATA reply."""
    assert client.cmd("MAIL FROM:<a@example.org>") == "250 2.1.0 Ok"
    assert client.cmd(RCPT) == "250 2.1.5 Ok"
    assert client.cmd("DATA").startswith("354 ")
    return client.cmd(text + "\r\n.")


def test_ehlo_announces_to_authorized_clients_only(instance):
    s = Server(instance, smtpd_authorized_xclient_hosts="127.0.0.1",
               smtpd_authorized_xforward_hosts="127.0.0.1")
    kw = ehlo_keywords(s.connect())
    assert kw[4:7] == ["250-ETRN", "250-" + XCLIENT_KW, "250-" + XFORWARD_KW]
    assert kw[7] == "250-ENHANCEDSTATUSCODES"


def test_unauthorized_client_refused(instance):
    s = Server(instance, smtpd_authorized_xclient_hosts="192.0.2.1",
               smtpd_discard_ehlo_keywords="")
    c = s.connect()
    kw = ehlo_keywords(c)
    assert not any("XCLIENT" in k or "XFORWARD" in k for k in kw)
    assert c.cmd("XCLIENT ADDR=192.0.2.7") == \
        "550 5.7.0 Error: insufficient authorization"
    assert c.cmd("XFORWARD ADDR=192.0.2.7") == \
        "550 5.7.0 Error: insufficient authorization"
    assert c.cmd("XCLIENT") == "501 5.5.4 Syntax: XCLIENT attribute=value..."
    assert c.cmd("QUIT") == "221 2.0.0 Bye"
    log = instance.wait_log("disconnect from")
    assert ("disconnect from localhost[127.0.0.1] ehlo=1 xclient=0/2 "
            "xforward=0/1 quit=1 commands=2/5") in log


def test_xclient_new_identity_for_restrictions_and_log(server, instance):
    c = server.connect()
    ehlo_keywords(c)
    assert c.cmd("XCLIENT ADDR=192.0.2.8 NAME=[TEMPUNAVAIL]") == \
        f"220 {ME} ESMTP Postern"
    assert c.cmd("MAIL FROM:<a@example.org>") == "250 2.1.0 Ok"
    assert c.cmd(RCPT) == \
        "554 5.7.1 <unknown[192.0.2.8]>: Client host rejected: Access denied"
    assert c.cmd("QUIT") == "221 2.0.0 Bye"
    log = instance.wait_log("disconnect from")
    assert ("NOQUEUE: reject: RCPT from unknown[192.0.2.8]: 554 5.7.1 "
            "<unknown[192.0.2.8]>: Client host rejected: Access denied; "
            "from=<a@example.org> to=<root@mx.example.test> proto=SMTP"
            in log)
    assert ("disconnect from unknown[192.0.2.8] ehlo=1 xclient=0/1 mail=1 "
            "rcpt=0/1 quit=1 commands=3/5") in log


def test_xclient_connect_restrictions_apply_again(instance):
    s = Server(instance, smtpd_authorized_xclient_hosts="127.0.0.1",
               smtpd_client_restrictions=ACCESS, smtpd_delay_reject="no")
    c = s.connect()
    ehlo_keywords(c)
    # What Debian's Postfix 3.7 answered.
    denied = "503 5.7.0 Error: access denied for unknown[192.0.2.8]"
    assert c.cmd("XCLIENT ADDR=192.0.2.8 NAME=[UNAVAILABLE]") == \
        "554 5.7.1 <unknown[192.0.2.8]>: Client host rejected: Access denied"
    assert c.cmd("MAIL FROM:<a@example.org>") == denied
    assert c.cmd("XCLIENT ADDR=192.0.2.11") == denied
    assert c.cmd("QUIT") == "221 2.0.0 Bye"
    log = instance.wait_log("disconnect from")
    assert ("NOQUEUE: reject: XCLIENT from unknown[192.0.2.8]: 554 5.7.1 "
            "<unknown[192.0.2.8]>: Client host rejected: Access denied; "
            "proto=SMTP\n") in log
    assert ("disconnect from unknown[192.0.2.8] ehlo=1 xclient=0/2 mail=0/1 "
            "quit=1 commands=2/5") in log


def test_xclient_message_and_second_xclient_refused(server, instance):
    c = server.connect()
    ehlo_keywords(c)
    assert c.cmd("XCLIENT NAME=mail.example.org ADDR=192.0.2.7 PORT=1234 "
                 "HELO=h.example.org").startswith("220 ")
    # The new client is not authorized: no XCLIENT (XFORWARD stays).
    kw = ehlo_keywords(c, "again.example")
    assert "250-" + XCLIENT_KW not in kw and "250-" + XFORWARD_KW in kw
    assert c.cmd("XCLIENT ADDR=192.0.2.1") == \
        "550 5.7.0 Error: insufficient authorization"
    assert send_message(c, "Subject: t\r\n\r\nhi").startswith("250 2.0.0 Ok")
    [path] = wait_for(server.incoming, what="queue file")
    a = attrs(path)
    for text in ("log_client_name=mail.example.org",
                 "log_client_address=192.0.2.7", "log_client_port=1234",
                 "log_message_origin=mail.example.org[192.0.2.7]",
                 "log_helo_name=again.example", "client_address=192.0.2.7",
                 "client_name=mail.example.org", "client_port=1234"):
        assert text in a, text
    content = message(path)[1].decode()
    assert content.startswith(
        "Received: from again.example (mail.example.org [192.0.2.7])")


def test_xclient_keeps_helo_and_proto_when_given(server, instance):
    c = server.connect()
    ehlo_keywords(c)
    assert c.cmd("XCLIENT ADDR=192.0.2.7 HELO=h.example.org "
                 "PROTO=esmtp").startswith("220 ")
    assert c.cmd("MAIL FROM:<a@example.org>") == "250 2.1.0 Ok"
    assert c.cmd(RCPT) == "250 2.1.5 Ok"
    log = instance.wait_log("client=localhost[192.0.2.7]")
    assert "client=localhost[192.0.2.7]" in log
    c.cmd("RSET")
    assert c.cmd("XCLIENT NAME=x").startswith("550 ")


def test_xclient_and_xforward_syntax_errors(server):
    c = server.connect()
    ehlo_keywords(c)
    long = "a" * 256
    expect = [
        ("XFORWARD", "501 5.5.4 Syntax: XFORWARD attribute=value..."),
        ("XFORWARD NAME", "501 5.5.4 Error: attribute=value expected"),
        ("XFORWARD NAME=", "501 5.5.4 Error: attribute=value expected"),
        ("XFORWARD FOO=bar", "501 5.5.4 Bad XFORWARD attribute name: FOO"),
        ("XFORWARD ADDR=1.2.3", "501 5.5.4 Bad ADDR syntax: 1.2.3"),
        ("XFORWARD PORT=123456", "501 5.5.4 Bad PORT syntax: 123456"),
        ("XFORWARD PORT=1a", "501 5.5.4 Bad PORT syntax: 1a"),
        ("XFORWARD SOURCE=ELSEWHERE", "501 5.5.4 Bad SOURCE syntax: ELSEWHERE"),
        (f"XFORWARD NAME={long}", "501 5.5.4 Error: attribute value too long"),
        ("XFORWARD PROTO=" + "a" * 65, "501 5.5.4 Bad PROTO syntax: " + "a" * 65),
        ("XFORWARD NAME=bad<name>", "501 5.5.4 Bad NAME syntax: bad?name?"),
        ("XCLIENT FOO=1", "501 5.5.4 Bad XCLIENT attribute name: FOO"),
        ("XCLIENT ADDR=300.1.1.1", "501 5.5.4 Bad ADDR syntax: 300.1.1.1"),
        ("XCLIENT NAME=bad_name!", "501 5.5.4 Bad NAME syntax: bad_name!"),
        ("XCLIENT PROTO=LMTP", "501 5.5.4 Bad PROTO syntax: LMTP"),
        ("XCLIENT PORT=x", "501 5.5.4 Bad PORT syntax: x"),
        ("MAIL FROM:<a@example.org>", "250 2.1.0 Ok"),
        ("XFORWARD NAME=y", "503 5.5.1 Error: MAIL transaction in progress"),
        ("XCLIENT NAME=y", "503 5.5.1 Error: MAIL transaction in progress"),
    ]
    for cmd, reply in expect:
        assert c.cmd(cmd) == reply, cmd


def test_xforward_attributes_reach_the_queue_file(server, instance):
    c = server.connect()
    ehlo_keywords(c)
    assert c.cmd("XFORWARD NAME=fw.example.org ADDR=198.51.100.5 "
                 "PORT=4321") == "250 2.0.0 Ok"
    assert c.cmd("XFORWARD PROTO=SMTP HELO=fwhelo.example IDENT=ABC123 "
                 "SOURCE=REMOTE") == "250 2.0.0 Ok"
    for subject in ("t1", "t2"):
        assert send_message(c, f"Subject: {subject}\r\n\r\nhi").startswith(
            "250 ")
    assert c.cmd("QUIT") == "221 2.0.0 Bye"
    paths = wait_for(lambda: len(server.incoming()) == 2 and server.incoming(),
                     what="two queue files")
    first = [p for p in paths if b"Subject: t1" in message(p)[1]][0]
    second = [p for p in paths if p != first][0]
    # What Postfix 3.7 put in the queue file (postcat): the forwarded
    # client in log_*, log_ident and rewrite_context; the real one in
    # client_* and the Received: header.
    a = attrs(first)
    assert a[:2] == ["log_ident=ABC123", "rewrite_context=remote"]
    for text in ("log_client_name=fw.example.org",
                 "log_client_address=198.51.100.5", "log_client_port=4321",
                 "log_message_origin=fw.example.org[198.51.100.5]",
                 "log_helo_name=fwhelo.example", "log_protocol_name=SMTP",
                 "client_name=localhost", "client_address=127.0.0.1",
                 "helo_name=c.example", "protocol_name=ESMTP"):
        assert text in a, text
    assert message(first)[1].decode().startswith(
        "Received: from c.example (localhost [127.0.0.1])")
    # The attributes end with the transaction.
    b = attrs(second)
    assert b[1] == "rewrite_context=local"
    assert "log_client_name=localhost" in b
    log = instance.wait_log("disconnect from")
    qid = first.name
    assert (f"{qid}: client=localhost[127.0.0.1], orig_queue_id=ABC123, "
            "orig_client=fw.example.org[198.51.100.5]") in log
    assert f"{second.name}: client=localhost[127.0.0.1]\n" in log
    assert ("ehlo=1 xforward=2 mail=2 rcpt=2 data=2 quit=1 commands=10"
            in log)


def test_xforward_unavailable_values(server, instance):
    c = server.connect()
    ehlo_keywords(c)
    assert c.cmd("XFORWARD NAME=[UNAVAILABLE] ADDR=[UNAVAILABLE] "
                 "HELO=[UNAVAILABLE] IDENT=[UNAVAILABLE] PROTO=[UNAVAILABLE] "
                 "PORT=[UNAVAILABLE] SOURCE=[UNAVAILABLE]") == "250 2.0.0 Ok"
    assert send_message(c).startswith("250 ")
    [path] = wait_for(server.incoming, what="queue file")
    a = attrs(path)
    assert a[:2] == [f"log_ident={path.name}", "rewrite_context=local"]
    for text in ("log_client_name=unknown", "log_client_address=unknown",
                 "log_client_port=unknown", "log_message_origin=unknown",
                 "log_protocol_name=unknown"):
        assert text in a, text
    assert not any(x.startswith("log_helo_name=") for x in a)
    log = instance.wait_log(": client=")
    assert f"{path.name}: client=localhost[127.0.0.1], orig_client=unknown" \
        in log


def test_xforward_xtext_and_censoring(server, instance):
    c = server.connect()
    ehlo_keywords(c)
    assert c.cmd("XFORWARD NAME=x+2Eexample.org HELO=a+20b<c "
                 "IDENT=q+3Bid") == "250 2.0.0 Ok"
    assert send_message(c).startswith("250 ")
    [path] = wait_for(server.incoming, what="queue file")
    a = attrs(path)
    for text in ("log_ident=q?id", "log_client_name=x.example.org",
                 "log_helo_name=a?b?c", "log_message_origin=x.example.org"):
        assert text in a, text


# --- HANGUP ----------------------------------------------------------------
@pytest.mark.parametrize("addr,name,text", [
    ("192.0.2.9", "localhost", ""), ("192.0.2.10", "unknown", "go away")])
def test_hangup_action(server, instance, addr, name, text):
    c = server.connect()
    ehlo_keywords(c)
    extra = " NAME=[UNAVAILABLE]" if name == "unknown" else ""
    assert c.cmd(f"XCLIENT ADDR={addr}{extra}").startswith("220 ")
    assert c.cmd("MAIL FROM:<a@example.org>") == "250 2.1.0 Ok"
    assert c.cmd(RCPT) == ""                   # no reply: hung up
    log = instance.wait_log("disconnect from")
    assert (f"NOQUEUE: hangup: RCPT from {name}[{addr}]: {text}; "
            "from=<a@example.org> to=<root@mx.example.test> proto=SMTP\n"
            in log)
    assert (f"disconnect from {name}[{addr}] ehlo=1 xclient=0/1 mail=1 "
            "rcpt=0/1 commands=2/4") in log
    assert "lost connection" not in log
