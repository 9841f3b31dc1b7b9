"""Hand the cleaning pipeline what each item's page tells about its blocks.

:class:`PageEvidenceMiddleware` (a spider middleware) sees every item with the
response it came from. It builds the page's
:class:`~scrapy_newsclean.cleaning.PageEvidence` from the tree Scrapy already
parsed for the spider (``response.selector.root``: no second parse) and keeps
it, not the response, until :class:`CleanTextPipeline` takes it
(:meth:`PageEvidenceBoard.take`). Items that never reach the pipeline are
forgotten on Scrapy's item signals, and the board is bounded.
"""

from __future__ import annotations

import logging
import weakref
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware

from scrapy_newsclean.cleaning import CleanConfig, page_evidence
from scrapy_newsclean.cleaning._item import block_keys
from scrapy_newsclean.crawl._per_crawler import PerCrawler
from scrapy_newsclean.crawl._settings import (
    max_text_chars,
    page_evidence_enabled,
    text_fields,
)
from scrapy_newsclean.crawl._startup import build

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from typing_extensions import Self

    from scrapy_newsclean.cleaning import PageEvidence

logger = logging.getLogger(__name__)

#: Items whose evidence waits for the cleaning pipeline, at most (the oldest
#: is forgotten beyond: its item is cleaned by the text rules alone).
BOARD_SIZE = 2_000


class PageEvidenceBoard(PerCrawler):
    """Per crawler: the evidence of each item between spider and pipeline."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        # id(item) -> (item, evidence): the item is kept to tell a reused id.
        self._waiting: OrderedDict[int, tuple[Any, PageEvidence]] = OrderedDict()
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(self._forget, signal=signal)

    def put(self, item: Any, evidence: PageEvidence) -> None:
        self._waiting[id(item)] = (item, evidence)
        if len(self._waiting) > BOARD_SIZE:
            self._waiting.popitem(last=False)
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value("newsclean/clean/page_evidence_evicted")

    def take(self, item: Any) -> PageEvidence | None:
        """The evidence of *item*'s page, once (None when there is none)."""
        entry = self._waiting.pop(id(item), None)
        if entry is None or entry[0] is not item:
            return None
        return entry[1]

    def _forget(self, item: Any, **kwargs: Any) -> None:
        entry = self._waiting.get(id(item))
        if entry is not None and entry[0] is item:
            del self._waiting[id(item)]

    def __len__(self) -> int:
        return len(self._waiting)


class PageEvidenceMiddleware(BaseSpiderMiddleware):
    """Judge each item's text blocks with the page it came from.

    For every item a spider yields from an HTML response, the page's evidence
    (DOM context, class/id families, link density, main container) is built
    once per response and handed to :class:`CleanTextPipeline`.

    Settings: :setting:`NEWSCLEAN_CLEAN_PAGE_EVIDENCE` (and
    :setting:`NEWSCLEAN_CLEAN_ENABLED`). Stats:
    ``newsclean/clean/page_evidence_pages``, ``..._error``, ``..._evicted``.
    """

    def __init__(self, crawler: Crawler) -> None:
        if not page_evidence_enabled(crawler.settings):
            raise NotConfigured  # switched off on purpose: no warning
        super().__init__(crawler)
        self.board = PageEvidenceBoard.of(crawler)
        # Only the item's blocks are judged: which fields, as the pipeline reads them.
        self.fields = CleanConfig(
            fields=text_fields(crawler.settings),
            max_chars=max_text_chars(crawler.settings),
        )
        # The last response: its evidence and the block keys it was built for.
        self._last: tuple[weakref.ref[Response], PageEvidence | None, set[str]] | None
        self._last = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return build(cls, crawler)

    def get_processed_item(self, item: Any, response: Response | None) -> Any:
        if isinstance(response, HtmlResponse):
            try:
                wanted = block_keys(ItemAdapter(item), self.fields)
            except TypeError:  # not an item type itemadapter knows: nothing to clean
                return item
            evidence = self._evidence_of(response, wanted)
            if evidence is not None:
                self.board.put(item, evidence)
        return item

    def _evidence_of(
        self, response: HtmlResponse, wanted: set[str]
    ) -> PageEvidence | None:
        """The response's evidence for *wanted* blocks, built once per response
        unless a later item of it holds other blocks."""
        if self._last is not None and self._last[0]() is response:
            if wanted <= self._last[2]:
                return self._last[1]
            wanted = wanted | self._last[2]
        evidence: PageEvidence | None
        try:
            evidence = page_evidence(response.selector.root, wanted)
        except Exception as exc:  # noqa: BLE001  # a page must never stop a crawl
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value("newsclean/clean/page_evidence_error")
            logger.warning(
                "%(url)s: page evidence failed (%(error)r); its items are cleaned "
                "by the text rules alone",
                {"url": response.url, "error": exc},
                extra={"spider": self.crawler.spider},
            )
            evidence = None
        else:
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value("newsclean/clean/page_evidence_pages")
        self._last = (weakref.ref(response), evidence, wanted)
        return evidence
