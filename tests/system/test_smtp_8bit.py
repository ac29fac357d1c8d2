"""System tests for the 8-bit downgrade of the SMTP client (src/smtp/
smtp_8bit.c, docs/smtp.md): Postern and Debian's Postfix 3.7 each relay
the same messages to a Python peer that does not offer 8BITMIME, and the
bytes each peer receives must be the same (after the Received: header
that each adds). The messages cover an 8bit text part, a base64 part, a
nested message/rfc822, a multipart or message/rfc822 declared 8bit, a
message declared 8bit whose body is 7bit, one without MIME headers but
with 8-bit bytes, binary, quoted-printable, boundaries with "=", soft
line breaks at every length around the limit, with and without
BODY=8BITMIME at submission (sendmail -B 8BITMIME)."""
import os
import re

import pytest

from conftest import free_port, wait_for
from smtp_peer import ScriptedPeer
from test_smtp import (POSTFIX_RECEIVER_CF, SMTP_CF, peers,  # noqa: F401
                       relay_mta, wait_agent)

E = "é".encode()
NO_8BITMIME = ("PIPELINING", "SIZE 10240000")
HEAD = (b"From: a@example.org\nMessage-ID: <x@example.org>\n"
        b"Date: Sun, 06 Dec 2026 10:00:00 +0000\n")
MIME = b"MIME-Version: 1.0\n"


def _lengths():
    """Lines around the soft-break limit: plain, 8-bit at the end,
    trailing space, '=' at the end, a dot after a soft break."""
    lines = b""
    for n in range(70, 78):
        lines += (b"a" * n + b"\n" + b"b" * (n - 2) + E + b"\n"
                  + b"c" * n + b" \n" + b"d" * (n - 3) + b"=\n"
                  + b"f" * n + b".dot\n")
    return lines + b"\n" + b"e" * 300 + b"\n\x01ctl\n\n  \n\t\n"


BODIES = {
    "multi": MIME + (
        b"Content-Type: multipart/mixed; boundary=\"BB\"\n\npreamble\n--BB\n"
        b"Content-Type: text/plain; charset=utf-8\n"
        b"Content-Transfer-Encoding: 8bit\n\n"
        b"caf" + E + b" = " + E + b"\n.dot line " + E + b"\nsoft  \ntab\t\n"
        b"Long " + E * 30 + b" line with = sign and trailing space \n"
        + b"x" * 72 + E + b"\n" + b"y" * 80 + b"\n--not a boundary " + E
        + b"\n\n--BB\nContent-Type: application/octet-stream\n"
        b"Content-Transfer-Encoding: base64\n\naGVsbG8=\n--BB\n"
        b"Content-Type: message/rfc822\n\nSubject: inner\n"
        b"Content-Type: text/plain\nContent-Transfer-Encoding: 8bit\n\n"
        b"inner " + E + b"\n--BB\nContent-Type: text/plain\n\n"
        b"seven bit part\n--BB--\nepilogue\n"),
    "decl8": MIME + (b"Content-Type: text/plain\n"
                     b"Content-Transfer-Encoding: 8bit\n\n"
                     b"plain ascii body\n.dot\nx=y\n"),
    "nomime": b"\nbody " + E + b" here\n",
    "multi8": MIME + (
        b"Content-Type: multipart/mixed; boundary=XX\n"
        b"Content-Transfer-Encoding: 8bit\n\n--XX\nContent-Type: text/plain\n"
        b"\npart " + E + b"\n--XX\nContent-Type: message/rfc822\n"
        b"Content-Transfer-Encoding: 8bit\n\nSubject: in\n\nin " + E
        + b"\n--XX--\n"),
    "binary": MIME + (b"Content-Type: application/octet-stream\n"
                      b"Content-Transfer-Encoding: binary\n\nbin " + E + b"\n"),
    "noct": MIME + b"Content-Transfer-Encoding: 8bit\n\nno type " + E + b"\n",
    "msg8": MIME + (b"Content-Type: message/rfc822\n"
                    b"Content-Transfer-Encoding: 8bit\n\nSubject: in\n"
                    b"Content-Transfer-Encoding: 8bit\n\nin " + E + b"\n"),
    "qp": MIME + (b"Content-Type: text/plain\n"
                  b"Content-Transfer-Encoding: quoted-printable\n\n"
                  b"body=20 " + E + b"\n"),
    "order": MIME + (b"Content-Transfer-Encoding: 8bit\n"
                     b"Content-Type: text/plain\nContent-Transfer-Encoding:\n"
                     b" 8bit\nX-After: 1\n\nbody " + E + b"\n"),
    "nested": MIME + (
        b"Content-Type: multipart/mixed; boundary=\"----=_Part_1\"\n"
        b"Content-Transfer-Encoding: 8bit\n\n------=_Part_1\n"
        b"Content-Type: text/plain\nContent-Transfer-Encoding: 7bit\n\n"
        b"seven " + E + b"\n------=_Part_1\n"
        b"Content-Type: multipart/alternative; boundary=R=\n"
        b"Content-Transfer-Encoding: binary\n\n--R=\n"
        b"Content-Type: text/html\nContent-Transfer-Encoding: 8bit\n\n"
        b"<p>" + E + b"</p>\n--R=\n-- " + E + b"\n--R=--\n"
        b"------=_Part_1--\nepilogue " + E + b"\n"),
    "partnohdr": MIME + (
        b"Content-Type: multipart/mixed; boundary=Q\n\n--Q\n\nno headers "
        + E + b"\n--Q\nContent-Transfer-Encoding: 8bit\n\nwith cte " + E
        + b"\n--Q--\n"),
    "unknown": MIME + (b"Content-Transfer-Encoding: x-weird\n\nbody " + E
                       + b"\n"),
    "nobody": MIME + b"Content-Transfer-Encoding: 8bit\n",
    "lens": MIME + (b"Content-Type: text/plain\n"
                    b"Content-Transfer-Encoding: 8bit\n\n" + _lengths()),
}


