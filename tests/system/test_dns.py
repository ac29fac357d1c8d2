"""DNS for the SMTP client (src/global/mx_addr.c, dns_lookup.c) against a
real name server: NSD on loopback (dnsserver.py), reached through the
Postern parameter dns_servers.

The driver build/tests/daemons/mxlookup prints one line per lookup:
"ok PREF/HOST/ADDR ..." or "error STATUS REASON". The expected statuses
and texts are those Debian's Postfix 3.7.11 logged for the same zone
(see docs/dns.md; the strings are in /usr/lib/postfix/libpostfix-dns.so,
the logic in Postfix's smtp_addr.c and dns_lookup.c): a name without MX
falls back to its A/AAAA records, a missing name or MX host is 5.4.4
"Host or domain name not found. Name service error for name=X type=T:
Host not found", SERVFAIL and REFUSED are 4.4.3 "... Host not found, try
again", a null MX is 5.1.0 "Domain X does not accept mail (nullMX)", an
MX list whose best host is this one is 5.4.6 "mail for X loops back to
myself".
"""
import subprocess

import pytest

from conftest import TEST_DAEMONS
from dnsserver import dns_server  # noqa: F401  (pytest fixture)

MXLOOKUP = TEST_DAEMONS / "mxlookup"

ZONE = r"""
@        MX 10 mx1
@        MX 20 mx2
mx1      A 127.0.0.11
mx2      A 127.0.0.12
mx2      AAAA 2001:db8::12
equal    MX 10 e1
equal    MX 10 e2
e1       A 127.0.0.21
e2       A 127.0.0.22
plain    A 127.0.0.13
txtonly  TXT "no address here"
nullmx   MX 0 .
alias    CNAME plain
cmx      CNAME example.test.
ext      CNAME host.other.test.
many     MX 10 big
big      A 127.0.1.1
big      A 127.0.1.2
big      A 127.0.1.3
big      A 127.0.1.4
big      A 127.0.1.5
big      A 127.0.1.6
big      A 127.0.1.7
big      A 127.0.1.8
self     A 127.0.0.1
loop     MX 10 self
backup   MX 10 mx1
backup   MX 20 self
primary  MX 10 nowhere
primary  MX 20 self
noaddr   MX 10 nowhere
sfmx     MX 10 host.servfail.test.
badmx    MX 10 bad\032name
nummx    MX 10 127.0.0.14.
"""

OTHER = """
host     A 127.0.0.31
"""



def not_found(status, name, rtype, what="Host not found"):
    """Postfix's line for a failed lookup."""
    return (f"error {status} Host or domain name not found. Name service "
            f"error for name={name} type={rtype}: {what}")


@pytest.fixture
def dns(dns_server):
    return dns_server({"example.test": ZONE, "other.test": OTHER})


