"""One crawler worker in its own process: ``python -m tests.worker_process``.

``python -m tests.worker_process SETTINGS_JSON URL...`` crawls the URLs with
:class:`~tests.spiders.ArticleSpider` and the add-on on, the JSON object's
settings over :data:`~tests.spiders.BASE_SETTINGS`. The components below let a
multi-process test stop a worker at a chosen point:

- :class:`HoldItems` (``TEST_HOLD_DIR``): a pipeline that marks each item it
  receives with a file in that directory, then never lets it go (the worker
  holds its reservations until it is killed);
- :class:`RendezvousArticleSpider` (``TEST_RENDEZVOUS_DIR``,
  ``TEST_RENDEZVOUS_COUNT``): requests nothing until that many workers have
  started, so their crawls overlap.
"""

from __future__ import annotations

import json
import os
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.crawler import CrawlerProcess
from scrapy.utils.asyncio import sleep

from scrapy_newsclean import Addon
from tests.spiders import BASE_SETTINGS, ArticleSpider

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from scrapy import Request
    from scrapy.crawler import Crawler


class HoldItems:
    """Mark each item with a file in ``TEST_HOLD_DIR``, then hold it for ever."""

    def __init__(self, crawler: Crawler) -> None:
        self.directory = Path(crawler.settings["TEST_HOLD_DIR"])

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HoldItems:
        return cls(crawler)

    async def process_item(self, item: Any) -> Any:
        marker = self.directory / f"{uuid.uuid4().hex}.held"
        marker.write_text(item["url"])
        while True:  # the reactor keeps running (the store's heartbeat too)
            await sleep(3600)


def arrived(directory: Path) -> int:
    """Mark this worker arrived in *directory*; how many workers have arrived."""
    (directory / f"{os.getpid()}.started").touch()
    return len(list(directory.glob("*.started")))


class RendezvousArticleSpider(ArticleSpider):
    """ArticleSpider whose requests wait for ``TEST_RENDEZVOUS_COUNT`` workers."""

    name = "rendezvous_articles"

    async def start(self) -> AsyncIterator[Request]:
        directory = Path(self.settings["TEST_RENDEZVOUS_DIR"])
        count = self.settings.getint("TEST_RENDEZVOUS_COUNT")
        while arrived(directory) < count:
            await sleep(0.05)
        async for request in super().start():
            yield request


def main(argv: list[str]) -> None:
    settings, *urls = argv
    extra = json.loads(settings)
    spider = (
        RendezvousArticleSpider if "TEST_RENDEZVOUS_DIR" in extra else ArticleSpider
    )
    process = CrawlerProcess(
        {**BASE_SETTINGS, "ADDONS": {Addon: 500}, "LOG_LEVEL": "WARNING", **extra}
    )
    process.crawl(spider, urls=urls)
    process.start()


if __name__ == "__main__":
    main(sys.argv[1:])
