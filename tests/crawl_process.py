"""Run one real crawl in its own process: ``python -m tests.crawl_process``.

``python -m tests.crawl_process OUT.jsonl STORE_URI PREFIX URL...`` crawls the
URLs with the add-on on and the given store and key prefix, and writes the
stored items to OUT.jsonl (one JSON object per line). Used by the
multi-process tests.
"""

from __future__ import annotations

import sys

from scrapy.crawler import CrawlerProcess

from scrapy_newsclean import Addon
from tests.spiders import BASE_SETTINGS, ArticleSpider


def main(argv: list[str]) -> None:
    out, store, prefix, *urls = argv
    process = CrawlerProcess(
        {
            **BASE_SETTINGS,
            "ADDONS": {Addon: 500},
            "NEWSCLEAN_STORE": store,
            "NEWSCLEAN_STORE_PREFIX": prefix,
            "FEEDS": {out: {"format": "jsonlines"}},
            "LOG_LEVEL": "WARNING",
        }
    )
    process.crawl(ArticleSpider, urls=urls)
    process.start()


if __name__ == "__main__":
    main(sys.argv[1:])