def mxlookup(tmp_path, dns, *names, host=False, port25=True, repeat=1,
             **params):
    """Run the driver with main.cf pointing at dns; its output lines."""
    conf = tmp_path / "etc"
    conf.mkdir(exist_ok=True)
    settings = {"dns_servers": dns.servers, "inet_interfaces": "127.0.0.1",
                "inet_protocols": "all"}
    settings.update(params)
    (conf / "main.cf").write_text(
        "".join(f"{k} = {v}\n" for k, v in settings.items()))
    argv = [str(MXLOOKUP), "-c", str(conf), "-r", str(repeat)]
    if host:
        argv.append("-H")
    if not port25:
        argv.append("-P")
    run = subprocess.run(argv + list(names), capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 0, run.stderr
    mxlookup.stderr = run.stderr
    return run.stdout.splitlines()


def entries(line):
    """The "PREF/HOST/ADDR" entries of an ok line as tuples."""
    words = line.split()
    assert words[0] == "ok", line
    return [tuple(w.split("/")) for w in words[1:]]


def test_mx_preference_order(tmp_path, dns):
    for line in mxlookup(tmp_path, dns, "example.test", repeat=10):
        got = entries(line)
        assert got[0] == ("10", "mx1.example.test", "127.0.0.11")
        assert sorted(got[1:]) == [("20", "mx2.example.test", "127.0.0.12"),
                                   ("20", "mx2.example.test", "2001:db8::12")]


def test_equal_preferences_are_shuffled(tmp_path, dns):
    orders = {tuple(e[1] for e in entries(line))
              for line in mxlookup(tmp_path, dns, "equal.example.test",
                                   repeat=60)}
    assert orders == {("e1.example.test", "e2.example.test"),
                      ("e2.example.test", "e1.example.test")}


def test_randomize_off_keeps_one_order(tmp_path, dns):
    lines = mxlookup(tmp_path, dns, "equal.example.test", repeat=20,
                     smtp_randomize_addresses="no")
    assert len(set(lines)) == 1


def test_no_mx_falls_back_to_address(tmp_path, dns):
    assert mxlookup(tmp_path, dns, "plain.example.test") == [
        "ok 0/plain.example.test/127.0.0.13"]


def test_null_mx_bounces(tmp_path, dns):
    assert mxlookup(tmp_path, dns, "nullmx.example.test") == [
        "error 5.1.0 Domain nullmx.example.test does not accept mail "
        "(nullMX)"]


def test_servfail_and_refused_defer(tmp_path, dns):
    again = "Host not found, try again"
    assert mxlookup(tmp_path, dns, "x.servfail.test", "elsewhere.org") == [
        not_found("4.4.3", "x.servfail.test", "MX", again),
        not_found("4.4.3", "elsewhere.org", "MX", again)]


def test_nxdomain_bounces(tmp_path, dns):
    assert mxlookup(tmp_path, dns, "nx.example.test") == [
        not_found("5.4.4", "nx.example.test", "AAAA")]
    assert mxlookup(tmp_path, dns, "nx.example.test",
                    inet_protocols="ipv4") == [
        not_found("5.4.4", "nx.example.test", "A")]


def test_name_without_address_records(tmp_path, dns):
    assert mxlookup(tmp_path, dns, "txtonly.example.test") == [
        not_found("5.4.4", "txtonly.example.test", "AAAA",
                  "Host found but no data record of requested type")]


def test_cname(tmp_path, dns):
    # MX lookup through a CNAME to the zone apex: its MX hosts.
    got = entries(mxlookup(tmp_path, dns, "cmx.example.test")[0])
    assert got[0] == ("10", "mx1.example.test", "127.0.0.11")
    # A CNAME to a name without MX: the alias's addresses at preference 0.
    assert mxlookup(tmp_path, dns, "alias.example.test") == [
        "ok 0/alias.example.test/127.0.0.13"]
    # A CNAME into another zone is followed with a new query.
    assert mxlookup(tmp_path, dns, "ext.example.test", host=True) == [
        "ok 0/ext.example.test/127.0.0.31"]


def test_address_limit(tmp_path, dns):
    assert len(entries(mxlookup(tmp_path, dns, "many.example.test")[0])) == 5
    assert len(entries(mxlookup(tmp_path, dns, "many.example.test",
                                smtp_mx_address_limit="3")[0])) == 3
    assert len(entries(mxlookup(tmp_path, dns, "many.example.test",
                                smtp_mx_address_limit="0")[0])) == 8


def test_loop_to_myself(tmp_path, dns):
    assert mxlookup(tmp_path, dns, "loop.example.test") == [
        "error 5.4.6 mail for loop.example.test loops back to myself"]
    # This host as backup MX: only the better MX hosts remain.
    assert mxlookup(tmp_path, dns, "backup.example.test") == [
        "ok 10/mx1.example.test/127.0.0.11"]
    # The better MX hosts have no address: wait for them.
    assert mxlookup(tmp_path, dns, "primary.example.test") == [
        "error 4.4.4 unable to find primary relay for primary.example.test"]
    # Not this host when inet_interfaces says otherwise.
    assert mxlookup(tmp_path, dns, "loop.example.test",
                    inet_interfaces="127.0.0.2") == [
        "ok 10/self.example.test/127.0.0.1"]
    # Postfix looks for loops only when it delivers to port 25.
    assert mxlookup(tmp_path, dns, "loop.example.test", port25=False) == [
        "ok 10/self.example.test/127.0.0.1"]
    assert mxlookup(tmp_path, dns, "[self.example.test]") == [
        "error 5.4.6 mail for self.example.test loops back to myself"]
    # An address of a proxy in front of this host counts as this host.
    assert mxlookup(tmp_path, dns, "loop.example.test",
                    inet_interfaces="127.0.0.2",
                    proxy_interfaces="127.0.0.1")[0].startswith("error 5.4.6")


def test_mx_hosts_without_address(tmp_path, dns):
    assert mxlookup(tmp_path, dns, "noaddr.example.test") == [
        not_found("5.4.4", "nowhere.example.test", "AAAA")]
    assert ("warning: no MX host for noaddr.example.test has a valid "
            "address record") in mxlookup.stderr
    assert mxlookup(tmp_path, dns, "noaddr.example.test",
                    smtp_defer_if_no_mx_address_found="yes")[0].startswith(
        "error 4.4.4 ")
    # A temporary failure for the MX host's address defers.
    assert mxlookup(tmp_path, dns, "sfmx.example.test") == [
        not_found("4.4.3", "host.servfail.test", "AAAA",
                  "Host not found, try again")]


def test_malformed_mx_host(tmp_path, dns):
    assert mxlookup(tmp_path, dns, "badmx.example.test") == [
        "error 5.4.4 Name service error for name=badmx.example.test "
        "type=MX: Malformed or unexpected name server reply"]
    assert "malformed domain name in resource data of MX record" \
        in mxlookup.stderr


def test_inet_protocols_and_preference(tmp_path, dns):
    assert mxlookup(tmp_path, dns, "mx2.example.test", host=True,
                    inet_protocols="ipv4") == [
        "ok 0/mx2.example.test/127.0.0.12"]
    assert mxlookup(tmp_path, dns, "mx2.example.test", host=True,
                    inet_protocols="ipv6") == [
        "ok 0/mx2.example.test/2001:db8::12"]
    for line in mxlookup(tmp_path, dns, "example.test", repeat=10,
                         smtp_address_preference="ipv6"):
        assert [e[2] for e in entries(line)] == [
            "127.0.0.11", "2001:db8::12", "127.0.0.12"]
    for line in mxlookup(tmp_path, dns, "mx2.example.test", host=True,
                         repeat=10, smtp_address_preference="ipv4"):
        assert [e[2] for e in entries(line)] == ["127.0.0.12", "2001:db8::12"]


def test_numeric_next_hop_needs_no_dns(tmp_path, dns):
    assert mxlookup(tmp_path, dns, "[127.0.0.9]") == [
        "ok 0/127.0.0.9/127.0.0.9"]


def test_dead_server_defers(tmp_path, dns):
    from dnsserver import free_udp_tcp_port
    dead = type("Dead", (), {"servers": f"127.0.0.1:{free_udp_tcp_port()}"})
    assert mxlookup(tmp_path, dead, "example.test") == [
        not_found("4.4.3", "example.test", "MX", "Host not found, try again")]


def test_bad_dns_servers_defers(tmp_path, dns):
    line = mxlookup(tmp_path, dns, "example.test",
                    dns_servers="not-an-address:x")[0]
    assert line.startswith("error 4.4.3 Name service initialization failure")


def test_native_lookup(tmp_path, dns):
    # disable_dns_lookups: getaddrinfo (here /etc/hosts), no MX lookup.
    got = entries(mxlookup(tmp_path, dns, "localhost", host=True,
                           port25=False, disable_dns_lookups="yes")[0])
    assert ("0", "localhost", "127.0.0.1") in got
    got = entries(mxlookup(tmp_path, dns, "localhost", host=True,
                           port25=False, smtp_host_lookup="native")[0])
    assert ("0", "localhost", "127.0.0.1") in got
    # smtp_host_lookup is about host addresses: MX lookups still use DNS
    # (here an MX host that is an address, as Postfix tolerates).
    assert mxlookup(tmp_path, dns, "nummx.example.test",
                    smtp_host_lookup="native") == [
        "ok 10/127.0.0.14/127.0.0.14"]
    # With DNS only, NSD refuses the name: a temporary error.
    assert mxlookup(tmp_path, dns, "localhost", host=True)[0].startswith(
        "error 4.4.3 ")
