"""Several crawler processes sharing one real Redis; Redis going away and back."""

from __future__ import annotations

import asyncio
import json
import logging
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import redis.asyncio
from parsel import Selector
from scrapy.utils.defer import deferred_f_from_coro_f

from scrapy_newsclean import Addon
from scrapy_newsclean.neardup import fingerprint
from scrapy_newsclean.stores import Match, Reservation
from scrapy_newsclean.stores._redis._store import RedisStore
from tests.conftest import ROOT, free_port, require_redis_server, start_redis
from tests.mockserver import story_page
from tests.spiders import ArticleSpider, crawl

if TYPE_CHECKING:
    import pytest
    from scrapy.crawler import Crawler

    from tests.conftest import MockServer, RedisServer
    from tests.spiders import CrawlResult

STORIES = 50


def read_items(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


def story_urls(mockserver: MockServer, outlet: int) -> list[str]:
    return [mockserver.url(f"/story/{n}/{outlet}") for n in range(STORIES)]


def rotate(urls: list[str], start: int) -> list[str]:
    return urls[start:] + urls[:start]


def test_three_processes_keep_exactly_one_copy_of_each_story(
    mockserver: MockServer, redis_server: RedisServer, tmp_path: Path
) -> None:
    prefix = f"dist-{uuid.uuid4().hex}"
    outs = [tmp_path / f"items-{outlet}.jsonl" for outlet in range(3)]
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.crawl_process",
                str(out),
                redis_server.url,
                prefix,
                # each process starts at another story, so they overlap
                *rotate(story_urls(mockserver, outlet), outlet * 17),
            ],
            cwd=ROOT,
        )
        for outlet, out in enumerate(outs)
    ]
    for proc in procs:
        assert proc.wait(timeout=180) == 0
    items = [item for out in outs for item in read_items(out)]
    stories = sorted(int(item["url"].split("/")[-2]) for item in items)
    assert stories == list(range(STORIES))  # every story once, across processes


def worker(settings: dict[str, Any], urls: list[str]) -> subprocess.Popen[bytes]:
    """A crawler worker process (``tests.worker_process``) on these settings."""
    return subprocess.Popen(
        [sys.executable, "-m", "tests.worker_process", json.dumps(settings), *urls],
        cwd=ROOT,
    )


def story_text(number: int, outlet: int) -> str:
    """Story *number*'s paragraphs as *outlet* publishes them (no copyright line)."""
    paragraphs = Selector(story_page(number, outlet)).css("body p::text").getall()
    return "\n".join(paragraphs[:-1])


def check_copy(url: str, prefix: str, text: str) -> Match | Reservation:
    """What a worker checking *text* now gets (a Reservation is released at once)."""

    async def check() -> Match | Reservation:
        store = RedisStore(url, prefix=prefix)
        await store.open()
        outcome = await store.check_and_reserve(
            "", fingerprint(text), None, time.time()
        )
        await store.close()
        return outcome

    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, check()).result()


def test_a_killed_worker_never_costs_another_worker_an_item(
    mockserver: MockServer, redis_server: RedisServer, tmp_path: Path
) -> None:
    stories, lease = 12, 2.0
    shared = {
        "NEWSCLEAN_STORE": redis_server.url,
        "NEWSCLEAN_STORE_PREFIX": f"kill-{uuid.uuid4().hex}",
        "NEWSCLEAN_DEDUP_LEASE": lease,
        "NEWSCLEAN_DEDUP_HEARTBEAT": lease / 8,
        "NEWSCLEAN_DEDUP_PENDING_WAIT": 20.0,
    }
    held = tmp_path / "held"
    held.mkdir()
    victim = worker(
        {
            **shared,
            "ITEM_PIPELINES": {"tests.worker_process.HoldItems": 850},
            "TEST_HOLD_DIR": str(held),
        },
        story_urls(mockserver, 0)[:stories],
    )
    deadline = time.monotonic() + 120
    while len(list(held.glob("*.held"))) < stories:  # every story reserved, held
        assert victim.poll() is None
        assert time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(1.5 * lease)  # only the victim's heartbeat keeps them now
    waiting = check_copy(
        redis_server.url, shared["NEWSCLEAN_STORE_PREFIX"], story_text(0, 3)
    )
    assert isinstance(waiting, Match)
    assert waiting.pending
    assert waiting.url is None  # another process's URL: not stored by default
    assert waiting.ref is not None
    victim.kill()  # SIGKILL: no close, no release
    victim.wait(timeout=30)
    outs = [tmp_path / f"items-{outlet}.jsonl" for outlet in (1, 2)]
    rejects = tmp_path / "rejects.jsonl"
    survivors = [
        worker(
            {
                **shared,
                "FEEDS": {str(out): {"format": "jsonlines"}},
                "NEWSCLEAN_REJECTS": str(rejects),
            },
            rotate(story_urls(mockserver, outlet)[:stories], outlet * 5),
        )
        for outlet, out in zip((1, 2), outs, strict=True)
    ]
    for proc in survivors:
        assert proc.wait(timeout=180) == 0
    items = [item for out in outs for item in read_items(out)]
    numbers = sorted(int(item["url"].split("/")[-2]) for item in items)
    assert numbers == list(range(stories))  # nothing lost, nothing stored twice
    dead = set(story_urls(mockserver, 0))
    stored = {item["url"] for item in items}
    for record in read_items(rejects):  # each drop names an article that was stored
        assert record["reason"] == "near_duplicate"
        assert record["duplicate_ref"] != waiting.ref  # not the dead worker's
        # its URL when the same survivor kept it (its memo), else only its id
        assert record["duplicate_of"] is None or record["duplicate_of"] in stored
        assert record["duplicate_of"] not in dead


