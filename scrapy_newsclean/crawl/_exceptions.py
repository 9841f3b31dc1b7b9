"""Exceptions raised by scrapy-newsclean components.

They subclass Scrapy's own exceptions so that Scrapy's core stats
(``downloader/exception_type_count/...``, ``item_dropped_reasons_count/...``)
name them, and they carry the reason token used in stats and logs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy.exceptions import DropItem, IgnoreRequest

if TYPE_CHECKING:
    from scrapy.http import Response


class ErrorPageIgnored(IgnoreRequest):
    """An error, block or soft-error page was dropped before the spider saw it."""

    def __init__(
        self, response: Response, reason: str, *args: Any, **kwargs: Any
    ) -> None:
        self.response = response
        self.reason = reason
        super().__init__(*args, **kwargs)


class EmptyAfterClean(DropItem):
    """Cleaning removed all of an item's text (see :setting:`NEWSCLEAN_KEEP_EMPTY`)."""


class NearDuplicateItem(DropItem):
    """The item nearly duplicates an article already kept (or is one, re-fetched).

    Its reason is ``near_duplicate``, or ``already_stored`` for the same URL.
    """


class StoreFailureItem(DropItem):
    """The fingerprint store was unreachable and NEWSCLEAN_STORE_FAILURE is "drop"."""


class NoTextItem(DropItem):
    """The item had no text to fingerprint and NEWSCLEAN_NO_TEXT_ACTION is "drop"."""
