"""System tests for the SMTP delivery agent (src/smtp/, docs/smtp.md):
a Postern instance relays through relayhost to Debian's smtp-sink, to
scripted and hostile Python peers on loopback and to a closed port. The
log lines are checked field by field against what Postfix 3.7's smtp(8)
writes (docs/smtp.md)."""
import re
import shutil
import socket
import subprocess
import time

import pytest

from conftest import LIBEXEC, free_port, wait_for
from dnsserver import dns_server  # noqa: F401  (pytest fixture)
from smtp_peer import EndlessPeer, HugeLinePeer, ScriptedPeer, SilentPeer
from test_master import wait_log
from test_qmgr import MASTER_CF, Mta

SMTP_SINK = "/usr/sbin/smtp-sink"
pytestmark = pytest.mark.skipif(
    not all((LIBEXEC / a).exists() for a in ("qmgr", "smtp", "bounce")),
    reason="qmgr and smtp are not all built")

SMTP_CF = MASTER_CF + "smtp unix - - n - - smtp\n"
QID = r"[0-9A-Za-z]+"
DELAYS = r"delay=[0-9.]+, delays=[0-9.]+/[0-9.]+/[0-9.]+/[0-9.]+"
MESSAGE = (b"From: sender@example.org\nSubject: relay test\n\n"
           b"line one\n.leading dot\n..two dots\nlast line\n")


def relay_mta(instance, port, master_cf=SMTP_CF, **params):
    """An instance whose mail to other domains goes to [127.0.0.1]:port,
    with short time limits."""
    mta = Mta(instance)
    settings = dict(relayhost=f"[127.0.0.1]:{port}",
                    smtp_connect_timeout="2s", smtp_helo_timeout="2s",
                    smtp_mail_timeout="2s", smtp_rcpt_timeout="2s",
                    smtp_data_init_timeout="2s", smtp_data_xfer_timeout="2s",
                    smtp_data_done_timeout="2s", smtp_quit_timeout="2s")
    settings.update(params)
    instance.write_config(master_cf, **settings)
    instance.start()
    return mta


def agent_line(log, rcpt):
    """The smtp agent's log line for rcpt."""
    match = re.search(rf"postfix/smtp\[\d+\]: {QID}: to=<{re.escape(rcpt)}>"
                      r".*", log) or re.search(
        rf"smtp\[\d+\]: {QID}: to=<{re.escape(rcpt)}>.*", log)
    assert match, log
    return match.group(0)


def wait_agent(mta, rcpt, timeout=20):
    log = wait_log(mta.inst, f"to=<{rcpt}>, relay=", timeout)
    return agent_line(log, rcpt)


@pytest.fixture
def peers():
    started = []
    yield started
    for peer in started:
        peer.close()


