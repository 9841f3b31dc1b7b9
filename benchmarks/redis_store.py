"""RedisStore: fill rate, memory per fingerprint, lookup latency, single calls.

Starts its own redis-server (no persistence) on a free loopback port. Random
64-bit fingerprints with ~85-character URLs (not stored by default: key
layout 2; stored with the URI option ``?urls=1``), one global scope, one
process, asyncio client. At each size N (100k, and 1M
with ``--million``), each of :data:`REPEATS` runs empties the server, then:

- fill: ``check_and_reserve_many`` + ``commit_many`` of the N fingerprints in
  batches of 200 (check+commit/s; latency per batch);
- memory: the growth of ``INFO memory`` ``used_memory`` over the fill, per
  fingerprint;
- lookup: near duplicates of stored fingerprints (3 simhash bits flipped, same
  sketch: a ``Match``, nothing written), one per call, against the filled store;
- single: ``check_and_reserve`` then ``commit`` of new fingerprints, one item
  per call (2 round trips), against the filled store.

Each figure printed is the median over the runs (each run's value follows).
Memory is also measured with ``?urls=1`` (100k; and 1M with ``--million``),
without URLs (100k) and with 10 fingerprints in each of 2000 site scopes
(20k), one fill each.

Run: ``.venv/bin/python -m benchmarks.redis_store [--million]`` (about 1 minute;
``--million`` adds the 1M runs, about 5 minutes more).
"""

from __future__ import annotations

import asyncio
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

import redis.asyncio

from scrapy_newsclean.neardup import Fingerprint
from scrapy_newsclean.stores._base import Match, Reservation
from scrapy_newsclean.stores._redis._store import RedisStore

SIZE, MILLION = 100_000, 1_000_000
REPEATS = 3
BATCH = 200
SINGLE = 5_000
LOOKUPS = 2_000
TTL = 7 * 86400.0
NOW = 1_700_000_000.0
Work = list[tuple[str, Fingerprint, str | None]]


def start_server(workdir: str) -> tuple[int, subprocess.Popen[bytes]]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1"]
    command += ["--save", "", "--appendonly", "no", "--dir", workdir]
    proc = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if ping(port):
            return port, proc
        time.sleep(0.05)
    proc.kill()
    sys.exit("redis-server did not start")


def ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def items(
    rng: random.Random, n: int, urls: bool = True, scopes: int = 0, first: int = 0
) -> Work:
    out: Work = []
    for i in range(first, first + n):
        fp = Fingerprint(rng.getrandbits(64), rng.getrandbits(64), i, 50)
        url = f"https://www.example-news.com/2024/05/17/politics/some-slug-{i:08d}.html"
        scope = f"site{i % scopes}.example" if scopes else ""
        out.append((scope, fp, url if urls else None))
    return out


def percentiles(latencies: list[float]) -> tuple[float, float]:
    """Median and p99, in ms."""
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99)]
    return statistics.median(latencies) * 1e3, p99 * 1e3


async def used_memory(client: Any) -> int:
    return int((await client.info("memory"))["used_memory"])


async def single(store: RedisStore, work: Work) -> dict[str, float]:
    """One check_and_reserve, then one commit, per item."""
    latencies = []
    start = time.perf_counter()
    for scope, fp, url in work:
        t = time.perf_counter()
        outcome = await store.check_and_reserve(scope, fp, url, NOW)
        if isinstance(outcome, Reservation):
            await store.commit(outcome, NOW)
        latencies.append(time.perf_counter() - t)
    rate = len(work) / (time.perf_counter() - start)
    median, p99 = percentiles(latencies)
    return {"single": rate, "single_median": median, "single_p99": p99}


async def batched(store: RedisStore, work: Work) -> dict[str, float]:
    """check_and_reserve_many + commit_many per batch of :data:`BATCH`."""
    latencies = []
    start = time.perf_counter()
    for i in range(0, len(work), BATCH):
        t = time.perf_counter()
        outcomes = await store.check_and_reserve_many(work[i : i + BATCH], NOW)
        await store.commit_many(
            [o for o in outcomes if isinstance(o, Reservation)], NOW
        )
        latencies.append(time.perf_counter() - t)
    rate = len(work) / (time.perf_counter() - start)
    median, p99 = percentiles(latencies)
    return {"fill": rate, "batch_median": median, "batch_p99": p99}


