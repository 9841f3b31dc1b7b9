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
from scrapy_newsclean.neardup._fingerprint import FINGERPRINT_VERSION
from scrapy_newsclean.neardup._index import NearIndex
from scrapy_newsclean.neardup._near import host_key
from scrapy_newsclean.stores import Match, Reservation, StoreUnavailable
from scrapy_newsclean.stores._redis import _store as store_module
from scrapy_newsclean.stores._redis._keys import (
    ENTRY_SIZE,
    NEVER,
    bin_fields,
    fingerprint_base,
    host_hash,
    pack_entry,
    template_key,
    unpack_entry,
    url_hash,
)
from scrapy_newsclean.stores._redis._store import RedisStore, split_options
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
    assert store.store_urls == url.endswith("?urls=1")
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


@pytest.mark.parametrize("option", ["", "?urls=1"], ids=["default", "urls"])
def test_three_processes_reserve_each_story_exactly_once(
    redis_server: RedisServer, prefix: str, option: str
) -> None:
    url = redis_server.url + option
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, url, prefix, str(seed)],
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
    held = await store.check_and_reserve("", fingerprint(STORY), "u:dead", 1000.0)
    print(f"{held.ref:012x}", flush=True)
    os._exit(0)  # dies holding the reservation

asyncio.run(main())
"""


@pytest.mark.parametrize("option", ["", "?urls=1"], ids=["default", "urls"])
@deferred_f_from_coro_f
async def test_a_dead_process_reservation_expires_with_its_lease(
    redis_server: RedisServer, prefix: str, option: str
) -> None:
    done = subprocess.run(  # noqa: ASYNC221 (the test waits for the process to die)
        [sys.executable, "-c", LEFT_PENDING, redis_server.url + option, prefix],
        cwd=ROOT,
        check=True,
        timeout=60,
        capture_output=True,
        text=True,
    )
    s = store(redis_server.url + option, prefix, lease=300.0, ttl=3600.0)
    await s.open()
    copy = fingerprint(COPY)
    waiting = await s.check_and_reserve("", copy, None, 1299.0)
    assert isinstance(waiting, Match)
    assert waiting.pending
    # another process's URL is known only when URLs are stored; its id always
    assert waiting.url == ("u:dead" if option else None)
    assert waiting.ref == done.stdout.strip()
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
    assert waiting == Match(None, distance, pending=True)  # owner's URL: not stored
    assert waiting.ref == f"{held.ref:012x}"
    taken = await other.check_and_reserve("", copy, "u:copy", 1026.0)
    assert isinstance(taken, Reservation)  # no heartbeat since: it expired
    await owner.renew(1027.0)  # an expired reservation is not revived
    again = await other.check_and_reserve("", fingerprint(STORY), None, 1028.0)
    assert again == Match("u:copy", distance, pending=True)  # its own: memo
    # the committed fingerprint keeps its TTL (no TTL: for ever), not a lease
    later = await other.check_and_reserve("", fingerprint(OTHER), None, 10**9)
    assert later == Match(None, 0, pending=False)
    assert later.ref == f"{kept.ref:012x}"
    await other.release(taken)
    await owner.close()
    await other.close()


async def _raw_sizes(url: str, prefix: str) -> tuple[int, int]:
    """(entries in the url map, total bytes of band 0's buckets)."""
    client = redis.asyncio.Redis.from_url(url)
    urls = await client.hlen(f"{prefix}:fp::u")
    buckets = await client.hvals(f"{prefix}:fp::d{DEFAULT.distance}:b0")
    await client.aclose()
    return urls, sum(map(len, buckets))


@pytest.mark.parametrize(
    ("writer", "sweeper"),
    [("", ""), ("?urls=1", "?urls=1"), ("?urls=1", "")],
    ids=["default", "urls", "urls-swept-by-default"],
)
@deferred_f_from_coro_f
async def test_expired_entries_are_removed_from_redis(
    redis_server: RedisServer, prefix: str, writer: str, sweeper: str
) -> None:
    """Expired entries leave their bucket field (and the url map, which a
    store without ``?urls=1`` keeps in step when another process wrote it)."""
    s = store(redis_server.url + writer, prefix, ttl=10.0)
    await s.open()
    rng = random.Random(7)
    old = [("", Fingerprint(rng.getrandbits(64), 0, 0, 5), "o") for _ in range(30)]
    reserved = await s.check_and_reserve_many(old, 0.0)
    await s.commit_many([r for r in reserved if isinstance(r, Reservation)], 0.0)
    urls = 30 if writer else 0
    assert await _raw_sizes(redis_server.url, prefix) == (urls, 30 * ENTRY_SIZE)
    await s.close()
    s = store(redis_server.url + sweeper, prefix, ttl=10.0)
    await s.open()
    for _ in range(64):  # the sweep visits each bin every 3 * 16 insertions
        fp = Fingerprint(rng.getrandbits(64), 0, 0, 5)
        outcome = await s.check_and_reserve("", fp, "n", 100.0)
        assert isinstance(outcome, Reservation)
        await s.commit(outcome, 100.0)
    urls = 64 if sweeper else 0
    assert await _raw_sizes(redis_server.url, prefix) == (urls, 64 * ENTRY_SIZE)
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


@deferred_f_from_coro_f
async def test_the_earlier_key_layout_is_refused(
    redis_server: RedisServer, prefix: str
) -> None:
    """Layout 1 wrote the bare fingerprint version: refused with what to do;
    layout 2's value is another version to earlier releases (they refuse it)."""
    client = redis.asyncio.Redis.from_url(redis_server.url)
    try:
        await client.hset(f"{prefix}:meta", "version", str(FINGERPRINT_VERSION))
        s = store(redis_server, prefix)
        with pytest.raises(ValueError, match="layout 1") as info:
            await s.open()
        message = str(info.value)
        assert "NEWSCLEAN_STORE_PREFIX" in message
        assert f"--pattern '{prefix}:*'" in message
        assert not s._redis.is_open
        fresh = f"{prefix}-new"
        s = store(redis_server, fresh)
        await s.open()
        await s.close()
        stored = await client.hget(f"{fresh}:meta", "version")
        assert stored == f"{FINGERPRINT_VERSION};redis-layout=2".encode()
        assert stored != str(FINGERPRINT_VERSION).encode()  # what 0.x compared
    finally:
        await client.aclose()


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


def test_entry_hashes_follow_host_key_and_url() -> None:
    """The entry's host hash is a function of :func:`host_key` (zero: no host),
    its URL hash of the URL (zero: none); no collisions among these URLs."""
    rng = random.Random(7)
    alphabet = "aW.:/@?#[]-_x9%"
    fuzzed = [
        "".join(rng.choice(alphabet) for _ in range(rng.randrange(20)))
        for _ in range(300)
    ]
    urls = HOST_URLS + [f"https://{u}" for u in fuzzed] + fuzzed
    by_host: dict[bytes, set[str]] = {}
    for url in urls:
        hashed = host_hash(url)
        assert (hashed == b"\0\0\0") == (host_key(url) == "")
        by_host.setdefault(hashed, set()).add(host_key(url))
        assert (url_hash(url) == b"\0" * 4) == (url == "")
    assert all(len(hosts) == 1 for hosts in by_host.values())
    assert len({url_hash(u) for u in set(urls)}) == len(set(urls))
    assert host_hash("https://user:pw@www.News.Example:443/c") == host_hash(
        "http://news.example/other"
    )


def sketch_of(*bins: int) -> int:
    """A sketch holding these three 21-bit bin values."""
    return sum(value << (21 * (2 - i)) for i, value in enumerate(bins))


async def _fields(url: str, prefix: str, band: int = 0) -> dict[bytes, bytes]:
    """Band *band*'s bucket fields of the global scope."""
    client = redis.asyncio.Redis.from_url(url)
    base = fingerprint_base(prefix, "")
    found = await client.hgetall(f"{base}:d{DEFAULT.distance}:b{band}")
    await client.aclose()
    return dict(found)


@deferred_f_from_coro_f
async def test_bins_sharing_a_field_are_candidates_only_on_the_whole_value(
    redis_server: RedisServer, prefix: str
) -> None:
    """Bin values with the same high 14 bits share one field (one entry each);
    only an equal 21-bit value makes a candidate, as in layout 1."""
    s = store(redis_server, prefix)
    await s.open()
    first = Fingerprint(0xABCD, sketch_of(5 << 7 | 1, 9 << 7, 77 << 7), 1, 9)
    # same simhash, first bin shares its field (5) but not its low bits, the
    # others other fields: no shared bin, no candidate
    sibling = Fingerprint(0xABCD, sketch_of(5 << 7 | 2, 10 << 7, 78 << 7), 2, 9)
    # the third bin's whole value equals first's: a candidate
    copy = Fingerprint(0xABCD ^ 0b111, sketch_of(6 << 7, 11 << 7, 77 << 7), 3, 9)
    for fp, url in ((first, "u:first"), (sibling, "u:sibling")):
        outcome = await s.check_and_reserve("", fp, url, 1000.0)
        assert isinstance(outcome, Reservation)
        await s.commit(outcome, 1000.0)
    fields = await _fields(redis_server.url, prefix)
    assert list(fields) == [(5).to_bytes(2, "big")]
    (value,) = fields.values()
    entries = [value[i : i + ENTRY_SIZE] for i in range(0, len(value), ENTRY_SIZE)]
    assert [unpack_entry(e)["residue"] for e in entries] == [1, 2]
    assert bin_fields(first.sketch) == (
        b"".join(v.to_bytes(2, "big") for v in (5, 9, 77)),
        bytes([1, 0, 0]),
    )
    match = await s.check_and_reserve("", copy, None, 1000.0)
    assert match == Match("u:first", 3)
    await s.close()


@deferred_f_from_coro_f
async def test_entries_round_trip_pending_then_committed(
    redis_server: RedisServer, prefix: str
) -> None:
    """The script's bytes are :func:`pack_entry`'s: pending with the lease
    (rounded up to whole seconds), then committed with the TTL."""
    s = store(redis_server, prefix, ttl=100.0, lease=15.0, heartbeat=5.0)
    await s.open()
    url = "https://www.news.example/2024/a?x=1"
    fp = Fingerprint((1 << 64) - 2, sketch_of(0x1FFFFF, 3, 0x10000), 1, 9)
    held = await s.check_and_reserve("", fp, url, 1000.25)
    assert isinstance(held, Reservation)
    assert held.ref < 1 << 48
    residues = [0x7F, 3, 0]
    for band, residue in enumerate(residues):
        (value,) = (await _fields(redis_server.url, prefix, band)).values()
        assert value == pack_entry(
            fp.simhash, residue, pending=True, ref=held.ref, expiry=1015.25, url=url
        )
        assert unpack_entry(value) == {
            "simhash": fp.simhash,
            "residue": residue,
            "pending": True,
            "ref": held.ref,
            "expiry": 1016,
            "url_hash": url_hash(url),
            "host_hash": host_hash(url),
        }
    await s.renew(1010.0)  # the heartbeat: a new expiry, still pending
    (value,) = (await _fields(redis_server.url, prefix, 1)).values()
    assert unpack_entry(value)["expiry"] == 1025
    await s.commit(held, 1020.5)
    for band, residue in enumerate(residues):
        (value,) = (await _fields(redis_server.url, prefix, band)).values()
        assert value == pack_entry(
            fp.simhash, residue, pending=False, ref=held.ref, expiry=1120.5, url=url
        )
    # no TTL: never
    assert (
        unpack_entry(pack_entry(1, 2, pending=False, ref=3, expiry=None, url=None))[
            "expiry"
        ]
        == NEVER
    )
    await s.close()


@deferred_f_from_coro_f
async def test_expiry_in_whole_seconds_is_never_early(
    redis_server: RedisServer, prefix: str
) -> None:
    s = store(redis_server, prefix, ttl=100.0)
    await s.open()
    first = await s.check_and_reserve("", fingerprint(STORY), "u:1", 1000.5)
    assert isinstance(first, Reservation)
    await s.commit(first, 1000.5)
    assert isinstance(
        await s.check_and_reserve("", fingerprint(COPY), None, 1100.5), Match
    )
    # at most a second late: 1100.5 is stored as 1101
    assert isinstance(
        await s.check_and_reserve("", fingerprint(COPY), None, 1100.9), Match
    )
    late = await s.check_and_reserve("", fingerprint(COPY), None, 1101.01)
    assert isinstance(late, Reservation)
    await s.close()


@deferred_f_from_coro_f
async def test_a_retried_check_finds_its_own_entry(
    redis_server: RedisServer, prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same client-chosen id twice (a call resent after a dropped
    connection): the second sees its own entry, not a duplicate, and writes
    nothing more."""
    s = store(redis_server, prefix)
    await s.open()
    monkeypatch.setattr(store_module.secrets, "randbits", lambda bits: 0xC0FFEE)
    first = await s.check_and_reserve("", fingerprint(STORY), "u:1", 1000.0)
    again = await s.check_and_reserve("", fingerprint(STORY), "u:1", 1000.0)
    assert isinstance(first, Reservation)
    assert isinstance(again, Reservation)
    assert first.ref == again.ref == 0xC0FFEE
    (value,) = (await _fields(redis_server.url, prefix)).values()
    assert len(value) == ENTRY_SIZE
    monkeypatch.undo()
    match = await s.check_and_reserve("", fingerprint(COPY), None, 1000.0)
    assert isinstance(match, Match)
    assert match.ref == "000000c0ffee"
    await s.release(first)
    assert await _fields(redis_server.url, prefix) == {}
    await s.close()


@deferred_f_from_coro_f
async def test_urls_option_stores_kept_urls(
    redis_server: RedisServer, prefix: str
) -> None:
    """Without ``?urls=1`` another store object learns the kept article's id,
    and its URL only when the item's own URL is the kept one (fetched again);
    with it, the URL (the url map entry goes with a release)."""
    writer = store(redis_server, prefix)
    with_urls = store(redis_server.url + "?urls=1", prefix)
    reader = store(redis_server, prefix)
    for s in (writer, with_urls, reader):
        await s.open()
    kept = await writer.check_and_reserve(
        "", fingerprint(STORY), "https://a.example/1", 1000.0
    )
    assert isinstance(kept, Reservation)
    await writer.commit(kept, 1000.0)
    match = await reader.check_and_reserve(
        "", fingerprint(COPY), "https://b.example/2", 1000.0
    )
    assert match == Match(None, match.distance)
    assert match.ref == f"{kept.ref:012x}"
    again = await reader.check_and_reserve(
        "", fingerprint(STORY), "https://a.example/1", 1000.0
    )
    assert again == Match("https://a.example/1", 0)  # the same URL hash
    assert (
        await with_urls.check_and_reserve("", fingerprint(COPY), None, 1000.0)
    ).url is None
    other = await with_urls.check_and_reserve(
        "", fingerprint(OTHER), "https://c.example/3", 1000.0
    )
    assert isinstance(other, Reservation)
    await with_urls.commit(other, 1000.0)
    for s in (writer, reader, with_urls):
        seen = await s.check_and_reserve("", fingerprint(OTHER), None, 1000.0)
        assert isinstance(seen, Match)
        expected = "https://c.example/3" if s is with_urls else None
        assert seen.url == expected
    client = redis.asyncio.Redis.from_url(redis_server.url)
    ukey = fingerprint_base(prefix, "") + ":u"
    assert await client.hgetall(ukey) == {
        other.ref.to_bytes(6, "big"): b"https://c.example/3"
    }
    await reader.release(other)  # by another store object, which has no URLs on
    assert await client.exists(ukey) == 0
    await client.aclose()
    for s in (writer, with_urls, reader):
        await s.close()


def test_urls_option_parsing() -> None:
    assert split_options("redis://h:1/0") == ("redis://h:1/0", None)
    assert split_options("redis://h:1/0?urls=1") == ("redis://h:1/0", True)
    assert split_options("redis://h/0?db=2&urls=false&x=a%2Fb") == (
        "redis://h/0?db=2&x=a%2Fb",
        False,
    )
    with pytest.raises(ValueError, match="urls='maybe'"):
        split_options("redis://h/0?urls=maybe")
    s = RedisStore("redis://:pw@127.0.0.1:1/0?urls=on", prefix="x")
    assert s.store_urls
    assert s.display_uri == "redis://:***@127.0.0.1:1/0?urls=on"
    assert not RedisStore("redis://127.0.0.1:1/0", prefix="x").store_urls
    assert RedisStore("redis://127.0.0.1:1/0", prefix="x", store_urls=True).store_urls


@deferred_f_from_coro_f
async def test_every_low_bin_value_finds_only_its_own_entry(
    redis_server: RedisServer, prefix: str
) -> None:
    """128 fingerprints in one field, one per low 7-bit value (bytes that
    Lua patterns treat specially included: 0, letters, digits, ``%``, ``]``):
    each near copy finds exactly its original, pending or committed."""
    s = store(redis_server, prefix)
    await s.open()
    rng = random.Random(3)
    kept: dict[int, Reservation] = {}
    for low in rng.sample(range(128), 128):
        fp = Fingerprint(
            rng.getrandbits(64), sketch_of(5 << 7 | low, 1000 + low, 2000 + low), 1, 9
        )
        outcome = await s.check_and_reserve("", fp, f"u:{low}", 1000.0)
        assert isinstance(outcome, Reservation), low
        if low % 2:
            await s.commit(outcome, 1000.0)
        kept[low] = outcome
    fields = await _fields(redis_server.url, prefix)
    assert [len(v) for v in fields.values()] == [128 * ENTRY_SIZE]
    fresh = store(redis_server, prefix)  # no memo of the ids
    await fresh.open()
    for low, original in kept.items():
        fp = original.fingerprint
        near = Fingerprint(
            fp.simhash ^ 0b101, sketch_of(5 << 7 | low, 3000, 3000), 2, 9
        )
        match = await fresh.check_and_reserve("", near, None, 1000.0)
        assert match == Match(None, 2, pending=low % 2 == 0), low
        assert match.ref == f"{original.ref:012x}"
    await fresh.close()
    await s.close()
