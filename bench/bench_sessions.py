#!/usr/bin/python3
"""bench_sessions - idle SMTP sessions: how many, at what memory.

Scenario 4: for each N in BENCH_SESSIONS (default 100,1000; 10000 only
when asked), the benchmark opens N connections to the MTA's smtpd on
127.0.0.1 and reads each greeting, waiting up to 60 s + 0.1 s per
session; both MTAs have smtpd's process limit set to the largest N plus
10. While the sessions are held, idle, it reports how many got their
greeting, the sum of Pss (/proc/PID/smaps_rollup) of the MTA's master
and every process below it, and how long one more connection waits for
its greeting (at most 1 s; "none" when it got none in that time). One
run per N and MTA (memory does not need pairs); the sessions are closed
before the next.

Usage: bench_sessions.py BUILD_DIR (as root).
"""
import selectors
import socket
import sys
import time

import harness

PROBE_TIMEOUT = 1.0


def greeting_ms(port, timeout):
    """Milliseconds until a new connection got a 220 line, or None."""
    start = time.perf_counter()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout) as sock:
            sock.settimeout(max(0.01, timeout - (time.perf_counter()
                                                 - start)))
            if sock.recv(512).startswith(b"220"):
                return (time.perf_counter() - start) * 1000.0
    except OSError:
        pass
    return None


def open_sessions(port, count, timeout):
    """count connections; returns (sockets, how many were greeted)."""
    selector = selectors.DefaultSelector()
    socks = []
    for _ in range(count):
        sock = socket.socket()
        sock.setblocking(False)
        sock.connect_ex(("127.0.0.1", port))
        selector.register(sock, selectors.EVENT_READ)
        socks.append(sock)
    greeted = 0
    deadline = time.monotonic() + timeout
    while greeted < count and time.monotonic() < deadline:
        for key, _ in selector.select(1.0):
            try:
                data = key.fileobj.recv(512)
            except OSError:
                data = b""
            selector.unregister(key.fileobj)
            greeted += data.startswith(b"220")
    selector.close()
    return socks, greeted


def hold(side, count):
    """(greeted, Pss MB, new greeting ms or None) with count sessions."""
    socks, greeted = open_sessions(side.port, count, 60 + 0.1 * count)
    try:
        pss = side.pss_kb() / 1024.0
        probe = greeting_ms(side.port, PROBE_TIMEOUT)
    finally:
        for sock in socks:
            sock.close()
    probe_text = "none" if probe is None else f"{probe:.0f} ms"
    harness.progress(f"sessions {count} {side.name}: {greeted} greeted, "
                     f"{pss:,.1f} MB, new greeting {probe_text}")
    return greeted, pss, probe


def scenario(ctx):
    """Scenario 4: each N, Postfix then Postern."""
    counts = harness.setting_list("BENCH_SESSIONS", [100, 1000])
    sides = harness.instances(ctx, {}, "", smtpd_maxproc=max(counts) + 10)
    idle_pss = [side.pss_kb() / 1024.0 for side in sides]
    ctx.table.add("sessions 0: PSS of the MTA", "MB", *idle_pss)
    for count in counts:
        pf, pt = (hold(side, count) for side in sides)
        ctx.table.add(f"sessions {count}: greeted", "sessions", pf[0], pt[0],
                      ratio="-")
        ctx.table.add(f"sessions {count}: PSS of the MTA", "MB", pf[1],
                      pt[1])
        ctx.table.add(f"sessions {count}: +1 greeting <1s", "ms",
                      "none" if pf[2] is None else pf[2],
                      "none" if pt[2] is None else pt[2])


if __name__ == "__main__":
    harness.main([scenario], sys.argv)
