"""Spiders and a crawl helper used by the crawl tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from scrapy import Request, Spider, signals
from scrapy.http import TextResponse
from scrapy.utils.test import get_crawler

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterable

    from scrapy.crawler import Crawler
    from scrapy.http import Response

BASE_SETTINGS: dict[str, Any] = {
    "TELNETCONSOLE_ENABLED": False,
    "RETRY_TIMES": 1,
    "DOWNLOAD_TIMEOUT": 10,
}


class UrlListSpider(Spider):
    """Fetch the given URLs and yield one item per response it receives."""

    name = "url_list"

    def __init__(self, urls: Iterable[str] = (), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls = list(urls)

    async def start(self) -> AsyncIterator[Request]:
        for url in self.urls:
            yield Request(url, dont_filter=True)

    def parse(self, response: Response) -> Iterable[dict[str, Any]]:
        title = None
        if isinstance(response, TextResponse):
            title = response.css("title::text").get()
        yield {"url": response.url, "status": response.status, "title": title}


@dataclass
class CrawlResult:
    crawler: Crawler
    items: list[dict[str, Any]] = field(default_factory=list)

    def on_item_scraped(self, item: Any) -> None:
        self.items.append(dict(item))

    def stat(self, key: str) -> Any:
        assert self.crawler.stats is not None
        return self.crawler.stats.get_value(key)

    def newsclean_stats(self) -> dict[str, Any]:
        assert self.crawler.stats is not None
        return {
            k: v
            for k, v in self.crawler.stats.get_stats().items()
            if k.startswith("newsclean/")
        }

    @property
    def urls(self) -> set[str]:
        return {item["url"] for item in self.items}


async def crawl(
    urls: Iterable[str],
    settings: dict[str, Any] | None = None,
    spidercls: type[Spider] = UrlListSpider,
    **spider_kwargs: Any,
) -> CrawlResult:
    """Run one real crawl and collect the items that reached ``item_scraped``."""
    crawler = get_crawler(spidercls, {**BASE_SETTINGS, **(settings or {})})
    result = CrawlResult(crawler)
    crawler.signals.connect(result.on_item_scraped, signal=signals.item_scraped)
    await crawler.crawl_async(urls=list(urls), **spider_kwargs)
    return result


class ArticleSpider(UrlListSpider):
    """Yield each page's paragraphs as the article body, as lazy news spiders do."""

    name = "articles"

    def parse(self, response: Response) -> Iterable[dict[str, Any]]:
        assert isinstance(response, TextResponse)
        yield {
            "url": response.url,
            "title": response.css("title::text").get(),
            "body": "\n".join(response.css("body p::text").getall()),
        }


LAZY_XPATH = "//body//p | //body//li[not(ancestor::nav)]"


def lazy_lines(response: TextResponse) -> list[str]:
    """The text of every ``p`` and ``li`` node, one line each, blank ones left out."""
    lines = (
        " ".join(node.xpath("string()").get("").split())
        for node in response.xpath(LAZY_XPATH)
    )
    return [line for line in lines if line]


class LazyNewsSpider(UrlListSpider):
    """Store the text of every ``p`` and ``li`` node, one line each (a lazy spider)."""

    name = "lazy_news"

    def parse(self, response: Response) -> Iterable[dict[str, Any]]:
        assert isinstance(response, TextResponse)
        yield {"url": response.url, "body": "\n".join(lazy_lines(response))}


class AsideSpider(UrlListSpider):
    """Store only the paragraphs of the page's ``aside`` (a spider aimed at the
    wrong container)."""

    name = "aside_only"

    def parse(self, response: Response) -> Iterable[dict[str, Any]]:
        assert isinstance(response, TextResponse)
        lines = [
            " ".join(t.split())
            for t in response.xpath("//aside//p").xpath("string()").getall()
        ]
        yield {"url": response.url, "body": "\n".join(lines)}


class TwoItemsSpider(UrlListSpider):
    """Items per page: the lazy body, the same body shouted (not on the page),
    and its first half again."""

    name = "two_items"

    def parse(self, response: Response) -> Iterable[dict[str, Any]]:
        assert isinstance(response, TextResponse)
        lines = lazy_lines(response)
        body = "\n".join(lines)
        yield {"url": response.url, "body": body}
        yield {"url": response.url + "#upper", "body": body.upper()}
        yield {
            "url": response.url + "#half",
            "body": "\n".join(lines[: len(lines) // 2]),
        }
