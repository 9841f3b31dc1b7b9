"""Item pipelines: clean text fields, then discard near-duplicate articles.

Both are thin glue around :class:`~scrapy_newsclean.itemflow.ItemProcessor`
(the decisions, shared with the offline CLI): they turn its effects into
Scrapy stats, log lines, rejects records and ``DropItem`` subclasses, and
resolve reservations on Scrapy's item signals.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, NoReturn

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.utils.asyncio import sleep

from scrapy_newsclean._item_fields import item_url
from scrapy_newsclean.crawl._audit import DropAuditor
from scrapy_newsclean.crawl._crawler_store import SharedStore
from scrapy_newsclean.crawl._exceptions import (
    EmptyAfterClean,
    NearDuplicateItem,
    NoTextItem,
    StoreFailureItem,
)
from scrapy_newsclean.crawl._item_signals import PendingItems
from scrapy_newsclean.crawl._page_evidence_middleware import PageEvidenceBoard
from scrapy_newsclean.crawl._per_crawler import PerCrawler
from scrapy_newsclean.crawl._settings import (
    enabled,
    page_evidence_enabled,
    process_config,
)
from scrapy_newsclean.crawl._startup import Startup, build, is_startup_error
from scrapy_newsclean.itemflow import ItemProcessor, RecentFingerprints

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from typing_extensions import Self

    from scrapy_newsclean.itemflow import ProcessConfig, TemplateEntry
    from scrapy_newsclean.stores import Reservation

logger = logging.getLogger(__name__)

#: The exception each drop reason raises (Scrapy counts them by class name).
DROP_EXCEPTIONS: dict[str, type[DropItem]] = {
    "already_stored": NearDuplicateItem,
    "empty_after_clean": EmptyAfterClean,
    "near_duplicate": NearDuplicateItem,
    "no_text": NoTextItem,
    "store_unavailable": StoreFailureItem,
}


class CrawlEffects:
    """A processor's effects in a crawl: stats, log lines, audited drops."""

    def __init__(self, crawler: Crawler, auditor: DropAuditor) -> None:
        self.crawler = crawler
        self.auditor = auditor

    def inc(self, event: str, count: int = 1, site: str | None = None) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"newsclean/{event}", count)
        if site is not None:
            # The report's top sites are keyed <stage>/<event>/<reason>.
            self.auditor.tally.add(event.replace("/reason_count/", "/"), site, count)

    def note(self, url: str | None, message: str) -> None:
        logger.log(
            self.auditor.level,
            "%(url)s: %(message)s",
            {"url": url, "message": message},
            extra={"spider": self.crawler.spider},
        )

    def warn(self, url: str | None, message: str) -> None:
        logger.warning(
            "%(url)s: %(message)s" if url else "%(message)s",
            {"url": url, "message": message},
            extra={"spider": self.crawler.spider},
        )

    def drop(
        self, stage: str, reason: str, url: str | None, detail: str, **extra: Any
    ) -> NoReturn:
        assert stage == self.auditor.stage
        self.auditor.drop(
            reason, url=url, detail=detail, message="Dropped item", extra=extra
        )
        raise DROP_EXCEPTIONS.get(reason, DropItem)(
            f"newsclean: {url} dropped ({reason}): {detail}", log_level="DEBUG"
        )


