"""Item pipelines: clean text fields, then discard near-duplicate articles."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy.exceptions import NotConfigured

from scrapy_newsclean import _defaults
from scrapy_newsclean.audit import DropAuditor
from scrapy_newsclean.boilerplate_signatures import compile_signatures
from scrapy_newsclean.downloadermiddlewares import enabled
from scrapy_newsclean.exceptions import EmptyAfterClean
from scrapy_newsclean.itemclean import CleanConfig, ItemCleanOutcome, clean_item
from scrapy_newsclean.pending import PendingItems
from scrapy_newsclean.sites import site_of
from scrapy_newsclean.templates import SiteTemplateCounter, block_key

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings
    from typing_extensions import Self

logger = logging.getLogger(__name__)


def item_url(adapter: ItemAdapter, field: str) -> str | None:
    """The item's URL as a string, or None."""
    value = adapter.get(field) if field in adapter else None
    return value if isinstance(value, str) else None


def _clean_config(settings: BaseSettings) -> CleanConfig:
    fields = tuple(
        settings.getlist("NEWSCLEAN_TEXT_FIELDS", list(_defaults.NEWSCLEAN_TEXT_FIELDS))
    )
    if not fields or not all(isinstance(f, str) and f for f in fields):
        raise ValueError(f"NEWSCLEAN_TEXT_FIELDS must list field names, got {fields!r}")
    max_chars = settings.getint(
        "NEWSCLEAN_MAX_TEXT_CHARS", _defaults.NEWSCLEAN_MAX_TEXT_CHARS
    )
    if max_chars < 1:
        raise ValueError(f"NEWSCLEAN_MAX_TEXT_CHARS must be >= 1, got {max_chars!r}")
    extra = settings.getlist(
        "NEWSCLEAN_SIGNATURES", list(_defaults.NEWSCLEAN_SIGNATURES)
    )
    return CleanConfig(
        fields=fields, signatures=compile_signatures(extra), max_chars=max_chars
    )


class CleanTextPipeline:
    """Strip disclaimers, boilerplate and repeated blocks from text fields.

    Cleans every field named in :setting:`NEWSCLEAN_TEXT_FIELDS` (``str``,
    UTF-8 ``bytes`` or a list of paragraphs, which stays a list) of any item
    type. It learns each site's template (blocks repeated across
    :setting:`NEWSCLEAN_TEMPLATE_MIN_PAGES` of its articles) from items that
    reached storage. An item left without text is dropped with reason
    ``empty_after_clean`` unless :setting:`NEWSCLEAN_KEEP_EMPTY`.

    Stats: ``newsclean/clean/items``, ``.../items_cleaned``,
    ``.../blocks_removed/<reason>``, ``.../chars_removed/<reason>``,
    ``.../field_skipped/<problem>``, ``.../dropped``, ``.../empty_after_clean``.
    """

    def __init__(self, crawler: Crawler) -> None:
        if not enabled(
            crawler, "NEWSCLEAN_CLEAN_ENABLED", _defaults.NEWSCLEAN_CLEAN_ENABLED
        ):
            raise NotConfigured("NEWSCLEAN_ENABLED or NEWSCLEAN_CLEAN_ENABLED")
        settings = crawler.settings
        self.crawler = crawler
        self.config = _clean_config(settings)
        self.url_field = settings.get(
            "NEWSCLEAN_URL_FIELD", _defaults.NEWSCLEAN_URL_FIELD
        )
        self.keep_empty = settings.getbool(
            "NEWSCLEAN_KEEP_EMPTY", _defaults.NEWSCLEAN_KEEP_EMPTY
        )
        self.report_field = settings.get(
            "NEWSCLEAN_REPORT_FIELD", _defaults.NEWSCLEAN_REPORT_FIELD
        )
        self.auditor = DropAuditor(crawler, "clean")
        self.templates: SiteTemplateCounter | None = None
        self.pending: PendingItems[tuple[str, str, list[str]]] | None = None
        if settings.getbool(
            "NEWSCLEAN_TEMPLATE_ENABLED", _defaults.NEWSCLEAN_TEMPLATE_ENABLED
        ):
            self.templates = SiteTemplateCounter(
                min_pages=settings.getint(
                    "NEWSCLEAN_TEMPLATE_MIN_PAGES",
                    _defaults.NEWSCLEAN_TEMPLATE_MIN_PAGES,
                )
            )
            self.pending = PendingItems(crawler, self._learn, self._forget)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    async def close_spider(self) -> None:
        if self.pending is not None:
            await self.pending.discard_all()
        self.auditor.close()

    async def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        url = item_url(adapter, self.url_field)
        site = site_of(url)
        template = self.templates.lookup(site) if self.templates and site else None
        self.auditor.inc("items")
        try:
            outcome = clean_item(adapter, self.config, template)
        except Exception:
            self.auditor.inc("error")
            logger.exception(
                "Could not clean %(url)s; the item passes uncleaned",
                {"url": url},
                extra={"spider": self.crawler.spider},
            )
            return item
        self._account(outcome, url)
        if outcome.emptied and not self.keep_empty:
            self.auditor.drop(
                "empty_after_clean",
                url=url,
                detail=f"{len(outcome.removed)} blocks removed, no text left",
                message="Dropped item",
                extra={"removed": outcome.report()["blocks_removed"]},
            )
            raise EmptyAfterClean(
                f"newsclean: no text left in {url} after cleaning", log_level="DEBUG"
            )
        self._set_report(adapter, outcome)
        if self.pending is not None and site and outcome.blocks:
            doc_id = url or str(block_key("\n".join(outcome.blocks)))
            self.pending.add(item, (site, doc_id, outcome.blocks))
        return item

    def _account(self, outcome: ItemCleanOutcome, url: str | None) -> None:
        if outcome.removed:
            self.auditor.inc("items_cleaned")
        for removal in outcome.removed:
            self.auditor.inc(f"blocks_removed/{removal.reason}")
            self.auditor.inc(f"chars_removed/{removal.reason}", len(removal.text))
        for name, problem in outcome.problems.items():
            self.auditor.inc(f"field_skipped/{problem}")
            logger.log(
                self.auditor.level,
                "Field %(field)r of %(url)s not cleaned (%(problem)s)",
                {"field": name, "url": url, "problem": problem},
                extra={"spider": self.crawler.spider},
            )

    def _set_report(self, adapter: ItemAdapter, outcome: ItemCleanOutcome) -> None:
        if not self.report_field:
            return
        try:
            adapter[self.report_field] = outcome.report()
        except KeyError:
            self.auditor.inc("report_field_undeclared")
            logger.warning(
                "NEWSCLEAN_REPORT_FIELD %(field)r is not a field of %(type)s",
                {"field": self.report_field, "type": type(adapter.item).__name__},
                extra={"spider": self.crawler.spider},
            )

    async def _learn(self, entry: tuple[str, str, list[str]]) -> None:
        assert self.templates is not None
        site, doc_id, blocks = entry
        self.templates.observe(site, doc_id, blocks)

    async def _forget(self, entry: tuple[str, str, list[str]]) -> None:
        """An item that never reached storage teaches nothing."""
