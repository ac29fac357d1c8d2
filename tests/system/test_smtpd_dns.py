"""smtpd's restrictions that ask the DNS (src/smtpd/smtpd_check_rbl.c,
smtpd_check_dns.c, the client name lookups of smtpd_peer.c) against a
real name server: NSD on loopback (dnsserver.py), reached through the
Postern parameter dns_servers. Clients connect from 127.0.0.N to choose
the client address that the lists see.

The replies and log lines are Postfix 3.7's (its smtpd_check.c and
smtpd_peer.c; docs/smtpd.md, "DNS restrictions"): "554 5.7.1 Service
unavailable; Client host [127.0.0.2] blocked using bl.test; TEXT", "450
4.1.8 <s@x>: Sender address rejected: Domain not found", "556 5.1.10 <r@x>:
Recipient address rejected: Domain x does not accept mail (nullMX)", ...
"""
import pytest

from dnsserver import dns_server  # noqa: F401  (pytest fixture)
from test_smtpd import Server

ZONES = {
    "bl.test": r"""
        2.0.0.127    A    127.0.0.2
        2.0.0.127    TXT  "Listed, see http://bl.test/?127.0.0.2"
        3.0.0.127    A    127.0.0.3
        4.0.0.127    A    127.0.0.4
        4.0.0.127    TXT  "first"
        4.0.0.127    TXT  "second"
        8.0.0.127    A    127.0.0.2
        8.0.0.127    TXT  "costs $100 " "to remove"
    """,
    "wl.test": r"""
        6.0.0.127             A    127.0.0.2
        host5.clients.test    A    127.0.0.2
    """,
    "rhsbl.test": r"""
        spam.test                A    127.0.0.2
        spam.test                TXT  "spam domain"
        host5.clients.test       A    127.0.0.2
        forged.clients.test      A    127.0.0.2
    """,
    "127.in-addr.arpa": r"""
        5.0.0    PTR  host5.clients.test.
        7.0.0    PTR  forged.clients.test.
    """,
    "clients.test": r"""
        host5    A    127.0.0.5
        forged   A    127.0.0.99
    """,
    "domains.test": r"""
        good         MX   10 mx.good
        mx.good      A    127.0.0.10
        nullmx       MX   0 .
        aonly        A    127.0.0.11
        txtonly      TXT  "no mail here"
        backup       MX   10 primary
        backup       MX   20 mx.example.test.
        primary      A    127.0.0.20
        mine         MX   10 mx.example.test.
        nsfail       MX   10 host.servfail.test.
    """,
}

MAIL_OK = "250 2.1.0 Ok"
RCPT_OK = "250 2.1.5 Ok"


@pytest.fixture
def dns(dns_server):
    return dns_server(ZONES)


@pytest.fixture
def smtpd(instance, dns):
    """start(**params): a Postern smtpd that asks the test's NSD."""
    def start(**params):
        if instance.master_pid():
            instance.stop()
        settings = dict(dns_servers=dns.servers, mynetworks="127.0.0.1/32",
                        inet_protocols="ipv4")
        settings.update(params)
        return Server(instance, **settings)
    return start


def session(server, source, *commands):
    """Run commands from source; the replies (greeting first)."""
    client = server.connect(source)
    replies = [client.greeting]
    try:
        for command in commands:
            replies.append(client.cmd(command))
        replies.append(client.cmd("QUIT"))
    finally:
        client.close()
    return replies


def mail(helo, sender, rcpt):
    return (f"EHLO {helo}", f"MAIL FROM:<{sender}>", f"RCPT TO:<{rcpt}>")


def rcpt_reply(server, source, helo="client.test", sender="s@example.test",
               rcpt="u@mx.example.test"):
    """The reply to RCPT of one transaction from source."""
    replies = session(server, source, *mail(helo, sender, rcpt))
    assert replies[2] == MAIL_OK, replies
    return replies[3]


