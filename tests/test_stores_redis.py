"""RedisStore against real redis-server processes: concurrency, restarts, secrets."""

from __future__ import annotations

import json
import random
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import redis.asyncio
from scrapy.utils.defer import deferred_f_from_coro_f

from scrapy_newsclean import _imports
from scrapy_newsclean.neardup import (
    DEFAULT,
    Fingerprint,
    SimhashConfig,
    fingerprint,
    is_near_duplicate,
)
from scrapy_newsclean.neardup._index import NearIndex
from scrapy_newsclean.neardup._near import host_key
from scrapy_newsclean.stores import Match, Reservation, StoreUnavailable
from scrapy_newsclean.stores._redis._keys import template_key
from scrapy_newsclean.stores._redis._scripts import CHECK
from scrapy_newsclean.stores._redis._store import RedisStore
from scrapy_newsclean.testing import sighting
from tests.conftest import free_port, start_redis

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterator

    from tests.conftest import RedisServer

ROOT = Path(__file__).resolve().parents[1]
STORY = (
    "The city council voted on Tuesday to extend the night bus network to the "
    "northern suburbs, ending a two-year dispute over funding between the "
    "transport authority and the regional government. Under the plan, four new "
    "lines will run every thirty minutes between midnight and five in the "
    "morning from next spring, and the region will cover half of the cost."
)
COPY = "Night buses to reach the suburbs\n" + STORY + " Reporting by A. Ruiz."
OTHER = (
    "The national archive's website was unreachable for most of Monday after a "
    "firewall rule blocked every request from outside the building. The "
    "director said engineers rolled back the change in the evening."
)
SYLLABLES = [
    "ba",
    "ce",
    "di",
    "fo",
    "gu",
    "ha",
    "je",
    "ki",
    "lo",
    "mu",
    "na",
    "pe",
    "ri",
    "so",
    "tu",
    "va",
    "we",
    "xi",
    "yo",
    "zu",
]


def stories() -> list[tuple[str, str]]:
    """50 unrelated stories, each with a near-duplicate variant (lead and byline).

    Pseudo-words from seeded generators; seeds whose variant falls outside the
    fingerprint's tolerance are skipped (deterministically).
    """
    out: list[tuple[str, str]] = []
    seed = 0
    while len(out) < 50:
        rng = random.Random(seed)
        seed += 1
        words = ["".join(rng.choices(SYLLABLES, k=3)) for _ in range(300)]
        text = " ".join(words) + "."
        variant = "Update: " + text + " Reporting by staff."
        if is_near_duplicate(fingerprint(text), fingerprint(variant))[0]:
            out.append((text, variant))
    return out


def store(server: RedisServer | str, prefix: str, **options: Any) -> RedisStore:
    url = server if isinstance(server, str) else server.url
    return RedisStore(url, prefix=prefix, config=DEFAULT, **options)


@pytest.fixture
def prefix() -> str:
    return f"t-{uuid.uuid4().hex}"


def test_story_fixtures_are_near_duplicates_of_their_variant_only() -> None:
    fps = [(fingerprint(a), fingerprint(b)) for a, b in stories()]
    for i, (a, b) in enumerate(fps):
        assert is_near_duplicate(a, b)[0]
        assert not any(is_near_duplicate(a, other[1])[0] for other in fps[i + 1 :])


WORKER = """
import asyncio, json, random, sys
from scrapy_newsclean.neardup import fingerprint
from scrapy_newsclean.stores._redis._store import RedisStore
from tests.test_stores_redis import stories

async def main(url, prefix, seed):
    store = RedisStore(url, prefix=prefix)
    await store.open()
    work = [(i, text) for i, pair in enumerate(stories()) for text in pair]
    random.Random(seed).shuffle(work)
    print("ready", flush=True)
    sys.stdin.readline()
    won = []
    for n, (i, text) in enumerate(work):
        if seed == 2 and n % 2:  # one worker also goes through the batch path
            (outcome,) = await store.check_and_reserve_many(
                [("", fingerprint(text), f"u{i}")], 1000.0)
        else:
            outcome = await store.check_and_reserve(
                "", fingerprint(text), f"u{i}", 1000.0)
        if not hasattr(outcome, "distance"):
            won.append(i)
            if n % 3:
                await store.commit(outcome, 1000.0)
    print(json.dumps(won), flush=True)
    sys.stdin.readline()  # close() releases uncommitted reservations: not before all ended
    await store.close()

asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
"""


