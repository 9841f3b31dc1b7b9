"""Page evidence in real crawls: the spider middleware, the board, the pipeline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import DropItem
from scrapy.http import HtmlResponse
from scrapy.utils.defer import deferred_f_from_coro_f

from scrapy_newsclean import Addon, CleanTextPipeline, PageEvidenceMiddleware
from scrapy_newsclean.cli import main as cli_main
from scrapy_newsclean.crawl._page_evidence_middleware import PageEvidenceBoard
from tests.spiders import AsideSpider, LazyNewsSpider, TwoItemsSpider, crawl
from tests.spiders import lazy_lines as spider_lines

if TYPE_CHECKING:
    import pytest

    from tests.conftest import MockServer

SITES = Path(__file__).parent / "sites"
PAGE = "/site/evidence_article.html"
ARTICLE = [
    "The operator of the bay crossing has ordered two battery-electric ferries",
    "Each of the new ships will carry up to 300 passengers and 60 cars",
    "The contract is worth about 95 million euros",
    "This is the biggest change to the crossing in a generation",
    "Unions representing the crews welcomed the order",
    "The old vessels will be sold once the new ferries",
]
#: Page chrome that no text rule knows: only the page tells.
CHROME = [
    "Harbour bridge closure extended into August",
    "Get the Morning Briefing in your inbox",
    "Be the first to leave a comment on this story.",
    "Bayside Courier, 12 Quay Street, Northport.",
    "Your town, your news, every morning",
]
#: What the text rules alone leave of CHROME: the teaser list goes by its
#: shape (a run of headlines after the article), the rest has no tell.
TEXT_RULES_KEEP = CHROME[1:]
SETTINGS: dict[str, Any] = {"ADDONS": {Addon: 500}, "NEWSCLEAN_STORE": "memory://"}


def lazy_lines(html: bytes) -> list[str]:
    return spider_lines(HtmlResponse("https://bayside.example/ferry", body=html))


def _stats(result: Any) -> dict[str, Any]:
    return result.newsclean_stats()


@deferred_f_from_coro_f
async def test_lazy_body_loses_page_chrome_keeps_article(
    mockserver: MockServer,
) -> None:
    result = await crawl(
        [mockserver.url(PAGE)],
        {**SETTINGS, "NEWSCLEAN_REPORT_FIELD": "newsclean"},
        spidercls=LazyNewsSpider,
    )
    (item,) = result.items
    assert [p for p in ARTICLE if p not in item["body"]] == []
    assert [c for c in CHROME if c in item["body"]] == []
    removed = item["newsclean"]["blocks_removed"]
    assert removed["page_footer"] == 2
    assert removed["page_comments"] == 1
    assert removed["page_newsletter"] == 1
    assert result.stat("newsclean/clean/page_evidence_pages") == 1
    assert result.stat("newsclean/clean/page_evidence_items/reason_count/page") == 1
    assert result.stat("newsclean/clean/page_evidence_blocks_found") == len(
        item["body"].split("\n")
    ) + sum(removed.values())
    assert result.stat("newsclean/clean/page_evidence_blocks_not_found") is None
    assert result.stat("newsclean/clean/blocks_removed/reason_count/page_footer") == 2


@deferred_f_from_coro_f
async def test_switched_off_the_text_rules_alone_decide(mockserver: MockServer) -> None:
    settings = {**SETTINGS, "NEWSCLEAN_CLEAN_PAGE_EVIDENCE": False}
    result = await crawl([mockserver.url(PAGE)], settings, spidercls=LazyNewsSpider)
    (item,) = result.items
    assert [p for p in ARTICLE if p not in item["body"]] == []
    assert [c for c in CHROME if c in item["body"]] == TEXT_RULES_KEEP
    assert result.stat("newsclean/clean/page_evidence_pages") is None
    assert not any("page_evidence" in key for key in _stats(result))


@deferred_f_from_coro_f
async def test_blocks_not_on_the_page_fall_back_to_text_rules(
    mockserver: MockServer,
) -> None:
    settings = {**SETTINGS, "NEWSCLEAN_DEDUP_ENABLED": False}  # same text
    result = await crawl([mockserver.url(PAGE)], settings, spidercls=TwoItemsSpider)
    plain, half, shouted = sorted(result.items, key=lambda i: i["url"])
    assert [c for c in CHROME if c in plain["body"]] == []
    # The shouted copy's lines are on no page: kept by the text rules alone
    # (its footer line has no signature), its share lines still go.
    assert "BAYSIDE COURIER, 12 QUAY STREET, NORTHPORT." in shouted["body"]
    assert "SHARE ON FACEBOOK" not in shouted["body"]
    assert [c for c in CHROME if c in half["body"]] == []
    # Built for the first item's blocks, again for the shouted ones (other
    # blocks), not for the half (blocks already judged).
    assert result.stat("newsclean/clean/page_evidence_pages") == 2
    assert result.stat("newsclean/clean/page_evidence_items/reason_count/page") == 3
    # every line of the shouted copy, none of the plain one
    assert result.stat("newsclean/clean/page_evidence_blocks_not_found") == len(
        lazy_lines((SITES / "evidence_article.html").read_bytes())
    )


class DropEverything:
    def process_item(self, item: Any) -> Any:
        raise DropItem("not wanted")


@deferred_f_from_coro_f
async def test_items_dropped_before_cleaning_leave_no_evidence(
    mockserver: MockServer,
) -> None:
    settings = {
        **SETTINGS,
        "ITEM_PIPELINES": {f"{__name__}.DropEverything": 100},
        "CONCURRENT_REQUESTS": 1,
    }
    urls = [mockserver.url(PAGE) + f"?n={n}" for n in range(5)]
    result = await crawl(urls, settings, spidercls=LazyNewsSpider)
    assert result.items == []
    assert result.stat("newsclean/clean/page_evidence_pages") == 5
    assert result.stat("newsclean/clean/items") is None
    assert len(PageEvidenceBoard.of(result.crawler)) == 0


def test_board_is_bounded_and_tells_reused_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    from scrapy.utils.test import get_crawler

    from scrapy_newsclean.cleaning import page_evidence_from_html
    from scrapy_newsclean.crawl import _page_evidence_middleware as module

    crawler = get_crawler(settings_dict=SETTINGS)
    crawler.stats.open_spider()  # type: ignore[union-attr]
    monkeypatch.setattr(module, "BOARD_SIZE", 3)
    board = PageEvidenceBoard(crawler)
    evidence = page_evidence_from_html("<html><body><p>one line</p></body></html>")
    items = [{"n": n} for n in range(5)]
    for item in items:
        board.put(item, evidence)
    assert len(board) == 3
    assert board.take(items[0]) is None  # evicted, counted
    assert crawler.stats.get_value("newsclean/clean/page_evidence_evicted") == 2  # type: ignore[union-attr]
    assert board.take({"n": 4}) is None  # an equal item is not the item
    assert board.take(items[4]) is evidence
    assert board.take(items[4]) is None  # once


def test_addon_enables_the_middleware() -> None:
    from scrapy.utils.test import get_crawler

    crawler = get_crawler(settings_dict={"ADDONS": {Addon: 500}})
    middlewares = crawler.settings.getwithbase("SPIDER_MIDDLEWARES")
    assert middlewares[PageEvidenceMiddleware] == 10
    assert crawler.settings.getwithbase("ITEM_PIPELINES")[CleanTextPipeline] == 170


def test_cli_uses_the_html_field(tmp_path: Path) -> None:
    html = (SITES / "evidence_article.html").read_bytes()
    lines = lazy_lines(html)
    item = {
        "url": "https://bayside.example/ferry",
        "body": "\n".join(lines),
        "raw_html": html.decode(),
    }
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(item) + "\n", encoding="utf-8")
    bodies = {}
    for label, extra in (
        ("text", []),
        ("page", ["-s", "NEWSCLEAN_CLEAN_HTML_FIELD=raw_html"]),
    ):
        out = tmp_path / f"{label}.jsonl"
        args = ["clean", str(source), "-o", str(out), "--no-project", "-q"]
        assert cli_main([*args, "--store", "memory://", *extra]) == 0
        bodies[label] = json.loads(out.read_text(encoding="utf-8"))["body"]
    assert [c for c in CHROME if c in bodies["text"]] == TEXT_RULES_KEEP
    assert [c for c in CHROME if c in bodies["page"]] == []
    assert [p for p in ARTICLE if p not in bodies["page"]] == []


@deferred_f_from_coro_f
async def test_articles_sharing_a_long_teaser_list_are_not_near_duplicates(
    mockserver: MockServer,
) -> None:
    # Two distinct articles of one site whose lazy bodies share 27 teaser lines:
    # the teasers dominate both texts, so uncleaned they fingerprint alike.
    urls = [
        mockserver.url("/site/teasers_a.html"),
        mockserver.url("/site/teasers_b.html"),
    ]
    settings = {**SETTINGS, "CONCURRENT_REQUESTS": 1}
    result = await crawl(urls, settings, spidercls=LazyNewsSpider)
    assert sorted(item["url"] for item in result.items) == sorted(urls)
    assert result.stat("newsclean/duplicate/dropped") is None
    for item in result.items:
        assert "Harbour bridge closure" not in item["body"]
    # Without the page, the text rules remove the teasers by their shape (a
    # run of headlines after the article): both stored as well.
    off = {**settings, "NEWSCLEAN_CLEAN_PAGE_EVIDENCE": False}
    result = await crawl(urls, off, spidercls=LazyNewsSpider)
    assert sorted(item["url"] for item in result.items) == sorted(urls)
    assert result.stat("newsclean/clean/blocks_removed/reason_count/short_line_run")
    # Uncleaned, they are too close for copies from two sites (17 bits), but
    # not for two pages of one host (8): both stored; with one bound for all,
    # the second article is dropped as a copy of the first.
    raw = {**settings, "NEWSCLEAN_CLEAN_ENABLED": False}
    result = await crawl(urls, raw, spidercls=LazyNewsSpider)
    assert result.stat("newsclean/duplicate/dropped") is None
    one_bound = {**raw, "NEWSCLEAN_DEDUP_SAME_HOST_DISTANCE": 17}
    result = await crawl(urls, one_bound, spidercls=LazyNewsSpider)
    assert result.stat("newsclean/duplicate/dropped/reason_count/near_duplicate") == 1


@deferred_f_from_coro_f
async def test_the_page_never_empties_an_item_alone(
    mockserver: MockServer, caplog: pytest.LogCaptureFixture
) -> None:
    # The spider read the sidebar only: the page calls both paragraphs
    # boilerplate, the text rules keep them; the item is kept, and says so.
    url = mockserver.url("/site/sidebar_story.html")
    with caplog.at_level("INFO"):
        result = await crawl([url], SETTINGS, spidercls=AsideSpider)
    (item,) = result.items
    assert item["body"].startswith("Our newsroom has covered")
    assert "editors' open meeting" in item["body"]
    assert result.stat("newsclean/clean/page_evidence_overruled") == 1
    assert result.stat("newsclean/clean/dropped") is None
    assert any(
        url in r.getMessage() and "cleaned by the text rules alone" in r.getMessage()
        for r in caplog.records
    )
