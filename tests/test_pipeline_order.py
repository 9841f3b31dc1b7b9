"""newsclean among other pipelines (#12): news-please's and scrapy-redis's layouts.

Storage must receive only cleaned, deduplicated items; the order is logged at
start and a storage-like pipeline before newsclean's is warned about; a
placeholder text (newsclean before the extractor) is never a duplicate.
"""

from __future__ import annotations

import json
import logging
import shutil
import uuid
from typing import TYPE_CHECKING, Any

import pytest
import redis
import scrapy
from scrapy.utils.defer import deferred_f_from_coro_f

from scrapy_newsclean import Addon, CleanTextPipeline, NearDuplicatePipeline
from scrapy_newsclean.crawl._startup import looks_like_storage
from tests.layouts import NEWS_PLEASE_PIPELINES, STORED, NewsPleaseSpider
from tests.spiders import ArticleSpider, UrlListSpider, crawl
from tests.test_startup import (
    SCRAPY_REDIS,
    STORIES,
    error_lines,
    run,
    scrapy_process,
    scrapy_redis_settings,
    story_urls,
)

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

    from scrapy.http import Response

    from tests.conftest import MockServer, RedisServer
    from tests.spiders import CrawlResult

ADDON: dict[str, Any] = {"ADDONS": {Addon: 500}, "NEWSCLEAN_STORE": "memory://"}
COPYRIGHT = "All rights reserved"


def messages(caplog: pytest.LogCaptureFixture, level: int, logger: str) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno == level and r.name == f"scrapy_newsclean.{logger}"
    ]


def story_of(url: str) -> int:
    return int(url.rstrip("/").split("/")[-2])


async def crawl_news_please(
    mockserver: MockServer, newsclean: dict[type, int] | None = None
) -> tuple[CrawlResult, dict[str, list[dict[str, Any]]]]:
    """The stories crawled in news-please's layout, with the add-on (and
    newsclean's pipelines at the priorities given); the crawl and what its
    storages received."""
    settings = {
        **ADDON,
        "ITEM_PIPELINES": {**NEWS_PLEASE_PIPELINES, **(newsclean or {})},
    }
    result = await crawl(story_urls(mockserver), settings, spidercls=NewsPleaseSpider)
    return result, STORED.pop(result.crawler)