def test_three_processes_reserve_each_story_exactly_once(
    redis_server: RedisServer, prefix: str
) -> None:
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, redis_server.url, prefix, str(seed)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for seed in range(3)
    ]
    for worker in workers:
        assert worker.stdout is not None
        assert worker.stdout.readline().strip() == "ready"
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.write("go\n")
        worker.stdin.flush()
    won: Counter[int] = Counter()
    for worker in workers:
        assert worker.stdout is not None
        won.update(json.loads(worker.stdout.readline()))
    for worker in workers:
        worker.communicate("close\n", timeout=60)
        assert worker.returncode == 0
    assert won == Counter(range(50))


@deferred_f_from_coro_f
async def test_batch_items_see_the_earlier_ones(
    redis_server: RedisServer, prefix: str
) -> None:
    s = store(redis_server, prefix)
    await s.open()
    items = [("", fingerprint(text), text[:5]) for text in (STORY, COPY, OTHER)]
    first, copy, other = await s.check_and_reserve_many(items, 1000.0)
    assert isinstance(first, Reservation)
    assert copy == Match(STORY[:5], copy.distance, pending=True)
    assert isinstance(other, Reservation)
    await s.commit_many([first, other], 1000.0)
    match = await s.check_and_reserve("", fingerprint(COPY), None, 1000.0)
    assert match == Match(STORY[:5], copy.distance, pending=False)
    await s.release_many([first])
    assert isinstance(
        await s.check_and_reserve("", fingerprint(COPY), None, 1.0), Reservation
    )
    await s.close()


def _near(rng: random.Random, value: int, bits: int) -> int:
    for bit in rng.sample(range(64), bits):
        value ^= 1 << bit
    return value


@pytest.mark.parametrize("distance", [0, 2, 3, 5], ids=lambda d: f"k{d}")
@deferred_f_from_coro_f
async def test_lookups_agree_with_the_in_memory_index(
    redis_server: RedisServer, prefix: str, distance: int
) -> None:
    """Random 64-bit values (half with bit 63 set), near and far, vs NearIndex."""
    config = SimhashConfig(distance=distance, sketch_distance=10)
    s = RedisStore(redis_server.url, prefix=prefix, config=config)
    await s.open()
    index, rng = NearIndex(config), random.Random(distance)
    kept: list[Fingerprint] = []
    for n in range(400):
        if kept and n % 2:
            base = rng.choice(kept)
            fp = Fingerprint(
                _near(rng, base.simhash, rng.randint(0, distance + 2)),
                _near(rng, base.sketch, rng.randint(5, 14)),
                n,
                10,
            )
        else:
            fp = Fingerprint(rng.getrandbits(64), rng.getrandbits(64), n, 10)
        expected = index.find(fp)
        outcome = await s.check_and_reserve("", fp, str(len(kept)), 1000.0)
        if expected is None:
            assert isinstance(outcome, Reservation), n
            await s.commit(outcome, 1000.0)
            index.add(fp, len(kept))
            kept.append(fp)
        else:
            assert isinstance(outcome, Match), n
            assert outcome.distance == expected[1]
            assert outcome.url is not None
            assert is_near_duplicate(kept[int(outcome.url)], fp, config)[0]
    assert len(kept) > 150
    await s.close()


@deferred_f_from_coro_f
async def test_bit_63_on_both_32_bit_halves(
    redis_server: RedisServer, prefix: str
) -> None:
    s = store(redis_server, prefix)
    await s.open()
    top = Fingerprint((1 << 64) - 1, (1 << 64) - 1, 1, 9)
    reservation = await s.check_and_reserve("", top, "u:top", 1000.0)
    assert isinstance(reservation, Reservation)
    await s.commit(reservation, 1000.0)
    # bits 63, 32 (high half) and 31 (low half) differ; the lowest sketch bin
    # (bits 0-20) is shared, the others are not
    near = Fingerprint(top.simhash ^ (1 << 63 | 1 << 32 | 1 << 31), (1 << 49) - 1, 2, 9)
    assert await s.check_and_reserve("", near, None, 1000.0) == Match("u:top", 3)
    limit = DEFAULT.distance
    far = Fingerprint(near.simhash ^ ((1 << (limit - 2)) - 1), near.sketch, 3, 9)
    assert isinstance(await s.check_and_reserve("", far, None, 1000.0), Reservation)
    no_bin = Fingerprint(top.simhash ^ 1, 1 << 62, 4, 9)  # distance 1, no shared bin
    assert isinstance(await s.check_and_reserve("", no_bin, None, 1000.0), Reservation)
    await s.close()


