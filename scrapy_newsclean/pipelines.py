"""Item pipelines: clean text fields, then discard near-duplicate articles."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import sleep

from scrapy_newsclean import _defaults
from scrapy_newsclean.audit import DropAuditor
from scrapy_newsclean.config import (
    choice,
    clean_config,
    dedup_fields,
    enabled,
    template_min_pages,
    text_fields,
)
from scrapy_newsclean.dedup import dedup_text
from scrapy_newsclean.exceptions import (
    EmptyAfterClean,
    NearDuplicateItem,
    NoTextItem,
    StoreFailureItem,
)
from scrapy_newsclean.fields import item_url
from scrapy_newsclean.itemclean import (
    ItemCleanOutcome,
    clean_prepared,
    prepare_item,
)
from scrapy_newsclean.pending import PendingItems
from scrapy_newsclean.sharedstore import SharedStore
from scrapy_newsclean.simhash import fingerprint
from scrapy_newsclean.sites import site_of
from scrapy_newsclean.stores import Match, Reservation, StoreUnavailable
from scrapy_newsclean.templates import SiteTemplateView, template_keys

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from typing_extensions import Self

    from scrapy_newsclean.simhash import Fingerprint

logger = logging.getLogger(__name__)


class CleanTextPipeline:
    """Strip disclaimers, boilerplate and repeated blocks from text fields.

    Cleans every field named in :setting:`NEWSCLEAN_TEXT_FIELDS` (``str``,
    UTF-8 ``bytes`` or a list of paragraphs, which stays a list) of any item
    type. It learns each site's template (blocks repeated across
    :setting:`NEWSCLEAN_TEMPLATE_MIN_PAGES` of its stored articles) in the
    store of :setting:`NEWSCLEAN_STORE`. An item left without text is dropped
    with reason ``empty_after_clean`` unless :setting:`NEWSCLEAN_KEEP_EMPTY`.

    Stats: ``newsclean/clean/items``, ``.../items_cleaned``,
    ``.../blocks_removed/<reason>``, ``.../chars_removed/<reason>``,
    ``.../field_skipped/<problem>``, ``.../dropped``, ``.../empty_after_clean``.
    """

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not enabled(
            settings, "NEWSCLEAN_CLEAN_ENABLED", _defaults.NEWSCLEAN_CLEAN_ENABLED
        ):
            raise NotConfigured("NEWSCLEAN_ENABLED or NEWSCLEAN_CLEAN_ENABLED")
        self.crawler = crawler
        self.config = clean_config(settings)
        self.url_field = settings.get(
            "NEWSCLEAN_URL_FIELD", _defaults.NEWSCLEAN_URL_FIELD
        )
        self.keep_empty = settings.getbool(
            "NEWSCLEAN_KEEP_EMPTY", _defaults.NEWSCLEAN_KEEP_EMPTY
        )
        self.report_field = settings.get(
            "NEWSCLEAN_REPORT_FIELD", _defaults.NEWSCLEAN_REPORT_FIELD
        )
        self.min_pages = template_min_pages(settings)
        self.auditor = DropAuditor(crawler, "clean")
        self.shared: SharedStore | None = None
        if settings.getbool(
            "NEWSCLEAN_TEMPLATE_ENABLED", _defaults.NEWSCLEAN_TEMPLATE_ENABLED
        ):
            self.shared = SharedStore.of(crawler)
            self.pending: PendingItems[tuple[str, set[int]]] = PendingItems(
                crawler, self._learn, self._forget
            )

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    async def open_spider(self) -> None:
        if self.shared is not None:
            await self.shared.acquire()

    async def close_spider(self) -> None:
        if self.shared is not None:
            await self.pending.discard_all()
            await self.shared.release()
        self.auditor.close()

    async def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        url = item_url(adapter, self.url_field)
        self.auditor.inc("items")
        try:
            outcome = ItemCleanOutcome()
            fields = prepare_item(adapter, self.config, outcome)
            site = site_of(url)
            learn = bool(site) and self.shared is not None
            keys = template_keys(outcome.blocks) if learn else set()
            template = await self._template(site, keys)
            clean_prepared(adapter, fields, self.config, outcome, template)
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
        if keys:
            self.pending.add(item, (site, keys))
        return item

    async def _template(self, site: str, keys: set[int]) -> SiteTemplateView | None:
        if not keys or self.shared is None:
            return None
        try:
            store = await self.shared.ready()
            counts = await store.template_counts(site, keys)
        except StoreUnavailable:
            self.auditor.inc("template_store_unavailable")
            return None
        return SiteTemplateView(
            {k: c for k, c in counts.items() if c >= self.min_pages}
        )

    def _account(self, outcome: ItemCleanOutcome, url: str | None) -> None:
        if outcome.removed:
            self.auditor.inc("items_cleaned")
        site = site_of(url)
        for removal in outcome.removed:
            self.auditor.tally.add(f"clean/{removal.reason}", site)
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

    async def _learn(self, entry: tuple[str, set[int]]) -> None:
        """The item reached storage: its blocks count towards the site template."""
        assert self.shared is not None
        try:
            store = await self.shared.ready()
            await store.add_template_keys(*entry)
        except StoreUnavailable:
            self.auditor.inc("template_store_unavailable")

    async def _forget(self, entry: tuple[str, set[int]]) -> None:
        """An item that never reached storage teaches nothing."""


class NearDuplicatePipeline:
    """Discard articles that nearly duplicate one already kept.

    Fingerprints (64-bit simhash with a verification sketch) of the text of
    :setting:`NEWSCLEAN_DEDUP_FIELDS` are looked up in :setting:`NEWSCLEAN_STORE`
    within :setting:`NEWSCLEAN_DEDUP_DISTANCE` bits, per
    :setting:`NEWSCLEAN_DEDUP_SCOPE`. A fingerprint is reserved when the item
    passes and committed only when the item is scraped (it passed every later
    pipeline); it is released when a later pipeline drops the item or fails.

    Stats: ``newsclean/duplicate/items``, ``.../kept``, ``.../dropped``,
    ``.../near_duplicate``, ``.../tagged``, ``.../no_text``,
    ``.../store_unavailable``, ``.../pending_waits``, ``.../committed``,
    ``.../released``, ``.../unresolved``.
    """

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not enabled(
            settings, "NEWSCLEAN_DEDUP_ENABLED", _defaults.NEWSCLEAN_DEDUP_ENABLED
        ):
            raise NotConfigured("NEWSCLEAN_ENABLED or NEWSCLEAN_DEDUP_ENABLED")
        self.crawler = crawler
        self.text_fields = text_fields(settings)
        self.dedup_fields = dedup_fields(settings)
        self.url_field = settings.get(
            "NEWSCLEAN_URL_FIELD", _defaults.NEWSCLEAN_URL_FIELD
        )
        self.scope = choice(settings, "NEWSCLEAN_DEDUP_SCOPE", {"global", "site"})
        self.action = choice(settings, "NEWSCLEAN_DUPLICATE_ACTION", {"drop", "tag"})
        self.tag_field = settings.get(
            "NEWSCLEAN_DUPLICATE_TAG_FIELD", _defaults.NEWSCLEAN_DUPLICATE_TAG_FIELD
        )
        self.no_text_action = choice(
            settings, "NEWSCLEAN_NO_TEXT_ACTION", {"pass", "drop"}
        )
        self.failure_action = choice(
            settings, "NEWSCLEAN_STORE_FAILURE", {"pass", "drop"}
        )
        self.pending_wait = settings.getfloat(
            "NEWSCLEAN_DEDUP_PENDING_WAIT", _defaults.NEWSCLEAN_DEDUP_PENDING_WAIT
        )
        self.shared = SharedStore.of(crawler)
        self.config = self.shared.store_config
        self.auditor = DropAuditor(crawler, "duplicate")
        self.pending: PendingItems[Reservation] = PendingItems(
            crawler, self._commit, self._release
        )

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    async def open_spider(self) -> None:
        await self.shared.acquire()

    async def close_spider(self) -> None:
        unresolved = await self.pending.discard_all()
        if unresolved:
            self.auditor.inc("unresolved", unresolved)
        await self.shared.release()
        self.auditor.close()

    async def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        url = item_url(adapter, self.url_field)
        self.auditor.inc("items")
        text, problem = dedup_text(adapter, self.text_fields, self.dedup_fields)
        fp = fingerprint(text, self.config) if text is not None else None
        if fp is None or fp.empty:
            return self._no_text(item, url, problem or "no_words")
        scope = site_of(url) if self.scope == "site" else ""
        try:
            outcome = await self._check(scope, fp, url)
        except StoreUnavailable as exc:
            return self._store_failed(item, url, exc)
        if isinstance(outcome, Reservation):
            self.auditor.inc("kept")
            self.pending.add(item, outcome)
            return item
        return self._duplicate(item, adapter, url, outcome)

    async def _check(
        self, scope: str, fp: Fingerprint, url: str | None
    ) -> Match | Reservation:
        """Check-and-reserve; while the match is still in flight, wait for it."""
        store = await self.shared.ready()
        deadline = time.monotonic() + self.pending_wait
        delay = 0.01
        while True:
            outcome = await store.check_and_reserve(scope, fp, url, time.time())
            if not (isinstance(outcome, Match) and outcome.pending):
                return outcome
            if time.monotonic() >= deadline:
                return outcome
            self.auditor.inc("pending_waits")
            await sleep(delay)
            delay = min(delay * 2, 0.5)

    def _duplicate(
        self, item: Any, adapter: ItemAdapter, url: str | None, match: Match
    ) -> Any:
        detail = f"near-duplicate of {match.url} (distance {match.distance})"
        if match.pending:
            detail += ", which was still in flight"
        if self.action == "tag":
            self.auditor.inc("tagged")
            adapter[self.tag_field] = {"of": match.url, "distance": match.distance}
            return item
        self.auditor.drop(
            "near_duplicate",
            url=url,
            detail=detail,
            message="Dropped item",
            extra={"duplicate_of": match.url, "distance": match.distance},
        )
        raise NearDuplicateItem(f"newsclean: {url} is a {detail}", log_level="DEBUG")

    def _no_text(self, item: Any, url: str | None, problem: str) -> Any:
        self.auditor.inc("no_text")
        self.auditor.inc(f"no_text/{problem}")
        if self.no_text_action == "pass":
            logger.log(
                self.auditor.level,
                "No text to fingerprint in %(url)s (%(problem)s); it passes",
                {"url": url, "problem": problem},
                extra={"spider": self.crawler.spider},
            )
            return item
        self.auditor.drop("no_text", url=url, detail=problem, message="Dropped item")
        raise NoTextItem(f"newsclean: no text in {url} ({problem})", log_level="DEBUG")

    def _store_failed(self, item: Any, url: str | None, exc: Exception) -> Any:
        self.crawler.stats.inc_value("newsclean/store/unavailable")
        if self.failure_action == "pass":
            self.auditor.inc("store_unavailable_passed")
            logger.warning(
                "Fingerprint store %(uri)s unavailable (%(error)s): %(url)s passes"
                " unchecked (NEWSCLEAN_STORE_FAILURE = 'pass')",
                {"uri": self.shared.display_uri, "error": exc, "url": url},
                extra={"spider": self.crawler.spider},
            )
            return item
        self.auditor.drop(
            "store_unavailable", url=url, detail=str(exc), message="Dropped item"
        )
        raise StoreFailureItem(
            f"newsclean: store unavailable for {url}", log_level="DEBUG"
        )

    async def _commit(self, reservation: Reservation) -> None:
        try:
            store = await self.shared.ready()
            await store.commit(reservation, time.time())
        except StoreUnavailable:
            self.auditor.inc("commit_failed")
            logger.warning(
                "Could not commit the fingerprint of %(url)s to %(uri)s",
                {"url": reservation.url, "uri": self.shared.display_uri},
                extra={"spider": self.crawler.spider},
            )
        else:
            self.auditor.inc("committed")

    async def _release(self, reservation: Reservation) -> None:
        try:
            store = await self.shared.ready()
            await store.release(reservation)
        except StoreUnavailable:
            self.auditor.inc("release_failed")
        else:
            self.auditor.inc("released")