# --- DNS lists ---------------------------------------------------------------
def test_rbl_client(smtpd):
    server = smtpd(smtpd_client_restrictions="reject_rbl_client bl.test")
    assert rcpt_reply(server, "127.0.0.2") == (
        "554 5.7.1 Service unavailable; Client host [127.0.0.2] blocked "
        "using bl.test; Listed, see http://bl.test/?127.0.0.2")
    server.inst.wait_log(
        "NOQUEUE: reject: RCPT from unknown[127.0.0.2]: 554 5.7.1 Service "
        "unavailable; Client host [127.0.0.2] blocked using bl.test; "
        "Listed, see http://bl.test/?127.0.0.2; from=<s@example.test> "
        "to=<u@mx.example.test> proto=ESMTP helo=<client.test>")
    # No TXT record: no reason.
    assert rcpt_reply(server, "127.0.0.3") == (
        "554 5.7.1 Service unavailable; Client host [127.0.0.3] blocked "
        "using bl.test")
    # Several TXT records are joined with " / ".
    assert rcpt_reply(server, "127.0.0.4") in (
        "554 5.7.1 Service unavailable; Client host [127.0.0.4] blocked "
        f"using bl.test; {a} / {b}" for a, b in (("first", "second"),
                                                 ("second", "first")))
    # Only the first string of a TXT record counts; '$' is not expanded.
    assert rcpt_reply(server, "127.0.0.8") == (
        "554 5.7.1 Service unavailable; Client host [127.0.0.8] blocked "
        "using bl.test; costs $100 ")
    assert rcpt_reply(server, "127.0.0.9") == RCPT_OK


def test_rbl_reply_patterns(smtpd):
    server = smtpd(smtpd_client_restrictions="reject_rbl_client "
                   "bl.test=127.0.0.3")
    assert rcpt_reply(server, "127.0.0.2") == RCPT_OK
    assert rcpt_reply(server, "127.0.0.3").startswith("554 5.7.1 Service "
                                                      "unavailable; Client "
                                                      "host [127.0.0.3]")
    server = smtpd(smtpd_client_restrictions="reject_rbl_client "
                   "bl.test=127.0.0.[3..4]")
    assert rcpt_reply(server, "127.0.0.2") == RCPT_OK
    assert rcpt_reply(server, "127.0.0.4").startswith("554 5.7.1 ")
    server = smtpd(smtpd_client_restrictions="reject_rbl_client "
                   "bl.test=127.0.0.[1;4]")
    assert rcpt_reply(server, "127.0.0.3") == RCPT_OK
    assert rcpt_reply(server, "127.0.0.4").startswith("554 5.7.1 ")


def test_rbl_reply_template(smtpd, tmp_path):
    replies = tmp_path / "rbl_replies"
    replies.write_text("bl.test=127.0.0.3 $rbl_code 5.7.9 Go away "
                       "$client_address ($rbl_what) listed by $rbl_domain "
                       "as $rbl_class, helo $helo_name, from $sender_name "
                       "at $sender_domain\n")
    server = smtpd(smtpd_client_restrictions="reject_rbl_client "
                   "bl.test=127.0.0.3, reject_rbl_client bl.test",
                   rbl_reply_maps=f"texthash:{replies}",
                   maps_rbl_reject_code="550",
                   default_rbl_reply="$rbl_code listed: $rbl_reason")
    assert rcpt_reply(server, "127.0.0.3") == (
        "550 5.7.9 Go away 127.0.0.3 (127.0.0.3) listed by bl.test as "
        "Client host, helo client.test, from s at example.test")
    assert rcpt_reply(server, "127.0.0.2") == (
        "550 5.7.1 listed: Listed, see http://bl.test/?127.0.0.2")


# One session from a client address: the reply to RCPT, a log line.
SINGLE_CASES = [
    pytest.param(
        {"smtpd_client_restrictions": "reject_rbl_client bl.test",
         "default_rbl_reply": "blocked by $rbl_domain"},
        "127.0.0.2", "450 4.7.1 Service unavailable",
        "warning: rbl response code configuration error: blocked by bl.test",
        id="rbl-bad-reply-code"),
    pytest.param(
        {"smtpd_client_restrictions": "reject_rbl_client bl.servfail.test"},
        "127.0.0.2", RCPT_OK,
        "warning: 2.0.0.127.bl.servfail.test: RBL lookup error: Host or "
        "domain name not found. Name service error for "
        "name=2.0.0.127.bl.servfail.test type=A: Host not found, try again",
        id="rbl-lookup-error-is-no-reject"),
    pytest.param(
        {"smtpd_client_restrictions": "reject_rbl_client"},
        "127.0.0.2", RCPT_OK,
        "warning: restriction reject_rbl_client requires domain name "
        "argument", id="rbl-without-domain-is-skipped"),
    pytest.param(
        {"smtpd_client_restrictions": "permit_dnswl_client wl.servfail.test, "
         "reject"},
        "127.0.0.6",
        "450 4.7.1 <127.0.0.6>: Client host rejected: Service unavailable",
        "warning: 6.0.0.127.wl.servfail.test: RBL lookup error:",
        id="dnswl-lookup-error-defers-a-reject"),
]


