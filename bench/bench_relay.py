#!/usr/bin/python3
"""bench_relay - relaying, and the protocol ceiling of this box.

Scenario 1 (relay): Debian's smtp-source sends BENCH_MSGS messages
(default 1000) of 1 KB and of 100 KB, in 1, 10 and 50 parallel sessions
(one connection per message), to the MTA's smtpd on 127.0.0.1, which
relays them through its smtp client to relayhost [127.0.0.1]:PORT where
Debian's smtp-sink listens. Two rates: accept (messages / time until
smtp-source is done) and end-to-end (messages / time until smtp-sink has
counted all of them and the MTA's queue is empty). CPU per message is
the MTA's, for the whole end-to-end run. Needs Postern's smtp client
(BUILD/libexec/smtp); skipped without it.

Scenario 3 (protocol ceiling): smtp-source straight into smtp-sink, 1 KB
and 10 sessions: the SMTP exchange alone on this box; the relay rates at
10 sessions are printed as a fraction of it.

Usage: bench_relay.py BUILD_DIR (as root).
"""
import sys
import time

import harness

SIZES = ((1024, "1KB"), (102400, "100KB"))
SESSIONS = (1, 10, 50)
RECIPIENT = "user@example.net"


def relay_run(side, sink, count, sessions, size):
    """(end-to-end rate, cpu ms) of one run; the accept rate is kept in
    side.accepted."""
    received = sink.count
    ticks = side.cpu_ticks()
    start = time.perf_counter()
    harness.smtp_source(side.port, count, sessions, size, RECIPIENT)
    accepted = time.perf_counter() - start
    harness.wait(lambda: sink.count - received >= count
                 and side.queued() == 0, f"{side.name} to relay {count}")
    elapsed = time.perf_counter() - start
    side.accepted.append(count / accepted)
    return count / elapsed, harness.cpu_ms(side, ticks, count)


def ceiling(sink, count):
    """Median rate of smtp-source -> smtp-sink, 1 KB, 10 sessions."""
    rates = []
    for _ in range(harness.PAIRS):
        received = sink.count
        start = time.perf_counter()
        harness.smtp_source(sink.port, count, 10, 1024, RECIPIENT)
        harness.wait(lambda: sink.count - received >= count, "smtp-sink")
        rates.append(count / (time.perf_counter() - start))
    harness.progress("ceiling: " + " ".join(f"{r:,.0f}" for r in rates))
    return harness.median(rates)


def relay(ctx, sink, count):
    """Scenario 1; returns {name: end-to-end rate} at 1 KB, 10 sessions."""
    sides = harness.instances(ctx, {"relayhost": f"[127.0.0.1]:{sink.port}"},
                              harness.SMTP_SERVICES)
    for side in sides:                      # warm up: processes started
        side.accepted = []
        relay_run(side, sink, 20, 10, 1024)
    at10 = {}
    for size, size_name in SIZES:
        for sessions in SESSIONS:
            for side in sides:
                side.accepted = []
            label = f"relay {size_name} {sessions} sess"
            result = harness.pairs(
                sides, lambda s: relay_run(s, sink, count, sessions, size),
                label)
            ctx.table.add(f"{label} accept", "msg/s",
                          harness.median(sides[0].accepted),
                          harness.median(sides[1].accepted))
            harness.add_pair_row(ctx.table, f"{label} end-to-end", "msg/s",
                                 result)
            if size == 1024 and sessions == 10:
                at10 = {name: r[0] for name, r in result.items()}
    return at10


def scenario(ctx):
    """Scenarios 3 and 1 around one smtp-sink."""
    count = harness.setting("BENCH_MSGS", 1000)
    sink = harness.Sink(harness.free_port())
    top = ceiling(sink, count * 5)
    ctx.table.add("ceiling source->sink 1KB 10 sess", "msg/s", top, top,
                  ratio="-")
    if not ctx.has("smtp"):
        ctx.table.note("relay: skipped: smtp client not built "
                       f"({ctx.build}/libexec/smtp)")
        return
    at10 = relay(ctx, sink, count)
    ctx.table.add("relay 1KB 10 sess / ceiling", "%",
                  100.0 * at10["postfix"] / top,
                  100.0 * at10["postern"] / top)


if __name__ == "__main__":
    harness.main([scenario], sys.argv)
