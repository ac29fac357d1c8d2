"""A real DNS server on loopback for system tests: Debian's NSD
(authoritative, /usr/sbin/nsd) with zones written by the test.

NSD runs unprivileged-style from a temporary directory with its own
configuration (no chroot, no user switch, no control socket) on 127.0.0.1
and a port that was free for both UDP and TCP. Point Postern at it with
the Postern parameter dns_servers (docs/dns.md):

    from dnsserver import dns_server  # noqa: F401  (pytest fixture)

    def test_relay(dns_server, instance):
        dns = dns_server({"example.test": '''
            @    MX 10 mx1
            mx1  A  127.0.0.1
        '''})
        instance.main_cf(..., dns_servers=dns.servers)   # "127.0.0.1:PORT"

Each zone gets its SOA and NS records; the records are zone-file lines
relative to the zone ($ORIGIN is the zone name, $TTL 300). Answers:
- names in a zone: the records, or NXDOMAIN / NODATA;
- names under SERVFAIL_ZONE ("servfail.test"): SERVFAIL (a zone that NSD
  is configured for but cannot load), a temporary error;
- any other name: REFUSED (NSD is not authoritative), also temporary.
The fixture stops every server it started at teardown.
"""
import os
import shutil
import signal
import socket
import subprocess
import textwrap
from pathlib import Path

import pytest

from conftest import wait_for

NSD = "/usr/sbin/nsd"
HAVE_NSD = os.access(NSD, os.X_OK)
SERVFAIL_ZONE = "servfail.test"


def free_udp_tcp_port():
    """A port on 127.0.0.1 free for both TCP and UDP a moment ago."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind(("127.0.0.1", 0))
            port = udp.getsockname()[1]
            with socket.socket() as tcp:
                try:
                    tcp.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port
    raise RuntimeError("no free UDP+TCP port on 127.0.0.1")


class DnsServer:
    """One NSD instance serving the given zones on 127.0.0.1:port."""

    def __init__(self, root: Path, zones: dict):
        self.root = root
        self.zones = zones
        self.address = "127.0.0.1"
        self.port = free_udp_tcp_port()
        self.servers = f"{self.address}:{self.port}"   # for dns_servers
        self.log = root / "nsd.log"
        self.proc = None
        self.stderr = None

    def _zone_text(self, name, records):
        head = (f"$ORIGIN {name}.\n$TTL 300\n"
                f"@ SOA localhost. hostmaster.{name}. 1 3600 600 86400 300\n"
                f"@ NS localhost.\n")
        return head + textwrap.dedent(records).strip() + "\n"

    def _config(self):
        r = self.root
        lines = [
            "server:",
            f"    ip-address: {self.address}",
            f"    port: {self.port}",
            '    username: ""',
            '    chroot: ""',
            '    database: ""',
            f"    zonesdir: {r}",
            f"    pidfile: {r}/nsd.pid",
            f"    xfrdfile: {r}/xfrd.state",
            f"    zonelistfile: {r}/zone.list",
            f"    xfrdir: {r}",
            f"    logfile: {self.log}",
            "    server-count: 1",
            "    do-ip6: no",
            "    verbosity: 1",
            "remote-control:",
            "    control-enable: no",
            "zone:",
            f"    name: {SERVFAIL_ZONE}",
            f"    zonefile: {r}/missing-{SERVFAIL_ZONE}.zone",
        ]
        for name in self.zones:
            lines += ["zone:", f"    name: {name}",
                      f"    zonefile: {r}/{name}.zone"]
        return "\n".join(lines) + "\n"

    def start(self):
        self.root.mkdir(parents=True, exist_ok=True)
        for name, records in self.zones.items():
            (self.root / f"{name}.zone").write_text(
                self._zone_text(name, records))
        conf = self.root / "nsd.conf"
        conf.write_text(self._config())
        self.stderr = open(self.root / "nsd.stderr", "w")
        self.proc = subprocess.Popen(
            [NSD, "-d", "-c", str(conf)], stdout=subprocess.DEVNULL,
            stderr=self.stderr, start_new_session=True)
        wait_for(self._ready, timeout=15, what="nsd to start")
        return self

    def _ready(self):
        if self.proc.poll() is not None:
            raise AssertionError(
                "nsd exited: " + (self.root / "nsd.stderr").read_text()
                + (self.log.read_text() if self.log.exists() else ""))
        return self.log.exists() and "nsd started" in self.log.read_text()

    def stop(self):
        if self.stderr is not None:
            self.stderr.close()
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


@pytest.fixture
def dns_server(tmp_path):
    """Start NSD with zones: dns_server({"zone": "records"}) -> DnsServer."""
    if not HAVE_NSD or shutil.which("nsd-checkconf", path="/usr/sbin") is None:
        pytest.skip("NSD is not installed")
    started = []

    def start(zones):
        server = DnsServer(tmp_path / f"dns{len(started)}", zones)
        started.append(server)
        return server.start()

    yield start
    for server in started:
        server.stop()
