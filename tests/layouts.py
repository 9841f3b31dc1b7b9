"""Item pipelines of the layouts newsclean meets, for the pipeline-order tests.

news-please 1.6.16 (``newsplease/config/config.cfg``) runs
``ArticleMasterExtractor`` at 100 (it fills ``article_text`` from the page;
the spider leaves the placeholder ``"NULL"``), ``HtmlFileStorage`` at 200 and
``JsonFileStorage`` at 300. These classes mimic their names, priorities and
roles (news-please itself is too heavy a test dependency); the storages keep
what they receive.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy.selector import Selector

from tests.spiders import UrlListSpider

if TYPE_CHECKING:
    from collections.abc import Iterable

    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from typing_extensions import Self


class ArticleMasterExtractor:
    """Fill ``article_text`` from the page's HTML (news-please's extractor)."""

    def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        paragraphs = Selector(text=item["spider_response"]).css("body p::text")
        item["article_text"] = "\n".join(paragraphs.getall())
        return item


class _Storage:
    """Keep a copy of every item received, per crawler."""

    def __init__(self, crawler: Crawler) -> None:
        self.received: list[dict[str, Any]] = []
        STORED.setdefault(crawler, {})[type(self).__name__] = self.received

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        self.received.append(dict(item))
        return item


class HtmlFileStorage(_Storage):
    pass


class JsonFileStorage(_Storage):
    pass


#: crawler -> storage class name -> the items it received.
STORED: dict[Crawler, dict[str, list[dict[str, Any]]]] = {}

NEWS_PLEASE_PIPELINES = {
    ArticleMasterExtractor: 100,
    HtmlFileStorage: 200,
    JsonFileStorage: 300,
}


class NewsPleaseSpider(UrlListSpider):
    """Yield items as news-please's spiders do: the page, text still "NULL"."""

    name = "news_please_like"

    def parse(self, response: Response) -> Iterable[dict[str, Any]]:
        yield {
            "url": response.url,
            "spider_response": response.text,
            "article_text": "NULL",
        }