@deferred_f_from_coro_f
async def test_news_please_layout_storage_gets_cleaned_unique_items(
    mockserver: MockServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    _, stored = await crawl_news_please(mockserver)
    for name in ("HtmlFileStorage", "JsonFileStorage"):
        items = stored[name]
        assert sorted(story_of(i["url"]) for i in items) == list(range(STORIES))
        assert all(i["article_text"] != "NULL" for i in items)
        assert not any(COPYRIGHT in i["article_text"] for i in items)
    assert messages(caplog, logging.INFO, "crawl._startup")[1] == (
        "scrapy-newsclean: item pipelines in order:"
        " 100 tests.layouts.ArticleMasterExtractor,"
        " 170 CleanTextPipeline (newsclean), 190 NearDuplicatePipeline (newsclean),"
        " 200 tests.layouts.HtmlFileStorage, 300 tests.layouts.JsonFileStorage"
    )
    assert messages(caplog, logging.WARNING, "crawl._startup") == []


@deferred_f_from_coro_f
async def test_storage_before_newsclean_is_warned_at_start(
    mockserver: MockServer, caplog: pytest.LogCaptureFixture
) -> None:
    """The issue's layout: newsclean's former 300/800 after news-please's storage."""
    newsclean = {CleanTextPipeline: 300, NearDuplicatePipeline: 800}
    _, stored = await crawl_news_please(mockserver, newsclean)
    assert len(stored["HtmlFileStorage"]) == 2 * STORIES  # every copy stored
    assert messages(caplog, logging.WARNING, "crawl._startup") == [
        (
            "scrapy-newsclean: tests.layouts.HtmlFileStorage (200),"
            " tests.layouts.JsonFileStorage (300) looks like storage or export but"
            " runs before NearDuplicatePipeline (800), so it receives items not yet"
            " cleaned and deduplicated: give it a higher ITEM_PIPELINES number"
            " (README: Pipeline order)"
        )
    ]


@pytest.mark.parametrize(
    ("name", "storage"),
    [
        ("scrapy_redis.pipelines.RedisPipeline", True),
        ("newsplease.pipeline.pipelines.HtmlFileStorage", True),
        ("newsplease.pipeline.pipelines.ElasticsearchStorage", True),
        ("newsplease.pipeline.pipelines.MySQLStorage", True),
        ("myproject.pipelines.MongoDBPipeline", True),
        ("myproject.pipelines.JsonWriterPipeline", True),
        ("myproject.pipelines.SaveToPostgres", True),
        ("newsplease.pipeline.pipelines.ArticleMasterExtractor", False),
        ("newsplease.pipeline.pipelines.DateFilter", False),
        ("myproject.pipelines.PricePipeline", False),
        ("myproject.pipelines.DuplicatesPipeline", False),
        ("scrapy.pipelines.images.ImagesPipeline", False),
    ],
    ids=lambda value: str(value).rsplit(".", 1)[-1],
)
def test_storage_heuristic(name: str, storage: bool) -> None:
    module, _, cls = name.rpartition(".")
    component = type(cls, (), {"__module__": module})
    assert looks_like_storage(component) is storage


@deferred_f_from_coro_f
async def test_placeholder_text_is_no_text_and_warned_once(
    mockserver: MockServer, caplog: pytest.LogCaptureFixture
) -> None:
    """Newsclean placed before the extractor sees news-please's "NULL" text."""
    newsclean = {CleanTextPipeline: 50, NearDuplicatePipeline: 60}
    result, _ = await crawl_news_please(mockserver, newsclean)
    assert len(result.items) == 2 * STORIES  # never near-duplicates of each other
    assert result.stat("newsclean/duplicate/dropped") is None
    no_text = "newsclean/duplicate/no_text/reason_count/too_short"
    assert result.stat(no_text) == 2 * STORIES
    assert messages(caplog, logging.WARNING, "crawl._pipelines") == [
        (
            "5 items in a row have the same text 'NULL' in field 'article_text': a"
            " placeholder that a later pipeline fills in? Then newsclean's pipelines"
            " run too early: give them higher ITEM_PIPELINES numbers than that"
            " pipeline (the order is logged at start; README: Pipeline order)"
        )
    ]


class ReportlessItem(scrapy.Item):
    url = scrapy.Field()
    body = scrapy.Field()


class ReportlessSpider(UrlListSpider):
    name = "reportless"

    def parse(self, response: Response) -> Iterable[ReportlessItem]:
        body = "\n".join(response.css("body p::text").getall())
        yield ReportlessItem(url=response.url, body=body)


@deferred_f_from_coro_f
async def test_report_field_missing_on_the_item_class_is_said_once(
    mockserver: MockServer, caplog: pytest.LogCaptureFixture
) -> None:
    urls = [mockserver.url(f"/story/{n}/0") for n in range(3)]
    settings = {**ADDON, "NEWSCLEAN_REPORT_FIELD": "newsclean"}
    result = await crawl(urls, settings, spidercls=ReportlessSpider)
    assert len(result.items) == 3
    assert result.stat("newsclean/clean/field_undeclared") == 3
    [message] = messages(caplog, logging.WARNING, "crawl._pipelines")
    url, text = message.split(": ", 1)
    assert url in urls
    assert text == (
        "NEWSCLEAN_REPORT_FIELD is 'newsclean', which is not a field of"
        " tests.test_pipeline_order.ReportlessItem: declare newsclean ="
        " scrapy.Field() there - no more will be shown (stat"
        " newsclean/clean/field_undeclared counts the items)"
    )


@deferred_f_from_coro_f
async def test_default_store_outlives_jobdir(
    mockserver: MockServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """news-please deletes JOBDIR at every start without --resume."""
    caplog.set_level(logging.INFO)
    monkeypatch.chdir(tmp_path)
    jobdir = tmp_path / "job"
    settings = {"ADDONS": {Addon: 500}, "JOBDIR": str(jobdir)}
    urls = [mockserver.url(f"/story/{n}/0") for n in range(3)]
    first = await crawl(urls, settings, spidercls=ArticleSpider)
    assert len(first.items) == 3
    shutil.rmtree(jobdir)
    second = await crawl(urls, settings, spidercls=ArticleSpider)
    assert second.items == []  # all already stored by the first run
    assert second.stat("newsclean/duplicate/dropped/reason_count/already_stored") == 3
    store = tmp_path / ".scrapy" / "newsclean" / "state.db"
    assert (
        messages(caplog, logging.INFO, "crawl._crawler_store")
        == [f"scrapy-newsclean store: sqlite:///{store}"] * 2
    )
    assert messages(caplog, logging.WARNING, "crawl._startup") == []


@deferred_f_from_coro_f
async def test_store_inside_jobdir_is_warned(
    mockserver: MockServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    jobdir = tmp_path / "job"
    uri = f"sqlite:///{jobdir / 'state.db'}"
    settings = {"ADDONS": {Addon: 500}, "JOBDIR": str(jobdir), "NEWSCLEAN_STORE": uri}
    await crawl([mockserver.url("/story/1/0")], settings, spidercls=ArticleSpider)
    [warning] = messages(caplog, logging.WARNING, "crawl._startup")
    assert warning.startswith(
        f"scrapy-newsclean store {uri} is inside JOBDIR {jobdir}: a new job deletes"
        " that directory (news-please does at every start without --resume)"
    )


def test_scrapy_redis_layout_two_workers(
    mockserver: MockServer, redis_server: RedisServer, tmp_path: Path
) -> None:
    """Two scrapy-redis workers, one queue, one Redis store, RedisPipeline at 300."""
    key = uuid.uuid4().hex
    settings = {
        **scrapy_redis_settings(redis_server.url, key),
        "REDIS_ITEMS_KEY": f"{key}:items",
        # scrapy-redis's README line, and its priority
        "ITEM_PIPELINES": json.dumps({"scrapy_redis.pipelines.RedisPipeline": 300}),
        "NEWSCLEAN_STORE": redis_server.url,
        "NEWSCLEAN_STORE_PREFIX": key,
    }
    workers = [
        scrapy_process(tmp_path, settings, story_urls(mockserver)) for _ in range(2)
    ]
    for worker in workers:
        stderr = run(worker)
        assert error_lines(stderr) == [], stderr
        assert f"SCHEDULER {SCRAPY_REDIS} is shared between processes" in stderr
        assert (
            "item pipelines in order: 170 CleanTextPipeline (newsclean),"
            " 190 NearDuplicatePipeline (newsclean),"
            " 300 scrapy_redis.pipelines.RedisPipeline"
        ) in stderr
        assert "looks like storage or export" not in stderr
    client = redis.Redis.from_url(redis_server.url)
    try:
        items = [json.loads(raw) for raw in client.lrange(f"{key}:items", 0, -1)]
    finally:
        client.close()
    assert sorted(story_of(item["url"]) for item in items) == list(range(STORIES))
    assert not any(COPYRIGHT in item["body"] for item in items)