@deferred_f_from_coro_f
async def test_an_item_whose_original_stays_in_flight_is_kept(
    mockserver: MockServer,
    redis_server: RedisServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="scrapy_newsclean")
    prefix = f"wait-{uuid.uuid4().hex}"
    holder = RedisStore(redis_server.url, prefix=prefix)  # another, live worker
    await holder.open()
    held = await holder.check_and_reserve(
        "", fingerprint(story_text(0, 0)), "u:in-flight", time.time()
    )
    assert isinstance(held, Reservation)
    settings = {
        "ADDONS": {Addon: 500},
        "NEWSCLEAN_STORE": redis_server.url,
        "NEWSCLEAN_STORE_PREFIX": prefix,
        "NEWSCLEAN_DEDUP_PENDING_WAIT": 0.5,
    }
    result = await crawl(
        story_urls(mockserver, 1)[:1], settings, spidercls=ArticleSpider
    )
    await holder.close()
    assert len(result.items) == 1
    assert result.stat("newsclean/duplicate/pending_timeout_passed") == 1
    assert result.stat("newsclean/duplicate/dropped") is None
    (message,) = [m for *_, m in caplog.record_tuples if "pending_timeout" in m]
    # another process's reservation: named by its id (URLs are not stored)
    assert f"fingerprint {held.ref:012x} (URL not stored)" in message


@deferred_f_from_coro_f
async def test_every_key_a_crawl_writes_expires(
    mockserver: MockServer, redis_server: RedisServer
) -> None:
    """Template hashes expire as fingerprint keys do: the TTL + the lease + a day."""
    prefix, ttl, lease = f"ttl-{uuid.uuid4().hex}", 3600.0, 15.0
    settings = {
        "ADDONS": {Addon: 500},
        "NEWSCLEAN_STORE": redis_server.url,
        "NEWSCLEAN_STORE_PREFIX": prefix,
        "NEWSCLEAN_DEDUP_TTL": ttl,
        "NEWSCLEAN_DEDUP_LEASE": lease,
    }
    result = await crawl(
        story_urls(mockserver, 0)[:4], settings, spidercls=ArticleSpider
    )
    assert len(result.items) == 4
    client = redis.asyncio.Redis.from_url(redis_server.url)
    keys = sorted([key.decode() async for key in client.scan_iter(f"{prefix}:*")])
    ttls = {key: await client.ttl(key) for key in keys}
    await client.aclose()
    assert any(":tpl:" in key for key in keys)
    assert any(":fp:" in key for key in keys)
    # only the fingerprint version stays, one small key per prefix
    assert ttls.pop(f"{prefix}:meta") == -1
    for key, seconds in ttls.items():
        assert 0 < seconds <= ttl + lease + 86400, key


@deferred_f_from_coro_f
async def test_redis_down_at_start_items_pass_by_default(
    mockserver: MockServer, tmp_path: Path
) -> None:
    dead = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    urls = story_urls(mockserver, 0)[:3] + story_urls(mockserver, 1)[:3]
    settings = {"ADDONS": {Addon: 500}, "NEWSCLEAN_STORE": dead}
    result = await crawl(urls, settings, spidercls=ArticleSpider)
    assert len(result.items) == 6  # no dedup possible, nothing lost
    assert result.stat("newsclean/store/unavailable") == failed_store_calls(result)
    assert result.stat("newsclean/duplicate/store_unavailable_passed") == 6