def message(name, mode):
    return HEAD + b"Subject: %s %s\n" % (name.encode(), mode.encode()) \
        + BODIES[name]


def by_subject(peer):
    """The messages a peer received, by Subject, without the Received:
    header at the top (each MTA writes its own)."""
    out = {}
    for data in peer.messages:
        data = re.sub(rb"\AReceived: [^\r]*\r\n(?:[ \t][^\r]*\r\n)*", b"",
                      data)
        subject = re.search(rb"^Subject: (\S+ \S+)\r$", data, re.M)
        out[subject.group(1).decode()] = data
    return out


# Postfix's receiving master.cf without its smtpd, plus pickup and smtp.
POSTFIX_SENDER_CF = (
    POSTFIX_RECEIVER_CF.split("\n", 1)[1]
    + "pickup    unix  n       -       n       60      1       pickup\n"
    + "smtp      unix  -       -       n       -       -       smtp\n")


def make_postfix(tmp_path, master_cf):
    """Debian's Postfix with its own directory tmp_path/pf (not started);
    the test is skipped without Postfix or root."""
    from postfix_peer import HAVE_POSTFIX, PostfixPeer
    if not HAVE_POSTFIX or os.geteuid() != 0:
        pytest.skip("Postfix is not installed, or not root")
    root = tmp_path / "pf"
    root.mkdir()
    root.chmod(0o755)
    return PostfixPeer(root, master_cf)


@pytest.fixture
def postfix_sender(tmp_path):
    """Debian's Postfix relaying everything to a peer without 8BITMIME;
    yields (Postfix, peer)."""
    pf = make_postfix(tmp_path, POSTFIX_SENDER_CF)
    peer = ScriptedPeer(ehlo_lines=NO_8BITMIME)
    pf.write_config(myhostname="pf.example.test", mydomain="example.test",
                    relayhost=f"[127.0.0.1]:{peer.port}")
    pf.start()
    yield pf, peer
    pf.stop()
    peer.close()


def submit_all(sendmail):
    count = 0
    for name in BODIES:
        sendmail("-f", "a@example.org", "-B", "8BITMIME", "r@remote.test",
                 input=message(name, "body8"))
        sendmail("-f", "a@example.org", "r@remote.test",
                 input=message(name, "plain"))
        count += 2
    return count


