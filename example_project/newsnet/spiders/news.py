"""A news spider as people write them: listing pages -> article pages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import scrapy

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

    from scrapy.http import Response


class NewsSpider(scrapy.Spider):
    """Crawl ``start_url``: follow section links and yield one item per article."""

    name = "news"

    def __init__(self, start_url: str = "http://127.0.0.1:8000/", **kwargs: Any):
        super().__init__(**kwargs)
        self.start_url = start_url

    async def start(self) -> AsyncIterator[scrapy.Request]:
        yield scrapy.Request(self.start_url, callback=self.parse_listing)

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        for href in response.css("a.article::attr(href)").getall():
            yield response.follow(href, callback=self.parse_article)
        for href in response.css("a.section::attr(href)").getall():
            yield response.follow(href, callback=self.parse_listing)

    def parse_article(self, response: Response) -> Iterator[dict[str, Any]]:
        yield {
            "url": response.url,
            "title": response.css("h1::text").get(default="").strip(),
            "published": response.css("time::attr(datetime)").get(),
            # The lazy way many spiders store text: every paragraph of the page.
            "body": "\n".join(
                text.strip()
                for text in response.css("body p::text, body li::text").getall()
                if text.strip()
            ),
        }