async def lookups(
    store: RedisStore, work: Work, rng: random.Random
) -> dict[str, float]:
    """Near duplicates (3 simhash bits flipped) of stored fingerprints, one per call."""
    latencies, matched = [], 0
    for scope, fp, _ in rng.sample(work, LOOKUPS):
        flipped = fp.simhash
        for bit in rng.sample(range(64), 3):
            flipped ^= 1 << bit
        query = (scope, Fingerprint(flipped, fp.sketch, 0, 50), None)
        t = time.perf_counter()
        (outcome,) = await store.check_and_reserve_many([query], NOW)
        latencies.append(time.perf_counter() - t)
        matched += isinstance(outcome, Match)
    median, p99 = percentiles(latencies)
    return {"lookup_median": median, "lookup_p99": p99, "matched": matched}


async def filled(
    url: str, work: Work, option: str = ""
) -> tuple[RedisStore, dict[str, float]]:
    """Empty the server, fill a store with work; its rate and bytes per fingerprint."""
    client = redis.asyncio.Redis.from_url(url)
    await client.flushall()
    store = RedisStore(url + option, ttl=TTL)
    await store.open()
    before = await used_memory(client)
    figures = await batched(store, work)
    figures["bytes"] = (await used_memory(client) - before) / len(work)
    await client.aclose()
    return store, figures


async def one_run(url: str, work: Work, rng: random.Random) -> dict[str, float]:
    store, figures = await filled(url, work)
    figures |= await lookups(store, work, rng)
    figures |= await single(store, items(rng, SINGLE, first=len(work)))
    await store.close()
    print(
        f"  run at {len(work):,}: fill {figures['fill']:,.0f}/s,"
        f" {figures['bytes']:.1f} B/fp, lookup median"
        f" {figures['lookup_median']:.3f} ms, single {figures['single']:,.0f}/s"
    )
    return figures


async def scale(url: str, n: int, rng: random.Random) -> None:
    """:data:`REPEATS` runs at n fingerprints; print the median of each figure."""
    print(
        f"{n:,} fingerprints, global scope, 85-char URLs (not stored), {REPEATS} runs:"
    )
    work = items(rng, n)
    runs = [await one_run(url, work, rng) for _ in range(REPEATS)]

    def med(key: str) -> float:
        return statistics.median(run[key] for run in runs)

    def each(key: str, spec: str) -> str:
        return ", ".join(format(run[key], spec) for run in runs)

    print(
        f"fill     : {n:,} fingerprints, batches of {BATCH}:"
        f" {med('fill'):,.0f} check_and_reserve+commit/s  per batch: median"
        f" {med('batch_median'):.2f} ms  p99 {med('batch_p99'):.2f} ms"
        f"  (runs: {each('fill', ',.0f')})"
    )
    print(
        f"memory   : {n:,} fingerprints, global scope, 85-char URLs not stored:"
        f" {med('bytes'):.1f} B/fp  (INFO memory used_memory;"
        f" runs: {each('bytes', '.1f')})"
    )
    print(
        f"lookup   : near duplicate (3 bits) at {n:,}: median"
        f" {med('lookup_median'):.3f} ms  p99 {med('lookup_p99'):.3f} ms"
        f"  ({med('matched'):.0f}/{LOOKUPS} matched)"
    )
    print(
        f"single   : at {n:,}: {med('single'):,.0f} check+commit/s  median"
        f" {med('single_median'):.3f} ms  p99 {med('single_p99'):.3f} ms"
        f"  (runs: {each('single', ',.0f')})"
    )


async def memory(url: str, label: str, work: Work, option: str = "") -> None:
    """One fill: bytes per fingerprint."""
    store, figures = await filled(url, work, option)
    await store.close()
    print(
        f"memory   : {len(work):,} fingerprints, {label}: {figures['bytes']:.1f} B/fp"
        f"  (fill {figures['fill']:,.0f}/s, one run)"
    )


async def main(million: bool) -> None:
    workdir = tempfile.mkdtemp(prefix="newsclean-redis-bench-")
    port, proc = start_server(workdir)
    url = f"redis://127.0.0.1:{port}/0"
    rng = random.Random(1)
    try:
        await scale(url, SIZE, rng)
        label = "global scope, 85-char URLs stored (?urls=1)"
        await memory(url, label, items(rng, SIZE), "?urls=1")
        await memory(url, "global scope, no URL", items(rng, SIZE, False))
        await memory(
            url,
            "2000 site scopes (10 each), 85-char URLs",
            items(rng, 20_000, True, 2000),
        )
        if million:
            await scale(url, MILLION, rng)
            await memory(url, label, items(rng, MILLION), "?urls=1")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main("--million" in sys.argv))
