"""Hold per-item work until Scrapy says whether the item reached storage.

A pipeline *reserves* something for an item (a fingerprint, template counts)
and :class:`PendingItems` calls back ``on_scraped`` when the item passed every
later pipeline (``item_scraped``) or ``on_discarded`` when a later pipeline
dropped it or failed (``item_dropped``, ``item_error``). Entries still open when
the spider closes are discarded: newsclean never keeps state for an item it
could not see reach storage.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from scrapy import signals

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from scrapy.crawler import Crawler

T = TypeVar("T")


@dataclass(slots=True)
class _Entry(Generic[T]):
    item: Any  # kept so that id(item) cannot be reused while pending
    value: T


class PendingItems(Generic[T]):
    """Map in-flight items to a reservation, resolved by Scrapy's item signals."""

    def __init__(
        self,
        crawler: Crawler,
        on_scraped: Callable[[T], Awaitable[None]],
        on_discarded: Callable[[T], Awaitable[None]],
    ) -> None:
        self._entries: dict[int, _Entry[T]] = {}
        self._on_scraped = on_scraped
        self._on_discarded = on_discarded
        crawler.signals.connect(self._item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(self._item_discarded, signal=signals.item_dropped)
        crawler.signals.connect(self._item_discarded, signal=signals.item_error)

    def __len__(self) -> int:
        return len(self._entries)

    def add(self, item: Any, value: T) -> None:
        self._entries[id(item)] = _Entry(item, value)

    def _pop(self, item: Any) -> T | None:
        entry = self._entries.get(id(item))
        if entry is None or entry.item is not item:
            return None
        del self._entries[id(item)]
        return entry.value

    async def _item_scraped(self, item: Any) -> None:
        value = self._pop(item)
        if value is not None:
            await self._on_scraped(value)

    async def _item_discarded(self, item: Any) -> None:
        value = self._pop(item)
        if value is not None:
            await self._on_discarded(value)

    async def discard_all(self) -> int:
        """Discard every open entry (at close); return how many there were."""
        entries, self._entries = self._entries, {}
        for entry in entries.values():
            await self._on_discarded(entry.value)
        return len(entries)
