#!/usr/bin/python3
"""run - every benchmark scenario in one run, one table (make bench).

Scenarios, in order: 5 maps (bench_maps.py), 3 protocol ceiling and 1
relay (bench_relay.py), 2 local delivery (bench_local.py), 4 idle
sessions and memory (bench_sessions.py). BENCH_ONLY (a comma-separated
list of maps, relay, local, sessions) runs some of them. Each file also
runs alone. See bench/README.md.

Usage: run.py BUILD_DIR (as root).
"""
import os
import sys

import bench_local
import bench_maps
import bench_relay
import bench_sessions
import harness

SCENARIOS = {
    "maps": bench_maps.scenario,
    "relay": bench_relay.scenario,
    "local": bench_local.scenario,
    "sessions": bench_sessions.scenario,
}


def chosen():
    """The scenarios BENCH_ONLY names (all when it is empty)."""
    names = [n for n in os.environ.get("BENCH_ONLY", "").split(",") if n]
    unknown = set(names) - set(SCENARIOS)
    if unknown:
        sys.exit(f"bench: unknown scenario(s) {', '.join(sorted(unknown))}; "
                 f"known: {', '.join(SCENARIOS)}")
    return [SCENARIOS[n] for n in names or SCENARIOS]


if __name__ == "__main__":
    harness.main(chosen(), sys.argv)
