"""One synchronous dispatcher of the item signals for every pipeline stage."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from pydispatch.dispatcher import getAllReceivers, liveReceivers
from scrapy import Spider, signals
from scrapy.utils.defer import deferred_f_from_coro_f
from scrapy.utils.test import get_crawler

from scrapy_newsclean import Addon
from scrapy_newsclean.crawl._item_signals import ItemSignals, PendingItems
from scrapy_newsclean.itemflow import DirectStore, ItemProcessor, ProcessConfig
from scrapy_newsclean.neardup import fingerprint
from scrapy_newsclean.stores import Reservation
from scrapy_newsclean.stores._base import ResolvesNow
from scrapy_newsclean.stores._memory import MemoryStore
from scrapy_newsclean.stores._sqlite import SQLiteStore
from scrapy_newsclean.testing import sighting
from tests.spiders import ArticleSpider, crawl

if TYPE_CHECKING:
    from collections.abc import Coroutine, Iterable
    from pathlib import Path

    import pytest
    from scrapy.crawler import Crawler

    from scrapy_newsclean.stores import TemplateSighting
    from tests.conftest import MockServer

STORY = " ".join(f"word{n} sentence{n % 7} about the harbour" for n in range(60))


def crawler_with_spider() -> Crawler:
    crawler = get_crawler(Spider)
    crawler.spider = Spider.from_crawler(crawler, name="items")
    return crawler


def receivers(crawler: Crawler, signal: object) -> list[Any]:
    return [
        r
        for r in liveReceivers(getAllReceivers(crawler.signals.sender, signal))
        if getattr(r, "__self__", None) is ItemSignals.of(crawler)
    ]


class Recorder:
    """Callbacks that record what they resolved, sync or async."""

    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []

    def scraped(self, value: Any) -> None:
        self.events.append(("scraped", value))

    def discarded(self, value: Any) -> None:
        self.events.append(("discarded", value))

    async def _later(self, event: str, value: Any) -> None:
        self.events.append((event, value))

    def scraped_later(self, value: Any) -> Coroutine[Any, Any, None]:
        return self._later("scraped", value)


def test_one_receiver_per_signal_for_every_stage() -> None:
    crawler = crawler_with_spider()
    first = PendingItems[int](crawler, Recorder().scraped, Recorder().discarded)
    second = PendingItems[int](crawler, Recorder().scraped, Recorder().discarded)
    assert first is not second
    for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
        assert len(receivers(crawler, signal)) == 1
    assert ItemSignals.of(crawler) is ItemSignals.of(crawler)
    assert ItemSignals.of(get_crawler(Spider)) is not ItemSignals.of(crawler)


def test_sync_callbacks_resolve_at_once_without_an_awaitable() -> None:
    crawler = crawler_with_spider()
    clean, dedup = Recorder(), Recorder()
    clean_pending = PendingItems[str](crawler, clean.scraped, clean.discarded)
    dedup_pending = PendingItems[str](crawler, dedup.scraped, dedup.discarded)
    kept, dropped, other = {"n": 1}, {"n": 2}, {"n": 3}
    clean_pending.add(kept, "clean kept")
    dedup_pending.add(kept, "dedup kept")
    dedup_pending.add(dropped, "dedup dropped")
    dispatcher = ItemSignals.of(crawler)
    assert dispatcher.item_scraped(kept) is None
    assert dispatcher.item_discarded(dropped) is None
    assert dispatcher.item_scraped(other) is None  # nothing pending: no-op
    assert clean.events == [("scraped", "clean kept")]
    assert dedup.events == [("scraped", "dedup kept"), ("discarded", "dedup dropped")]
    assert len(clean_pending) == len(dedup_pending) == 0
    assert dispatcher.item_discarded(kept) is None  # already resolved
    assert dedup.events[-1] == ("discarded", "dedup dropped")


@deferred_f_from_coro_f
async def test_awaitable_only_when_a_callback_must_wait() -> None:
    crawler = crawler_with_spider()
    sync, remote = Recorder(), Recorder()
    PendingItems[str](crawler, sync.scraped, sync.discarded).add(item := {}, "a")
    PendingItems[str](crawler, remote.scraped_later, remote.discarded).add(item, "b")
    waiting = ItemSignals.of(crawler).item_scraped(item)
    assert sync.events == [("scraped", "a")]  # the sync one did not wait
    assert remote.events == []
    assert waiting is not None
    await waiting
    assert remote.events == [("scraped", "b")]


@deferred_f_from_coro_f
async def test_replaced_item_stays_pending_until_close() -> None:
    crawler = crawler_with_spider()
    recorder = Recorder()
    pending = PendingItems[str](crawler, recorder.scraped, recorder.discarded)
    item = {"url": "https://example.com/a"}
    pending.add(item, "reserved")
    ItemSignals.of(crawler).item_scraped(dict(item))  # equal, not the same object
    assert recorder.events == []
    assert await pending.discard_all() == 1
    assert recorder.events == [("discarded", "reserved")]
    assert await pending.discard_all() == 0


def test_failing_callback_is_logged_and_others_still_resolve(
    caplog: pytest.LogCaptureFixture,
) -> None:
    crawler = crawler_with_spider()

    def broken(value: str) -> None:
        raise RuntimeError(value)

    recorder = Recorder()
    PendingItems[str](crawler, broken, recorder.discarded).add(item := {}, "boom")
    PendingItems[str](crawler, recorder.scraped, recorder.discarded).add(item, "ok")
    with caplog.at_level(logging.ERROR, logger="scrapy_newsclean.crawl._item_signals"):
        assert ItemSignals.of(crawler).item_scraped(item) is None
    assert recorder.events == [("scraped", "ok")]
    assert "RuntimeError: boom" in caplog.text


class AsyncOnlyStore:
    """A store without the synchronous methods (like a network store)."""

    def __init__(self) -> None:
        self.inner = MemoryStore()
        self.calls: list[str] = []

    async def ready(self) -> AsyncOnlyStore:
        return self

    async def check_and_reserve(self, *args: Any) -> Any:
        return await self.inner.check_and_reserve(*args)

    async def commit(self, reservation: Reservation, now: float) -> None:
        self.calls.append("commit")
        await self.inner.commit(reservation, now)

    async def release(self, reservation: Reservation) -> None:
        self.calls.append("release")
        await self.inner.release(reservation)

    async def template_counts(self, site: str, keys: Iterable[int], now: float) -> Any:
        return await self.inner.template_counts(site, keys, now)

    async def add_template_keys(self, sighting: TemplateSighting, now: float) -> None:
        self.calls.append("learn")
        await self.inner.add_template_keys(sighting, now)


class Counts:
    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def inc(self, event: str, count: int = 1, site: str | None = None) -> None:
        self.counts[event] = self.counts.get(event, 0) + count

    def note(self, url: str | None, message: str) -> None:
        pass

    def warn(self, url: str | None, message: str) -> None:
        pass

    def drop(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError(args)


async def _no_sleep(delay: float) -> None:
    pass


async def reserve(processor: ItemProcessor, text: str) -> Reservation:
    store = await processor._ready()
    outcome = await store.check_and_reserve("", fingerprint(text), "u", 0.0)
    assert isinstance(outcome, Reservation)
    return outcome


@deferred_f_from_coro_f
async def test_processor_resolves_now_on_local_stores_only() -> None:
    memory = MemoryStore()
    assert isinstance(memory, ResolvesNow)
    local = ItemProcessor(ProcessConfig(), DirectStore(memory), Counts(), _no_sleep)
    kept = await reserve(local, STORY)
    assert local.commit_now(kept) is None
    assert local.learn_now(sighting("example.com", [1, 2])) is None
    counts = await memory.template_counts("example.com", [1, 2], time.time())
    assert counts == {1: 1, 2: 1}
    assert local.release_now(await reserve(local, "other words " * 40)) is None
    assert len(memory) == 1
    remote_store = AsyncOnlyStore()
    assert not isinstance(remote_store, ResolvesNow)
    effects = Counts()
    remote = ItemProcessor(ProcessConfig(), remote_store, effects, _no_sleep)
    for waiting in (
        remote.commit_now(await reserve(remote, STORY)),
        remote.release_now(await reserve(remote, "other words " * 40)),
        remote.learn_now(sighting("example.com", [3])),
    ):
        assert waiting is not None
        await waiting
    assert remote_store.calls == ["commit", "release", "learn"]
    assert effects.counts["duplicate/committed"] == 1
    assert effects.counts["duplicate/released"] == 1


@deferred_f_from_coro_f
async def test_sqlite_sync_resolution_persists(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    store = SQLiteStore(path)
    await store.open()
    processor = ItemProcessor(ProcessConfig(), DirectStore(store), Counts(), _no_sleep)
    assert processor.commit_now(await reserve(processor, STORY)) is None
    assert processor.learn_now(sighting("example.com", [7])) is None
    await store.close()
    reopened = SQLiteStore(path)
    await reopened.open()
    again = await reopened.check_and_reserve("", fingerprint(STORY), "v", 1.0)
    assert not isinstance(again, Reservation)
    assert await reopened.template_counts("example.com", [7], time.time()) == {7: 1}
    await reopened.close()


class ReplaceItem:
    """A storage pipeline that returns a copy instead of the item it got."""

    def process_item(self, item: Any) -> Any:
        return dict(item)


@deferred_f_from_coro_f
async def test_crawl_with_a_replacing_pipeline_commits_nothing(
    mockserver: MockServer,
) -> None:
    urls = [mockserver.url(f"/site/seed_00{n}.html") for n in (0, 3)]
    settings = {
        "ADDONS": {Addon: 500},
        "NEWSCLEAN_STORE": "memory://",
        "CONCURRENT_REQUESTS": 1,
        "ITEM_PIPELINES": {ReplaceItem: 900},
    }
    result = await crawl(urls, settings, spidercls=ArticleSpider)
    assert len(result.items) == 2
    assert result.stat("newsclean/duplicate/committed") is None
    assert result.stat("newsclean/duplicate/unresolved") == 2
    assert result.stat("newsclean/duplicate/released") == 2