@pytest.fixture
def sink(tmp_path):
    """Start smtp-sink with extra options on a free port."""
    procs = []

    def start(*options):
        port = free_port()
        dump = tmp_path / "sink"
        dump.mkdir(exist_ok=True)
        dump.chmod(0o777)
        proc = subprocess.Popen([SMTP_SINK, "-u", "nobody", "-d",
                                 str(dump) + "/%M.", *options,
                                 f"127.0.0.1:{port}", "10"],
                                stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        procs.append(proc)
        wait_for(lambda: _listening(port), 10, what="smtp-sink")
        return port, dump

    yield start
    for proc in procs:
        proc.terminate()
        proc.wait(timeout=10)


def _listening(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


needs_sink = pytest.mark.skipif(not shutil.which(SMTP_SINK),
                                reason="smtp-sink is not installed")


@needs_sink
def test_relay_to_smtp_sink(instance, sink):
    """Two recipients relayed to smtp-sink: one status=sent line each,
    relay=127.0.0.1[127.0.0.1]:PORT, dsn=2.0.0, the server's reply; the
    message arrives as it is, CRLF and dot-stuffing undone by the sink."""
    port, dump = sink()
    mta = relay_mta(instance, port)
    mta.sendmail("-f", "sender@example.org", "a@remote.test",
                 "b@remote.test", input=MESSAGE)
    for rcpt in ("a@remote.test", "b@remote.test"):
        line = wait_agent(mta, rcpt)
        assert re.search(rf"to=<{rcpt}>, relay=127\.0\.0\.1\[127\.0\.0\.1\]"
                         rf":{port}, {DELAYS}, dsn=2\.0\.0, status=sent "
                         r"\(250 2\.0\.0 Ok\)$", line), line
    mta.wait_empty()
    files = wait_for(lambda: list(dump.iterdir()), 10, what="sink dump")
    text = files[0].read_bytes()
    assert b"X-Mail-Args: <sender@example.org>\n" in text, text
    for rcpt in (b"a@remote.test", b"b@remote.test"):
        assert b"X-Rcpt-Args: <%s> ORCPT=rfc822;%s\n" % (rcpt, rcpt) \
            in text, text
    assert b"\nline one\n.leading dot\n..two dots\nlast line\n" in text, text
    assert b"Return-Path:" not in text and b"Delivered-To:" not in text


@needs_sink
@pytest.mark.parametrize("option,command,recipients,dsn,status,reply", [
    ("-f", "RCPT", ["hard@remote.test"], "5.3.0", "bounced",
     "500 5.3.0 Error: command failed"),
    ("-r", "RCPT", ["soft@remote.test"], "4.3.0", "deferred",
     "450 4.3.0 Error: command failed"),
    ("-f", "MAIL", ["x1@remote.test", "x2@remote.test"], "5.3.0", "bounced",
     "500 5.3.0 Error: command failed"),
])
def test_sink_rejects(instance, sink, option, command, recipients, dsn,
                      status, reply):
    """smtp-sink refusing RCPT with 5xx bounces, with 4xx defers; a
    refused MAIL FROM applies to every recipient: "host
    127.0.0.1[127.0.0.1] said: REPLY (in reply to RCPT TO command)"."""
    port, _ = sink(option, command)
    mta = relay_mta(instance, port)
    mta.sendmail("-f", "owner@disc.test", *recipients)
    what = "RCPT TO" if command == "RCPT" else "MAIL FROM"
    for rcpt in recipients:
        line = wait_agent(mta, rcpt)
        assert line.endswith(
            f"relay=127.0.0.1[127.0.0.1]:{port}, " + line.split(
                f":{port}, ")[1].split(", dsn=")[0]
            + f", dsn={dsn}, status={status} (host 127.0.0.1[127.0.0.1] "
            f"said: {reply} (in reply to {what} command))"), line
        assert re.search(DELAYS, line), line


@needs_sink
@pytest.mark.parametrize("skip,dsn,status", [
    ("yes", "4.3.0", "deferred"), ("no", "5.3.0", "bounced")])
def test_5xx_greeting(instance, sink, skip, dsn, status):
    """A 5xx greeting: "host X[a] refused to talk to me: REPLY"; with
    smtp_skip_5xx_greeting = yes (the default) a deferral (the status
    becomes 4.x, as Postfix), with no a bounce."""
    port, _ = sink("-f", "CONNECT")
    mta = relay_mta(instance, port, smtp_skip_5xx_greeting=skip)
    mta.sendmail("-f", "owner@disc.test", "greet@remote.test")
    line = wait_agent(mta, "greet@remote.test")
    assert re.search(rf"relay=127\.0\.0\.1\[127\.0\.0\.1\]:{port}, {DELAYS}, "
                     rf"dsn={re.escape(dsn)}, status={status} \(host 127\.0\.0"
                     r"\.1\[127\.0\.0\.1\] refused to talk to me: 500 5\.3\.0 "
                     r"Error: command failed\)$", line), line


@needs_sink
def test_disconnect_in_body_defers(instance, sink):
    """The server goes away after DATA: "lost connection with ... while
    sending message body" or at the DATA command, deferred 4.4.2."""
    port, _ = sink("-q", "DATA")
    mta = relay_mta(instance, port)
    mta.sendmail("-f", "owner@disc.test", "lost@remote.test")
    line = wait_agent(mta, "lost@remote.test")
    assert re.search(rf"relay=127\.0\.0\.1\[127\.0\.0\.1\]:{port}, {DELAYS}, "
                     r"dsn=4\.4\.2, status=deferred \(lost connection with "
                     r"127\.0\.0\.1\[127\.0\.0\.1\] while sending ", line), line


def test_closed_port_defers(instance):
    """Nothing listens: relay=none, dsn=4.4.1, "connect to
    127.0.0.1[127.0.0.1]:PORT: Connection refused", also logged alone."""
    port = free_port()
    mta = relay_mta(instance, port)
    mta.sendmail("-f", "owner@disc.test", "nobody@remote.test")
    line = wait_agent(mta, "nobody@remote.test")
    assert re.search(rf"to=<nobody@remote\.test>, relay=none, {DELAYS}, "
                     r"dsn=4\.4\.1, status=deferred \(connect to 127\.0\.0\.1"
                     rf"\[127\.0\.0\.1\]:{port}: Connection refused\)$",
                     line), line
    assert re.search(rf"smtp\[\d+\]: connect to 127\.0\.0\.1\[127\.0\.0\.1\]:"
                     rf"{port}: Connection refused\n", mta.inst.log_text())


def test_fallback_relay(instance, peers):
    """The next hop refuses connections: smtp_fallback_relay takes the
    mail; the refusal is logged on its own."""
    peer = ScriptedPeer()
    peers.append(peer)
    closed = free_port()
    mta = relay_mta(instance, closed,
                    smtp_fallback_relay=f"[127.0.0.1]:{peer.port}")
    mta.sendmail("-f", "sender@example.org", "fb@remote.test")
    line = wait_agent(mta, "fb@remote.test")
    assert re.search(rf"relay=127\.0\.0\.1\[127\.0\.0\.1\]:{peer.port}, "
                     rf"{DELAYS}, dsn=2\.0\.0, status=sent \(250 2\.0\.0 Ok: "
                     r"queued as XYZ\)$", line), line
    assert f"connect to 127.0.0.1[127.0.0.1]:{closed}: Connection refused" \
        in mta.inst.log_text()


def test_per_recipient_results_pipelined(instance, peers):
    """A scripted peer: 250, 550 and 450 to three RCPTs sent in one
    pipelined batch; MAIL FROM carries SIZE=, RCPT TO carries NOTIFY and
    ORCPT (the peer offers DSN); the message body is dot-stuffed."""
    peer = ScriptedPeer(rcpt_replies={
        "bad@remote.test": "550 5.1.1 <bad@remote.test>: no such user",
        "later@remote.test": "450 4.2.0 try later"})
    peers.append(peer)
    mta = relay_mta(instance, peer.port)
    mta.sendmail("-f", "sender@example.org", "-N", "success,failure",
                 "good@remote.test", "bad@remote.test", "later@remote.test",
                 input=MESSAGE)
    good = wait_agent(mta, "good@remote.test")
    bad = wait_agent(mta, "bad@remote.test")
    later = wait_agent(mta, "later@remote.test")
    assert good.endswith("dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as "
                         "XYZ)"), good
    assert bad.endswith("dsn=5.1.1, status=bounced (host 127.0.0.1"
                        "[127.0.0.1] said: 550 5.1.1 <bad@remote.test>: no "
                        "such user (in reply to RCPT TO command))"), bad
    assert later.endswith("dsn=4.2.0, status=deferred (host 127.0.0.1"
                          "[127.0.0.1] said: 450 4.2.0 try later (in reply "
                          "to RCPT TO command))"), later
    mail = [c for c in peer.commands if c.startswith("MAIL FROM:")]
    assert re.fullmatch(r"MAIL FROM:<sender@example\.org> SIZE=\d+", mail[0])
    rcpt = [c for c in peer.commands if c.startswith("RCPT TO:")]
    assert rcpt[0] == ("RCPT TO:<good@remote.test> ORCPT=rfc822;"
                       "good@remote.test NOTIFY=SUCCESS,FAILURE"), rcpt
    body = peer.messages[0]
    assert b"\r\n..leading dot\r\n...two dots\r\nlast line\r\n" in body, body
    assert body.startswith(b"Received: ") or b"Subject: relay test" in body


def test_mail_from_extensions(instance, peers):
    """sendmail -B 8BITMIME -R hdrs -V ENVID: MAIL FROM carries SIZE=,
    BODY=8BITMIME, RET=HDRS and ENVID= when the peer offers SIZE,
    8BITMIME and DSN; a peer without them gets none of those, and a
    success notice goes out only for the recipient relayed to it."""
    full = ScriptedPeer()
    bare = ScriptedPeer(ehlo_lines=("PIPELINING",))
    peers.extend([full, bare])
    table = instance.config_dir / "smtp_transport"
    table.write_text(f"full.test smtp:[127.0.0.1]:{full.port}\n"
                     f"bare.test smtp:[127.0.0.1]:{bare.port}\n")
    mta = relay_mta(instance, full.port, transport_maps=f"texthash:{table}")
    mta.sendmail("-f", "sender@example.org", "-B", "8BITMIME", "-R", "hdrs",
                 "-V", "id.1", "-N", "success", "ext@full.test",
                 "ext@bare.test", input=b"Subject: x\n\nbody\n")
    for rcpt in ("ext@full.test", "ext@bare.test"):
        line = wait_agent(mta, rcpt)
        assert "status=sent" in line, line
    mail = [c for c in full.commands if c.startswith("MAIL FROM:")]
    assert re.fullmatch(r"MAIL FROM:<sender@example\.org> SIZE=\d+ "
                        r"BODY=8BITMIME RET=HDRS ENVID=id\.1", mail[0]), \
        mail
    rcpt = [c for c in full.commands if c.startswith("RCPT TO:")]
    assert rcpt[0] == ("RCPT TO:<ext@full.test> ORCPT=rfc822;ext@full.test "
                       "NOTIFY=SUCCESS"), rcpt
    mail = [c for c in bare.commands if c.startswith("MAIL FROM:")]
    rcpt = [c for c in bare.commands if c.startswith("RCPT TO:")]
    assert mail == ["MAIL FROM:<sender@example.org>"], mail
    assert rcpt == ["RCPT TO:<ext@bare.test>"], rcpt
    # Success notice: only for the recipient whose server lacks DSN
    # ("relayed"); the other server took NOTIFY=SUCCESS over. The notice
    # (from <>) goes to sender@example.org, through relayhost = full.
    wait_for(lambda: len(full.messages) == 2, 20, what="the notice")
    notice = full.messages[1]
    assert [c for c in full.commands if c.startswith("MAIL FROM:")][1] \
        .startswith("MAIL FROM:<> "), full.commands
    assert b"Action: relayed" in notice, notice
    assert b"Final-Recipient: rfc822; ext@bare.test" in notice, notice
    assert b"ext@full.test" not in notice, notice


def test_verify_sends_no_data(instance, peers):
    """sendmail -bv: MAIL and RCPT only, no DATA; the RCPT reply is the
    answer: status=deliverable / undeliverable."""
    peer = ScriptedPeer(rcpt_replies={
        "no@remote.test": "550 5.1.1 <no@remote.test>: unknown"})
    peers.append(peer)
    mta = relay_mta(instance, peer.port)
    mta.sendmail("-bv", "-f", "owner@disc.test", "yes@remote.test",
                 "no@remote.test")
    yes = wait_agent(mta, "yes@remote.test")
    no = wait_agent(mta, "no@remote.test")
    assert yes.endswith("dsn=2.1.5, status=deliverable (250 2.1.5 Ok)"), yes
    assert no.endswith("dsn=5.1.1, status=undeliverable (host 127.0.0.1"
                       "[127.0.0.1] said: 550 5.1.1 <no@remote.test>: "
                       "unknown (in reply to RCPT TO command))"), no
    assert not any(c.upper().startswith("DATA") for c in peer.commands), \
        peer.commands
    assert peer.messages == []


def test_smtputf8_required(instance, peers):
    """A message received with MAIL FROM ... SMTPUTF8 (through smtpd):
    a server that offers SMTPUTF8 gets it on MAIL FROM; one that does not
    makes it bounce with 5.6.7, as Postfix 3.7 (observed)."""
    import smtplib
    utf8 = ScriptedPeer(ehlo_lines=("PIPELINING", "SMTPUTF8"))
    plain = ScriptedPeer()
    peers.extend([utf8, plain])
    table = instance.config_dir / "smtp_transport"
    table.write_text(f"utf8.test smtp:[127.0.0.1]:{utf8.port}\n"
                     f"plain.test smtp:[127.0.0.1]:{plain.port}\n")
    port = free_port()
    mta = relay_mta(instance, utf8.port, transport_maps=f"texthash:{table}",
                    master_cf=SMTP_CF + f"127.0.0.1:{port} inet n - n - - "
                    "smtpd\n")
    wait_for(lambda: _listening(port), 10, what="smtpd")
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        client.ehlo("client.test")
        client.mail("owner@disc.test", ["SMTPUTF8"])
        client.rcpt("u@utf8.test")
        client.rcpt("u@plain.test")
        client.data("Subject: caf\u00e9\r\n\r\nx\r\n".encode())
    ok = wait_agent(mta, "u@utf8.test")
    bad = wait_agent(mta, "u@plain.test")
    assert "status=sent" in ok, ok
    assert re.search(r"SMTPUTF8$", [c for c in utf8.commands
                                    if c.startswith("MAIL")][0]), utf8.commands
    assert bad.endswith("dsn=5.6.7, status=bounced (SMTPUTF8 is required, "
                        "but was not offered by host 127.0.0.1[127.0.0.1])"), \
        bad
    assert not any(c.startswith("MAIL") for c in plain.commands)


def test_message_larger_than_peer_size(instance, peers):
    """SIZE 100 offered and a bigger message: bounced before MAIL FROM
    with 5.3.4 "message size N exceeds size limit 100 of server X"."""
    peer = ScriptedPeer(ehlo_lines=("PIPELINING", "SIZE 100"))
    peers.append(peer)
    mta = relay_mta(instance, peer.port)
    mta.sendmail("-f", "owner@disc.test", "big@remote.test",
                 input=MESSAGE + b"x" * 200 + b"\n")
    line = wait_agent(mta, "big@remote.test")
    assert re.search(r"dsn=5\.3\.4, status=bounced \(message size \d+ "
                     r"exceeds size limit 100 of server 127\.0\.0\.1"
                     r"\[127\.0\.0\.1\]\)$", line), line
    assert not any(c.startswith("MAIL") for c in peer.commands)


def test_helo_fallback_without_esmtp(instance, peers):
    """EHLO refused with 502: HELO, then a plain MAIL FROM without any
    extension, and no pipelining."""
    peer = ScriptedPeer(refuse_ehlo=True)
    peers.append(peer)
    mta = relay_mta(instance, peer.port)
    mta.sendmail("-f", "sender@example.org", "helo@remote.test")
    line = wait_agent(mta, "helo@remote.test")
    assert "status=sent (250 2.0.0 Ok: queued as XYZ)" in line, line
    assert peer.commands[:4] == [
        "EHLO mx.example.test", "HELO mx.example.test",
        "MAIL FROM:<sender@example.org>", "RCPT TO:<helo@remote.test>"], \
        peer.commands


@pytest.mark.parametrize("peer_class,text,warning", [
    (SilentPeer, r"conversation with 127\.0\.0\.1\[127\.0\.0\.1\] timed out "
                 r"while receiving the initial server greeting", None),
    (EndlessPeer, r"conversation with 127\.0\.0\.1\[127\.0\.0\.1\] failed: "
                  r"reply of more than 1000 lines while receiving the "
                  r"initial server greeting",
     r"warning: 127\.0\.0\.1\[127\.0\.0\.1\]:\d+: multi-line response "
     r"longer than 2048 220-x{26}\.\.\."),
    (HugeLinePeer, r"conversation with 127\.0\.0\.1\[127\.0\.0\.1\] timed out "
                   r"while receiving the initial server greeting",
     r"warning: 127\.0\.0\.1\[127\.0\.0\.1\]:\d+: response longer than "
     r"2048: x{30}\.\.\."),
])
def test_hostile_peer_defers(instance, peers, peer_class, text, warning):
    """Silent, endless and megabyte-line servers: each ends in a deferral
    with a clear reason and no crash. The texts and warnings are those of
    Postfix 3.7 (observed), but for the endless reply, where Postfix reads
    on until the server stops and Postern gives up after 1000 lines."""
    peer = peer_class()
    peers.append(peer)
    mta = relay_mta(instance, peer.port)
    started = time.monotonic()
    mta.sendmail("-f", "owner@disc.test", "victim@remote.test")
    line = wait_agent(mta, "victim@remote.test")
    assert re.search(rf"to=<victim@remote\.test>, relay=127\.0\.0\.1"
                     rf"\[127\.0\.0\.1\]:{peer.port}, {DELAYS}, dsn=4\.\d\.\d,"
                     rf" status=deferred \({text}", line), line
    assert time.monotonic() - started < 15
    if warning:
        assert re.search(warning, mta.inst.log_text()), mta.inst.log_text()
    assert "fatal" not in mta.inst.log_text()
    assert "panic" not in mta.inst.log_text()


RELAY_ZONE = """
@    MX 10 mx1
@    MX 20 mx2
mx1  A  127.0.0.2
mx2  A  127.0.0.3
"""


def test_mx_lookup_tries_the_next_mx(instance, peers, dns_server):
    """relayhost = relay.test:PORT (no brackets): an MX lookup through
    mx_addr (dns_servers points at NSD on loopback); the best MX refuses
    the connection (logged), the second takes the mail:
    relay=mx2.relay.test[127.0.0.3]:PORT."""
    dns = dns_server({"relay.test": RELAY_ZONE})
    peer = ScriptedPeer(host="127.0.0.3")
    peers.append(peer)
    mta = relay_mta(instance, peer.port, relayhost=f"relay.test:{peer.port}",
                    dns_servers=dns.servers, inet_protocols="ipv4")
    mta.sendmail("-f", "sender@example.org", "mx@remote.test")
    line = wait_agent(mta, "mx@remote.test")
    assert re.search(rf"relay=mx2\.relay\.test\[127\.0\.0\.3\]:{peer.port}, "
                     rf"{DELAYS}, dsn=2\.0\.0, status=sent \(250 2\.0\.0 Ok: "
                     r"queued as XYZ\)$", line), line
    assert re.search(rf"smtp\[\d+\]: connect to mx1\.relay\.test"
                     rf"\[127\.0\.0\.2\]:{peer.port}: Connection refused",
                     mta.inst.log_text())


def test_bracketed_name_without_mx(instance, peers, dns_server):
    """[mx2.relay.test]:PORT: the A record only, no MX lookup."""
    dns = dns_server({"relay.test": RELAY_ZONE})
    peer = ScriptedPeer(host="127.0.0.3")
    peers.append(peer)
    mta = relay_mta(instance, peer.port,
                    relayhost=f"[mx2.relay.test]:{peer.port}",
                    dns_servers=dns.servers, inet_protocols="ipv4")
    mta.sendmail("-f", "sender@example.org", "a@remote.test")
    line = wait_agent(mta, "a@remote.test")
    assert f"relay=mx2.relay.test[127.0.0.3]:{peer.port}, " in line, line
    assert "status=sent" in line, line


def test_unknown_relay_name(instance, dns_server):
    """A relayhost that does not exist: the lookup's failure as mx_addr
    reports it (Postfix's words), relay=none."""
    dns = dns_server({"relay.test": RELAY_ZONE})
    mta = relay_mta(instance, 2525, relayhost="[nosuch.relay.test]:2525",
                    dns_servers=dns.servers, inet_protocols="ipv4")
    mta.sendmail("-f", "owner@disc.test", "a@remote.test")
    line = wait_agent(mta, "a@remote.test")
    assert re.search(rf"to=<a@remote\.test>, relay=none, {DELAYS}, "
                     r"dsn=5\.4\.4, status=bounced \(Host or domain name not "
                     r"found\. Name service error for name=nosuch\.relay\.test "
                     r"type=A: Host not found\)$", line), line


POSTFIX_RECEIVER_CF = (
    "{port} inet n - n - - smtpd\n"
    "cleanup   unix  n       -       n       -       0       cleanup\n"
    "qmgr      unix  n       -       n       300     1       qmgr\n"
    "rewrite   unix  -       -       n       -       -       trivial-rewrite\n"
    "bounce    unix  -       -       n       -       0       bounce\n"
    "defer     unix  -       -       n       -       0       bounce\n"
    "trace     unix  -       -       n       -       0       bounce\n"
    "verify    unix  -       -       n       -       1       verify\n"
    "proxymap  unix  -       -       n       -       -       proxymap\n"
    "virtual   unix  -       n       n       -       -       virtual\n"
    "error     unix  -       -       n       -       -       error\n"
    "retry     unix  -       -       n       -       -       error\n"
    "discard   unix  -       -       n       -       -       discard\n"
    "postlog   unix-dgram n  -       n       -       1       postlogd\n")


@pytest.fixture
def postfix_receiver(tmp_path):
    """Debian's Postfix on 127.0.0.1:PORT, delivering remote.test mail
    for alice into ROOT/vmail/alice/ (a Maildir) with virtual(8)."""
    import os
    from postfix_peer import HAVE_POSTFIX, PostfixPeer
    if not HAVE_POSTFIX or os.geteuid() != 0:
        pytest.skip("Postfix is not installed, or not root")
    root = tmp_path / "pf"
    root.mkdir()
    root.chmod(0o755)
    port = free_port()
    peer = PostfixPeer(root, POSTFIX_RECEIVER_CF.format(port=port))
    vmail = root / "vmail"
    vmail.mkdir()
    os.chown(vmail, 65534, 65534)
    (root / "vmailbox").write_text("alice@remote.test alice/\n")
    peer.write_config(myhostname="receiver.test", mydestination="localhost",
                      virtual_mailbox_domains="remote.test",
                      virtual_mailbox_base=str(vmail),
                      virtual_mailbox_maps=f"texthash:{root}/vmailbox",
                      virtual_uid_maps="static:65534",
                      virtual_gid_maps="static:65534",
                      smtpd_recipient_restrictions="reject_unlisted_recipient")
    peer.start()
    wait_for(lambda: _listening(port), 20, what="Postfix's smtpd")
    peer.port = port
    peer.vmail = vmail
    yield peer
    peer.stop()


def test_relay_into_postfix_maildir(instance, postfix_receiver):
    """Postern -> Debian's Postfix -> Maildir: alice's message arrives
    as it was sent (Postfix's smtpd adds its Received: header); the
    unknown bob is refused at RCPT by Postfix and bounces here."""
    peer = postfix_receiver
    mta = relay_mta(instance, peer.port)
    mta.sendmail("-f", "owner@disc.test", "alice@remote.test",
                 "bob@remote.test", input=MESSAGE)
    alice = wait_agent(mta, "alice@remote.test")
    bob = wait_agent(mta, "bob@remote.test")
    assert re.search(rf"relay=127\.0\.0\.1\[127\.0\.0\.1\]:{peer.port}, "
                     rf"{DELAYS}, dsn=2\.0\.0, status=sent \(250 2\.0\.0 Ok: "
                     r"queued as \w+\)$", alice), alice
    assert re.search(r"dsn=5\.1\.1, status=bounced \(host 127\.0\.0\.1"
                     r"\[127\.0\.0\.1\] said: 550 5\.1\.1 <bob@remote\.test>: "
                     r"Recipient address rejected: User unknown in virtual "
                     r"mailbox table \(in reply to RCPT TO command\)\)$",
                     bob), bob
    new = peer.vmail / "alice" / "new"
    files = wait_for(lambda: new.exists() and list(new.iterdir()), 20,
                     what=f"alice's Maildir; log:\n{peer.log_text()}")
    text = files[0].read_bytes()
    head, _, body = text.partition(b"\n\n")
    assert head.startswith(b"Return-Path: <owner@disc.test>\n"), text
    assert b"Received: from mx.example.test (localhost [127.0.0.1])" in head
    assert b"Subject: relay test" in head
    assert body == b"line one\n.leading dot\n..two dots\nlast line\n", body
