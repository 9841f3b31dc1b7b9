"""A crawl that can be killed and resumed: ``python -m tests.resume_crawl``.

``python -m tests.resume_crawl JOBDIR ITEMS_DB FETCHED_LOG URL...`` crawls the
URLs with the add-on (store: ``newsclean.db`` beside JOBDIR) and stores each item
in its own SQLite table, committing every item as a real database pipeline
does. Every response the spider receives is appended to FETCHED_LOG first.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import Request
from scrapy.crawler import CrawlerProcess

from scrapy_newsclean import Addon
from tests.spiders import BASE_SETTINGS, ArticleSpider

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterable

    from scrapy.crawler import Crawler
    from scrapy.http import Response


class LoggingArticleSpider(ArticleSpider):
    """ArticleSpider that records each response before parsing it.

    Its requests go through the duplicate filter, as a real news spider's do,
    so a resumed job does not fetch again what the killed one had requested.
    """

    name = "resume"

    async def start(self) -> AsyncIterator[Request]:
        for url in self.urls:
            yield Request(url)

    def parse(self, response: Response) -> Iterable[dict[str, Any]]:
        fd = os.open(
            self.settings["FETCHED_LOG"], os.O_WRONLY | os.O_APPEND | os.O_CREAT
        )
        os.write(fd, (response.url + "\n").encode())
        os.close(fd)
        yield from super().parse(response)


class ItemDatabase:
    """The storage pipeline: one row per item, committed immediately."""

    def __init__(self, crawler: Crawler) -> None:
        self.db = sqlite3.connect(crawler.settings["ITEMS_DB"], isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS items (url TEXT, body TEXT)")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ItemDatabase:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        self.db.execute("INSERT INTO items VALUES (?, ?)", (item["url"], item["body"]))
        return item

    def close_spider(self) -> None:
        self.db.close()


def main(argv: list[str]) -> None:
    jobdir, items_db, fetched_log, *urls = argv
    process = CrawlerProcess(
        {
            **BASE_SETTINGS,
            "ADDONS": {Addon: 500},
            "JOBDIR": jobdir,
            "NEWSCLEAN_STORE": f"sqlite:///{Path(jobdir).parent / 'newsclean.db'}",
            "ITEMS_DB": items_db,
            "FETCHED_LOG": fetched_log,
            "ITEM_PIPELINES": {ItemDatabase: 900},
            "CONCURRENT_REQUESTS": 4,
            "DOWNLOAD_DELAY": 0.01,
            "LOG_LEVEL": "WARNING",
        }
    )
    process.crawl(LoggingArticleSpider, urls=urls)
    process.start()


if __name__ == "__main__":
    main(sys.argv[1:])