LEFT_PENDING = """
import asyncio, os, sys
from scrapy_newsclean.neardup import fingerprint
from scrapy_newsclean.stores._redis._store import RedisStore
from tests.test_stores_redis import STORY

async def main():
    store = RedisStore(sys.argv[1], prefix=sys.argv[2], lease=300.0)
    await store.open()
    await store.check_and_reserve("", fingerprint(STORY), "u:dead", 1000.0)
    os._exit(0)  # dies holding the reservation

asyncio.run(main())
"""


@deferred_f_from_coro_f
async def test_a_dead_process_reservation_expires_with_its_lease(
    redis_server: RedisServer, prefix: str
) -> None:
    subprocess.run(  # noqa: ASYNC221 (the test waits for the process to die)
        [sys.executable, "-c", LEFT_PENDING, redis_server.url, prefix],
        cwd=ROOT,
        check=True,
        timeout=60,
    )
    s = store(redis_server, prefix, lease=300.0, ttl=3600.0)
    await s.open()
    copy = fingerprint(COPY)
    waiting = await s.check_and_reserve("", copy, None, 1299.0)
    assert isinstance(waiting, Match)
    assert waiting.pending
    assert waiting.url == "u:dead"
    assert isinstance(await s.check_and_reserve("", copy, None, 1301.0), Reservation)
    await s.close()


@deferred_f_from_coro_f
async def test_renew_extends_own_pending_reservations_only(
    redis_server: RedisServer, prefix: str
) -> None:
    owner = store(redis_server, prefix, lease=15.0, heartbeat=5.0)
    other = store(redis_server, prefix, lease=15.0, heartbeat=5.0)
    await owner.open()
    await other.open()
    held = await owner.check_and_reserve("", fingerprint(STORY), "u:held", 1000.0)
    kept = await owner.check_and_reserve("", fingerprint(OTHER), "u:kept", 1000.0)
    assert isinstance(held, Reservation)
    assert isinstance(kept, Reservation)
    await owner.commit(kept, 1000.0)
    await owner.renew(1010.0)  # a heartbeat: held lasts until 1025 now
    copy = fingerprint(COPY)
    distance = is_near_duplicate(fingerprint(STORY), copy)[1]
    waiting = await other.check_and_reserve("", copy, None, 1020.0)
    assert waiting == Match("u:held", distance, pending=True)
    taken = await other.check_and_reserve("", copy, "u:copy", 1026.0)
    assert isinstance(taken, Reservation)  # no heartbeat since: it expired
    await owner.renew(1027.0)  # an expired reservation is not revived
    again = await other.check_and_reserve("", fingerprint(STORY), None, 1028.0)
    assert again == Match("u:copy", distance, pending=True)
    # the committed fingerprint keeps its TTL (no TTL: for ever), not a lease
    later = await other.check_and_reserve("", fingerprint(OTHER), None, 10**9)
    assert later == Match("u:kept", 0, pending=False)
    await other.release(taken)
    await owner.close()
    await other.close()


async def _raw_sizes(url: str, prefix: str) -> tuple[int, int]:
    """(entries in the url hash, total bytes of band 0's buckets)."""
    client = redis.asyncio.Redis.from_url(url)
    urls = await client.hlen(f"{prefix}:fp::u")
    buckets = await client.hvals(f"{prefix}:fp::d{DEFAULT.distance}:b0")
    await client.aclose()
    return urls, sum(map(len, buckets))


@deferred_f_from_coro_f
async def test_expired_entries_are_removed_from_redis(
    redis_server: RedisServer, prefix: str
) -> None:
    s = store(redis_server, prefix, ttl=10.0)
    await s.open()
    rng = random.Random(7)
    old = [("", Fingerprint(rng.getrandbits(64), 0, 0, 5), "o") for _ in range(30)]
    reserved = await s.check_and_reserve_many(old, 0.0)
    await s.commit_many([r for r in reserved if isinstance(r, Reservation)], 0.0)
    assert await _raw_sizes(redis_server.url, prefix) == (30, 30 * 32)
    for _ in range(64):  # the sweep visits each bin every 3 * 16 insertions
        fp = Fingerprint(rng.getrandbits(64), 0, 0, 5)
        outcome = await s.check_and_reserve("", fp, "n", 100.0)
        assert isinstance(outcome, Reservation)
        await s.commit(outcome, 100.0)
    assert await _raw_sizes(redis_server.url, prefix) == (64, 64 * 32)
    await s.close()


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = start_redis(tmp_path, free_port())
    yield server
    server.proc.terminate()
    server.proc.wait(timeout=10)


