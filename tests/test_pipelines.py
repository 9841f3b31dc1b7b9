"""The item pipelines in real crawls and on items of every shape."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import scrapy
from itemadapter import ItemAdapter
from scrapy import Spider
from scrapy.exceptions import DropItem
from scrapy.utils.defer import deferred_f_from_coro_f
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from scrapy_newsclean import Addon, CleanTextPipeline, EmptyAfterClean
from scrapy_newsclean.stores import StoreLocked, build_store
from tests.spiders import ArticleSpider, crawl
from tests.template_texts import ABOUT_US, BACKGROUND

if TYPE_CHECKING:
    from tests.conftest import MockServer

SITES = Path(__file__).resolve().parent / "sites"
ADDON: dict[str, Any] = {"ADDONS": {Addon: 500}, "NEWSCLEAN_STORE": "memory://"}
DISCLAIMER = (
    "The publisher provides the information as is, without warranty of any kind."
)


def build_pipeline(settings: dict[str, Any] | None = None) -> CleanTextPipeline:
    crawler = get_crawler(Spider, {"NEWSCLEAN_STORE": "memory://", **(settings or {})})
    crawler.spider = Spider.from_crawler(crawler, name="items")
    return build_from_crawler(CleanTextPipeline, crawler)


class DropEverySecondItem:
    """A storage pipeline that refuses some items (as a failing database would)."""

    def __init__(self) -> None:
        self.seen = 0

    def process_item(self, item: Any) -> Any:
        self.seen += 1
        if self.seen % 2 == 0:
            raise DropItem("storage refused it")
        return item


class TestCleanTextPipelineCrawl:
    @pytest.mark.parametrize("seed", ["000", "003"])
    @deferred_f_from_coro_f
    async def test_seed_pages_cleaned_to_expected(
        self, mockserver: MockServer, seed: str
    ) -> None:
        url = mockserver.url(f"/site/seed_{seed}.html")
        result = await crawl([url], ADDON, spidercls=ArticleSpider)
        (item,) = result.items
        expected = (SITES / f"seed_{seed}.expected.txt").read_text()
        assert item["body"].strip() == expected.strip()
        assert result.stat("newsclean/clean/items_cleaned") == 1
        removed = {
            k: v
            for k, v in result.newsclean_stats().items()
            if k.startswith("newsclean/clean/blocks_removed/reason_count/")
        }
        assert sum(removed.values()) >= 5

    @deferred_f_from_coro_f
    async def test_report_field_and_rejects_for_emptied_item(
        self, mockserver: MockServer, tmp_path: Path
    ) -> None:
        rejects = tmp_path / "rejects.jsonl"
        result = await crawl(
            [mockserver.url("/site/seed_000.html")],
            {
                **ADDON,
                "NEWSCLEAN_REPORT_FIELD": "newsclean",
                "NEWSCLEAN_REJECTS": str(rejects),
            },
            spidercls=ArticleSpider,
        )
        (item,) = result.items
        report = item["newsclean"]
        assert report["fields"] == ["body"]
        assert report["blocks_removed"]["repeated_run"] == 8
        assert report["chars_after"] < report["chars_before"]
        assert not rejects.exists()


TEMPLATE_BLOCK = "The Harbour Post newsroom is on Quay Street"
LETTERS = "Letters to the editor can be left at the front desk or sent by post."


class TestSiteTemplateLearning:
    @deferred_f_from_coro_f
    async def test_block_on_three_stored_articles_is_stripped_from_the_fourth(
        self, mockserver: MockServer
    ) -> None:
        urls = [mockserver.url(f"/site/template_{i}.html") for i in range(1, 5)]
        result = await crawl(
            urls, {**ADDON, "CONCURRENT_REQUESTS": 1}, spidercls=ArticleSpider
        )
        bodies = {item["url"]: item["body"] for item in result.items}
        assert [TEMPLATE_BLOCK in bodies[url] for url in urls] == [
            True,
            True,
            True,
            False,
        ]
        # and the prose line below it: the four articles are unrelated
        assert [LETTERS in bodies[url] for url in urls] == [True, True, True, False]
        assert (
            result.stat("newsclean/clean/blocks_removed/reason_count/site_template")
            == 2
        )

    @deferred_f_from_coro_f
    async def test_template_learned_in_one_crawl_applies_from_the_next_first_page(
        self, mockserver: MockServer, tmp_path: Path
    ) -> None:
        settings = {
            **ADDON,
            "CONCURRENT_REQUESTS": 1,
            "NEWSCLEAN_STORE": f"sqlite:///{tmp_path / 'state.db'}",
        }
        first = [mockserver.url(f"/site/template_{i}.html") for i in range(1, 4)]
        learned = await crawl(first, settings, spidercls=ArticleSpider)
        assert all(TEMPLATE_BLOCK in item["body"] for item in learned.items)
        url = mockserver.url("/site/template_4.html")
        second = await crawl([url], settings, spidercls=ArticleSpider)
        (item,) = second.items
        assert TEMPLATE_BLOCK not in item["body"]
        assert LETTERS not in item["body"]
        assert (
            second.stat("newsclean/clean/blocks_removed/reason_count/site_template")
            == 2
        )

    @deferred_f_from_coro_f
    async def test_about_us_learned_from_unrelated_pages_follow_up_background_kept(
        self, mockserver: MockServer
    ) -> None:
        abouts = [mockserver.url(f"/site/about_{i}.html") for i in range(1, 6)]
        updates = [mockserver.url(f"/site/followup_{i}.html") for i in range(1, 6)]
        result = await crawl(
            [*abouts, *updates],
            {**ADDON, "CONCURRENT_REQUESTS": 1},
            spidercls=ArticleSpider,
        )
        bodies = {item["url"]: item["body"] for item in result.items}
        assert [ABOUT_US in bodies[url] for url in abouts] == [
            True,
            True,
            True,
            False,
            False,
        ]
        assert all(BACKGROUND in bodies[url] for url in updates)
        assert (
            result.stat("newsclean/clean/blocks_removed/reason_count/site_template")
            == 2
        )

    @deferred_f_from_coro_f
    async def test_items_dropped_by_a_later_pipeline_teach_nothing(
        self, mockserver: MockServer
    ) -> None:
        urls = [mockserver.url(f"/site/template_{i}.html") for i in range(1, 5)]
        settings = {
            **ADDON,
            "CONCURRENT_REQUESTS": 1,
            "ITEM_PIPELINES": {DropEverySecondItem: 900},
        }
        result = await crawl(urls, settings, spidercls=ArticleSpider)
        assert len(result.items) == 2
        assert all(TEMPLATE_BLOCK in item["body"] for item in result.items)
        assert (
            result.stat("newsclean/clean/blocks_removed/reason_count/site_template")
            is None
        )


class TestCleanTextPipelineItems:
    @deferred_f_from_coro_f
    async def test_list_of_paragraphs_stays_a_list(self) -> None:
        pipeline = build_pipeline()
        paragraphs = ["First paragraph of the story.", DISCLAIMER, "Second one."]
        item = await pipeline.process_item(
            {"url": "https://a.test/1", "body": paragraphs}
        )
        assert item["body"] == ["First paragraph of the story.", "Second one."]

    @pytest.mark.parametrize(
        ("value", "problem"),
        [
            (None, "missing"),
            (b"\xff\xfe broken", "invalid_utf8"),
            (42, "bad_type_int"),
            ({"nested": "dict"}, "bad_type_dict"),
            (["ok", 3], "bad_type_list"),
        ],
        ids=["none", "invalid-utf8", "int", "dict", "mixed-list"],
    )
    @deferred_f_from_coro_f
    async def test_bad_values_pass_untouched_counted_and_logged(
        self, value: Any, problem: str, caplog: pytest.LogCaptureFixture
    ) -> None:
        pipeline = build_pipeline()
        item = {"url": "https://a.test/1", "body": value}
        with caplog.at_level(logging.INFO, logger="scrapy_newsclean"):
            out = await pipeline.process_item(item)
        assert out["body"] is value
        stats = pipeline.crawler.stats
        assert stats is not None
        assert (
            stats.get_value(f"newsclean/clean/field_skipped/reason_count/{problem}")
            == 1
        )
        assert any(problem in r.getMessage() for r in caplog.records)

    @deferred_f_from_coro_f
    async def test_utf8_bytes_are_cleaned_into_str(self) -> None:
        pipeline = build_pipeline()
        body = f"Real text of the story.\n{DISCLAIMER}".encode()
        item = await pipeline.process_item({"url": "https://a.test/1", "body": body})
        assert item["body"] == "Real text of the story."

    @deferred_f_from_coro_f
    async def test_oversize_text_is_left_alone(self) -> None:
        pipeline = build_pipeline({"NEWSCLEAN_MAX_TEXT_CHARS": 1000})
        body = (DISCLAIMER + "\n") * 100
        item = await pipeline.process_item({"url": "https://a.test/1", "body": body})
        assert item["body"] == body
        stats = pipeline.crawler.stats
        assert stats is not None
        assert (
            stats.get_value("newsclean/clean/field_skipped/reason_count/oversize") == 1
        )

    @deferred_f_from_coro_f
    async def test_emptied_item_is_dropped_or_kept(self, tmp_path: Path) -> None:
        rejects = tmp_path / "r.jsonl"
        pipeline = build_pipeline({"NEWSCLEAN_REJECTS": str(rejects)})
        with pytest.raises(EmptyAfterClean):
            await pipeline.process_item({"url": "https://a.test/1", "body": DISCLAIMER})
        (record,) = [json.loads(line) for line in rejects.read_text().splitlines()]
        assert record["reason"] == "empty_after_clean"
        assert record["stage"] == "clean"
        keeper = build_pipeline({"NEWSCLEAN_KEEP_EMPTY": True})
        item = await keeper.process_item(
            {"url": "https://a.test/1", "body": DISCLAIMER}
        )
        assert item["body"] == ""

    @deferred_f_from_coro_f
    async def test_any_item_type(self) -> None:
        class ArticleItem(scrapy.Item):
            url = scrapy.Field()
            body = scrapy.Field()

        @dataclass
        class ArticleData:
            url: str
            body: str

        pipeline = build_pipeline()
        text = f"Real text of the story.\n{DISCLAIMER}"
        for item in (
            ArticleItem(url="https://a.test/1", body=text),
            ArticleData("https://a.test/2", text),
        ):
            out = await pipeline.process_item(item)
            assert ItemAdapter(out)["body"] == "Real text of the story."


class DropFirstItem:
    """A storage pipeline that fails on the first item it sees."""

    def __init__(self) -> None:
        self.seen = 0

    def process_item(self, item: Any) -> Any:
        self.seen += 1
        if self.seen == 1:
            raise DropItem("storage refused it")
        return item


def seed_urls(mockserver: MockServer) -> list[str]:
    return [
        mockserver.url("/site/seed_000.html"),
        mockserver.other_host_url("/site/seed_000_syndicated.html"),
        mockserver.url("/site/seed_003.html"),
    ]


class TestNearDuplicatePipelineCrawl:
    @deferred_f_from_coro_f
    async def test_syndicated_copy_dropped_and_recorded(
        self, mockserver: MockServer, tmp_path: Path
    ) -> None:
        rejects = tmp_path / "rejects.jsonl"
        original, copy, other = seed_urls(mockserver)
        result = await crawl(
            [original, copy, other],
            {**ADDON, "CONCURRENT_REQUESTS": 1, "NEWSCLEAN_REJECTS": str(rejects)},
            spidercls=ArticleSpider,
        )
        assert result.urls == {original, other}  # the two seeds stay distinct
        assert (
            result.stat("newsclean/duplicate/dropped/reason_count/near_duplicate") == 1
        )
        assert result.stat("newsclean/duplicate/committed") == 2
        assert result.stat("item_dropped_reasons_count/NearDuplicateItem") == 1
        (record,) = [json.loads(line) for line in rejects.read_text().splitlines()]
        assert record["url"] == copy
        assert record["stage"] == "duplicate"
        assert record["reason"] == "near_duplicate"
        assert record["duplicate_of"] == original
        assert 0 <= record["distance"] <= 17

    @deferred_f_from_coro_f
    async def test_tag_action_keeps_the_copy_with_its_origin(
        self, mockserver: MockServer
    ) -> None:
        original, copy, _ = seed_urls(mockserver)
        result = await crawl(
            [original, copy],
            {
                **ADDON,
                "CONCURRENT_REQUESTS": 1,
                "NEWSCLEAN_DUPLICATE_ACTION": "tag",
            },
            spidercls=ArticleSpider,
        )
        tagged = {i["url"]: i.get("newsclean_duplicate") for i in result.items}
        assert tagged[original] is None
        assert tagged[copy]["of"] == original
        assert result.stat("newsclean/duplicate/tagged") == 1

    @deferred_f_from_coro_f
    async def test_item_dropped_later_leaves_no_fingerprint(
        self, mockserver: MockServer
    ) -> None:
        original, copy, _ = seed_urls(mockserver)
        settings = {
            **ADDON,
            "CONCURRENT_REQUESTS": 1,
            "ITEM_PIPELINES": {DropFirstItem: 900},
        }
        result = await crawl([original, copy], settings, spidercls=ArticleSpider)
        assert result.urls == {copy}
        assert result.stat("newsclean/duplicate/released") == 1
        assert (
            result.stat("newsclean/duplicate/dropped/reason_count/near_duplicate")
            is None
        )

    @deferred_f_from_coro_f
    async def test_sqlite_store_persists_across_crawls(
        self, mockserver: MockServer, tmp_path: Path
    ) -> None:
        original, copy, other = seed_urls(mockserver)
        settings = {
            **ADDON,
            "NEWSCLEAN_STORE": f"sqlite:///{tmp_path / 'state.db'}",
        }
        first = await crawl([original], settings, spidercls=ArticleSpider)
        assert first.urls == {original}
        second = await crawl([copy, other], settings, spidercls=ArticleSpider)
        assert second.urls == {other}
        assert (
            second.stat("newsclean/duplicate/dropped/reason_count/near_duplicate") == 1
        )

    @deferred_f_from_coro_f
    async def test_second_crawl_drops_urls_already_stored(
        self, mockserver: MockServer, tmp_path: Path
    ) -> None:
        original, copy, other = seed_urls(mockserver)
        rejects, report = tmp_path / "rejects.jsonl", tmp_path / "report.json"
        settings = {
            **ADDON,
            "CONCURRENT_REQUESTS": 1,
            "NEWSCLEAN_STORE": f"sqlite:///{tmp_path / 'state.db'}",
            "NEWSCLEAN_REJECTS": str(rejects),
            "NEWSCLEAN_REPORT_PATH": str(report),
        }
        first = await crawl([original, other], settings, spidercls=ArticleSpider)
        assert first.urls == {original, other}
        second = await crawl([original, other], settings, spidercls=ArticleSpider)
        assert second.items == []
        dropped = "newsclean/duplicate/dropped/reason_count/"
        assert second.stat(dropped + "already_stored") == 2
        assert second.stat(dropped + "near_duplicate") is None
        records = [json.loads(line) for line in rejects.read_text().splitlines()]
        assert {(r["url"], r["reason"], r["duplicate_of"]) for r in records} == {
            (original, "already_stored", original),
            (other, "already_stored", other),
        }
        assert all(r["detail"].startswith("already stored") for r in records)
        items_dropped = json.loads(report.read_text())["items_dropped"]
        assert items_dropped == {"already_stored": 2}
        # A third crawl: the syndicated copy is still another story's duplicate.
        third = await crawl([copy], settings, spidercls=ArticleSpider)
        assert third.stat(dropped + "near_duplicate") == 1
        assert third.stat(dropped + "already_stored") is None

    @deferred_f_from_coro_f
    async def test_items_without_text_are_never_duplicates(
        self, mockserver: MockServer
    ) -> None:
        url = mockserver.url("/site/no_text.html")
        result = await crawl([url, url, url], ADDON, spidercls=ArticleSpider)
        assert len(result.items) == 3
        assert result.stat("newsclean/duplicate/no_text") == 3
        assert result.stat("newsclean/duplicate/dropped") is None

    @deferred_f_from_coro_f
    async def test_items_without_text_dropped_are_counted_once(
        self, mockserver: MockServer
    ) -> None:
        url = mockserver.url("/site/no_text.html")
        settings = {**ADDON, "NEWSCLEAN_NO_TEXT_ACTION": "drop"}
        result = await crawl([url, url], settings, spidercls=ArticleSpider)
        assert result.items == []
        assert result.stat("newsclean/duplicate/no_text") == 2
        assert result.stat("newsclean/duplicate/dropped") == 2
        assert result.stat("newsclean/duplicate/dropped/reason_count/no_text") == 2


@deferred_f_from_coro_f
async def test_second_crawl_on_a_locked_sqlite_store_is_refused(
    mockserver: MockServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    uri = f"sqlite:///{tmp_path / 'state.db'}"
    other_crawl = build_store(uri)
    await other_crawl.open()
    try:
        result = await crawl(
            [mockserver.url("/site/seed_000.html")],
            {**ADDON, "NEWSCLEAN_STORE": uri},
            spidercls=ArticleSpider,
        )
    finally:
        await other_crawl.close()
    assert result.items == []
    assert result.stat("finish_reason") == "newsclean_startup_error"
    assert result.stat("downloader/request_count") is None  # nothing fetched
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [r.getMessage() for r in errors] == [
        (
            f"scrapy-newsclean cannot start: {uri} is in use by another process"
            " (another crawl?); use a different NEWSCLEAN_STORE file or a redis://"
            " store to share fingerprints between processes"
        )
    ]
    assert StoreLocked.__name__ not in caplog.text  # no traceback


def test_default_store_is_sqlite_in_the_project_data_dir_not_jobdir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scrapy.settings import Settings

    from scrapy_newsclean.crawl._settings import store_uri

    monkeypatch.chdir(tmp_path)
    default = f"sqlite:///{tmp_path}/.scrapy/newsclean/state.db"
    assert store_uri(Settings()) == default
    assert (tmp_path / ".scrapy" / "newsclean").is_dir()
    jobdir = tmp_path / "job"
    assert store_uri(Settings({"JOBDIR": str(jobdir)})) == default
    # a store that an older version kept under JOBDIR is still used
    jobdir.mkdir()
    (jobdir / "newsclean.db").touch()
    legacy = f"sqlite:///{jobdir}/newsclean.db"
    assert store_uri(Settings({"JOBDIR": str(jobdir)})) == legacy


@deferred_f_from_coro_f
async def test_html_where_text_was_expected_is_cleaned_as_text() -> None:
    pipeline = build_pipeline()
    body = f"<p>Real text of the story.</p><p>{DISCLAIMER}</p><p>More text.</p>"
    item = await pipeline.process_item({"url": "https://a.test/1", "body": body})
    assert item["body"] == "Real text of the story.\nMore text."
    stats = pipeline.crawler.stats
    assert stats is not None
    assert stats.get_value("newsclean/clean/field_converted/reason_count/html") == 1
