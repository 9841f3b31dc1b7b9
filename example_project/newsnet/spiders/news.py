"""A news spider as people write them: home and section pages -> articles."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import scrapy

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

    from scrapy.http import Response

#: Section pages: every outlet links them from its <nav>.
SECTION_LINKS = "nav a::attr(href)"
#: Article links, one selector per outlet's listing markup.
ARTICLE_LINKS = (
    "a.headline::attr(href), "  # The Harbour Post
    "a.teaser__link::attr(href), "  # Rhein-Kurier
    "a.pr-title::attr(href), "  # Daily Wire Digest
    "li.news-item > a::attr(href)"  # Minato Shimbun
)
PUBLISHED = (
    "meta[property='article:published_time']::attr(content), "
    "time::attr(datetime), "
    "[itemprop=datePublished]::attr(content)"
)
#: The lazy body: every paragraph and list item of the page but the menu.
#: Disclaimers, "Most popular" lists and footers end up in it: newsclean
#: strips them.
PARAGRAPHS = "//body//p | //body//li[not(ancestor::nav)]"


class NewsSpider(scrapy.Spider):
    """Crawl each outlet from its home page; yield one item per article.

    ``start_urls``: comma-separated home page URLs. Without them (``scrapy
    crawl news``, ``run.py``), the project's ``LocalNewsNetwork`` extension
    serves the example's news network and gives the spider its home pages.
    """

    name = "news"

    def __init__(self, start_urls: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.start_urls = [url for url in start_urls.split(",") if url]

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.start_urls:
            yield scrapy.Request(url, callback=self.parse_listing)

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        """Follow the article links, then the other sections."""
        articles = response.css(ARTICLE_LINKS).getall()
        yield from response.follow_all(articles, callback=self.parse_article)
        sections = response.css(SECTION_LINKS).getall()
        yield from response.follow_all(sections, callback=self.parse_listing)

    def parse_article(self, response: Response) -> Iterator[dict[str, Any]]:
        """One item: url, title, published date, and the page's paragraphs."""
        paragraphs = (
            p.xpath("normalize-space()").get() for p in response.xpath(PARAGRAPHS)
        )
        yield {
            "url": response.url,
            "title": response.css("h1").xpath("normalize-space()").get(default=""),
            "published": response.css(PUBLISHED).get(),
            "body": "\n".join(p for p in paragraphs if p),
        }
