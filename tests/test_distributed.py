"""Several crawler processes sharing one real Redis; Redis going away and back."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.utils.defer import deferred_f_from_coro_f

from scrapy_newsclean import Addon
from tests.conftest import ROOT, free_port, require_redis_server, start_redis
from tests.spiders import ArticleSpider, crawl

if TYPE_CHECKING:
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