def test_downgrade_as_postfix(instance, postfix_sender):
    """Every message, with and without BODY=8BITMIME at submission:
    the peer receives from Postern the bytes it receives from Postfix,
    and neither sends BODY=8BITMIME to it."""
    pf, pf_peer = postfix_sender
    peer = ScriptedPeer(ehlo_lines=NO_8BITMIME)
    try:
        mta = relay_mta(instance, peer.port, SMTP_CF)
        count = submit_all(mta.sendmail)
        submit_all(pf.sendmail)
        wait_for(lambda: len(peer.messages) == count, 30,
                 what=f"Postern's messages; log:\n{instance.log_text()}")
        wait_for(lambda: len(pf_peer.messages) == count, 30,
                 what=f"Postfix's messages; log:\n{pf.log_text()}")
        ours, theirs = by_subject(peer), by_subject(pf_peer)
        assert len(theirs) == count and sorted(ours) == sorted(theirs)
        for subject in theirs:
            assert ours[subject] == theirs[subject], subject
        for p in (peer, pf_peer):
            mail = [c for c in p.commands if c.startswith("MAIL FROM:")]
            assert mail and not any("BODY=" in c for c in mail), mail
    finally:
        peer.close()


def test_downgrade_examples(instance, peers):
    """The observed rules, spelled out: an 8bit part becomes
    quoted-printable with its header replaced at the end of its block,
    a multipart declared 8bit becomes 7bit, a boundary line with "="
    stays as it is, a line of a converted part that only looks like one
    does not, a message without MIME headers goes out unchanged."""
    peer = ScriptedPeer(ehlo_lines=NO_8BITMIME)
    peers.append(peer)
    mta = relay_mta(instance, peer.port)
    for name in ("order", "nested", "nomime", "multi"):
        mta.sendmail("-f", "a@example.org", "r@remote.test",
                     input=message(name, "x"))
    wait_for(lambda: len(peer.messages) == 4, 20, what="four messages")
    got = by_subject(peer)
    assert got["order x"].endswith(
        b"Subject: order x\r\nMIME-Version: 1.0\r\nContent-Type: text/plain"
        b"\r\nX-After: 1\r\nContent-Transfer-Encoding: quoted-printable\r\n"
        b"\r\nbody =C3=A9\r\n"), got["order x"]
    nested = got["nested x"]
    assert b"Content-Transfer-Encoding: 7bit\r\n\r\n------=_Part_1\r\n" \
        in nested, nested
    assert b"seven " + E + b"\r\n" in nested
    assert b"Content-Type: text/html\r\nContent-Transfer-Encoding: " \
        b"quoted-printable\r\n\r\n<p>=C3=A9</p>\r\n--R=\r\n-- " + E \
        + b"\r\n--R=--\r\n------=_Part_1--\r\nepilogue " + E + b"\r\n" \
        in nested
    # A line of a converted part that only looks like a boundary.
    assert b"\r\n--not a boundary =C3=A9\r\n\r\n--BB\r\n" in got["multi x"]
    assert got["nomime x"].endswith(b"\r\n\r\nbody " + E + b" here\r\n")


def test_no_conversion(instance, peers):
    """A server with 8BITMIME gets the message as it is, with
    BODY=8BITMIME; disable_mime_output_conversion = yes sends it as it
    is to one without."""
    with8 = ScriptedPeer()
    without = ScriptedPeer(ehlo_lines=NO_8BITMIME)
    peers.extend([with8, without])
    table = instance.config_dir / "smtp_transport"
    table.write_text(f"with.test smtp:[127.0.0.1]:{with8.port}\n"
                     f"without.test smtp:[127.0.0.1]:{without.port}\n")
    mta = relay_mta(instance, free_port(), transport_maps=f"texthash:{table}",
                    disable_mime_output_conversion="yes")
    body = message("decl8", "x").replace(b"ascii", E)
    mta.sendmail("-f", "a@example.org", "-B", "8BITMIME", "r@with.test",
                 "r@without.test", input=body)
    for rcpt in ("r@with.test", "r@without.test"):
        assert "status=sent" in wait_agent(mta, rcpt)
    for peer in (with8, without):
        data = peer.messages[0]
        assert b"Content-Transfer-Encoding: 8bit\r\n\r\nplain " + E \
            + b" body\r\n" in data, data
    assert any(c.endswith("BODY=8BITMIME") for c in with8.commands)
