"""The add-on: one line in ``ADDONS`` turns every component on."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.exceptions import NotConfigured

from scrapy_newsclean.crawl._errorpage_middleware import ErrorPageMiddleware
from scrapy_newsclean.crawl._page_evidence_middleware import PageEvidenceMiddleware
from scrapy_newsclean.crawl._pipelines import CleanTextPipeline, NearDuplicatePipeline
from scrapy_newsclean.crawl._report import CrawlReport
from scrapy_newsclean.crawl._settings import newsclean_enabled
from scrapy_newsclean.crawl._startup import Startup

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings
    from typing_extensions import Self

#: Component priorities the add-on uses; the README documents the same numbers.
#: ErrorPageMiddleware at 540: process_response runs from high to low numbers,
#: so 540 sees the final response after RedirectMiddleware (600), the
#: decompressed body from HttpCompressionMiddleware (590) and the outcome of
#: RetryMiddleware (550), i.e. 429/503 only once Scrapy's retries are spent.
DOWNLOADER_MIDDLEWARES: dict[type, int] = {ErrorPageMiddleware: 540}
#: PageEvidenceMiddleware at 10: spider output runs from high numbers to low, so
#: below every built-in spider middleware it sees the items as they leave for
#: the pipelines (after any middleware that replaced them).
SPIDER_MIDDLEWARES: dict[type, int] = {PageEvidenceMiddleware: 10}
#: CleanTextPipeline at 170, NearDuplicatePipeline at 190: after the pipelines
#: that fill the text (news-please's ArticleMasterExtractor 100, its DateFilter
#: 150) and before those that store it (news-please's storages from 200;
#: scrapy-redis's RedisPipeline and Scrapy's project template at 300), so that
#: storage receives only cleaned, deduplicated items. Dedup fingerprints the
#: cleaned text; its fingerprint is committed only once the item passed every
#: pipeline, so later validation pipelines may still drop the item.
#: CrawlReport: order does not matter (it only listens to spider_closed).
EXTENSIONS: dict[type, int] = {CrawlReport: 500}
ITEM_PIPELINES: dict[type, int] = {CleanTextPipeline: 170, NearDuplicatePipeline: 190}


class Addon:
    """Enable scrapy-newsclean: ``ADDONS = {"scrapy_newsclean.Addon": 500}``.

    Components the user already configured (even as import strings, or set to
    ``None`` to disable them) keep the user's value; ``NEWSCLEAN_ENABLED = False``
    leaves the settings untouched.
    """

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        # Says at start which components are on, even when none is.
        Startup.of(crawler)
        return cls()

    def update_settings(self, settings: BaseSettings) -> None:
        try:
            on = newsclean_enabled(settings)
        except ValueError:
            on = True  # the components report the bad value, in one line
        if not on:
            raise NotConfigured  # switched off on purpose: no warning
        for name, components in (
            ("DOWNLOADER_MIDDLEWARES", DOWNLOADER_MIDDLEWARES),
            ("SPIDER_MIDDLEWARES", SPIDER_MIDDLEWARES),
            ("ITEM_PIPELINES", ITEM_PIPELINES),
            ("EXTENSIONS", EXTENSIONS),
        ):
            for component, priority in components.items():
                settings.setdefault_in_component_priority_dict(
                    name, component, priority
                )
