"""ErrorPageMiddleware in real crawls against the local HTTP server."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse, Response
from scrapy.utils.defer import deferred_f_from_coro_f
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from scrapy_newsclean import Addon, ErrorPageIgnored, ErrorPageMiddleware
from tests.spiders import crawl

if TYPE_CHECKING:
    from pathlib import Path

    from tests.conftest import MockServer

ADDON: dict[str, Any] = {"ADDONS": {Addon: 500}, "NEWSCLEAN_STORE": "memory://"}


def read_rejects(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


class TestHardErrors:
    @deferred_f_from_coro_f
    async def test_seed_served_403_is_dropped_and_recorded(
        self, mockserver: MockServer, tmp_path: Path
    ) -> None:
        rejects = tmp_path / "rejects.jsonl"
        url = mockserver.url("/status/403/seed_000.html")
        result = await crawl(
            [url],
            {**ADDON, "NEWSCLEAN_REJECTS": str(rejects), "HTTPERROR_ALLOW_ALL": True},
        )
        assert result.items == []
        assert result.stat("newsclean/error_page/dropped/reason_count/status_403") == 1
        assert result.stat("newsclean/error_page/dropped") == 1
        (record,) = read_rejects(rejects)
        assert record["url"] == url
        assert record["stage"] == "error_page"
        assert record["reason"] == "status_403"
        assert record["status"] == 403
        assert isinstance(record["time"], float)
        assert "detail" in record

    @deferred_f_from_coro_f
    async def test_seed_served_200_is_kept(self, mockserver: MockServer) -> None:
        url = mockserver.url("/site/seed_000.html")
        result = await crawl([url], ADDON)
        assert result.urls == {url}
        assert result.stat("newsclean/error_page/dropped") is None
        assert result.stat("newsclean/error_page/checked") == 1

    @pytest.mark.parametrize("status", [401, 404, 410, 451, 500])
    @deferred_f_from_coro_f
    async def test_error_statuses_dropped_even_when_allowed(
        self, mockserver: MockServer, status: int
    ) -> None:
        url = mockserver.url(f"/status/{status}/article.html")
        result = await crawl(
            [url], {**ADDON, "HTTPERROR_ALLOW_ALL": True, "RETRY_ENABLED": False}
        )
        assert result.items == []
        assert (
            result.stat(f"newsclean/error_page/dropped/reason_count/status_{status}")
            == 1
        )

    @deferred_f_from_coro_f
    async def test_503_dropped_after_scrapy_retries(
        self, mockserver: MockServer
    ) -> None:
        url = mockserver.url("/status/503/article.html")
        result = await crawl(
            [url], {**ADDON, "HTTPERROR_ALLOW_ALL": True, "RETRY_TIMES": 2}
        )
        assert result.items == []
        assert result.stat("retry/count") == 2
        assert result.stat("newsclean/error_page/dropped/reason_count/status_503") == 1
        assert result.stat("downloader/response_status_count/503") == 3

    @deferred_f_from_coro_f
    async def test_without_newsclean_the_error_page_becomes_an_item(
        self, mockserver: MockServer
    ) -> None:
        url = mockserver.url("/status/403/seed_000.html")
        result = await crawl([url], {"HTTPERROR_ALLOW_ALL": True})
        assert result.urls == {url}

    @deferred_f_from_coro_f
    async def test_opt_out_by_spider_attribute(self, mockserver: MockServer) -> None:
        url = mockserver.url("/status/404/article.html")
        result = await crawl(
            [url],
            {**ADDON, "HTTPERROR_ALLOW_ALL": True},
            newsclean_allow_statuses=[404],
        )
        assert result.urls == {url}
        assert result.stat("newsclean/error_page/dropped") is None

    @deferred_f_from_coro_f
    async def test_disabled_by_master_switch(self, mockserver: MockServer) -> None:
        url = mockserver.url("/status/403/article.html")
        result = await crawl(
            [url], {**ADDON, "HTTPERROR_ALLOW_ALL": True, "NEWSCLEAN_ENABLED": False}
        )
        assert result.urls == {url}
        assert result.newsclean_stats() == {}


class TestSoftErrors:
    @deferred_f_from_coro_f
    async def test_cloudflare_challenge_retried_then_dropped(
        self, mockserver: MockServer, tmp_path: Path
    ) -> None:
        rejects = tmp_path / "rejects.jsonl"
        url = mockserver.url("/site/cloudflare_challenge.html")
        result = await crawl([url], {**ADDON, "NEWSCLEAN_REJECTS": str(rejects)})
        assert result.items == []
        assert result.stat("newsclean/error_page/retry/count") == 2
        assert result.stat("newsclean/error_page/retry/max_reached") == 1
        assert (
            result.stat(
                "newsclean/error_page/dropped/reason_count/challenge_cloudflare"
            )
            == 1
        )
        assert result.stat("downloader/response_status_count/200") == 3
        (record,) = read_rejects(rejects)
        assert record["reason"] == "challenge_cloudflare"
        assert record["status"] == 200

    @deferred_f_from_coro_f
    async def test_challenge_on_another_4xx_status_retried_then_dropped(
        self, mockserver: MockServer
    ) -> None:
        """Akamai answers 428, AWS WAF 405: outside the drop statuses, a vendor
        challenge is still recognised, retried and counted."""
        url = mockserver.url("/status/428/cloudflare_challenge.html")
        result = await crawl([url], {**ADDON, "HTTPERROR_ALLOW_ALL": True})
        assert result.items == []
        assert result.stat("newsclean/error_page/retry/count") == 2
        assert (
            result.stat(
                "newsclean/error_page/dropped/reason_count/challenge_cloudflare"
            )
            == 1
        )
        assert result.stat("downloader/response_status_count/428") == 3

    @deferred_f_from_coro_f
    async def test_other_4xx_without_a_challenge_passes(
        self, mockserver: MockServer
    ) -> None:
        url = mockserver.url("/status/418/article.html")
        result = await crawl([url], {**ADDON, "HTTPERROR_ALLOW_ALL": True})
        assert result.urls == {url}
        assert result.stat("newsclean/error_page/dropped") is None

    @deferred_f_from_coro_f
    async def test_challenge_that_clears_on_retry_is_kept(
        self, mockserver: MockServer
    ) -> None:
        url = mockserver.url("/flaky/1/cf-once/cloudflare_challenge.html/article.html")
        result = await crawl([url], ADDON)
        assert result.urls == {url}
        assert result.stat("newsclean/error_page/retry/count") == 1
        assert result.stat("newsclean/error_page/dropped") is None

    @deferred_f_from_coro_f
    async def test_gzip_encoded_challenge_is_seen_decompressed(
        self, mockserver: MockServer
    ) -> None:
        url = mockserver.url("/gzip/cloudflare_challenge.html")
        result = await crawl([url], {**ADDON, "NEWSCLEAN_RETRY_CHALLENGES": 0})
        assert result.items == []
        assert (
            result.stat(
                "newsclean/error_page/dropped/reason_count/challenge_cloudflare"
            )
            == 1
        )

    @pytest.mark.parametrize("page", ["soft404.html", "soft404_de.html"])
    @deferred_f_from_coro_f
    async def test_soft_404_dropped(self, mockserver: MockServer, page: str) -> None:
        result = await crawl([mockserver.url(f"/site/{page}")], ADDON)
        assert result.items == []
        assert result.stat("newsclean/error_page/dropped/reason_count/soft_404") == 1

    @deferred_f_from_coro_f
    async def test_article_mentioning_errors_is_kept(
        self, mockserver: MockServer
    ) -> None:
        url = mockserver.url("/site/article_mentions_errors.html")
        result = await crawl([url], ADDON)
        assert result.urls == {url}

    @deferred_f_from_coro_f
    async def test_dead_article_redirected_home_is_dropped(
        self, mockserver: MockServer, tmp_path: Path
    ) -> None:
        url = mockserver.url("/redirect/301?to=/")
        rejects = tmp_path / "rejects.jsonl"
        result = await crawl([url], {**ADDON, "NEWSCLEAN_REJECTS": str(rejects)})
        assert result.items == []
        assert (
            result.stat("newsclean/error_page/dropped/reason_count/redirect_home") == 1
        )
        (record,) = read_rejects(rejects)
        assert record["url"] == url  # the dead article, not the home page
        assert record["landed_on"] == mockserver.url("/")

    @deferred_f_from_coro_f
    async def test_pdf_passes_untouched(self, mockserver: MockServer) -> None:
        url = mockserver.url("/site/report.pdf")
        result = await crawl([url], ADDON)
        assert result.urls == {url}
        assert result.stat("newsclean/error_page/passed_non_html") == 1

    @deferred_f_from_coro_f
    async def test_each_drop_is_logged_with_url_status_and_reason(
        self, mockserver: MockServer, caplog: pytest.LogCaptureFixture
    ) -> None:
        url = mockserver.url("/site/soft404.html")
        with caplog.at_level(logging.INFO, logger="scrapy_newsclean"):
            await crawl([url], ADDON)
        (message,) = [
            r.getMessage()
            for r in caplog.records
            if r.name == "scrapy_newsclean.crawl._audit" and r.levelno == logging.INFO
        ]
        assert url in message
        assert "status 200" in message
        assert "soft_404" in message


class TestHostileResponses:
    def build(self, settings: dict[str, Any] | None = None) -> ErrorPageMiddleware:
        crawler = get_crawler(Spider, settings or {})
        crawler.spider = Spider.from_crawler(crawler, name="hostile")
        return build_from_crawler(ErrorPageMiddleware, crawler)

    @pytest.mark.parametrize(
        ("body", "headers"),
        [
            (bytes(range(256)) * 64, {"Content-Type": "text/html"}),
            (b"\xff\xfe\x00<\x00h\x00t\x00m\x00l" * 500, {}),
            (
                "<html><title>Caf\xe9</title>".encode("cp1252"),
                {"Content-Type": "text/html; charset=utf-8"},
            ),
            (b"<html><body>" + b"<div>" * 5000, {"Content-Type": "text/html"}),
            (b"", {"Content-Type": "text/html"}),
            (b"<html><head><title>Just a mom", {"Content-Type": "text/html"}),
            (
                b"<html><body>" + b"<p>word word word</p>" * 2_500_000,
                {"Content-Type": "text/html"},
            ),
        ],
        ids=[
            "binary",
            "utf16-garbage",
            "mislabelled-charset",
            "unclosed-tags",
            "empty",
            "truncated",
            "50-megabytes",
        ],
    )
    def test_never_raises_other_than_ignore(
        self, body: bytes, headers: dict[str, str]
    ) -> None:
        mw = self.build()
        request = Request("https://news.example/a/1")
        response = HtmlResponse(
            request.url, status=200, body=body, headers=headers, request=request
        )
        try:
            out = mw.process_response(request, response)
        except ErrorPageIgnored:
            out = None  # a verdict is fine; any other exception fails the test
        assert out in {None, response}

    def test_non_html_response_passes(self) -> None:
        mw = self.build()
        request = Request("https://news.example/logo.png")
        response = Response(
            request.url,
            body=b"\x89PNG\r\n\x1a\n" + bytes(100),
            headers={"Content-Type": "image/png"},
            request=request,
        )
        assert mw.process_response(request, response) is response

    def test_bad_setting_is_a_clear_error(self) -> None:
        crawler = get_crawler(Spider, {"NEWSCLEAN_RETRY_CHALLENGES": -1})
        with pytest.raises(ValueError, match="NEWSCLEAN_RETRY_CHALLENGES"):
            ErrorPageMiddleware(crawler)

    def test_component_switch(self) -> None:
        with pytest.raises(NotConfigured):
            self.build({"NEWSCLEAN_ERRORPAGE_ENABLED": False})