@pytest.mark.parametrize("params,source,reply,log", SINGLE_CASES)
def test_single_session(smtpd, params, source, reply, log):
    server = smtpd(**params)
    assert rcpt_reply(server, source) == reply
    server.inst.wait_log(log)


def test_dnswl_client(smtpd):
    server = smtpd(smtpd_client_restrictions="permit_dnswl_client wl.test, "
                   "reject")
    assert rcpt_reply(server, "127.0.0.6") == RCPT_OK
    assert rcpt_reply(server, "127.0.0.2") == (
        "554 5.7.1 <unknown[127.0.0.2]>: Client host rejected: Access denied")
    server = smtpd(smtpd_client_restrictions="permit_rhswl_client wl.test, "
                   "reject")
    assert rcpt_reply(server, "127.0.0.5") == RCPT_OK
    assert rcpt_reply(server, "127.0.0.6") == (
        "554 5.7.1 <unknown[127.0.0.6]>: Client host rejected: Access denied")


def test_dnswl_never_opens_the_relay(smtpd):
    server = smtpd(smtpd_relay_restrictions="permit_dnswl_client wl.test, "
                   "reject_unauth_destination")
    assert rcpt_reply(server, "127.0.0.6", rcpt="u@elsewhere.test") == (
        "554 5.7.1 <u@elsewhere.test>: Relay access denied")


def test_rhsbl_sender_and_helo(smtpd):
    server = smtpd(smtpd_sender_restrictions="reject_rhsbl_sender "
                   "rhsbl.test",
                   smtpd_helo_restrictions="reject_rhsbl_helo rhsbl.test")
    assert rcpt_reply(server, "127.0.0.9", sender="x@spam.test") == (
        "554 5.7.1 Service unavailable; Sender address [x@spam.test] "
        "blocked using rhsbl.test; spam domain")
    assert rcpt_reply(server, "127.0.0.9", helo="spam.test") == (
        "554 5.7.1 Service unavailable; Helo command [spam.test] blocked "
        "using rhsbl.test; spam domain")
    # Address literals and numeric names are not looked up.
    assert rcpt_reply(server, "127.0.0.9", helo="[127.0.0.9]",
                      sender="x@[127.0.0.2]") == RCPT_OK


def test_rhsbl_recipient(smtpd):
    server = smtpd(smtpd_recipient_restrictions="reject_rhsbl_recipient "
                   "rhsbl.test")
    assert rcpt_reply(server, "127.0.0.1", rcpt="u@spam.test") == (
        "554 5.7.1 Service unavailable; Recipient address [u@spam.test] "
        "blocked using rhsbl.test; spam domain")


def test_client_names_from_dns(smtpd):
    server = smtpd(smtpd_client_restrictions="reject_rhsbl_client "
                   "rhsbl.test")
    assert rcpt_reply(server, "127.0.0.5") == (
        "554 5.7.1 Service unavailable; Client host [host5.clients.test] "
        "blocked using rhsbl.test")
    server.inst.wait_log("NOQUEUE: reject: RCPT from "
                         "host5.clients.test[127.0.0.5]: 554 5.7.1")
    # The forged name is only the reverse name.
    assert rcpt_reply(server, "127.0.0.7") == RCPT_OK
    log = server.inst.wait_log("warning: hostname forged.clients.test does "
                               "not resolve to address 127.0.0.7")
    assert "connect from unknown[127.0.0.7]" in log


def test_rhsbl_reverse_client_and_unknown_client(smtpd):
    server = smtpd(smtpd_client_restrictions="reject_rhsbl_reverse_client "
                   "rhsbl.test")
    assert rcpt_reply(server, "127.0.0.7") == (
        "554 5.7.1 Service unavailable; Unverified Client host "
        "[forged.clients.test] blocked using rhsbl.test")
    server = smtpd(smtpd_client_restrictions="reject_unknown_client_hostname")
    assert rcpt_reply(server, "127.0.0.7") == (
        "450 4.7.25 Client host rejected: cannot find your hostname, "
        "[127.0.0.7]")
    assert rcpt_reply(server, "127.0.0.5") == RCPT_OK
    server = smtpd(smtpd_client_restrictions=
                   "reject_unknown_reverse_client_hostname")
    assert rcpt_reply(server, "127.0.0.7") == RCPT_OK
    assert rcpt_reply(server, "127.0.0.9") == (
        "450 4.7.1 Client host rejected: cannot find your reverse hostname, "
        "[127.0.0.9]")


