"""NearIndex scale: memory per fingerprint, insert and lookup times.

Random fingerprints at 1M (and 10M unless ``--quick``), then real, correlated
ones (tf simhashes of real text cluster far more than random bits do). Memory: ``NearIndex.memory_bytes()`` (allocated array capacity
plus the object).

Run: ``.venv/bin/python -m benchmarks.index_scale [--quick]``
"""

from __future__ import annotations

import gc
import random
import re
import statistics
import sys
import time

from benchmarks.neardup_quality import load_articles
from scrapy_newsclean.nearindex import NearIndex
from scrapy_newsclean.simhash import Fingerprint, fingerprint

LOOKUPS = 20_000
REAL = 100_000


def random_fps(n: int, rng: random.Random) -> list[Fingerprint]:
    bits = rng.getrandbits
    return [Fingerprint(bits(64), bits(64), 0, 1) for _ in range(n)]


def flip(fp: Fingerprint, rng: random.Random, count: int) -> Fingerprint:
    mask = 0
    for bit in rng.sample(range(64), count):
        mask |= 1 << bit
    return Fingerprint(fp.simhash ^ mask, fp.sketch, 0, 1)


def timed(calls: list[Fingerprint], func: object) -> float:
    """Median microseconds per call."""
    times = []
    clock = time.perf_counter
    for fp in calls:
        start = clock()
        func(fp)  # type: ignore[operator]
        times.append(clock() - start)
    return statistics.median(times) * 1e6


def measure(
    label: str, fps: list[Fingerprint], misses: list[Fingerprint], rng: random.Random
) -> None:
    gc.collect()
    index = NearIndex()
    start = time.perf_counter()
    for ref, fp in enumerate(fps):
        index.add(fp, ref)
    insert_us = (time.perf_counter() - start) / len(fps) * 1e6
    used = index.memory_bytes()
    sample = rng.sample(fps, min(LOOKUPS, len(fps)))
    hits = [flip(fp, rng, 3) for fp in sample]
    hit_us = timed(hits, index.find)
    miss_us = timed(misses, index.find)
    found = sum(index.find(fp) is not None for fp in hits[:2000])
    removed = rng.sample(range(len(fps)), 2000)
    start = time.perf_counter()
    for ref in removed:
        index.remove(ref, fps[ref].simhash)
    remove_us = (time.perf_counter() - start) / len(removed) * 1e6
    print(
        f"{label:<32} n={len(fps):>10,} {used / len(fps):6.1f} B/fp  insert "
        f"{insert_us:5.2f} us  hit {hit_us:6.1f} us  miss {miss_us:6.1f} us  "
        f"remove {remove_us:6.1f} us  hits found {found}/2000"
    )


def real_fps(n: int, rng: random.Random) -> list[Fingerprint]:
    """Fingerprints of pseudo-articles: 8-40 real sentences drawn at random.

    Real word statistics (so the correlation of real tf simhashes) without
    being near duplicates of each other.
    """
    sentences = [
        s for text in load_articles() for s in re.split(r"(?<=[.!?])\s+", text)
    ]
    out: list[Fingerprint] = []
    while len(out) < n:
        fp = fingerprint(" ".join(rng.sample(sentences, rng.randint(8, 40))))
        if not fp.empty:
            out.append(fp)
    return out


def main(argv: list[str]) -> None:
    rng = random.Random(7)
    sizes = [1_000_000] if "--quick" in argv else [1_000_000, 10_000_000]
    for n in sizes:
        measure("random", random_fps(n, rng), random_fps(LOOKUPS, rng), rng)
        gc.collect()
    real = real_fps(REAL + LOOKUPS, rng)
    measure("real-text pseudo-articles", real[:REAL], real[REAL:], rng)


if __name__ == "__main__":
    main(sys.argv[1:])
