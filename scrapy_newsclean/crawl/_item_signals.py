"""Hold per-item work until Scrapy says whether the item reached storage.

A pipeline *reserves* something for an item (a fingerprint, template counts)
in its :class:`PendingItems`, which calls back ``on_scraped`` when the item
passed every later pipeline (``item_scraped``) or ``on_discarded`` when a later
pipeline dropped it or failed (``item_dropped``, ``item_error``). Entries still
open when the spider closes are discarded: newsclean never keeps state for an
item it could not see reach storage.

One :class:`ItemSignals` per crawler receives the three signals for every
:class:`PendingItems`, with a synchronous handler: a callback resolves its
entry at once and returns ``None``, or returns an awaitable when its store
really has to wait (a network store). Only then does the handler return a
coroutine for Scrapy to await, so a crawl on a local store costs Scrapy one
plain call per item and signal, not a coroutine per pipeline.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from scrapy import signals

from scrapy_newsclean.crawl._per_crawler import PerCrawler

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Coroutine

    from scrapy.crawler import Crawler

T = TypeVar("T")

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class _Entry(Generic[T]):
    item: Any  # kept so that id(item) cannot be reused while pending
    value: T


class PendingItems(Generic[T]):
    """Map one stage's in-flight items to a reservation, resolved by signals."""

    def __init__(
        self,
        crawler: Crawler,
        on_scraped: Callable[[T], Awaitable[None] | None],
        on_discarded: Callable[[T], Awaitable[None] | None],
    ) -> None:
        self._entries: dict[int, _Entry[T]] = {}
        self.on_scraped = on_scraped
        self.on_discarded = on_discarded
        ItemSignals.of(crawler).register(self)

    def __len__(self) -> int:
        return len(self._entries)

    def add(self, item: Any, value: T) -> None:
        self._entries[id(item)] = _Entry(item, value)

    def pop(self, item: Any) -> T | None:
        """The value held for this very object (not a replacement), removed."""
        entry = self._entries.get(id(item))
        if entry is None or entry.item is not item:
            return None
        del self._entries[id(item)]
        return entry.value

    async def discard_all(self) -> int:
        """Discard every open entry (at close); return how many there were."""
        entries, self._entries = self._entries, {}
        for entry in entries.values():
            result = self.on_discarded(entry.value)
            if result is not None:
                await result
        return len(entries)


class ItemSignals(PerCrawler):
    """The crawler's single receiver of the item signals for every stage."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._stages: list[PendingItems[Any]] = []
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(self.item_discarded, signal=signals.item_dropped)
        crawler.signals.connect(self.item_discarded, signal=signals.item_error)

    def register(self, pending: PendingItems[Any]) -> None:
        """Resolve *pending*'s entries too (in registration order)."""
        self._stages.append(pending)

    def item_scraped(self, item: Any) -> Coroutine[Any, Any, None] | None:
        """Commit every stage's entry for *item*; awaitable only if one must wait."""
        return self._resolve(item, scraped=True)

    def item_discarded(self, item: Any) -> Coroutine[Any, Any, None] | None:
        """Release every stage's entry for *item* (dropped, or a pipeline failed)."""
        return self._resolve(item, scraped=False)

    def _resolve(self, item: Any, scraped: bool) -> Coroutine[Any, Any, None] | None:
        waits: list[Awaitable[None]] = []
        for stage in self._stages:
            if not stage._entries:  # the per-item fast path: nothing pending
                continue
            value = stage.pop(item)
            if value is None:
                continue
            callback = stage.on_scraped if scraped else stage.on_discarded
            try:
                result = callback(value)
            except Exception:
                logger.exception("Error resolving an item with %r", callback)
                continue
            if result is not None:
                waits.append(result)
        return _wait_all(waits) if waits else None


async def _wait_all(waits: list[Awaitable[None]]) -> None:
    """Await each in turn; one failure is logged and does not stop the rest."""
    for wait in waits:
        await _logged(wait)


async def _logged(wait: Awaitable[None]) -> None:
    try:
        await wait
    except Exception:
        logger.exception("Error resolving an item")
