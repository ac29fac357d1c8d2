"""System tests for SASL authentication in the SMTP client (src/smtp/
smtp_sasl.c, docs/smtp.md): a Python peer that requires AUTH checks the
credentials it gets (PLAIN or LOGIN) and the table keys they come from,
and Debian's Postfix requiring AUTH through Dovecot's SASL service
accepts mail from Postern. Log lines and deferral texts are the ones
observed from Postfix 3.7's smtp(8) against the same peer."""
import base64
import re

import pytest

from conftest import free_port, wait_for
from dovecot_auth import USERS, DovecotAuth, needs_dovecot
from smtp_peer import Peer
from test_smtp import (SMTP_CF, DELAYS, POSTFIX_RECEIVER_CF,  # noqa: F401
                       _listening, peers, relay_mta, wait_agent)
from test_smtp_8bit import make_postfix

RELAXED = dict(smtp_sasl_auth_enable="yes",
               smtp_sasl_security_options="noanonymous")


class AuthPeer(Peer):
    """An SMTP server that offers AUTH mechs (none: no AUTH) and refuses
    MAIL until the client authenticated as one of users. auths records
    (mechanism, user, password) of each attempt."""

    def __init__(self, users, mechs=("PLAIN", "LOGIN")):
        self.users = users
        self.mechs = mechs
        self.commands = []
        self.auths = []
        self.messages = []
        super().__init__()

    def serve(self, conn):
        f = conn.makefile("rwb", buffering=0)
        authed = False
        f.write(b"220 peer.test ESMTP\r\n")
        while True:
            cmd = self._read(f)
            verb = cmd.split(" ")[0].split(":")[0].upper()
            if verb == "EHLO":
                lines = ["peer.test", "PIPELINING"]
                if self.mechs:
                    lines.append("AUTH " + " ".join(self.mechs))
                self._reply(f, *("250-" + x for x in lines[:-1]),
                            "250 " + lines[-1])
            elif verb == "AUTH":
                authed = self._auth(f, cmd.split(" "))
            elif verb == "MAIL":
                self._reply(f, "250 2.1.0 Ok" if authed
                            else "530 5.7.0 Authentication required")
            elif verb == "RCPT":
                self._reply(f, "250 2.1.5 Ok")
            elif verb == "DATA":
                self._reply(f, "354 End data with <CR><LF>.<CR><LF>")
                data = b""
                while (line := f.readline()) not in (b"", b".\r\n"):
                    data += line
                self.messages.append(data)
                self._reply(f, "250 2.0.0 Ok: queued as XYZ")
            elif verb == "QUIT":
                self._reply(f, "221 2.0.0 Bye")
                return
            else:
                self._reply(f, "502 5.5.2 Error: command not recognized")

    def _read(self, f):
        line = f.readline()
        if not line:
            raise OSError("client went away")
        cmd = line.decode("latin-1").rstrip("\r\n")
        self.commands.append(cmd)
        return cmd

    @staticmethod
    def _reply(f, *lines):
        f.write("".join(x + "\r\n" for x in lines).encode())

    def _decode(self, f, text, challenge):
        if text is None:
            self._reply(f, "334 " + challenge)
            text = self._read(f)
        return base64.b64decode(text).decode()

    def _auth(self, f, words):
        mech = words[1].upper()
        first = words[2] if len(words) > 2 else None
        if mech == "PLAIN":
            _, user, password = self._decode(f, first, "").split("\0")
        elif mech == "LOGIN":
            user = self._decode(f, first, "VXNlcm5hbWU6")
            password = self._decode(f, None, "UGFzc3dvcmQ6")
        else:
            self._reply(f, "504 5.5.4 Unrecognized authentication type")
            return False
        self.auths.append((mech, user, password))
        if self.users.get(user) == password:
            self._reply(f, "235 2.7.0 Authentication successful")
            return True
        self._reply(f, "535 5.7.8 Error: authentication failed: "
                    "authentication failure")
        return False


@pytest.fixture
def auth_peer(peers):
    def start(mechs=("PLAIN", "LOGIN")):
        peer = AuthPeer({"hostuser": "hostpw", "destuser": "destpw",
                         "sender": "senderpw"}, mechs)
        peers.append(peer)
        return peer
    return start


def sasl_mta(instance, peer, table, **params):
    """Postern relaying to peer with table as smtp_sasl_password_maps."""
    path = instance.config_dir / "sasl_passwd"
    path.write_text(table.format(port=peer.port))
    return relay_mta(instance, peer.port, SMTP_CF,
                     smtp_sasl_password_maps=f"texthash:{path}", **params)


def send(mta, rcpt, sender="a@example.org"):
    mta.sendmail("-f", sender, rcpt, input=b"Subject: sasl\n\nbody\n")
    return wait_agent(mta, rcpt)


BOTH_KEYS = ("[127.0.0.1]:{port} destuser:destpw\n"
             "127.0.0.1 hostuser:hostpw\n")


def test_plain_host_name_first(instance, auth_peer):
    """Credentials for the host name and for the next hop: the host
    name's are used (Postfix 3.7, observed), with AUTH PLAIN and its
    initial response; the mail is then accepted."""
    peer = auth_peer()
    mta = sasl_mta(instance, peer, BOTH_KEYS, **RELAXED)
    line = send(mta, "r1@remote.test")
    assert "status=sent" in line, line
    assert peer.auths == [("PLAIN", "hostuser", "hostpw")]
    assert "AUTH PLAIN AGhvc3R1c2VyAGhvc3Rwdw==" in peer.commands
    assert peer.commands.index("AUTH PLAIN AGhvc3R1c2VyAGhvc3Rwdw==") \
        < [c.startswith("MAIL") for c in peer.commands].index(True)


