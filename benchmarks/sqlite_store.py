"""SQLiteStore at a million fingerprints: fill rate, disk, open time, latency, memory.

One process fills an :class:`~scrapy_newsclean.stores._sqlite.SQLiteStore` (a
file in a temporary directory, deleted at the end) with N random fingerprints
(random 64-bit simhash and content, sketch bit 63 clear, ~85-character URLs,
one 30-day TTL scope), each by ``check_and_reserve`` + ``commit``: one
``INSERT`` per commit, WAL, ``synchronous=NORMAL``, as a crawl does. Then:

- disk: database + WAL bytes per fingerprint after ``wal_checkpoint(TRUNCATE)``;
- lookup+add: ``check_and_reserve`` + ``commit`` of new random fingerprints
  against the filled store (median, p99), and near-duplicate hits (3 simhash
  bits flipped, same sketch: a ``Match``, nothing written);
- open: a fresh process opens the file (index reloaded from every row); its
  time and RSS growth (``VmRSS`` before/after ``open``; peak: ``VmHWM``, as
  ``ru_maxrss`` survives ``exec`` and would report the parent's peak).

Run: ``.venv/bin/python -m benchmarks.sqlite_store [--quick]`` (1M: a few
minutes; ``--quick``: 100k).
"""

from __future__ import annotations

import asyncio
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scrapy_newsclean.neardup import Fingerprint
from scrapy_newsclean.stores._base import Match, Reservation
from scrapy_newsclean.stores._sqlite import SQLiteStore

FULL, QUICK = 1_000_000, 100_000
TTL = 30 * 86400.0
PROBES = 10_000
HITS = 2_000
ROOT = Path(__file__).resolve().parents[1]


def random_fp(rng: random.Random) -> Fingerprint:
    return Fingerprint(
        rng.getrandbits(64), rng.getrandbits(63), rng.getrandbits(64), 800
    )


def url(i: int) -> str:
    return f"https://www.example-news.com/2024/05/17/politics/some-slug-{i:08d}.html"


def percentiles(latencies: list[float]) -> str:
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99)]
    return f"median {statistics.median(latencies) * 1e6:.0f} us, p99 {p99 * 1e6:.0f} us"


async def fill(store: SQLiteStore, n: int, rng: random.Random) -> list[Fingerprint]:
    """Check-and-reserve + commit n random fingerprints; print the rate."""
    kept, step = [], max(n // 5, 1)
    start = last = time.perf_counter()
    for i in range(n):
        fp = random_fp(rng)
        outcome = await store.check_and_reserve("", fp, url(i), time.time())
        if isinstance(outcome, Reservation):
            await store.commit(outcome, time.time())
            if len(kept) < HITS:
                kept.append(fp)
        if (i + 1) % step == 0:
            now = time.perf_counter()
            print(f"  filled {i + 1:>9,}: {step / (now - last):7.0f}/s in this stretch")
            last = now
    elapsed = time.perf_counter() - start
    print(
        f"fill: {n:,} fingerprints in {elapsed:.1f} s:"
        f" {n / elapsed:,.0f} check_and_reserve+commit/s"
    )
    return kept


def disk(path: Path, store: SQLiteStore, n: int) -> None:
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    files = [path, path.with_name(path.name + "-wal")]
    size = sum(f.stat().st_size for f in files if f.exists())
    print(f"disk: {size / 1e6:.1f} MB db+wal after checkpoint, {size / n:.1f} B/fp")


async def probes(store: SQLiteStore, n: int, kept: list[Fingerprint]) -> None:
    rng = random.Random(2)
    adds = []
    for i in range(PROBES):
        fp = random_fp(rng)
        start = time.perf_counter()
        outcome = await store.check_and_reserve("", fp, url(n + i), time.time())
        if isinstance(outcome, Reservation):
            await store.commit(outcome, time.time())
        adds.append(time.perf_counter() - start)
    print(f"lookup+add after the fill (miss, then commit): {percentiles(adds)}")
    hits, matched = [], 0
    for fp in kept:
        flipped = fp.simhash
        for bit in rng.sample(range(64), 3):
            flipped ^= 1 << bit
        query = Fingerprint(flipped, fp.sketch, 0, fp.size)
        start = time.perf_counter()
        outcome = await store.check_and_reserve("", query, None, time.time())
        hits.append(time.perf_counter() - start)
        matched += isinstance(outcome, Match)
    print(
        f"near-duplicate lookup (3 bits flipped, {matched}/{len(kept)} matched):"
        f" {percentiles(hits)}"
    )


def status(field: str) -> int:
    """A ``/proc/self/status`` memory figure in bytes (VmRSS, VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) * 1024
    return 0


async def open_only(path: str) -> None:
    """In a fresh process: open the store, print time and memory growth."""
    store = SQLiteStore(path, ttl=TTL)
    rss, peak = status("VmRSS"), status("VmHWM")
    start = time.perf_counter()
    await store.open()
    elapsed = time.perf_counter() - start
    n = len(store)
    grown = status("VmRSS") - rss
    peak_grown = status("VmHWM") - peak
    await store.close()
    print(f"open: {elapsed:.2f} s to reload {n:,} fingerprints ({n / elapsed:,.0f}/s)")
    print(
        f"memory: RSS +{grown / 1e6:.1f} MB after open, {grown / n:.1f} B/fp"
        f" (peak +{peak_grown / 1e6:.1f} MB)"
    )


async def build(path: Path, n: int) -> None:
    print(f"{n:,} random fingerprints, one process, WAL, synchronous=NORMAL")
    store = SQLiteStore(path, ttl=TTL)
    await store.open()
    kept = await fill(store, n, random.Random(1))
    disk(path, store, n)
    await probes(store, n, kept)
    await store.close()


def main(n: int) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="newsclean-sqlite-bench-"))
    path = workdir / "state.db"
    try:
        asyncio.run(build(path, n))
        proc = subprocess.run(
            [sys.executable, "-m", "benchmarks.sqlite_store", "--open", str(path)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        print(proc.stdout + proc.stderr, end="")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    if "--open" in sys.argv:
        asyncio.run(open_only(sys.argv[sys.argv.index("--open") + 1]))
    else:
        main(QUICK if "--quick" in sys.argv else FULL)