# --- names that must exist -------------------------------------------------------
def test_unknown_sender_domain(smtpd):
    server = smtpd(smtpd_sender_restrictions="reject_unknown_sender_domain")
    assert rcpt_reply(server, "127.0.0.9", sender="s@good.domains.test") \
        == RCPT_OK
    assert rcpt_reply(server, "127.0.0.9", sender="s@aonly.domains.test") \
        == RCPT_OK
    assert rcpt_reply(server, "127.0.0.9", sender="s@nx.domains.test") == (
        "450 4.1.8 <s@nx.domains.test>: Sender address rejected: Domain not "
        "found")
    assert rcpt_reply(server, "127.0.0.9", sender="s@txtonly.domains.test") \
        == ("450 4.1.8 <s@txtonly.domains.test>: Sender address rejected: "
            "Domain not found")
    assert rcpt_reply(server, "127.0.0.9", sender="s@nullmx.domains.test") \
        == ("550 5.7.27 <s@nullmx.domains.test>: Sender address rejected: "
            "Domain nullmx.domains.test does not accept mail (nullMX)")
    # Our own domains and address literals are not looked up.
    assert rcpt_reply(server, "127.0.0.9", sender="s@mx.example.test") \
        == RCPT_OK
    # A temporary failure: defer_if_permit ($reject_tempfail_action).
    assert rcpt_reply(server, "127.0.0.9", sender="s@x.servfail.test") == (
        "450 4.1.8 <s@x.servfail.test>: Sender address rejected: Domain not "
        "found")


def test_unknown_address_tempfail_action(smtpd):
    server = smtpd(smtpd_sender_restrictions="reject_unknown_sender_domain, "
                   "reject")
    assert rcpt_reply(server, "127.0.0.9", sender="s@x.servfail.test") == (
        "554 5.7.1 <s@x.servfail.test>: Sender address rejected: Access "
        "denied")
    server = smtpd(smtpd_sender_restrictions="reject_unknown_sender_domain, "
                   "reject", unknown_address_tempfail_action="defer")
    assert rcpt_reply(server, "127.0.0.9", sender="s@x.servfail.test") == (
        "450 4.1.8 <s@x.servfail.test>: Sender address rejected: Domain not "
        "found")


def test_unknown_recipient_domain(smtpd):
    server = smtpd(smtpd_recipient_restrictions=
                   "reject_unknown_recipient_domain",
                   unknown_address_reject_code="550")
    assert rcpt_reply(server, "127.0.0.1", rcpt="r@nx.domains.test") == (
        "550 5.1.2 <r@nx.domains.test>: Recipient address rejected: Domain "
        "not found")
    assert rcpt_reply(server, "127.0.0.1", rcpt="r@nullmx.domains.test") == (
        "556 5.1.10 <r@nullmx.domains.test>: Recipient address rejected: "
        "Domain nullmx.domains.test does not accept mail (nullMX)")
    assert rcpt_reply(server, "127.0.0.1", rcpt="r@good.domains.test") \
        == RCPT_OK


def test_unknown_helo_hostname(smtpd):
    server = smtpd(smtpd_helo_restrictions="reject_unknown_helo_hostname")
    assert rcpt_reply(server, "127.0.0.9", helo="nx.domains.test") == (
        "450 4.7.1 <nx.domains.test>: Helo command rejected: Host not found")
    for helo in ("aonly.domains.test", "good.domains.test",
                 "nullmx.domains.test", "[127.0.0.9]"):
        assert rcpt_reply(server, "127.0.0.9", helo=helo) == RCPT_OK
    assert rcpt_reply(server, "127.0.0.9", helo="[300.1.2.3]") == (
        "501 5.5.2 <[300.1.2.3]>: Helo command rejected: invalid ip address")