@deferred_f_from_coro_f
async def test_redis_down_with_drop_policy(
    mockserver: MockServer, tmp_path: Path
) -> None:
    rejects = tmp_path / "rejects.jsonl"
    settings = {
        "ADDONS": {Addon: 500},
        "NEWSCLEAN_STORE": "redis://:hunter2@127.0.0.1:1/0",
        "NEWSCLEAN_STORE_FAILURE": "drop",
        "NEWSCLEAN_REJECTS": str(rejects),
    }
    result = await crawl(
        story_urls(mockserver, 0)[:2], settings, spidercls=ArticleSpider
    )
    assert result.items == []
    assert (
        result.stat("newsclean/duplicate/dropped/reason_count/store_unavailable") == 2
    )
    records = rejects.read_text()
    assert records.count('"reason": "store_unavailable"') == 2
    assert "hunter2" not in records


@deferred_f_from_coro_f
async def test_store_outage_is_counted_once_per_failed_call(
    mockserver: MockServer, tmp_path: Path
) -> None:
    require_redis_server()
    server = start_redis(tmp_path)  # a real server, then a real outage
    server.proc.terminate()
    server.proc.wait(timeout=10)
    urls = story_urls(mockserver, 0)[:3]
    settings = {
        "ADDONS": {Addon: 500},
        "CONCURRENT_REQUESTS": 1,
        "NEWSCLEAN_STORE": server.url,
        "NEWSCLEAN_CLEAN_ENABLED": False,  # one store call per item: the check
    }
    result = await crawl(urls, settings, spidercls=ArticleSpider)
    assert len(result.items) == 3
    assert result.stat("newsclean/duplicate/store_unavailable_passed") == 3
    # The failed open at start is not counted on top of the items' failed checks.
    assert result.stat("newsclean/store/unavailable") == 3


def failed_store_calls(result: CrawlResult) -> int:
    """The stage counters whose sum ``newsclean/store/unavailable`` must equal."""
    keys = (
        "clean/template_store_unavailable",
        "duplicate/store_unavailable_passed",
        "duplicate/dropped/reason_count/store_unavailable",
        "duplicate/commit_failed",
        "duplicate/release_failed",
    )
    return sum(result.stat(f"newsclean/{key}") or 0 for key in keys)


class RedisOutage:
    """A later pipeline that stops Redis after item 2 and starts it after item 4."""

    def __init__(self, crawler: Crawler) -> None:
        self.port = crawler.settings.getint("TEST_REDIS_PORT")
        self.directory = Path(crawler.settings["TEST_REDIS_DIR"])
        self.server: RedisServer | None = start_redis(self.directory, self.port)
        self.seen = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisOutage:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        self.seen += 1
        if self.seen == 2 and self.server is not None:
            self.server.proc.terminate()
            self.server.proc.wait(timeout=10)
            self.server = None
        elif self.seen == 4:
            self.server = start_redis(self.directory, self.port)
        return item

    def close_spider(self) -> None:
        if self.server is not None:
            self.server.proc.terminate()
            self.server.proc.wait(timeout=10)


@deferred_f_from_coro_f
async def test_redis_going_away_mid_crawl_and_coming_back(
    mockserver: MockServer, tmp_path: Path
) -> None:
    require_redis_server()
    port = free_port()
    urls = [*story_urls(mockserver, 0)[:5], story_urls(mockserver, 1)[4]]
    settings = {
        "ADDONS": {Addon: 500},
        "CONCURRENT_REQUESTS": 1,
        "NEWSCLEAN_STORE": f"redis://127.0.0.1:{port}/0",
        "ITEM_PIPELINES": {RedisOutage: 850},
        "TEST_REDIS_PORT": port,
        "TEST_REDIS_DIR": str(tmp_path),
    }
    result = await crawl(urls, settings, spidercls=ArticleSpider)
    stories = sorted(int(item["url"].split("/")[-2]) for item in result.items)
    assert stories == [0, 1, 2, 3, 4]  # one copy of story 4 (either may win)
    # which items meet the outage depends on how pipelines overlap: at least one
    assert result.stat("newsclean/duplicate/store_unavailable_passed") >= 1
    assert result.stat("newsclean/store/unavailable") == failed_store_calls(result)
    assert (
        result.stat("newsclean/duplicate/dropped/reason_count/near_duplicate") == 1
    )  # Redis is back
