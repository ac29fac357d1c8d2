#!/usr/bin/python3
"""bench_maps - lookup tables, Postern and Postfix side by side.

Scenario 5: the same source file of BENCH_KEYS keys (default 100,000;
the issue's figure is 1,000,000), in random order, built with Postern's
postmap and with Debian's (/usr/sbin/postmap) as lmdb and cdb; then
`postmap -q -` over every key (all hits) in another random order, for
lmdb, cdb and texthash. Rates are keys built or looked up per second;
the CPU columns are the postmap command's CPU milliseconds per 1,000
keys (getrusage of the benchmark's children).

Usage: bench_maps.py BUILD_DIR.
"""
import os
import random
import subprocess
import sys
import time

import harness


class Postmap:
    """One side's postmap command and the table names it builds."""

    def __init__(self, name, argv, suffix):
        self.name = name
        self.argv = argv
        self.suffix = suffix

    def table(self, kind, source):
        """The type:name of source's table of kind for this side."""
        return f"{kind}:{source}{self.suffix if kind != 'texthash' else ''}"


def write_source(path, count):
    """count lines "userNNN@domainM.example value" in random order (a
    fixed seed), and the keys file with the same keys in another random
    order; returns the keys file's path."""
    rng = random.Random(25)
    numbers = list(range(count))
    rng.shuffle(numbers)
    keys = path + ".keys"
    with open(path, "w") as src:
        for i in numbers:
            src.write(f"user{i:07d}@domain{i % 1000}.example "
                      f"relay:[host{i % 97}.example]:25 value {i}\n")
    rng.shuffle(numbers)
    with open(keys, "w") as out:
        for i in numbers:
            out.write(f"user{i:07d}@domain{i % 1000}.example\n")
    return keys


def timed(argv, count, stdin_path=None):
    """(keys per second, CPU ms per 1,000 keys) of one run of argv."""
    ticks = harness.children_cpu_ticks()
    with open(stdin_path or os.devnull, "rb") as stdin:
        start = time.perf_counter()
        proc = subprocess.run(argv, stdin=stdin, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
        elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: "
                           f"{proc.stderr.decode(errors='replace')}")
    cpu = harness.children_cpu_ticks() - ticks
    return count / elapsed, cpu * 1000.0 / harness.CLK_TCK / count * 1000


def scenario(ctx):
    """Scenario 5: builds, then lookups."""
    count = harness.setting("BENCH_KEYS", 100000)
    tmp = os.path.join(ctx.tmp, "maps")
    os.makedirs(tmp)
    with open(os.path.join(tmp, "main.cf"), "w") as conf:
        conf.write("compatibility_level = 3.6\n")
    source = os.path.join(tmp, "table")
    keys = write_source(source, count)
    os.link(source, source + ".pt")     # Postern's indexes: table.pt.*
    sides = [Postmap("postfix", [os.path.join(harness.POSTFIX_SBIN,
                                              "postmap"), "-c", tmp], ""),
             Postmap("postern", [os.path.join(ctx.build, "bin", "postmap"),
                                 "-c", tmp], ".pt")]
    for kind in ("lmdb", "cdb"):
        result = harness.pairs(
            sides, lambda s: timed(s.argv + [s.table(kind, source)], count),
            f"maps build {kind}")
        harness.add_pair_row(ctx.table, f"maps {count:,} build {kind}",
                             "keys/s", result)
    for kind in ("lmdb", "cdb", "texthash"):
        result = harness.pairs(
            sides, lambda s: timed(s.argv + ["-q", "-", s.table(kind, source)],
                                   count, keys),
            f"maps lookups {kind}")
        harness.add_pair_row(ctx.table, f"maps {count:,} lookups {kind}",
                             "keys/s", result)


if __name__ == "__main__":
    harness.main([scenario], sys.argv)