# --- MX, NS and A hosts in access tables -----------------------------------------
def test_server_access_tables(smtpd, tmp_path):
    table = tmp_path / "servers"
    table.write_text("mx.good.domains.test REJECT bad mx\n"
                     "localhost REJECT bad ns\n"
                     "127.0.0.5 REJECT bad address\n"
                     "127.0.0.11 OK\n")
    server = smtpd(smtpd_sender_restrictions=
                   f"check_sender_mx_access texthash:{table}",
                   smtpd_recipient_restrictions=
                   f"check_recipient_ns_access texthash:{table}",
                   smtpd_client_restrictions=
                   f"check_client_a_access texthash:{table}")
    assert rcpt_reply(server, "127.0.0.9", sender="s@good.domains.test") == (
        "554 5.7.1 <s@good.domains.test>: Sender address rejected: bad mx")
    # No NS records at the name: those of its parent.
    assert rcpt_reply(server, "127.0.0.1", rcpt="u@x.domains.test") == (
        "554 5.7.1 <u@x.domains.test>: Recipient address rejected: bad ns")
    assert rcpt_reply(server, "127.0.0.5") == (
        "554 5.7.1 <host5.clients.test[127.0.0.5]>: Client host rejected: "
        "bad address")
    # A name without MX records is its own MX host; OK is not allowed.
    assert rcpt_reply(server, "127.0.0.9", sender="s@aonly.domains.test") \
        == "451 4.3.5 Server configuration error"
    server.inst.wait_log("warning: restriction check_sender_mx_access "
                         "returns OK for s@aonly.domains.test")
    assert rcpt_reply(server, "127.0.0.9", sender="s@[127.0.0.5]") == (
        "554 5.7.1 <s@[127.0.0.5]>: Sender address rejected: bad address")
    # A null MX, and an MX host whose address cannot be found: no verdict.
    assert rcpt_reply(server, "127.0.0.9", sender="s@nullmx.domains.test") \
        == RCPT_OK
    assert rcpt_reply(server, "127.0.0.9", sender="s@nsfail.domains.test") \
        == RCPT_OK
    log = server.inst.wait_log(
        "warning: Unable to look up MX host host.servfail.test for Sender "
        "address s@nsfail.domains.test: Temporary failure in name resolution")
    assert "warning: Unable to look up MX host for example.test: Host not " \
        "found, try again" in log
    assert "warning: Unable to look up NS host for mx.example.test: Host " \
        "not found, try again" in log


def test_helo_server_access(smtpd, tmp_path):
    table = tmp_path / "servers"
    table.write_text("localhost REJECT bad ns\n")
    server = smtpd(smtpd_helo_restrictions=f"check_helo_ns_access "
                   f"texthash:{table}, check_helo_mx_access texthash:{table}")
    assert rcpt_reply(server, "127.0.0.9", helo="nx.domains.test") == (
        "554 5.7.1 <nx.domains.test>: Helo command rejected: bad ns")
    assert rcpt_reply(server, "127.0.0.9", helo="x.servfail.test") == RCPT_OK
    log = server.inst.wait_log("warning: Unable to look up MX host for "
                               "x.servfail.test: Host not found, try again")
    assert "warning: Unable to look up NS host for x.servfail.test: Host " \
        "not found, try again" in log


# --- permit_mx_backup ----------------------------------------------------------
def test_permit_mx_backup(smtpd):
    server = smtpd(smtpd_relay_restrictions="permit_mx_backup, "
                   "reject_unauth_destination")
    assert rcpt_reply(server, "127.0.0.9", rcpt="u@backup.domains.test") \
        == RCPT_OK
    for rcpt in ("u@mine.domains.test", "u@good.domains.test",
                 "u@nx.domains.test"):
        assert rcpt_reply(server, "127.0.0.9", rcpt=rcpt) == (
            f"554 5.7.1 <{rcpt}>: Relay access denied")
    assert rcpt_reply(server, "127.0.0.9", rcpt="u@x.servfail.test") == (
        "450 4.4.4 <u@x.servfail.test>: Recipient address rejected: Unable "
        "to look up mail exchanger information: Host not found, try again")
    server = smtpd(smtpd_relay_restrictions="permit_mx_backup, "
                   "reject_unauth_destination",
                   permit_mx_backup_networks="127.0.0.20/32")
    assert rcpt_reply(server, "127.0.0.9", rcpt="u@backup.domains.test") \
        == RCPT_OK
    server = smtpd(smtpd_relay_restrictions="permit_mx_backup, "
                   "reject_unauth_destination",
                   permit_mx_backup_networks="10.0.0.0/8")
    assert rcpt_reply(server, "127.0.0.9", rcpt="u@backup.domains.test") \
        == "554 5.7.1 <u@backup.domains.test>: Relay access denied"