@deferred_f_from_coro_f
async def test_survives_a_redis_restart(
    own_server: RedisServer, tmp_path: Path, prefix: str
) -> None:
    s = store(own_server, prefix)
    await s.open()
    first = await s.check_and_reserve("", fingerprint(STORY), "u:1", 1000.0)
    assert isinstance(first, Reservation)
    await s.add_template_keys(sighting("a.example", [1, 2]), 1000.0)
    own_server.proc.terminate()
    own_server.proc.wait(timeout=10)
    other = fingerprint(OTHER)
    calls: list[Callable[[], Awaitable[object]]] = [
        lambda: s.check_and_reserve("", other, None, 1000.0),
        lambda: s.check_and_reserve_many([("", other, None)], 1000.0),
        lambda: s.commit(first, 1000.0),
        lambda: s.release(first),
        lambda: s.template_counts("a.example", [1], 1000.0),
        lambda: s.add_template_keys(sighting("a.example", [1]), 1000.0),
    ]
    for call in calls:
        with pytest.raises(StoreUnavailable, match=r"127\.0\.0\.1") as info:
            await call()
        assert isinstance(info.value.__cause__, _imports.redis.exceptions.RedisError)
    again = start_redis(tmp_path, own_server.port)  # empty: scripts must be reloaded
    try:
        outcome = await s.check_and_reserve("", fingerprint(STORY), "u:2", 1000.0)
        assert isinstance(outcome, Reservation)
        await s.commit(outcome, 1000.0)
        match = await s.check_and_reserve("", fingerprint(COPY), None, 1000.0)
        assert isinstance(match, Match)
        assert match.url == "u:2"
        await s.add_template_keys(sighting("a.example", [1]), 1000.0)
        assert await s.template_counts("a.example", [1], 1000.0) == {1: 1}
        await s.close()
    finally:
        again.proc.terminate()
        again.proc.wait(timeout=10)


@deferred_f_from_coro_f
async def test_open_fails_cleanly_when_nothing_listens() -> None:
    s = RedisStore(f"redis://:hunter2@127.0.0.1:{free_port()}/0", prefix="x")
    with pytest.raises(StoreUnavailable) as info:
        await s.open()
    assert "hunter2" not in str(info.value)
    assert "redis://:***@127.0.0.1" in str(info.value)


def _start_with_password(
    tmp_path: Path, password: str
) -> tuple[int, subprocess.Popen[bytes]]:
    """A redis-server with ``--requirepass``, once it answers (NOAUTH)."""
    port = free_port()
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1"]
    command += ["--save", "", "--appendonly", "no", "--dir", str(tmp_path)]
    proc = subprocess.Popen(
        [*command, "--requirepass", password],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2) as conn:
                conn.sendall(b"PING\r\n")
                if conn.recv(16).startswith(b"-NOAUTH"):
                    return port, proc
        except OSError:
            pass
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError("redis-server with a password did not start")


@deferred_f_from_coro_f
async def test_password_never_appears(tmp_path: Path, prefix: str) -> None:
    password = "s3cret-" + uuid.uuid4().hex
    port, proc = _start_with_password(tmp_path, password)
    try:
        wrong = RedisStore(f"redis://:{password}x@127.0.0.1:{port}/0", prefix=prefix)
        assert password not in wrong.display_uri
        with pytest.raises(StoreUnavailable) as info:
            await wrong.open()
        assert password not in str(info.value)
        for uri in (
            f"redis://:{password}@127.0.0.1:{port}/0",
            f"redis://127.0.0.1:{port}/0?password={password}",
        ):
            good = RedisStore(uri, prefix=prefix)
            assert password not in good.display_uri
            await good.open()
            assert isinstance(
                await good.check_and_reserve("", fingerprint(STORY), None, 1.0),
                (Reservation, Match),
            )
            await good.close()
        proc.terminate()
        proc.wait(timeout=10)
        good = RedisStore(f"redis://:{password}@127.0.0.1:{port}/0", prefix=prefix)
        with pytest.raises(StoreUnavailable) as info:
            await good.open()
        assert password not in str(info.value)
        assert password not in repr(info.value)
    finally:
        proc.kill()
        proc.wait(timeout=10)


