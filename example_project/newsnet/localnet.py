"""Serve the example's news network inside the crawl: ``scrapy crawl news`` works.

When the ``news`` spider gets no start URLs (``scrapy crawl news``, or
``run.py``), :class:`LocalNewsNetwork` starts every outlet of
``siteserver.py`` in this process, gives the spider their home pages, and
stops them when the engine stops. Such a run starts from scratch, as the
network's ports change from run to run: the outputs of the last run (items,
rejects, stats, store) are removed first. Written to ``NEWSNET_OUTPUT``:
``outlets.json`` (the home page URL of each outlet) at start and
``stats.json`` (the crawl's stats) at the end; the feed and
scrapy-newsclean write the rest.

With start URLs (``scrapy crawl news -a start_urls=http://...``) it does
nothing: the spider crawls those and no output is removed.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from siteserver import serve

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

#: The outputs of a run, removed before the next network run.
OUTPUT_FILES = ("items.jsonl", "rejects.jsonl", "stats.json", "outlets.json")
STORE_FILES = (
    "newsclean.db",
    "newsclean.db-wal",
    "newsclean.db-shm",
    "newsclean.db.lock",
)


class LocalNewsNetwork:
    """Serve the local news network to a ``news`` spider without start URLs."""

    def __init__(self, crawler: Crawler) -> None:
        spider = crawler.spider
        if spider is None or spider.name != "news" or spider.start_urls:
            raise NotConfigured
        self.crawler = crawler
        self.output = Path(crawler.settings["NEWSNET_OUTPUT"])
        # Extensions are built before the pipelines open the store: removing
        # it here is removing it before it is opened.
        for name in OUTPUT_FILES + STORE_FILES:
            (self.output / name).unlink(missing_ok=True)
        self.output.mkdir(parents=True, exist_ok=True)
        self.network = serve()
        spider.start_urls = list(self.network.urls.values())
        _write_json(self.output / "outlets.json", self.network.urls)
        if not self.network.own_hosts:
            logger.warning("127.0.0.2+ could not be bound; outlets share one site")
        logger.info("Serving the news network: %(urls)s", {"urls": self.network.urls})
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LocalNewsNetwork:
        return cls(crawler)

    def engine_stopped(self) -> None:
        """Stop serving; write the crawl's final stats (the report's included)."""
        self.network.stop()
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        _write_json(self.output / "stats.json", stats)


def _write_json(path: Path, data: Any) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str, sort_keys=True)
    path.write_text(text + "\n", encoding="utf-8")
