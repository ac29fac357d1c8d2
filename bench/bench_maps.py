#!/usr/bin/python3
"""bench_maps - lookup tables, Postern and Postfix side by side.

Builds the same source file of N keys (in random order) with Postern's postmap and with
Debian's Postfix postmap (/usr/sbin/postmap, never from PATH) for lmdb and
cdb, then times `postmap -q -` over every key (all hits) for lmdb, cdb and
texthash, asking for every key in another random order. Prints seconds, lookups per second and the ratio Postern/Postfix
(above 1.00x means Postern is faster). Usage: bench_maps.py BUILD_DIR [N].
"""
import os
import random
import subprocess
import sys
import tempfile
import time

POSTFIX_POSTMAP = "/usr/sbin/postmap"
RUNS = 3


def write_source(path, count):
    """count lines "userNNN@domainM.example value" in random order (a fixed
    seed), and the keys file with the same keys in another random order;
    returns the keys file's path."""
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


def best_time(argv, stdin_path=None):
    """The fastest of RUNS runs of argv (seconds); output is discarded."""
    best = None
    for _ in range(RUNS):
        stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
        start = time.perf_counter()
        proc = subprocess.run(argv, stdin=stdin, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
        elapsed = time.perf_counter() - start
        if stdin_path:
            stdin.close()
        if proc.returncode != 0:
            sys.exit(f"bench_maps: {' '.join(argv)} failed: "
                     f"{proc.stderr.decode(errors='replace')}")
        best = elapsed if best is None else min(best, elapsed)
    return best


def row(name, postern, postfix, count=None):
    """One result line; with count, also lookups per second."""
    ratio = postfix / postern if postern > 0 else float("inf")
    rate = ""
    if count:
        rate = f"  {count / postern:>12,.0f}/s {count / postfix:>12,.0f}/s"
    print(f"{name:<32} {postern:8.3f} s {postfix:8.3f} s{rate}"
          f"  {ratio:5.2f}x", flush=True)
    return ratio


def main():
    build = os.path.abspath(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 1000000
    postern = [os.path.join(build, "bin", "postmap")]
    if not os.access(POSTFIX_POSTMAP, os.X_OK):
        sys.exit("bench_maps: Debian's postfix is not installed")
    with tempfile.TemporaryDirectory(prefix="bench-maps-") as tmp:
        with open(os.path.join(tmp, "main.cf"), "w") as conf:
            conf.write("compatibility_level = 3.6\n")
        postern += ["-c", tmp]
        postfix = [POSTFIX_POSTMAP, "-c", tmp]
        source = os.path.join(tmp, "table")
        keys = write_source(source, count)
        print(f"maps: {count:,} keys, best of {RUNS} runs; "
              f"ratio = Postfix time / Postern time")
        print(f"{'test':<32} {'postern':>10} {'postfix':>10}"
              f"  {'postern':>14} {'postfix':>14}  ratio")
        os.link(source, source + ".pt")     # Postern's indexes: table.pt.*
        ratios = []
        for kind in ("lmdb", "cdb"):
            pt = best_time(postern + [f"{kind}:{source}.pt"])
            pf = best_time(postfix + [f"{kind}:{source}"])
            ratios.append(row(f"postmap build {kind}", pt, pf))
        for kind in ("lmdb", "cdb", "texthash"):
            pt_table = f"{kind}:{source}.pt" if kind != "texthash" \
                else f"texthash:{source}"
            pt = best_time(postern + ["-q", "-", pt_table], keys)
            pf = best_time(postfix + ["-q", "-", f"{kind}:{source}"], keys)
            ratios.append(row(f"lookups {kind} (postmap -q -)", pt, pf,
                              count))
        worst = min(ratios)
        verdict = "at least as fast as" if worst >= 1.0 else "SLOWER than"
        print(f"maps: worst ratio {worst:.2f}x (Postern is {verdict} "
              f"Postfix in every test)" if worst >= 1.0 else
              f"maps: worst ratio {worst:.2f}x (Postern is {verdict} "
              f"Postfix in at least one test)")


if __name__ == "__main__":
    main()