class SharedFingerprints(PerCrawler):
    """The crawler's recent fingerprints: the cleaning pipeline's, reused by
    the dedup pipeline on the same text."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.recent = RecentFingerprints()


class _ProcessorPipeline:
    """Settings, the shared store and the processor of one stage."""

    stage: str
    switch: str
    pending: PendingItems[Any]

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not enabled(settings, self.switch):
            raise NotConfigured  # switched off on purpose: no warning
        self.crawler = crawler
        config = process_config(settings)
        self.url_field = config.url_field
        self.shared = SharedStore.of(crawler) if self._needs_store(config) else None
        self.auditor = DropAuditor(crawler, self.stage)
        self.processor = ItemProcessor(
            config,
            self.shared,
            CrawlEffects(crawler, self.auditor),
            sleep,
            SharedFingerprints.of(crawler).recent,
        )

    def _needs_store(self, config: ProcessConfig) -> bool:
        return True

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return build(cls, crawler)

    async def open_spider(self) -> None:
        if self.shared is not None:
            try:
                await self.shared.acquire()
            except Exception as exc:
                if not is_startup_error(exc):  # a locked SQLite file, a bad URI...
                    raise
                raise Startup.of(self.crawler).refuse(exc) from exc

    async def close_spider(self) -> None:
        unresolved = await self.pending.discard_all()
        if unresolved:
            self.auditor.inc("unresolved", unresolved)
        if self.shared is not None:
            await self.shared.release()
        self.auditor.close()


class CleanTextPipeline(_ProcessorPipeline):
    """Strip disclaimers, boilerplate and repeated blocks from text fields.

    Cleans every field named in :setting:`NEWSCLEAN_TEXT_FIELDS` (``str``,
    UTF-8 ``bytes`` or a list of paragraphs, which stays a list) of any item
    type. Each block is judged with the page the item came from when
    :class:`PageEvidenceMiddleware` saw it (:setting:`NEWSCLEAN_CLEAN_PAGE_EVIDENCE`),
    or with the item's own HTML field (:setting:`NEWSCLEAN_CLEAN_HTML_FIELD`),
    else by the text rules alone. It learns each site's template (blocks repeated across
    :setting:`NEWSCLEAN_TEMPLATE_MIN_PAGES` of its stored articles) in the
    store of :setting:`NEWSCLEAN_STORE`. An item left without text is dropped
    with reason ``empty_after_clean`` unless :setting:`NEWSCLEAN_KEEP_EMPTY`.

    Stats: ``newsclean/clean/items``, ``.../items_cleaned``,
    ``.../blocks_removed/reason_count/<reason>``,
    ``.../chars_removed/reason_count/<reason>``,
    ``.../field_skipped/reason_count/<problem>``,
    ``.../field_converted/reason_count/<kind>``, ``.../dropped``,
    ``.../dropped/reason_count/empty_after_clean`` (see the README's table).
    """

    stage = "clean"
    switch = "NEWSCLEAN_CLEAN_ENABLED"

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.pending: PendingItems[TemplateEntry] = PendingItems(
            crawler, self.processor.learn_now, self._forget
        )
        self.board = (
            PageEvidenceBoard.of(crawler)
            if page_evidence_enabled(crawler.settings)
            else None
        )

    def _needs_store(self, config: ProcessConfig) -> bool:
        return config.templates

    async def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        evidence = self.board.take(item) if self.board is not None else None
        entry = await self.processor.clean(
            adapter, item_url(adapter, self.url_field), evidence
        )
        if entry is not None:
            self.pending.add(item, entry)
        return item

    def _forget(self, entry: TemplateEntry) -> None:
        """An item that never reached storage teaches nothing."""


class NearDuplicatePipeline(_ProcessorPipeline):
    """Discard articles that nearly duplicate one already kept.

    Fingerprints (64-bit simhash with a verification sketch) of the text of
    :setting:`NEWSCLEAN_DEDUP_FIELDS` are looked up in :setting:`NEWSCLEAN_STORE`
    within :setting:`NEWSCLEAN_DEDUP_DISTANCE` bits, per
    :setting:`NEWSCLEAN_DEDUP_SCOPE`. A fingerprint is reserved when the item
    passes and committed only when the item is scraped (it passed every later
    pipeline); it is released when a later pipeline drops the item or fails.

    Stats: ``newsclean/duplicate/items``, ``.../kept``, ``.../dropped``,
    ``.../dropped/reason_count/<reason>`` (``near_duplicate``,
    ``already_stored``: the same URL, kept earlier; ``no_text``,
    ``store_unavailable``), ``.../tagged``, ``.../no_text``,
    ``.../no_text/reason_count/<problem>``, ``.../store_unavailable_passed``,
    ``.../pending_waits``, ``.../pending_timeout_passed``, ``.../committed``, ``.../released``,
    ``.../unresolved``; ``newsclean/store/unavailable`` (see the README's table).
    """

    stage = "duplicate"
    switch = "NEWSCLEAN_DEDUP_ENABLED"

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.pending: PendingItems[Reservation] = PendingItems(
            crawler, self.processor.commit_now, self.processor.release_now
        )

    async def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        reservation = await self.processor.dedup(
            adapter, item_url(adapter, self.url_field)
        )
        if reservation is not None:
            self.pending.add(item, reservation)
        return item
