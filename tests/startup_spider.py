"""A spider for ``scrapy runspider tests/startup_spider.py -a urls=URL,URL``.

The startup tests run it in a real ``scrapy`` process (the command users run,
on Scrapy's default ``AsyncCrawlerProcess``) and read its stderr. Each page's
paragraphs are the item's ``body``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy import Request, Spider

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterable

    from scrapy.http import Response


class StartupSpider(Spider):
    name = "startup"

    def __init__(self, urls: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls = [url for url in urls.split(",") if url]

    async def start(self) -> AsyncIterator[Request]:
        for url in self.urls:
            yield Request(url)

    def parse(self, response: Response) -> Iterable[dict[str, Any]]:
        yield {
            "url": response.url,
            "body": "\n".join(response.css("body p::text").getall()),
        }