@deferred_f_from_coro_f
async def test_template_keys_are_trimmed_lowest_counts_first(
    redis_server: RedisServer, prefix: str
) -> None:
    s = store(redis_server, prefix, max_template_keys=8)
    await s.open()
    kept = [(1 << 63) + n for n in range(8)]
    for _ in range(3):
        await s.add_template_keys(sighting("a.example", kept), 1000.0)
    # 10 keys: within the slack
    await s.add_template_keys(sighting("a.example", [100, 101]), 1000.0)
    assert len(await s.template_counts("a.example", [*kept, 100, 101], 1000.0)) == 10
    # 11 > 8 + 8 // 4: trimmed to 8
    await s.add_template_keys(sighting("a.example", [102]), 1000.0)
    counts = await s.template_counts("a.example", [*kept, 100, 101, 102], 1000.0)
    assert dict(counts) == dict.fromkeys(kept, 3)
    await s.close()


@deferred_f_from_coro_f
async def test_template_counts_of_earlier_versions_are_read_and_expire(
    redis_server: RedisServer, prefix: str
) -> None:
    s = store(redis_server, prefix, ttl=100.0)
    await s.open()
    name = template_key(prefix, "a.example")
    await s.client.hincrby(name, (5).to_bytes(8, "big"), 2)  # as 0.x counted
    assert await s.client.ttl(name) == -1
    assert await s.template_counts("a.example", [5], 1000.0) == {5: 2}
    await s.add_template_keys(sighting("a.example", [5]), 1000.0)
    assert await s.template_counts("a.example", [5], 1100.0) == {5: 3}
    assert await s.template_counts("a.example", [5], 1101.0) == {}
    assert 0 < await s.client.ttl(name) <= 100 + 300 + 86400  # ttl + lease + a day
    await s.close()


def test_missing_redis_package_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_imports, "redis", None)
    with pytest.raises(ValueError, match=r"pip install scrapy-newsclean\[redis\]"):
        RedisStore("redis://:pw@localhost/0")


@deferred_f_from_coro_f
async def test_other_fingerprint_version_is_refused(
    redis_server: RedisServer, prefix: str
) -> None:
    client = redis.asyncio.Redis.from_url(redis_server.url)
    await client.hset(f"{prefix}:meta", "version", "999")
    await client.aclose()
    with pytest.raises(ValueError, match="version"):
        await store(redis_server, prefix).open()


#: URLs for the host-key comparison: case, www., ports, user info, no scheme,
#: IPv6, IDNA, odd separators.
HOST_URLS = [
    "https://www.News.Example/a",
    "http://news.example:8080/b?x=1#y",
    "https://user:pw@www.news.example:443/c",
    "https://a@b@news.example/d",
    "news.example/e",
    "/relative/path",
    "",
    "https://[::1]:8080/f",
    "https://xn--bcher-kva.example/g",
    "https://WWW.EXAMPLE.COM",
    "https://wwwexample.com/h",
    "ftp://files.example:/i",
    "https://host.example?q=a/b",
    "https://Ünïcode.Example/j",
    "https://www.www.example/k",
]


@deferred_f_from_coro_f
async def test_lua_host_key_agrees_with_python(redis_server: RedisServer) -> None:
    """The CHECK script's ``hostkey`` mirrors :func:`host_key` exactly."""
    function = CHECK[CHECK.index("local function hostkey") :]
    function = function[: function.index("\nend\n") + 5]
    script = (
        function
        + "local out = {} for i, u in ipairs(ARGV) do out[i] = hostkey(u) end\n"
        + "return out"
    )
    client = redis.asyncio.Redis.from_url(redis_server.url)
    try:
        rng = random.Random(7)
        alphabet = "aW.:/@?#[]-_x9%"
        fuzzed = [
            "".join(rng.choice(alphabet) for _ in range(rng.randrange(20)))
            for _ in range(300)
        ]
        urls = HOST_URLS + [f"https://{u}" for u in fuzzed] + fuzzed
        got = await client.eval(script, 0, *urls)
    finally:
        await client.aclose()
    assert [g.decode("utf-8") for g in got] == [host_key(u) for u in urls]
    assert host_key("https://user:pw@www.News.Example:443/c") == "news.example"
