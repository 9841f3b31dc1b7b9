"""One opened fingerprint store per crawler, shared by the pipelines.

The cleaning stage (site templates) and the near-duplicate stage
(fingerprints) use the same store: an embedded SQLite file admits one writer,
and a Redis connection pool is better shared.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from scrapy_newsclean.crawl._per_crawler import PerCrawler
from scrapy_newsclean.crawl._settings import store_classes, store_options, store_uri
from scrapy_newsclean.crawl._startup import check_store
from scrapy_newsclean.stores import StoreUnavailable, build_store, redact

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from scrapy_newsclean.stores import FingerprintStore

logger = logging.getLogger(__name__)

#: Seconds between attempts to open a store that could not be reached.
REOPEN_INTERVAL = 5.0


class SharedStore(PerCrawler):
    """The crawler's store, opened by its first user and closed by its last."""

    def __init__(self, crawler: Crawler) -> None:
        uri = store_uri(crawler.settings)
        options = store_options(crawler.settings)
        self.store_config = options.config
        self.store: FingerprintStore = build_store(
            uri, options, stores=store_classes(crawler.settings)
        )
        super().__init__(crawler)
        self.display_uri = redact(uri)
        check_store(crawler, self.store, self.display_uri)
        self._users = 0
        self._open = False
        self._next_attempt = 0.0

    async def acquire(self) -> None:
        """Register a user; the first one opens the store.

        An unreachable store is not fatal (it is retried by :meth:`ready`);
        configuration errors (a locked SQLite file, a bad URI, another
        fingerprint version) propagate and stop the crawl with their message.
        """
        self._users += 1
        if self._users > 1:
            return
        try:
            await self.ready()
        except StoreUnavailable as exc:
            logger.warning(
                "Fingerprint store %(uri)s unreachable at start (%(error)s); "
                "NEWSCLEAN_STORE_FAILURE applies until it is back",
                {"uri": self.display_uri, "error": exc},
                extra={"spider": self.crawler.spider},
            )

    async def ready(self) -> FingerprintStore:
        """The open store; reopens a lost one at most every REOPEN_INTERVAL s.

        Raises :exc:`~scrapy_newsclean.stores.StoreUnavailable` while the store
        cannot be reached.
        """
        if self._open:
            return self.store
        now = time.monotonic()
        if now < self._next_attempt:
            raise StoreUnavailable(f"{self.display_uri} is unreachable")
        self._next_attempt = now + REOPEN_INTERVAL
        # A failure is counted by the caller (ItemProcessor), once per call.
        await self.store.open()
        self._open = True
        logger.info(
            "scrapy-newsclean store: %(uri)s",
            {"uri": self.display_uri},
            extra={"spider": self.crawler.spider},
        )
        return self.store

    async def release(self) -> None:
        self._users -= 1
        if self._users == 0 and self._open:
            self._open = False
            await self.store.close()