def test_login_next_hop_key(instance, auth_peer):
    """Only the next hop as written has credentials; the mechanism
    filter leaves LOGIN: AUTH LOGIN, then the user name and password
    after each 334 (no initial response, as Postfix)."""
    peer = auth_peer()
    mta = sasl_mta(instance, peer, "[127.0.0.1]:{port} destuser:destpw\n",
                   smtp_sasl_mechanism_filter="login", **RELAXED)
    assert "status=sent" in send(mta, "r2@remote.test")
    assert peer.auths == [("LOGIN", "destuser", "destpw")]
    i = peer.commands.index("AUTH LOGIN")
    assert peer.commands[i + 1:i + 3] == ["ZGVzdHVzZXI=", "ZGVzdHB3"]


def test_sender_dependent(instance, auth_peer):
    """smtp_sender_dependent_authentication: the sender's entry wins."""
    peer = auth_peer()
    mta = sasl_mta(instance, peer, BOTH_KEYS + "s@example.org sender:"
                   "senderpw\n", smtp_sender_dependent_authentication="yes",
                   **RELAXED)
    assert "status=sent" in send(mta, "r3@remote.test", "s@example.org")
    assert "status=sent" in send(mta, "r4@remote.test", "t@example.org")
    assert peer.auths == [("PLAIN", "sender", "senderpw"),
                          ("PLAIN", "hostuser", "hostpw")]


@pytest.mark.parametrize("soft,dsn,status", [
    ("yes", "4.7.8", "deferred"), ("no", "5.7.8", "bounced")])
def test_refused(instance, auth_peer, soft, dsn, status):
    """535: Postfix's text; deferred with smtp_sasl_auth_soft_bounce
    (the default), else bounced; no MAIL FROM is sent."""
    peer = auth_peer()
    mta = sasl_mta(instance, peer, "127.0.0.1 hostuser:wrong\n",
                   smtp_sasl_auth_soft_bounce=soft, **RELAXED)
    line = send(mta, "r5@remote.test")
    assert re.search(
        rf"relay=127\.0\.0\.1\[127\.0\.0\.1\]:{peer.port}, {DELAYS}, "
        rf"dsn={re.escape(dsn)}, status={status} \(SASL authentication "
        r"failed; server 127\.0\.0\.1\[127\.0\.0\.1\] said: 535 5\.7\.8 "
        r"Error: authentication failed: authentication failure\)$",
        line), line
    assert not any(c.startswith("MAIL") for c in peer.commands)


def test_noplaintext_default(instance, auth_peer):
    """The default smtp_sasl_security_options (noplaintext,
    noanonymous) allow neither PLAIN nor LOGIN without TLS: Postfix's
    warning and 4.7.0 "no mechanism available"."""
    peer = auth_peer()
    mta = sasl_mta(instance, peer, BOTH_KEYS, smtp_sasl_auth_enable="yes")
    line = send(mta, "r6@remote.test")
    assert re.search(r"dsn=4\.7\.0, status=deferred \(SASL authentication "
                     r"failed; cannot authenticate to server 127\.0\.0\.1"
                     r"\[127\.0\.0\.1\]: no mechanism available\)$",
                     line), line
    assert "warning: SASL authentication failure: No worthy mechs found" \
        in instance.log_text()
    assert peer.auths == []


def test_no_auth_offered(instance, auth_peer):
    """A server that offers no AUTH gets the mail without it (as
    Postfix); this one then refuses MAIL."""
    peer = auth_peer(mechs=())
    mta = sasl_mta(instance, peer, BOTH_KEYS, **RELAXED)
    line = send(mta, "r7@remote.test")
    assert "530 5.7.0 Authentication required (in reply to MAIL FROM " \
        "command)" in line, line
    assert not any(c.startswith("AUTH") for c in peer.commands)


@needs_dovecot
@pytest.mark.parametrize("mech", ["plain", "login"])
def test_postfix_peer_with_dovecot(instance, tmp_path, mech):
    """Debian's Postfix requires AUTH (smtpd_sasl_type = dovecot): mail
    from Postern with the right credentials is accepted; Dovecot logs
    the login."""
    port = free_port()
    pf = make_postfix(tmp_path, POSTFIX_RECEIVER_CF.format(port=port))
    auth = DovecotAuth(tmp_path / "dovecot")
    try:
        pf.write_config(myhostname="receiver.test", mydestination="remote.test",
                        local_recipient_maps="static:all",
                        local_transport="discard",
                        smtpd_sasl_auth_enable="yes", smtpd_sasl_type="dovecot",
                        smtpd_sasl_path=str(auth.socket),
                        smtpd_recipient_restrictions="permit_sasl_authenticated,"
                        " reject")
        pf.start()
        wait_for(lambda: _listening(port), 20, what="Postfix's smtpd")
        user = "alice@example.test"
        table = instance.config_dir / "sasl_passwd"
        table.write_text(f"[127.0.0.1]:{port} {user}:{USERS[user]}\n")
        mta = relay_mta(instance, port, SMTP_CF,
                        smtp_sasl_password_maps=f"texthash:{table}",
                        smtp_sasl_mechanism_filter=mech, **RELAXED)
        line = send(mta, "r8@remote.test")
        assert re.search(r"dsn=2\.0\.0, status=sent \(250 2\.0\.0 Ok: "
                         r"queued as \w+\)$", line), line
        wait_for(lambda: f"sasl_method={mech.upper()}, sasl_username={user}"
                 in pf.log_text(), 10, what=f"Postfix's log:\n{pf.log_text()}")
    finally:
        pf.stop()
        auth.stop()
