"""RedisStore: check-and-reserve + commit throughput, latency and memory per fingerprint.

Starts its own redis-server (no persistence) on a free loopback port. Random
64-bit fingerprints with ~85-character URLs (the URL is most of the memory),
one process, asyncio client:

- single: one ``check_and_reserve`` then one ``commit`` per item (2 round trips);
- batched: ``check_and_reserve_many`` + ``commit_many`` per batch of 200;
- memory: ``INFO memory`` ``used_memory`` delta over N fingerprints in the
  global scope, the same without URLs, and 10 fingerprints in each of many
  site scopes;
- near-duplicate lookups (3 bits flipped) against the filled store.

Run: ``.venv/bin/python -m benchmarks.redis_store [--million]`` (about 1 minute;
``--million`` adds a 1M fill, a few minutes).
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

from scrapy_newsclean.simhash import Fingerprint
from scrapy_newsclean.stores.base import Reservation
from scrapy_newsclean.stores.redis import RedisStore

BATCH = 200
SINGLE = 5_000
NOW = 1_700_000_000.0


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
    rng: random.Random, n: int, urls: bool = True, scopes: int = 0
) -> list[tuple[str, Fingerprint, str | None]]:
    out = []
    for i in range(n):
        fp = Fingerprint(rng.getrandbits(64), rng.getrandbits(64), i, 50)
        url = f"https://www.example-news.com/2024/05/17/politics/some-slug-{i:08d}.html"
        scope = f"site{i % scopes}.example" if scopes else ""
        out.append((scope, fp, url if urls else None))
    return out


async def used_memory(client: Any) -> int:
    return int((await client.info("memory"))["used_memory"])


async def single(store: RedisStore, work: list[Any]) -> None:
    latencies = []
    start = time.perf_counter()
    for scope, fp, url in work:
        t = time.perf_counter()
        outcome = await store.check_and_reserve(scope, fp, url, NOW)
        if isinstance(outcome, Reservation):
            await store.commit(outcome, NOW)
        latencies.append(time.perf_counter() - t)
    elapsed = time.perf_counter() - start
    latencies.sort()
    print(
        f"single   : {len(work) / elapsed:8.0f} check+commit/s   median"
        f" {statistics.median(latencies) * 1e3:.3f} ms"
        f"  p99 {latencies[int(len(latencies) * 0.99)] * 1e3:.3f} ms"
    )


async def batched(store: RedisStore, work: list[Any], label: str = "batched") -> None:
    latencies = []
    start = time.perf_counter()
    for i in range(0, len(work), BATCH):
        t = time.perf_counter()
        outcomes = await store.check_and_reserve_many(work[i : i + BATCH], NOW)
        await store.commit_many(
            [o for o in outcomes if isinstance(o, Reservation)], NOW
        )
        latencies.append(time.perf_counter() - t)
    elapsed = time.perf_counter() - start
    latencies.sort()
    if label:
        print(
            f"{label:9}: {len(work) / elapsed:8.0f} check+commit/s   per batch of"
            f" {BATCH}: median {statistics.median(latencies) * 1e3:.2f} ms"
            f"  p99 {latencies[int(len(latencies) * 0.99)] * 1e3:.2f} ms"
        )


async def memory(url: str, label: str, work: list[Any]) -> None:
    client = redis.asyncio.Redis.from_url(url)
    await client.flushall()
    store = RedisStore(url, ttl=7 * 86400.0)
    await store.open()
    before = await used_memory(client)
    start = time.perf_counter()
    await batched(store, work, label="")
    elapsed = time.perf_counter() - start
    after = await used_memory(client)
    print(
        f"memory   : {label:34} {(after - before) / len(work):6.1f} B/fp"
        f"  (fill {len(work) / elapsed:.0f}/s)"
    )
    await store.close()
    await client.aclose()


async def lookups(store: RedisStore, work: list[Any], rng: random.Random) -> None:
    queries = []
    for scope, fp, _ in rng.sample(work, 2000):
        flipped = fp.simhash
        for bit in rng.sample(range(64), 3):
            flipped ^= 1 << bit
        queries.append((scope, Fingerprint(flipped, fp.sketch, 0, 50), None))
    latencies = []
    for query in queries:
        t = time.perf_counter()
        await store.check_and_reserve_many([query], NOW)
        latencies.append(time.perf_counter() - t)
    latencies.sort()
    print(
        f"lookup   : near duplicate (3 bits) at {len(work)}: median"
        f" {statistics.median(latencies) * 1e3:.3f} ms"
        f"  p99 {latencies[int(len(latencies) * 0.99)] * 1e3:.3f} ms"
    )


async def main(million: bool) -> None:
    workdir = tempfile.mkdtemp(prefix="newsclean-redis-bench-")
    port, proc = start_server(workdir)
    url = f"redis://127.0.0.1:{port}/0"
    rng = random.Random(1)
    try:
        store = RedisStore(url, ttl=7 * 86400.0)
        await store.open()
        await single(store, items(rng, SINGLE))
        work = items(rng, 100_000)
        await batched(store, work)
        await lookups(store, work, rng)
        await store.close()
        await memory(url, "100k, global scope, 85-char URLs", items(rng, 100_000))
        await memory(url, "100k, global scope, no URL", items(rng, 100_000, False))
        await memory(
            url, "20k in 2000 site scopes (10 each)", items(rng, 20_000, True, 2000)
        )
        if million:
            await memory(url, "1M, global scope, 85-char URLs", items(rng, 1_000_000))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main("--million" in sys.argv))
